// Amazon's usage plans: one token bucket per operation (rate requests/s, burst tokens), the
// documented defaults from each operation's "Usage Plan" table in the models (rate-limits.test.ts
// reads them back from the model files). Amazon may raise a seller's plan ("dynamic usage plans"),
// so the control surface can change any of them; `x-amzn-RateLimit-Limit` reports the rate in force.

import { TokenBucket } from '../kit/index.ts';

export const OPERATIONS = [
  'patchListingsItem',
  'getListingsItem',
  'searchListingsItems',
  'createFeedDocument',
  'createFeed',
  'getFeed',
  'getFeedDocument',
  'cancelFeed',
  'searchOrders',
  'getOrder',
  'getInventorySummaries',
] as const;

export type Operation = (typeof OPERATIONS)[number];

export interface UsagePlan {
  rate: number;
  burst: number;
}

export const DEFAULT_USAGE_PLANS: Record<Operation, UsagePlan> = {
  patchListingsItem: { rate: 5, burst: 5 },
  getListingsItem: { rate: 5, burst: 10 },
  searchListingsItems: { rate: 5, burst: 5 },
  createFeedDocument: { rate: 0.5, burst: 15 },
  createFeed: { rate: 0.0083, burst: 15 },
  getFeed: { rate: 2, burst: 15 },
  getFeedDocument: { rate: 0.0222, burst: 10 },
  cancelFeed: { rate: 2, burst: 15 },
  searchOrders: { rate: 0.0056, burst: 20 },
  getOrder: { rate: 0.5, burst: 30 },
  getInventorySummaries: { rate: 2, burst: 2 },
};

export interface OperationCounters {
  calls: number;
  throttled: number;
}

/** The header value: requests per second, written as Amazon writes it ("5.0", "0.0056"). */
export function rateHeader(rate: number): string {
  return Number.isInteger(rate) ? rate.toFixed(1) : String(rate);
}

export class UsagePlans {
  private readonly buckets = new Map<Operation, TokenBucket>();
  private readonly plans = new Map<Operation, UsagePlan>();
  readonly counters = new Map<Operation, OperationCounters>();

  constructor(
    private readonly now: () => number,
    overrides: Partial<Record<Operation, UsagePlan>> = {},
  ) {
    for (const op of OPERATIONS) {
      const plan = overrides[op] ?? DEFAULT_USAGE_PLANS[op];
      this.plans.set(op, { ...plan });
      this.buckets.set(op, new TokenBucket(plan.burst, plan.rate, now));
      this.counters.set(op, { calls: 0, throttled: 0 });
    }
  }

  /** Counts the call and takes a token; false when the bucket is empty (counted as throttled). */
  take(op: Operation): boolean {
    const c = this.counters.get(op)!;
    c.calls++;
    if (this.buckets.get(op)!.take(1)) return true;
    c.throttled++;
    return false;
  }

  plan(op: Operation): UsagePlan {
    return { ...this.plans.get(op)! };
  }

  /** A new rate and burst for an operation from now on (a RangeError for a bad shape). */
  set(op: Operation, plan: UsagePlan): void {
    this.buckets.get(op)!.resize(plan.burst, plan.rate);
    this.plans.set(op, { ...plan });
  }

  /** Seconds until a token is there, for an optional Retry-After. */
  retryAfterSeconds(op: Operation): number {
    return this.buckets.get(op)!.retryAfterSeconds(1);
  }

  /** Empty an operation's bucket, as another application of the same seller would. */
  drain(op: Operation): void {
    this.buckets.get(op)!.drain();
  }

  status(): Record<string, { rate: number; burst: number; available: number; calls: number; throttled: number }> {
    const out: Record<string, { rate: number; burst: number; available: number; calls: number; throttled: number }> = {};
    for (const op of OPERATIONS) {
      const p = this.plans.get(op)!;
      out[op] = { rate: p.rate, burst: p.burst, available: this.buckets.get(op)!.status().available, ...this.counters.get(op)! };
    }
    return out;
  }
}

export function isOperation(s: unknown): s is Operation {
  return typeof s === 'string' && (OPERATIONS as readonly string[]).includes(s);
}
