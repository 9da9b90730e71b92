import { afterEach, describe, expect, it } from 'vitest';
import { settle } from '../kit/index.ts';
import { control, harness, type Harness, listingPath, MARKETPLACE, ORIGIN, quantityPatch } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

const q = { marketplaceIds: MARKETPLACE };

describe('fault switches', () => {
  it('an outage answers 503 with Retry-After, or resets the connection, until it ends; control keeps working', async () => {
    h = await harness();
    h.amazon.addListing({ sku: 'MUG', quantity: 1 });
    await h.login();
    h.amazon.goDown(30);
    const down = await h.call('GET', listingPath('MUG'), { query: q });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('30');
    expect((await control(h, 'GET', '/_emulator/listings')).status).toBe(200);
    await h.scheduler.advance(30_000);
    expect((await h.call('GET', listingPath('MUG'), { query: q })).status).toBe(200);
    h.amazon.goDown(5, 'reset');
    await expect(h.fetch(`${ORIGIN}${listingPath('MUG')}?marketplaceIds=${MARKETPLACE}`)).rejects.toThrow('fetch failed');
  });

  it('armed 500/503 answers hit the next calls (of one operation when named) and spend their token', async () => {
    h = await harness();
    h.amazon.addListing({ sku: 'MUG', quantity: 1 });
    h.amazon.failNext('InternalFailure', 2, 'patchListingsItem');
    h.amazon.failNext('ServiceUnavailable', 1);
    expect((await h.call('GET', listingPath('MUG'), { query: q })).status).toBe(503);
    const a = await h.call('PATCH', listingPath('MUG'), { query: q, body: quantityPatch(3) });
    expect(a.status).toBe(500);
    expect(a.body.errors[0].code).toBe('InternalFailure');
    expect((await h.call('PATCH', listingPath('MUG'), { query: q, body: quantityPatch(3) })).status).toBe(500);
    expect((await h.call('PATCH', listingPath('MUG'), { query: q, body: quantityPatch(3) })).status).toBe(200);
    expect(h.amazon.counters()).toMatchObject({ apiFaults: 3, patchesAccepted: 1 });
    expect(h.amazon.counters().operations.patchListingsItem?.calls).toBe(3);
  });

  it('latency holds every answer for the set time on the clock', async () => {
    h = await harness();
    h.amazon.addListing({ sku: 'MUG', quantity: 1 });
    await h.login();
    h.amazon.setLatency(2000);
    let done = false;
    const pending = h.call('GET', listingPath('MUG'), { query: q }).then((r) => ((done = true), r));
    while (h.scheduler.waiting === 0) await settle();
    await h.scheduler.advance(1999);
    expect(done).toBe(false);
    await h.scheduler.advance(1);
    expect((await pending).status).toBe(200);
  });
});

describe('control surface', () => {
  it('places and moves orders, sets FBA stock, hand-edits quantities, lists listings, and resets', async () => {
    h = await harness();
    expect((await control(h, 'POST', '/_emulator/listings', { sku: 'MUG', quantity: 5 })).status).toBe(201);
    expect((await control(h, 'POST', '/_emulator/listings', { sku: 'MUG-FBA', channel: 'AFN' })).status).toBe(201);
    const fba = await control(h, 'POST', '/_emulator/fba/MUG-FBA', { fulfillable: 4, inbound_shipped: 6 });
    expect(fba.body).toMatchObject({ sku: 'MUG-FBA', fulfillable: 4, inbound_shipped: 6 });
    expect((await control(h, 'POST', '/_emulator/fba/MUG-FBA/receive', { quantity: 6 })).body).toMatchObject({ fulfillable: 10, inbound_shipped: 0 });
    const placed = await control(h, 'POST', '/_emulator/orders', { lines: [{ sku: 'MUG', quantity: 2 }] });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ status: 'PENDING', fulfilled_by: 'MERCHANT' });
    const id = placed.body.order_id as string;
    expect((await control(h, 'POST', `/_emulator/orders/${id}/confirm-payment`)).body.status).toBe('UNSHIPPED');
    expect((await control(h, 'POST', `/_emulator/orders/${id}/ship`, { lines: [{ sku: 'MUG', quantity: 1 }] })).body.status).toBe('PARTIALLY_SHIPPED');
    expect((await control(h, 'POST', `/_emulator/orders/${id}/cancel`)).status).toBe(409);
    expect((await control(h, 'POST', '/_emulator/listings/MUG/quantity', { quantity: 9 })).body).toMatchObject({ quantity: 9 });
    const listings = (await control(h, 'GET', '/_emulator/listings')).body.listings;
    expect(listings.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([['MUG', 9], ['MUG-FBA', 10]]);
    expect((await control(h, 'POST', '/_emulator/delays', { listing_processing_ms: 100 })).body).toMatchObject({ listing_processing_ms: 100 });
    expect((await control(h, 'POST', '/_emulator/usage-plans', { operation: 'patchListingsItem', rate: 10, burst: 20 })).body).toEqual({ rate: 10, burst: 20 });
    expect((await control(h, 'POST', '/_emulator/api-faults', { fault: 'InternalFailure', times: 1 })).body.armed).toHaveLength(1);
    expect((await control(h, 'POST', '/_emulator/faults', { drop: 0.5 })).body).toMatchObject({ drop: 0.5 });
    expect((await control(h, 'GET', '/_emulator/state')).body).toMatchObject({ counters: { ordersPlaced: 1 }, usage_plans: { patchListingsItem: { rate: 10, burst: 20 } } });
    expect((await control(h, 'POST', '/_emulator/reset')).status).toBe(200);
    const after = (await control(h, 'GET', '/_emulator/state')).body;
    expect(after).toMatchObject({ listings: [], orders: [], api_faults: [], counters: { ordersPlaced: 0 }, usage_plans: { patchListingsItem: { rate: 5, burst: 5 } }, delays: { listing_processing_ms: 5000 } });
  });

  it('answers problems naming the field for bad input', async () => {
    h = await harness();
    const cases: [string, unknown, number, RegExp][] = [
      ['/_emulator/listings', { sku: '' }, 400, /sku/],
      ['/_emulator/listings', { sku: 'A', colour: 'red' }, 400, /colour/],
      ['/_emulator/orders', { lines: [{ sku: 'NOPE', quantity: 1 }] }, 404, /NOPE/],
      ['/_emulator/orders', { lines: 'x' }, 400, /lines/],
      ['/_emulator/fba/A', { fulfillable: -1 }, 400, /fulfillable/],
      ['/_emulator/fba/A', { stock: 1 }, 400, /stock/],
      ['/_emulator/orders/111-0000000-0000000/ship', {}, 404, /111-0000000-0000000/],
      ['/_emulator/outage', { seconds: 0 }, 400, /seconds/],
      ['/_emulator/notifications', { address: 'ftp://x', secret: 's' }, 400, /http/],
      ['/_emulator/api-faults', { fault: 'Boom' }, 400, /fault/],
      ['/_emulator/delays', { feed_queue_ms: -1 }, 400, /feedQueueMs/],
    ];
    for (const [path, body, status, detail] of cases) {
      const r = await control(h, 'POST', path, body);
      expect(r.status, path).toBe(status);
      expect(r.body.detail, path).toMatch(detail);
      expect(r.body.type).toMatch(/^\/_emulator\/problems\//);
    }
  });
});
