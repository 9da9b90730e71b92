// Per-operation token buckets. Walmart's per-endpoint Marketplace limits are unconfirmed
// (channels.md §3: the rate-limiting page cut off before its table), so the defaults are
// conservative guesses, each settable (README "Rate limits" gives the reasoning). The feed
// limit — 10 inventory feeds an hour — is not a bucket but a sliding window (feeds.ts).

import { type BucketStatus, TokenBucket } from '../kit/index.ts';

export const OPERATIONS = [
  'tokenAPI',
  'getTokenDetail',
  'getInventory',
  'updateInventoryForAnItem',
  'getMultiNodeInventoryForSkuAndAllShipnodes',
  'updateMultiNodeInventory',
  'getMultiNodeInventoryForAllSkuAndAllShipNodes',
  'updateBulkInventory',
  'getAllFeedStatuses',
  'getFeedItemStatus',
  'getAllOrders',
  'getAnOrder',
  'getAllReleasedOrders',
  'acknowledgeOrders',
  'cancelOrderLines',
  'shippingUpdates',
  'getAllSubscriptions',
  'createSubscription',
  'updateSubscription',
  'deleteSubscription',
  'getEventTypes',
  'testNotification',
] as const;

export type Operation = (typeof OPERATIONS)[number];

export const isOperation = (s: string): s is Operation => (OPERATIONS as readonly string[]).includes(s);

/** A bucket: `size` calls at once, refilled at `perMinute` calls a minute. */
export interface RateLimit {
  size: number;
  perMinute: number;
}

const reads: RateLimit = { size: 20, perMinute: 300 };
const writes: RateLimit = { size: 10, perMinute: 300 };
const lists: RateLimit = { size: 10, perMinute: 120 };
const admin: RateLimit = { size: 5, perMinute: 60 };

export const DEFAULT_RATE_LIMITS: Record<Operation, RateLimit> = {
  tokenAPI: admin,
  getTokenDetail: admin,
  getInventory: reads,
  updateInventoryForAnItem: writes,
  getMultiNodeInventoryForSkuAndAllShipnodes: reads,
  updateMultiNodeInventory: writes,
  getMultiNodeInventoryForAllSkuAndAllShipNodes: lists,
  updateBulkInventory: { size: 10, perMinute: 60 },
  getAllFeedStatuses: lists,
  getFeedItemStatus: reads,
  getAllOrders: lists,
  getAnOrder: reads,
  getAllReleasedOrders: lists,
  acknowledgeOrders: writes,
  cancelOrderLines: writes,
  shippingUpdates: writes,
  getAllSubscriptions: admin,
  createSubscription: admin,
  updateSubscription: admin,
  deleteSubscription: admin,
  getEventTypes: admin,
  testNotification: admin,
};

export function checkRateLimit(l: RateLimit): RateLimit {
  if (!(typeof l?.size === 'number' && Number.isFinite(l.size) && l.size >= 1 && typeof l.perMinute === 'number' && Number.isFinite(l.perMinute) && l.perMinute > 0)) {
    throw new RangeError('a rate limit needs size ≥ 1 and perMinute > 0');
  }
  return { size: l.size, perMinute: l.perMinute };
}

export class RateLimits {
  readonly counters = new Map<Operation, { calls: number; throttled: number }>();
  private readonly limits = new Map<Operation, RateLimit>();
  private readonly buckets = new Map<Operation, TokenBucket>();

  constructor(
    private readonly now: () => number,
    overrides: Partial<Record<Operation, RateLimit>> = {},
  ) {
    for (const op of OPERATIONS) this.set(op, overrides[op] ?? DEFAULT_RATE_LIMITS[op]);
  }

  set(op: Operation, limit: RateLimit): RateLimit {
    const l = checkRateLimit(limit);
    this.limits.set(op, l);
    const b = this.buckets.get(op);
    if (b) b.resize(l.size, l.perMinute / 60);
    else this.buckets.set(op, new TokenBucket(l.size, l.perMinute / 60, this.now));
    return { ...l };
  }

  limit(op: Operation): RateLimit {
    return { ...this.limits.get(op)! };
  }

  /** Counts the call; false when the bucket is empty (counted as throttled). */
  take(op: Operation): boolean {
    const c = this.counters.get(op) ?? { calls: 0, throttled: 0 };
    this.counters.set(op, c);
    c.calls++;
    if (this.buckets.get(op)!.take(1)) return true;
    c.throttled++;
    return false;
  }

  /** A 429 the operation gave for another limit than its bucket (the hourly feed window). */
  countThrottled(op: Operation): void {
    const c = this.counters.get(op) ?? { calls: 0, throttled: 0 };
    this.counters.set(op, c);
    c.throttled++;
  }

  retryAfterSeconds(op: Operation): number {
    return this.buckets.get(op)!.retryAfterSeconds(1);
  }

  drain(op: Operation): void {
    this.buckets.get(op)!.drain();
  }

  status(): Record<string, RateLimit & BucketStatus> {
    return Object.fromEntries(OPERATIONS.map((op) => [op, { ...this.limits.get(op)!, ...this.buckets.get(op)!.status() }]));
  }
}
