// eBay's day and the revision limit: Pacific midnight across daylight saving, and, for any
// sequence of changes, no listing is ever revised more than its allowance in one eBay day while
// every held push is told when it may go.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EBAY_REVISIONS_KEPT_BACK, ebayDay, ebayDayEnd, type RevisionChange, RevisionLimit } from './revisions.ts';

describe('eBay’s day', () => {
  it('ends at Pacific midnight, 23 or 25 hours long when the clocks change', () => {
    // 2026-06-01 12:00 UTC is 05:00 PDT: the day ends at 07:00 UTC on 2 June.
    expect(ebayDayEnd(Date.UTC(2026, 5, 1, 12))).toBe(Date.UTC(2026, 5, 2, 7));
    expect(ebayDay(Date.UTC(2026, 5, 1, 6, 59))).toBe('2026-05-31');
    expect(ebayDay(Date.UTC(2026, 5, 1, 7))).toBe('2026-06-01');
    // Winter: PST, UTC-8.
    expect(ebayDayEnd(Date.UTC(2026, 0, 10, 12))).toBe(Date.UTC(2026, 0, 11, 8));
    // 8 March 2026 (spring forward) has 23 hours; 1 November 2026 (fall back) has 25.
    expect(ebayDayEnd(Date.UTC(2026, 2, 8, 12)) - Date.UTC(2026, 2, 8, 8)).toBe(23 * 3_600_000);
    expect(ebayDayEnd(Date.UTC(2026, 10, 1, 12)) - Date.UTC(2026, 10, 1, 7)).toBe(25 * 3_600_000);
  });

  it('the end of a day is the start of the next', () => {
    fc.assert(fc.property(fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2030, 0, 1) }), (ms) => {
      const end = ebayDayEnd(ms);
      expect(end).toBeGreaterThan(ms);
      expect(ebayDay(end - 1)).toBe(ebayDay(ms));
      expect(ebayDay(end)).not.toBe(ebayDay(ms));
    }));
  });
});

describe('RevisionLimit', () => {
  it('never lets a listing pass eBay’s limit in one day, spends the kept-back few only on sell-outs, and always says when a held push may go', () => {
    fc.assert(fc.property(
      fc.integer({ min: EBAY_REVISIONS_KEPT_BACK + 1, max: 250 }),
      fc.array(fc.tuple(fc.integer({ min: 1, max: 30 * 60_000 }), fc.constantFrom<RevisionChange>('raise', 'lower', 'sell_out')), { minLength: 1, maxLength: 600 }),
      (limit, steps) => {
        const r = new RevisionLimit(limit);
        const perDay = new Map<string, number>();
        const notSellOut = new Map<string, number>();
        let now = Date.UTC(2026, 5, 1, 6);
        for (const [gap, change] of steps) {
          now += gap;
          const next = r.nextAt('L', now, change);
          // A lower number is never paced, only stopped by a spent allowance.
          if (change !== 'raise' && next > now) expect(next).toBe(ebayDayEnd(now));
          expect(next).toBeGreaterThanOrEqual(now);
          if (next > now) {
            // Held: never past the day's end.
            expect(next).toBeLessThanOrEqual(ebayDayEnd(now));
            continue;
          }
          r.record('L', now);
          const day = ebayDay(now);
          perDay.set(day, (perDay.get(day) ?? 0) + 1);
          if (change !== 'sell_out') notSellOut.set(day, (notSellOut.get(day) ?? 0) + 1);
        }
        for (const n of perDay.values()) expect(n).toBeLessThanOrEqual(limit);
        for (const n of notSellOut.values()) expect(n).toBeLessThanOrEqual(limit - EBAY_REVISIONS_KEPT_BACK);
      },
    ));
  });

  it('spends the first half freely, then paces the rest over what is left of the day', () => {
    const r = new RevisionLimit(110); // allowance 100, paced from 50
    const start = Date.UTC(2026, 5, 1, 8); // 01:00 Pacific
    for (let k = 0; k < 50; k++) {
      expect(r.nextAt('L', start)).toBe(start);
      r.record('L', start);
    }
    const next = r.nextAt('L', start);
    // 50 left over the 23 hours to midnight: about one every 27 minutes.
    expect(next - start).toBe(Math.ceil((ebayDayEnd(start) - start) / 51));
    expect(r.report(start)).toMatchObject({ held: 1, paced: 1, exhausted: 0, max_used: 50, per_listing_per_day: 100, paced_from: 50 });
    // A lower number, or a sell-out, is not held.
    expect(r.nextAt('L', start, 'lower')).toBe(start);
    expect(r.nextAt('L', start, 'sell_out')).toBe(start);
    // Another listing is not held.
    expect(r.nextAt('M', start)).toBe(start);
    // The next day starts afresh.
    expect(r.nextAt('L', ebayDayEnd(start))).toBe(ebayDayEnd(start));
    expect(r.used('L', ebayDayEnd(start))).toBe(0);
  });
});
