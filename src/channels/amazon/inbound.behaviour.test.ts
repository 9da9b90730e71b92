// An Amazon order seen by the poll and by relayed notifications, each maybe twice and in any
// order, applies once: on SQLite and PostgreSQL, through the kind-agnostic orchestration.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../../test/support/truestock.ts';
import { applyChannelEvent, type ChannelContext, type ChannelEvent } from '../../app/channel-events.ts';
import { createChannel } from '../../app/channels.ts';
import { createListing } from '../../app/listings.ts';
import { stockBySku } from '../../app/queries.ts';
import { Truestock } from '../../app/truestock.ts';
import { getChannel } from '../../store/channel-repo.ts';
import { amazonMapping } from './inbound.ts';
import { orderChangeEvent } from './notifications.ts';
import { orderEvent } from './orders-poll.ts';
import { readSummaries } from './fba-poll.ts';
import { modelOrder, modelSummary } from './poll.fixture.ts';

/** A polled order's event (the test fails on one that cannot be read). */
const polledEvent = (o: unknown) => {
  const r = orderEvent(o);
  if (typeof r === 'string') throw new Error(r);
  return r.event;
};


const US = 'ATVPDKIKX0DER';
const UK = 'A1F83G8C2ARO7P';
const SKU = 'MUG';
/** Sold only through FBA on Amazon UK. */
const FBA_SKU = 'TEE';
const STOCK = 10;
const T = Date.parse('2026-03-01T12:00:04Z');

const V0_STATUS: Record<string, string> = { PENDING: 'Pending', UNSHIPPED: 'Unshipped', SHIPPED: 'Shipped', CANCELLED: 'Canceled' };

/** The same order as searchOrders and as an ORDER_CHANGE envelope report it, in one state. */
function sightings(status: 'PENDING' | 'UNSHIPPED' | 'SHIPPED' | 'CANCELLED', at: number, afn = false): ChannelEvent[] {
  const [market, sku, orderId] = afn ? [UK, FBA_SKU, '111-0000002-0000002'] : [US, SKU, '111-0000001-0000001'];
  const polled = polledEvent(modelOrder({ orderId, createdTime: T, lastUpdatedTime: at, status, fulfilledBy: afn ? 'AMAZON' : 'MERCHANT', marketplaceId: market, items: [{ orderItemId: 'OI1', sellerSku: sku, quantity: 3 }] }));
  const noted = orderChangeEvent({
    NotificationType: 'ORDER_CHANGE', EventTime: new Date(at + 300).toISOString(),
    Payload: { OrderChangeNotification: {
      NotificationLevel: 'OrderLevel', SellerId: 'A1SELLER', AmazonOrderId: orderId, OrderChangeType: 'OrderStatusChange',
      OrderChangeTrigger: { TimeOfOrderChange: new Date(at + 250).toISOString(), ChangeReason: 'status' },
      Summary: { MarketplaceId: market, OrderStatus: V0_STATUS[status], FulfillmentType: afn ? 'AFN' : 'MFN', OrderItems: [{ OrderItemId: 'OI1', SellerSKU: sku, SupplySourceId: null, Quantity: 3 }] },
    } },
  });
  if (typeof noted === 'string') throw new Error(noted);
  return [polled, noted];
}

describe.each(STORE_KINDS)('an Amazon order by poll and notification on %s', (kind) => {
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

  async function world(): Promise<{ f: Fixture; cx: ChannelContext }> {
    const f = await Fixture.create(ts, { skus: [SKU, FBA_SKU], locations: [['W1', 'warehouse'], ['FBA-UK', 'channel_managed']] });
    await f.ok({ type: 'receive', sku: SKU, location: 'W1', quantity: STOCK });
    await f.ok({ type: 'receive', sku: FBA_SKU, location: 'W1', quantity: STOCK });
    const channel = await ts.store.transaction(async (tx) => {
      const now = ts.clock.now();
      const made = await createChannel(tx, f.workspaceId, { kind: 'amazon', name: 'amazon us', settings: { seller_id: 'A1SELLER', locations: { [US]: 'W1', [UK]: 'FBA-UK' }, fba_marketplace_ids: [UK] } }, now);
      if ('code' in made) throw new Error(made.detail);
      const id = (made.body.channel as { id: string }).id;
      const l = await createListing(tx, f.workspaceId, { channel: id, sku: SKU, external: { seller_sku: SKU, marketplace_id: US } }, now);
      if ('code' in l) throw new Error(l.detail);
      const fba = await createListing(tx, f.workspaceId, { channel: id, sku: FBA_SKU, external: { seller_sku: FBA_SKU, marketplace_id: UK } }, now);
      if ('code' in fba) throw new Error(fba.detail);
      return (await getChannel(tx, f.workspaceId, id))!;
    });
    return { f, cx: { channel, mapping: amazonMapping(channel.settings), editPolicy: 'master_wins', editGraceMs: 30_000, timeResolutionMs: 1_000 } };
  }

  const totals = async (f: Fixture, sku = SKU) => (await ts.store.read((d) => stockBySku(d, f.workspaceId, sku)))!.total;
  const at = async (f: Fixture, sku: string, code: string) => (await ts.store.read((d) => stockBySku(d, f.workspaceId, sku)))!.locations.find((l) => l.location === code);
  const holds = (f: Fixture, channelId: string) =>
    ts.store.read((d) => d.all<{ state: string }>('SELECT state FROM holds WHERE workspace_id = ? AND channel_id = ?', [f.workspaceId, channelId]));

  it.each([
    ['poll first', [0, 1, 0, 1]],
    ['notification first', [1, 0, 1, 0]],
    ['at once', [0, 1, 1, 0]],
  ])('an unshipped order seen twice by each path is allocated once (%s)', async (_, order) => {
    const { f, cx } = await world();
    const seen = sightings('UNSHIPPED', T);
    if (order[2] === order[3]) throw new Error('bad case');
    await Promise.all(order.map((k) => applyChannelEvent(ts, cx, seen[k]!)));
    expect(await totals(f)).toMatchObject({ committed: 3, available: STOCK - 3 });
    expect(await holds(f, cx.channel.id)).toEqual([{ state: 'allocated' }]);
  });

  it('a cancellation from either path releases once, and a late poll of the older state opens nothing', async () => {
    const { f, cx } = await world();
    const open = sightings('UNSHIPPED', T);
    const cancel = sightings('CANCELLED', T + 60_000);
    for (const e of [open[0]!, cancel[1]!, open[1]!, cancel[0]!, open[0]!]) await applyChannelEvent(ts, cx, e);
    expect(await totals(f)).toMatchObject({ committed: 0, available: STOCK });
    expect((await holds(f, cx.channel.id)).map((h) => h.state)).toEqual(['cancelled']);
  });

  it('a pending order seen by both paths is held once, then allocated once when either path reports it confirmed', async () => {
    const { f, cx } = await world();
    const pending = sightings('PENDING', T);
    for (const e of [pending[1]!, pending[0]!, pending[1]!]) await applyChannelEvent(ts, cx, e);
    expect(await totals(f)).toMatchObject({ available: STOCK - 3, committed: 0 });
    expect((await holds(f, cx.channel.id)).map((h) => h.state)).toEqual(['active']);
    // Confirmed within the same second the poll saw it pending: the notification's time still comes later.
    const unshipped = sightings('UNSHIPPED', T);
    for (const e of [unshipped[0]!, pending[0]!, unshipped[1]!]) await applyChannelEvent(ts, cx, e);
    expect(await totals(f)).toMatchObject({ available: STOCK - 3, committed: 3 });
    expect((await holds(f, cx.channel.id)).map((h) => h.state)).toEqual(['allocated']);
  });

  it('a pending order cancelled is released, whichever path says so', async () => {
    const { f, cx } = await world();
    for (const e of [...sightings('PENDING', T), sightings('CANCELLED', T + 5_000)[1]!, sightings('PENDING', T)[0]!]) await applyChannelEvent(ts, cx, e);
    expect(await totals(f)).toMatchObject({ available: STOCK, committed: 0 });
  });

  it('an order Amazon fulfils takes nothing from our building; its FBA stock read is booked at the FBA location', async () => {
    const { f, cx } = await world();
    for (const e of [...sightings('UNSHIPPED', T, true), ...sightings('SHIPPED', T + 60_000, true)]) await applyChannelEvent(ts, cx, e);
    expect(await totals(f, FBA_SKU)).toMatchObject({ available: STOCK, committed: 0 });
    const read = readSummaries({ payload: { granularity: { granularityType: 'Marketplace', granularityId: UK }, inventorySummaries: [modelSummary({ sellerSku: FBA_SKU, lastUpdatedTime: T, fulfillable: 7, reserved: 3, inbound: [0, 4, 0], unfulfillable: 1, researching: 0 })] } }, UK, T + 120_000);
    if (typeof read === 'string') throw new Error(read);
    for (const e of read.events) expect(await applyChannelEvent(ts, cx, e)).toBe('stock_booked');
    expect(await at(f, FBA_SKU, 'FBA-UK')).toMatchObject({ available: 7, damaged: 1, incoming: 4 });
    expect(await at(f, FBA_SKU, 'W1')).toMatchObject({ available: STOCK, committed: 0 });
  });

  it('the same FBA picture read twice books once; a SKU the workspace does not list raises one exception, not one per read', async () => {
    const { f, cx } = await world();
    const body = { payload: { granularity: { granularityType: 'Marketplace', granularityId: UK }, inventorySummaries: [
      modelSummary({ sellerSku: FBA_SKU, lastUpdatedTime: T, fulfillable: 5, reserved: 0, inbound: [0, 0, 0], unfulfillable: 0, researching: 0 }),
      modelSummary({ sellerSku: 'NOT-LISTED', lastUpdatedTime: T, fulfillable: 9, reserved: 0, inbound: [0, 0, 0], unfulfillable: 0, researching: 0 }),
    ] } };
    for (const readAt of [T + 60_000, T + 960_000]) {
      const read = readSummaries(body, UK, readAt);
      if (typeof read === 'string') throw new Error(read);
      for (const e of read.events) await applyChannelEvent(ts, cx, e);
    }
    expect(await at(f, FBA_SKU, 'FBA-UK')).toMatchObject({ available: 5 });
    const raised = await ts.store.read((d) => d.all<{ kind: string; message: string }>('SELECT kind, message FROM exceptions WHERE workspace_id = ?', [f.workspaceId]));
    expect(raised).toEqual([{ kind: 'channel_event_unapplied', message: expect.stringContaining('NOT-LISTED') }]);
  });
});
