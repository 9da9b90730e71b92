// The demo's Walmart storefront: settings a Walmart channel takes, pointed at the emulator; orders
// placed, shipped and cancelled (Walmart's auto-cancel); webhooks subscribed through Walmart's own
// API and signed so the kind verifies them; refusals as values. The API side is the emulator's.

import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { DemoStorefront, DemoStorefrontSetup } from '../demo-storefront.ts';
import { walmartDemo, DEMO_SHIP_NODE } from './demo.ts';
import { walmart } from './kind.ts';
import { checkWalmartSetting, walmartSettings } from './settings.ts';

const SETUP: DemoStorefrontSetup = { name: 'walmart-us', skus: ['HOOD-BLK-M', 'CAP-RED'], location: { code: '3PL-CENTRAL', name: 'Central 3PL' }, seed: 5, now: 1_764_000_000_000, faults: false };

const opened: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  while (opened.length > 0) await opened.pop()!.close();
});
async function start(setup: DemoStorefrontSetup = SETUP): Promise<DemoStorefront> {
  const s = await walmartDemo.start(setup);
  opened.push(s);
  return s;
}

describe('the demo Walmart storefront', () => {
  it('gives settings a Walmart channel takes, mapping its ship node to the location', async () => {
    const s = await start();
    const settings = s.settings as Record<string, unknown>;
    expect(checkWalmartSetting(settings, 'settings')).toBeNull();
    expect(walmartSettings(settings)).not.toHaveProperty('code');
    expect(settings).toMatchObject({ endpoint: s.url, ship_node: DEMO_SHIP_NODE, locations: { [DEMO_SHIP_NODE]: '3PL-CENTRAL' }, notification_auth: 'HMAC' });
    expect(s.external('CAP-RED')).toEqual({ sku: 'CAP-RED' });
    expect(() => s.external('NOPE')).toThrow(/invariant/);
  });

  it('sells what it shows, refuses more, cancels and ships; its deliveries verify with the settings it gave', async () => {
    const s = await start();
    const got: { headers: Record<string, string>; raw: Buffer }[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), raw: Buffer.concat(chunks) });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    opened.push({ close: () => new Promise<void>((r) => server.close(() => r())) });
    const address = server.address() as { port: number };
    s.subscribe(`http://127.0.0.1:${address.port}/hooks`);
    s.setShown('HOOD-BLK-M', 3);
    await s.flushWebhooks();
    expect(s.placeOrder([{ sku: 'HOOD-BLK-M', quantity: 5 }])).toBeNull();
    const o = s.placeOrder([{ sku: 'HOOD-BLK-M', quantity: 2 }]);
    expect(o).toMatchObject({ lines: [{ sku: 'HOOD-BLK-M', quantity: 2 }] });
    expect(s.shown('HOOD-BLK-M')).toBe(1);
    expect(s.cancel(o!.id)).toBe(true);
    expect(s.cancel(o!.id)).toBe(false);
    const shipped = s.placeOrder([{ sku: 'HOOD-BLK-M', quantity: 1 }]);
    expect(s.fulfil(shipped!.id)).toBe(true);
    expect(s.refund(shipped!.id, '1', 1)).toBe(false);
    await s.flushWebhooks();
    expect(got.length).toBeGreaterThanOrEqual(3);
    for (const d of got) {
      const v = walmart.inbound!.webhook!.verify({ raw: d.raw, headers: d.headers, url: '' }, s.settings as Record<string, unknown>);
      expect(v).toMatchObject({ ok: true, topic: 'ORDER_UPDATES' });
    }
    expect(s.throttled()).toBe(0);
  });
});
