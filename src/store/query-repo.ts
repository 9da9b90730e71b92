// Read-side SQL: stock across locations, ledger history, exceptions, and the sums `verify`
// compares with stored balances.

import { exceptionResolved } from './alert-repo.ts';
import { type Db, type Param, placeholders } from './store.ts';
import { type LevelRow } from './ledger-repo.ts';

export async function levelsOfItem(db: Db, workspaceId: string, itemId: string): Promise<(LevelRow & { code: string })[]> {
  return db.all(
    `SELECT s.*, l.code FROM stock_levels s JOIN locations l ON l.id = s.location_id
     WHERE s.workspace_id = ? AND s.item_id = ? ORDER BY l.code`,
    [workspaceId, itemId],
  );
}

export interface MovementFilter {
  itemId?: string;
  locationId?: string;
  reference?: string;
  reason?: string;
  command?: string;
  sinceMs?: number;
  untilMs?: number;
  /** Only movements older than this sequence number (cursor, newest first). */
  beforeSeq?: number;
  limit: number;
}

export interface MovementListRow {
  seq: number;
  id: string;
  sku: string;
  code: string;
  from_account: string;
  to_account: string;
  quantity: number;
  command: string;
  reason: string | null;
  reference: string | null;
  note: string | null;
  hold_id: string | null;
  actor: string;
  created_at: number;
  item_id: string;
  location_id: string;
}

export async function listMovements(db: Db, workspaceId: string, f: MovementFilter): Promise<MovementListRow[]> {
  const where = ['m.workspace_id = ?'];
  const params: Param[] = [workspaceId];
  const add = (sql: string, v: Param | undefined) => {
    if (v !== undefined) (where.push(sql), params.push(v));
  };
  add('m.item_id = ?', f.itemId);
  add('m.location_id = ?', f.locationId);
  add('m.reference = ?', f.reference);
  add('m.reason = ?', f.reason);
  add('m.command = ?', f.command);
  add('m.created_at >= ?', f.sinceMs);
  add('m.created_at < ?', f.untilMs);
  add('m.seq < ?', f.beforeSeq);
  return db.all(
    `SELECT m.*, i.sku, l.code FROM movements m JOIN items i ON i.id = m.item_id JOIN locations l ON l.id = m.location_id
     WHERE ${where.join(' AND ')} ORDER BY m.seq DESC LIMIT ?`,
    [...params, f.limit],
  );
}

export interface ExceptionRow {
  id: string;
  kind: string;
  state: string;
  sku: string | null;
  code: string | null;
  quantity: number | null;
  reference: string | null;
  hold_id: string | null;
  message: string;
  created_at: number;
  channel_id: string | null;
  channel_name: string | null;
  /** The listing it is about, when its reference is one. */
  listing_id: string | null;
  assignee: string | null;
  assignee_id: string | null;
  acknowledged_at: number | null;
  resolved_at: number | null;
  resolution: string | null;
  occurrences: number;
  last_seen_at: number | null;
  updated_at: number;
  debt: number | null;
  resolution_kind: string | null;
  resolved_by: string | null;
  settled_by_movement_id: string | null;
}

export interface ExceptionFilter {
  state?: string;
  kind?: string;
  sku?: string;
  location?: string;
  /** A channel id: the channel of the exception's hold (an order) or listing (a dead letter). */
  channel?: string;
  /** Only exceptions raised before this time (ms). */
  createdBefore?: number;
  /** A user id (or, for exceptions assigned before owners were users, the name given). */
  owner?: string;
  after?: string;
  limit: number;
}

// The channel an exception concerns: its own (a channel's condition), the hold's (an order it came
// from) or the listing's (a dead letter, a drift).
const EXCEPTION_CHANNEL = 'COALESCE(e.channel_id, h.channel_id, ls.channel_id)';
const EXCEPTION_SELECT = `SELECT e.*, i.sku, l.code, ${EXCEPTION_CHANNEL} AS channel_id, ch.name AS channel_name, ls.id AS listing_id FROM exceptions e
  LEFT JOIN items i ON i.id = e.item_id LEFT JOIN locations l ON l.id = e.location_id
  LEFT JOIN holds h ON h.id = e.hold_id LEFT JOIN listings ls ON ls.id = e.reference
  LEFT JOIN channels ch ON ch.id = ${EXCEPTION_CHANNEL}`;

export async function listExceptions(db: Db, workspaceId: string, opts: ExceptionFilter): Promise<ExceptionRow[]> {
  const where = ['e.workspace_id = ?'];
  const params: Param[] = [workspaceId];
  if (opts.state) (where.push('e.state = ?'), params.push(opts.state));
  if (opts.kind) (where.push('e.kind = ?'), params.push(opts.kind));
  if (opts.sku) (where.push('i.sku = ?'), params.push(opts.sku));
  if (opts.location) (where.push('l.code = ?'), params.push(opts.location));
  if (opts.channel) (where.push(`${EXCEPTION_CHANNEL} = ?`), params.push(opts.channel));
  if (opts.owner) (where.push('(e.assignee_id = ? OR (e.assignee_id IS NULL AND e.assignee = ?))'), params.push(opts.owner, opts.owner));
  if (opts.createdBefore !== undefined) (where.push('e.created_at <= ?'), params.push(opts.createdBefore));
  if (opts.after) (where.push('e.id > ?'), params.push(opts.after));
  return db.all(`${EXCEPTION_SELECT} WHERE ${where.join(' AND ')} ORDER BY e.id LIMIT ?`, [...params, opts.limit]);
}

export async function getException(db: Db, workspaceId: string, id: string): Promise<ExceptionRow | undefined> {
  return db.get(`${EXCEPTION_SELECT} WHERE e.workspace_id = ? AND e.id = ?`, [workspaceId, id]);
}

/** Move an exception along its workflow; only the named fields change. */
export async function updateException(db: Db, workspaceId: string, id: string, set: { state?: string; assignee?: string; assignee_id?: string; acknowledged_at?: number; resolved_at?: number; resolution?: string; resolution_kind?: string; resolved_by?: string }, now: number): Promise<void> {
  const cols = Object.keys(set);
  const wasOpen = set.state === 'resolved' && (await db.get("SELECT 1 AS x FROM exceptions WHERE workspace_id = ? AND id = ? AND state <> 'resolved'", [workspaceId, id])) !== undefined;
  await db.run(`UPDATE exceptions SET ${cols.map((c) => `${c} = ?`).join(', ')}, updated_at = ? WHERE workspace_id = ? AND id = ?`, [...Object.values(set), now, workspaceId, id]);
  if (wasOpen) await exceptionResolved(db, id, now);
}

/** Net units into each internal account of each stock level, summed over the whole ledger. */
export async function ledgerTotals(db: Db, workspaceId: string): Promise<{ item_id: string; location_id: string; account: string; net: number }[]> {
  return db.all(
    `SELECT item_id, location_id, account, SUM(q) AS net FROM (
       SELECT item_id, location_id, to_account AS account, quantity AS q FROM movements WHERE workspace_id = ?
       UNION ALL
       SELECT item_id, location_id, from_account AS account, -quantity AS q FROM movements WHERE workspace_id = ?
     ) t GROUP BY item_id, location_id, account`,
    [workspaceId, workspaceId],
  );
}

/** Units held by active holds (reserved) and open allocations (committed), per stock level. */
export async function holdTotals(db: Db, workspaceId: string): Promise<{ item_id: string; location_id: string; state: string; units: number }[]> {
  return db.all(
    `SELECT hl.item_id, hl.location_id, h.state, SUM(hl.quantity - hl.shipped) AS units
     FROM hold_lines hl JOIN holds h ON h.id = hl.hold_id
     WHERE h.workspace_id = ? AND h.state IN ('active', 'allocated')
     GROUP BY hl.item_id, hl.location_id, h.state`,
    [workspaceId],
  );
}

export async function allLevels(db: Db, workspaceId: string): Promise<LevelRow[]> {
  return db.all('SELECT * FROM stock_levels WHERE workspace_id = ?', [workspaceId]);
}

/** Documents (purchase order, transfer, return, count) of this workspace numbered so, for links. */
export async function documentsByNumber(db: Db, workspaceId: string, numbers: string[]): Promise<Map<string, { kind: 'purchase_order' | 'transfer' | 'return' | 'count'; id: string }>> {
  const out = new Map<string, { kind: 'purchase_order' | 'transfer' | 'return' | 'count'; id: string }>();
  if (numbers.length === 0) return out;
  for (const [table, kind] of [['purchase_orders', 'purchase_order'], ['transfers', 'transfer'], ['returns', 'return'], ['counts', 'count']] as const) {
    const rows = await db.all<{ id: string; number: string }>(`SELECT id, number FROM ${table} WHERE workspace_id = ? AND number IN (${placeholders(numbers.length)})`, [workspaceId, ...numbers]);
    for (const r of rows) if (!out.has(r.number)) out.set(r.number, { kind, id: r.id });
  }
  return out;
}
