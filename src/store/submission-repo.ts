// Submissions a channel applies later (a feed, an `ACCEPTED` patch): one row per listing with the
// version and number it carried, until the channel says it was applied (then the listing counts
// as pushed), refused it, or forgot it. A newer submission of a listing supersedes the one still
// processing, but the older one is still watched (`channel_submissions_superseded`) until the
// channel finishes it: a channel that need not apply submissions in the order they were sent
// (Amazon: a feed processed after a newer patch) can apply the older number last.

import type { Claimed } from './sync-repo.ts';
import { type Db, placeholders } from './store.ts';

export interface SubmissionRow {
  channel_id: string;
  listing_id: string;
  workspace_id: string;
  submission_id: string;
  version: number;
  quantity: number;
  external: Record<string, string>;
  expected: number | null;
  enqueued_at: number;
  submitted_at: number;
  checked_at: number;
  /** A newer submission of the listing was sent since: this one is watched only to see it finish. */
  superseded: boolean;
}

const COLUMNS = 'channel_id, listing_id, workspace_id, submission_id, version, quantity, external, expected, enqueued_at, submitted_at, checked_at';

/**
 * A claimed outbox row was submitted: follow it, and take the row out of the queue unless a newer
 * version was enqueued meanwhile (that one goes next). A listing has one submission followed at a
 * time — the newest: an older one still processing is superseded.
 */
export async function insertSubmission(db: Db, c: Claimed, submissionId: string, quantity: number, expected: number | null, workerId: string, now: number): Promise<void> {
  await db.run(
    `INSERT INTO channel_submissions_superseded (${COLUMNS})
     SELECT ${COLUMNS} FROM channel_submissions WHERE channel_id = ? AND listing_id = ? AND version < ? AND submission_id <> ?
     ON CONFLICT (channel_id, listing_id, submission_id) DO NOTHING`,
    [c.channel_id, c.listing_id, c.version, submissionId],
  );
  await db.run(
    `INSERT INTO channel_submissions (channel_id, listing_id, workspace_id, submission_id, version, quantity, external, expected, enqueued_at, submitted_at, checked_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (channel_id, listing_id) DO UPDATE SET submission_id = excluded.submission_id, version = excluded.version, quantity = excluded.quantity,
       external = excluded.external, expected = excluded.expected, enqueued_at = excluded.enqueued_at, submitted_at = excluded.submitted_at, checked_at = excluded.checked_at
     WHERE channel_submissions.version < excluded.version`,
    [c.channel_id, c.listing_id, c.workspace_id, submissionId, c.version, quantity, JSON.stringify(c.external), expected, c.enqueued_at, now, now],
  );
  const done = await db.run('DELETE FROM channel_outbox WHERE listing_id = ? AND version = ?', [c.listing_id, c.version]);
  if (done === 0) await db.run('UPDATE channel_outbox SET claimed_by = NULL, claimed_until = 0 WHERE listing_id = ? AND claimed_by = ?', [c.listing_id, workerId]);
}

/** The submissions of a channel looked at longest ago, whole (every listing each carried, superseded or not). */
export async function submissionsDue(db: Db, channelId: string, limit: number): Promise<Map<string, SubmissionRow[]>> {
  const both = `SELECT ${COLUMNS}, ? AS superseded FROM channel_submissions WHERE channel_id = ?
    UNION ALL SELECT ${COLUMNS}, ? AS superseded FROM channel_submissions_superseded WHERE channel_id = ?`;
  const args = [0, channelId, 1, channelId];
  const ids = await db.all<{ submission_id: string }>(
    `SELECT submission_id FROM (${both}) s GROUP BY submission_id ORDER BY MIN(checked_at), submission_id LIMIT ?`, [...args, limit]);
  if (ids.length === 0) return new Map();
  const rows = await db.all<Omit<SubmissionRow, 'superseded'> & { external: string; superseded: number }>(
    `SELECT * FROM (${both}) s WHERE submission_id IN (${placeholders(ids.length)}) ORDER BY submission_id, listing_id, superseded`,
    [...args, ...ids.map((r) => r.submission_id)],
  );
  const out = new Map<string, SubmissionRow[]>();
  for (const r of rows) {
    const row: SubmissionRow = {
      ...r, version: Number(r.version), quantity: Number(r.quantity), external: JSON.parse(r.external) as Record<string, string>,
      expected: r.expected === null ? null : Number(r.expected), enqueued_at: Number(r.enqueued_at), submitted_at: Number(r.submitted_at), checked_at: Number(r.checked_at),
      superseded: Number(r.superseded) === 1,
    };
    out.set(r.submission_id, [...(out.get(r.submission_id) ?? []), row]);
  }
  return out;
}

export async function touchSubmission(db: Db, channelId: string, submissionId: string, now: number): Promise<void> {
  for (const table of ['channel_submissions', 'channel_submissions_superseded']) {
    await db.run(`UPDATE ${table} SET checked_at = ? WHERE channel_id = ? AND submission_id = ?`, [now, channelId, submissionId]);
  }
}

/** Stop following one listing of a submission (it was settled); a newer submission of the listing stays. */
export async function settleSubmission(db: Db, row: SubmissionRow): Promise<void> {
  const table = row.superseded ? 'channel_submissions_superseded' : 'channel_submissions';
  await db.run(`DELETE FROM ${table} WHERE channel_id = ? AND listing_id = ? AND submission_id = ? AND version = ?`, [row.channel_id, row.listing_id, row.submission_id, row.version]);
}

/** Listings with a submission still processing, so drift checks leave them alone. */
export async function pendingSubmissionCount(db: Db, channelId: string): Promise<number> {
  const r = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM channel_submissions WHERE channel_id = ?', [channelId]);
  return Number(r?.n ?? 0);
}
