// The eBay demo storefront: it starts an emulator on a port, its settings connect the kind's
// connector, a subscription passes eBay's endpoint challenge (answered by the kind) and brings
// signed ORDER_CONFIRMATION notifications the kind verifies, and orders, cancellations and
// refusals behave as the demo expects.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../app/clock.ts';
import type { DemoStorefront } from '../demo-storefront.ts';
import { ebayDemo } from './demo.ts';
import { ebay } from './kind.ts';
import { answerChallenge, verifyEbayNotification } from './notifications.ts';

const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function storefront(): Promise<DemoStorefront> {
  const s = await ebayDemo.start({ name: 'eBay demo', skus: ['A', 'B'], location: { code: 'W1', name: 'Warehouse' }, seed: 7, now: Date.now(), faults: false });
  open.push(s);
  return s;
}

describe('eBay demo storefront', () => {
  it('its settings connect the kind; pushed numbers show; orders lower them, cancellations restore them, too large an order is refused', async () => {
    const s = await storefront();
    expect(ebay.settings.check(s.settings as Record<string, unknown>, 'settings')).toBeNull();
    const c = ebay.connect!({ ...s.settings }, { clock: systemClock, fetch });
    if ('code' in c) throw new Error(c.detail);
    const r = await c.push([{ listingId: 'l1', version: 1, external: s.external('A'), quantity: 5, expected: null }]);
    expect(r).toMatchObject({ ok: true, outcomes: [{ status: 'acknowledged' }] });
    expect(s.shown('A')).toBe(5);
    const o = s.placeOrder([{ sku: 'A', quantity: 2 }])!;
    expect(o.lines).toEqual([{ id: expect.any(String), sku: 'A', quantity: 2 }]);
    expect(s.shown('A')).toBe(3);
    expect(s.placeOrder([{ sku: 'A', quantity: 4 }])).toBeNull();
    expect(s.cancel(o.id)).toBe(true);
    expect(s.shown('A')).toBe(5);
    expect(s.cancel(o.id)).toBe(false);
    expect(s.throttled()).toBe(0);
  });

  it('subscribes through eBay’s endpoint challenge and delivers ORDER_CONFIRMATION signed as the kind verifies it', async () => {
    const s = await storefront();
    const received: { ok: boolean; topic?: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url!, `http://${req.headers.host}`);
        if (req.method === 'GET') {
          const a = answerChallenge(Object.fromEntries(url.searchParams), `http://${req.headers.host}${url.pathname}`, s.settings as Record<string, unknown>);
          res.writeHead(a?.status ?? 404, { 'content-type': 'application/json' }).end(JSON.stringify(a?.body ?? {}));
          return;
        }
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        void verifyEbayNotification({ raw: Buffer.concat(chunks), headers, url: url.href }, s.settings as Record<string, unknown>, { clock: systemClock, fetch }).then((v) => {
          received.push(v.ok ? { ok: true, topic: v.topic } : { ok: false });
          res.writeHead(v.ok ? 204 : 412).end();
        });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    open.push({ close: () => new Promise<void>((r) => server.close(() => r())) });
    s.subscribe(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
    await s.flushWebhooks();
    s.setShown('B', 3);
    s.placeOrder([{ sku: 'B', quantity: 1 }]);
    await s.flushWebhooks();
    expect(received).toEqual([{ ok: true, topic: 'ORDER_CONFIRMATION' }]);
  });
});
