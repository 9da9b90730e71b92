// Shopify sync benchmark (issue 5): a burst of orders from another channel (2,000 in 10 s over
// 500 SKUs) changes the Shopify listings; the dispatcher pushes them to the Shopify emulator at
// standard-plan limits (bucket 1,000 points, 100 restored per second). Measured:
//   - p50/p99 propagation lag per listing, ledger commit → Shopify acknowledged (from the oldest
//     change not yet pushed, so coalesced changes count from their first commit);
//   - channel calls per order (coalescing) and rate-limit violations (THROTTLED answers, must be 0);
//   - the floor the rate limit itself imposes, written down from the numbers;
//   - the naive peer in the same run: one call per change, no coalescing, same rate limit.
//
// `syncBench(opts)` is what bench/run.ts calls; run alone: `npx tsx bench/shopify-sync.ts`.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startShopifyEmulator, type ShopifyEmulator } from '../emulators/shopify/index.ts';
import { createWorkspace } from '../src/app/access.ts';
import { createItem, createLocation } from '../src/app/catalog.ts';
import { createChannel } from '../src/app/channels.ts';
import { createListing } from '../src/app/listings.ts';
import { Truestock, type TruestockConfig } from '../src/app/truestock.ts';
import { shopifyApi } from '../src/channels/shopify/client.ts';
import { shopifyConnector } from '../src/channels/shopify/push.ts';
import { TokenBucket } from '../src/sync/limiter.ts';
import { fmt, percentile } from './workload.ts';

export interface SyncBenchOptions {
  store: 'sqlite' | 'postgres';
  config: TruestockConfig;
  orders: number;
  seconds: number;
  skus: number;
  /** Run the naive peer too (it is slow by design: one call per change). */
  naive: boolean;
}

export interface SyncBenchResult {
  store: string;
  orders: number;
  seconds: number;
  skus: number;
  lag_p50_ms: number;
  lag_p99_ms: number;
  lag_max_ms: number;
  calls: number;
  calls_per_order: number;
  throttled: number;
  converged_s: number;
  naive?: { calls: number; throttled: number; lag_p50_ms: number; lag_p99_ms: number; converged_s: number };
}

const BUCKET = 1_000;
const RESTORE_PER_SECOND = 100;

interface World {
  ts: Truestock;
  shop: ShopifyEmulator;
  ws: string;
  channel: string;
  skus: string[];
  loc: string;
  inv: Map<string, string>;
}

async function seed(config: TruestockConfig, skus: number, lags: number[]): Promise<World> {
  const shop = await startShopifyEmulator({ bucketSize: BUCKET, restoreRate: RESTORE_PER_SECOND });
  const loc = shop.addLocation('Warehouse').id;
  // Lags come from the dispatcher's own events (the same numbers the metrics and status use).
  const ts = await Truestock.open({ ...config, sync: { idleMs: 20, events: { onPushed: (_, lag) => lags.push(lag) } } });
  const { workspace } = await createWorkspace(ts.store, ts.clock, `sync-bench-${Math.random()}`);
  const ws = workspace.id;
  const names = Array.from({ length: skus }, (_, i) => `S${String(i).padStart(4, '0')}`);
  const inv = new Map<string, string>();
  for (const sku of names) inv.set(sku, shop.addItem({ sku, levels: { [loc]: 0 } }).inventoryItemId);
  const channel = await ts.store.transaction(async (db) => {
    const now = ts.clock.now();
    await createLocation(db, ws, { code: 'W1', name: 'W1', kind: 'warehouse' }, now);
    for (const sku of names) await createItem(db, ws, { sku, name: sku }, now);
    for (const name of ['pos']) await createChannel(db, ws, { kind: 'custom', name }, now);
    const made = await createChannel(db, ws, {
      kind: 'shopify', name: 'shopify',
      settings: { shop_domain: shop.shopDomain, access_token: shop.accessToken, api_url: shop.url, locations: { [loc]: 'W1' }, bucket_size: BUCKET, restore_rate: RESTORE_PER_SECOND },
    }, now);
    if ('code' in made) throw new Error(made.detail);
    const id = (made.body.channel as { id: string }).id;
    for (const sku of names) await createListing(db, ws, { channel: id, sku, external: { inventory_item_id: inv.get(sku)!, location_id: loc } }, now);
    return id;
  });
  for (const sku of names) {
    const r = await ts.ledger.execute({ workspaceId: ws, idempotencyKey: `seed-${sku}`, actor: 'bench', command: { type: 'receive', sku, location: 'W1', quantity: 1_000 } });
    if (!r.ok) throw new Error(r.refusal.detail);
  }
  return { ts, shop, ws, channel, skus: names, loc, inv };
}

/** Orders at an even pace from the POS channel, each for one random SKU. Resolves with each order's commit time. */
async function burst(w: World, orders: number, seconds: number, onCommit?: (sku: string, at: number) => void): Promise<void> {
  const pos = (await w.ts.store.read((db) => db.get<{ id: string }>("SELECT id FROM channels WHERE workspace_id = ? AND name = 'pos'", [w.ws])))!.id;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < orders; i++) {
    const due = start + (i * seconds * 1000) / orders;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const sku = w.skus[(i * 7919) % w.skus.length]!;
    pending.push(w.ts.ledger.execute({ workspaceId: w.ws, idempotencyKey: `order-${i}`, actor: 'bench', command: { type: 'allocate_order', lines: [{ sku, quantity: 1, location: 'W1' }], order_reference: `POS-${i}`, channel: pos } })
      .then((r) => {
        if (!r.ok) throw new Error(r.refusal.detail);
        onCommit?.(sku, Date.now());
      }));
  }
  await Promise.all(pending);
}

async function outboxEmpty(w: World): Promise<boolean> {
  const r = await w.ts.store.read((db) => db.get<{ n: number }>('SELECT COUNT(*) AS n FROM channel_outbox WHERE channel_id = ?', [w.channel]));
  return Number(r!.n) === 0;
}

export async function syncBench(opts: SyncBenchOptions, naiveConfig?: TruestockConfig): Promise<SyncBenchResult> {
  const lags: number[] = [];
  const w = await seed(opts.config, opts.skus, lags);
  try {
    w.ts.sync.start();
    // The initial numbers of every listing go out first; the bucket refills before the burst.
    while (!(await outboxEmpty(w))) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, (BUCKET / RESTORE_PER_SECOND) * 1000));
    lags.length = 0;
    const calls0 = w.shop.counters().mutations;
    const t0 = performance.now();
    await burst(w, opts.orders, opts.seconds);
    while (!(await outboxEmpty(w))) await new Promise((r) => setTimeout(r, 20));
    const converged = (performance.now() - t0) / 1000;
    const calls = w.shop.counters().mutations - calls0;
    // Every SKU's Shopify number equals the ledger's.
    for (const sku of w.skus) {
      const shown = w.shop.level(w.inv.get(sku)!, w.loc)!.available;
      const stock = await w.ts.store.read((db) => db.get<{ available: number }>('SELECT sl.available FROM stock_levels sl JOIN items i ON i.id = sl.item_id WHERE i.workspace_id = ? AND i.sku = ?', [w.ws, sku]));
      if (shown !== Number(stock!.available)) throw new Error(`${sku}: Shopify shows ${shown}, the ledger has ${stock!.available} available`);
    }
    lags.sort((a, b) => a - b);
    const result: SyncBenchResult = {
      store: opts.store, orders: opts.orders, seconds: opts.seconds, skus: opts.skus,
      lag_p50_ms: percentile(lags, 50), lag_p99_ms: percentile(lags, 99), lag_max_ms: lags.at(-1) ?? 0,
      calls, calls_per_order: calls / opts.orders, throttled: w.shop.counters().throttled, converged_s: converged,
    };
    if (opts.naive && naiveConfig) result.naive = await naivePeer(naiveConfig, opts);
    return result;
  } finally {
    await w.ts.close();
    await w.shop.close();
  }
}

/**
 * The naive peer: every committed change is its own `inventorySetQuantities` call, in commit
 * order, paced by the same token bucket (so it is not throttled either), with no coalescing.
 */
async function naivePeer(config: TruestockConfig, opts: SyncBenchOptions): Promise<NonNullable<SyncBenchResult['naive']>> {
  // Its dispatcher is never started: the naive pusher below is the only one.
  const w = await seed(config, opts.skus, []);
  try {
    const api = shopifyApi({ shop_domain: w.shop.shopDomain, access_token: w.shop.accessToken, api_url: w.shop.url });
    const connector = shopifyConnector(api, { shop_domain: w.shop.shopDomain, access_token: w.shop.accessToken });
    const bucket = new TokenBucket({ capacity: BUCKET, refillPerSecond: RESTORE_PER_SECOND }, Date.now());
    const queue: { sku: string; at: number }[] = [];
    const lags: number[] = [];
    let done = false;
    let pushes = 0;
    const calls0 = w.shop.counters().mutations;
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
        const stock = await w.ts.store.read((db) => db.get<{ available: number }>('SELECT sl.available FROM stock_levels sl JOIN items i ON i.id = sl.item_id WHERE i.workspace_id = ? AND i.sku = ?', [w.ws, next.sku]));
        const res = await connector.push([{ listingId: next.sku, version: ++pushes, external: { inventory_item_id: w.inv.get(next.sku)!, location_id: w.loc }, quantity: Number(stock!.available), expected: null }]);
        if (!res.ok) throw new Error(`naive push failed: ${res.message}`);
        if (res.budget) bucket.observe(res.budget, Date.now());
        lags.push(Date.now() - next.at);
      }
    })();
    const t0 = performance.now();
    await burst(w, opts.orders, opts.seconds, (sku, at) => queue.push({ sku, at }));
    done = true;
    await pusher;
    lags.sort((a, b) => a - b);
    return { calls: w.shop.counters().mutations - calls0, throttled: w.shop.counters().throttled, lag_p50_ms: percentile(lags, 50), lag_p99_ms: percentile(lags, 99), converged_s: (performance.now() - t0) / 1000 };
  } finally {
    await w.ts.close();
    await w.shop.close();
  }
}

export function printSync(r: SyncBenchResult): void {
  // The floor: a push call costs 10 points of a bucket restored at 100/s, so beyond the bucket's
  // burst the channel takes 10 calls a second; one call carries up to 250 listings.
  const callsPerSecond = RESTORE_PER_SECOND / 10;
  console.log(
    `shopify sync ${r.store.padEnd(9)} ${fmt(r.orders)} orders in ${r.seconds} s over ${fmt(r.skus)} SKUs: lag p50 ${fmt(r.lag_p50_ms)} ms, p99 ${fmt(r.lag_p99_ms)} ms (max ${fmt(r.lag_max_ms)} ms), ` +
      `${fmt(r.calls)} calls = ${fmt(r.calls_per_order, 3)} per order, throttled ${r.throttled}, converged ${fmt(r.converged_s, 1)} s after the first order | floor: ${callsPerSecond} calls/s × 250 listings once the ${BUCKET}-point bucket is spent`,
  );
  if (r.naive) {
    console.log(
      `shopify sync ${r.store.padEnd(9)} naive (one call per change): ${fmt(r.naive.calls)} calls, throttled ${r.naive.throttled}, lag p50 ${fmt(r.naive.lag_p50_ms)} ms, p99 ${fmt(r.naive.lag_p99_ms)} ms, converged ${fmt(r.naive.converged_s, 1)} s ` +
        `= p99 ${fmt(r.naive.lag_p99_ms / r.lag_p99_ms)}× ours, ${fmt(r.naive.calls / Math.max(1, r.calls))}× the calls`,
    );
  }
}

// Run alone: `npx tsx bench/shopify-sync.ts [--orders N] [--seconds S] [--no-naive]`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, d: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : d);
  const tmp = mkdtempSync(join(os.tmpdir(), 'truestock-sync-bench-'));
  try {
    const opts = { store: 'sqlite' as const, config: { sqlitePath: join(tmp, 'a.db') }, orders: arg('--orders', 2_000), seconds: arg('--seconds', 10), skus: arg('--skus', 500), naive: !process.argv.includes('--no-naive') };
    printSync(await syncBench(opts, { sqlitePath: join(tmp, 'b.db') }));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
