// `truestock verify`: replay the ledger and compare it with the stored balances and holds.

import { verify as verifyWorkspace } from '../app/verify.ts';
import { listWorkspaces, type Workspace } from '../store/access-repo.ts';
import { itemsById, locationsById } from '../store/catalog-repo.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { CliError, EXIT_FAILURE, out } from './output.ts';

const show = (v: Record<string, unknown>) => Object.entries(v).map(([k, n]) => `${k}=${n}`).join(' ');

export async function verify(opts: { workspace?: string }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const workspaces: Workspace[] = opts.workspace
      ? [await resolveWorkspace(truestock, opts.workspace)]
      : await truestock.store.read((db) => listWorkspaces(db));
    if (workspaces.length === 0) throw new CliError('no workspace yet: run "truestock init"');
    let bad = 0;
    for (const ws of workspaces) {
      const report = await verifyWorkspace(truestock.store, ws.id);
      out(`${ws.id} (${ws.name}): ${report.stock_levels} stock levels, ${report.ok ? 'ok' : `${report.mismatches.length} mismatches`}`);
      if (report.ok) continue;
      bad += report.mismatches.length;
      const [items, locations] = await truestock.store.read(async (db) => [
        new Map((await itemsById(db, ws.id, report.mismatches.map((m) => m.item_id))).map((i) => [i.id, i.sku])),
        new Map((await locationsById(db, ws.id, report.mismatches.map((m) => m.location_id))).map((l) => [l.id, l.code])),
      ] as const);
      for (const m of report.mismatches) {
        const where = `${items.get(m.item_id) ?? m.item_id} at ${locations.get(m.location_id) ?? m.location_id}`;
        out(`  ${where}: ${m.check} check: stored ${show(m.stored)}, expected ${show(m.expected)}`);
      }
    }
    if (bad > 0) throw new CliError(`verify found ${bad} ${bad === 1 ? 'mismatch' : 'mismatches'}`, EXIT_FAILURE);
  });
}
