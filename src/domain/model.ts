// The records the ledger's rules work on. Plain data: no I/O, no clock.

import type { Account, Balances } from './buckets.ts';

export const LOCATION_KINDS = ['warehouse', 'store', '3pl', 'channel_managed', 'dropship'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];

export const ROLES = ['read', 'operate', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Does a key with role `have` satisfy an endpoint that needs `need`? Roles are ordered. */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/**
 * `standard` items hold stock. A `bundle` (or kit) and a `multipack` (N of one item) hold none of
 * their own: their components do, and selling one reserves or commits the components.
 */
export const ITEM_KINDS = ['standard', 'bundle', 'multipack'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export interface Item {
  id: string;
  workspaceId: string;
  sku: string;
  name: string;
  barcode: string | null;
  archived: boolean;
  kind: ItemKind;
  /** The product this item is a variant of, with its option values (`{"size": "M"}`). */
  productId: string | null;
  options: Record<string, string> | null;
  /** Units in one case, for wholesale ordering in cases. */
  unitsPerCase: number | null;
  /** Received units go to quality_control first. */
  requiresInspection: boolean;
  /** Returned units go straight back to available, without inspection. */
  skipReturnInspection: boolean;
  /**
   * Bundles and multipacks: pre-assembled units are kept in stock at the kit's own levels, sold
   * before more are built from components. Otherwise a bundle holds no stock of its own.
   */
  stocksPrebuilt: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface Location {
  id: string;
  workspaceId: string;
  code: string;
  name: string;
  kind: LocationKind;
  postalCode: string | null;
  country: string | null;
  shipsOnline: boolean;
  pickup: boolean;
  /** Everything received here goes to quality_control first. */
  requiresInspection: boolean;
  createdAt: number;
  updatedAt: number;
}

/** One stock level: an item at a location, with a balance per bucket. */
export interface StockLevel {
  id: string;
  workspaceId: string;
  itemId: string;
  locationId: string;
  balances: Balances;
  updatedAt: number;
}

export const HOLD_STATES = ['active', 'released', 'expired', 'allocated', 'shipped', 'cancelled'] as const;
export type HoldState = (typeof HOLD_STATES)[number];

/**
 * A hold is a pending movement (available → reserved) with a timeout. Allocating it posts it
 * (reserved → committed) against an order; releasing or expiring voids it. An order allocated
 * without a prior hold starts life as `allocated`.
 */
export interface Hold {
  id: string;
  workspaceId: string;
  state: HoldState;
  /** The cart, checkout or manual hold this belongs to. */
  reference: string | null;
  /** The order the hold was allocated to. */
  orderReference: string | null;
  /** The sales channel the cart or order came from, when known. */
  channelId: string | null;
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
  lines: HoldLine[];
}

export interface HoldLine {
  lineNo: number;
  itemId: string;
  locationId: string;
  quantity: number;
  shipped: number;
  /** Units of this line allocated without stock behind them (an accepted order we could not cover). */
  oversold: number;
  /** The bundle or multipack sold, when this line is one of its components. */
  bundleItemId: string | null;
}

/** One component of a bundle or multipack: `quantity` units of `itemId` per unit sold. */
export interface Component {
  itemId: string;
  quantity: number;
}

/** A movement before the store has given it an id, a sequence number and a time. */
export interface MovementDraft {
  itemId: string;
  locationId: string;
  from: Account;
  to: Account;
  quantity: number;
  reason: string | null;
  holdId: string | null;
}

/**
 * `unmapped_order_line`: a channel order's line that maps to no listing or location (recorded, not
 * allocated). `channel_event_unapplied`: a channel event truestock recorded but could not apply
 * (a refused allocation, a partial cancellation of an allocated order, an edit adopted in part).
 * `channel_drift`: a channel shows a number nothing of ours explains (read back by the
 * reconciler); one open per listing, resolved when the channel converges.
 * `channel_auth_failed`: the channel refused truestock's credentials and is paused.
 * `channel_listing_problem`: the channel reports a listing it will not sell as it is.
 * `channel_edit_adopted`: a hand edit on a channel booked into the ledger (edit policy `adopt`).
 * `channel_edit_recurring`: hand edits keep coming on one listing. Both: one per listing while
 * unresolved, brought up to date by each further edit.
 * `promise_at_risk`: no location can deliver an order by its promised date (docs/orders.md); the
 * message names the best achievable date.
 * `channel_stale`: a channel's order polls keep failing (orders may not be coming in); closes
 * itself when a poll works again. The registry (exception-kinds.ts) gives each its severity.
 */
export const EXCEPTION_KINDS = ['oversold', 'count_shortfall', 'unmapped_order_line', 'channel_event_unapplied', 'sync_dead_letter', 'channel_listing_problem', 'channel_auth_failed', 'channel_drift', 'channel_edit_adopted', 'channel_edit_recurring', 'promise_at_risk', 'channel_stale'] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];
/** An exception is open until someone acknowledges it (still open, owned) or it is resolved (by hand or by the facts). */
export const EXCEPTION_STATES = ['open', 'acknowledged', 'resolved'] as const;

/** Something a human must look at. */
export interface ExceptionDraft {
  kind: ExceptionKind;
  itemId: string;
  locationId: string;
  quantity: number;
  reference: string | null;
  holdId: string | null;
  message: string;
}
