// `truestock items import FILE.csv`: check the whole file, then write it all or nothing.

import { readFile } from 'node:fs/promises';
import { importItems } from '../app/item-import.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { CliError, out, Progress, refusalError } from './output.ts';

async function readText(file: string): Promise<string> {
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

export async function itemsImport(file: string, opts: { workspace?: string; idempotencyKey?: string }): Promise<void> {
  const text = await readText(file);
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const progress = new Progress();
    const started = performance.now();
    let res;
    try {
      res = await importItems(truestock, ws.id, text, opts.idempotencyKey, (phase, done, total) => progress.update(phase, done, total));
    } finally {
      progress.clear();
    }
    if (!res.ok && 'errors' in res) {
      process.stderr.write(res.errors.map((e) => `${file}:${e.line}: ${e.reason}\n`).join(''));
      const n = res.errors.length;
      const where = res.read > 0 ? ` in ${res.read} ${res.read === 1 ? 'row' : 'rows'}` : '';
      throw new CliError(`${file}: ${n} ${n === 1 ? 'error' : 'errors'}${where}; nothing was imported`);
    }
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
