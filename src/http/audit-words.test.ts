// The audit log in words on SQLite and PostgreSQL: each entry has a sentence (`summary`) built
// from what the request did, the actor by name (never a raw id), sign-ins are recorded, the
// actor filter's choices are listed by name, and movements carry their actor's name.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, type Json } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';

describe.each(STORE_KINDS)('the audit log in words on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  const auditOf = async (query = '') => {
    await h.ts.audit.flush();
    const res = await h.get(`/v1/audit?limit=50${query}`, h.a.keys.read);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data as Json[];
  };

  it('says what each request did, with figures and document numbers, and who did it by name', async () => {
    const { sku } = await h.item(0);
    const po = (await h.post('/v1/purchase-orders', { supplier: 'Acme', location: 'WH1', eta: '2026-12-01', lines: [{ sku, quantity: 20 }] })).json().purchase_order;
    expect((await h.post(`/v1/purchase-orders/${po.id}/receipts`, { lines: [{ sku, good: 12, damaged: 0 }], reference: 'DN-7' })).statusCode).toBe(200);
    expect((await h.post('/v1/stock/adjust', { sku, location: 'WH1', delta: -2, reason: 'damage' })).statusCode).toBe(200);
    const channel = await h.post('/v1/channels', { kind: 'custom', name: 'outlet' }, { key: h.a.keys.admin });
    expect(channel.statusCode, channel.body).toBe(201);
    expect((await h.post(`/v1/channels/${channel.json().channel.id}/pause`)).statusCode).toBe(200);
    const refused = await h.post('/v1/holds', { lines: [{ sku, quantity: 999, location: 'WH1' }] });
    expect(refused.statusCode).toBe(409);

    const [held, paused, added, adjusted, received, opened] = await auditOf();
    expect(opened).toMatchObject({ summary: `opened ${po.number} with Acme for 20 units`, actor: { kind: 'api_key', name: 'operate key' } });
    expect(received!.summary).toBe(`received 12 units on ${po.number}`);
    expect(adjusted!.summary).toBe(`adjusted ${sku} at WH1 by −2 (damage)`);
    expect(added).toMatchObject({ summary: 'added channel outlet', actor: { name: 'admin key' } });
    expect(paused!.summary).toBe('paused channel outlet');
    expect(held!.summary).toBe('tried: reserved stock — refused (insufficient stock)');
    for (const e of [held, paused, added, adjusted, received, opened]) expect(e!.summary).not.toMatch(/(po|chan|key)_[0-9a-z]{20}/);
  });

  it('records sign-ins and sign-outs under the user’s name, and filters by an actor from the list', async () => {
    const made = await h.post('/v1/users', { email: `ana-${kind}@example.com`, name: 'Ana Lopez', role: 'operate', password: 'correct horse battery' }, { key: h.a.keys.admin });
    expect(made.statusCode, made.body).toBe(201);
    const signedIn = await h.inject({ method: 'POST', url: '/v1/session', payload: { email: `ana-${kind}@example.com`, password: 'correct horse battery' } });
    expect(signedIn.statusCode).toBe(200);
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0]!;
    expect((await h.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie } })).statusCode).toBe(204);

    await h.ts.audit.flush();
    const actors = (await h.get('/v1/audit/actors', h.a.keys.read)).json().data as Json[];
    const ana = actors.find((a) => a.name === 'Ana Lopez');
    expect(ana).toMatchObject({ kind: 'user', id: made.json().user.id });
    expect(actors.map((a) => a.name)).toEqual(expect.arrayContaining(['operate key', 'admin key', 'Ana Lopez']));
    expect(actors.every((a) => !/^(key|user)_/.test(a.name))).toBe(true);

    const hers = await auditOf(`&actor=${encodeURIComponent(ana!.id)}`);
    expect(hers.map((e) => [e.summary, e.actor.name])).toEqual([['signed out', 'Ana Lopez'], ['signed in', 'Ana Lopez']]);
    // Workspace B sees none of A's actors.
    expect(((await h.get('/v1/audit/actors', h.b.keys.read)).json().data as Json[]).some((a) => a.name === 'Ana Lopez')).toBe(false);
  });

  it('gives every movement its actor’s name beside the id', async () => {
    const { sku } = await h.item(3);
    const res = await h.get(`/v1/movements?sku=${sku}`, h.a.keys.read);
    expect(res.json().data[0]).toMatchObject({ actor: expect.stringMatching(/^key_/), actor_name: 'operate key' });
  });
});
