// Webhook deliveries: one per subscription and event, signed with the client secret over the raw
// body, retried with doubling backoff on a non-2xx answer or no answer within the timeout, held
// while the shop is down. Faults (drop, duplicate, reorder, delay) are drawn from a seeded PRNG:
// four draws per delivery in a fixed order, so a seed replays the same faults whichever are on;
// webhook and event ids come from a second seeded PRNG, and every wait from the emulator's
// scheduler, so a fake clock drives deliveries too.

import { setMaxListeners } from 'node:events';
import { createHmac } from 'node:crypto';
import type { EmulatorScheduler, EmulatorSleep } from './clock.ts';
import { invalid } from './errors.ts';
import { type Random, randomUuid } from './prng.ts';
import type { Counters, Faults, WebhookTopic } from './types.ts';
import { WEBHOOK_TOPICS } from './types.ts';

export interface WebhookSettings {
  shopDomain: string;
  clientSecret: string;
  apiVersion: string;
  retry: { attempts: number; baseDelayMs: number };
  /** A receiver's answer is awaited this long (real time: it bounds real I/O). */
  timeoutMs: number;
  /** Fault draws. */
  random: Random;
  /** Webhook and event ids (apart from the fault draws, so a seed replays the same faults). */
  ids: Random;
  /** Delays, retry backoff and waiting out an outage. */
  scheduler: EmulatorScheduler;
  counters: Counters;
  /** Milliseconds until the shop is back up; 0 when it is up. */
  downForMs: () => number;
}

interface Subscription {
  address: string;
  topics: Set<WebhookTopic>;
}

interface Delivery {
  address: string;
  topic: WebhookTopic;
  body: string;
  webhookId: string;
  eventId: string;
  triggeredAt: string;
  copies: number;
  delayMs: number;
}

export const NO_FAULTS: Faults = { duplicate: 0, drop: 0, reorder: 0, delayMs: [0, 0] };

export function checkFaults(f: Partial<Faults>): Partial<Faults> {
  for (const k of ['duplicate', 'drop', 'reorder'] as const) {
    const p = f[k];
    if (p !== undefined && !(typeof p === 'number' && p >= 0 && p <= 1)) throw invalid(`${k} must be a probability from 0 to 1`);
  }
  const d = f.delayMs;
  if (d !== undefined && !(Array.isArray(d) && d.length === 2 && d.every((n) => Number.isFinite(n) && n >= 0) && d[0] <= d[1])) {
    throw invalid('delayMs must be [min, max] with 0 ≤ min ≤ max');
  }
  return f;
}

export class WebhookDispatcher {
  private readonly subscriptions: Subscription[] = [];
  private faults: Faults = { ...NO_FAULTS };
  private held: Delivery | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly sleeping = new Set<EmulatorSleep>();
  // close() aborts the posts in flight (many at once is normal) and wakes every pause on the scheduler.
  private readonly closing = (() => {
    const c = new AbortController();
    setMaxListeners(0, c.signal);
    return c;
  })();

  constructor(private readonly s: WebhookSettings) {}

  subscribe(address: string, topics: readonly string[] = WEBHOOK_TOPICS): void {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      throw invalid(`address ${JSON.stringify(address)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('address must be an http(s) URL');
    if (!Array.isArray(topics) || topics.length === 0) throw invalid('topics must be a non-empty array');
    for (const t of topics) if (!(WEBHOOK_TOPICS as readonly string[]).includes(t)) throw invalid(`unknown topic ${JSON.stringify(t)}; known: ${WEBHOOK_TOPICS.join(', ')}`);
    this.subscriptions.push({ address, topics: new Set(topics as WebhookTopic[]) });
  }

  setFaults(f: Partial<Faults>): Faults {
    checkFaults(f);
    this.faults = { ...this.faults, ...f, delayMs: f.delayMs ? [f.delayMs[0], f.delayMs[1]] : this.faults.delayMs };
    return { ...this.faults };
  }

  /** One event: a delivery to every subscription of its topic, all sharing X-Shopify-Event-Id. */
  emit(topic: WebhookTopic, payload: Record<string, unknown>, at: number): void {
    const body = JSON.stringify(payload);
    const eventId = randomUuid(this.s.ids);
    const triggeredAt = new Date(at).toISOString();
    for (const sub of this.subscriptions) {
      if (!sub.topics.has(topic)) continue;
      this.enqueue({ address: sub.address, topic, body, webhookId: randomUuid(this.s.ids), eventId, triggeredAt, copies: 1, delayMs: 0 });
    }
  }

  private enqueue(d: Delivery): void {
    const [drop, duplicate, reorder, delay] = [this.s.random(), this.s.random(), this.s.random(), this.s.random()];
    const f = this.faults;
    if (drop < f.drop) {
      this.s.counters.webhooksDropped++;
      return;
    }
    if (duplicate < f.duplicate) {
      d.copies = 2;
      this.s.counters.webhooksDuplicated++;
    }
    d.delayMs = Math.round(f.delayMs[0] + delay * (f.delayMs[1] - f.delayMs[0]));
    if (this.held) {
      // The held delivery goes out right after this one: the receiver sees them swapped.
      const held = this.held;
      this.held = null;
      this.track(this.run(d).then(() => this.run(held)));
    } else if (reorder < f.reorder) {
      this.held = d;
    } else {
      this.track(this.run(d));
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Never rejects: a delivery ends sent, failed, or cut short by close(). */
  private async run(d: Delivery): Promise<void> {
    try {
      if (d.delayMs > 0) await this.sleep(d.delayMs);
      for (let copy = 0; copy < d.copies; copy++) await this.deliver(d);
    } catch {
      // Only close() aborts the sleeps and posts; post() turns every other failure into false.
    }
  }

  /** One copy of a delivery, with its retries; the same X-Shopify-Webhook-Id on every attempt. */
  private async deliver(d: Delivery): Promise<void> {
    const { attempts, baseDelayMs } = this.s.retry;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await this.whileDown();
      if (await this.post(d)) {
        this.s.counters.webhooksSent++;
        return;
      }
      if (attempt < attempts) await this.sleep(baseDelayMs * 2 ** (attempt - 1));
    }
    this.s.counters.webhooksFailed++;
  }

  private async whileDown(): Promise<void> {
    for (let ms = this.s.downForMs(); ms > 0; ms = this.s.downForMs()) await this.sleep(ms);
  }

  /** A pause on the emulator's scheduler that close() cuts short (then it throws). */
  private async sleep(ms: number): Promise<void> {
    if (this.closing.signal.aborted) throw new Error('closed');
    const s = this.s.scheduler.sleep(ms);
    this.sleeping.add(s);
    try {
      await s;
    } finally {
      this.sleeping.delete(s);
    }
    if (this.closing.signal.aborted) throw new Error('closed');
  }

  private async post(d: Delivery): Promise<boolean> {
    const hmac = createHmac('sha256', this.s.clientSecret).update(d.body, 'utf8').digest('base64');
    try {
      const res = await fetch(d.address, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Shopify-Captain-Hook',
          'X-Shopify-Topic': d.topic,
          'X-Shopify-Hmac-Sha256': hmac,
          'X-Shopify-Shop-Domain': this.s.shopDomain,
          'X-Shopify-API-Version': this.s.apiVersion,
          'X-Shopify-Webhook-Id': d.webhookId,
          'X-Shopify-Event-Id': d.eventId,
          'X-Shopify-Triggered-At': d.triggeredAt,
        },
        body: d.body,
        signal: AbortSignal.any([AbortSignal.timeout(this.s.timeoutMs), this.closing.signal]),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok;
    } catch {
      if (this.closing.signal.aborted) throw new Error('closed');
      return false;
    }
  }

  /** Resolves when every queued, delayed and held delivery has been attempted to completion. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.held) {
        const held = this.held;
        this.held = null;
        this.track(this.run(held));
      }
      if (this.inFlight.size === 0) return;
      await Promise.allSettled([...this.inFlight]);
    }
  }

  close(): void {
    this.closing.abort();
    for (const s of this.sleeping) s.wake();
    this.held = null;
  }
}
