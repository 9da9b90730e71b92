import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_USAGE_PLANS, OPERATIONS, rateHeader } from './rate-limits.ts';
import { harness, type Harness, listingPath, MARKETPLACE, SPECS } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

const q = { marketplaceIds: MARKETPLACE };

describe('usage plans', () => {
  it('the defaults are the ones each operation documents in the models', () => {
    const found = new Map<string, { rate: number; burst: number }>();
    for (const file of ['listingsItems_2021-08-01.json', 'feeds_2021-06-30.json', 'orders_2026-01-01.json', 'fbaInventory.json']) {
      const model = JSON.parse(readFileSync(`${SPECS}${file}`, 'utf8')) as { paths: Record<string, Record<string, { operationId?: string; description?: string }>> };
      for (const item of Object.values(model.paths)) {
        for (const op of Object.values(item)) {
          const m = /\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|/.exec(op?.description ?? '');
          if (op?.operationId && m) found.set(op.operationId, { rate: Number(m[1]), burst: Number(m[2]) });
        }
      }
    }
    for (const op of OPERATIONS) expect(DEFAULT_USAGE_PLANS[op], op).toEqual(found.get(op));
  });

  it('answers 429 QuotaExceeded once the burst is spent, refills at the rate, and counts both', async () => {
    h = await harness();
    h.amazon.addListing({ sku: 'MUG', quantity: 1 });
    await h.login();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await h.call('GET', listingPath('MUG'), { query: q })).status);
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    const throttled = await h.call('GET', listingPath('MUG'), { query: q });
    expect(throttled.status).toBe(429);
    expect(throttled.body).toEqual({ errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }] });
    expect(throttled.headers.get('retry-after')).toBeNull();
    expect(throttled.headers.get('x-amzn-ratelimit-limit')).toBeNull();
    await h.scheduler.advance(200); // 5 per second: one token
    expect((await h.call('GET', listingPath('MUG'), { query: q })).status).toBe(200);
    expect((await h.call('GET', listingPath('MUG'), { query: q })).status).toBe(429);
    expect(h.amazon.counters().operations.getListingsItem).toEqual({ calls: 14, throttled: 3 });
    expect(h.amazon.counters().throttled).toBe(3);
    // Buckets are per operation: a patch still has its own five.
    expect((await h.call('PATCH', listingPath('MUG'), { query: q, body: { productType: 'PRODUCT', patches: [{ op: 'delete', path: '/attributes/fulfillment_availability' }] } })).status).toBe(200);
  });

  it('a changed usage plan shows in x-amzn-RateLimit-Limit; Retry-After only when switched on', async () => {
    h = await harness({ throttleRetryAfter: true });
    h.amazon.addListing({ sku: 'MUG', quantity: 1 });
    h.amazon.setUsagePlan('getListingsItem', { rate: 0.5, burst: 1 });
    const first = await h.call('GET', listingPath('MUG'), { query: q });
    expect(first.headers.get('x-amzn-ratelimit-limit')).toBe('0.5');
    const second = await h.call('GET', listingPath('MUG'), { query: q });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('2');
    h.amazon.drainBucket('searchOrders');
    expect((await h.call('GET', '/orders/2026-01-01/orders', { query: { createdAfter: '2026-11-23T09:00:00Z' } })).status).toBe(429);
    expect(() => h.amazon.setUsagePlan('getOrders', { rate: 1, burst: 1 })).toThrow(/not one the emulator serves/);
    expect(() => h.amazon.setUsagePlan('getOrder', { rate: 0, burst: 1 })).toThrow(/above 0/);
  });

  it('writes rates as Amazon does', () => {
    expect([5, 0.0056, 0.5, 2].map(rateHeader)).toEqual(['5.0', '0.0056', '0.5', '2.0']);
  });
});
