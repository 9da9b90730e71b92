// Orders over HTTP, on SQLite and PostgreSQL: placing (staff refused when short, channel never
// refused), confirm, ship (partial), cancel (whole and lines), short-pick, the reads with their
// filters, and every refusal with its code and field, writing nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json, unique } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';

describe.each(STORE_KINDS)('orders over HTTP on %s', (kind) => {
  const h = new Harness(kind);
  let channelId: string;
  beforeAll(async () => {
    await h.start();
    for (const [code, extra] of [['CHI', { kind: 'store', pickup: true, ships_online: true }], ['DAL', { kind: 'store', pickup: false, ships_online: true }]] as const) {
      const res = await h.post('/v1/locations', { code, name: code, ...extra }, { key: h.a.keys.admin });
      expect(res.statusCode, res.body).toBe(201);
    }
    const ch = await h.post('/v1/channels', { kind: 'custom', name: unique('shop') }, { key: h.a.keys.admin });
    expect(ch.statusCode, ch.body).toBe(201);
    channelId = ch.json().channel.id;
  });
  afterAll(() => h.stop());

  const stock = async (sku: string, at: Record<string, number>) => {
    for (const [location, quantity] of Object.entries(at)) {
      if (quantity > 0) expect((await h.post('/v1/stock/receive', { sku, location, quantity })).statusCode).toBe(200);
    }
  };
  const levels = async (sku: string): Promise<Record<string, Json>> => {
    const res = await h.get(`/v1/stock/${sku}`);
    return Object.fromEntries(res.json().locations.map((l: Json) => [l.location, l]));
  };
  const place = async (body: Json, status = 201) => {
    const res = await h.post('/v1/orders', body);
    expect(res.statusCode, res.body).toBe(status);
    return res.json().order as Json;
  };
  const show = async (id: string) => {
    const res = await h.get(`/v1/orders/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().order as Json;
  };
  const unchanged = async (fn: () => Promise<any>, skus: string[]) => {
    const before = (await h.get('/v1/orders?limit=500')).json();
    const out = await h.unchanged(fn, skus);
    expect((await h.get('/v1/orders?limit=500')).json()).toEqual(before);
    return out;
  };

  it('places a staff order at the first location that covers it, ships part, then the rest', async () => {
    const { sku } = await h.item();
    await stock(sku, { WH1: 2, CHI: 5 });
    const o = await place({ source: 'staff', lines: [{ sku, quantity: 3 }], locations: ['WH1', 'CHI'], ship_to: { postal_code: '60601', country: 'US' } });
    expect(o).toMatchObject({ source: 'staff', state: 'allocated', service_level: 'standard', reference: `SO-${String(o.number).padStart(6, '0')}`, lines: [{ line: 1, sku, quantity: 3, allocated: 3, shipped: 0 }] });
    expect(o.allocations).toMatchObject([{ location: 'CHI', sku, quantity: 3, shipped: 0, oversold: 0, hold_state: 'allocated' }]);
    // Routing explains the choice: WH1 cannot cover the order, CHI ships it whole.
    expect(o.routing).toMatchObject({ search: 'single', split: false, shipments: [{ location: 'CHI' }] });
    expect(o.routing.candidates).toMatchObject([{ location: 'WH1', verdict: 'rejected' }, { location: 'CHI', verdict: 'chosen' }]);
    expect((await levels(sku)).CHI).toMatchObject({ available: 2, committed: 3 });

    const part = await h.post(`/v1/orders/${o.id}/ship`, { location: 'CHI', lines: [{ line: 1, quantity: 1 }] });
    expect(part.statusCode, part.body).toBe(200);
    expect(part.json().order).toMatchObject({ state: 'partially_shipped', lines: [{ allocated: 2, shipped: 1 }], shipments: [{ location: 'CHI', lines: [{ line: 1, quantity: 1 }] }] });
    const rest = await h.post(`/v1/orders/${o.number}/ship`, { location: 'CHI' });
    expect(rest.statusCode, rest.body).toBe(200);
    expect(rest.json().order).toMatchObject({ state: 'shipped', lines: [{ allocated: 0, shipped: 3 }] });
    expect((await levels(sku)).CHI).toMatchObject({ available: 2, committed: 0 });
    const detail = await show(o.id);
    expect(detail.movements.map((m: Json) => [m.command, m.from, m.to, m.quantity])).toEqual([
      ['allocate_order', 'available', 'committed', 3], ['ship', 'committed', 'customer', 1], ['ship', 'committed', 'customer', 2],
    ]);
    expect(detail.shipments).toHaveLength(2);
    expectProblem(await h.post(`/v1/orders/${o.id}/ship`, { location: 'CHI' }), 'order_closed', 'id');
    // A unit comes back through the returns flow, linked by the order's reference.
    const ret = await h.post('/v1/returns', { location: 'CHI', order_reference: o.reference, lines: [{ sku, quantity: 1 }] });
    expect(ret.statusCode, ret.body).toBe(201);
    expect((await h.post(`/v1/returns/${ret.json().return.id}/receipts`, { lines: [{ sku, quantity: 1 }] })).statusCode).toBe(200);
    expect(await show(o.id)).toMatchObject({ state: 'shipped', returns: [{ id: ret.json().return.id, location: 'CHI' }], lines: [{ shipped: 3, returned: 1 }] });
  });

  it('refuses a short staff order, writing nothing; a channel order of the same is oversold and raised', async () => {
    const { sku } = await h.item();
    await stock(sku, { WH1: 2 });
    const refused = await unchanged(() => h.post('/v1/orders', { source: 'staff', lines: [{ sku, quantity: 5 }], locations: ['WH1'] }), [sku]);
    expectProblem(refused, 'insufficient_stock', 'lines[0].quantity');

    const reference = unique('CH');
    const o = await place({ source: 'channel', channel: channelId, reference, lines: [{ sku, quantity: 5 }], locations: ['WH1'] });
    expect(o).toMatchObject({ source: 'channel', state: 'allocated', reference, channel_reference: reference, exception: 'oversold', lines: [{ allocated: 5 }] });
    expect(o.allocations).toMatchObject([{ location: 'WH1', quantity: 5, oversold: 3 }]);
    expect((await show(o.id)).exceptions).toMatchObject([{ kind: 'oversold', quantity: 3 }]);
    // The channel sends it again (a retry with a new key): the first order answers, nothing moves.
    const again = await h.unchanged(() => h.post('/v1/orders', { source: 'channel', channel: channelId, reference, lines: [{ sku, quantity: 5 }] }), [sku]);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().order.id).toBe(o.id);
    const listed = (await h.get('/v1/orders?has_exception=true')).json().data.map((x: Json) => x.id);
    expect(listed).toContain(o.id);
  });

  it("shows only its own exceptions and returns when two channels use the same order name", async () => {
    const other = await h.post('/v1/channels', { kind: 'custom', name: unique('shop') }, { key: h.a.keys.admin });
    expect(other.statusCode, other.body).toBe(201);
    const { sku } = await h.item();
    await stock(sku, { WH1: 10 });
    const reference = unique('#10');
    // Channel A's order is oversold (an exception on its hold); channel B's, same name, is not.
    const b = await place({ source: 'channel', channel: other.json().channel.id, reference, lines: [{ sku, quantity: 1 }], locations: ['WH1'] });
    const a = await place({ source: 'channel', channel: channelId, reference, lines: [{ sku, quantity: 12 }], locations: ['WH1'] });
    expect(a.reference).toBe(b.reference);
    expect((await show(a.id)).exceptions).toMatchObject([{ kind: 'oversold', quantity: 3 }]);
    expect((await show(b.id)).exceptions).toEqual([]);
    // A return opened for channel A's order is not channel B's, and one naming no channel is neither's (the name is shared).
    const ret = await h.post('/v1/returns', { location: 'WH1', order_reference: reference, channel_id: channelId, lines: [{ sku, quantity: 1 }] });
    expect(ret.statusCode, ret.body).toBe(201);
    const loose = await h.post('/v1/returns', { location: 'WH1', order_reference: reference, lines: [{ sku, quantity: 1 }] });
    expect(loose.statusCode, loose.body).toBe(201);
    expect((await show(a.id)).returns.map((r: Json) => r.id)).toEqual([ret.json().return.id]);
    expect((await show(b.id)).returns).toEqual([]);
  });

  it('records a channel order sent twice at once exactly once', async () => {
    const { sku } = await h.item();
    await stock(sku, { WH1: 10 });
    const body = { source: 'channel', channel: channelId, reference: unique('RACE'), lines: [{ sku, quantity: 2 }], locations: ['WH1'] };
    const answers = await Promise.all([h.post('/v1/orders', body), h.post('/v1/orders', body), h.post('/v1/orders', body)]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    expect(new Set(answers.map((r) => r.json().order.id)).size).toBe(1);
    expect((await levels(sku)).WH1).toMatchObject({ available: 8, committed: 2 });
  });

  it("meets a wholesale channel's order terms: whole cases", async () => {
    const ws = await h.post('/v1/channels', { kind: 'wholesale', name: unique('wholesale') }, { key: h.a.keys.admin });
    expect(ws.statusCode, ws.body).toBe(201);
    const sku = unique('CASE');
    expect((await h.post('/v1/items', { sku, name: sku, units_per_case: 5 })).statusCode).toBe(201);
    await stock(sku, { WH1: 20 });
    const body = { source: 'channel', channel: ws.json().channel.id, reference: unique('WS'), locations: ['WH1'] };
    expectProblem(await unchanged(() => h.post('/v1/orders', { ...body, lines: [{ sku, quantity: 3 }] }), [sku]), 'not_whole_cases', 'lines[0].quantity');
    expect(await place({ ...body, lines: [{ sku, quantity: 10 }] })).toMatchObject({ state: 'allocated', lines: [{ allocated: 10 }] });
  });

  it('holds a pending order until it is confirmed; ship before confirm is refused', async () => {
    const { sku } = await h.item();
    await stock(sku, { WH1: 4 });
    const o = await place({ source: 'staff', pending: true, lines: [{ sku, quantity: 3 }], locations: ['WH1'] });
    expect(o).toMatchObject({ state: 'pending', lines: [{ allocated: 3 }], allocations: [{ hold_state: 'active' }] });
    expect((await levels(sku)).WH1).toMatchObject({ available: 1, reserved: 3 });
    expectProblem(await unchanged(() => h.post(`/v1/orders/${o.id}/ship`, { location: 'WH1' }), [sku]), 'order_not_allocated', 'id');
    const confirmed = await h.post(`/v1/orders/${o.id}/confirm`);
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json().order).toMatchObject({ state: 'allocated', allocations: [{ hold_state: 'allocated' }] });
    expect((await levels(sku)).WH1).toMatchObject({ available: 1, reserved: 0, committed: 3 });
    expectProblem(await unchanged(() => h.post(`/v1/orders/${o.id}/confirm`), [sku]), 'order_not_pending', 'id');
  });

  it('cancels lines (the rest stays where it is), then the whole order', async () => {
    const a = await h.item();
    const b = await h.item();
    await stock(a.sku, { WH1: 5 });
    await stock(b.sku, { WH1: 5 });
    const o = await place({ source: 'staff', lines: [{ sku: a.sku, quantity: 3 }, { sku: b.sku, quantity: 2 }], locations: ['WH1'] });
    const part = await h.post(`/v1/orders/${o.id}/cancel`, { lines: [{ line: 1, quantity: 2 }] });
    expect(part.statusCode, part.body).toBe(200);
    expect(part.json().order).toMatchObject({ state: 'allocated', lines: [{ allocated: 1, cancelled: 2 }, { allocated: 2, cancelled: 0 }] });
    expect((await levels(a.sku)).WH1).toMatchObject({ available: 4, committed: 1 });
    expect((await levels(b.sku)).WH1).toMatchObject({ available: 3, committed: 2 });
    expectProblem(await unchanged(() => h.post(`/v1/orders/${o.id}/cancel`, { lines: [{ line: 1, quantity: 2 }] }), [a.sku, b.sku]), 'nothing_to_cancel', 'lines[0].quantity');
    expectProblem(await unchanged(() => h.post(`/v1/orders/${o.id}/cancel`, { lines: [{ line: 9 }] }), [a.sku]), 'validation_failed', 'lines[0].line');
    const all = await h.post(`/v1/orders/${o.id}/cancel`);
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().order).toMatchObject({ state: 'cancelled', lines: [{ allocated: 0, cancelled: 3 }, { allocated: 0, cancelled: 2 }] });
    expect((await levels(a.sku)).WH1).toMatchObject({ available: 5, committed: 0 });
    expect((await levels(b.sku)).WH1).toMatchObject({ available: 5, committed: 0 });
    expectProblem(await h.post(`/v1/orders/${o.id}/cancel`), 'order_closed', 'id');
    expect((await h.get('/v1/verify')).json().ok).toBe(true);
  });

  it('a short pick books the missing units as a count variance and re-routes them', async () => {
    const { sku } = await h.item();
    await stock(sku, { WH1: 3 });
    const o = await place({ source: 'staff', lines: [{ sku, quantity: 3 }], locations: ['WH1', 'DAL'] });
    expect(o.allocations).toMatchObject([{ location: 'WH1', quantity: 3 }]);
    await stock(sku, { DAL: 5 });
    expectProblem(await unchanged(() => h.post(`/v1/orders/${o.id}/short-pick`, { location: 'WH1', line: 1, found: 3 }), [sku]), 'validation_failed', 'found');
    const res = await h.post(`/v1/orders/${o.id}/short-pick`, { location: 'WH1', line: 1, found: 2 });
    expect(res.statusCode, res.body).toBe(200);
    const after = res.json().order;
    expect(after).toMatchObject({ state: 'allocated', lines: [{ quantity: 3, allocated: 3 }] });
    const open = after.allocations.filter((x: Json) => x.hold_state === 'allocated').map((x: Json) => [x.location, x.quantity]);
    expect(open.sort()).toEqual([['DAL', 1], ['WH1', 2]]);
    const at = await levels(sku);
    expect(at.WH1).toMatchObject({ available: 0, committed: 2, on_hand: 2 });
    expect(at.DAL).toMatchObject({ available: 4, committed: 1 });
    expect(after.movements.some((m: Json) => m.command === 'short_pick' && m.from === 'available' && m.to === 'count_variance' && m.quantity === 1)).toBe(true);
    expect((await h.get('/v1/verify')).json().ok).toBe(true);
  });

  it('allocates a pickup order at the pickup store only (the Chicago pickup: WH 15, CHI 8, DAL 5)', async () => {
    const { sku } = await h.item();
    await stock(sku, { WH1: 15, CHI: 8, DAL: 5 });
    const three = await place({ source: 'staff', service_level: 'pickup', pickup_location: 'CHI', lines: [{ sku, quantity: 3 }] });
    expect(three).toMatchObject({ service_level: 'pickup', pickup_location: 'CHI', state: 'allocated' });
    expect(three.allocations.map((x: Json) => x.location)).toEqual(['CHI']);
    expect(await levels(sku)).toMatchObject({ WH1: { available: 15 }, CHI: { available: 5, committed: 3 }, DAL: { available: 5 } });
    expectProblem(await unchanged(() => h.post('/v1/orders', { source: 'staff', service_level: 'pickup', pickup_location: 'CHI', lines: [{ sku, quantity: 9 }] }), [sku]), 'insufficient_stock', 'lines[0].quantity');
    // A channel already took it: oversold at the store and raised, never taken from the warehouse.
    const nine = await place({ source: 'channel', channel: channelId, reference: unique('PU'), service_level: 'pickup', pickup_location: 'CHI', lines: [{ sku, quantity: 9 }] });
    expect(nine.allocations).toMatchObject([{ location: 'CHI', quantity: 9, oversold: 4 }]);
    expect((await levels(sku)).WH1).toMatchObject({ available: 15, committed: 0 });
    expectProblem(await h.post('/v1/orders', { source: 'staff', pickup_location: 'DAL', lines: [{ sku, quantity: 1 }] }), 'validation_failed', 'pickup_location');
  });

  it('raises promise_at_risk, with the best achievable date, when no location can meet the promise', async () => {
    const { sku } = await h.item();
    await stock(sku, { WH1: 2 });
    const deliverBy = new Date(h.clock.now() + 86_400_000).toISOString();
    const o = await place({ source: 'staff', lines: [{ sku, quantity: 1 }], locations: ['WH1'], promised_deliver_by: deliverBy });
    expect(o).toMatchObject({ state: 'allocated', exception: 'promise_at_risk', promised_deliver_by: deliverBy, routing: { promise_days: 1, promise_met: false } });
    const [raised] = (await show(o.id)).exceptions;
    expect(raised).toMatchObject({ kind: 'promise_at_risk' });
    expect(raised.message).toMatch(/best achievable delivery by \d{4}-\d{2}-\d{2}/);
    expect((await h.get('/v1/orders?has_exception=true')).json().data.map((x: Json) => x.id)).toContain(o.id);
  });

  it('lists with filters and cursors, and reads by id or number', async () => {
    const { sku } = await h.item();
    await stock(sku, { DAL: 10 });
    const made: Json[] = [];
    for (let i = 0; i < 3; i++) made.push(await place({ source: 'staff', lines: [{ sku, quantity: 1 }], locations: ['DAL'] }));
    const first = (await h.get(`/v1/orders?sku=${sku}&limit=2`)).json();
    expect(first.data.map((o: Json) => o.id)).toEqual([made[2]!.id, made[1]!.id]);
    const second = (await h.get(`/v1/orders?sku=${sku}&limit=2&cursor=${first.next_cursor}`)).json();
    expect(second).toMatchObject({ data: [{ id: made[0]!.id }], next_cursor: null });
    expect((await h.get(`/v1/orders?location=DAL&state=allocated&limit=500`)).json().data.map((o: Json) => o.id)).toEqual(expect.arrayContaining(made.map((o) => o.id)));
    expect((await h.get(`/v1/orders?sku=${sku}&state=shipped`)).json().data).toEqual([]);
    expect((await show(String(made[0]!.number))).id).toBe(made[0]!.id);
    expectProblem(await h.get('/v1/orders/ord_nope'), 'not_found');
    expectProblem(await h.get('/v1/orders?state=lost'), 'validation_failed', 'state');
  });

  it('refuses bad input naming the field, and needs source and an Idempotency-Key', async () => {
    const { sku } = await h.item();
    expectProblem(await h.unchanged(() => h.post('/v1/orders', { lines: [{ sku, quantity: 1 }] })), 'validation_failed', 'source');
    expectProblem(await h.unchanged(() => h.post('/v1/orders', { source: 'channel', lines: [{ sku, quantity: 1 }] })), 'validation_failed', 'channel');
    expectProblem(await h.unchanged(() => h.post('/v1/orders', { source: 'channel', channel: channelId, lines: [{ sku, quantity: 1 }] })), 'validation_failed', 'reference');
    expectProblem(await h.unchanged(() => h.post('/v1/orders', { source: 'staff', lines: [{ sku: 'NOPE', quantity: 1 }], locations: ['WH1'] })), 'unknown_item', 'lines[0].sku');
    expectProblem(await h.unchanged(() => h.post('/v1/orders', { source: 'staff', lines: [{ sku, quantity: 1 }], locations: ['NOWHERE'] })), 'unknown_location', 'locations[0]');
    expectProblem(await h.post('/v1/orders', { source: 'staff', lines: [{ sku, quantity: 1 }] }, { idem: null }), 'idempotency_key_required');
    expectProblem(await h.post('/v1/orders', { source: 'staff', lines: [{ sku, quantity: 1 }] }, { key: h.a.keys.read }), 'forbidden');
  });

  it('requires channel_accepted on POST /v1/allocations', async () => {
    const { sku } = await h.item(1);
    expectProblem(await h.unchanged(() => h.post('/v1/allocations', { lines: [{ sku, quantity: 1, location: 'WH1' }], order_reference: unique('O') })), 'validation_failed', 'channel_accepted');
  });

  it('replays a step under the same key, and refuses the key with another body', async () => {
    const { sku } = await h.item();
    await stock(sku, { WH1: 5 });
    const o = await place({ source: 'staff', lines: [{ sku, quantity: 4 }], locations: ['WH1'] });
    const idem = unique('idem');
    const first = await h.post(`/v1/orders/${o.id}/ship`, { location: 'WH1', lines: [{ line: 1, quantity: 1 }] }, { idem });
    const again = await h.post(`/v1/orders/${o.id}/ship`, { location: 'WH1', lines: [{ line: 1, quantity: 1 }] }, { idem });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect((await show(o.id)).lines[0]).toMatchObject({ shipped: 1 });
    expectProblem(await h.post(`/v1/orders/${o.id}/ship`, { location: 'WH1', lines: [{ line: 1, quantity: 2 }] }, { idem }), 'idempotency_key_reused');
  });
});
