// eBay's call limits: a daily quota per API (eBay's unit of limit: "calls per day" per
// application, reset at midnight Pacific), and — so throttling is observable in a short run — a
// token bucket per API over a few seconds. Notification's 10,000 a day is documented
// (developer.ebay.com/develop/api/sell/api_call_limits); Inventory's and Fulfillment's daily
// defaults and every short-window bucket are the emulator's choice (README "Rate limits").

import { TokenBucket } from '../kit/index.ts';
import { ebayDay } from './time.ts';

export const APIS = ['inventory', 'fulfillment', 'notification'] as const;
export type Api = (typeof APIS)[number];

export const OPERATIONS = {
  bulkUpdatePriceQuantity: 'inventory',
  getInventoryItem: 'inventory',
  bulkGetInventoryItem: 'inventory',
  getInventoryItems: 'inventory',
  getOffers: 'inventory',
  getOrders: 'fulfillment',
  getOrder: 'fulfillment',
  getPublicKey: 'notification',
  createDestination: 'notification',
  getDestination: 'notification',
  createSubscription: 'notification',
  getSubscription: 'notification',
} as const satisfies Record<string, Api>;

export type Operation = keyof typeof OPERATIONS;

export interface ApiLimit {
  /** Calls a day (eBay's day: Pacific midnight to midnight). */
  daily: number;
  /** Short-window bucket: refill per second and size. */
  rate: number;
  burst: number;
}

export const DEFAULT_LIMITS: Record<Api, ApiLimit> = {
  inventory: { daily: 2_000_000, rate: 20, burst: 40 },
  fulfillment: { daily: 100_000, rate: 10, burst: 20 },
  notification: { daily: 10_000, rate: 5, burst: 10 },
};

export interface OperationCounters {
  calls: number;
  throttled: number;
}

export type Refusal = 'daily' | 'burst';

export class CallLimits {
  private readonly limits = new Map<Api, ApiLimit>();
  private readonly buckets = new Map<Api, TokenBucket>();
  private readonly used = new Map<Api, { day: string; calls: number }>();
  readonly counters = new Map<Operation, OperationCounters>();

  constructor(
    private readonly now: () => number,
    overrides: Partial<Record<Api, Partial<ApiLimit>>> = {},
  ) {
    for (const api of APIS) {
      const limit = checkLimit({ ...DEFAULT_LIMITS[api], ...overrides[api] });
      this.limits.set(api, limit);
      this.buckets.set(api, new TokenBucket(limit.burst, limit.rate, now));
      this.used.set(api, { day: ebayDay(now()), calls: 0 });
    }
    for (const op of Object.keys(OPERATIONS) as Operation[]) this.counters.set(op, { calls: 0, throttled: 0 });
  }

  /** Counts the call against its API's day and bucket; the refusal when over either (counted as throttled). */
  take(op: Operation): Refusal | null {
    const api = OPERATIONS[op];
    const c = this.counters.get(op)!;
    c.calls++;
    const used = this.today(api);
    let refusal: Refusal | null = null;
    if (used.calls >= this.limits.get(api)!.daily) refusal = 'daily';
    else if (!this.buckets.get(api)!.take(1)) refusal = 'burst';
    if (refusal) c.throttled++;
    else used.calls++;
    return refusal;
  }

  /** Seconds until the call could pass: the bucket's refill, or the next Pacific midnight. */
  retryAfterSeconds(op: Operation, refusal: Refusal): number {
    if (refusal === 'burst') return this.buckets.get(OPERATIONS[op])!.retryAfterSeconds(1);
    return Math.max(1, Math.ceil((nextEbayMidnight(this.now()) - this.now()) / 1000));
  }

  limit(api: Api): ApiLimit {
    return { ...this.limits.get(api)! };
  }

  /** New limits for an API from now on (a RangeError for a bad shape). */
  set(api: Api, change: Partial<ApiLimit>): ApiLimit {
    const limit = checkLimit({ ...this.limits.get(api)!, ...change });
    this.buckets.get(api)!.resize(limit.burst, limit.rate);
    this.limits.set(api, limit);
    return { ...limit };
  }

  /** Empty an API's bucket, as another application of the same seller would. */
  drain(api: Api): void {
    this.buckets.get(api)!.drain();
  }

  status(): Record<Api, ApiLimit & { day: string; usedToday: number; available: number }> {
    const out = {} as Record<Api, ApiLimit & { day: string; usedToday: number; available: number }>;
    for (const api of APIS) {
      const used = this.today(api);
      out[api] = { ...this.limits.get(api)!, day: used.day, usedToday: used.calls, available: this.buckets.get(api)!.status().available };
    }
    return out;
  }

  private today(api: Api): { day: string; calls: number } {
    const day = ebayDay(this.now());
    const used = this.used.get(api)!;
    if (used.day !== day) {
      used.day = day;
      used.calls = 0;
    }
    return used;
  }
}

function checkLimit(l: ApiLimit): ApiLimit {
  if (!(Number.isSafeInteger(l.daily) && l.daily >= 0)) throw new RangeError('daily must be a whole number of 0 or more');
  if (!(Number.isFinite(l.rate) && l.rate > 0)) throw new RangeError('rate must be a number above 0');
  if (!(Number.isFinite(l.burst) && l.burst >= 1)) throw new RangeError('burst must be a number of 1 or more');
  return { daily: l.daily, rate: l.rate, burst: l.burst };
}

/** The first instant of the next Pacific day after `ms` (found by stepping, so DST needs no table). */
export function nextEbayMidnight(ms: number): number {
  const today = ebayDay(ms);
  const HOUR_MS = 3_600_000;
  let t = ms;
  while (ebayDay(t) === today) t += HOUR_MS;
  // Back to the exact minute the day turned (Pacific offsets are whole hours).
  let lo = t - HOUR_MS;
  while (t - lo > 1000) {
    const mid = Math.floor((lo + t) / 2);
    if (ebayDay(mid) === today) lo = mid;
    else t = mid;
  }
  return Math.ceil(t / 1000) * 1000;
}

export function isOperation(s: unknown): s is Operation {
  return typeof s === 'string' && Object.hasOwn(OPERATIONS, s);
}

export function isApi(s: unknown): s is Api {
  return typeof s === 'string' && (APIS as readonly string[]).includes(s);
}
