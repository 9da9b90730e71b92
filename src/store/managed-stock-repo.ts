// SQL for stock a channel keeps itself (channel-managed locations, migration 22): the last report
// per (location, item), and what our own documents still bring into such a location.

import { type Db, placeholders } from './store.ts';

/** The last report of a channel-managed stock level: what was booked and what is shown beside. */
export interface ManagedStockRow {
  locationId: string;
  itemId: string;
  workspaceId: string;
  channelId: string;
  eventId: string;
  reportedAt: number;
  available: number;
  reserved: number;
  inbound: number;
  unfulfillable: number;
  researching: number;
  updatedAt: number;
}

interface Row {
  location_id: string;
  item_id: string;
  workspace_id: string;
  channel_id: string;
  event_id: string;
  reported_at: number | string;
  available: number | string;
  reserved: number | string;
  inbound: number | string;
  unfulfillable: number | string;
  researching: number | string;
  updated_at: number | string;
}

const fromRow = (r: Row): ManagedStockRow => ({
  locationId: r.location_id,
  itemId: r.item_id,
  workspaceId: r.workspace_id,
  channelId: r.channel_id,
  eventId: r.event_id,
  reportedAt: Number(r.reported_at),
  available: Number(r.available),
  reserved: Number(r.reserved),
  inbound: Number(r.inbound),
  unfulfillable: Number(r.unfulfillable),
  researching: Number(r.researching),
  updatedAt: Number(r.updated_at),
});

/** The last report for one level; with `lock`, the row is held for the transaction (PostgreSQL). */
export async function managedStockOf(db: Db, locationId: string, itemId: string, lock = false): Promise<ManagedStockRow | undefined> {
  const r = await db.get<Row>(`SELECT * FROM managed_stock WHERE location_id = ? AND item_id = ?${lock ? db.forUpdate : ''}`, [locationId, itemId]);
  return r && fromRow(r);
}

/** The last reports of a workspace's items (at any channel-managed location). */
export async function managedStockOfItems(db: Db, ws: string, itemIds: readonly string[]): Promise<ManagedStockRow[]> {
  if (itemIds.length === 0) return [];
  const rows = await db.all<Row>(`SELECT * FROM managed_stock WHERE workspace_id = ? AND item_id IN (${placeholders(itemIds.length)}) ORDER BY location_id, item_id`, [ws, ...itemIds]);
  return rows.map(fromRow);
}

/** Record a report (the newer one wins: callers check `reportedAt` under the lock first). */
export async function upsertManagedStock(db: Db, s: ManagedStockRow): Promise<void> {
  await db.run(
    `INSERT INTO managed_stock (location_id, item_id, workspace_id, channel_id, event_id, reported_at, available, reserved, inbound, unfulfillable, researching, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (location_id, item_id) DO UPDATE SET channel_id = excluded.channel_id, event_id = excluded.event_id, reported_at = excluded.reported_at,
       available = excluded.available, reserved = excluded.reserved, inbound = excluded.inbound, unfulfillable = excluded.unfulfillable,
       researching = excluded.researching, updated_at = excluded.updated_at`,
    [s.locationId, s.itemId, s.workspaceId, s.channelId, s.eventId, s.reportedAt, s.available, s.reserved, s.inbound, s.unfulfillable, s.researching, s.updatedAt],
  );
}

/** A line of one of our transfers into a location, with units still on the road. */
export interface TransferLineInTransit {
  transferId: string;
  number: string;
  lineNo: number;
  inTransit: number;
}

/**
 * Lines of our open transfers into a location for an item with units in transit, oldest transfer
 * first; with `lock`, the transfers' rows are held (PostgreSQL), as a transfer receipt holds them.
 */
export async function transferLinesInto(db: Db, ws: string, locationId: string, itemId: string, lock = false): Promise<TransferLineInTransit[]> {
  const rows = await db.all<{ id: string; number: string; line_no: number | string; in_transit: number | string }>(
    `SELECT t.id, t.number, tl.line_no, tl.shipped - tl.received - tl.damaged - tl.lost AS in_transit
     FROM transfers t JOIN transfer_lines tl ON tl.transfer_id = t.id
     WHERE t.workspace_id = ? AND t.to_location_id = ? AND t.state = ? AND tl.item_id = ? AND tl.shipped - tl.received - tl.damaged - tl.lost > 0
     ORDER BY t.created_at, t.id, tl.line_no${lock ? `${db.forUpdate === '' ? '' : ' FOR UPDATE OF t'}` : ''}`,
    [ws, locationId, 'in_transit', itemId],
  );
  return rows.map((r) => ({ transferId: r.id, number: r.number, lineNo: Number(r.line_no), inTransit: Number(r.in_transit) }));
}

/** Units of open purchase orders still expected at a location for an item. */
export async function purchaseUnitsInto(db: Db, ws: string, locationId: string, itemId: string): Promise<number> {
  const r = await db.get<{ units: number | string | null }>(
    `SELECT SUM(pl.ordered - pl.received_good - pl.received_damaged) AS units
     FROM purchase_orders po JOIN purchase_order_lines pl ON pl.purchase_order_id = po.id
     WHERE po.workspace_id = ? AND po.location_id = ? AND po.state = ? AND pl.item_id = ? AND pl.ordered - pl.received_good - pl.received_damaged > 0`,
    [ws, locationId, 'open', itemId],
  );
  return Number(r?.units ?? 0);
}
