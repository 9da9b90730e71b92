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
import { channelSyncOf } from '../../store/sync-repo.ts';
import { setPaused } from '../../app/channel-sync.ts';
import { pollChannel } from '../poll-scheduler.ts';
import { LINES_PER_ORDER, ORDERS_PER_PAGE, ORDERS_QUERY_COST } from './order-poll.ts';

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
      const first = await pollChannel(ts, { ...channel, createdAt: Date.now() - 60_000 });
      expect(first).toMatchObject({ status: 'ok', events: orders, outcomes: { allocated: orders } });
      expect(await committed(f, 'P0')).toBe(orders - 1 + 2);
      for (const sku of SKUS.slice(1)) expect(await committed(f, sku)).toBe(2);
      const cursor = await ts.store.read((d) => pollCursorOf(d, channel.id));
      expect(cursor).toBe(first.cursor);
      // The cursor's second is read again (`>=`); nothing applies twice.
      const again = await pollChannel(ts, { ...channel, createdAt: 0 });
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
      expect(await pollChannel(ts, { ...channel, createdAt: Date.now() - 60_000 })).toMatchObject({ status: 'throttled', events: 0, cursor: null });
      expect(await ts.store.read((d) => pollCursorOf(d, channel.id))).toBeUndefined();
      expect(await committed(f, 'P1')).toBe(0);
    } finally {
      await shop.close();
    }
  });

  it('pauses a channel whose token is refused, with one exception however often it is polled', async () => {
    const { shop, f, channel } = await world();
    try {
      const revoked = { ...channel, settings: { ...channel.settings, access_token: 'revoked' } };
      expect(await pollChannel(ts, revoked)).toMatchObject({ status: 'auth' });
      expect(await pollChannel(ts, revoked)).toMatchObject({ status: 'auth' });
      expect(await ts.store.read((d) => channelSyncOf(d, channel.id))).toMatchObject({ paused: true, paused_reason: 'auth' });
      const raised = await ts.store.read((d) => d.all<{ message: string }>("SELECT message FROM exceptions WHERE workspace_id = ? AND kind = 'channel_auth_failed'", [f.workspaceId]));
      expect(raised).toHaveLength(1);
      expect(raised[0]!.message).toContain('resume');
      // A person fixes the credentials and resumes: the reason goes with the pause.
      await ts.store.transaction((d) => setPaused(d, f.workspaceId, channel.id, false, ts.clock.now()));
      expect(await ts.store.read((d) => channelSyncOf(d, channel.id))).toMatchObject({ paused: false, paused_reason: null });
    } finally {
      await shop.close();
    }
  });

  it('says what a channel without credentials lacks', async () => {
    const { shop, channel } = await world();
    await shop.close();
    expect(await pollChannel(ts, { ...channel, settings: { shop_domain: 'x.myshopify.com' } })).toMatchObject({ status: 'permanent', error: expect.stringContaining('access_token') });
  });
});
