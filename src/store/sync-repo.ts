// SQL for the sync engine: claiming outbox rows with a lease, acknowledging pushes, what each
// channel was told and was last seen to show (listing_sync), and channel controls (channel_sync).

import { channelStatusChanged } from './alert-repo.ts';
import { insertChannelExceptions } from './channel-event-repo.ts';
import { closeException } from './exception-repo.ts';
import { pushAfterEdit } from '../domain/sync-rules.ts';
import { type Db, placeholders } from './store.ts';
import { openSettings } from './secret-box.ts';

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
 * Push a listing's current number again over what the channel was seen to show (a hand edit on
 * the channel that truestock overrides): its version grows, so the push is a new one and
 * compare-and-set starts from what the channel now shows. It waits out `graceMs` only if it would
 * raise the channel's number (`pushAfterEdit`), decided here under the listing's lock against the
 * number that will actually go out. Returns when it falls due, or null without a number.
 */
export async function requeueListing(db: Db, listingId: string, now: number, shown: number, graceMs: number): Promise<number | null> {
  // The listing's lock first, as a recompute takes it: otherwise a recompute committing between
  // our read and our write would be overwritten with the older number under a newer version.
  await db.all(`SELECT id FROM listings WHERE id = ?${db.forUpdate}`, [listingId]);
  const row = await db.get<{ workspace_id: string; channel_id: string; quantity: number; backorder_units: number; version: number }>(
    `SELECT a.workspace_id, l.channel_id, a.quantity, a.backorder_units, a.version FROM availability a JOIN listings l ON l.id = a.listing_id WHERE a.listing_id = ?`,
    [listingId],
  );
  if (!row) return null;
  const version = Number(row.version) + 1;
  const notBefore = pushAfterEdit(Number(row.quantity), shown, now, graceMs);
  await db.run('UPDATE availability SET version = ? WHERE listing_id = ?', [version, listingId]);
  await db.run(
    `INSERT INTO channel_outbox (listing_id, workspace_id, channel_id, quantity, backorder_units, version, enqueued_at, not_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (listing_id) DO UPDATE SET quantity = excluded.quantity, backorder_units = excluded.backorder_units, version = excluded.version,
       not_before = excluded.not_before
     WHERE channel_outbox.version < excluded.version`,
    // `enqueued_at` is when this was decided (now), never the not-before: lag counts from the
    // commit, and a time in the future would make it negative. A pending row keeps its older one.
    [listingId, row.workspace_id, row.channel_id, row.quantity, row.backorder_units, version, now, notBefore],
  );
  return notBefore;
}

/** The channel shows `shown` (an older submission it applied late): push the listing again unless that is its number now. */
export async function requeueUnlessCurrent(db: Db, listingId: string, shown: number, now: number): Promise<void> {
  const row = await db.get<{ quantity: number }>('SELECT quantity FROM availability WHERE listing_id = ?', [listingId]);
  if (row && Number(row.quantity) !== shown) await requeueListing(db, listingId, now, shown, 0);
}

/**
 * The channel moved these listings' numbers itself (it put a cancelled order's units back on
 * sale): push ours to each again. Only listings truestock pushes to (pushed before: never one whose
 * number the channel owns), and not one with a push queued, in flight or still processing, which
 * carries ours already. Returns how many were queued.
 */
export async function pushAgain(db: Db, listingIds: readonly string[], now: number): Promise<number> {
  if (listingIds.length === 0) return 0;
  const rows = await db.all<{ id: string; quantity: number }>(
    `SELECT l.id, a.quantity FROM listings l JOIN listing_sync s ON s.listing_id = l.id JOIN availability a ON a.listing_id = l.id
       LEFT JOIN channel_outbox o ON o.listing_id = l.id LEFT JOIN channel_submissions cs ON cs.channel_id = l.channel_id AND cs.listing_id = l.id
     WHERE l.id IN (${placeholders(listingIds.length)}) AND s.pushed_quantity IS NOT NULL AND o.listing_id IS NULL AND cs.listing_id IS NULL`,
    [...listingIds],
  );
  for (const r of rows) await requeueListing(db, r.id, now, Number(r.quantity), 0);
  return rows.length;
}

// Claiming and acknowledging outbox rows.

/** An outbox row claimed for one push, with what the push needs to know. */
export interface Claimed {
  listing_id: string;
  workspace_id: string;
  channel_id: string;
  quantity: number;
  backorder_units: number;
  version: number;
  enqueued_at: number;
  attempts: number;
  /** The listing's channel identifiers (JSON object). */
  external: Record<string, string>;
  pushed_quantity: number | null;
  shown_quantity: number | null;
  shown_at: number | null;
}

/**
 * Claim up to `limit` due rows of one channel for `leaseMs`: closest to zero first (they oversell
 * first), then the oldest. On PostgreSQL `SKIP LOCKED` lets several workers claim side by side
 * without waiting on each other; a row another worker holds a live lease on is never taken, so
 * one listing is never pushed twice at once. A lease a killed worker held simply runs out.
 */
export async function claimOutbox(db: Db, channelId: string, workerId: string, now: number, leaseMs: number, limit: number): Promise<Claimed[]> {
  const skipLocked = db.dialect === 'postgres' ? ' FOR UPDATE OF o SKIP LOCKED' : '';
  const rows = await db.all<Claimed & { external: string }>(
    `SELECT o.listing_id, o.workspace_id, o.channel_id, o.quantity, o.backorder_units, o.version, o.enqueued_at, o.attempts,
            l.external, s.pushed_quantity, s.shown_quantity, s.shown_at
     FROM channel_outbox o JOIN listings l ON l.id = o.listing_id LEFT JOIN listing_sync s ON s.listing_id = o.listing_id
     WHERE o.channel_id = ? AND o.claimed_until <= ? AND o.not_before <= ? AND s.dead_at IS NULL
     ORDER BY o.quantity, o.enqueued_at, o.listing_id LIMIT ?${skipLocked}`,
    [channelId, now, now, limit],
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.listing_id);
  await db.run(`UPDATE channel_outbox SET claimed_by = ?, claimed_until = ? WHERE listing_id IN (${placeholders(ids.length)})`, [workerId, now + leaseMs, ...ids]);
  return rows.map((r) => ({
    ...r,
    quantity: Number(r.quantity), backorder_units: Number(r.backorder_units), version: Number(r.version), enqueued_at: Number(r.enqueued_at), attempts: Number(r.attempts),
    external: JSON.parse(r.external) as Record<string, string>, pushed_quantity: num(r.pushed_quantity), shown_quantity: num(r.shown_quantity), shown_at: num(r.shown_at),
  }));
}

/**
 * The channel acknowledged `quantity` for this version. The outbox row goes only if nothing newer
 * was enqueued meanwhile (else the claim is released and the newer value goes next); what the
 * channel was told only moves forward in version.
 */
export async function ackPushed(db: Db, c: Claimed, workerId: string, pushedQuantity: number, now: number): Promise<void> {
  const done = await db.run('DELETE FROM channel_outbox WHERE listing_id = ? AND version = ?', [c.listing_id, c.version]);
  if (done === 0) await release(db, c.listing_id, workerId);
  await recordPushed(db, c, pushedQuantity, now);
}

/** The channel now shows `pushedQuantity` for this version of the listing (only ever moves forward). */
export async function recordPushed(db: Db, c: Pick<Claimed, 'listing_id' | 'workspace_id' | 'channel_id' | 'version'>, pushedQuantity: number, now: number): Promise<void> {
  await db.run(
    `INSERT INTO listing_sync (listing_id, workspace_id, channel_id, pushed_version, pushed_quantity, pushed_at, shown_quantity, shown_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (listing_id) DO UPDATE SET pushed_version = excluded.pushed_version, pushed_quantity = excluded.pushed_quantity, pushed_at = excluded.pushed_at,
       shown_quantity = excluded.shown_quantity, shown_at = excluded.shown_at
     WHERE listing_sync.pushed_version < excluded.pushed_version`,
    [c.listing_id, c.workspace_id, c.channel_id, c.version, pushedQuantity, now, pushedQuantity, now],
  );
}

/** Give a claimed row back untouched (the push was not attempted, or a newer version waits). */
export async function release(db: Db, listingId: string, workerId: string): Promise<void> {
  await db.run('UPDATE channel_outbox SET claimed_by = NULL, claimed_until = 0 WHERE listing_id = ? AND claimed_by = ?', [listingId, workerId]);
}

/** Not yet, and not a failure: hand the row back until `notBefore` without counting an attempt. */
export async function postpone(db: Db, listingId: string, workerId: string, notBefore: number): Promise<void> {
  await db.run('UPDATE channel_outbox SET claimed_by = NULL, claimed_until = 0, not_before = ? WHERE listing_id = ? AND claimed_by = ?', [notBefore, listingId, workerId]);
}

/** The push failed: try again after `notBefore`, counting the attempt. */
export async function deferPush(db: Db, listingId: string, workerId: string, notBefore: number, error: string): Promise<void> {
  await db.run(
    'UPDATE channel_outbox SET claimed_by = NULL, claimed_until = 0, not_before = ?, attempts = attempts + 1, last_error = ? WHERE listing_id = ? AND claimed_by = ?',
    [notBefore, error.slice(0, 500), listingId, workerId],
  );
}

/**
 * The channel is back: rows waiting out a backoff from its outage are due at once, and the
 * attempts the outage counted are forgiven — they were the channel's failures, not the listing's.
 */
export async function resumeDeferred(db: Db, channelId: string, now: number): Promise<number> {
  return db.run('UPDATE channel_outbox SET not_before = CASE WHEN not_before > ? THEN ? ELSE not_before END, attempts = 0 WHERE channel_id = ? AND attempts > 0', [now, now, channelId]);
}

/** A listing that keeps failing is parked: no more pushes until someone retries it. */
export async function deadLetter(db: Db, c: Claimed, workerId: string, reason: string, now: number): Promise<void> {
  await release(db, c.listing_id, workerId);
  await db.run(
    `INSERT INTO listing_sync (listing_id, workspace_id, channel_id, dead_at, dead_reason) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (listing_id) DO UPDATE SET dead_at = excluded.dead_at, dead_reason = excluded.dead_reason`,
    [c.listing_id, c.workspace_id, c.channel_id, now, reason.slice(0, 500)],
  );
}

/** Take listings off the dead-letter list; their latest number is pushed again. */
export async function retryDeadLetters(db: Db, channelId: string, listingIds?: string[]): Promise<number> {
  const only = listingIds ? ` AND listing_id IN (${placeholders(listingIds.length)})` : '';
  const r = await db.run(`UPDATE listing_sync SET dead_at = NULL, dead_reason = NULL WHERE channel_id = ? AND dead_at IS NOT NULL${only}`, [channelId, ...(listingIds ?? [])]);
  await db.run(`UPDATE channel_outbox SET attempts = 0, not_before = 0 WHERE channel_id = ?${only}`, [channelId, ...(listingIds ?? [])]);
  return r;
}

// Channel controls and status.

export interface ChannelSync {
  paused: boolean;
  hidden_skus: string[];
  /** Why truestock paused the channel itself (`auth`: its credentials were refused); null when a person did, or it runs. */
  paused_reason?: string | null;
}

export async function channelSyncOf(db: Db, channelId: string): Promise<ChannelSync> {
  const r = await db.get<{ paused: boolean | number; hidden_skus: string; paused_reason: string | null }>('SELECT paused, hidden_skus, paused_reason FROM channel_sync WHERE channel_id = ?', [channelId]);
  return { paused: Boolean(r?.paused), hidden_skus: r ? (JSON.parse(r.hidden_skus) as string[]) : [], paused_reason: r?.paused ? (r.paused_reason ?? null) : null };
}

/** Write a channel's controls; a person pausing or resuming clears the reason truestock paused it for. */
export async function writeChannelSync(db: Db, ws: string, channelId: string, s: ChannelSync, now: number): Promise<void> {
  // A pause or a resume is a channel.status_changed alert, in this transaction.
  const before = await channelSyncOf(db, channelId);
  if (before.paused !== s.paused) {
    const auth = s.paused && s.paused_reason === 'auth';
    await channelStatusChanged(db, ws, channelId, !s.paused ? 'resumed' : auth ? 'auth_failed' : 'paused',
      !s.paused ? 'resumed: the latest numbers go out' : auth ? 'the channel refused truestock\'s credentials; paused until its settings are fixed and it is resumed' : 'paused by a person: nothing is pushed, orders are still taken in', now);
  }
  // Resumed after truestock paused it for refused credentials: the channel_auth_failed exception
  // closes with the pause, as channel_stale closes with the polls (if the credentials are still
  // wrong, the next call pauses it again and opens a new one).
  if (before.paused && !s.paused && before.paused_reason === 'auth') {
    const open = await db.get<{ id: string }>("SELECT id FROM exceptions WHERE workspace_id = ? AND kind = 'channel_auth_failed' AND reference = ? AND state <> 'resolved'", [ws, channelId]);
    if (open) await closeException(db, open.id, 'recovered', 'the channel was resumed after its credentials were fixed', now);
  }
  await db.run(
    `INSERT INTO channel_sync (channel_id, workspace_id, paused, hidden_skus, paused_reason, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (channel_id) DO UPDATE SET paused = excluded.paused, hidden_skus = excluded.hidden_skus, paused_reason = excluded.paused_reason, updated_at = excluded.updated_at`,
    [channelId, ws, s.paused, JSON.stringify(s.hidden_skus), s.paused ? (s.paused_reason ?? null) : null, now],
  );
}

/**
 * The channel refused our credentials: pause it (nothing more is sent until a person fixes them
 * and resumes) and raise ONE exception for it — not one per listing, not one per call. True when
 * this call paused it.
 */
export async function pauseForAuth(db: Db, ws: string, channelId: string, message: string, exceptionId: string, now: number): Promise<boolean> {
  const s = await channelSyncOf(db, channelId);
  if (s.paused) return false;
  await writeChannelSync(db, ws, channelId, { ...s, paused: true, paused_reason: 'auth' }, now);
  const open = await db.get('SELECT id FROM exceptions WHERE workspace_id = ? AND kind = ? AND reference = ? AND resolved_at IS NULL', [ws, 'channel_auth_failed', channelId]);
  if (!open) {
    await insertChannelExceptions(db, [{
      id: exceptionId, workspaceId: ws, kind: 'channel_auth_failed', itemId: null, locationId: null, quantity: null, reference: channelId, holdId: null, createdAt: now,
      message: `channel ${channelId} refused truestock's credentials and is paused: ${message.slice(0, 300)} — fix the channel's settings, then resume it`,
    }]);
  }
  return true;
}

/**
 * Channels a dispatcher drains: every channel of these kinds, with whether it is paused. A
 * suspended workspace's channels count as paused (docs/workspaces.md): the dispatcher, the
 * reconciler and the poller all pick channels here, so none of them touches one.
 */
export async function syncedChannels(db: Db, kinds: readonly string[]): Promise<{ id: string; workspace_id: string; kind: string; settings: Record<string, unknown>; paused: boolean }[]> {
  const rows = await db.all<{ id: string; workspace_id: string; kind: string; settings: string; paused: boolean | number | null }>(
    `SELECT c.id, c.workspace_id, c.kind, c.settings, CASE WHEN w.suspended_at IS NOT NULL THEN TRUE ELSE COALESCE(cs.paused, FALSE) END AS paused
     FROM channels c JOIN workspaces w ON w.id = c.workspace_id LEFT JOIN channel_sync cs ON cs.channel_id = c.id
     WHERE c.kind IN (${placeholders(kinds.length)}) ORDER BY c.id`,
    [...kinds],
  );
  return rows.map((r) => ({ id: r.id, workspace_id: r.workspace_id, kind: r.kind, settings: openSettings(r.settings), paused: Boolean(r.paused) }));
}

/**
 * The dispatcher's measured p99 lag for a channel (commit → acknowledged). The adaptive buffer
 * reads `outbound_lag_seconds`: the larger of this and the reconciler's publish-to-visible delay
 * (see writeVisibleLag for why the larger, not the sum).
 */
export function writeMeasuredLag(db: Db, ws: string, channelId: string, seconds: number, now: number): Promise<void> {
  return writeOutboundHalf(db, ws, channelId, 'push_lag_seconds', 'visible_lag_seconds', seconds, now);
}

/**
 * The reconciler's measured publish-to-visible delay for a channel (acknowledged or submitted →
 * first read-back that shows the number), and with it the outbound lag the adaptive buffer reads:
 * the larger of this and the push lag. The larger and not the sum, because each half already
 * stands for the whole on the channels where it matters: on a synchronous channel (Shopify) an
 * acknowledgement means the number is showing, so the visible delay is nil and the push lag is the
 * outbound lag; on an asynchronous one (a feed) the acknowledgement is only the submission, seconds
 * after the commit, and the processing behind it, minutes, is the lag. The visible delay is also
 * measured as an upper bound (to the read-back that first saw the number), and p99s do not add:
 * summing two upper tails would size every buffer for a push that is slowest at both ends.
 */
export function writeVisibleLag(db: Db, ws: string, channelId: string, seconds: number, now: number): Promise<void> {
  return writeOutboundHalf(db, ws, channelId, 'visible_lag_seconds', 'push_lag_seconds', seconds, now);
}

type LagHalf = 'push_lag_seconds' | 'visible_lag_seconds';

/** Write one half of the outbound lag, and the outbound lag as the larger of both halves. */
async function writeOutboundHalf(db: Db, ws: string, channelId: string, half: LagHalf, other: LagHalf, seconds: number, now: number): Promise<void> {
  await db.run(
    `INSERT INTO channel_sync (channel_id, workspace_id, ${half}, outbound_lag_seconds, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (channel_id) DO UPDATE SET ${half} = excluded.${half},
       outbound_lag_seconds = CASE WHEN channel_sync.${other} > excluded.${half} THEN channel_sync.${other} ELSE excluded.${half} END,
       updated_at = excluded.updated_at`,
    [channelId, ws, seconds, seconds, now],
  );
}

/** How late this channel's webhooks arrived: received − sent, ms, most recent first. */
export async function recentWebhookDelays(db: Db, channelId: string, since: number, limit: number): Promise<number[]> {
  const rows = await db.all<{ d: number }>(
    'SELECT received_at - triggered_at AS d FROM webhook_receipts WHERE channel_id = ? AND received_at >= ? AND triggered_at IS NOT NULL ORDER BY received_at DESC LIMIT ?',
    [channelId, since, limit],
  );
  return rows.map((r) => Math.max(0, Number(r.d)));
}

/** The measured p99 inbound lag of a channel (the adaptive buffer of the other channels reads it). */
export async function writeInboundLag(db: Db, ws: string, channelId: string, seconds: number, now: number): Promise<void> {
  await db.run(
    `INSERT INTO channel_sync (channel_id, workspace_id, inbound_lag_seconds, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (channel_id) DO UPDATE SET inbound_lag_seconds = excluded.inbound_lag_seconds, updated_at = excluded.updated_at`,
    [channelId, ws, seconds, now],
  );
}

/** One point of a channel's lag over time (the dashboard's chart). */
export async function insertLagSample(db: Db, channelId: string, at: number, p50: number | null, p99: number | null, pushesPerMinute: number): Promise<void> {
  await db.run('INSERT INTO channel_lag_samples (channel_id, at, p50_ms, p99_ms, pushes) VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel_id, at) DO NOTHING',
    [channelId, at, p50, p99, Math.round(pushesPerMinute)]);
  // A week of samples is plenty for the chart.
  await db.run('DELETE FROM channel_lag_samples WHERE channel_id = ? AND at < ?', [channelId, at - 7 * 86_400_000]);
}

export interface QueueStats {
  depth: number;
  oldest_enqueued_at: number | null;
  dead_letters: number;
}

export async function queueStats(db: Db, channelId: string): Promise<QueueStats> {
  const q = await db.get<{ n: number; oldest: number | null }>('SELECT COUNT(*) AS n, MIN(enqueued_at) AS oldest FROM channel_outbox WHERE channel_id = ?', [channelId]);
  const d = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM listing_sync WHERE channel_id = ? AND dead_at IS NOT NULL', [channelId]);
  return { depth: Number(q?.n ?? 0), oldest_enqueued_at: num(q?.oldest), dead_letters: Number(d?.n ?? 0) };
}

export async function deadLetters(db: Db, channelId: string, limit: number): Promise<{ listing_id: string; dead_at: number; dead_reason: string | null }[]> {
  const rows = await db.all<{ listing_id: string; dead_at: number; dead_reason: string | null }>(
    'SELECT listing_id, dead_at, dead_reason FROM listing_sync WHERE channel_id = ? AND dead_at IS NOT NULL ORDER BY dead_at LIMIT ?', [channelId, limit]);
  return rows.map((r) => ({ ...r, dead_at: Number(r.dead_at) }));
}
