// The Items list (GET /v1/items): items with their numbers, filtered, searched, sorted by any
// column and paged by a cursor that names the sort it belongs to. Without `sort` the list is the
// one it always was: by id, with the id as the cursor.

import { TruestockError } from '../domain/errors.ts';
import type { ItemKind } from '../domain/model.ts';
import { getItemBySku, itemsById, locationsByCode, locationsById } from '../store/catalog-repo.ts';
import { getHold } from '../store/ledger-repo.ts';
import { holdIdsOfItem, type ItemListQuery, itemNumbers, itemsOfPage, type ItemSort, type ItemStockFilter, listItemPage, NUMERIC_ITEM_SORTS } from '../store/item-list-repo.ts';
import type { Db } from '../store/store.ts';
import { decodeCursor, encodeCursor, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, type Page } from './queries.ts';
import { holdView, itemView } from './views.ts';

/** Longest search text: longer than any SKU, name or barcode is pointless. */
export const ITEM_SEARCH_LENGTH_MAX = 200;
/** Longest text sort value a cursor may carry (names are at most this long). */
const CURSOR_TEXT_LENGTH_MAX = 1_000;
const ID_PATTERN = /^[\w.:-]{1,200}$/;

export interface ItemListParams {
  cursor?: string;
  limit?: number;
  include_archived?: boolean;
  archived?: boolean;
  sort?: ItemSort;
  order?: 'asc' | 'desc';
  location?: string;
  kind?: ItemKind;
  product?: string;
  stock?: ItemStockFilter;
  q?: string;
}

const badCursor = () => TruestockError.of('validation_failed', 'cursor is not one this list returned for this sort and order', 'cursor');

interface SortCursor {
  sort: ItemSort;
  desc: boolean;
  value: string | number;
  id: string;
}

export function encodeSortCursor(c: SortCursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.desc ? 'desc' : 'asc', c.value, c.id])).toString('base64url');
}

/** A cursor of a sorted list; one of another sort or order, or forged, is the client's mistake. */
export function decodeSortCursor(text: string, sort: ItemSort, desc: boolean): SortCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString());
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw badCursor();
  const [s, d, value, id] = parsed as unknown[];
  if (s !== sort || d !== (desc ? 'desc' : 'asc') || typeof id !== 'string' || !ID_PATTERN.test(id)) throw badCursor();
  if (NUMERIC_ITEM_SORTS.has(sort) ? !Number.isSafeInteger(value) : typeof value !== 'string' || value.length > CURSOR_TEXT_LENGTH_MAX) throw badCursor();
  return { sort, desc, value: value as string | number, id };
}

export async function listItemsWithNumbers(db: Db, ws: string, p: ItemListParams) {
  const limit = Math.min(p.limit ?? PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX);
  const sort = p.sort ?? 'id';
  const desc = p.order === 'desc';
  let locationId: string | undefined;
  if (p.location !== undefined) {
    const [loc] = await locationsByCode(db, ws, [p.location]);
    if (!loc) throw TruestockError.of('validation_failed', `no location ${p.location} in this workspace`, 'location');
    locationId = loc.id;
  }
  if (p.archived !== undefined && p.include_archived !== undefined) {
    throw TruestockError.of('validation_failed', 'send archived (true: only archived, false: none) or include_archived, not both', 'archived');
  }
  const search = p.q?.trim().toLowerCase();
  let after: ItemListQuery['after'];
  if (p.cursor) {
    // The list by id keeps its original cursor (the id itself), so old clients page as before.
    if (sort === 'id') {
      const id = decodeCursor(p.cursor);
      after = { value: id, id };
    } else {
      const c = decodeSortCursor(p.cursor, sort, desc);
      after = { value: c.value, id: c.id };
    }
  }
  const query: ItemListQuery = {
    sort,
    desc,
    limit,
    archived: p.archived === true ? 'only' : p.archived === false || !p.include_archived ? 'exclude' : 'include',
    ...(after ? { after } : {}),
    ...(locationId ? { locationId } : {}),
    ...(p.kind ? { kind: p.kind } : {}),
    ...(p.product ? { productId: p.product } : {}),
    ...(p.stock ? { stock: p.stock } : {}),
    ...(search ? { search } : {}),
  };
  const rows = await listItemPage(db, ws, query);
  const shown = rows.slice(0, limit);
  const items = await itemsOfPage(db, ws, shown.map((r) => r.id));
  const numbers = await itemNumbers(db, shown.map((r) => r.id), locationId);
  const last = shown[shown.length - 1];
  const next = rows.length > limit && last ? (sort === 'id' ? encodeCursor(last.id) : encodeSortCursor({ sort, desc, value: last.sort_value, id: last.id })) : null;
  return {
    ...(p.location !== undefined ? { location: p.location } : {}),
    data: shown.flatMap((r) => {
      const item = items.get(r.id);
      // An item archived or renamed between the two reads is still listed as it now is.
      return item ? [{ ...itemView(item), stock: numbers.get(r.id)! }] : [];
    }),
    next_cursor: next,
  };
}

/** Holds with a line of this SKU, newest first; undefined when there is no such item. */
export async function holdsOfSku(db: Db, ws: string, sku: string, query: { cursor?: string; limit?: number }): Promise<Page<ReturnType<typeof holdView>> | undefined> {
  const item = await getItemBySku(db, ws, sku);
  if (!item) return undefined;
  const limit = Math.min(query.limit ?? PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX);
  const ids = await holdIdsOfItem(db, ws, item.id, { limit, ...(query.cursor ? { before: decodeCursor(query.cursor) } : {}) });
  const holds = [];
  for (const id of ids) {
    const h = await getHold(db, ws, id);
    if (h) holds.push(h);
  }
  const lines = holds.flatMap((h) => h.lines);
  const itemMap = new Map((await itemsById(db, ws, lines.flatMap((l) => (l.bundleItemId ? [l.itemId, l.bundleItemId] : [l.itemId])))).map((i) => [i.id, i]));
  const locMap = new Map((await locationsById(db, ws, lines.map((l) => l.locationId))).map((l) => [l.id, l]));
  const catalog = { item: (id: string) => itemMap.get(id), location: (id: string) => locMap.get(id) };
  return { data: holds.map((h) => holdView(h, catalog)), next_cursor: ids.length === limit ? encodeCursor(ids[ids.length - 1]!) : null };
}
