// LagWindow and RateWindow (docs/sync.md §4). Property: for random samples at random times, a
// quantile estimate is within 2.5 % (so within the promised 5 %) of the exact nearest-rank
// quantile of the samples still in the window — the window being slice-aligned by design (the
// current slice and the `slices − 1` before it); below 1 ms within 1 ms; above 1 h never below
// the exact value nor above the largest sample.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LAG_BUCKET_MAX_MS, LAG_WINDOW_MS, LagWindow, RateWindow } from './lag.ts';

const T0 = Date.UTC(2026, 0, 1);
const SLICE_MS = LAG_WINDOW_MS / 10;

/** Nearest rank, written independently of the module: the k-th smallest, k = max(1, ⌈q·n⌉). */
function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const k = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length - 1e-9)));
  return sorted[k - 1]!;
}

describe('LagWindow examples', () => {
  it('null and 0 with no sample', () => {
    const w = new LagWindow();
    expect(w.quantile(0.5, T0)).toBeNull();
    expect(w.p99Seconds(T0)).toBeNull();
    expect(w.count(T0)).toBe(0);
  });

  it('one sample is every quantile, exactly (clamped to the window’s smallest and largest)', () => {
    const w = new LagWindow();
    w.record(1234, T0);
    expect(w.quantile(0, T0)).toBe(1234);
    expect(w.quantile(0.5, T0)).toBe(1234);
    expect(w.quantile(1, T0)).toBe(1234);
    expect(w.p99Seconds(T0)).toBe(1.234);
  });

  it('p50 and p99 of 1..1000 ms within 2.5 %', () => {
    const w = new LagWindow();
    for (let i = 1; i <= 1000; i++) w.record(i, T0 + i);
    expect(w.count(T0 + 1000)).toBe(1000);
    expect(Math.abs(w.quantile(0.5, T0 + 1000)! - 500) / 500).toBeLessThanOrEqual(0.025);
    expect(Math.abs(w.quantile(0.99, T0 + 1000)! - 990) / 990).toBeLessThanOrEqual(0.025);
    expect(w.quantile(1, T0 + 1000)).toBe(1000);
  });

  it('old samples fall out slice by slice: the window is 4.5 to 5 minutes (30 s slices)', () => {
    const start = Math.ceil(T0 / SLICE_MS) * SLICE_MS; // a slice boundary
    const w = new LagWindow();
    w.record(100, start); // slice 0
    w.record(200, start + SLICE_MS); // slice 1
    expect(w.count(start + LAG_WINDOW_MS - 1)).toBe(2); // slice 9 still sees slice 0
    expect(w.count(start + LAG_WINDOW_MS)).toBe(1); // slice 10: slice 0 gone, after exactly 5 min
    expect(w.quantile(0.5, start + LAG_WINDOW_MS)).toBe(200);
    expect(w.count(start + LAG_WINDOW_MS + SLICE_MS)).toBe(0);
    expect(w.quantile(0.5, start + LAG_WINDOW_MS + SLICE_MS)).toBeNull();
  });

  it('a slot reused after a long quiet spell starts empty', () => {
    const w = new LagWindow();
    w.record(100, T0);
    w.record(5000, T0 + 10 * LAG_WINDOW_MS); // the same ring slot, ten windows later
    expect(w.count(T0 + 10 * LAG_WINDOW_MS)).toBe(1);
    expect(w.quantile(0, T0 + 10 * LAG_WINDOW_MS)).toBe(5000);
  });

  it('negative lags (clock skew) count as 0; below 1 ms within 1 ms', () => {
    const w = new LagWindow();
    w.record(-20, T0);
    w.record(0.4, T0);
    expect(w.count(T0)).toBe(2);
    expect(w.quantile(0, T0)).toBe(0);
    expect(w.quantile(1, T0)).toBe(0.4);
    expect(() => w.record(Number.NaN, T0)).toThrow(RangeError);
  });

  it('property: whatever is recorded — negative lags from a future enqueue time or clock skew included — every quantile and the p99 are ≥ 0', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ lag: fc.double({ min: -1e7, max: 1e7, noNaN: true }), dt: fc.integer({ min: 0, max: 60_000 }) }), { minLength: 1, maxLength: 100 }), fc.double({ min: 0, max: 1, noNaN: true }), (samples, q) => {
        const w = new LagWindow();
        let t = T0;
        for (const s of samples) w.record(s.lag, (t += s.dt));
        expect(w.quantile(q, t)).toBeGreaterThanOrEqual(0);
        expect(w.p99Seconds(t)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('above 1 h: at least the exact value, at most the largest sample', () => {
    const w = new LagWindow();
    w.record(2 * LAG_BUCKET_MAX_MS, T0);
    w.record(3 * LAG_BUCKET_MAX_MS, T0);
    const p50 = w.quantile(0.5, T0)!;
    expect(p50).toBeGreaterThanOrEqual(2 * LAG_BUCKET_MAX_MS);
    expect(p50).toBeLessThanOrEqual(3 * LAG_BUCKET_MAX_MS);
  });

  it('an earlier `now` counts as the latest seen', () => {
    const w = new LagWindow();
    w.record(100, T0 + LAG_WINDOW_MS * 3);
    w.record(200, T0); // lands in the current slice, not in a long-gone one
    expect(w.count(T0)).toBe(2);
  });

  it('rejects programmer errors', () => {
    expect(() => new LagWindow({ slices: 0 })).toThrow(RangeError);
    expect(() => new LagWindow({ windowMs: -1 })).toThrow(RangeError);
    expect(() => new LagWindow().quantile(1.5, T0)).toThrow(RangeError);
  });
});

describe('RateWindow examples', () => {
  it('a steady 10 pushes per second reads as 600 per minute, at any moment', () => {
    const r = new RateWindow();
    let t = T0;
    for (let i = 0; i < 20 * 60; i++, t += 1000) {
      r.add(10, t);
      if (i >= 5 * 60) expect(Math.abs(r.perMinute(t) - 600) / 600).toBeLessThan(0.01);
    }
  });

  it('0 when quiet; old counts fall out', () => {
    const r = new RateWindow({ windowMs: 60_000, slices: 6 });
    expect(r.perMinute(T0)).toBe(0);
    r.add(30, T0);
    expect(r.perMinute(T0 + 2 * 60_000)).toBe(0);
    expect(() => r.add(-1, T0)).toThrow(RangeError);
  });
});

// ---- properties ---------------------------------------------------------------------------------

const lagArb = fc.oneof(
  fc.integer({ min: 0, max: 50 }),
  fc.integer({ min: 0, max: 20_000 }),
  fc.double({ min: 0, max: 2 * LAG_BUCKET_MAX_MS, noNaN: true }),
  fc.double({ min: 1, max: 5, noNaN: true }),
);
type Step = { dt: number; record: number | null; q: number };
const stepArb: fc.Arbitrary<Step> = fc.record({
  dt: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 90_000 })),
  record: fc.option(lagArb, { nil: null, freq: 3 }), // a third of the steps only query
  q: fc.oneof(fc.constantFrom(0, 0.5, 0.9, 0.99, 1), fc.double({ min: 0, max: 1, noNaN: true })),
});
const windowArb = fc.record({ windowMs: fc.integer({ min: 1_000, max: 600_000 }), slices: fc.integer({ min: 1, max: 12 }) });

describe('LagWindow and RateWindow properties', () => {
  it('quantiles are within 2.5 % of the exact quantile of the samples in the (slice-aligned) window', () => {
    fc.assert(
      fc.property(windowArb, fc.array(stepArb, { maxLength: 150 }), ({ windowMs, slices }, steps) => {
        const w = new LagWindow({ windowMs, slices });
        const sliceMs = windowMs / slices;
        const samples: { t: number; lag: number }[] = [];
        let t = T0;
        for (const step of steps) {
          t += step.dt;
          if (step.record !== null) {
            w.record(step.record, t);
            samples.push({ t, lag: step.record });
          }
          const oldestSlice = Math.floor(t / sliceMs) - slices + 1;
          const live = samples.filter((s) => Math.floor(s.t / sliceMs) >= oldestSlice).map((s) => s.lag);
          expect(w.count(t)).toBe(live.length);
          const est = w.quantile(step.q, t);
          if (live.length === 0) {
            expect(est).toBeNull();
            continue;
          }
          const exact = exactQuantile(live, step.q);
          expect(est).not.toBeNull();
          if (exact < 1) expect(Math.abs(est! - exact)).toBeLessThan(1);
          else if (exact < LAG_BUCKET_MAX_MS) expect(Math.abs(est! - exact) / exact).toBeLessThanOrEqual(0.025);
          else {
            expect(est!).toBeGreaterThanOrEqual(exact);
            expect(est!).toBeLessThanOrEqual(Math.max(...live));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('perMinute is the count in the (slice-aligned) window over the time it spans', () => {
    fc.assert(
      fc.property(windowArb, fc.array(fc.record({ dt: stepArb.map((s) => s.dt), n: fc.integer({ min: 0, max: 50 }) }), { maxLength: 150 }), ({ windowMs, slices }, steps) => {
        const r = new RateWindow({ windowMs, slices });
        const sliceMs = windowMs / slices;
        const adds: { t: number; n: number }[] = [];
        let t = T0;
        for (const step of steps) {
          t += step.dt;
          r.add(step.n, t);
          adds.push({ t, n: step.n });
          const oldestSlice = Math.floor(t / sliceMs) - slices + 1;
          const sum = adds.filter((a) => Math.floor(a.t / sliceMs) >= oldestSlice).reduce((s, a) => s + a.n, 0);
          const spanMs = Math.max(t - oldestSlice * sliceMs, sliceMs);
          expect(r.perMinute(t)).toBeCloseTo((sum * 60_000) / spanMs, 6);
        }
      }),
      { numRuns: 300 },
    );
  });
});
