// Three-channel sync benchmark (issue 11): a flash sale of 2,000 orders in 10 s over 500 SKUs,
// spread evenly over two Shopify shops and one Amazon seller that all sell one shared catalog
// from one warehouse, so every order on one channel lowers the numbers on the other two. Every
// order is placed *on its channel's emulator* and reaches truestock the real way in:
//   - the shops send signed webhooks over HTTP (10 % duplicated, 10 % reordered, as
//     bench/shopify-sync.ts does), at standard-plan limits (1,000-point bucket, 100 points/s);
//   - Amazon's merchant-fulfilled orders come through the poll of `searchOrders` (Orders API
//     2026-01-01) at the platform's shortest interval (`poll_seconds` 5), within Amazon's documented
//     usage plan (20 calls, then one per 180 s) — variant `poll`; or, variant `relay`, through
//     ORDER_CHANGE notifications relayed to the channel's webhook route (10 % duplicated, 10 %
//     reordered), with the poll at its default interval as the safety net.
// The dispatcher pushes the new numbers to all three: Shopify's acknowledged by its answer,
// Amazon's only when a read-back (a patch) or the processing report (a JSON_LISTINGS_FEED) shows
// them, so Amazon's lag includes its processing delay, which is the emulator's setting
// (`DELAYS`, on real time). Every operation runs at Amazon's documented usage plan.
//
// Measured per channel: order-in delay (placed on the emulator → recorded allocated), push lag
// p50/p99 (ledger change → channel acknowledged, the dispatcher's own samples), channel calls per
// order by operation, throttled answers (must be 0); over the run: every order recorded and
// allocated once, oversold units (must be 0: no SKU runs out), and every channel's numbers equal
// to the ledger's at the end. Beside them the floor Amazon's documented limits impose and the
// measured/floor ratios (`floors()`, written down in BENCHMARKS.md too).
//
// `channelsBench(opts)` is what bench/run.ts calls (`--only channels`); alone:
// `npx tsx bench/channels-sync.ts [--store sqlite|postgres] [--variant poll|relay] [--orders N] [--seconds S] [--skus N]`.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { type AmazonEmulator, DEFAULT_USAGE_PLANS, startAmazonEmulator } from '../emulators/amazon/index.ts';
import { startShopifyEmulator, type ShopifyEmulator } from '../emulators/shopify/index.ts';
import { createWorkspace } from '../src/app/access.ts';
import { createItem, createLocation } from '../src/app/catalog.ts';
import { createChannel } from '../src/app/channels.ts';
import { createListing } from '../src/app/listings.ts';
import { Truestock, type TruestockConfig } from '../src/app/truestock.ts';
import { AMAZON_FEED_WORTH_SECONDS, AMAZON_SUBMISSION_POLL_MS } from '../src/channels/amazon/push.ts';
import { POLL_SECONDS_MIN, PollScheduler } from '../src/channels/poll-scheduler.ts';
import { startServer } from '../src/http/server.ts';
import { fmt, percentile } from './workload.ts';

export type Variant = 'poll' | 'relay';

export interface ChannelsBenchOptions {
  store: 'sqlite' | 'postgres';
  config: TruestockConfig;
  variant: Variant;
  orders: number;
  seconds: number;
  skus: number;
}

export interface ChannelFigures {
  name: string;
  orders: number;
  /** Orders recorded allocated (each once: channel_orders is keyed by the channel's order id). */
  allocated: number;
  order_in_p50_ms: number;
  order_in_p99_ms: number;
  lag_samples: number;
  lag_p50_ms: number;
  lag_p99_ms: number;
  lag_max_ms: number;
  /** Channel calls during the burst and until convergence, by operation. */
  calls: Record<string, number>;
  /** Throttled answers since the emulator started (the first numbers' pushes included), and by operation. */
  throttled: number;
  throttled_by: Record<string, number>;
}

export interface ChannelsBenchResult {
  store: string;
  variant: Variant;
  orders: number;
  seconds: number;
  skus: number;
  delays: typeof DELAYS;
  channels: ChannelFigures[];
  /** Allocated orders in the ledger (holds), oversold units among them. */
  allocated_holds: number;
  oversold_units: number;
  /** Seconds from the first order until every order is allocated / every channel shows the ledger's number (null: not within the settle time). */
  allocated_s: number;
  converged_s: number | null;
  /** At the end: rows still queued, listing versions still awaiting Amazon's processing, listings whose number is wrong, per channel. */
  left: { queued: number; submitted: number; wrong: Record<string, number> };
  /** Feeds and patches Amazon received during the run. */
  amazon_feeds: number;
  amazon_patches: number;
}

/** Amazon's processing on the emulator, real time: its defaults (patch 5 s; feed 10 s queued + 30 s processing). */
export const DELAYS = { listingProcessingMs: 5_000, feedQueueMs: 10_000, feedProcessingMs: 30_000 };
const BUCKET = 1_000;
const RESTORE_PER_SECOND = 100;
/** Units of each SKU in the warehouse, and what each channel shows at the start: the burst never runs one out. */
const STOCK_EACH = 1_000;
const FAULTS = { duplicate: 0.1, reorder: 0.1 };
const RELAY_SECRET = 'bench-relay-secret';
const CONVERGE_MAX_MS = 900_000;
/**
 * How long after the last allocation the run waits for every channel to show the ledger's number.
 * Beyond it the run reports what is left rather than waiting: an Amazon patch whose read-back
 * never shows its number is only given up on after AMAZON_PATCH_APPLY_MS (15 min).
 */
const SETTLE_MAX_MS = 240_000;
const hookPath = (channelId: string) => `/v1/channels/${channelId}/webhooks`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
/** Where a run stands, on stderr (a full run takes minutes). */
const progress = (what: string) => process.stderr.write(`[channels-bench +${fmt((Date.now() - started) / 1000, 1)} s] ${what}\n`);

interface Shop {
  name: string;
  emu: ShopifyEmulator;
  channel: string;
  loc: string;
  inv: Map<string, string>;
}

interface World {
  ts: Truestock;
  server: { url: string; close(): Promise<void> };
  poller: PollScheduler;
  ws: string;
  skus: string[];
  shops: Shop[];
  amazon: AmazonEmulator;
  amazonChannel: string;
  lags: Map<string, number[]>;
}

async function seed(opts: ChannelsBenchOptions): Promise<World> {
  const lags = new Map<string, number[]>();
  const ts = await Truestock.open({ ...opts.config, sync: { idleMs: 20, events: { onPushed: (channel, lag) => lags.get(channel)?.push(lag) } } });
  const server = await startServer({ truestock: ts, host: '127.0.0.1', port: 0, logger: false });
  const { workspace } = await createWorkspace(ts.store, ts.clock, `channels-bench-${Math.random()}`);
  const ws = workspace.id;
  const skus = Array.from({ length: opts.skus }, (_, i) => `S${String(i).padStart(4, '0')}`);
  await ts.store.transaction(async (db) => {
    const now = ts.clock.now();
    await createLocation(db, ws, { code: 'W1', name: 'W1', kind: 'warehouse' }, now);
    for (const sku of skus) await createItem(db, ws, { sku, name: sku }, now);
  });
  const channel = async (kind: string, name: string, settings: Record<string, unknown>, external: (sku: string) => Record<string, string>) =>
    ts.store.transaction(async (db) => {
      const now = ts.clock.now();
      const made = await createChannel(db, ws, { kind, name, settings }, now);
      if ('code' in made) throw new Error(made.detail);
      const id = (made.body.channel as { id: string }).id;
      for (const sku of skus) {
        const l = await createListing(db, ws, { channel: id, sku, external: external(sku) }, now);
        if ('code' in l) throw new Error(l.detail);
      }
      lags.set(id, []);
      return id;
    });

  const shops: Shop[] = [];
  for (const name of ['shop-a', 'shop-b']) {
    const emu = await startShopifyEmulator({ shop: `${name}-${Math.random().toString(36).slice(2, 8)}`, bucketSize: BUCKET, restoreRate: RESTORE_PER_SECOND, webhookRetry: { attempts: 8, baseDelayMs: 1_000 } });
    const loc = emu.addLocation('Warehouse').id;
    const inv = new Map<string, string>();
    for (const sku of skus) inv.set(sku, emu.addItem({ sku, levels: { [loc]: STOCK_EACH } }).inventoryItemId);
    const id = await channel('shopify', name, {
      shop_domain: emu.shopDomain, access_token: emu.accessToken, webhook_secret: emu.clientSecret, api_url: emu.url,
      locations: { [loc]: 'W1' }, bucket_size: BUCKET, restore_rate: RESTORE_PER_SECOND,
    }, (sku) => ({ inventory_item_id: inv.get(sku)!, location_id: loc }));
    emu.subscribe(`${server.url}${hookPath(id)}`);
    emu.setFaults({ ...FAULTS, drop: 0, delayMs: [0, 0] });
    shops.push({ name, emu, channel: id, loc, inv });
  }

  const amazon = await startAmazonEmulator(DELAYS);
  const market = amazon.marketplaceIds[0]!;
  for (const sku of skus) amazon.addListing({ sku, quantity: STOCK_EACH });
  const amazonChannel = await channel('amazon', 'amazon', {
    seller_id: amazon.sellerId, client_id: amazon.clientId, client_secret: amazon.clientSecret, refresh_token: amazon.refreshToken,
    endpoint: amazon.url, lwa_url: `${amazon.url}/auth/o2/token`, product_type: 'PRODUCT', locations: { [market]: 'W1' },
    // poll: the shortest interval the platform allows; relay: the kind's default (the poll is the safety net).
    ...(opts.variant === 'poll' ? { poll_seconds: POLL_SECONDS_MIN } : { notification_secret: RELAY_SECRET }),
  }, (sku) => ({ seller_sku: sku, marketplace_id: market }));
  if (opts.variant === 'relay') {
    amazon.configureNotifications(`${server.url}${hookPath(amazonChannel)}`, RELAY_SECRET);
    amazon.setNotificationFaults({ ...FAULTS, drop: 0 });
  }

  for (const sku of skus) {
    const r = await ts.ledger.execute({ workspaceId: ws, idempotencyKey: `seed-${sku}`, actor: 'bench', command: { type: 'receive', sku, location: 'W1', quantity: STOCK_EACH } });
    if (!r.ok) throw new Error(r.refusal.detail);
  }
  return { ts, server, poller: new PollScheduler(ts), ws, skus, shops, amazon, amazonChannel, lags };
}

async function close(w: World): Promise<void> {
  await w.poller.stop();
  await w.ts.sync.stop();
  for (const s of w.shops) await s.emu.close();
  await w.amazon.close();
  await w.server.close();
  await w.ts.close();
}

const count = async (w: World, sql: string, params: string[]) => Number((await w.ts.store.read((db) => db.get<{ n: number | string }>(sql, params)))!.n);
const pending = (w: World) =>
  count(w, 'SELECT (SELECT COUNT(*) FROM channel_outbox WHERE workspace_id = ?) + (SELECT COUNT(*) FROM channel_submissions WHERE workspace_id = ?) AS n', [w.ws, w.ws]);

async function ledgerAvailable(w: World): Promise<Map<string, number>> {
  const rows = await w.ts.store.read((db) => db.all<{ sku: string; available: number | string }>('SELECT i.sku, sl.available FROM stock_levels sl JOIN items i ON i.id = sl.item_id WHERE i.workspace_id = ?', [w.ws]));
  return new Map(rows.map((r) => [r.sku, Number(r.available)]));
}

async function leftOver(w: World): Promise<ChannelsBenchResult['left']> {
  const ledger = await ledgerAvailable(w);
  const wrongBy: Record<string, number> = {};
  for (const sku of w.skus) {
    const want = ledger.get(sku);
    for (const s of w.shops) if (s.emu.level(s.inv.get(sku)!, s.loc)!.available !== want) wrongBy[s.name] = (wrongBy[s.name] ?? 0) + 1;
    if (w.amazon.quantity(sku) !== want) wrongBy.amazon = (wrongBy.amazon ?? 0) + 1;
  }
  return {
    queued: await count(w, 'SELECT COUNT(*) AS n FROM channel_outbox WHERE workspace_id = ?', [w.ws]),
    submitted: await count(w, 'SELECT COUNT(*) AS n FROM channel_submissions WHERE workspace_id = ?', [w.ws]),
    wrong: wrongBy,
  };
}

/** The first SKU whose number on some channel differs from the ledger's, or null. */
async function wrong(w: World): Promise<string | null> {
  const ledger = await ledgerAvailable(w);
  for (const sku of w.skus) {
    const want = ledger.get(sku);
    for (const s of w.shops) if (s.emu.level(s.inv.get(sku)!, s.loc)!.available !== want) return `${s.name} ${sku}`;
    if (w.amazon.quantity(sku) !== want) return `amazon ${sku}`;
  }
  return null;
}

/** Amazon's SP-API calls by operation (LWA token calls are not SP-API operations and are left out). */
function amazonCalls(a: AmazonEmulator, what: 'calls' | 'throttled' = 'calls'): Record<string, number> {
  const ops = a.counters().operations as Record<string, { calls: number; throttled: number }>;
  return Object.fromEntries(Object.entries(ops).map(([op, c]) => [op, c[what]]).filter(([, n]) => (n as number) > 0));
}

function shopCalls(s: ShopifyEmulator): Record<string, number> {
  const c = s.counters();
  return { mutations: c.mutations, queries: c.requests - c.mutations };
}

const minus = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]).filter(([, v]) => (v as number) > 0));
const tail = (id: string) => id.slice(id.lastIndexOf('/') + 1);

export async function channelsBench(opts: ChannelsBenchOptions): Promise<ChannelsBenchResult> {
  const w = await seed(opts);
  try {
    progress(`seeded ${opts.store}, ${opts.variant}`);
    w.ts.sync.start();
    // The poll draws on the dispatcher's budgets: they must exist first (a spend on a channel the
    // dispatcher has not loaded yet is not counted, and Amazon's searchOrders burst is 20 calls).
    await w.ts.sync.refresh(true);
    w.poller.start();
    // Every listing's first number goes out (Amazon's as one feed, applied after its processing
    // delay); then the shops' buckets refill before the burst.
    for (const end = Date.now() + CONVERGE_MAX_MS; (await pending(w)) > 0; await sleep(200)) if (Date.now() > end) throw new Error('the first numbers never went out');
    progress('first numbers out');
    await sleep((BUCKET / RESTORE_PER_SECOND) * 1000);
    for (const l of w.lags.values()) l.length = 0;
    const c0 = { shops: w.shops.map((s) => shopCalls(s.emu)), amazon: amazonCalls(w.amazon), amazonCounters: w.amazon.counters() };

    // The burst: order i on channel i mod 3, one unit of SKU (i × 7919) mod skus, at an even pace.
    const placed = new Map<string, Map<string, number>>([...w.shops.map((s) => [s.channel, new Map<string, number>()] as const), [w.amazonChannel, new Map<string, number>()]]);
    const t0 = Date.now();
    for (let i = 0; i < opts.orders; i++) {
      const wait = t0 + (i * opts.seconds * 1000) / opts.orders - Date.now();
      if (wait > 1) await sleep(wait);
      const sku = w.skus[(i * 7919) % w.skus.length]!;
      const on = i % 3;
      if (on < 2) {
        const s = w.shops[on]!;
        placed.get(s.channel)!.set(tail(s.emu.placeOrder({ lines: [{ sku, quantity: 1 }] }).id), Date.now());
      } else {
        // Merchant-fulfilled, payment confirmed: an allocation (a PENDING order would be a hold).
        placed.get(w.amazonChannel)!.set(w.amazon.placeOrder({ lines: [{ sku, quantity: 1 }], status: 'UNSHIPPED' }).orderId, Date.now());
      }
    }
    const allocatedSql = "SELECT COUNT(*) AS n FROM channel_orders WHERE workspace_id = ? AND ledger_state = 'allocated'";
    for (;;) {
      if ((await count(w, allocatedSql, [w.ws])) >= opts.orders) break;
      if (Date.now() - t0 > CONVERGE_MAX_MS) throw new Error(`not all allocated after ${CONVERGE_MAX_MS / 1000} s`);
      await sleep(50);
    }
    const allocatedS = (Date.now() - t0) / 1000;
    progress(`burst placed and allocated (${fmt(allocatedS, 1)} s)`);
    // Converged: nothing queued or awaiting Amazon's processing, every channel showing the ledger's
    // number. Bounded: what is still wrong after SETTLE_MAX_MS is reported, not waited out.
    let convergedS: number | null = null;
    for (let n = 1; ; n++) {
      if ((await pending(w)) === 0 && (await wrong(w)) === null) {
        convergedS = (Date.now() - t0) / 1000;
        break;
      }
      if (Date.now() - t0 > allocatedS * 1000 + SETTLE_MAX_MS) break;
      if (n % 300 === 0) progress(`converging: ${await pending(w)} rows queued or submitted, first wrong: ${await wrong(w)}`);
      await sleep(100);
    }
    progress(convergedS === null ? `not converged ${SETTLE_MAX_MS / 1000} s after the last allocation` : `converged (${fmt(convergedS, 1)} s)`);
    const left = await leftOver(w);
    const recorded = await w.ts.store.read((db) => db.all<{ channel_id: string; external_order_id: string; created_at: number | string; ledger_state: string | null }>(
      'SELECT channel_id, external_order_id, created_at, ledger_state FROM channel_orders WHERE workspace_id = ?', [w.ws]));
    const figures = (name: string, channel: string, calls: Record<string, number>, throttled: number, throttledBy: Record<string, number> = {}): ChannelFigures => {
      const mine = recorded.filter((r) => r.channel_id === channel);
      const times = placed.get(channel)!;
      const delays = mine.map((r) => Number(r.created_at) - (times.get(tail(r.external_order_id)) ?? NaN)).filter(Number.isFinite).sort((a, b) => a - b);
      const lags = [...(w.lags.get(channel) ?? [])].sort((a, b) => a - b);
      return {
        name, orders: times.size, allocated: mine.filter((r) => r.ledger_state === 'allocated').length,
        order_in_p50_ms: percentile(delays, 50), order_in_p99_ms: percentile(delays, 99),
        lag_samples: lags.length, lag_p50_ms: percentile(lags, 50), lag_p99_ms: percentile(lags, 99), lag_max_ms: lags.at(-1) ?? 0,
        calls, throttled, throttled_by: throttledBy,
      };
    };
    const channels = [
      ...w.shops.map((s, k) => figures(s.name, s.channel, minus(shopCalls(s.emu), c0.shops[k]!), s.emu.counters().throttled)),
      figures('amazon', w.amazonChannel, minus(amazonCalls(w.amazon), c0.amazon), w.amazon.counters().throttled, amazonCalls(w.amazon, 'throttled')),
    ];
    const holds = await w.ts.store.read((db) => db.get<{ n: number | string; oversold: number | string | null }>(
      "SELECT COUNT(DISTINCT h.id) AS n, SUM(l.oversold) AS oversold FROM holds h JOIN hold_lines l ON l.hold_id = h.id WHERE h.workspace_id = ? AND h.state = 'allocated'", [w.ws]));
    const ac = w.amazon.counters();
    return {
      store: opts.store, variant: opts.variant, orders: opts.orders, seconds: opts.seconds, skus: opts.skus, delays: DELAYS, channels,
      allocated_holds: Number(holds!.n), oversold_units: Number(holds!.oversold ?? 0),
      allocated_s: allocatedS, converged_s: convergedS, left,
      amazon_feeds: ac.feedsCreated - c0.amazonCounters.feedsCreated, amazon_patches: ac.patchesAccepted - c0.amazonCounters.patchesAccepted,
    };
  } finally {
    await close(w);
  }
}

/**
 * What Amazon's documented usage plans (and the emulator's processing delays) allow at best for
 * this burst, written down from the numbers:
 *   - order-in, poll: `searchOrders` is 0.0056 calls/s with a burst of 20, 100 orders a call. The
 *     burst's Amazon orders need ceil(n / 100) calls — within the 20-call burst up to 2,000
 *     orders; beyond it one call (100 orders) per 180 s, 0.56 orders/s sustained. With calls to
 *     spare, an order waits at worst one poll interval (5 s, the platform's shortest): the floor of
 *     the p99 order-in delay is that interval.
 *   - order-in, relay: no SP-API budget at all; the floor is the relay's delivery (≈ 0).
 *   - push: L listings changed on Amazon. By patches, `patchListingsItem` 5/s burst 5: (L − 5)/5 s
 *     to send, plus the listing processing delay, plus a read-back (`getListingsItem` 5/s burst
 *     10). By one JSON_LISTINGS_FEED (`createFeed` 0.0083/s = one per 120 s, burst 15;
 *     `createFeedDocument` 0.5/s burst 15; `getFeedDocument` 0.0222/s = one per 45 s, burst 10):
 *     one feed carries every listing, so the floor is the feed's queue + processing delay; then
 *     15 feeds in a burst, one per 120 s after. Floor of the push lag: min(patches, one feed).
 */
export function floors(r: ChannelsBenchResult): { orderInMs: number; orderCalls: number; pushMs: number; patchesMs: number; feedMs: number } {
  const amazonOrders = r.channels.find((c) => c.name === 'amazon')!.orders;
  const plan = DEFAULT_USAGE_PLANS;
  const orderCalls = Math.ceil(amazonOrders / 100);
  const beyondBurst = Math.max(0, orderCalls - plan.searchOrders.burst);
  const orderInMs = r.variant === 'relay' ? 0 : POLL_SECONDS_MIN * 1000 + (beyondBurst * 1000) / plan.searchOrders.rate;
  const listings = r.skus;
  const patchesMs = (Math.max(0, listings - plan.patchListingsItem.burst) / plan.patchListingsItem.rate) * 1000 + r.delays.listingProcessingMs;
  const feedMs = r.delays.feedQueueMs + r.delays.feedProcessingMs;
  return { orderInMs, orderCalls, pushMs: Math.min(patchesMs, feedMs), patchesMs, feedMs };
}

const s1 = (ms: number) => `${fmt(ms / 1000, 1)} s`;

export function printChannels(r: ChannelsBenchResult): void {
  const f = floors(r);
  console.log(
    `channels ${r.store.padEnd(9)} ${r.variant.padEnd(5)} ${fmt(r.orders)} orders in ${r.seconds} s over ${fmt(r.skus)} SKUs (2 shops + Amazon): ` +
      `all allocated ${fmt(r.allocated_s, 1)} s after the first order (${fmt(r.allocated_holds)} allocations, oversold ${r.oversold_units}); ${r.converged_s === null ? `NOT converged ${SETTLE_MAX_MS / 1000} s after the last allocation (left: ${r.left.queued} queued, ${r.left.submitted} awaiting Amazon, wrong: ${JSON.stringify(r.left.wrong)})` : `every channel right ${fmt(r.converged_s, 1)} s`}; ` +
      `Amazon ${r.amazon_feeds} feeds, ${r.amazon_patches} patches (processing: patch ${s1(r.delays.listingProcessingMs)}, feed ${s1(r.delays.feedQueueMs)} + ${s1(r.delays.feedProcessingMs)})`,
  );
  for (const c of r.channels) {
    const calls = Object.entries(c.calls).map(([op, n]) => `${op} ${fmt(n)} (${fmt(n / r.orders, 3)}/order)`).join(', ');
    const floor = c.name === 'amazon' ? ` | floor: order-in ${f.orderInMs === 0 ? 'none (no SP-API budget on the relay)' : `${s1(f.orderInMs)} (×${fmt(c.order_in_p99_ms / f.orderInMs, 1)} at p99)`}, push ${s1(f.pushMs)} (×${fmt(c.lag_p50_ms / f.pushMs, 1)} at p50, ×${fmt(c.lag_p99_ms / f.pushMs, 1)} at p99)` : '';
    console.log(
      `  ${c.name.padEnd(7)} orders ${fmt(c.orders)}, allocated ${fmt(c.allocated)}; order-in p50 ${s1(c.order_in_p50_ms)}, p99 ${s1(c.order_in_p99_ms)}; ` +
        `push lag p50 ${s1(c.lag_p50_ms)}, p99 ${s1(c.lag_p99_ms)}, max ${s1(c.lag_max_ms)} (${fmt(c.lag_samples)} acks); calls: ${calls || '—'}; throttled ${c.throttled}${c.throttled ? ` (${Object.entries(c.throttled_by).map(([op, n]) => `${op} ${n}`).join(', ')})` : ''}${floor}`,
    );
  }
  console.log(
    `  Amazon's floor: searchOrders ${f.orderCalls} calls for ${fmt(r.channels.find((c) => c.name === 'amazon')!.orders)} orders (burst 20, then 1 per 180 s); ` +
      `${fmt(r.skus)} listings by patches ${s1(f.patchesMs)} (5/s burst 5 + processing), by one feed ${s1(f.feedMs)} (queue + processing; 15 feeds burst, then 1 per 120 s); ` +
      `truestock goes by feed for ≥ ${fmt(Math.ceil(DEFAULT_USAGE_PLANS.patchListingsItem.rate * AMAZON_FEED_WORTH_SECONDS))} listings; submissions looked at every ${s1(AMAZON_SUBMISSION_POLL_MS)}`,
  );
}

/** The run is wrong (not merely slow) when an order is missing or doubled, a unit oversold or a call throttled. */
export function channelsFailures(r: ChannelsBenchResult): string[] {
  const out: string[] = [];
  if (r.allocated_holds !== r.orders) out.push(`${r.allocated_holds} allocations for ${r.orders} orders`);
  if (r.oversold_units !== 0) out.push(`${r.oversold_units} units oversold`);
  if (r.converged_s === null) out.push(`channels not showing the ledger's numbers: ${JSON.stringify(r.left.wrong)}`);
  for (const c of r.channels) {
    if (c.allocated !== c.orders) out.push(`${c.name}: ${c.allocated} of ${c.orders} orders allocated`);
    if (c.throttled !== 0) out.push(`${c.name}: ${c.throttled} throttled answers`);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, d: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : d);
  const opt = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
  const store = opt('--store') === 'postgres' ? 'postgres' : 'sqlite';
  const variant: Variant = opt('--variant') === 'relay' ? 'relay' : 'poll';
  const tmp = mkdtempSync(join(os.tmpdir(), 'truestock-channels-bench-'));
  const { startEmbeddedPostgres } = await import('../test/support/pg-server.ts');
  const server = store === 'postgres' ? await startEmbeddedPostgres({ durable: true }) : null;
  try {
    let config: TruestockConfig = { sqlitePath: join(tmp, 'bench.db') };
    if (server) {
      const pg = (await import('pg')).default;
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query(`CREATE DATABASE channels_bench_${process.pid}`);
      await admin.end();
      const u = new URL(server.url);
      u.pathname = `/channels_bench_${process.pid}`;
      config = { databaseUrl: u.toString() };
    }
    const r = await channelsBench({ store, config, variant, orders: arg('--orders', 2_000), seconds: arg('--seconds', 10), skus: arg('--skus', 500) });
    printChannels(r);
    const failed = channelsFailures(r);
    if (failed.length) {
      console.error(`FAILED: ${failed.join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
