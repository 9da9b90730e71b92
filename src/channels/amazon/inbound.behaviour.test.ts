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
import { modelOrder } from './poll.fixture.ts';

const US = 'ATVPDKIKX0DER';
const SKU = 'MUG';
const STOCK = 10;
const T = Date.parse('2026-03-01T12:00:04Z');

/** The same order as searchOrders and as an ORDER_CHANGE envelope report it, in one state. */
function sightings(status: 'UNSHIPPED' | 'CANCELLED', at: number): ChannelEvent[] {
  const polled = orderEvent(modelOrder({ orderId: '111-0000001-0000001', createdTime: T, lastUpdatedTime: at, status, fulfilledBy: 'MERCHANT', marketplaceId: US, items: [{ orderItemId: 'OI1', sellerSku: SKU, quantity: 3 }] }))!;
  const noted = orderChangeEvent({
    NotificationType: 'ORDER_CHANGE', EventTime: new Date(at + 300).toISOString(),
    Payload: { OrderChangeNotification: {
      NotificationLevel: 'OrderLevel', SellerId: 'A1SELLER', AmazonOrderId: '111-0000001-0000001', OrderChangeType: 'OrderStatusChange',
      OrderChangeTrigger: { TimeOfOrderChange: new Date(at + 250).toISOString(), ChangeReason: 'status' },
      Summary: { MarketplaceId: US, OrderStatus: status === 'UNSHIPPED' ? 'Unshipped' : 'Canceled', FulfillmentType: 'MFN', OrderItems: [{ OrderItemId: 'OI1', SellerSKU: SKU, SupplySourceId: null, Quantity: 3 }] },
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
    const f = await Fixture.create(ts, { skus: [SKU] });
    await f.ok({ type: 'receive', sku: SKU, location: 'W1', quantity: STOCK });
    const channel = await ts.store.transaction(async (tx) => {
      const now = ts.clock.now();
      const made = await createChannel(tx, f.workspaceId, { kind: 'amazon', name: 'amazon us', settings: { seller_id: 'A1SELLER', locations: { [US]: 'W1' } } }, now);
      if ('code' in made) throw new Error(made.detail);
      const id = (made.body.channel as { id: string }).id;
      const l = await createListing(tx, f.workspaceId, { channel: id, sku: SKU, external: { seller_sku: SKU, marketplace_id: US } }, now);
      if ('code' in l) throw new Error(l.detail);
      return (await getChannel(tx, f.workspaceId, id))!;
    });
    return { f, cx: { channel, mapping: amazonMapping(channel.settings), editPolicy: 'master_wins', editGraceMs: 30_000, timeResolutionMs: 1_000 } };
  }

  const totals = async (f: Fixture) => (await ts.store.read((d) => stockBySku(d, f.workspaceId, SKU)))!.total;
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
});
