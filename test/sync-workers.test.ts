// Several dispatchers on one database, and a worker process killed with SIGKILL in the middle of
// a push: every listing is pushed once per version, and after a restart nothing is lost and
// nothing is stale — Shopify shows exactly the ledger's numbers.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startShopifyEmulator, type ShopifyEmulator } from '../emulators/shopify/index.ts';
import { createChannel } from '../src/app/channels.ts';
import { createListing } from '../src/app/listings.ts';
import { Truestock } from '../src/app/truestock.ts';
import { start } from './support/cli.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from './support/truestock.ts';

const SKUS = Array.from({ length: 60 }, (_, i) => `W${i}`);

describe.each(STORE_KINDS)('sync workers on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let shop: ShopifyEmulator;
  let proxy: Server | undefined;

  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open({ ...db.config, sync: { workerId: 'main', leaseMs: 1_000 } });
  });
  afterAll(async () => {
    await ts?.close();
    await db?.drop();
  });
  afterEach(async () => {
    await shop?.close();
    await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
    proxy = undefined;
  });

  async function world(apiUrl?: (shopUrl: string) => Promise<string>) {
    shop = await startShopifyEmulator();
    const loc = shop.addLocation('Warehouse').id;
    const inv = new Map(SKUS.map((sku) => [sku, shop.addItem({ sku, levels: { [loc]: 0 } }).inventoryItemId]));
    const f = await Fixture.create(ts, { skus: SKUS, locations: [['W1', 'warehouse']] });
    const url = apiUrl ? await apiUrl(shop.url) : shop.url;
    const channel = await ts.store.transaction(async (d) => {
      const now = ts.clock.now();
      const made = await createChannel(d, f.workspaceId, { kind: 'shopify', name: 'shop', settings: { shop_domain: shop.shopDomain, access_token: shop.accessToken, api_url: url } }, now);
      if ('code' in made) throw new Error(made.detail);
      const id = (made.body.channel as { id: string }).id;
      for (const sku of SKUS) await createListing(d, f.workspaceId, { channel: id, sku, external: { inventory_item_id: inv.get(sku)!, location_id: loc } }, now);
      return id;
    });
    for (const [i, sku] of SKUS.entries()) await f.ok({ type: 'receive', sku, location: 'W1', quantity: 1 + i });
    const matches = () => SKUS.every((sku, i) => shop.level(inv.get(sku)!, loc)!.available === 1 + i);
    const depth = async () => Number((await ts.store.read((d) => d.get<{ n: number }>('SELECT COUNT(*) AS n FROM channel_outbox WHERE channel_id = ?', [channel])))!.n);
    return { f, channel, matches, depth };
  }

  it.skipIf(kind === 'sqlite')('two workers drain one channel side by side and never push a listing twice', async () => {
    const w = await world();
    const other = await Truestock.open({ ...db.config, sync: { workerId: 'second', leaseMs: 1_000 } });
    try {
      await Promise.all([ts.sync.refresh(true), other.sync.refresh(true)]);
      const loop = async (t: Truestock) => { for (let i = 0; i < 50; i++) if ((await t.sync.drainOnce(w.channel)) === 0 && (await w.depth()) === 0) return; };
      await Promise.all([loop(ts), loop(other)]);
      expect(w.matches()).toBe(true);
      // One quantity per listing: nobody pushed a listing another worker had claimed.
      expect(shop.counters().quantitiesSet).toBe(SKUS.length);
      expect(shop.counters().staleCompares).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('kill -9 of a worker in the middle of a push: after a restart nothing is lost and nothing is stale', async () => {
    // A proxy holds the worker's first push until the worker is dead, then lets it reach Shopify:
    // the push landed but its answer is lost.
    let held: (() => void) | null = null;
    const arrived = new Promise<void>((resolve) => {
      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        const chunks: Buffer[] = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
          const forward = () => void fetch(shop.url + req.url, { method: req.method, headers: { 'content-type': 'application/json', 'x-shopify-access-token': String(req.headers['x-shopify-access-token']) }, body: Buffer.concat(chunks) })
            .then(async (r) => { res.writeHead(r.status, { 'content-type': 'application/json' }); res.end(await r.text()); })
            .catch(() => res.destroy());
          if (held === null && /inventorySetQuantities/.test(Buffer.concat(chunks).toString())) {
            held = forward;
            resolve();
          } else forward();
        });
      });
      proxy = server;
    });
    const w = await world(async () => {
      await new Promise<void>((r) => proxy!.listen(0, '127.0.0.1', () => r()));
      return `http://127.0.0.1:${(proxy!.address() as { port: number }).port}`;
    });
    const env: Record<string, string> = { ...('databaseUrl' in db.config ? { DATABASE_URL: db.config.databaseUrl! } : { TRUESTOCK_DB: db.config.sqlitePath! }), TRUESTOCK_SYNC_LEASE_MS: '1000' };
    const worker = start(['worker'], env, mkdtempSync(join(os.tmpdir(), 'ts-worker-')));
    let stderr = '';
    worker.stderr!.on('data', (d) => (stderr += d));
    await Promise.race([arrived, new Promise((_, reject) => setTimeout(() => reject(new Error(`the worker never pushed: ${stderr}`)), 20_000))]);
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    (held as unknown as () => void)();
    // Its claims lapse after the lease; this process's dispatcher takes over.
    await new Promise((r) => setTimeout(r, 1_100));
    await ts.sync.refresh(true);
    for (let i = 0; i < 100 && ((await w.depth()) > 0 || !w.matches()); i++) {
      await ts.sync.drainOnce(w.channel);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await w.depth()).toBe(0);
    expect(w.matches()).toBe(true);
  });
});
