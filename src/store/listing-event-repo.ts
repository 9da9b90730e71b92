// SQL for listing events (what a channel was seen to do to a listing that truestock did not push)
// and for the one open exception per listing and condition they may raise.

import { idFloor } from '../app/ids.ts';
import { seenAgain } from './exception-repo.ts';
import type { Db } from './store.ts';

export type ListingEventKind = 'channel_edit';

export interface ListingEvent {
  seq: number;
  workspace_id: string;
  listing_id: string;
  channel_id: string;
  /** The channel's id of the event: one row per event and listing, whatever the redeliveries. */
  event_id: string;
  at: number;
  kind: ListingEventKind;
  /** What the channel showed. */
  shown: number;
  /** What truestock had last pushed (null: nothing acknowledged yet). */
  pushed: number | null;
  /** Truestock's own number then. */
  ours: number | null;
  policy: string;
  /** What truestock did: `requeued`, `adopted`, `adopt_refused:<code>`. */
  outcome: string;
  /** When truestock's number was due to go back over the edit (requeued), else null. */
  due_at: number | null;
}

const num = (x: unknown) => (x === null || x === undefined ? null : Number(x));

function fromRow(r: ListingEvent): ListingEvent {
  return { ...r, seq: Number(r.seq), at: Number(r.at), shown: Number(r.shown), pushed: num(r.pushed), ours: num(r.ours), due_at: num(r.due_at) };
}

/** Record an event; false when this event was already recorded for the listing (a redelivery). */
export async function insertListingEvent(db: Db, e: Omit<ListingEvent, 'seq'>): Promise<boolean> {
  const n = await db.run(
    `INSERT INTO listing_events (workspace_id, listing_id, channel_id, event_id, at, kind, shown, pushed, ours, policy, outcome, due_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (listing_id, event_id) DO NOTHING`,
    [e.workspace_id, e.listing_id, e.channel_id, e.event_id, e.at, e.kind, e.shown, e.pushed, e.ours, e.policy, e.outcome, e.due_at],
  );
  return n > 0;
}

/** A listing's events, newest first, after the cursor `beforeSeq` when given. */
export async function listingEventsPage(db: Db, ws: string, listingId: string, opts: { beforeSeq?: number; limit: number }): Promise<ListingEvent[]> {
  const before = opts.beforeSeq === undefined ? '' : ' AND seq < ?';
  const rows = await db.all<ListingEvent>(
    `SELECT * FROM listing_events WHERE workspace_id = ? AND listing_id = ?${before} ORDER BY seq DESC LIMIT ?`,
    [ws, listingId, ...(opts.beforeSeq === undefined ? [] : [opts.beforeSeq]), opts.limit],
  );
  return rows.map(fromRow);
}

/** How many events of `kind` a listing had since `since` (ms). */
export async function countListingEvents(db: Db, listingId: string, kind: ListingEventKind, since: number): Promise<number> {
  const r = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM listing_events WHERE listing_id = ? AND at >= ? AND kind = ?', [listingId, since, kind]);
  return Number(r?.n ?? 0);
}

/**
 * Hand edits of a listing since `since` that nothing explains: a raise (no order lowers a
 * number), or a lowering whose grace has passed (`settledBefore`) with no order of this channel
 * for the listing's item allocated around it (holds between `holdFrom` and `holdTo`, by id: ids
 * sort by creation time). A lowering is most often an order whose level webhook came first; it
 * is an edit only once its order has had the time to arrive and did not.
 */
export async function countUnexplainedEdits(db: Db, q: { listingId: string; channelId: string; itemId: string; since: number; settledBefore: number; orderBeforeMs: number; orderAfterMs: number }): Promise<number> {
  const rows = await db.all<{ at: number; shown: number; pushed: number | null }>(
    "SELECT at, shown, pushed FROM listing_events WHERE listing_id = ? AND kind = 'channel_edit' AND at >= ?", [q.listingId, q.since]);
  let n = 0;
  for (const e of rows.map((r) => ({ at: Number(r.at), shown: Number(r.shown), pushed: r.pushed === null ? null : Number(r.pushed) }))) {
    if (e.pushed === null || e.shown > e.pushed) n++;
    else if (e.at <= q.settledBefore && !(await orderNear(db, q.channelId, q.itemId, e.at - q.orderBeforeMs, e.at + q.orderAfterMs))) n++;
  }
  return n;
}

/** Did this channel allocate an order of the item between `from` and `to` (ms)? Holds are found by id: ids sort by creation time. */
export async function orderNear(db: Db, channelId: string, itemId: string, from: number, to: number): Promise<boolean> {
  const order = await db.get(
    `SELECT 1 AS x FROM holds h JOIN hold_lines hl ON hl.hold_id = h.id
     WHERE h.id >= ? AND h.id < ? AND h.channel_id = ? AND (hl.item_id = ? OR hl.bundle_item_id = ?) LIMIT 1`,
    [idFloor('hold', from), idFloor('hold', to + 1), channelId, itemId, itemId]);
  return order !== undefined;
}

/** The exception of `kind` about `reference` that nobody has resolved yet, if any. */
export async function unresolvedException(db: Db, ws: string, kind: string, reference: string): Promise<string | undefined> {
  const r = await db.get<{ id: string }>("SELECT id FROM exceptions WHERE workspace_id = ? AND kind = ? AND reference = ? AND state <> 'resolved' ORDER BY id LIMIT 1", [ws, kind, reference]);
  return r?.id;
}

/** The condition an unresolved exception stands for happened again: it now says the latest. */
export async function refreshException(db: Db, id: string, message: string, quantity: number | null, now: number): Promise<void> {
  await seenAgain(db, id, message, quantity, now);
}

/**
 * Delete up to `limit` listing events seen before `before`, oldest first, except those whose
 * adoption is still due (retention-pruner.ts). Oldest first by `seq`, which follows `at`: the scan
 * stops after `limit` rows instead of reading the table.
 */
export async function pruneListingEvents(db: Db, before: number, limit: number): Promise<number> {
  return db.run(
    `DELETE FROM listing_events WHERE seq IN (
       SELECT seq FROM listing_events WHERE at < ? AND (due_at IS NULL OR due_at < ?) ORDER BY seq LIMIT ?)`,
    [before, before, limit],
  );
}
