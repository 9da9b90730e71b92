// SQL for items and locations.

import type { Product } from '../domain/catalog-rules.ts';
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
  stocks_prebuilt: boolean | number;
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
    stocksPrebuilt: Boolean(r.stocks_prebuilt),
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

const ITEM_COLUMNS = ['id', 'workspace_id', 'sku', 'name', 'barcode', 'archived', 'kind', 'product_id', 'options', 'units_per_case', 'requires_inspection', 'skip_return_inspection', 'stocks_prebuilt', 'created_at', 'updated_at'];
const itemRow = (i: Item) => [
  i.id, i.workspaceId, i.sku, i.name, i.barcode, i.archived, i.kind, i.productId, i.options === null ? null : JSON.stringify(i.options),
  i.unitsPerCase, i.requiresInspection, i.skipReturnInspection, i.stocksPrebuilt, i.createdAt, i.updatedAt,
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
     skip_return_inspection = ?, stocks_prebuilt = ?, updated_at = ? WHERE id = ? AND workspace_id = ?`,
    [item.name, item.barcode, item.archived, item.productId, item.options === null ? null : JSON.stringify(item.options), item.unitsPerCase,
      item.requiresInspection, item.skipReturnInspection, item.stocksPrebuilt, item.updatedAt, item.id, item.workspaceId],
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

// Barcodes, variants and components.

/** Items (archived too) that carry this barcode, other than `exceptId`. */
export async function itemsWithBarcode(db: Db, ws: string, barcode: string, exceptId: string | null): Promise<Item[]> {
  const rows = await db.all<ItemRow>('SELECT * FROM items WHERE workspace_id = ? AND barcode = ? AND id <> ? ORDER BY sku', [ws, barcode, exceptId ?? '']);
  return rows.map(itemFromRow);
}

/** The variant of a product with exactly these (canonically ordered) options, other than `exceptId`. */
export async function variantWithOptions(db: Db, ws: string, productId: string, options: string, exceptId: string): Promise<Item | undefined> {
  const r = await db.get<ItemRow>('SELECT * FROM items WHERE workspace_id = ? AND product_id = ? AND options = ? AND id <> ? ORDER BY sku LIMIT 1', [ws, productId, options, exceptId]);
  return r && itemFromRow(r);
}

/** Variants of a product, by SKU; at most `limit`. */
export async function variantsOf(db: Db, ws: string, productId: string, limit: number): Promise<Item[]> {
  const rows = await db.all<ItemRow>('SELECT * FROM items WHERE workspace_id = ? AND product_id = ? ORDER BY sku LIMIT ?', [ws, productId, limit]);
  return rows.map(itemFromRow);
}

/** Bundles and multipacks that contain `componentId`, with the quantity of it in each. */
export async function bundlesContaining(db: Db, ws: string, componentId: string, limit: number): Promise<{ item: Item; quantity: number }[]> {
  const rows = await db.all<ItemRow & { component_quantity: number }>(
    `SELECT i.*, ic.quantity AS component_quantity FROM item_components ic JOIN items i ON i.id = ic.item_id
     WHERE ic.component_id = ? AND i.workspace_id = ? ORDER BY i.sku LIMIT ?`,
    [componentId, ws, limit],
  );
  return rows.map((r) => ({ item: itemFromRow(r), quantity: Number(r.component_quantity) }));
}

/** Bundles and multipacks of a workspace in SKU order, a page at a time (`after` a SKU). */
export async function listBundles(db: Db, ws: string, opts: { afterSku?: string; limit: number }): Promise<Item[]> {
  const params: Param[] = [ws, 'standard'];
  let where = 'workspace_id = ? AND kind <> ?';
  if (opts.afterSku !== undefined) (where += ' AND sku > ?'), params.push(opts.afterSku);
  const rows = await db.all<ItemRow>(`SELECT * FROM items WHERE ${where} ORDER BY sku LIMIT ?`, [...params, opts.limit]);
  return rows.map(itemFromRow);
}

export interface ComponentSnapshot {
  itemId: string;
  sku: string;
  quantity: number;
}

export interface ComponentVersion {
  version: number;
  components: ComponentSnapshot[];
  createdAt: number;
}

/**
 * Set a bundle's components: the current set is replaced, and the new set is appended to the
 * bundle's history as the next version (version 1 is the set it was created with).
 */
export async function writeComponents(db: Db, bundleId: string, components: ComponentSnapshot[], now: number): Promise<number> {
  await db.run('DELETE FROM item_components WHERE item_id = ?', [bundleId]);
  await insertRows(db, 'item_components', ['item_id', 'component_id', 'quantity'], components.map((c) => [bundleId, c.itemId, c.quantity]));
  const last = await db.get<{ v: number | null }>('SELECT MAX(version) AS v FROM item_component_history WHERE item_id = ?', [bundleId]);
  const version = Number(last?.v ?? 0) + 1;
  await insertRows(db, 'item_component_history', ['item_id', 'version', 'components', 'created_at'], [
    [bundleId, version, JSON.stringify(components.map((c) => ({ item_id: c.itemId, sku: c.sku, quantity: c.quantity }))), now],
  ]);
  return version;
}

/** A bundle's component sets, newest first; at most `limit`. */
export async function componentHistory(db: Db, bundleId: string, limit: number): Promise<ComponentVersion[]> {
  const rows = await db.all<{ version: number; components: string; created_at: number }>(
    'SELECT version, components, created_at FROM item_component_history WHERE item_id = ? ORDER BY version DESC LIMIT ?',
    [bundleId, limit],
  );
  return rows.map((r) => ({
    version: Number(r.version),
    components: (JSON.parse(r.components) as { item_id: string; sku: string; quantity: number }[]).map((c) => ({ itemId: c.item_id, sku: c.sku, quantity: c.quantity })),
    createdAt: Number(r.created_at),
  }));
}

// Products.

interface ProductRow {
  id: string;
  workspace_id: string;
  handle: string;
  name: string;
  option_names: string;
  archived: boolean | number;
  created_at: number;
  updated_at: number;
}

const productFromRow = (r: ProductRow): Product => ({
  id: r.id,
  workspaceId: r.workspace_id,
  handle: r.handle,
  name: r.name,
  optionNames: JSON.parse(r.option_names) as string[],
  archived: Boolean(r.archived),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export async function getProduct(db: Db, ws: string, id: string): Promise<Product | undefined> {
  const r = await db.get<ProductRow>('SELECT * FROM products WHERE workspace_id = ? AND id = ?', [ws, id]);
  return r && productFromRow(r);
}

export async function getProductByHandle(db: Db, ws: string, handle: string): Promise<Product | undefined> {
  const r = await db.get<ProductRow>('SELECT * FROM products WHERE workspace_id = ? AND handle = ?', [ws, handle]);
  return r && productFromRow(r);
}

export async function listProducts(db: Db, ws: string, opts: { after?: string; limit: number; includeArchived?: boolean }): Promise<Product[]> {
  const where = ['workspace_id = ?'];
  const params: Param[] = [ws];
  if (opts.after) (where.push('id > ?'), params.push(opts.after));
  if (!opts.includeArchived) (where.push('archived = ?'), params.push(false));
  const rows = await db.all<ProductRow>(`SELECT * FROM products WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`, [...params, opts.limit]);
  return rows.map(productFromRow);
}

export async function insertProduct(db: Db, p: Product): Promise<void> {
  await insertRows(db, 'products', ['id', 'workspace_id', 'handle', 'name', 'option_names', 'archived', 'created_at', 'updated_at'], [
    [p.id, p.workspaceId, p.handle, p.name, JSON.stringify(p.optionNames), p.archived, p.createdAt, p.updatedAt],
  ]);
}

export async function updateProduct(db: Db, p: Product): Promise<void> {
  await db.run('UPDATE products SET name = ?, option_names = ?, archived = ?, updated_at = ? WHERE id = ? AND workspace_id = ?', [
    p.name, JSON.stringify(p.optionNames), p.archived, p.updatedAt, p.id, p.workspaceId,
  ]);
}

/** Which of these channel ids belong to the workspace. */
export async function existingChannels(db: Db, ws: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const rows = await db.all<{ id: string }>(`SELECT id FROM channels WHERE workspace_id = ? AND id IN (${placeholders(unique.length)})`, [ws, ...unique]);
  return rows.map((r) => r.id);
}
