// The alert delivery worker (docs/alerts.md). Each tick, on the injected clock and scheduler:
//  1. stock levels whose coalescing window closed become stock.changed events;
//  2. new events fan out to the enabled subscriptions that want them (one delivery each);
//  3. due deliveries go out: webhooks signed per Standard Webhooks, e-mails over SMTP (one per
//     event, or one digest per interval). A failure is tried again with exponential backoff and
//     jitter until DELIVERY_ATTEMPTS_MAX, then the delivery is `failed`.
// At least once: a delivery is claimed (its next_at moved past a lease) before it is sent and
// recorded after, so a crash between the two sends it again. The webhook-id is the event's id,
// the same on every retry and redelivery, so receivers dedupe on it.

import { Webhook } from 'standardwebhooks';
import type { Clock } from '../app/clock.ts';
import { newId } from '../app/ids.ts';
import { type Random, systemRandom } from '../app/random.ts';
import { type Scheduler, systemScheduler, type Timer } from '../app/scheduler.ts';
import { afterFailure, ALERT_RETENTION_MS, STOCK_CHANGED_COALESCE_MS, wants } from '../domain/alert-rules.ts';
import {
  type AttemptResult,
  claimDelivery,
  type DeliveryDraft,
  dueDeliveries,
  type DueDelivery,
  dueStockChanges,
  emitStockChanges,
  enabledSubscriptions,
  eventsToFanOut,
  insertDeliveries,
  markFannedOut,
  pruneAlerts,
  recordAttempt,
  setDigestDue,
  type SmtpSettings,
  smtpOf,
  type Subscription,
  subscriptionsById,
} from '../store/alert-repo.ts';
import type { Store } from '../store/store.ts';
import { digestMail, type Mailer, nodemailerMailer, singleMail, smtpFromEnv } from './alert-mail.ts';

/** How often the worker looks for work. */
export const ALERT_TICK_MS = 1_000;
/** Events fanned out per transaction; stock levels turned into events per transaction. */
const FAN_OUT_BATCH_MAX = 500;
/** Deliveries sent per tick: a backlog drains over several ticks, never in one long one. */
const DELIVERIES_PER_TICK_MAX = 200;
/** Subscriptions sent to at the same time. */
const SENDS_IN_PARALLEL_MAX = 8;
/**
 * A claimed delivery is someone's for this long; after it another worker may send it again. Longer
 * than one send can take (WEBHOOK_TIMEOUT_MS; SMTP_TIMEOUT_MS per phase of a conversation).
 */
const DELIVERY_LEASE_MS = 60_000;
/** How long a receiver has to answer. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** How often old deliveries and events are pruned, and rows deleted per transaction. */
const PRUNE_INTERVAL_MS = 3_600_000;
const PRUNE_CHUNK_ROWS = 5_000;
/** Error text kept per attempt. */
const ERROR_LENGTH_MAX = 500;

export interface AlertDeliveryOptions {
  scheduler?: Scheduler;
  random?: Random;
  fetch?: typeof fetch;
  mailer?: Mailer;
  /** The server's SMTP settings (a workspace's own win); by default from TRUESTOCK_SMTP_*. */
  smtp?: SmtpSettings | null;
  tickMs?: number;
  timeoutMs?: number;
}

export interface TickReport {
  events: number;
  fannedOut: number;
  sent: number;
  delivered: number;
}

export class AlertDelivery {
  private timer: Timer | null = null;
  private pruneTimer: Timer | null = null;
  private running: Promise<TickReport> | null = null;
  private readonly scheduler: Scheduler;
  private readonly random: Random;
  private readonly mailer: Mailer;
  private readonly smtp: SmtpSettings | null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly opts: AlertDeliveryOptions = {},
  ) {
    this.scheduler = opts.scheduler ?? systemScheduler;
    this.random = opts.random ?? systemRandom;
    this.mailer = opts.mailer ?? nodemailerMailer;
    this.smtp = opts.smtp === undefined ? smtpFromEnv() : opts.smtp;
  }

  start(): void {
    if (this.timer) return;
    this.timer = this.scheduler.every(this.opts.tickMs ?? ALERT_TICK_MS, () => this.tick().catch((err: Error) => process.emitWarning(`alert delivery failed: ${err.message}`)));
    this.pruneTimer = this.scheduler.every(PRUNE_INTERVAL_MS, () => this.prune().catch((err: Error) => process.emitWarning(`alert pruning failed: ${err.message}`)));
  }

  /** Forget finished deliveries and unreferenced events older than ALERT_RETENTION_MS; returns how many rows went. */
  async prune(): Promise<number> {
    const before = this.clock.now() - ALERT_RETENTION_MS;
    let total = 0;
    for (;;) {
      const n = await this.store.transaction((db) => pruneAlerts(db, before, PRUNE_CHUNK_ROWS));
      total += n.deliveries + n.events;
      if (n.deliveries < PRUNE_CHUNK_ROWS && n.events < PRUNE_CHUNK_ROWS) return total;
    }
  }

  /** Look for work soon (a redelivery was asked for) rather than at the next tick. */
  poke(): void {
    if (this.timer) this.scheduler.after(0, () => this.tick().catch(() => undefined));
  }

  /** One round of all three steps; a round already running is joined, not doubled. */
  tick(): Promise<TickReport> {
    this.running ??= this.round().finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    this.pruneTimer?.cancel();
    this.pruneTimer = null;
    await this.running?.catch(() => undefined);
  }

  private async round(): Promise<TickReport> {
    const report: TickReport = { events: 0, fannedOut: 0, sent: 0, delivered: 0 };
    report.events = await this.closeWindows();
    for (;;) {
      const n = await this.fanOut();
      report.fannedOut += n;
      if (n < FAN_OUT_BATCH_MAX) break;
    }
    const sent = await this.deliverDue();
    report.sent = sent.sent;
    report.delivered = sent.delivered;
    return report;
  }

  /** Step 1: coalesced stock changes whose window closed become stock.changed events. */
  private async closeWindows(): Promise<number> {
    let total = 0;
    for (;;) {
      const now = this.clock.now();
      const n = await this.store.transaction(async (db) => {
        const rows = await dueStockChanges(db, now - STOCK_CHANGED_COALESCE_MS, FAN_OUT_BATCH_MAX);
        await emitStockChanges(db, rows, now);
        return rows.length;
      });
      total += n;
      if (n < FAN_OUT_BATCH_MAX) return total;
    }
  }

  /** Step 2: one delivery per (event, subscription that wants it); returns events fanned out. */
  private async fanOut(): Promise<number> {
    const now = this.clock.now();
    return this.store.transaction(async (db) => {
      const events = await eventsToFanOut(db, FAN_OUT_BATCH_MAX);
      if (events.length === 0) return 0;
      const subs = await enabledSubscriptions(db, [...new Set(events.map((e) => e.workspace_id))]);
      const drafts: DeliveryDraft[] = [];
      for (const e of events) {
        for (const s of subs) {
          if (s.workspace_id !== e.workspace_id || !wants({ events: s.events, minSeverity: s.min_severity }, e.type, e.severity)) continue;
          drafts.push({ id: newId('dlv', now), workspaceId: e.workspace_id, subscriptionId: s.id, eventId: e.id, nextAt: await this.sendAt(db, s, now), createdAt: now });
        }
      }
      await insertDeliveries(db, drafts);
      await markFannedOut(db, events.map((e) => e.id));
      return events.length;
    });
  }

  /** Now, or for a digest the end of the subscription's current interval (opening one if none is open). */
  private async sendAt(db: Parameters<typeof setDigestDue>[0], s: Subscription, now: number): Promise<number> {
    if (s.kind !== 'email' || s.digest_minutes === 0) return now;
    if (s.digest_due_at === null || s.digest_due_at <= now) {
      s.digest_due_at = now + s.digest_minutes * 60_000;
      await setDigestDue(db, s.id, s.digest_due_at);
    }
    return s.digest_due_at;
  }

  /** Step 3: send what is due. */
  private async deliverDue(): Promise<{ sent: number; delivered: number }> {
    const now = this.clock.now();
    const due = await this.store.read((db) => dueDeliveries(db, now, DELIVERIES_PER_TICK_MAX));
    if (due.length === 0) return { sent: 0, delivered: 0 };
    const subs = await this.store.read((db) => subscriptionsById(db, [...new Set(due.map((d) => d.subscription_id))]));
    // A digest subscription's due deliveries go as one message; everything else one by one.
    const groups: { sub: Subscription; items: DueDelivery[] }[] = [];
    const digests = new Map<string, DueDelivery[]>();
    for (const d of due) {
      const sub = subs.get(d.subscription_id);
      if (!sub) continue;
      if (sub.kind === 'email' && sub.digest_minutes > 0) {
        const list = digests.get(sub.id) ?? [];
        if (list.length === 0) groups.push({ sub, items: list });
        list.push(d);
        digests.set(sub.id, list);
      } else groups.push({ sub, items: [d] });
    }
    let sent = 0;
    let delivered = 0;
    // One slow or dead receiver must not hold up the others: subscriptions are served side by side
    // (up to SENDS_IN_PARALLEL_MAX), each one's deliveries in order.
    const bySub = new Map<string, typeof groups>();
    for (const g of groups) bySub.set(g.sub.id, [...(bySub.get(g.sub.id) ?? []), g]);
    const queue = [...bySub.values()];
    const worker = async () => {
      for (let chain = queue.shift(); chain; chain = queue.shift()) {
        for (const { sub, items } of chain) {
          const n = await this.sendOne(sub, items, now);
          sent += n.sent;
          delivered += n.delivered;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SENDS_IN_PARALLEL_MAX, queue.length) }, worker));
    return { sent, delivered };
  }

  /** Claim, send (one webhook, one e-mail or one digest), record the attempt and what comes next. */
  private async sendOne(sub: Subscription, items: DueDelivery[], now: number): Promise<{ sent: number; delivered: number }> {
    // The lease counts from the claim, not from the tick: a long tick must not hand out leases already over.
    const leaseUntil = Math.max(now, this.clock.now()) + DELIVERY_LEASE_MS;
    const claimed = await this.store.transaction(async (db) => {
      const mine: DueDelivery[] = [];
      for (const d of items) if (await claimDelivery(db, d.id, d.next_at, leaseUntil)) mine.push(d);
      return mine;
    });
    if (claimed.length === 0) return { sent: 0, delivered: 0 };
    const at = this.clock.now();
    const result = !sub.enabled
      ? { ok: false, statusCode: null, latencyMs: 0, error: 'the subscription is disabled' }
      : sub.kind === 'webhook'
        ? await this.sendWebhook(sub, claimed[0]!, at)
        : await this.sendMail(sub, claimed, at);
    const done = this.clock.now();
    const recorded = await this.store.transaction(async (db) => {
      // A digest's deliveries share one fate and, when retried, one time: they stay one message.
      const retry = afterFailure(Math.max(...claimed.map((d) => d.attempts)) + 1, done, this.random);
      let n = 0;
      for (const d of claimed) {
        const next = result.ok ? ({ state: 'delivered' } as const) : !sub.enabled ? ({ state: 'failed' } as const) : retry;
        // False when the subscription was deleted meanwhile: its log went with it, nothing to record.
        if (await recordAttempt(db, d, d.attempts + 1, at, result, next)) n++;
      }
      return n;
    });
    return { sent: claimed.length, delivered: result.ok ? recorded : 0 };
  }

  private async sendWebhook(sub: Subscription, d: DueDelivery, at: number): Promise<AttemptResult> {
    const started = performance.now();
    try {
      const signature = signatures(sub, d.event_id, at, d.payload);
      const res = await (this.opts.fetch ?? fetch)(sub.url!, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'truestock-alerts',
          'webhook-id': d.event_id,
          'webhook-timestamp': String(Math.floor(at / 1000)),
          'webhook-signature': signature,
        },
        body: d.payload,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS),
        redirect: 'manual',
      });
      const text = await res.text().catch(() => '');
      const latencyMs = performance.now() - started;
      if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status, latencyMs, error: null };
      return { ok: false, statusCode: res.status, latencyMs, error: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}` };
    } catch (err) {
      return { ok: false, statusCode: null, latencyMs: performance.now() - started, error: describe(err) };
    }
  }

  private async sendMail(sub: Subscription, items: DueDelivery[], _at: number): Promise<AttemptResult> {
    const started = performance.now();
    try {
      const settings = (await this.store.read((db) => smtpOf(db, sub.workspace_id))) ?? this.smtp;
      if (!settings) return { ok: false, statusCode: null, latencyMs: 0, error: 'no SMTP server: set one with PUT /v1/alerts/smtp or TRUESTOCK_SMTP_HOST' };
      const events = items.map((d) => ({ id: d.event_id, type: d.type, severity: d.severity, payload: d.payload }));
      const mail = sub.digest_minutes > 0 ? digestMail(sub.email!, events, sub.digest_minutes) : singleMail(sub.email!, events[0]!);
      await this.mailer(settings, mail);
      return { ok: true, statusCode: null, latencyMs: performance.now() - started, error: null };
    } catch (err) {
      return { ok: false, statusCode: null, latencyMs: performance.now() - started, error: describe(err) };
    }
  }
}

/**
 * The webhook-signature header: `v1,<sig>` with the current secret, and while a rotation's grace
 * runs a second one (space-separated, new first) with the secret it replaced, so receivers that
 * have not switched yet still verify (Standard Webhooks accepts any one of several signatures).
 */
export function signatures(sub: Pick<Subscription, 'secret' | 'previous_secret' | 'previous_secret_until'>, msgId: string, at: number, payload: string): string {
  const sign = (secret: string) => new Webhook(secret).sign(msgId, new Date(at), payload);
  const current = sign(sub.secret!);
  const graceRuns = sub.previous_secret !== null && sub.previous_secret_until !== null && at < sub.previous_secret_until;
  return graceRuns ? `${current} ${sign(sub.previous_secret!)}` : current;
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${e?.name === 'TimeoutError' ? 'timed out' : (e?.message ?? String(err))}${cause ? ` (${cause})` : ''}`.slice(0, ERROR_LENGTH_MAX);
}
