// Events from sales channels, applied to the ledger: an order allocated, a cancellation, a refund
// that returns units, a level the channel shows. Webhooks and polls produce the same normalized
// events (`ChannelEvent`) and hand them here; nothing below knows which channel kind sent them
// beyond the identifiers each event carries and the channel's `ChannelMapping`.
//
// Channels deliver at least once, late and out of order, so every effect is idempotent by design:
// - a channel order has one row (channel, order id) that only moves forward: `open` → `cancelled`,
//   never back, whatever order the events arrive in;
// - the allocate_order command is decided once and stored on that row, then sent to the ledger
//   under an idempotency key derived from the channel and the order: a retry after a crash, or a
//   second delivery racing the first, sends the identical command and gets the first answer back;
// - the row then records which hold the order got; whoever records a step re-reads the row and
//   does what is left (cancel an allocation that a cancellation overtook), so two deliveries
//   racing end in the same state as one.

import { createHash } from 'node:crypto';
import type { AllocateCommand, AllocateOrderCommand, CancelAllocationCommand, PostCommand, ReleaseCommand, ReserveCommand, RouteSpec, StockCommand } from '../domain/commands.ts';
import type { Channel } from '../domain/listing-rules.ts';
import type { ExceptionKind } from '../domain/model.ts';
import { componentsOf, itemsById, itemsBySku, locationsByCode, locationsById } from '../store/catalog-repo.ts';
import {
  activeListingsByKeyPrefix,
  activeListingsByKeyPrefixes,
  activeListingsByKeys,
  activeListingsBySkus,
  type ChannelException,
  type ChannelOrder,
  channelOrdersOf,
  getChannelOrder,
  lockChannelOrders,
  insertChannelExceptions,
  insertChannelOrder,
  insertChannelOrders,
  listingNumbers,
  type MappedListing,
  pruneReceipts,
  type OrderLineRecord,
  type OrderRefundRecord,
  setAllocated,
  setLedgerState,
  writeOrderFacts,
} from '../store/channel-event-repo.ts';
import { ensureLevels, getHold, lockLevels } from '../store/ledger-repo.ts';
import { managedStockOf, purchaseUnitsInto, transferLinesInto, upsertManagedStock } from '../store/managed-stock-repo.ts';
import { findTransfer, type TransferRecord, updateTransfer } from '../store/purchasing-repo.ts';
import { arrivedUnits, CHANNEL_SYNC_REASON, checkManagedStock, managedStockMoves, spreadArrivals } from '../domain/managed-stock-rules.ts';
import { receiveTransfer } from '../domain/transfer-rules.ts';
import { ok, type Outcome } from '../domain/context.ts';
import type { Location } from '../domain/model.ts';
import type { DocumentStep } from './ledger.ts';
import type { Db } from '../store/store.ts';
import { submittedNumbersOf } from '../store/submitted-numbers-repo.ts';
import { listingSyncOf, pushAgain, recordShown, requeueListing } from '../store/sync-repo.ts';
import { type ChannelEdit, recordChannelEdit } from './listing-events.ts';
import { fingerprint } from './fingerprint.ts';
import { type CommandResponse, IDEMPOTENCY_KEY_LENGTH_MAX, idempotent } from './idempotent.ts';
import { newId } from './ids.ts';
import { recordChannelOrders } from './orders-channel.ts';
import { promiseDaysOf } from './order-placement.ts';
import { routeSpecFor } from './routing-rules.ts';
import { createReturn, receiveStep } from './returns.ts';
import type { Truestock } from './truestock.ts';

export { EDIT_GRACE_SECONDS_DEFAULT, EDIT_GRACE_SECONDS_MAX, type EditPolicy, editSettings } from '../domain/sync-rules.ts';
import { type EditPolicy } from '../domain/sync-rules.ts';
/** How long a webhook receipt is kept: far beyond Shopify's redeliveries (8 attempts over 4 hours). */
export const WEBHOOK_RECEIPT_RETENTION_MS = 7 * 24 * 3_600_000;
/** Ledger steps one event may take an order through (allocate, then cancel what a cancellation overtook). */
const CONVERGE_STEPS_MAX = 4;

// The normalized events live in the domain (`src/domain/channel-event.ts`): every channel kind
// produces them; this module only applies them.
export type { ChannelEvent, ChannelEventKind, ChannelMapping, LevelFacts, ListingProblemFacts, OrderFacts, OrderLineFacts, RefundFacts, RefundLineFacts, RestockType } from '../domain/channel-event.ts';
import type { ChannelEvent, ChannelEventKind, ChannelMapping, LevelFacts, ListingProblemFacts, ManagedStockFacts, OrderFacts, OrderLineFacts, RefundFacts, RefundLineFacts } from '../domain/channel-event.ts';


export interface EventLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** The channel an event came from and how to read it. */
export interface ChannelContext {
  channel: Pick<Channel, 'id' | 'workspaceId' | 'kind' | 'name' | 'settings'>;
  mapping: ChannelMapping;
  /** What a hand edit on the channel means: truestock's number goes back (default) or the edit is booked. */
  editPolicy: EditPolicy;
  /** How long truestock waits before pushing over an edit, so the order behind it can arrive first. */
  editGraceMs: number;
  /** The precision of the channel's own timestamps (its kind's `timeResolutionMs`; whole seconds for Shopify). */
  timeResolutionMs: number;
  log?: EventLog;
}

/** The ledger was too busy; the event applied nothing (or part of an idempotent whole) and must be retried. */
export class RetryLater extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryLater';
  }
}


/** Forget webhook receipts older than the retention (for the serve loop; returns how many). */
export function pruneWebhookReceipts(ts: Truestock, retentionMs = WEBHOOK_RECEIPT_RETENTION_MS): Promise<number> {
  return ts.store.transaction((db) => pruneReceipts(db, ts.clock.now() - retentionMs));
}

// ---- entry point -----------------------------------------------------------------------------

/**
 * Apply one event; returns what happened (`allocated`, `cancelled`, `return_received`, `echo`,
 * `requeued`, `adopted`, …) for the webhook receipt. A refusal by the ledger is an outcome (and an
 * exception for a human), never a throw: the channel must not redeliver an event that can never
 * apply. Throws `RetryLater` when the ledger is busy, and store errors as they come.
 */
export async function applyChannelEvent(ts: Truestock, cx: ChannelContext, e: ChannelEvent): Promise<string> {
  switch (e.kind) {
    case 'order_created':
    case 'order_updated':
    case 'order_cancelled':
      return applyOrder(ts, cx, e.kind, e.order, e.occurredAt);
    case 'refund_created':
      return applyRefund(ts, cx, e.refund, e.occurredAt);
    case 'level_updated':
      return applyLevel(ts, cx, e.eventId, e.level, e.occurredAt);
    case 'listing_problem':
      return applyListingProblem(ts, cx, e.eventId, e.problem);
    case 'managed_stock_reported':
      return applyManagedStock(ts, cx, e.eventId, e.stock, e.occurredAt);
  }
}

// ---- keys and small helpers --------------------------------------------------------------------

/** An idempotency key for one step of one channel object; hashed if the channel's ids make it too long. */
export function eventKey(channelId: string, ...parts: string[]): string {
  const key = ['channel', channelId, ...parts].join(':');
  return key.length <= IDEMPOTENCY_KEY_LENGTH_MAX ? key : `channel:${channelId}:${createHash('sha256').update(key).digest('base64url')}`;
}

const actorOf = (cx: ChannelContext) => `system:channel:${cx.channel.id}`;

async function execute(ts: Truestock, cx: ChannelContext, key: string, command: StockCommand): Promise<CommandResponse> {
  const r = await ts.ledger.execute({ workspaceId: cx.channel.workspaceId, idempotencyKey: key, actor: actorOf(cx), command });
  if (!r.ok && r.refusal.code === 'busy') throw new RetryLater(r.refusal.detail);
  return r;
}

/**
 * Do `fn` once per key: the idempotency record is the marker, written in the same transaction as
 * what `fn` writes. Used for side effects that have no ledger command of their own (exceptions).
 */
async function once(ts: Truestock, cx: ChannelContext, key: string, fn: (db: Db, now: number) => Promise<void>): Promise<boolean> {
  const r = await idempotent(ts.store, ts.clock, cx.channel.workspaceId, key, fingerprint({ once: key }), async (db, now) => {
    await fn(db, now);
    return { status: 200, body: {} };
  });
  if (!r.ok && r.refusal.code === 'busy') throw new RetryLater(r.refusal.detail);
  return r.ok && !r.replayed;
}

function exception(cx: ChannelContext, now: number, kind: ExceptionKind, message: string, extra: Partial<ChannelException> = {}): ChannelException {
  return { id: newId('exc', now), workspaceId: cx.channel.workspaceId, kind, itemId: null, locationId: null, quantity: null, reference: null, holdId: null, message, createdAt: now, ...extra };
}

const describeLine = (l: OrderLineFacts) => `line ${l.lineId}${l.sku ? ` (SKU ${l.sku})` : ''}`;

// ---- mapping lines to items and locations ------------------------------------------------------

/** A line only its SKU could map, and the SKU does not name one product of the channel: never guessed. */
interface Unmatched {
  unmapped: string;
  sku?: undefined;
}
const isListing = (m: MappedListing | Unmatched | undefined): m is MappedListing => m !== undefined && !('unmapped' in m);

/**
 * The listing an order line is for: an exact key (the variant, or the inventory item at the
 * order's location), else the inventory item listed at another location, else — the one mapping
 * that does not go through the channel's identifiers — the listing of this channel whose SKU
 * equals the line's (a Shopify order webhook names the variant and SKU only, while the listing
 * usually names the inventory item and location that numbers are pushed to). Shops allow several
 * variants with one SKU, so the SKU maps a line only when its listings are one product of the
 * channel (one inventory item, or one variant, at any locations) that the line's own identifiers
 * do not contradict; otherwise the line is unmatched with the SKU and the listings it could be.
 */
async function listingFor(db: Db, cx: ChannelContext, line: OrderLineFacts): Promise<MappedListing | Unmatched | undefined> {
  const { id: ch, workspaceId: ws } = cx.channel;
  const exact = await activeListingsByKeys(db, ws, ch, line.keys);
  for (const key of line.keys) {
    const found = exact.find((l) => l.externalKey === key);
    if (found) return found;
  }
  for (const prefix of line.keyPrefixes) {
    const [found] = await activeListingsByKeyPrefix(db, ws, ch, prefix);
    if (found) return found;
  }
  if (!line.sku) return undefined;
  return bySkuAlone(cx, line, await activeListingsBySkus(db, ws, ch, [line.sku]));
}

/**
 * The mapping of last resort: the line's SKU among the channel's listings (`bySku`, the listings
 * of that SKU). One product: that one. Several variants sharing the SKU: an exception, never a guess.
 */
function bySkuAlone(cx: ChannelContext, line: OrderLineFacts, bySku: MappedListing[]): MappedListing | Unmatched | undefined {
  if (bySku.length === 0) return undefined;
  const named = (ls: MappedListing[]) => ls.map((l) => `${l.id} (${l.externalKey})`).join(', ');
  // The line names its own thing through key prefixes (a Shopify inventory item) and no listing of
  // it matched: a listing of the same SKU keyed by another thing of that sort is another variant,
  // not this line's. Kind-agnostic: an external_key is `label:value@…`, and a prefix names a label.
  const labelOf = (key: string) => key.slice(0, key.indexOf(':'));
  const prefixLabels = new Set(line.keyPrefixes.map(labelOf));
  const others = bySku.filter((l) => prefixLabels.has(labelOf(l.externalKey)));
  if (others.length > 0) {
    return { unmapped: `SKU ${line.sku} is shared by variants: the line's own inventory item is not listed on ${cx.channel.name}, and the SKU names ${named(others)}, which list another; not guessed` };
  }
  // One product whatever its locations: the key up to its first `@` names the thing on the channel.
  const products = new Set(bySku.map((l) => `${l.itemId}|${l.externalKey.split('@')[0]}`));
  if (products.size === 1) return bySku[0];
  return { unmapped: `SKU ${line.sku} could be any of ${products.size} products listed on ${cx.channel.name}: ${named(bySku)}; not guessed (several variants share the SKU)` };
}

/** The truestock location code a listing names through its own channel location, if any. */
function listingLocation(cx: ChannelContext, listing: MappedListing): string | undefined {
  const loc = listing.external.location_id;
  return loc === undefined ? undefined : cx.mapping.locationCode(loc);
}

/**
 * Resolve an order's lines. The location is, in order: the order's own location through the
 * channel's settings; else the location of the listing the line matched (a listing of an inventory
 * item at one location); else none, and the allocation names every location the channel maps to
 * so the ledger picks the first that covers the line. A code the settings name but the workspace
 * does not have counts as unmapped. A line with no listing, or no location at all, is kept with
 * the reason it was not allocated.
 */
async function resolveLines(db: Db, cx: ChannelContext, order: OrderFacts): Promise<OrderLineRecord[]> {
  return (await resolveOrders(db, cx, [order], (line) => listingFor(db, cx, line)))[0]!;
}

/**
 * `resolveLines` for many orders at once, with the lines' listings already matched: one look-up
 * of the workspace's locations for all of them.
 */
async function resolveOrders(db: Db, cx: ChannelContext, orders: OrderFacts[], match: (line: OrderLineFacts) => Promise<MappedListing | Unmatched | undefined>): Promise<OrderLineRecord[][]> {
  const ws = cx.channel.workspaceId;
  const matched: (MappedListing | Unmatched | undefined)[][] = [];
  for (const order of orders) {
    const m: (MappedListing | Unmatched | undefined)[] = [];
    for (const line of order.lines) m.push(await match(line));
    matched.push(m);
  }
  const wanted = orders.flatMap((order, k) => [
    ...(order.locationId ? [cx.mapping.locationCode(order.locationId)] : []),
    ...matched[k]!.map((m) => (isListing(m) ? listingLocation(cx, m) : undefined)),
  ]).concat(cx.mapping.locationCodes()).filter((c): c is string => typeof c === 'string');
  const found = await locationsByCode(db, ws, [...new Set(wanted)]);
  const known = new Set(found.map((l) => l.code));
  const managed = new Set(found.filter((l) => l.kind === 'channel_managed').map((l) => l.code));
  return orders.map((order, k) => {
    // An order truestock fulfils never takes stock the channel keeps itself (a channel-managed
    // location the channel's settings also map, e.g. its marketplace to FBA).
    const ours = order.fulfilledByChannel !== true;
    const has = (code: string | undefined): code is string => code !== undefined && known.has(code) && !(ours && managed.has(code));
    const anyLocation = cx.mapping.locationCodes().some(has);
    const orderLocation = order.locationId ? cx.mapping.locationCode(order.locationId) : undefined;
    return order.lines.map((line, i): OrderLineRecord => {
      const listing = matched[k]![i];
      const base = { lineId: line.lineId, quantity: line.quantity };
      if (listing !== undefined && !isListing(listing)) return { ...base, sku: null, location: null, unmapped: listing.unmapped };
      if (!listing) {
        const what = line.sku ? `SKU ${line.sku}` : 'its identifiers';
        return { ...base, sku: null, location: null, unmapped: `no active listing on ${cx.channel.name} matches ${what}` };
      }
      const fromListing = listingLocation(cx, listing);
      const location = has(orderLocation) ? orderLocation : has(fromListing) ? fromListing : null;
      if (location === null && !anyLocation) {
        const where = order.locationId ?? 'no location';
        return { ...base, sku: listing.sku, location: null, unmapped: `${where} maps to no location of this workspace (settings.locations)` };
      }
      return { ...base, sku: listing.sku, location, unmapped: null };
    });
  });
}

/**
 * The listings of many order lines with a few queries in all: what `listingFor` picks for each
 * line (an exact key, best first; else the first listing by id under the first prefix that has
 * one; else the single item of the line's SKU), with each kind of look-up done once for every
 * line that needs it.
 */
async function listingsForLines(db: Db, cx: ChannelContext, lines: OrderLineFacts[]): Promise<Map<OrderLineFacts, MappedListing | Unmatched | undefined>> {
  const { id: ch, workspaceId: ws } = cx.channel;
  const out = new Map<OrderLineFacts, MappedListing | Unmatched | undefined>();
  const byKey = new Map((await activeListingsByKeys(db, ws, ch, [...new Set(lines.flatMap((l) => l.keys))])).map((l) => [l.externalKey, l]));
  let open = lines.filter((line) => {
    const found = line.keys.map((k) => byKey.get(k)).find((l) => l !== undefined);
    out.set(line, found);
    return found === undefined;
  });
  const byPrefix = await activeListingsByKeyPrefixes(db, ws, ch, [...new Set(open.flatMap((l) => l.keyPrefixes))]);
  open = open.filter((line) => {
    const found = line.keyPrefixes.map((p) => byPrefix.get(p)).find((l) => l !== undefined);
    out.set(line, found);
    return found === undefined;
  });
  const withSku = open.filter((l) => l.sku);
  const bySku = groupBy(await activeListingsBySkus(db, ws, ch, [...new Set(withSku.map((l) => l.sku!))]), (l) => l.sku);
  for (const line of withSku) out.set(line, bySkuAlone(cx, line, bySku.get(line.sku!) ?? []));
  return out;
}

/** Items by key, in their order. */
export function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of xs) out.set(key(x), [...(out.get(key(x)) ?? []), x]);
  return out;
}

/** Units of a line still to allocate: what refunds cancelled before fulfilment are not. */
function remaining(line: OrderLineRecord, refunds: OrderRefundRecord[]): number {
  const cancelled = refunds.flatMap((r) => r.lines).filter((l) => l.lineId === line.lineId).reduce((n, l) => n + l.quantity, 0);
  return Math.max(0, line.quantity - cancelled);
}

const allocatable = (l: OrderLineRecord) => l.sku !== null && l.unmapped === null;
/** Whether routing places the order's lines: some line is allocatable and none names its location. */
const needsRoute = (lines: readonly OrderLineRecord[]) => lines.some(allocatable) && lines.filter(allocatable).every((l) => l.location === null);

/**
 * The allocate_order command for an order's lines, or null when nothing is left to allocate.
 * Lines that name no location are placed by routing (`route`) when every line is free to go
 * anywhere and there is a route; a line pinned to its location keeps the others first fit.
 */
function allocationOf(cx: ChannelContext, order: { orderId: string; name: string | null }, lines: OrderLineRecord[], refunds: OrderRefundRecord[], candidates: readonly string[], route: RouteSpec | null = null): AllocateOrderCommand | null {
  const open = lines.filter(allocatable).map((l) => ({ l, q: remaining(l, refunds) })).filter((x) => x.q > 0);
  if (open.length === 0) return null;
  const needsCandidates = open.some((x) => x.l.location === null);
  const routed = needsCandidates && route !== null && open.every((x) => x.l.location === null);
  return {
    type: 'allocate_order',
    lines: open.map(({ l, q }) => ({ sku: l.sku!, quantity: q, ...(l.location ? { location: l.location } : {}) })),
    ...(routed ? { route } : needsCandidates ? { locations: [...candidates] } : {}),
    order_reference: order.name ?? order.orderId,
    channel: cx.channel.id,
    channel_accepted: true,
  };
}

function unmappedExceptions(cx: ChannelContext, now: number, reference: string, lines: OrderLineRecord[]): ChannelException[] {
  return lines.filter((l) => !allocatable(l)).map((l) =>
    exception(cx, now, 'unmapped_order_line', `order ${reference} on ${cx.channel.name}: line ${l.lineId} (${l.quantity} units) was not allocated: ${l.unmapped}`, {
      quantity: l.quantity,
      reference,
      // Each unmapped line is its own condition; the same line raised again is the same one.
      subject: l.lineId,
    }));
}

// ---- orders ----------------------------------------------------------------------------------
// ORDERS-MODULE: the order lifecycle from here to the end of the refunds section (a channel order
// row, its allocation, cancellation and refunds) belongs to the orders module that comes next
// (orders and routing): it moves there with its behaviour kept, and this file keeps only the
// dispatch of normalized events.

async function applyOrder(ts: Truestock, cx: ChannelContext, kind: ChannelEventKind, order: OrderFacts, occurredAt: number): Promise<string> {
  const recorded = await ts.store.transaction((db) => recordOrder(db, cx, order, isCancel(kind, order), occurredAt, ts.clock.now()));
  const progressed = await convergeOne(ts, cx, order.orderId);
  return progressed ?? recorded;
}

/** Whether an order event cancels the order. */
export const isCancel = (kind: ChannelEventKind, order: OrderFacts) => kind === 'order_cancelled' || order.cancelled;

/**
 * How an order reaches the ledger, decided when its lines are first seen and never again: the
 * channel fulfils it itself (recorded, never allocated: the channel ships from its own count,
 * which its next stock report books), or it is pending (held first: the channel already keeps
 * the units from other buyers), or it is allocated at once.
 */
export function orderFlow(order: OrderFacts, cancelled: boolean): Pick<ChannelOrder, 'pending' | 'viaHold' | 'fulfilledByChannel'> {
  const fulfilledByChannel = order.fulfilledByChannel === true;
  const pending = !cancelled && !fulfilledByChannel && order.pending === true;
  return { pending, viaHold: pending, fulfilledByChannel };
}

/**
 * Record what an order event says, under the order row's lock. A cancellation is final: no later
 * (or older, redelivered) event opens the order again. The allocation is decided the first time
 * the order's lines are seen, from what refunds had already cancelled.
 */
export async function recordOrder(db: Db, cx: ChannelContext, order: OrderFacts, cancelled: boolean, occurredAt: number, now: number): Promise<string> {
  const row = await getChannelOrder(db, cx.channel.id, order.orderId, true);
  const said = (await recordOn(db, cx, order, cancelled, occurredAt, now, row, (o) => resolveLines(db, cx, o))).said;
  await recordChannelOrders(db, cx.channel, [order.orderId], now, new Map([[order.orderId, order]]));
  return said;
}

/**
 * Where the ledger may place lines that name no location: the channel's mapped locations but the
 * channel-managed ones (stock the channel keeps itself is never ours to allocate). Read only when
 * some line needs it.
 */
async function candidatesFor(db: Db, cx: ChannelContext, lines: readonly OrderLineRecord[][]): Promise<string[]> {
  const codes = cx.mapping.locationCodes();
  if (codes.length === 0 || !lines.some((ls) => ls.some((l) => allocatable(l) && l.location === null))) return codes;
  const managed = new Set((await locationsByCode(db, cx.channel.workspaceId, codes)).filter((l) => l.kind === 'channel_managed').map((l) => l.code));
  return codes.filter((c) => !managed.has(c));
}

/** Routes made for one batch, by what they depend on beside the candidates (the same for the batch). */
type Routes = Map<string, RouteSpec | null>;

/**
 * The route for the lines of an order that name no location (docs/orders.md, "How channel orders
 * flow in"): the channel's candidate locations, ranked by routing with the service level, ship-to
 * and promise the channel's facts carry (else standard, no ship-to, no promise). The channel's
 * mapping order is the candidates' priority, so where first fit took the first location that
 * covers the order, routing takes it too. None (first fit stays) for a pickup order (the channel
 * names no store) or when a candidate does not ship online (routing would pass over a location
 * the channel's own mapping allocates from).
 */
async function routeFor(db: Db, cx: ChannelContext, order: OrderFacts, candidates: readonly string[], now: number, routes: Routes): Promise<RouteSpec | null> {
  const serviceLevel = order.serviceLevel ?? 'standard';
  if (candidates.length === 0 || serviceLevel === 'pickup') return null;
  const shipTo = order.shipTo && (order.shipTo.postalCode || order.shipTo.country) ? order.shipTo : null;
  const promiseDays = promiseDaysOf(order.promisedDeliverBy ?? null, now);
  const key = JSON.stringify([serviceLevel, shipTo, promiseDays, candidates]);
  if (routes.has(key)) return routes.get(key)!;
  const ws = cx.channel.workspaceId;
  const locations = await locationsByCode(db, ws, [...candidates]);
  let route: RouteSpec | null = null;
  if (locations.length === candidates.length && locations.every((l) => l.shipsOnline)) {
    const spec = await routeSpecFor(db, ws, { candidates: [...candidates], serviceLevel, shipTo, promiseDays });
    route = { ...spec, candidates: spec.candidates.map((c, i) => ({ ...c, priority: i })) };
  }
  routes.set(key, route);
  return route;
}

/**
 * The row of an order seen for the first time; its allocation is decided here, once, and so is
 * how it reaches the ledger (`orderFlow`): allocated at once, held first (pending), or not at all
 * (fulfilled by the channel).
 */
function freshOrder(cx: ChannelContext, order: OrderFacts, cancelled: boolean, occurredAt: number, now: number, lines: OrderLineRecord[], candidates: readonly string[], route: RouteSpec | null): ChannelOrder {
  const flow = orderFlow(order, cancelled);
  return {
    channelId: cx.channel.id, externalOrderId: order.orderId, workspaceId: cx.channel.workspaceId, name: order.name, state: cancelled ? 'cancelled' : 'open', occurredAt,
    lines, allocation: cancelled || flow.fulfilledByChannel ? null : (allocationOf(cx, order, lines, [], candidates, route) as unknown as Record<string, unknown> | null),
    holdId: null, ledgerState: null, refunds: [], createdAt: now, updatedAt: now, ...flow,
  };
}

/** One order event for `recordOrders`. */
export interface OrderEvent {
  order: OrderFacts;
  cancelled: boolean;
  occurredAt: number;
}

/**
 * `recordOrder` for many events of one channel in one transaction, in the order given (the
 * caller sorts by order id, so that row locks are taken in one global order): the order rows are
 * locked with one query, the lines of every order seen for the first time are resolved with a few
 * queries in all, then each event is recorded as `recordOrder` would, on the row as the events
 * before it left it. Returns what each event recorded.
 */
export async function recordOrders(db: Db, cx: ChannelContext, events: OrderEvent[], now: number): Promise<string[]> {
  const rows = await lockChannelOrders(db, cx.channel.id, [...new Set(events.map((e) => e.order.orderId))]);
  const unseen = events.filter((e) => (rows.get(e.order.orderId)?.lines ?? null) === null).map((e) => e.order);
  const matched = await listingsForLines(db, cx, unseen.flatMap((o) => o.lines));
  const resolved = new Map<OrderFacts, OrderLineRecord[]>();
  (await resolveOrders(db, cx, unseen, async (line) => matched.get(line))).forEach((lines, k) => resolved.set(unseen[k]!, lines));
  // Orders seen for the first time: inserted with one statement, as their first event here says.
  const said: string[] = new Array(events.length);
  const firsts = new Map<string, number>();
  events.forEach((e, k) => {
    if (!rows.has(e.order.orderId) && !firsts.has(e.order.orderId)) firsts.set(e.order.orderId, k);
  });
  const candidates = await candidatesFor(db, cx, [...firsts.values()].map((k) => resolved.get(events[k]!.order)!));
  const routes: Routes = new Map();
  const fresh: ChannelOrder[] = [];
  for (const k of firsts.values()) {
    const e = events[k]!;
    const lines = resolved.get(e.order)!;
    const route = needsRoute(lines) ? await routeFor(db, cx, e.order, candidates, now, routes) : null;
    fresh.push(freshOrder(cx, e.order, e.cancelled, e.occurredAt, now, lines, candidates, route));
  }
  const inserted = await insertChannelOrders(db, fresh);
  const exceptions: ChannelException[] = [];
  for (const row of fresh) {
    if (!inserted.has(row.externalOrderId)) continue;
    const k = firsts.get(row.externalOrderId)!;
    rows.set(row.externalOrderId, row);
    said[k] = row.state === 'cancelled' ? 'recorded_cancelled' : 'recorded';
    if (row.state === 'open' && !row.fulfilledByChannel) exceptions.push(...unmappedExceptions(cx, now, row.name ?? row.externalOrderId, row.lines!));
  }
  await insertChannelExceptions(db, exceptions);
  for (const [k, e] of events.entries()) {
    if (said[k] !== undefined) continue;
    const known = rows.get(e.order.orderId);
    // A row another process inserted since the lock query is read (and locked) by recordOn.
    const linesOf = async (o: OrderFacts) => resolved.get(o) ?? resolveLines(db, cx, o);
    const r = await recordOn(db, cx, e.order, e.cancelled, e.occurredAt, now, known, linesOf);
    rows.set(e.order.orderId, r.row);
    said[k] = r.said;
  }
  // The orders module's rows, in this same transaction (one batch of statements for all).
  await recordChannelOrders(db, cx.channel, [...new Set(events.map((e) => e.order.orderId))], now, new Map(events.map((e) => [e.order.orderId, e.order])));
  return said;
}

async function recordOn(db: Db, cx: ChannelContext, order: OrderFacts, cancelled: boolean, occurredAt: number, now: number,
  known: ChannelOrder | undefined, linesOf: (order: OrderFacts) => Promise<OrderLineRecord[]>): Promise<{ said: string; row: ChannelOrder }> {
  const { id: channelId } = cx.channel;
  let row = known;
  if (!row) {
    const resolved = await linesOf(order);
    const candidates = await candidatesFor(db, cx, [resolved]);
    const route = needsRoute(resolved) ? await routeFor(db, cx, order, candidates, now, new Map()) : null;
    const fresh = freshOrder(cx, order, cancelled, occurredAt, now, resolved, candidates, route);
    const lines = fresh.lines!;
    if (await insertChannelOrder(db, fresh)) {
      if (!cancelled && !fresh.fulfilledByChannel) await insertChannelExceptions(db, unmappedExceptions(cx, now, order.name ?? order.orderId, lines));
      return { said: cancelled ? 'recorded_cancelled' : 'recorded', row: fresh };
    }
    // Another delivery of this order inserted it meanwhile (PostgreSQL): merge into theirs.
    row = (await getChannelOrder(db, channelId, order.orderId, true))!;
  }
  const next: ChannelOrder = { ...row, name: row.name ?? order.name, occurredAt: Math.max(row.occurredAt, occurredAt), updatedAt: now };
  let said = 'no_change';
  if (row.lines === null) {
    // A refund got here before the order: the order's lines arrive now, less what it cancelled.
    const lines = await linesOf(order);
    next.lines = lines;
    Object.assign(next, orderFlow(order, cancelled));
    let allocation: AllocateOrderCommand | null = null;
    if (row.state === 'open' && !cancelled && !next.fulfilledByChannel) {
      const candidates = await candidatesFor(db, cx, [lines]);
      allocation = allocationOf(cx, order, lines, row.refunds, candidates, needsRoute(lines) ? await routeFor(db, cx, order, candidates, now, new Map()) : null);
    }
    next.allocation = allocation as unknown as Record<string, unknown> | null;
    if (row.state === 'open' && !cancelled && !next.fulfilledByChannel && allocation === null && lines.some(allocatable)) next.state = 'cancelled';
    if (next.state === 'open' && !cancelled && !next.fulfilledByChannel) await insertChannelExceptions(db, unmappedExceptions(cx, now, next.name ?? order.orderId, lines));
    said = 'recorded';
  } else if (occurredAt > row.occurredAt && row.state === 'open' && !row.fulfilledByChannel) {
    // Lines added by an order edit after the allocation are recorded, not allocated: the ledger
    // cannot grow a hold, and a human decides.
    const known = new Set(row.lines.map((l) => l.lineId));
    const added = order.lines.filter((l) => !known.has(l.lineId));
    if (added.length > 0) {
      const reference = next.name ?? order.orderId;
      next.lines = [...row.lines, ...added.map((l) => ({ lineId: l.lineId, sku: null, quantity: l.quantity, location: null, unmapped: 'added to the order after it was allocated' }))];
      await insertChannelExceptions(db, added.map((l) => exception(cx, now, 'channel_event_unapplied',
        `order ${reference} on ${cx.channel.name} gained ${describeLine(l)} × ${l.quantity} after it was allocated; truestock did not allocate it — allocate it by hand`, { quantity: l.quantity, reference })));
      said = 'lines_added';
    }
  }
  if (cancelled && next.state === 'open') {
    next.state = 'cancelled';
    said = 'cancel_recorded';
  } else if (next.pending && !order.pending && !cancelled && next.state === 'open') {
    // The channel confirmed a pending order: its hold becomes the allocation (convergeOrders).
    // Whatever the events' times: a status only moves forward (pending → confirmed → cancelled),
    // so a redelivered older pending event never makes a confirmed order pending again.
    next.pending = false;
    said = 'confirm_recorded';
  }
  const changed = next.state !== row.state || next.occurredAt !== row.occurredAt || next.lines !== row.lines || next.name !== row.name || next.pending !== row.pending || said !== 'no_change';
  if (!changed) return { said, row };
  await writeOrderFacts(db, next);
  return { said, row: next };
}

/**
 * What one order needs from the ledger next, decided from its row. Each kind of step goes under
 * its own key (`…:order:<id>:<kind>`), and its command is derived from the row alone, so two
 * deliveries racing send the identical command and the ledger answers both alike.
 */
type LedgerStep =
  | { kind: 'allocate'; row: ChannelOrder; command: AllocateOrderCommand }
  | { kind: 'cancel'; row: ChannelOrder; command: CancelAllocationCommand }
  /** A pending order: its units held, not allocated. */
  | { kind: 'hold'; row: ChannelOrder; command: ReserveCommand }
  /** The held order was confirmed: the hold becomes its allocation. */
  | { kind: 'confirm'; row: ChannelOrder; command: AllocateCommand }
  /** The held order was cancelled before it was confirmed: the hold is released. */
  | { kind: 'release'; row: ChannelOrder; command: ReleaseCommand };

function nextStep(row: ChannelOrder): LedgerStep | null {
  if (row.fulfilledByChannel) return null;
  if (row.state === 'open' && row.allocation && row.ledgerState === null) {
    const allocation = row.allocation as unknown as AllocateOrderCommand;
    return row.viaHold ? { kind: 'hold', row, command: pendingHoldOf(allocation) } : { kind: 'allocate', row, command: allocation };
  }
  if (row.state === 'open' && !row.pending && row.ledgerState === 'held' && row.holdId) {
    return { kind: 'confirm', row, command: { type: 'allocate', hold_id: row.holdId, order_reference: (row.allocation as unknown as AllocateOrderCommand).order_reference } };
  }
  if (row.state === 'cancelled' && row.ledgerState === 'held' && row.holdId) return { kind: 'release', row, command: { type: 'release', hold_id: row.holdId } };
  if (row.state === 'cancelled' && row.ledgerState === 'allocated' && row.holdId) return { kind: 'cancel', row, command: { type: 'cancel_allocation', hold_id: row.holdId } };
  return null;
}

/**
 * The hold of a pending order: the lines its allocation would take, held with the order as
 * reference and never expiring (the channel confirms or cancels it: docs/sync-in.md), held even
 * when the shelf cannot cover it (oversold, raised), as an accepted order is allocated.
 */
export function pendingHoldOf(allocation: AllocateOrderCommand): ReserveCommand {
  return {
    type: 'reserve',
    lines: allocation.lines,
    ...(allocation.locations ? { locations: allocation.locations } : {}),
    ...(allocation.route ? { route: allocation.route } : {}),
    reference: allocation.order_reference,
    channel: allocation.channel ?? null,
    channel_accepted: true,
    expires_in_ms: null,
  };
}

/** One order's progress: the last step taken (null: nothing to do), or the ledger was busy. */
export type Converged = { ok: true; said: string | null } | { ok: false; error: RetryLater };

/**
 * Bring the ledger in line with the order rows: allocate an open order not yet allocated; cancel
 * the hold of a cancelled one. Each step goes through the ledger under its own key and is then
 * recorded only if nobody recorded it first; the rows are read again after every step, so a
 * cancellation that arrived while the allocation was in flight is acted on here.
 *
 * Many orders move together: their commands reach the ledger at once (one group-committed batch)
 * and their new states are recorded in one transaction, so a burst of orders costs a few
 * transactions, not a few per order. An order whose step found the ledger busy stops there
 * (`RetryLater`), the others go on.
 */
export async function convergeOrders(ts: Truestock, cx: ChannelContext, orderIds: readonly string[]): Promise<Map<string, Converged>> {
  const { id: channelId } = cx.channel;
  const out = new Map<string, Converged>(orderIds.map((id) => [id, { ok: true, said: null }]));
  let pending = [...new Set(orderIds)];
  for (let step = 0; step < CONVERGE_STEPS_MAX && pending.length > 0; step++) {
    const rows = await ts.store.read((db) => channelOrdersOf(db, channelId, pending));
    const steps = pending.map((id) => rows.get(id)).filter((r) => r !== undefined).map(nextStep).filter((s) => s !== null);
    if (steps.length === 0) break;
    const answers = await Promise.all(steps.map((s) =>
      ts.ledger.execute({ workspaceId: cx.channel.workspaceId, idempotencyKey: eventKey(channelId, 'order', s.row.externalOrderId, s.kind), actor: actorOf(cx), command: s.command })));
    const done: { s: LedgerStep; r: CommandResponse }[] = [];
    steps.forEach((s, i) => {
      const r = answers[i]!;
      if (!r.ok && r.refusal.code === 'busy') out.set(s.row.externalOrderId, { ok: false, error: new RetryLater(r.refusal.detail) });
      else done.push({ s, r });
    });
    if (done.length === 0) break;
    await ts.store.transaction(async (db) => {
      const now = ts.clock.now();
      const exceptions: ChannelException[] = [];
      const allocated = done.filter(({ s, r }) => s.kind === 'allocate' && r.ok).map(({ s, r }) => ({ orderId: s.row.externalOrderId, holdId: holdIdOf(r) }));
      await setAllocated(db, channelId, allocated, now);
      for (const { s, r } of done) {
        const orderId = s.row.externalOrderId;
        const reference = s.row.name ?? orderId;
        if (s.kind === 'allocate' || s.kind === 'hold') {
          if (r.ok && s.kind === 'allocate') continue;
          if (r.ok) await setLedgerState(db, channelId, orderId, null, 'held', holdIdOf(r), now);
          else if (await setLedgerState(db, channelId, orderId, null, 'refused', null, now)) {
            const what = s.kind === 'hold' ? 'held' : 'allocated';
            exceptions.push(exception(cx, now, 'channel_event_unapplied', `order ${reference} on ${cx.channel.name} could not be ${what}: ${r.refusal.code}: ${r.refusal.detail}`, { reference }));
          }
        } else if (s.kind === 'confirm' || s.kind === 'release') {
          exceptions.push(...(await recordHeldStep(db, cx, s.row, r, now)));
        } else if (r.ok) await setLedgerState(db, channelId, orderId, 'allocated', 'cancelled', null, now);
        // Shipped already (or cancelled by hand): nothing left to release; a human checks the return.
        else if (await setLedgerState(db, channelId, orderId, 'allocated', 'cancel_refused', null, now)) {
          exceptions.push(exception(cx, now, 'channel_event_unapplied',
            `order ${reference} was cancelled on ${cx.channel.name} but its allocation could not be cancelled: ${r.refusal.code}: ${r.refusal.detail}`, { reference, holdId: s.row.holdId }));
        }
      }
      await insertChannelExceptions(db, exceptions);
      // Routing's decision (each candidate with why it won or was rejected) is stored with the order.
      const decisions = new Map(done.flatMap(({ s, r }) => (r.ok && (s.kind === 'allocate' || s.kind === 'hold') && r.body.route ? [[s.row.externalOrderId, r.body.route] as const] : [])));
      await recordChannelOrders(db, cx.channel, done.map((d) => d.s.row.externalOrderId), now, new Map(), decisions);
      // A channel puts a cancelled order's units back on sale by its own count, which need not be
      // ours (a buffer or a cap kept ours where it was; a unit the ledger could not release):
      // ours goes to those listings again rather than waiting for the next read-back.
      const cancelled = done.filter(({ s }) => s.kind === 'release' || s.kind === 'cancel').flatMap(({ s }) => s.row.lines ?? []);
      const skus = [...new Set(cancelled.flatMap((l) => (l.sku === null ? [] : [l.sku])))];
      if (skus.length > 0) await pushAgain(db, (await activeListingsBySkus(db, cx.channel.workspaceId, channelId, skus)).map((l) => l.id), now);
    });
    for (const { s, r } of done) {
      const orderId = s.row.externalOrderId;
      if (!r.ok && s.kind === 'allocate') cx.log?.warn({ channel: channelId, order: orderId, code: r.refusal.code, detail: r.refusal.detail }, 'channel order refused by the ledger');
      const said = r.ok ? STEP_DONE[s.kind] : `${STEP_REFUSED[s.kind]}:${r.refusal.code}`;
      out.set(orderId, { ok: true, said });
    }
    pending = done.map((d) => d.s.row.externalOrderId);
  }
  return out;
}

/** What a step's outcome says, by kind of step. */
const STEP_DONE: Record<LedgerStep['kind'], string> = { allocate: 'allocated', cancel: 'cancelled', hold: 'held', confirm: 'allocated', release: 'released' };
const STEP_REFUSED: Record<LedgerStep['kind'], string> = { allocate: 'allocation_refused', cancel: 'cancel_refused', hold: 'hold_refused', confirm: 'confirm_refused', release: 'release_refused' };

const holdIdOf = (r: CommandResponse) => ((r as { body: Record<string, unknown> }).body.hold as { id: string }).id;

/**
 * Record where a held order got after confirming or releasing its hold: from the hold's own
 * state, whatever this step's answer was. Two deliveries may race (one confirms while the other,
 * having seen the cancellation, releases): the ledger takes one, refuses the other, and both
 * record the hold as it is — allocated (then a cancelled order's allocation is cancelled next),
 * or released. A hold released by hand under an order the channel still has open is an exception.
 */
async function recordHeldStep(db: Db, cx: ChannelContext, step: ChannelOrder, r: CommandResponse, now: number): Promise<ChannelException[]> {
  const { id: channelId, workspaceId: ws } = cx.channel;
  const orderId = step.externalOrderId;
  const reference = step.name ?? orderId;
  // The hold first, then the row (unlocked: the conditional update below decides who records):
  // a hold released by a release step was released after its order's cancellation was recorded,
  // so the row read after it says cancelled.
  const hold = step.holdId ? await getHold(db, ws, step.holdId) : undefined;
  const row = await getChannelOrder(db, channelId, orderId);
  if (!row || row.ledgerState !== 'held' || !hold) return [];
  if (hold.state === 'allocated' || hold.state === 'shipped') {
    await setLedgerState(db, channelId, orderId, 'held', 'allocated', null, now);
    return [];
  }
  if (hold.state === 'active') {
    // Still held: the step was refused for another reason (a bug, a catalog change); a human looks.
    if (r.ok) return [];
    await setLedgerState(db, channelId, orderId, 'held', row.state === 'cancelled' ? 'cancel_refused' : 'refused', null, now);
    return [exception(cx, now, 'channel_event_unapplied', `order ${reference} on ${cx.channel.name}: its hold ${hold.id} could not be ${row.state === 'cancelled' ? 'released' : 'allocated'}: ${r.ok ? '' : `${r.refusal.code}: ${r.refusal.detail}`}`, { reference, holdId: hold.id })];
  }
  // Released, expired or cancelled: nothing is held any more.
  if (row.state === 'cancelled') {
    await setLedgerState(db, channelId, orderId, 'held', 'cancelled', null, now);
    return [];
  }
  await setLedgerState(db, channelId, orderId, 'held', 'refused', null, now);
  return [exception(cx, now, 'channel_event_unapplied',
    `order ${reference} on ${cx.channel.name} was confirmed, but its hold ${hold.id} is ${hold.state} (released by hand?): nothing was allocated — allocate the order by hand`, { reference, holdId: hold.id })];
}

/** One order brought in line with the ledger: the last step taken, or null. Throws `RetryLater`. */
async function convergeOne(ts: Truestock, cx: ChannelContext, orderId: string): Promise<string | null> {
  const r = (await convergeOrders(ts, cx, [orderId])).get(orderId)!;
  if (!r.ok) throw r.error;
  return r.said;
}

// ---- refunds ---------------------------------------------------------------------------------

/**
 * A refund. `cancel` (restocked before fulfilment): if it leaves none of the order's allocated
 * units, the order is cancelled (its allocation released); a part of an allocation cannot be
 * released by the ledger, so that becomes an exception. `return`: a return document from the
 * channel order, received into quality_control (awaiting inspection). `no_restock`: nothing.
 */
async function applyRefund(ts: Truestock, cx: ChannelContext, refund: RefundFacts, occurredAt: number): Promise<string> {
  const said: string[] = [];
  const cancels = refund.lines.filter((l) => l.restock === 'cancel');
  const returns = refund.lines.filter((l) => l.restock === 'return');
  if (cancels.length > 0) said.push(await cancelUnits(ts, cx, refund, cancels, occurredAt));
  if (returns.length > 0) said.push(await returnUnits(ts, cx, refund, returns));
  return said.length > 0 ? said.join(',') : 'no_restock';
}

async function cancelUnits(ts: Truestock, cx: ChannelContext, refund: RefundFacts, lines: RefundLineFacts[], occurredAt: number): Promise<string> {
  const { id: channelId, workspaceId } = cx.channel;
  const record: OrderRefundRecord = { id: refund.refundId, lines: lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })) };
  const said = await ts.store.transaction(async (db) => {
    const out = await recordRefund(db);
    await recordChannelOrders(db, cx.channel, [refund.orderId], ts.clock.now());
    return out;
  });
  return (await convergeOne(ts, cx, refund.orderId)) ?? said;

  async function recordRefund(db: Db): Promise<string> {
    const now = ts.clock.now();
    let row = await getChannelOrder(db, channelId, refund.orderId, true);
    if (!row) {
      // The order has not arrived yet: remember the refund, and the order allocates what is left.
      const stub: ChannelOrder = {
        channelId, externalOrderId: refund.orderId, workspaceId, name: null, state: 'open', occurredAt, lines: null, allocation: null,
        holdId: null, ledgerState: null, refunds: [record], createdAt: now, updatedAt: now, pending: false, viaHold: false, fulfilledByChannel: false,
      };
      if (await insertChannelOrder(db, stub)) return 'refund_recorded';
      row = (await getChannelOrder(db, channelId, refund.orderId, true))!;
    }
    if (row.refunds.some((r) => r.id === refund.refundId)) return 'no_change';
    const refunds = [...row.refunds, record];
    const next: ChannelOrder = { ...row, refunds, updatedAt: now };
    let out = 'refund_recorded';
    if (row.lines !== null && row.state === 'open') {
      const allocated = row.lines.filter(allocatable);
      if (allocated.length > 0 && allocated.every((l) => remaining(l, refunds) === 0)) {
        next.state = 'cancelled';
        out = 'cancel_recorded';
      } else if (lines.some((l) => row!.lines!.some((x) => x.lineId === l.lineId && allocatable(x)))) {
        const reference = row.name ?? refund.orderId;
        const units = lines.map((l) => `${describeLine(l)} × ${l.quantity}`).join(', ');
        await insertChannelExceptions(db, [exception(cx, now, 'channel_event_unapplied',
          `refund ${refund.refundId} on ${cx.channel.name} cancelled ${units} of order ${reference} before fulfilment; truestock keeps them committed (an allocation is released whole or not at all) — cancel and re-allocate the order by hand`,
          { reference, holdId: row.holdId })]);
        out = 'partial_cancel_unapplied';
      }
    }
    await writeOrderFacts(db, next);
    return out;
  }
}

interface ReturnLinePlan {
  sku: string;
  quantity: number;
  location: string | null;
}

/** Units a refund returns: one return per location, created and received idempotently per refund. */
async function returnUnits(ts: Truestock, cx: ChannelContext, refund: RefundFacts, lines: RefundLineFacts[]): Promise<string> {
  const { id: channelId, workspaceId: ws } = cx.channel;
  const plan = await ts.store.read(async (db) => {
    const order = await getChannelOrder(db, channelId, refund.orderId);
    const hold = order?.holdId ? await getHold(db, ws, order.holdId) : undefined;
    const holdLocations = hold ? new Map((await locationsById(db, ws, hold.lines.map((l) => l.locationId))).map((l) => [l.id, l.code])) : new Map<string, string>();
    const holdItems = hold ? new Map((await itemsById(db, ws, hold.lines.map((l) => l.bundleItemId ?? l.itemId))).map((i) => [i.id, i.sku])) : new Map<string, string>();
    const whereHoldHas = (sku: string) => {
      const line = hold?.lines.find((l) => holdItems.get(l.bundleItemId ?? l.itemId) === sku);
      return line ? holdLocations.get(line.locationId) : undefined;
    };
    const planned: ReturnLinePlan[] = [];
    const unmapped: RefundLineFacts[] = [];
    for (const line of lines) {
      const recorded = order?.lines?.find((l) => l.lineId === line.lineId && l.sku !== null);
      const sku = recorded?.sku ?? (await listingFor(db, cx, line))?.sku;
      if (!sku) {
        unmapped.push(line);
        continue;
      }
      const location = (line.locationId ? cx.mapping.locationCode(line.locationId) : undefined) ?? recorded?.location ?? whereHoldHas(sku) ?? cx.mapping.locationCodes()[0] ?? null;
      planned.push({ sku, quantity: line.quantity, location });
    }
    return { planned: await expandKits(db, ws, planned), unmapped, reference: order?.name ?? refund.orderId, channelFulfilled: order?.fulfilledByChannel === true };
  });
  // The channel fulfilled the order from its own stock: a return goes back to the channel's
  // warehouse, and its next stock report books it.
  if (plan.channelFulfilled) return 'fulfilled_by_channel';

  const said: string[] = [];
  const noLocation = plan.planned.filter((p) => p.location === null);
  if (plan.unmapped.length > 0 || noLocation.length > 0) {
    await once(ts, cx, eventKey(channelId, 'refund', refund.refundId, 'unmapped'), async (db, now) => {
      await insertChannelExceptions(db, [
        ...plan.unmapped.map((l) => exception(cx, now, 'unmapped_order_line', `refund ${refund.refundId} of order ${plan.reference} on ${cx.channel.name} returns ${describeLine(l)} × ${l.quantity}, which maps to no item; no return was opened for it`, { quantity: l.quantity, reference: plan.reference })),
        ...noLocation.map((p) => exception(cx, now, 'unmapped_order_line', `refund ${refund.refundId} of order ${plan.reference} returns ${p.quantity} × ${p.sku} to no known location; no return was opened for it`, { quantity: p.quantity, reference: plan.reference })),
      ]);
    });
    said.push('unmapped_lines');
  }
  const byLocation = new Map<string, ReturnLinePlan[]>();
  for (const p of plan.planned) if (p.location !== null) byLocation.set(p.location, [...(byLocation.get(p.location) ?? []), p]);
  for (const [location, planned] of byLocation) said.push(await openReturn(ts, cx, refund, plan.reference, location, planned));
  return said.join(',') || 'nothing_returned';
}

/** A return's lines name standard items: a kit comes back as its components. Merged per SKU. */
async function expandKits(db: Db, ws: string, planned: ReturnLinePlan[]): Promise<ReturnLinePlan[]> {
  const items = new Map((await itemsBySku(db, ws, planned.map((p) => p.sku))).map((i) => [i.sku, i]));
  const kits = [...items.values()].filter((i) => i.kind !== 'standard');
  const parts = await componentsOf(db, kits.map((k) => k.id));
  const partSkus = new Map((await itemsById(db, ws, [...parts.values()].flat().map((c) => c.itemId))).map((i) => [i.id, i.sku]));
  const merged = new Map<string, ReturnLinePlan>();
  const add = (sku: string, quantity: number, location: string | null) => {
    const key = `${location}|${sku}`;
    const had = merged.get(key);
    merged.set(key, { sku, location, quantity: (had?.quantity ?? 0) + quantity });
  };
  for (const p of planned) {
    const item = items.get(p.sku);
    if (!item || item.kind === 'standard') add(p.sku, p.quantity, p.location);
    else for (const c of parts.get(item.id) ?? []) add(partSkus.get(c.itemId)!, p.quantity * c.quantity, p.location);
  }
  return [...merged.values()];
}

async function openReturn(ts: Truestock, cx: ChannelContext, refund: RefundFacts, reference: string, location: string, planned: ReturnLinePlan[]): Promise<string> {
  const { id: channelId, workspaceId: ws } = cx.channel;
  const input = {
    location,
    channel_id: channelId,
    order_reference: reference,
    note: `refund ${refund.refundId} on ${cx.channel.name}`,
    lines: planned.map((p) => ({ sku: p.sku, quantity: p.quantity })),
  };
  const created = await idempotent(ts.store, ts.clock, ws, eventKey(channelId, 'refund', refund.refundId, 'return', location), fingerprint(input), (db, now) => createReturn(db, ws, input, now));
  if (!created.ok) {
    if (created.refusal.code === 'busy') throw new RetryLater(created.refusal.detail);
    const { code, detail } = created.refusal;
    await once(ts, cx, eventKey(channelId, 'refund', refund.refundId, 'return_refused', location), async (db, now) => {
      await insertChannelExceptions(db, [exception(cx, now, 'channel_event_unapplied', `refund ${refund.refundId} of order ${reference} on ${cx.channel.name}: no return opened at ${location}: ${code}: ${detail}`, { reference })]);
    });
    return `return_refused:${code}`;
  }
  const ret = created.body.return as { id: string; lines: { line: number; expected: number }[] };
  const receipt = { lines: ret.lines.map((l) => ({ line: l.line, quantity: l.expected })) };
  const received = await ts.ledger.executeDocument(
    { workspaceId: ws, idempotencyKey: eventKey(channelId, 'refund', refund.refundId, 'receive', location), actor: actorOf(cx) },
    receiveStep(ws, ret.id, receipt),
  );
  if (!received.ok) {
    if (received.refusal.code === 'busy') throw new RetryLater(received.refusal.detail);
    return `return_opened_not_received:${received.refusal.code}`;
  }
  return 'return_received';
}

// ---- levels ----------------------------------------------------------------------------------

/**
 * What the channel now shows for a listing. Equal to what truestock last pushed, or to what it
 * is about to push or would push now, or to the number of a submission the channel is still
 * processing (applied now, announced before we heard it was): our own echo, nothing to do. Otherwise an order the channel
 * took that has not reached us yet, or a hand edit in the channel's admin. `master_wins` pushes
 * truestock's number again — after a grace only if that raises what the channel shows (the
 * order's own event usually lands first, and its recompute queues the right number anyway), at
 * once if it lowers it; `adopt` books the difference from what was pushed as an adjustment
 * (reason `channel_edit`), idempotent per channel event. Either way the edit is recorded on the
 * listing (`recordChannelEdit`), with the exceptions it calls for.
 */
async function applyLevel(ts: Truestock, cx: ChannelContext, eventId: string, level: LevelFacts, occurredAt: number): Promise<string> {
  const { id: channelId, workspaceId: ws } = cx.channel;
  const decided = await ts.store.transaction(async (db) => {
    const found = await activeListingsByKeys(db, ws, channelId, level.keys);
    const listing = level.keys.map((k) => found.find((l) => l.externalKey === k)).find((l) => l !== undefined);
    if (!listing) return { said: 'no_listing' } as const;
    const now = ts.clock.now();
    // The channel's time may have whole seconds only (Shopify's updated_at); our own observations (a push
    // acknowledged) have milliseconds. An event in the same second as our last observation may be
    // the later one: taking it as late as its second allows means a real change is never missed
    // (at worst an old echo costs one more compare-and-set, which reads the truth back).
    if (!(await recordShown(db, ws, channelId, listing.id, level.available, occurredAt + cx.timeResolutionMs - 1))) return { said: 'stale' } as const;
    const pushed = (await listingSyncOf(db, [listing.id])).get(listing.id)?.pushed_quantity ?? null;
    const { computed, queued } = await listingNumbers(db, listing.id);
    if (level.available === pushed || level.available === queued || level.available === computed) return { said: 'echo' } as const;
    // A number a submission carried that the channel applies now (Amazon announces each), even one overtaken by a newer push.
    if ((await submittedNumbersOf(db, channelId, [listing.id])).get(listing.id)?.has(level.available)) return { said: 'echo' } as const;
    const location = cx.mapping.locationCode(level.locationId) ?? listingLocation(cx, listing);
    const canAdopt = cx.editPolicy === 'adopt' && pushed !== null && listing.kind === 'standard' && location !== undefined
      && (await locationsByCode(db, ws, [location])).length === 1;
    const log = { channel: channelId, listing: listing.id, sku: listing.sku, shown: level.available, pushed, policy: cx.editPolicy };
    const edit: ChannelEdit = {
      workspaceId: ws, channel: { id: channelId, name: cx.channel.name }, listing: { id: listing.id, itemId: listing.itemId, sku: listing.sku }, eventId,
      at: now, shown: level.available, pushed, ours: computed, policy: cx.editPolicy, outcome: 'requeued', dueAt: null, graceMs: cx.editGraceMs,
    };
    if (!canAdopt) {
      // Truestock's number goes back: at once unless it would raise what the channel shows.
      const dueAt = await requeueListing(db, listing.id, now, level.available, cx.editGraceMs);
      cx.log?.info({ ...log, due_at: dueAt }, 'channel_edit');
      await recordChannelEdit(db, { ...edit, dueAt });
      return { said: 'requeued' } as const;
    }
    cx.log?.info(log, 'channel_edit');
    return { said: 'adopt', sku: listing.sku, location: location!, delta: level.available - pushed!, edit } as const;
  });
  if (decided.said !== 'adopt') return decided.said;
  const outcome = await adopt(ts, cx, eventId, level, decided);
  // Visible on the listing (and, under adopt, as an exception), not only in the log.
  await ts.store.transaction((db) => recordChannelEdit(db, { ...decided.edit, outcome }));
  return outcome;
}

/** Book an edit's difference from what was pushed as a `channel_edit` adjustment, once per channel event. */
async function adopt(ts: Truestock, cx: ChannelContext, eventId: string, level: LevelFacts, decided: { sku: string; location: string; delta: number }): Promise<string> {
  const { id: channelId, workspaceId: ws } = cx.channel;
  const r = await execute(ts, cx, eventKey(channelId, 'level', eventId, 'adopt'), {
    type: 'adjust',
    sku: decided.sku,
    location: decided.location,
    delta: decided.delta,
    reason: 'channel_edit',
    note: `${cx.channel.name} showed ${level.available} where truestock had pushed ${level.available - decided.delta}`,
  });
  if (r.ok) return 'adopted';
  // Replayed under another delta (a redelivery after our number moved): the first booking stands.
  if (r.refusal.code === 'idempotency_key_reused') return 'adopted';
  const { code, detail } = r.refusal;
  await once(ts, cx, eventKey(channelId, 'level', eventId, 'adopt_refused'), async (db, now) => {
    const [loc] = await locationsByCode(db, ws, [decided.location]);
    const [item] = await itemsBySku(db, ws, [decided.sku]);
    await insertChannelExceptions(db, [exception(cx, now, 'channel_event_unapplied',
      `${cx.channel.name} shows ${level.available} × ${decided.sku}; adopting the edit (${decided.delta > 0 ? '+' : ''}${decided.delta}) was refused: ${code}: ${detail}`,
      { itemId: item?.id ?? null, locationId: loc?.id ?? null, quantity: decided.delta })]);
  });
  return `adopt_refused:${code}`;
}

// ---- listing problems --------------------------------------------------------------------------

/** The channel reports a listing it will not sell as it is: one exception per reported event. */
async function applyListingProblem(ts: Truestock, cx: ChannelContext, eventId: string, problem: ListingProblemFacts): Promise<string> {
  const { id: channelId, workspaceId: ws } = cx.channel;
  const first = await once(ts, cx, eventKey(channelId, 'listing_problem', eventId), async (db, now) => {
    const found = await activeListingsByKeys(db, ws, channelId, problem.keys);
    const listing = problem.keys.map((k) => found.find((l) => l.externalKey === k)).find((l) => l !== undefined);
    const what = listing ? `listing ${listing.id} (${listing.sku})` : `SKU ${problem.sku ?? problem.keys[0] ?? '(unnamed)'}`;
    await insertChannelExceptions(db, [exception(cx, now, 'channel_listing_problem', `${cx.channel.name} reports ${what}: ${problem.code}: ${problem.message}`, { reference: listing?.id ?? problem.sku })]);
  });
  return first ? 'listing_problem_recorded' : 'no_change';
}

// ---- channel-managed stock -----------------------------------------------------------------------
// A channel that keeps stock itself (FBA) reports what it holds at one of its locations; the
// location it maps to must be `channel_managed`. The rules (bucket mapping, counterpart, when a
// transfer of ours arrives) are in `src/domain/managed-stock-rules.ts`; here they are applied, as
// warehouse document steps whose `prepare` reads the ledger under its locks, so the difference
// booked is the difference at the moment of booking. Idempotent per event: each step goes under a
// key derived from the event id, and an older report than the last one booked books nothing.

/** Transfers one report may receive into, one document step each (usually one or none). */
const ARRIVAL_STEPS_MAX = 8;

/** Where a report is booked. */
interface ManagedAt {
  ws: string;
  channelId: string;
  channelName: string;
  location: Location;
  itemId: string;
  sku: string;
}

async function applyManagedStock(ts: Truestock, cx: ChannelContext, eventId: string, stock: ManagedStockFacts, occurredAt: number): Promise<string> {
  const { id: channelId, workspaceId: ws } = cx.channel;
  const what = stock.sku ? `SKU ${stock.sku}` : (stock.keys[0] ?? 'an unnamed listing');
  const raise = (step: string, message: string, extra: Partial<ChannelException> = {}) =>
    once(ts, cx, eventKey(channelId, 'stock', eventId, step), (db, now) => insertChannelExceptions(db, [exception(cx, now, 'channel_event_unapplied', message, extra)]));
  const bad = checkManagedStock(stock);
  if (bad) {
    await raise('invalid', `${cx.channel.name} reported its stock of ${what} at ${stock.locationId}, which cannot be booked: ${bad.detail}`);
    return 'stock_invalid';
  }
  const found = await ts.store.read(async (db) => {
    const code = cx.mapping.locationCode(stock.locationId);
    const [location] = code === undefined ? [] : await locationsByCode(db, ws, [code]);
    const listing = await listingFor(db, cx, { lineId: `stock:${eventId}`, quantity: 0, sku: stock.sku, keys: stock.keys, keyPrefixes: [] });
    return { code, location, listing };
  });
  const location = found.location;
  if (!location || location.kind !== 'channel_managed') {
    const why = found.code === undefined ? 'the channel\'s settings map it to no location'
      : !location ? `it maps to ${found.code}, which this workspace does not have`
        : `it maps to ${found.code}, a ${location.kind} location: only a channel_managed location takes a channel's own count`;
    await raise('location', `${cx.channel.name} reported its stock of ${what} at ${stock.locationId}, but ${why}; nothing was booked`, location ? { locationId: location.id } : {});
    return 'stock_location_unmapped';
  }
  const listing = found.listing;
  if (!isListing(listing) || listing.kind !== 'standard') {
    const why = listing === undefined ? `no active listing on ${cx.channel.name} matches it`
      : !isListing(listing) ? listing.unmapped : `${listing.sku} is a ${listing.kind}: a channel keeps units of standard items`;
    await raise('item', `${cx.channel.name} reported ${stock.available} available × ${what} at ${location.code}, but ${why}; nothing was booked`, { locationId: location.id });
    return 'stock_item_unmapped';
  }
  const at: ManagedAt = { ws, channelId, channelName: cx.channel.name, location, itemId: listing.itemId, sku: listing.sku };
  const request = (step: string) => ({ workspaceId: ws, idempotencyKey: eventKey(channelId, 'stock', eventId, step), actor: actorOf(cx) });

  // Our transfers into the location that this report shows arrived: received through the transfer.
  const received: string[] = [];
  for (let i = 0; i < ARRIVAL_STEPS_MAX; i++) {
    const r = await ts.ledger.executeDocument(request(`arrival:${i}`), arrivalStep(at, eventId, stock, occurredAt, i));
    if (!r.ok) {
      if (r.refusal.code === 'busy') throw new RetryLater(r.refusal.detail);
      // Booking the rest would count the units twice (received by hand later): stop and say so.
      await raise(`arrival:${i}:refused`, `${cx.channel.name} reports ${listing.sku} arrived at ${location.code}, but receiving our transfer was refused: ${r.refusal.code}: ${r.refusal.detail}; receive it by hand`, { itemId: listing.itemId, locationId: location.id });
      return `transfer_receive_refused:${r.refusal.code}`;
    }
    if (r.body.transfer === null) break;
    received.push(String(r.body.transfer));
  }
  const r = await ts.ledger.executeDocument(request('sync'), managedSyncStep(at, eventId, stock, occurredAt));
  if (!r.ok) {
    if (r.refusal.code === 'busy') throw new RetryLater(r.refusal.detail);
    await raise('sync:refused', `${cx.channel.name}'s stock report of ${listing.sku} at ${location.code} could not be booked: ${r.refusal.code}: ${r.refusal.detail}`, { itemId: listing.itemId, locationId: location.id });
    return `stock_refused:${r.refusal.code}`;
  }
  return [...received.map((n) => `transfer_received:${n}`), String(r.body.outcome)].join(',');
}

const reportNote = (at: ManagedAt, s: ManagedStockFacts) =>
  `${at.channelName} reports ${s.available} available, ${s.unfulfillable} unfulfillable, ${s.inbound} inbound (${s.reserved} reserved and ${s.researching} researching, not booked)`;

const nothingToPost = (flow: string, eventId: string): Outcome<PostCommand> => ok<PostCommand>({ type: 'post', flow, lines: [], reference: `stock report ${eventId}`.slice(0, 200) });

/**
 * The level's balances, locked for the rest of the transaction. Created first if it does not
 * exist yet, so that two first reports of a level applied at once (PostgreSQL) take turns on its
 * lock instead of both booking from zero.
 */
async function lockManagedLevel(db: Db, at: ManagedAt, now: number) {
  await ensureLevels(db, [{ id: newId('lvl', now), workspaceId: at.ws, itemId: at.itemId, locationId: at.location.id }], now);
  const [level] = await lockLevels(db, at.ws, [at.itemId], [at.location.id]);
  return level!.balances;
}

/** Whether a report is older than the last one booked for the level (which it must never undo). */
async function staleReport(db: Db, at: ManagedAt, occurredAt: number): Promise<boolean> {
  // Read under the level's lock: whoever holds it is the only one booking the level.
  const last = await managedStockOf(db, at.location.id, at.itemId);
  return last !== undefined && last.reportedAt > occurredAt;
}

/**
 * Receive into the oldest transfer of ours whose units the report shows arrived (`arrivedUnits`),
 * through the transfer itself (`transfer_receive`: in transit → available, incoming → expected),
 * so the transfer closes as usual. Answers the transfer's number, or null when nothing arrived.
 */
function arrivalStep(at: ManagedAt, eventId: string, stock: ManagedStockFacts, occurredAt: number, step: number): DocumentStep {
  let next: TransferRecord | undefined;
  return {
    name: 'transfer_receive',
    payload: { event: eventId, step, stock },
    async prepare(db, now) {
      next = undefined;
      const lines = await transferLinesInto(db, at.ws, at.location.id, at.itemId, true);
      if (lines.length === 0) return nothingToPost('transfer_receive', eventId);
      const level = await lockManagedLevel(db, at, now);
      if (await staleReport(db, at, occurredAt)) return nothingToPost('transfer_receive', eventId);
      const booked = level.available + level.damaged;
      const units = spreadArrivals(arrivedUnits(lines.reduce((n, l) => n + l.inTransit, 0), booked, stock), lines);
      const first = units.findIndex((u) => u > 0);
      if (first < 0) return nothingToPost('transfer_receive', eventId);
      const transferId = lines[first]!.transferId;
      const tr = (await findTransfer(db, at.ws, transferId, true))!;
      const receipt = lines.flatMap((l, j) => (l.transferId === transferId && units[j]! > 0 ? [{ line: l.lineNo, good: units[j]! }] : []));
      const decided = receiveTransfer(tr, { lines: receipt, reference: `${at.channelName} stock report ${eventId}`.slice(0, 500) });
      if (!decided.ok) return decided;
      const state = decided.value.state;
      next = { ...tr, ...state, updatedAt: now, closedAt: state.state === 'closed' ? now : null };
      return ok<PostCommand>({ type: 'post', flow: 'transfer_receive', lines: decided.value.lines, reference: tr.number, note: `arrived as ${at.channelName} reports (stock report ${eventId})`.slice(0, 500) });
    },
    async finish(db) {
      if (next) await updateTransfer(db, next);
      return { status: 200, body: { transfer: next?.number ?? null } };
    },
  };
}

/**
 * Book the difference between the ledger and the report (`managedStockMoves`, reason
 * `channel_sync`) and keep the report (with what is shown beside the buckets) as the level's last.
 */
function managedSyncStep(at: ManagedAt, eventId: string, stock: ManagedStockFacts, occurredAt: number): DocumentStep {
  let outcome = 'stock_stale';
  return {
    name: 'channel_sync',
    payload: { event: eventId, stock, occurredAt },
    async prepare(db, now) {
      // Documents before levels, as a transfer's own receipt locks them; the last report is read
      // once the level is ours (a report booked meanwhile by another process is seen).
      const inTransit = (await transferLinesInto(db, at.ws, at.location.id, at.itemId, true)).reduce((n, l) => n + l.inTransit, 0);
      const explained = inTransit + (await purchaseUnitsInto(db, at.ws, at.location.id, at.itemId));
      const b = await lockManagedLevel(db, at, now);
      if (await staleReport(db, at, occurredAt)) {
        outcome = 'stock_stale';
        return nothingToPost('channel_sync', eventId);
      }
      const moves = managedStockMoves({ available: b.available, damaged: b.damaged, incoming: b.incoming }, explained, stock);
      outcome = moves.length > 0 ? 'stock_booked' : 'stock_unchanged';
      return ok<PostCommand>({
        type: 'post',
        flow: 'channel_sync',
        lines: moves.map((m) => ({ sku: at.sku, location: at.location.code, from: m.from, to: m.to, quantity: m.quantity, reason: CHANNEL_SYNC_REASON })),
        reference: `stock report ${eventId}`.slice(0, 200),
        note: reportNote(at, stock),
      });
    },
    async finish(db, posted, now) {
      if (outcome !== 'stock_stale') {
        await upsertManagedStock(db, {
          locationId: at.location.id, itemId: at.itemId, workspaceId: at.ws, channelId: at.channelId, eventId, reportedAt: occurredAt,
          available: stock.available, reserved: stock.reserved, inbound: stock.inbound, unfulfillable: stock.unfulfillable, researching: stock.researching, updatedAt: now,
        });
      }
      return { status: 200, body: { outcome, movements: posted.movements.length } };
    },
  };
}
