// The dispatcher drains the outbox per channel (design.md §4): it claims due rows with a lease,
// pushes them in batches of the channel's maximum within its rate limit, and settles each row by
// what the channel answered. It runs inside `truestock serve` and as `truestock worker`
// processes; leases keep several workers from pushing one listing at once.
//
// Per channel it keeps, in memory, a token bucket (corrected by what the channel reports), a
// circuit breaker, and lag and rate windows for the status page and the adaptive buffer.

import type { Clock } from '../app/clock.ts';
import { waitBeforeOverwrite } from '../domain/sync-rules.ts';
import { newId } from '../app/ids.ts';
import { randomString, systemRandom } from '../app/random.ts';
import { type Scheduler, systemScheduler } from '../app/scheduler.ts';
import { channelStatusChanged } from '../store/alert-repo.ts';
import { insertChannelExceptions } from '../store/channel-event-repo.ts';
import { recordShownMany } from '../store/level-batch-repo.ts';
import { ackPushedMany, postponeMany, releaseMany } from '../store/outbox-settle-repo.ts';
import type { Db, Store } from '../store/store.ts';
import {
  type Claimed,
  claimOutbox,
  deadLetter,
  deferPush,
  resumeDeferred,
  insertLagSample,
  pauseForAuth,
  syncedChannels,
  writeMeasuredLag,
} from '../store/sync-repo.ts';
import { type BreakerOptions, CircuitBreaker } from './breaker.ts';
import { type BudgetReport, bucketSpecOf, budgetFor, type CallFailure, type Connector, DEFAULT_BUDGET, type Failure, type PushItem, type PushResult } from './connector.ts';
import { checkSubmissions, recordSubmitted } from './submissions.ts';
import { LagWindow, RateWindow } from './lag.ts';
import { TokenBucket } from './limiter.ts';
import { pushPriority } from './push-order.ts';
import { DEFAULT_BACKOFF, nextDelay } from './retry.ts';

/** How long a claim holds: longer than any push call (the client times out at 10 s). */
export const DISPATCH_LEASE_MS = 30_000;
/** Pause between rounds when nothing was due. */
export const DISPATCH_IDLE_MS = 50;
/** How often the list of channels (and their paused flags) is read again. */
export const DISPATCH_CHANNELS_REFRESH_MS = 1_000;
/** How often each channel's measured p99 lag is written for the adaptive buffer. */
export const DISPATCH_LAG_PERSIST_MS = 30_000;
/** How long a channel's unexplained decrease is left in place before our number goes over it. */
export const STALE_GRACE_MS = 5_000;
/**
 * Further calls in one round for the items a call refused only because others in it were stale
 * or rejected (a channel that applies a call whole or not at all).
 */
export const DISPATCH_PUSH_AGAIN_MAX = 2;
/** Attempts before a listing is parked on the dead-letter list. */
export const DISPATCH_ATTEMPTS_MAX = 8;
/** Rows claimed per batch slot: the extra ones let the most urgent win when there is a backlog. */
const CANDIDATES_PER_SLOT = 2;

export interface ChannelInfo {
  id: string;
  workspace_id: string;
  kind: string;
  settings: Record<string, unknown>;
}

/** A connector for a channel, or why the channel cannot be synced (settings missing). */
export type ConnectorFactory = (channel: ChannelInfo) => Connector | { error: string } | null;

export interface DispatchLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface DispatchEvents {
  /** One call to a channel and how it ended. */
  onCall?(channelId: string, result: 'ok' | Failure): void;
  /**
   * A listing acknowledged, with its commit → acknowledged lag, and what went out: the number
   * pushed and what the channel was last seen to show (null: unknown). A push below what the
   * channel showed closed a window in which it could sell units that are gone; the others raise
   * or confirm its number.
   */
  onPushed?(channelId: string, lagMs: number, push?: { quantity: number; shown: number | null }): void;
}

export interface ChannelStatus {
  channel_id: string;
  paused: boolean;
  connector_error: string | null;
  breaker: ReturnType<typeof breakerView>;
  pushes_per_minute: number;
  lag_p50_ms: number | null;
  lag_p99_ms: number | null;
  calls: Record<'ok' | Failure, number>;
  stale: number;
  dead_lettered: number;
  last_error: { at: string; message: string } | null;
  budget: { available: number; capacity: number; refill_per_second: number } | null;
  /** Limits on single listings the connector holds pushes for (eBay's revisions per day); absent when it keeps none. */
  limits?: { name: string; per_listing: number; held: number; max_used: number; resets_at: string | null; detail?: Record<string, number> }[];
}

export class ChannelRuntime {
  readonly breaker: CircuitBreaker;
  readonly lag = new LagWindow();
  readonly pushes = new RateWindow();
  readonly calls = { ok: 0, throttled: 0, transient: 0, auth: 0, permanent: 0 };
  stale = 0;
  deadLettered = 0;
  lastError: { at: number; message: string } | null = null;
  busy: Promise<void> | null = null;
  /** Not before this time (ms): the bucket is empty or the channel asked us to wait. */
  nextAt = 0;
  /** One token bucket per budget the connector names (`default` for channels with one). */
  buckets = new Map<string, TokenBucket>();
  /** When submissions still processing were last looked at. */
  submissionsCheckedAt = -Infinity;

  constructor(
    public info: ChannelInfo,
    public paused: boolean,
    public connector: Connector | null,
    public connectorError: string | null,
    breaker: Partial<BreakerOptions>,
  ) {
    this.breaker = new CircuitBreaker(breaker);
  }
}

export class Dispatcher {
  private readonly channels = new Map<string, ChannelRuntime>();
  private running = false;
  private loop: Promise<void> | null = null;
  private lastRefresh = -Infinity;
  private lastLagWrite = -Infinity;
  private wake: (() => void) | null = null;
  private readonly scheduler: Scheduler;
  readonly workerId: string;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly connectorFor: ConnectorFactory,
    private readonly kinds: readonly string[],
    private readonly opts: { workerId?: string; leaseMs?: number; idleMs?: number; random?: () => number; scheduler?: Scheduler; log?: DispatchLog; events?: DispatchEvents; breaker?: Partial<BreakerOptions>; staleGraceMs?: number } = {},
  ) {
    this.workerId = opts.workerId ?? `worker-${process.pid}-${randomString(opts.random ?? systemRandom, 6)}`;
    this.scheduler = opts.scheduler ?? systemScheduler;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.all([...this.channels.values()].map((c) => c.busy));
  }

  /** Something was enqueued: look at once instead of at the next idle tick. */
  poke(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        await this.refresh(false);
        await this.persistLag();
        const rounds = [...this.channels.values()].filter((c) => !c.busy && !c.paused && c.connector && this.clock.now() >= c.nextAt);
        for (const c of rounds) {
          c.busy = this.drainOnce(c.info.id)
            .then((n) => void (worked ||= n > 0))
            .catch((err: unknown) => this.opts.log?.warn({ channel: c.info.id, err: String(err) }, 'dispatch round failed'))
            .finally(() => (c.busy = null));
        }
        await Promise.all(rounds.map((c) => c.busy));
      } catch (err) {
        this.opts.log?.warn({ err: String(err) }, 'dispatcher loop failed; retrying');
      }
      if (!worked && this.running) {
        const idle = this.scheduler.sleep(this.opts.idleMs ?? DISPATCH_IDLE_MS);
        this.wake = idle.wake;
        await idle;
      }
      this.wake = null;
    }
  }

  /** Read the channels again (new ones, paused flags, changed settings). */
  async refresh(force: boolean): Promise<void> {
    const now = this.clock.now();
    if (!force && now - this.lastRefresh < DISPATCH_CHANNELS_REFRESH_MS) return;
    this.lastRefresh = now;
    const list = await this.store.read((db) => syncedChannels(db, this.kinds));
    const seen = new Set<string>();
    for (const ch of list) {
      seen.add(ch.id);
      const made = this.connectorFor(ch);
      const connector = made && !('error' in made) ? made : null;
      const error = made && 'error' in made ? made.error : null;
      const rt = this.channels.get(ch.id);
      if (!rt) {
        this.channels.set(ch.id, new ChannelRuntime(ch, ch.paused, connector, error, this.opts.breaker ?? {}));
      } else {
        rt.paused = ch.paused;
        // New settings (a token, a URL): a new connector; the breaker and windows carry on, and so
        // does what the budgets have spent — the channel's limits did not refill because we
        // reconnected (a full new bucket right after a burst is a burst the channel refuses).
        if (JSON.stringify(rt.info.settings) !== JSON.stringify(ch.settings)) Object.assign(rt, { info: ch, connector, connectorError: error, buckets: carriedBuckets(rt.buckets, connector, this.clock.now()) });
      }
    }
    for (const id of [...this.channels.keys()]) if (!seen.has(id)) this.channels.delete(id);
  }

  /**
   * Every 30 s: each channel's measured p99 lag, so every process's adaptive buffer uses it, and
   * a sample of p50/p99 and pushes for the dashboard's lag-over-time chart.
   */
  private async persistLag(): Promise<void> {
    const now = this.clock.now();
    if (now - this.lastLagWrite < DISPATCH_LAG_PERSIST_MS) return;
    this.lastLagWrite = now;
    const active = [...this.channels.values()].filter((c) => c.connector && c.lag.count(now) > 0);
    if (active.length === 0) return;
    await this.store.transaction(async (db) => {
      for (const c of active) {
        await writeMeasuredLag(db, c.info.workspace_id, c.info.id, c.lag.p99Seconds(now)!, now);
        await insertLagSample(db, c.info.id, now, c.lag.quantile(0.5, now), c.lag.quantile(0.99, now), c.pushes.perMinute(now));
      }
    });
  }

  private runtime(channelId: string): ChannelRuntime | undefined {
    return this.channels.get(channelId);
  }

  /**
   * One batch for one channel: claim, push, settle. Returns the rows settled (0 when nothing was
   * due, the breaker is open, or the budget is short).
   */
  async drainOnce(channelId: string): Promise<number> {
    const c = this.runtime(channelId);
    if (!c || !c.connector || c.paused) return 0;
    const connector = c.connector;
    const now = this.clock.now();
    if (!c.breaker.allow(now)) return 0;
    const recovering = c.breaker.state(now) !== 'closed';
    await checkSubmissions(this.store, this.clock, c, this.workerId, this.submissionHooks);
    const bucket = this.bucket(c, budgetFor(connector, 'push'), now);
    const cost = connector.pushCost(connector.maxBatch);
    const wait = bucket.waitFor(cost, now);
    // No budget: claim nothing (a claim would hold rows another worker could push).
    if (wait > 0) {
      c.nextAt = now + wait;
      c.breaker.onThrottled(now);
      return 0;
    }
    const claimed = await this.store.transaction((db) => claimOutbox(db, channelId, this.workerId, now, this.opts.leaseMs ?? DISPATCH_LEASE_MS, connector.maxBatch * CANDIDATES_PER_SLOT));
    if (claimed.length === 0) {
      c.breaker.onThrottled(now); // no call made: hand back a half-open probe slot
      return 0;
    }
    // A recent decrease on the channel we cannot explain yet is left in place for a while.
    const grace = this.opts.staleGraceMs ?? STALE_GRACE_MS;
    const waiting = claimed.filter((r) => waitBeforeOverwrite(r.quantity, r.pushed_quantity, r.shown_quantity) && (r.shown_at ?? 0) + grace > now);
    if (waiting.length > 0) await this.store.transaction((db) => postponeMany(db, waiting.map((r) => ({ listing_id: r.listing_id, notBefore: r.shown_at! + grace })), this.workerId));
    // With a backlog, the most urgent go first: closest to zero, decreases before increases.
    const ordered = claimed.filter((r) => !waiting.includes(r)).sort((a, b) => pushPriority(pending(a), pending(b)));
    if (ordered.length === 0) return 0;
    const batch = ordered.slice(0, connector.maxBatch);
    const rest = ordered.slice(connector.maxBatch);
    if (rest.length > 0) await this.store.transaction((db) => releaseMany(db, rest.map((r) => r.listing_id), this.workerId));

    bucket.tryTake(cost, now);
    // Items refused by compare-and-set, settled after every call of this round (reconcile reads them back).
    const staleRows: Claimed[] = [];
    const staleItems: PushItem[] = [];
    let rows = batch;
    for (let call = 0; ; call++) {
      const items = rows.map(toPushItem);
      let result: PushResult;
      try {
        result = await connector.push(items);
      } catch (err) {
        result = { ok: false, failure: 'transient', retryAfterMs: null, message: String(err) };
      }
      const at = this.clock.now();
      this.afterCall(c, bucket, call === 0 ? cost : connector.pushCost(rows.length), result.budget, at);
      this.opts.events?.onCall?.(channelId, result.ok ? 'ok' : result.failure);
      c.calls[result.ok ? 'ok' : result.failure]++;
      if (!result.ok) {
        if (recovering && result.failure === 'transient') await this.stillDown(c, rows, result, at);
        else await this.failed(c, rows, result, at);
        break;
      }
      const breakerWas = c.breaker.state(at);
      c.breaker.onSuccess(at);
      await this.breakerMoved(c, breakerWas, at);
      // The probe after an outage went through: what the outage deferred goes now, not after its backoff.
      if (recovering && call === 0) await this.store.transaction((db) => resumeDeferred(db, channelId, at));
      // A channel that applies a call whole or not at all (Shopify) refuses the rest of it for one
      // stale or rejected item. Those others go again at once, alone, while the claim holds: left
      // to the next round they would share a batch with new rows, and in a burst one of those is
      // stale again, so a busy shop would take nothing until the burst ends.
      const refusedForOthers = result.outcomes.some((o) => o.status === 'stale' || o.status === 'rejected');
      const notApplied = result.outcomes.filter((o) => o.status === 'not_applied' && o.notBefore === undefined).length;
      const again = refusedForOthers && notApplied > 0 && call < DISPATCH_PUSH_AGAIN_MAX && bucket.waitFor(connector.pushCost(notApplied), at) === 0;
      const outcomes = result.outcomes;
      const acked: { row: Claimed; quantity: number }[] = [];
      const retry: Claimed[] = [];
      await this.store.transaction(async (db) => {
        // Acknowledgements and releases are settled together below, a few statements for the whole batch.
        acked.length = 0;
        retry.length = 0;
        const released: string[] = [];
        const held: { listing_id: string; notBefore: number }[] = [];
        for (const [k, outcome] of outcomes.entries()) {
          const row = rows[k]!;
          if (outcome.status === 'acknowledged') {
            acked.push({ row, quantity: items[k]!.quantity });
          } else if (outcome.status === 'submitted') {
            await recordSubmitted(db, row, items[k]!, outcome.submissionId, this.workerId, at);
          } else if (outcome.status === 'rejected') {
            await this.park(db, c, row, outcome.reason, at);
          } else if (outcome.status === 'stale') {
            // Collected below, once this transaction is through.
          } else if (outcome.notBefore !== undefined) {
            // The channel will not take this listing before then (a per-listing limit): no attempt counted.
            held.push({ listing_id: row.listing_id, notBefore: outcome.notBefore });
          } else if (again) {
            retry.push(row);
          } else {
            released.push(row.listing_id);
          }
        }
        await ackPushedMany(db, acked, this.workerId, at, now);
        await releaseMany(db, released, this.workerId);
        await postponeMany(db, held, this.workerId);
      });
      outcomes.forEach((o, k) => {
        if (o.status !== 'stale') return;
        staleRows.push(rows[k]!);
        staleItems.push(items[k]!);
      });
      for (const { row, quantity } of acked) {
        // Never below 0: `enqueued_at` is a commit time, but it may come from another process's clock.
        const lag = Math.max(0, at - row.enqueued_at);
        c.lag.record(lag, at);
        c.pushes.add(1, at);
        this.opts.events?.onPushed?.(channelId, lag, { quantity, shown: row.shown_quantity ?? row.pushed_quantity });
      }
      if (retry.length === 0) break;
      bucket.tryTake(connector.pushCost(retry.length), at);
      rows = retry;
    }
    if (staleRows.length > 0) await this.reconcile(c, staleRows, staleItems, now);
    return batch.length;
  }

  /**
   * Compare-and-set refused: the channel's number moved under us. Read what it shows now and
   * record it, so the next push compares against it. A decrease we cannot explain yet is left in
   * place for a grace period (`waitBeforeOverwrite`): a new number from the ledger (the order
   * arriving) goes out at once and ends the wait. A listing that keeps moving is parked.
   */
  private async reconcile(c: ChannelRuntime, rows: Claimed[], items: PushItem[], claimedAt: number): Promise<void> {
    c.stale += rows.length;
    const connector = c.connector!;
    const now = this.clock.now();
    const readBucket = this.bucket(c, budgetFor(connector, 'read'), now);
    const read = readBucket.waitFor(connector.readCost(rows.length), now) === 0 && readBucket.tryTake(connector.readCost(rows.length), now) === 0
      ? await connector.readBack(items).catch((err: unknown) => ({ ok: false as const, message: String(err) }))
      : ({ ok: false as const, message: 'no budget to read back' });
    const at = this.clock.now();
    this.afterCall(c, readBucket, connector.readCost(rows.length), read.ok ? read.budget : undefined, at);
    // In a burst most of a batch can go stale at once: what is shown is recorded, and the rows
    // acknowledged or postponed, with a few statements for all of them (outbox-settle-repo.ts).
    const moved = rows.flatMap((row, k) => {
      const shown = read.ok ? read.shown[k] : null;
      return shown !== null && shown !== undefined && shown !== items[k]!.quantity ? [{ row, shown }] : [];
    });
    const landed = rows.flatMap((row, k) => (read.ok && read.shown[k] === items[k]!.quantity ? [{ row, quantity: items[k]!.quantity }] : []));
    for (const { row, shown } of moved) this.opts.log?.info({ channel: row.channel_id, listing: row.listing_id, shown, pushed: row.pushed_quantity, ours: row.quantity }, 'channel number moved under us');
    await this.store.transaction(async (db) => {
      // It already shows our number: an earlier push of ours landed but its answer was lost (a
      // timeout, a worker killed mid-call), or the channel's own sale took it there (the sale we
      // just allocated). That is an acknowledgement.
      await ackPushedMany(db, landed, this.workerId, at, claimedAt);
      // One channel's rows (a round drains one channel), so one workspace.
      if (moved.length > 0) await recordShownMany(db, moved[0]!.row.workspace_id, moved[0]!.row.channel_id, moved.map((m) => ({ listingId: m.row.listing_id, quantity: m.shown, at })));
      // Back in the queue; the next claim compares against what it shows now (and waits out a
      // recent decrease). A busy listing on a busy shop may go stale again and again while
      // orders flow: that is not a failure, so only a read-back that told us nothing counts.
      await postponeMany(db, moved.map((m) => ({ listing_id: m.row.listing_id, notBefore: at })), this.workerId);
      for (const [k, row] of rows.entries()) {
        const shown = read.ok ? read.shown[k] : null;
        if (shown !== null && shown !== undefined) continue;
        if (row.attempts + 1 >= DISPATCH_ATTEMPTS_MAX) await this.park(db, c, row, `compare-and-set kept failing and the number could not be read back (${read.ok ? 'no level' : read.message})`, at);
        else await deferPush(db, row.listing_id, this.workerId, at + nextDelay(row.attempts, null, DEFAULT_BACKOFF, this.opts.random ?? Math.random), 'channel number moved and could not be read back');
      }
    });
    // Acknowledgements like any other: the channel shows our number, confirmed now.
    for (const { row, quantity } of landed) {
      const lag = Math.max(0, at - row.enqueued_at);
      c.lag.record(lag, at);
      c.pushes.add(1, at);
      this.opts.events?.onPushed?.(row.channel_id, lag, { quantity, shown: quantity });
    }
  }

  private async failed(c: ChannelRuntime, batch: Claimed[], result: CallFailure, at: number): Promise<void> {
    c.lastError = { at, message: result.message };
    if (result.failure === 'throttled') {
      // The channel is healthy, just busy (another app on the same shop spends the bucket too).
      const bucket = this.bucket(c, budgetFor(c.connector!, 'push'), at);
      bucket.throttled(at, result.retryAfterMs ?? undefined);
      c.breaker.onThrottled(at);
      c.nextAt = at + (result.retryAfterMs ?? bucket.waitFor(c.connector!.pushCost(batch.length), at));
      await this.store.transaction((db) => releaseMany(db, batch.map((r) => r.listing_id), this.workerId));
      return;
    }
    if (result.failure === 'auth') {
      // Every listing would fail the same way: the channel stops here, with one exception.
      await this.pauseForAuth(c, result.message, at);
      await this.store.transaction((db) => releaseMany(db, batch.map((r) => r.listing_id), this.workerId));
      return;
    }
    const breakerWas = c.breaker.state(at);
    c.breaker.onFailure(at);
    await this.breakerMoved(c, breakerWas, at);
    this.opts.log?.warn({ channel: c.info.id, failure: result.failure, message: result.message, items: batch.length }, 'push failed');
    await this.store.transaction(async (db) => {
      for (const r of batch) {
        if (r.attempts + 1 >= DISPATCH_ATTEMPTS_MAX) await this.park(db, c, r, `${result.failure}: ${result.message}`, at);
        else await deferPush(db, r.listing_id, this.workerId, at + nextDelay(r.attempts, result.retryAfterMs, DEFAULT_BACKOFF, this.opts.random ?? Math.random), result.message);
      }
    });
  }

  /**
   * The breaker's probe found the channel still down. That says nothing about these listings: they
   * wait for the next probe (at most BREAKER_PROBE_INTERVAL_MS away) without spending an attempt,
   * so an outage never dead-letters a listing, and once the channel is back the probe finds rows
   * due instead of rows sitting out a backoff that grew while nobody could push.
   */
  private async stillDown(c: ChannelRuntime, batch: Claimed[], result: Extract<PushResult, { ok: false }>, at: number): Promise<void> {
    c.lastError = { at, message: result.message };
    c.breaker.onFailure(at);
    const next = c.breaker.retryAt(at) ?? at;
    this.opts.log?.warn({ channel: c.info.id, failure: result.failure, message: result.message, items: batch.length }, 'channel still down');
    await this.store.transaction((db) => postponeMany(db, batch.map((r) => ({ listing_id: r.listing_id, notBefore: next })), this.workerId));
  }

  /**
   * The breaker opened (closed → open) or closed again after a probe: a channel.status_changed
   * alert. The breaker lives in this process, so the alert is its own small transaction.
   */
  private async breakerMoved(c: ChannelRuntime, was: string, at: number): Promise<void> {
    const now = c.breaker.state(at);
    const status = was === 'closed' && now === 'open' ? 'breaker_open' : was !== 'closed' && now === 'closed' ? 'breaker_closed' : null;
    if (!status) return;
    const reason = status === 'breaker_open' ? `pushes keep failing: ${c.lastError?.message ?? 'no answer'}` : 'a probe went through: pushes flow again';
    await this.store.transaction((db) => channelStatusChanged(db, c.info.workspace_id, c.info.id, status, reason, at));
  }

  /** Park a listing on the dead-letter list, with an exception for a person to look at. */
  private async park(db: Db, c: ChannelRuntime, row: Claimed, reason: string, at: number): Promise<void> {
    await deadLetter(db, row, this.workerId, reason, at);
    await insertChannelExceptions(db, [{
      id: newId('exc', at), workspaceId: row.workspace_id, kind: 'sync_dead_letter', itemId: null, locationId: null, quantity: row.quantity,
      reference: row.listing_id, holdId: null, message: `channel ${row.channel_id} will not take listing ${row.listing_id} (${row.quantity}): ${reason}`, createdAt: at,
    }]);
    c.deadLettered++;
    this.opts.log?.warn({ channel: row.channel_id, listing: row.listing_id, reason }, 'listing dead-lettered');
  }

  /**
   * Spend `cost` from a channel's budget for another call on the same API (the order poll): the
   * channel has one bucket per app, so everything that calls it draws on ours. Waits until the
   * tokens are there; false when the cost can never fit.
   */
  spend(channelId: string, cost: number, budget: string = DEFAULT_BUDGET): Promise<boolean> {
    return this.trySpend(channelId, cost, budget, Infinity);
  }

  /**
   * `spend`, but only if the tokens are there within `maxWaitMs` (a webhook's read cannot wait
   * long: the channel times the delivery out); the connector's read budget unless named. True when
   * this process does not drive the channel (nothing to share a budget with).
   */
  async trySpend(channelId: string, cost: number, budget: string | undefined, maxWaitMs: number): Promise<boolean> {
    const c = this.runtime(channelId);
    if (!c?.connector) return true;
    const bucket = this.bucket(c, budget ?? budgetFor(c.connector, 'read'), this.clock.now());
    const until = this.clock.now() + maxWaitMs;
    for (;;) {
      const now = this.clock.now();
      const wait = bucket.waitFor(cost, now);
      if (wait === 0 && bucket.tryTake(cost, now) === 0) return true;
      if (wait === Infinity || now + wait > until) return false;
      await this.scheduler.sleep(Math.max(1, wait));
    }
  }

  /** One of a channel's budgets as this process sees it now (made if not used yet); null without a connector. */
  budget(channelId: string, name: string): { available: number; capacity: number } | null {
    const c = this.runtime(channelId);
    if (!c?.connector) return null;
    const now = this.clock.now();
    const b = this.bucket(c, name, now);
    return { available: b.available(now), capacity: b.spec().capacity };
  }

  /** What the channel reported about a budget after a call made outside the dispatcher. */
  observe(channelId: string, report: BudgetReport): void {
    const c = this.runtime(channelId);
    if (c?.connector) this.observeOn(c, report, this.clock.now());
  }

  /** A call outside the dispatcher that spent `cost` from `budget` was answered, with what the channel reported. */
  answered(channelId: string, budget: string, cost: number, report: BudgetReport | undefined): void {
    const c = this.runtime(channelId);
    if (c?.connector) this.afterCall(c, this.bucket(c, budget, this.clock.now()), cost, report, this.clock.now());
  }

  /**
   * After a call charged `cost` from `bucket`: adopt what the channel reported, and unless it
   * reported its own count, count the call as arriving when it was answered (TokenBucket.answered).
   */
  private afterCall(c: ChannelRuntime, bucket: TokenBucket, cost: number, report: BudgetReport | undefined, at: number): void {
    if (report) this.observeOn(c, report, at);
    if (report?.available === undefined) bucket.answered(cost, at);
  }

  /** One of a channel's budgets, made from the connector's spec the first time it is used. */
  private bucket(c: ChannelRuntime, name: string, now: number): TokenBucket {
    let b = c.buckets.get(name);
    if (!b) {
      b = new TokenBucket(bucketSpecOf(c.connector!, name), now);
      c.buckets.set(name, b);
    }
    return b;
  }

  private observeOn(c: ChannelRuntime, report: BudgetReport, now: number): void {
    this.bucket(c, report.budget ?? DEFAULT_BUDGET, now).observe(report, now);
  }

  /** The channel refused our credentials: paused, with one exception, until a person resumes it. */
  private async pauseForAuth(c: ChannelRuntime, message: string, at: number): Promise<void> {
    c.paused = true;
    const paused = await this.store.transaction((db) => pauseForAuth(db, c.info.workspace_id, c.info.id, message, newId('exc', at), at));
    if (paused) this.opts.log?.warn({ channel: c.info.id, message }, 'channel paused: credentials refused');
  }

  /** What submission checks need from the dispatcher. */
  private readonly submissionHooks = {
    bucket: (c: ChannelRuntime, name: string, now: number) => this.bucket(c, name, now),
    afterCall: (c: ChannelRuntime, bucket: TokenBucket, cost: number, report: BudgetReport | undefined, at: number) => this.afterCall(c, bucket, cost, report, at),
    pauseForAuth: (c: ChannelRuntime, message: string, at: number) => this.pauseForAuth(c, message, at),
    park: (db: Db, c: ChannelRuntime, row: Claimed, reason: string, at: number) => this.park(db, c, row, reason, at),
    onAcknowledged: (c: ChannelRuntime, enqueuedAt: number, at: number) => {
      c.lag.record(at - enqueuedAt, at);
      c.pushes.add(1, at);
      this.opts.events?.onPushed?.(c.info.id, at - enqueuedAt);
    },
  };

  /** What this process knows of a channel's sync. */
  status(channelId: string): ChannelStatus | null {
    const c = this.runtime(channelId);
    if (!c) return null;
    const now = this.clock.now();
    const b = c.connector ? (c.buckets.get(budgetFor(c.connector, 'push')) ?? null) : null;
    return {
      channel_id: channelId,
      paused: c.paused,
      connector_error: c.connectorError,
      breaker: breakerView(c.breaker.snapshot(now)),
      pushes_per_minute: c.pushes.perMinute(now),
      lag_p50_ms: c.lag.quantile(0.5, now),
      lag_p99_ms: c.lag.quantile(0.99, now),
      calls: { ...c.calls },
      stale: c.stale,
      dead_lettered: c.deadLettered,
      last_error: c.lastError && { at: new Date(c.lastError.at).toISOString(), message: c.lastError.message },
      budget: b && { available: Math.floor(b.available(now)), capacity: b.spec().capacity, refill_per_second: b.spec().refillPerSecond },
      ...(c.connector?.limits ? {
        limits: c.connector.limits().map((l) => ({
          name: l.name, per_listing: l.perListing, held: l.held, max_used: l.maxUsed,
          resets_at: l.resetsAt === null ? null : new Date(l.resetsAt).toISOString(), ...(l.detail ? { detail: l.detail } : {}),
        })),
      } : {}),
    };
  }

  /** The measured p99 lag of a channel in seconds (feeds the adaptive buffer), or null. */
  lagSeconds(channelId: string): number | null {
    return this.runtime(channelId)?.lag.p99Seconds(this.clock.now()) ?? null;
  }
}

const pending = (r: Claimed) => ({ listingId: r.listing_id, quantity: r.quantity, shown: r.shown_quantity ?? r.pushed_quantity, enqueuedAt: r.enqueued_at, attempts: r.attempts });

/** The push for a claimed row: our number, compared against what the channel was last seen to show. */
function toPushItem(r: Claimed): PushItem {
  return { listingId: r.listing_id, version: r.version, external: r.external, quantity: r.quantity, expected: r.shown_quantity ?? r.pushed_quantity };
}

/** A new connector's budgets, each starting with no more tokens than the old budget of its name had left. */
function carriedBuckets(old: Map<string, TokenBucket>, connector: Connector | null, now: number): Map<string, TokenBucket> {
  const out = new Map<string, TokenBucket>();
  if (!connector) return out;
  for (const [name, bucket] of old) {
    const spec = bucketSpecOf(connector, name);
    out.set(name, new TokenBucket(spec, now, Math.min(bucket.available(now), spec.capacity)));
  }
  return out;
}

/** The breaker as the API shows it: times in ISO 8601, like every other time it sends. */
function breakerView(b: ReturnType<CircuitBreaker['snapshot']>) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return { ...b, opened_at: iso(b.opened_at), retry_at: iso(b.retry_at) };
}
