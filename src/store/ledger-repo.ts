// SQL for the ledger: stock levels, movements, holds, exceptions and idempotency records.
// Writes are multi-row statements so that a batch of commands costs a few round trips, not a
// few per command.

import { type Balances, BUCKETS } from '../domain/buckets.ts';
import { ringFenceReference } from '../domain/hold-rules.ts';
import type { ExceptionDraft, Hold, HoldLine, HoldState, StockLevel } from '../domain/model.ts';
import { raiseExceptions } from './exception-repo.ts';
import { chunk, type Db, insertRows, type Param, placeholders } from './store.ts';

/** Items per locking statement. */
const LOCK_CHUNK_ITEMS = 5_000;

/** The balance columns of a stock level: one per bucket, and the oversold debt. */
export const LEVEL_COLUMNS = [...BUCKETS, 'oversold'] as const satisfies readonly (keyof Balances)[];

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
  await insertRows(db, 'stock_levels', ['id', 'workspace_id', 'item_id', 'location_id', 'updated_at'], rows.map((r) => [r.id, r.workspaceId, r.itemId, r.locationId, now]), ' ON CONFLICT (item_id, location_id) DO NOTHING');
}

/**
 * Lock and read the stock levels of these items at these locations (a superset of the pairs a
 * batch names is fine). Rows are locked in id order so concurrent batches never deadlock.
 */
export async function lockLevels(db: Db, workspaceId: string, itemIds: string[], locationIds: string[]): Promise<StockLevel[]> {
  if (itemIds.length === 0 || locationIds.length === 0) return [];
  // Chunks keep each statement under the bound-parameter limits; ids are sorted, so chunks lock in order.
  const out: StockLevel[] = [];
  for (const part of chunk(itemIds, LOCK_CHUNK_ITEMS)) {
    const rows = await db.all<LevelRow>(
      `SELECT * FROM stock_levels WHERE workspace_id = ? AND item_id IN (${placeholders(part.length)})
       AND location_id IN (${placeholders(locationIds.length)}) ORDER BY id${db.forUpdate}`,
      [workspaceId, ...part, ...locationIds],
    );
    out.push(...rows.map(levelFromRow));
  }
  return out;
}

/** Remove empty levels (ones a batch created and no command used). */
export async function deleteLevels(db: Db, ids: string[]): Promise<void> {
  for (const part of chunk(ids, LOCK_CHUNK_ITEMS)) await db.run(`DELETE FROM stock_levels WHERE id IN (${placeholders(part.length)})`, part);
}

export async function writeLevels(db: Db, levels: StockLevel[]): Promise<void> {
  const values = (l: StockLevel) => [...LEVEL_COLUMNS.map((c) => l.balances[c]), l.updatedAt];
  if (db.dialect === 'sqlite') {
    await db.runEach(`UPDATE stock_levels SET ${LEVEL_COLUMNS.map((c) => `${c} = ?`).join(', ')}, updated_at = ? WHERE id = ?`, levels.map((l) => [...values(l), l.id]));
    return;
  }
  // Over the network one statement per batch matters; an upsert is a multi-row update. The rows
  // exist and are locked, so it always takes the update branch.
  await insertRows(
    db,
    'stock_levels',
    ['id', 'workspace_id', 'item_id', 'location_id', ...LEVEL_COLUMNS, 'updated_at'],
    levels.map((l) => [l.id, l.workspaceId, l.itemId, l.locationId, ...values(l)]),
    ` ON CONFLICT (id) DO UPDATE SET ${[...LEVEL_COLUMNS, 'updated_at'].map((c) => `${c} = excluded.${c}`).join(', ')}`,
  );
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

const MOVEMENT_COLUMNS = ['id', 'workspace_id', 'item_id', 'location_id', 'from_account', 'to_account', 'quantity', 'command', 'reason', 'reference', 'note', 'hold_id', 'actor', 'created_at'];

export async function insertMovements(db: Db, rows: MovementRow[]): Promise<void> {
  await insertRows(db, 'movements', MOVEMENT_COLUMNS, rows.map((m) => [
    m.id, m.workspaceId, m.itemId, m.locationId, m.from, m.to, m.quantity, m.command, m.reason, m.reference, m.note, m.holdId, m.actor, m.createdAt,
  ]));
}

interface HoldRow {
  id: string;
  workspace_id: string;
  state: HoldState;
  reference: string | null;
  order_reference: string | null;
  channel_id: string | null;
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
  bundle_item_id: string | null;
}

function holdFromRows(h: HoldRow, lines: HoldLineRow[]): Hold {
  return {
    id: h.id,
    workspaceId: h.workspace_id,
    state: h.state,
    reference: h.reference,
    orderReference: h.order_reference,
    channelId: h.channel_id,
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
        bundleItemId: l.bundle_item_id,
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

/** Holds by id, without locking (reads for views and the orders module), in id order. */
export async function holdsByIds(db: Db, workspaceId: string, ids: readonly string[]): Promise<Hold[]> {
  const out: Hold[] = [];
  const unique = [...new Set(ids)].sort();
  for (let i = 0; i < unique.length; i += HOLD_IDS_PER_STATEMENT_MAX) {
    const part = unique.slice(i, i + HOLD_IDS_PER_STATEMENT_MAX);
    out.push(...(await holdsWithLines(db, await db.all<HoldRow>(`SELECT * FROM holds WHERE workspace_id = ? AND id IN (${placeholders(part.length)}) ORDER BY id`, [workspaceId, ...part]))));
  }
  return out;
}
/** Ids per IN list in `holdsByIds`. */
const HOLD_IDS_PER_STATEMENT_MAX = 500;

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
  await insertRows(
    db,
    'holds',
    ['id', 'workspace_id', 'state', 'reference', 'order_reference', 'channel_id', 'expires_at', 'created_at', 'updated_at'],
    holds.map((h) => [h.id, h.workspaceId, h.state, h.reference, h.orderReference, h.channelId, h.expiresAt, h.createdAt, h.updatedAt]),
    ` ON CONFLICT (id) DO UPDATE SET state = excluded.state, order_reference = excluded.order_reference,
       expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
  );
  // Lines are fixed when a hold is made; afterwards `shipped` changes, and a ring-fence line
  // shrinks as its channel's orders draw on it (a line drawn to zero is deleted).
  const row = (h: Hold, l: HoldLine) => [h.id, l.lineNo, l.itemId, l.locationId, l.quantity, l.shipped, l.oversold, l.bundleItemId];
  const columns = ['hold_id', 'line_no', 'item_id', 'location_id', 'quantity', 'shipped', 'oversold', 'bundle_item_id'];
  const kept = (h: Hold) => h.lines.filter((l) => l.quantity > 0).map((l) => row(h, l));
  await insertRows(db, 'hold_lines', columns, holds.filter((h) => newHoldIds.has(h.id)).flatMap(kept));
  const changed = holds.filter((h) => !newHoldIds.has(h.id));
  await insertRows(db, 'hold_lines', columns, changed.flatMap(kept), ' ON CONFLICT (hold_id, line_no) DO UPDATE SET shipped = excluded.shipped, quantity = excluded.quantity');
  for (const h of changed) {
    for (const l of h.lines) if (l.quantity === 0) await db.run('DELETE FROM hold_lines WHERE hold_id = ? AND line_no = ?', [h.id, l.lineNo]);
  }
}

/**
 * Active ring-fence holds of these channels with a line for one of these SKUs, or for a
 * component of one: an order from a fenced channel draws on them (hold ids, in id order).
 */
export async function ringFenceHoldIds(db: Db, workspaceId: string, channelIds: string[], skus: string[]): Promise<string[]> {
  if (channelIds.length === 0 || skus.length === 0) return [];
  const refs = channelIds.map(ringFenceReference);
  const rows = await db.all<{ id: string }>(
    `SELECT DISTINCT h.id FROM holds h JOIN hold_lines hl ON hl.hold_id = h.id
     WHERE h.workspace_id = ? AND h.reference LIKE 'ringfence:%' AND h.reference IN (${placeholders(refs.length)}) AND h.state = 'active'
       AND hl.item_id IN (
         SELECT id FROM items WHERE workspace_id = ? AND sku IN (${placeholders(skus.length)})
         UNION SELECT c.component_id FROM item_components c JOIN items b ON b.id = c.item_id WHERE b.workspace_id = ? AND b.sku IN (${placeholders(skus.length)}))
     ORDER BY h.id`,
    [workspaceId, ...refs, workspaceId, ...skus, workspaceId, ...skus],
  );
  return rows.map((r) => r.id);
}

/** Raise the ledger's exceptions: one unresolved per condition (exception-repo.ts). */
export async function insertExceptions(db: Db, rows: (ExceptionDraft & { id: string; workspaceId: string; createdAt: number })[]): Promise<void> {
  await raiseExceptions(db, rows);
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
  await insertRows(db, 'idempotency_keys', ['workspace_id', 'key', 'fingerprint', 'status', 'response', 'created_at'], rows.map((r) => [r.workspaceId, r.key, r.fingerprint, r.status, r.response, r.createdAt]));
}

/** Delete up to `limit` idempotency records older than `before`, oldest first; returns how many. */
export async function pruneIdempotency(db: Db, before: number, limit: number): Promise<number> {
  return db.run(
    `DELETE FROM idempotency_keys WHERE (workspace_id, key) IN (
       SELECT workspace_id, key FROM idempotency_keys WHERE created_at < ? ORDER BY created_at LIMIT ?)`,
    [before, limit],
  );
}
