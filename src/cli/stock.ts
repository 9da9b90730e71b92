// `truestock stock SKU`: an item's buckets at every location, and the totals.

import { stockBySku } from '../app/queries.ts';
import { BUCKETS } from '../domain/buckets.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { CliError, out, table } from './output.ts';

export const STOCK_COLUMNS = [...BUCKETS, 'oversold', 'on_hand'] as const;

export async function stock(sku: string, opts: { workspace?: string; json?: boolean }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const view = await truestock.store.read((db) => stockBySku(db, ws.id, sku));
    if (!view) throw new CliError(`no item with SKU ${JSON.stringify(sku)} in workspace ${ws.id} (${ws.name})`);
    if (opts.json) {
      out(JSON.stringify(view, null, 2));
      return;
    }
    out(`${view.item.sku}  ${view.item.name}${view.item.archived ? '  [archived]' : ''}`);
    if (view.locations.length === 0) {
      out('no stock recorded at any location');
      return;
    }
    const row = (label: string, b: Record<string, number>) => [label, ...STOCK_COLUMNS.map((c) => b[c] ?? 0)];
    out(table(['location', ...STOCK_COLUMNS], [...view.locations.map((l) => row(l.location, l as unknown as Record<string, number>)), row('TOTAL', view.total)]));
  });
}
