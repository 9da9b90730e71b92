// The safety net under webhooks: every Shopify channel's recent orders are polled on a schedule
// (settings `poll_seconds`, default 60), so an order whose webhook never arrived is still
// allocated. Runs beside the dispatcher in `serve` and `worker`; with several processes on one
// database, each poll is claimed by one of them. Its calls draw on the channel's one rate-limit
// budget, the same one the dispatcher's pushes use. Old webhook receipts are pruned hourly.

import { pruneWebhookReceipts } from '../app/channel-events.ts';
import type { Timer } from '../app/scheduler.ts';
import type { Truestock } from '../app/truestock.ts';
import { channelById, claimPoll } from '../store/channel-event-repo.ts';
import { recentWebhookDelays, syncedChannels, writeInboundLag } from '../store/sync-repo.ts';
import type { DispatchLog } from '../sync/dispatcher.ts';
import { budgetedApi } from './shopify/budgeted-api.ts';
import { shopifyApi, shopifySettings } from './shopify/client.ts';
import { pollOrders } from './shopify/order-poll.ts';

export const POLL_SECONDS_DEFAULT = 60;
/** How often the poller looks for channels that are due. */
const TICK_MS = 5_000;
const PRUNE_EVERY_MS = 3_600_000;
/** Webhook delays over this window, at most this many, make the measured inbound lag. */
const INBOUND_LAG_WINDOW_MS = 3_600_000;
const INBOUND_LAG_SAMPLES_MAX = 2_000;

export class OrderPoller {
  private timer: Timer | null = null;
  private running: Promise<void> | null = null;
  private lastPrune = 0;

  constructor(private readonly ts: Truestock, private readonly log?: DispatchLog) {}

  start(): void {
    if (this.timer) return;
    this.timer = this.ts.scheduler.every(TICK_MS, () => this.tick());
    void this.tick();
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    await this.running;
  }

  /** Poll every channel that is due (one round; tests call it directly). */
  tick(): Promise<void> {
    this.running ??= this.round().catch((err: unknown) => this.log?.warn({ err: String(err) }, 'order poll round failed')).finally(() => (this.running = null));
    return this.running;
  }

  /** Each channel's p99 webhook delay over the last hour, for the other channels' adaptive buffers. */
  private async measureInboundLag(now: number): Promise<void> {
    const ts = this.ts;
    for (const ch of await ts.store.read((db) => syncedChannels(db, ['shopify']))) {
      const delays = await ts.store.read((db) => recentWebhookDelays(db, ch.id, now - INBOUND_LAG_WINDOW_MS, INBOUND_LAG_SAMPLES_MAX));
      if (delays.length === 0) continue;
      delays.sort((a, b) => a - b);
      const p99 = delays[Math.min(delays.length - 1, Math.ceil(delays.length * 0.99) - 1)]!;
      await ts.store.transaction((db) => writeInboundLag(db, ch.workspace_id, ch.id, p99 / 1000, now));
    }
  }

  private async round(): Promise<void> {
    const ts = this.ts;
    const now = ts.clock.now();
    for (const ch of await ts.store.read((db) => syncedChannels(db, ['shopify']))) {
      const settings = shopifySettings(ch.settings);
      if ('code' in settings || ch.paused) continue;
      const seconds = typeof ch.settings.poll_seconds === 'number' && ch.settings.poll_seconds >= 5 ? ch.settings.poll_seconds : POLL_SECONDS_DEFAULT;
      const channel = await ts.store.read((db) => channelById(db, ch.id));
      if (!channel) continue;
      // A new channel's first poll starts when it was connected: older orders are not ours to allocate.
      const claimed = await ts.store.transaction((db) => claimPoll(db, ch.workspace_id, ch.id, channel.createdAt, now, seconds * 1000));
      if (!claimed) continue;
      const api = budgetedApi(shopifyApi(settings), { spend: (cost) => ts.sync.spend(ch.id, cost), observe: (r) => ts.sync.observe(ch.id, r) });
      const result = await pollOrders(ts, channel, channel.createdAt, { api, ...(this.log ? { log: this.log } : {}) });
      if (result.status !== 'ok' || result.orders > 0) this.log?.info({ channel: ch.id, ...result }, 'orders polled');
    }
    await this.measureInboundLag(now);
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      await pruneWebhookReceipts(ts);
    }
  }
}
