// `truestock bundles add|import|export`.

import { exportBundles, importBundles } from '../app/bundle-import.ts';
import { createItem } from '../app/catalog.ts';
import type { ItemKind } from '../domain/model.ts';
import { csvWriter, mutate, readText, reportImport } from './catalog-io.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { CliError, out } from './output.ts';

/** `SKU:QTY` → a component; the SKU may itself hold colons, the quantity is after the last. */
export function parseComponent(text: string): { sku: string; quantity: number } {
  const at = text.lastIndexOf(':');
  const sku = at > 0 ? text.slice(0, at) : '';
  const qty = at > 0 ? text.slice(at + 1) : '';
  if (sku === '' || !/^\d+$/.test(qty)) throw new CliError(`--component must be SKU:QUANTITY such as TEE-M:2, got ${JSON.stringify(text)}`);
  return { sku, quantity: Number(qty) };
}

export async function bundlesAdd(sku: string, name: string, opts: { component: string[]; kind: ItemKind; workspace?: string; idempotencyKey?: string }): Promise<void> {
  const components = opts.component.map(parseComponent);
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const input = { sku, name, kind: opts.kind, components };
    const { body, replayed } = await mutate(truestock, ws.id, opts.idempotencyKey, { type: 'bundle_create', ...input }, (db, now) => createItem(db, ws.id, input, now));
    const parts = (body.components as { sku: string; quantity: number }[]).map((c) => `${c.quantity} × ${c.sku}`).join(' + ');
    out(`${replayed ? 'already added' : 'added'} ${opts.kind} ${sku} = ${parts} ${(body.item as { id: string }).id}`);
  });
}

export async function bundlesImport(file: string, opts: { workspace?: string; idempotencyKey?: string }): Promise<void> {
  const text = await readText(file);
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    reportImport(file, await importBundles(truestock, ws.id, text, opts.idempotencyKey), 'bundles', `${ws.id} (${ws.name})`);
  });
}

export async function bundlesExport(file: string | undefined, opts: { workspace?: string }): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const w = csvWriter(file);
    const rows = await exportBundles(truestock.store, ws.id, w.write);
    await w.done();
    if (file !== undefined) out(`wrote ${rows} component rows to ${file}`);
  });
}
