// Square webhook subscriptions and their deliveries. Each subscription has its own notification
// URL and signature key; a delivery carries `x-square-hmacsha256-signature` =
// base64(HMAC-SHA256(key, notificationUrl + rawBody)) — what the SDK's
// `WebhooksHelper.verifySignature` checks — and `square-environment`. Receivers dedupe on the
// body's `event_id` (one per event, the same in every subscription's delivery, on every retry
// and on a fault-injected duplicate).
//
// Retries: Square says 24 h in one place and 72 h in another (channels.md §5, unconfirmed). The
// window is an option (default the shorter, 24 h, so a receiver that relies on long retries is
// caught); attempts double from `baseDelayMs` and stop at the last one that starts inside it.

import { createHmac } from 'node:crypto';
import { checkAddress, type DeliveryCounters, type KitScheduler, type Random, WebhookSender } from '../kit/index.ts';
import type { DeliveryFaults } from '../kit/index.ts';
import { invalid } from './errors.ts';

export const SIGNATURE_HEADER = 'x-square-hmacsha256-signature';
export const EVENT_TYPES = ['inventory.count.updated', 'order.created', 'order.updated'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface WebhookRetry {
  /** The first pause after a failed attempt; each later one doubles. */
  baseDelayMs: number;
  /** No attempt starts later than this after the first. */
  windowMs: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_WEBHOOK_RETRY: WebhookRetry = { baseDelayMs: 60_000, windowMs: DAY_MS };
/** Square expects a 2xx within 10 s (developer.squareup.com/docs/webhooks/troubleshooting). */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Attempts whose starts fit in the window: 1 + the retries n with base × (2ⁿ − 1) ≤ window. */
export function attemptsWithin(r: WebhookRetry): number {
  if (!(Number.isFinite(r.baseDelayMs) && r.baseDelayMs > 0 && Number.isFinite(r.windowMs) && r.windowMs >= 0)) throw invalid('webhook retry needs baseDelayMs above 0 and windowMs of 0 or more');
  let n = 0;
  while (r.baseDelayMs * (2 ** (n + 1) - 1) <= r.windowMs) n++;
  return n + 1;
}

export function squareSignature(signatureKey: string, notificationUrl: string, body: string): string {
  return createHmac('sha256', signatureKey).update(notificationUrl + body).digest('base64');
}

export interface Subscription {
  id: string;
  notificationUrl: string;
  signatureKey: string;
  eventTypes: EventType[];
  sender: WebhookSender;
}

export interface WebhookDeps {
  scheduler: KitScheduler;
  random: Random;
  newId: () => string;
  environment: string;
  retry: WebhookRetry;
  downForMs: () => number;
  /** How deliveries are POSTed (default: the global fetch at each delivery). */
  fetch?: typeof fetch;
}

export class Webhooks {
  readonly subscriptions: Subscription[] = [];
  private faults: Partial<DeliveryFaults> = {};
  private retry: WebhookRetry;

  constructor(private readonly d: WebhookDeps) {
    attemptsWithin(d.retry);
    this.retry = { ...d.retry };
  }

  subscribe(p: { notificationUrl: string; signatureKey: string; eventTypes?: string[] }): Subscription {
    try {
      checkAddress(p.notificationUrl);
    } catch (err) {
      throw invalid(`notification_url: ${(err as Error).message}`);
    }
    if (typeof p.signatureKey !== 'string' || p.signatureKey === '') throw invalid('signature_key must be a non-empty string');
    const types = p.eventTypes ?? [...EVENT_TYPES];
    if (!Array.isArray(types) || types.length === 0) throw invalid('event_types must name at least one event type');
    for (const t of types) if (!(EVENT_TYPES as readonly string[]).includes(t)) throw invalid(`event_types: ${t} is not one of ${EVENT_TYPES.join(', ')}`);
    const { notificationUrl, signatureKey } = p;
    const sender = new WebhookSender({
      sign: (body) => ({ [SIGNATURE_HEADER]: squareSignature(signatureKey, notificationUrl, body), 'square-environment': this.d.environment, 'User-Agent': 'Square Connect v2' }),
      retry: { attempts: attemptsWithin(this.retry), baseDelayMs: this.retry.baseDelayMs },
      timeoutMs: WEBHOOK_TIMEOUT_MS,
      scheduler: this.d.scheduler,
      random: this.d.random,
      newId: this.d.newId,
      downForMs: this.d.downForMs,
      ...(this.d.fetch ? { fetch: this.d.fetch } : {}),
    });
    sender.faults.set(this.faults);
    sender.subscribe(notificationUrl);
    const s: Subscription = { id: `wbhk_${this.d.newId().replaceAll('-', '').slice(0, 24)}`, notificationUrl, signatureKey, eventTypes: types as EventType[], sender };
    this.subscriptions.push(s);
    return s;
  }

  /** One event to every subscription of its type. */
  send(type: EventType, body: Record<string, unknown>, at: number): void {
    const text = JSON.stringify(body);
    for (const s of this.subscriptions) if (s.eventTypes.includes(type)) s.sender.send(type, text, at);
  }

  setFaults(f: Partial<DeliveryFaults>): DeliveryFaults {
    for (const s of this.subscriptions) s.sender.faults.set(f);
    this.faults = { ...this.faults, ...f };
    return { duplicate: 0, drop: 0, reorder: 0, delayMs: [0, 0], ...this.faults } as DeliveryFaults;
  }

  /** Retry window for subscriptions made from now on. */
  setRetry(r: WebhookRetry): WebhookRetry {
    attemptsWithin(r);
    this.retry = { ...r };
    return { ...this.retry };
  }

  getRetry(): WebhookRetry & { attempts: number } {
    return { ...this.retry, attempts: attemptsWithin(this.retry) };
  }

  counters(): DeliveryCounters {
    const sum = { sent: 0, attempts: 0, failed: 0, dropped: 0, duplicated: 0 };
    for (const s of this.subscriptions) for (const k of Object.keys(sum) as (keyof DeliveryCounters)[]) sum[k] += s.sender.counters[k];
    return sum;
  }

  async flush(): Promise<void> {
    await Promise.all(this.subscriptions.map((s) => s.sender.flush()));
  }

  close(): void {
    for (const s of this.subscriptions) s.sender.close();
  }
}
