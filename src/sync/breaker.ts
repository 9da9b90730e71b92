// A circuit breaker per channel (docs/sync.md §3). It holds two invariants the dispatcher relies
// on: while open and before its retry time, no call goes out; in half_open, at most
// `halfOpenProbes` calls are out before one of them reports back. A sick channel is left alone
// for a while instead of being hammered, and the other channels carry on.
//
// closed ──(5 consecutive failures, or ≥ 50 % failures over the last 20 calls)──▶ open
// open ──(openMs elapsed; checked lazily)──▶ half_open
// half_open ──(a probe succeeds)──▶ closed (open duration reset)
// half_open ──(a probe fails)──▶ open for twice as long (capped at openMaxMs)
//
// The cap is small on purpose (BREAKER_PROBE_INTERVAL_MS, a few seconds): a probe is one call, so
// probing often costs the channel nothing, while every second an open breaker stays shut after
// the channel is back is a second the channel shows numbers that may be gone. Doubling towards
// minutes once meant a 60 s outage left a shop stale for 30 s more.
//
// Throttling is not failure: the channel answered, it is only busy — the limiter deals with it.
// Pure: no clock; every call takes `now` (ms).

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** The rolling window: outcomes of the last this-many calls. */
  windowSize: number;
  /** The ratio rule only applies once the window holds this many calls. */
  windowMinCalls: number;
  /** Failures / calls in the window at which the breaker opens. */
  failureRatio: number;
  /** How long the first opening lasts. */
  openMs: number;
  /** Re-openings double the duration up to this: the longest a sick channel goes without a probe. */
  openMaxMs: number;
  /** Calls let through in half_open before an outcome is known. */
  halfOpenProbes: number;
}

export const BREAKER_FAILURE_THRESHOLD = 5;
export const BREAKER_WINDOW_CALLS = 20;
export const BREAKER_WINDOW_MIN_CALLS = 10;
export const BREAKER_FAILURE_RATIO = 0.5;
/** The longest a sick channel goes without a probe, so its recovery is noticed within seconds. */
export const BREAKER_PROBE_INTERVAL_MS = 5_000;
export const BREAKER_OPEN_MS = 1_000;
export const BREAKER_OPEN_MAX_MS = BREAKER_PROBE_INTERVAL_MS;
export const BREAKER_HALF_OPEN_PROBES = 1;

export const DEFAULT_BREAKER_OPTIONS: Readonly<BreakerOptions> = Object.freeze({
  failureThreshold: BREAKER_FAILURE_THRESHOLD,
  windowSize: BREAKER_WINDOW_CALLS,
  windowMinCalls: BREAKER_WINDOW_MIN_CALLS,
  failureRatio: BREAKER_FAILURE_RATIO,
  openMs: BREAKER_OPEN_MS,
  openMaxMs: BREAKER_OPEN_MAX_MS,
  halfOpenProbes: BREAKER_HALF_OPEN_PROBES,
});

export class CircuitBreaker {
  readonly #opts: BreakerOptions;
  /** Stored state; open turns into half_open lazily when its time is up (#advance). */
  #state: BreakerState = 'closed';
  #consecutiveFailures = 0;
  /** Outcomes of the last calls while closed (true = failure), oldest first. */
  #window: boolean[] = [];
  #windowFailures = 0;
  #openedAt: number | null = null;
  /** The current open duration; doubles on each re-opening from half_open. */
  #openFor: number;
  /** Probe slots claimed in this half_open period and not yet answered. */
  #probesOut = 0;

  constructor(opts: Partial<BreakerOptions> = {}) {
    const o: BreakerOptions = { ...DEFAULT_BREAKER_OPTIONS, ...definedOnly(opts) };
    const whole = (x: number) => Number.isInteger(x) && x >= 1;
    if (!whole(o.failureThreshold)) throw new RangeError(`failureThreshold must be a whole number ≥ 1, got ${o.failureThreshold}`);
    if (!whole(o.windowSize) || !whole(o.windowMinCalls) || o.windowMinCalls > o.windowSize) {
      throw new RangeError(`need whole 1 ≤ windowMinCalls ≤ windowSize, got ${o.windowMinCalls} and ${o.windowSize}`);
    }
    if (!(o.failureRatio > 0 && o.failureRatio <= 1)) throw new RangeError(`failureRatio must be in (0, 1], got ${o.failureRatio}`);
    if (!(Number.isFinite(o.openMs) && o.openMs > 0 && Number.isFinite(o.openMaxMs) && o.openMaxMs >= o.openMs)) {
      throw new RangeError(`need 0 < openMs ≤ openMaxMs (finite), got ${o.openMs} and ${o.openMaxMs}`);
    }
    if (!whole(o.halfOpenProbes)) throw new RangeError(`halfOpenProbes must be a whole number ≥ 1, got ${o.halfOpenProbes}`);
    this.#opts = o;
    this.#openFor = o.openMs;
  }

  /** May a call go out now? In half_open this also claims a probe slot. */
  allow(now: number): boolean {
    switch (this.#advance(now)) {
      case 'closed':
        return true;
      case 'open':
        return false;
      case 'half_open':
        if (this.#probesOut >= this.#opts.halfOpenProbes) return false;
        this.#probesOut += 1;
        return true;
    }
  }

  onSuccess(now: number): void {
    const state = this.#advance(now);
    this.#consecutiveFailures = 0;
    if (state === 'closed') this.#record(false);
    else if (state === 'half_open') this.#close();
    // While open: the answer to a call sent before it opened; the breaker waits out its time.
  }

  onFailure(now: number): void {
    const state = this.#advance(now);
    this.#consecutiveFailures += 1;
    if (state === 'closed') {
      this.#record(true);
      const o = this.#opts;
      const ratioTrips = this.#window.length >= o.windowMinCalls && this.#windowFailures >= o.failureRatio * this.#window.length;
      if (this.#consecutiveFailures >= o.failureThreshold || ratioTrips) this.#open(now, o.openMs);
    } else if (state === 'half_open') {
      this.#open(now, Math.min(this.#opts.openMaxMs, this.#openFor * 2));
    }
    // While open: a late answer to a call sent before it opened changes nothing.
  }

  /**
   * The channel answered "slow down": healthy, only busy. No state, count or window changes —
   * except that a half_open probe slot it held is handed back, since that probe learned nothing
   * about health; keeping it claimed would leave the breaker half_open and shut forever.
   */
  onThrottled(now: number): void {
    if (this.#advance(now) === 'half_open' && this.#probesOut > 0) this.#probesOut -= 1;
  }

  /** open → half_open happens lazily when time is up. */
  state(now: number): BreakerState {
    return this.#advance(now);
  }

  /** When an open breaker will let a probe through (ms epoch), or null. */
  retryAt(now: number): number | null {
    return this.#advance(now) === 'open' ? this.#openedAt! + this.#openFor : null;
  }

  snapshot(now: number): { state: BreakerState; consecutive_failures: number; opened_at: number | null; retry_at: number | null } {
    const state = this.#advance(now);
    return {
      state,
      consecutive_failures: this.#consecutiveFailures,
      opened_at: state === 'closed' ? null : this.#openedAt,
      retry_at: state === 'open' ? this.#openedAt! + this.#openFor : null,
    };
  }

  #advance(now: number): BreakerState {
    if (!Number.isFinite(now)) throw new RangeError(`now must be a finite number of ms, got ${now}`);
    if (this.#state === 'open' && now >= this.#openedAt! + this.#openFor) {
      this.#state = 'half_open';
      this.#probesOut = 0;
    }
    return this.#state;
  }

  #record(failed: boolean): void {
    this.#window.push(failed);
    if (failed) this.#windowFailures += 1;
    if (this.#window.length > this.#opts.windowSize && this.#window.shift()) this.#windowFailures -= 1;
  }

  #open(now: number, forMs: number): void {
    this.#state = 'open';
    this.#openedAt = now;
    this.#openFor = forMs;
    this.#probesOut = 0;
    // The window judged the channel before this opening; after it, start afresh.
    this.#window = [];
    this.#windowFailures = 0;
  }

  #close(): void {
    this.#state = 'closed';
    this.#openFor = this.#opts.openMs;
    this.#probesOut = 0;
    this.#window = [];
    this.#windowFailures = 0;
  }
}

/** `{ openMs: undefined }` must not wipe a default. */
function definedOnly<T extends object>(o: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
