// Buckets and accounts of the double-entry stock ledger (design.md §2).
//
// Each bucket of each stock level (item × location) is an account. Outside the building there
// are external accounts. A movement takes units out of one account and puts them into another,
// so the total over all accounts never changes: units are conserved by construction.
//
// `oversold` is the one internal account whose balance may be negative: it is a debt, drawn on
// when an order a channel already accepted is allocated without stock. We store its magnitude
// (`oversold >= 0`) so that `available` itself never goes negative.

import { invariant } from './errors.ts';

/** Buckets in the order the API and the docs show them. `incoming` is not on hand. */
export const BUCKETS = [
  'available',
  'reserved',
  'committed',
  'damaged',
  'quality_control',
  'safety_stock',
  'incoming',
] as const;
export type Bucket = (typeof BUCKETS)[number];

/** Buckets a person may move units between directly; reserved and committed belong to holds. */
export const MOVABLE_BUCKETS = ['available', 'damaged', 'quality_control', 'safety_stock'] as const;
export type MovableBucket = (typeof MOVABLE_BUCKETS)[number];

export const EXTERNAL_ACCOUNTS = [
  'supplier', // receipts come from here
  'customer', // shipments go here
  'shrinkage', // lost, stolen, written off as damaged
  'count_variance', // differences found by counting
  'adjustment', // corrections and found stock
  'expected', // the counterpart of `incoming` (purchase orders, transfers)
  'in_transit', // between two locations; the movement's reference names the transfer
  'vendor', // returned to the supplier
] as const;
export type ExternalAccount = (typeof EXTERNAL_ACCOUNTS)[number];

export type Account = Bucket | 'oversold' | ExternalAccount;

export type Balances = Record<Bucket, number> & { oversold: number };

export function zeroBalances(): Balances {
  return {
    available: 0,
    reserved: 0,
    committed: 0,
    damaged: 0,
    quality_control: 0,
    safety_stock: 0,
    incoming: 0,
    oversold: 0,
  };
}

export function isBucket(account: string): account is Bucket {
  return (BUCKETS as readonly string[]).includes(account);
}

export function isInternal(account: Account): account is Bucket | 'oversold' {
  return account === 'oversold' || isBucket(account);
}

/** Units physically in the building, less what we owe to oversold orders. */
export function onHand(b: Balances): number {
  return b.available + b.reserved + b.committed + b.damaged + b.quality_control + b.safety_stock - b.oversold;
}

/**
 * Signed balance of an internal account in ledger terms: buckets hold units, `oversold` holds
 * a debt, so its ledger balance is the negative of the stored magnitude.
 */
export function ledgerBalance(b: Balances, account: Bucket | 'oversold'): number {
  return account === 'oversold' ? -b.oversold : b[account];
}

/**
 * Apply one movement's effect to one stock level's balances, in place. Callers check their
 * rules first; a bucket going negative here is a bug, not a refusal.
 */
export function applyMovement(b: Balances, from: Account, to: Account, quantity: number): void {
  invariant(Number.isSafeInteger(quantity) && quantity > 0, () => `movement quantity ${quantity} must be a positive integer`);
  invariant(from !== to, () => `movement from ${from} to itself`);
  if (from === 'oversold') b.oversold += quantity;
  else if (isBucket(from)) {
    invariant(b[from] >= quantity, () => `${from} ${b[from]} cannot give ${quantity}`);
    b[from] -= quantity;
  }
  if (to === 'oversold') {
    invariant(b.oversold >= quantity, () => `oversold debt ${b.oversold} cannot be repaid by ${quantity}`);
    b.oversold -= quantity;
  } else if (isBucket(to)) b[to] += quantity;
}
