// The emulator on an injected clock and scheduler: with a fake clock, time moves only when the
// test says — the bucket refills, keys expire, outages end, and webhook delays and retries wait —
// and ids come from the seed, so a whole run replays.

import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualKitScheduler, settle as settleOnce } from '../kit/index.ts';
import { type ShopifyEmulator, startShopifyEmulator } from './index.ts';
import { clientFor, SET_QUANTITIES, startReceiver } from './test-support.ts';

/** The kit's hand-moved scheduler, from a fixed moment: time moves only on advance(). */
class FakeScheduler extends ManualKitScheduler {
  constructor() {
    super(Date.UTC(2026, 10, 23, 10, 0, 0));
  }
}

/** Lets promise chains and real I/O that is already under way run. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await settleOnce();
};

let e: ShopifyEmulator | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

describe('the emulator on a fake clock', () => {
  it('refills the bucket only as the fake clock moves', async () => {
    const s = new FakeScheduler();
    e = await startShopifyEmulator({ scheduler: s, bucketSize: 20, restoreRate: 10 });
    for (let i = 0; i < 50; i++) e.addLocation(`L${i}`);
    const q = '{ locations(first: 50) { nodes { id } } }'; // 10 points
    const client = clientFor(e);
    await client.request(q);
    await client.request(q);
    expect((await client.request(q)).errors?.graphQLErrors?.[0]?.extensions?.code).toBe('THROTTLED');
    expect((await client.request(q)).errors?.graphQLErrors?.[0]?.extensions?.code).toBe('THROTTLED');
    await s.advance(999);
    expect((await client.request(q)).errors?.graphQLErrors?.[0]?.extensions?.code).toBe('THROTTLED');
    await s.advance(1);
    expect((await client.request(q)).errors).toBeUndefined();
  });

  it('stamps orders with the fake time and forgets idempotency keys after the fake TTL', async () => {
    const s = new FakeScheduler();
    e = await startShopifyEmulator({ scheduler: s, idempotencyKeyTtlSeconds: 60 });
    const loc = e.addLocation('Main').id;
    const { inventoryItemId } = e.addItem({ sku: 'A', levels: { [loc]: 10 } });
    expect(e.placeOrder({ lines: [{ sku: 'A', quantity: 1 }] }).createdAt).toBe('2026-11-23T10:00:00Z');
    const key = randomUUID();
    const set = (quantity: number, from: number) =>
      clientFor(e!).request(SET_QUANTITIES, { variables: { key, input: { name: 'available', reason: 'correction', quantities: [{ inventoryItemId, locationId: loc, quantity, changeFromQuantity: from }] } } });
    await set(5, 9);
    expect((await set(6, 5)).data.inventorySetQuantities.userErrors[0].code).toBe('IDEMPOTENCY_KEY_PARAMETER_MISMATCH');
    await s.advance(61_000);
    expect((await set(6, 5)).data.inventorySetQuantities.userErrors).toEqual([]);
  });

  it('ends an outage by the fake clock', async () => {
    const s = new FakeScheduler();
    e = await startShopifyEmulator({ scheduler: s });
    e.goDown(30);
    expect((await clientFor(e).fetch('{ shop { name } }')).status).toBe(503);
    await s.advance(30_000);
    expect((await clientFor(e).fetch('{ shop { name } }')).status).toBe(200);
  });

  it('waits out webhook retry backoff on the fake clock, with ids from the seed', async () => {
    const rx = await startReceiver();
    try {
      const run = async () => {
        const s = new FakeScheduler();
        const shop = await startShopifyEmulator({ scheduler: s, seed: 7, webhookRetry: { attempts: 3, baseDelayMs: 60_000 } });
        e = shop;
        const loc = shop.addLocation('Main').id;
        shop.addItem({ sku: 'A', levels: { [loc]: 10 } });
        shop.subscribe(rx.url, ['orders/create']);
        rx.received.length = 0;
        let n = 0;
        rx.statusFor = () => (n++ === 0 ? 500 : 200);
        shop.placeOrder({ lines: [{ sku: 'A', quantity: 1 }] });
        for (let i = 0; i < 50 && rx.received.length < 1; i++) await settle();
        expect(rx.received).toHaveLength(1);
        // The retry waits a (fake) minute: nothing more arrives until the clock moves.
        for (let i = 0; i < 5; i++) await settle();
        expect(rx.received).toHaveLength(1);
        expect(s.waiting).toBe(1);
        await s.advance(60_000);
        for (let i = 0; i < 50 && rx.received.length < 2; i++) await settle();
        expect(rx.received).toHaveLength(2);
        await shop.flushWebhooks();
        expect(shop.counters()).toMatchObject({ webhooksSent: 1, webhooksFailed: 0 });
        const ids = rx.received.map((r) => [r.webhookId, r.headers['x-shopify-event-id'], r.headers['x-shopify-triggered-at']]);
        await shop.close();
        e = undefined;
        return ids;
      };
      const first = await run();
      expect(first[0]).toEqual(first[1]); // a retry keeps its ids
      expect(first[0]![2]).toBe('2026-11-23T10:00:00.000Z');
      expect(await run()).toEqual(first); // the same seed, the same ids
    } finally {
      await rx.close();
    }
  });

  it('keeps real time by default', async () => {
    e = await startShopifyEmulator();
    const before = Date.now();
    const at = Date.parse(e.placeOrder({ lines: [{ sku: (e.addItem({ sku: 'Z', levels: { [e.addLocation('M').id]: 1 } }), 'Z'), quantity: 1 }] }).createdAt);
    expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('refuses a clock that is not its scheduler’s', async () => {
    await expect(startShopifyEmulator({ clock: { now: () => 0 }, scheduler: new FakeScheduler() })).rejects.toThrow(/same clock/);
  });
});
