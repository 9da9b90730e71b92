// SQL for reconciliation (docs/sync-out.md "Reconciliation"): which process reads a channel back,
// which listings are due, what each read-back saw, and the one drift exception per listing.

import { closeException, seenAgain } from './exception-repo.ts';
import { type Db, placeholders } from './store.ts';

const num = (x: unknown) => (x === null || x === undefined ? null : Number(x));

/**
 * Claim a channel's next reconciliation round for `leaseMs`: true for exactly one process at a
 * time (several workers share one database). A process that dies mid-round simply lets the lease
 * run out; `releaseReconcile` sets when the next round may start.
 */
export async function claimReconcile(db: Db, ws: string, channelId: string, now: number, leaseMs: number): Promise<boolean> {
  await db.run('INSERT INTO channel_sync (channel_id, workspace_id, updated_at) VALUES (?, ?, ?) ON CONFLICT (channel_id) DO NOTHING', [channelId, ws, now]);
  return (await db.run('UPDATE channel_sync SET reconcile_until = ? WHERE channel_id = ? AND reconcile_until <= ?', [now + leaseMs, channelId, now])) > 0;
}

/** The round is over: the next may start at `nextAt`. */
export async function releaseReconcile(db: Db, channelId: string, nextAt: number): Promise<void> {
  await db.run('UPDATE channel_sync SET reconcile_until = ? WHERE channel_id = ?', [nextAt, channelId]);
}

/** The measured lags the drift rule and the visible-delay allowance use (seconds; null: not measured). */
export async function measuredLags(db: Db, channelId: string): Promise<{ inbound: number | null; visible: number | null }> {
  const r = await db.get<{ inbound_lag_seconds: number | null; visible_lag_seconds: number | null }>(
    'SELECT inbound_lag_seconds, visible_lag_seconds FROM channel_sync WHERE channel_id = ?', [channelId]);
  return { inbound: num(r?.inbound_lag_seconds), visible: num(r?.visible_lag_seconds) };
}

/** A listing to read back, with the identifiers the connector needs. */
export interface DueListing {
  id: string;
  itemId: string;
  sku: string;
  externalKey: string;
  external: Record<string, string>;
}

/**
 * Active listings of a channel whose read-back is due, oldest read first (never read first of
 * all): not read for `intervalMs`, or — when the last read-back did not show what we pushed — not
 * for `recheckMs`, so a difference is looked at again once it can be judged. Listings with a push
 * of ours queued or in flight, or a submission the channel is still processing, are skipped (a
 * read could not judge them: the budget goes where it can), and dead-lettered ones are left to
 * the dead-letter list.
 */
export async function dueListings(db: Db, channelId: string, now: number, intervalMs: number, recheckMs: number, limit: number): Promise<DueListing[]> {
  const rows = await db.all<{ id: string; item_id: string; sku: string; external_key: string; external: string }>(
    `SELECT l.id, l.item_id, i.sku, l.external_key, l.external FROM listings l JOIN items i ON i.id = l.item_id LEFT JOIN listing_sync s ON s.listing_id = l.id
     WHERE l.channel_id = ? AND l.active = ? AND s.dead_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM channel_outbox o WHERE o.listing_id = l.id)
       AND NOT EXISTS (SELECT 1 FROM channel_submissions cs WHERE cs.channel_id = l.channel_id AND cs.listing_id = l.id)
       AND (s.read_at IS NULL OR s.read_at <= ? OR (s.read_quantity <> s.pushed_quantity AND s.read_at <= ?))
     ORDER BY COALESCE(s.read_at, 0), l.id LIMIT ?`,
    [channelId, true, now - intervalMs, now - recheckMs, limit],
  );
  return rows.map((r) => ({ id: r.id, itemId: r.item_id, sku: r.sku, externalKey: r.external_key, external: JSON.parse(r.external) as Record<string, string> }));
}

/** What reconciliation knows of a listing: the last push, the last read-back, the difference watched. */
export interface ReconcileState {
  pushedQuantity: number | null;
  pushedAt: number | null;
  readAt: number | null;
  readQuantity: number | null;
  driftSince: number | null;
  driftCount: number;
  driftExceptionId: string | null;
  /** An outbox row exists (a push is queued, in flight or waiting out a grace), or a submission is still processing. */
  queued: boolean;
}

export async function reconcileStates(db: Db, listingIds: string[]): Promise<Map<string, ReconcileState>> {
  if (listingIds.length === 0) return new Map();
  const rows = await db.all<{ id: string; pushed_quantity: number | null; pushed_at: number | null; read_at: number | null; read_quantity: number | null;
    drift_since: number | null; drift_count: number | null; drift_exception_id: string | null; queued: string | null }>(
    `SELECT l.id, s.pushed_quantity, s.pushed_at, s.read_at, s.read_quantity, s.drift_since, s.drift_count, s.drift_exception_id, COALESCE(o.listing_id, cs.listing_id) AS queued
     FROM listings l LEFT JOIN listing_sync s ON s.listing_id = l.id LEFT JOIN channel_outbox o ON o.listing_id = l.id
       LEFT JOIN channel_submissions cs ON cs.channel_id = l.channel_id AND cs.listing_id = l.id
     WHERE l.id IN (${placeholders(listingIds.length)})`,
    listingIds,
  );
  return new Map(rows.map((r) => [r.id, {
    pushedQuantity: num(r.pushed_quantity), pushedAt: num(r.pushed_at), readAt: num(r.read_at), readQuantity: num(r.read_quantity),
    driftSince: num(r.drift_since), driftCount: Number(r.drift_count ?? 0), driftExceptionId: r.drift_exception_id, queued: r.queued !== null,
  }]));
}

/** Record one read-back of a listing and the difference now watched (none: nulls and 0). */
export async function recordRead(
  db: Db, ws: string, channelId: string, listingId: string,
  read: { at: number; quantity: number | null; driftSince: number | null; driftCount: number; driftExceptionId: string | null },
): Promise<void> {
  await db.run(
    `INSERT INTO listing_sync (listing_id, workspace_id, channel_id, read_at, read_quantity, drift_since, drift_count, drift_exception_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (listing_id) DO UPDATE SET read_at = excluded.read_at, read_quantity = excluded.read_quantity, drift_since = excluded.drift_since,
       drift_count = excluded.drift_count, drift_exception_id = excluded.drift_exception_id`,
    [listingId, ws, channelId, read.at, read.quantity, read.driftSince, read.driftCount, read.driftExceptionId],
  );
}

/** Bring a listing's open drift exception up to date; false when it is gone or someone resolved it. */
export async function updateOpenException(db: Db, id: string, quantity: number, message: string, now: number): Promise<boolean> {
  return seenAgain(db, id, message, quantity, now);
}

/** The channel converged: its drift exception is resolved by the system, saying so. */
export async function resolveOpenException(db: Db, id: string, resolution: string, now: number): Promise<void> {
  await closeException(db, id, 'converged', resolution, now);
}
