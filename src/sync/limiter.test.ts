// TokenBucket (docs/sync.md §1): examples from the channels' own numbers, then the invariants as
// properties over random sequences of take/refund/observe/throttled at non-decreasing times:
//  - tokens taken since the bucket's level was last set (start, an observed level, a throttle)
//    never exceed that level + refills (rate × elapsed) + refunds;
//  - available is always within [0, capacity];
//  - a refused take takes nothing; a take succeeds only when the tokens are there;
//  - waitFor then tryTake at now + waitFor succeeds, and waitFor is at most 1 ms longer than needed.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from './limiter.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('TokenBucket examples', () => {
  it('starts full, serves a whole burst, then tells how long the next cost takes to refill', () => {
    // Shopify's older Standard figures: bucket 1000 points, restore 50/s.
    const b = new TokenBucket({ capacity: 1000, refillPerSecond: 50 }, T0);
    expect(b.available(T0)).toBe(1000);
    expect(b.tryTake(1000, T0)).toBe(0);
    expect(b.available(T0)).toBe(0);
    expect(b.waitFor(10, T0)).toBe(200);
    expect(b.tryTake(10, T0)).toBe(200);
    expect(b.available(T0)).toBe(0); // a refused take takes nothing
    expect(b.tryTake(10, T0 + 199)).toBeGreaterThan(0);
    expect(b.tryTake(10, T0 + 200)).toBe(0);
  });

  it('starts from `initial` when given, clamped to [0, capacity]', () => {
    expect(new TokenBucket({ capacity: 5, refillPerSecond: 5 }, T0, 2).available(T0)).toBe(2);
    expect(new TokenBucket({ capacity: 5, refillPerSecond: 5 }, T0, 9).available(T0)).toBe(5);
    expect(new TokenBucket({ capacity: 5, refillPerSecond: 5 }, T0, -1).available(T0)).toBe(0);
  });

  it('never refills above capacity', () => {
    const b = new TokenBucket({ capacity: 5, refillPerSecond: 5 }, T0, 0);
    expect(b.available(T0 + 500)).toBeCloseTo(2.5);
    expect(b.available(T0 + 3_600_000)).toBe(5);
  });

  it('rounds fractional waits up to whole ms, and the tokens are there then', () => {
    const b = new TokenBucket({ capacity: 10, refillPerSecond: 3 }, T0, 0);
    expect(b.waitFor(1, T0)).toBe(334); // 1/3 s
    expect(b.tryTake(1, T0 + 333)).toBe(1);
    expect(b.tryTake(1, T0 + 334)).toBe(0);
  });

  it('answers Infinity for a cost above capacity, or when nothing refills', () => {
    const b = new TokenBucket({ capacity: 5, refillPerSecond: 5 }, T0);
    expect(b.waitFor(6, T0)).toBe(Infinity);
    expect(b.tryTake(6, T0)).toBe(Infinity);
    expect(b.available(T0)).toBe(5);
    const dry = new TokenBucket({ capacity: 5, refillPerSecond: 0 }, T0, 1);
    expect(dry.tryTake(1, T0)).toBe(0);
    expect(dry.waitFor(1, T0 + 60_000)).toBe(Infinity);
  });

  it('a cost of 0 (Shopify scalars) is always served, even from an empty bucket', () => {
    const b = new TokenBucket({ capacity: 5, refillPerSecond: 1 }, T0, 0);
    expect(b.tryTake(0, T0)).toBe(0);
  });

  it('refund gives back what a query did not spend, never above capacity', () => {
    const b = new TokenBucket({ capacity: 1000, refillPerSecond: 50 }, T0, 100);
    expect(b.tryTake(100, T0)).toBe(0); // requested cost
    b.refund(60, T0); // actual cost was 40
    expect(b.available(T0)).toBe(60);
    b.refund(5000, T0);
    expect(b.available(T0)).toBe(1000);
    expect(() => b.refund(-1, T0)).toThrow(RangeError);
  });

  it('observe adopts the channel’s throttleStatus over the estimate', () => {
    const b = new TokenBucket({ capacity: 1000, refillPerSecond: 100 }, T0);
    b.observe({ capacity: 2000, available: 1500, refillPerSecond: 1000 }, T0);
    expect(b.spec()).toEqual({ capacity: 2000, refillPerSecond: 1000 });
    expect(b.available(T0)).toBe(1500);
    expect(b.available(T0 + 100)).toBe(1600);
    // Shopify may report a negative currentlyAvailable after an expensive query: empty, not owed.
    b.observe({ available: -40 }, T0 + 100);
    expect(b.available(T0 + 100)).toBe(0);
    // A smaller capacity caps what is held; nonsense fields are ignored.
    b.observe({ available: 1800 }, T0 + 100);
    b.observe({ capacity: 500, refillPerSecond: Number.NaN }, T0 + 100);
    expect(b.available(T0 + 100)).toBe(500);
    expect(b.spec()).toEqual({ capacity: 500, refillPerSecond: 1000 });
    b.observe({ capacity: 0, refillPerSecond: -5, available: Number.POSITIVE_INFINITY }, T0 + 100);
    expect(b.spec()).toEqual({ capacity: 500, refillPerSecond: 1000 });
    expect(b.available(T0 + 100)).toBe(500);
  });

  it('observe refills the time before it at the old rate', () => {
    const b = new TokenBucket({ capacity: 100, refillPerSecond: 10 }, T0, 0);
    b.observe({ refillPerSecond: 50 }, T0 + 1000); // 10 tokens at the old rate
    expect(b.available(T0 + 1000)).toBe(10);
    expect(b.available(T0 + 2000)).toBe(60);
  });

  it('throttled empties the bucket and honours Retry-After', () => {
    const b = new TokenBucket({ capacity: 40, refillPerSecond: 2 }, T0);
    b.throttled(T0);
    expect(b.available(T0)).toBe(0);
    expect(b.waitFor(1, T0)).toBe(500);

    const c = new TokenBucket({ capacity: 40, refillPerSecond: 2 }, T0);
    c.throttled(T0, 10_000);
    expect(c.waitFor(1, T0)).toBe(10_000);
    expect(c.tryTake(1, T0 + 5_000)).toBe(5_000);
    expect(c.available(T0 + 9_999)).toBe(0); // refilled meanwhile, but not spendable yet
    expect(c.available(T0 + 10_000)).toBeCloseTo(20, 9);
    expect(c.waitFor(30, T0 + 10_000)).toBe(5_000); // the refill, not the Retry-After, is the limit now
    expect(c.tryTake(20, T0 + 10_000)).toBe(0);
  });

  it('a later Retry-After never shortens an earlier one; an observed level does not lift it', () => {
    const b = new TokenBucket({ capacity: 40, refillPerSecond: 2 }, T0);
    b.throttled(T0, 10_000);
    b.throttled(T0 + 1_000, 1_000);
    b.observe({ available: 40 }, T0 + 2_000);
    expect(b.waitFor(1, T0 + 2_000)).toBe(8_000);
  });

  it('treats an earlier `now` as the latest seen: no tokens minted, no wait shortened', () => {
    const b = new TokenBucket({ capacity: 10, refillPerSecond: 1 }, T0, 0);
    expect(b.available(T0 + 5_000)).toBe(5);
    expect(b.available(T0)).toBe(5);
    expect(b.tryTake(5, T0)).toBe(0);
    expect(b.waitFor(1, T0 + 1_000)).toBe(1_000);
  });

  it('rejects programmer errors', () => {
    expect(() => new TokenBucket({ capacity: 0, refillPerSecond: 1 }, T0)).toThrow(RangeError);
    expect(() => new TokenBucket({ capacity: 5, refillPerSecond: -1 }, T0)).toThrow(RangeError);
    expect(() => new TokenBucket({ capacity: 5, refillPerSecond: 1 }, Number.NaN)).toThrow(RangeError);
    const b = new TokenBucket({ capacity: 5, refillPerSecond: 1 }, T0);
    expect(() => b.tryTake(-1, T0)).toThrow(RangeError);
    expect(() => b.waitFor(Number.NaN, T0)).toThrow(RangeError);
  });
});

// ---- properties ---------------------------------------------------------------------------------

type Op =
  | { kind: 'take'; dt: number; cost: number }
  | { kind: 'waitTake'; dt: number; cost: number }
  | { kind: 'refund'; dt: number; amount: number }
  | { kind: 'observe'; dt: number; capacity?: number; available?: number; refillPerSecond?: number }
  | { kind: 'throttled'; dt: number; retryAfterMs?: number };

const dtArb = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3_000 }), fc.double({ min: 0, max: 500, noNaN: true }));
const costArb = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 2_500 }), fc.double({ min: 0, max: 300, noNaN: true }));
const rateArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000 }), fc.double({ min: 0.01, max: 50, noNaN: true }));
const capacityArb = fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.double({ min: 0.5, max: 100, noNaN: true }));

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('take' as const), dt: dtArb, cost: costArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('waitTake' as const), dt: dtArb, cost: costArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), dt: dtArb, amount: costArb }) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('observe' as const),
        dt: dtArb,
        capacity: capacityArb,
        available: fc.oneof(fc.integer({ min: -50, max: 2_500 }), fc.double({ min: -5, max: 100, noNaN: true })),
        refillPerSecond: rateArb,
      },
      { requiredKeys: ['kind', 'dt'] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('throttled' as const), dt: dtArb, retryAfterMs: fc.integer({ min: 0, max: 20_000 }) }, { requiredKeys: ['kind', 'dt'] }),
  },
);

const TOLERANCE = 1e-6;

describe('TokenBucket properties', () => {
  it('never spends more than held + refilled + refunded; stays within [0, capacity]; refusals take nothing', () => {
    fc.assert(
      fc.property(capacityArb, rateArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.array(opArb, { maxLength: 60 }), (capacity, rate, fill, ops) => {
        let t = T0;
        const b = new TokenBucket({ capacity, refillPerSecond: rate }, t, fill * capacity);
        // The segment since the level was last set: its start level, refills, refunds and takes.
        let level = fill * capacity;
        let refilled = 0;
        let refunded = 0;
        let taken = 0;
        let currentRate = rate;
        const check = () => {
          const cap = b.spec().capacity;
          const a = b.available(t);
          expect(a).toBeGreaterThanOrEqual(0);
          expect(a).toBeLessThanOrEqual(cap);
          expect(taken).toBeLessThanOrEqual(level + refilled + refunded + TOLERANCE * (1 + taken));
        };
        const take = (cost: number): number => {
          const before = b.available(t);
          const r = b.tryTake(cost, t);
          if (r === 0) {
            expect(before + TOLERANCE).toBeGreaterThanOrEqual(cost);
            taken += cost;
          } else {
            expect(r).toBeGreaterThan(0);
            expect(b.available(t)).toBe(before);
            if (cost > 0 && cost <= b.spec().capacity) expect(before).toBeLessThan(cost + TOLERANCE);
          }
          return r;
        };
        for (const op of ops) {
          t += op.dt;
          refilled += (op.dt * currentRate) / 1000;
          switch (op.kind) {
            case 'take':
              take(op.cost);
              break;
            case 'waitTake': {
              const w = b.waitFor(op.cost, t);
              if (w === Infinity) {
                expect(op.cost > b.spec().capacity || b.spec().refillPerSecond === 0).toBe(true);
                break;
              }
              expect(Number.isInteger(w)).toBe(true);
              if (w >= 1) {
                // At most 1 ms longer than needed: a ms earlier, it still has to wait (≤ 1 ms).
                const early = b.waitFor(op.cost, t + w - 1);
                expect(early).toBeGreaterThanOrEqual(0);
                expect(early).toBeLessThanOrEqual(1);
              }
              t += w;
              refilled += (w * currentRate) / 1000;
              expect(take(op.cost)).toBe(0);
              break;
            }
            case 'refund':
              b.refund(op.amount, t);
              refunded += op.amount;
              break;
            case 'observe': {
              b.observe({ capacity: op.capacity, available: op.available, refillPerSecond: op.refillPerSecond }, t);
              if (op.refillPerSecond !== undefined) currentRate = op.refillPerSecond;
              if (op.available !== undefined) {
                level = Math.min(b.spec().capacity, Math.max(0, op.available));
                refilled = refunded = taken = 0;
              }
              break;
            }
            case 'throttled':
              b.throttled(t, op.retryAfterMs);
              if (op.retryAfterMs !== undefined) expect(b.waitFor(0, t)).toBeGreaterThanOrEqual(op.retryAfterMs);
              level = refilled = refunded = taken = 0;
              break;
          }
          check();
        }
      }),
      { numRuns: 400 },
    );
  });

  it('calls counted when answered never overdraw a channel that counts them on arrival, however late they arrive', () => {
    // One call at a time (as the dispatcher drives a channel), each of `cost` requests made in
    // turn; each request arrives at the channel any time between its call being sent and answered.
    // The channel keeps a bucket of the same spec and counts on arrival: it must never run dry.
    const callArb = fc.record({ latency: fc.integer({ min: 0, max: 2_000 }), arrivals: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }), idle: fc.integer({ min: 0, max: 500 }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }), fc.array(callArb, { minLength: 1, maxLength: 40 }), (capacity, rate, calls) => {
        const spec = { capacity, refillPerSecond: rate };
        const ours = new TokenBucket(spec, T0);
        let t = T0;
        const arrivals: number[] = [];
        for (const call of calls) {
          const cost = Math.min(capacity, call.arrivals.length);
          t += ours.waitFor(cost, t) + call.idle;
          expect(ours.tryTake(cost, t)).toBe(0);
          const answeredAt = t + call.latency;
          // Requests of one call arrive in order, within [sent, answered].
          const at = call.arrivals.slice(0, cost).map((f) => t + f * call.latency).sort((a, b) => a - b);
          arrivals.push(...at);
          t = answeredAt;
          ours.answered(cost, t);
        }
        const channel = new TokenBucket(spec, T0);
        for (const a of arrivals.sort((x, y) => x - y)) expect(channel.tryTake(1, a)).toBe(0);
      }),
      { numRuns: 400 },
    );
  });
});
