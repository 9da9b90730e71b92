// Import and export bundles and multipacks as CSV: all or nothing.
//
// One row per component: `sku,name,kind,component_sku,quantity`. Rows of one bundle share its
// SKU (and name and kind, which may be left empty after its first row). A new SKU creates the
// bundle; an existing bundle gets its name and components replaced (a new component version when
// they differ). The whole file is checked first — the rows alone, then against the catalog —
// and every bad row is reported with its line; nothing is written unless every row is good.
// Like the items import, the default idempotency key is the file's content: the same file twice
// changes nothing. A file refused for its rows is not remembered under the key, so after fixing
// the catalog (say, creating a missing component) the same file can be imported.

import { recomputeItems } from './availability.ts';
import { checkComponents, checkItemInput, COMPONENT_QUANTITY_MAX, type ComponentInput } from '../domain/catalog-rules.ts';
import type { Refusal } from '../domain/errors.ts';
import type { Item, ItemKind } from '../domain/model.ts';
import * as repo from '../store/catalog-repo.ts';
import { insertIdempotency, loadIdempotency } from '../store/ledger-repo.ts';
import type { Db, Store } from '../store/store.ts';
import { newItem } from './catalog.ts';
import type { Clock } from './clock.ts';
import { type CsvRecord, FORMULA_START, readCsv } from './csv.ts';
import { fingerprint } from './fingerprint.ts';
import { type CommandResponse, checkIdempotencyKey, recordOf, replay } from './idempotent.ts';
import { contentHash } from './item-import.ts';

export const BUNDLE_CSV_COLUMNS = ['sku', 'name', 'kind', 'component_sku', 'quantity'] as const;
export const BUNDLES_IMPORT_KEY_PREFIX = 'bundles-import:';
/** Rows one file may hold: every check is in memory. */
export const CSV_IMPORT_ROWS_MAX = 100_000;
/** Bundles read per page by the export. */
const EXPORT_PAGE_ROWS = 1_000;

export interface CsvRowError {
  line: number;
  column?: string;
  reason: string;
}

/** What an import answers: a summary, every bad row, or a refusal (a bad key, busy). */
export type CsvImportResult<S> =
  | { ok: true; replayed: boolean; key: string; summary: S }
  | { ok: false; errors: CsvRowError[]; read: number }
  | { ok: false; refusal: Refusal };

/** The header of a CSV file: known names only, each once, the required ones present. */
export function readHeader<C extends string>(records: CsvRecord[], known: readonly C[], required: readonly C[], errors: CsvRowError[]): Map<C, number> | null {
  const header = records[0];
  if (!header) {
    errors.push({ line: 1, reason: `the file is empty: expected a header row such as ${known.join(',')}` });
    return null;
  }
  if (header.error) {
    errors.push({ line: header.line, reason: `header: ${header.error}` });
    return null;
  }
  const at = new Map<C, number>();
  header.fields.forEach((raw, index) => {
    const name = raw.trim().toLowerCase() as C;
    if (!known.includes(name)) errors.push({ line: header.line, reason: `unknown column ${JSON.stringify(raw)} in the header (expected ${known.join(', ')})` });
    else if (at.has(name)) errors.push({ line: header.line, reason: `column ${JSON.stringify(name)} appears twice in the header` });
    else at.set(name, index);
  });
  for (const c of required) if (!at.has(c)) errors.push({ line: header.line, reason: `the header has no ${JSON.stringify(c)} column` });
  if (records.length - 1 > CSV_IMPORT_ROWS_MAX) errors.push({ line: header.line, reason: `the file has more than ${CSV_IMPORT_ROWS_MAX} rows: split it` });
  return errors.length > 0 ? null : at;
}

/** Data records with their cells by column, skipping blank rows and reporting unreadable ones. */
export function dataRows<C extends string>(records: CsvRecord[], at: Map<C, number>, errors: CsvRowError[]): { line: number; cell: (c: C) => string }[] {
  const out: { line: number; cell: (c: C) => string }[] = [];
  const width = records[0]!.fields.length;
  for (const { line, fields, error } of records.slice(1)) {
    if (error) {
      errors.push({ line, reason: error });
      continue;
    }
    if (fields.every((f) => f.trim() === '')) continue;
    if (fields.length !== width) {
      errors.push({ line, reason: `expected ${width} fields, found ${fields.length}` });
      continue;
    }
    out.push({ line, cell: (c) => (at.has(c) ? fields[at.get(c)!]!.trim() : '') });
  }
  return out;
}

/**
 * Check a file against the catalog and write it in one transaction, under `key`. Unlike a plain
 * idempotent mutation, a file refused for its rows is not stored under the key (see the header).
 */
export async function importCsvOnce<S>(
  truestock: { store: Store; clock: Clock },
  workspaceId: string,
  key: string,
  request: unknown,
  apply: (db: Db, now: number) => Promise<{ errors: CsvRowError[]; read: number } | { summary: S; status: number }>,
): Promise<CsvImportResult<S>> {
  const badKey = checkIdempotencyKey(key);
  if (badKey) return { ok: false, refusal: badKey };
  const print = fingerprint(request);
  return truestock.store.transaction(async (db) => {
    const [seen] = await loadIdempotency(db, workspaceId, [key]);
    if (seen) {
      const r = replay(seen, print);
      return r.ok ? { ok: true, replayed: true, key, summary: r.body as S } : { ok: false, refusal: r.refusal };
    }
    const now = truestock.clock.now();
    const out = await apply(db, now);
    // `apply` writes nothing when it finds bad rows, and the key is not stored.
    if ('errors' in out) return { ok: false, errors: out.errors, read: out.read };
    const response: CommandResponse = { ok: true, replayed: false, status: out.status, body: out.summary as Record<string, unknown> };
    await insertIdempotency(db, [{ ...recordOf(key, print, response)!, workspaceId, createdAt: now }]);
    return { ok: true, replayed: false, key, summary: out.summary };
  });
}

interface BundleRows {
  sku: string;
  name: string;
  nameLine: number;
  kind: ItemKind;
  kindGiven: boolean;
  lines: number[];
  components: ComponentInput[];
}

export interface BundleImportSummary {
  bundles: number;
  created: number;
  updated: number;
  unchanged: number;
}

const KINDS = new Set(['bundle', 'multipack']);

/** Read and check the rows on their own (no catalog). Pure. */
export function parseBundleCsv(text: string): { bundles: BundleRows[]; errors: CsvRowError[]; read: number } {
  const records = readCsv(text);
  const errors: CsvRowError[] = [];
  const at = readHeader(records, BUNDLE_CSV_COLUMNS, ['sku', 'component_sku', 'quantity'], errors);
  if (!at) return { bundles: [], errors, read: 0 };
  const rows = dataRows(records, at, errors);
  const bySku = new Map<string, BundleRows>();
  for (const { line, cell } of rows) {
    const sku = cell('sku');
    const name = cell('name');
    const kindText = cell('kind').toLowerCase();
    const componentSku = cell('component_sku');
    const quantityText = cell('quantity');
    const badSku = checkItemInput({ sku, name: name || 'x' });
    if (badSku) {
      errors.push({ line, column: badSku.field ?? 'sku', reason: badSku.detail });
      continue;
    }
    if (kindText !== '' && !KINDS.has(kindText)) {
      errors.push({ line, column: 'kind', reason: `kind must be bundle or multipack, got ${JSON.stringify(cell('kind'))}` });
      continue;
    }
    if (componentSku === '') {
      errors.push({ line, column: 'component_sku', reason: 'component_sku is required' });
      continue;
    }
    const quantity = /^\d+$/.test(quantityText) ? Number(quantityText) : NaN;
    if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > COMPONENT_QUANTITY_MAX) {
      errors.push({ line, column: 'quantity', reason: `quantity must be a whole number from 1 to ${COMPONENT_QUANTITY_MAX}, got ${JSON.stringify(quantityText)}` });
      continue;
    }
    let b = bySku.get(sku);
    if (!b) {
      b = { sku, name, nameLine: line, kind: (kindText || 'bundle') as ItemKind, kindGiven: kindText !== '', lines: [], components: [] };
      bySku.set(sku, b);
    } else {
      if (name !== '' && b.name !== '' && name !== b.name) {
        errors.push({ line, column: 'name', reason: `${sku} is named ${JSON.stringify(b.name)} on line ${b.nameLine}; rows of one bundle share its name` });
        continue;
      }
      if (kindText !== '' && b.kindGiven && kindText !== b.kind) {
        errors.push({ line, column: 'kind', reason: `${sku} is a ${b.kind} on line ${b.lines[0]}; rows of one bundle share its kind` });
        continue;
      }
      if (b.name === '' && name !== '') (b.name = name), (b.nameLine = line);
      if (!b.kindGiven && kindText !== '') (b.kind = kindText as ItemKind), (b.kindGiven = true);
    }
    const first = b.components.findIndex((c) => c.sku === componentSku);
    if (first >= 0) {
      errors.push({ line, column: 'component_sku', reason: `${componentSku} is already a component of ${sku} on line ${b.lines[first]}` });
      continue;
    }
    b.lines.push(line);
    b.components.push({ sku: componentSku, quantity });
  }
  return { bundles: [...bySku.values()], errors, read: rows.length };
}

/** Check parsed bundles against the catalog; returns the writes, or more errors. */
async function planBundles(db: Db, workspaceId: string, bundles: BundleRows[], errors: CsvRowError[], now: number) {
  const skus = bundles.flatMap((b) => [b.sku, ...b.components.map((c) => c.sku)]);
  const known = new Map((await repo.itemsBySku(db, workspaceId, skus)).map((i) => [i.sku, i]));
  const current = await repo.componentsOf(db, [...known.values()].filter((i) => i.kind !== 'standard').map((i) => i.id));
  const inFile = new Set(bundles.map((b) => b.sku));
  const creates: { item: Item; components: repo.ComponentSnapshot[] }[] = [];
  const updates: { item: Item; components: repo.ComponentSnapshot[] | null }[] = [];
  let unchanged = 0;
  for (const b of bundles) {
    const existing = known.get(b.sku);
    const kind = existing && !b.kindGiven ? existing.kind : b.kind;
    if (existing?.kind === 'standard') {
      errors.push({ line: b.lines[0]!, column: 'sku', reason: `${b.sku} is a standard item; a bundle needs its own SKU` });
      continue;
    }
    if (existing && existing.kind !== kind) {
      errors.push({ line: b.lines[0]!, column: 'kind', reason: `${b.sku} is a ${existing.kind}; its kind cannot change` });
      continue;
    }
    if (!existing && b.name === '') {
      errors.push({ line: b.lines[0]!, column: 'name', reason: `${b.sku} is new: give it a name` });
      continue;
    }
    // A component that is itself a bundle in this file is refused like one in the catalog.
    const lookup = (sku: string): Item | undefined => {
      const item = known.get(sku);
      if (item || !inFile.has(sku)) return item;
      return { ...newItem(workspaceId, { sku, name: sku }, now), kind: 'bundle' };
    };
    const bad = checkComponents(kind, b.components, lookup);
    if (bad) {
      const index = /^components\[(\d+)\]\.(\w+)$/.exec(bad.field ?? '');
      const line = index ? b.lines[Number(index[1])] ?? b.lines[0]! : b.lines[0]!;
      errors.push({ line, column: index?.[2] === 'quantity' ? 'quantity' : 'component_sku', reason: `${b.sku}: ${bad.detail}` });
      continue;
    }
    const components = b.components.map((c) => ({ itemId: known.get(c.sku)!.id, sku: c.sku, quantity: c.quantity }));
    if (!existing) {
      creates.push({ item: newItem(workspaceId, { sku: b.sku, name: b.name, kind }, now), components });
      continue;
    }
    const before = (current.get(existing.id) ?? []).map((c) => `${c.itemId}:${c.quantity}`).sort().join(',');
    const after = components.map((c) => `${c.itemId}:${c.quantity}`).sort().join(',');
    const renamed = b.name !== '' && b.name !== existing.name;
    if (!renamed && before === after) unchanged++;
    else updates.push({ item: { ...existing, name: renamed ? b.name : existing.name, updatedAt: now }, components: before === after ? null : components });
  }
  return { creates, updates, unchanged };
}

export const defaultBundlesImportKey = (text: string) => BUNDLES_IMPORT_KEY_PREFIX + contentHash(text);

export async function importBundles(truestock: { store: Store; clock: Clock }, workspaceId: string, text: string, key?: string): Promise<CsvImportResult<BundleImportSummary>> {
  const parsed = parseBundleCsv(text);
  // A bad header leaves no rows to check; otherwise the good rows are checked against the
  // catalog too, so one run reports every bad row.
  if (parsed.errors.length > 0 && parsed.read === 0) return { ok: false, errors: parsed.errors, read: 0 };
  const usedKey = key ?? defaultBundlesImportKey(text);
  return importCsvOnce<BundleImportSummary>(truestock, workspaceId, usedKey, { type: 'bundles_import', sha256: contentHash(text) }, async (db, now) => {
    const errors: CsvRowError[] = [...parsed.errors];
    const plan = await planBundles(db, workspaceId, parsed.bundles, errors, now);
    if (errors.length > 0) return { errors: sortErrors(errors), read: parsed.read };
    if (plan.creates.length > 0) await repo.insertItems(db, plan.creates.map((c) => c.item));
    for (const c of plan.creates) await repo.writeComponents(db, c.item.id, c.components, now);
    for (const u of plan.updates) {
      await repo.updateItem(db, u.item);
      if (u.components) await repo.writeComponents(db, u.item.id, u.components, now);
    }
    await recomputeItems(db, workspaceId, plan.updates.filter((u) => u.components).map((u) => u.item.id), now);
    const summary: BundleImportSummary = { bundles: parsed.bundles.length, created: plan.creates.length, updated: plan.updates.length, unchanged: plan.unchanged };
    return { summary, status: plan.creates.length > 0 ? 201 : 200 } as const;
  });
}

export const sortErrors = (errors: CsvRowError[]) => [...errors].sort((a, b) => a.line - b.line);

/**
 * A CSV cell: quoted when it holds a comma, a quote, a line end or edge spaces; a text cell that
 * would run as a spreadsheet formula gets a leading `'` (csv.ts FORMULA_START; the reader takes it off).
 */
export function csvCell(value: string | number): string {
  const s = typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : String(value);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Every bundle and multipack, one row per component, in SKU order: a file `importBundles` reads back unchanged. */
export async function exportBundles(store: Store, workspaceId: string, write: (chunk: string) => void): Promise<number> {
  write(`${BUNDLE_CSV_COLUMNS.join(',')}\n`);
  let rows = 0;
  for (let afterSku: string | undefined; ; ) {
    const page = await store.read(async (db) => {
      const bundles = await repo.listBundles(db, workspaceId, { limit: EXPORT_PAGE_ROWS, ...(afterSku !== undefined ? { afterSku } : {}) });
      const components = await repo.componentsOf(db, bundles.map((b) => b.id));
      const parts = new Map((await repo.itemsById(db, workspaceId, [...components.values()].flat().map((c) => c.itemId))).map((i) => [i.id, i]));
      return { bundles, components, parts };
    });
    for (const b of page.bundles) {
      const list = (page.components.get(b.id) ?? []).map((c) => ({ sku: page.parts.get(c.itemId)?.sku ?? c.itemId, quantity: c.quantity })).sort((x, y) => (x.sku < y.sku ? -1 : 1));
      list.forEach((c, i) => {
        write(`${[b.sku, i === 0 ? b.name : '', i === 0 ? b.kind : '', c.sku, c.quantity].map(csvCell).join(',')}\n`);
        rows++;
      });
    }
    if (page.bundles.length < EXPORT_PAGE_ROWS) break;
    afterSku = page.bundles[page.bundles.length - 1]!.sku;
  }
  return rows;
}
