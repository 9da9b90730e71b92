// A restart of the demo's shops: the storefronts come back empty on new ports, yet the channels
// point at them, the listings stay the same rows, the shops show what they showed before, and a
// new order is a new order to truestock (never mistaken for one of the last run). On SQLite and
// PostgreSQL.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Truestock } from '../app/truestock.ts';
import { startServer } from '../http/server.ts';
import { getChannel, listingsOfChannels } from '../store/channel-repo.ts';
import { createDatabase, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { type DemoCatalog, seedCatalog } from './catalog.ts';
import { type DemoShops, startShops } from './shops.ts';

const quiet = { info: () => undefined, warn: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(ok: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end && !(await ok()); ) await sleep(50);
}

describe.each(STORE_KINDS)('demo shops across a restart on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let server: { url: string; close(): Promise<void> };
  let catalog: DemoCatalog;
  const opened: DemoShops[] = [];

  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open({ ...db.config, sync: { idleMs: 20, log: quiet } });
    server = await startServer({ truestock: ts, host: '127.0.0.1', port: 0, logger: false });
    catalog = await seedCatalog(ts);
  });
  afterAll(async () => {
    await ts?.sync.stop();
    for (const s of opened) await s.close();
    await server?.close();
    await ts?.close();
    await db?.drop();
  });

  const listingRows = () => ts.store.read(async (d) => (await listingsOfChannels(d, catalog.workspaceId, [catalog.channels.webstore, catalog.channels.outlet]))
    .map((l) => ({ id: l.id, active: l.active, external: l.external })));
  const allocatedOrders = () => ts.store.read(async (d) => Number((await d.get<{ n: number }>(
    "SELECT COUNT(*) AS n FROM channel_orders WHERE channel_id = ? AND ledger_state = 'allocated'", [catalog.channels.webstore]))!.n));

  it('keeps the listings and the shown numbers, and takes new orders as new', { timeout: 60_000 }, async () => {
    const first = await startShops(ts, catalog, { faults: false });
    opened.push(first);
    first.subscribe(server.url);
    ts.sync.start();
    await ts.sync.refresh(true);
    const webstore = first.shop('webstore')!;
    const shown = (s: DemoShops, sku: string) => s.shop('webstore')!.storefront.shown(sku);
    await until(() => shown(first, 'TEE-BLK-M') > 0, 20_000);
    const before = shown(first, 'TEE-BLK-M');
    expect(before).toBeGreaterThan(0);
    const order1 = webstore.storefront.placeOrder([{ sku: 'TEE-BLK-M', quantity: 1 }])!;
    expect(order1).not.toBeNull();
    await first.flushWebhooks();
    await until(async () => (await allocatedOrders()) === 1, 10_000);
    await ts.sync.stop();
    const listings = await listingRows();
    const showing = shown(first, 'TEE-BLK-M');
    await first.close();
    opened.pop();

    // The restart: new storefronts, new ports and secrets.
    const second = await startShops(ts, catalog, { faults: false });
    opened.push(second);
    second.subscribe(server.url);
    expect(await listingRows()).toEqual(listings);
    expect(shown(second, 'TEE-BLK-M')).toBe(showing);
    const settings = (await ts.store.read((d) => getChannel(d, catalog.workspaceId, catalog.channels.webstore)))!.settings;
    // Pointed at the new storefront (for Shopify: its api_url and webhook secret among them).
    expect(settings).toMatchObject(second.shop('webstore')!.storefront.settings);

    const shop = second.shop('webstore')!;
    const order2 = shop.storefront.placeOrder([{ sku: 'TEE-BLK-M', quantity: 1 }])!;
    expect(order2).not.toBeNull();
    // Numbered above anything the last run used, so no later order of this run can take an old id.
    const num = (gid: string) => Number(gid.slice(gid.lastIndexOf('/') + 1));
    expect(num(order2.id)).toBeGreaterThan(num(order1.id));
    await second.flushWebhooks();
    await until(async () => (await allocatedOrders()) === 2, 10_000);
    expect(await allocatedOrders()).toBe(2);
  });
});
