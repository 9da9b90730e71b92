// Backoff, Retry-After and failure classes (docs/sync.md §2).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyHttp, DEFAULT_BACKOFF, httpFailure, nextDelay, parseRetryAfter, RETRY_BASE_MS, RETRY_MAX_MS } from './retry.ts';

const NOW = Date.UTC(2026, 4, 15, 12, 0, 0); // Fri, 15 May 2026 12:00:00 GMT
const spec = { baseMs: RETRY_BASE_MS, maxMs: RETRY_MAX_MS };
const fixed = (r: number) => () => r;

describe('backoffDelay', () => {
  it('is full jitter: 0 at random 0, the ceiling base × 2^attempt just below random 1', () => {
    expect(backoffDelay(0, spec, fixed(0))).toBe(0);
    expect(backoffDelay(0, spec, fixed(0.999_999_9))).toBe(500);
    expect(backoffDelay(1, spec, fixed(0.999_999_9))).toBe(1_000);
    expect(backoffDelay(3, spec, fixed(0.5))).toBe(2_000);
    expect(backoffDelay(6, spec, fixed(0.999_999_9))).toBe(32_000);
    expect(backoffDelay(7, spec, fixed(0.999_999_9))).toBe(60_000); // capped: 64 s > 60 s
    expect(backoffDelay(5_000, spec, fixed(0.999_999_9))).toBe(60_000); // 2^5000 overflows; still capped
  });

  it('honours another factor', () => {
    expect(backoffDelay(2, { baseMs: 100, maxMs: 10_000, factor: 3 }, fixed(0.999_999_9))).toBe(900);
  });

  it('a broken random source never yields a negative or NaN wait', () => {
    expect(backoffDelay(2, spec, fixed(Number.NaN))).toBe(0);
    expect(backoffDelay(2, spec, fixed(-3))).toBe(0);
    expect(backoffDelay(2, spec, fixed(1))).toBe(0);
  });

  it('rejects programmer errors', () => {
    expect(() => backoffDelay(-1, spec, Math.random)).toThrow(RangeError);
    expect(() => backoffDelay(1.5, spec, Math.random)).toThrow(RangeError);
    expect(() => backoffDelay(1, { baseMs: 100, maxMs: 1_000, factor: 0.5 }, Math.random)).toThrow(RangeError);
  });

  it('property: a whole number in [0, min(max, base × factor^attempt)], and every value there is reachable', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 80 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.constantFrom(1, 1.5, 2, 3),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseMs, maxMs, factor, r) => {
          const ceiling = Math.floor(Math.min(maxMs, baseMs * factor ** attempt));
          const d = backoffDelay(attempt, { baseMs, maxMs, factor }, fixed(r));
          expect(Number.isInteger(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(ceiling);
          // Uniform over 0..ceiling: value v is hit exactly by r in [v/(c+1), (v+1)/(c+1)).
          expect(d).toBe(Math.floor(r * (ceiling + 1)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: monotone in random and in attempt (the ceiling only grows)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r1, r2) => {
        const [lo, hi] = r1 <= r2 ? [r1, r2] : [r2, r1];
        expect(backoffDelay(attempt, DEFAULT_BACKOFF, fixed(lo))).toBeLessThanOrEqual(backoffDelay(attempt, DEFAULT_BACKOFF, fixed(hi)));
        expect(backoffDelay(attempt, DEFAULT_BACKOFF, fixed(r1))).toBeLessThanOrEqual(backoffDelay(attempt + 1, DEFAULT_BACKOFF, fixed(r1)));
      }),
    );
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds (and decimal seconds, as Shopify REST sends)', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfter('2.0', NOW)).toBe(2_000);
    expect(parseRetryAfter('0.25', NOW)).toBe(250);
    expect(parseRetryAfter('-5', NOW)).toBe(0);
  });

  it('reads the three HTTP-date forms, all as GMT', () => {
    expect(parseRetryAfter('Fri, 15 May 2026 12:01:30 GMT', NOW)).toBe(90_000); // IMF-fixdate
    expect(parseRetryAfter('Friday, 15-May-26 12:01:30 GMT', NOW)).toBe(90_000); // RFC 850
    expect(parseRetryAfter('Fri May 15 12:01:30 2026', NOW)).toBe(90_000); // asctime
    expect(parseRetryAfter('Fri May  1 12:00:00 2026', Date.UTC(2026, 4, 1, 11, 59, 0))).toBe(60_000); // asctime, 1-digit day
    expect(parseRetryAfter('fri, 15 may 2026 12:01:30 gmt', NOW)).toBe(90_000); // case-insensitive
  });

  it('a date in the past is 0', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(0);
  });

  it('RFC 850 two-digit years: more than 50 years ahead means the past century', () => {
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(0); // 1994, not 2094
    const in2070 = Date.UTC(2070, 0, 1);
    expect(parseRetryAfter('Wednesday, 01-Jan-70 00:00:10 GMT', Date.UTC(2069, 11, 31, 23, 59, 0))).toBe(in2070 + 10_000 - Date.UTC(2069, 11, 31, 23, 59, 0));
  });

  it('null when absent or unparseable', () => {
    for (const v of [null, undefined, '', '   ', 'soon', '1e3', '12 s', 'Fri, 15 May 2026 12:01:30', 'Fri, 31 Feb 2026 12:00:00 GMT', 'Fri, 15 Foo 2026 12:00:00 GMT', 'Fri, 15 May 2026 25:00:00 GMT']) {
      expect(parseRetryAfter(v, NOW)).toBeNull();
    }
  });

  it('property: any whole number of seconds reads back as ms; any IMF-fixdate as its distance from now', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (s) => {
        expect(parseRetryAfter(String(s), NOW)).toBe(s * 1000);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: -10 * 86_400, max: 10 * 86_400 }), (offsetS) => {
        const at = NOW + offsetS * 1000;
        expect(parseRetryAfter(new Date(at).toUTCString(), NOW)).toBe(Math.max(0, offsetS * 1000));
      }),
    );
  });
});

describe('nextDelay', () => {
  it('takes the channel’s Retry-After as given, else the backoff', () => {
    expect(nextDelay(9, 1_500, spec, fixed(0.99))).toBe(1_500);
    expect(nextDelay(0, 0, spec, fixed(0.99))).toBe(0);
    expect(nextDelay(2, null, spec, fixed(0.5))).toBe(1_000);
  });

  it('property: never shorter than Retry-After when given', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.option(fc.integer({ min: 0, max: 3_600_000 }), { nil: null }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, ra, r) => {
        const d = nextDelay(attempt, ra, spec, fixed(r));
        if (ra !== null) expect(d).toBeGreaterThanOrEqual(ra);
        else expect(d).toBe(backoffDelay(attempt, spec, fixed(r)));
      }),
    );
  });
});

describe('classifyHttp', () => {
  it('429 throttled; 408, 5xx and network errors transient; 401/403 auth; other 4xx permanent', () => {
    expect(classifyHttp(429)).toBe('throttled');
    expect(classifyHttp(null)).toBe('transient');
    expect(classifyHttp(408)).toBe('transient');
    for (const s of [500, 502, 503, 504, 599]) expect(classifyHttp(s)).toBe('transient');
    for (const s of [401, 403]) expect(classifyHttp(s)).toBe('auth');
    for (const s of [400, 404, 409, 413, 422]) expect(classifyHttp(s)).toBe('permanent');
    expect(classifyHttp(301)).toBe('permanent');
  });

  it('a success or a non-status is a programmer error', () => {
    for (const s of [200, 204, 207, 0, 99, 600, 404.5]) expect(() => classifyHttp(s)).toThrow(RangeError);
  });
});

describe('httpFailure', () => {
  it('reports what an answer means and the wait it asks for', () => {
    const headers = new Headers({ 'Retry-After': '7' });
    expect(httpFailure(429, headers, 'slow down', NOW)).toEqual({ ok: false, failure: 'throttled', retryAfterMs: 7_000, message: 'slow down' });
    expect(httpFailure(401, new Headers(), 'no', NOW)).toEqual({ ok: false, failure: 'auth', retryAfterMs: null, message: 'no' });
    expect(httpFailure(null, null, 'reset', NOW)).toMatchObject({ failure: 'transient', retryAfterMs: null });
  });
});
