// Sessions end when what made them ends (issue 15, item 1), on SQLite and PostgreSQL: a revoked
// API key or a disabled user loses its dashboard sessions at once, and a session unused for
// SESSION_IDLE_MS ends before its absolute SESSION_TTL_MS.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_IDLE_MS, SESSION_TTL_MS } from '../app/sessions.ts';
import { expectProblem, Harness, type Json } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';

describe.each(STORE_KINDS)('session lifetime on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  const signIn = (body: Json) => h.inject({ method: 'POST', url: '/v1/session', payload: body });
  const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers['set-cookie']).split(';')[0]!;
  const whoAmI = (cookie: string) => h.inject({ method: 'GET', url: '/v1/session', headers: { cookie } });
  let seq = 0;
  const newKey = async (role = 'operate') => {
    const made = await h.post('/v1/api-keys', { name: `session key ${++seq}`, role }, { key: h.a.keys.admin });
    expect(made.statusCode, made.body).toBe(201);
    return { id: made.json().api_key.id as string, secret: made.json().secret as string };
  };

  it('ends the sessions made from an API key when the key is revoked', async () => {
    const key = await newKey();
    const cookie = cookieOf(await signIn({ api_key: key.secret }));
    const other = cookieOf(await signIn({ api_key: h.a.keys.operate }));
    expect((await whoAmI(cookie)).statusCode).toBe(200);
    const revoked = await h.post(`/v1/api-keys/${key.id}/revoke`, undefined, { key: h.a.keys.admin });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expectProblem(await whoAmI(cookie), 'unauthorized');
    expectProblem(await h.inject({ method: 'POST', url: '/v1/stock/receive', headers: { cookie, 'idempotency-key': `k-${seq}` }, payload: { sku: h.a.sku, location: 'WH1', quantity: 1 } }), 'unauthorized');
    // Another key's session is untouched.
    expect((await whoAmI(other)).statusCode).toBe(200);
  });

  it('refuses a session whose key was revoked without its sessions being deleted', async () => {
    const key = await newKey();
    const cookie = cookieOf(await signIn({ api_key: key.secret }));
    await h.ts.store.transaction((db) => db.run('UPDATE api_keys SET revoked_at = ? WHERE id = ?', [h.clock.now(), key.id]));
    expectProblem(await whoAmI(cookie), 'unauthorized');
  });

  it('ends a user\'s sessions when the user is disabled', async () => {
    const made = await h.post('/v1/users', { email: `dis${++seq}@example.com`, name: 'Dis', role: 'operate', password: 'correct horse battery' }, { key: h.a.keys.admin });
    expect(made.statusCode, made.body).toBe(201);
    const cookie = cookieOf(await signIn({ email: `dis${seq}@example.com`, password: 'correct horse battery' }));
    expect((await whoAmI(cookie)).statusCode).toBe(200);
    const id = made.json().user.id as string;
    expectProblem(await h.post(`/v1/users/${id}/disable`, undefined, { key: h.b.keys.admin }), 'not_found');
    expect((await whoAmI(cookie)).statusCode).toBe(200);
    const disabled = await h.post(`/v1/users/${id}/disable`, undefined, { key: h.a.keys.admin });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expectProblem(await whoAmI(cookie), 'unauthorized');
    expectProblem(await signIn({ email: `dis${seq}@example.com`, password: 'correct horse battery' }), 'unauthorized');
    // Disabled by hand in the database (sessions left behind): refused all the same.
    expect((await h.post(`/v1/users/${id}/enable`, undefined, { key: h.a.keys.admin })).statusCode).toBe(200);
    const again = cookieOf(await signIn({ email: `dis${seq}@example.com`, password: 'correct horse battery' }));
    expect((await whoAmI(again)).statusCode).toBe(200);
    await h.ts.store.transaction((db) => db.run('UPDATE users SET disabled = ? WHERE id = ?', [true, id]));
    expectProblem(await whoAmI(again), 'unauthorized');
  });

  it('ends a session unused for the idle timeout, and one used steadily at its absolute end', async () => {
    const idle = cookieOf(await signIn({ api_key: h.a.keys.read }));
    const busy = cookieOf(await signIn({ api_key: h.a.keys.read }));
    // Used just inside the idle timeout, again and again: still alive after three idle periods.
    for (let i = 0; i < 3; i++) {
      h.clock.advance(SESSION_IDLE_MS - 60_000);
      expect((await whoAmI(busy)).statusCode).toBe(200);
    }
    expectProblem(await whoAmI(idle), 'unauthorized');
    // Steady use does not pass the absolute end.
    const steps = Math.ceil(SESSION_TTL_MS / (SESSION_IDLE_MS - 60_000));
    let alive = true;
    for (let i = 3; i < steps && alive; i++) {
      h.clock.advance(SESSION_IDLE_MS - 60_000);
      alive = (await whoAmI(busy)).statusCode === 200;
    }
    expect(alive).toBe(false);
  });

  it('forgets sessions that can no longer be used at the next sign-in, so a closed tab leaves no row behind', async () => {
    const rows = () => h.ts.store.read(async (db) => Number((await db.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM sessions'))!.n));
    cookieOf(await signIn({ api_key: h.a.keys.read }));
    cookieOf(await signIn({ api_key: h.a.keys.read }));
    const kept = cookieOf(await signIn({ api_key: h.a.keys.read }));
    h.clock.advance(SESSION_IDLE_MS - 60_000);
    expect((await whoAmI(kept)).statusCode).toBe(200);
    h.clock.advance(120_000);
    // Two idle past the timeout (never signed out), one kept alive: the sign-in deletes the two.
    const before = await rows();
    cookieOf(await signIn({ api_key: h.a.keys.read }));
    expect(await rows()).toBe(before - 2 + 1);
    expect((await whoAmI(kept)).statusCode).toBe(200);
  });
});
