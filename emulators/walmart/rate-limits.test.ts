import { afterEach, describe, expect, it } from 'vitest';
import { settle } from '../kit/index.ts';
import { DEFAULT_RATE_LIMITS, OPERATIONS } from './rate-limits.ts';
import { harness, type Harness } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

describe('per-operation buckets', () => {
  it('answers 429 REQUEST_THRESHOLD_VIOLATED with Retry-After once the bucket is empty, and counts calls and throttled answers per operation', async () => {
    h = await harness({ rateLimits: { getInventory: { size: 2, perMinute: 60 } } });
    h.walmart.addSku({ sku: 'A', quantity: 1 });
    const get = () => h.call('GET', '/v3/inventory', { query: { sku: 'A' } });
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    const throttled = await get();
    expect([throttled.status, throttled.body.errors[0].code, throttled.body.errors[0].category]).toEqual([429, 'REQUEST_THRESHOLD_VIOLATED', 'REQUEST']);
    expect(throttled.headers.get('retry-after')).toBe('1');
    await h.scheduler.advance(1000);
    expect((await get()).status).toBe(200);
    expect(h.walmart.counters().operations.getInventory).toEqual({ calls: 4, throttled: 1 });
    expect(h.walmart.counters().throttled).toBe(1);
  });

  it('buckets are settable and drainable through the control surface; every served operation has a default', async () => {
    h = await harness();
    for (const op of OPERATIONS) expect(DEFAULT_RATE_LIMITS[op].size).toBeGreaterThanOrEqual(1);
    h.walmart.addSku({ sku: 'A', quantity: 1 });
    expect((await h.control('POST', '/_emulator/rate-limits', { operation: 'getInventory', size: 1, per_minute: 6 })).body).toEqual({ operation: 'getInventory', size: 1, per_minute: 6 });
    expect((await h.control('POST', '/_emulator/rate-limits/getInventory/drain')).status).toBe(200);
    const t = await h.call('GET', '/v3/inventory', { query: { sku: 'A' } });
    expect([t.status, t.headers.get('retry-after')]).toEqual([429, '10']);
    const bad = await h.control('POST', '/_emulator/rate-limits', { operation: 'nope', size: 1, per_minute: 1 });
    expect([bad.status, bad.body.code]).toEqual([400, 'invalid_input']);
  });
});

describe('fault switches', () => {
  it('armed faults answer 500/503/504 in Walmart\'s error shape for the next N calls of an operation', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 1 });
    await h.login();
    h.walmart.failNext('SYSTEM_ERROR', 1, 'getInventory');
    h.walmart.failNext('DOWNSTREAM_SYSTEM_TIME_OUT', 1);
    const a = await h.call('GET', '/v3/inventory', { query: { sku: 'A' } });
    expect([a.status, a.body.errors[0].code]).toEqual([500, 'SYSTEM_ERROR']);
    const b = await h.call('GET', '/v3/inventories/A');
    expect([b.status, b.body.errors[0].code]).toEqual([504, 'DOWNSTREAM_SYSTEM_TIME_OUT']);
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'A' } })).status).toBe(200);
    expect(h.walmart.counters().apiFaults).toBe(2);
  });

  it('an outage answers 503 with Retry-After and no body, or resets the connection; the control surface keeps working', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 1 });
    await h.login();
    expect((await h.control('POST', '/_emulator/outage', { seconds: 30 })).status).toBe(202);
    const down = await h.call('GET', '/v3/inventory', { query: { sku: 'A' } });
    expect([down.status, down.body, down.headers.get('retry-after')]).toEqual([503, undefined, '30']);
    expect((await h.control('GET', '/_emulator/skus')).status).toBe(200);
    await h.scheduler.advance(30_000);
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'A' } })).status).toBe(200);
    h.walmart.goDown(5, 'reset');
    await expect(h.fetch('https://marketplace.walmartapis.emulated/v3/inventory?sku=A', { headers: { 'WM_SVC.NAME': 'x', 'WM_QOS.CORRELATION_ID': 'y' } })).rejects.toThrow(TypeError);
  });

  it('latency holds every answer for the set time on the clock', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 1 });
    await h.login();
    h.walmart.setLatency(2000);
    let answered = false;
    const pending = h.call('GET', '/v3/inventory', { query: { sku: 'A' } }).then((a) => ((answered = true), a));
    await settle();
    await h.scheduler.advance(1999);
    expect(answered).toBe(false);
    await h.scheduler.advance(1);
    expect((await pending).status).toBe(200);
  });

  it('reset gives a fresh account: SKUs, orders, feeds, subscriptions, counters, buckets and faults as at the start', async () => {
    h = await harness({ rateLimits: { getInventory: { size: 1, perMinute: 1 } } });
    h.walmart.addSku({ sku: 'A', quantity: 1 });
    h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 1 }] });
    await h.call('GET', '/v3/inventory', { query: { sku: 'A' } });
    h.walmart.failNext('SYSTEM_ERROR', 5);
    expect((await h.control('POST', '/_emulator/reset')).status).toBe(200);
    const s = (await h.control('GET', '/_emulator/state')).body;
    expect([s.skus, s.orders, s.feeds, s.subscriptions, s.api_faults]).toEqual([[], [], [], [], []]);
    expect(s.counters).toMatchObject({ requests: 0, ordersPlaced: 0, operations: {} });
    h.walmart.addSku({ sku: 'A', quantity: 1 });
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'A' } })).status).toBe(200);
  });
});

describe('control surface', () => {
  it('plays the seller and Walmart: SKUs with quantities, hand edits, feed delays and per-SKU feed failures; bad input is a problem naming the field', async () => {
    h = await harness();
    expect((await h.control('POST', '/_emulator/skus', { sku: 'A', quantity: 4, product_name: 'Widget', price: 12.5 })).status).toBe(201);
    expect((await h.control('POST', '/_emulator/skus/A/quantity', { quantity: 9 })).body.nodes[0]).toEqual({ ship_node: h.walmart.shipNodes[0], quantity: 9, reserved: 0 });
    expect((await h.control('POST', '/_emulator/skus/A/feed-failure', { fail: true, type: 'TIMEOUT_ERROR' })).body.feed_failure).toMatchObject({ type: 'TIMEOUT_ERROR' });
    expect((await h.control('GET', '/_emulator/skus')).body.skus.map((s: { sku: string }) => s.sku)).toEqual(['A']);
    expect((await h.control('POST', '/_emulator/feed-delays', { feed_received_ms: 1000, feed_processing_ms: 2000, feeds_per_hour: 30 })).body).toEqual({ feed_received_ms: 1000, feed_processing_ms: 2000, feeds_per_hour: 30 });
    const bad = await h.control('POST', '/_emulator/skus', { sku: 'B', quantity: -1 });
    expect([bad.status, bad.body.code, bad.body.detail]).toEqual([400, 'invalid_input', 'quantity must be a whole number of 0 or more']);
    const unknownField = await h.control('POST', '/_emulator/skus', { sku: 'B', qty: 1 });
    expect(unknownField.body.detail).toMatch(/^qty is not a known field/);
    expect((await h.control('POST', '/_emulator/skus/NOPE/quantity', { quantity: 1 })).status).toBe(404);
    expect((await h.control('GET', '/_emulator/nothing')).status).toBe(404);
  });
});
