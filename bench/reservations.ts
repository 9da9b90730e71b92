// In-process reservation benchmarks (a) and (b), with and without group commit, and the
// check-then-reserve pattern (as Medusa's checkout does it) re-implemented on the same store as
// the naive peer.

import { randomUUID } from 'node:crypto';
import { Truestock, type TruestockConfig } from '../src/app/truestock.ts';
import { newId } from '../src/app/ids.ts';
import { verify } from '../src/app/verify.ts';
import type { Store } from '../src/store/store.ts';
import { seed } from './fixture.ts';
import { drive, type RunStats } from './workload.ts';

export interface Scenario extends RunStats {
  name: string;
  store: string;
  mode: string;
  stock: number;
  oversold_units: number;
  verified: boolean;
}

async function reservedUnits(store: Store, workspaceId: string, skus: string[] | null): Promise<number> {
  const row = await store.read((db) =>
    skus
      ? db.get<{ r: number }>(`SELECT SUM(s.reserved) AS r FROM stock_levels s JOIN items i ON i.id = s.item_id WHERE s.workspace_id = ? AND i.sku = ?`, [workspaceId, skus[0]!])
      : db.get<{ r: number }>('SELECT SUM(reserved) AS r FROM stock_levels WHERE workspace_id = ?', [workspaceId]),
  );
  return Number(row?.r ?? 0);
}

/**
 * (a) uniform over many SKUs with plenty of stock, or (b) one hot SKU with little stock.
 * Oversold units = reservations that succeeded beyond the stock there was.
 */
export async function ledgerScenario(opts: {
  name: string;
  config: TruestockConfig;
  store: string;
  groupCommit: boolean;
  items: number;
  stockEach: number;
  attempts: number;
  concurrency: number;
}): Promise<Scenario> {
  const ts = await Truestock.open({ ...opts.config, ledger: { ...opts.config.ledger, groupCommit: opts.groupCommit, concurrency: opts.concurrency } });
  try {
    const fx = await seed(ts, opts.items, opts.stockEach);
    const stats = await drive(opts.attempts, opts.concurrency, async () => {
      const sku = fx.skus[opts.items === 1 ? 0 : Math.floor(Math.random() * opts.items)]!;
      const r = await ts.ledger.execute({ workspaceId: fx.workspaceId, idempotencyKey: randomUUID(), actor: 'bench', command: { type: 'reserve', lines: [{ sku, location: 'WH', quantity: 1 }] } });
      return r.ok ? 'ok' : r.refusal.code;
    });
    const reserved = await reservedUnits(ts.store, fx.workspaceId, opts.items === 1 ? fx.skus : null);
    const report = await verify(ts.store, fx.workspaceId);
    return {
      name: opts.name,
      store: opts.store,
      mode: opts.groupCommit ? 'group commit' : 'one transaction per command',
      stock: opts.items * opts.stockEach,
      ...stats,
      oversold_units: Math.max(0, stats.ok - opts.items * opts.stockEach) + Math.max(0, stats.ok - reserved),
      verified: report.ok && reserved === stats.ok,
    };
  } finally {
    await ts.close();
  }
}

/**
 * The naive peer: read `available`, and if it covers the request, write the new absolute
 * balances in a second statement — correct only under an external lock. This is the pattern the
 * style guide warns about; it is here to show what it costs in oversold units.
 */
export async function checkThenReserveScenario(opts: { config: TruestockConfig; store: string; attempts: number; concurrency: number; stock: number }): Promise<Scenario> {
  const ts = await Truestock.open({ ...opts.config, poolMax: Math.min(opts.concurrency, 50) });
  try {
    const fx = await seed(ts, 1, opts.stock);
    const level = (await ts.store.read((db) => db.get<{ id: string; item_id: string; location_id: string }>('SELECT id, item_id, location_id FROM stock_levels WHERE workspace_id = ?', [fx.workspaceId])))!;
    const stats = await drive(opts.attempts, opts.concurrency, async () => {
      const row = (await ts.store.read((db) => db.get<{ available: number; reserved: number }>('SELECT available, reserved FROM stock_levels WHERE id = ?', [level.id])))!;
      if (Number(row.available) < 1) return 'insufficient_stock';
      const now = ts.clock.now();
      await ts.store.transaction(async (db) => {
        await db.run('UPDATE stock_levels SET available = ?, reserved = ? WHERE id = ?', [Number(row.available) - 1, Number(row.reserved) + 1, level.id]);
        await db.run(
          `INSERT INTO movements (id, workspace_id, item_id, location_id, from_account, to_account, quantity, command, actor, created_at) VALUES (?, ?, ?, ?, 'available', 'reserved', 1, 'reserve', 'bench', ?)`,
          [newId('mov', now), fx.workspaceId, level.item_id, level.location_id, now],
        );
      });
      return 'ok';
    });
    return { name: '(b) hot SKU', store: opts.store, mode: 'check-then-reserve (naive peer)', stock: opts.stock, ...stats, oversold_units: Math.max(0, stats.ok - opts.stock), verified: stats.ok <= opts.stock };
  } finally {
    await ts.close();
  }
}
