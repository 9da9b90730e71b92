// The commands that change stock, in the shape clients send them (HTTP bodies, CLI flags and
// the internal command layer all use these). Every command is applied under an idempotency key.

import type { Account, MovableBucket } from './buckets.ts';
import type { ServiceLevel } from './routing.ts';

/** `channel_edit`: a hand edit made in a channel's admin, adopted by truestock (docs/sync-in.md). */
export const ADJUST_REASONS = ['cycle_count', 'damage', 'shrinkage', 'correction', 'found', 'other', 'channel_edit'] as const;
export type AdjustReason = (typeof ADJUST_REASONS)[number];

/** Default lifetime of a checkout hold. */
export const HOLD_TIMEOUT_DEFAULT_MS = 15 * 60_000;
/** Longest a hold may be asked to live; longer belongs to ring-fencing, not checkout. */
export const HOLD_TIMEOUT_MAX_MS = 30 * 24 * 3_600_000;
/** Lines in one hold or order. */
export const HOLD_LINES_MAX = 250;
/** Candidate locations a line may name. */
export const HOLD_LOCATIONS_MAX = 50;

interface AtLocation {
  sku: string;
  location: string;
}
interface Documented {
  /** The document this movement belongs to: a PO, order, count sheet… */
  reference?: string | null;
  note?: string | null;
}

export interface ReceiveCommand extends AtLocation, Documented {
  type: 'receive';
  quantity: number;
  into?: 'available' | 'quality_control';
}
export interface AdjustCommand extends AtLocation, Documented {
  type: 'adjust';
  /** Signed: +3 found three, -2 lost two. */
  delta: number;
  bucket?: MovableBucket;
  reason: AdjustReason;
}
export interface MoveCommand extends AtLocation, Documented {
  type: 'move';
  quantity: number;
  from: MovableBucket;
  to: MovableBucket;
}
export interface SetSafetyStockCommand extends AtLocation, Documented {
  type: 'set_safety_stock';
  quantity: number;
}
export interface CountCommand extends AtLocation, Documented {
  type: 'count';
  /** The on_hand a person counted. */
  counted: number;
}

export interface LineRequest {
  sku: string;
  quantity: number;
  /** Take from this location; otherwise the first of the command's `locations` that can cover the line. */
  location?: string;
}

/**
 * Route the lines with reasons (src/domain/routing.ts) instead of first fit. Built by the app layer
 * (`routeSpecFor` in src/app/routing-rules.ts), never sent by clients: not in the HTTP schemas.
 * The candidates replace `locations`; a line may not name its own location.
 */
export interface RouteSpec {
  service_level: ServiceLevel;
  /** The store a pickup order is collected at (pickup only). */
  pickup_location?: string | null;
  /** Days the promise allows from now; null: no promise. */
  promise_days?: number | null;
  /** The channel fulfils the order itself (FBA): only channel-managed locations ship it. */
  fulfilled_by_channel?: boolean;
  max_shipments?: number;
  candidates: RouteSpecCandidate[];
}
export interface RouteSpecCandidate {
  code: string;
  distance_km: number | null;
  /** For the spec's service level; null: this location cannot ship it. */
  transit_days: number | null;
  priority: number;
  cost: number;
}

export interface ReserveCommand {
  type: 'reserve';
  lines: LineRequest[];
  locations?: string[];
  /**
   * The hold's lifetime (default `HOLD_TIMEOUT_DEFAULT_MS`). `null`: it never expires — only the
   * hold of a channel's pending order, which the channel itself confirms or cancels (never sent
   * by clients: the HTTP schema takes a number).
   */
  expires_in_ms?: number | null;
  /**
   * The channel already took the order this holds (a pending channel order): held even when
   * stock is short, the shortfall drawn from oversold with an exception, as `allocate_order`
   * does. Absent or false: a short line is refused (a checkout).
   */
  channel_accepted?: boolean;
  reference?: string | null;
  /** The channel id the cart belongs to (for per-channel sales velocity). */
  channel?: string | null;
  route?: RouteSpec;
}
export interface ExtendCommand {
  type: 'extend';
  hold_id: string;
  expires_in_ms: number;
}
export interface ReleaseCommand {
  type: 'release';
  hold_id: string;
}
/** Issued by the sweeper when a hold's time is up. */
export interface ExpireCommand {
  type: 'expire';
  hold_id: string;
}
export interface AllocateCommand {
  type: 'allocate';
  hold_id: string;
  order_reference: string;
}
/** A line of an order allocated without a hold. */
export interface OrderLineRequest extends LineRequest {
  /**
   * `backorder`: the line takes only from the ring-fence of the order's channel (at its location,
   * or the command's locations in order, or wherever the fence is when neither is given); what
   * the fence cannot cover is backordered — listed in the result's `backordered`, neither held
   * nor oversold nor taken from `available` — so no other channel's units move. Absent: the line
   * draws on the fence first and takes the rest from `available` like any order. Standard items
   * only. Set by the app layer for the items a channel with order terms (wholesale) ring-fences;
   * clients do not send it.
   */
  beyond_fence?: 'backorder';
  /**
   * `false`: the line takes nothing from the channel's ring-fence, only from `available` (units of
   * an order placed again where they were, given back to `available` by the same step — drawing
   * the fence for them would hand fence units to the shared pool). Set by the orders module when it
   * allocates a backorder; clients do not send it.
   */
  from_fence?: false;
}

/** Allocate an order without a prior hold. */
export interface AllocateOrderCommand {
  type: 'allocate_order';
  lines: OrderLineRequest[];
  locations?: string[];
  order_reference: string;
  /** The channel id the order came from. */
  channel?: string | null;
  /**
   * The channel already took the order (the default): it is allocated even when stock is short,
   * the shortfall recorded as oversold with an exception. `false` refuses instead.
   */
  channel_accepted?: boolean;
  route?: RouteSpec;
}
export interface ShipCommand {
  type: 'ship';
  hold_id: string;
  /** Ship part of the allocation; everything left when omitted. */
  lines?: { line: number; quantity: number }[];
}
export interface CancelAllocationCommand {
  type: 'cancel_allocation';
  hold_id: string;
}

/** One movement a warehouse document asks for. */
export interface PostLine {
  sku: string;
  location: string;
  from: Account;
  to: Account;
  quantity: number;
  reason?: string | null;
}

/** A counted difference to book at a stock level (see `applyVariance`). */
export interface VarianceLine {
  sku: string;
  location: string;
  /** Counted minus expected: positive found units, negative missing ones. */
  variance: number;
}

/** Lines one document step may post: a stock-level import file is one step, all or none. */
export const POST_LINES_MAX = 200_000;

/**
 * The movements of one step of a warehouse document (a purchase-order receipt, a transfer
 * shipment, a return inspection, a count posting), all or none. Never sent by clients: the
 * document use-cases build it from the document's state, inside the same transaction.
 */
export interface PostCommand {
  type: 'post';
  /** Names the step in the ledger's `command` column, e.g. `po_receive`. */
  flow: string;
  lines: PostLine[];
  variances?: VarianceLine[];
  reference: string;
  note?: string | null;
}

export type StockCommand =
  | ReceiveCommand
  | AdjustCommand
  | MoveCommand
  | SetSafetyStockCommand
  | CountCommand
  | ReserveCommand
  | ExtendCommand
  | ReleaseCommand
  | ExpireCommand
  | AllocateCommand
  | AllocateOrderCommand
  | ShipCommand
  | CancelAllocationCommand
  | PostCommand;

export type CommandType = StockCommand['type'];

/** Commands that may put units into a stock level that does not exist yet. */
export function createsLevels(c: StockCommand): boolean {
  return c.type === 'receive' || c.type === 'adjust' || c.type === 'count' || c.type === 'allocate_order'
    || c.type === 'move' || c.type === 'set_safety_stock' || c.type === 'post';
}
