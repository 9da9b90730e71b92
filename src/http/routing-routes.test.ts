// Routing rules and what-if over HTTP, on SQLite and PostgreSQL: the defaults, a replaced
// document, bad documents answered as problem+json naming the field (and nothing written), and a
// what-if that compares current and proposed rules without writing anything.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';
import { DEFAULT_RULES } from '../domain/routing-rules.ts';

describe.each(STORE_KINDS)('routing routes on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(async () => {
    await h.start();
    for (const l of [
      { code: 'NJ', name: 'New Jersey warehouse', kind: 'warehouse', postal_code: '07001', country: 'US' },
      { code: 'DAL', name: 'Dallas', kind: 'store', postal_code: '75201', country: 'US', pickup: true, ships_online: true },
      { code: 'CHI', name: 'Chicago', kind: 'store', postal_code: '60601', country: 'US', pickup: true, ships_online: false },
    ]) expect((await h.post('/v1/locations', l, { key: h.a.keys.admin })).statusCode).toBe(201);
  });
  afterAll(() => h.stop());

  const put = (body: unknown, key = h.a.keys.admin) =>
    h.inject({ method: 'PUT', url: '/v1/routing/rules', headers: { authorization: `Bearer ${key}`, 'idempotency-key': randomUUID() }, payload: body as Json });
  const rulesRow = () => h.ts.store.read((d) => d.all('SELECT * FROM routing_rules WHERE workspace_id = ?', [h.a.id]));

  it('answers the defaults until rules are set, then the stored document', async () => {
    const before = await h.get('/v1/routing/rules', h.a.keys.read);
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json()).toEqual({ rules: DEFAULT_RULES, updated_at: null });
    const doc = { max_shipments: 2, locations: { DAL: { priority: 1, cost: 3.5, transit: { next_day: null } } } };
    const res = await put(doc);
    expect(res.statusCode, res.body).toBe(200);
    const got = (await h.get('/v1/routing/rules', h.a.keys.read)).json();
    expect(got.rules).toEqual({ ...doc, transit: DEFAULT_RULES.transit });
    expect(typeof got.updated_at).toBe('string');
    expect((await h.get('/v1/routing/rules', h.b.keys.read)).json().updated_at).toBeNull();
  });

  it('refuses a bad document with problem+json naming the field, writing nothing', async () => {
    const stored = await rulesRow();
    expectProblem(await put({ max_shipments: 0 }), 'validation_failed', 'max_shipments');
    expectProblem(await put({ transit: { standard: [{ max_km: 900, days: 2 }, { max_km: 500, days: 3 }] } }), 'validation_failed', 'transit.standard[1].max_km');
    expectProblem(await put({ transit: { overnight: null } }), 'validation_failed', 'transit.overnight');
    expectProblem(await put({ locations: { DAL: { priority: -1 } } }), 'validation_failed', 'locations.DAL.priority');
    expectProblem(await put({ transit: { standard: [{ max_km: null, days: 2 }, { max_km: 10, days: 3 }] } }), 'validation_failed', 'transit.standard[0].max_km');
    expectProblem(await put({ max_shipments: 2 }, h.a.keys.operate), 'forbidden');
    expect(await rulesRow()).toEqual(stored);
  });

  it('what-if routes orders under the current and the proposed rules and writes nothing', async () => {
    const { sku } = await h.item(0);
    for (const [code, q] of [['NJ', 15], ['CHI', 8], ['DAL', 5]] as const) expect((await h.post('/v1/stock/receive', { sku, location: code, quantity: q })).statusCode).toBe(200);
    expect((await put({})).statusCode).toBe(200);
    const body = {
      rules: { locations: { NJ: { transit: { standard: null } } } },
      orders: [
        { lines: [{ sku, quantity: 2 }], service_level: 'standard', ship_to: { postal_code: '60601', country: 'US' }, promise_days: 3, candidates: ['NJ', 'CHI', 'DAL'] },
        { lines: [{ sku, quantity: 9 }], service_level: 'pickup', pickup_location: 'CHI' },
        { lines: [{ sku: 'NOPE', quantity: 1 }], service_level: 'standard' },
      ],
    };
    // A read: no Idempotency-Key needed.
    const res = await h.unchanged(() => h.post('/v1/routing/what-if', body, { key: h.a.keys.read, idem: null }), [sku]);
    expect(res.statusCode, res.body).toBe(200);
    const [ship, pickup, bad] = res.json().orders;
    expect(ship.current.decision.shipments.map((s: Json) => s.location)).toEqual(['NJ']);
    expect(ship.proposed.decision.shipments.map((s: Json) => s.location)).toEqual(['DAL']);
    expect(ship.proposed.decision.candidates.find((c: Json) => c.location === 'NJ').reasons).toEqual(['cannot ship standard']);
    expect(ship.changed).toBe(true);
    expect(pickup.current.decision.short).toEqual([{ line: 0, location: 'CHI' }]);
    expect(pickup.changed).toBe(false);
    expect(bad.current.error).toMatchObject({ code: 'unknown_item', field: 'orders[2].lines[0].sku' });
    expect((await h.get(`/v1/routing/rules`, h.a.keys.read)).json().rules.locations).toEqual({});
  });

  it('what-if over the open orders counts what each already holds as its own, and writes nothing', async () => {
    const { sku } = await h.item(1);
    expect((await h.post('/v1/stock/receive', { sku, location: 'NJ', quantity: 2 })).statusCode).toBe(200);
    expect((await h.post('/v1/stock/receive', { sku, location: 'DAL', quantity: 5 })).statusCode).toBe(200);
    expect((await put({})).statusCode).toBe(200);
    // Chicago's order goes to NJ, the nearest that ships: it takes NJ's last 2.
    const placed = await h.post('/v1/orders', { source: 'staff', lines: [{ sku, quantity: 2 }], service_level: 'standard', ship_to: { postal_code: '10001', country: 'US' } });
    expect(placed.statusCode, placed.body).toBe(201);
    const number = placed.json().order.number;
    const body = { open_orders: true, rules: { locations: { NJ: { transit: { standard: null } } } } };
    const res = await h.unchanged(() => h.post('/v1/routing/what-if', body, { key: h.a.keys.read, idem: null }), [sku]);
    expect(res.statusCode, res.body).toBe(200);
    const mine = res.json().orders.find((o: Json) => String(o.reference).startsWith(`#${number} `));
    // NJ has 0 available now, but the 2 it holds are the order's own: it still routes there today.
    expect(mine.current.decision.shipments.map((s: Json) => s.location)).toEqual(['NJ']);
    expect(mine.proposed.decision.shipments.map((s: Json) => s.location)).toEqual(['DAL']);
    expect(mine.changed).toBe(true);
    expectProblem(await h.post('/v1/routing/what-if', { rules: {} }, { key: h.a.keys.read, idem: null }), 'validation_failed', 'orders');
    expectProblem(await h.post('/v1/routing/what-if', { open_orders: true, orders: [] }, { key: h.a.keys.read, idem: null }), 'validation_failed');
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await h.get('/openapi.json', null)).json();
    expect(Object.keys(doc.paths['/v1/routing/rules']).sort()).toEqual(['get', 'put']);
    expect(doc.paths['/v1/routing/what-if']).toHaveProperty('post');
  });

  it('refuses bad what-if input with the field named', async () => {
    expectProblem(await h.post('/v1/routing/what-if', { orders: [] }, { key: h.a.keys.read }), 'validation_failed', 'orders');
    expectProblem(await h.post('/v1/routing/what-if', { orders: [{ lines: [{ sku: 'A', quantity: 1 }], service_level: 'overnight' }] }, { key: h.a.keys.read }), 'validation_failed', 'orders[0].service_level');
    expectProblem(await h.post('/v1/routing/what-if', { rules: { max_shipments: 99 }, orders: [{ lines: [{ sku: 'A', quantity: 1 }], service_level: 'standard' }] }, { key: h.a.keys.read }), 'validation_failed', 'rules.max_shipments');
  });
});
