// Batched ingestion of verified deliveries, on SQLite and PostgreSQL: deliveries that arrive
// together are deduped, applied and receipted in batches, and the outcome is the same as one at a
// time — each order's latest state applied once, one receipt and one `ok` per delivery — also
// when the receipts are lost (a crash after the effects) and everything is delivered again.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { lineKeys, shopifyMapping } from '../channels/shopify/webhooks.ts';
import { getChannel } from '../store/channel-repo.ts';
import type { ChannelContext, ChannelEvent, OrderFacts } from './channel-events.ts';
import { ingestDelivery, type IngestResult, type VerifiedDelivery } from './channel-ingest.ts';
import { createChannel } from './channels.ts';
import { createListing } from './listings.ts';
import { stockBySku } from './queries.ts';
import { Truestock } from './truestock.ts';
import { verify } from './verify.ts';

const SKUS = ['A', 'B', 'C'];
const STOCK = 1_000;
const LOC = 'gid://shopify/Location/1';
const inventoryItem = (sku: string) => `gid://shopify/InventoryItem/${SKUS.indexOf(sku) + 1}`;

describe.each(STORE_KINDS)('channel ingest on %s', (kind) => {
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

  /** Items listed by inventory item and location (an order line finds them by key prefix; C, whose lines name no inventory item, only by SKU). */
  async function world(): Promise<{ f: Fixture; cx: ChannelContext }> {
    const f = await Fixture.create(ts, { skus: SKUS });
    for (const sku of SKUS) await f.ok({ type: 'receive', sku, location: 'W1', quantity: STOCK });
    const channel = await ts.store.transaction(async (tx) => {
      const now = ts.clock.now();
      const made = await createChannel(tx, f.workspaceId, { kind: 'shopify', name: 'shop', settings: { shop_domain: 'x.myshopify.com', access_token: 't', locations: { [LOC]: 'W1' } } }, now);
      if ('code' in made) throw new Error(made.detail);
      const id = (made.body.channel as { id: string }).id;
      for (const sku of SKUS) {
        const external = sku === 'C' ? { inventory_item_id: 'gid://shopify/InventoryItem/999', location_id: LOC } : { inventory_item_id: inventoryItem(sku), location_id: LOC };
        const l = await createListing(tx, f.workspaceId, { channel: id, sku, external }, now);
        if ('code' in l) throw new Error(l.detail);
      }
      return (await getChannel(tx, f.workspaceId, id))!;
    });
    return { f, cx: { channel, mapping: shopifyMapping(channel.settings), editPolicy: 'master_wins', timeResolutionMs: 1_000, editGraceMs: 30_000 } };
  }

  // Online orders: no location, so lines match their listing by the inventory item's key prefix.
  const orderOf = (n: number, lines: { sku: string; quantity: number }[]): OrderFacts => ({
    orderId: `gid://shopify/Order/${n}`,
    name: `#${n}`,
    locationId: null,
    cancelled: false,
    lines: lines.map((l, i) => ({ lineId: `gid://shopify/LineItem/${n * 100 + i}`, quantity: l.quantity, sku: l.sku, ...lineKeys(null, l.sku === 'C' ? null : inventoryItem(l.sku), []) })),
  });

  const totals = async (f: Fixture, sku: string) => (await ts.store.read((d) => stockBySku(d, f.workspaceId, sku)))!.total;

  it('property: deliveries batched together — duplicated, reordered, some lost receipts — apply each order once and receipt each delivery once', async () => {
    const order = fc.record({
      lines: fc.array(fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 3 }),
      fate: fc.constantFrom('open', 'cancelled', 'cancel_only', 'updated_only'),
      copies: fc.integer({ min: 1, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(order, { minLength: 1, maxLength: 8 }), fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 10, maxLength: 10 }),
        async (orders, randoms, groups) => {
          const { f, cx } = await world();
          const deliveries: VerifiedDelivery[] = [];
          const deliver = (id: string, topic: string, event: ChannelEvent, copies: number) => {
            for (let c = 0; c < copies; c++) deliveries.push({ cx, deliveryId: id, topic, eventId: null, triggeredAt: null, events: [event] });
          };
          orders.forEach((o, i) => {
            const facts = orderOf(i + 1, o.lines);
            if (o.fate === 'open' || o.fate === 'cancelled') deliver(`create-${i}`, 'orders/create', { kind: 'order_created', occurredAt: 1_000 + i, order: facts }, o.copies);
            if (o.fate === 'updated_only') deliver(`update-${i}`, 'orders/updated', { kind: 'order_updated', occurredAt: 1_500 + i, order: facts }, o.copies);
            if (o.fate === 'cancelled' || o.fate === 'cancel_only') deliver(`cancel-${i}`, 'orders/cancelled', { kind: 'order_cancelled', occurredAt: 2_000 + i, order: { ...facts, cancelled: true } }, o.copies);
          });
          const ids = new Set(deliveries.map((d) => d.deliveryId));
          // Shuffled, then sent in groups that arrive together (one batch, or two in flight).
          const send = async () => {
            const keyed = deliveries.map((d) => ({ d, k: randoms.next().value as number })).sort((a, b) => a.k - b.k);
            const answers: { id: string; r: IngestResult }[] = [];
            let at = 0;
            for (const size of [...groups, Infinity]) {
              const group = keyed.slice(at, at + size);
              if (group.length === 0) break;
              answers.push(...(await Promise.all(group.map(async ({ d }) => ({ id: d.deliveryId, r: await ingestDelivery(ts, d) })))));
              at += size;
            }
            return answers;
          };
          const check = async () => {
            const committed = new Map(SKUS.map((s) => [s, 0]));
            orders.forEach((o) => {
              if (o.fate === 'open' || o.fate === 'updated_only') for (const l of o.lines) committed.set(l.sku, committed.get(l.sku)! + l.quantity);
            });
            for (const sku of SKUS) expect(await totals(f, sku)).toMatchObject({ committed: committed.get(sku), available: STOCK - committed.get(sku)!, oversold: 0 });
            const holds = await ts.store.read((d) => d.all<{ state: string; order_reference: string }>('SELECT state, order_reference FROM holds WHERE workspace_id = ? AND channel_id = ?', [f.workspaceId, cx.channel.id]));
            orders.forEach((o, i) => {
              const states = holds.filter((h) => h.order_reference === `#${i + 1}`).map((h) => h.state);
              if (o.fate === 'open' || o.fate === 'updated_only') expect(states).toEqual(['allocated']);
              else if (o.fate === 'cancel_only') expect(states).toEqual([]);
              else expect(states.every((s) => s === 'cancelled') && states.length <= 1).toBe(true);
            });
            const receipts = await ts.store.read((d) => d.all<{ webhook_id: string }>('SELECT webhook_id FROM webhook_receipts WHERE channel_id = ?', [cx.channel.id]));
            expect(receipts.map((r) => r.webhook_id).sort()).toEqual([...ids].sort());
            expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
          };

          const answers = await send();
          // Exactly one copy of each delivery applied it; every other copy was told it is a duplicate.
          for (const id of ids) expect(answers.filter((a) => a.id === id && a.r.status === 'ok')).toHaveLength(1);
          await check();

          // The receipts are lost (a crash after the effects, before the receipts): everything comes again and applies nothing twice.
          await ts.store.transaction((d) => d.run('DELETE FROM webhook_receipts WHERE channel_id = ?', [cx.channel.id]));
          await send();
          await check();
        }),
      { numRuns: kind === 'sqlite' ? 20 : 8 },
    );
  }, 180_000);

  it('a redelivery is answered with the outcome of the first, and an ignored delivery is receipted', async () => {
    const { cx } = await world();
    const event: ChannelEvent = { kind: 'order_created', occurredAt: 1_000, order: orderOf(1, [{ sku: 'C', quantity: 2 }]) };
    const first = await ingestDelivery(ts, { cx, deliveryId: 'd-1', topic: 'orders/create', eventId: null, triggeredAt: null, events: [event] });
    expect(first).toEqual({ status: 'ok', outcome: 'allocated' });
    expect(await ingestDelivery(ts, { cx, deliveryId: 'd-1', topic: 'orders/create', eventId: null, triggeredAt: null, events: [event] })).toEqual({ status: 'duplicate', outcome: 'allocated' });
    expect(await ingestDelivery(ts, { cx, deliveryId: 'd-2', topic: 'products/create', eventId: null, triggeredAt: null, events: [], ignored: 'topic products/create' }))
      .toEqual({ status: 'ok', outcome: 'ignored: topic products/create' });
  });
});
