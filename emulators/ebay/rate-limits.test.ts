import { afterEach, describe, expect, it } from 'vitest';
import { nextEbayMidnight } from './rate-limits.ts';
import { FUL, harness, type Harness, INV, START } from './test-support.ts';
import { ebayDay } from './time.ts';

let h: Harness;
afterEach(() => h?.close());

const THROTTLED = { errors: [{ errorId: 2001, domain: 'ACCESS', category: 'REQUEST', message: expect.stringMatching(/Too many requests/) }] };

describe('call limits', () => {
  it('throttles past the short-window bucket with 429 and counts calls and throttles per operation', async () => {
    h = await harness();
    h.ebay.addListing({ sku: 'MUG', quantity: 1 });
    expect((await h.control('POST', '/_emulator/limits', { api: 'inventory', rate: 1, burst: 2 })).body).toMatchObject({ rate: 1, burst: 2 });
    const get = () => h.call('GET', `${INV}/inventory_item/MUG`);
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    const third = await get();
    expect(third.status).toBe(429);
    expect(third.body).toEqual(THROTTLED);
    expect(third.headers.get('retry-after')).toBeNull();
    // Another API's bucket is its own.
    expect((await h.call('GET', `${FUL}/order`)).status).toBe(200);
    await h.scheduler.advance(1000);
    expect((await get()).status).toBe(200);
    expect(h.ebay.counters()).toMatchObject({ throttled: 1, operations: { getInventoryItem: { calls: 4, throttled: 1 }, getOrders: { calls: 1, throttled: 0 } } });
    await h.control('POST', '/_emulator/limits/inventory/drain');
    expect((await get()).status).toBe(429);
  });

  it('refuses past the daily quota until Pacific midnight, with Retry-After when asked for', async () => {
    h = await harness({ limits: { fulfillment: { daily: 2 } }, throttleRetryAfter: true });
    const list = () => h.call('GET', `${FUL}/order`);
    expect((await list()).status).toBe(200);
    expect((await list()).status).toBe(200);
    const over = await list();
    expect(over.status).toBe(429);
    // START is 02:00 PST; the day turns at 08:00 UTC the next day: 22 h away.
    expect(over.headers.get('retry-after')).toBe(String(22 * 3600));
    expect((await h.control('GET', '/_emulator/state')).body.limits.fulfillment).toMatchObject({ daily: 2, usedToday: 2, day: '2026-11-23' });
    await h.scheduler.advance(22 * 3_600_000);
    await h.login();
    expect((await list()).status).toBe(200);
  });

  it('knows eBay\'s day across daylight saving', () => {
    expect(ebayDay(START)).toBe('2026-11-23');
    expect(new Date(nextEbayMidnight(START)).toISOString()).toBe('2026-11-24T08:00:00.000Z');
    // Summer (PDT, UTC−7).
    expect(new Date(nextEbayMidnight(Date.parse('2026-07-01T12:00:00Z'))).toISOString()).toBe('2026-07-02T07:00:00.000Z');
    // The night clocks go back (1 Nov 2026): that Pacific day is 25 hours long.
    expect(new Date(nextEbayMidnight(Date.parse('2026-11-01T07:00:00Z'))).toISOString()).toBe('2026-11-02T08:00:00.000Z');
  });
});
