// What the dispatcher needs from a channel: push numbers in batches, read them back, and say
// what a call costs against the channel's rate limit. One implementation per channel kind
// (`src/channels/<kind>`); the dispatcher knows nothing of any channel's API.

import type { BucketSpec } from './limiter.ts';

export interface PushItem {
  listingId: string;
  /** The outbox version being pushed: one push intent, so a retry of it is the same call and a new number is a new one. */
  version: number;
  /** The channel's identifiers of the listing (e.g. Shopify inventory item + location). */
  external: Record<string, string>;
  quantity: number;
  /** What we believe the channel shows now (last acknowledged or observed): compare-and-set's "from"; null = unknown. */
  expected: number | null;
}

export type ItemOutcome =
  /** The channel now shows `quantity`. */
  | { status: 'acknowledged' }
  /** Compare-and-set refused: the channel's number is not `expected` (an order we have not seen, or a hand edit). */
  | { status: 'stale' }
  /** Not applied because another item of the same call failed; try again at once. */
  | { status: 'not_applied' }
  /** The channel will never take this item as it is (unknown item, location not stocked, …). */
  | { status: 'rejected'; reason: string };

/** A whole call's result. */
export type PushResult =
  | { ok: true; outcomes: ItemOutcome[]; budget?: BudgetReport }
  | { ok: false; failure: 'throttled' | 'transient' | 'permanent'; retryAfterMs: number | null; message: string; budget?: BudgetReport };

/** What the channel reported about its rate-limit bucket (trusted over our estimate). */
export interface BudgetReport {
  capacity?: number;
  available?: number;
  refillPerSecond?: number;
}

export interface Connector {
  /** Items per push call (the channel's documented maximum). */
  readonly maxBatch: number;
  /** The channel's bucket before it tells us better. */
  readonly bucket: BucketSpec;
  /** Tokens one push call of `n` items costs. */
  pushCost(n: number): number;
  push(items: PushItem[]): Promise<PushResult>;
  /** What the channel shows now for these listings (null where it cannot say), for reconciling. */
  readBack(items: PushItem[]): Promise<{ ok: true; shown: (number | null)[]; budget?: BudgetReport } | { ok: false; message: string }>;
  /** Tokens one read-back call of `n` items costs. */
  readCost(n: number): number;
}
