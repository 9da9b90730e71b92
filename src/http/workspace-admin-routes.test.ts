// /v1/admin/workspaces on SQLite and PostgreSQL (docs/workspaces.md): the server admin creates a
// workspace whose key works on it alone; workspace keys never reach /v1/admin and the server
// admin key never reaches a workspace's data; suspension refuses the workspace's keys, users and
// sessions (and pauses its channels) while others carry on; refusals change nothing.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerAdminKey } from '../app/server-admin.ts';
import { syncedChannels } from '../store/sync-repo.ts';
import { expectProblem, Harness, type Json, type Res } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';

describe.each(STORE_KINDS)('workspace admin routes on %s', (kind) => {
  const h = new Harness(kind);
  let root = '';
  beforeAll(async () => {
    await h.start();
    const made = await createServerAdminKey(h.ts.store, h.clock, 'ops');
    if ('code' in made) throw new Error(made.detail);
    root = made.plain;
  });
  afterAll(() => h.stop());

  const create = (name: string, idem: string | null = randomUUID()) => h.post('/v1/admin/workspaces', { name }, { key: root, idem });
  const workspaces = () => h.ts.store.read((db) => db.all('SELECT id, name, suspended_at FROM workspaces ORDER BY id'));
  const ok = (res: Res, status = 200): Json => {
    expect(res.statusCode, res.body).toBe(status);
    return res.json();
  };
  const signIn = async (creds: Json): Promise<Res> => h.inject({ method: 'POST', url: '/v1/session', payload: creds });
  const cookieOf = (res: Res) => String(res.headers['set-cookie']).split(';')[0]!;

  it('creates a workspace whose first admin key (shown once) works on it alone', async () => {
    const idem = randomUUID();
    const body = ok(await create('Brand North', idem), 201);
    expect(body.secret).toMatch(/^tsk_/);
    expect(body.workspace).toMatchObject({ name: 'Brand North', state: 'active', suspended_at: null, counts: { users: 0, keys: 1, items: 0, channels: 0 } });
    expect(body.api_key).toMatchObject({ role: 'admin', revoked: false });
    // The same Idempotency-Key replays the answer; no second workspace.
    const again = await create('Brand North', idem);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().workspace.id).toBe(body.workspace.id);

    const key = body.secret as string;
    expect(ok(await h.get('/v1/items', key)).data).toEqual([]);
    expectProblem(await h.get(`/v1/items/${h.a.itemId}`, key), 'not_found');
    ok(await h.post('/v1/locations', { code: 'WH1', name: 'North', kind: 'warehouse' }, { key }), 201);
    ok(await h.post('/v1/items', { sku: 'N-1', name: 'North tee' }, { key }), 201);
    // ...and the others do not see its item.
    expect(ok(await h.get('/v1/items', h.a.keys.admin)).data.map((i: Json) => i.sku)).not.toContain('N-1');

    const shown = ok(await h.get(`/v1/admin/workspaces/${body.workspace.id}`, root)).workspace;
    expect(shown.counts).toEqual({ users: 0, keys: 1, items: 1, channels: 0 });
    const listed = ok(await h.get('/v1/admin/workspaces', root));
    expect(listed.data.map((w: Json) => w.id)).toEqual(expect.arrayContaining([h.a.id, h.b.id, body.workspace.id]));
    expect(listed.data.find((w: Json) => w.id === h.a.id).counts).toEqual({ users: 0, keys: 4, items: 1, channels: 0 }); // the initial admin key and one of each role
    expect(JSON.stringify(listed)).not.toContain(key);
  });

  it('pages the list with a cursor', async () => {
    const first = ok(await h.get('/v1/admin/workspaces?limit=1', root));
    expect(first.data).toHaveLength(1);
    const second = ok(await h.get(`/v1/admin/workspaces?limit=1&cursor=${first.next_cursor}`, root));
    expect(second.data[0].id > first.data[0].id).toBe(true);
  });

  it('keeps workspace keys out of /v1/admin and the server admin key out of workspace data', async () => {
    const before = await workspaces();
    for (const key of [h.a.keys.admin, h.a.keys.read]) {
      expectProblem(await h.get('/v1/admin/workspaces', key), 'forbidden');
      expectProblem(await h.post('/v1/admin/workspaces', { name: 'Sneaky' }, { key }), 'forbidden');
      expectProblem(await h.post(`/v1/admin/workspaces/${h.b.id}/suspend`, {}, { key }), 'forbidden');
      expectProblem(await h.post(`/v1/admin/workspaces/${h.a.id}/api-keys`, { name: 'x', role: 'admin' }, { key }), 'forbidden');
    }
    for (const url of ['/v1/items', '/v1/stock/' + h.a.sku, '/v1/api-keys', '/v1/users', '/v1/overview']) expectProblem(await h.get(url, root), 'forbidden');
    expectProblem(await h.post('/v1/items', { sku: 'ROOT-1', name: 'x' }, { key: root }), 'forbidden');
    expectProblem(await h.get('/v1/admin/workspaces', 'tsa_not-a-key'), 'unauthorized', 'Authorization');
    expect(await workspaces()).toEqual(before);
  });

  it('refuses bad requests naming the field, and writes nothing', async () => {
    const before = await workspaces();
    expectProblem(await create('   '), 'validation_failed', 'name');
    expectProblem(await create(''), 'validation_failed', 'name');
    expectProblem(await create('x'.repeat(101)), 'validation_failed', 'name');
    expectProblem(await create('A'), 'workspace_name_taken', 'name');
    expectProblem(await h.post('/v1/admin/workspaces', { name: 'C', colour: 'red' }, { key: root }), 'validation_failed', 'colour');
    expectProblem(await create('C', null), 'idempotency_key_required', 'Idempotency-Key');
    expectProblem(await h.post('/v1/admin/workspaces/ws_nope/suspend', {}, { key: root }), 'not_found');
    expectProblem(await h.get('/v1/admin/workspaces/ws_nope', root), 'not_found');
    expectProblem(await h.post('/v1/admin/workspaces/ws_nope/api-keys', { name: 'k', role: 'admin' }, { key: root }), 'not_found');
    expectProblem(await h.post(`/v1/admin/workspaces/${h.a.id}/api-keys`, { name: 'k', role: 'boss' }, { key: root }), 'validation_failed', 'role');
    expectProblem(await h.post(`/v1/admin/workspaces/${h.a.id}/users`, { email: 'nobody', name: 'N', role: 'admin', password: 'long enough pw' }, { key: root }), 'validation_failed', 'email');
    expectProblem(await h.post(`/v1/admin/workspaces/${h.a.id}/users`, { email: 'a@x.example', name: 'N', role: 'admin', password: 'short' }, { key: root }), 'validation_failed', 'password');
    expect(await workspaces()).toEqual(before);
    expect(ok(await h.get(`/v1/admin/workspaces/${h.a.id}/users`, root)).data).toEqual([]);
  });

  it("gives a workspace a user and a key; the user signs in to that workspace", async () => {
    const user = ok(await h.post(`/v1/admin/workspaces/${h.b.id}/users`, { email: 'Boss@B.example', name: 'Boss B', role: 'admin', password: 'correct horse battery' }, { key: root }), 201).user;
    expect(user).toMatchObject({ email: 'boss@b.example', role: 'admin', disabled: false });
    const session = ok(await signIn({ email: 'boss@b.example', password: 'correct horse battery' }));
    expect(session.workspace.id).toBe(h.b.id);
    const made = ok(await h.post(`/v1/admin/workspaces/${h.b.id}/api-keys`, { name: 'erp', role: 'operate' }, { key: root }), 201);
    expect(ok(await h.get('/v1/items', made.secret)).data.map((i: Json) => i.sku)).toEqual([h.b.sku]);
    const keys = ok(await h.get(`/v1/admin/workspaces/${h.b.id}/api-keys`, root)).data;
    expect(keys.map((k: Json) => k.name)).toContain('erp');
    expect(JSON.stringify(keys)).not.toContain(made.secret);
    ok(await h.post(`/v1/admin/workspaces/${h.b.id}/api-keys/${made.api_key.id}/revoke`, undefined, { key: root }));
    expectProblem(await h.get('/v1/items', made.secret), 'unauthorized');
    // Another workspace's key id is not this workspace's.
    expectProblem(await h.post(`/v1/admin/workspaces/${h.a.id}/api-keys/${keys[0].id}/revoke`, undefined, { key: root }), 'not_found');
  });

  it("suspends a workspace: its keys, sessions and sign-ins are refused, its channels pause, others carry on; reactivating restores it", async () => {
    ok(await h.post('/v1/channels', { kind: 'custom', name: 'web-a' }, { key: h.a.keys.admin }), 201);
    const session = await signIn({ api_key: h.a.keys.read });
    expect(session.statusCode, session.body).toBe(200);
    const cookie = cookieOf(session);
    const pausedOf = async () => Object.fromEntries((await h.ts.store.read((db) => syncedChannels(db, ['custom']))).map((c) => [c.workspace_id, c.paused]));
    expect((await pausedOf())[h.a.id]).toBe(false);

    const before = await h.snapshot();
    const suspended = ok(await h.post(`/v1/admin/workspaces/${h.a.id}/suspend`, { reason: 'invoice overdue' }, { key: root })).workspace;
    expect(suspended).toMatchObject({ id: h.a.id, state: 'suspended', suspended_reason: 'invoice overdue' });
    expect(suspended.counts.channels).toBe(1);

    for (const key of [h.a.keys.read, h.a.keys.operate, h.a.keys.admin]) expectProblem(await h.get('/v1/items', key), 'workspace_suspended');
    expectProblem(await h.post('/v1/stock/receive', { sku: h.a.sku, location: h.a.location, quantity: 5 }, { key: h.a.keys.operate }), 'workspace_suspended');
    expectProblem(await h.post('/v1/items', { sku: 'WHILE-SUSPENDED', name: 'x' }, { key: h.a.keys.admin }), 'workspace_suspended');
    expectProblem(await h.inject({ method: 'GET', url: '/v1/items', headers: { cookie } }), 'workspace_suspended');
    expectProblem(await signIn({ api_key: h.a.keys.admin }), 'workspace_suspended');
    // A wrong key is still just unknown: "suspended" is said only to those who hold the key.
    expectProblem(await signIn({ api_key: 'tsk_wrong' }), 'unauthorized');
    // Signing out still works.
    expect((await h.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie: cookieOf(await signIn({ api_key: h.b.keys.read })) } })).statusCode).toBe(204);
    expect((await pausedOf())[h.a.id]).toBe(true);
    // The other workspace is untouched.
    ok(await h.post('/v1/stock/receive', { sku: h.b.sku, location: h.b.location, quantity: 1 }, { key: h.b.keys.operate }));
    expect(ok(await h.get('/v1/items', h.b.keys.read)).data.length).toBeGreaterThan(0);
    // Suspending again changes nothing (the first time and reason stay).
    expect(ok(await h.post(`/v1/admin/workspaces/${h.a.id}/suspend`, null, { key: root })).workspace).toEqual(suspended);

    const back = ok(await h.post(`/v1/admin/workspaces/${h.a.id}/reactivate`, undefined, { key: root })).workspace;
    expect(back).toMatchObject({ state: 'active', suspended_at: null, suspended_reason: null });
    // Data kept, the refused writes wrote nothing, keys and the old session work again.
    expect(await h.snapshot()).toEqual(before);
    ok(await h.inject({ method: 'GET', url: '/v1/items', headers: { cookie } }));
    ok(await h.post('/v1/stock/receive', { sku: h.a.sku, location: h.a.location, quantity: 1 }, { key: h.a.keys.operate }));
    expect((await pausedOf())[h.a.id]).toBe(false);
  });

  it('signs the server admin in to the dashboard as no workspace', async () => {
    const res = await signIn({ api_key: root });
    const who = ok(res);
    expect(who).toMatchObject({ workspace: null, server_admin: true, principal: { kind: 'server_admin', name: 'ops' } });
    const cookie = cookieOf(res);
    expect(ok(await h.inject({ method: 'GET', url: '/v1/session', headers: { cookie } })).server_admin).toBe(true);
    ok(await h.inject({ method: 'GET', url: '/v1/admin/workspaces', headers: { cookie } }));
    expectProblem(await h.inject({ method: 'GET', url: '/v1/items', headers: { cookie } }), 'forbidden');
  });
});
