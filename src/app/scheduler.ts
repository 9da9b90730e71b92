// Every timer in truestock goes through one Scheduler, the way every reading of time goes
// through the Clock: the hold sweeper, the idempotency pruner, the rule scheduler, the audit
// flush, the order poller and the sync dispatcher's waits. In production it is the system's
// timers on the system clock. In a test or a simulation it is a ManualScheduler paired with a
// ManualClock: time moves only when the test says so, due timers run in time order (ties in the
// order they were set), and each one's work is let to finish before the next — so a whole run,
// server, ledger and sync, plays out the same way every time. See docs/kernel.md.

import { type Clock, ManualClock, systemClock } from './clock.ts';

/** A timer that can be called off. Cancelling twice, or after it ran, does nothing. */
export interface Timer {
  cancel(): void;
}

/** A pause that the sleeper's owner can end early (`wake`), e.g. when new work arrives. */
export type Sleep = Promise<void> & { wake(): void };

export interface Scheduler {
  /** The clock this scheduler's time is measured on. */
  readonly clock: Clock;
  /**
   * Run `fn` once, `ms` from now. Like setTimeout it keeps the process alive while pending. When
   * `fn` returns a promise, a manual scheduler waits for it before running the next timer.
   */
  after(ms: number, fn: () => unknown): Timer;
  /**
   * Run `fn` every `ms` until cancelled. A background duty: it does not keep the process alive
   * (like an unref'd setInterval). The first run is `ms` from now.
   */
  every(ms: number, fn: () => unknown): Timer;
  /** Resolve after `ms`, or at once on `wake()`. Keeps the process alive while pending. */
  sleep(ms: number): Sleep;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as PromiseLike<unknown> | null)?.then === 'function';
}

/** A failed timer callback must not become an unhandled rejection that ends the process. */
function guard(fn: () => unknown): () => void {
  return () => {
    try {
      const r = fn();
      if (isThenable(r)) r.then(undefined, (err: unknown) => process.emitWarning(`timer failed: ${String(err)}`));
    } catch (err) {
      process.emitWarning(`timer failed: ${String(err)}`);
    }
  };
}

/** The system's timers on the system clock: what `serve`, `worker` and the CLI use. */
export class SystemScheduler implements Scheduler {
  constructor(readonly clock: Clock = systemClock) {}

  after(ms: number, fn: () => unknown): Timer {
    const t = setTimeout(guard(fn), Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  }

  every(ms: number, fn: () => unknown): Timer {
    const t = setInterval(guard(fn), Math.max(1, ms));
    t.unref();
    return { cancel: () => clearInterval(t) };
  }

  sleep(ms: number): Sleep {
    let wake = () => {};
    const p = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.max(0, ms));
      wake = () => (clearTimeout(t), resolve());
    });
    return Object.assign(p, { wake: () => wake() });
  }
}

export const systemScheduler: Scheduler = new SystemScheduler();

interface Entry {
  at: number;
  /** Insertion order: timers due at the same instant run in the order they were set. */
  seq: number;
  fn: () => unknown;
  period_ms: number | null;
  cancelled: boolean;
}

/** Consecutive idle turns of the event loop after which a manual scheduler calls the run settled. */
const SETTLE_QUIET_TURNS = 10;
/**
 * Real time a settle waits at most for a woken sleeper to wait again (a loop that was stopped
 * never does); real I/O — PostgreSQL, a socket — is waited for within it.
 */
const SETTLE_WOKEN_REAL_MS_MAX = 3_000;
/** Real time a timer callback's promise may take before the run is called stuck. */
const SETTLE_PENDING_REAL_MS_MAX = 30_000;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Timers on a ManualClock that only fire when the test moves time. `advance(ms)` runs every timer
 * due within `ms`, in time order, moving the clock to each one's time, and lets each one's work
 * settle first: the promise its callback returned, and a woken sleeper's next step up to its
 * next wait (a loop such as the dispatcher's). Errors of timer callbacks are thrown by `advance`.
 */
export class ManualScheduler implements Scheduler {
  private queue: Entry[] = [];
  private seq = 0;
  private readonly pending = new Set<Promise<unknown>>();
  /** Sleepers woken whose owner has not yet reached its next wait. */
  private woken = 0;
  private errors: unknown[] = [];

  constructor(readonly clock: ManualClock = new ManualClock()) {}

  private add(at: number, fn: () => unknown, period_ms: number | null): Entry {
    const e: Entry = { at, seq: this.seq++, fn, period_ms, cancelled: false };
    this.queue.push(e);
    return e;
  }

  after(ms: number, fn: () => unknown): Timer {
    // Like setTimeout, a delay that is not a finite number counts as none.
    const e = this.add(this.clock.now() + (Number.isFinite(ms) ? Math.max(0, ms) : 0), fn, null);
    return { cancel: () => void (e.cancelled = true) };
  }

  every(ms: number, fn: () => unknown): Timer {
    const period = Number.isFinite(ms) ? Math.max(1, ms) : 1;
    const e = this.add(this.clock.now() + period, fn, period);
    return { cancel: () => void (e.cancelled = true) };
  }

  sleep(ms: number): Sleep {
    // Whoever sleeps has finished the step a wake started.
    if (this.woken > 0) this.woken--;
    let done = false;
    let resolve = () => {};
    const p = new Promise<void>((r) => (resolve = r));
    const wake = () => {
      if (done) return;
      done = true;
      timer.cancel();
      this.woken++;
      resolve();
    };
    const timer = this.after(ms, wake);
    return Object.assign(p, { wake });
  }

  /** Timers not yet run or cancelled. */
  get size(): number {
    return this.queue.filter((e) => !e.cancelled).length;
  }

  /** When the next timer is due, or null. */
  nextAt(): number | null {
    return this.next(Infinity)?.at ?? null;
  }

  private next(until: number): Entry | null {
    this.queue = this.queue.filter((e) => !e.cancelled);
    let best: Entry | null = null;
    for (const e of this.queue) if (e.at <= until && (!best || e.at < best.at || (e.at === best.at && e.seq < best.seq))) best = e;
    return best;
  }

  private fire(e: Entry): void {
    if (e.period_ms === null) e.cancelled = true;
    else Object.assign(e, { at: e.at + e.period_ms, seq: this.seq++ });
    let r: unknown;
    try {
      r = e.fn();
    } catch (err) {
      this.errors.push(err);
      return;
    }
    if (isThenable(r)) {
      const p = Promise.resolve(r).catch((err: unknown) => void this.errors.push(err));
      this.pending.add(p);
      void p.finally(() => this.pending.delete(p));
    }
  }

  /**
   * Let the work in flight finish: timer callbacks' promises, woken sleepers up to their next
   * wait, and whatever they set going on the event loop, until it has been quiet for a while.
   */
  async settle(): Promise<void> {
    const started = performance.now();
    let quiet = 0;
    while (quiet < SETTLE_QUIET_TURNS) {
      await turn();
      if (this.pending.size > 0 || this.woken > 0) quiet = 0;
      else quiet++;
      const waited = performance.now() - started;
      if (this.pending.size > 0 && waited > SETTLE_PENDING_REAL_MS_MAX) throw new Error('a timer callback is still running after 30 s of real time');
      if (this.pending.size === 0 && this.woken > 0 && waited > SETTLE_WOKEN_REAL_MS_MAX) this.woken = 0; // a stopped loop: it will not sleep again
    }
    const errors = this.errors;
    this.errors = [];
    if (errors.length > 0) throw errors[0];
  }

  /** Run what is due now (not moving time) and let it settle. */
  async runUntilIdle(): Promise<void> {
    await this.advance(0);
  }

  /** Move time forward by `ms`, running every timer due on the way, each at its own time. */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new Error(`advance needs a non-negative number of ms, got ${ms}`);
    const until = this.clock.now() + ms;
    await this.settle();
    for (let e = this.next(until); e; e = this.next(until)) {
      if (e.at > this.clock.now()) this.clock.advance(e.at - this.clock.now());
      this.fire(e);
      await this.settle();
    }
    if (until > this.clock.now()) this.clock.advance(until - this.clock.now());
    await this.settle();
  }
}
