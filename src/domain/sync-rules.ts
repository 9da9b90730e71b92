// What to tell a channel when its number moved under us (design.md §4): a compare-and-set
// mismatch, or a read-back that differs from what we last pushed.

/**
 * The number to push when the channel shows `shown` but we last pushed `pushed` and now want
 * `ours`. A channel number lower than we pushed is most likely an order truestock has not heard
 * of yet (or a hand edit down): overwriting it with `ours` would hand those units out again, so
 * we keep the channel's decrease on top of ours until the order (or the edit's policy) reaches
 * the ledger and a fresh number follows. A channel number higher than we pushed is never
 * followed: showing more than the ledger allows is how overselling starts.
 */
export function reconciledQuantity(ours: number, pushed: number | null, shown: number): number {
  // Never pushed: nothing to compare the channel's number with.
  if (pushed === null) return Math.max(0, ours);
  const unexplainedDecrease = Math.max(0, pushed - shown);
  return Math.max(0, ours - unexplainedDecrease);
}
