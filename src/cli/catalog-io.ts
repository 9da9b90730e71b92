// What the catalog commands share: a one-off catalog mutation under an idempotency key, and
// reading and writing CSV files.

import { createWriteStream } from 'node:fs';
import type { CsvImportResult } from '../app/bundle-import.ts';
import { fingerprint } from '../app/fingerprint.ts';
import { idempotent, type Written } from '../app/idempotent.ts';
import type { Truestock } from '../app/truestock.ts';
import type { Refusal } from '../domain/errors.ts';
import type { Db } from '../store/store.ts';
import { CliError, out, refusalError } from './output.ts';
export { readText } from './items-import.ts';

/**
 * Run a catalog mutation. The default key is derived from the request, so the same command run
 * twice answers with the first result instead of "taken".
 */
export async function mutate(
  truestock: Truestock,
  workspaceId: string,
  key: string | undefined,
  request: Record<string, unknown>,
  fn: (db: Db, now: number) => Promise<Written | Refusal>,
): Promise<{ body: Record<string, any>; replayed: boolean }> {
  const usedKey = key ?? `${String(request.type)}:${fingerprint(request)}`;
  const res = await idempotent(truestock.store, truestock.clock, workspaceId, usedKey, fingerprint(request), fn);
  if (!res.ok) throw refusalError(res.refusal);
  return { body: res.body, replayed: res.replayed };
}


/** Report an import: every bad row as FILE:LINE: reason on stderr, or the summary. */
export function reportImport<S extends object>(file: string, res: CsvImportResult<S>, what: string, where: string): void {
  if (!res.ok && 'errors' in res) {
    process.stderr.write(res.errors.map((e) => `${file}:${e.line}: ${e.column ? `${e.column}: ` : ''}${e.reason}\n`).join(''));
    const n = res.errors.length;
    throw new CliError(`${file}: ${n} ${n === 1 ? 'error' : 'errors'}; nothing was imported`);
  }
  if (!res.ok) throw refusalError(res.refusal);
  const counts = Object.entries(res.summary).map(([k, v]) => `${k} ${v}`).join(', ');
  out(res.replayed
    ? `${file} was already imported into ${where} under idempotency key ${res.key}; nothing changed (then: ${counts})`
    : `imported ${what} from ${file} into ${where}: ${counts}`);
}

/** A writer to `file`, or to stdout; `done` flushes and closes. */
export function csvWriter(file: string | undefined): { write: (chunk: string) => void; done: () => Promise<void> } {
  if (file === undefined) return { write: (c) => process.stdout.write(c), done: async () => undefined };
  const stream = createWriteStream(file);
  let failed: Error | null = null;
  stream.on('error', (e) => (failed = e));
  return {
    write: (c) => stream.write(c),
    done: () =>
      new Promise((resolve, reject) => {
        stream.end(() => (failed ? reject(new CliError(`cannot write ${file}: ${(failed as Error).message}`)) : resolve()));
        stream.once('error', (e) => reject(new CliError(`cannot write ${file}: ${e.message}`)));
      }),
  };
}
