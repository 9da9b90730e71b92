// Listing events: what a channel was seen to do to a listing that truestock did not push — today
// a hand edit (`channel_edit`: a level the channel shows that is neither our push nor our echo).
// Each is recorded on the listing (GET /v1/listings/{id}/events, the item page), and may raise an
// exception for a human: under the `adopt` policy (the edit was booked into the ledger), and when
// edits recur on one listing (CHANNEL_EDIT_RECUR_COUNT within CHANNEL_EDIT_RECUR_WINDOW_MS). One
// exception per listing and condition while unresolved: a further edit brings its message up to
// date instead of adding a row.

import { getChannel } from '../store/channel-repo.ts';
import { TruestockError } from '../domain/errors.ts';
import type { ExceptionKind } from '../domain/model.ts';
import { CHANNEL_EDIT_RECUR_WINDOW_MS, editSettings, editsRecur } from '../domain/sync-rules.ts';
import { insertChannelExceptions } from '../store/channel-event-repo.ts';
import { countUnexplainedEdits, insertListingEvent, orderNear, type ListingEvent, listingEventsPage, refreshException, unresolvedException } from '../store/listing-event-repo.ts';
import type { Db } from '../store/store.ts';
import { newId } from './ids.ts';
import { decodeCursor, encodeCursor, type Page } from './queries.ts';

export interface ChannelEdit {
  workspaceId: string;
  channel: { id: string; name: string };
  listing: { id: string; itemId: string; sku: string };
  eventId: string;
  at: number;
  shown: number;
  pushed: number | null;
  ours: number | null;
  policy: string;
  outcome: string;
  dueAt: number | null;
  /** The channel's edit grace: how long a lowering waits for the order that may explain it. */
  graceMs: number;
}

/** An order allocated this long before the level event still explains it: the two race, and an order in before the level was read is in our number already. */
export const EDIT_ORDER_BEFORE_MS = 1_000;

/**
 * Record a hand edit on its listing, in the caller's transaction, and raise or bring up to date
 * the exceptions it calls for. A redelivered event records and raises nothing.
 */
export async function recordChannelEdit(db: Db, e: ChannelEdit): Promise<boolean> {
  const fresh = await insertListingEvent(db, {
    workspace_id: e.workspaceId, listing_id: e.listing.id, channel_id: e.channel.id, event_id: e.eventId, at: e.at, kind: 'channel_edit',
    shown: e.shown, pushed: e.pushed, ours: e.ours, policy: e.policy, outcome: e.outcome, due_at: e.dueAt,
  });
  if (!fresh) return false;
  const what = `${e.channel.name} showed ${e.shown} × ${e.listing.sku} where truestock had pushed ${e.pushed ?? 'nothing yet'}`;
  if (e.policy === 'adopt' && !e.outcome.startsWith('adopt_refused')) {
    // A refused adoption already has its own exception (channel_event_unapplied).
    const did = e.outcome === 'adopted' && e.pushed !== null
      ? `booked as an adjustment of ${signed(e.shown - e.pushed)} (edit policy adopt): check it was a real change and not an order taken in late`
      : `not adopted (${e.outcome}): truestock's number goes back`;
    await raise(db, e, 'channel_edit_adopted', `${what}; ${did}`, e.pushed === null ? null : e.shown - e.pushed);
  }
  const recent = await countUnexplainedEdits(db, {
    listingId: e.listing.id, channelId: e.channel.id, itemId: e.listing.itemId, since: e.at - CHANNEL_EDIT_RECUR_WINDOW_MS,
    settledBefore: e.at - e.graceMs, orderBeforeMs: EDIT_ORDER_BEFORE_MS, orderAfterMs: e.graceMs,
  });
  if (editsRecur(recent)) {
    await raise(db, e, 'channel_edit_recurring',
      `${recent} hand edits of ${e.listing.sku} on ${e.channel.name} within ${CHANNEL_EDIT_RECUR_WINDOW_MS / 60_000} min (latest: ${what}, ${e.outcome}): someone or an app keeps setting this number`, recent);
  }
  return true;
}

/** One unresolved exception per listing and kind: raise it, or bring it up to date. */
async function raise(db: Db, e: ChannelEdit, kind: ExceptionKind, message: string, quantity: number | null): Promise<void> {
  // The listing's lock: two edits of one listing at once must not both find no exception and raise two.
  await db.all(`SELECT id FROM listings WHERE id = ?${db.forUpdate}`, [e.listing.id]);
  const open = await unresolvedException(db, e.workspaceId, kind, e.listing.id);
  if (open) return refreshException(db, open, message, quantity, e.at);
  await insertChannelExceptions(db, [{
    id: newId('exc', e.at), workspaceId: e.workspaceId, kind, itemId: e.listing.itemId, locationId: null, quantity, reference: e.listing.id, holdId: null, message, createdAt: e.at,
  }]);
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** Page size of a listing's events when the client does not say. */
export const LISTING_EVENTS_PAGE_DEFAULT = 50;

/**
 * `explained_by_order`: whether an order of the channel for the item came with a lowering (then it
 * was no hand edit: the order's level webhook came first); null while its grace runs, or for a
 * raise, which no order explains.
 */
export function listingEventView(e: ListingEvent, explainedByOrder: boolean | null = null) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    kind: e.kind, at: iso(e.at), channel_id: e.channel_id, event_id: e.event_id, shown: e.shown, pushed: e.pushed, ours: e.ours,
    policy: e.policy, outcome: e.outcome, due_at: iso(e.due_at), explained_by_order: explainedByOrder,
  };
}

/** Whether an order explains a lowering the channel showed (see listingEventView). */
async function explainedByOrder(db: Db, e: ListingEvent, itemId: string, graceMs: number, now: number): Promise<boolean | null> {
  if (e.kind !== 'channel_edit' || e.pushed === null || e.shown >= e.pushed) return null;
  if (await orderNear(db, e.channel_id, itemId, e.at - EDIT_ORDER_BEFORE_MS, e.at + graceMs)) return true;
  return now - e.at < graceMs ? null : false;
}

/** A listing's events, newest first, a page at a time. */
export async function listingEvents(db: Db, ws: string, listing: { id: string; itemId: string; channelId: string }, now: number, q: { cursor?: string; limit?: number }): Promise<Page<ReturnType<typeof listingEventView>>> {
  const listingId = listing.id;
  const limit = q.limit ?? LISTING_EVENTS_PAGE_DEFAULT;
  let beforeSeq: number | undefined;
  if (q.cursor !== undefined) {
    beforeSeq = Number(decodeCursor(q.cursor));
    if (!Number.isSafeInteger(beforeSeq) || beforeSeq < 0) throw TruestockError.of('validation_failed', 'cursor is not one this list returned', 'cursor');
  }
  const rows = await listingEventsPage(db, ws, listingId, { limit, ...(beforeSeq === undefined ? {} : { beforeSeq }) });
  const channel = await getChannel(db, ws, listing.channelId);
  const { editGraceMs } = editSettings(channel?.settings ?? {});
  const data = [];
  for (const e of rows) data.push(listingEventView(e, await explainedByOrder(db, e, listing.itemId, editGraceMs, now)));
  return { data, next_cursor: rows.length === limit ? encodeCursor(rows[rows.length - 1]!.seq) : null };
}
