// SQL for CSV imports and exports. Bulk paths, kept apart from the per-request catalog SQL: an
// import of a million rows reads only the columns it compares, writes many rows per statement,
// and exports page through rows in key order instead of loading them all.

import { type Balances } from '../domain/buckets.ts';
import type { ItemKind } from '../domain/model.ts';
import { LEVEL_COLUMNS } from './ledger-repo.ts';
import { chunk, type Db, type Param, PARAMS_PER_STATEMENT_MAX, placeholders, valuesList } from './store.ts';

/** Values per IN list when looking rows up by key. */
const LOOKUP_CHUNK_VALUES = 5_000;
/**
 * Item rows per INSERT on SQLite. better-sqlite3 runs in-process, so the cost per statement is
 * the native call and the binding; 64 rows per call measured ~1.5× faster than one row per call
 * on a million rows, and larger statements gain nothing more.
 */
const SQLITE_ROWS_PER_INSERT = 64;

/** What an import compares an existing item with. */
export interface ExistingItem {
  id: string;
  sku: string;
  name: string;
  barcode: string | null;
  archived: boolean;
  kind: ItemKind;
  unitsPerCase: number | null;
  requiresInspection: boolean;
  skipReturnInspection: boolean;
}

interface ExistingRow {
  id: string;
  sku: string;
  name: string;
  barcode: string | null;
  archived: boolean | number;
  kind: ItemKind;
  units_per_case: number | null;
  requires_inspection: boolean | number;
  skip_return_inspection: boolean | number;
}

const EXISTING_COLUMNS = 'id, sku, name, barcode, archived, kind, units_per_case, requires_inspection, skip_return_inspection';

const existingFromRow = (r: ExistingRow): ExistingItem => ({
  id: r.id,
  sku: r.sku,
  name: r.name,
  barcode: r.barcode,
  archived: Boolean(r.archived),
  kind: r.kind,
  unitsPerCase: r.units_per_case === null ? null : Number(r.units_per_case),
  requiresInspection: Boolean(r.requires_inspection),
  skipReturnInspection: Boolean(r.skip_return_inspection),
});

export async function countItems(db: Db, workspaceId: string): Promise<number> {
  const row = await db.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM items WHERE workspace_id = ?', [workspaceId]);
  return Number(row?.n ?? 0);
}

/** The workspace's items with these SKUs, or all of its items when `skus` is undefined. */
export async function existingItems(db: Db, workspaceId: string, skus?: readonly string[]): Promise<ExistingItem[]> {
  if (skus === undefined) {
    return (await db.all<ExistingRow>(`SELECT ${EXISTING_COLUMNS} FROM items WHERE workspace_id = ?`, [workspaceId])).map(existingFromRow);
  }
  const out: ExistingItem[] = [];
  for (const part of chunk(skus, LOOKUP_CHUNK_VALUES)) {
    const rows = await db.all<ExistingRow>(`SELECT ${EXISTING_COLUMNS} FROM items WHERE workspace_id = ? AND sku IN (${placeholders(part.length)})`, [workspaceId, ...part]);
    for (const r of rows) out.push(existingFromRow(r));
  }
  return out;
}

/** Which items hold these barcodes. */
export async function barcodeOwners(db: Db, workspaceId: string, barcodes: readonly string[]): Promise<{ sku: string; barcode: string }[]> {
  const out: { sku: string; barcode: string }[] = [];
  for (const part of chunk(barcodes, LOOKUP_CHUNK_VALUES)) {
    out.push(...(await db.all<{ sku: string; barcode: string }>(`SELECT sku, barcode FROM items WHERE workspace_id = ? AND barcode IN (${placeholders(part.length)})`, [workspaceId, ...part])));
  }
  return out;
}

/** Columns an import writes, in the order `ItemBatch.push` takes them. */
export const IMPORT_ITEM_COLUMNS = [
  'id', 'workspace_id', 'sku', 'name', 'barcode', 'archived', 'kind', 'product_id', 'options', 'units_per_case',
  'requires_inspection', 'skip_return_inspection', 'created_at', 'updated_at',
] as const;

/** Item columns an import may change on an existing item (besides name, always). */
export const UPDATABLE_COLUMNS = ['barcode', 'archived', 'units_per_case', 'requires_inspection', 'skip_return_inspection'] as const;
export type UpdatableColumn = (typeof UPDATABLE_COLUMNS)[number];

/** Bundles and multipacks of the workspace: the only items whose kind an import can clash with. */
export async function specialItems(db: Db, workspaceId: string): Promise<{ sku: string; kind: ItemKind }[]> {
  return db.all(`SELECT sku, kind FROM items WHERE workspace_id = ? AND kind <> 'standard'`, [workspaceId]);
}

/**
 * Item rows written many to a statement. Rows are pushed as flat parameters into one array, so a
 * million-row import allocates no object per row.
 *
 * - `upsert`: new SKUs are inserted; an existing SKU has `name` and the `columns` given updated
 *   (its id, kind and created_at stay), and only when one of them differs, so unchanged rows
 *   cost no write and the database tells what changed.
 * - `create`: new SKUs are inserted; existing ones are left alone.
 *
 * `created` and `updated` count the rows: on PostgreSQL from `RETURNING (xmax = 0)` (true for an
 * inserted row), on SQLite from the row count before and after (the database is locked for the
 * whole transaction, so nobody else adds items meanwhile).
 */
export class ItemBatch {
  private readonly rowsPerStatement: number;
  private readonly suffix: string;
  private params: Param[] = [];
  private rows = 0;
  /** Statement text per row count: the same string each time, so the statement cache finds it at once. */
  private readonly statements = new Map<number, string>();
  private countBefore: number | undefined;
  private changed = 0;
  private inserted = 0;
  created = 0;
  updated = 0;

  constructor(
    private readonly db: Db,
    private readonly workspaceId: string,
    mode: 'upsert' | 'create',
    columns: readonly UpdatableColumn[] = [],
  ) {
    this.rowsPerStatement = db.dialect === 'sqlite' ? SQLITE_ROWS_PER_INSERT : Math.floor(PARAMS_PER_STATEMENT_MAX / IMPORT_ITEM_COLUMNS.length);
    const set = ['name', ...columns, 'updated_at'];
    const compared = ['name', ...columns];
    this.suffix = mode === 'create'
      ? ' ON CONFLICT (workspace_id, sku) DO NOTHING'
      : ` ON CONFLICT (workspace_id, sku) DO UPDATE SET ${set.map((c) => `${c} = excluded.${c}`).join(', ')}` +
        ` WHERE ${compared.map((c) => `items.${c} IS DISTINCT FROM excluded.${c}`).join(' OR ')}`;
    if (db.dialect === 'postgres') this.suffix += ' RETURNING (xmax = 0) AS inserted';
  }

  /** Queue one row; writes a statement's worth when full. */
  async push(
    id: string, workspaceId: string, sku: string, name: string, barcode: string | null, archived: boolean, kind: ItemKind, options: string | null,
    unitsPerCase: number | null, requiresInspection: boolean, skipReturnInspection: boolean, createdAt: number, updatedAt: number,
  ): Promise<void> {
    if (this.countBefore === undefined && this.db.dialect === 'sqlite') this.countBefore = await countItems(this.db, this.workspaceId);
    this.params.push(id, workspaceId, sku, name, barcode, archived, kind, null, options, unitsPerCase, requiresInspection, skipReturnInspection, createdAt, updatedAt);
    if (++this.rows === this.rowsPerStatement) await this.write();
  }

  private sql(rows: number): string {
    let sql = this.statements.get(rows);
    if (sql === undefined) {
      sql = `INSERT INTO items (${IMPORT_ITEM_COLUMNS.join(', ')}) VALUES ${valuesList(rows, IMPORT_ITEM_COLUMNS.length)}${this.suffix}`;
      this.statements.set(rows, sql);
    }
    return sql;
  }

  private async write(): Promise<void> {
    if (this.rows === 0) return;
    if (this.db.dialect === 'postgres') {
      const out = await this.db.all<{ inserted: boolean }>(this.sql(this.rows), this.params);
      this.changed += out.length;
      for (const r of out) if (r.inserted) this.inserted++;
    } else this.changed += await this.db.run(this.sql(this.rows), this.params);
    this.params = [];
    this.rows = 0;
  }

  /** Write what is queued and settle the counts. */
  async flush(): Promise<void> {
    await this.write();
    if (this.db.dialect === 'sqlite' && this.countBefore !== undefined) {
      this.inserted = (await countItems(this.db, this.workspaceId)) - this.countBefore;
    }
    this.created = this.inserted;
    this.updated = this.changed - this.inserted;
  }
}

/** One stock level as an export or an import sees it. */
export interface LevelBalances {
  id: string;
  itemId: string;
  locationId: string;
  balances: Balances;
}

/**
 * Set the zone of stock levels, creating the (empty) level when it does not exist yet: a zone
 * can be assigned before the first unit arrives.
 */
export async function setZones(db: Db, rows: { id: string; workspaceId: string; itemId: string; locationId: string; zone: string | null }[], now: number): Promise<void> {
  const columns = ['id', 'workspace_id', 'item_id', 'location_id', 'zone', 'updated_at'];
  const per = db.dialect === 'sqlite' ? SQLITE_ROWS_PER_INSERT : Math.floor(PARAMS_PER_STATEMENT_MAX / columns.length);
  for (const part of chunk(rows, per)) {
    await db.run(
      `INSERT INTO stock_levels (${columns.join(', ')}) VALUES ${valuesList(part.length, columns.length)} ON CONFLICT (item_id, location_id) DO UPDATE SET zone = excluded.zone`,
      part.flatMap((r) => [r.id, r.workspaceId, r.itemId, r.locationId, r.zone, now]),
    );
  }
}

/** Rows per page when exporting. */
export const EXPORT_PAGE_ROWS = 5_000;

/** A page of items in SKU order, after `afterSku`. */
export async function itemsPage(db: Db, workspaceId: string, afterSku: string | null, limit = EXPORT_PAGE_ROWS): Promise<ExistingItem[]> {
  const rows = afterSku === null
    ? await db.all<ExistingRow>(`SELECT ${EXISTING_COLUMNS} FROM items WHERE workspace_id = ? ORDER BY sku LIMIT ?`, [workspaceId, limit])
    : await db.all<ExistingRow>(`SELECT ${EXISTING_COLUMNS} FROM items WHERE workspace_id = ? AND sku > ? ORDER BY sku LIMIT ?`, [workspaceId, afterSku, limit]);
  return rows.map(existingFromRow);
}

export interface ExportLevelRow {
  sku: string;
  code: string;
  zone: string | null;
  balances: Balances;
}

/** A page of stock levels in (SKU, location code) order, after the given pair. */
export async function levelsPage(db: Db, workspaceId: string, after: { sku: string; code: string } | null, limit = EXPORT_PAGE_ROWS): Promise<ExportLevelRow[]> {
  const select = `SELECT i.sku AS sku, l.code AS code, s.zone AS zone, ${LEVEL_COLUMNS.map((c) => `s.${c} AS ${c}`).join(', ')}
    FROM stock_levels s JOIN items i ON i.id = s.item_id JOIN locations l ON l.id = s.location_id WHERE s.workspace_id = ?`;
  const rows = after === null
    ? await db.all<Record<string, unknown>>(`${select} ORDER BY i.sku, l.code LIMIT ?`, [workspaceId, limit])
    : await db.all<Record<string, unknown>>(`${select} AND (i.sku > ? OR (i.sku = ? AND l.code > ?)) ORDER BY i.sku, l.code LIMIT ?`, [workspaceId, after.sku, after.sku, after.code, limit]);
  return rows.map((r) => {
    const balances = {} as Balances;
    for (const c of LEVEL_COLUMNS) balances[c] = Number(r[c]);
    return { sku: r.sku as string, code: r.code as string, zone: (r.zone as string | null) ?? null, balances };
  });
}

/** Every location of the workspace (a workspace has a handful; imports match them by code or name). */
export async function allLocations(db: Db, workspaceId: string): Promise<{ id: string; code: string; name: string }[]> {
  return db.all('SELECT id, code, name FROM locations WHERE workspace_id = ? ORDER BY code', [workspaceId]);
}
