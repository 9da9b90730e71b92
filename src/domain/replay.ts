// Balances are a cache of the ledger: replaying every movement must give them back exactly.

import { type Account, applyMovement, type Balances, BUCKETS, isInternal, zeroBalances } from './buckets.ts';
import { levelKey } from './scratch.ts';

export interface LedgerEntry {
  itemId: string;
  locationId: string;
  from: Account;
  to: Account;
  quantity: number;
}

/** Replay movements in order into fresh balances per stock level (asserting no bucket goes negative). */
export function replay(entries: Iterable<LedgerEntry>): Map<string, Balances> {
  const out = new Map<string, Balances>();
  for (const e of entries) {
    const key = levelKey(e.itemId, e.locationId);
    let b = out.get(key);
    if (!b) out.set(key, (b = zeroBalances()));
    applyMovement(b, e.from, e.to, e.quantity);
  }
  return out;
}

/** Balances from net units per account (as SQL sums them): buckets hold the net, oversold owes it. */
export function balancesFromNet(net: Iterable<{ account: string; net: number }>): Balances {
  const b = zeroBalances();
  for (const { account, net: n } of net) {
    if (!isInternal(account as Account)) continue;
    if (account === 'oversold') b.oversold = -n;
    else b[account as (typeof BUCKETS)[number]] = n;
  }
  return b;
}

/** Names of the buckets in which two balances differ. */
export function differences(a: Balances, b: Balances): string[] {
  return ([...BUCKETS, 'oversold'] as const).filter((k) => a[k] !== b[k]);
}
