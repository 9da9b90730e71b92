// The order poll against the Shopify emulator, on SQLite and PostgreSQL: pages of orders and of
// an order's lines, the cursor, and a throttled answer that leaves the cursor where it was.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifyEmulator } from '../../../emulators/shopify/index.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../../test/support/truestock.ts';
import { createChannel } from '../../app/channels.ts';
import { createListing } from '../../app/listings.ts';
import { stockBySku } from '../../app/queries.ts';
import { Truestock } from '../../app/truestock.ts';
import { verify } from '../../app/verify.ts';
import type { Channel } from '../../domain/listing-rules.ts';
import { getChannel } from '../../store/channel-repo.ts';
import { pollCursorOf } from '../../store/channel-event-repo.ts';
import { LINES_PER_ORDER, ORDERS_PER_PAGE, ORDERS_QUERY_COST, pollOrders } from './order-poll.ts';

const SKUS = Array.from({ length: LINES_PER_ORDER + 2 }, (_, i) => `P${i}`);

describe.each(STORE_KINDS)('order poll on %s', (kind) => {
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

  async function world(shopOptions: Parameters<typeof startShopifyEmulator>[0] = {}) {
    const shop = await startShopifyEmulator({ shop: `poll-${kind}-${Math.random().toString(36).slice(2, 8)}`, ...shopOptions });
    const location = shop.addLocation('Warehouse').id;
    const f = await Fixture.create(ts, { skus: SKUS });
    const inventory = new Map<string, string>();
    for (const sku of SKUS) {
      inventory.set(sku, shop.addItem({ sku, levels: { [location]: 1_000 } }).inventoryItemId);
      await f.ok({ type: 'receive', sku, location: 'W1', quantity: 1_000 });
    }
    const channel: Channel = await ts.store.transaction(async (tx) => {
      const now = ts.clock.now();
      const made = await createChannel(tx, f.workspaceId, { kind: 'shopify', name: 'shop', settings: { shop_domain: shop.shopDomain, access_token: shop.accessToken, api_url: shop.url, locations: { [location]: 'W1' } } }, now);
      if ('code' in made) throw new Error(made.detail);
      const id = (made.body.channel as { id: string }).id;
      // Listed by inventory item and location: the poll reads both from each line.
      for (const sku of SKUS) await createListing(tx, f.workspaceId, { channel: id, sku, external: { inventory_item_id: inventory.get(sku)!, location_id: location } }, now);
      return (await getChannel(tx, f.workspaceId, id))!;
    });
    return { shop, f, channel };
  }
  const committed = async (f: Fixture, sku: string) => (await ts.store.read((d) => stockBySku(d, f.workspaceId, sku)))!.total.committed;

  it('reads every page of orders and every page of an order\'s lines, then only what changed', async () => {
    const { shop, f, channel } = await world();
    try {
      const orders = ORDERS_PER_PAGE + 5;
      for (let i = 0; i < orders - 1; i++) shop.placeOrder({ lines: [{ sku: 'P0', quantity: 1 }] });
      shop.placeOrder({ lines: SKUS.map((sku) => ({ sku, quantity: 2 })) });
      const first = await pollOrders(ts, channel, Date.now() - 60_000);
      expect(first).toMatchObject({ status: 'ok', orders, outcomes: { allocated: orders } });
      expect(await committed(f, 'P0')).toBe(orders - 1 + 2);
      for (const sku of SKUS.slice(1)) expect(await committed(f, sku)).toBe(2);
      const cursor = await ts.store.read((d) => pollCursorOf(d, channel.id));
      expect(cursor).toBe(first.cursor);
      // The cursor's second is read again (`>=`); nothing applies twice.
      const again = await pollOrders(ts, channel, 0);
      expect(again.status).toBe('ok');
      expect(Object.keys(again.outcomes)).toEqual(['no_change']);
      expect(await committed(f, 'P0')).toBe(orders - 1 + 2);
      expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
    } finally {
      await shop.close();
    }
  });

  it('stops on a throttled answer and keeps its cursor', async () => {
    // A bucket smaller than one page's requested cost (ORDERS_QUERY_COST, 80).
    const { shop, f, channel } = await world({ bucketSize: ORDERS_QUERY_COST - 1 });
    try {
      shop.placeOrder({ lines: [{ sku: 'P1', quantity: 1 }] });
      const since = Date.now() - 60_000;
      expect(await pollOrders(ts, channel, since)).toMatchObject({ status: 'throttled', orders: 0, cursor: since });
      expect(await ts.store.read((d) => pollCursorOf(d, channel.id))).toBeUndefined();
      expect(await committed(f, 'P1')).toBe(0);
    } finally {
      await shop.close();
    }
  });

  it('says a channel without credentials is not configured', async () => {
    const { shop, channel } = await world();
    await shop.close();
    expect(await pollOrders(ts, { ...channel, settings: { shop_domain: 'x.myshopify.com' } }, 0)).toMatchObject({ status: 'not_configured' });
  });
});
