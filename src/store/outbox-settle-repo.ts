// Settling many claimed outbox rows at once: the dispatcher's acknowledgements, releases and
// postponements for a whole push (up to 250 listings on Shopify) as a few set-based statements
// instead of two or three per row.
//
// Why: each of these runs inside a transaction that holds the rows' locks until it commits. One
// statement per row on PostgreSQL is one round trip per row, so settling a batch of 250 held the
// outbox and listing_sync rows for 750 round trips — while the ledger's recompute (which upserts
// the same outbox rows) and the level webhooks (which upsert listing_sync) queued behind it. The
// effect of each row is exactly that of `ackPushed`, `release` and `postpone` in sync-repo.ts.

import type { Claimed } from './sync-repo.ts';
import { chunk, type Db, insertRows, type Param, placeholders } from './store.ts';

/** Rows per statement: the CASE lists bind two parameters a row, well under both dialects' limits. */
const SETTLE_ROWS_PER_STATEMENT_MAX = 500;

const byListing = <T extends { listing_id: string }>(xs: readonly T[]) => [...xs].sort((a, b) => (a.listing_id < b.listing_id ? -1 : a.listing_id > b.listing_id ? 1 : 0));

/** `CASE listing_id WHEN ? THEN ? … END` over whole numbers, and its parameters (typed: PostgreSQL would read them as text). */
function caseOf(pairs: readonly (readonly [string, number])[]): { sql: string; params: Param[] } {
  return { sql: `CASE listing_id ${pairs.map(() => 'WHEN ? THEN CAST(? AS BIGINT)').join(' ')} END`, params: pairs.flatMap(([k, v]) => [k, v]) };
}

/**
 * `ackPushed` for many rows: the channel acknowledged each row's `quantity` for its version. A
 * row whose version is still the one queued goes; one that a newer version replaced meanwhile is
 * released (the newer value goes next); what the channel was told only moves forward in version.
 *
 * `claimedAt`, when given, is when the rows were claimed. A released row's `enqueued_at` (lag is
 * measured from it: the oldest change not yet pushed) then moves up to it: the change it carried
 * has just been acknowledged, and the newer one was committed after the claim read the row, so
 * the claim time is the earliest that change can date from. Left alone, a listing that changes
 * faster than it is pushed would count every push of a burst from the burst's first sale.
 */
export async function ackPushedMany(db: Db, acks: readonly { row: Claimed; quantity: number }[], workerId: string, now: number, claimedAt?: number): Promise<void> {
  const rows = byListing(acks.map((a) => ({ ...a, listing_id: a.row.listing_id })));
  for (const part of chunk(rows, SETTLE_ROWS_PER_STATEMENT_MAX)) {
    const ids = part.map((a) => a.listing_id);
    const versions = caseOf(part.map((a) => [a.listing_id, a.row.version] as const));
    const gone = new Set((await db.all<{ listing_id: string }>(
      `DELETE FROM channel_outbox WHERE listing_id IN (${placeholders(ids.length)}) AND version = ${versions.sql} RETURNING listing_id`,
      [...ids, ...versions.params],
    )).map((r) => r.listing_id));
    const newer = ids.filter((id) => !gone.has(id));
    if (claimedAt === undefined) await releaseMany(db, newer, workerId);
    else if (newer.length > 0) {
      await db.run(
        `UPDATE channel_outbox SET claimed_by = NULL, claimed_until = 0, enqueued_at = CASE WHEN enqueued_at < ? THEN ? ELSE enqueued_at END
         WHERE listing_id IN (${placeholders(newer.length)}) AND claimed_by = ?`,
        [claimedAt, claimedAt, ...newer, workerId],
      );
    }
  }
  await insertRows(db, 'listing_sync', ['listing_id', 'workspace_id', 'channel_id', 'pushed_version', 'pushed_quantity', 'pushed_at', 'shown_quantity', 'shown_at'],
    rows.map((a) => [a.listing_id, a.row.workspace_id, a.row.channel_id, a.row.version, a.quantity, now, a.quantity, now]),
    ` ON CONFLICT (listing_id) DO UPDATE SET pushed_version = excluded.pushed_version, pushed_quantity = excluded.pushed_quantity, pushed_at = excluded.pushed_at,
       shown_quantity = excluded.shown_quantity, shown_at = excluded.shown_at
     WHERE listing_sync.pushed_version < excluded.pushed_version`);
}

/** `release` for many rows: claims of this worker given back untouched. */
export async function releaseMany(db: Db, listingIds: readonly string[], workerId: string): Promise<void> {
  for (const ids of chunk([...listingIds].sort(), SETTLE_ROWS_PER_STATEMENT_MAX)) {
    await db.run(`UPDATE channel_outbox SET claimed_by = NULL, claimed_until = 0 WHERE listing_id IN (${placeholders(ids.length)}) AND claimed_by = ?`, [...ids, workerId]);
  }
}

/** `postpone` for many rows: each handed back until its own not-before, without counting an attempt. */
export async function postponeMany(db: Db, rows: readonly { listing_id: string; notBefore: number }[], workerId: string): Promise<void> {
  for (const part of chunk(byListing(rows), SETTLE_ROWS_PER_STATEMENT_MAX)) {
    const ids = part.map((r) => r.listing_id);
    const due = caseOf(part.map((r) => [r.listing_id, r.notBefore] as const));
    await db.run(
      `UPDATE channel_outbox SET claimed_by = NULL, claimed_until = 0, not_before = ${due.sql} WHERE listing_id IN (${placeholders(ids.length)}) AND claimed_by = ?`,
      [...due.params, ...ids, workerId],
    );
  }
}
