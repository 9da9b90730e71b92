// `truestock catalog problems`: what is wrong with the catalog, one line each.

import { type CatalogProblemKind, catalogProblems } from '../app/catalog-problems.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { out } from './output.ts';

export async function catalogProblemsCommand(opts: { kind?: CatalogProblemKind; json?: boolean; workspace?: string }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const found = await truestock.store.read((db) => catalogProblems(db, ws.id, opts.kind));
    if (opts.json) return out(JSON.stringify(found, null, 2));
    if (found.data.length === 0) return out('no catalog problems');
    for (const p of found.data) out(`${p.kind}: ${p.message}`);
    if (found.truncated.length > 0) out(`(more problems of kind ${found.truncated.join(', ')} than shown)`);
  });
}
