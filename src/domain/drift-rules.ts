// Reconciliation (design.md §5): is what a channel shows for a listing, read back, explained by
// what we told it? Pure: the reconciler gathers the facts and the time, and acts on the verdict.
//
// What we expect the channel to show is the last number it acknowledged from us
// (`listing_sync.pushed_quantity`), less the channel's own orders that have not reached us yet,
// allowing for a push of ours that it has not finished applying. The orders we have not taken in
// cannot be seen, so a difference is judged only once it has stood longer than the channel's
// inbound lag (the time its order events take to reach us): by then the order behind it, if any,
// has arrived, and its recompute has queued a new number — which makes the listing pending, not
// drifted. The rule, in order:
//
// 1. `unknown`  — the channel could not say, or nothing was ever acknowledged: nothing to compare.
// 2. `in_sync`  — it shows exactly the last acknowledged push.
// 3. `pending`  — a push of ours is queued, in flight or waiting out a grace (an outbox row), or
//                 one was acknowledged after the read began: the read says nothing about it yet.
// 4. `processing` — the last push was acknowledged (or submitted) less than the channel's
//                 publish-to-visible allowance ago: an asynchronous channel may still be applying it.
// 5. `young`    — it differs, but the difference has been seen for less than the inbound lag:
//                 it may be an order whose event is on its way. Seen again after that, it is judged.
// 6. `drift`    — it differs, nothing of ours explains it, and it has stood for at least the
//                 inbound lag: a hand edit, an order that never reached us, a channel-side bug.
//
// A difference's age counts from the first read-back that saw this same number after the last
// acknowledged push; a new push or a different number starts it again (a new order may be
// behind a new number).

export interface ReadBackFacts {
  /** What the channel shows now (null: it could not say). */
  shown: number | null;
  /** The last number the channel acknowledged from us, and when (null: never). */
  pushed: number | null;
  pushedAt: number | null;
  /** An outbox row exists for the listing, or a submission of ours is still being processed. */
  pending: boolean;
  /** When the read-back call began (ms): what it shows is no older than this. */
  readAt: number;
  /** The previous read-back of this listing: when, and what it showed (null: none). */
  previousReadAt: number | null;
  previousShown: number | null;
  /** When the current difference was first seen (null: no difference was being watched). */
  differenceSince: number | null;
  /** How late the channel's own order events reach us, ms. */
  inboundLagMs: number;
  /** How long the channel may take to show a number it acknowledged, ms (0 for a synchronous channel). */
  visibleAllowanceMs: number;
}

export type Verdict =
  | { verdict: 'unknown' }
  | { verdict: 'in_sync' }
  | { verdict: 'pending' }
  | { verdict: 'processing' }
  /** `since`: when this difference was first seen. */
  | { verdict: 'young'; since: number }
  /** `difference`: shown − pushed. */
  | { verdict: 'drift'; since: number; difference: number };

export function judgeReadBack(f: ReadBackFacts): Verdict {
  if (f.shown === null || f.pushed === null || f.pushedAt === null) return { verdict: 'unknown' };
  if (f.shown === f.pushed) return { verdict: 'in_sync' };
  if (f.pending || f.pushedAt >= f.readAt) return { verdict: 'pending' };
  if (f.readAt - f.pushedAt < f.visibleAllowanceMs) return { verdict: 'processing' };
  const since = differenceSince(f);
  if (f.readAt - since < f.inboundLagMs) return { verdict: 'young', since };
  return { verdict: 'drift', since, difference: f.shown - f.pushed };
}

/**
 * When the difference now shown was first seen: the watched one goes on if the previous read-back
 * showed this same number after the last push; otherwise it starts with this read.
 */
function differenceSince(f: ReadBackFacts): number {
  const continues = f.differenceSince !== null && f.previousReadAt !== null && f.pushedAt !== null
    && f.differenceSince > f.pushedAt && f.previousShown === f.shown;
  return continues ? Math.min(f.differenceSince!, f.readAt) : f.readAt;
}

/**
 * A publish-to-visible sample from a read-back that shows the last acknowledged push for the
 * first time, ms, or null when the read tells nothing about the delay.
 *
 * Only a read that is *bracketed* counts: an earlier read-back after the acknowledgement did not
 * show the number yet, so the channel was demonstrably slow, and the delay lies between that read
 * and this one; the sample is the upper end (this read − the acknowledgement), which errs on the
 * safe side for the buffer and is tight because a listing whose read differs is read again soon.
 * When the first read after the acknowledgement already shows the number, the delay is only known
 * to be shorter than our own read schedule (minutes): the acknowledgement is then the better
 * evidence, and recording the schedule as a delay would inflate every buffer for nothing.
 */
export function visibleDelaySample(f: Pick<ReadBackFacts, 'shown' | 'pushed' | 'pushedAt' | 'readAt' | 'previousReadAt' | 'previousShown'>): number | null {
  if (f.shown === null || f.pushed === null || f.pushedAt === null || f.shown !== f.pushed) return null;
  const bracketed = f.previousReadAt !== null && f.previousReadAt > f.pushedAt && f.previousShown !== null && f.previousShown !== f.pushed;
  return bracketed ? Math.max(0, f.readAt - f.pushedAt) : null;
}
