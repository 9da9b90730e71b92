// Backordered order lines allocate as stock arrives, oldest order first (issue 13, part 5;
// docs/orders.md "Backorders"). A line is backordered only beyond its channel's ring-fence, so the
// fence is the one place its units can come from: the allocator looks at the open orders with
// backordered lines and, where the channel's fence now holds units of the line's item, allocates
// the line through the orders module (one document step per line). The fence is refilled by its
// reconciliation (src/app/ring-fence.ts) when stock arrives; the allocator runs on the injected
// scheduler beside it, and tests call `tick()`.

import { backorderedLines } from '../store/order-repo.ts';
import { type Scheduler, systemScheduler, type Timer } from './scheduler.ts';
import type { Ledger } from './ledger.ts';
import { allocateBackorderStep, fenceUnitsFor } from './orders.ts';

/** How often the allocator looks (a fence is reconciled every few minutes at most). */
export const BACKORDER_INTERVAL_MS_DEFAULT = 60_000;
/** Backordered lines looked at per tick, oldest first; the rest wait for the next tick. */
export const BACKORDER_LINES_PER_TICK_MAX = 500;
const ACTOR = 'system:backorders';

export class BackorderAllocator {
  private timer: Timer | null = null;
  private running: Promise<number> | null = null;

  constructor(private readonly ledger: Ledger, private readonly interval_ms = BACKORDER_INTERVAL_MS_DEFAULT, private readonly scheduler: Scheduler = systemScheduler) {}

  start(): void {
    if (this.timer) return;
    this.timer = this.scheduler.every(this.interval_ms, () => this.tick().catch((err: Error) => process.emitWarning(`backorder allocation failed: ${err.message}`)));
  }

  /** Allocate what the fences now cover, oldest order first; returns how many lines were allocated (wholly or in part). */
  tick(): Promise<number> {
    this.running ??= this.tickOnce().finally(() => (this.running = null));
    return this.running;
  }

  private async tickOnce(): Promise<number> {
    const { store } = this.ledger;
    const waiting = await store.read((db) => backorderedLines(db, BACKORDER_LINES_PER_TICK_MAX));
    // Fence units per channel and item, read once and debited as lines take them: a line whose
    // fence is empty is not tried (no step, no idempotency record), and the oldest goes first.
    const fences = new Map<string, number>();
    let done = 0;
    for (const w of waiting) {
      const key = `${w.workspaceId}|${w.channelId}|${w.itemId}|${(w.candidates ?? []).join(',')}`;
      if (!fences.has(key)) fences.set(key, await store.read((db) => fenceUnitsFor(db, w.workspaceId, w.channelId, w.itemId, w.candidates)));
      const free = fences.get(key)!;
      if (free <= 0) continue;
      // One key per order, line and attempt (the order's holds so far): a retry replays, the next arrival is a new attempt.
      const r = await this.ledger.executeDocument(
        { workspaceId: w.workspaceId, idempotencyKey: `backorder:${w.orderId}:${w.lineNo}:${w.holds}`, actor: ACTOR },
        allocateBackorderStep(w.workspaceId, w.orderId, w.lineNo),
      );
      if (!r.ok) continue;
      fences.set(key, Math.max(0, free - w.backordered));
      done++;
    }
    return done;
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    await this.running;
  }
}
