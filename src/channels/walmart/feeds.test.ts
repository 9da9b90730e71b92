// The hourly feed window and the feed file: invariants.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../app/clock.ts';
import { buildFeedFile, FeedWindow, itemOutcome, WALMART_FEED_ITEMS_MAX, WALMART_FEEDS_PER_HOUR } from './feeds.ts';

const HOUR_MS = 3_600_000;

describe('the hourly feed window', () => {
  it('never lets more than 10 feeds out in any rolling hour, and never refuses one the hour has room for (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 * 60_000 }), fc.boolean()), { maxLength: 200 }), (steps) => {
      const clock = new ManualClock(0);
      const w = new FeedWindow(clock);
      const sent: number[] = [];
      for (const [advance, want] of steps) {
        clock.advance(advance);
        const inLastHour = sent.filter((t) => t > clock.now() - HOUR_MS).length;
        const ready = w.ready();
        // Room in a rolling hour (plus the window's minute of slack) means ready.
        const inWindow = sent.filter((t) => t > clock.now() - HOUR_MS - 60_000).length;
        if (inWindow < WALMART_FEEDS_PER_HOUR) expect(ready).toBe(true);
        if (want && ready) {
          w.spend();
          sent.push(clock.now());
          expect(inLastHour + 1).toBeLessThanOrEqual(WALMART_FEEDS_PER_HOUR);
        }
      }
    }));
  });

  it('a pause holds feeds until it ends', () => {
    const clock = new ManualClock(0);
    const w = new FeedWindow(clock);
    w.pause(10_000);
    expect(w.ready()).toBe(false);
    clock.advance(10_000);
    expect(w.ready()).toBe(true);
  });
});

describe('the feed file', () => {
  it('is the 1.4 inventory shape, one item per SKU, within the item limit', () => {
    expect(buildFeedFile([{ sku: 'A', quantity: 3 }])).toEqual({ InventoryHeader: { version: '1.4' }, Inventory: [{ sku: 'A', quantity: { unit: 'EACH', amount: 3 } }] });
    expect(() => buildFeedFile([])).toThrow(RangeError);
    expect(() => buildFeedFile(Array.from({ length: WALMART_FEED_ITEMS_MAX + 1 }, (_, k) => ({ sku: `S${k}`, quantity: 1 })))).toThrow(RangeError);
  });

  it('item statuses: SUCCESS acknowledged, DATA_ERROR rejected with its reason, the rest pushed again', () => {
    expect(itemOutcome({ ingestionStatus: 'SUCCESS' })).toEqual({ status: 'acknowledged' });
    expect(itemOutcome({ ingestionStatus: 'DATA_ERROR', ingestionErrors: { ingestionError: [{ type: 'DATA_ERROR', code: 'E1', description: 'bad' }] } })).toEqual({ status: 'rejected', reason: 'Walmart refused the feed item: E1: bad' });
    for (const s of ['SYSTEM_ERROR', 'TIMEOUT_ERROR', 'INPROGRESS', undefined]) expect(itemOutcome({ ingestionStatus: s })).toEqual({ status: 'not_applied' });
  });
});
