import { afterEach, describe, expect, it } from 'vitest';
import { settle } from '../kit/index.ts';
import { FUL, harness, type Harness, INV, ORIGIN } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

describe('fault switches', () => {
  it('fails the next calls of an operation with the API\'s own system error (500) or 503, then answers again', async () => {
    h = await harness();
    h.ebay.addListing({ sku: 'MUG', quantity: 1 });
    await h.control('POST', '/_emulator/api-faults', { fault: 'InternalError', times: 1, operation: 'bulkUpdatePriceQuantity' });
    h.ebay.failNext('ServiceUnavailable', 1, 'getOrders');
    const bulk = () => h.call('POST', `${INV}/bulk_update_price_quantity`, { body: { requests: [{ sku: 'MUG', shipToLocationAvailability: { quantity: 4 } }] } });
    const failed = await bulk();
    expect(failed.status).toBe(500);
    expect(failed.body.errors[0]).toMatchObject({ errorId: 25001, domain: 'API_INVENTORY', category: 'APPLICATION' });
    expect(h.ebay.quantity('MUG')).toBe(1);
    expect((await bulk()).status).toBe(200);
    expect((await h.call('GET', `${FUL}/order`)).status).toBe(503);
    expect((await h.call('GET', `${FUL}/order`)).status).toBe(200);
    expect(h.ebay.counters().apiFaults).toBe(2);
  });

  it('goes down with 503 and Retry-After, or resets connections, and comes back on the clock', async () => {
    h = await harness();
    await h.login();
    await h.control('POST', '/_emulator/outage', { seconds: 3 });
    const down = await h.call('GET', `${FUL}/order`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('3');
    await h.scheduler.advance(3000);
    expect((await h.call('GET', `${FUL}/order`)).status).toBe(200);
    h.ebay.goDown(1, 'reset');
    await expect(h.fetch(`${ORIGIN}${FUL}/order`)).rejects.toMatchObject({ cause: { code: 'ECONNRESET' } });
  });

  it('holds answers for the set latency on the scheduler', async () => {
    h = await harness();
    await h.login();
    h.ebay.setLatency(500);
    let done = false;
    const pending = h.call('GET', `${FUL}/order`).then((a) => ((done = true), a));
    await settle();
    await h.scheduler.advance(499);
    expect(done).toBe(false);
    await h.scheduler.advance(1);
    expect((await pending).status).toBe(200);
  });
});

describe('control surface', () => {
  it('adds listings, edits quantities by hand (no revision), plays orders, shows counters, and resets', async () => {
    h = await harness();
    const added = await h.control('POST', '/_emulator/listings', { sku: 'MUG', quantity: 5, available_quantity: 4, price: '12.50' });
    expect(added.status).toBe(201);
    expect(added.body.offers[0]).toMatchObject({ buyer_visible_quantity: 4, revisions_today: 0, revisions_left_today: 250, status: 'PUBLISHED' });
    const edited = await h.control('POST', '/_emulator/listings/MUG/quantity', { quantity: 9, available_quantity: null });
    expect(edited.body).toMatchObject({ ship_to_home_quantity: 9, offers: [{ available_quantity: null, buyer_visible_quantity: 9, revisions_today: 0 }] });
    const placed = await h.control('POST', '/_emulator/orders', { lines: [{ sku: 'MUG', quantity: 2 }], paid: false });
    expect(placed.status).toBe(201);
    const id = placed.body.order_id as string;
    expect((await h.control('POST', `/_emulator/orders/${id}/pay`)).body.paid).toBe(true);
    expect((await h.control('POST', `/_emulator/orders/${id}/request-cancellation`, { initiator: 'BUYER' })).body.cancel_state).toBe('CANCEL_REQUESTED');
    expect((await h.control('POST', `/_emulator/orders/${id}/cancel`, { restock: false })).body.cancel_state).toBe('CANCELED');
    expect(h.ebay.quantity('MUG')).toBe(7);
    const again = await h.control('POST', `/_emulator/orders/${id}/ship`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'order_state', status: 409 });
    const tooMany = await h.control('POST', '/_emulator/orders', { lines: [{ sku: 'MUG', quantity: 8 }] });
    expect(tooMany.body).toMatchObject({ code: 'out_of_stock', status: 409 });
    const bad = await h.control('POST', '/_emulator/listings', { sku: 'CUP', quantity: 'many' });
    expect(bad).toMatchObject({ status: 400, body: { code: 'invalid_input', detail: 'quantity must be an integer' } });
    expect((await h.control('POST', '/_emulator/faults', { duplicate: 2 })).status).toBe(400);
    expect((await h.control('POST', '/_emulator/faults', { drop: 0.5, delay_ms: [10, 20] })).body).toEqual({ duplicate: 0, drop: 0.5, reorder: 0, delayMs: [10, 20] });
    expect((await h.control('GET', '/_emulator/counters')).body).toMatchObject({ ordersPlaced: 1, ordersRefusedOutOfStock: 1 });
    expect((await h.control('GET', `/_emulator/orders/${id}`)).body.order_id).toBe(id);
    expect((await h.control('POST', '/_emulator/reset')).status).toBe(200);
    expect((await h.control('GET', '/_emulator/listings')).body.listings).toEqual([]);
    expect((await h.control('GET', '/_emulator/nothing')).status).toBe(404);
  });
});
