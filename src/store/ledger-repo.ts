// SQL for the ledger: stock levels, movements, holds, exceptions and idempotency records.
// Writes are multi-row statements so that a batch of commands costs a few round trips, not a
// few per command.

import type { Balances } from '../domain/buckets.ts';
import type { ExceptionDraft, Hold, HoldLine, HoldState, StockLevel } from '../domain/model.ts';
import { chunk, type Db, type Param, PARAMS_PER_STATEMENT_MAX, placeholders, valuesList } from './store.ts';

export const LEVEL_COLUMNS = [
  'available',
  'reserved',
  'committed',
  'damaged',
  'quality_control',
  'safety_stock',
  'incoming',
  'oversold',
] as const satisfies readonly (keyof Balances)[];

export interface LevelRow extends Balances {
  id: string;
  workspace_id: string;
  item_id: string;
  location_id: string;
  updated_at: number;
}

export function levelFromRow(r: LevelRow): StockLevel {
  const balances = {} as Balances;
  for (const c of LEVEL_COLUMNS) balances[c] = Number(r[c]);
  return { id: r.id, workspaceId: r.workspace_id, itemId: r.item_id, locationId: r.location_id, balances, updatedAt: Number(r.updated_at) };
}

/** Insert empty stock levels that do not exist yet, so they can be locked like the others. */
export async function ensureLevels(
  db: Db,
  rows: { id: string; workspaceId: string; itemId: string; locationId: string }[],
  now: number,
): Promise<void> {
  for (const part of chunk(rows, 500)) {
    const params: Param[] = part.flatMap((r) => [r.id, r.workspaceId, r.itemId, r.locationId, now]);
    await db.run(
      `INSERT INTO stock_levels (id, workspace_id, item_id, location_id, updated_at) VALUES ${valuesList(part.length, 5)}
       ON CONFLICT (item_id, location_id) DO NOTHING`,
      params,
    );
  }
}

/**
 * Lock and read the stock levels of these items at these locations (a superset of the pairs a
 * batch names is fine). Rows are locked in id order so concurrent batches never deadlock.
 */
export async function lockLevels(db: Db, workspaceId: string, itemIds: string[], locationIds: string[]): Promise<StockLevel[]> {
  if (itemIds.length === 0 || locationIds.length === 0) return [];
  const rows = await db.all<LevelRow>(
    `SELECT * FROM stock_levels WHERE workspace_id = ? AND item_id IN (${placeholders(itemIds.length)})
     AND location_id IN (${placeholders(locationIds.length)}) ORDER BY id${db.forUpdate}`,
    [workspaceId, ...itemIds, ...locationIds],
  );
  return rows.map(levelFromRow);
}

export async function writeLevels(db: Db, levels: StockLevel[]): Promise<void> {
  if (db.dialect === 'sqlite') {
    // In-process, one prepared single-row UPDATE per level is cheaper than a multi-row upsert.
    const sql = `UPDATE stock_levels SET ${LEVEL_COLUMNS.map((c) => `${c} = ?`).join(', ')}, updated_at = ? WHERE id = ?`;
    for (const l of levels) await db.run(sql, [...LEVEL_COLUMNS.map((c) => l.balances[c]), l.updatedAt, l.id]);
    return;
  }
  const cols = ['id', 'workspace_id', 'item_id', 'location_id', ...LEVEL_COLUMNS, 'updated_at'];
  const rowsPerStatement = Math.floor(PARAMS_PER_STATEMENT_MAX / cols.length);
  for (const part of chunk(levels, rowsPerStatement)) {
    const params: Param[] = part.flatMap((l) => [
      l.id, l.workspaceId, l.itemId, l.locationId, ...LEVEL_COLUMNS.map((c) => l.balances[c]), l.updatedAt,
    ]);
    // Over the network one statement per batch matters more; an upsert is the multi-row update
    // both dialects share. The rows exist and are locked, so it always updates.
    await db.run(
      `INSERT INTO stock_levels (${cols.join(', ')}) VALUES ${valuesList(part.length, cols.length)}
       ON CONFLICT (id) DO UPDATE SET ${[...LEVEL_COLUMNS, 'updated_at'].map((c) => `${c} = excluded.${c}`).join(', ')}`,
      params,
    );
  }
}

export interface MovementRow {
  id: string;
  workspaceId: string;
  itemId: string;
  locationId: string;
  from: string;
  to: string;
  quantity: number;
  command: string;
  reason: string | null;
  reference: string | null;
  note: string | null;
  holdId: string | null;
  actor: string;
  createdAt: number;
}

const MOVEMENT_COLUMNS = 14;

export async function insertMovements(db: Db, rows: MovementRow[]): Promise<void> {
  for (const part of chunk(rows, Math.floor(PARAMS_PER_STATEMENT_MAX / MOVEMENT_COLUMNS))) {
    const params: Param[] = part.flatMap((m) => [
      m.id, m.workspaceId, m.itemId, m.locationId, m.from, m.to, m.quantity, m.command, m.reason, m.reference, m.note, m.holdId, m.actor, m.createdAt,
    ]);
    await db.run(
      `INSERT INTO movements (id, workspace_id, item_id, location_id, from_account, to_account, quantity, command, reason, reference, note, hold_id, actor, created_at)
       VALUES ${valuesList(part.length, MOVEMENT_COLUMNS)}`,
      params,
    );
  }
}

interface HoldRow {
  id: string;
  workspace_id: string;
  state: HoldState;
  reference: string | null;
  order_reference: string | null;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
}
interface HoldLineRow {
  hold_id: string;
  line_no: number;
  item_id: string;
  location_id: string;
  quantity: number;
  shipped: number;
  oversold: number;
}

function holdFromRows(h: HoldRow, lines: HoldLineRow[]): Hold {
  return {
    id: h.id,
    workspaceId: h.workspace_id,
    state: h.state,
    reference: h.reference,
    orderReference: h.order_reference,
    expiresAt: h.expires_at === null ? null : Number(h.expires_at),
    createdAt: Number(h.created_at),
    updatedAt: Number(h.updated_at),
    lines: lines
      .map((l): HoldLine => ({
        lineNo: Number(l.line_no),
        itemId: l.item_id,
        locationId: l.location_id,
        quantity: Number(l.quantity),
        shipped: Number(l.shipped),
        oversold: Number(l.oversold),
      }))
      .sort((a, b) => a.lineNo - b.lineNo),
  };
}

async function holdsWithLines(db: Db, rows: HoldRow[]): Promise<Hold[]> {
  if (rows.length === 0) return [];
  const lines = await db.all<HoldLineRow>(
    `SELECT * FROM hold_lines WHERE hold_id IN (${placeholders(rows.length)})`,
    rows.map((r) => r.id),
  );
  const byHold = new Map<string, HoldLineRow[]>();
  for (const l of lines) byHold.set(l.hold_id, [...(byHold.get(l.hold_id) ?? []), l]);
  return rows.map((r) => holdFromRows(r, byHold.get(r.id) ?? []));
}

/** Lock and read holds by id (in id order). Holds of another workspace are not found. */
export async function lockHolds(db: Db, workspaceId: string, ids: string[]): Promise<Hold[]> {
  if (ids.length === 0) return [];
  const rows = await db.all<HoldRow>(
    `SELECT * FROM holds WHERE workspace_id = ? AND id IN (${placeholders(ids.length)}) ORDER BY id${db.forUpdate}`,
    [workspaceId, ...ids],
  );
  return holdsWithLines(db, rows);
}

export async function getHold(db: Db, workspaceId: string, id: string): Promise<Hold | undefined> {
  const row = await db.get<HoldRow>('SELECT * FROM holds WHERE workspace_id = ? AND id = ?', [workspaceId, id]);
  return row ? (await holdsWithLines(db, [row]))[0] : undefined;
}

/** Holds in id order after the cursor, optionally of one state. */
export async function listHolds(db: Db, workspaceId: string, opts: { state?: HoldState; after?: string; limit: number }): Promise<Hold[]> {
  const where = ['workspace_id = ?'];
  const params: Param[] = [workspaceId];
  if (opts.state) (where.push('state = ?'), params.push(opts.state));
  if (opts.after) (where.push('id > ?'), params.push(opts.after));
  const rows = await db.all<HoldRow>(`SELECT * FROM holds WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`, [...params, opts.limit]);
  return holdsWithLines(db, rows);
}

/** Active holds whose time is up, oldest first, across workspaces (for the sweeper). */
export async function dueHolds(db: Db, now: number, limit: number): Promise<{ id: string; workspace_id: string; expires_at: number }[]> {
  return db.all(
    `SELECT id, workspace_id, expires_at FROM holds WHERE state = 'active' AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
    [now, limit],
  );
}

export async function writeHolds(db: Db, holds: Hold[], newHoldIds: ReadonlySet<string>): Promise<void> {
  for (const part of chunk(holds, 1_000)) {
    const params: Param[] = part.flatMap((h) => [h.id, h.workspaceId, h.state, h.reference, h.orderReference, h.expiresAt, h.createdAt, h.updatedAt]);
    await db.run(
      `INSERT INTO holds (id, workspace_id, state, reference, order_reference, expires_at, created_at, updated_at)
       VALUES ${valuesList(part.length, 8)}
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, order_reference = excluded.order_reference,
         expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
      params,
    );
  }
  // Lines are fixed when a hold is made; afterwards only `shipped` changes.
  const lines = holds.flatMap((h) => h.lines.map((l) => ({ h, l })));
  for (const part of chunk(lines, 2_000)) {
    const params: Param[] = part.flatMap(({ h, l }) => [h.id, l.lineNo, l.itemId, l.locationId, l.quantity, l.shipped, l.oversold]);
    const onConflict = part.every(({ h }) => newHoldIds.has(h.id)) ? '' : ' ON CONFLICT (hold_id, line_no) DO UPDATE SET shipped = excluded.shipped';
    await db.run(
      `INSERT INTO hold_lines (hold_id, line_no, item_id, location_id, quantity, shipped, oversold) VALUES ${valuesList(part.length, 7)}${onConflict}`,
      params,
    );
  }
}

export async function insertExceptions(db: Db, rows: (ExceptionDraft & { id: string; workspaceId: string; createdAt: number })[]): Promise<void> {
  for (const part of chunk(rows, 1_000)) {
    const params: Param[] = part.flatMap((e) => [
      e.id, e.workspaceId, e.kind, e.itemId, e.locationId, e.quantity, e.reference, e.holdId, e.message, e.createdAt, e.createdAt,
    ]);
    await db.run(
      `INSERT INTO exceptions (id, workspace_id, kind, item_id, location_id, quantity, reference, hold_id, message, created_at, updated_at)
       VALUES ${valuesList(part.length, 11)}`,
      params,
    );
  }
}

export interface IdempotencyRecord {
  key: string;
  fingerprint: string;
  status: number;
  response: string;
}

export async function loadIdempotency(db: Db, workspaceId: string, keys: string[]): Promise<IdempotencyRecord[]> {
  if (keys.length === 0) return [];
  return db.all<IdempotencyRecord>(
    `SELECT key, fingerprint, status, response FROM idempotency_keys WHERE workspace_id = ? AND key IN (${placeholders(keys.length)})`,
    [workspaceId, ...keys],
  );
}

export async function insertIdempotency(db: Db, rows: (IdempotencyRecord & { workspaceId: string; createdAt: number })[]): Promise<void> {
  for (const part of chunk(rows, 2_000)) {
    const params: Param[] = part.flatMap((r) => [r.workspaceId, r.key, r.fingerprint, r.status, r.response, r.createdAt]);
    await db.run(`INSERT INTO idempotency_keys (workspace_id, key, fingerprint, status, response, created_at) VALUES ${valuesList(part.length, 6)}`, params);
  }
}
