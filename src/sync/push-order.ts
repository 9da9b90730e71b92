// Who goes first when a channel's budget is short (docs/sync.md §5). A decrease towards 0 that
// has not reached the channel is an oversell waiting to happen; an increase that waits only
// delays sales. So the pushes that protect the last units go first.

export interface Pending {
  listingId: string;
  quantity: number;
  /** what the channel shows now, if known (last pushed) */
  shown: number | null;
  enqueuedAt: number;
  attempts: number;
}

/**
 * Order pending pushes for a channel whose budget is short: listings closest to zero first (they
 * are the ones that oversell), and among those, the ones where the channel shows MORE than we
 * now allow (a decrease) before increases; then the oldest. Stable and total (ties by listingId).
 *
 * The keys, in order:
 *  1. closeness to zero — the band of `quantity` (what we now allow): 0 | 1 | 2–3 | 4–7 | 8–15 |
 *     … (powers of two). Bands, not exact numbers, so that 37 vs 38 does not outrank the
 *     direction and age below, while 0 vs 40 does;
 *  2. direction — decrease (shown > quantity), then unknown (shown null: never pushed, it may
 *     be a decrease), then increase, then unchanged (pushing it changes nothing on the channel);
 *  3. the oldest `enqueuedAt` first;
 *  4. `listingId` (code-unit order, independent of locale), so the order is total.
 * `attempts` is deliberately no key: when to retry is the backoff's business, and a retried
 * decrease to 0 is no less urgent for having failed once.
 */
export function pushPriority(a: Pending, b: Pending): number {
  return (
    closenessBand(a.quantity) - closenessBand(b.quantity) ||
    directionRank(a) - directionRank(b) ||
    a.enqueuedAt - b.enqueuedAt ||
    (a.listingId < b.listingId ? -1 : a.listingId > b.listingId ? 1 : 0)
  );
}

/** Split into batches of at most `max` items each (the channel's per-call maximum), keeping order. */
export function batches<T>(items: T[], max: number): T[][] {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a whole number ≥ 1, got ${max}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += max) out.push(items.slice(i, i + max));
  return out;
}

/** 0 for quantity < 1 (0, or anything negative), else ⌊log2 quantity⌋ + 1. */
function closenessBand(quantity: number): number {
  if (!(quantity >= 1)) return 0;
  if (quantity === Number.POSITIVE_INFINITY) return 1026; // past the band of the largest finite double
  let band = 1;
  for (let q = quantity; q >= 2; q /= 2) band += 1; // exact, unlike Math.log2 near powers of two
  return band;
}

const DECREASE = 0;
const UNKNOWN = 1;
const INCREASE = 2;
const UNCHANGED = 3;

function directionRank(p: Pending): number {
  if (p.shown === null) return UNKNOWN;
  if (p.shown > p.quantity) return DECREASE;
  if (p.shown < p.quantity) return INCREASE;
  return UNCHANGED;
}
