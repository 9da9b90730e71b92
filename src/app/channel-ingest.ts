// Channel events in, at flash-sale speed: verified deliveries (webhooks) are deduped, applied and
// receipted in batches. A webhook route verifies and parses a delivery (that part is the kind's),
// then hands it here and awaits its outcome; deliveries that arrive while a batch is being written
// queue, and the next batch takes them all:
//
//   1. one read finds the deliveries already receipted (a redelivery: answered `duplicate`); copies
//      of one delivery inside the batch share one outcome;
//   2. one transaction records every order event of the batch (rows locked in order id order, so
//      two batches never deadlock);
//   3. every order's ledger step goes to the ledger at once, so they share its group commit, and
//      one transaction records where each order got to (`convergeOrders`);
//   4. one multi-row insert writes the receipts.
//
// Orders have a lane of their own; levels and refunds go in a second one that yields to it (see
// `ingests`). Polls hand a page of orders to `applyOrderEvents`, the same path without receipts.
//
// So a burst costs a few transactions per batch instead of four or five per delivery — on
// PostgreSQL each is a round trip and a WAL flush — and there is no connection per delivery to
// wait for. Exactly-once is unchanged: every effect is idempotent on the event's own ids (the
// order row only moves forward, ledger steps go under keys derived from the order), and the
// receipt still comes last: a crash before it leaves the delivery unanswered, the channel
// delivers it again, and it applies nothing twice.

import {
  applyChannelEvent,
  type ChannelContext,
  type ChannelEvent,
  convergeOrders,
  groupBy,
  isCancel,
  type OrderFacts,
  recordOrder,
  recordOrders,
  type OrderEvent,
} from './channel-events.ts';
import { decideLevels } from './channel-levels.ts';
import type { Channel } from '../domain/listing-rules.ts';
import { channelById, insertReceipts, type Receipt, receiptsOf } from '../store/channel-event-repo.ts';
import type { Truestock } from './truestock.ts';

/** Deliveries one batch takes. */
export const INGEST_BATCH_MAX = 512;
/** Batches of orders being written at once: the next one records while the last one waits for the ledger. */
export const ORDER_BATCHES_IN_FLIGHT_MAX = 2;
/**
 * Events other than orders (levels, refunds) applied at once: each is a transaction of its own
 * that may wait on a listing's lock, holding a connection meanwhile, and the pool must keep
 * connections for the orders and the ledger. One batch of them at a time.
 */
export const OTHER_EVENTS_CONCURRENCY_MAX = 2;
/** The longest other events wait for the orders lane before they go anyway. */
export const OTHERS_DEFER_MAX_MS = 3_000;
/**
 * Other events wait for the orders that arrived before them, and for those arriving up to this
 * long after them: a shop sends a sale's order and its level at the same moment, in either order.
 */
export const ORDERS_ALONGSIDE_MS = 50;

/** A delivery whose sender was verified, parsed into normalized events by its kind. */
export interface VerifiedDelivery {
  cx: ChannelContext;
  /** The channel's id of this delivery (the same on every retry of it): what dedupes it. */
  deliveryId: string;
  topic: string;
  /** The channel's id of the event the delivery carries, if it says. */
  eventId: string | null;
  /** When the channel says the event happened (ms), if it says. */
  triggeredAt: number | null;
  /** What the delivery asks, in order; empty when it is ignored. */
  events: ChannelEvent[];
  /** Why the delivery applies nothing (unreadable, a topic not followed): it is still receipted. */
  ignored?: string;
}

export type IngestResult =
  | { status: 'duplicate'; outcome: string }
  /** Applied (or ignored) and receipted; `outcome` is what the receipt says. */
  | { status: 'ok'; outcome: string };

/**
 * Dedupe, apply and receipt one verified delivery, batched with whatever else arrives meanwhile.
 * Rejects with `RetryLater` when the ledger was too busy (nothing receipted: the channel must
 * deliver it again), and with store errors as they come.
 */
export function ingestDelivery(ts: Truestock, delivery: VerifiedDelivery): Promise<IngestResult> {
  let lanes = ingests.get(ts);
  if (!lanes) {
    const orders = new Ingest(ts, ORDER_BATCHES_IN_FLIGHT_MAX);
    const others = new Ingest(ts, 1, orders);
    orders.onSettled = () => others.pump();
    ingests.set(ts, (lanes = { orders, others, running: new Map() }));
  }
  // A copy of a delivery still being applied here (the channel gave up waiting and sent it again)
  // waits for the first one instead of applying it a second time.
  const key = copyKey(delivery);
  const running = lanes.running.get(key);
  if (running) return running.then((r) => ({ status: 'duplicate', outcome: r.outcome }));
  const lane = delivery.events.some(isOrderEvent) ? lanes.orders : lanes.others;
  const p = lane.submit(delivery);
  lanes.running.set(key, p);
  const forget = () => void lanes.running.delete(key);
  p.then(forget, forget);
  return p;
}

/**
 * The channel a delivery names, read for it. Deliveries arriving while a read of the same channel
 * is in flight share that read (a flash sale is hundreds a second for one channel): what they get
 * is at most one round trip old, never a cached copy.
 */
export function channelForDelivery(ts: Truestock, channelId: string): Promise<Channel | undefined> {
  let reads = channelReads.get(ts);
  if (!reads) channelReads.set(ts, (reads = new Map()));
  let read = reads.get(channelId);
  if (!read) {
    read = ts.store.read((db) => channelById(db, channelId));
    reads.set(channelId, read);
    const forget = () => void reads.delete(channelId);
    read.then(forget, forget);
  }
  return read;
}

const channelReads = new WeakMap<Truestock, Map<string, Promise<Channel | undefined>>>();

/**
 * Two lanes, so that orders never wait behind the rest, and the rest wait for the orders (up to
 * `OTHERS_DEFER_MAX_MS`). A level the channel shows is a transaction of its own that takes its
 * listing's locks, which an order's ledger batch needs to recompute the listing: run side by
 * side, each waits on the other. And a level that reports a sale truestock has not allocated yet
 * looks like a hand edit (its number is pushed again after the edit grace), while the same level
 * after the order is an echo: orders first is also what keeps the channel's numbers current.
 */
const ingests = new WeakMap<Truestock, { orders: Ingest; others: Ingest; running: Map<string, Promise<IngestResult>> }>();

export const isOrderEvent = (e: ChannelEvent): e is Extract<ChannelEvent, { order: OrderFacts }> => e.kind === 'order_created' || e.kind === 'order_updated' || e.kind === 'order_cancelled';

interface Pending {
  delivery: VerifiedDelivery;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}

/** What became of one delivery (or event) inside a batch. */
export type Applied = { ok: true; outcome: string } | { ok: false; error: unknown };

/**
 * Order events read by a poll (one page of them), applied together as a batch of deliveries
 * would be: one transaction records them, one ledger batch and one transaction move them. Each
 * answers its outcome, or its error (`RetryLater` when the ledger was busy). No receipts: the
 * poll's cursor is what remembers.
 */
export function applyOrderEvents(ts: Truestock, cx: ChannelContext, events: Extract<ChannelEvent, { order: OrderFacts }>[]): Promise<Applied[]> {
  return events.length === 0 ? Promise.resolve([]) : applyOrders(ts, cx, events.map((e) => ({ order: e.order, cancelled: isCancel(e.kind, e.order), occurredAt: e.occurredAt })));
}

class Ingest {
  private readonly queue: (Pending & { queuedAt: number })[] = [];
  private inFlight = 0;
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  /** Told whenever a batch of this lane settles. */
  onSettled: (() => void) | null = null;
  /** When the first delivery of each batch in flight arrived. */
  private readonly inFlightSince = new Set<{ at: number }>();

  constructor(
    private readonly ts: Truestock,
    private readonly inFlightMax: number,
    /** A lane this one waits for while it is busy, up to `OTHERS_DEFER_MAX_MS`. */
    private readonly yieldTo: Ingest | null = null,
  ) {}

  get idle(): boolean {
    return this.inFlight === 0 && this.queue.length === 0;
  }

  /** When the earliest delivery still queued or being applied arrived (Infinity: none). */
  get oldestPendingAt(): number {
    let at = this.queue[0]?.queuedAt ?? Infinity;
    for (const b of this.inFlightSince) at = Math.min(at, b.at);
    return at;
  }

  submit(delivery: VerifiedDelivery): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ delivery, resolve, reject, queuedAt: this.ts.clock.now() });
      this.pump();
    });
  }

  /** After this turn of the event loop, so every delivery read in this turn joins the batch. */
  pump(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    let ready = this.queue.length;
    if (this.yieldTo && !this.yieldTo.idle && this.queue.length > 0) {
      // Ready: the deliveries whose orders are in — every order that arrived before them, or
      // alongside — or that waited OTHERS_DEFER_MAX_MS. Both hold for a prefix of the queue.
      const now = this.ts.clock.now();
      const ordersFrom = this.yieldTo.oldestPendingAt;
      const isReady = (p: { queuedAt: number }) => now - p.queuedAt >= OTHERS_DEFER_MAX_MS || (now - p.queuedAt >= ORDERS_ALONGSIDE_MS && ordersFrom > p.queuedAt + ORDERS_ALONGSIDE_MS);
      ready = 0;
      while (ready < this.queue.length && isReady(this.queue[ready]!)) ready++;
      if (ready === 0) {
        // The other lane calls pump() whenever a batch of it settles; the timer bounds the wait.
        const waited = now - this.queue[0]!.queuedAt;
        this.timer ??= setTimeout(() => ((this.timer = null), this.pump()), Math.max(1, waited < ORDERS_ALONGSIDE_MS ? ORDERS_ALONGSIDE_MS - waited : OTHERS_DEFER_MAX_MS - waited)).unref();
        return;
      }
    }
    while (this.inFlight < this.inFlightMax && ready > 0) {
      const batch = this.queue.splice(0, Math.min(ready, INGEST_BATCH_MAX));
      ready -= batch.length;
      const since = { at: batch[0]!.queuedAt };
      this.inFlightSince.add(since);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.inFlightSince.delete(since);
        this.flush();
        this.onSettled?.();
      });
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    try {
      const results = await ingestBatch(this.ts, batch.map((p) => p.delivery));
      batch.forEach((p, i) => {
        const r = results[i]!;
        if ('error' in r) p.reject(r.error);
        else p.resolve(r);
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}

const copyKey = (d: VerifiedDelivery) => `${d.cx.channel.id}\u0000${d.deliveryId}`;

/** One batch: dedupe, apply, receipt. Results in the deliveries' order. */
async function ingestBatch(ts: Truestock, deliveries: VerifiedDelivery[]): Promise<(IngestResult | { error: unknown })[]> {
  // 1. Copies of one delivery inside the batch: the first one stands for all.
  const first = new Map<string, VerifiedDelivery>();
  for (const d of deliveries) if (!first.has(copyKey(d))) first.set(copyKey(d), d);
  const unique = [...first.values()];

  // Deliveries receipted already (a redelivery, or a copy another process took first).
  const seen = new Map<string, string>();
  for (const [channelId, ds] of groupBy(unique, (d) => d.cx.channel.id)) {
    const found = await ts.store.read((db) => receiptsOf(db, channelId, ds.map((d) => d.deliveryId)));
    for (const [id, r] of found) seen.set(`${channelId}\u0000${id}`, r.outcome);
  }
  const fresh = unique.filter((d) => !seen.has(copyKey(d)));

  // 2–3. Apply.
  const applied = await applyDeliveries(ts, fresh);

  // 4. Receipts for everything that applied; a delivery that failed is not receipted, so it comes again.
  const receipts: Receipt[] = [];
  const now = ts.clock.now();
  for (const d of fresh) {
    const a = applied.get(d)!;
    if (!a.ok) continue;
    const { id: channelId, workspaceId } = d.cx.channel;
    receipts.push({ channelId, webhookId: d.deliveryId, workspaceId, topic: d.topic, eventId: d.eventId, triggeredAt: d.triggeredAt, receivedAt: now, outcome: a.outcome });
  }
  if (receipts.length > 0) await ts.store.transaction((db) => insertReceipts(db, receipts));

  return deliveries.map((d) => {
    const key = copyKey(d);
    const was = seen.get(key);
    if (was !== undefined) return { status: 'duplicate', outcome: was };
    const original = first.get(key)!;
    const a = applied.get(original)!;
    if (!a.ok) return { error: a.error };
    // A second copy in the same batch is a duplicate of the first, as it would be one batch later.
    return original === d ? { status: 'ok', outcome: a.outcome } : { status: 'duplicate', outcome: a.outcome };
  });
}

interface OrderItem {
  delivery: VerifiedDelivery;
  /** The event's position in its delivery. */
  index: number;
  cancelled: boolean;
  order: OrderFacts;
  occurredAt: number;
}

/**
 * Apply the events of fresh deliveries: orders of a channel together (one transaction records
 * them all, one ledger batch and one transaction move them all), everything else one event at a
 * time, a few at once.
 */
async function applyDeliveries(ts: Truestock, deliveries: VerifiedDelivery[]): Promise<Map<VerifiedDelivery, Applied>> {
  // Outcomes per event, joined per delivery at the end.
  const outcomes = new Map<VerifiedDelivery, (string | undefined)[]>(deliveries.map((d) => [d, d.events.map(() => undefined)]));
  const failed = new Map<VerifiedDelivery, unknown>();
  const orders: OrderItem[] = [];
  const others: OtherEvent[] = [];
  for (const d of deliveries) {
    d.events.forEach((e, index) => {
      if (isOrderEvent(e)) {
        orders.push({ delivery: d, index, cancelled: isCancel(e.kind, e.order), order: e.order, occurredAt: e.occurredAt });
      } else others.push({ delivery: d, index, event: e });
    });
  }

  // Orders and the rest go at once: the rest are mostly levels, which wait on the listings' locks
  // that the orders' ledger batch holds, not on the orders themselves.
  const applyingOrders = (async () => {
    for (const [, items] of groupBy(orders, (o) => o.delivery.cx.channel.id)) {
      const said = await applyOrders(ts, items[0]!.delivery.cx, items);
      items.forEach((item, i) => {
        const r = said[i]!;
        if (r.ok) outcomes.get(item.delivery)![item.index] = r.outcome;
        else failed.set(item.delivery, r.error);
      });
    }
  })();
  // Events about one thing (a listing's level, an order's refunds) one after another, in arrival
  // order, so that they do not wait on each other's locks; different things side by side. The
  // first level of each listing is looked at with the others first (`decideLevels`).
  const queues = await withoutDecidedLevels([...groupBy(others, ({ delivery, event }) => `${delivery.cx.channel.id}\u0000${subjectOf(event)}`).values()], ts, outcomes);
  let next = 0;
  const applyingOthers = Promise.all(Array.from({ length: Math.min(OTHER_EVENTS_CONCURRENCY_MAX, queues.length) }, async () => {
    for (let q = next++; q < queues.length; q = next++) {
      for (const { delivery, index, event } of queues[q]!) {
        try {
          outcomes.get(delivery)![index] = await applyChannelEvent(ts, delivery.cx, event);
        } catch (err) {
          failed.set(delivery, err);
        }
      }
    }
  }));
  await Promise.all([applyingOrders, applyingOthers]);

  const out = new Map<VerifiedDelivery, Applied>();
  for (const d of deliveries) {
    const error = failed.get(d);
    if (error !== undefined) out.set(d, { ok: false, error });
    else if (d.events.length === 0) out.set(d, { ok: true, outcome: `ignored: ${d.ignored ?? 'nothing to apply'}` });
    else out.set(d, { ok: true, outcome: outcomes.get(d)!.join(',') });
  }
  return out;
}

/**
 * Order events of one channel: recorded in one transaction, in order id order (so that two
 * batches lock order rows in the same order) and, for one order, in arrival order; then every
 * order touched is brought in line with the ledger together. Each event answers what it
 * recorded, or the last ledger step its order took — as one event applied alone would.
 */
async function applyOrders(ts: Truestock, cx: ChannelContext, items: OrderEvent[]): Promise<Applied[]> {
  const sorted = items.map((item, i) => ({ item, i })).sort((a, b) => (a.item.order.orderId < b.item.order.orderId ? -1 : a.item.order.orderId > b.item.order.orderId ? 1 : a.i - b.i));
  const recorded: (string | { error: unknown })[] = new Array(items.length);
  try {
    const said = await ts.store.transaction((db) => recordOrders(db, cx, sorted.map((s) => s.item), ts.clock.now()));
    sorted.forEach((s, k) => (recorded[s.i] = said[k]!));
  } catch {
    // One event broke the batch (a bug or a corrupt row): each alone, so the failure lands on it.
    for (const { item, i } of sorted) {
      try {
        recorded[i] = await ts.store.transaction((db) => recordOrder(db, cx, item.order, item.cancelled, item.occurredAt, ts.clock.now()));
      } catch (error) {
        recorded[i] = { error };
      }
    }
  }
  const ids = [...new Set(items.filter((_, i) => typeof recorded[i] === 'string').map((item) => item.order.orderId))];
  let converged: Awaited<ReturnType<typeof convergeOrders>>;
  try {
    converged = await convergeOrders(ts, cx, ids);
    } catch (error) {
    return items.map(() => ({ ok: false, error }));
  }
  // The ledger step an order took is told to its first event in the batch; a later event of the
  // same order says what it recorded, as it would have arriving after the step.
  const told = new Set<string>();
  return items.map((item, i) => {
    const r = recorded[i]!;
    if (typeof r !== 'string') return { ok: false, error: r.error };
    const c = converged.get(item.order.orderId)!;
    if (!c.ok) return { ok: false, error: c.error };
    const first = !told.has(item.order.orderId);
    told.add(item.order.orderId);
    return { ok: true, outcome: (first ? c.said : null) ?? r };
  });
}

type OtherEvent = { delivery: VerifiedDelivery; index: number; event: ChannelEvent };

/**
 * The levels at the head of their queues, decided together per channel where a look suffices
 * (echo, stale, no listing: most of a burst's levels); the queues are returned without them. A
 * level left undecided, and whatever follows it, is applied alone as before; so is everything
 * when the look fails.
 */
async function withoutDecidedLevels(queues: OtherEvent[][], ts: Truestock, outcomes: Map<VerifiedDelivery, (string | undefined)[]>): Promise<OtherEvent[][]> {
  // Round after round while heads get decided: a listing's second level in the batch is the head of its queue next round.
  for (let decided = true; decided;) {
    decided = false;
    const heads = new Set(queues.map((q) => q[0]!).filter((h) => h.event.kind === 'level_updated'));
    for (const [, hs] of groupBy([...heads], (h) => h.delivery.cx.channel.id)) {
      try {
        const said = await decideLevels(ts, hs[0]!.delivery.cx, hs.map((h) => h.event as Extract<ChannelEvent, { kind: 'level_updated' }>));
        hs.forEach((h, i) => {
          if (said[i] === null) heads.delete(h);
          else outcomes.get(h.delivery)![h.index] = said[i];
        });
      } catch {
        // Applied one at a time below, where an error lands on its own delivery.
        for (const h of hs) heads.delete(h);
      }
    }
    if (heads.size > 0) decided = true;
    queues = queues.map((q) => (heads.has(q[0]!) ? q.slice(1) : q)).filter((q) => q.length > 0);
  }
  return queues;
}

/** What an event is about, for applying events about one thing in order. */
function subjectOf(e: ChannelEvent): string {
  switch (e.kind) {
    case 'level_updated':
      return `level:${e.level.keys[0] ?? e.eventId}`;
    case 'refund_created':
      return `order:${e.refund.orderId}`;
    case 'listing_problem':
      return `listing:${e.problem.keys[0] ?? e.eventId}`;
    case 'managed_stock_reported':
      return `stock:${e.stock.locationId}:${e.stock.keys[0] ?? e.stock.sku ?? e.eventId}`;
    default:
      return `order:${e.order.orderId}`;
  }
}


