// `truestock items export` and `truestock stock export`: CSV to a file or stdout, streamed page
// by page, in the columns the matching import takes.

import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { exportItemsCsv, exportStockCsv } from '../app/csv-export.ts';
import { resolveWorkspace, withTruestock } from './context.ts';
import { CliError, out } from './output.ts';

type Chunks = AsyncGenerator<{ text: string; rows: number }>;

async function writeAll(chunks: Chunks, file: string | undefined): Promise<number> {
  const stream: Writable = file ? createWriteStream(file) : process.stdout;
  let failure: Error | undefined;
  const onError = (err: Error) => (failure = err);
  stream.on('error', onError);
  let rows = 0;
  try {
    for await (const c of chunks) {
      if (failure) break;
      rows += c.rows;
      // Respect backpressure: a slow pipe must not make the whole export sit in memory.
      if (!stream.write(c.text)) await Promise.race([once(stream, 'drain'), once(stream, 'error')]).catch(() => undefined);
    }
    if (file) {
      stream.end();
      await once(stream, 'finish').catch(() => undefined);
    }
  } finally {
    stream.off('error', onError);
  }
  if (failure) {
    const code = (failure as NodeJS.ErrnoException).code;
    // `truestock items export | head` closes the pipe early: that is the reader's choice, not an error.
    if (!file && code === 'EPIPE') return rows;
    throw new CliError(`cannot write ${file ?? 'stdout'}: ${code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : failure.message}`);
  }
  return rows;
}

async function run(what: 'items' | 'stock levels', opts: { out?: string; workspace?: string }, make: (store: Parameters<typeof exportItemsCsv>[0], ws: string) => Chunks): Promise<void> {
  await withTruestock({ mustExist: true }, async (truestock) => {
    const ws = await resolveWorkspace(truestock, opts.workspace);
    const rows = await writeAll(make(truestock.store, ws.id), opts.out);
    // With --out, stdout is free for the summary; without, it carries the CSV and nothing else.
    if (opts.out) out(`wrote ${rows} ${what} of ${ws.id} (${ws.name}) to ${opts.out}`);
  });
}

export const itemsExport = (opts: { out?: string; workspace?: string }) => run('items', opts, exportItemsCsv);
export const stockExport = (opts: { out?: string; workspace?: string }) => run('stock levels', opts, exportStockCsv);
