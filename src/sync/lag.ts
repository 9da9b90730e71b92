// Propagation lag per channel — stock change to the channel's acknowledgement — and push rate,
// over a sliding time window in fixed memory (docs/sync.md §4). The p99 lag feeds the adaptive
// buffer and the dashboard.
//
// The window is a ring of `slices` sub-windows (default 10 × 30 s), each keyed by its slice
// number ⌊t / sliceMs⌋; a slice is cleared when its ring slot is reused, so memory never grows
// and old samples fall out. The window is slice-aligned: it holds the current (partial) slice and
// the `slices − 1` before it, i.e. between windowMs − sliceMs and windowMs of history. That
// boundary coarseness is by design; the estimates are exact about *which* samples they cover.
//
// Each slice holds a log-bucketed histogram: bucket i covers [1.05^i, 1.05^(i+1)) ms from 1 ms to
// 1 h, plus one bucket below 1 ms and one above 1 h. A quantile is read as the geometric middle
// of the bucket holding the nearest-rank sample, clamped to the window's smallest and largest
// samples, so it is within √1.05 − 1 ≈ 2.5 % of the exact nearest-rank quantile — under the 5 %
// promised — for lags from 1 ms to 1 h; below 1 ms within 1 ms; above 1 h it only says "over an
// hour" (it reports at most the largest lag seen).
//
// Pure: no clock; every call takes `now` (ms). Time never runs backwards here: an earlier `now`
// than one already recorded counts as the latest seen.

export const LAG_WINDOW_MS = 5 * 60_000;
export const LAG_WINDOW_SLICES = 10;
/** Bucket growth factor: a bucket is 5 % wider than the one below it. */
export const LAG_BUCKET_GROWTH = 1.05;
/** The histogram's exact range; lags outside it are counted but only bounded. */
export const LAG_BUCKET_MIN_MS = 1;
export const LAG_BUCKET_MAX_MS = 60 * 60_000;

const LOG_GROWTH = Math.log(LAG_BUCKET_GROWTH);
/** Log buckets needed so that MIN × GROWTH^LOG_BUCKETS ≥ MAX (310). */
const LOG_BUCKETS = Math.ceil(Math.log(LAG_BUCKET_MAX_MS / LAG_BUCKET_MIN_MS) / LOG_GROWTH);
const UNDER = 0; // [0, 1 ms)
const OVER = LOG_BUCKETS + 1; // ≥ 1 h
const BUCKETS = LOG_BUCKETS + 2;

interface WindowOptions {
  windowMs?: number;
  slices?: number;
}

/** The slice-ring bookkeeping LagWindow and RateWindow share. */
class SliceRing {
  readonly sliceMs: number;
  readonly slices: number;
  /** Slice number held by each ring slot; -Infinity = never used. */
  readonly #epoch: Float64Array;
  #latest = Number.NEGATIVE_INFINITY;

  constructor(opts: WindowOptions) {
    const windowMs = opts.windowMs ?? LAG_WINDOW_MS;
    const slices = opts.slices ?? LAG_WINDOW_SLICES;
    if (!(Number.isFinite(windowMs) && windowMs > 0)) throw new RangeError(`windowMs must be a finite number > 0, got ${windowMs}`);
    if (!(Number.isInteger(slices) && slices >= 1)) throw new RangeError(`slices must be a whole number ≥ 1, got ${slices}`);
    this.slices = slices;
    this.sliceMs = windowMs / slices;
    this.#epoch = new Float64Array(slices).fill(Number.NEGATIVE_INFINITY);
  }

  /** The effective time: `now`, or the latest seen if that is later. */
  time(now: number): number {
    if (!Number.isFinite(now)) throw new RangeError(`now must be a finite number of ms, got ${now}`);
    return Math.max(now, this.#latest);
  }

  /** The slot to write at `now`; `reset(slot)` is called when it held an older slice. */
  writeSlot(now: number, reset: (slot: number) => void): number {
    const t = this.time(now);
    this.#latest = t;
    const n = Math.floor(t / this.sliceMs);
    const slot = mod(n, this.slices);
    if (this.#epoch[slot] !== n) {
      reset(slot);
      this.#epoch[slot] = n;
    }
    return slot;
  }

  /** Slots whose slice is still in the window at `now`. */
  liveSlots(now: number): number[] {
    const n = Math.floor(this.time(now) / this.sliceMs);
    const live: number[] = [];
    for (let slot = 0; slot < this.slices; slot++) {
      const e = this.#epoch[slot]!;
      if (e > n - this.slices && e <= n) live.push(slot);
    }
    return live;
  }

  /** Where the window starts at `now` (ms): the oldest live slice's start. */
  start(now: number): number {
    const n = Math.floor(this.time(now) / this.sliceMs);
    return (n - this.slices + 1) * this.sliceMs;
  }
}

export class LagWindow {
  readonly #ring: SliceRing;
  /** slices × BUCKETS counts, slice-major. */
  readonly #counts: Uint32Array;
  readonly #total: Float64Array;
  readonly #min: Float64Array;
  readonly #max: Float64Array;

  constructor(opts: { windowMs?: number; slices?: number } = {}) {
    this.#ring = new SliceRing(opts);
    const s = this.#ring.slices;
    this.#counts = new Uint32Array(s * BUCKETS);
    this.#total = new Float64Array(s);
    this.#min = new Float64Array(s).fill(Number.POSITIVE_INFINITY);
    this.#max = new Float64Array(s).fill(Number.NEGATIVE_INFINITY);
  }

  /**
   * Record one lag. A negative lag (clocks of two machines disagreeing) counts as 0: the push
   * was acknowledged, and dropping it would bias the window towards slow pushes.
   */
  record(lagMs: number, now: number): void {
    if (Number.isNaN(lagMs)) throw new RangeError('lagMs must be a number, got NaN');
    const lag = Math.max(0, lagMs);
    const slot = this.#ring.writeSlot(now, (s) => {
      this.#counts.fill(0, s * BUCKETS, (s + 1) * BUCKETS);
      this.#total[s] = 0;
      this.#min[s] = Number.POSITIVE_INFINITY;
      this.#max[s] = Number.NEGATIVE_INFINITY;
    });
    this.#counts[slot * BUCKETS + bucketOf(lag)]! += 1;
    this.#total[slot]! += 1;
    this.#min[slot] = Math.min(this.#min[slot]!, lag);
    this.#max[slot] = Math.max(this.#max[slot]!, lag);
  }

  /**
   * The q-quantile (0 ≤ q ≤ 1) of the lags in the window, nearest-rank: the k-th smallest with
   * k = max(1, ⌈q·n⌉). null when no sample in the window. Relative error ≤ 5 % (bucket width).
   */
  quantile(q: number, now: number): number | null {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be in [0, 1], got ${q}`);
    const live = this.#ring.liveSlots(now);
    let n = 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const s of live) {
      n += this.#total[s]!;
      lo = Math.min(lo, this.#min[s]!);
      hi = Math.max(hi, this.#max[s]!);
    }
    if (n === 0) return null;
    const k = nearestRank(q, n);
    // The extremes are known exactly.
    if (k === 1) return lo;
    if (k === n) return hi;
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      for (const s of live) seen += this.#counts[s * BUCKETS + b]!;
      // Clamping to [lo, hi] can only move the estimate towards the exact value, which lies there.
      if (seen >= k) return Math.min(hi, Math.max(lo, representative(b, hi)));
    }
    return hi; // unreachable: the buckets add up to n
  }

  count(now: number): number {
    let n = 0;
    for (const s of this.#ring.liveSlots(now)) n += this.#total[s]!;
    return n;
  }

  /** For the adaptive buffer: the p99 lag in seconds, or null. */
  p99Seconds(now: number): number | null {
    const ms = this.quantile(0.99, now);
    return ms === null ? null : ms / 1000;
  }
}

/** A per-minute rate counter (pushes per minute) over the same sliding-window idea. */
export class RateWindow {
  readonly #ring: SliceRing;
  readonly #sums: Float64Array;

  constructor(opts: { windowMs?: number; slices?: number } = {}) {
    this.#ring = new SliceRing(opts);
    this.#sums = new Float64Array(this.#ring.slices);
  }

  add(n: number, now: number): void {
    if (!(Number.isFinite(n) && n >= 0)) throw new RangeError(`n must be a finite number ≥ 0, got ${n}`);
    const slot = this.#ring.writeSlot(now, (s) => {
      this.#sums[s] = 0;
    });
    this.#sums[slot]! += n;
  }

  /**
   * Events per minute over the window: the sum in the live slices divided by the time they span
   * (from the oldest live slice's start to `now`, at least one slice), so the partial current
   * slice neither inflates nor dilutes the rate. Time before the first add counts as quiet.
   */
  perMinute(now: number): number {
    let sum = 0;
    for (const s of this.#ring.liveSlots(now)) sum += this.#sums[s]!;
    const spanMs = Math.max(this.#ring.time(now) - this.#ring.start(now), this.#ring.sliceMs);
    return (sum * 60_000) / spanMs;
  }
}

/** Nearest rank k (1-based) of the q-quantile among n samples; the tiny slack keeps 0.99 × 100 at 99. */
function nearestRank(q: number, n: number): number {
  return Math.min(n, Math.max(1, Math.ceil(q * n - 1e-9)));
}

function bucketOf(lagMs: number): number {
  if (lagMs < LAG_BUCKET_MIN_MS) return UNDER;
  if (lagMs >= LAG_BUCKET_MAX_MS) return OVER;
  // Rounding at a bucket edge may place a sample one bucket low; the estimate is then off by at
  // most one bucket's half-width on the other side, still under 5 %.
  return 1 + Math.min(LOG_BUCKETS - 1, Math.floor(Math.log(lagMs / LAG_BUCKET_MIN_MS) / LOG_GROWTH));
}

/** The value a bucket stands for: its geometric middle (0 below 1 ms, the largest sample above 1 h). */
function representative(bucket: number, largest: number): number {
  if (bucket === UNDER) return 0;
  if (bucket === OVER) return largest;
  return LAG_BUCKET_MIN_MS * Math.exp((bucket - 1 + 0.5) * LOG_GROWTH);
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}
