// SQL for purchase orders and transfers: headers, lines, numbers. A document step locks its
// header row (`FOR UPDATE` on PostgreSQL; SQLite's write transaction locks the whole file) before
// reading the lines, so two receipts against the same document never interleave.

import type { LocationFacts } from '../domain/purchase-order-rules.ts';
import type { PoLine, PurchaseOrderState } from '../domain/purchase-order-rules.ts';
import type { TransferLine, TransferState } from '../domain/transfer-rules.ts';
import { type Db, insertRows, type Param, placeholders } from './store.ts';

export interface PurchaseOrderRecord extends PurchaseOrderState {
  id: string;
  workspaceId: string;
  supplier: string;
  note: string | null;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
}

export interface TransferRecord extends TransferState {
  id: string;
  workspaceId: string;
  note: string | null;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
}

interface PoRow {
  id: string;
  workspace_id: string;
  number: string;
  supplier: string;
  location_id: string;
  state: 'open' | 'closed';
  note: string | null;
  close_reason: string | null;
  created_at: number | string;
  updated_at: number | string;
  closed_at: number | string | null;
}

interface TransferRow {
  id: string;
  workspace_id: string;
  number: string;
  from_location_id: string;
  to_location_id: string;
  state: 'in_transit' | 'closed';
  eta: number | string | null;
  note: string | null;
  created_at: number | string;
  updated_at: number | string;
  closed_at: number | string | null;
}

const num = (v: number | string) => Number(v);
const numOrNull = (v: number | string | null) => (v === null ? null : Number(v));

async function locationFacts(db: Db, workspaceId: string, ids: string[]): Promise<Map<string, LocationFacts>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.all<{ id: string; code: string; requires_inspection: boolean | number }>(
    `SELECT id, code, requires_inspection FROM locations WHERE workspace_id = ? AND id IN (${placeholders(unique.length)})`,
    [workspaceId, ...unique],
  );
  return new Map(rows.map((r) => [r.id, { id: r.id, code: r.code, requiresInspection: Boolean(r.requires_inspection) }]));
}

// ---------------------------------------------------------------------------------------------
// Purchase orders
// ---------------------------------------------------------------------------------------------

async function poLines(db: Db, ids: string[]): Promise<Map<string, PoLine[]>> {
  const out = new Map<string, PoLine[]>();
  if (ids.length === 0) return out;
  const rows = await db.all<{ purchase_order_id: string; line_no: number; item_id: string; sku: string; requires_inspection: boolean | number; ordered: number | string; received_good: number | string; received_damaged: number | string; eta: number | string | null }>(
    `SELECT l.*, i.sku, i.requires_inspection FROM purchase_order_lines l JOIN items i ON i.id = l.item_id
     WHERE l.purchase_order_id IN (${placeholders(ids.length)}) ORDER BY l.purchase_order_id, l.line_no`,
    ids,
  );
  for (const r of rows) {
    const list = out.get(r.purchase_order_id) ?? [];
    list.push({
      lineNo: Number(r.line_no),
      itemId: r.item_id,
      sku: r.sku,
      requiresInspection: Boolean(r.requires_inspection),
      ordered: num(r.ordered),
      receivedGood: num(r.received_good),
      receivedDamaged: num(r.received_damaged),
      eta: numOrNull(r.eta),
    });
    out.set(r.purchase_order_id, list);
  }
  return out;
}

async function purchaseOrdersFromRows(db: Db, workspaceId: string, rows: PoRow[]): Promise<PurchaseOrderRecord[]> {
  const lines = await poLines(db, rows.map((r) => r.id));
  const locations = await locationFacts(db, workspaceId, rows.map((r) => r.location_id));
  return rows.map((r) => ({
    id: r.id,
    workspaceId: r.workspace_id,
    number: r.number,
    supplier: r.supplier,
    state: r.state,
    location: locations.get(r.location_id)!,
    closeReason: r.close_reason,
    note: r.note,
    lines: lines.get(r.id) ?? [],
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    closedAt: numOrNull(r.closed_at),
  }));
}

/**
 * A purchase order by id or by number, with its lines. With `lock`, the header row is locked
 * for the rest of the transaction.
 */
export async function findPurchaseOrder(db: Db, workspaceId: string, idOrNumber: string, lock = false): Promise<PurchaseOrderRecord | undefined> {
  const row = await db.get<PoRow>(
    `SELECT * FROM purchase_orders WHERE workspace_id = ? AND (id = ? OR number = ?)${lock ? db.forUpdate : ''}`,
    [workspaceId, idOrNumber, idOrNumber],
  );
  return row ? (await purchaseOrdersFromRows(db, workspaceId, [row]))[0] : undefined;
}

/** Purchase orders in id (creation) order after the cursor, optionally of one state. */
export async function listPurchaseOrders(db: Db, workspaceId: string, opts: { state?: string; after?: string; limit: number }): Promise<PurchaseOrderRecord[]> {
  const where = ['workspace_id = ?'];
  const params: Param[] = [workspaceId];
  if (opts.state) (where.push('state = ?'), params.push(opts.state));
  if (opts.after) (where.push('id > ?'), params.push(opts.after));
  const rows = await db.all<PoRow>(`SELECT * FROM purchase_orders WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`, [...params, opts.limit]);
  return purchaseOrdersFromRows(db, workspaceId, rows);
}

export async function insertPurchaseOrder(db: Db, po: PurchaseOrderRecord): Promise<void> {
  await insertRows(db, 'purchase_orders', ['id', 'workspace_id', 'number', 'supplier', 'location_id', 'state', 'note', 'close_reason', 'created_at', 'updated_at', 'closed_at'], [
    [po.id, po.workspaceId, po.number, po.supplier, po.location.id, po.state, po.note, po.closeReason, po.createdAt, po.updatedAt, po.closedAt],
  ]);
  await insertRows(db, 'purchase_order_lines', ['purchase_order_id', 'line_no', 'item_id', 'ordered', 'received_good', 'received_damaged', 'eta'],
    po.lines.map((l) => [po.id, l.lineNo, l.itemId, l.ordered, l.receivedGood, l.receivedDamaged, l.eta]));
}

/** Write a purchase order's state and received quantities after a step. Lines never change otherwise. */
export async function updatePurchaseOrder(db: Db, po: PurchaseOrderRecord): Promise<void> {
  await db.run('UPDATE purchase_orders SET state = ?, close_reason = ?, updated_at = ?, closed_at = ? WHERE id = ?', [po.state, po.closeReason, po.updatedAt, po.closedAt, po.id]);
  await db.runEach('UPDATE purchase_order_lines SET received_good = ?, received_damaged = ? WHERE purchase_order_id = ? AND line_no = ?',
    po.lines.map((l) => [l.receivedGood, l.receivedDamaged, po.id, l.lineNo]));
}

// ---------------------------------------------------------------------------------------------
// Transfers
// ---------------------------------------------------------------------------------------------

async function transferLines(db: Db, ids: string[]): Promise<Map<string, TransferLine[]>> {
  const out = new Map<string, TransferLine[]>();
  if (ids.length === 0) return out;
  const rows = await db.all<{ transfer_id: string; line_no: number; item_id: string; sku: string; requires_inspection: boolean | number; shipped: number | string; received: number | string; damaged: number | string; lost: number | string }>(
    `SELECT l.*, i.sku, i.requires_inspection FROM transfer_lines l JOIN items i ON i.id = l.item_id
     WHERE l.transfer_id IN (${placeholders(ids.length)}) ORDER BY l.transfer_id, l.line_no`,
    ids,
  );
  for (const r of rows) {
    const list = out.get(r.transfer_id) ?? [];
    list.push({
      lineNo: Number(r.line_no),
      itemId: r.item_id,
      sku: r.sku,
      requiresInspection: Boolean(r.requires_inspection),
      shipped: num(r.shipped),
      received: num(r.received),
      damaged: num(r.damaged),
      lost: num(r.lost),
    });
    out.set(r.transfer_id, list);
  }
  return out;
}

async function transfersFromRows(db: Db, workspaceId: string, rows: TransferRow[]): Promise<TransferRecord[]> {
  const lines = await transferLines(db, rows.map((r) => r.id));
  const locations = await locationFacts(db, workspaceId, rows.flatMap((r) => [r.from_location_id, r.to_location_id]));
  return rows.map((r) => ({
    id: r.id,
    workspaceId: r.workspace_id,
    number: r.number,
    state: r.state,
    from: locations.get(r.from_location_id)!,
    to: locations.get(r.to_location_id)!,
    eta: numOrNull(r.eta),
    note: r.note,
    lines: lines.get(r.id) ?? [],
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    closedAt: numOrNull(r.closed_at),
  }));
}

/** A transfer by id or by number, with its lines; with `lock`, the header row is locked. */
export async function findTransfer(db: Db, workspaceId: string, idOrNumber: string, lock = false): Promise<TransferRecord | undefined> {
  const row = await db.get<TransferRow>(
    `SELECT * FROM transfers WHERE workspace_id = ? AND (id = ? OR number = ?)${lock ? db.forUpdate : ''}`,
    [workspaceId, idOrNumber, idOrNumber],
  );
  return row ? (await transfersFromRows(db, workspaceId, [row]))[0] : undefined;
}

export async function listTransfers(db: Db, workspaceId: string, opts: { state?: string; after?: string; limit: number }): Promise<TransferRecord[]> {
  const where = ['workspace_id = ?'];
  const params: Param[] = [workspaceId];
  if (opts.state) (where.push('state = ?'), params.push(opts.state));
  if (opts.after) (where.push('id > ?'), params.push(opts.after));
  const rows = await db.all<TransferRow>(`SELECT * FROM transfers WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`, [...params, opts.limit]);
  return transfersFromRows(db, workspaceId, rows);
}

export async function insertTransfer(db: Db, tr: TransferRecord): Promise<void> {
  await insertRows(db, 'transfers', ['id', 'workspace_id', 'number', 'from_location_id', 'to_location_id', 'state', 'eta', 'note', 'created_at', 'updated_at', 'closed_at'], [
    [tr.id, tr.workspaceId, tr.number, tr.from.id, tr.to.id, tr.state, tr.eta, tr.note, tr.createdAt, tr.updatedAt, tr.closedAt],
  ]);
  await insertRows(db, 'transfer_lines', ['transfer_id', 'line_no', 'item_id', 'shipped', 'received', 'damaged', 'lost'],
    tr.lines.map((l) => [tr.id, l.lineNo, l.itemId, l.shipped, l.received, l.damaged, l.lost]));
}

export async function updateTransfer(db: Db, tr: TransferRecord): Promise<void> {
  await db.run('UPDATE transfers SET state = ?, updated_at = ?, closed_at = ? WHERE id = ?', [tr.state, tr.updatedAt, tr.closedAt, tr.id]);
  await db.runEach('UPDATE transfer_lines SET received = ?, damaged = ?, lost = ? WHERE transfer_id = ? AND line_no = ?',
    tr.lines.map((l) => [l.received, l.damaged, l.lost, tr.id, l.lineNo]));
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

/** Tables of numbered warehouse documents. */
export type DocumentTable = 'purchase_orders' | 'transfers' | 'returns' | 'counts';

export async function numberTaken(db: Db, table: DocumentTable, workspaceId: string, number: string): Promise<boolean> {
  return (await db.get(`SELECT 1 AS taken FROM ${table} WHERE workspace_id = ? AND number = ?`, [workspaceId, number])) !== undefined;
}

/** Digits in a generated number: `PO-000123`. */
export const GENERATED_NUMBER_DIGITS = 6;

/**
 * The next generated number, `PREFIX-000124` after the highest `PREFIX-<digits>` in use. Numbers
 * clients chose in another shape are skipped; the unique index catches any race.
 */
export async function nextNumber(db: Db, table: DocumentTable, workspaceId: string, prefix: string): Promise<string> {
  const rows = await db.all<{ number: string }>(
    `SELECT number FROM ${table} WHERE workspace_id = ? AND number LIKE ? ORDER BY LENGTH(number) DESC, number DESC LIMIT 100`,
    [workspaceId, `${prefix}-%`],
  );
  const pattern = new RegExp(`^${prefix}-(\\d+)$`);
  let highest = 0;
  for (const r of rows) {
    const m = pattern.exec(r.number);
    if (m) highest = Math.max(highest, Number(m[1]));
  }
  let n = highest + 1;
  for (;;) {
    const candidate = `${prefix}-${String(n).padStart(GENERATED_NUMBER_DIGITS, '0')}`;
    if (!(await numberTaken(db, table, workspaceId, candidate))) return candidate;
    n++;
  }
}

// ---------------------------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------------------------

export interface DocumentMovementRow {
  seq: number | string;
  id: string;
  sku: string;
  code: string;
  from_account: string;
  to_account: string;
  quantity: number | string;
  command: string;
  reason: string | null;
  reference: string | null;
  note: string | null;
  actor: string;
  created_at: number | string;
}

/**
 * The movements a document's own steps posted, oldest first. Filtered by the steps' command
 * names as well as the reference, so an order that happens to share the document's number does
 * not show up in its history.
 */
export async function documentMovements(db: Db, workspaceId: string, reference: string, commands: readonly string[], opts: { afterSeq?: number; limit: number }): Promise<DocumentMovementRow[]> {
  return db.all<DocumentMovementRow>(
    `SELECT m.seq, m.id, i.sku, l.code, m.from_account, m.to_account, m.quantity, m.command, m.reason, m.reference, m.note, m.actor, m.created_at
     FROM movements m JOIN items i ON i.id = m.item_id JOIN locations l ON l.id = m.location_id
     WHERE m.workspace_id = ? AND m.reference = ? AND m.command IN (${placeholders(commands.length)}) AND m.seq > ?
     ORDER BY m.seq LIMIT ?`,
    [workspaceId, reference, ...commands, opts.afterSeq ?? 0, opts.limit],
  );
}
