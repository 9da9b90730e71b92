// The demo's Square store: settings a Square channel takes, pointed at the emulator; sales at the
// till from the shelf (refused only when the shelf shows too few), returns restocked, no
// cancellation; signed webhooks truestock's verification accepts at the URL it was given; and a
// restart that keeps the listings' identifiers and never reuses an order id.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DemoStorefront, DemoStorefrontSetup } from '../demo-storefront.ts';
import { squareDemo } from './demo.ts';
import { checkSquareSetting, squareSettings } from './settings.ts';
import { parseSquareWebhook, verifySquareDelivery } from './webhooks.ts';

const SETUP: DemoStorefrontSetup = {
  name: 'store-soho',
  skus: ['HOOD-BLK-M', 'CAP-RED'],
  location: { code: 'STORE-SOHO', name: 'SoHo store' },
  seed: 5,
  now: 1_764_000_000_000,
  faults: false,
};

const opened: DemoStorefront[] = [];
async function start(setup: DemoStorefrontSetup = SETUP): Promise<DemoStorefront> {
  const s = await squareDemo.start(setup);
  opened.push(s);
  return s;
}
afterEach(async () => {
  while (opened.length > 0) await opened.pop()!.close();
});

describe('the demo Square store', () => {
  it('gives settings a Square channel takes, pointed at the emulator, its location mapped to the store', async () => {
    const s = await start();
    const settings = s.settings as Record<string, unknown>;
    expect(checkSquareSetting(settings, 'settings')).toBeNull();
    expect(squareSettings(settings)).not.toHaveProperty('code');
    expect(settings).toMatchObject({ endpoint: s.url, locations: { [Object.keys(settings.locations as object)[0]!]: 'STORE-SOHO' } });
    expect(s.external('CAP-RED')).toEqual({ catalog_object_id: expect.stringMatching(/^[0-9A-F]{22}$/) });
    expect(() => s.external('NOPE')).toThrow(/does not sell NOPE/);
  });

  it('sells from the shelf at the till, refuses what the shelf does not show, takes a return into the back room (not the shelf), cannot cancel', async () => {
    const s = await start();
    s.setShown('HOOD-BLK-M', 3);
    expect(s.placeOrder([{ sku: 'HOOD-BLK-M', quantity: 4 }])).toBeNull();
    const order = s.placeOrder([{ sku: 'HOOD-BLK-M', quantity: 2 }])!;
    expect(order.lines).toEqual([{ id: expect.any(String), sku: 'HOOD-BLK-M', quantity: 2 }]);
    expect(s.shown('HOOD-BLK-M')).toBe(1);
    expect(s.fulfil(order.id)).toBe(true);
    expect(s.cancel(order.id)).toBe(false);
    expect(s.refund(order.id, order.lines[0]!.id, 1)).toBe(true);
    // Checked before it goes back on the shelf: truestock puts it on the till's count once inspected.
    expect(s.shown('HOOD-BLK-M')).toBe(1);
    expect(s.refund(order.id, 'no-such-line', 1)).toBe(false);
  });

  it('signs its webhooks over the URL it calls, as truestock verifies them', async () => {
    const got: { raw: Buffer; headers: Record<string, string | undefined>; url: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ raw: Buffer.concat(chunks), headers: req.headers as Record<string, string>, url: `http://${req.headers.host}${req.url}` });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const s = await start();
      s.subscribe(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/channels/chan_1/webhooks`);
      s.setShown('CAP-RED', 4);
      await s.flushWebhooks();
      expect(got.length).toBeGreaterThan(0);
      const verified = verifySquareDelivery(got[0]!, s.settings as Record<string, unknown>);
      expect(verified).toMatchObject({ ok: true, topic: 'inventory.count.updated' });
      if (!verified.ok) return;
      expect(parseSquareWebhook(verified, JSON.parse(got[0]!.raw.toString()))).toMatchObject({ ok: true, events: [{ kind: 'level_updated', level: { available: 4 } }] });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('started again keeps the identifiers and never reuses an order id', async () => {
    const first = await start();
    first.setShown('CAP-RED', 5);
    const a = first.placeOrder([{ sku: 'CAP-RED', quantity: 1 }])!;
    await first.close();
    opened.pop();
    const again = await start({ ...SETUP, now: SETUP.now + 60_000 });
    expect(again.external('CAP-RED')).toEqual(first.external('CAP-RED'));
    expect(again.settings.locations).toEqual(first.settings.locations);
    again.setShown('CAP-RED', 5);
    const b = again.placeOrder([{ sku: 'CAP-RED', quantity: 1 }])!;
    expect(b.id).not.toBe(a.id);
  });
});
