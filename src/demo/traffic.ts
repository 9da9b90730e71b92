// Demo traffic: a scheduler that keeps the demo business busy, so every screen shows something
// real. Orders are placed on the emulated storefronts, the stores' till sales rung up on their
// tills (they reach truestock as webhooks or by the channel's poll, as real ones would);
// wholesale orders and warehouse work go through the ledger, as a warehouse clerk would.
//
//   steady orders on every storefront    a burst of 40 orders every ~2 min
//   cancellations (restocked)            refunds of shipped orders, restocked → returns
//   orders shipped after ~45 s           returns and shoe receipts inspected
//   payments confirmed (pending orders)  orders the channel ships itself (FBA)
//   replenishment of the channel's own warehouse, checked in by the channel a few minutes later
//   till sales in both stores, handed over at once; returns at the till; a staff recount on a till
//   wholesale orders by the case         purchase orders when stock runs low
//   transfers from the 3PL to the stores a hand edit in a shop's admin
//   a 60-second outage of one shop every ~10 min
//   a cycle count every ~15 min          one summary line a minute
//
// Every interval is in demo seconds and divided by `speed` (tests run minutes in seconds).
// Decisions come from a seeded PRNG; timing still depends on the machine.

import { allocateChannelOrder } from '../app/channel-order-terms.ts';
import { retryDead } from '../app/channel-sync.ts';
import { createCount, enterCounts, postStep } from '../app/counts.ts';
import { fingerprint } from '../app/fingerprint.ts';
import { idempotent } from '../app/idempotent.ts';
import type { DocumentStep } from '../app/ledger.ts';
import { closePurchaseOrderStep, openPurchaseOrderStep, receivePurchaseOrderStep } from '../app/purchase-orders.ts';
import { closeStep, inspectStep, returnsPage } from '../app/returns.ts';
import { closeTransferStep, receiveTransferStep, shipTransferStep } from '../app/transfers.ts';
import type { Truestock } from '../app/truestock.ts';
import type { DemoOrder } from '../channels/demo-storefront.ts';
import type { StockCommand } from '../domain/commands.ts';
import { levelsAtLocation } from '../store/availability-repo.ts';
import { listHolds } from '../store/ledger-repo.ts';
import { itemsBySku, listLocations } from '../store/catalog-repo.ts';
import { getChannelOrder } from '../store/channel-event-repo.ts';
import { allLevels } from '../store/query-repo.ts';
import { DEMO_ACTOR, type DemoCatalog } from './catalog.ts';
import { seededRandom, type Random } from './random.ts';
import type { Timer } from '../app/scheduler.ts';
import { type DemoShop, type DemoShops } from './shops.ts';
import { demoChannel, demoStandardSkus, popularity, productOf, WHOLESALE_CHANNEL } from './sample-catalog.ts';

// ---- the schedule, in demo seconds --------------------------------------------------------------

/** Mean gap between two steady orders, per shop (a Poisson process); a till's are its store's sales. */
const ORDER_GAP_MEAN_S: Record<string, number> = { webstore: 2.5, outlet: 6, 'amazon-us': 8, 'walmart-us': 10, ebay: 12, 'pos-nyc': 13, 'pos-sf': 20 };
/**
 * A storefront that takes payment after the order (its orders start pending) confirms most within
 * a minute; the rest take minutes, long enough for a poll to see them pending first (a hold), and
 * a few of those are never paid (cancelled).
 */
const PAYMENT_QUICK_S: [number, number] = [10, 60];
const PAYMENT_SLOW_SHARE = 0.3;
const PAYMENT_SLOW_S: [number, number] = [150, 360];
const PAYMENT_DECLINED_SHARE = 0.2;
/** The channel's own warehouse is refilled from the 3PL; the channel checks the units in later. */
const REPLENISH_FROM = '3PL-CENTRAL';
const REPLENISH_FIRST_S = 180;
const REPLENISH_EVERY_S = 360;
const REPLENISH_BELOW_UNITS = 12;
const REPLENISH_UNITS = 12;
const REPLENISH_LINES_MAX = 6;
const CHECK_IN_AFTER_S = 150;
/** Units on their way from an earlier run (restored as the channel's inbound) are checked in this early. */
const CHECK_IN_LEFTOVERS_S = 60;
const CANCEL_SHARE = 0.07;
const CANCEL_AFTER_S: [number, number] = [5, 20];
/** Orders ship this long after they were placed (a warehouse's pick, pack and hand-over). */
const SHIP_AFTER_S = 45;
const SHIP_PASS_EVERY_S = 10;
/** An order still not allocated after this long (its webhook and the poll both lost) is forgotten. */
const ORDER_TRACKED_MAX_S = 900;
const REFUND_SHARE = 0.08;
const REFUND_AFTER_SHIPPING_S: [number, number] = [30, 90];
const BURST_FIRST_S = 90;
const BURST_EVERY_S = 120;
const BURST_ORDERS = 40;
const BURST_SPREAD_S = 3;
/**
 * A burst elsewhere than the webstore spreads over longer: the order reads a marketplace's
 * notifications make (eBay's getOrder, one per notification) are not drawn from the channel's budget,
 * and 50-odd of them in 3 s would pass eBay's short-window bucket; over 10 s they stay within it.
 */
const BURST_SPREAD_ELSEWHERE_S = 10;
const HAND_EDIT_FIRST_S = 75;
const HAND_EDIT_EVERY_S = 240;
const OUTAGE_FIRST_S = 120;
const OUTAGE_EVERY_S = 600;
const OUTAGE_S = 60;
/** A staff member recounts one SKU on a store's till now and then (the till's count is adopted). */
const STAFF_COUNT_FIRST_S = 130;
const STAFF_COUNT_EVERY_S = 200;
const WHOLESALE_FIRST_S = 150;
const WHOLESALE_EVERY_S = 300;
const WHOLESALE_SHIP_AFTER_S = 60;
const PURCHASE_FIRST_S = 60;
const PURCHASE_EVERY_S = 180;
const PURCHASE_ARRIVES_AFTER_S = 40;
const PURCHASE_LINES_MAX = 8;
const TRANSFER_FIRST_S = 100;
const TRANSFER_EVERY_S = 120;
const TRANSFER_ARRIVES_AFTER_S = 60;
const TRANSFER_LINES_MAX = 10;
const INSPECTION_EVERY_S = 60;
const COUNT_FIRST_S = 300;
const COUNT_EVERY_S = 900;
const COUNT_SKUS = 8;
/** Someone on the ops desk retries dead-lettered listings (after looking at them for a while). */
const DEAD_LETTER_RETRY_FIRST_S = 240;
const DEAD_LETTER_RETRY_EVERY_S = 300;
const SUMMARY_EVERY_S = 60;
/** Periodic jobs wait their period ± this share, so they do not march in step. */
const JITTER = 0.15;

/** Below this many available units a location is restocked; it is ordered up to twice that. */
const REORDER_POINT: Record<string, number> = { 'WH-EAST': 30, 'WH-WEST': 12, '3PL-CENTRAL': 40 };
const SUPPLIERS: Record<string, string> = { RUN: 'Stride Footwear', BTL: 'Northwind Goods', NOTE: 'Northwind Goods', TOTE: 'Northwind Goods' };
const SUPPLIER_DEFAULT = 'Acme Apparel';

export interface TrafficOptions {
  seed?: number;
  /** Demo seconds per real second (default 1). */
  speed?: number;
  /**
   * Stretch these channels' gaps between orders by a factor (default 1). At many times the pace,
   * a channel whose webhooks each make a read the channel does not budget (a Square till's order
   * events) would see those reads alone at many times a real store's rate.
   */
  gapFactor?: Readonly<Record<string, number>>;
  log?: (line: string) => void;
}

interface TrackedOrder {
  shop: DemoShop;
  order: DemoOrder;
  placedAt: number;
  willCancel: boolean;
  willRefund: boolean;
  shipTries: number;
  /** Pending until the storefront confirms its payment: it cannot ship before. */
  awaitingPayment: boolean;
}

const SHIP_TRIES_MAX = 5;
const LEFTOVERS_PAGE = 500;

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The warehouse a shop's channel keeps itself, if its storefront has one. */
const managedOf = (shop: DemoShop) => (shop.storefront.managedStock ? demoChannel(shop.name).storefront?.managed : undefined);
/** A store's till: its sales are handed over at once and never cancelled. */
const isTill = (shop: DemoShop) => demoChannel(shop.name).till === true;

type Counter = 'orders' | 'refused' | 'cancelled' | 'shipped' | 'refunds' | 'pos' | 'staffCounts' | 'wholesaleOrders' | 'purchaseOrders' | 'transfers' | 'handEdits' | 'outages' | 'bursts' | 'counts' | 'inspected' | 'errors' | 'confirmed' | 'channelShipped' | 'replenishments';

export class Traffic {
  private readonly speed: number;
  private readonly gapFactor: Readonly<Record<string, number>>;
  private readonly rng: Random;
  private readonly log: (line: string) => void;
  /** Keys of this run's ledger writes: unique per run, so a restart never replays an old answer. */
  private readonly runId: string;
  private readonly timers = new Set<Timer>();
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private t0 = 0;
  private seq = 0;
  private readonly orders = new Map<string, TrackedOrder>();
  private locationIds = new Map<string, string>();
  private unitsPerCase = new Map<string, number>();
  readonly totals: Record<Counter, number> = { orders: 0, refused: 0, cancelled: 0, shipped: 0, refunds: 0, pos: 0, staffCounts: 0, wholesaleOrders: 0, purchaseOrders: 0, transfers: 0, handEdits: 0, outages: 0, bursts: 0, counts: 0, inspected: 0, errors: 0, confirmed: 0, channelShipped: 0, replenishments: 0 };
  private minute: Record<Counter, number> & { byShop: Record<string, number> } = this.freshMinute();

  constructor(
    private readonly ts: Truestock,
    private readonly catalog: DemoCatalog,
    private readonly shops: DemoShops,
    opts: TrafficOptions = {},
  ) {
    this.speed = opts.speed ?? 1;
    this.gapFactor = opts.gapFactor ?? {};
    if (!(this.speed > 0)) throw new Error(`traffic speed must be above 0, got ${this.speed}`);
    this.rng = seededRandom(opts.seed ?? 1);
    this.log = opts.log ?? (() => undefined);
    this.runId = ts.clock.now().toString(36);
  }

  private freshMinute() {
    return { orders: 0, refused: 0, cancelled: 0, shipped: 0, refunds: 0, pos: 0, staffCounts: 0, wholesaleOrders: 0, purchaseOrders: 0, transfers: 0, handEdits: 0, outages: 0, bursts: 0, counts: 0, inspected: 0, errors: 0, confirmed: 0, channelShipped: 0, replenishments: 0, byShop: {} as Record<string, number> };
  }

  private count(c: Counter, n = 1): void {
    this.totals[c] += n;
    this.minute[c] += n;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const ws = this.catalog.workspaceId;
    const { locations, items } = await this.ts.store.read(async (db) => ({
      locations: await listLocations(db, ws, { limit: 1_000 }),
      items: await itemsBySku(db, ws, demoStandardSkus()),
    }));
    this.locationIds = new Map(locations.map((l) => [l.code, l.id]));
    this.unitsPerCase = new Map(items.map((i) => [i.sku, i.unitsPerCase ?? 1]));
    this.running = true;
    this.t0 = this.ts.clock.now();

    const startedAt = this.ts.clock.now();
    this.after(SHIP_AFTER_S, 'shipping what an earlier run left', () => this.shipLeftovers(startedAt));
    for (const shop of this.shops.shops) this.steadyOrders(shop);
    this.every('ship', SHIP_PASS_EVERY_S, SHIP_PASS_EVERY_S, () => this.shipPass());
    this.every('burst', BURST_FIRST_S, BURST_EVERY_S, () => this.burst());
    this.every('hand edit', HAND_EDIT_FIRST_S, HAND_EDIT_EVERY_S, () => this.handEdit());
    if (this.shops.shops.some(isTill)) this.every('staff count', STAFF_COUNT_FIRST_S, STAFF_COUNT_EVERY_S, () => this.staffCount());
    this.every('outage', OUTAGE_FIRST_S, OUTAGE_EVERY_S, () => this.outage());
    this.every('wholesale order', WHOLESALE_FIRST_S, WHOLESALE_EVERY_S, () => this.wholesaleOrder());
    this.every('purchase order', PURCHASE_FIRST_S, PURCHASE_EVERY_S, () => this.purchaseOrder());
    this.every('transfer', TRANSFER_FIRST_S, TRANSFER_EVERY_S, () => this.transfer());
    this.every('inspection', INSPECTION_EVERY_S, INSPECTION_EVERY_S, () => this.inspect());
    this.every('count', COUNT_FIRST_S, COUNT_EVERY_S, () => this.cycleCount());
    this.every('dead-letter retry', DEAD_LETTER_RETRY_FIRST_S, DEAD_LETTER_RETRY_EVERY_S, () => this.retryDeadLetters());
    for (const shop of this.shops.shops.filter((s) => managedOf(s) && s.storefront.receiveInbound)) {
      this.after(CHECK_IN_LEFTOVERS_S, `check-in on ${shop.name}`, () => this.checkIn(shop, null));
      this.every(`replenishment of ${shop.name}`, REPLENISH_FIRST_S, REPLENISH_EVERY_S, () => this.replenish(shop));
    }
    this.every('summary', SUMMARY_EVERY_S, SUMMARY_EVERY_S, () => this.summary(), 0);
  }

  /** Stop scheduling, and wait for what is in flight. */
  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  // ---- scheduling ---------------------------------------------------------------------------

  /** Demo seconds since start. */
  private elapsed(): number {
    return ((this.ts.clock.now() - this.t0) / 1000) * this.speed;
  }

  /** Run `fn` after this many demo seconds (nothing once stopped); a failure is logged, never thrown. */
  private after(seconds: number, what: string, fn: () => unknown): void {
    if (!this.running) return;
    const t: Timer = this.ts.scheduler.after((Math.max(0, seconds) * 1000) / this.speed, () => {
      this.timers.delete(t);
      if (!this.running) return;
      const p = (async () => {
        try {
          await fn();
        } catch (err) {
          this.count('errors');
          if (this.running) this.log(`demo: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      })();
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
      return p;
    });
    this.timers.add(t);
  }

  private every(what: string, first: number, period: number, fn: () => Promise<void> | void, jitter = JITTER): void {
    const loop = async () => {
      try {
        await fn();
      } finally {
        this.after(period * (1 - jitter + 2 * jitter * this.rng.next()), what, loop);
      }
    };
    this.after(first, what, loop);
  }

  private key(...parts: (string | number)[]): string {
    return ['demo', this.runId, ...parts].join(':');
  }

  private execute(key: string, command: StockCommand) {
    return this.ts.ledger.execute({ workspaceId: this.catalog.workspaceId, idempotencyKey: key, actor: DEMO_ACTOR, command });
  }

  private document(key: string, step: DocumentStep) {
    return this.ts.ledger.executeDocument({ workspaceId: this.catalog.workspaceId, idempotencyKey: key, actor: DEMO_ACTOR }, step);
  }

  // ---- shop orders ---------------------------------------------------------------------------

  private steadyOrders(shop: DemoShop): void {
    const gap = (ORDER_GAP_MEAN_S[shop.name] ?? 5) * (this.gapFactor[shop.name] ?? 1);
    const next = () => this.after(this.rng.exponential(gap), `order on ${shop.name}`, () => {
      this.placeOrder(shop);
      next();
    });
    next();
  }

  /** What the shop shows as available for a SKU now. */
  private shown(shop: DemoShop, sku: string): number {
    return shop.storefront.shown(sku);
  }

  /**
   * A SKU the shop shows in stock, popular sizes more often; undefined when a few tries find none.
   * `channelFulfils`: only SKUs the channel ships itself (true) or only ours (false); any when absent.
   */
  private pickSku(shop: DemoShop, exclude: Set<string>, channelFulfils?: boolean): string | undefined {
    const skus = shop.storefront.skus;
    const weights = skus.map(popularity);
    for (let tries = 0; tries < 8; tries++) {
      const sku = skus[this.rng.weighted(weights)]!;
      if (channelFulfils !== undefined && (shop.storefront.channelFulfils?.(sku) ?? false) !== channelFulfils) continue;
      if (!exclude.has(sku) && this.shown(shop, sku) > 0) return sku;
    }
    return undefined;
  }

  /** A customer checks out on the shop (or at the till): one to three lines of what it shows in stock. */
  private placeOrder(shop: DemoShop): TrackedOrder | undefined {
    const lineCount = this.rng.weighted([75, 20, 5]) + 1;
    const used = new Set<string>();
    const lines: { sku: string; quantity: number }[] = [];
    // One order ships from one side: the channel's own warehouse or ours (a marketplace splits a mixed cart).
    let fromChannel: boolean | undefined;
    for (let i = 0; i < lineCount; i++) {
      const sku = this.pickSku(shop, used, fromChannel);
      if (!sku) break;
      fromChannel = shop.storefront.channelFulfils?.(sku) ?? false;
      used.add(sku);
      const quantity = Math.min(this.shown(shop, sku), this.rng.weighted([80, 15, 5]) + 1);
      lines.push({ sku, quantity });
    }
    const order = lines.length > 0 ? shop.storefront.placeOrder(lines) : null;
    if (!order) {
      this.count('refused');
      return undefined;
    }
    const awaitingPayment = order.pending === true && shop.storefront.confirm !== undefined;
    const till = isTill(shop);
    // The till's customer already walked out: nothing to cancel (a return undoes a sale).
    const willCancel = !till && this.rng.chance(CANCEL_SHARE);
    const tracked: TrackedOrder = { shop, order, placedAt: this.elapsed(), willCancel, willRefund: this.rng.chance(REFUND_SHARE), shipTries: 0, awaitingPayment };
    this.orders.set(order.id, tracked);
    this.count(till ? 'pos' : 'orders');
    this.minute.byShop[shop.name] = (this.minute.byShop[shop.name] ?? 0) + 1;
    if (tracked.willCancel) this.after(this.rng.int(...CANCEL_AFTER_S), 'cancellation', () => this.cancel(tracked));
    else if (awaitingPayment) this.awaitPayment(tracked);
    return tracked;
  }

  /** The payment of a pending order: confirmed soon, or minutes later, or (rarely) never — then it is cancelled. */
  private awaitPayment(t: TrackedOrder): void {
    const slow = this.rng.chance(PAYMENT_SLOW_SHARE);
    const declined = slow && this.rng.chance(PAYMENT_DECLINED_SHARE);
    this.after(slow ? this.rng.int(...PAYMENT_SLOW_S) : this.rng.int(...PAYMENT_QUICK_S), 'payment', () => {
      if (declined) {
        this.log(`demo: payment declined on ${t.shop.name}: order ${t.order.name} cancelled while pending`);
        return this.cancel(t);
      }
      if (!t.shop.storefront.confirm!(t.order.id)) return void this.orders.delete(t.order.id);
      t.awaitingPayment = false;
      // Shipping starts from the payment: the warehouse waits for it.
      t.placedAt = this.elapsed();
      this.count('confirmed');
    });
  }

  /** The customer changed their mind before it shipped: cancelled on the shop, units restocked. */
  private cancel(t: TrackedOrder): void {
    this.orders.delete(t.order.id);
    if (t.shop.storefront.cancel(t.order.id)) this.count('cancelled');
  }

  private burst(): void {
    const webstore = this.shops.shop('webstore');
    // A flash sale happens online; a store's till rings up one customer at a time.
    const online = this.shops.shops.filter((s) => !isTill(s));
    if (online.length === 0) return;
    const shop = webstore && this.rng.chance(0.75) ? webstore : this.rng.pick(online);
    this.count('bursts');
    this.log(`demo: burst of ${BURST_ORDERS} orders on ${shop.name}`);
    const spread = shop === webstore ? BURST_SPREAD_S : BURST_SPREAD_ELSEWHERE_S;
    for (let i = 0; i < BURST_ORDERS; i++) this.after(this.rng.next() * spread, `burst order on ${shop.name}`, () => void this.placeOrder(shop));
  }

  /**
   * The warehouse ships orders placed a while ago: the hold is shipped in the ledger and the
   * order fulfilled on the shop. A few shipped orders come back later as refunds with restock.
   */
  private async shipPass(): Promise<void> {
    const now = this.elapsed();
    // A till's sale is handed over as soon as truestock has it: the customer took it home.
    const ready = [...this.orders.values()].filter((o) => !o.willCancel && !o.awaitingPayment && now - o.placedAt >= (isTill(o.shop) ? 0 : SHIP_AFTER_S));
    // The channel ships these from its own warehouse: nothing of ours moves.
    for (const o of ready.filter((r) => r.order.fulfilledByChannel)) {
      this.orders.delete(o.order.id);
      if (o.shop.storefront.fulfil(o.order.id)) this.count('channelShipped');
    }
    const due = ready.filter((o) => !o.order.fulfilledByChannel);
    if (due.length === 0) return;
    const rows = await this.ts.store.read(async (db) => Promise.all(due.map((o) => getChannelOrder(db, o.shop.channelId, o.order.id))));
    await Promise.all(due.map(async (o, i) => {
      const row = rows[i];
      if (!row || row.ledgerState === null || row.ledgerState === 'held') {
        // Its webhook has not arrived (an outage holds it back; a polled channel's orders arrive
        // minutes late), or only its pending state has: the poll is the last resort.
        if (now - o.placedAt > ORDER_TRACKED_MAX_S) this.orders.delete(o.order.id);
        return;
      }
      if (row.state !== 'open' || row.ledgerState !== 'allocated' || !row.holdId) {
        this.orders.delete(o.order.id);
        return;
      }
      const r = await this.execute(this.key('ship', row.holdId, o.shipTries++), { type: 'ship', hold_id: row.holdId });
      if (!r.ok) {
        if (o.shipTries >= SHIP_TRIES_MAX) this.orders.delete(o.order.id);
        return;
      }
      this.orders.delete(o.order.id);
      this.count('shipped');
      o.shop.storefront.fulfil(o.order.id);
      if (o.willRefund) this.after(this.rng.int(...REFUND_AFTER_SHIPPING_S), 'refund', () => this.refund(o));
    }));
  }

  /** Orders an earlier run allocated and never shipped (it was stopped first) leave now. */
  private async shipLeftovers(before: number): Promise<void> {
    const ws = this.catalog.workspaceId;
    let after: string | undefined;
    let shipped = 0;
    for (;;) {
      const page = await this.ts.store.read((db) => listHolds(db, ws, { state: 'allocated', limit: LEFTOVERS_PAGE, ...(after ? { after } : {}) }));
      for (const h of page.filter((h) => h.createdAt < before)) {
        const r = await this.execute(this.key('leftover', h.id), { type: 'ship', hold_id: h.id });
        if (r.ok) shipped++;
      }
      if (page.length < LEFTOVERS_PAGE) break;
      after = page[page.length - 1]!.id;
    }
    if (shipped > 0) this.log(`demo: shipped ${plural(shipped, 'order')} an earlier run had allocated`);
    await this.releaseForgottenPending(before);
  }

  /**
   * Orders an earlier run left pending (held, waiting for their payment) on a storefront that has
   * since started afresh: it forgot them, so no confirmation or cancellation will ever come. They
   * are released, as the channel would have cancelled an order never paid.
   */
  private async releaseForgottenPending(before: number): Promise<void> {
    const channels = new Set(this.shops.shops.filter((s) => s.storefront.confirm).map((s) => s.channelId));
    if (channels.size === 0) return;
    const ws = this.catalog.workspaceId;
    let after: string | undefined;
    let released = 0;
    for (;;) {
      const page = await this.ts.store.read((db) => listHolds(db, ws, { state: 'active', limit: LEFTOVERS_PAGE, ...(after ? { after } : {}) }));
      // A channel's pending order is held without expiry (a cart's hold expires).
      for (const h of page.filter((h) => h.createdAt < before && h.expiresAt === null && h.channelId !== null && channels.has(h.channelId))) {
        const r = await this.execute(this.key('forgotten', h.id), { type: 'release', hold_id: h.id });
        if (r.ok) released++;
      }
      if (page.length < LEFTOVERS_PAGE) break;
      after = page[page.length - 1]!.id;
    }
    if (released > 0) this.log(`demo: released ${plural(released, 'pending order')} an earlier run left waiting for payment`);
  }

  /** A customer sends one unit back: refunded on the shop with restock, so truestock opens a return. */
  private refund(o: TrackedOrder): void {
    const line = o.order.lines[0]!;
    if (!o.shop.storefront.refund(o.order.id, line.id, 1)) return;
    this.count('refunds');
    const where = isTill(o.shop) ? 'returned at the till, into the back room' : 'restocked';
    this.log(`demo: refund on ${o.shop.name}: order ${o.order.name} sends back 1 × ${line.sku} (${where}: a return awaiting inspection)`);
  }

  private handEdit(): void {
    // A till's number is changed by a staff count (below), not by a hand edit in an admin.
    const shops = this.shops.shops.filter((s) => s.storefront.reportsHandEdits !== false && !isTill(s));
    if (shops.length === 0) return;
    const shop = this.rng.pick(shops);
    // A number the channel keeps itself (its own warehouse) is not edited by hand.
    const sku = this.pickSku(shop, new Set(), false);
    if (!sku) return;
    const was = this.shown(shop, sku);
    const to = Math.max(0, was + this.rng.pick([-2, -1, 3, 5]));
    shop.storefront.setShown(sku, to);
    this.count('handEdits');
    this.log(`demo: hand edit in ${shop.name}'s admin: ${sku} set from ${was} to ${to} (master wins: truestock puts its number back after the edit grace)`);
  }

  /**
   * A staff member recounts a SKU on a store's shelf and enters the count on the till: now and
   * then a unit is missing or turns up. The till's channel adopts it (the shelf is the truth), so
   * truestock books the difference at the store.
   */
  private staffCount(): void {
    const tills = this.shops.shops.filter(isTill);
    if (tills.length === 0) return;
    const shop = this.rng.pick(tills);
    const sku = this.pickSku(shop, new Set());
    if (!sku) return;
    const was = this.shown(shop, sku);
    const to = Math.max(0, was + this.rng.pick([-1, -1, 0, 1]));
    shop.storefront.setShown(sku, to);
    this.count('staffCounts');
    this.log(`demo: staff count on ${shop.name}'s till: ${sku} counted ${to} (the till showed ${was}${to === was ? ', no variance' : '; adopted: truestock books the difference at the store'})`);
  }

  private outage(): void {
    const shop = this.shops.shops[this.totals.outages % this.shops.shops.length]!;
    this.count('outages');
    shop.storefront.goDown(OUTAGE_S / this.speed);
    this.log(`demo: ${shop.name} is down for ${OUTAGE_S} s (its API answers 503; its webhooks wait; the other channels carry on)`);
    this.after(OUTAGE_S, 'outage end', () => this.log(`demo: ${shop.name} is back up`));
  }

  // ---- the channel's own warehouse ------------------------------------------------------------

  /**
   * The 3PL sends the channel's warehouse what runs low there: a transfer in truestock (in transit
   * until the channel reports the units arrived), and an inbound shipment the channel expects.
   */
  private async replenish(shop: DemoShop): Promise<void> {
    const managed = managedOf(shop)!;
    const ws = this.catalog.workspaceId;
    const source = new Map((await this.ts.store.read((db) => levelsAtLocation(db, ws, this.locationIds.get(REPLENISH_FROM)!, null, 1_000))).map((l) => [l.sku, l.available]));
    const lines = managed.skus()
      .map((sku) => ({ sku, stock: shop.storefront.managedStock!(sku) }))
      .filter((l) => l.stock.inbound === 0 && l.stock.available < REPLENISH_BELOW_UNITS)
      .sort((a, b) => a.stock.available - b.stock.available || popularity(b.sku) - popularity(a.sku))
      .map((l) => ({ sku: l.sku, quantity: Math.min(REPLENISH_UNITS, (source.get(l.sku) ?? 0) - REORDER_POINT[REPLENISH_FROM]!) }))
      .filter((l) => l.quantity > 0)
      .slice(0, REPLENISH_LINES_MAX);
    if (lines.length === 0) return;
    const n = ++this.seq;
    const r = await this.document(this.key('replenish', n, 'ship'), shipTransferStep(ws, { from: REPLENISH_FROM, to: managed.location.code, lines, note: `${shop.name} replenishment` }));
    if (!r.ok) return;
    const tr = r.body.transfer as { number: string; shipped: number };
    for (const l of lines) {
      const now = shop.storefront.managedStock!(l.sku);
      shop.storefront.setManagedStock!(l.sku, { ...now, inbound: now.inbound + l.quantity });
    }
    this.count('replenishments');
    this.log(`demo: transfer ${tr.number} from ${REPLENISH_FROM} to ${managed.location.code}: ${lines.length} SKUs, ${tr.shipped} units in transit until ${shop.name} reports them checked in`);
    this.after(CHECK_IN_AFTER_S, `check-in on ${shop.name}`, () => this.checkIn(shop, lines));
  }

  /** The channel checks in what arrived (these lines, or everything inbound): its next stock report tells truestock. */
  private checkIn(shop: DemoShop, lines: { sku: string; quantity: number }[] | null): void {
    const managed = managedOf(shop)!;
    const arriving = lines ?? managed.skus().map((sku) => ({ sku, quantity: shop.storefront.managedStock!(sku).inbound })).filter((l) => l.quantity > 0);
    let units = 0;
    for (const l of arriving) if (shop.storefront.receiveInbound!(l.sku, l.quantity)) units += l.quantity;
    if (units > 0) this.log(`demo: ${shop.name} checked in ${units} units at ${managed.location.code} (truestock receives the transfer when its stock report shows them)`);
  }

  // ---- sales through the ledger ---------------------------------------------------------------

  /** A retail partner orders whole cases from the East DC; the pallet leaves a minute later. */
  private async wholesaleOrder(): Promise<void> {
    const skus = new Set(demoChannel(WHOLESALE_CHANNEL).skus());
    const levels = (await this.ts.store.read((db) => levelsAtLocation(db, this.catalog.workspaceId, this.locationIds.get('WH-EAST')!, null, 1_000)))
      .filter((l) => skus.has(l.sku) && l.available >= 2 * (this.unitsPerCase.get(l.sku) ?? 1) + REORDER_POINT['WH-EAST']!);
    if (levels.length === 0) return;
    const l = this.rng.pick(levels);
    const perCase = this.unitsPerCase.get(l.sku) ?? 1;
    const cases = this.rng.int(1, 2);
    const n = ++this.seq;
    const reference = `WS-${this.runId}-${n}`;
    // Through the channel's order terms, as the API takes a wholesale order (docs/wholesale.md).
    const r = await allocateChannelOrder(this.ts.ledger, {
      workspaceId: this.catalog.workspaceId, idempotencyKey: this.key('wholesale-order', n), actor: DEMO_ACTOR,
      command: {
        type: 'allocate_order', lines: [{ sku: l.sku, quantity: cases * perCase, location: 'WH-EAST' }], order_reference: reference,
        channel: this.catalog.channels.wholesale, channel_accepted: false,
      },
    });
    if (!r.ok) return;
    this.count('wholesaleOrders');
    this.log(`demo: wholesale order ${reference}: ${cases} case${cases > 1 ? 's' : ''} (${cases * perCase} units) of ${l.sku} from WH-EAST`);
    // Wholly backordered beyond a ring-fence: nothing is held, nothing ships yet.
    const holdId = (r.body.hold as { id: string } | null)?.id;
    if (holdId === undefined) return;
    this.after(WHOLESALE_SHIP_AFTER_S, 'wholesale shipment', () => this.execute(this.key('wholesale-order', n, 'ship'), { type: 'ship', hold_id: holdId }));
  }

  // ---- warehouse work ----------------------------------------------------------------------------

  private purchaseRound = 0;

  /** Restock a location running low: one purchase order per supplier, received a little later. */
  private async purchaseOrder(): Promise<void> {
    const codes = Object.keys(REORDER_POINT);
    const code = codes[this.purchaseRound++ % codes.length]!;
    const point = REORDER_POINT[code]!;
    const standard = new Set(demoStandardSkus());
    const low = (await this.ts.store.read((db) => levelsAtLocation(db, this.catalog.workspaceId, this.locationIds.get(code)!, null, 1_000)))
      // Shoes reach the DCs from the 3PL (transfers): only the 3PL buys them.
      .filter((l) => standard.has(l.sku) && l.available < point && (code === '3PL-CENTRAL' || productOf(l.sku)?.code !== 'RUN'))
      .sort((a, b) => a.available - b.available)
      .slice(0, PURCHASE_LINES_MAX);
    if (low.length === 0) return;
    const bySupplier = new Map<string, { sku: string; quantity: number }[]>();
    for (const l of low) {
      const perCase = this.unitsPerCase.get(l.sku) ?? 1;
      const quantity = Math.max(perCase, Math.ceil((2 * point - l.available) / perCase) * perCase);
      const supplier = SUPPLIERS[productOf(l.sku)?.code ?? ''] ?? SUPPLIER_DEFAULT;
      bySupplier.set(supplier, [...(bySupplier.get(supplier) ?? []), { sku: l.sku, quantity }]);
    }
    for (const [supplier, lines] of bySupplier) {
      const n = ++this.seq;
      const r = await this.document(this.key('po', n, 'open'), openPurchaseOrderStep(this.catalog.workspaceId, { supplier, location: code, lines, note: 'reorder: stock ran low' }));
      if (!r.ok) continue;
      const po = r.body.purchase_order as { id: string; number: string; ordered: number };
      this.count('purchaseOrders');
      this.log(`demo: purchase order ${po.number} to ${code} from ${supplier}: ${lines.length} SKUs, ${po.ordered} units`);
      this.after(PURCHASE_ARRIVES_AFTER_S, 'purchase receipt', () => this.receivePurchase(n, po.id, po.number, code, lines));
    }
  }

  /** The delivery: now and then a damaged unit, now and then a line short (and the PO closed short). */
  private async receivePurchase(n: number, id: string, number: string, code: string, lines: { sku: string; quantity: number }[]): Promise<void> {
    const damagedLine = this.rng.chance(0.3) ? this.rng.int(0, lines.length - 1) : -1;
    const shortLine = this.rng.chance(0.15) ? this.rng.int(0, lines.length - 1) : -1;
    const receipt = lines.map((l, i) => {
      const damaged = i === damagedLine ? Math.min(l.quantity, this.rng.int(1, 2)) : 0;
      const short = i === shortLine ? Math.min(l.quantity - damaged, this.unitsPerCase.get(l.sku) ?? 1) : 0;
      return { sku: l.sku, good: l.quantity - damaged - short, damaged };
    }).filter((l) => l.good + l.damaged > 0);
    const r = await this.document(this.key('po', n, 'receive'), receivePurchaseOrderStep(this.catalog.workspaceId, id, { reference: `delivery for ${number}`, lines: receipt }));
    if (!r.ok) return;
    const good = receipt.reduce((s, l) => s + l.good, 0);
    const damaged = receipt.reduce((s, l) => s + l.damaged, 0);
    this.log(`demo: received ${number} at ${code}: ${good} good${damaged ? `, ${damaged} damaged` : ''}${shortLine >= 0 ? ' (one line short; closed short)' : ''}`);
    if (shortLine >= 0) await this.document(this.key('po', n, 'close'), closePurchaseOrderStep(this.catalog.workspaceId, id, { reason: 'supplier short-shipped; rest cancelled' }));
  }

  private transferRound = 0;

  /** The 3PL refills the stores' shelves, and the DCs' shoe stock (shoes are bought in by the 3PL). */
  private async transfer(): Promise<void> {
    const dests = ['STORE-NYC', 'WH-EAST', 'STORE-SF', 'WH-WEST'];
    const to = dests[this.transferRound++ % dests.length]!;
    const ws = this.catalog.workspaceId;
    const [source, dest] = await this.ts.store.read(async (db) => [
      new Map((await levelsAtLocation(db, ws, this.locationIds.get('3PL-CENTRAL')!, null, 1_000)).map((l) => [l.sku, l.available])),
      await levelsAtLocation(db, ws, this.locationIds.get(to)!, null, 1_000),
    ] as const);
    const store = to.startsWith('STORE-');
    const standard = new Set(demoStandardSkus());
    const lines = dest
      .filter((l) => standard.has(l.sku) && (store ? l.available <= 1 : productOf(l.sku)?.code === 'RUN' && l.available < 8))
      .sort((a, b) => popularity(b.sku) - popularity(a.sku) || a.available - b.available)
      .map((l) => ({ sku: l.sku, quantity: Math.min(store ? 2 + popularity(l.sku) : 6, (source.get(l.sku) ?? 0) - 4) }))
      .filter((l) => l.quantity > 0)
      .slice(0, TRANSFER_LINES_MAX);
    if (lines.length === 0) return;
    const n = ++this.seq;
    const r = await this.document(this.key('transfer', n, 'ship'), shipTransferStep(ws, { from: '3PL-CENTRAL', to, lines, note: store ? 'shelf refill' : 'shoe stock for the DC' }));
    if (!r.ok) return;
    const tr = r.body.transfer as { id: string; number: string; shipped: number };
    this.count('transfers');
    this.log(`demo: transfer ${tr.number} from 3PL-CENTRAL to ${to}: ${lines.length} SKUs, ${tr.shipped} units in transit`);
    this.after(TRANSFER_ARRIVES_AFTER_S, 'transfer receipt', async () => {
      const lost = this.rng.chance(0.1) ? this.rng.int(0, lines.length - 1) : -1;
      const receipt = lines.map((l, i) => ({ sku: l.sku, good: i === lost ? l.quantity - 1 : l.quantity })).filter((l) => l.good > 0);
      const got = await this.document(this.key('transfer', n, 'receive'), receiveTransferStep(ws, tr.id, { reference: 'unloaded', lines: receipt }));
      if (!got.ok) return;
      const after = got.body.transfer as { state: string; received: number };
      if (after.state !== 'closed') await this.document(this.key('transfer', n, 'close'), closeTransferStep(ws, tr.id, { note: lost >= 0 ? 'one unit never arrived' : null }));
      this.log(`demo: received ${tr.number} at ${to}: ${after.received} units${lost >= 0 ? ' (one missing: written off as shrinkage)' : ''}`);
    });
  }

  /**
   * The inspection bench: returned units are restocked (now and then one is damaged) and the
   * return closed; shoes received at the 3PL pass inspection into available.
   */
  private async inspect(): Promise<void> {
    const ws = this.catalog.workspaceId;
    const open = await this.ts.store.read((db) => returnsPage(db, ws, { state: 'open', limit: 100 }));
    for (const ret of open.data) {
      const waiting = ret.lines.filter((l) => l.awaiting_inspection > 0);
      const n = ++this.seq;
      if (waiting.length > 0) {
        const lines = waiting.map((l) => {
          const damaged = this.rng.chance(0.15) ? 1 : 0;
          return { line: l.line, restock: l.awaiting_inspection - damaged, damaged };
        });
        const r = await this.document(this.key('return', n, 'inspect'), inspectStep(ws, ret.id, { lines }));
        if (!r.ok) continue;
        const restocked = lines.reduce((s, l) => s + l.restock, 0);
        const damaged = lines.reduce((s, l) => s + l.damaged, 0);
        this.count('inspected', restocked + damaged);
        this.log(`demo: inspected return ${ret.number}${ret.order_reference ? ` (order ${ret.order_reference})` : ''}: ${restocked} restocked${damaged ? `, ${damaged} damaged` : ''}`);
      }
      if (ret.lines.every((l) => l.received >= l.expected)) await this.document(this.key('return', n, 'close'), closeStep(ws, ret.id));
    }

    const threePl = this.locationIds.get('3PL-CENTRAL')!;
    const ids = new Map((await this.ts.store.read((db) => itemsBySku(db, ws, demoStandardSkus()))).map((i) => [i.id, i.sku]));
    const inQc = (await this.ts.store.read((db) => allLevels(db, ws)))
      .filter((l) => l.location_id === threePl && Number(l.quality_control) > 0 && ids.has(l.item_id));
    let passed = 0;
    let failed = 0;
    for (const l of inQc) {
      const sku = ids.get(l.item_id)!;
      const units = Number(l.quality_control);
      const bad = this.rng.chance(0.1) ? 1 : 0;
      const n = ++this.seq;
      if (units - bad > 0) {
        const r = await this.execute(this.key('qc', n, 'pass'), { type: 'move', sku, location: '3PL-CENTRAL', quantity: units - bad, from: 'quality_control', to: 'available', note: 'passed inspection' });
        if (r.ok) passed += units - bad;
      }
      if (bad > 0) {
        const r = await this.execute(this.key('qc', n, 'fail'), { type: 'move', sku, location: '3PL-CENTRAL', quantity: bad, from: 'quality_control', to: 'damaged', note: 'failed inspection' });
        if (r.ok) failed += bad;
      }
    }
    if (passed + failed > 0) {
      this.count('inspected', passed + failed);
      this.log(`demo: inspection at 3PL-CENTRAL: ${passed} units passed into available${failed ? `, ${failed} damaged` : ''}`);
    }
  }

  private countRound = 0;

  /** A cycle count of a few SKUs in a store; now and then a unit is missing or turns up. */
  private async cycleCount(): Promise<void> {
    const ws = this.catalog.workspaceId;
    const code = this.countRound++ % 2 === 0 ? 'STORE-NYC' : 'STORE-SF';
    const locationId = this.locationIds.get(code)!;
    const ids = new Map((await this.ts.store.read((db) => itemsBySku(db, ws, demoStandardSkus()))).map((i) => [i.id, i.sku]));
    const levels = (await this.ts.store.read((db) => allLevels(db, ws))).filter((l) => l.location_id === locationId && ids.has(l.item_id));
    if (levels.length === 0) return;
    const chosen = new Map<string, number>();
    for (let i = 0; i < COUNT_SKUS * 3 && chosen.size < COUNT_SKUS; i++) {
      const l = this.rng.pick(levels);
      const onHand = Number(l.available) + Number(l.reserved) + Number(l.committed) + Number(l.damaged) + Number(l.quality_control) + Number(l.safety_stock) - Number(l.oversold);
      chosen.set(ids.get(l.item_id)!, Math.max(0, onHand));
    }
    const viewer = { actor: DEMO_ACTOR, admin: true };
    const n = ++this.seq;
    const input = { location: code, scope: 'skus' as const, skus: [...chosen.keys()], blind: false };
    const made = await idempotent(this.ts.store, this.ts.clock, ws, this.key('count', n, 'create'), fingerprint(input), (db, now) => createCount(db, ws, input, viewer, now));
    if (!made.ok) return;
    const count = made.body.count as { id: string; number: string };
    const variances: string[] = [];
    const entries = [...chosen].map(([sku, onHand]) => {
      const off = this.rng.chance(0.25) ? this.rng.pick([-1, -1, 1]) : 0;
      const counted = Math.max(0, onHand + off);
      if (counted !== onHand) variances.push(`${counted > onHand ? '+' : ''}${counted - onHand} ${sku}`);
      return { sku, counted, counter: 'demo' };
    });
    const entered = await idempotent(this.ts.store, this.ts.clock, ws, this.key('count', n, 'enter'), fingerprint(entries), (db, now) => enterCounts(db, ws, count.id, entries, viewer, now));
    if (!entered.ok) return;
    const posted = await this.document(this.key('count', n, 'post'), postStep(ws, count.id, viewer));
    if (!posted.ok) return;
    this.count('counts');
    this.log(`demo: cycle count ${count.number} at ${code}: ${chosen.size} SKUs counted, ${variances.length ? `variances ${variances.join(', ')}` : 'no variance'}`);
  }

  private async retryDeadLetters(): Promise<void> {
    const ws = this.catalog.workspaceId;
    for (const shop of this.shops.shops) {
      const key = this.key('dead-letters', ++this.seq);
      const r = await idempotent(this.ts.store, this.ts.clock, ws, key, fingerprint({ retry: shop.channelId }), (db) => retryDead(db, ws, shop.channelId, undefined));
      const retried = r.ok ? Number(r.body.retried ?? 0) : 0;
      if (retried > 0) this.log(`demo: ops desk retried ${retried} dead-lettered listing${retried > 1 ? 's' : ''} on ${shop.name}`);
    }
  }

  private summary(): void {
    const m = this.minute;
    this.minute = this.freshMinute();
    const shops = Object.entries(m.byShop).map(([s, n]) => `${s} ${n}`).join(', ');
    this.log(`demo: last minute: ${plural(m.orders, 'shop order')}, ${plural(m.pos, 'till sale')}${shops ? ` (${shops})` : ''}, ${m.confirmed} paid later, ${m.cancelled} cancelled, ${m.shipped} shipped, ` +
      `${m.channelShipped} shipped by the channel, ` +
      `${plural(m.refunds, 'refund')}, ${plural(m.refused, 'checkout')} finding nothing in stock`);
  }
}
