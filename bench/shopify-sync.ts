// Shopify sync benchmark (issues 5 and 10): a flash sale on the Shopify shop itself — 2,000
// orders in 10 s over 500 SKUs — reaches truestock the real way in: the Shopify emulator sends
// its signed webhooks (orders/create, inventory_levels/update, …) over HTTP to a listening
// truestock server, with duplicate and reordered deliveries switched on. truestock verifies,
// dedupes and allocates each order, and the dispatcher pushes the new numbers back to the shop at
// standard-plan limits (bucket 1,000 points, 100 restored per second). Measured:
//   - time until every order is allocated, from the first order placed;
//   - p50/p99 propagation lag per listing, ledger commit → Shopify acknowledged (from the oldest
//     change not yet pushed, so coalesced changes count from their first commit), as the
//     dispatcher records it for `/metrics` and the channel's sync status;
//   - channel calls per order (coalescing) and rate-limit violations (THROTTLED answers, must be 0);
//   - the floor the rate limit itself imposes, written down from the numbers;
//   - the naive peer in the same run, fed by the same webhooks: one call per allocated order, no
//     coalescing, same rate limit.
//
// `syncBench(opts)` is what bench/run.ts calls; run alone: `npx tsx bench/shopify-sync.ts`.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createWorkspace } from '../src/app/access.ts';
import { createItem, createLocation } from '../src/app/catalog.ts';
import { createChannel } from '../src/app/channels.ts';
import { createListing } from '../src/app/listings.ts';
import { Truestock, type TruestockConfig } from '../src/app/truestock.ts';
import { shopifyApi } from '../src/channels/shopify/client.ts';
import { shopifyConnector } from '../src/channels/shopify/push.ts';
import { startServer } from '../src/http/server.ts';
import { TokenBucket } from '../src/sync/limiter.ts';
import { type BenchShop, inProcessShop, startShopProcess } from './shop-process.ts';
import { fmt, percentile } from './workload.ts';

export interface SyncBenchOptions {
  store: 'sqlite' | 'postgres';
  config: TruestockConfig;
  orders: number;
  seconds: number;
  skus: number;
  /** Run the naive peer too (it is slow by design: one call per change). */
  naive: boolean;
  /**
   * Where the shop runs: a process of its own (default; as a real shop, its CPU is not the
   * server's), or this one (`in-process`, as the benchmark ran before 2026-12-05).
   */
  emulator?: 'process' | 'in-process';
  /** Told when the burst starts and when everything has converged (bench/sync-profile.ts records between). */
  onPhase?: (phase: 'burst' | 'converged') => void;
  /** Told of every listing the dispatcher gets acknowledged (bench/sync-profile.ts traces them). */
  onPushed?: (lagMs: number, push: { quantity: number; shown: number | null } | undefined) => void;
}

export interface SyncBenchResult {
  store: string;
  orders: number;
  seconds: number;
  skus: number;
  /** Webhook POSTs the server acknowledged (duplicates included) and the duplicates among them. */
  deliveries: number;
  duplicated: number;
  reordered_pct: number;
  /** Every order allocated, seconds after the first order was placed. */
  allocated_s: number;
  lag_p50_ms: number;
  lag_p99_ms: number;
  lag_max_ms: number;
  /**
   * The same lag for the pushes that lowered what the shop showed (the shop could sell units that
   * were gone until then), and how many there were. The others raised or confirmed the shop's
   * number: in this burst the shop lowers its own number with each sale before truestock hears of
   * it, and a raise over a decrease it cannot explain yet waits on purpose (STALE_GRACE_MS).
   */
  lowering: { pushes: number; lag_p50_ms: number; lag_p99_ms: number };
  /** The channel's p99 as its sync status (the API) reports it at the end. */
  api_lag_p99_ms: number | null;
  calls: number;
  /** The dispatcher's calls by outcome, and its last error (a slow or failing shop shows here). */
  call_outcomes: Record<string, number>;
  /** Listings a push found moved under it (compare-and-set refused: the shop's own sales). */
  stale: number;
  last_error: string | null;
  calls_per_order: number;
  throttled: number;
  converged_s: number;
  naive?: { calls: number; throttled: number; allocated_s: number; lag_p50_ms: number; lag_p99_ms: number; converged_s: number };
}

const BUCKET = 1_000;
const RESTORE_PER_SECOND = 100;
/** Units of each SKU, in truestock and in the shop: the burst never runs a SKU out. */
const STOCK_EACH = 1_000;
/** The delivery faults of a real flash sale: some deliveries twice, some overtaking the one before. */
const FAULTS = { duplicate: 0.1, reorder: 0.1 };
/** Where a Shopify channel's webhooks go (the lead's generic route will drop `/shopify`). */
const hookPath = (channelId: string) => `/v1/channels/${channelId}/webhooks`;

interface World {
  ts: Truestock;
  shop: BenchShop;
  server: { url: string; close(): Promise<void> };
  ws: string;
  channel: string;
  skus: string[];
  loc: string;
  inv: Map<string, string>;
}

type LagSample = { lag: number; lowered: boolean };

async function seed(config: TruestockConfig, skus: number, lags: LagSample[], where: SyncBenchOptions['emulator'], onPushed?: SyncBenchOptions['onPushed']): Promise<World> {
  const shopOptions = { bucketSize: BUCKET, restoreRate: RESTORE_PER_SECOND, webhookRetry: { attempts: 8, baseDelayMs: 1_000 } };
  const shop = where === 'in-process' ? await inProcessShop(shopOptions) : await startShopProcess(shopOptions);
  const loc = await shop.addLocation('Warehouse');
  // Lags come from the dispatcher's own events (the same numbers the metrics and status use).
  const ts = await Truestock.open({ ...config, sync: { idleMs: 20, events: {
    onPushed: (_, lag, push) => {
      lags.push({ lag, lowered: push !== undefined && push.shown !== null && push.quantity < push.shown });
      onPushed?.(lag, push);
    },
  } } });
  const { workspace } = await createWorkspace(ts.store, ts.clock, `sync-bench-${Math.random()}`);
  const ws = workspace.id;
  const names = Array.from({ length: skus }, (_, i) => `S${String(i).padStart(4, '0')}`);
  const inventoryItemIds = await shop.addItems(names, loc, STOCK_EACH);
  const inv = new Map<string, string>(names.map((sku, i) => [sku, inventoryItemIds[i]!]));
  const channel = await ts.store.transaction(async (db) => {
    const now = ts.clock.now();
    await createLocation(db, ws, { code: 'W1', name: 'W1', kind: 'warehouse' }, now);
    for (const sku of names) await createItem(db, ws, { sku, name: sku }, now);
    const made = await createChannel(db, ws, {
      kind: 'shopify', name: 'shopify',
      settings: {
        shop_domain: shop.shopDomain, access_token: shop.accessToken, webhook_secret: shop.clientSecret, api_url: shop.url,
        locations: { [loc]: 'W1' }, bucket_size: BUCKET, restore_rate: RESTORE_PER_SECOND,
      },
    }, now);
    if ('code' in made) throw new Error(made.detail);
    const id = (made.body.channel as { id: string }).id;
    for (const sku of names) await createListing(db, ws, { channel: id, sku, external: { inventory_item_id: inv.get(sku)!, location_id: loc } }, now);
    return id;
  });
  for (const sku of names) {
    const r = await ts.ledger.execute({ workspaceId: ws, idempotencyKey: `seed-${sku}`, actor: 'bench', command: { type: 'receive', sku, location: 'W1', quantity: STOCK_EACH } });
    if (!r.ok) throw new Error(r.refusal.detail);
  }
  const server = await startServer({ truestock: ts, host: '127.0.0.1', port: 0 });
  await shop.subscribe(`${server.url}${hookPath(channel)}`);
  await shop.setFaults({ ...FAULTS, drop: 0, delayMs: [0, 0] });
  return { ts, shop, server, ws, channel, skus: names, loc, inv };
}

async function close(w: World): Promise<void> {
  await w.shop.close();
  await w.server.close();
  await w.ts.close();
}

/** Orders placed on the shop at an even pace, each for one unit of a SKU; the shop sends their webhooks. */
function burst(w: World, orders: number, seconds: number): Promise<void> {
  return w.shop.burst(w.skus, orders, seconds);
}

/** Allocated orders of the channel, with the SKU and when each was recorded allocated. */
async function allocatedOrders(w: World): Promise<{ id: string; sku: string; at: number }[]> {
  const rows = await w.ts.store.read((db) => db.all<{ external_order_id: string; lines: string; updated_at: number }>(
    "SELECT external_order_id, lines, updated_at FROM channel_orders WHERE channel_id = ? AND ledger_state = 'allocated'", [w.channel]));
  return rows.map((r) => ({ id: r.external_order_id, sku: (JSON.parse(r.lines) as { sku: string }[])[0]!.sku, at: Number(r.updated_at) }));
}

/**
 * Resolves with the seconds from `t0` until `orders` orders are allocated (polled every 20 ms).
 * Without `onNew` (the naive peer's feed) it only counts: reading and parsing every allocated
 * order 50 times a second would load the very server and database it measures.
 */
async function allAllocated(w: World, orders: number, t0: number, onNew?: (o: { id: string; sku: string; at: number }) => void): Promise<number> {
  const seen = new Set<string>();
  for (;;) {
    if (onNew) {
      const found = await allocatedOrders(w);
      for (const o of found.sort((a, b) => a.at - b.at)) if (!seen.has(o.id)) (seen.add(o.id), onNew(o));
      if (found.length >= orders) return (performance.now() - t0) / 1000;
    } else {
      const r = await w.ts.store.read((db) => db.get<{ n: number }>("SELECT COUNT(*) AS n FROM channel_orders WHERE channel_id = ? AND ledger_state = 'allocated'", [w.channel]));
      if (Number(r!.n) >= orders) return (performance.now() - t0) / 1000;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function outboxEmpty(w: World): Promise<boolean> {
  const r = await w.ts.store.read((db) => db.get<{ n: number }>('SELECT COUNT(*) AS n FROM channel_outbox WHERE channel_id = ?', [w.channel]));
  return Number(r!.n) === 0;
}

async function ledgerAvailable(w: World, sku: string): Promise<number> {
  const stock = await w.ts.store.read((db) => db.get<{ available: number }>('SELECT sl.available FROM stock_levels sl JOIN items i ON i.id = sl.item_id WHERE i.workspace_id = ? AND i.sku = ?', [w.ws, sku]));
  return Number(stock!.available);
}

/** Every SKU's available units in the ledger, with one query. */
async function ledgerAvailableAll(w: World): Promise<Map<string, number>> {
  const rows = await w.ts.store.read((db) => db.all<{ sku: string; available: number }>('SELECT i.sku, sl.available FROM stock_levels sl JOIN items i ON i.id = sl.item_id WHERE i.workspace_id = ?', [w.ws]));
  return new Map(rows.map((r) => [r.sku, Number(r.available)]));
}

export async function syncBench(opts: SyncBenchOptions, naiveConfig?: TruestockConfig): Promise<SyncBenchResult> {
  const samples: LagSample[] = [];
  const w = await seed(opts.config, opts.skus, samples, opts.emulator, opts.onPushed);
  try {
    w.ts.sync.start();
    // The initial numbers of every listing go out first; the bucket refills before the burst.
    while (!(await outboxEmpty(w))) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, (BUCKET / RESTORE_PER_SECOND) * 1000));
    samples.length = 0;
    const c0 = await w.shop.counters();
    opts.onPhase?.('burst');
    const t0 = performance.now();
    const allocated = allAllocated(w, opts.orders, t0);
    await burst(w, opts.orders, opts.seconds);
    const allocatedS = await allocated;
    await w.shop.flushWebhooks();
    // Converged: nothing queued, and every SKU's Shopify number equals the ledger's.
    const wrong = async () => {
      const ledger = await ledgerAvailableAll(w);
      const shown = await w.shop.levels(w.skus.map((sku) => w.inv.get(sku)!), w.loc);
      return w.skus.find((sku, i) => shown[i] !== ledger.get(sku)) ?? null;
    };
    for (;;) {
      if ((await outboxEmpty(w)) && (await wrong()) === null) break;
      if (performance.now() - t0 > 600_000) throw new Error(`not converged after 10 minutes (${await wrong()})`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const converged = (performance.now() - t0) / 1000;
    opts.onPhase?.('converged');
    const c = await w.shop.counters();
    const lags = samples.map((x) => x.lag).sort((a, b) => a - b);
    const lowering = samples.filter((x) => x.lowered).map((x) => x.lag).sort((a, b) => a - b);
    const result: SyncBenchResult = {
      store: opts.store, orders: opts.orders, seconds: opts.seconds, skus: opts.skus,
      deliveries: c.webhooksSent - c0.webhooksSent, duplicated: c.webhooksDuplicated - c0.webhooksDuplicated, reordered_pct: FAULTS.reorder * 100,
      allocated_s: allocatedS,
      lag_p50_ms: percentile(lags, 50), lag_p99_ms: percentile(lags, 99), lag_max_ms: lags.at(-1) ?? 0,
      lowering: { pushes: lowering.length, lag_p50_ms: percentile(lowering, 50), lag_p99_ms: percentile(lowering, 99) },
      api_lag_p99_ms: w.ts.sync.status(w.channel)?.lag_p99_ms ?? null,
      calls: c.mutations - c0.mutations, call_outcomes: w.ts.sync.status(w.channel)?.calls ?? {}, stale: w.ts.sync.status(w.channel)?.stale ?? 0, last_error: w.ts.sync.status(w.channel)?.last_error?.message ?? null,
      calls_per_order: (c.mutations - c0.mutations) / opts.orders, throttled: c.throttled, converged_s: converged,
    };
    if (opts.naive && naiveConfig) result.naive = await naivePeer(naiveConfig, opts);
    return result;
  } finally {
    await close(w);
  }
}

/**
 * The naive peer: the same webhooks in, but every allocated order is its own
 * `inventorySetQuantities` call, in allocation order, paced by the same token bucket (so it is
 * not throttled either), with no coalescing.
 */
async function naivePeer(config: TruestockConfig, opts: SyncBenchOptions): Promise<NonNullable<SyncBenchResult['naive']>> {
  // Its dispatcher is never started: the naive pusher below is the only one.
  const w = await seed(config, opts.skus, [], opts.emulator);
  try {
    const api = shopifyApi({ shop_domain: w.shop.shopDomain, access_token: w.shop.accessToken, api_url: w.shop.url });
    const connector = shopifyConnector(api, { shop_domain: w.shop.shopDomain, access_token: w.shop.accessToken });
    const bucket = new TokenBucket({ capacity: BUCKET, refillPerSecond: RESTORE_PER_SECOND }, Date.now());
    const queue: { sku: string; at: number }[] = [];
    const lags: number[] = [];
    let done = false;
    let pushes = 0;
    const calls0 = (await w.shop.counters()).mutations;
    const pusher = (async () => {
      while (!done || queue.length > 0) {
        const next = queue.shift();
        if (!next) {
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        const wait = bucket.waitFor(connector.pushCost(1), Date.now());
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        bucket.tryTake(connector.pushCost(1), Date.now());
        const quantity = await ledgerAvailable(w, next.sku);
        const res = await connector.push([{ listingId: next.sku, version: ++pushes, external: { inventory_item_id: w.inv.get(next.sku)!, location_id: w.loc }, quantity, expected: null }]);
        if (!res.ok) throw new Error(`naive push failed: ${res.message}`);
        if (res.budget) bucket.observe(res.budget, Date.now());
        lags.push(Date.now() - next.at);
      }
    })();
    const t0 = performance.now();
    const allocated = allAllocated(w, opts.orders, t0, (o) => queue.push({ sku: o.sku, at: o.at }));
    await burst(w, opts.orders, opts.seconds);
    const allocatedS = await allocated;
    done = true;
    await pusher;
    lags.sort((a, b) => a - b);
    const c = await w.shop.counters();
    return { calls: c.mutations - calls0, throttled: c.throttled, allocated_s: allocatedS, lag_p50_ms: percentile(lags, 50), lag_p99_ms: percentile(lags, 99), converged_s: (performance.now() - t0) / 1000 };
  } finally {
    await close(w);
  }
}

export function printSync(r: SyncBenchResult): void {
  // The floor: a push call costs 10 points of a bucket restored at 100/s, so beyond the bucket's
  // burst the channel takes 10 calls a second; one call carries up to 250 listings.
  const callsPerSecond = RESTORE_PER_SECOND / 10;
  console.log(
    `shopify sync ${r.store.padEnd(9)} ${fmt(r.orders)} orders in ${r.seconds} s over ${fmt(r.skus)} SKUs through ${fmt(r.deliveries)} signed webhooks (${fmt(r.duplicated)} duplicated, ${r.reordered_pct} % reordered): ` +
      `all allocated ${fmt(r.allocated_s, 1)} s after the first order; lag p50 ${fmt(r.lag_p50_ms)} ms, p99 ${fmt(r.lag_p99_ms)} ms (API: ${r.api_lag_p99_ms === null ? '—' : fmt(r.api_lag_p99_ms)} ms; max ${fmt(r.lag_max_ms)} ms; ` +
      `pushes that lowered the shop's number: ${fmt(r.lowering.pushes)}, lag p50 ${fmt(r.lowering.lag_p50_ms)} ms, p99 ${fmt(r.lowering.lag_p99_ms)} ms), ` +
      `${fmt(r.calls)} calls = ${fmt(r.calls_per_order, 3)} per order (${Object.entries(r.call_outcomes).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ')}; ${fmt(r.stale)} listings found stale${r.last_error ? `; last error: ${r.last_error}` : ''}), throttled ${r.throttled}, converged ${fmt(r.converged_s, 1)} s after the first order | floor: ${callsPerSecond} calls/s × 250 listings once the ${BUCKET}-point bucket is spent`,
  );
  if (r.naive) {
    console.log(
      `shopify sync ${r.store.padEnd(9)} naive (one call per allocated order): all allocated ${fmt(r.naive.allocated_s, 1)} s; ${fmt(r.naive.calls)} calls, throttled ${r.naive.throttled}, lag p50 ${fmt(r.naive.lag_p50_ms)} ms, p99 ${fmt(r.naive.lag_p99_ms)} ms, converged ${fmt(r.naive.converged_s, 1)} s ` +
        `= p99 ${fmt(r.naive.lag_p99_ms / r.lag_p99_ms)}× ours, ${fmt(r.naive.calls / Math.max(1, r.calls))}× the calls`,
    );
  }
}

// Run alone: `npx tsx bench/shopify-sync.ts [--store sqlite|postgres] [--orders N] [--seconds S] [--no-naive] [--in-process]`
// (postgres: a durable embedded server started here, as `npm run bench` does).
if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, d: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : d);
  const store = process.argv.includes('--store') && process.argv[process.argv.indexOf('--store') + 1] === 'postgres' ? 'postgres' : 'sqlite';
  const tmp = mkdtempSync(join(os.tmpdir(), 'truestock-sync-bench-'));
  const { startEmbeddedPostgres } = await import('../test/support/pg-server.ts');
  const server = store === 'postgres' ? await startEmbeddedPostgres({ durable: true }) : null;
  let n = 0;
  const config = async (): Promise<TruestockConfig> => {
    if (!server) return { sqlitePath: join(tmp, `${++n}.db`) };
    const pg = (await import('pg')).default;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    const name = `sync_bench_${process.pid}_${++n}`;
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(server.url);
    u.pathname = `/${name}`;
    return { databaseUrl: u.toString() };
  };
  try {
    const opts = {
      store, config: await config(), orders: arg('--orders', 2_000), seconds: arg('--seconds', 10), skus: arg('--skus', 500), naive: !process.argv.includes('--no-naive'),
      emulator: process.argv.includes('--in-process') ? 'in-process' : 'process',
    } as const;
    printSync(await syncBench(opts, await config()));
  } finally {
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
