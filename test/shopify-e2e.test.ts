// End to end, on SQLite and PostgreSQL: an order placed on one Shopify shop reaches truestock as
// a signed webhook, is allocated in the ledger, and every listing of that item — on that shop
// and on a second shop — is updated through the dispatcher; webhooks that never arrive are
// caught by the order poll; the two shops' rate limits are never broken.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifyEmulator, type ShopifyEmulator } from '../emulators/shopify/index.ts';
import { createChannel } from '../src/app/channels.ts';
import { createListing } from '../src/app/listings.ts';
import { Truestock } from '../src/app/truestock.ts';
import { PollScheduler } from '../src/channels/poll-scheduler.ts';
import { startServer } from '../src/http/server.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from './support/truestock.ts';

describe.each(STORE_KINDS)('Shopify end to end on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let server: { url: string; close(): Promise<void> };
  const shops: ShopifyEmulator[] = [];

  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open({ ...db.config, sync: { idleMs: 20 } });
    server = await startServer({ truestock: ts, host: '127.0.0.1', port: 0, logger: false });
  });
  afterAll(async () => {
    await ts?.sync.stop();
    await server?.close();
    for (const s of shops) await s.close();
    await ts?.close();
    await db?.drop();
  });

  /** Two shops selling A and B from one warehouse, each a channel with listings. */
  async function world() {
    const f = await Fixture.create(ts, { skus: ['A', 'B'], locations: [['W1', 'warehouse']] });
    const made = [];
    for (const name of ['one', 'two']) {
      const shop = await startShopifyEmulator({ shop: `${name}-${Math.random().toString(36).slice(2, 8)}` });
      shops.push(shop);
      const loc = shop.addLocation('Warehouse').id;
      const inv = Object.fromEntries(['A', 'B'].map((sku) => [sku, shop.addItem({ sku, levels: { [loc]: 0 } }).inventoryItemId]));
      const channel = await ts.store.transaction(async (d) => {
        const now = ts.clock.now();
        const c = await createChannel(d, f.workspaceId, {
          kind: 'shopify', name,
          settings: { shop_domain: shop.shopDomain, access_token: shop.accessToken, webhook_secret: shop.clientSecret, api_url: shop.url, locations: { [loc]: 'W1' } },
        }, now);
        if ('code' in c) throw new Error(c.detail);
        const id = (c.body.channel as { id: string }).id;
        for (const sku of ['A', 'B']) await createListing(d, f.workspaceId, { channel: id, sku, external: { inventory_item_id: inv[sku]!, location_id: loc } }, now);
        return id;
      });
      shop.subscribe(`${server.url}/v1/channels/${channel}/webhooks`);
      made.push({ shop, loc, inv, channel, shown: (sku: string) => shop.level(inv[sku]!, loc)!.available });
    }
    for (const sku of ['A', 'B']) await f.ok({ type: 'receive', sku, location: 'W1', quantity: 10 });
    ts.sync.start();
    await ts.sync.refresh(true);
    return { f, one: made[0]!, two: made[1]! };
  }

  const until = async (ok: () => boolean | Promise<boolean>, ms = 10_000) => {
    for (const end = Date.now() + ms; Date.now() < end && !(await ok()); ) await new Promise((r) => setTimeout(r, 50));
  };

  it('an order on one shop is allocated in the ledger and lowers the item on both shops', async () => {
    const { f, one, two } = await world();
    await until(() => one.shown('A') === 10 && two.shown('A') === 10);
    expect([one.shown('A'), two.shown('A')]).toEqual([10, 10]);

    const order = one.shop.placeOrder({ lines: [{ variantId: undefined, sku: 'A', quantity: 3 }] });
    await one.shop.flushWebhooks();
    await until(() => two.shown('A') === 7 && one.shown('A') === 7);
    expect([one.shown('A'), two.shown('A')]).toEqual([7, 7]);
    const holds = await ts.store.read((d) => d.all<{ order_reference: string; channel_id: string; state: string }>(
      "SELECT order_reference, channel_id, state FROM holds WHERE workspace_id = ? AND state = 'allocated'", [f.workspaceId]));
    expect(holds).toEqual([expect.objectContaining({ channel_id: one.channel, state: 'allocated' })]);
    expect(holds[0]!.order_reference).toContain(String(order.name ?? '').replace('#', '') || '');

    // Cancelled on Shopify: the units come back everywhere.
    one.shop.cancelOrder(order.id, { restock: true });
    await one.shop.flushWebhooks();
    await until(() => two.shown('A') === 10 && one.shown('A') === 10);
    expect([one.shown('A'), two.shown('A')]).toEqual([10, 10]);
    expect(one.shop.counters().throttled + two.shop.counters().throttled).toBe(0);
  });

  it('an order whose webhook was dropped is caught by the poll', async () => {
    const { f, one, two } = await world();
    // Both shops show the stock first: the order below is placed on shop one.
    await until(() => two.shown('B') === 10 && one.shown('B') === 10);
    one.shop.setFaults({ drop: 1 });
    one.shop.placeOrder({ lines: [{ sku: 'B', quantity: 4 }] });
    await one.shop.flushWebhooks();
    expect(one.shop.counters().webhooksDropped).toBeGreaterThan(0);
    const poller = new PollScheduler(ts);
    await poller.tick();
    await until(() => two.shown('B') === 6);
    expect(two.shown('B')).toBe(6);
    const allocated = await ts.store.read((d) => d.get<{ n: number }>("SELECT COUNT(*) AS n FROM holds WHERE workspace_id = ? AND state = 'allocated'", [f.workspaceId]));
    expect(Number(allocated!.n)).toBe(1);
    // The webhooks that did arrive measured how late this channel's events reach us.
    const lag = await ts.store.read((d) => d.get<{ s: number | null }>('SELECT inbound_lag_seconds AS s FROM channel_sync WHERE channel_id = ?', [one.channel]));
    expect(lag?.s).not.toBeNull();
    expect(Number(lag!.s)).toBeLessThan(5);
    // A second poll within the interval is not even made; a later one changes nothing.
    await poller.tick();
    expect(Number((await ts.store.read((d) => d.get<{ n: number }>("SELECT COUNT(*) AS n FROM holds WHERE workspace_id = ? AND state = 'allocated'", [f.workspaceId])))!.n)).toBe(1);
    expect(one.shop.counters().throttled).toBe(0);
  });
});
