// CircuitBreaker (docs/sync.md §3): the state walk by example, then properties over random
// call/outcome sequences:
//  - while open and before its retry time, allow() is false;
//  - in half_open, at most `halfOpenProbes` calls are allowed before an outcome is reported;
//  - `failureThreshold` failures in a row (since it last closed) always leave it open;
//  - throttling changes nothing that a snapshot shows; open durations stay in [openMs, openMaxMs].

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BREAKER_OPEN_MAX_MS, BREAKER_OPEN_MS, BREAKER_PROBE_INTERVAL_MS, CircuitBreaker } from './breaker.ts';

const T0 = Date.UTC(2026, 0, 1);

function fail(b: CircuitBreaker, n: number, now: number): void {
  for (let i = 0; i < n; i++) {
    expect(b.allow(now)).toBe(true);
    b.onFailure(now);
  }
}

describe('CircuitBreaker examples', () => {
  it('opens after 5 consecutive failures, lets one probe through after openMs, closes on its success', () => {
    const b = new CircuitBreaker();
    fail(b, 4, T0);
    expect(b.state(T0)).toBe('closed');
    b.onFailure(T0 + 1);
    expect(b.snapshot(T0 + 1)).toEqual({ state: 'open', consecutive_failures: 5, opened_at: T0 + 1, retry_at: T0 + 1 + BREAKER_OPEN_MS });
    expect(b.allow(T0 + 1 + BREAKER_OPEN_MS - 1)).toBe(false);
    expect(b.retryAt(T0 + 2)).toBe(T0 + 1 + BREAKER_OPEN_MS);

    const t = T0 + 1 + BREAKER_OPEN_MS;
    expect(b.state(t)).toBe('half_open');
    expect(b.retryAt(t)).toBeNull();
    expect(b.allow(t)).toBe(true); // the probe
    expect(b.allow(t)).toBe(false); // only one
    b.onSuccess(t + 50);
    expect(b.snapshot(t + 50)).toEqual({ state: 'closed', consecutive_failures: 0, opened_at: null, retry_at: null });
    expect(b.allow(t + 50)).toBe(true);
  });

  it('a success in between resets the consecutive count', () => {
    const b = new CircuitBreaker();
    fail(b, 4, T0);
    b.onSuccess(T0);
    fail(b, 4, T0);
    expect(b.state(T0)).toBe('closed');
  });

  it('opens on a failure ratio ≥ 50 % over the window once it holds 10 calls', () => {
    const b = new CircuitBreaker();
    // S F S F … : never 5 in a row. After 9 calls (4 F) too few calls to judge.
    for (let i = 0; i < 9; i++) {
      if (i % 2 === 0) b.onSuccess(T0);
      else b.onFailure(T0);
    }
    expect(b.state(T0)).toBe('closed');
    b.onFailure(T0); // 10 calls, 5 failures
    expect(b.state(T0)).toBe('open');
  });

  it('the window rolls: failures older than the last 20 calls no longer count', () => {
    const b = new CircuitBreaker();
    fail(b, 4, T0); // 4 F
    for (let i = 0; i < 16; i++) b.onSuccess(T0); // 20 calls, 4 F
    for (let i = 0; i < 4; i++) {
      b.onFailure(T0);
      b.onSuccess(T0);
    }
    // The window now holds the last 20: 8 S, then F S ×4 → 4 F / 20 (the first 4 F rolled out).
    expect(b.state(T0)).toBe('closed');
    for (let i = 0; i < 3; i++) {
      b.onFailure(T0);
      b.onSuccess(T0);
    }
    expect(b.state(T0)).toBe('closed'); // 7 F / 20
    for (let i = 0; i < 3; i++) b.onFailure(T0); // 10 F / 20 = 50 %
    expect(b.state(T0)).toBe('open');
  });

  it('a failed probe re-opens for twice as long, capped at the probe interval; a success resets the duration', () => {
    const b = new CircuitBreaker();
    fail(b, 5, T0);
    let t = T0;
    const durations: number[] = [];
    for (let i = 0; i < 6; i++) {
      const retry = b.retryAt(t)!;
      durations.push(retry - b.snapshot(t).opened_at!);
      t = retry;
      expect(b.allow(t)).toBe(true);
      b.onFailure(t);
    }
    expect(durations).toEqual([1_000, 2_000, 4_000, BREAKER_PROBE_INTERVAL_MS, BREAKER_PROBE_INTERVAL_MS, BREAKER_PROBE_INTERVAL_MS]);
    expect(BREAKER_OPEN_MAX_MS).toBe(BREAKER_PROBE_INTERVAL_MS);
    t = b.retryAt(t)!;
    expect(b.allow(t)).toBe(true);
    b.onSuccess(t);
    fail(b, 5, t);
    expect(b.retryAt(t)).toBe(t + BREAKER_OPEN_MS);
  });

  it('a sick channel is probed at a bounded interval: after a 60 s outage, recovery is noticed within BREAKER_PROBE_INTERVAL_MS', () => {
    expect(BREAKER_PROBE_INTERVAL_MS).toBeLessThanOrEqual(10_000);
    const b = new CircuitBreaker();
    const OUTAGE_MS = 60_000;
    const TICK_MS = 100;
    let lastCall = T0;
    let t = T0;
    // The dispatcher asks every tick; every call fails until the channel is back.
    for (; t < T0 + OUTAGE_MS; t += TICK_MS) {
      if (!b.allow(t)) continue;
      expect(t - lastCall).toBeLessThanOrEqual(BREAKER_PROBE_INTERVAL_MS);
      lastCall = t;
      b.onFailure(t);
    }
    expect(b.state(t)).not.toBe('closed');
    while (!b.allow(t)) t += TICK_MS;
    expect(t - (T0 + OUTAGE_MS)).toBeLessThanOrEqual(BREAKER_PROBE_INTERVAL_MS);
    b.onSuccess(t);
    expect(b.state(t)).toBe('closed');
  });

  it('throttling is not failure: nothing changes, and a throttled probe hands its slot back', () => {
    const b = new CircuitBreaker();
    fail(b, 4, T0);
    for (let i = 0; i < 50; i++) b.onThrottled(T0);
    expect(b.snapshot(T0)).toEqual({ state: 'closed', consecutive_failures: 4, opened_at: null, retry_at: null });
    b.onFailure(T0);
    const t = b.retryAt(T0)!;
    expect(b.allow(t)).toBe(true);
    expect(b.allow(t)).toBe(false);
    b.onThrottled(t);
    expect(b.state(t)).toBe('half_open');
    expect(b.allow(t)).toBe(true); // the slot came back
    expect(b.allow(t)).toBe(false);
  });

  it('late answers to calls sent before it opened do not change an open breaker', () => {
    const b = new CircuitBreaker();
    fail(b, 5, T0);
    const before = b.snapshot(T0 + 10);
    b.onSuccess(T0 + 10);
    b.onFailure(T0 + 10);
    expect({ ...b.snapshot(T0 + 10), consecutive_failures: 0 }).toEqual({ ...before, consecutive_failures: 0 });
  });

  it('halfOpenProbes lets that many through', () => {
    const b = new CircuitBreaker({ halfOpenProbes: 3, failureThreshold: 1 });
    b.onFailure(T0);
    const t = b.retryAt(T0)!;
    expect([b.allow(t), b.allow(t), b.allow(t), b.allow(t)]).toEqual([true, true, true, false]);
  });

  it('rejects nonsense options; undefined keeps the default', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ windowSize: 5, windowMinCalls: 10 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ failureRatio: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ openMs: 10_000, openMaxMs: 5_000 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ halfOpenProbes: 0 })).toThrow(RangeError);
    const b = new CircuitBreaker({ openMs: undefined });
    fail(b, 5, T0);
    expect(b.retryAt(T0)).toBe(T0 + BREAKER_OPEN_MS);
  });
});

// ---- properties ---------------------------------------------------------------------------------

type Outcome = 'success' | 'failure' | 'throttled';
// 'call' = allow, then (if allowed) its answer at once; 'send' leaves the call out; 'answer'
// answers the oldest call still out.
const stepArb = fc.record({
  dt: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 2_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 400_000 }) }),
  kind: fc.constantFrom('call', 'call', 'send', 'answer'),
  outcome: fc.constantFrom<Outcome>('success', 'failure', 'failure', 'throttled'),
});
const optsArb = fc.record({
  failureThreshold: fc.integer({ min: 1, max: 6 }),
  windowSize: fc.integer({ min: 10, max: 20 }),
  windowMinCalls: fc.integer({ min: 1, max: 10 }),
  failureRatio: fc.constantFrom(0.3, 0.5, 0.8, 1),
  openMs: fc.integer({ min: 1_000, max: 60_000 }),
  extraMaxMs: fc.integer({ min: 0, max: 300_000 }),
  halfOpenProbes: fc.integer({ min: 1, max: 3 }),
});

describe('CircuitBreaker properties', () => {
  it('no call while open; at most halfOpenProbes before an outcome; a failure run opens it; throttling changes nothing', () => {
    const seenStates = new Set<string>();
    fc.assert(
      fc.property(optsArb, fc.array(stepArb, { maxLength: 120 }), ({ extraMaxMs, ...o }, steps) => {
        const opts = { ...o, openMaxMs: o.openMs + extraMaxMs };
        const b = new CircuitBreaker(opts);
        let t = T0;
        let outstanding = 0; // calls allowed and not yet answered
        let halfOpenGrants = 0; // allowed in half_open since the last outcome
        let failuresSinceClosedInARow = 0;
        const states = new Set<string>();
        for (const step of steps) {
          t += step.dt;
          const before = b.snapshot(t);
          states.add(before.state);
          if (before.state !== 'half_open') halfOpenGrants = 0;
          if (before.state === 'closed' && before.consecutive_failures === 0) failuresSinceClosedInARow = 0;
          if (before.state === 'open') {
            const openFor = before.retry_at! - before.opened_at!;
            expect(openFor).toBeGreaterThanOrEqual(opts.openMs);
            expect(openFor).toBeLessThanOrEqual(opts.openMaxMs);
            expect(t).toBeLessThan(before.retry_at!);
          }
          if (step.kind !== 'answer') {
            const ok = b.allow(t);
            if (before.state === 'open') expect(ok).toBe(false);
            if (before.state === 'closed') expect(ok).toBe(true);
            if (ok && before.state === 'half_open') halfOpenGrants += 1;
            expect(halfOpenGrants).toBeLessThanOrEqual(opts.halfOpenProbes);
            if (!ok) continue;
            outstanding += 1;
            if (step.kind === 'send') continue;
          }
          if (outstanding === 0) continue; // only calls that went out get answers
          outstanding -= 1;
          halfOpenGrants = 0;
          const mid = b.snapshot(t);
          if (step.outcome === 'throttled') {
            b.onThrottled(t);
            expect(b.snapshot(t)).toEqual(mid);
          } else if (step.outcome === 'success') {
            b.onSuccess(t);
            if (mid.state === 'half_open') expect(b.state(t)).toBe('closed');
            if (mid.state === 'open') expect(b.state(t)).toBe('open');
            if (mid.state !== 'open') failuresSinceClosedInARow = 0;
          } else {
            b.onFailure(t);
            if (mid.state === 'closed') {
              failuresSinceClosedInARow += 1;
              if (failuresSinceClosedInARow >= opts.failureThreshold) expect(b.state(t)).toBe('open');
            }
            if (mid.state === 'half_open') expect(b.state(t)).toBe('open');
          }
        }
        for (const st of states) seenStates.add(st);
      }),
      { numRuns: 400 },
    );
    // The random walks do reach every state.
    expect([...seenStates].sort()).toEqual(['closed', 'half_open', 'open']);
  });
});
