// The CSV import benchmark: a generated item file of ROWS rows (1M by default) imported into an
// empty SQLite workspace (all created), then a changed copy of it (all updated), timed from the
// file on disk to the commit, as `truestock items import` does. Against it, in the same run, the
// naive peer: one INSERT per row in autocommit (each row its own transaction), as a loop over a
// CSV reader would do; it is timed on a sample (NAIVE_ROWS) because a million commits take long.
// PostgreSQL is measured the same way, for information.
//
// Standalone: `node --import tsx bench/csv-import.ts [--rows N] [--pg]`; also a section of
// `npm run bench` (bench/run.ts).

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createWorkspace } from '../src/app/access.ts';
import { importItems } from '../src/app/item-import.ts';
import { newId } from '../src/app/ids.ts';
import { Truestock, type TruestockConfig } from '../src/app/truestock.ts';
import { fmt } from './workload.ts';

export const CSV_ROWS_DEFAULT = 1_000_000;
/** Rows the naive peer writes: enough for a steady rate, few enough to finish in seconds. */
export const NAIVE_ROWS = 50_000;

export interface CsvImportFigures {
  store: 'sqlite' | 'postgres';
  rows: number;
  bytes: number;
  create_seconds: number;
  create_per_second: number;
  update_seconds: number;
  update_per_second: number;
  naive_rows: number;
  naive_per_second: number;
}

/** A GTIN-13 with a valid check digit, from a number. */
function gtin13(n: number): string {
  const body = String(400_000_000_000 + n).padStart(12, '0');
  const sum = [...body].reverse().reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 3 : 1), 0);
  return body + ((10 - (sum % 10)) % 10);
}

/** An item file: quoted names with commas, a barcode on every fourth row, every tenth archived. */
export function itemFile(rows: number, variant = ''): string {
  const parts = ['sku,name,barcode,archived\n'];
  for (let i = 0; i < rows; i++) {
    parts.push(`SKU-${String(i).padStart(7, '0')},"Item ${i}, size ${variant || 'M'}",${i % 4 === 0 ? gtin13(i) : ''},${i % 10 === 0 ? 'yes' : ''}\n`);
  }
  return parts.join('');
}

async function timedImport(ts: Truestock, workspaceId: string, path: string): Promise<number> {
  const started = performance.now();
  const text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  const res = await importItems(ts, workspaceId, text, undefined);
  if (!res.ok) throw new Error(`import failed: ${JSON.stringify(res).slice(0, 500)}`);
  return (performance.now() - started) / 1000;
}

/** One INSERT per row, each in its own transaction: what a naive importer does. */
async function naive(ts: Truestock, workspaceId: string, text: string, rows: number): Promise<number> {
  const lines = text.split('\n').slice(1, rows + 1);
  const started = performance.now();
  const now = Date.now();
  for (const line of lines) {
    const [sku, name] = [line.slice(0, line.indexOf(',')), line.slice(line.indexOf('"') + 1, line.lastIndexOf('"'))];
    await ts.store.transaction((db) =>
      db.run('INSERT INTO items (id, workspace_id, sku, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', [newId('item', now), workspaceId, sku, name, now, now]),
    );
  }
  return lines.length / ((performance.now() - started) / 1000);
}

export async function csvImportScenario(opts: { store: 'sqlite' | 'postgres'; config: () => Promise<TruestockConfig>; rows: number; dir: string }): Promise<CsvImportFigures> {
  const first = join(opts.dir, `items-${opts.rows}.csv`);
  const second = join(opts.dir, `items-${opts.rows}-changed.csv`);
  writeFileSync(first, itemFile(opts.rows));
  writeFileSync(second, itemFile(opts.rows, 'L'));

  const ts = await Truestock.open(await opts.config());
  let figures: CsvImportFigures;
  try {
    const ws = (await createWorkspace(ts.store, ts.clock, 'bench')).workspace.id;
    const create = await timedImport(ts, ws, first);
    const update = await timedImport(ts, ws, second);
    const naiveWs = (await createWorkspace(ts.store, ts.clock, 'naive')).workspace.id;
    const naiveRows = Math.min(NAIVE_ROWS, opts.rows);
    const naivePerSecond = await naive(ts, naiveWs, readFileSync(first, 'utf8'), naiveRows);
    figures = {
      store: opts.store,
      rows: opts.rows,
      bytes: statSync(first).size,
      create_seconds: create,
      create_per_second: opts.rows / create,
      update_seconds: update,
      update_per_second: opts.rows / update,
      naive_rows: naiveRows,
      naive_per_second: naivePerSecond,
    };
  } finally {
    await ts.close();
  }
  return figures;
}

export function showCsvImport(f: CsvImportFigures): void {
  console.log(
    `csv items import  ${f.store.padEnd(10)} ${fmt(f.rows)} rows (${fmt(f.bytes / 2 ** 20, 1)} MiB): ` +
      `create ${fmt(f.create_per_second)}/s (${fmt(f.create_seconds, 1)} s), update ${fmt(f.update_per_second)}/s (${fmt(f.update_seconds, 1)} s); ` +
      `naive one INSERT per row in autocommit ${fmt(f.naive_per_second)}/s (${fmt(f.naive_rows)} rows) → ×${fmt(f.create_per_second / f.naive_per_second, 1)}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--rows');
  const rows = at > 0 ? Number(process.argv[at + 1]) : CSV_ROWS_DEFAULT;
  const dir = mkdtempSync(join(os.tmpdir(), 'truestock-csv-bench-'));
  console.log(`truestock CSV import benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, ${os.type()} ${os.release()}, node ${process.version}`);
  try {
    let n = 0;
    showCsvImport(await csvImportScenario({ store: 'sqlite', rows, dir, config: async () => ({ sqlitePath: join(dir, `bench-${++n}.db`) }) }));
    if (process.argv.includes('--pg')) {
      const { startEmbeddedPostgres } = await import('../test/support/pg-server.ts');
      const server = await startEmbeddedPostgres({ durable: true });
      try {
        showCsvImport(await csvImportScenario({ store: 'postgres', rows, dir, config: async () => ({ databaseUrl: server.url }) }));
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
