// Reconciliation (design.md §5, docs/sync-out.md "Reconciliation"): every synced channel's listings
// are read back on a schedule and compared with what we told the channel. Kind-agnostic: it needs
// only a channel's connector (`readBack`, `readCost`) and how its locations map (to adopt an edit).
//
// - Scheduled, at low priority: a listing is due when it was not read for the channel's interval
//   (settings `reconcile_seconds`), oldest read first, in slices of one read call each. A read
//   spends only the channel's *spare* budget — tokens above RECONCILE_BUDGET_RESERVE_FRACTION of
//   the bucket, which stay for pushes — drawn from the dispatcher's one bucket per channel, so
//   pushes are never starved and the channel never throttles us for reading.
// - Claimed: one process reads a channel at a time (a lease in `channel_sync`), so several
//   workers never read the same listing twice.
// - Judged by `judgeReadBack` (src/domain/drift-rules.ts). Drift is one open `channel_drift`
//   exception per listing, updated (count, last seen) at each read that still sees it and
//   resolved when the channel converges; and the channel's `edit_policy` acts on it: `master_wins`
//   pushes our number again now, `adopt` books the channel's number through the same path as a
//   level webhook (applyLevel), then publishes ours.
// - Every read records what the channel shows and when (`listing_sync.shown_*`, `read_*`), and
//   measures the channel's publish-to-visible delay, which feeds the adaptive buffer.

import type { Timer } from '../app/scheduler.ts';
import { applyChannelEvent, type ChannelContext, type ChannelMapping, editSettings, type ChannelEvent } from '../app/channel-events.ts';
import { newId } from '../app/ids.ts';
import type { Truestock } from '../app/truestock.ts';
import { judgeReadBack, type Verdict, visibleDelaySample } from '../domain/drift-rules.ts';
import type { Channel } from '../domain/listing-rules.ts';
import { locationsByCode } from '../store/catalog-repo.ts';
import { channelById } from '../store/channel-event-repo.ts';
import { raiseExceptions } from '../store/exception-repo.ts';
import {
  claimReconcile,
  type DueListing,
  dueListings,
  measuredLags,
  reconcileStates,
  recordRead,
  releaseReconcile,
  resolveOpenException,
  updateOpenException,
} from '../store/reconcile-repo.ts';
import { recordShown, requeueListing, syncedChannels, writeVisibleLag } from '../store/sync-repo.ts';
import type { Db } from '../store/store.ts';
import { budgetFor, type Connector, type PushItem } from './connector.ts';
import type { ChannelInfo, ConnectorFactory, DispatchLog } from './dispatcher.ts';
import { LagWindow } from './lag.ts';

/** How often a channel's listings are read back when its settings do not say (`reconcile_seconds`). */
export const RECONCILE_SECONDS_DEFAULT = 300;
/** The shortest interval a channel may ask for: reading faster only spends budget. */
export const RECONCILE_SECONDS_MIN = 10;
/** How often each process looks for channels with listings due (and re-checks differences). */
export const RECONCILE_TICK_MS = 5_000;
/** How long a claimed round holds the channel: longer than any round (bounded below). */
export const RECONCILE_LEASE_MS = 60_000;
/**
 * The share of a channel's bucket a read never touches: reads take only tokens above it, so a
 * burst of pushes always finds at least this much, and reading waits when pushes are busy.
 */
export const RECONCILE_BUDGET_RESERVE_FRACTION = 0.5;
/** Listings per read call (Shopify's `nodes(ids:)` takes 250). */
export const RECONCILE_SLICE_MAX = 250;
/** Listings one round reads at most, so a round ends well inside its lease. */
export const RECONCILE_ROUND_LISTINGS_MAX = 2_500;
/**
 * The least time a difference must stand before it is drift, whatever the channel's measured
 * inbound lag: an order's event may be in our queue (a busy ledger), not only on the wire.
 */
export const DRIFT_AGE_MIN_MS = 10_000;
/** The publish-to-visible delay is a p99 over this window. */
export const VISIBLE_LAG_WINDOW_MS = 3_600_000;
const VISIBLE_LAG_SLICES = 12;

/** What the reconciler needs from a channel's kind (the registry provides it; see app/truestock.ts). */
export interface ChannelSeam {
  connect: ConnectorFactory;
  mapping(channel: Pick<Channel, 'kind' | 'settings'>): ChannelMapping;
  /** How an event from the channel is read (for adopting a drift through the level event path). */
  context(channel: Channel): ChannelContext;
  /** The kind's default lags, before the channel's settings or measurements say. */
  lags(kind: string): { inboundSeconds: number; outboundSeconds: number };
}

export interface RoundReport {
  channel: string;
  read: number;
  drift: number;
  /** Why the round stopped early (no spare budget, a failed read), if it did. */
  stopped: string | null;
}

/** The channel's interval from its settings; anything unreadable falls back to the default. */
export function reconcileIntervalMs(settings: Record<string, unknown>): number {
  const s = settings.reconcile_seconds;
  return (typeof s === 'number' && Number.isFinite(s) && s >= RECONCILE_SECONDS_MIN ? s : RECONCILE_SECONDS_DEFAULT) * 1000;
}

const seconds = (settings: Record<string, unknown>, name: string, fallback: number) => {
  const v = settings[name];
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
};

const iso = (ms: number) => new Date(ms).toISOString();

export class Reconciler {
  private timer: Timer | null = null;
  private running: Promise<RoundReport[]> | null = null;
  private readonly connectors = new Map<string, { settings: string; connector: Connector | null }>();
  private readonly visible = new Map<string, LagWindow>();

  constructor(
    private readonly ts: Truestock,
    private readonly seam: ChannelSeam,
    private readonly kinds: readonly string[],
    private readonly opts: { log?: DispatchLog; tickMs?: number } = {},
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = this.ts.scheduler.every(this.opts.tickMs ?? RECONCILE_TICK_MS, () => this.tick());
    void this.tick();
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    await this.running;
  }

  /** One round for every channel this process can claim (tests call it directly). */
  tick(): Promise<RoundReport[]> {
    this.running ??= this.round()
      .catch((err: unknown) => (this.opts.log?.warn({ err: String(err) }, 'reconcile round failed'), []))
      .finally(() => (this.running = null));
    return this.running;
  }

  /** The channel's publish-to-visible delay measured by this process, seconds (p99), or null. */
  visibleLagSeconds(channelId: string): number | null {
    return this.visible.get(channelId)?.p99Seconds(this.ts.clock.now()) ?? null;
  }

  private async round(): Promise<RoundReport[]> {
    const reports: RoundReport[] = [];
    for (const ch of await this.ts.store.read((db) => syncedChannels(db, this.kinds))) {
      if (ch.paused) continue; // nothing is pushed: the channel shows old numbers on purpose
      const report = await this.reconcileChannel(ch);
      if (report) reports.push(report);
    }
    return reports;
  }

  private connectorOf(ch: ChannelInfo): Connector | null {
    const settings = JSON.stringify(ch.settings);
    const had = this.connectors.get(ch.id);
    if (had && had.settings === settings) return had.connector;
    const made = this.seam.connect(ch);
    const connector = made && !('error' in made) ? made : null;
    this.connectors.set(ch.id, { settings, connector });
    return connector;
  }

  /** Tokens a read may take now without touching the pushes' reserve (null: the dispatcher does not drive this channel). */
  private spare(channelId: string, budget: string): number | null {
    const status = this.ts.sync.status(channelId);
    if (!status || status.paused || status.connector_error !== null || status.breaker.state !== 'closed') return null;
    const b = this.ts.sync.budget(channelId, budget);
    return b && b.available - RECONCILE_BUDGET_RESERVE_FRACTION * b.capacity;
  }

  /** Read back what is due on one channel, if this process claims it; null when it did not. */
  async reconcileChannel(ch: ChannelInfo): Promise<RoundReport | null> {
    const { ts } = this;
    const connector = this.connectorOf(ch);
    // Reads draw on the channel's read budget, which lives in the dispatcher beside the pushes'
    // (one bucket for a channel that limits all calls together, its own where the channel limits per operation).
    if (!connector) return null;
    const readBudget = budgetFor(connector, 'read');
    if (this.spare(ch.id, readBudget) === null) return null;
    const start = ts.clock.now();
    const lags = await ts.store.read((db) => measuredLags(db, ch.id));
    // How late the channel's orders reach us; how long it may take to show what it acknowledged.
    const inboundLagMs = Math.max(DRIFT_AGE_MIN_MS, 1000 * (lags.inbound ?? seconds(ch.settings, 'inbound_lag_seconds', this.seam.lags(ch.kind).inboundSeconds)));
    const visibleAllowanceMs = 1000 * Math.max(lags.visible ?? 0, seconds(ch.settings, 'outbound_lag_seconds', this.seam.lags(ch.kind).outboundSeconds));
    const judge = { inboundLagMs, visibleAllowanceMs, intervalMs: reconcileIntervalMs(ch.settings), recheckMs: Math.max(inboundLagMs, visibleAllowanceMs) };
    // Most ticks find nothing due: look (a read) before claiming (a write).
    if ((await ts.store.read((db) => dueListings(db, ch.id, start, judge.intervalMs, judge.recheckMs, 1))).length === 0) return null;
    if (!(await ts.store.transaction((db) => claimReconcile(db, ch.workspace_id, ch.id, start, RECONCILE_LEASE_MS)))) return null;
    const report: RoundReport = { channel: ch.id, read: 0, drift: 0, stopped: null };
    try {
      const channel = await ts.store.read((db) => channelById(db, ch.id));
      if (!channel) return report;
      while (report.read < RECONCILE_ROUND_LISTINGS_MAX) {
        const spare = this.spare(ch.id, readBudget) ?? 0;
        let n = Math.min(RECONCILE_SLICE_MAX, RECONCILE_ROUND_LISTINGS_MAX - report.read);
        while (n > 0 && connector.readCost(n) > spare) n--;
        if (n === 0) {
          report.stopped = 'no spare budget';
          break;
        }
        const due = await ts.store.read((db) => dueListings(db, ch.id, ts.clock.now(), judge.intervalMs, judge.recheckMs, n));
        if (due.length === 0) break;
        const cost = connector.readCost(due.length);
        // Checked again right before taking: a push may have spent tokens while we looked.
        if ((this.spare(ch.id, readBudget) ?? 0) < cost) {
          report.stopped = 'no spare budget';
          break;
        }
        await ts.sync.spend(ch.id, cost, readBudget);
        const readAt = ts.clock.now();
        const items: PushItem[] = due.map((l) => ({ listingId: l.id, version: 0, external: l.external, quantity: 0, expected: null }));
        const read = await connector.readBack(items).catch((err: unknown) => ({ ok: false as const, message: String(err) }));
        ts.sync.answered(ch.id, readBudget, cost, read.ok ? read.budget : undefined);
        if (!read.ok) {
          report.stopped = `read-back failed: ${read.message}`;
          this.opts.log?.warn({ channel: ch.id, message: read.message }, 'read-back failed');
          break;
        }
        report.read += due.length;
        report.drift += await this.settle(channel, due, read.shown, readAt, judge);
      }
    } finally {
      await ts.store.transaction((db) => releaseReconcile(db, ch.id, ts.clock.now() + (this.opts.tickMs ?? RECONCILE_TICK_MS) - 1));
    }
    if (report.read > 0) this.opts.log?.info({ ...report }, 'channel read back');
    return report;
  }

  /** Judge and record one slice; act on drift by the channel's policy. Returns the drifted listings. */
  private async settle(channel: Channel, due: DueListing[], shown: (number | null)[], readAt: number, judge: { inboundLagMs: number; visibleAllowanceMs: number }): Promise<number> {
    const { ts } = this;
    const { editPolicy } = editSettings(channel.settings);
    const drifted: { listing: DueListing; shown: number; since: number; difference: number }[] = [];
    const samples: number[] = [];
    await ts.store.transaction(async (db) => {
      const states = await reconcileStates(db, due.map((l) => l.id));
      for (const [k, listing] of due.entries()) {
        const st = states.get(listing.id);
        if (!st) continue; // the listing went away meanwhile
        const now = shown[k] ?? null;
        const facts = {
          shown: now, pushed: st.pushedQuantity, pushedAt: st.pushedAt, pending: st.queued, readAt,
          previousReadAt: st.readAt, previousShown: st.readQuantity, differenceSince: st.driftSince, ...judge,
        };
        const v = judgeReadBack(facts);
        const sample = visibleDelaySample(facts);
        if (sample !== null) samples.push(sample);
        if (now !== null) await recordShown(db, channel.workspaceId, channel.id, listing.id, now, readAt);
        let { driftSince, driftCount, driftExceptionId } = st;
        if (v.verdict === 'in_sync') {
          if (driftExceptionId) await resolveOpenException(db, driftExceptionId, `the channel converged: it shows ${now}, the number truestock pushed (${iso(readAt)})`, readAt);
          (driftSince = null), (driftCount = 0), (driftExceptionId = null);
        } else if (v.verdict === 'young') {
          driftSince = v.since;
        } else if (v.verdict === 'drift') {
          driftSince = v.since;
          driftCount += 1;
          driftExceptionId = await this.raise(db, channel, listing, v, now!, st.pushedQuantity!, driftCount, driftExceptionId, readAt, editPolicy);
          drifted.push({ listing, shown: now!, since: v.since, difference: v.difference });
        } else if (v.verdict === 'unknown' && st.pushedQuantity === null) {
          (driftSince = null), (driftCount = 0);
        }
        // pending / processing: the watched difference and its exception stay as they are.
        await recordRead(db, channel.workspaceId, channel.id, listing.id, { at: readAt, quantity: now, driftSince, driftCount, driftExceptionId });
      }
    });
    if (samples.length > 0) await this.recordVisible(channel, samples, readAt);
    for (const d of drifted) await this.act(channel, d.listing, d.shown, d.since, d.difference, readAt);
    if (drifted.length > 0) ts.sync.poke();
    return drifted.length;
  }

  /** Open the listing's drift exception, or bring its open one up to date; returns its id. */
  private async raise(db: Db, channel: Channel, listing: DueListing, v: Extract<Verdict, { verdict: 'drift' }>, shown: number, pushed: number, count: number, openId: string | null, at: number, policy: string): Promise<string> {
    const action = policy === 'adopt' ? 'the channel’s number is booked (adjustment channel_edit), then published' : 'truestock’s number is pushed again';
    const message = `${channel.name} shows ${shown} × ${listing.sku} (listing ${listing.id}) where truestock last pushed ${pushed} (${v.difference > 0 ? '+' : ''}${v.difference}); `
      + `unexplained since ${iso(v.since)}, seen by ${count} read-back${count === 1 ? '' : 's'}, last ${iso(at)}; edit_policy ${policy}: ${action}`;
    if (openId && (await updateOpenException(db, openId, v.difference, message, at))) return openId;
    const id = newId('exc', at);
    // Grouped by SKU, channel and location (design.md §5): the location the listing's channel location maps to, if any.
    const code = listing.external.location_id === undefined ? undefined : this.seam.mapping(channel).locationCode(listing.external.location_id);
    const [location] = code === undefined ? [] : await locationsByCode(db, channel.workspaceId, [code]);
    // One unresolved drift per listing: an open one this listing lost track of is counted, not doubled.
    const [open] = await raiseExceptions(db, [{
      id, workspaceId: channel.workspaceId, kind: 'channel_drift', itemId: listing.itemId, locationId: location?.id ?? null, quantity: v.difference,
      reference: listing.id, holdId: null, channelId: channel.id, message, createdAt: at,
    }]);
    return open!;
  }

  /**
   * The channel's policy on a drifted listing. `master_wins`: our number goes out again — at once
   * when the channel shows more than we pushed (that is how overselling starts); over a lower
   * number only once the channel's edit grace has passed since the difference was first seen, as
   * for a level webhook (the grace may only ever delay a raise: it is the time an order behind
   * the lower number, whose event was lost, gets to reach us through the poll).
   * `adopt`: a `level_updated` event built from the read-back goes through the same path as a
   * level webhook (applyLevel books the difference from what we pushed as a `channel_edit`
   * adjustment, idempotent per event); its id names the listing and the read-back that first saw
   * the difference, so the same difference is booked once however often it is read. Then our
   * number — which now includes the edit — is published, so the channel converges even when a
   * rule or buffer keeps it from showing the booked number (else the next read would see the same
   * difference again).
   */
  private async act(channel: Channel, listing: DueListing, shown: number, since: number, difference: number, at: number): Promise<void> {
    const { ts } = this;
    const cx: ChannelContext = { ...this.seam.context(channel), ...(this.opts.log ? { log: this.opts.log } : {}) };
    const { editPolicy, editGraceMs } = cx;
    this.opts.log?.info({ channel: channel.id, listing: listing.id, sku: listing.sku, shown, policy: editPolicy }, 'channel_drift');
    if (editPolicy === 'adopt') {
      const event: ChannelEvent = {
        kind: 'level_updated', occurredAt: at, eventId: `reconcile:${listing.id}:${since}`,
        level: { keys: [listing.externalKey], locationId: listing.external.location_id ?? '', available: shown },
      };
      let said: string;
      try {
        said = await applyChannelEvent(ts, cx, event);
      } catch (err) {
        // The ledger was busy (or the store failed): pushing ours now would overwrite the edit we
        // mean to book. The next read-back judges the same difference again, under the same event id.
        this.opts.log?.warn({ channel: channel.id, listing: listing.id, err: String(err) }, 'adopting a drifted number failed; retried at the next read-back');
        return;
      }
      // Requeued by applyLevel (it could not adopt): its grace stands. Stale: a newer observation won.
      if (said === 'requeued' || said === 'stale' || said === 'no_listing') return;
    }
    const now = ts.clock.now();
    // Booked (adopt): our number now includes the edit and goes at once. Over a lower number
    // (master_wins) the grace counts from when the difference was first seen, and only ever delays
    // a raise (requeueListing decides that against the number that goes out).
    const graceMs = editPolicy === 'master_wins' ? Math.max(0, since + editGraceMs - now) : 0;
    await ts.store.transaction((db) => requeueListing(db, listing.id, now, shown, graceMs));
  }

  private async recordVisible(channel: Channel, samples: number[], at: number): Promise<void> {
    let w = this.visible.get(channel.id);
    if (!w) this.visible.set(channel.id, (w = new LagWindow({ windowMs: VISIBLE_LAG_WINDOW_MS, slices: VISIBLE_LAG_SLICES })));
    for (const s of samples) w.record(s, at);
    const p99 = w.p99Seconds(at);
    if (p99 !== null) await this.ts.store.transaction((db) => writeVisibleLag(db, channel.workspaceId, channel.id, p99, at));
  }
}
