// The order lifecycle as a pure state machine: which step an order in a given state may take, and
// which ledger commands that step is. No I/O, no clock: the use-cases (src/app/orders.ts) read the
// order and its holds, ask here, and run the answer through the ledger as ONE document step
// (one idempotency key, one transaction with the order's new row).
//
//   pending ──confirm──▶ allocated ──ship──▶ partially_shipped ──ship──▶ shipped
//      │                    │                      │
//      └──────cancel────────┴────────cancel────────┴──▶ cancelled (what is not shipped)
//
// An order's state is derived from its lines (`stateOf`), never set by hand: a line's units are
// allocated (held or committed, not shipped), shipped, cancelled or backordered.

import type { AllocateOrderCommand, LineRequest, PostCommand, ReserveCommand, RouteSpec, StockCommand } from './commands.ts';
import { type Refusal, refusal } from './errors.ts';
import type { Hold, HoldLine } from './model.ts';
import type { ServiceLevel } from './routing.ts';

export const ORDER_STATES = ['pending', 'allocated', 'partially_shipped', 'shipped', 'cancelled'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

/** `channel`: a channel already took it (never refused, oversold and raised); `staff`: refused when short. */
export const ORDER_SOURCES = ['channel', 'staff'] as const;
export type OrderSource = (typeof ORDER_SOURCES)[number];

// How the customer asked for it: routing's list (routing chooses by it), one list for both.
export { SERVICE_LEVELS, type ServiceLevel } from './routing.ts';

/** Lines one order may have (the ledger's own limit per hold). */
export const ORDER_LINES_MAX = 250;

export interface OrderLine {
  lineNo: number;
  /** The channel's id for the line, for channel orders. */
  externalLineId: string | null;
  itemId: string | null;
  sku: string | null;
  listingId: string | null;
  quantity: number;
  /** Held or committed and not yet shipped. */
  allocated: number;
  shipped: number;
  cancelled: number;
  /** Waiting for stock (not held anywhere). */
  backordered: number;
  returned: number;
  /** Why the line was not allocated (a channel line that maps to no item). */
  unmapped: string | null;
}

export interface Order {
  id: string;
  workspaceId: string;
  number: number;
  channelId: string | null;
  /** The channel's own id of the order (unique per channel). */
  channelReference: string | null;
  /** The reference the order's ledger movements and holds carry (`SO-000042`, or the channel's order name). */
  orderReference: string;
  source: OrderSource;
  state: OrderState;
  serviceLevel: ServiceLevel;
  pickupLocationId: string | null;
  shipTo: { postalCode: string | null; country: string | null };
  promisedShipBy: number | null;
  promisedDeliverBy: number | null;
  requestedShipDate: string | null;
  customerReference: string | null;
  /** Location codes the order may be allocated from, best first (decided once, at placement). */
  candidates: string[] | null;
  /** The routing decision stored with the order (JSON), when routing made one. */
  routing: unknown;
  /** What a human must look at, if anything (`oversold`, `promise_at_risk`, `unapplied`…). */
  exception: string | null;
  fulfilledByChannel: boolean;
  createdAt: number;
  updatedAt: number;
  lines: OrderLine[];
}

/** A hold line serving an order line (`order_holds`). */
export interface OrderHoldLink {
  holdId: string;
  holdLineNo: number;
  lineNo: number;
  locationId: string;
}

/** Units of a line still to ship: neither shipped nor cancelled. */
export const openUnits = (l: OrderLine): number => l.quantity - l.shipped - l.cancelled;

/** The state an order's lines put it in; `pending` stays pending until it is confirmed. */
export function stateOf(lines: readonly OrderLine[], current: OrderState): OrderState {
  if (current === 'cancelled') return 'cancelled';
  if (lines.length > 0 && lines.every((l) => l.cancelled >= l.quantity)) return 'cancelled';
  const shipped = lines.some((l) => l.shipped > 0);
  if (shipped && lines.every((l) => openUnits(l) === 0)) return 'shipped';
  if (shipped) return 'partially_shipped';
  return current === 'pending' ? 'pending' : 'allocated';
}

export type OrderStep = 'confirm' | 'ship' | 'cancel' | 'short_pick' | 'allocate_backorder';

/** The ladder every step climbs first: may an order in this state take this step at all? */
export function checkStep(order: Order, step: OrderStep): Refusal | null {
  const { state } = order;
  if (order.fulfilledByChannel) {
    return refusal('order_not_allocated', `order ${order.orderReference} is fulfilled by its channel from the channel's own stock: truestock holds nothing for it`, 'id');
  }
  if (state === 'shipped' || state === 'cancelled') return refusal('order_closed', `order ${order.orderReference} is ${state}`, 'id', { state });
  if (step === 'confirm' && state !== 'pending') return refusal('order_not_pending', `order ${order.orderReference} is ${state}, not pending`, 'id', { state });
  if ((step === 'ship' || step === 'short_pick' || step === 'allocate_backorder') && state === 'pending') {
    return refusal('order_not_allocated', `order ${order.orderReference} is pending (payment unconfirmed): confirm it before shipping`, 'id', { state });
  }
  return null;
}

/** The hold an order's open units sit in (at most one at a time), among the order's holds. */
export function openHold(holds: readonly Hold[]): Hold | undefined {
  return holds.find((h) => h.state === 'active' || h.state === 'allocated');
}

/**
 * The hold lines of an allocation in terms of the order's lines. Each request line claims the
 * first unclaimed hold lines of its item: a standard item is one hold line; a bundle or multipack
 * is its pre-built units (a line of the kit itself, when some were taken) and one line per
 * component. Claimed by item, not position: the ledger may put some lines first (a wholesale
 * order's fence-bound lines) and leave backordered ones out.
 */
export function linkHoldLines(hold: Hold, requested: readonly { lineNo: number; itemId: string; components: number }[]): OrderHoldLink[] {
  const out: OrderHoldLink[] = [];
  const claimed = new Set<number>();
  const claim = (lineNo: number, pick: (l: HoldLine) => boolean, many: boolean) => {
    for (const l of hold.lines) {
      if (claimed.has(l.lineNo) || !pick(l)) continue;
      claimed.add(l.lineNo);
      out.push({ holdId: hold.id, holdLineNo: l.lineNo, lineNo, locationId: l.locationId });
      if (!many) return;
    }
  };
  for (const r of requested) {
    if (r.components === 0) {
      claim(r.lineNo, (l) => l.itemId === r.itemId && l.bundleItemId === null, false);
      continue;
    }
    claim(r.lineNo, (l) => l.itemId === r.itemId && l.bundleItemId === null, false);
    // The kit's components: the next run of lines sold as this kit, as many as it has components.
    let taken = 0;
    claim(r.lineNo, (l) => l.bundleItemId === r.itemId && taken++ < r.components, true);
  }
  return out.sort((a, b) => a.holdLineNo - b.holdLineNo);
}

/** Where an order's lines go: a candidate list (first fit today, routing's ranking later). */
export interface Placement {
  /** Candidate location codes, best first. */
  locations: string[];
  /** The routing decision to store with the order, when there is one. */
  decision: unknown;
  /** Routing's spec for the ledger (ranked candidates): lines that name no location are routed by it. */
  route?: RouteSpec;
}

/** A line to place: units of an order line, optionally pinned to one location. */
export interface PlaceLine {
  lineNo: number;
  sku: string;
  quantity: number;
  location?: string;
  /**
   * Units placed again where they were, in the step that closed their hold (a partial cancel, a
   * short pick, a backorder's re-allocation): closing gave them back to `available`, so they take
   * them from there and draw nothing from the channel's ring-fence — drawing it again would move
   * fence units into the shared pool.
   */
  again?: true;
}

/**
 * The ledger command that places lines: held (pending: reserve, never expiring: confirmed or
 * cancelled explicitly) or allocated at once. `accepted`: the channel already took the order, so
 * a short line is oversold and raised rather than refused.
 */
export function placeCommand(order: Pick<Order, 'orderReference' | 'channelId'>, lines: readonly PlaceLine[], placement: Placement, pending: boolean, accepted: boolean): StockCommand {
  const requests: LineRequest[] = lines.map((l) => ({ sku: l.sku, quantity: l.quantity, ...(l.location ? { location: l.location } : {}) }));
  // Routing places whole orders (no line pinned); a partly pinned re-placement takes first fit.
  const unpinned = lines.some((l) => !l.location);
  const locations = unpinned && placement.route && lines.every((l) => !l.location) ? { route: placement.route } : unpinned ? { locations: placement.locations } : {};
  if (pending) {
    const hold: ReserveCommand = { type: 'reserve', lines: requests, ...locations, reference: order.orderReference, channel: order.channelId, channel_accepted: accepted, expires_in_ms: null };
    return hold;
  }
  const orderLines = requests.map((r, i) => (lines[i]!.again ? { ...r, from_fence: false as const } : r));
  const allocation: AllocateOrderCommand = { type: 'allocate_order', lines: orderLines, ...locations, order_reference: order.orderReference, channel: order.channelId, channel_accepted: accepted };
  return allocation;
}

/** Close an open hold: a held (pending) order's hold is released, an allocation cancelled. */
export function closeHoldCommand(hold: Hold): StockCommand {
  return hold.state === 'active' ? { type: 'release', hold_id: hold.id } : { type: 'cancel_allocation', hold_id: hold.id };
}

/** Units per order line still sitting in a hold, by location code (from the hold's lines). */
export interface HeldUnits {
  lineNo: number;
  location: string;
  /** Order-line units (a kit's units, not its components'). */
  units: number;
}

export interface ShipRequest {
  location: string;
  lines?: { line: number; quantity: number }[];
}

/**
 * What a shipment from one location takes from the open hold: per hold line, the units to ship.
 * A kit line ships its pre-built units first, then components in proportion.
 */
export function shipPlan(order: Order, hold: Hold, links: readonly OrderHoldLink[], locationId: string, locationCode: string, req: ShipRequest): { ok: true; lines: { line: number; quantity: number }[]; shipped: Map<number, number> } | { ok: false; refusal: Refusal } {
  const here = links.filter((k) => k.holdId === hold.id && k.locationId === locationId);
  const holdLine = new Map(hold.lines.map((l) => [l.lineNo, l]));
  const byOrderLine = new Map<number, HoldLine[]>();
  for (const k of here) byOrderLine.set(k.lineNo, [...(byOrderLine.get(k.lineNo) ?? []), holdLine.get(k.holdLineNo)!]);
  const wanted = new Map<number, number>();
  if (req.lines === undefined) {
    for (const [lineNo] of byOrderLine) {
      const line = order.lines.find((l) => l.lineNo === lineNo)!;
      if (line.allocated > 0) wanted.set(lineNo, unitsLeftAt(line, byOrderLine.get(lineNo)!));
    }
    for (const [k, v] of wanted) if (v === 0) wanted.delete(k);
    if (wanted.size === 0) return { ok: false, refusal: refusal('nothing_to_ship', `order ${order.orderReference} has nothing left to ship from ${locationCode}`, 'location') };
  } else {
    for (const [i, r] of req.lines.entries()) {
      const line = order.lines.find((l) => l.lineNo === r.line);
      if (!line) return { ok: false, refusal: refusal('validation_failed', `order ${order.orderReference} has no line ${r.line}`, `lines[${i}].line`) };
      const total = (wanted.get(r.line) ?? 0) + r.quantity;
      const left = byOrderLine.has(r.line) ? unitsLeftAt(line, byOrderLine.get(r.line)!) : 0;
      if (total > left) {
        return { ok: false, refusal: refusal('nothing_to_ship', `line ${r.line} has ${left} left to ship from ${locationCode}, not ${total}`, `lines[${i}].quantity`, { left }) };
      }
      wanted.set(r.line, total);
    }
  }
  const out: { line: number; quantity: number }[] = [];
  for (const [lineNo, units] of wanted) {
    const hls = byOrderLine.get(lineNo)!;
    const line = order.lines.find((l) => l.lineNo === lineNo)!;
    for (const [holdLineNo, q] of splitKitUnits(line, hls, units)) if (q > 0) out.push({ line: holdLineNo, quantity: q });
  }
  return { ok: true, lines: out, shipped: wanted };
}

/** Order-line units still unshipped in these hold lines (of one location). */
function unitsLeftAt(line: OrderLine, hls: readonly HoldLine[]): number {
  if (line.itemId !== null && hls.every((h) => h.itemId === line.itemId && h.bundleItemId === null)) return hls.reduce((n, h) => n + h.quantity - h.shipped, 0);
  // A kit: its pre-built units plus the kits its components still make.
  const built = hls.filter((h) => h.bundleItemId === null).reduce((n, h) => n + h.quantity - h.shipped, 0);
  const parts = hls.filter((h) => h.bundleItemId !== null);
  const kits = parts.length === 0 ? 0 : Math.min(...parts.map((h) => Math.floor((h.quantity - h.shipped) / perKit(line, hls, h))));
  return built + kits;
}

/** Component units per kit on a hold line: the line's quantity over the kits built from parts. */
function perKit(line: OrderLine, hls: readonly HoldLine[], h: HoldLine): number {
  const built = hls.filter((x) => x.bundleItemId === null).reduce((n, x) => n + x.quantity, 0);
  const kits = Math.max(1, line.quantity - line.cancelled - built);
  return Math.max(1, Math.round(h.quantity / kits));
}

function splitKitUnits(line: OrderLine, hls: readonly HoldLine[], units: number): Map<number, number> {
  const out = new Map<number, number>();
  let left = units;
  for (const h of hls.filter((x) => x.bundleItemId === null)) {
    const q = Math.min(left, h.quantity - h.shipped);
    out.set(h.lineNo, q);
    left -= q;
  }
  for (const h of hls.filter((x) => x.bundleItemId !== null)) out.set(h.lineNo, left * perKit(line, hls, h));
  return out;
}

/**
 * The lines to place again when an allocation is re-made (a part cancelled, a short pick): every
 * open unit of every line where it is now, less `cancel`, with `moveAway` units of one line
 * re-routed away from where they were.
 */
export function replaceLines(order: Order, held: readonly HeldUnits[], cancel: ReadonlyMap<number, number>, moveAway?: { lineNo: number; location: string; units: number }): PlaceLine[] {
  const out: PlaceLine[] = [];
  const leftToCancel = new Map(cancel);
  for (const h of held) {
    const line = order.lines.find((l) => l.lineNo === h.lineNo)!;
    let units = h.units;
    const c = Math.min(units, leftToCancel.get(h.lineNo) ?? 0);
    units -= c;
    leftToCancel.set(h.lineNo, (leftToCancel.get(h.lineNo) ?? 0) - c);
    if (moveAway && moveAway.lineNo === h.lineNo && moveAway.location === h.location) {
      const away = Math.min(units, moveAway.units);
      units -= away;
      if (away > 0) out.push({ lineNo: h.lineNo, sku: line.sku!, quantity: away });
    }
    if (units > 0) out.push({ lineNo: h.lineNo, sku: line.sku!, quantity: units, location: h.location, again: true });
  }
  return out;
}

export interface CancelRequest {
  lines?: { line: number; quantity?: number }[];
  reason?: string | null;
}

/** Units per order line a cancellation takes (all open units when no lines are named). */
export function cancelPlan(order: Order, req: CancelRequest): { ok: true; units: Map<number, number> } | { ok: false; refusal: Refusal } {
  const units = new Map<number, number>();
  if (req.lines === undefined) {
    for (const l of order.lines) if (openUnits(l) > 0) units.set(l.lineNo, openUnits(l));
    return { ok: true, units };
  }
  for (const [i, r] of req.lines.entries()) {
    const line = order.lines.find((l) => l.lineNo === r.line);
    if (!line) return { ok: false, refusal: refusal('validation_failed', `order ${order.orderReference} has no line ${r.line}`, `lines[${i}].line`) };
    const total = (units.get(r.line) ?? 0) + (r.quantity ?? openUnits(line) - (units.get(r.line) ?? 0));
    if (total > openUnits(line) || total <= 0) {
      return { ok: false, refusal: refusal('nothing_to_cancel', `line ${r.line} has ${openUnits(line)} units left to cancel, not ${total}`, `lines[${i}].quantity`, { left: openUnits(line) }) };
    }
    units.set(r.line, total);
  }
  return { ok: true, units };
}

/** The count variance a short pick books where the units were not found (a cycle-count movement). */
export function shortPickVariance(order: Order, sku: string, location: string, missing: number): PostCommand {
  return { type: 'post', flow: 'short_pick', lines: [], variances: [{ sku, location, variance: -missing }], reference: order.orderReference, note: `short pick on order ${order.orderReference}` };
}
