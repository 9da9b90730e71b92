// SQL for the sync engine: claiming outbox rows with a lease, acknowledging pushes, what each
// channel was told and was last seen to show (listing_sync), and channel controls (channel_sync).

import { type Db, placeholders } from './store.ts';

export interface ListingSync {
  listing_id: string;
  pushed_version: number;
  pushed_quantity: number | null;
  pushed_at: number | null;
  shown_quantity: number | null;
  shown_at: number | null;
  dead_at: number | null;
  dead_reason: string | null;
}

const num = (x: unknown) => (x === null || x === undefined ? null : Number(x));

export async function listingSyncOf(db: Db, listingIds: string[]): Promise<Map<string, ListingSync>> {
  if (listingIds.length === 0) return new Map();
  const rows = await db.all<ListingSync>(`SELECT * FROM listing_sync WHERE listing_id IN (${placeholders(listingIds.length)})`, listingIds);
  return new Map(rows.map((r) => [r.listing_id, {
    listing_id: r.listing_id, pushed_version: Number(r.pushed_version), pushed_quantity: num(r.pushed_quantity), pushed_at: num(r.pushed_at),
    shown_quantity: num(r.shown_quantity), shown_at: num(r.shown_at), dead_at: num(r.dead_at), dead_reason: r.dead_reason,
  }]));
}

/**
 * What the channel was seen to show for a listing (a read-back, a compare-and-set mismatch, an
 * inventory webhook). An observation older than the one recorded is ignored.
 */
export async function recordShown(db: Db, ws: string, channelId: string, listingId: string, quantity: number, at: number): Promise<boolean> {
  await db.run(
    `INSERT INTO listing_sync (listing_id, workspace_id, channel_id, shown_quantity, shown_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (listing_id) DO UPDATE SET shown_quantity = excluded.shown_quantity, shown_at = excluded.shown_at
     WHERE listing_sync.shown_at IS NULL OR listing_sync.shown_at <= excluded.shown_at`,
    [listingId, ws, channelId, quantity, at],
  );
  const row = await db.get<{ shown_at: number | null }>('SELECT shown_at FROM listing_sync WHERE listing_id = ?', [listingId]);
  return Number(row?.shown_at) === at;
}

/**
 * Push a listing's current number again, not before `notBefore` (a hand edit on the channel that
 * truestock overrides): its version grows, so the push is a new one and compare-and-set starts
 * from what the channel now shows.
 */
export async function requeueListing(db: Db, listingId: string, now: number, notBefore: number): Promise<boolean> {
  const row = await db.get<{ workspace_id: string; channel_id: string; quantity: number; backorder_units: number; version: number }>(
    `SELECT a.workspace_id, l.channel_id, a.quantity, a.backorder_units, a.version FROM availability a JOIN listings l ON l.id = a.listing_id WHERE a.listing_id = ?`,
    [listingId],
  );
  if (!row) return false;
  const version = Number(row.version) + 1;
  await db.run('UPDATE availability SET version = ? WHERE listing_id = ?', [version, listingId]);
  await db.run(
    `INSERT INTO channel_outbox (listing_id, workspace_id, channel_id, quantity, backorder_units, version, enqueued_at, not_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (listing_id) DO UPDATE SET quantity = excluded.quantity, backorder_units = excluded.backorder_units, version = excluded.version,
       enqueued_at = excluded.enqueued_at, not_before = excluded.not_before`,
    [listingId, row.workspace_id, row.channel_id, row.quantity, row.backorder_units, version, now, notBefore],
  );
  return true;
}
