// Channel orders onto the order model, on SQLite and PostgreSQL: every order a channel sends
// becomes one `orders` row (source channel) whose state follows the channel's, written in the same
// transactions as ingestion; a property checks that no order a channel took is ever dropped.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { lineKeys, shopifyMapping } from '../channels/shopify/webhooks.ts';
import { getChannel } from '../store/channel-repo.ts';
import { getOrder, listOrders } from '../store/order-repo.ts';
import { applyChannelEvent, type ChannelContext, type ChannelEvent, type OrderFacts, type RefundFacts } from './channel-events.ts';
import { createChannel } from './channels.ts';
import { createListing } from './listings.ts';
import { Truestock } from './truestock.ts';

const SKUS = ['A', 'B'];
const variant = (sku: string) => `gid://shopify/ProductVariant/${SKUS.indexOf(sku) + 1}`;
const LOC1 = 'gid://shopify/Location/1';

describe.each(STORE_KINDS)('channel orders as orders on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open(db.config);
  });
  afterAll(async () => {
    await ts.close();
    await db.drop();
  });

  async function world(stock = 1_000): Promise<{ f: Fixture; cx: ChannelContext }> {
    const f = await Fixture.create(ts, { skus: SKUS });
    for (const sku of SKUS) await f.ok({ type: 'receive', sku, location: 'W1', quantity: stock });
    const channel = await ts.store.transaction(async (tx) => {
      const now = ts.clock.now();
      const made = await createChannel(tx, f.workspaceId, { kind: 'shopify', name: 'shop', settings: { shop_domain: 'x.myshopify.com', access_token: 't', locations: { [LOC1]: 'W1' } } }, now);
      if ('code' in made) throw new Error(made.detail);
      const id = (made.body.channel as { id: string }).id;
      for (const sku of SKUS) {
        const l = await createListing(tx, f.workspaceId, { channel: id, sku, external: { variant_id: variant(sku) } }, now);
        if ('code' in l) throw new Error(l.detail);
      }
      return (await getChannel(tx, f.workspaceId, id))!;
    });
    return { f, cx: { channel, mapping: shopifyMapping(channel.settings), editPolicy: 'master_wins', editGraceMs: 30_000, timeResolutionMs: 1_000 } };
  }
  const orderOf = (n: number, lines: { sku: string; quantity: number }[], extra: Partial<OrderFacts> = {}): OrderFacts => ({
    orderId: `gid://shopify/Order/${n}`,
    name: `#${n}`,
    locationId: LOC1,
    cancelled: false,
    lines: lines.map((l, i) => ({ lineId: `gid://shopify/LineItem/${n * 100 + i}`, quantity: l.quantity, sku: l.sku, ...lineKeys(variant(l.sku), null, [LOC1]) })),
    ...extra,
  });
  const created = (o: OrderFacts, at = 1_000): ChannelEvent => ({ kind: 'order_created', occurredAt: at, order: o });
  const cancelled = (o: OrderFacts, at = 2_000): ChannelEvent => ({ kind: 'order_cancelled', occurredAt: at, order: { ...o, cancelled: true } });
  const refund = (o: OrderFacts, id: number, line: number, quantity: number): ChannelEvent => ({
    kind: 'refund_created',
    occurredAt: 3_000,
    refund: { refundId: `gid://shopify/Refund/${id}`, orderId: o.orderId, lines: [{ ...o.lines[line]!, quantity, restock: 'cancel', locationId: o.locationId }] } satisfies RefundFacts,
  });
  const ordersOf = (f: Fixture) => ts.store.read((d) => listOrders(d, f.workspaceId, { limit: 1_000 }));

  it('an allocated channel order is an allocated order with its lines; cancelling it cancels the order', async () => {
    const { f, cx } = await world();
    const o = orderOf(1, [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }]);
    expect(await applyChannelEvent(ts, cx, created(o))).toBe('allocated');
    const [order] = await ordersOf(f);
    expect(order).toMatchObject({ source: 'channel', state: 'allocated', channelId: cx.channel.id, channelReference: o.orderId, orderReference: '#1', exception: null });
    expect(order!.lines.map((l) => [l.sku, l.quantity, l.allocated, l.cancelled])).toEqual([['A', 2, 2, 0], ['B', 1, 1, 0]]);
    expect(await applyChannelEvent(ts, cx, cancelled(o))).toBe('cancelled');
    const after = await ts.store.read((d) => getOrder(d, f.workspaceId, order!.id));
    expect(after).toMatchObject({ state: 'cancelled' });
    expect(after!.lines.map((l) => [l.allocated, l.cancelled])).toEqual([[0, 2], [0, 1]]);
  });

  it('a pending order is pending (held) until the channel confirms it; a refund cancels units of a line', async () => {
    const { f, cx } = await world();
    const o = orderOf(2, [{ sku: 'A', quantity: 3 }], { pending: true });
    expect(await applyChannelEvent(ts, cx, created(o))).toBe('held');
    expect((await ordersOf(f))[0]).toMatchObject({ state: 'pending', lines: [{ allocated: 3 }] });
    expect(await applyChannelEvent(ts, cx, { kind: 'order_updated', occurredAt: 1_500, order: { ...o, pending: false } })).toBe('allocated');
    expect((await ordersOf(f))[0]).toMatchObject({ state: 'allocated', lines: [{ allocated: 3 }] });
    const refunded = orderOf(3, [{ sku: 'B', quantity: 4 }]);
    await applyChannelEvent(ts, cx, refund(refunded, 1, 0, 1));
    await applyChannelEvent(ts, cx, created(refunded));
    const b = (await ordersOf(f)).find((x) => x.channelReference === refunded.orderId)!;
    expect(b).toMatchObject({ state: 'allocated', lines: [{ quantity: 4, allocated: 3, cancelled: 1 }] });
  });

  it('an order the channel fulfils itself is recorded, never allocated; a short one is oversold and flagged', async () => {
    const { f, cx } = await world(1);
    await applyChannelEvent(ts, cx, created(orderOf(4, [{ sku: 'A', quantity: 2 }], { fulfilledByChannel: true })));
    await applyChannelEvent(ts, cx, created(orderOf(5, [{ sku: 'A', quantity: 3 }])));
    const byRef = new Map((await ordersOf(f)).map((o) => [o.orderReference, o]));
    expect(byRef.get('#4')).toMatchObject({ fulfilledByChannel: true, state: 'allocated', lines: [{ allocated: 0 }] });
    expect(byRef.get('#5')).toMatchObject({ state: 'allocated', exception: 'oversold', lines: [{ allocated: 3 }] });
  });

  it('property: every order a channel took is one order row, cancelled exactly when the channel cancelled it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 5 }), fate: fc.constantFrom('open', 'cancelled', 'cancel_only'), copies: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 1_000 }),
        async (orders, seed) => {
          const { f, cx } = await world(3);
          const deliveries: ChannelEvent[] = [];
          orders.forEach((o, i) => {
            const facts = orderOf(i + 1, [{ sku: 'A', quantity: o.quantity }]);
            for (let c = 0; c < o.copies; c++) {
              if (o.fate !== 'cancel_only') deliveries.push(created(facts, 1_000 + i));
              if (o.fate !== 'open') deliveries.push(cancelled(facts, 2_000 + i));
            }
          });
          // A seeded shuffle, delivered two at a time concurrently.
          let s = seed;
          const shuffled = deliveries.map((d) => ({ d, k: (s = (s * 1103515245 + 12345) % 2 ** 31) })).sort((a, b) => a.k - b.k).map((x) => x.d);
          for (let i = 0; i < shuffled.length; i += 2) await Promise.all(shuffled.slice(i, i + 2).map((d) => applyChannelEvent(ts, cx, d)));
          const rows = await ordersOf(f);
          expect(rows).toHaveLength(orders.length);
          orders.forEach((o, i) => {
            const row = rows.find((r) => r.channelReference === `gid://shopify/Order/${i + 1}`);
            expect(row, `order ${i + 1}`).toBeDefined();
            expect(row!.state).toBe(o.fate === 'open' ? 'allocated' : 'cancelled');
          });
        },
      ),
      { numRuns: 8 },
    );
  });
});
