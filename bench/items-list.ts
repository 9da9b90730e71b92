// The Items list at 100k items (issue 14, part 3): the first page, a deep page (row ~90,000) and
// searches, by SKU (an index walk), by total available (summed per item) and by available at one
// location, each against the naive OFFSET paging of the same order in the same run. p50/p99 ms
// of `listItemsWithNumbers` (what GET /v1/items runs, without HTTP) on SQLite and PostgreSQL.
// Run alone: `node --import tsx bench/items-list.ts [--quick]` (starts its own PostgreSQL), or
// from bench/run.ts with `--only items`.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { createWorkspace } from '../src/app/access.ts';
import { createLocation, newItem } from '../src/app/catalog.ts';
import { encodeSortCursor, type ItemListParams, listItemsWithNumbers } from '../src/app/item-list.ts';
import { type TruestockConfig, openStore } from '../src/app/truestock.ts';
import { systemClock } from '../src/app/clock.ts';
import { newId } from '../src/app/ids.ts';
import { insertItems, locationsByCode } from '../src/store/catalog-repo.ts';
import { migrate } from '../src/store/migrations.ts';
import { chunk, type Db, insertRows, type Param, type Store } from '../src/store/store.ts';
import { startEmbeddedPostgres } from '../test/support/pg-server.ts';
import { fmt, percentile } from './workload.ts';

export const ITEMS_LIST_ITEMS_DEFAULT = 100_000;
/** Rows a page holds (the dashboard's page). */
const PAGE_ROWS = 50;
/** Timed runs of each query (after two warm-up runs). */
const RUNS = 30;
/** Where the deep page starts, as a share of the list. */
const DEEP_SHARE = 0.9;

export interface ItemsListCase {
  name: string;
  /** Keyset (the list's own query) or the naive OFFSET peer. */
  paging: 'keyset' | 'offset';
  p50_ms: number;
  p99_ms: number;
  rows: number;
}

export interface ItemsListBenchResult {
  store: 'sqlite' | 'postgres';
  items: number;
  cases: ItemsListCase[];
  /** PostgreSQL's EXPLAIN ANALYZE of the page query, per case (none on SQLite). */
  plans: Record<string, string[]>;
  load_average: number;
}

/** 100k items (a tenth with a barcode), levels at two locations (every item at WH, a third at STORE). */
export async function seed(store: Store, items: number): Promise<{ ws: string }> {
  const now = systemClock.now();
  const { workspace } = await createWorkspace(store, systemClock, 'bench items');
  const ws = workspace.id;
  const made = Array.from({ length: items }, (_, i) => newItem(ws, { sku: `SKU-${String(i).padStart(6, '0')}`, name: `Item ${(i * 7919) % items} ${['red', 'blue', 'green'][i % 3]}`, ...(i % 10 === 0 ? { barcode: `400${String(i).padStart(9, '0')}` } : {}) }, now));
  await store.transaction(async (db) => {
    await createLocation(db, ws, { code: 'WH', name: 'Warehouse', kind: 'warehouse' }, now);
    await createLocation(db, ws, { code: 'STORE', name: 'Store', kind: 'store' }, now);
  });
  const [wh, shop] = await store.read(async (db) => [(await locationsByCode(db, ws, ['WH']))[0]!, (await locationsByCode(db, ws, ['STORE']))[0]!]);
  // Levels written directly (the list reads levels, not movements): seeding 130k levels through
  // the ledger would take longer than the benchmark itself.
  const levels = made.flatMap((it, i) => [
    [newId('lvl', now), ws, it.id, wh.id, (i * 31) % 500, (i * 7) % 20, (i * 13) % 40, now],
    ...(i % 3 === 0 ? [[newId('lvl', now), ws, it.id, shop.id, (i * 17) % 60, 0, 0, now]] : []),
  ]);
  for (const part of chunk(made, 5_000)) await store.transaction((db) => insertItems(db, part));
  for (const part of chunk(levels, 5_000)) await store.transaction((db) => insertRows(db, 'stock_levels', ['id', 'workspace_id', 'item_id', 'location_id', 'available', 'committed', 'incoming', 'updated_at'], part));
  if (store.dialect === 'postgres') await store.transaction((db) => db.run('ANALYZE'));
  return { ws };
}

/** A Db that records the statements it is sent (to EXPLAIN them). */
function capture(db: Db, seen: { sql: string; params: readonly Param[] }[]): Db {
  return {
    dialect: db.dialect,
    forUpdate: db.forUpdate,
    all: (sql, params = []) => (seen.push({ sql, params }), db.all(sql, params)),
    get: (sql, params = []) => (seen.push({ sql, params }), db.get(sql, params)),
    run: (sql, params) => db.run(sql, params),
    runEach: (sql, rows) => db.runEach(sql, rows),
  };
}

async function time(store: Store, fn: (db: Db) => Promise<number>): Promise<{ p50: number; p99: number; rows: number }> {
  let rows = 0;
  for (let i = 0; i < 2; i++) rows = await store.read(fn);
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    rows = await store.read(fn);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), rows };
}

/** The naive list: ORDER BY … LIMIT … OFFSET, then the page's numbers, as a first version would. */
function offsetQuery(ws: string, order: string, offset: number, locationId?: string, search?: string): { sql: string; params: (string | number | boolean)[] } {
  const total = (c: string) => `(SELECT COALESCE(SUM(t.${c}), 0) FROM stock_levels t WHERE t.item_id = i.id${locationId ? ' AND t.location_id = ?' : ''})`;
  const sortExpr = order === 'sku' ? 'i.sku' : total('available');
  const params: (string | number | boolean)[] = [];
  if (order !== 'sku' && locationId) params.push(locationId);
  params.push(ws, false);
  let where = 'i.workspace_id = ? AND i.archived = ?';
  if (search) (where += ' AND (lower(i.sku) LIKE ? OR lower(i.name) LIKE ? OR i.barcode LIKE ?)'), params.push(`%${search}%`, `%${search}%`, `%${search}%`);
  const desc = order === 'sku' ? '' : ' DESC';
  return {
    sql: `SELECT i.*, ${sortExpr} AS v FROM items i WHERE ${where} ORDER BY v${desc}, i.id${desc} LIMIT ? OFFSET ?`,
    params: [...params, PAGE_ROWS, offset],
  };
}

export async function itemsListBench(opts: { store: 'sqlite' | 'postgres'; config: TruestockConfig; items?: number }): Promise<ItemsListBenchResult> {
  const items = opts.items ?? ITEMS_LIST_ITEMS_DEFAULT;
  const store = openStore(opts.config);
  try {
    await migrate(store);
    const { ws } = await seed(store, items);
    const deepOffset = Math.floor(items * DEEP_SHARE);
    // The deep cursors: the row just before the deep page in each order (found once, outside the timing).
    const before = offsetQuery(ws, 'available', deepOffset - 1);
    const deepAvailable = (await store.read((db) => db.all<{ id: string; v: number | string }>(before.sql, before.params)))[0];
    const wh = await store.read(async (db) => (await locationsByCode(db, ws, ['WH']))[0]!);
    const deepAtWh = await store.read((db) =>
      db.get<{ id: string; v: number | string }>(`SELECT i.id, s.available AS v FROM items i JOIN stock_levels s ON s.item_id = i.id AND s.location_id = ? WHERE i.workspace_id = ? ORDER BY s.available DESC, i.id DESC LIMIT 1 OFFSET ?`, [wh.id, ws, deepOffset - 1]),
    );
    const prevSku = `SKU-${String(deepOffset - 1).padStart(6, '0')}`;
    const prevSkuId = await store.read(async (db) => (await db.get<{ id: string }>('SELECT id FROM items WHERE workspace_id = ? AND sku = ?', [ws, prevSku]))!.id);
    const list = (p: ItemListParams) => (db: Db) => listItemsWithNumbers(db, ws, { limit: PAGE_ROWS, ...p }).then((r) => r.data.length);
    const naive = (order: string, offset: number, locationId?: string, search?: string) => async (db: Db) => {
      const q = offsetQuery(ws, order, offset, locationId, search);
      const rows = await db.all<{ id: string }>(q.sql, q.params);
      // The page's numbers, as the keyset list fetches them.
      if (rows.length) await db.all(`SELECT item_id, SUM(available) FROM stock_levels WHERE item_id IN (${rows.map(() => '?').join(', ')}) GROUP BY item_id`, rows.map((r) => r.id));
      return rows.length;
    };
    const cases: ItemsListCase[] = [];
    const run = async (name: string, paging: ItemsListCase['paging'], fn: (db: Db) => Promise<number>) => {
      const t = await time(store, fn);
      cases.push({ name, paging, p50_ms: t.p50, p99_ms: t.p99, rows: t.rows });
    };
    const availCursor = encodeSortCursor({ sort: 'available', desc: true, value: Number(deepAvailable!.v), id: deepAvailable!.id });
    const whCursor = encodeSortCursor({ sort: 'available', desc: true, value: Number(deepAtWh!.v), id: deepAtWh!.id });
    await run('first page, by SKU', 'keyset', list({ sort: 'sku' }));
    await run('first page, by SKU', 'offset', naive('sku', 0));
    await run(`deep page (row ${fmt(deepOffset)}), by SKU`, 'keyset', list({ sort: 'sku', cursor: encodeSortCursor({ sort: 'sku', desc: false, value: prevSku, id: prevSkuId }) }));
    await run(`deep page (row ${fmt(deepOffset)}), by SKU`, 'offset', naive('sku', deepOffset));
    await run('first page, by total available ↓', 'keyset', list({ sort: 'available', order: 'desc' }));
    await run('first page, by total available ↓', 'offset', naive('available', 0));
    await run(`deep page (row ${fmt(deepOffset)}), by total available ↓`, 'keyset', list({ sort: 'available', order: 'desc', cursor: availCursor }));
    await run(`deep page (row ${fmt(deepOffset)}), by total available ↓`, 'offset', naive('available', deepOffset));
    await run(`deep page (row ${fmt(deepOffset)}), available at WH ↓`, 'keyset', list({ sort: 'available', order: 'desc', location: 'WH', cursor: whCursor }));
    await run('search "SKU-042170" (1 item), by SKU', 'keyset', list({ sort: 'sku', q: 'SKU-042170' }));
    await run('search "SKU-042170" (1 item), by SKU', 'offset', naive('sku', 0, undefined, 'sku-042170'));
    await run('search "item 777" (~110 items), by SKU', 'keyset', list({ sort: 'sku', q: 'item 777' }));
    await run('search barcode 400000012340', 'keyset', list({ sort: 'sku', q: '400000012340' }));
    await run('out of stock, by SKU', 'keyset', list({ sort: 'sku', stock: 'out_of_stock' }));
    // The plans of the page queries (the statement with the ORDER BY), as PostgreSQL
    // runs them: an index walk from the cursor for SKU, a bounded top-N for the numbers.
    const plans: Record<string, string[]> = {};
    if (store.dialect === 'postgres') {
      for (const [name, p] of [
        ['deep page by SKU', { sort: 'sku', cursor: encodeSortCursor({ sort: 'sku', desc: false, value: prevSku, id: prevSkuId }) }],
        ['deep page by total available', { sort: 'available', order: 'desc', cursor: availCursor }],
        ['deep page, available at WH', { sort: 'available', order: 'desc', location: 'WH', cursor: whCursor }],
        ['search', { sort: 'sku', q: 'item 777' }],
      ] as const) {
        const seen: { sql: string; params: readonly Param[] }[] = [];
        await store.read((db) => listItemsWithNumbers(capture(db, seen), ws, { limit: PAGE_ROWS, ...(p as ItemListParams) }));
        const first = seen.find((x) => x.sql.includes('ORDER BY'))!;
        const rows = await store.read((db) => db.all<Record<string, string>>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${first.sql}`, first.params));
        plans[name] = rows.map((r) => Object.values(r)[0]!);
      }
    }
    return { store: opts.store, items, cases, plans, load_average: os.loadavg()[0]! };
  } finally {
    await store.close();
  }
}

export function printItemsList(r: ItemsListBenchResult): void {
  console.log(`items list — ${r.store}, ${fmt(r.items)} items, ${PAGE_ROWS} a page, ${RUNS} runs each (load average ${fmt(r.load_average, 1)})`);
  for (const c of r.cases) console.log(`  ${c.name.padEnd(48)} ${c.paging.padEnd(7)} p50 ${fmt(c.p50_ms, 2).padStart(8)} ms  p99 ${fmt(c.p99_ms, 2).padStart(8)} ms  rows ${c.rows}`);
  for (const [name, plan] of Object.entries(r.plans)) console.log(`  plan, ${name}:\n    ${plan.join('\n    ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const items = quick ? 20_000 : ITEMS_LIST_ITEMS_DEFAULT;
  const tmp = mkdtempSync(join(os.tmpdir(), 'truestock-items-bench-'));
  console.log(`truestock items list benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, node ${process.version}`);
  try {
    printItemsList(await itemsListBench({ store: 'sqlite', config: { sqlitePath: join(tmp, 'items.db') }, items }));
    const server = await startEmbeddedPostgres({ durable: true });
    try {
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query('CREATE DATABASE bench_items');
      await admin.end();
      const u = new URL(server.url);
      u.pathname = '/bench_items';
      printItemsList(await itemsListBench({ store: 'postgres', config: { databaseUrl: u.toString() }, items }));
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
