// Square publishes no rate limits (Square staff on the developer forums; channels.md §5), only
// the answer: HTTP 429 with `errors[{category: RATE_LIMIT_ERROR, code: RATE_LIMITED}]`. The
// emulator's choice, documented in README.md: one token bucket per merchant shared by every
// operation (Square speaks of limits per application and seller, not per endpoint), 20 calls of
// burst refilled at 10 per second, each call costing 1. Both numbers are options and can change
// while running (the control surface), so a test can squeeze a connector.

import { TokenBucket } from '../kit/index.ts';

export const OPERATIONS = [
  'BatchChangeInventory',
  'BatchRetrieveInventoryCounts',
  'RetrieveInventoryCount',
  'BatchRetrieveInventoryChanges',
  'RetrieveOrder',
  'BatchRetrieveOrders',
  'SearchOrders',
] as const;

export type Operation = (typeof OPERATIONS)[number];

export const isOperation = (s: string): s is Operation => (OPERATIONS as readonly string[]).includes(s);

export interface RateLimit {
  /** Calls a full bucket lets through at once. */
  burst: number;
  /** Calls per second the bucket refills at. */
  ratePerSecond: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { burst: 20, ratePerSecond: 10 };

export class RateLimits {
  private readonly bucket: TokenBucket;
  private limit: RateLimit;
  readonly counters = new Map<Operation, { calls: number; throttled: number }>(OPERATIONS.map((op) => [op, { calls: 0, throttled: 0 }]));

  constructor(now: () => number, limit: RateLimit = DEFAULT_RATE_LIMIT) {
    this.limit = { ...limit };
    this.bucket = new TokenBucket(limit.burst, limit.ratePerSecond, now);
  }

  /** Counts the call; false when the bucket is empty (the call is throttled). */
  take(op: Operation): boolean {
    const c = this.counters.get(op)!;
    c.calls++;
    if (this.bucket.take(1)) return true;
    c.throttled++;
    return false;
  }

  retryAfterSeconds(): number {
    return this.bucket.retryAfterSeconds(1);
  }

  /** A new burst and rate from now on (a RangeError for a bad shape). */
  set(limit: RateLimit): RateLimit {
    this.bucket.resize(limit.burst, limit.ratePerSecond);
    this.limit = { ...limit };
    return this.get();
  }

  get(): RateLimit {
    return { ...this.limit };
  }

  /** Empty the bucket, as another application of the same merchant would. */
  drain(): void {
    this.bucket.drain();
  }

  status() {
    return { ...this.bucket.status(), burst: this.limit.burst };
  }
}
