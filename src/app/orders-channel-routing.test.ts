// Channel orders placed through routing, on SQLite and PostgreSQL: lines that name no location
// are ranked by routing over the channel's mapped locations (the mapping's order is their
// priority, so routing takes what first fit took when one location covers the order), and the
// decision — each candidate with why it won or was rejected — is stored with the order.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { lineKeys, shopifyMapping } from '../channels/shopify/webhooks.ts';
import { getChannel } from '../store/channel-repo.ts';
import { ordersByChannelReferences } from '../store/order-repo.ts';
import { applyChannelEvent, type ChannelContext, type OrderFacts } from './channel-events.ts';
import { createChannel } from './channels.ts';
import { createListing } from './listings.ts';
import { stockBySku } from './queries.ts';
import { Truestock } from './truestock.ts';

const SKUS = ['A', 'B'];
const variant = (sku: string) => `gid://shopify/ProductVariant/${SKUS.indexOf(sku) + 1}`;
const LOC1 = 'gid://shopify/Location/1';
const LOC2 = 'gid://shopify/Location/2';

describe.each(STORE_KINDS)('channel orders routed on %s', (kind) => {
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

  async function world(locations: Record<string, string>, stockAt: Record<string, number>): Promise<{ f: Fixture; cx: ChannelContext }> {
    const f = await Fixture.create(ts, { skus: SKUS });
    for (const [location, quantity] of Object.entries(stockAt)) for (const sku of SKUS) await f.ok({ type: 'receive', sku, location, quantity });
    const channel = await ts.store.transaction(async (tx) => {
      const now = ts.clock.now();
      const made = await createChannel(tx, f.workspaceId, { kind: 'shopify', name: 'shop', settings: { shop_domain: 'x.myshopify.com', access_token: 't', locations } }, now);
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
  /** An order whose lines name no location (the channel did not say where it is fulfilled). */
  const orderOf = (n: number, lines: { sku: string; quantity: number }[]): OrderFacts => ({
    orderId: `gid://shopify/Order/${n}`,
    name: `#${n}`,
    locationId: null,
    cancelled: false,
    lines: lines.map((l, i) => ({ lineId: `gid://shopify/LineItem/${n * 100 + i}`, quantity: l.quantity, sku: l.sku, ...lineKeys(variant(l.sku), null, [null]) })),
  });
  const committedAt = async (f: Fixture, sku: string, code: string) =>
    (await ts.store.read((d) => stockBySku(d, f.workspaceId, sku)))!.locations.find((l: { location: string }) => l.location === code)?.committed ?? 0;
  const orderRow = async (cx: ChannelContext, o: OrderFacts) => (await ts.store.read((d) => ordersByChannelReferences(d, cx.channel.id, [o.orderId]))).get(o.orderId)!;

  it('stores the decision: the first mapped location cannot cover the order, the second ships it whole', async () => {
    const { f, cx } = await world({ [LOC1]: 'W1', [LOC2]: 'W2' }, { W1: 3, W2: 5 });
    const o = orderOf(1, [{ sku: 'A', quantity: 4 }]);
    expect(await applyChannelEvent(ts, cx, { kind: 'order_created', occurredAt: 1_000, order: o })).toBe('allocated');
    expect(await committedAt(f, 'A', 'W2')).toBe(4);
    const order = await orderRow(cx, o);
    expect(order.candidates).toEqual(['W1', 'W2']);
    expect(order.routing).toMatchObject({ split: false, shipments: [{ location: 'W2' }] });
    expect((order.routing as { candidates: unknown[] }).candidates).toMatchObject([{ location: 'W1', verdict: 'rejected' }, { location: 'W2', verdict: 'chosen' }]);
  });

  it("keeps the mapping's order where both cover the order (not the codes' order)", async () => {
    const { f, cx } = await world({ [LOC1]: 'W2', [LOC2]: 'W1' }, { W1: 10, W2: 10 });
    const o = orderOf(2, [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }]);
    expect(await applyChannelEvent(ts, cx, { kind: 'order_created', occurredAt: 1_000, order: o })).toBe('allocated');
    expect([await committedAt(f, 'A', 'W2'), await committedAt(f, 'B', 'W2'), await committedAt(f, 'A', 'W1')]).toEqual([2, 1, 0]);
    expect((await orderRow(cx, o)).routing).toMatchObject({ shipments: [{ location: 'W2' }] });
  });
});
