// Import items from a CSV file: all or nothing.
//
// The whole file is checked before anything is written, and every bad row is reported with its
// line, so a person fixes the file once instead of once per error. A good file is written in one
// transaction under one idempotency key: existing SKUs are updated, new ones created. By default
// the key is derived from the file's content, so importing the same file twice changes nothing.
//
// Columns: `sku,name[,barcode][,archived]`, in any order, named by a header row. A column that
// is absent leaves that field of existing items as it is; a cell that is empty clears the
// barcode and means "not archived".

import { createHash } from 'node:crypto';
import { checkItemInput } from '../domain/catalog-rules.ts';
import type { Refusal } from '../domain/errors.ts';
import type { Item } from '../domain/model.ts';
import { insertItems, itemsBySku, upsertItems } from '../store/catalog-repo.ts';
import type { Db } from '../store/store.ts';
import type { Clock } from './clock.ts';
import { readCsv } from './csv.ts';
import { fingerprint } from './fingerprint.ts';
import { idempotent, type Written } from './idempotent.ts';
import { newItem } from './catalog.ts';
import type { Store } from '../store/store.ts';

export const ITEM_CSV_COLUMNS = ['sku', 'name', 'barcode', 'archived'] as const;
type Column = (typeof ITEM_CSV_COLUMNS)[number];
const REQUIRED_COLUMNS: readonly Column[] = ['sku', 'name'];

/** Rows written per statement, and between two progress reports. */
export const IMPORT_WRITE_BATCH_ROWS = 2_000;
/** Rows checked between two progress reports. */
export const IMPORT_CHECK_REPORT_ROWS = 5_000;
export const IMPORT_KEY_PREFIX = 'items-import:';

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no', '']);

export interface ItemCsvRow {
  line: number;
  sku: string;
  name: string;
  /** Absent when the file has no barcode column; null when the cell is empty. */
  barcode?: string | null;
  /** Absent when the file has no archived column. */
  archived?: boolean;
}

export interface RowError {
  line: number;
  reason: string;
}

export interface ParsedItems {
  rows: ItemCsvRow[];
  errors: RowError[];
  /** Columns the header names, in file order. */
  columns: Column[];
  /** Data rows read (good and bad; blank lines not counted). */
  read: number;
}

export type ImportPhase = 'checking' | 'writing';
export type ImportProgress = (phase: ImportPhase, done: number, total: number) => void;

/** Read and check a whole item CSV. Pure: no I/O. `errors` is sorted by line. */
export function parseItemCsv(text: string, onProgress?: ImportProgress): ParsedItems {
  const records = readCsv(text);
  const errors: RowError[] = [];
  const rows: ItemCsvRow[] = [];
  const header = records[0];
  if (!header) return { rows, errors: [{ line: 1, reason: `the file is empty: expected a header row such as ${ITEM_CSV_COLUMNS.join(',')}` }], columns: [], read: 0 };
  if (header.error) return { rows, errors: [{ line: header.line, reason: `header: ${header.error}` }], columns: [], read: 0 };

  // Header: known names only, each once, sku and name required. Case and spaces are forgiven.
  const columns: Column[] = [];
  const seenAt = new Map<Column, number>();
  header.fields.forEach((raw, index) => {
    const name = raw.trim().toLowerCase() as Column;
    if (!(ITEM_CSV_COLUMNS as readonly string[]).includes(name)) {
      errors.push({ line: header.line, reason: `unknown column ${JSON.stringify(raw)} in the header (expected ${ITEM_CSV_COLUMNS.join(', ')})` });
    } else if (seenAt.has(name)) {
      errors.push({ line: header.line, reason: `column ${JSON.stringify(name)} appears twice in the header` });
    } else seenAt.set(name, index);
    columns.push(name);
  });
  for (const c of REQUIRED_COLUMNS) {
    if (!seenAt.has(c)) errors.push({ line: header.line, reason: `the header has no ${JSON.stringify(c)} column` });
  }
  if (errors.length > 0) return { rows, errors, columns, read: 0 };

  const at = (c: Column) => seenAt.get(c);
  const [skuAt, nameAt, barcodeAt, archivedAt] = [at('sku')!, at('name')!, at('barcode'), at('archived')];
  const firstLineOf = new Map<string, number>();
  const total = records.length - 1;
  let read = 0;

  for (let r = 1; r < records.length; r++) {
    if (onProgress && r % IMPORT_CHECK_REPORT_ROWS === 0) onProgress('checking', r, total);
    const { line, fields, error } = records[r]!;
    if (error) {
      read++;
      errors.push({ line, reason: error });
      continue;
    }
    // A row of empty cells is what spreadsheets leave below the data: treat it as a blank line.
    if (fields.every((f) => f.trim() === '')) continue;
    read++;
    if (fields.length !== columns.length) {
      errors.push({ line, reason: `expected ${columns.length} fields (${columns.join(',')}), found ${fields.length}` });
      continue;
    }
    const row: ItemCsvRow = { line, sku: fields[skuAt]!, name: fields[nameAt]! };
    // A SKU counts as taken from its first row on, even when that row is bad for another
    // reason: fixing that row must not reveal a duplicate the first pass kept quiet about.
    const first = firstLineOf.get(row.sku);
    if (first !== undefined) {
      errors.push({ line, reason: `duplicate SKU ${JSON.stringify(row.sku)} (first on line ${first})` });
      continue;
    }
    if (row.sku !== '') firstLineOf.set(row.sku, line);
    if (barcodeAt !== undefined) row.barcode = fields[barcodeAt] === '' ? null : fields[barcodeAt]!;
    if (archivedAt !== undefined) {
      const word = fields[archivedAt]!.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) row.archived = true;
      else if (FALSE_WORDS.has(word)) row.archived = false;
      else {
        errors.push({ line, reason: `archived must be true, false, yes, no, 1, 0 or empty, got ${JSON.stringify(fields[archivedAt])}` });
        continue;
      }
    }
    const bad = checkItemInput({ sku: row.sku, name: row.name, barcode: row.barcode ?? null, ...(row.archived === undefined ? {} : { archived: row.archived }) });
    if (bad) {
      errors.push({ line, reason: bad.detail });
      continue;
    }
    rows.push(row);
  }
  onProgress?.('checking', total, total);
  return { rows, errors, columns, read };
}

export interface ImportSummary {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
}

export type ImportResult =
  | { ok: true; replayed: boolean; key: string; summary: ImportSummary }
  /** The file has bad rows; nothing was written. `read` counts the data rows. */
  | { ok: false; errors: RowError[]; read: number }
  | { ok: false; refusal: Refusal };

export const contentHash = (text: string) => createHash('sha256').update(text).digest('hex');

/** The key a file is imported under unless the caller names one: the same file, the same key. */
export const defaultImportKey = (text: string) => IMPORT_KEY_PREFIX + contentHash(text);

/**
 * Check `text` and, when every row is good, write it in one transaction under `key` (the
 * content's key by default). Existing SKUs are updated, new ones created.
 */
export async function importItems(
  truestock: { store: Store; clock: Clock },
  workspaceId: string,
  text: string,
  key: string | undefined,
  onProgress?: ImportProgress,
): Promise<ImportResult> {
  const parsed = parseItemCsv(text, onProgress);
  if (parsed.errors.length > 0) return { ok: false, errors: parsed.errors, read: parsed.read };
  const usedKey = key ?? defaultImportKey(text);
  const request = { type: 'items_import', sha256: contentHash(text) };
  const out = await idempotent(truestock.store, truestock.clock, workspaceId, usedKey, fingerprint(request), (db, now) =>
    writeItems(db, workspaceId, parsed, now, onProgress),
  );
  if (!out.ok) return out;
  return { ok: true, replayed: out.replayed, key: usedKey, summary: out.body as unknown as ImportSummary };
}

async function writeItems(db: Db, workspaceId: string, parsed: ParsedItems, now: number, onProgress?: ImportProgress): Promise<Written> {
  const { rows } = parsed;
  const existing = new Map((await itemsBySku(db, workspaceId, rows.map((r) => r.sku))).map((i) => [i.sku, i]));
  const created: Item[] = [];
  const changed: Item[] = [];
  for (const row of rows) {
    const before = existing.get(row.sku);
    if (!before) {
      created.push(newItem(workspaceId, row, now));
      continue;
    }
    const after: Item = {
      ...before,
      name: row.name,
      barcode: row.barcode === undefined ? before.barcode : row.barcode,
      archived: row.archived ?? before.archived,
    };
    if (after.name !== before.name || after.barcode !== before.barcode || after.archived !== before.archived) {
      changed.push({ ...after, updatedAt: now });
    }
  }

  const total = created.length + changed.length;
  let done = 0;
  onProgress?.('writing', 0, total);
  for (const [list, write] of [[created, insertItems], [changed, upsertItems]] as const) {
    for (let i = 0; i < list.length; i += IMPORT_WRITE_BATCH_ROWS) {
      const part = list.slice(i, i + IMPORT_WRITE_BATCH_ROWS);
      await write(db, part);
      done += part.length;
      onProgress?.('writing', done, total);
    }
  }
  const summary: ImportSummary = { rows: rows.length, created: created.length, updated: changed.length, unchanged: rows.length - total };
  return { status: created.length > 0 ? 201 : 200, body: { ...summary } };
}
