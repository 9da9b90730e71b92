// Rules start and end on time without anyone touching them: like the hold sweeper, a timer asks
// which rule windows opened or closed since it last looked, recomputes those channels' listings
// (into the outbox) and brings their ring-fences in line. Every so often it also reconciles
// every ring-fence, so a fence that was short fills up when stock arrives, and fence holds are
// renewed before they expire. Recomputing is idempotent (only changed numbers are written), so
// two processes running it, or a tick that repeats a window, publish nothing twice.

import { channelsWithRingFence, ringFenceLines, rulesChangingBetween, rulesOfChannel } from '../store/availability-repo.ts';
import { recomputeChannel } from './availability.ts';
import type { Ledger } from './ledger.ts';
import { type FenceReport, reconcileRingFence } from './ring-fence.ts';
import { type Scheduler, systemScheduler, type Timer } from './scheduler.ts';

/** How often the scheduler looks for rule windows that opened or closed. */
export const RULE_TICK_INTERVAL_MS_DEFAULT = 1_000;
/** On its first tick after a start, windows that changed this long ago are caught up. */
export const RULE_CATCH_UP_MS = 24 * 3_600_000;
/** How often every ring-fence is reconciled (top-ups after receipts, renewals). */
export const RING_FENCE_RECONCILE_INTERVAL_MS = 60_000;

export interface TickReport {
  /** Channels whose rules changed in this tick's window. */
  channels: number;
  /** Listings whose number changed. */
  changed: number;
  fences: FenceReport[];
}

export class RuleScheduler {
  private timer: Timer | null = null;
  private running: Promise<TickReport> | null = null;
  private last: number | null = null;
  private lastReconcile = Number.NEGATIVE_INFINITY;

  constructor(private readonly ledger: Ledger, private readonly interval_ms = RULE_TICK_INTERVAL_MS_DEFAULT, private readonly scheduler: Scheduler = systemScheduler) {}

  start(): void {
    if (this.timer) return;
    this.timer = this.scheduler.every(this.interval_ms, () => this.tick().catch((err: Error) => process.emitWarning(`rule scheduler tick failed: ${err.message}`)));
  }

  /** Apply every rule start and end up to now; one tick at a time. */
  tick(): Promise<TickReport> {
    this.running ??= this.tickOnce().finally(() => (this.running = null));
    return this.running;
  }

  private async tickOnce(): Promise<TickReport> {
    const { store, clock } = this.ledger;
    const now = clock.now();
    const from = this.last ?? now - RULE_CATCH_UP_MS;
    const rules = await store.read((db) => rulesChangingBetween(db, from, now));
    const channels = new Map(rules.map((r) => [`${r.workspaceId}|${r.channel_id}`, { ws: r.workspaceId, channelId: r.channel_id }]));
    let changed = 0;
    const fences: FenceReport[] = [];
    for (const { ws, channelId } of channels.values()) {
      changed += await store.transaction((db) => recomputeChannel(db, ws, channelId, now));
      const fenced = await store.read(async (db) =>
        (await rulesOfChannel(db, ws, channelId)).some((r) => r.settings.allocation?.mode === 'ring_fenced') || (await ringFenceLines(db, ws, channelId)).length > 0);
      if (fenced) fences.push(...(await reconcileRingFence(this.ledger, ws, channelId)));
    }
    if (now - this.lastReconcile >= RING_FENCE_RECONCILE_INTERVAL_MS) {
      this.lastReconcile = now;
      for (const { workspace_id, channel_id } of await store.read((db) => channelsWithRingFence(db))) {
        if (!channels.has(`${workspace_id}|${channel_id}`)) fences.push(...(await reconcileRingFence(this.ledger, workspace_id, channel_id)));
      }
    }
    this.last = now;
    return { channels: channels.size, changed, fences };
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    await this.running;
  }
}
