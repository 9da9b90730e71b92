// SQL for customer returns and their lines.

import type { ReturnDocument, ReturnLine, ReturnState } from '../domain/return-rules.ts';
import { type Db, insertRows, type Param } from './store.ts';

interface ReturnRow {
  id: string;
  workspace_id: string;
  number: string;
  channel_id: string | null;
  order_reference: string | null;
  location_id: string;
  location_code: string;
  state: ReturnState;
  note: string | null;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
}

interface LineRow {
  return_id: string;
  line_no: number;
  item_id: string;
  sku: string;
  expected: number;
  received: number;
  restocked: number;
  damaged: number;
  written_off: number;
  returned_to_vendor: number;
  skip_return_inspection: boolean | number;
}

const n = (v: unknown) => Number(v);

function lineFromRow(r: LineRow): ReturnLine {
  return {
    lineNo: n(r.line_no),
    itemId: r.item_id,
    sku: r.sku,
    expected: n(r.expected),
    received: n(r.received),
    restocked: n(r.restocked),
    damaged: n(r.damaged),
    writtenOff: n(r.written_off),
    returnedToVendor: n(r.returned_to_vendor),
    skipInspection: Boolean(r.skip_return_inspection),
  };
}

function returnFromRow(r: ReturnRow, lines: ReturnLine[]): ReturnDocument {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    number: r.number,
    channelId: r.channel_id,
    orderReference: r.order_reference,
    locationId: r.location_id,
    location: r.location_code,
    state: r.state,
    note: r.note,
    createdAt: n(r.created_at),
    updatedAt: n(r.updated_at),
    closedAt: r.closed_at === null ? null : n(r.closed_at),
    lines,
  };
}

const SELECT_RETURN = `SELECT r.*, l.code AS location_code FROM returns r JOIN locations l ON l.id = r.location_id`;

async function linesOf(db: Db, returnIds: string[]): Promise<Map<string, ReturnLine[]>> {
  const out = new Map<string, ReturnLine[]>();
  if (returnIds.length === 0) return out;
  const rows = await db.all<LineRow>(
    `SELECT rl.*, i.sku, i.skip_return_inspection FROM return_lines rl JOIN items i ON i.id = rl.item_id
     WHERE rl.return_id IN (${returnIds.map(() => '?').join(', ')}) ORDER BY rl.return_id, rl.line_no`,
    returnIds,
  );
  for (const r of rows) out.set(r.return_id, [...(out.get(r.return_id) ?? []), lineFromRow(r)]);
  return out;
}

/** Read a return by id or number; with `lock`, lock its row for the rest of the transaction. */
export async function getReturn(db: Db, workspaceId: string, id: string, lock = false): Promise<ReturnDocument | undefined> {
  // `FOR UPDATE OF r`: lock the return, not the location row it is joined with.
  const row = await db.get<ReturnRow>(`${SELECT_RETURN} WHERE r.workspace_id = ? AND (r.id = ? OR r.number = ?)${lock && db.dialect === 'postgres' ? ' FOR UPDATE OF r' : ''}`, [workspaceId, id, id]);
  if (!row) return undefined;
  return returnFromRow(row, (await linesOf(db, [row.id])).get(row.id) ?? []);
}

export async function listReturns(db: Db, workspaceId: string, opts: { state?: ReturnState; after?: string; limit: number }): Promise<ReturnDocument[]> {
  const where = ['r.workspace_id = ?'];
  const params: Param[] = [workspaceId];
  if (opts.state) (where.push('r.state = ?'), params.push(opts.state));
  if (opts.after) (where.push('r.id > ?'), params.push(opts.after));
  const rows = await db.all<ReturnRow>(`${SELECT_RETURN} WHERE ${where.join(' AND ')} ORDER BY r.id LIMIT ?`, [...params, opts.limit]);
  const lines = await linesOf(db, rows.map((r) => r.id));
  return rows.map((r) => returnFromRow(r, lines.get(r.id) ?? []));
}

export async function insertReturn(db: Db, r: ReturnDocument): Promise<void> {
  await insertRows(db, 'returns', ['id', 'workspace_id', 'number', 'channel_id', 'order_reference', 'location_id', 'state', 'note', 'created_at', 'updated_at', 'closed_at'], [
    [r.id, r.workspaceId, r.number, r.channelId, r.orderReference, r.locationId, r.state, r.note, r.createdAt, r.updatedAt, r.closedAt],
  ]);
  await insertRows(db, 'return_lines', ['return_id', 'line_no', 'item_id', 'expected', 'received', 'restocked', 'damaged', 'written_off', 'returned_to_vendor'],
    r.lines.map((l) => [r.id, l.lineNo, l.itemId, l.expected, l.received, l.restocked, l.damaged, l.writtenOff, l.returnedToVendor]));
}

/** Write a return's state and line tallies after a step. */
export async function writeReturn(db: Db, r: ReturnDocument): Promise<void> {
  await db.run(`UPDATE returns SET state = ?, updated_at = ?, closed_at = ? WHERE id = ?`, [r.state, r.updatedAt, r.closedAt, r.id]);
  await db.runEach(
    `UPDATE return_lines SET received = ?, restocked = ?, damaged = ?, written_off = ?, returned_to_vendor = ? WHERE return_id = ? AND line_no = ?`,
    r.lines.map((l) => [l.received, l.restocked, l.damaged, l.writtenOff, l.returnedToVendor, r.id, l.lineNo]),
  );
}

/** The id of the return with this number, for people who type numbers rather than ids. */
export async function returnIdByNumber(db: Db, workspaceId: string, number: string): Promise<string | undefined> {
  return (await db.get<{ id: string }>(`SELECT id FROM returns WHERE workspace_id = ? AND number = ?`, [workspaceId, number]))?.id;
}
