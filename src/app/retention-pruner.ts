// Records that only matter for a while are pruned in bounded chunks, so no table grows with every
// command or channel event forever:
//
// - idempotency records, after 7 days by default: longer than any channel's redelivery (Shopify
//   retries a webhook for 48 hours) and any client's retries. After the window a reused key counts
//   as a new request, as with Stripe's 24 hours.
// - listing events (what a channel was seen to do to a listing), after 90 days: the listing page
//   shows the recent ones, and recurring hand edits are counted over days, not months. An event
//   whose adoption is still due is kept.

import { pruneIdempotency } from '../store/ledger-repo.ts';
import { pruneListingEvents } from '../store/listing-event-repo.ts';
import type { Db, Store } from '../store/store.ts';
import type { Clock } from './clock.ts';
import { type Scheduler, systemScheduler, type Timer } from './scheduler.ts';

export const IDEMPOTENCY_RETENTION_MS_DEFAULT = 7 * 24 * 3_600_000;
export const LISTING_EVENT_RETENTION_MS_DEFAULT = 90 * 24 * 3_600_000;
const PRUNE_INTERVAL_MS = 60_000;
/** Rows deleted per transaction, so pruning never holds the write lock for long. */
const PRUNE_CHUNK_ROWS = 5_000;

export interface Retention {
  idempotency_ms: number;
  listingEvents_ms: number;
}
type Pruned = Record<keyof Retention, number>;

const PRUNERS: Record<keyof Retention, (db: Db, before: number, limit: number) => Promise<number>> = {
  idempotency_ms: pruneIdempotency,
  listingEvents_ms: pruneListingEvents,
};

export class RetentionPruner {
  private timer: Timer | null = null;
  private running: Promise<Pruned> | null = null;
  readonly retention: Retention;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    retention: Partial<Retention> = {},
    private readonly scheduler: Scheduler = systemScheduler,
  ) {
    this.retention = { idempotency_ms: IDEMPOTENCY_RETENTION_MS_DEFAULT, listingEvents_ms: LISTING_EVENT_RETENTION_MS_DEFAULT, ...retention };
  }

  start(): void {
    if (this.timer) return;
    this.timer = this.scheduler.every(PRUNE_INTERVAL_MS, () => this.prune().catch((err: Error) => process.emitWarning(`retention pruning failed: ${err.message}`)));
  }

  /** Delete every record older than its window; returns how many of each. */
  prune(): Promise<Pruned> {
    this.running ??= this.pruneAll().finally(() => (this.running = null));
    return this.running;
  }

  private async pruneAll(): Promise<Pruned> {
    const now = this.clock.now();
    const out = { idempotency_ms: 0, listingEvents_ms: 0 };
    for (const what of Object.keys(PRUNERS) as (keyof Retention)[]) {
      const before = now - this.retention[what];
      for (;;) {
        const n = await this.store.transaction((db) => PRUNERS[what](db, before, PRUNE_CHUNK_ROWS));
        out[what] += n;
        if (n < PRUNE_CHUNK_ROWS) break;
      }
    }
    return out;
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    await this.running;
  }
}
