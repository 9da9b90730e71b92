import { SquareClient } from 'square';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, harness, LOCATION, ORIGIN } from './test-support.ts';

let h: Harness;
const sales: any[] = [];
beforeEach(async () => {
  h = await harness();
  await h.seed('VAR1', 100);
  sales.length = 0;
  for (let i = 0; i < 5; i++) {
    sales.push(h.square.posSale({ locationId: LOCATION, lines: [{ catalogObjectId: 'VAR1', quantity: 1 }] }));
    await h.scheduler.advance(60_000);
  }
});
afterEach(() => h.close());

describe('SearchOrders (catching up on missed order events)', () => {
  it('finds the store’s orders updated after a time, oldest first, paged by limit', async () => {
    const body = { location_ids: [LOCATION], limit: 2, query: { filter: { date_time_filter: { updated_at: { start_at: sales[1].updated_at } } }, sort: { sort_field: 'UPDATED_AT', sort_order: 'ASC' } } };
    const first = await h.call('POST', '/v2/orders/search', { body });
    expect(first.status).toBe(200);
    expect(first.body.orders.map((o: any) => o.id)).toEqual([sales[1].id, sales[2].id]);
    const rest = await h.call('POST', '/v2/orders/search', { body: { ...body, cursor: first.body.cursor } });
    expect(rest.body.orders.map((o: any) => o.id)).toEqual([sales[3].id, sales[4].id]);
    expect(rest.body.cursor).toBeUndefined();
  });

  it('answers entries when asked, newest first by default, and filters by state', async () => {
    const a = await h.call('POST', '/v2/orders/search', { body: { location_ids: [LOCATION], return_entries: true, query: { filter: { state_filter: { states: ['COMPLETED'] } } } } });
    expect(a.body.order_entries.map((e: any) => e.order_id)).toEqual(sales.map((s) => s.id).reverse());
    const open = await h.call('POST', '/v2/orders/search', { body: { location_ids: [LOCATION], query: { filter: { state_filter: { states: ['OPEN'] } } } } });
    expect(open.body).toEqual({});
  });

  it('refuses a search without locations, or sorted on another field than its date filter', async () => {
    const a = await h.call('POST', '/v2/orders/search', { body: {} });
    expect(a.status).toBe(400);
    expect(a.body.errors[0]).toMatchObject({ code: 'MISSING_REQUIRED_PARAMETER', field: 'location_ids' });
    const b = await h.call('POST', '/v2/orders/search', { body: { location_ids: [LOCATION], query: { filter: { date_time_filter: { closed_at: { start_at: sales[0].closed_at } } }, sort: { sort_field: 'CREATED_AT' } } } });
    expect(b.body.errors[0]).toMatchObject({ code: 'INVALID_VALUE', field: 'query.sort.sort_field' });
  });

  it('is what the SDK’s orders.search calls', async () => {
    const client = new SquareClient({ token: h.square.accessToken, baseUrl: ORIGIN, fetch: h.fetch, maxRetries: 0 });
    const res = await client.orders.search({ locationIds: [LOCATION], query: { sort: { sortField: 'CREATED_AT', sortOrder: 'ASC' } }, limit: 3 });
    expect(res.orders?.map((o) => o.id)).toEqual(sales.slice(0, 3).map((s) => s.id));
    expect(res.cursor).toEqual(expect.any(String));
  });
});
