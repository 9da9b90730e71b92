// Import counted stock from a CSV file: `sku, location, on_hand[, zone]`, or a channel's own
// inventory export (a format a kind declares as its `stockFile`, named after the kind).
//
// Each row says how many units ARE on hand at a location. The difference from what the ledger
// holds becomes a count variance (`count_variance ↔ available`, exactly as a count: a shortage is
// taken from available, then safety stock, then becomes oversold debt and an exception). All rows
// are posted as ONE document step through the ledger (flow `stock_import`, reference
// `import:<file name>`), so the import is all or nothing, idempotent under one key (derived from
// the content unless given), and every movement records who and when.
//
// Order of checks: the file alone (every bad row, with line and column), then the catalog (unknown
// SKUs and locations, bundles) before the step is queued — neither is remembered under the key, so
// fixing the catalog and importing the same file again works. The step's `prepare` resolves the
// rows again under the transaction's locks (the catalog may have changed meanwhile) and computes
// the variances from the locked balances.
//
// On PostgreSQL a level that does not exist yet cannot be locked: if another transaction creates
// and fills it between `prepare` and the ledger's own lock, that row's variance is computed from
// 0. A count taken while the same item is being received at the same place is wrong anyway.

import { KINDS } from '../channels/registry.ts';
import { onHand } from '../domain/buckets.ts';
import { checkItemInput } from '../domain/catalog-rules.ts';
import { POST_LINES_MAX, type PostCommand, type VarianceLine } from '../domain/commands.ts';
import { ok, type Outcome, refused } from '../domain/context.ts';
import { refusal, type Refusal } from '../domain/errors.ts';
import type { ItemKind } from '../domain/model.ts';
import { allLocations, existingItems, setZones } from '../store/import-repo.ts';
import { lockLevels } from '../store/ledger-repo.ts';
import type { Db, Store } from '../store/store.ts';
import type { Clock } from './clock.ts';
import { countLines, isEmptyRow, KeyIndex, mergeErrors, type RowError, RowErrors, scanCsv } from './csv.ts';
import { newId } from './ids.ts';
import { checkHeader, contentHash, type ImportProgress, type ImportSummary, ItemRows, writeItemRows } from './item-import.ts';
import type { DocumentStep, Ledger } from './ledger.ts';
import { parseUnits, type ParsedStock, type StockFileFormat, type StockRow } from './stock-file.ts';

export { ON_HAND_MAX, parseUnits, type ParsedStock, type StockRow } from './stock-file.ts';

export const STOCK_CSV_COLUMNS = ['sku', 'location', 'on_hand', 'zone'] as const;
type StockColumn = (typeof STOCK_CSV_COLUMNS)[number];
/** Rows one stock import takes: one document step posts at most this many variances. */
export const STOCK_IMPORT_ROWS_MAX = POST_LINES_MAX;
export const ZONE_LENGTH_MAX = 64;
export const STOCK_IMPORT_KEY_PREFIX = 'stock-import:';
/** The longest reference a movement keeps (as the API's `reference` fields). */
const REFERENCE_LENGTH_MAX = 200;
const CHECK_REPORT_ROWS = 5_000;

/** The format of truestock's own stock file (`sku,location,on_hand[,zone]`). */
export const OWN_STOCK_FORMAT = 'truestock';

/**
 * Every stock file format, by the name the API and the CLI take: ours, then each kind's own
 * export that the kind declares (named after the kind), in the registry's order.
 */
export const STOCK_FORMATS: ReadonlyMap<string, StockFileFormat> = new Map<string, StockFileFormat>([
  [OWN_STOCK_FORMAT, { label: 'a CSV file (sku,location,on_hand[,zone])', parse: parseStockCsv, createsItems: false }],
  ...KINDS.flatMap((k) => (k.stockFile ? [[k.name, k.stockFile] as const] : [])),
]);

/** Read and check a whole stock CSV (`sku,location,on_hand[,zone]`). Pure: no I/O. */
export function parseStockCsv(text: string, onProgress?: ImportProgress): ParsedStock {
  const errors = new RowErrors();
  const rows: StockRow[] = [];
  const out: ParsedStock = { format: OWN_STOCK_FORMAT, rows, errors: errors.list, errorCount: 0, read: 0, skipped: 0, target: 'on_hand', locationByName: false, setsZone: false };
  const total = onProgress ? Math.max(0, countLines(text) - 1) : 0;
  let header: { at: Map<StockColumn, number>; order: string[] } | undefined;
  let zoneAt = -1;
  const pairs = new KeyIndex();

  scanCsv(text, (fields, line, error) => {
    if (header === undefined) {
      if (error) {
        errors.add(line, `header: ${error}`);
        return false;
      }
      header = checkHeader(fields, line, STOCK_CSV_COLUMNS, ['sku', 'location', 'on_hand'], errors);
      if (errors.count > 0) return false;
      zoneAt = header.at.get('zone') ?? -1;
      out.setsZone = zoneAt >= 0;
      return;
    }
    if (onProgress && out.read > 0 && out.read % CHECK_REPORT_ROWS === 0) onProgress('checking', out.read, Math.max(total, out.read));
    if (error) {
      out.read++;
      errors.add(line, error);
      return;
    }
    if (isEmptyRow(fields)) return;
    out.read++;
    if (fields.length !== header.order.length) {
      errors.add(line, `expected ${header.order.length} fields (${header.order.join(',')}), found ${fields.length}`);
      return;
    }
    const sku = fields[header.at.get('sku')!]!;
    const location = fields[header.at.get('location')!]!;
    const cell = fields[header.at.get('on_hand')!]!;
    const bad = checkCode(sku, 'sku') ?? checkCode(location, 'location');
    if (bad) return errors.add(line, bad.reason, bad.column);
    const first = pairs.add(`${sku}\u0000${location}`, line);
    if (first !== -1) return errors.add(line, `${sku} at ${location} is also on line ${first}`, 'location');
    const quantity = parseUnits(cell);
    if (quantity === undefined) return errors.add(line, `on_hand must be a whole number of units, got ${JSON.stringify(cell)}`, 'on_hand');
    // A count is what is on the shelf: never below zero, as POST /v1/stock/count refuses it too.
    if (quantity < 0) return errors.add(line, `on_hand must not be negative, got ${JSON.stringify(cell)}`, 'on_hand');
    const row: StockRow = { line, sku, location, quantity };
    if (zoneAt >= 0) {
      const zone = fields[zoneAt]!.trim();
      const badZone = checkZone(zone);
      if (badZone) return errors.add(line, badZone, 'zone');
      row.zone = zone === '' ? null : zone;
    }
    rows.push(row);
  });
  if (header === undefined && errors.count === 0) errors.add(1, `the file is empty: expected a header row such as ${STOCK_CSV_COLUMNS.join(',')}`);
  out.errorCount = errors.count;
  checkSize(out);
  onProgress?.('checking', out.read, out.read);
  return out;
}

function checkCode(value: string, column: string): { reason: string; column: string } | null {
  if (value.trim() === '') return { reason: `${column} must not be empty`, column };
  if (value.trim() !== value) return { reason: `${column} must not start or end with spaces`, column };
  return null;
}

function checkZone(zone: string): string | null {
  if (zone.length > ZONE_LENGTH_MAX) return `zone must be at most ${ZONE_LENGTH_MAX} characters`;
  if (/[\u0000-\u001f]/.test(zone)) return 'zone must not contain control characters';
  return null;
}

/** One import is one document step: refuse a file with more rows than a step may post. */
export function checkSize(parsed: ParsedStock): void {
  if (parsed.read <= STOCK_IMPORT_ROWS_MAX) return;
  parsed.errors.unshift({ line: 1, reason: `the file has ${parsed.read} rows; one stock import takes at most ${STOCK_IMPORT_ROWS_MAX}: split it into several files` });
  parsed.errorCount++;
}

interface Resolved {
  row: StockRow;
  itemId: string;
  locationId: string;
  /** The location's code: what the ledger's rules look locations up by. */
  code: string;
}

interface Resolution {
  resolved: Resolved[];
  errors: RowErrors;
  /** SKUs the workspace does not have, with the line that names them first. */
  unknownSkus: Map<string, number>;
}

/**
 * Match rows to items and locations. Unknown SKUs are bad rows unless `tolerateUnknownSkus`
 * (they are about to be created); bundles and multipacks hold no stock; in a file whose
 * locations may be named (an export's), a location is matched by code, then by name.
 */
async function resolveRows(db: Db, workspaceId: string, parsed: ParsedStock, tolerateUnknownSkus: boolean): Promise<Resolution> {
  const errors = new RowErrors();
  const bad: RowError[] = [];
  const items = new Map<string, { id: string; kind: ItemKind }>();
  for (const e of await existingItems(db, workspaceId, [...new Set(parsed.rows.map((r) => r.sku))])) items.set(e.sku, { id: e.id, kind: e.kind });
  const locations = await allLocations(db, workspaceId);
  const byCode = new Map(locations.map((l) => [l.code, l]));
  const byName = new Map<string, (typeof locations)[number] | null>();
  if (parsed.locationByName) for (const l of locations) byName.set(l.name, byName.has(l.name) ? null : l);

  const resolved: Resolved[] = [];
  const unknownSkus = new Map<string, number>();
  const pairs = new KeyIndex(parsed.rows.length);
  for (const row of parsed.rows) {
    const item = items.get(row.sku);
    let location = byCode.get(row.location);
    if (location === undefined && parsed.locationByName) {
      const named = byName.get(row.location);
      if (named === null) {
        bad.push({ line: row.line, column: 'location', reason: `several locations are named ${JSON.stringify(row.location)}: use the location's code` });
        continue;
      }
      location = named;
    }
    if (location === undefined) {
      const how = parsed.locationByName ? 'code or name' : 'code';
      bad.push({ line: row.line, column: 'location', reason: `no location with ${how} ${JSON.stringify(row.location)}` });
      continue;
    }
    if (!item) {
      if (!tolerateUnknownSkus) bad.push({ line: row.line, column: 'sku', reason: `no item with SKU ${JSON.stringify(row.sku)}` });
      else if (!unknownSkus.has(row.sku)) unknownSkus.set(row.sku, row.line);
      continue;
    }
    if (item.kind !== 'standard') {
      bad.push({ line: row.line, column: 'sku', reason: `${row.sku} is a ${item.kind}; its stock is held by its components` });
      continue;
    }
    // A location named once by code and once by name is the same stock level twice.
    const first = pairs.add(`${item.id}|${location.id}`, row.line);
    if (first !== -1) {
      bad.push({ line: row.line, column: 'location', reason: `${row.sku} at ${row.location} is the same stock level as line ${first}` });
      continue;
    }
    resolved.push({ row, itemId: item.id, locationId: location.id, code: location.code });
  }
  errors.addAll(bad);
  return { resolved, errors, unknownSkus };
}

export interface StockImportSummary {
  reference: string;
  rows: number;
  /** Rows whose quantity differed from the ledger: each became a variance. */
  changed: number;
  unchanged: number;
  /** Rows left out on purpose (an export's "not stocked"). */
  skipped: number;
  units_added: number;
  units_removed: number;
  movements: number;
  zones_set: number;
  /** Items created first (formats that create items, with `--create-items`). */
  items_created: number;
}

export type StockImportResult =
  | { ok: true; replayed: boolean; key: string; summary: StockImportSummary }
  | { ok: false; errors: RowError[]; errorCount: number; read: number }
  | { ok: false; refusal: Refusal };

export interface StockImportOptions {
  /** `cli:<user>`, `key_…`: recorded on every movement. */
  actor: string;
  /** Idempotency key; derived from the content when absent. */
  key?: string;
  /** Shown in the movements' reference (`import:<fileName>`). */
  fileName?: string;
  /** A name in `STOCK_FORMATS` (callers check it: the API's enum, the CLI's choices); default ours. */
  format?: string;
  /** Formats that create items: create items for unknown SKUs (from what the file says of them) first. */
  createItems?: boolean;
}

function stockFormat(name: string): StockFileFormat {
  const f = STOCK_FORMATS.get(name);
  if (!f) throw new Error(`invariant violated: no stock file format ${JSON.stringify(name)}`);
  return f;
}

export function parseStockFile(text: string, format: string, onProgress?: ImportProgress): ParsedStock {
  const parsed = stockFormat(format).parse(text, onProgress);
  // Our own parser checks the size itself; a kind's does not know the limit of a step.
  if (format !== OWN_STOCK_FORMAT) checkSize(parsed);
  return parsed;
}

const failed = (errors: { list: RowError[]; count: number }, read: number): { ok: false; errors: RowError[]; errorCount: number; read: number } => ({ ok: false, errors: errors.list, errorCount: errors.count, read });

/** Check a stock file, then post it as one document step; see the file header. */
export async function importStock(
  truestock: { store: Store; clock: Clock; ledger: Ledger },
  workspaceId: string,
  text: string,
  opts: StockImportOptions,
  onProgress?: ImportProgress,
): Promise<StockImportResult> {
  const format = opts.format ?? OWN_STOCK_FORMAT;
  const parsed = parseStockFile(text, format, onProgress);
  const createItems = stockFormat(format).createsItems && (opts.createItems ?? false);
  // The catalog check, before anything is queued (repeated under the locks in `prepare`). It
  // runs on the good rows even when others are bad, so one round of fixes is enough.
  const checked = await truestock.store.read((db) => resolveRows(db, workspaceId, parsed, createItems));
  if (parsed.errorCount > 0 || checked.errors.count > 0) {
    return failed(mergeErrors({ list: parsed.errors, count: parsed.errorCount }, checked.errors), parsed.read);
  }

  const sha256 = contentHash(text);
  const key = opts.key ?? `${STOCK_IMPORT_KEY_PREFIX}${sha256}`;

  let itemsCreated = 0;
  if (createItems && checked.unknownSkus.size > 0) {
    const made = await createItemsOf(truestock, workspaceId, parsed, checked.unknownSkus, `${key}:items`, sha256);
    if (!made.ok) return made;
    itemsCreated = made.summary.created;
  }

  onProgress?.('writing', 0, parsed.rows.length);
  const reference = `import:${opts.fileName ?? 'stock.csv'}`.slice(0, REFERENCE_LENGTH_MAX);
  const step = stockImportStep(workspaceId, parsed, { format, sha256, createItems }, reference, itemsCreated);
  const r = await truestock.ledger.executeDocument({ workspaceId, idempotencyKey: key, actor: opts.actor }, step);
  onProgress?.('writing', parsed.rows.length, parsed.rows.length);
  if (!r.ok) {
    const listed = r.refusal.extra?.errors as RowError[] | undefined;
    if (r.refusal.code === 'csv_invalid' && listed) return { ok: false, errors: listed, errorCount: Number(r.refusal.extra?.error_count ?? listed.length), read: parsed.read };
    return { ok: false, refusal: r.refusal };
  }
  return { ok: true, replayed: r.replayed, key, summary: (r.body as { import: StockImportSummary }).import };
}

/** The refusal for bad rows found under the transaction's locks (rare: the catalog changed since the check). */
export function csvInvalid(errors: RowErrors): Refusal {
  return refusal('csv_invalid', `${errors.count} ${errors.count === 1 ? 'row' : 'rows'} cannot be imported; nothing was imported`, undefined, { errors: errors.list, error_count: errors.count });
}

/** The document step: variances from the locked balances, zones in `finish`. */
function stockImportStep(workspaceId: string, parsed: ParsedStock, payload: Record<string, unknown>, reference: string, itemsCreated: number): DocumentStep {
  let resolved: Resolved[] = [];
  let variances: VarianceLine[] = [];
  let added = 0;
  let removed = 0;
  return {
    name: 'stock_import',
    payload,
    async prepare(db: Db): Promise<Outcome<PostCommand>> {
      const again = await resolveRows(db, workspaceId, parsed, false);
      if (again.errors.count > 0) return refused(csvInvalid(again.errors));
      resolved = again.resolved;
      const itemIds = [...new Set(resolved.map((r) => r.itemId))].sort();
      const locationIds = [...new Set(resolved.map((r) => r.locationId))].sort();
      const levels = new Map((await lockLevels(db, workspaceId, itemIds, locationIds)).map((l) => [`${l.itemId}|${l.locationId}`, l.balances]));
      variances = [];
      added = 0;
      removed = 0;
      for (const { row, itemId, locationId, code } of resolved) {
        const b = levels.get(`${itemId}|${locationId}`);
        const have = b === undefined ? 0 : parsed.target === 'available' ? b.available : onHand(b);
        const variance = row.quantity - have;
        if (variance === 0) continue;
        if (variance > 0) added += variance;
        else removed -= variance;
        variances.push({ sku: row.sku, location: code, variance });
      }
      return ok({ type: 'post', flow: 'stock_import', lines: [], variances, reference, note: `stock import of ${resolved.length} rows` });
    },
    async finish(db: Db, posted, now: number) {
      let zonesSet = 0;
      if (parsed.setsZone) {
        const zoned = resolved.filter((r) => r.row.zone !== undefined);
        await setZones(db, zoned.map((r) => ({ id: newId('lvl', now), workspaceId, itemId: r.itemId, locationId: r.locationId, zone: r.row.zone! })), now);
        zonesSet = zoned.length;
      }
      const summary: StockImportSummary = {
        reference,
        rows: resolved.length,
        changed: variances.length,
        unchanged: resolved.length - variances.length,
        skipped: parsed.skipped,
        units_added: added,
        units_removed: removed,
        movements: posted.movements.length,
        zones_set: zonesSet,
        items_created: itemsCreated,
      };
      return { status: 200, body: { import: summary } };
    },
  };
}

/** Items for an export's unknown SKUs, in their own transaction before the stock step. */
async function createItemsOf(
  truestock: { store: Store; clock: Clock },
  workspaceId: string,
  parsed: ParsedStock,
  unknown: Map<string, number>,
  key: string,
  sha256: string,
): Promise<{ ok: true; summary: ImportSummary } | Exclude<StockImportResult, { ok: true }>> {
  const rows = new ItemRows();
  const errors = new RowErrors();
  for (const [sku, line] of unknown) {
    const v = parsed.variants?.get(sku);
    const name = v?.name ?? sku;
    const bad = checkItemInput({ sku, name });
    if (bad) errors.add(line, `cannot create item ${JSON.stringify(sku)}: ${bad.detail}`, bad.field === 'name' ? 'title' : bad.field);
    else rows.push({ line, sku, name, options: v?.options ? JSON.stringify(v.options) : null });
  }
  if (errors.count > 0) return failed(errors, parsed.read);
  // The request type is part of the key's fingerprint: `<format>_items`, as it has always been spelled.
  const made = await writeItemRows(truestock, workspaceId, { rows, columns: new Set(['sku', 'name']), read: parsed.read }, { key, request: { type: `${parsed.format}_items`, sha256 }, createOnly: true });
  if (made.ok) return { ok: true, summary: made.summary };
  return made;
}
