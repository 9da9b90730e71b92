// What to do when a channel's number moved under us (design.md §4): a compare-and-set mismatch
// or a read-back that differs from what we last pushed.
//
// One invariant runs through both rules: waiting only ever delays a *raise* of the channel's
// number. A channel that shows more than truestock is selling units that may be gone, so the
// number that lowers it goes out at once, whatever grace or edit is pending.

/**
 * Wait before pushing `ours` over what the channel shows? When the channel shows less than we
 * last pushed, the likeliest cause is an order truestock has not heard of yet (its webhook is
 * seconds behind; the poll catches a lost one): raising the channel's number now would hand those
 * units out again. So a recent unexplained decrease is left in place for a grace period; by then
 * the order has usually reached the ledger and our number already accounts for it (a hand edit
 * down is then overridden or adopted by the channel's edit policy). Lowering the channel's number
 * never waits, and a channel showing more than we pushed is never left alone: showing more than
 * the ledger allows is how overselling starts.
 */
export function waitBeforeOverwrite(ours: number, pushed: number | null, shown: number | null): boolean {
  return pushed !== null && shown !== null && shown < pushed && ours > shown;
}

/**
 * When truestock's number may go back over an edit seen on the channel (`master_wins`): after the
 * edit grace if it would raise what the channel shows (the order behind a decrease gets time to
 * arrive), at once otherwise — a channel showing more than ours (a hand edit up, a restock of a
 * unit truestock holds in quality control) is corrected now, and a lower number already queued is
 * never held back by an edit that arrived after it. `now` and the result are ms.
 */
export function pushAfterEdit(ours: number, shown: number, now: number, graceMs: number): number {
  return ours > shown ? now + graceMs : now;
}

/** Hand edits on one listing that make a recurring-edit exception… */
export const CHANNEL_EDIT_RECUR_COUNT = 3;
/** …when they fall within this window (ms). */
export const CHANNEL_EDIT_RECUR_WINDOW_MS = 60 * 60_000;

/**
 * Do `editsInWindow` edits of one listing within CHANNEL_EDIT_RECUR_WINDOW_MS mean someone (or an
 * app on the shop) keeps setting the channel's number by hand? One edit is a correction; three in
 * an hour fight truestock's number, and each opens a window in which the channel shows a wrong one.
 */
export function editsRecur(editsInWindow: number): boolean {
  return editsInWindow >= CHANNEL_EDIT_RECUR_COUNT;
}

/** What a hand edit on a channel means: truestock's number goes back (default), or the edit is booked. */
export type EditPolicy = 'master_wins' | 'adopt';
/** Edits on a channel wait this long before truestock's number is pushed over them, unless the channel's settings say. */
export const EDIT_GRACE_SECONDS_DEFAULT = 30;
/** The longest grace a channel may ask for: beyond it the channel shows a wrong number too long. */
export const EDIT_GRACE_SECONDS_MAX = 3_600;

/**
 * The default grace for a channel whose sales reach us `inboundSeconds` late: a level the channel
 * lowered for a sale can arrive before the sale's order by up to that long (Amazon announces the
 * quantity at once, its order comes by a poll minutes later), and until the order is in the drop
 * looks like a hand edit — pushed over (an oversell) or adopted (the sale counted twice).
 */
export function editGraceSecondsFor(inboundSeconds: number): number {
  return inboundSeconds > EDIT_GRACE_SECONDS_DEFAULT ? Math.min(inboundSeconds + EDIT_GRACE_SECONDS_DEFAULT, EDIT_GRACE_SECONDS_MAX) : EDIT_GRACE_SECONDS_DEFAULT;
}

/** The channel's edit policy and grace from its settings; anything unreadable falls back to the default (its kind's, when given). */
export function editSettings(settings: Record<string, unknown>, defaultGraceSeconds = EDIT_GRACE_SECONDS_DEFAULT): { editPolicy: EditPolicy; editGraceMs: number } {
  const policy = settings.edit_policy === 'adopt' ? 'adopt' : 'master_wins';
  const g = settings.edit_grace_seconds;
  const seconds = typeof g === 'number' && Number.isFinite(g) && g >= 0 ? Math.min(g, EDIT_GRACE_SECONDS_MAX) : defaultGraceSeconds;
  return { editPolicy: policy, editGraceMs: Math.round(seconds * 1000) };
}
