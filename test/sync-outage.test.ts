// Shopify down for 30 seconds while orders keep coming in: nothing is lost, the breaker opens
// and probes, and once Shopify is back every number converges to the ledger's — with no
// rate-limit violation. On SQLite and PostgreSQL.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifyEmulator } from '../emulators/shopify/index.ts';
import { createChannel } from '../src/app/channels.ts';
import { createListing } from '../src/app/listings.ts';
import { Truestock } from '../src/app/truestock.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from './support/truestock.ts';

const OUTAGE_S = 30;
const SKUS = ['A', 'B', 'C', 'D'];

describe.each(STORE_KINDS)('a 30-second Shopify outage on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  beforeAll(async () => {
    db = await createDatabase(kind);
    // A short open period so the test does not wait out the production 30 s–5 min.
    ts = await Truestock.open({ ...db.config, sync: { idleMs: 20, breaker: { openMs: 2_000, openMaxMs: 4_000 } } });
  });
  afterAll(async () => {
    await ts?.close();
    await db?.drop();
  });

  it('converges after the outage', async () => {
    const shop = await startShopifyEmulator();
    try {
      const loc = shop.addLocation('Warehouse').id;
      const inv = new Map(SKUS.map((sku) => [sku, shop.addItem({ sku, levels: { [loc]: 0 } }).inventoryItemId]));
      const f = await Fixture.create(ts, { skus: SKUS, locations: [['W1', 'warehouse']] });
      const channel = await ts.store.transaction(async (d) => {
        const now = ts.clock.now();
        const made = await createChannel(d, f.workspaceId, { kind: 'shopify', name: 'shop', settings: { shop_domain: shop.shopDomain, access_token: shop.accessToken, api_url: shop.url } }, now);
        if ('code' in made) throw new Error(made.detail);
        const id = (made.body.channel as { id: string }).id;
        for (const sku of SKUS) await createListing(d, f.workspaceId, { channel: id, sku, external: { inventory_item_id: inv.get(sku)!, location_id: loc } }, now);
        return id;
      });
      for (const sku of SKUS) await f.ok({ type: 'receive', sku, location: 'W1', quantity: 50 });
      ts.sync.start();
      const shown = () => SKUS.map((sku) => shop.level(inv.get(sku)!, loc)!.available);
      const ledger = async () => Promise.all(SKUS.map(async (sku) => Number((await ts.store.read((d) => d.get<{ a: number }>('SELECT sl.available AS a FROM stock_levels sl JOIN items i ON i.id = sl.item_id WHERE i.workspace_id = ? AND i.sku = ?', [f.workspaceId, sku])))!.a)));
      const until = async (ok: () => Promise<boolean>, ms: number) => { for (const end = Date.now() + ms; Date.now() < end && !(await ok()); ) await new Promise((r) => setTimeout(r, 100)); };
      await until(async () => JSON.stringify(shown()) === JSON.stringify(await ledger()), 5_000);
      expect(shown()).toEqual([50, 50, 50, 50]);

      shop.goDown(OUTAGE_S, '503');
      const downUntil = Date.now() + OUTAGE_S * 1000;
      // Orders keep coming in from another channel during the outage.
      let n = 0;
      while (Date.now() < downUntil - 1_000) {
        await f.ok({ type: 'allocate_order', lines: [{ sku: SKUS[n % SKUS.length]!, quantity: 1, location: 'W1' }], order_reference: `POS-${n++}` });
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(shown()).toEqual([50, 50, 50, 50]); // nothing got through while it was down
      const during = ts.sync.status(channel)!;
      expect(during.calls.transient).toBeGreaterThan(0);
      expect(['open', 'half_open']).toContain(during.breaker.state);

      const depth = async () => Number((await ts.store.read((d) => d.get<{ n: number }>('SELECT COUNT(*) AS n FROM channel_outbox WHERE channel_id = ?', [channel])))!.n);
      await until(async () => JSON.stringify(shown()) === JSON.stringify(await ledger()) && (await depth()) === 0, 15_000);
      expect(shown()).toEqual(await ledger());
      expect(shown().reduce((a, b) => a + b, 0)).toBe(200 - n);
      expect(Number((await ts.store.read((d) => d.get<{ n: number }>('SELECT COUNT(*) AS n FROM channel_outbox WHERE channel_id = ?', [channel])))!.n)).toBe(0);
      expect(shop.counters().throttled).toBe(0);
      expect(ts.sync.status(channel)!.breaker.state).toBe('closed');
    } finally {
      await ts.sync.stop();
      await shop.close();
    }
  }, 70_000);
});
