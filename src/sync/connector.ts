// What the sync engine needs from a channel: push numbers in batches, read them back, follow
// submissions the channel processes later, and say what a call costs against the channel's rate
// limits. One implementation per channel kind (`src/channels/<kind>`, made by its `connect()`);
// the dispatcher, the reconciler and the poll scheduler know nothing of any channel's API.

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
  /**
   * Accepted for processing later (a feed, an `ACCEPTED` patch): not applied yet. The sync engine
   * follows the submission (`Connector.checkSubmission`) and counts the number as pushed only when
   * the channel says it was applied.
   */
  | { status: 'submitted'; submissionId: string }
  /** Compare-and-set refused: the channel's number is not `expected` (an order we have not seen, or a hand edit). */
  | { status: 'stale' }
  /**
   * Not applied because another item of the same call failed; try again at once. With
   * `notBefore` (ms): the channel will not take this listing before then (a limit on the listing
   * itself, such as eBay's revisions per day): the row waits until then without counting an
   * attempt, and a newer number replaces it meanwhile.
   */
  | { status: 'not_applied'; notBefore?: number }
  /** The channel will never take this item as it is (unknown item, location not stocked, …). */
  | { status: 'rejected'; reason: string };

/**
 * Why a whole call failed, which decides what happens next:
 * - `throttled`: the channel is healthy but busy — wait (Retry-After when given), no attempt counted;
 * - `transient`: try again with backoff; repeated failures open the circuit breaker;
 * - `auth`: the credentials were refused — the channel is paused with one exception for a person,
 *   instead of every listing failing on its own until it is dead-lettered;
 * - `permanent`: this call will never succeed as it is.
 */
export type Failure = 'throttled' | 'transient' | 'auth' | 'permanent';

export const FAILURES: readonly Failure[] = ['throttled', 'transient', 'auth', 'permanent'];

export interface CallFailure {
  ok: false;
  failure: Failure;
  retryAfterMs: number | null;
  message: string;
  budget?: BudgetReport;
}

/** A whole call's result. */
export type PushResult = { ok: true; outcomes: ItemOutcome[]; budget?: BudgetReport } | CallFailure;

export type ReadBackResult = { ok: true; shown: (number | null)[]; budget?: BudgetReport } | { ok: false; message: string; failure?: Failure; retryAfterMs?: number | null };

/** A submission's state: still processing, or done with one outcome per item it carried. */
export type SubmissionResult =
  | { ok: true; state: 'processing'; budget?: BudgetReport }
  | { ok: true; state: 'done'; outcomes: ItemOutcome[]; budget?: BudgetReport }
  | CallFailure;

/** What the channel reported about one rate-limit budget (trusted over our estimate). */
export interface BudgetReport {
  /** Which of the connector's budgets; `default` when absent. */
  budget?: string;
  capacity?: number;
  available?: number;
  refillPerSecond?: number;
}

/**
 * A limit the channel puts on single listings rather than on calls (eBay: revisions per listing
 * per day), as the connector keeps it, for the channel's status.
 */
export interface ListingLimitReport {
  name: string;
  /** What one listing may use per window. */
  perListing: number;
  /** Listings whose pushes are held by the limit now. */
  held: number;
  /** The most one listing has used in the current window. */
  maxUsed: number;
  /** When the window resets (ms), when it has one. */
  resetsAt: number | null;
  /** The kind's own counts (paced, exhausted…). */
  detail?: Record<string, number>;
}

/** The budget every call draws on unless the connector names another for it. */
export const DEFAULT_BUDGET = 'default';

export interface Connector {
  /** Items per push call (the channel's documented maximum). */
  readonly maxBatch: number;
  /** The channel's default bucket before it tells us better. */
  readonly bucket: BucketSpec;
  /**
   * Budgets of operations the channel limits on their own (Amazon limits each operation), by name,
   * with the budget each of our calls draws on. Channels with one bucket for everything (Shopify's
   * per-app cost bucket) leave this out and every call draws on `bucket`.
   */
  readonly budgets?: { specs: Readonly<Record<string, BucketSpec>>; push?: string; read?: string; submission?: string };
  /** Tokens one push call of `n` items costs. */
  pushCost(n: number): number;
  push(items: PushItem[]): Promise<PushResult>;
  /** What the channel shows now for these listings (null where it cannot say), for reconciling. */
  readBack(items: PushItem[]): Promise<ReadBackResult>;
  /** Tokens one read-back call of `n` items costs. */
  readCost(n: number): number;
  /** Where a push answers `submitted`: the submission's state, with `items` as they were submitted. */
  checkSubmission?(submissionId: string, items: PushItem[]): Promise<SubmissionResult>;
  /** Tokens one submission check costs. */
  submissionCost?(): number;
  /** How often a processing submission is looked at. */
  readonly submissionPollMs?: number;
  /** Limits on single listings the connector holds pushes for (shown in the channel's status). */
  limits?(): ListingLimitReport[];
}

/** The budget a connector's operation draws on. */
export function budgetFor(connector: Connector, op: 'push' | 'read' | 'submission'): string {
  return connector.budgets?.[op] ?? DEFAULT_BUDGET;
}

/** The bucket of one of a connector's budgets. */
export function bucketSpecOf(connector: Connector, budget: string): BucketSpec {
  return budget === DEFAULT_BUDGET ? connector.bucket : (connector.budgets?.specs[budget] ?? connector.bucket);
}
