// SQL for items and locations.

import type { Component, Item, ItemKind, Location, LocationKind } from '../domain/model.ts';
import { chunk, type Db, insertRows, type Param, placeholders } from './store.ts';

interface ItemRow {
  id: string;
  workspace_id: string;
  sku: string;
  name: string;
  barcode: string | null;
  archived: boolean | number;
  kind: ItemKind;
  product_id: string | null;
  options: string | null;
  units_per_case: number | null;
  requires_inspection: boolean | number;
  skip_return_inspection: boolean | number;
  created_at: number;
  updated_at: number;
}

interface LocationRow {
  id: string;
  workspace_id: string;
  code: string;
  name: string;
  kind: LocationKind;
  postal_code: string | null;
  country: string | null;
  ships_online: boolean | number;
  pickup: boolean | number;
  requires_inspection: boolean | number;
  created_at: number;
  updated_at: number;
}

export function itemFromRow(r: ItemRow): Item {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    sku: r.sku,
    name: r.name,
    barcode: r.barcode,
    archived: Boolean(r.archived),
    kind: r.kind,
    productId: r.product_id,
    options: r.options === null ? null : (JSON.parse(r.options) as Record<string, string>),
    unitsPerCase: r.units_per_case === null ? null : Number(r.units_per_case),
    requiresInspection: Boolean(r.requires_inspection),
    skipReturnInspection: Boolean(r.skip_return_inspection),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function locationFromRow(r: LocationRow): Location {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    code: r.code,
    name: r.name,
    kind: r.kind,
    postalCode: r.postal_code,
    country: r.country,
    shipsOnline: Boolean(r.ships_online),
    pickup: Boolean(r.pickup),
    requiresInspection: Boolean(r.requires_inspection),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

async function byColumn<R, T>(db: Db, table: string, column: string, workspaceId: string, values: string[], map: (r: R) => T): Promise<T[]> {
  if (values.length === 0) return [];
  const out: T[] = [];
  for (const part of chunk([...new Set(values)], 5_000)) {
    const rows = await db.all<R>(`SELECT * FROM ${table} WHERE workspace_id = ? AND ${column} IN (${placeholders(part.length)})`, [workspaceId, ...part]);
    out.push(...rows.map(map));
  }
  return out;
}

export const itemsBySku = (db: Db, ws: string, skus: string[]) => byColumn(db, 'items', 'sku', ws, skus, itemFromRow);
export const itemsById = (db: Db, ws: string, ids: string[]) => byColumn(db, 'items', 'id', ws, ids, itemFromRow);
export const locationsByCode = (db: Db, ws: string, codes: string[]) => byColumn(db, 'locations', 'code', ws, codes, locationFromRow);
export const locationsById = (db: Db, ws: string, ids: string[]) => byColumn(db, 'locations', 'id', ws, ids, locationFromRow);

export async function getItem(db: Db, ws: string, id: string): Promise<Item | undefined> {
  return (await itemsById(db, ws, [id]))[0];
}
export async function getItemBySku(db: Db, ws: string, sku: string): Promise<Item | undefined> {
  return (await itemsBySku(db, ws, [sku]))[0];
}
export async function getLocation(db: Db, ws: string, id: string): Promise<Location | undefined> {
  return (await locationsById(db, ws, [id]))[0];
}

export async function listItems(db: Db, ws: string, opts: { after?: string; limit: number; includeArchived?: boolean }): Promise<Item[]> {
  const where = ['workspace_id = ?'];
  const params: Param[] = [ws];
  if (opts.after) (where.push('id > ?'), params.push(opts.after));
  if (!opts.includeArchived) where.push('archived = ?'), params.push(false);
  const rows = await db.all<ItemRow>(`SELECT * FROM items WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`, [...params, opts.limit]);
  return rows.map(itemFromRow);
}

export async function listLocations(db: Db, ws: string, opts: { after?: string; limit: number }): Promise<Location[]> {
  const params: Param[] = [ws];
  let where = 'workspace_id = ?';
  if (opts.after) (where += ' AND id > ?'), params.push(opts.after);
  const rows = await db.all<LocationRow>(`SELECT * FROM locations WHERE ${where} ORDER BY id LIMIT ?`, [...params, opts.limit]);
  return rows.map(locationFromRow);
}

const ITEM_COLUMNS = ['id', 'workspace_id', 'sku', 'name', 'barcode', 'archived', 'kind', 'product_id', 'options', 'units_per_case', 'requires_inspection', 'skip_return_inspection', 'created_at', 'updated_at'];
const itemRow = (i: Item) => [
  i.id, i.workspaceId, i.sku, i.name, i.barcode, i.archived, i.kind, i.productId, i.options === null ? null : JSON.stringify(i.options),
  i.unitsPerCase, i.requiresInspection, i.skipReturnInspection, i.createdAt, i.updatedAt,
];

/** Components of these bundles and multipacks, by bundle id. */
export async function componentsOf(db: Db, itemIds: string[]): Promise<Map<string, Component[]>> {
  const out = new Map<string, Component[]>();
  for (const part of chunk([...new Set(itemIds)], 5_000)) {
    const rows = await db.all<{ item_id: string; component_id: string; quantity: number }>(
      `SELECT item_id, component_id, quantity FROM item_components WHERE item_id IN (${placeholders(part.length)}) ORDER BY item_id, component_id`,
      part,
    );
    for (const r of rows) {
      const list = out.get(r.item_id) ?? [];
      list.push({ itemId: r.component_id, quantity: Number(r.quantity) });
      out.set(r.item_id, list);
    }
  }
  return out;
}

export async function insertItems(db: Db, items: Item[]): Promise<void> {
  await insertRows(db, 'items', ITEM_COLUMNS, items.map(itemRow));
}

export async function updateItem(db: Db, item: Item): Promise<void> {
  await db.run(
    `UPDATE items SET name = ?, barcode = ?, archived = ?, product_id = ?, options = ?, units_per_case = ?, requires_inspection = ?,
     skip_return_inspection = ?, updated_at = ? WHERE id = ? AND workspace_id = ?`,
    [item.name, item.barcode, item.archived, item.productId, item.options === null ? null : JSON.stringify(item.options), item.unitsPerCase,
      item.requiresInspection, item.skipReturnInspection, item.updatedAt, item.id, item.workspaceId],
  );
}

export async function insertLocation(db: Db, l: Location): Promise<void> {
  await insertRows(db, 'locations', ['id', 'workspace_id', 'code', 'name', 'kind', 'postal_code', 'country', 'ships_online', 'pickup', 'requires_inspection', 'created_at', 'updated_at'], [
    [l.id, l.workspaceId, l.code, l.name, l.kind, l.postalCode, l.country, l.shipsOnline, l.pickup, l.requiresInspection, l.createdAt, l.updatedAt],
  ]);
}

export async function updateLocation(db: Db, l: Location): Promise<void> {
  await db.run(
    'UPDATE locations SET name = ?, kind = ?, postal_code = ?, country = ?, ships_online = ?, pickup = ?, requires_inspection = ?, updated_at = ? WHERE id = ? AND workspace_id = ?',
    [l.name, l.kind, l.postalCode, l.country, l.shipsOnline, l.pickup, l.requiresInspection, l.updatedAt, l.id, l.workspaceId],
  );
}

/**
 * Write items by SKU: insert the new ones, and for SKUs the workspace already has, update
 * name, barcode and archived (id and created_at stay). One multi-row statement per chunk; the
 * same SQL on SQLite (3.24+) and PostgreSQL.
 */
export async function upsertItems(db: Db, items: Item[]): Promise<void> {
  await insertRows(db, 'items', ITEM_COLUMNS, items.map(itemRow),
    ' ON CONFLICT (workspace_id, sku) DO UPDATE SET name = excluded.name, barcode = excluded.barcode, archived = excluded.archived, updated_at = excluded.updated_at');
}
