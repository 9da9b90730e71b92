// Idempotency records are kept for a retention window, then pruned in bounded chunks, so the
// table does not grow by a response with every command forever. The default, 7 days, outlasts
// any channel's redelivery (Shopify retries a webhook for 48 hours) and any client's retries.
// After the window a reused key counts as a new request, as with Stripe's 24 hours.

import { pruneIdempotency } from '../store/ledger-repo.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from './clock.ts';
import { type Scheduler, systemScheduler, type Timer } from './scheduler.ts';

export const IDEMPOTENCY_RETENTION_MS_DEFAULT = 7 * 24 * 3_600_000;
const PRUNE_INTERVAL_MS = 60_000;
/** Rows deleted per transaction, so pruning never holds the write lock for long. */
const PRUNE_CHUNK_ROWS = 5_000;

export class IdempotencyPruner {
  private timer: Timer | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly retention_ms = IDEMPOTENCY_RETENTION_MS_DEFAULT,
    private readonly scheduler: Scheduler = systemScheduler,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = this.scheduler.every(PRUNE_INTERVAL_MS, () => this.prune().catch((err: Error) => process.emitWarning(`idempotency pruning failed: ${err.message}`)));
  }

  /** Delete every record older than the window; returns how many. */
  prune(): Promise<number> {
    this.running ??= this.pruneAll().finally(() => (this.running = null));
    return this.running;
  }

  private async pruneAll(): Promise<number> {
    const before = this.clock.now() - this.retention_ms;
    let total = 0;
    for (;;) {
      const n = await this.store.transaction((db) => pruneIdempotency(db, before, PRUNE_CHUNK_ROWS));
      total += n;
      if (n < PRUNE_CHUNK_ROWS) return total;
    }
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    await this.running;
  }
}
