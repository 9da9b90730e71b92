// A token bucket per channel (docs/sync.md §1). It holds the invariant the dispatcher relies on:
// between two moments, the tokens taken never exceed what the bucket held at the start, plus
// what it refilled (refillPerSecond × elapsed), plus what was given back — so following it never
// spends more than the channel's documented budget. The channel's own word (Shopify's
// throttleStatus, a THROTTLED answer, Retry-After) overrides our estimate whenever it speaks.
//
// Pure and deterministic: no clock, no timers. Every call takes `now` (ms); time never runs
// backwards here — an earlier `now` than one already seen is treated as the latest seen, so a
// late caller can neither mint tokens nor shorten a wait.

export interface BucketSpec {
  capacity: number;
  refillPerSecond: number;
}

/**
 * Slack in token comparisons. Refills are fractional (rate × ms / 1000), so a bucket that was
 * told to wait exactly long enough may be a rounding error short; 1e-9 token is far below any
 * channel's unit of cost (Shopify's smallest is 1 point, Amazon's 1 request).
 */
const TOKEN_EPSILON = 1e-9;

export class TokenBucket {
  #capacity: number;
  #refillPerSecond: number;
  /** Tokens at #at. */
  #tokens: number;
  /** The latest time seen (ms). */
  #at: number;
  /** No take before this (a Retry-After); -Infinity when none. */
  #notBefore = Number.NEGATIVE_INFINITY;

  constructor(spec: BucketSpec, now: number, initial: number = spec.capacity) {
    assertSpec(spec);
    assertTime(now);
    if (!Number.isFinite(initial)) throw new RangeError(`initial tokens must be a finite number, got ${initial}`);
    this.#capacity = spec.capacity;
    this.#refillPerSecond = spec.refillPerSecond;
    this.#tokens = clamp(initial, 0, spec.capacity);
    this.#at = now;
  }

  /** Tokens that may be spent now (0 while a Retry-After is running; fractional ok). */
  available(now: number): number {
    const t = this.#advance(now);
    return t < this.#notBefore ? 0 : this.#tokens;
  }

  /** Take `cost` tokens if there; returns 0 when taken, else ms to wait until they will be. Never takes partially. */
  tryTake(cost: number, now: number): number {
    assertCost(cost);
    const t = this.#advance(now);
    const wait = this.#waitFrom(cost, t);
    if (wait > 0) return wait;
    this.#tokens = Math.max(0, this.#tokens - cost);
    return 0;
  }

  /** Ms until `cost` tokens are there (0 = now). cost > capacity → Infinity (can never be served). */
  waitFor(cost: number, now: number): number {
    assertCost(cost);
    return this.#waitFrom(cost, this.#advance(now));
  }

  /**
   * Give back tokens charged but not spent (Shopify: requested − actual cost). Never above
   * capacity. Not needed after observe(): Shopify's currentlyAvailable already has the actual cost
   * taken off. Negative amounts are a programmer error (pass max(0, requested − actual)).
   */
  refund(tokens: number, now: number): void {
    if (!Number.isFinite(tokens) || tokens < 0) throw new RangeError(`refund must be a finite number ≥ 0, got ${tokens}`);
    this.#advance(now);
    this.#tokens = Math.min(this.#capacity, this.#tokens + tokens);
  }

  /**
   * The channel told us its real state (Shopify throttleStatus: maximumAvailable,
   * currentlyAvailable, restoreRate): adopt it, trusting the channel over our estimate. Fields
   * that are missing or not sensible numbers (channel data, not our bug) are ignored. Time up to
   * `now` refills at the old rate; the new rate applies from `now`. A running Retry-After stays.
   */
  observe(status: { capacity?: number; available?: number; refillPerSecond?: number }, now: number): void {
    this.#advance(now);
    if (isFiniteNumber(status.capacity) && status.capacity > 0) this.#capacity = status.capacity;
    if (isFiniteNumber(status.refillPerSecond) && status.refillPerSecond >= 0) this.#refillPerSecond = status.refillPerSecond;
    if (isFiniteNumber(status.available)) this.#tokens = status.available;
    // Shopify's currentlyAvailable can dip below 0 after an expensive query; we never owe tokens
    // beyond empty, and a smaller capacity caps what we hold.
    this.#tokens = clamp(this.#tokens, 0, this.#capacity);
  }

  /**
   * A call charged `cost` when it was sent is answered now. A channel that counts a call when it
   * arrives may have counted it any time until now: a call held up on the way (a busy event loop,
   * a slow network) lands close to the next one, sent on time. So the cost is counted as taken
   * now — the bucket holds at most what it would had the call been sent now (capacity − cost).
   * Refills meanwhile are kept when the bucket was below that. Not after a report of the
   * channel's own count (`observe` with `available`): that already says what it charged.
   */
  answered(cost: number, now: number): void {
    assertCost(cost);
    this.#advance(now);
    this.#tokens = clamp(Math.min(this.#tokens, this.#capacity - cost), 0, this.#capacity);
  }

  /**
   * Throttled anyway (another client of the same shop spends the same bucket): empty it and wait
   * at least `retryAfterMs` if given. The bucket refills from `now` meanwhile, so a take is
   * possible at max(now + retryAfterMs, the time the cost has refilled).
   */
  throttled(now: number, retryAfterMs?: number): void {
    const t = this.#advance(now);
    this.#tokens = 0;
    if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0) {
      this.#notBefore = Math.max(this.#notBefore, t + retryAfterMs);
    }
  }

  spec(): BucketSpec {
    return { capacity: this.#capacity, refillPerSecond: this.#refillPerSecond };
  }

  /** Refill up to `now` (never past capacity) and return the effective time. */
  #advance(now: number): number {
    assertTime(now);
    if (now > this.#at) {
      this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#at) * this.#refillPerSecond) / 1000);
      this.#at = now;
    }
    return this.#at;
  }

  /** Whole ms from `t` (already advanced to) until `cost` may be taken. */
  #waitFrom(cost: number, t: number): number {
    if (cost > this.#capacity) return Number.POSITIVE_INFINITY;
    // Kept relative to t: added to an epoch time (~1.8e12), a sub-ms refill wait would vanish.
    let waitMs = this.#notBefore - t;
    const slack = TOKEN_EPSILON * Math.max(1, cost);
    if (this.#tokens + slack < cost) {
      if (this.#refillPerSecond === 0) return Number.POSITIVE_INFINITY;
      // Aim for half the slack short of `cost`: the take then passes with room to spare for
      // rounding, and rounding noise does not add a whole ms to the wait.
      waitMs = Math.max(waitMs, ((cost - slack / 2 - this.#tokens) * 1000) / this.#refillPerSecond);
    }
    // Rounded up to whole ms: waiting that long always finds the tokens there.
    return waitMs > 0 ? Math.ceil(waitMs) : 0;
  }
}

function assertSpec(spec: BucketSpec): void {
  if (!Number.isFinite(spec.capacity) || spec.capacity <= 0) throw new RangeError(`capacity must be a finite number > 0, got ${spec.capacity}`);
  if (!Number.isFinite(spec.refillPerSecond) || spec.refillPerSecond < 0) {
    throw new RangeError(`refillPerSecond must be a finite number ≥ 0, got ${spec.refillPerSecond}`);
  }
}

function assertTime(now: number): void {
  if (!Number.isFinite(now)) throw new RangeError(`now must be a finite number of ms, got ${now}`);
}

function assertCost(cost: number): void {
  if (!Number.isFinite(cost) || cost < 0) throw new RangeError(`cost must be a finite number ≥ 0, got ${cost}`);
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
