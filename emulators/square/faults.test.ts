import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, harness, inStock, LOCATION, physicalCount, START } from './test-support.ts';

let h: Harness;
beforeEach(async () => {
  h = await harness({ rateLimit: { burst: 3, ratePerSecond: 1 } });
  await h.seed('VAR1', 1);
});
afterEach(() => h.close());

const counts = () => h.call('POST', '/v2/inventory/counts/batch-retrieve', { body: {} });

describe('rate limits', () => {
  it('answers 429 RATE_LIMIT_ERROR / RATE_LIMITED past the bucket, refills with time, and counts per operation', async () => {
    for (let i = 0; i < 3; i++) expect((await counts()).status).toBe(200);
    const throttled = await counts();
    expect(throttled.status).toBe(429);
    expect(throttled.body.errors[0]).toMatchObject({ category: 'RATE_LIMIT_ERROR', code: 'RATE_LIMITED' });
    expect(throttled.headers.get('retry-after')).toBeNull();
    await h.scheduler.advance(1000);
    expect((await h.call('GET', '/v2/inventory/VAR1')).status).toBe(200);
    const c = h.square.counters();
    expect(c.throttled).toBe(1);
    expect(c.operations.BatchRetrieveInventoryCounts).toEqual({ calls: 4, throttled: 1 });
    expect(c.operations.RetrieveInventoryCount).toEqual({ calls: 1, throttled: 0 });
  });

  it('puts a Retry-After on 429s only when configured', async () => {
    const h2 = await harness({ rateLimit: { burst: 1, ratePerSecond: 0.5 }, throttleRetryAfter: true });
    await h2.call('POST', '/v2/inventory/counts/batch-retrieve', { body: {} });
    const a = await h2.call('POST', '/v2/inventory/counts/batch-retrieve', { body: {} });
    expect(a.status).toBe(429);
    expect(a.headers.get('retry-after')).toBe('2');
    await h2.close();
  });

  it('changes burst and rate through the control surface, refusing a bad shape as a problem', async () => {
    expect((await h.control('POST', '/_emulator/rate-limit', { burst: 50, rate_per_second: 25 })).body).toEqual({ burst: 50, rate_per_second: 25 });
    const bad = await h.control('POST', '/_emulator/rate-limit', { burst: 0, rate_per_second: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_input');
  });
});

describe('fault switches', () => {
  it('answers armed faults as API_ERROR with their status, for one operation or any', async () => {
    await h.control('POST', '/_emulator/api-faults', { fault: 'SERVICE_UNAVAILABLE', times: 1, operation: 'BatchChangeInventory' });
    await h.control('POST', '/_emulator/api-faults', { fault: 'INTERNAL_SERVER_ERROR', times: 1 });
    const a = await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'f1', changes: [physicalCount('VAR1', '5', START)] } });
    expect(a.status).toBe(503);
    expect(a.body.errors[0]).toMatchObject({ category: 'API_ERROR', code: 'SERVICE_UNAVAILABLE' });
    const b = await counts();
    expect(b.status).toBe(500);
    expect(b.body.errors[0].code).toBe('INTERNAL_SERVER_ERROR');
    expect((await counts()).status).toBe(200);
    // The faulted batch recorded nothing, so its key is still free.
    await h.scheduler.advance(2000);
    expect(await inStock(h, 'VAR1')).toBe('1');
    expect((await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'f1', changes: [physicalCount('VAR1', '5', START)] } })).status).toBe(200);
  });

  it('goes down as 503 with Retry-After or as a reset connection, and comes back', async () => {
    await h.control('POST', '/_emulator/outage', { seconds: 30 });
    const down = await counts();
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('30');
    await h.scheduler.advance(30_000);
    await h.control('POST', '/_emulator/outage', { seconds: 5, mode: 'reset' });
    await expect(h.fetch(`http://connect.squareup.emulated/v2/inventory/VAR1`, { headers: { authorization: `Bearer ${h.square.accessToken}` } })).rejects.toThrow('fetch failed');
    await h.scheduler.advance(5000);
    expect((await counts()).status).toBe(200);
  });

  it('rotates the access token: the old one answers 401', async () => {
    const old = h.square.accessToken;
    await h.control('POST', '/_emulator/access-token', { access_token: 'EAAAnew' });
    expect((await h.call('GET', '/v2/inventory/VAR1', { token: old })).status).toBe(401);
    expect((await h.call('GET', '/v2/inventory/VAR1')).status).toBe(200);
  });
});

describe('control surface', () => {
  it('lists counts and state, and resets to a fresh merchant (idempotency keys forgotten)', async () => {
    await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'k', changes: [physicalCount('VAR1', '5', START)] } });
    expect((await h.control('GET', '/_emulator/counts')).body.counts).toEqual([expect.objectContaining({ catalog_object_id: 'VAR1', quantity: '5', location_id: LOCATION })]);
    const state = (await h.control('GET', '/_emulator/state')).body;
    expect(state).toMatchObject({ locations: [{ id: LOCATION }], catalog: [{ id: 'VAR1', price_amount: 500 }] });
    expect((await h.control('POST', '/_emulator/reset')).status).toBe(200);
    expect((await h.control('GET', '/_emulator/counts')).body.counts).toEqual([]);
    await h.seed('VAR1');
    const again = await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'k', changes: [physicalCount('VAR1', '6', START)] } });
    expect(again.status).toBe(200);
    expect(h.square.counters().requests).toBe(1);
  });

  it('refuses unknown fields and endpoints as problems', async () => {
    const a = await h.control('POST', '/_emulator/catalog', { id: 'X', colour: 'red' });
    expect(a.status).toBe(400);
    expect(a.body).toMatchObject({ type: '/_emulator/problems/invalid_input', code: 'invalid_input' });
    expect((await h.control('POST', '/_emulator/nothing')).status).toBe(404);
  });

  it('answers unknown API paths 404 and wrong methods 405 in Square error shape', async () => {
    const res = await h.fetch('http://connect.squareup.emulated/v2/inventory/changes/batch-create', { headers: { authorization: `Bearer ${h.square.accessToken}` } });
    expect(res.status).toBe(405);
    expect(((await res.json()) as any).errors[0].code).toBe('METHOD_NOT_ALLOWED');
    const nf = await h.fetch('http://connect.squareup.emulated/v2/payments', { headers: { authorization: `Bearer ${h.square.accessToken}` } });
    expect(nf.status).toBe(404);
  });
});
