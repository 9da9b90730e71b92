import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

describe('TokenBucket', () => {
  const at = (start = 0) => {
    const clock = { t: start };
    return { clock, now: () => clock.t };
  };

  it('starts full, takes what is there, and refills at its rate', () => {
    const { clock, now } = at();
    const b = new TokenBucket(100, 10, now);
    expect(b.take(60)).toBe(true);
    expect(b.take(50)).toBe(false); // 40 left: nothing taken
    expect(b.status()).toEqual({ size: 100, available: 40, ratePerSecond: 10 });
    expect(b.msUntil(50)).toBe(1_000);
    expect(b.retryAfterSeconds(50)).toBe(1);
    clock.t += 1_000;
    expect(b.take(50)).toBe(true);
    clock.t += 60_000;
    expect(b.status().available).toBe(100); // never above its size
  });

  it('gives back what was charged but not used, up to its size', () => {
    const { now } = at();
    const b = new TokenBucket(50, 5, now);
    b.take(30);
    b.giveBack(20);
    expect(b.status().available).toBe(40);
    b.giveBack(1_000);
    expect(b.status().available).toBe(50);
    b.giveBack(-5);
    expect(b.status().available).toBe(50);
  });

  it('says when a cost can never fit, and Retry-After is at least one second', () => {
    const { now } = at();
    const b = new TokenBucket(20, 10, now);
    expect(b.msUntil(21)).toBe(Infinity);
    expect(b.msUntil(5)).toBe(0);
    expect(b.retryAfterSeconds(5)).toBe(1);
    b.drain();
    expect(b.msUntil(20)).toBe(2_000);
    expect(b.retryAfterSeconds(15)).toBe(2);
    // A cost above the size: never, says msUntil; a Retry-After still says seconds.
    expect(b.msUntil(35)).toBe(Infinity);
    expect(b.retryAfterSeconds(35)).toBe(4);
  });

  it('takes a new size and rate while running, keeping what is there up to the new size', () => {
    const { clock, now } = at();
    const b = new TokenBucket(1_000, 100, now);
    b.take(200);
    b.resize(500, 50);
    expect(b.status()).toEqual({ size: 500, available: 500, ratePerSecond: 50 });
    b.drain();
    clock.t += 2_000;
    expect(b.status().available).toBe(100);
    expect(() => b.resize(0, 1)).toThrow(RangeError);
    expect(() => new TokenBucket(10, 0, now)).toThrow(RangeError);
  });

  it('ignores a clock that goes back', () => {
    const { clock, now } = at(10_000);
    const b = new TokenBucket(10, 1, now);
    b.drain();
    clock.t = 5_000;
    expect(b.status().available).toBe(0);
    clock.t = 11_000;
    expect(b.status().available).toBe(1);
  });

  it('never lets more through than its size plus what it restored (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 1_000 }),
      fc.integer({ min: 1, max: 200 }),
      fc.array(fc.record({ waitMs: fc.integer({ min: 0, max: 2_000 }), cost: fc.integer({ min: 0, max: 300 }) }), { maxLength: 60 }),
      (size, rate, steps) => {
        const { clock, now } = at();
        const b = new TokenBucket(size, rate, now);
        let taken = 0;
        for (const s of steps) {
          clock.t += s.waitMs;
          if (b.take(s.cost)) taken += s.cost;
          const { available } = b.status();
          expect(available).toBeGreaterThanOrEqual(0);
          expect(available).toBeLessThanOrEqual(size);
        }
        expect(taken).toBeLessThanOrEqual(size + (clock.t / 1000) * rate + 1e-6);
      },
    ));
  });
});
