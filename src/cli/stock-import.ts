// `truestock stock import FILE.csv [--format <kind>] [--create-items]`: counted stock, all rows
// or none, posted as one ledger step.

import { basename } from 'node:path';
import { importStock, OWN_STOCK_FORMAT, STOCK_FORMATS } from '../app/stock-import.ts';
import { cliActor, resolveWorkspace, withTruestock } from './context.ts';
import { badRows, readText, withProgress } from './items-import.ts';
import { CliError, out, refusalError } from './output.ts';

export async function stockImport(
  file: string,
  opts: { workspace?: string; idempotencyKey?: string; format?: string; createItems?: boolean },
): Promise<void> {
  const format = opts.format ?? OWN_STOCK_FORMAT;
  if (opts.createItems && !STOCK_FORMATS.get(format)?.createsItems) {
    const creating = [...STOCK_FORMATS].filter(([, f]) => f.createsItems).map(([name]) => `--format ${name}`);
    throw new CliError(`--create-items needs ${creating.join(' or ')} (a ${format} stock file has no item names)`);
  }
  const text = await readText(file);
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const started = performance.now();
    const res = await withProgress((report) =>
      importStock(truestock, ws.id, text, { actor: cliActor(), key: opts.idempotencyKey, fileName: basename(file), format, createItems: opts.createItems ?? false }, report),
    );
    if (!res.ok && 'errors' in res) throw badRows(file, res.errors, res.errorCount, res.read);
    if (!res.ok) throw refusalError(res.refusal);
    const s = res.summary;
    const extras = [
      s.skipped > 0 ? `${s.skipped} not stocked` : '',
      s.zones_set > 0 ? `${s.zones_set} zones set` : '',
      s.items_created > 0 ? `${s.items_created} items created` : '',
    ].filter(Boolean);
    const counts = `${s.rows} rows: ${s.changed} changed (+${s.units_added} / -${s.units_removed} units, ${s.movements} movements), ${s.unchanged} unchanged${extras.length ? `, ${extras.join(', ')}` : ''}`;
    if (res.replayed) {
      out(`${file} was already imported into ${ws.id} (${ws.name}) under idempotency key ${res.key}; nothing changed (then: ${counts})`);
    } else {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      out(`imported ${file} into ${ws.id} (${ws.name}) as reference ${s.reference}: ${counts} in ${seconds} s`);
    }
  });
}
