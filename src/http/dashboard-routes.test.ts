// The dashboard's API on SQLite and PostgreSQL: sign-in with a key or a user (an HttpOnly
// cookie, never the key), the overview, stock over time, the exceptions workflow, and the audit
// log of every mutating request. Bad input answers its code and writes nothing.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';
import { insertLagSample } from '../store/sync-repo.ts';

describe.each(STORE_KINDS)('dashboard routes on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  const signIn = (body: Json) => h.inject({ method: 'POST', url: '/v1/session', payload: body });
  const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers['set-cookie']).split(';')[0]!;

  it('signs in with an API key: an HttpOnly SameSite=Strict cookie works in place of the key', async () => {
    const res = await signIn({ api_key: h.a.keys.operate });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ workspace: { id: h.a.id, name: 'A' }, role: 'operate', principal: { kind: 'api_key' } });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^ts_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    expect(setCookie).not.toContain(h.a.keys.operate);
    const cookie = cookieOf(res);
    const me = await h.inject({ method: 'GET', url: '/v1/session', headers: { cookie } });
    expect(me.json()).toMatchObject({ role: 'operate' });
    // The cookie carries the key's role: operate may move stock, not manage keys.
    const moved = await h.inject({ method: 'POST', url: '/v1/stock/receive', headers: { cookie, 'idempotency-key': randomUUID() }, payload: { sku: h.a.sku, location: 'WH1', quantity: 1 } });
    expect(moved.statusCode, moved.body).toBe(200);
    expectProblem(await h.inject({ method: 'GET', url: '/v1/api-keys', headers: { cookie } }), 'forbidden');
    // Signed out: the cookie is cleared and no longer works.
    const out = await h.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    expectProblem(await h.inject({ method: 'GET', url: '/v1/session', headers: { cookie } }), 'unauthorized');
  });

  it('signs in users with email and password; wrong credentials get one answer and no cookie', async () => {
    const made = await h.post('/v1/users', { email: 'Ana@Example.com', name: 'Ana', role: 'read', password: 'correct horse battery' }, { key: h.a.keys.admin });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().user).toMatchObject({ email: 'ana@example.com', role: 'read' });
    expect(made.body).not.toContain('correct horse');
    const ok = await signIn({ email: 'ana@example.com', password: 'correct horse battery' });
    expect(ok.json()).toMatchObject({ role: 'read', principal: { kind: 'user', name: 'Ana' } });
    for (const bad of [{ email: 'ana@example.com', password: 'wrong password!' }, { email: 'nobody@example.com', password: 'whatever12345' }, { api_key: 'tsk_nope' }]) {
      const res = await signIn(bad);
      expectProblem(res, 'unauthorized');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expectProblem(await h.post('/v1/users', { email: 'b@example.com', name: 'B', role: 'read', password: 'short' }, { key: h.a.keys.admin }), 'validation_failed', 'password');
    expectProblem(await h.post('/v1/users', { email: 'ana@example.com', name: 'Ana 2', role: 'read', password: 'another long one' }, { key: h.a.keys.admin }), 'validation_failed', 'email');
    expectProblem(await h.post('/v1/users', { email: 'c@example.com', name: 'C', role: 'read', password: 'long enough pw' }, { key: h.a.keys.operate }), 'forbidden');
  });

  it('runs the exceptions workflow with filters, and shows it on the overview', async () => {
    const { sku } = await h.item(2);
    const order = await h.post('/v1/allocations', { lines: [{ sku, quantity: 5, location: 'WH1' }], order_reference: 'WEB-1', channel_accepted: true });
    expect(order.statusCode, order.body).toBe(201);
    const list = await h.get(`/v1/exceptions?sku=${sku}&state=open`, h.a.keys.read);
    expect(list.json().data).toEqual([expect.objectContaining({ kind: 'oversold', severity: 'high', state: 'open', sku, location: 'WH1', quantity: 3, assignee: null })]);
    const id = list.json().data[0].id as string;
    expect((await h.get(`/v1/exceptions?sku=${sku}&older_than_hours=1`, h.a.keys.read)).json().data).toEqual([]);
    // A fraction of a millisecond (found by the contract fuzz: a 500 on PostgreSQL) lists as well.
    const fine = await h.get('/v1/exceptions?older_than_hours=3.390842013888889e-11', h.a.keys.read);
    expect(fine.statusCode, fine.body).toBe(200);
    expect((await h.get('/v1/overview', h.a.keys.read)).json()).toMatchObject({ exceptions: { by_kind: { oversold: expect.any(Number) } }, oversells: { recorded_24h: expect.any(Number) } });

    expect((await h.post(`/v1/exceptions/${id}/acknowledge`)).json().exception).toMatchObject({ state: 'acknowledged' });
    expect((await h.post(`/v1/exceptions/${id}/assign`, { assignee: 'Ana' })).json().exception).toMatchObject({ assignee: 'Ana' });
    expectProblem(await h.unchanged(() => h.post(`/v1/exceptions/${id}/resolve`, { resolution: '' })), 'validation_failed');
    const done = await h.post(`/v1/exceptions/${id}/resolve`, { resolution: 'received 3 more from the supplier' });
    expect(done.json().exception).toMatchObject({ state: 'resolved', resolution: 'received 3 more from the supplier' });
    expectProblem(await h.post(`/v1/exceptions/${id}/acknowledge`), 'validation_failed');
    expectProblem(await h.post('/v1/exceptions/exc_nope/acknowledge'), 'not_found');
    expectProblem(await h.post(`/v1/exceptions/${id}/acknowledge`, undefined, { key: h.b.keys.operate }), 'not_found');
  });

  it('lists kinds and owners to choose from; assigns only to users; resolving by hand says by whom; settled says by which movement', async () => {
    const kinds = (await h.get('/v1/exceptions/kinds', h.a.keys.read)).json().data as Json[];
    expect(kinds[0]).toMatchObject({ kind: 'oversold', severity: 'high', closes_by: 'settled', carries_debt: true });
    expect(kinds.map((k) => k.kind)).toEqual(expect.arrayContaining(['channel_drift', 'channel_stale']));
    const made = await h.post('/v1/users', { email: 'owner@example.com', name: 'Olga Owner', role: 'operate', password: 'correct horse battery' }, { key: h.a.keys.admin });
    expect(made.statusCode, made.body).toBe(201);
    const owners = (await h.get('/v1/exceptions/owners', h.a.keys.read)).json().data as Json[];
    const olga = owners.find((o) => o.email === 'owner@example.com')!;
    expect(olga).toMatchObject({ name: 'Olga Owner' });
    expect((await h.get('/v1/exceptions/owners', h.b.keys.read)).json().data.map((o: Json) => o.email)).not.toContain('owner@example.com');

    const { sku } = await h.item(1);
    await h.post('/v1/allocations', { lines: [{ sku, quantity: 3, location: 'WH1' }], order_reference: 'WEB-OWN', channel_accepted: true });
    const [e] = (await h.get(`/v1/exceptions?sku=${sku}`, h.a.keys.read)).json().data as Json[];
    expect(e).toMatchObject({ kind: 'oversold', debt: 2, occurrences: 1, kind_label: 'Oversold' });
    expectProblem(await h.unchanged(() => h.post(`/v1/exceptions/${e!.id}/assign`, { assignee: 'Nobody Here' })), 'validation_failed', 'assignee');
    expect((await h.post(`/v1/exceptions/${e!.id}/assign`, { assignee: olga.id })).json().exception).toMatchObject({ assignee: 'Olga Owner', assignee_id: olga.id });
    expect((await h.get(`/v1/exceptions?owner=${olga.id}`, h.a.keys.read)).json().data.map((x: Json) => x.id)).toEqual([e!.id]);
    expectProblem(await h.get('/v1/exceptions?owner=' + 'x'.repeat(101), h.a.keys.read), 'validation_failed');
    expectProblem(await h.get('/v1/exceptions?kind=typed_by_hand', h.a.keys.read), 'validation_failed', 'kind');
    const one = await h.get(`/v1/exceptions/${e!.id}`, h.a.keys.read);
    expect(one.json().exception).toMatchObject({ id: e!.id, debt: 2, links: expect.arrayContaining([{ rel: 'item', label: sku, path: `/items/${sku}` }]) });
    expectProblem(await h.get(`/v1/exceptions/${e!.id}`, h.b.keys.read), 'not_found');

    // The receipt settles the debt: the exception says which movement did it.
    const receipt = await h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: 5 });
    expect(receipt.statusCode, receipt.body).toBe(200);
    const settled = (await h.get(`/v1/exceptions/${e!.id}`, h.a.keys.read)).json().exception;
    expect(settled).toMatchObject({ state: 'resolved', debt: 0, resolution_kind: 'settled', settled_by_movement_id: expect.stringMatching(/^mov_/), resolved_by: null });

    // By hand: who and why.
    await h.post('/v1/allocations', { lines: [{ sku, quantity: 9, location: 'WH1' }], order_reference: 'WEB-HAND', channel_accepted: true });
    const [open] = (await h.get(`/v1/exceptions?sku=${sku}&state=open`, h.a.keys.read)).json().data as Json[];
    const done = await h.post(`/v1/exceptions/${open!.id}/resolve`, { resolution: 'customer agreed to wait' });
    expect(done.json().exception).toMatchObject({ state: 'resolved', resolution_kind: 'resolved_by_hand', resolved_by: expect.stringContaining('API key'), resolution: 'customer agreed to wait' });
  });

  it('counts a reservation refused for lack of stock as an oversell prevented', async () => {
    const { sku } = await h.item(1);
    expectProblem(await h.post('/v1/holds', { lines: [{ sku, quantity: 2, location: 'WH1' }] }), 'insufficient_stock');
    h.clock.advance(61_000); // the count is reused for a minute
    const first = (await h.get('/v1/overview', h.a.keys.read)).json().oversells.prevented_24h;
    expect(first).toBeGreaterThanOrEqual(1);
    expectProblem(await h.post('/v1/holds', { lines: [{ sku, quantity: 2, location: 'WH1' }] }), 'insufficient_stock');
    h.clock.advance(61_000);
    expect((await h.get('/v1/overview', h.a.keys.read)).json().oversells.prevented_24h).toBe(first + 1);
  });

  it('gives an item’s on_hand and available over its movements, oldest first', async () => {
    const { sku } = await h.item(5);
    await h.reserve(sku, 2);
    await h.post('/v1/stock/adjust', { sku, location: 'WH1', delta: -1, reason: 'damage' });
    const res = await h.get(`/v1/stock/${sku}/history`, h.a.keys.read);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().points.map((p: Json) => [p.on_hand, p.available])).toEqual([[5, 5], [5, 3], [4, 2]]);
    expectProblem(await h.get('/v1/stock/NOPE-SKU/history', h.a.keys.read), 'not_found');
  });

  it('gives a channel’s lag over time, oldest first, within the hours asked', async () => {
    const made = await h.post('/v1/channels', { kind: 'custom', name: 'lag-chart' }, { key: h.a.keys.admin });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().channel.id as string;
    const now = h.clock.now();
    await h.ts.store.transaction(async (db) => {
      await insertLagSample(db, id, now - 2 * 3_600_000, 900, 2_000, 3);
      await insertLagSample(db, id, now - 60_000, 120, 450.5, 12);
      await insertLagSample(db, id, now - 30_000, null, null, 0);
    });
    const res = await h.get(`/v1/channels/${id}/lag-history`, h.a.keys.read);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toEqual([
      { at: new Date(now - 60_000).toISOString(), p50_ms: 120, p99_ms: 450.5, pushes: 12 },
      { at: new Date(now - 30_000).toISOString(), p50_ms: null, p99_ms: null, pushes: 0 },
    ]);
    expect((await h.get('/v1/channels/lag-chart/lag-history?hours=3', h.a.keys.read)).json().data).toHaveLength(3);
    expect((await h.get('/v1/channels/lag-chart/lag-history?hours=0.1234567', h.a.keys.read)).statusCode).toBe(200);
    expectProblem(await h.get('/v1/channels/nope/lag-history', h.a.keys.read), 'not_found');
    expectProblem(await h.get(`/v1/channels/${id}/lag-history`, h.b.keys.read), 'not_found');
    // The overview lists the channel too; a served one (no connector) has no queue to show.
    const seen = (await h.get('/v1/overview', h.a.keys.read)).json().channels.find((c: Json) => c.id === id);
    expect(seen).toMatchObject({ name: 'lag-chart', kind: 'custom', paused: false, numbers: 'served', queue_depth: null, breaker: null });
  });

  it('keeps an audit log of every mutating request: who, what, when, from where', async () => {
    const key = randomUUID();
    await h.post('/v1/stock/receive', { sku: h.a.sku, location: 'WH1', quantity: 1 }, { idem: key });
    await h.ts.audit.flush();
    const res = await h.get('/v1/audit?limit=5', h.a.keys.read);
    expect(res.json().data[0]).toMatchObject({ method: 'POST', path: '/v1/stock/receive', status: 200, idempotency_key: key, actor: { kind: 'api_key', name: 'operate key' } });
    expect(res.json().data[0].ip).toBeTruthy();
    // Workspace B sees none of A's.
    expect((await h.get('/v1/audit', h.b.keys.read)).json().data.every((e: Json) => e.path !== '/v1/stock/receive' || e.idempotency_key !== key)).toBe(true);
  });
});
