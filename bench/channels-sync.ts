// Six-channel sync benchmark (issues 11 and 12): a flash sale of 2,000 orders in 10 s over 500
// SKUs, spread evenly (order i on channel i mod 6) over every channel the demo runs — two Shopify
// shops, one Amazon seller, one Walmart seller, one eBay seller and a Square store whose till
// rings up POS sales — all selling one shared catalog from one shelf (W1), so every order on one
// channel lowers the numbers on the other five. Every order is placed *on its channel's emulator*
// and reaches truestock the real way in:
//   - the shops send signed webhooks over HTTP (10 % duplicated, 10 % reordered, as
//     bench/shopify-sync.ts does), at standard-plan limits (1,000-point bucket, 100 points/s);
//   - Amazon's merchant-fulfilled orders come through the poll of `searchOrders` (Orders API
//     2026-01-01) at the platform's shortest interval (`poll_seconds` 5), within Amazon's documented
//     usage plan (20 calls, then one per 180 s) — variant `poll`; or, variant `relay`, through
//     ORDER_CHANGE notifications relayed to the channel's webhook route (10 % duplicated, 10 %
//     reordered), with the poll at its default interval as the safety net;
//   - Walmart's purchase orders as HMAC-signed ORDER_UPDATES webhooks, eBay's as ECDSA-signed
//     ORDER_CONFIRMATION notifications (read through `getOrder`), the Square till's sales as signed
//     `order.*` / `inventory.count.updated` webhooks (each order read from Square); 10 % duplicated,
//     10 % reordered; each kind's order poll at its default interval as the safety net.
// The dispatcher pushes the new numbers to all six: Shopify's acknowledged by its answer,
// Amazon's only when a read-back (a patch) or the processing report (a JSON_LISTINGS_FEED) shows
// them, so Amazon's lag includes its processing delay, which is the emulator's setting
// (`DELAYS`, on real time). Every operation runs at Amazon's documented usage plan. Walmart's
// pushes go by single updates or by the bulk inventory feed, acknowledged when its processing
// report is read; its feed delays are shortened on the emulator (`WALMART_DELAYS`: 10 s + 30 s,
// not Walmart's ~30 minutes, so a run takes minutes). eBay's by `bulk_update_price_quantity` (25 a
// call), Square's by `batch-create` (100 a call), each within the budgets its kind declares.
//
// Measured per channel: order-in delay (placed on the emulator → recorded allocated), push lag
// p50/p99 (ledger change → channel acknowledged, the dispatcher's own samples), channel calls per
// order by operation, throttled answers (must be 0); over the run: every order recorded and
// allocated once, oversold units (must be 0: no SKU runs out), and every channel's numbers equal
// to the ledger's at the end. Beside them the floor each channel's documented limits (or, where a
// channel publishes none, its kind's declared budgets) impose, and the measured/floor ratios
// (`floors()`, written down in BENCHMARKS.md too).
//
// `channelsBench(opts)` is what bench/run.ts calls (`--only channels`); alone:
// `npx tsx bench/channels-sync.ts [--store sqlite|postgres] [--variant poll|relay] [--orders N] [--seconds S] [--skus N]`.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { type AmazonEmulator, DEFAULT_USAGE_PLANS, startAmazonEmulator } from '../emulators/amazon/index.ts';
import { type EbayEmulator, startEbayEmulator, TOKEN_PATH } from '../emulators/ebay/index.ts';
import { startShopifyEmulator, type ShopifyEmulator } from '../emulators/shopify/index.ts';
import { unitsOf } from '../emulators/square/decimal.ts';
import { type SquareEmulator, startSquareEmulator } from '../emulators/square/index.ts';
import { startWalmartEmulator, type WalmartEmulator } from '../emulators/walmart/index.ts';
import { createWorkspace } from '../src/app/access.ts';
import { createItem, createLocation } from '../src/app/catalog.ts';
import { createChannel } from '../src/app/channels.ts';
import { createListing } from '../src/app/listings.ts';
import { Truestock, type TruestockConfig } from '../src/app/truestock.ts';
import { AMAZON_FEED_WORTH_SECONDS, AMAZON_SUBMISSION_POLL_MS } from '../src/channels/amazon/push.ts';
import { EBAY_CALL_BURST_DEFAULT, EBAY_CALLS_PER_SECOND_DEFAULT, EBAY_SKUS_PER_CALL_MAX } from '../src/channels/ebay/push.ts';
import { POLL_SECONDS_MIN, PollScheduler } from '../src/channels/poll-scheduler.ts';
import { SQUARE_CHANGES_PER_CALL_MAX } from '../src/channels/square/push.ts';
import { SQUARE_BUCKET_CALLS_DEFAULT, SQUARE_REFILL_CALLS_PER_SECOND_DEFAULT } from '../src/channels/square/settings.ts';
import { WALMART_BUDGET_PLANS } from '../src/channels/walmart/client.ts';
import { WALMART_FEED_ITEMS_MAX, WALMART_FEEDS_PER_HOUR } from '../src/channels/walmart/feeds.ts';
import { WALMART_FEED_AFTER_SINGLES_MS, WALMART_SUBMISSION_POLL_MS } from '../src/channels/walmart/push.ts';
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
  /** Orders recorded (each once: channel_orders is keyed by the channel's order id), and recorded allocated. */
  recorded: number;
  allocated: number;
  /** Recorded orders matched to the moment they were placed (the order-in delay's samples). */
  timed: number;
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
  walmart_delays: typeof WALMART_DELAYS;
  channels: ChannelFigures[];
  /** Allocated orders in the ledger (holds), oversold units among them. */
  allocated_holds: number;
  oversold_units: number;
  /** Seconds from the first order until every order is allocated / every channel shows the ledger's number (null: not within the settle time). */
  allocated_s: number;
  /** … until nothing is queued and every channel shows the ledger's number; and until, besides, no submission awaits a channel. */
  shown_s: number | null;
  converged_s: number | null;
  /** At the end: rows still queued, listing versions still awaiting a channel's processing (Amazon, Walmart), listings whose number is wrong, per channel. */
  left: { queued: number; submitted: number; submitted_by: Record<string, number>; wrong: Record<string, number> };
  /** Feeds and patches Amazon received during the run. */
  amazon_feeds: number;
  amazon_patches: number;
  /** Inventory feeds Walmart received during the run (the rest went by single updates). */
  walmart_feeds: number;
}

/** Amazon's processing on the emulator, real time: its defaults (patch 5 s; feed 10 s queued + 30 s processing). */
export const DELAYS = { listingProcessingMs: 5_000, feedQueueMs: 10_000, feedProcessingMs: 30_000 };
/**
 * Walmart's feed processing on the emulator, real time: RECEIVED 10 s, INPROGRESS 30 s — not
 * Walmart's documented ~30 minutes (the emulator's default), so a run takes minutes; the floor
 * below uses these.
 */
export const WALMART_DELAYS = { feedReceivedMs: 10_000, feedProcessingMs: 30_000 };
/** What a Walmart feed takes to apply in production (channels.md §3: about 30 minutes): the floor's other reading. */
const WALMART_FEED_PROCESSING_DOCUMENTED_MS = 30 * 60_000;
const WALMART_SHIP_NODE = '10000000001';
const EBAY_MARKETPLACE = 'EBAY_US';
const EBAY_LOCATION_KEY = 'bench';
const SQUARE_LOCATION = 'LSTORE000001';
/** Signs Walmart's and Square's webhooks and is eBay's endpoint verification token (32–80 characters). */
const HOOK_SECRET = 'bench-hook-secret-0123456789-abcdefghijkl';
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

/** One channel as the bench drives and reads it: its emulator's shown numbers, orders and counters. */
interface Outlet {
  name: string;
  channel: string;
  /** The number the channel shows for a SKU now. */
  shown(sku: string): number | undefined;
  /** Places a one-unit order of `sku` on the channel's emulator; the id truestock records it by (its last path segment). */
  place(sku: string): string;
  /** Channel calls so far, by operation. */
  calls(): Record<string, number>;
  /** Throttled answers so far, and by operation where the emulator counts them so. */
  throttled(): number;
  throttledBy(): Record<string, number>;
  close(): Promise<void>;
}

interface World {
  ts: Truestock;
  server: { url: string; close(): Promise<void> };
  poller: PollScheduler;
  ws: string;
  skus: string[];
  /** In the order orders are spread: shop-a, shop-b, amazon, walmart, ebay, square. */
  outlets: Outlet[];
  amazon: AmazonEmulator;
  walmart: WalmartEmulator;
  ebay: EbayEmulator;
  square: SquareEmulator;
  lags: Map<string, number[]>;
}

/** Operations with calls (or throttled answers) above 0, from an emulator's per-operation counters. */
function byOperation(ops: Record<string, { calls: number; throttled: number }>, what: 'calls' | 'throttled'): Record<string, number> {
  return Object.fromEntries(Object.entries(ops).map(([op, c]) => [op, c[what]]).filter(([, n]) => (n as number) > 0));
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

  const outlets: Outlet[] = [];
  for (const name of ['shop-a', 'shop-b']) {
    const emu: ShopifyEmulator = await startShopifyEmulator({ shop: `${name}-${Math.random().toString(36).slice(2, 8)}`, bucketSize: BUCKET, restoreRate: RESTORE_PER_SECOND, webhookRetry: { attempts: 8, baseDelayMs: 1_000 } });
    const loc = emu.addLocation('Warehouse').id;
    const inv = new Map<string, string>();
    for (const sku of skus) inv.set(sku, emu.addItem({ sku, levels: { [loc]: STOCK_EACH } }).inventoryItemId);
    const id = await channel('shopify', name, {
      shop_domain: emu.shopDomain, access_token: emu.accessToken, webhook_secret: emu.clientSecret, api_url: emu.url,
      locations: { [loc]: 'W1' }, bucket_size: BUCKET, restore_rate: RESTORE_PER_SECOND,
    }, (sku) => ({ inventory_item_id: inv.get(sku)!, location_id: loc }));
    emu.subscribe(`${server.url}${hookPath(id)}`);
    emu.setFaults({ ...FAULTS, drop: 0, delayMs: [0, 0] });
    outlets.push({
      name, channel: id,
      shown: (sku) => emu.level(inv.get(sku)!, loc)?.available,
      place: (sku) => tail(emu.placeOrder({ lines: [{ sku, quantity: 1 }] }).id),
      calls: () => { const c = emu.counters(); return { mutations: c.mutations, queries: c.requests - c.mutations }; },
      throttled: () => emu.counters().throttled,
      throttledBy: () => ({}),
      close: () => emu.close(),
    });
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
  // Amazon's SP-API operations (LWA token calls are not SP-API operations and are left out).
  outlets.push({
    name: 'amazon', channel: amazonChannel,
    shown: (sku) => amazon.quantity(sku),
    // Merchant-fulfilled, payment confirmed: an allocation (a PENDING order would be a hold).
    place: (sku) => amazon.placeOrder({ lines: [{ sku, quantity: 1 }], status: 'UNSHIPPED' }).orderId,
    calls: () => byOperation(amazon.counters().operations as Record<string, { calls: number; throttled: number }>, 'calls'),
    throttled: () => amazon.counters().throttled,
    throttledBy: () => byOperation(amazon.counters().operations as Record<string, { calls: number; throttled: number }>, 'throttled'),
    close: () => amazon.close(),
  });

  // Walmart: one seller, one ship node; orders by HMAC-signed ORDER_UPDATES webhooks (the poll at
  // the kind's default interval behind them); feeds processed in WALMART_DELAYS, not ~30 minutes.
  const walmart = await startWalmartEmulator({ shipNodes: [WALMART_SHIP_NODE], feedReceivedMs: WALMART_DELAYS.feedReceivedMs, feedProcessingMs: WALMART_DELAYS.feedProcessingMs });
  for (const sku of skus) walmart.addSku({ sku, quantity: STOCK_EACH });
  const walmartChannel = await channel('walmart', 'walmart', {
    client_id: walmart.clientId, client_secret: walmart.clientSecret, endpoint: walmart.url, ship_node: WALMART_SHIP_NODE,
    locations: { [WALMART_SHIP_NODE]: 'W1' }, notification_auth: 'HMAC', notification_secret: HOOK_SECRET,
  }, (sku) => ({ sku }));
  walmart.subscribe({ eventUrl: `${server.url}${hookPath(walmartChannel)}`, eventType: 'ORDER_UPDATES', authDetails: { authMethod: 'HMAC', clientSecret: HOOK_SECRET, authHeaderName: 'Authorization' } });
  walmart.setNotificationFaults({ ...FAULTS, drop: 0 });
  outlets.push({
    name: 'walmart', channel: walmartChannel,
    shown: (sku) => walmart.quantity(sku),
    place: (sku) => walmart.placeOrder({ lines: [{ sku, quantity: 1 }] }).purchaseOrderId,
    calls: () => byOperation(walmart.counters().operations, 'calls'),
    throttled: () => walmart.counters().throttled,
    throttledBy: () => byOperation(walmart.counters().operations, 'throttled'),
    close: () => walmart.close(),
  });

  // eBay: one seller on EBAY_US, one merchant location; ORDER_CONFIRMATION notifications to the
  // channel's route (eBay challenges the endpoint first), the order poll behind them.
  const ebay = await startEbayEmulator({});
  for (const sku of skus) ebay.addListing({ sku, quantity: STOCK_EACH, marketplaceId: EBAY_MARKETPLACE });
  const ebayChannel = await channel('ebay', 'ebay', {
    client_id: ebay.clientId, client_secret: ebay.clientSecret, refresh_token: ebay.refreshToken, marketplace_id: EBAY_MARKETPLACE,
    endpoint: ebay.url, auth_url: `${ebay.url}${TOKEN_PATH}`, verification_token: HOOK_SECRET, locations: { [EBAY_LOCATION_KEY]: 'W1' },
  }, (sku) => ({ sku }));
  outlets.push({
    name: 'ebay', channel: ebayChannel,
    shown: (sku) => ebay.quantity(sku),
    place: (sku) => ebay.placeOrder({ lines: [{ sku, quantity: 1 }] }).orderId,
    calls: () => byOperation(ebay.counters().operations, 'calls'),
    throttled: () => ebay.counters().throttled,
    throttledBy: () => byOperation(ebay.counters().operations, 'throttled'),
    close: () => ebay.close(),
  });

  // Square: one store location whose till sells from the shelf (mapped to W1, the one shelf every
  // channel sells from); its counts set before the subscription, so no webhook reports them.
  const square = await startSquareEmulator({ locations: [{ id: SQUARE_LOCATION, name: 'Store' }] });
  const objects = new Map(skus.map((sku) => [sku, square.addCatalogObject({ id: `OBJ${sku}`, name: sku, sku }).id]));
  for (const sku of skus) square.handCount({ catalogObjectId: objects.get(sku)!, locationId: SQUARE_LOCATION, quantity: unitsOf(STOCK_EACH) });
  const squareChannel = await channel('square', 'square', {
    access_token: square.accessToken, endpoint: square.url, signature_key: HOOK_SECRET, merchant_id: square.merchantId, locations: { [SQUARE_LOCATION]: 'W1' },
  }, (sku) => ({ catalog_object_id: objects.get(sku)! }));
  outlets.push({
    name: 'square', channel: squareChannel,
    shown: (sku) => Number(square.quantity(objects.get(sku)!, SQUARE_LOCATION)),
    place: (sku) => String(square.posSale({ locationId: SQUARE_LOCATION, lines: [{ catalogObjectId: objects.get(sku)!, quantity: unitsOf(1) }] }).id),
    calls: () => byOperation(square.counters().operations, 'calls'),
    throttled: () => square.counters().throttled,
    throttledBy: () => byOperation(square.counters().operations, 'throttled'),
    close: () => square.close(),
  });

  for (const sku of skus) {
    const r = await ts.ledger.execute({ workspaceId: ws, idempotencyKey: `seed-${sku}`, actor: 'bench', command: { type: 'receive', sku, location: 'W1', quantity: STOCK_EACH } });
    if (!r.ok) throw new Error(r.refusal.detail);
  }
  // Subscriptions last: the route must know the channels (eBay challenges the endpoint at once).
  await ebay.subscribe(`${server.url}${hookPath(ebayChannel)}`, HOOK_SECRET);
  ebay.setNotificationFaults({ ...FAULTS, drop: 0 });
  square.subscribe({ notificationUrl: `${server.url}${hookPath(squareChannel)}`, signatureKey: HOOK_SECRET });
  square.setWebhookFaults({ ...FAULTS, drop: 0, delayMs: [0, 0] });
  return { ts, server, poller: new PollScheduler(ts), ws, skus, outlets, amazon, walmart, ebay, square, lags };
}

async function close(w: World): Promise<void> {
  await w.poller.stop();
  await w.ts.sync.stop();
  for (const o of w.outlets) await o.close();
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
  for (const sku of w.skus) for (const o of w.outlets) if (o.shown(sku) !== ledger.get(sku)) wrongBy[o.name] = (wrongBy[o.name] ?? 0) + 1;
  return {
    queued: await count(w, 'SELECT COUNT(*) AS n FROM channel_outbox WHERE workspace_id = ?', [w.ws]),
    submitted: await count(w, 'SELECT COUNT(*) AS n FROM channel_submissions WHERE workspace_id = ?', [w.ws]),
    submitted_by: Object.fromEntries(await Promise.all(w.outlets.map(async (o) => [o.name, await count(w, 'SELECT COUNT(*) AS n FROM channel_submissions WHERE channel_id = ?', [o.channel])] as const)).then((e) => e.filter(([, n]) => n > 0))),
    wrong: wrongBy,
  };
}

/** The first SKU whose number on some channel differs from the ledger's, or null. */
async function wrong(w: World): Promise<string | null> {
  const ledger = await ledgerAvailable(w);
  for (const sku of w.skus) for (const o of w.outlets) if (o.shown(sku) !== ledger.get(sku)) return `${o.name} ${sku}`;
  return null;
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
    // delay; Walmart's by single updates or a feed); then the shops' buckets refill before the burst.
    for (let end = Date.now() + CONVERGE_MAX_MS, n = 1; (await pending(w)) > 0; await sleep(200), n++) {
      if (Date.now() > end) throw new Error('the first numbers never went out');
      if (n % 150 === 0) progress(`first numbers: ${await pending(w)} rows queued or submitted`);
    }
    progress('first numbers out');
    await sleep((BUCKET / RESTORE_PER_SECOND) * 1000);
    for (const l of w.lags.values()) l.length = 0;
    const c0 = w.outlets.map((o) => o.calls());
    const feeds0 = { amazon: w.amazon.counters(), walmart: w.walmart.counters().feedsSubmitted };

    // The burst: order i on channel i mod 6, one unit of SKU (i × 7919) mod skus, at an even pace.
    const placed = new Map<string, Map<string, number>>(w.outlets.map((o) => [o.channel, new Map<string, number>()]));
    const t0 = Date.now();
    for (let i = 0; i < opts.orders; i++) {
      const wait = t0 + (i * opts.seconds * 1000) / opts.orders - Date.now();
      if (wait > 1) await sleep(wait);
      const sku = w.skus[(i * 7919) % w.skus.length]!;
      const o = w.outlets[i % w.outlets.length]!;
      placed.get(o.channel)!.set(o.place(sku), Date.now());
    }
    const allocatedSql = "SELECT COUNT(*) AS n FROM channel_orders WHERE workspace_id = ? AND ledger_state = 'allocated'";
    for (let n = 1; ; n++) {
      const got = await count(w, allocatedSql, [w.ws]);
      if (got >= opts.orders) break;
      if (Date.now() - t0 > CONVERGE_MAX_MS) throw new Error(`not all allocated after ${CONVERGE_MAX_MS / 1000} s`);
      if (n % 200 === 0) progress(`allocating: ${got} of ${opts.orders}`);
      await sleep(50);
    }
    const allocatedS = (Date.now() - t0) / 1000;
    progress(`burst placed and allocated (${fmt(allocatedS, 1)} s)`);
    // Shown: nothing queued and every channel showing the ledger's number. Settled: besides, no
    // submission still awaiting a channel's processing (Amazon's, Walmart's). Bounded: what is
    // still wrong after SETTLE_MAX_MS is reported, not waited out.
    let shownS: number | null = null;
    let convergedS: number | null = null;
    for (let n = 1; ; n++) {
      const queued = await count(w, 'SELECT COUNT(*) AS n FROM channel_outbox WHERE workspace_id = ?', [w.ws]);
      if (shownS === null && queued === 0 && (await wrong(w)) === null) shownS = (Date.now() - t0) / 1000;
      if (shownS !== null && (await pending(w)) === 0 && (await wrong(w)) === null) {
        convergedS = (Date.now() - t0) / 1000;
        break;
      }
      if (Date.now() - t0 > allocatedS * 1000 + SETTLE_MAX_MS) break;
      if (n % 300 === 0) progress(`converging: ${await pending(w)} rows queued or submitted, first wrong: ${await wrong(w)}`);
      await sleep(100);
    }
    progress(`${shownS === null ? 'channels not showing the ledger\'s numbers' : `channels showing the ledger's numbers (${fmt(shownS, 1)} s)`}; ${convergedS === null ? `not settled ${SETTLE_MAX_MS / 1000} s after the last allocation` : `settled (${fmt(convergedS, 1)} s)`}`);
    const left = await leftOver(w);
    const recorded = await w.ts.store.read((db) => db.all<{ channel_id: string; external_order_id: string; created_at: number | string; ledger_state: string | null }>(
      'SELECT channel_id, external_order_id, created_at, ledger_state FROM channel_orders WHERE workspace_id = ?', [w.ws]));
    const channels = w.outlets.map((o, k): ChannelFigures => {
      const mine = recorded.filter((r) => r.channel_id === o.channel);
      const times = placed.get(o.channel)!;
      const delays = mine.map((r) => Number(r.created_at) - (times.get(tail(r.external_order_id)) ?? NaN)).filter(Number.isFinite).sort((a, b) => a - b);
      const lags = [...(w.lags.get(o.channel) ?? [])].sort((a, b) => a - b);
      return {
        name: o.name, orders: times.size, recorded: mine.length, allocated: mine.filter((r) => r.ledger_state === 'allocated').length, timed: delays.length,
        order_in_p50_ms: percentile(delays, 50), order_in_p99_ms: percentile(delays, 99),
        lag_samples: lags.length, lag_p50_ms: percentile(lags, 50), lag_p99_ms: percentile(lags, 99), lag_max_ms: lags.at(-1) ?? 0,
        calls: minus(o.calls(), c0[k]!), throttled: o.throttled(), throttled_by: o.throttledBy(),
      };
    });
    const holds = await w.ts.store.read((db) => db.get<{ n: number | string; oversold: number | string | null }>(
      "SELECT COUNT(DISTINCT h.id) AS n, SUM(l.oversold) AS oversold FROM holds h JOIN hold_lines l ON l.hold_id = h.id WHERE h.workspace_id = ? AND h.state = 'allocated'", [w.ws]));
    const ac = w.amazon.counters();
    return {
      store: opts.store, variant: opts.variant, orders: opts.orders, seconds: opts.seconds, skus: opts.skus, delays: DELAYS, walmart_delays: WALMART_DELAYS, channels,
      allocated_holds: Number(holds!.n), oversold_units: Number(holds!.oversold ?? 0),
      allocated_s: allocatedS, shown_s: shownS, converged_s: convergedS, left,
      amazon_feeds: ac.feedsCreated - feeds0.amazon.feedsCreated, amazon_patches: ac.patchesAccepted - feeds0.amazon.patchesAccepted,
      walmart_feeds: w.walmart.counters().feedsSubmitted - feeds0.walmart,
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
export function amazonFloors(r: ChannelsBenchResult): { orderInMs: number; orderCalls: number; pushMs: number; patchesMs: number; feedMs: number } {
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

/** The floor of a channel's order-in delay (null: none computed) and push lag, and how it is made up. */
export interface Floor {
  orderInMs: number | null;
  pushMs: number | null;
  how: string;
}

/** Seconds to make `calls` calls on a bucket of `burst` calls refilled at `rate` a second. */
const callsMs = (calls: number, burst: number, rate: number) => (Math.max(0, calls - burst) / rate) * 1000;

/**
 * The floor each channel's documented limits impose on this burst (L = the listings, all changed;
 * n = the channel's orders):
 *   - shops: none computed here (bench/shopify-sync.ts has Shopify's; the shops are the reference).
 *   - Amazon: `amazonFloors` above.
 *   - Walmart: orders come by webhook (no call on the way in; one acknowledgement per PO after it):
 *     order-in floor ≈ 0. Push: Walmart publishes no per-endpoint limits (unconfirmed), so the
 *     kind's declared `inventory` budget (5/s, burst 10 less 1 of slack): L single updates take
 *     (L − 9)/5 s; or one bulk feed (≤ 1,000 items; 10 feeds an hour) applied after its processing,
 *     the emulator's `WALMART_DELAYS` here (Walmart's ~30 min in production, where the single
 *     updates are the floor). Floor: the smaller.
 *   - eBay: orders come by notification, each read by one `getOrder`: order-in floor ≈ 0 while the
 *     Fulfillment API's budget (the kind's 2/s burst 10; eBay documents a daily quota) lasts — the
 *     notification read is not drawn from it (it would put the n-th order (n − 10)/2 s late).
 *     Push: ceil(L / 25) `bulk_update_price_quantity` calls on the kind's Inventory budget (2/s,
 *     burst 10). The daily 250 revisions per listing are far off (a listing changes a few times here).
 *   - Square: sales come by webhook, each order event read by one RetrieveOrder: floor ≈ 0. Push:
 *     ceil(L / 100) `batch-create` calls on the kind's budget (5/s, burst 10; Square publishes no
 *     limits): within the burst for L ≤ 1,000, so one round trip.
 */
export function floors(r: ChannelsBenchResult): Record<string, Floor> {
  const L = r.skus;
  const a = amazonFloors(r);
  const w = WALMART_BUDGET_PLANS.inventory;
  const singlesMs = callsMs(L, w.burst - 1, w.rate);
  const feedMs = L <= WALMART_FEED_ITEMS_MAX * WALMART_FEEDS_PER_HOUR ? r.walmart_delays.feedReceivedMs + r.walmart_delays.feedProcessingMs : Infinity;
  const ebayCalls = Math.ceil(L / EBAY_SKUS_PER_CALL_MAX);
  const squareCalls = Math.ceil(L / SQUARE_CHANGES_PER_CALL_MAX);
  return {
    amazon: { orderInMs: a.orderInMs, pushMs: a.pushMs, how: `searchOrders ${a.orderCalls} calls (burst 20, then 1 per 180 s); ${fmt(L)} listings by patches ${s1(a.patchesMs)} (5/s burst 5 + processing), by one feed ${s1(a.feedMs)} (queue + processing); truestock goes by feed for ≥ ${fmt(Math.ceil(DEFAULT_USAGE_PLANS.patchListingsItem.rate * AMAZON_FEED_WORTH_SECONDS))} listings; submissions looked at every ${s1(AMAZON_SUBMISSION_POLL_MS)}` },
    walmart: { orderInMs: 0, pushMs: Math.min(singlesMs, feedMs), how: `webhook in (1 acknowledgement per PO); ${fmt(L)} listings by single updates ${s1(singlesMs)} (kind's budget ${w.rate}/s burst ${w.burst}), by one feed ${s1(feedMs)} (the emulator's shortened processing; ${WALMART_FEEDS_PER_HOUR} feeds/h, ≤ ${fmt(WALMART_FEED_ITEMS_MAX)} items) — with Walmart's own ~30 min a feed the floor is the single updates' ${s1(Math.min(singlesMs, WALMART_FEED_PROCESSING_DOCUMENTED_MS))}; truestock goes by feed for ≥ ${fmt(Math.ceil((w.rate * WALMART_FEED_AFTER_SINGLES_MS) / 1000))} listings; feeds looked at every ${s1(WALMART_SUBMISSION_POLL_MS)}` },
    ebay: { orderInMs: 0, pushMs: callsMs(ebayCalls, EBAY_CALL_BURST_DEFAULT, EBAY_CALLS_PER_SECOND_DEFAULT), how: `notification in + 1 getOrder per order; ${fmt(L)} listings in ${ebayCalls} calls of ≤ ${EBAY_SKUS_PER_CALL_MAX} (kind's budget ${EBAY_CALLS_PER_SECOND_DEFAULT}/s burst ${EBAY_CALL_BURST_DEFAULT})` },
    square: { orderInMs: 0, pushMs: callsMs(squareCalls, SQUARE_BUCKET_CALLS_DEFAULT, SQUARE_REFILL_CALLS_PER_SECOND_DEFAULT), how: `webhook in + 1 RetrieveOrder per order event; ${fmt(L)} counts in ${squareCalls} calls of ≤ ${SQUARE_CHANGES_PER_CALL_MAX} (kind's budget ${SQUARE_REFILL_CALLS_PER_SECOND_DEFAULT}/s burst ${SQUARE_BUCKET_CALLS_DEFAULT})` },
  };
}

const s1 = (ms: number) => `${fmt(ms / 1000, 1)} s`;
/** A measured figure against its floor: the ratio, or the excess over a floor of 0 (one round trip). */
const against = (measured: number, floor: number) => (floor > 0 ? `×${fmt(measured / floor, 1)}` : `+${s1(measured)} over ≈ 0`);

export function printChannels(r: ChannelsBenchResult): void {
  const f = floors(r);
  console.log(
    `channels ${r.store.padEnd(9)} ${r.variant.padEnd(5)} ${fmt(r.orders)} orders in ${r.seconds} s over ${fmt(r.skus)} SKUs (${r.channels.map((c) => c.name).join(', ')}; order i on channel i mod ${r.channels.length}): ` +
      `all allocated ${fmt(r.allocated_s, 1)} s after the first order (${fmt(r.allocated_holds)} allocations, oversold ${r.oversold_units}); ` +
      `${r.shown_s === null ? `channels NOT showing the ledger's numbers ${SETTLE_MAX_MS / 1000} s after the last allocation (wrong: ${JSON.stringify(r.left.wrong)})` : `every channel showing the ledger's numbers ${fmt(r.shown_s, 1)} s`}, ` +
      `${r.converged_s === null ? `NOT settled (left: ${r.left.queued} queued, submissions awaiting a channel: ${JSON.stringify(r.left.submitted_by)})` : `nothing queued or awaiting a channel ${fmt(r.converged_s, 1)} s`}; ` +
      `Amazon ${r.amazon_feeds} feeds, ${r.amazon_patches} patches (processing: patch ${s1(r.delays.listingProcessingMs)}, feed ${s1(r.delays.feedQueueMs)} + ${s1(r.delays.feedProcessingMs)}); ` +
      `Walmart ${r.walmart_feeds} feeds (processing ${s1(r.walmart_delays.feedReceivedMs)} + ${s1(r.walmart_delays.feedProcessingMs)})`,
  );
  for (const c of r.channels) {
    const calls = Object.entries(c.calls).map(([op, n]) => `${op} ${fmt(n)} (${fmt(n / r.orders, 3)}/order)`).join(', ');
    const fl = f[c.name];
    const floor = fl
      ? ` | floor: order-in ${fl.orderInMs === null ? '—' : fl.orderInMs === 0 ? `≈ 0 (p99 ${against(c.order_in_p99_ms, 0)})` : `${s1(fl.orderInMs)} (${against(c.order_in_p99_ms, fl.orderInMs)} at p99)`}, ` +
        `push ${fl.pushMs === null ? '—' : fl.pushMs === 0 ? `≈ 0 (p50 ${against(c.lag_p50_ms, 0)}, p99 ${against(c.lag_p99_ms, 0)})` : `${s1(fl.pushMs)} (${against(c.lag_p50_ms, fl.pushMs)} at p50, ${against(c.lag_p99_ms, fl.pushMs)} at p99)`}`
      : '';
    console.log(
      `  ${c.name.padEnd(7)} orders ${fmt(c.orders)}, recorded ${fmt(c.recorded)}, allocated ${fmt(c.allocated)}; order-in p50 ${s1(c.order_in_p50_ms)}, p99 ${s1(c.order_in_p99_ms)} (${fmt(c.timed)} timed); ` +
        `push lag p50 ${s1(c.lag_p50_ms)}, p99 ${s1(c.lag_p99_ms)}, max ${s1(c.lag_max_ms)} (${fmt(c.lag_samples)} acks); calls: ${calls || '—'}; throttled ${c.throttled}${c.throttled ? ` (${Object.entries(c.throttled_by).map(([op, n]) => `${op} ${n}`).join(', ')})` : ''}${floor}`,
    );
  }
  for (const [name, fl] of Object.entries(f)) console.log(`  ${name}'s floor: ${fl.how}`);
}

/** The run is wrong (not merely slow) when an order is missing or doubled, a unit oversold, a channel left wrong or a call throttled. */
export function channelsFailures(r: ChannelsBenchResult): string[] {
  const out: string[] = [];
  if (r.allocated_holds !== r.orders) out.push(`${r.allocated_holds} allocations for ${r.orders} orders`);
  if (r.oversold_units !== 0) out.push(`${r.oversold_units} units oversold`);
  if (r.shown_s === null) out.push(`channels not showing the ledger's numbers: ${JSON.stringify(r.left.wrong)}`);
  if (r.converged_s === null) out.push(`not settled: ${r.left.queued} queued, submissions awaiting ${JSON.stringify(r.left.submitted_by)}`);
  for (const c of r.channels) {
    if (c.recorded !== c.orders || c.allocated !== c.orders) out.push(`${c.name}: ${c.recorded} recorded, ${c.allocated} allocated of ${c.orders} orders`);
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
