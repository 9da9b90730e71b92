// Seeding the demo twice on one database (closed and opened again in between, as two `npm
// start`s would) makes everything once: ≥ 200 SKUs of every kind, the six locations, the eight
// channels with their rules and listings, the opening stock, the documents. On SQLite and
// PostgreSQL.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Truestock } from '../app/truestock.ts';
import { verify } from '../app/verify.ts';
import type { Param } from '../store/store.ts';
import { createDatabase, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { seedCatalog } from './catalog.ts';

const quiet = { info: () => undefined, warn: () => undefined };

describe.each(STORE_KINDS)('demo catalog seeding on %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createDatabase(kind);
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** Row counts of what the seeding makes, read straight from the tables. */
  async function census(ts: Truestock, ws: string) {
    const n = async (sql: string, params: Param[] = [ws]) => Number((await ts.store.read((d) => d.get<{ n: number }>(sql, params)))!.n);
    return {
      workspaces: await n("SELECT COUNT(*) AS n FROM workspaces WHERE name = 'demo'", []),
      items: await n('SELECT COUNT(*) AS n FROM items WHERE workspace_id = ?'),
      products: await n('SELECT COUNT(*) AS n FROM products WHERE workspace_id = ?'),
      locations: await n('SELECT COUNT(*) AS n FROM locations WHERE workspace_id = ?'),
      channels: await n('SELECT COUNT(*) AS n FROM channels WHERE workspace_id = ?'),
      rules: await n('SELECT COUNT(*) AS n FROM channel_rules WHERE workspace_id = ?'),
      listings: await n('SELECT COUNT(*) AS n FROM listings WHERE workspace_id = ?'),
      movements: await n('SELECT COUNT(*) AS n FROM movements WHERE workspace_id = ?'),
      purchaseOrders: await n('SELECT COUNT(*) AS n FROM purchase_orders WHERE workspace_id = ?'),
      transfers: await n('SELECT COUNT(*) AS n FROM transfers WHERE workspace_id = ?'),
    };
  }

  it('makes everything once, and a second run on the same database adds nothing', async () => {
    let ts = await Truestock.open({ ...db.config, sync: { log: quiet } });
    const first = await seedCatalog(ts, { seed: 3 });
    expect(first.adminKey).toMatch(/^tsk_/);
    const ws = first.workspaceId;
    const before = await census(ts, ws);
    const kinds = await ts.store.read((d) => d.all<{ kind: string; n: number }>('SELECT kind, COUNT(*) AS n FROM items WHERE workspace_id = ? GROUP BY kind', [ws]));
    const locations = await ts.store.read((d) => d.all<{ code: string; kind: string }>('SELECT code, kind FROM locations WHERE workspace_id = ? ORDER BY code', [ws]));
    const variants = await ts.store.read((d) => d.get<{ n: number }>('SELECT COUNT(*) AS n FROM items WHERE workspace_id = ? AND product_id IS NOT NULL AND options IS NOT NULL', [ws]));
    expect((await verify(ts.store, ws)).ok).toBe(true);
    await ts.close();

    // A restart.
    ts = await Truestock.open({ ...db.config, sync: { log: quiet } });
    try {
      const second = await seedCatalog(ts, { seed: 3 });
      expect(second.workspaceId).toBe(ws);
      expect(second.adminKey).toBeNull();
      expect(second.channels).toEqual(first.channels);
      expect(Object.values(second.created).every((n) => n === 0), JSON.stringify(second.created)).toBe(true);
      expect(await census(ts, ws)).toEqual(before);
    } finally {
      await ts.close();
    }

    expect(before.workspaces).toBe(1);
    expect(before.items).toBeGreaterThanOrEqual(200);
    expect(Object.fromEntries(kinds.map((k) => [k.kind, Number(k.n)]))).toMatchObject({ standard: expect.any(Number), bundle: expect.any(Number), multipack: expect.any(Number) });
    expect(Number(variants!.n)).toBeGreaterThanOrEqual(200);
    expect(locations).toEqual([
      { code: '3PL-CENTRAL', kind: '3pl' },
      { code: 'FBA-US', kind: 'channel_managed' },
      { code: 'STORE-NYC', kind: 'store' },
      { code: 'STORE-SF', kind: 'store' },
      { code: 'WH-EAST', kind: 'warehouse' },
      { code: 'WH-WEST', kind: 'warehouse' },
    ]);
    expect(before.channels).toBe(8);
    expect(before.rules).toBeGreaterThanOrEqual(4);
    expect(before.purchaseOrders).toBe(2);
    expect(before.transfers).toBe(1);
    expect(before.movements).toBeGreaterThan(1_000);
  });
});
