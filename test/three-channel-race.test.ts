// The seeds' defining case end to end, on SQLite and PostgreSQL (issue 11 Tests): 10 units on
// one shelf, sold on three channels within 100 ms — 4 on Shopify shop A, 4 on Amazon, 4 more on
// shop A — through the real ways in and out: the shop's signed webhooks over HTTP, Amazon's order
// poll (`searchOrders`) and its relayed ORDER_CHANGE notification (the same order twice, by two
// paths), and the dispatcher pushing to both emulators (Amazon's patches acknowledged only once
// a read-back shows them). It ends with every order recorded once, the oversell flagged as an
// exception, and every channel at 0.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AmazonEmulator, startAmazonEmulator } from '../emulators/amazon/index.ts';
import { startShopifyEmulator, type ShopifyEmulator } from '../emulators/shopify/index.ts';
import { createChannel } from '../src/app/channels.ts';
import { createListing } from '../src/app/listings.ts';
import { Truestock } from '../src/app/truestock.ts';
import { PollScheduler } from '../src/channels/poll-scheduler.ts';
import { startServer } from '../src/http/server.ts';
import { verify } from '../src/app/verify.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from './support/truestock.ts';

const SKU = 'MUG';
const RELAY_SECRET = 'relay-secret';

describe.each(STORE_KINDS)('the three-channel race end to end on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let server: { url: string; close(): Promise<void> };
  const shops: ShopifyEmulator[] = [];
  let amazon: AmazonEmulator;

  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open({ ...db.config, sync: { idleMs: 20 } });
    server = await startServer({ truestock: ts, host: '127.0.0.1', port: 0, logger: false });
    // Amazon applies an accepted patch after this (its real delay is minutes; short here so the test is quick).
    amazon = await startAmazonEmulator({ listingProcessingMs: 200 });
  });
  afterAll(async () => {
    await ts?.sync.stop();
    await server?.close();
    for (const s of shops) await s.close();
    await amazon?.close();
    await ts?.close();
    await db?.drop();
  });

  const until = async (ok: () => boolean | Promise<boolean>, ms = 20_000) => {
    for (const end = Date.now() + ms; Date.now() < end && !(await ok()); ) await new Promise((r) => setTimeout(r, 50));
  };

  async function channel(f: Fixture, kindName: string, name: string, settings: Record<string, unknown>, external: Record<string, string>): Promise<string> {
    return ts.store.transaction(async (d) => {
      const now = ts.clock.now();
      const c = await createChannel(d, f.workspaceId, { kind: kindName, name, settings }, now);
      if ('code' in c) throw new Error(c.detail);
      const id = (c.body.channel as { id: string }).id;
      const l = await createListing(d, f.workspaceId, { channel: id, sku: SKU, external }, now);
      if ('code' in l) throw new Error(l.detail);
      return id;
    });
  }

  async function shop(f: Fixture, name: string) {
    const s = await startShopifyEmulator({ shop: `${name}-${Math.random().toString(36).slice(2, 8)}` });
    shops.push(s);
    const loc = s.addLocation('Warehouse').id;
    const inv = s.addItem({ sku: SKU, levels: { [loc]: 0 } }).inventoryItemId;
    const id = await channel(f, 'shopify', name, { shop_domain: s.shopDomain, access_token: s.accessToken, webhook_secret: s.clientSecret, api_url: s.url, locations: { [loc]: 'W1' } }, { inventory_item_id: inv, location_id: loc });
    s.subscribe(`${server.url}/v1/channels/${id}/webhooks`);
    return { shop: s, channel: id, shown: () => s.level(inv, loc)!.available };
  }

  it('10 on the shelf; 4 on shop A, 4 on Amazon, 4 more on shop A within 100 ms: every order once, the oversell flagged, every channel at 0', async () => {
    const f = await Fixture.create(ts, { skus: [SKU], locations: [['W1', 'warehouse']] });
    const a = await shop(f, 'shop-a');
    const b = await shop(f, 'shop-b');
    const market = amazon.marketplaceIds[0]!;
    amazon.addListing({ sku: SKU, quantity: 0 });
    const amz = await channel(f, 'amazon', 'amazon', {
      seller_id: amazon.sellerId, client_id: amazon.clientId, client_secret: amazon.clientSecret, refresh_token: amazon.refreshToken,
      endpoint: amazon.url, lwa_url: `${amazon.url}/auth/o2/token`, product_type: 'PRODUCT', locations: { [market]: 'W1' },
      notification_secret: RELAY_SECRET, submission_poll_seconds: 0.2,
    }, { seller_sku: SKU, marketplace_id: market });
    // The merchant's relay from the SQS queue, with SQS's at-least-once duplicates.
    amazon.configureNotifications(`${server.url}/v1/channels/${amz}/webhooks`, RELAY_SECRET);
    amazon.setNotificationFaults({ duplicate: 1 });
    await f.ok({ type: 'receive', sku: SKU, location: 'W1', quantity: 10 });
    ts.sync.start();
    await ts.sync.refresh(true);
    await until(() => a.shown() === 10 && b.shown() === 10 && amazon.quantity(SKU) === 10);
    expect([a.shown(), b.shown(), amazon.quantity(SKU)]).toEqual([10, 10, 10]);

    // The race: three sales of 4 in one turn of the event loop (no await between them), so no
    // push can reach any channel in between: each still shows what it showed.
    a.shop.placeOrder({ lines: [{ sku: SKU, quantity: 4 }] });
    const theirs = amazon.placeOrder({ lines: [{ sku: SKU, quantity: 4 }], status: 'UNSHIPPED' });
    a.shop.placeOrder({ lines: [{ sku: SKU, quantity: 4 }] });

    // In: the shop's webhooks, Amazon's relayed notification (twice), and Amazon's order poll.
    await Promise.all([a.shop.flushWebhooks(), amazon.flushNotifications()]);
    expect(amazon.counters().notificationsDuplicated).toBeGreaterThan(0);
    expect(amazon.counters().notificationsFailed).toBe(0);
    await new PollScheduler(ts).tick();
    expect(amazon.counters().operations.searchOrders?.calls ?? 0).toBeGreaterThan(0);

    const recorded = async () => ts.store.read((d) => d.all<{ channel_id: string; external_order_id: string }>('SELECT channel_id, external_order_id FROM channel_orders WHERE workspace_id = ?', [f.workspaceId]));
    await until(async () => (await recorded()).length === 3);
    const rows = await recorded();
    expect(rows).toHaveLength(3);
    expect(rows.filter((r) => r.channel_id === a.channel)).toHaveLength(2);
    expect(rows.filter((r) => r.channel_id === amz).map((r) => r.external_order_id)).toEqual([theirs.orderId]);
    const allocated = await ts.store.read((d) => d.get<{ units: number | string; oversold: number | string }>(
      "SELECT SUM(l.quantity) AS units, SUM(l.oversold) AS oversold FROM holds h JOIN hold_lines l ON l.hold_id = h.id WHERE h.workspace_id = ? AND h.state = 'allocated'", [f.workspaceId]));
    expect([Number(allocated!.units), Number(allocated!.oversold)]).toEqual([12, 2]);

    // The oversell: 12 sold against 10, flagged once.
    const exceptions = await ts.store.read((d) => d.all<{ kind: string }>('SELECT kind FROM exceptions WHERE workspace_id = ?', [f.workspaceId]));
    expect(exceptions.filter((e) => e.kind === 'oversold')).toHaveLength(1);

    // Out: every channel shows 0 — Amazon's number once its patch is applied and read back.
    await until(() => a.shown() === 0 && b.shown() === 0 && amazon.quantity(SKU) === 0);
    expect([a.shown(), b.shown(), amazon.quantity(SKU)]).toEqual([0, 0, 0]);
    await until(async () => Number((await ts.store.read((d) => d.get<{ n: number }>('SELECT COUNT(*) AS n FROM channel_outbox WHERE workspace_id = ?', [f.workspaceId])))!.n) === 0);
    // A second poll brings nothing new: still three orders.
    expect(await recorded()).toHaveLength(3);
    for (const s of [a.shop, b.shop]) expect(s.counters().throttled).toBe(0);
    expect(amazon.counters().throttled).toBe(0);
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  }, 60_000);
});
