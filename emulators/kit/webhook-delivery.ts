// Signed webhook delivery as channels do it: one delivery per subscription and event, signed by
// the emulator's own function (each kind signs differently), retried with doubling backoff on a
// non-2xx answer or none within the timeout, held while the emulator is down, and subject to the
// fault switches. A delivery keeps its id on every retry and on a fault-injected duplicate, so a
// receiver's dedupe is what the duplicate tests. Time and waiting come from the injected
// scheduler; closing wakes every pause and abandons what waits.

import { setMaxListeners } from 'node:events';
import { randomUUID } from 'node:crypto';
import { type KitScheduler, type KitSleep, realScheduler } from './clock.ts';
import { FaultSwitches } from './faults.ts';
import { seededRandom, type Random } from './prng.ts';

/** What the emulator's signing function is told about a delivery. */
export interface DeliveryInfo {
  topic: string;
  /** One per subscription and event; the same on every retry and duplicate. */
  deliveryId: string;
  /** One per event, shared by its deliveries to every subscription. */
  eventId: string;
  /** When the event happened (ms). */
  at: number;
  address: string;
}

export interface WebhookSenderOptions {
  /** The headers of a delivery: the signature over `body` and whatever else the kind sends. */
  sign(body: string, d: DeliveryInfo): Record<string, string>;
  retry: { attempts: number; baseDelayMs: number };
  timeoutMs: number;
  /** Clock and pauses (real time when absent). The receiver's timeout is wall time. */
  scheduler?: KitScheduler;
  fetch?: typeof fetch;
  /** The PRNG the fault switches draw from (seeded 1 when absent). */
  random?: Random;
  /** Milliseconds until the emulator is back up; deliveries wait while it is down. */
  downForMs?: () => number;
  newId?: () => string;
}

/** A webhook address is an http(s) URL: a RangeError saying what is wrong otherwise. */
export function checkAddress(address: string): void {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new RangeError(`address ${JSON.stringify(address)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError('address must be an http(s) URL');
}

export interface DeliveryCounters {
  /** POSTs the receiver acknowledged with 2xx (a duplicate counts twice). */
  sent: number;
  /** Every POST made, retries included. */
  attempts: number;
  /** Deliveries that exhausted every retry. */
  failed: number;
  dropped: number;
  duplicated: number;
}

interface Pending {
  address: string;
  body: string;
  info: DeliveryInfo;
  copies: number;
  delayMs: number;
}

export class WebhookSender {
  readonly faults: FaultSwitches;
  readonly counters: DeliveryCounters = { sent: 0, attempts: 0, failed: 0, dropped: 0, duplicated: 0 };
  private readonly subscriptions: { address: string; topics: Set<string> | null }[] = [];
  private held: Pending | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly closing = new AbortController();
  private readonly scheduler: KitScheduler;
  private readonly pauses = new Set<KitSleep>();
  private readonly fetchImpl: typeof fetch;
  private readonly newId: () => string;

  constructor(private readonly o: WebhookSenderOptions) {
    if (!(Number.isSafeInteger(o.retry.attempts) && o.retry.attempts >= 1 && o.retry.baseDelayMs >= 0)) throw new RangeError('retry needs attempts ≥ 1 and baseDelayMs ≥ 0');
    // Every waiting delivery listens on this one signal: many at once is normal.
    setMaxListeners(0, this.closing.signal);
    this.scheduler = o.scheduler ?? realScheduler;
    // Absent: the global fetch as it is at each delivery (a test may replace it after the start).
    this.fetchImpl = o.fetch ?? ((input, init) => fetch(input, init));
    this.newId = o.newId ?? randomUUID;
    this.faults = new FaultSwitches(o.random ?? seededRandom(1));
  }

  /** Deliver `topics` (all when null) to `address` (checked by `checkAddress`). */
  subscribe(address: string, topics: readonly string[] | null = null): void {
    checkAddress(address);
    this.subscriptions.push({ address, topics: topics ? new Set(topics) : null });
  }

  /** One event: a delivery to every subscription of its topic. Returns the event id. */
  send(topic: string, body: string, at = this.scheduler.clock.now()): string {
    const eventId = this.newId();
    for (const sub of this.subscriptions) {
      if (sub.topics && !sub.topics.has(topic)) continue;
      const info = { topic, deliveryId: this.newId(), eventId, at, address: sub.address };
      this.enqueue({ address: sub.address, body, info, copies: 1, delayMs: 0 });
    }
    return eventId;
  }

  private enqueue(p: Pending): void {
    const f = this.faults.draw();
    if (f.drop) {
      this.counters.dropped++;
      return;
    }
    if (f.copies === 2) this.counters.duplicated++;
    p.copies = f.copies;
    p.delayMs = f.delayMs;
    if (this.held) {
      // The held delivery goes right after this one: the receiver sees them swapped.
      const held = this.held;
      this.held = null;
      this.track(this.run(p).then(() => this.run(held)));
    } else if (f.reorder) {
      this.held = p;
    } else {
      this.track(this.run(p));
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Never rejects: a delivery ends sent, failed, or cut short by close(). */
  private async run(p: Pending): Promise<void> {
    try {
      if (p.delayMs > 0) await this.pause(p.delayMs);
      for (let copy = 0; copy < p.copies; copy++) await this.deliver(p);
    } catch {
      // Only close() aborts the waits; post() turns every other failure into false.
    }
  }

  private async deliver(p: Pending): Promise<void> {
    const { attempts, baseDelayMs } = this.o.retry;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      for (let ms = this.o.downForMs?.() ?? 0; ms > 0; ms = this.o.downForMs?.() ?? 0) await this.pause(ms);
      if (await this.post(p)) {
        this.counters.sent++;
        return;
      }
      if (attempt < attempts) await this.pause(baseDelayMs * 2 ** (attempt - 1));
    }
    this.counters.failed++;
  }

  /** Wait `ms` on the scheduler; throws when the sender was closed meanwhile. */
  private async pause(ms: number): Promise<void> {
    if (this.closing.signal.aborted) throw new Error('closed');
    const sleep = this.scheduler.sleep(ms);
    this.pauses.add(sleep);
    try {
      await sleep;
    } finally {
      this.pauses.delete(sleep);
    }
    if (this.closing.signal.aborted) throw new Error('closed');
  }

  private async post(p: Pending): Promise<boolean> {
    this.counters.attempts++;
    const headers = { 'Content-Type': 'application/json', ...this.o.sign(p.body, p.info) };
    try {
      const res = await this.fetchImpl(p.address, {
        method: 'POST',
        headers,
        body: p.body,
        signal: AbortSignal.any([AbortSignal.timeout(this.o.timeoutMs), this.closing.signal]),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok;
    } catch {
      if (this.closing.signal.aborted) throw new Error('closed');
      return false;
    }
  }

  /** Resolves when every queued, delayed and held delivery has been attempted to the end. */
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
    this.closing.abort(new Error('closed'));
    this.held = null;
    for (const p of [...this.pauses]) p.wake();
  }
}
