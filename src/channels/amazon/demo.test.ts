// The demo's Amazon storefront: merchant-fulfilled and FBA listings on one seller, orders that
// start pending, are confirmed, cancelled or shipped, FBA stock set and checked in, and a restart
// that keeps the account and the listings' identifiers and never reuses an order id. The SP-API
// side is the emulator's (its own tests); here only what the demo drives.

import { afterEach, describe, expect, it } from 'vitest';
import type { DemoStorefront, DemoStorefrontSetup } from '../demo-storefront.ts';
import { amazonSettings, checkAmazonSetting } from './settings.ts';
import { amazonDemo, DEMO_MARKETPLACE_ID, demoSellerId } from './demo.ts';

const SETUP: DemoStorefrontSetup = {
  name: 'amazon-us',
  skus: ['HOOD-BLK-M', 'CAP-RED', 'TEE-BLK-M', 'SOCK-GRY-LXL'],
  location: { code: '3PL-CENTRAL', name: 'Central 3PL' },
  managed: { location: { code: 'FBA-US', name: 'Amazon FBA (US)' }, skus: ['TEE-BLK-M', 'SOCK-GRY-LXL'] },
  seed: 3,
  now: 1_764_000_000_000,
  faults: false,
};

const opened: DemoStorefront[] = [];
async function start(setup: DemoStorefrontSetup = SETUP): Promise<DemoStorefront> {
  const s = await amazonDemo.start(setup);
  opened.push(s);
  return s;
}
afterEach(async () => {
  while (opened.length > 0) await opened.pop()!.close();
});

describe('the demo Amazon storefront', () => {
  it('gives settings an Amazon channel takes, pointed at the emulator, mapping the marketplace to the FBA location', async () => {
    const s = await start();
    const settings = s.settings as Record<string, unknown>;
    expect(checkAmazonSetting(settings, 'settings')).toBeNull();
    expect(amazonSettings(settings)).not.toHaveProperty('code');
    expect(settings).toMatchObject({
      seller_id: demoSellerId('amazon-us'),
      endpoint: s.url,
      lwa_url: `${s.url}/auth/o2/token`,
      locations: { [DEMO_MARKETPLACE_ID]: 'FBA-US' },
      fba_marketplace_ids: [DEMO_MARKETPLACE_ID],
      merchant_locations: ['3PL-CENTRAL'],
    });
    expect(settings.notification_secret).toEqual(expect.any(String));
    // The LWA credentials it gives are the emulator's: a token comes back for them.
    const token = await fetch(String(settings.lwa_url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(settings.refresh_token), client_id: String(settings.client_id), client_secret: String(settings.client_secret) }),
    });
    expect(token.status).toBe(200);
    expect(s.external('HOOD-BLK-M')).toEqual({ seller_sku: 'HOOD-BLK-M', marketplace_id: DEMO_MARKETPLACE_ID });
    expect(() => s.external('NOPE')).toThrow(/does not sell NOPE/);
  });

  it('sells merchant-fulfilled units from the shown number: pending, confirmed, shipped; cancelled units come back', async () => {
    const s = await start();
    expect(s.channelFulfils!('HOOD-BLK-M')).toBe(false);
    s.setShown('HOOD-BLK-M', 5);
    const o = s.placeOrder([{ sku: 'HOOD-BLK-M', quantity: 2 }])!;
    expect(o).toMatchObject({ pending: true, fulfilledByChannel: false, lines: [{ sku: 'HOOD-BLK-M', quantity: 2 }] });
    expect(o.id).toMatch(/^\d{3}-\d+-\d{7}$/);
    // Amazon takes the units off the listing at once, pending or not.
    expect(s.shown('HOOD-BLK-M')).toBe(3);
    expect(s.fulfil(o.id)).toBe(false); // not paid yet
    expect(s.confirm!(o.id)).toBe(true);
    expect(s.confirm!(o.id)).toBe(false);
    expect(s.fulfil(o.id)).toBe(true);
    expect(s.cancel(o.id)).toBe(false); // shipped

    const c = s.placeOrder([{ sku: 'HOOD-BLK-M', quantity: 3 }])!;
    expect(s.shown('HOOD-BLK-M')).toBe(0);
    expect(s.placeOrder([{ sku: 'HOOD-BLK-M', quantity: 1 }])).toBeNull();
    expect(s.cancel(c.id)).toBe(true);
    expect(s.shown('HOOD-BLK-M')).toBe(3);
    expect(s.refund(o.id, o.lines[0]!.id, 1)).toBe(false);
  });

  it('sells FBA units from the stock Amazon holds, as orders the channel ships itself', async () => {
    const s = await start();
    expect(s.channelFulfils!('TEE-BLK-M')).toBe(true);
    s.setManagedStock!('TEE-BLK-M', { available: 6, damaged: 1, inbound: 4 });
    expect(s.shown('TEE-BLK-M')).toBe(6);
    expect(s.managedStock!('TEE-BLK-M')).toEqual({ available: 6, damaged: 1, inbound: 4 });
    const o = s.placeOrder([{ sku: 'TEE-BLK-M', quantity: 2 }])!;
    expect(o).toMatchObject({ pending: true, fulfilledByChannel: true });
    expect(s.managedStock!('TEE-BLK-M').available).toBe(4);
    expect(s.confirm!(o.id) && s.fulfil(o.id)).toBe(true);
    const c = s.placeOrder([{ sku: 'TEE-BLK-M', quantity: 1 }])!;
    expect(s.cancel(c.id)).toBe(true);
    expect(s.managedStock!('TEE-BLK-M').available).toBe(4);
    // The inbound shipment checked in.
    expect(s.receiveInbound!('TEE-BLK-M', 5)).toBe(false);
    expect(s.receiveInbound!('TEE-BLK-M', 4)).toBe(true);
    expect(s.managedStock!('TEE-BLK-M')).toEqual({ available: 8, damaged: 1, inbound: 0 });
    // Amazon's own number: not set by hand, never mixed with merchant-fulfilled lines.
    expect(() => s.setShown('TEE-BLK-M', 3)).toThrow(/fulfilled by Amazon/);
    s.setShown('CAP-RED', 2);
    expect(() => s.placeOrder([{ sku: 'TEE-BLK-M', quantity: 1 }, { sku: 'CAP-RED', quantity: 1 }])).toThrow(/mixes/);
    expect(() => s.setManagedStock!('CAP-RED', { available: 1, damaged: 0, inbound: 0 })).toThrow(/not fulfilled by Amazon/);
  });

  it('keeps the seller and the listings across a restart and never reuses an order id', async () => {
    const first = await start();
    first.setShown('CAP-RED', 9);
    const before = first.placeOrder([{ sku: 'CAP-RED', quantity: 1 }])!;
    const settings = first.settings;
    const identifiers = SETUP.skus.map((sku) => first.external(sku));
    await opened.pop()!.close();

    // The next start, a second later (the demo's clock): a new port and new credentials.
    const second = await start({ ...SETUP, now: SETUP.now + 1_000 });
    expect(SETUP.skus.map((sku) => second.external(sku))).toEqual(identifiers);
    expect(second.settings.seller_id).toBe(settings.seller_id);
    expect(second.settings.endpoint).not.toBe(settings.endpoint);
    expect(second.settings.refresh_token).not.toBe(settings.refresh_token);
    second.setShown('CAP-RED', 9);
    const after = second.placeOrder([{ sku: 'CAP-RED', quantity: 1 }])!;
    const seq = (id: string) => Number(id.split('-')[1]);
    expect(seq(after.id)).toBeGreaterThan(seq(before.id));
    expect(Number(after.lines[0]!.id)).toBeGreaterThan(Number(before.lines[0]!.id));
  });

  it('refuses a managed SKU it does not sell', async () => {
    await expect(amazonDemo.start({ ...SETUP, managed: { ...SETUP.managed!, skus: ['BTL-500ML-BLK'] } })).rejects.toThrow(/keeps BTL-500ML-BLK at FBA-US but does not sell it/);
  });
});
