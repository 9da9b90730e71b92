// What the level webhooks of a burst read and write, for many listings at once: what each channel
// was seen to show (`recordShown`) and the numbers an observation is compared with
// (`listingNumbers`). Each row's effect is exactly that of the one-listing functions; a listing
// appears at most once per call (the caller applies a second level of one listing on its own).

import { chunk, type Db, placeholders, valuesList } from './store.ts';

/** Listings per statement (five parameters a row when recording). */
const LISTINGS_PER_STATEMENT_MAX = 1_000;

/**
 * `recordShown` for many listings of one channel: each observation is recorded unless one newer
 * than it is recorded already. Returns the listings whose observation now stands. Rows are
 * written in listing id order, as every other multi-row writer of listing_sync does, so two
 * writers never deadlock.
 */
export async function recordShownMany(db: Db, ws: string, channelId: string, seen: readonly { listingId: string; quantity: number; at: number }[]): Promise<Set<string>> {
  const sorted = [...seen].sort((a, b) => (a.listingId < b.listingId ? -1 : a.listingId > b.listingId ? 1 : 0));
  const out = new Set<string>();
  for (const part of chunk(sorted, LISTINGS_PER_STATEMENT_MAX)) {
    const rows = await db.all<{ listing_id: string }>(
      `INSERT INTO listing_sync (listing_id, workspace_id, channel_id, shown_quantity, shown_at) VALUES ${valuesList(part.length, 5)}
       ON CONFLICT (listing_id) DO UPDATE SET shown_quantity = excluded.shown_quantity, shown_at = excluded.shown_at
       WHERE listing_sync.shown_at IS NULL OR listing_sync.shown_at <= excluded.shown_at
       RETURNING listing_id`,
      part.flatMap((s) => [s.listingId, ws, channelId, s.quantity, s.at]),
    );
    for (const r of rows) out.add(r.listing_id);
  }
  return out;
}

/** `listingNumbers` for many listings: the number computed for each, and the one queued to push. */
export async function listingNumbersOf(db: Db, listingIds: readonly string[]): Promise<Map<string, { computed: number | null; queued: number | null }>> {
  const out = new Map<string, { computed: number | null; queued: number | null }>(listingIds.map((id) => [id, { computed: null, queued: null }]));
  for (const part of chunk([...new Set(listingIds)], LISTINGS_PER_STATEMENT_MAX)) {
    const computed = await db.all<{ listing_id: string; quantity: number }>(`SELECT listing_id, quantity FROM availability WHERE listing_id IN (${placeholders(part.length)})`, part);
    const queued = await db.all<{ listing_id: string; quantity: number }>(`SELECT listing_id, quantity FROM channel_outbox WHERE listing_id IN (${placeholders(part.length)})`, part);
    for (const r of computed) out.get(r.listing_id)!.computed = Number(r.quantity);
    for (const r of queued) out.get(r.listing_id)!.queued = Number(r.quantity);
  }
  return out;
}
