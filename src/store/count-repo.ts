// SQL for cycle counts: the count, its snapshotted lines, the counters' entries, the on_hand
// of the levels being counted, and the workspace's variance thresholds.

import { onHand } from '../domain/buckets.ts';
import type { CountDocument, CountEntry, CountLine, CountScope, CountState, VarianceThresholds } from '../domain/count-rules.ts';
import { type LevelRow, levelFromRow } from './ledger-repo.ts';
import { chunk, type Db, insertRows, type Param, placeholders } from './store.ts';

interface CountRow {
  id: string;
  workspace_id: string;
  number: string;
  location_id: string;
  location_code: string;
  scope: CountScope;
  zones: string | null;
  blind: boolean | number;
  state: CountState;
  approved_by: string | null;
  created_at: number;
  updated_at: number;
  posted_at: number | null;
}

const n = (v: unknown) => Number(v);

function countFromRow(r: CountRow, lines: CountLine[]): CountDocument {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    number: r.number,
    locationId: r.location_id,
    location: r.location_code,
    scope: r.scope,
    zones: r.zones === null ? null : (JSON.parse(r.zones) as string[]),
    blind: Boolean(r.blind),
    state: r.state,
    approvedBy: r.approved_by,
    createdAt: n(r.created_at),
    updatedAt: n(r.updated_at),
    postedAt: r.posted_at === null ? null : n(r.posted_at),
    lines,
  };
}

const SELECT_COUNT = `SELECT c.*, l.code AS location_code FROM counts c JOIN locations l ON l.id = c.location_id`;

async function linesOf(db: Db, countIds: string[]): Promise<Map<string, CountLine[]>> {
  const out = new Map<string, CountLine[]>();
  if (countIds.length === 0) return out;
  const lines = await db.all<{ count_id: string; item_id: string; sku: string; snapshot: number }>(
    `SELECT cl.count_id, cl.item_id, i.sku, cl.snapshot FROM count_lines cl JOIN items i ON i.id = cl.item_id
     WHERE cl.count_id IN (${placeholders(countIds.length)}) ORDER BY cl.count_id, i.sku`,
    countIds,
  );
  const entries = await db.all<{ count_id: string; item_id: string; entry_no: number; counter: string; counted: number; expected: number; actor: string; created_at: number }>(
    `SELECT count_id, item_id, entry_no, counter, counted, expected, actor, created_at FROM count_entries
     WHERE count_id IN (${placeholders(countIds.length)}) ORDER BY count_id, entry_no`,
    countIds,
  );
  const byLine = new Map<string, CountEntry[]>();
  for (const e of entries) {
    const key = `${e.count_id}|${e.item_id}`;
    byLine.set(key, [...(byLine.get(key) ?? []), { entryNo: n(e.entry_no), counter: e.counter, counted: n(e.counted), expected: n(e.expected), actor: e.actor, createdAt: n(e.created_at) }]);
  }
  for (const l of lines) {
    const line: CountLine = { itemId: l.item_id, sku: l.sku, snapshot: n(l.snapshot), entries: byLine.get(`${l.count_id}|${l.item_id}`) ?? [] };
    out.set(l.count_id, [...(out.get(l.count_id) ?? []), line]);
  }
  return out;
}

/** Read a count by id or number, with its lines and entries; with `lock`, lock its row for the transaction. */
export async function getCount(db: Db, workspaceId: string, id: string, lock = false): Promise<CountDocument | undefined> {
  const row = await db.get<CountRow>(`${SELECT_COUNT} WHERE c.workspace_id = ? AND (c.id = ? OR c.number = ?)${lock && db.dialect === 'postgres' ? ' FOR UPDATE OF c' : ''}`, [workspaceId, id, id]);
  if (!row) return undefined;
  return countFromRow(row, (await linesOf(db, [row.id])).get(row.id) ?? []);
}

export async function listCounts(db: Db, workspaceId: string, opts: { state?: CountState; after?: string; limit: number }): Promise<CountDocument[]> {
  const where = ['c.workspace_id = ?'];
  const params: Param[] = [workspaceId];
  if (opts.state) (where.push('c.state = ?'), params.push(opts.state));
  if (opts.after) (where.push('c.id > ?'), params.push(opts.after));
  const rows = await db.all<CountRow>(`${SELECT_COUNT} WHERE ${where.join(' AND ')} ORDER BY c.id LIMIT ?`, [...params, opts.limit]);
  // A list shows headers only: a count's lines can run to thousands.
  return rows.map((r) => countFromRow(r, []));
}

export async function insertCount(db: Db, c: CountDocument): Promise<void> {
  await insertRows(db, 'counts', ['id', 'workspace_id', 'number', 'location_id', 'scope', 'zones', 'blind', 'state', 'approved_by', 'created_at', 'updated_at', 'posted_at'], [
    [c.id, c.workspaceId, c.number, c.locationId, c.scope, c.zones === null ? null : JSON.stringify(c.zones), c.blind, c.state, c.approvedBy, c.createdAt, c.updatedAt, c.postedAt],
  ]);
  await insertRows(db, 'count_lines', ['count_id', 'item_id', 'snapshot'], c.lines.map((l) => [c.id, l.itemId, l.snapshot]));
}

export async function writeCountState(db: Db, c: Pick<CountDocument, 'id' | 'state' | 'approvedBy' | 'updatedAt' | 'postedAt'>): Promise<void> {
  await db.run(`UPDATE counts SET state = ?, approved_by = ?, updated_at = ?, posted_at = ? WHERE id = ?`, [c.state, c.approvedBy, c.updatedAt, c.postedAt, c.id]);
}

export async function insertEntries(db: Db, countId: string, rows: (CountEntry & { id: string; itemId: string })[]): Promise<void> {
  await insertRows(db, 'count_entries', ['id', 'count_id', 'item_id', 'entry_no', 'counter', 'counted', 'expected', 'actor', 'created_at'],
    rows.map((e) => [e.id, countId, e.itemId, e.entryNo, e.counter, e.counted, e.expected, e.actor, e.createdAt]));
}

export async function lastEntryNo(db: Db, countId: string): Promise<number> {
  return n((await db.get<{ m: number | null }>(`SELECT MAX(entry_no) AS m FROM count_entries WHERE count_id = ?`, [countId]))?.m ?? 0);
}

/**
 * on_hand of standard items' levels at a location: all of them, those in some zones, or some
 * items. With `lock`, the level rows are locked (in id order, like the ledger's) so the number
 * read is the one the ledger holds until the transaction ends.
 */
export async function onHandAt(
  db: Db,
  workspaceId: string,
  locationId: string,
  filter: { zones?: string[]; itemIds?: string[] },
  lock = false,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const query = async (extra: string, params: Param[]) => {
    const rows = await db.all<LevelRow>(
      `SELECT s.* FROM stock_levels s JOIN items i ON i.id = s.item_id
       WHERE s.workspace_id = ? AND s.location_id = ? AND i.kind = 'standard'${extra} ORDER BY s.id${lock && db.dialect === 'postgres' ? ' FOR UPDATE OF s' : ''}`,
      [workspaceId, locationId, ...params],
    );
    for (const r of rows) out.set(r.item_id, onHand(levelFromRow(r).balances));
  };
  if (filter.itemIds) {
    for (const part of chunk([...new Set(filter.itemIds)], 5_000)) await query(` AND s.item_id IN (${placeholders(part.length)})`, part);
  } else if (filter.zones) {
    if (filter.zones.length > 0) await query(` AND s.zone IN (${placeholders(filter.zones.length)})`, filter.zones);
  } else await query('', []);
  return out;
}

export async function getThresholds(db: Db, workspaceId: string): Promise<VarianceThresholds> {
  const row = await db.get<{ u: number | null; p: number | null }>(
    `SELECT count_variance_units_max AS u, count_variance_percent_max AS p FROM workspaces WHERE id = ?`,
    [workspaceId],
  );
  return { unitsMax: row?.u == null ? null : n(row.u), percentMax: row?.p == null ? null : n(row.p) };
}

export async function setThresholds(db: Db, workspaceId: string, t: VarianceThresholds): Promise<void> {
  await db.run(`UPDATE workspaces SET count_variance_units_max = ?, count_variance_percent_max = ? WHERE id = ?`, [t.unitsMax, t.percentMax, workspaceId]);
}

/** The id of the count with this number, for people who type numbers rather than ids. */
export async function countIdByNumber(db: Db, workspaceId: string, number: string): Promise<string | undefined> {
  return (await db.get<{ id: string }>(`SELECT id FROM counts WHERE workspace_id = ? AND number = ?`, [workspaceId, number]))?.id;
}
