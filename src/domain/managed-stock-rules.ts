// Stock a channel keeps in its own warehouses (a `channel_managed` location, e.g. FBA), booked
// from the channel's reports. The channel's count is the truth there: truestock never allocates
// from it and only books, as movements with reason `channel_sync`, the difference between what
// the ledger holds at the location and what the channel reports, so the history explains every
// change.
//
// Bucket mapping (docs/sync-in.md, "Channel-managed stock"):
// - the channel's available (sellable now)   → `available`
// - unfulfillable (damaged, defective)      → `damaged`
// - inbound (shipments not yet received)    → `incoming` (counterpart `expected`), less what a
//   truestock transfer (or purchase order) to the location already books as incoming;
// - reserved and researching are NOT booked: they are the channel's (units sold and being
//   picked, moved between its buildings, or lost and looked for), never sellable by truestock,
//   and booking them into `available` would promise units that are gone. They are kept beside
//   the buckets (the last report) and shown there.
//
// The counterpart of a unit appearing or vanishing is the external `adjustment` account (as a
// hand edit adopted), with reason `channel_sync`: the channel sold it (an order it fulfilled
// itself), found it or wrote it off, and truestock cannot tell which. A unit moving between the
// channel's own buckets (sellable → unfulfillable) moves between ours, not through `adjustment`.
//
// A transfer of ours into the location arrives when a report shows it: its units are no longer
// counted as inbound by the channel AND the channel holds units beyond what the ledger books
// there (so a report taken before the channel even knows of the shipment receives nothing).
//
// Pure: balances and a report in, movements out.

import type { ManagedStockFacts } from './channel-event.ts';
import { refusal, type Refusal } from './errors.ts';

/** The buckets of a channel-managed stock level that reports drive. */
export interface ManagedBalances {
  available: number;
  damaged: number;
  incoming: number;
}

export interface ManagedMove {
  from: 'available' | 'damaged' | 'adjustment' | 'incoming' | 'expected';
  to: 'available' | 'damaged' | 'adjustment' | 'incoming' | 'expected';
  quantity: number;
}

/** The reason every movement booked from a channel's stock report carries. */
export const CHANNEL_SYNC_REASON = 'channel_sync';

const REPORTED = ['available', 'reserved', 'inbound', 'unfulfillable', 'researching'] as const;

/** A report's quantities must be whole numbers from 0 (a kind that read a bad answer says so here). */
export function checkManagedStock(stock: ManagedStockFacts): Refusal | null {
  for (const k of REPORTED) {
    const v = stock[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return refusal('validation_failed', `stock.${k} must be a whole number from 0, not ${String(v)}`, `stock.${k}`);
  }
  return null;
}

/**
 * Units of our transfers into the location that a report shows arrived: those the channel no
 * longer counts as inbound, as far as the units it holds beyond what the ledger books explain
 * them (`booked`: the ledger's available + damaged there; the channel's: available + unfulfillable).
 */
export function arrivedUnits(inTransit: number, booked: number, stock: Pick<ManagedStockFacts, 'available' | 'unfulfillable' | 'inbound'>): number {
  const notInbound = Math.max(0, inTransit - stock.inbound);
  const beyond = Math.max(0, stock.available + stock.unfulfillable - booked);
  return Math.min(notInbound, beyond);
}

/**
 * Spread arrived units over the transfer lines in transit, oldest first.
 * Returns units per line, in the lines' order (0 for a line that receives nothing).
 */
export function spreadArrivals(arrived: number, lines: readonly { inTransit: number }[]): number[] {
  let left = arrived;
  return lines.map((l) => {
    const q = Math.min(left, Math.max(0, l.inTransit));
    left -= q;
    return q;
  });
}

/**
 * The movements that make the ledger hold what the channel reports. `explainedIncoming`: units
 * our own documents (transfers in transit, open purchase orders) book as incoming there, which
 * only those documents clear. A report equal to the ledger moves nothing.
 */
export function managedStockMoves(ledger: ManagedBalances, explainedIncoming: number, stock: Pick<ManagedStockFacts, 'available' | 'unfulfillable' | 'inbound'>): ManagedMove[] {
  const moves: ManagedMove[] = [];
  let dAvailable = stock.available - ledger.available;
  let dDamaged = stock.unfulfillable - ledger.damaged;
  // Sellable units the channel now calls unfulfillable (or back): a move between our buckets.
  if (dAvailable < 0 && dDamaged > 0) {
    const q = Math.min(-dAvailable, dDamaged);
    moves.push({ from: 'available', to: 'damaged', quantity: q });
    dAvailable += q;
    dDamaged -= q;
  } else if (dAvailable > 0 && dDamaged < 0) {
    const q = Math.min(dAvailable, -dDamaged);
    moves.push({ from: 'damaged', to: 'available', quantity: q });
    dAvailable -= q;
    dDamaged += q;
  }
  if (dAvailable > 0) moves.push({ from: 'adjustment', to: 'available', quantity: dAvailable });
  if (dAvailable < 0) moves.push({ from: 'available', to: 'adjustment', quantity: -dAvailable });
  if (dDamaged > 0) moves.push({ from: 'adjustment', to: 'damaged', quantity: dDamaged });
  if (dDamaged < 0) moves.push({ from: 'damaged', to: 'adjustment', quantity: -dDamaged });
  // Inbound beyond what our documents explain is the channel's own (a shipment truestock did not send).
  const incoming = Math.max(explainedIncoming, stock.inbound);
  const dIncoming = incoming - ledger.incoming;
  if (dIncoming > 0) moves.push({ from: 'expected', to: 'incoming', quantity: dIncoming });
  if (dIncoming < 0) moves.push({ from: 'incoming', to: 'expected', quantity: -dIncoming });
  return moves;
}
