// SQL for orders (the orders module's own tables: orders, order_lines, order_holds,
// order_shipments, order_numbers). Nothing else writes them.

import type { Order, OrderHoldLink, OrderLine, OrderSource, OrderState, ServiceLevel } from '../domain/order-rules.ts';
import { chunk, type Db, insertRows, type Param, PARAMS_PER_STATEMENT_MAX, placeholders, valuesList } from './store.ts';

interface OrderRow {
  id: string;
  workspace_id: string;
  number: number | string;
  channel_id: string | null;
  channel_reference: string | null;
  order_reference: string;
  source: OrderSource;
  state: OrderState;
  service_level: ServiceLevel;
  pickup_location_id: string | null;
  ship_postal_code: string | null;
  ship_country: string | null;
  promised_ship_by: number | string | null;
  promised_deliver_by: number | string | null;
  requested_ship_date: string | null;
  customer_reference: string | null;
  candidates: string | null;
  routing: string | null;
  exception: string | null;
  fulfilled_by_channel: boolean | number;
  created_at: number | string;
  updated_at: number | string;
}

interface LineRow {
  order_id: string;
  line_no: number | string;
  external_line_id: string | null;
  item_id: string | null;
  sku: string | null;
  listing_id: string | null;
  quantity: number | string;
  allocated: number | string;
  shipped: number | string;
  cancelled: number | string;
  backordered: number | string;
  returned: number | string;
  unmapped: string | null;
}

const n = (v: unknown) => Number(v);
const nOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
/** Ids per IN list. */
const IDS_PER_STATEMENT_MAX = 1_000;

function lineFromRow(r: LineRow): OrderLine {
  return {
    lineNo: n(r.line_no), externalLineId: r.external_line_id, itemId: r.item_id, sku: r.sku, listingId: r.listing_id, quantity: n(r.quantity),
    allocated: n(r.allocated), shipped: n(r.shipped), cancelled: n(r.cancelled), backordered: n(r.backordered), returned: n(r.returned), unmapped: r.unmapped,
  };
}

function orderFromRow(r: OrderRow, lines: OrderLine[]): Order {
  return {
    id: r.id, workspaceId: r.workspace_id, number: n(r.number), channelId: r.channel_id, channelReference: r.channel_reference, orderReference: r.order_reference,
    source: r.source, state: r.state, serviceLevel: r.service_level, pickupLocationId: r.pickup_location_id,
    shipTo: { postalCode: r.ship_postal_code, country: r.ship_country }, promisedShipBy: nOrNull(r.promised_ship_by), promisedDeliverBy: nOrNull(r.promised_deliver_by),
    requestedShipDate: r.requested_ship_date, customerReference: r.customer_reference, candidates: r.candidates === null ? null : JSON.parse(r.candidates) as string[],
    routing: r.routing === null ? null : JSON.parse(r.routing), exception: r.exception, fulfilledByChannel: Boolean(r.fulfilled_by_channel),
    createdAt: n(r.created_at), updatedAt: n(r.updated_at), lines,
  };
}

const ORDER_COLUMNS = ['id', 'workspace_id', 'number', 'channel_id', 'channel_reference', 'order_reference', 'source', 'state', 'service_level', 'pickup_location_id',
  'ship_postal_code', 'ship_country', 'promised_ship_by', 'promised_deliver_by', 'requested_ship_date', 'customer_reference', 'candidates', 'routing', 'exception',
  'fulfilled_by_channel', 'created_at', 'updated_at'] as const;
const LINE_COLUMNS = ['order_id', 'line_no', 'external_line_id', 'item_id', 'sku', 'listing_id', 'quantity', 'allocated', 'shipped', 'cancelled', 'backordered', 'returned', 'unmapped'] as const;

const orderParams = (o: Order): Param[] => [o.id, o.workspaceId, o.number, o.channelId, o.channelReference, o.orderReference, o.source, o.state, o.serviceLevel, o.pickupLocationId,
  o.shipTo.postalCode, o.shipTo.country, o.promisedShipBy, o.promisedDeliverBy, o.requestedShipDate, o.customerReference,
  o.candidates === null ? null : JSON.stringify(o.candidates), o.routing === null || o.routing === undefined ? null : JSON.stringify(o.routing), o.exception,
  o.fulfilledByChannel, o.createdAt, o.updatedAt];
const lineParams = (orderId: string, l: OrderLine): Param[] => [orderId, l.lineNo, l.externalLineId, l.itemId, l.sku, l.listingId, l.quantity, l.allocated, l.shipped, l.cancelled, l.backordered, l.returned, l.unmapped];

/**
 * Take `count` order numbers of a workspace (the first is returned). The counter row is locked
 * by the update until the transaction ends, so two writers never take the same numbers.
 */
export async function takeOrderNumbers(db: Db, workspaceId: string, count: number): Promise<number> {
  await db.run('INSERT INTO order_numbers (workspace_id, last) VALUES (?, 0) ON CONFLICT (workspace_id) DO NOTHING', [workspaceId]);
  await db.run('UPDATE order_numbers SET last = last + ? WHERE workspace_id = ?', [count, workspaceId]);
  const row = await db.get<{ last: number | string }>('SELECT last FROM order_numbers WHERE workspace_id = ?', [workspaceId]);
  return n(row!.last) - count + 1;
}

/** Insert orders with their lines; a channel order already recorded is left alone. Returns the ids inserted. */
export async function insertOrders(db: Db, orders: readonly Order[]): Promise<Set<string>> {
  const inserted = new Set<string>();
  if (orders.length === 0) return inserted;
  // Many rows a statement (a flash sale's batch is one or two round trips), the inserted ones returned.
  for (const part of chunk(orders, Math.floor(PARAMS_PER_STATEMENT_MAX / ORDER_COLUMNS.length))) {
    const rows = await db.all<{ id: string }>(
      `INSERT INTO orders (${ORDER_COLUMNS.join(', ')}) VALUES ${valuesList(part.length, ORDER_COLUMNS.length)} ON CONFLICT DO NOTHING RETURNING id`,
      part.flatMap(orderParams),
    );
    for (const r of rows) inserted.add(r.id);
  }
  await insertRows(db, 'order_lines', LINE_COLUMNS, orders.filter((o) => inserted.has(o.id)).flatMap((o) => o.lines.map((l) => lineParams(o.id, l))));
  return inserted;
}

/** Write an order's row and its lines as they now are (lines are never removed, only added). */
export async function writeOrders(db: Db, orders: readonly Order[]): Promise<void> {
  for (const o of orders) {
    await db.run(
      `UPDATE orders SET state = ?, routing = ?, exception = ?, candidates = ?, order_reference = ?, updated_at = ? WHERE id = ?`,
      [o.state, o.routing === null || o.routing === undefined ? null : JSON.stringify(o.routing), o.exception, o.candidates === null ? null : JSON.stringify(o.candidates), o.orderReference, o.updatedAt, o.id],
    );
  }
  await insertRows(db, 'order_lines', LINE_COLUMNS, orders.flatMap((o) => o.lines.map((l) => lineParams(o.id, l))),
    ` ON CONFLICT (order_id, line_no) DO UPDATE SET item_id = excluded.item_id, sku = excluded.sku, quantity = excluded.quantity, allocated = excluded.allocated, shipped = excluded.shipped,
      cancelled = excluded.cancelled, backordered = excluded.backordered, returned = excluded.returned, unmapped = excluded.unmapped`);
}

async function withLines(db: Db, rows: OrderRow[]): Promise<Order[]> {
  const lines = new Map<string, OrderLine[]>();
  for (const part of chunk(rows.map((r) => r.id), IDS_PER_STATEMENT_MAX)) {
    const ls = await db.all<LineRow>(`SELECT * FROM order_lines WHERE order_id IN (${placeholders(part.length)}) ORDER BY order_id, line_no`, part);
    for (const l of ls) lines.set(l.order_id, [...(lines.get(l.order_id) ?? []), lineFromRow(l)]);
  }
  return rows.map((r) => orderFromRow(r, lines.get(r.id) ?? []));
}

/** An order by id or by number (`42`); `lock` holds its row for the rest of the transaction. */
export async function getOrder(db: Db, workspaceId: string, idOrNumber: string, lock = false): Promise<Order | undefined> {
  const byNumber = /^\d{1,15}$/.test(idOrNumber);
  const r = await db.get<OrderRow>(
    `SELECT * FROM orders WHERE workspace_id = ? AND ${byNumber ? 'number' : 'id'} = ?${lock ? db.forUpdate : ''}`,
    [workspaceId, byNumber ? Number(idOrNumber) : idOrNumber],
  );
  return r ? (await withLines(db, [r]))[0] : undefined;
}

/** Channel orders by the channel's own order ids, locked. */
export async function ordersByChannelReferences(db: Db, channelId: string, references: readonly string[], lock = false): Promise<Map<string, Order>> {
  const out = new Map<string, Order>();
  for (const part of chunk([...new Set(references)].sort(), IDS_PER_STATEMENT_MAX)) {
    const rows = await db.all<OrderRow>(
      `SELECT * FROM orders WHERE channel_id = ? AND channel_reference IN (${placeholders(part.length)}) ORDER BY channel_reference${lock ? db.forUpdate : ''}`,
      [channelId, ...part],
    );
    for (const o of await withLines(db, rows)) out.set(o.channelReference!, o);
  }
  return out;
}

export interface OrderFilter {
  state?: OrderState;
  channel?: string;
  sku?: string;
  locationId?: string;
  hasException?: boolean;
  /** Newest first: numbers below this one. */
  before?: number;
  limit: number;
}

/** Orders newest first, by the filters given. */
export async function listOrders(db: Db, workspaceId: string, f: OrderFilter): Promise<Order[]> {
  const where = ['o.workspace_id = ?'];
  const params: Param[] = [workspaceId];
  if (f.state) { where.push('o.state = ?'); params.push(f.state); }
  if (f.channel) { where.push('o.channel_id = ?'); params.push(f.channel); }
  if (f.sku) { where.push('EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.sku = ?)'); params.push(f.sku); }
  if (f.locationId) { where.push('(o.pickup_location_id = ? OR EXISTS (SELECT 1 FROM order_holds h WHERE h.order_id = o.id AND h.location_id = ?))'); params.push(f.locationId, f.locationId); }
  if (f.hasException !== undefined) where.push(f.hasException ? 'o.exception IS NOT NULL' : 'o.exception IS NULL');
  if (f.before !== undefined) { where.push('o.number < ?'); params.push(f.before); }
  const rows = await db.all<OrderRow>(`SELECT o.* FROM orders o WHERE ${where.join(' AND ')} ORDER BY o.number DESC LIMIT ?`, [...params, f.limit + 1]);
  return withLines(db, rows);
}

export async function insertHoldLinks(db: Db, orderId: string, links: readonly OrderHoldLink[]): Promise<void> {
  await insertHoldLinksOf(db, [{ orderId, links }]);
}

/** `insertHoldLinks` for many orders in one statement (or a few). */
export async function insertHoldLinksOf(db: Db, orders: readonly { orderId: string; links: readonly OrderHoldLink[] }[]): Promise<void> {
  await insertRows(db, 'order_holds', ['order_id', 'hold_id', 'hold_line_no', 'line_no', 'location_id'],
    orders.flatMap((o) => o.links.map((k) => [o.orderId, k.holdId, k.holdLineNo, k.lineNo, k.locationId])),
    ' ON CONFLICT (order_id, hold_id, hold_line_no) DO NOTHING');
}

/** The hold lines serving each order, oldest hold first. */
export async function holdLinksOf(db: Db, orderIds: readonly string[]): Promise<Map<string, OrderHoldLink[]>> {
  const out = new Map<string, OrderHoldLink[]>();
  for (const part of chunk([...new Set(orderIds)], IDS_PER_STATEMENT_MAX)) {
    const rows = await db.all<{ order_id: string; hold_id: string; hold_line_no: number | string; line_no: number | string; location_id: string }>(
      `SELECT * FROM order_holds WHERE order_id IN (${placeholders(part.length)}) ORDER BY order_id, hold_id, hold_line_no`, part);
    for (const r of rows) out.set(r.order_id, [...(out.get(r.order_id) ?? []), { holdId: r.hold_id, holdLineNo: n(r.hold_line_no), lineNo: n(r.line_no), locationId: r.location_id }]);
  }
  return out;
}

export interface ShipmentRecord {
  id: string;
  orderId: string;
  locationId: string;
  lines: { line: number; quantity: number }[];
  createdAt: number;
}

export async function insertShipment(db: Db, s: ShipmentRecord): Promise<void> {
  await db.run('INSERT INTO order_shipments (id, order_id, location_id, lines, created_at) VALUES (?, ?, ?, ?, ?)', [s.id, s.orderId, s.locationId, JSON.stringify(s.lines), s.createdAt]);
}

export async function shipmentsOf(db: Db, orderId: string): Promise<ShipmentRecord[]> {
  const rows = await db.all<{ id: string; order_id: string; location_id: string; lines: string; created_at: number | string }>('SELECT * FROM order_shipments WHERE order_id = ? ORDER BY id', [orderId]);
  return rows.map((r) => ({ id: r.id, orderId: r.order_id, locationId: r.location_id, lines: JSON.parse(r.lines) as ShipmentRecord['lines'], createdAt: n(r.created_at) }));
}

/** Codes of the locations that ship online orders (not a channel's own warehouse), by code. */
export async function shippingLocationCodes(db: Db, workspaceId: string): Promise<string[]> {
  const rows = await db.all<{ code: string }>(
    `SELECT code FROM locations WHERE workspace_id = ? AND ships_online = ? AND kind <> 'channel_managed' ORDER BY code`, [workspaceId, true]);
  return rows.map((r) => r.code);
}

/** The movements of an order's holds, oldest first (at most `limit`). */
export async function movementsOfHolds(db: Db, workspaceId: string, holdIds: readonly string[], limit: number) {
  if (holdIds.length === 0) return [];
  return db.all<{ id: string; sku: string; code: string; from_account: string; to_account: string; quantity: number | string; command: string; reason: string | null; reference: string | null; note: string | null; hold_id: string | null; actor: string; created_at: number | string }>(
    `SELECT m.*, i.sku, l.code FROM movements m JOIN items i ON i.id = m.item_id JOIN locations l ON l.id = m.location_id
     WHERE m.workspace_id = ? AND m.hold_id IN (${placeholders(holdIds.length)}) ORDER BY m.seq LIMIT ?`,
    [workspaceId, ...holdIds, limit],
  );
}

/** Movements an order's steps booked outside its holds (a short pick's count variance), by reference and command. */
export async function orderDocumentMovements(db: Db, workspaceId: string, reference: string, limit: number) {
  return db.all<{ id: string; sku: string; code: string; from_account: string; to_account: string; quantity: number | string; command: string; reason: string | null; reference: string | null; note: string | null; hold_id: string | null; actor: string; created_at: number | string }>(
    `SELECT m.*, i.sku, l.code FROM movements m JOIN items i ON i.id = m.item_id JOIN locations l ON l.id = m.location_id
     WHERE m.workspace_id = ? AND m.reference = ? AND m.hold_id IS NULL AND m.command = 'short_pick' ORDER BY m.seq LIMIT ?`,
    [workspaceId, reference, limit],
  );
}

/**
 * Whether another order of the workspace carries the same reference: two channels may both name
 * an order `#1001`, and then a reference alone says nothing about which order a row is about.
 */
const sharedReference = (db: Db, workspaceId: string, reference: string, orderId: string) =>
  db.get<{ id: string }>('SELECT id FROM orders WHERE workspace_id = ? AND order_reference = ? AND id <> ? LIMIT 1', [workspaceId, reference, orderId]).then((r) => r !== undefined);

/**
 * Exceptions raised about an order: on its holds, or naming its reference without a hold — the
 * latter only while no other order shares the reference (exceptions carry no channel).
 */
export async function exceptionsOfOrder(db: Db, workspaceId: string, holdIds: readonly string[], reference: string, orderId: string) {
  const byHold = holdIds.length === 0 ? '' : `hold_id IN (${placeholders(holdIds.length)})`;
  const byReference = (await sharedReference(db, workspaceId, reference, orderId)) ? '' : '(reference = ? AND hold_id IS NULL)';
  if (!byHold && !byReference) return [];
  return db.all<{ id: string; kind: string; state: string; quantity: number | string | null; hold_id: string | null; message: string; created_at: number | string }>(
    `SELECT id, kind, state, quantity, hold_id, message, created_at FROM exceptions WHERE workspace_id = ? AND (${[byHold, byReference].filter(Boolean).join(' OR ')}) ORDER BY id`,
    [workspaceId, ...holdIds, ...(byReference ? [reference] : [])],
  );
}

/**
 * Returns opened against an order, with units received per item: by its reference and its
 * channel; one naming no channel only while no other order shares the reference.
 */
export async function returnsOfOrder(db: Db, workspaceId: string, reference: string, channelId: string | null, orderId: string) {
  const shared = await sharedReference(db, workspaceId, reference, orderId);
  const mine = channelId === null ? 'r.channel_id IS NULL' : 'r.channel_id = ?';
  const byChannel = shared ? ` AND ${mine}` : channelId === null ? '' : ' AND (r.channel_id IS NULL OR r.channel_id = ?)';
  return db.all<{ id: string; number: string; state: string; code: string; item_id: string | null; received: number | string | null }>(
    `SELECT r.id, r.number, r.state, l.code, rl.item_id, rl.received FROM returns r JOIN locations l ON l.id = r.location_id
     LEFT JOIN return_lines rl ON rl.return_id = r.id
     WHERE r.workspace_id = ? AND r.order_reference = ?${byChannel} ORDER BY r.id, rl.line_no`,
    [workspaceId, reference, ...(channelId === null ? [] : [channelId])],
  );
}

export interface BackorderedLine {
  workspaceId: string;
  orderId: string;
  channelId: string;
  lineNo: number;
  itemId: string;
  backordered: number;
  /** Holds the order has had: a backorder's allocation attempt is numbered by it. */
  holds: number;
  /** The order's candidate location codes (null: none stored). */
  candidates: string[] | null;
}

/**
 * Lines waiting for stock on open orders, oldest order first (by workspace, then number). Lines a
 * channel's ingestion owns (they carry the channel's line id) are left to it: their holds are its.
 */
export async function backorderedLines(db: Db, limit: number): Promise<BackorderedLine[]> {
  // From the backordered lines out (migration 35's partial index): CROSS JOIN keeps SQLite's
  // planner from walking every open order first; PostgreSQL plans it as the same inner join.
  const rows = await db.all<{ workspace_id: string; order_id: string; channel_id: string; line_no: number | string; item_id: string; backordered: number | string; holds: number | string; candidates: string | null }>(
    `SELECT o.workspace_id, o.id AS order_id, o.channel_id, l.line_no, l.item_id, l.backordered, o.candidates,
            (SELECT COUNT(DISTINCT h.hold_id) FROM order_holds h WHERE h.order_id = o.id) AS holds
     FROM order_lines l CROSS JOIN orders o
     WHERE o.id = l.order_id AND l.backordered > 0 AND l.item_id IS NOT NULL AND l.unmapped IS NULL AND l.external_line_id IS NULL
       AND o.channel_id IS NOT NULL AND o.state IN ('allocated', 'partially_shipped') AND o.fulfilled_by_channel = ?
     ORDER BY o.workspace_id, o.number, l.line_no LIMIT ?`,
    [false, limit],
  );
  return rows.map((r) => ({ workspaceId: r.workspace_id, orderId: r.order_id, channelId: r.channel_id, lineNo: n(r.line_no), itemId: r.item_id, backordered: n(r.backordered), holds: n(r.holds), candidates: r.candidates === null ? null : JSON.parse(r.candidates) as string[] }));
}
