// `truestock products add|list`.

import { createProduct } from '../app/products.ts';
import { listProducts } from '../store/catalog-repo.ts';
import { mutate } from './catalog-io.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { out, table } from './output.ts';

const LIST_PAGE_ROWS = 500;

export async function productsAdd(handle: string, name: string, opts: { option?: string[]; workspace?: string; idempotencyKey?: string }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const input = { handle, name, option_names: opts.option ?? [] };
    const { body, replayed } = await mutate(truestock, ws.id, opts.idempotencyKey, { type: 'product_create', ...input }, (db, now) => createProduct(db, ws.id, input, now));
    const p = body.product as { id: string; handle: string; option_names: string[] };
    out(`${replayed ? 'already added' : 'added'} product ${p.handle} (${p.option_names.join(', ') || 'no options'}) ${p.id}`);
  });
}

export async function productsList(opts: { workspace?: string }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const rows: string[][] = [];
    for (let after: string | undefined; ; ) {
      const page = await truestock.store.read((db) => listProducts(db, ws.id, { limit: LIST_PAGE_ROWS, includeArchived: true, ...(after ? { after } : {}) }));
      rows.push(...page.map((p) => [p.handle, p.name, p.optionNames.join('/'), p.archived ? 'archived' : '', p.id]));
      if (page.length < LIST_PAGE_ROWS) break;
      after = page[page.length - 1]!.id;
    }
    out(rows.length ? table(['handle', 'name', 'options', 'state', 'id'], rows) : 'no products yet: add one with "truestock products add HANDLE NAME --option Size"');
  });
}
