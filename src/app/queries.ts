// Read use-cases: stock across locations, ledger history, holds, exceptions.

import { type Balances, zeroBalances } from '../domain/buckets.ts';
import { TruestockError } from '../domain/errors.ts';
import type { HoldState, Item } from '../domain/model.ts';
import { getItem, getItemBySku, itemsById, locationsByCode, locationsById } from '../store/catalog-repo.ts';
import { getHold, levelFromRow, listHolds } from '../store/ledger-repo.ts';
import * as q from '../store/query-repo.ts';
import type { Db } from '../store/store.ts';
import { balancesView, holdView, iso, itemView } from './views.ts';
import { withActorNames } from './audit-view.ts';

/** Largest page a list returns. */
export const PAGE_LIMIT_MAX = 500;
export const PAGE_LIMIT_DEFAULT = 50;

export const encodeCursor = (v: string | number) => Buffer.from(String(v)).toString('base64url');
const CURSOR_VALUE_PATTERN = /^[\w.:-]{1,200}$/;
const badCursor = () => TruestockError.of('validation_failed', 'cursor is not one this list returned', 'cursor');

/** The id or sequence number a cursor stands for. A forged cursor is the client's mistake, not a database error. */
export function decodeCursor(c: string): string {
  const value = Buffer.from(c, 'base64url').toString();
  if (!CURSOR_VALUE_PATTERN.test(value)) throw badCursor();
  return value;
}

function decodeSeqCursor(c: string): number {
  const seq = Number(decodeCursor(c));
  if (!Number.isSafeInteger(seq) || seq < 0) throw badCursor();
  return seq;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** A page of `rows` fetched with `limit`: a full page has a cursor to the next, made from its last row. */
export function page<R, T>(rows: R[], limit: number, cursorOf: (last: R) => string | number, view: (row: R) => T): Page<T> {
  return { data: rows.map(view), next_cursor: rows.length === limit ? encodeCursor(cursorOf(rows[rows.length - 1]!)) : null };
}

export async function itemStock(db: Db, workspaceId: string, item: Item) {
  const rows = await q.levelsOfItem(db, workspaceId, item.id);
  const total: Balances = zeroBalances();
  const locations = rows.map((r) => {
    const b = levelFromRow(r).balances;
    for (const k of Object.keys(total) as (keyof Balances)[]) total[k] += b[k];
    return { location: r.code, ...balancesView(b), updated_at: iso(Number(r.updated_at)) };
  });
  return { item: itemView(item), locations, total: balancesView(total) };
}

export async function stockBySku(db: Db, workspaceId: string, sku: string) {
  const item = await getItemBySku(db, workspaceId, sku);
  return item ? itemStock(db, workspaceId, item) : undefined;
}

export async function stockByItemId(db: Db, workspaceId: string, id: string) {
  const item = await getItem(db, workspaceId, id);
  return item ? itemStock(db, workspaceId, item) : undefined;
}

export interface MovementQuery {
  sku?: string;
  location?: string;
  reference?: string;
  reason?: string;
  command?: string;
  since?: string;
  until?: string;
  cursor?: string;
  limit?: number;
}

/** Ledger history, newest first. An unknown SKU or location yields an empty page, not an error. */
export async function movements(db: Db, workspaceId: string, query: MovementQuery) {
  const limit = Math.min(query.limit ?? PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX);
  let itemId: string | undefined;
  let locationId: string | undefined;
  if (query.sku !== undefined) itemId = (await getItemBySku(db, workspaceId, query.sku))?.id ?? '-';
  if (query.location !== undefined) locationId = (await locationsByCode(db, workspaceId, [query.location]))[0]?.id ?? '-';
  const rows = await q.listMovements(db, workspaceId, {
    ...(itemId ? { itemId } : {}),
    ...(locationId ? { locationId } : {}),
    ...(query.reference ? { reference: query.reference } : {}),
    ...(query.reason ? { reason: query.reason } : {}),
    ...(query.command ? { command: query.command } : {}),
    ...(query.since ? { sinceMs: Date.parse(query.since) } : {}),
    ...(query.until ? { untilMs: Date.parse(query.until) } : {}),
    ...(query.cursor ? { beforeSeq: decodeSeqCursor(query.cursor) } : {}),
    limit,
  });
  const out = page(rows, limit, (m) => Number(m.seq), movementRowView);
  return { ...out, data: await withActorNames(db, workspaceId, out.data) };
}

/** A movement read with its SKU and location code (any list of them: history, a document's). */
export function movementRowView(m: Omit<q.MovementListRow, 'seq' | 'quantity' | 'created_at' | 'item_id' | 'location_id' | 'hold_id'> & { quantity: number | string; created_at: number | string; hold_id?: string | null }) {
  return {
    id: m.id,
    sku: m.sku,
    location: m.code,
    from: m.from_account,
    to: m.to_account,
    quantity: Number(m.quantity),
    command: m.command,
    reason: m.reason,
    reference: m.reference,
    note: m.note,
    ...(m.hold_id !== undefined ? { hold_id: m.hold_id } : {}),
    actor: m.actor,
    created_at: iso(Number(m.created_at)),
  };
}

async function holdCatalog(db: Db, workspaceId: string, holds: { lines: { itemId: string; locationId: string; bundleItemId: string | null }[] }[]) {
  const lines = holds.flatMap((h) => h.lines);
  const items = new Map((await itemsById(db, workspaceId, lines.flatMap((l) => (l.bundleItemId ? [l.itemId, l.bundleItemId] : [l.itemId])))).map((i) => [i.id, i]));
  const locations = new Map((await locationsById(db, workspaceId, lines.map((l) => l.locationId))).map((l) => [l.id, l]));
  return { item: (id: string) => items.get(id), location: (id: string) => locations.get(id) };
}

export async function holds(db: Db, workspaceId: string, query: { state?: HoldState; cursor?: string; limit?: number }) {
  const limit = Math.min(query.limit ?? PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX);
  const rows = await listHolds(db, workspaceId, {
    ...(query.state ? { state: query.state } : {}),
    ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
    limit,
  });
  const catalog = await holdCatalog(db, workspaceId, rows);
  return page(rows, limit, (h) => h.id, (h) => holdView(h, catalog));
}

export async function hold(db: Db, workspaceId: string, id: string) {
  const h = await getHold(db, workspaceId, id);
  return h ? holdView(h, await holdCatalog(db, workspaceId, [h])) : undefined;
}

// Exceptions: src/app/exceptions.ts.
