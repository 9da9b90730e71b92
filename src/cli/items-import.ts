// `truestock items import FILE.csv`: check the whole file, then write it all or nothing.

import { readFile } from 'node:fs/promises';
import { importItems } from '../app/item-import.ts';
import type { RowError } from '../app/csv.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { CliError, out, Progress, refusalError } from './output.ts';

/** A CSV file as text: one line of error when it cannot be read or is not UTF-8. */
export async function readText(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new CliError(`cannot read ${file}: ${why}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`${file} is not UTF-8 text: export it as "CSV UTF-8"`);
  }
}

/** Print every listed bad row as `FILE:LINE: reason`, then fail with one summary line. */
export function badRows(file: string, errors: RowError[], errorCount: number, read: number): CliError {
  process.stderr.write(errors.map((e) => `${file}:${e.line}: ${e.reason}\n`).join(''));
  const where = read > 0 ? ` in ${read} ${read === 1 ? 'row' : 'rows'}` : '';
  const listed = errorCount > errors.length ? ` (the first ${errors.length} listed)` : '';
  return new CliError(`${file}: ${errorCount} ${errorCount === 1 ? 'error' : 'errors'}${where}${listed}; nothing was imported`);
}

/** Progress on stderr for the checking and writing phases (drawn only on a terminal). */
export async function withProgress<T>(fn: (report: (phase: string, done: number, total: number) => void) => Promise<T>): Promise<T> {
  const progress = new Progress();
  try {
    return await fn((phase, done, total) => progress.update(phase, done, total));
  } finally {
    progress.clear();
  }
}

export async function itemsImport(file: string, opts: { workspace?: string; idempotencyKey?: string }): Promise<void> {
  const text = await readText(file);
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const started = performance.now();
    const res = await withProgress((report) => importItems(truestock, ws.id, text, opts.idempotencyKey, report));
    if (!res.ok && 'errors' in res) throw badRows(file, res.errors, res.errorCount, res.read);
    if (!res.ok) throw refusalError(res.refusal);
    const s = res.summary;
    const counts = `created ${s.created}, updated ${s.updated}, unchanged ${s.unchanged}`;
    if (res.replayed) {
      out(`${file} was already imported into ${ws.id} (${ws.name}) under idempotency key ${res.key}; nothing changed (then: ${counts})`);
    } else {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      out(`imported ${file} into ${ws.id} (${ws.name}): ${counts} (${s.rows} rows in ${seconds} s)`);
    }
  });
}
