// `verify`: replay the ledger and compare with the stored balances, and compare reserved and
// committed with what holds account for. Any difference means a bug or a hand edit of the
// database; it is reported, never repaired silently.

import { balancesFromNet, differences } from '../domain/replay.ts';
import { type Balances, zeroBalances } from '../domain/buckets.ts';
import { levelKey } from '../domain/scratch.ts';
import { levelFromRow } from '../store/ledger-repo.ts';
import { allLevels, holdTotals, ledgerTotals } from '../store/query-repo.ts';
import type { Store } from '../store/store.ts';

export interface Mismatch {
  item_id: string;
  location_id: string;
  check: 'ledger' | 'holds';
  buckets: string[];
  stored: Partial<Balances>;
  expected: Partial<Balances>;
}

export interface VerifyReport {
  ok: boolean;
  stock_levels: number;
  mismatches: Mismatch[];
}

const pick = (b: Balances, keys: string[]) => Object.fromEntries(keys.map((k) => [k, b[k as keyof Balances]]));

export async function verify(store: Store, workspaceId: string): Promise<VerifyReport> {
  const [levels, totals, holds] = await store.read(async (db) => [
    (await allLevels(db, workspaceId)).map(levelFromRow),
    await ledgerTotals(db, workspaceId),
    await holdTotals(db, workspaceId),
  ] as const);

  const nets = new Map<string, { account: string; net: number }[]>();
  for (const t of totals) {
    const key = levelKey(t.item_id, t.location_id);
    nets.set(key, [...(nets.get(key) ?? []), { account: t.account, net: Number(t.net) }]);
  }
  const held = new Map<string, { reserved: number; committed: number }>();
  for (const h of holds) {
    const key = levelKey(h.item_id, h.location_id);
    const v = held.get(key) ?? { reserved: 0, committed: 0 };
    v[h.state === 'active' ? 'reserved' : 'committed'] += Number(h.units);
    held.set(key, v);
  }

  const mismatches: Mismatch[] = [];
  const seen = new Set<string>();
  for (const level of levels) {
    const key = levelKey(level.itemId, level.locationId);
    seen.add(key);
    const expected = balancesFromNet(nets.get(key) ?? []);
    const diff = differences(level.balances, expected);
    if (diff.length) mismatches.push({ item_id: level.itemId, location_id: level.locationId, check: 'ledger', buckets: diff, stored: pick(level.balances, diff), expected: pick(expected, diff) });
    const h = held.get(key) ?? { reserved: 0, committed: 0 };
    const holdDiff = (['reserved', 'committed'] as const).filter((k) => level.balances[k] !== h[k]);
    if (holdDiff.length) mismatches.push({ item_id: level.itemId, location_id: level.locationId, check: 'holds', buckets: holdDiff, stored: pick(level.balances, holdDiff), expected: h });
  }
  // Movements for a stock level that has no stored row at all.
  for (const [key, net] of nets) {
    if (seen.has(key)) continue;
    const expected = balancesFromNet(net);
    const diff = differences(zeroBalances(), expected);
    if (diff.length === 0) continue;
    const [item_id, location_id] = key.split('|') as [string, string];
    mismatches.push({ item_id, location_id, check: 'ledger', buckets: diff, stored: {}, expected: pick(expected, diff) });
  }
  return { ok: mismatches.length === 0, stock_levels: levels.length, mismatches };
}
