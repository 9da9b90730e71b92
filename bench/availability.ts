// Channel availability benchmark (issue 4):
//  1. full recompute of a workspace with N listings (1M by default): time and peak memory
//     (rss and heapUsed sampled every 20 ms), first run (every listing new: all enqueued) and a
//     steady run (nothing changed);
//  2. one movement's incremental recompute for an item in 20 bundles (the item and every bundle
//     listed): p50/p99 of the `afterWrite` part over ≥ 1,000 movements, target p99 ≤ 1 ms;
//  3. the naive peer — every listing of the workspace recomputed per movement — against the
//     incremental path at a smaller size, as a ratio.
//
// `availabilityBench(opts)` is what bench/run.ts calls; run alone:
//   npx tsx bench/availability.ts [--store sqlite|postgres|both]   (BENCH_LISTINGS=1000000, BENCH_NAIVE_LISTINGS=20000, BENCH_MOVEMENTS=2000)
// Stock levels and listings are inserted directly (bulk), not through the ledger: this measures
// the availability engine, not the seeding.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createWorkspace } from '../src/app/access.ts';
import { onStockChanged, recomputeAll, recomputeListings } from '../src/app/availability.ts';
import { createItem, createLocation, newItem } from '../src/app/catalog.ts';
import { createRule } from '../src/app/channel-rule-admin.ts';
import { createChannel } from '../src/app/channels.ts';
import { ManualClock } from '../src/app/clock.ts';
import { newId } from '../src/app/ids.ts';
import { Ledger, type StockChange } from '../src/app/ledger.ts';
import { openStore, type TruestockConfig } from '../src/app/truestock.ts';
import type { Listing } from '../src/domain/listing-rules.ts';
import { listingsPage } from '../src/store/availability-repo.ts';
import { insertItems } from '../src/store/catalog-repo.ts';
import { insertListings } from '../src/store/channel-repo.ts';
import { migrate } from '../src/store/migrations.ts';
import { chunk, type Db, insertRows, type Store } from '../src/store/store.ts';
import { fmt, percentile } from './workload.ts';

/** Channels every item is listed on; items = listings / channels. */
const CHANNELS = 4;
const BUNDLES = 20;
/** Rows per seeding transaction. */
const SEED_CHUNK_ROWS = 20_000;
const MEMORY_SAMPLE_MS = 20;

export interface AvailabilityBenchOptions {
  store: 'sqlite' | 'postgres';
  config: TruestockConfig;
  listings: number;
  movements: number;
  /** Listings of the smaller workspace where the naive peer is compared. */
  naiveListings: number;
  naiveMovements?: number;
}

export interface AvailabilityBenchResult {
  store: string;
  listings: number;
  full_first_s: number;
  full_steady_s: number;
  full_per_second: number;
  rss_base_mb: number;
  rss_peak_mb: number;
  heap_peak_mb: number;
  incremental_listings_per_movement: number;
  incremental_p50_ms: number;
  incremental_p99_ms: number;
  movements: number;
  naive_listings: number;
  naive_p50_ms: number;
  incremental_small_p50_ms: number;
  naive_ratio: number;
}

interface World {
  ws: string;
  hot: string;
}

/** A workspace with `listings` listings over CHANNELS channels with rules, and a hot item in BUNDLES bundles. */
async function seedWorld(store: Store, now: number, listings: number): Promise<World> {
  const { workspace } = await createWorkspace(store, { now: () => now }, `bench-${listings}`);
  const ws = workspace.id;
  const must = <T extends object>(r: T) => {
    if ('code' in r) throw new Error(JSON.stringify(r));
    return r as Exclude<T, { code: string }>;
  };
  const channels: string[] = [];
  await store.transaction(async (db) => {
    must(await createLocation(db, ws, { code: 'WH', name: 'Warehouse', kind: 'warehouse' }, now));
    must(await createLocation(db, ws, { code: 'S1', name: 'Store', kind: 'store' }, now));
    const rules = [
      { settings: {} },
      { settings: { allocation: { mode: 'share', percent: 60 }, buffer: { mode: 'fixed', units: 2 } } },
      { settings: { cap_units: 50, zero_below_units: 3 } },
      { settings: { buffer: { mode: 'percent', percent: 10 } } },
    ];
    for (let c = 0; c < CHANNELS; c++) {
      const ch = must(await createChannel(db, ws, { kind: 'custom', name: `ch${c}` }, now)).body.channel as { id: string };
      channels.push(ch.id);
      must(await createRule(db, ws, ch.id, rules[c % rules.length] as never, now));
    }
  });
  const items = Math.max(1, Math.floor(listings / CHANNELS));
  const locations = await store.read((db) => db.all<{ id: string; code: string }>('SELECT id, code FROM locations WHERE workspace_id = ?', [ws]));
  const wh = locations.find((l) => l.code === 'WH')!.id;
  const s1 = locations.find((l) => l.code === 'S1')!.id;
  for (const part of chunk(Array.from({ length: items }, (_, i) => i), SEED_CHUNK_ROWS / CHANNELS)) {
    await store.transaction(async (db) => {
      const made = part.map((i) => newItem(ws, { sku: `SKU-${String(i).padStart(7, '0')}`, name: `Item ${i}` }, now));
      await insertItems(db, made);
      await insertRows(db, 'stock_levels', ['id', 'workspace_id', 'item_id', 'location_id', 'available', 'updated_at'],
        made.flatMap((it, k) => [[newId('lvl', now), ws, it.id, wh, (part[k]! * 7919) % 200, now], [newId('lvl', now), ws, it.id, s1, (part[k]! * 104729) % 30, now]]));
      const rows: Listing[] = made.flatMap((it) => channels.map((ch) => ({
        id: newId('lst', now), workspaceId: ws, channelId: ch, itemId: it.id, externalKey: `external_id:${it.sku}`, external: { external_id: it.sku }, active: true, createdAt: now, updatedAt: now,
      })));
      await insertListings(db, rows);
    });
  }
  // The hot item: in BUNDLES bundles (with a plentiful second component, so the hot item limits
  // every kit and each movement changes every one of them), all listed.
  const hot = await store.transaction(async (db) => {
    const h = must(await createItem(db, ws, { sku: 'HOT', name: 'Hot item' }, now)).body.item as { id: string };
    const p = must(await createItem(db, ws, { sku: 'PLENTY', name: 'Plentiful part' }, now)).body.item as { id: string };
    await insertRows(db, 'stock_levels', ['id', 'workspace_id', 'item_id', 'location_id', 'available', 'updated_at'], [[newId('lvl', now), ws, h.id, wh, 1_000_000, now], [newId('lvl', now), ws, p.id, wh, 10_000_000, now]]);
    const ids = [h.id];
    for (let b = 0; b < BUNDLES; b++) {
      const kit = must(await createItem(db, ws, { sku: `KIT-${b}`, name: `Kit ${b}`, kind: 'bundle', components: [{ sku: 'HOT', quantity: 1 + (b % 3) }, { sku: 'PLENTY', quantity: 1 }] }, now)).body.item as { id: string };
      ids.push(kit.id);
    }
    await insertListings(db, ids.map((itemId, k) => ({
      id: newId('lst', now), workspaceId: ws, channelId: channels[k % CHANNELS]!, itemId, externalKey: `external_id:hot-${k}`, external: { external_id: `hot-${k}` }, active: true, createdAt: now, updatedAt: now,
    })));
    return h.id;
  });
  return { ws, hot };
}

/** Peak rss and heapUsed while `fn` runs. */
async function sampled<T>(fn: () => Promise<T>): Promise<{ value: T; rss: number; heap: number }> {
  let rss = process.memoryUsage().rss;
  let heap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, MEMORY_SAMPLE_MS);
  try {
    const value = await fn();
    const m = process.memoryUsage();
    return { value, rss: Math.max(rss, m.rss), heap: Math.max(heap, m.heapUsed) };
  } finally {
    clearInterval(timer);
  }
}

/** Time `movements` single-command batches on the hot item, measuring only the afterWrite part. */
async function timeMovements(store: Store, clock: ManualClock, ws: string, movements: number, afterWrite: (db: Db, changed: StockChange[], now: number) => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  const ledger = new Ledger(store, clock, {
    afterWrite: async (db, changed, now) => {
      const t = performance.now();
      await afterWrite(db, changed, now);
      times.push(performance.now() - t);
    },
  });
  for (let i = 0; i < movements; i++) {
    clock.advance(1);
    const r = await ledger.execute({ workspaceId: ws, idempotencyKey: `mv-${i}-${Math.random()}`, actor: 'bench', command: { type: 'adjust', sku: 'HOT', location: 'WH', delta: i % 2 === 0 ? -1 : 1, reason: 'correction' } });
    if (!r.ok) throw new Error(r.refusal.detail);
  }
  await ledger.drain();
  return times.sort((a, b) => a - b);
}

/** The naive peer: every listing of the workspace recomputed per movement, inside its transaction. */
async function naive(db: Db, changed: StockChange[], now: number): Promise<void> {
  for (const { workspaceId } of changed) {
    for (let after: string | null = null; ;) {
      const page = await listingsPage(db, workspaceId, after, 2_000);
      await recomputeListings(db, workspaceId, page, now);
      if (page.length < 2_000) break;
      after = page[page.length - 1]!.id;
    }
  }
}

export async function availabilityBench(opts: AvailabilityBenchOptions): Promise<AvailabilityBenchResult> {
  const store = openStore(opts.config);
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 6));
  try {
    await migrate(store);
    const big = await seedWorld(store, clock.now(), opts.listings);
    const rssBase = process.memoryUsage().rss;
    const t0 = performance.now();
    const first = await sampled(() => recomputeAll(store, () => clock.now(), big.ws));
    const firstS = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const steady = await sampled(() => recomputeAll(store, () => clock.now(), big.ws));
    const steadyS = (performance.now() - t1) / 1000;
    if (steady.value.changed !== 0) throw new Error(`a steady recompute changed ${steady.value.changed} listings`);

    await timeMovements(store, clock, big.ws, Math.min(200, opts.movements), onStockChanged); // warm-up
    const inc = await timeMovements(store, clock, big.ws, opts.movements, onStockChanged);

    const small = await seedWorld(store, clock.now(), opts.naiveListings);
    await recomputeAll(store, () => clock.now(), small.ws);
    const naiveMovements = opts.naiveMovements ?? 30;
    const incSmall = await timeMovements(store, clock, small.ws, naiveMovements * 10, onStockChanged);
    const naiveTimes = await timeMovements(store, clock, small.ws, naiveMovements, naive);
    const listingsPerMovement = 1 + BUNDLES;
    return {
      store: opts.store,
      listings: first.value.listings,
      full_first_s: firstS,
      full_steady_s: steadyS,
      full_per_second: first.value.listings / firstS,
      rss_base_mb: rssBase / 2 ** 20,
      rss_peak_mb: Math.max(first.rss, steady.rss) / 2 ** 20,
      heap_peak_mb: Math.max(first.heap, steady.heap) / 2 ** 20,
      incremental_listings_per_movement: listingsPerMovement,
      incremental_p50_ms: percentile(inc, 50),
      incremental_p99_ms: percentile(inc, 99),
      movements: inc.length,
      naive_listings: opts.naiveListings,
      naive_p50_ms: percentile(naiveTimes, 50),
      incremental_small_p50_ms: percentile(incSmall, 50),
      naive_ratio: percentile(naiveTimes, 50) / percentile(incSmall, 50),
    };
  } finally {
    await store.close();
  }
}

/** The V8 young-generation setting this process runs with: its collections set the incremental p99. */
const youngGeneration = () => process.execArgv.find((a) => a.startsWith('--max-semi-space-size'))?.replace('--max-semi-space-size=', '').concat(' MB semi-space') ?? 'Node default';

export function printAvailability(r: AvailabilityBenchResult): void {
  console.log(
    `availability ${r.store.padEnd(9)} full recompute ${fmt(r.listings)} listings: first ${fmt(r.full_first_s, 1)} s (${fmt(r.full_per_second)}/s), steady ${fmt(r.full_steady_s, 1)} s, ` +
      `rss ${fmt(r.rss_base_mb)} → peak ${fmt(r.rss_peak_mb)} MB, heap peak ${fmt(r.heap_peak_mb)} MB | incremental (${r.incremental_listings_per_movement} listings/movement, ${fmt(r.movements)} movements): ` +
      `p50 ${fmt(r.incremental_p50_ms, 3)} ms, p99 ${fmt(r.incremental_p99_ms, 3)} ms (young generation: ${youngGeneration()}) | naive at ${fmt(r.naive_listings)} listings: p50 ${fmt(r.naive_p50_ms, 1)} ms = ${fmt(r.naive_ratio)}× incremental (${fmt(r.incremental_small_p50_ms, 3)} ms)`,
  );
}

// Run alone: `npx tsx bench/availability.ts [--store sqlite|postgres|both]`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const which = process.argv.includes('--store') ? process.argv[process.argv.indexOf('--store') + 1] : 'both';
  const env = (name: string, d: number) => (process.env[name] ? Number(process.env[name]) : d);
  const base = { listings: env('BENCH_LISTINGS', 1_000_000), movements: env('BENCH_MOVEMENTS', 2_000), naiveListings: env('BENCH_NAIVE_LISTINGS', 20_000) };
  console.log(`truestock availability benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, node ${process.version}`);
  const tmp = mkdtempSync(join(os.tmpdir(), 'truestock-avail-bench-'));
  try {
    if (which === 'sqlite' || which === 'both') printAvailability(await availabilityBench({ store: 'sqlite', config: { sqlitePath: join(tmp, 'a.db') }, ...base }));
    if (which === 'postgres' || which === 'both') {
      const { startEmbeddedPostgres } = await import('../test/support/pg-server.ts');
      const server = await startEmbeddedPostgres({ durable: true });
      try {
        printAvailability(await availabilityBench({ store: 'postgres', config: { databaseUrl: server.url, poolMax: 4 }, ...base }));
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
