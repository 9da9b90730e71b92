// Holds expire even when nobody asks: the sweeper finds active holds whose time is up and issues
// `expire` commands through the ledger, so expiry is a movement like any other. Each expiry has
// the idempotency key `expire:<hold id>:<expires_at>`, so two sweepers (two processes) never
// expire twice, and a hold extended after a refused expiry can still expire at its new time.

import { dueHolds } from '../store/ledger-repo.ts';
import type { Ledger } from './ledger.ts';
import { type Scheduler, systemScheduler, type Timer } from './scheduler.ts';

/** How often the sweeper looks for due holds. */
export const SWEEP_INTERVAL_MS_DEFAULT = 1_000;
/** Holds expired per sweep; the next sweep takes the rest. */
export const SWEEP_BATCH_MAX = 1_000;

export class HoldSweeper {
  private timer: Timer | null = null;
  private running: Promise<number> | null = null;

  constructor(private readonly ledger: Ledger, private readonly interval_ms = SWEEP_INTERVAL_MS_DEFAULT, private readonly scheduler: Scheduler = systemScheduler) {}

  start(): void {
    if (this.timer) return;
    this.timer = this.scheduler.every(this.interval_ms, () => this.sweep().catch((err: Error) => process.emitWarning(`hold sweep failed: ${err.message}`)));
  }

  /** Expire every due hold now; returns how many expired. */
  sweep(): Promise<number> {
    this.running ??= this.sweepOnce().finally(() => (this.running = null));
    return this.running;
  }

  private async sweepOnce(): Promise<number> {
    const due = await this.ledger.store.read((db) => dueHolds(db, this.ledger.clock.now(), SWEEP_BATCH_MAX));
    const results = await Promise.all(
      due.map((h) =>
        this.ledger.execute({ workspaceId: h.workspace_id, idempotencyKey: `expire:${h.id}:${h.expires_at}`, actor: 'system:sweeper', command: { type: 'expire', hold_id: h.id } }),
      ),
    );
    return results.filter((r) => r.ok && !r.replayed).length;
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    await this.running;
  }
}
