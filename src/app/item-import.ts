// Import items from a CSV file: all or nothing.
//
// The whole file is checked before anything is written, and every bad row is reported with its
// line (up to IMPORT_ERRORS_REPORTED_MAX, then counted), so a person fixes the file once instead
// of once per error. A good file is written in one transaction under one idempotency key:
// existing SKUs are updated, new ones created. By default the key is derived from the file's
// content, so importing the same file twice changes nothing.
//
// Columns, in any order, named by a header row: `sku,name` and optionally `barcode, archived,
// kind, units_per_case, requires_inspection, skip_return_inspection`. A column that is absent
// leaves that field of existing items as it is; an empty cell clears the barcode and
// units_per_case and means "no" for the flags and "standard" for kind.
//
// Built for a million rows (see bench/csv-import.ts): the file is read record by record into
// columns (no object per row); existing items are not loaded but compared by the database in
// one upsert (written many rows to a statement, updating only rows that differ); new items get
// ids that grow within the import, so the primary-key index is appended to.
// Checks that need the database (barcodes held by other items, a SKU that is a bundle) run in
// the same transaction before the first write; if they find bad rows, nothing is written and
// nothing is remembered under the key, exactly as for rows the file check refuses.

import { createHash } from 'node:crypto';
import { checkItemInput, UNITS_PER_CASE_MAX } from '../domain/catalog-rules.ts';
import type { Refusal } from '../domain/errors.ts';
import { ITEM_KINDS, type ItemKind } from '../domain/model.ts';
import { barcodeOwners, existingItems, ItemBatch, specialItems, UPDATABLE_COLUMNS, type UpdatableColumn } from '../store/import-repo.ts';
import { insertIdempotency, loadIdempotency } from '../store/ledger-repo.ts';
import type { Db, Store } from '../store/store.ts';
import type { Clock } from './clock.ts';
import { countLines, isEmptyRow, KeyIndex, mergeErrors, parseFlag, type RowError, RowErrors, scanCsv } from './csv.ts';
import { fingerprint } from './fingerprint.ts';
import { checkIdempotencyKey, recordOf, replay, type Written } from './idempotent.ts';
import { newId } from './ids.ts';

export { countLines, isEmptyRow } from './csv.ts';

export type { RowError } from './csv.ts';

export const ITEM_CSV_COLUMNS = ['sku', 'name', 'barcode', 'archived', 'kind', 'units_per_case', 'requires_inspection', 'skip_return_inspection'] as const;
export type ItemColumn = (typeof ITEM_CSV_COLUMNS)[number];
const REQUIRED_COLUMNS: readonly ItemColumn[] = ['sku', 'name'];
const FLAG_COLUMNS = ['archived', 'requires_inspection', 'skip_return_inspection'] as const;

/** Rows written between two progress reports. */
export const IMPORT_WRITE_BATCH_ROWS = 2_000;
/** Rows checked between two progress reports. */
export const IMPORT_CHECK_REPORT_ROWS = 5_000;
export const IMPORT_KEY_PREFIX = 'items-import:';

/** One checked row, as an object (for tests and small callers; the import itself keeps columns). */
export interface ItemCsvRow {
  line: number;
  sku: string;
  name: string;
  /** Absent when the file has no barcode column; null when the cell is empty. */
  barcode?: string | null;
  /** Absent when the file has no archived column. */
  archived?: boolean;
  kind?: ItemKind;
  unitsPerCase?: number | null;
  requiresInspection?: boolean;
  skipReturnInspection?: boolean;
}

/**
 * Checked rows, column by column: a million rows as a handful of arrays rather than a million
 * objects the garbage collector must trace. Columns the file lacks hold their defaults and are
 * not applied to existing items (see `columns`).
 */
export class ItemRows {
  readonly line: number[] = [];
  readonly sku: string[] = [];
  readonly name: string[] = [];
  readonly barcode: (string | null)[] = [];
  readonly archived: boolean[] = [];
  readonly kind: ItemKind[] = [];
  readonly unitsPerCase: (number | null)[] = [];
  readonly requiresInspection: boolean[] = [];
  readonly skipReturnInspection: boolean[] = [];
  /** Option values as JSON (`{"Size":"M"}`), for items created from a Shopify file; not a CSV column. */
  readonly options: (string | null)[] = [];

  get count(): number {
    return this.sku.length;
  }

  push(row: Omit<ItemCsvRow, 'barcode'> & { barcode?: string | null; options?: string | null }): void {
    this.line.push(row.line);
    this.sku.push(row.sku);
    this.name.push(row.name);
    this.barcode.push(row.barcode ?? null);
    this.archived.push(row.archived ?? false);
    this.kind.push(row.kind ?? 'standard');
    this.unitsPerCase.push(row.unitsPerCase ?? null);
    this.requiresInspection.push(row.requiresInspection ?? false);
    this.skipReturnInspection.push(row.skipReturnInspection ?? false);
    this.options.push(row.options ?? null);
  }

  /** Row `i` as an object holding the columns in `columns`. */
  at(i: number, columns: ReadonlySet<ItemColumn>): ItemCsvRow {
    const row: ItemCsvRow = { line: this.line[i]!, sku: this.sku[i]!, name: this.name[i]! };
    if (columns.has('barcode')) row.barcode = this.barcode[i]!;
    if (columns.has('archived')) row.archived = this.archived[i]!;
    if (columns.has('kind')) row.kind = this.kind[i]!;
    if (columns.has('units_per_case')) row.unitsPerCase = this.unitsPerCase[i]!;
    if (columns.has('requires_inspection')) row.requiresInspection = this.requiresInspection[i]!;
    if (columns.has('skip_return_inspection')) row.skipReturnInspection = this.skipReturnInspection[i]!;
    return row;
  }
}

export interface ParsedItems {
  rows: ItemRows;
  /** The first IMPORT_ERRORS_REPORTED_MAX bad rows, by line. */
  errors: RowError[];
  /** Every bad row, including those not listed. */
  errorCount: number;
  /** Columns the header names. */
  columns: ReadonlySet<ItemColumn>;
  /** Data rows read (good and bad; blank lines not counted). */
  read: number;
}

export type ImportPhase = 'checking' | 'writing';
export type ImportProgress = (phase: ImportPhase, done: number, total: number) => void;

/** Check a header row against the columns an import knows. Returns column → field index. */
export function checkHeader<C extends string>(
  fields: string[],
  line: number,
  known: readonly C[],
  required: readonly C[],
  errors: RowErrors,
): { at: Map<C, number>; order: string[] } {
  const at = new Map<C, number>();
  const order: string[] = [];
  fields.forEach((raw, index) => {
    // Case and spaces are forgiven: "SKU", " Name ".
    const name = raw.trim().toLowerCase() as C;
    order.push(name);
    if (!known.includes(name)) errors.add(line, `unknown column ${JSON.stringify(raw)} in the header (expected ${known.join(', ')})`);
    else if (at.has(name)) errors.add(line, `column ${JSON.stringify(name)} appears twice in the header`);
    else at.set(name, index);
  });
  for (const c of required) if (!at.has(c)) errors.add(line, `the header has no ${JSON.stringify(c)} column`);
  return { at, order };
}

/** Read and check a whole item CSV. Pure: no I/O. `errors` is sorted by line. */
export function parseItemCsv(text: string, onProgress?: ImportProgress): ParsedItems {
  const errors = new RowErrors();
  const rows = new ItemRows();
  let columns = new Set<ItemColumn>();
  let read = 0;
  // Records are counted from the text only for progress: a cheap over-estimate (quoted line ends
  // count too) that the last report corrects.
  const total = onProgress ? Math.max(0, countLines(text) - 1) : 0;

  let header: { at: Map<ItemColumn, number>; order: string[] } | undefined;
  let width = 0;
  let skuAt = 0;
  let nameAt = 0;
  let barcodeAt = -1;
  let kindAt = -1;
  let unitsAt = -1;
  const flagAt: number[] = [-1, -1, -1];
  // A SKU counts as taken from its first row on, even when that row is bad for another reason:
  // fixing that row must not reveal a duplicate the first pass kept quiet about.
  const expected = countLines(text);
  const firstLineOf = new KeyIndex(expected);
  const barcodeLineOf = new KeyIndex();
  const flags: boolean[] = [false, false, false];

  scanCsv(text, (fields, line, error) => {
    if (header === undefined) {
      if (error) {
        errors.add(line, `header: ${error}`);
        return false;
      }
      header = checkHeader(fields, line, ITEM_CSV_COLUMNS, REQUIRED_COLUMNS, errors);
      if (errors.count > 0) return false;
      columns = new Set(header.at.keys());
      width = fields.length;
      skuAt = header.at.get('sku')!;
      nameAt = header.at.get('name')!;
      barcodeAt = header.at.get('barcode') ?? -1;
      kindAt = header.at.get('kind') ?? -1;
      unitsAt = header.at.get('units_per_case') ?? -1;
      FLAG_COLUMNS.forEach((c, k) => (flagAt[k] = header!.at.get(c) ?? -1));
      return;
    }
    if (onProgress && read % IMPORT_CHECK_REPORT_ROWS === 0 && read > 0) onProgress('checking', read, Math.max(total, read));
    if (error) {
      read++;
      errors.add(line, error);
      return;
    }
    // A row of empty cells is what spreadsheets leave below the data: treat it as a blank line.
    if (isEmptyRow(fields)) return;
    read++;
    if (fields.length !== width) {
      errors.add(line, `expected ${width} fields (${header.order.join(',')}), found ${fields.length}`);
      return;
    }
    const sku = fields[skuAt]!;
    const first = sku === '' ? -1 : firstLineOf.add(sku, line);
    if (first !== -1) {
      errors.add(line, `duplicate SKU ${JSON.stringify(sku)} (first on line ${first})`, 'sku');
      return;
    }
    const name = fields[nameAt]!;
    const barcode = barcodeAt < 0 || fields[barcodeAt] === '' ? null : fields[barcodeAt]!;
    for (let k = 0; k < 3; k++) {
      if (flagAt[k]! < 0) continue;
      const flag = parseFlag(fields[flagAt[k]!]!);
      if (flag === undefined) {
        errors.add(line, `${FLAG_COLUMNS[k]} must be true, false, yes, no, 1, 0 or empty, got ${JSON.stringify(fields[flagAt[k]!])}`, FLAG_COLUMNS[k]);
        return;
      }
      flags[k] = flag;
    }
    let kind: ItemKind = 'standard';
    if (kindAt >= 0 && fields[kindAt] !== '') {
      const word = fields[kindAt]!.trim().toLowerCase();
      if (!(ITEM_KINDS as readonly string[]).includes(word)) {
        errors.add(line, `kind must be ${ITEM_KINDS.join(', ')} or empty, got ${JSON.stringify(fields[kindAt])}`, 'kind');
        return;
      }
      kind = word as ItemKind;
    }
    let unitsPerCase: number | null = null;
    if (unitsAt >= 0 && fields[unitsAt] !== '') {
      const cell = fields[unitsAt]!.trim();
      const n = /^\d{1,10}$/.test(cell) ? Number(cell) : NaN;
      if (!(n >= 1 && n <= UNITS_PER_CASE_MAX)) {
        errors.add(line, `units_per_case must be a whole number from 1 to ${UNITS_PER_CASE_MAX} or empty, got ${JSON.stringify(fields[unitsAt])}`, 'units_per_case');
        return;
      }
      unitsPerCase = n;
    }
    const bad = checkItemInput({ sku, name, barcode });
    if (bad) {
      errors.add(line, bad.detail, bad.field);
      return;
    }
    if (barcode !== null) {
      const other = barcodeLineOf.add(barcode, line);
      if (other !== -1) {
        errors.add(line, `barcode ${barcode} is also on line ${other}: a barcode names one item`, 'barcode');
        return;
      }
    }
    rows.line.push(line);
    rows.sku.push(sku);
    rows.name.push(name);
    rows.barcode.push(barcode);
    rows.archived.push(flags[0]!);
    rows.kind.push(kind);
    rows.unitsPerCase.push(unitsPerCase);
    rows.requiresInspection.push(flags[1]!);
    rows.skipReturnInspection.push(flags[2]!);
    rows.options.push(null);
  });

  if (header === undefined && errors.count === 0) {
    errors.add(1, `the file is empty: expected a header row such as ${ITEM_CSV_COLUMNS.slice(0, 4).join(',')}`);
  }
  onProgress?.('checking', read, read);
  return { rows, errors: errors.list, errorCount: errors.count, columns, read };
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
  | { ok: false; errors: RowError[]; errorCount: number; read: number }
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
  if (parsed.errorCount > 0) {
    // Report the catalog's objections to the good rows too, so one round of fixes is enough.
    const more = parsed.rows.count > 0 ? await truestock.store.read((db) => catalogErrors(db, workspaceId, parsed.rows, parsed.columns, false)) : [];
    const all = mergeErrors({ list: parsed.errors, count: parsed.errorCount }, { list: more, count: more.length });
    return { ok: false, errors: all.list, errorCount: all.count, read: parsed.read };
  }
  const sha256 = contentHash(text);
  return writeItemRows(truestock, workspaceId, parsed, { key: key ?? IMPORT_KEY_PREFIX + sha256, request: { type: 'items_import', sha256 } }, onProgress);
}

export interface WriteOptions {
  key: string;
  /** What the idempotency fingerprint is taken from. */
  request: unknown;
  /** Leave existing SKUs alone (items created on the side of another import). */
  createOnly?: boolean;
}

/** Write checked rows in one transaction under an idempotency key; see `importItems`. */
export async function writeItemRows(
  truestock: { store: Store; clock: Clock },
  workspaceId: string,
  parsed: Pick<ParsedItems, 'rows' | 'columns' | 'read'>,
  opts: WriteOptions,
  onProgress?: ImportProgress,
): Promise<ImportResult> {
  const badKey = checkIdempotencyKey(opts.key);
  if (badKey) return { ok: false, refusal: badKey };
  const fp = fingerprint(opts.request);
  return truestock.store.transaction(async (db): Promise<ImportResult> => {
    const [seen] = await loadIdempotency(db, workspaceId, [opts.key]);
    if (seen) {
      const r = replay(seen, fp);
      return r.ok ? { ok: true, replayed: true, key: opts.key, summary: r.body as unknown as ImportSummary } : { ok: false, refusal: r.refusal };
    }
    const now = truestock.clock.now();
    const out = await writeItems(db, workspaceId, parsed, now, opts.createOnly ?? false, onProgress);
    if (out instanceof RowErrors) return { ok: false, errors: out.list, errorCount: out.count, read: parsed.read };
    const record = recordOf(opts.key, fp, { ok: true, replayed: false, ...out });
    if (record) await insertIdempotency(db, [{ ...record, workspaceId, createdAt: now }]);
    return { ok: true, replayed: false, key: opts.key, summary: out.body as unknown as ImportSummary };
  });
}

/**
 * Ids for the items one import creates: one `newId` (time + randomness) whose last six
 * characters become a counter. Unique within the import by the counter and across imports by
 * the ten random characters that stay; and increasing, so the primary-key index is appended to
 * instead of split at random pages (a third faster on a million rows).
 */
export function importIds(now: number): () => string {
  const base = newId('item', now).slice(0, -6);
  let n = 0;
  return () => base + (n++).toString(32).padStart(6, '0');
}

async function writeItems(
  db: Db,
  workspaceId: string,
  parsed: Pick<ParsedItems, 'rows' | 'columns'>,
  now: number,
  createOnly: boolean,
  onProgress?: ImportProgress,
): Promise<Written | RowErrors> {
  const { rows, columns } = parsed;
  const n = rows.count;

  const bad = await catalogErrors(db, workspaceId, rows, columns, createOnly);
  if (bad.length > 0) {
    const errors = new RowErrors();
    errors.addAll(bad);
    return errors;
  }

  // From here it must succeed. Every row goes to one upsert: new SKUs are inserted with ids from
  // this import; existing ones are updated in the columns the file has, and only when a value
  // differs, so the database counts what changed.
  let done = 0;
  onProgress?.('writing', 0, n);
  const nextId = importIds(now);
  const batch = new ItemBatch(db, workspaceId, createOnly ? 'create' : 'upsert', [...columns].filter((c): c is UpdatableColumn => (UPDATABLE_COLUMNS as readonly string[]).includes(c)));
  for (let i = 0; i < n; i++) {
    await batch.push(
      nextId(), workspaceId, rows.sku[i]!, rows.name[i]!, rows.barcode[i]!, rows.archived[i]!, rows.kind[i]!, rows.options[i]!,
      rows.unitsPerCase[i]!, rows.requiresInspection[i]!, rows.skipReturnInspection[i]!, now, now,
    );
    if (++done % IMPORT_WRITE_BATCH_ROWS === 0) onProgress?.('writing', done, n);
  }
  await batch.flush();
  if (done % IMPORT_WRITE_BATCH_ROWS !== 0) onProgress?.('writing', done, n);
  const { created, updated } = batch;
  const summary: ImportSummary = { rows: n, created, updated, unchanged: n - created - updated };
  return { status: created > 0 ? 201 : 200, body: { ...summary } };
}

/**
 * Every check that needs the database: kinds and barcodes. Existing items are not loaded one by
 * one: the upsert compares in SQL, so only the few facts these checks need are read.
 */
async function catalogErrors(db: Db, workspaceId: string, rows: ItemRows, columns: ReadonlySet<ItemColumn>, createOnly: boolean): Promise<RowError[]> {
  const n = rows.count;
  const bad: RowError[] = [];
  // Kinds: only bundles and multipacks can clash, and a workspace has few of them.
  const special = new Map((await specialItems(db, workspaceId)).map((e) => [e.sku, e.kind]));
  const claimed: number[] = [];
  for (let i = 0; i < n; i++) {
    const kind = rows.kind[i]!;
    const theirs = special.get(rows.sku[i]!);
    if (kind !== 'standard' && theirs === undefined) claimed.push(i);
    else if (columns.has('kind') && theirs !== undefined && theirs !== kind && !createOnly) {
      bad.push({ line: rows.line[i]!, column: 'kind', reason: `${rows.sku[i]} is a ${theirs}; an import cannot make it a ${kind}` });
    }
  }
  if (claimed.length > 0) {
    const found = new Set((await existingItems(db, workspaceId, claimed.map((i) => rows.sku[i]!))).map((e) => e.sku));
    for (const i of claimed) {
      const sku = rows.sku[i]!;
      const reason = found.has(sku)
        ? `${sku} is a standard item; an import cannot make it a ${rows.kind[i]}`
        : `a new ${rows.kind[i]} needs its components: create it with the bundles import, then list it here`;
      bad.push({ line: rows.line[i]!, column: 'kind', reason });
    }
  }
  // Barcodes are unique per workspace (kept by the application, see migration v3). A barcode in
  // the file may belong to another item only if that item is in the file too, moving to another.
  const rowOfBarcode = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const b = rows.barcode[i]!;
    if (b !== null) rowOfBarcode.set(b, i);
  }
  if (rowOfBarcode.size > 0) {
    const owners = await barcodeOwners(db, workspaceId, [...rowOfBarcode.keys()]);
    let rowOfSku: Map<string, number> | undefined;
    for (const { sku, barcode } of owners) {
      const i = rowOfBarcode.get(barcode)!;
      if (rows.sku[i] === sku) continue;
      rowOfSku ??= new Map(rows.sku.map((s, j) => [s, j]));
      const j = rowOfSku.get(sku);
      if (columns.has('barcode') && !createOnly && j !== undefined && rows.barcode[j] !== barcode) continue;
      bad.push({ line: rows.line[i]!, column: 'barcode', reason: `barcode ${barcode} is already used by item ${JSON.stringify(sku)}` });
    }
  }
  return bad;

}
