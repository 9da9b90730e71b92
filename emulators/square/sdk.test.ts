// The official `square` SDK drives the emulator through the kit's in-process fetch, so the SDK
// and the emulator agree on paths, bodies, paging and errors. Every inventory request the SDK
// sends and every answer it gets is validated against the official model on the way.

import { SquareClient, SquareError } from 'square';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectSdkOrder, type Harness, harness, LOCATION, model, ORIGIN, START } from './test-support.ts';

let h: Harness;
let client: SquareClient;
let seen: { url: string; status: number }[];

beforeEach(async () => {
  h = await harness();
  seen = [];
  const validating = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' && init.body !== '' ? JSON.parse(init.body) : undefined;
    const res = await h.fetch(input, init);
    const text = await res.clone().text();
    if (new URL(url).pathname.startsWith('/v2/inventory')) {
      const check = model().validateRequest({ method, url, body });
      expect(check.errors, `SDK request ${method} ${url}`).toEqual([]);
      expect(model().validateResponse({ operationId: check.operationId!, status: 200, body: JSON.parse(text) }), text).toEqual([]);
    }
    seen.push({ url, status: res.status });
    return res;
  }) as typeof fetch;
  client = new SquareClient({ token: h.square.accessToken, baseUrl: ORIGIN, fetch: validating, maxRetries: 0 });
  for (let i = 0; i < 3; i++) await h.seed(`VAR${i}`);
});
afterEach(() => h.close());

describe('the official square SDK against the emulator', () => {
  it('pushes counts with batchCreateChanges and reads them back with batchGetCounts and get, following cursors', async () => {
    const res = await client.inventory.batchCreateChanges({
      idempotencyKey: 'sdk-1',
      changes: [0, 1, 2].map((i) => ({ type: 'PHYSICAL_COUNT' as const, physicalCount: { catalogObjectId: `VAR${i}`, locationId: LOCATION, state: 'IN_STOCK' as const, quantity: String(10 + i), occurredAt: new Date(START).toISOString() } })),
    });
    expect(res.counts?.map((c) => c.quantity).sort()).toEqual(['10', '11', '12']);
    const counts: string[] = [];
    for await (const c of await client.inventory.batchGetCounts({ locationIds: [LOCATION], limit: 2 })) counts.push(`${c.catalogObjectId}=${c.quantity}`);
    expect(counts.sort()).toEqual(['VAR0=10', 'VAR1=11', 'VAR2=12']);
    expect(seen.filter((s) => s.url.endsWith('/v2/inventory/counts/batch-retrieve'))).toHaveLength(2);
    const one: string[] = [];
    for await (const c of await client.inventory.get({ catalogObjectId: 'VAR1' })) one.push(c.quantity!);
    expect(one).toEqual(['11']);
  });

  it('reads a POS order with orders.get and orders.batchGet', async () => {
    const sale = (await h.control('POST', '/_emulator/pos/sales', { location_id: LOCATION, line_items: [{ catalog_object_id: 'VAR0', quantity: 2 }, { catalog_object_id: 'VAR1', quantity: '0.5' }] })).body.order;
    expectSdkOrder(sale);
    const got = await client.orders.get({ orderId: sale.id });
    expect(got.order?.lineItems?.map((l) => [l.catalogObjectId, l.quantity])).toEqual([
      ['VAR0', '2'],
      ['VAR1', '0.5'],
    ]);
    expect(got.order?.state).toBe('COMPLETED');
    const batch = await client.orders.batchGet({ orderIds: [sale.id] });
    expect(batch.orders?.[0]?.id).toBe(sale.id);
  });

  it('surfaces Square errors as SquareError: IDEMPOTENCY_KEY_REUSED, RATE_LIMITED, UNAUTHORIZED, NOT_FOUND', async () => {
    const change = (q: string) => ({ type: 'PHYSICAL_COUNT' as const, physicalCount: { catalogObjectId: 'VAR0', locationId: LOCATION, state: 'IN_STOCK' as const, quantity: q, occurredAt: new Date(START).toISOString() } });
    await client.inventory.batchCreateChanges({ idempotencyKey: 'k', changes: [change('1')] });
    const reused = await client.inventory.batchCreateChanges({ idempotencyKey: 'k', changes: [change('2')] }).catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(SquareError);
    expect((reused as SquareError).statusCode).toBe(400);
    expect((reused as SquareError).errors[0]).toMatchObject({ category: 'INVALID_REQUEST_ERROR', code: 'IDEMPOTENCY_KEY_REUSED' });

    await h.control('POST', '/_emulator/rate-limit/drain');
    const limited = await client.inventory.batchCreateChanges({ idempotencyKey: 'k2', changes: [change('2')] }).catch((e: unknown) => e);
    expect((limited as SquareError).statusCode).toBe(429);
    expect((limited as SquareError).errors[0]).toMatchObject({ category: 'RATE_LIMIT_ERROR', code: 'RATE_LIMITED' });
    await h.scheduler.advance(1000);

    const stranger = new SquareClient({ token: 'not-the-token', baseUrl: ORIGIN, fetch: h.fetch, maxRetries: 0 });
    const denied = await stranger.orders.get({ orderId: 'X' }).catch((e: unknown) => e);
    expect((denied as SquareError).statusCode).toBe(401);
    expect((denied as SquareError).errors[0]).toMatchObject({ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED' });

    const missing = await client.orders.get({ orderId: 'NOPE' }).catch((e: unknown) => e);
    expect((missing as SquareError).statusCode).toBe(404);
    expect((missing as SquareError).errors[0]).toMatchObject({ code: 'NOT_FOUND', field: 'order_id' });
  });
});
