// A token bucket (equivalently, a leaky bucket seen from the other side) as channels enforce
// rate limits: it holds up to `size` tokens and refills continuously at `ratePerSecond`. A call
// takes its cost up front if that much is there; channels that charge the actual cost afterwards
// give the difference back. Size and rate can change while running (a shop upgrades its plan).
// Time comes from an injected clock, so tests and a fake-clock run are exact.

export interface BucketStatus {
  size: number;
  available: number;
  ratePerSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private size: number,
    private ratePerSecond: number,
    private readonly now: () => number,
  ) {
    checkShape(size, ratePerSecond);
    this.tokens = size;
    this.at = now();
  }

  private refill(): void {
    const t = this.now();
    if (t > this.at) this.tokens = Math.min(this.size, this.tokens + ((t - this.at) / 1000) * this.ratePerSecond);
    this.at = Math.max(this.at, t);
  }

  /** Takes `cost` tokens if they are there; false (and nothing taken) otherwise. */
  take(cost: number): boolean {
    this.refill();
    if (cost > this.tokens) return false;
    this.tokens -= cost;
    return true;
  }

  /** Gives back tokens charged but not used (never above the size). */
  giveBack(tokens: number): void {
    this.refill();
    this.tokens = Math.min(this.size, this.tokens + Math.max(0, tokens));
  }

  /** Milliseconds until `cost` tokens are there (0: now; Infinity: more than the bucket holds). */
  msUntil(cost: number): number {
    this.refill();
    if (cost > this.size) return Infinity;
    if (cost <= this.tokens) return 0;
    return Math.ceil(((cost - this.tokens) / this.ratePerSecond) * 1000);
  }

  /**
   * Whole seconds to put in a Retry-After header for `cost` (at least 1): the missing tokens over
   * the rate. A cost above the size gets the same arithmetic, as if the bucket could hold it — a
   * header says a number of seconds, never "never" (`msUntil` says Infinity).
   */
  retryAfterSeconds(cost: number): number {
    this.refill();
    return Math.max(1, Math.ceil((cost - this.tokens) / this.ratePerSecond));
  }

  /** A new size and rate from now on; what is there stays, capped at the new size. */
  resize(size: number, ratePerSecond: number): void {
    checkShape(size, ratePerSecond);
    this.refill();
    this.size = size;
    this.ratePerSecond = ratePerSecond;
    this.tokens = Math.min(this.tokens, size);
  }

  /** Empty it, as another client of the same account would. */
  drain(): void {
    this.refill();
    this.tokens = 0;
  }

  status(): BucketStatus {
    this.refill();
    return { size: this.size, available: Math.floor(this.tokens), ratePerSecond: this.ratePerSecond };
  }
}

function checkShape(size: number, ratePerSecond: number): void {
  if (!(Number.isFinite(size) && size > 0 && Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
    throw new RangeError(`a bucket needs a size and a rate above 0 (got ${size}, ${ratePerSecond}/s)`);
  }
}
