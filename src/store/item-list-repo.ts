// SQL for the Items list: items with their stock numbers (summed over locations, or at one
// location), filtered, searched and sorted by any column, paged by keyset on (sort value, id).
//
// Keyset, not OFFSET: rows inserted while someone pages never shift the next page, and a text
// sort walks an index on items (migration 33) from the cursor, so a page costs the same at row
// 100,000 as at row 1. A sort or filter by a number sums the levels per item and
// keeps the top `limit` rows (a bounded top-N, not a full sort, but a scan of the workspace's
// levels). Indexing the balance columns, or keeping per-item totals by trigger, would make every
// ledger write pay for this list (and end PostgreSQL's HOT updates of stock_levels).

import type { Item, ItemKind } from '../domain/model.ts';
import { itemFromRow } from './catalog-repo.ts';
import type { Db, Param } from './store.ts';
import { placeholders } from './store.ts';

export const ITEM_SORTS = ['id', 'sku', 'name', 'kind', 'barcode', 'on_hand', 'available', 'committed', 'incoming'] as const;
export type ItemSort = (typeof ITEM_SORTS)[number];
export const NUMERIC_ITEM_SORTS: ReadonlySet<ItemSort> = new Set(['on_hand', 'available', 'committed', 'incoming']);
export const ITEM_STOCK_FILTERS = ['in_stock', 'out_of_stock', 'oversold', 'low_stock'] as const;
export type ItemStockFilter = (typeof ITEM_STOCK_FILTERS)[number];

export interface ItemListQuery {
  sort: ItemSort;
  desc: boolean;
  /** The sort value and id of the last row of the previous page. */
  after?: { value: string | number; id: string };
  limit: number;
  /** A location id: numbers at that location, and only items with a stock level there. */
  locationId?: string;
  kind?: ItemKind;
  productId?: string;
  stock?: ItemStockFilter;
  archived: 'exclude' | 'include' | 'only';
  /** Lower-case text found in the SKU, name or barcode. */
  search?: string;
}

export interface ItemListRow {
  id: string;
  sort_value: string | number;
}

const ON_HAND = (s: string) => `(${s}.available + ${s}.reserved + ${s}.committed + ${s}.damaged + ${s}.quality_control + ${s}.safety_stock - ${s}.oversold)`;
const LEVEL_EXPR: Record<'on_hand' | 'available' | 'committed' | 'incoming' | 'oversold', (s: string) => string> = {
  on_hand: ON_HAND,
  available: (s) => `${s}.available`,
  committed: (s) => `${s}.committed`,
  incoming: (s) => `${s}.incoming`,
  oversold: (s) => `${s}.oversold`,
};
type LevelNumber = keyof typeof LEVEL_EXPR;

/** Escape LIKE's wildcards so a search for "50%" finds "50%", not everything. */
export const likeContains = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The ids of one page of items, in order, with the value each was sorted by. One row more than
 * `limit` is read so the caller knows whether there is a next page.
 */
export async function listItemPage(db: Db, ws: string, q: ItemListQuery): Promise<ItemListRow[]> {
  const atLocation = q.locationId !== undefined;
  // At a location the level is joined (an item with no level there is not listed). In total, a
  // sort or filter by a number joins the workspace's levels summed per item in one pass (an
  // item with no level has zeros); a text sort without one walks the items index alone.
  // (PostgreSQL hash-aggregates the levels once; SQLite does better with a correlated sum per
  // item through stock_levels (item_id, location_id) than materialising and indexing the sums.)
  const byNumber = (NUMERIC_ITEM_SORTS.has(q.sort) || q.stock !== undefined) && db.dialect === 'postgres';
  const num = (n: LevelNumber) =>
    atLocation ? LEVEL_EXPR[n]('s') : db.dialect === 'postgres' ? `COALESCE(t.${n}, 0)` : `(SELECT COALESCE(SUM(${LEVEL_EXPR[n]('l')}), 0) FROM stock_levels l WHERE l.item_id = i.id)`;
  const sortExpr: Record<ItemSort, string> = {
    id: 'i.id',
    sku: 'i.sku',
    name: 'i.name',
    kind: 'i.kind',
    barcode: "COALESCE(i.barcode, '')",
    on_hand: num('on_hand'),
    available: num('available'),
    committed: num('committed'),
    incoming: num('incoming'),
  };
  const where: string[] = ['i.workspace_id = ?'];
  const params: Param[] = [];
  let from = 'items i';
  if (atLocation) {
    from = 'items i JOIN stock_levels s ON s.item_id = i.id AND s.location_id = ?';
    params.push(q.locationId!);
  } else if (byNumber) {
    const sums = (Object.keys(LEVEL_EXPR) as LevelNumber[]).map((n) => `SUM(${LEVEL_EXPR[n]('l')}) AS ${n}`).join(', ');
    from = `items i LEFT JOIN (SELECT l.item_id, ${sums} FROM stock_levels l WHERE l.workspace_id = ? GROUP BY l.item_id) t ON t.item_id = i.id`;
    params.push(ws);
  }
  params.push(ws);
  if (q.archived === 'exclude') (where.push('i.archived = ?'), params.push(false));
  if (q.archived === 'only') (where.push('i.archived = ?'), params.push(true));
  if (q.kind) (where.push('i.kind = ?'), params.push(q.kind));
  if (q.productId) (where.push('i.product_id = ?'), params.push(q.productId));
  if (q.search) {
    const like = likeContains(q.search);
    where.push("(lower(i.sku) LIKE ? ESCAPE '\\' OR lower(i.name) LIKE ? ESCAPE '\\' OR i.barcode LIKE ? ESCAPE '\\')");
    params.push(like, like, like);
  }
  if (q.stock === 'in_stock') where.push(`${num('available')} > 0`);
  if (q.stock === 'out_of_stock') where.push(`${num('available')} <= 0`);
  if (q.stock === 'oversold') where.push(`${num('oversold')} > 0`);
  if (q.stock === 'low_stock') {
    // Low: available at or below the level's low_stock threshold (docs/alerts.md), at the chosen
    // location or at any location of the item.
    where.push(
      atLocation
        ? 'EXISTS (SELECT 1 FROM alert_thresholds a WHERE a.item_id = i.id AND a.location_id = s.location_id AND a.low_stock IS NOT NULL AND s.available <= a.low_stock)'
        : `EXISTS (SELECT 1 FROM alert_thresholds a LEFT JOIN stock_levels t ON t.item_id = a.item_id AND t.location_id = a.location_id
             WHERE a.item_id = i.id AND a.low_stock IS NOT NULL AND COALESCE(t.available, 0) <= a.low_stock)`,
    );
  }
  const expr = sortExpr[q.sort];
  const cmp = q.desc ? '<' : '>';
  const dir = q.desc ? 'DESC' : 'ASC';
  // SKUs are unique in a workspace, ids everywhere: those sorts need no tie-break (and so walk
  // their unique index without a sort).
  const unique = q.sort === 'id' || q.sort === 'sku';
  // At a location a number and the tie-break are both the level's, so PostgreSQL filters the
  // location's levels by the cursor before it joins and sorts them.
  const id = atLocation && NUMERIC_ITEM_SORTS.has(q.sort) ? 's.item_id' : 'i.id';
  if (q.after) {
    if (unique) (where.push(`${expr} ${cmp} ?`), params.push(q.after.value));
    else (where.push(`(${expr}, ${id}) ${cmp} (?, ?)`), params.push(q.after.value, q.after.id));
  }
  const order = unique ? `${expr} ${dir}` : `${expr} ${dir}, ${id} ${dir}`;
  const rows = await db.all<ItemListRow>(`SELECT i.id, ${expr} AS sort_value FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`, [...params, q.limit + 1]);
  return rows.map((r) => ({ id: r.id, sort_value: NUMERIC_ITEM_SORTS.has(q.sort) ? Number(r.sort_value) : r.sort_value }));
}

/** These items (of this workspace), by id: one primary-key lookup each. */
export async function itemsOfPage(db: Db, ws: string, ids: string[]): Promise<Map<string, Item>> {
  if (ids.length === 0) return new Map();
  // Not `workspace_id = ? AND id IN (…)`: without statistics SQLite may walk a (workspace_id, …)
  // index over the whole workspace instead of looking the ids up.
  const rows = await db.all<Parameters<typeof itemFromRow>[0]>(`SELECT * FROM items WHERE id IN (${placeholders(ids.length)})`, ids);
  return new Map(rows.filter((r) => r.workspace_id === ws).map((r) => [r.id, itemFromRow(r)]));
}

export interface ItemNumbers {
  on_hand: number;
  available: number;
  committed: number;
  incoming: number;
  oversold: number;
  /** Available at or below a low_stock threshold at some location (the chosen one, at a location). */
  low_stock: boolean;
}

/** The numbers of these items, summed over their levels or at one location. */
export async function itemNumbers(db: Db, itemIds: string[], locationId?: string): Promise<Map<string, ItemNumbers>> {
  const out = new Map<string, ItemNumbers>(itemIds.map((id) => [id, { on_hand: 0, available: 0, committed: 0, incoming: 0, oversold: 0, low_stock: false }]));
  if (itemIds.length === 0) return out;
  const at = locationId === undefined ? '' : ' AND s.location_id = ?';
  const atParams = locationId === undefined ? [] : [locationId];
  const sums = await db.all<Record<LevelNumber, number | string> & { item_id: string }>(
    `SELECT s.item_id, ${(Object.keys(LEVEL_EXPR) as LevelNumber[]).map((n) => `SUM(${LEVEL_EXPR[n]('s')}) AS ${n}`).join(', ')}
     FROM stock_levels s WHERE s.item_id IN (${placeholders(itemIds.length)})${at} GROUP BY s.item_id`,
    [...itemIds, ...atParams],
  );
  for (const r of sums) {
    const n = out.get(r.item_id)!;
    for (const k of Object.keys(LEVEL_EXPR) as LevelNumber[]) n[k] = Number(r[k] ?? 0);
  }
  const low = await db.all<{ item_id: string }>(
    `SELECT DISTINCT a.item_id FROM alert_thresholds a LEFT JOIN stock_levels s ON s.item_id = a.item_id AND s.location_id = a.location_id
     WHERE a.item_id IN (${placeholders(itemIds.length)}) AND a.low_stock IS NOT NULL AND COALESCE(s.available, 0) <= a.low_stock${locationId === undefined ? '' : ' AND a.location_id = ?'}`,
    [...itemIds, ...atParams],
  );
  for (const r of low) out.get(r.item_id)!.low_stock = true;
  return out;
}

/** Ids of holds with a line of this item, newest first, after `before` (a hold id) when given. */
export async function holdIdsOfItem(db: Db, ws: string, itemId: string, opts: { before?: string; limit: number }): Promise<string[]> {
  const params: Param[] = [ws, itemId];
  let where = 'h.workspace_id = ? AND h.id IN (SELECT l.hold_id FROM hold_lines l WHERE l.item_id = ?)';
  if (opts.before) (where += ' AND h.id < ?'), params.push(opts.before);
  const rows = await db.all<{ id: string }>(`SELECT h.id FROM holds h WHERE ${where} ORDER BY h.id DESC LIMIT ?`, [...params, opts.limit]);
  return rows.map((r) => r.id);
}
