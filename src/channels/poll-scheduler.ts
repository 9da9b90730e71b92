// One polling scheduler for every kind that polls (the safety net under webhooks, and the only way
// in for channels without them). Each due channel is claimed by one process per interval (several
// workers share one database), its kind reads pages of changes from the stored cursor, drawing
// on the channel's one rate-limit budget (the dispatcher's), and each page's normalized events
// are applied before the cursor moves past them. A refused credential pauses the channel with one
// exception; the last poll's outcome is kept for the channel's status.

import { applyChannelEvent, pruneWebhookReceipts, RetryLater } from '../app/channel-events.ts';
import { type Applied, applyOrderEvents, isOrderEvent } from '../app/channel-ingest.ts';
import { newId } from '../app/ids.ts';
import type { Timer } from '../app/scheduler.ts';
import type { Truestock } from '../app/truestock.ts';
import type { Channel } from '../domain/listing-rules.ts';
import { advancePollCursor, channelById, claimPoll, pollCursorOf } from '../store/channel-event-repo.ts';
import { type PollOutcome, recordPoll } from '../store/poll-health-repo.ts';
import { pauseForAuth, recentWebhookDelays, syncedChannels, writeInboundLag } from '../store/sync-repo.ts';
import type { Failure } from '../sync/connector.ts';
import type { DispatchLog } from '../sync/dispatcher.ts';
import { channelContext } from './context.ts';
import { KINDS, kindOf, POLLED_KINDS } from './registry.ts';

/** A channel may not be polled more often than this, whatever its settings say. */
export const POLL_SECONDS_MIN = 5;
/** How often the scheduler looks for channels that are due. */
const TICK_MS = 5_000;
const PRUNE_EVERY_MS = 3_600_000;
/** Webhook delays over this window, at most this many, make the measured inbound lag. */
const INBOUND_LAG_WINDOW_MS = 3_600_000;
const INBOUND_LAG_SAMPLES_MAX = 2_000;

export interface PollResult {
  /** `ok`: read to the end of what the kind returns in one poll; otherwise why it stopped — the cursor keeps what was applied. */
  status: 'ok' | Failure | 'busy' | 'not_configured';
  /** Events applied. */
  events: number;
  /** Outcome counts: `allocated`, `cancelled`, `no_change`, … */
  outcomes: Record<string, number>;
  /** The cursor after this poll, or null when the channel has none. */
  cursor: string | null;
  /** Throttled: wait at least this long before polling again. */
  retryAfterMs?: number | null;
  error?: string;
}

export interface PollEnvOptions {
  fetch?: typeof fetch;
  log?: DispatchLog;
}

/** The interval a channel asks for (`settings.poll_seconds`), else its kind's default. */
export function pollIntervalMs(channel: Pick<Channel, 'kind' | 'settings'>): number {
  const spec = kindOf(channel.kind).inbound?.poll;
  const s = channel.settings.poll_seconds;
  const seconds = typeof s === 'number' && Number.isFinite(s) && s >= POLL_SECONDS_MIN ? s : (spec?.defaultIntervalSeconds ?? 60);
  return seconds * 1000;
}

/** Poll one channel now: read its kind's pages from the stored cursor and apply their events. */
export async function pollChannel(ts: Truestock, channel: Channel, opts: PollEnvOptions = {}): Promise<PollResult> {
  const result: PollResult = { status: 'ok', events: 0, outcomes: {}, cursor: null };
  const spec = kindOf(channel.kind).inbound?.poll;
  if (!spec) return { ...result, status: 'not_configured', error: `${channel.kind} channels are not polled` };
  const cx = channelContext(channel, opts.log);
  const cursor = (await ts.store.read((db) => pollCursorOf(db, channel.id))) ?? null;
  result.cursor = cursor;
  const pages = spec.pages({
    settings: channel.settings, cursor, since: channel.createdAt, clock: ts.clock, fetch: opts.fetch ?? fetch,
    spend: (cost, budget) => ts.sync.spend(channel.id, cost, budget),
    observe: (report) => ts.sync.observe(channel.id, report),
  });
  for await (const page of pages) {
    if (!page.ok) {
      if (page.failure === 'auth') await ts.store.transaction((db) => pauseForAuth(db, channel.workspaceId, channel.id, page.message, newId('exc', ts.clock.now()), ts.clock.now()));
      return { ...result, status: page.failure, retryAfterMs: page.retryAfterMs, error: page.message };
    }
    // A page's orders are applied as one batch (a few transactions for all of them); other events one by one.
    const orders = page.events.filter(isOrderEvent);
    const applied: Applied[] = await applyOrderEvents(ts, cx, orders);
    for (const event of page.events.filter((e) => !isOrderEvent(e))) {
      applied.push(await applyChannelEvent(ts, cx, event).then((outcome): Applied => ({ ok: true, outcome }), (error: unknown): Applied => ({ ok: false, error })));
    }
    for (const a of applied) {
      if (!a.ok) {
        // The ledger was busy: stop here; the cursor still names this page, so the next poll retries it.
        if (a.error instanceof RetryLater) return { ...result, status: 'busy', error: a.error.message };
        throw a.error;
      }
      result.events++;
      result.outcomes[a.outcome] = (result.outcomes[a.outcome] ?? 0) + 1;
    }
    await ts.store.transaction((db) => advancePollCursor(db, channel.workspaceId, channel.id, page.cursor, ts.clock.now()));
    result.cursor = page.cursor;
  }
  return result;
}

export class PollScheduler {
  private timer: Timer | null = null;
  private running: Promise<void> | null = null;
  /**
   * Polls still running, by channel. A poll may wait minutes on its channel's budget (Amazon's
   * order search refills one call every three minutes), so each channel's poll runs on its own and
   * a round only starts the due channels that are not still polling.
   */
  private readonly polling = new Map<string, Promise<void>>();
  private lastPrune = 0;

  constructor(private readonly ts: Truestock, private readonly opts: PollEnvOptions = {}) {}

  start(): void {
    if (this.timer) return;
    this.timer = this.ts.scheduler.every(TICK_MS, () => this.tick());
    void this.tick();
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    await this.running;
    await Promise.all(this.polling.values());
  }

  /** Start polling every channel that is due; resolves when those polls end (tests await it). */
  tick(): Promise<void> {
    this.running ??= this.round().catch((err: unknown) => this.opts.log?.warn({ err: String(err) }, 'poll round failed')).finally(() => (this.running = null));
    return this.running.then(() => Promise.all(this.polling.values())).then(() => undefined);
  }

  private async round(): Promise<void> {
    const ts = this.ts;
    const now = ts.clock.now();
    for (const ch of await ts.store.read((db) => syncedChannels(db, POLLED_KINDS))) {
      if (ch.paused || this.polling.has(ch.id)) continue;
      const channel = await ts.store.read((db) => channelById(db, ch.id));
      if (!channel) continue;
      const claimed = await ts.store.transaction((db) => claimPoll(db, ch.workspace_id, ch.id, now, pollIntervalMs(channel)));
      if (!claimed) continue;
      this.polling.set(ch.id, this.pollOne(channel).finally(() => this.polling.delete(ch.id)));
    }
    await this.measureInboundLag(now);
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      await pruneWebhookReceipts(ts);
    }
  }

  /** One channel's poll, its inbound health recorded; never throws. */
  private async pollOne(channel: Channel): Promise<void> {
    const ts = this.ts;
    const result = await pollChannel(ts, channel, this.opts)
      .catch((err: unknown): PollResult => ({ status: 'transient', events: 0, outcomes: {}, cursor: null, error: String(err) }));
    // Inbound health for the status page: a throttled or busy poll is neither a success nor a failure.
    const outcome: PollOutcome | null = result.status === 'ok' ? { ok: true } : result.status === 'throttled' || result.status === 'busy' ? null : { ok: false, message: result.error ?? result.status };
    try {
      if (outcome) await ts.store.transaction((db) => recordPoll(db, channel.workspaceId, channel.id, outcome, ts.clock.now()));
    } catch (err) {
      this.opts.log?.warn({ channel: channel.id, err: String(err) }, 'poll health not recorded');
    }
    if (result.status !== 'ok' || result.events > 0) this.opts.log?.info({ channel: channel.id, ...result }, 'channel polled');
  }

  /** Each webhook channel's p99 delivery delay over the last hour, for the other channels' adaptive buffers. */
  private async measureInboundLag(now: number): Promise<void> {
    const ts = this.ts;
    const kinds = KINDS.filter((k) => k.inbound?.webhook).map((k) => k.name);
    for (const ch of await ts.store.read((db) => syncedChannels(db, kinds))) {
      const delays = await ts.store.read((db) => recentWebhookDelays(db, ch.id, now - INBOUND_LAG_WINDOW_MS, INBOUND_LAG_SAMPLES_MAX));
      if (delays.length === 0) continue;
      delays.sort((a, b) => a - b);
      const p99 = delays[Math.min(delays.length - 1, Math.ceil(delays.length * 0.99) - 1)]!;
      await ts.store.transaction((db) => writeInboundLag(db, ch.workspace_id, ch.id, p99 / 1000, now));
    }
  }
}
