// Asynchronous submissions (design.md §4, channels.md "Amazon ACCEPTED ≠ applied"): a channel
// that takes a push now and applies it later answers `submitted`. The listing is then followed,
// not acknowledged: its number counts as pushed — and its lag is measured — only when the
// channel's processing report says it was applied. A refused item is parked like a rejected push;
// an item the channel did not apply, or a submission that never finishes, is pushed again.
// A submission superseded by a newer one of its listing is watched until it finishes too: when
// the channel applied it, it may have done so after the newer one and show the older number —
// the listing is pushed again unless that number is the current one (one extra push when the
// channel did keep the order; waiting instead would leave the older number up until the newer
// submission times out).

import type { Clock } from '../app/clock.ts';
import type { Db, Store } from '../store/store.ts';
import { insertSubmission, settleSubmission, type SubmissionRow, submissionsDue, touchSubmission } from '../store/submission-repo.ts';
import { type Claimed, recordPushed, requeueListing, requeueUnlessCurrent } from '../store/sync-repo.ts';
import { type BudgetReport, budgetFor, type PushItem, type SubmissionResult } from './connector.ts';
import type { ChannelRuntime } from './dispatcher.ts';
import type { TokenBucket } from './limiter.ts';

/** How often a channel's processing submissions are looked at, unless its connector says. */
export const SUBMISSION_POLL_MS = 15_000;
/** Submissions looked at per round. */
const SUBMISSIONS_PER_ROUND = 5;
/** A submission still processing after this long is given up on and its listings pushed again. */
export const SUBMISSION_TIMEOUT_MS = 4 * 3_600_000;

export interface SubmissionHooks {
  bucket(c: ChannelRuntime, name: string, now: number): TokenBucket;
  afterCall(c: ChannelRuntime, bucket: TokenBucket, cost: number, report: BudgetReport | undefined, at: number): void;
  pauseForAuth(c: ChannelRuntime, message: string, at: number): Promise<void>;
  park(db: Db, c: ChannelRuntime, row: Claimed, reason: string, at: number): Promise<void>;
  onAcknowledged(c: ChannelRuntime, enqueuedAt: number, at: number): void;
}

/** In the push's transaction: the claimed row was submitted, not applied. */
export function recordSubmitted(db: Db, row: Claimed, item: PushItem, submissionId: string, workerId: string, at: number): Promise<void> {
  return insertSubmission(db, row, submissionId, item.quantity, item.expected, workerId, at);
}

const toItem = (r: SubmissionRow): PushItem => ({ listingId: r.listing_id, version: r.version, external: r.external, quantity: r.quantity, expected: r.expected });

const asClaimed = (r: SubmissionRow): Claimed => ({
  listing_id: r.listing_id, workspace_id: r.workspace_id, channel_id: r.channel_id, quantity: r.quantity, backorder_units: 0, version: r.version,
  enqueued_at: r.enqueued_at, attempts: 0, external: r.external, pushed_quantity: null, shown_quantity: null, shown_at: null,
});

/** Look at a channel's processing submissions when they are due, within its budget. */
export async function checkSubmissions(store: Store, clock: Clock, c: ChannelRuntime, workerId: string, hooks: SubmissionHooks): Promise<void> {
  const connector = c.connector;
  if (!connector?.checkSubmission) return;
  const now = clock.now();
  if (now - c.submissionsCheckedAt < (connector.submissionPollMs ?? SUBMISSION_POLL_MS)) return;
  c.submissionsCheckedAt = now;
  const due = await store.read((db) => submissionsDue(db, c.info.id, SUBMISSIONS_PER_ROUND));
  for (const [id, rows] of due) {
    const at = clock.now();
    if (rows.every((r) => at - r.submitted_at > SUBMISSION_TIMEOUT_MS)) {
      await store.transaction(async (db) => { for (const r of rows) await again(db, r, at); });
      continue;
    }
    const bucket = hooks.bucket(c, budgetFor(connector, 'submission'), at);
    const cost = connector.submissionCost?.() ?? 1;
    if (bucket.waitFor(cost, at) > 0 || bucket.tryTake(cost, at) !== 0) return;
    const result: SubmissionResult = await connector.checkSubmission(id, rows.map(toItem)).catch((err: unknown) => ({ ok: false, failure: 'transient', retryAfterMs: null, message: String(err) }));
    const done = clock.now();
    hooks.afterCall(c, bucket, cost, result.budget, done);
    if (!result.ok) {
      c.lastError = { at: done, message: `submission ${id}: ${result.message}` };
      if (result.failure === 'auth') return hooks.pauseForAuth(c, result.message, done);
      if (result.failure === 'throttled') return void bucket.throttled(done, result.retryAfterMs ?? undefined);
      // The channel cannot say what became of it: push those numbers again.
      if (result.failure === 'permanent') await store.transaction(async (db) => { for (const r of rows) await again(db, r, done); });
      continue;
    }
    if (result.state === 'processing') {
      await store.transaction((db) => touchSubmission(db, c.info.id, id, done));
      continue;
    }
    await store.transaction(async (db) => {
      for (const [k, r] of rows.entries()) {
        const outcome = result.outcomes[k] ?? { status: 'not_applied' as const };
        await settleSubmission(db, r);
        if (r.superseded) {
          // Applied: the channel may have applied it after the newer one (seen or not yet), and
          // shows its older number. Unless that is the number now, push the listing again.
          if (outcome.status === 'acknowledged') await requeueUnlessCurrent(db, r.listing_id, r.quantity, done);
        } else if (outcome.status === 'acknowledged') {
          await recordPushed(db, r, r.quantity, done);
          hooks.onAcknowledged(c, r.enqueued_at, done);
        } else if (outcome.status === 'rejected') {
          await hooks.park(db, c, asClaimed(r), `submission ${id}: ${outcome.reason}`, done);
        } else {
          await requeueListing(db, r.listing_id, done, r.quantity, 0);
        }
      }
    });
  }
}

/** Stop following a listing's submission and push its current number again (a superseded one: the newer one is followed). */
async function again(db: Db, r: SubmissionRow, at: number): Promise<void> {
  await settleSubmission(db, r);
  if (!r.superseded) await requeueListing(db, r.listing_id, at, r.quantity, 0);
}
