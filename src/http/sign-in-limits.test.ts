// Authentication from outside (issue 15, item 5), on SQLite and PostgreSQL: failed sign-ins and
// failed key checks are limited per source address and per account (429 + Retry-After); an
// unknown email costs the same password hashing as a known one; the session cookie is Secure when
// the server is configured for https or behind a trusted proxy, never on a client's header; and
// emails are unique per workspace, so one workspace cannot learn another's users.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KEY_FAILURE_WINDOW_MS, KEY_FAILURES_PER_IP_MAX, SIGN_IN_FAILURE_WINDOW_MS, SIGN_IN_FAILURES_PER_ACCOUNT_MAX, SIGN_IN_FAILURES_PER_IP_MAX } from '../app/failure-limit.ts';
import { passwords } from '../app/sessions.ts';
import { buildServer } from './server.ts';
import { expectProblem, Harness, type Json, type Res } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';

describe.each(STORE_KINDS)('sign-in and key check limits on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  let seq = 0;
  const signIn = (body: Json, ip = '127.0.0.1') => h.inject({ method: 'POST', url: '/v1/session', payload: body, remoteAddress: ip });
  const addUser = async (email: string, password: string, key = h.a.keys.admin) => {
    const made = await h.post('/v1/users', { email, name: 'U', role: 'read', password }, { key });
    expect(made.statusCode, made.body).toBe(201);
    return made.json().user as Json;
  };
  const expect429 = (res: Res) => {
    const p = expectProblem(res, 'too_many_attempts');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(p.retry_after_seconds).toBe(Number(res.headers['retry-after']));
  };

  it('limits failed sign-ins per source address: then even good credentials wait, other addresses do not', async () => {
    const ip = `10.1.0.${++seq}`;
    await addUser(`ip${seq}@example.com`, 'correct horse battery');
    for (let i = 0; i < SIGN_IN_FAILURES_PER_IP_MAX; i++) expectProblem(await signIn({ email: `nobody${i}@example.com`, password: 'wrong password' }, ip), 'unauthorized');
    expect429(await signIn({ email: `ip${seq}@example.com`, password: 'correct horse battery' }, ip));
    expect429(await signIn({ api_key: h.a.keys.read }, ip));
    expect((await signIn({ email: `ip${seq}@example.com`, password: 'correct horse battery' }, '10.1.1.1')).statusCode).toBe(200);
    h.clock.advance(SIGN_IN_FAILURE_WINDOW_MS);
    expect((await signIn({ email: `ip${seq}@example.com`, password: 'correct horse battery' }, ip)).statusCode).toBe(200);
  });

  it('limits failed sign-ins per account, from any address; other accounts are not affected', async () => {
    const email = `acct${++seq}@example.com`;
    await addUser(email, 'correct horse battery');
    await addUser(`other${seq}@example.com`, 'correct horse battery');
    for (let i = 0; i < SIGN_IN_FAILURES_PER_ACCOUNT_MAX; i++) expectProblem(await signIn({ email, password: 'wrong password' }, `10.2.${seq}.${i}`), 'unauthorized');
    expect429(await signIn({ email: email.toUpperCase(), password: 'correct horse battery' }, '10.2.200.1'));
    expect((await signIn({ email: `other${seq}@example.com`, password: 'correct horse battery' }, '10.2.200.1')).statusCode).toBe(200);
    h.clock.advance(SIGN_IN_FAILURE_WINDOW_MS);
    expect((await signIn({ email, password: 'correct horse battery' }, '10.2.200.1')).statusCode).toBe(200);
  });

  it('limits unknown API keys per source address: then even a good key waits there', async () => {
    const ip = `10.3.0.${++seq}`;
    const get = (key: string, from: string) => h.inject({ method: 'GET', url: '/v1/items', headers: { authorization: `Bearer ${key}` }, remoteAddress: from });
    for (let i = 0; i < KEY_FAILURES_PER_IP_MAX; i++) expectProblem(await get(`tsk_guess${i}`, ip), 'unauthorized');
    expect429(await get(h.a.keys.read, ip));
    expect((await get(h.a.keys.read, '10.3.1.1')).statusCode).toBe(200);
    h.clock.advance(KEY_FAILURE_WINDOW_MS);
    expect((await get(h.a.keys.read, ip)).statusCode).toBe(200);
  });

  it('hashes a password whether or not the email has an account', async () => {
    const email = `timing${++seq}@example.com`;
    await addUser(email, 'correct horse battery');
    const spy = vi.spyOn(passwords, 'matches');
    try {
      expectProblem(await signIn({ email: `missing${seq}@example.com`, password: 'wrong password' }, '10.4.0.1'), 'unauthorized');
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockClear();
      expectProblem(await signIn({ email, password: 'wrong password' }, '10.4.0.1'), 'unauthorized');
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('marks the cookie Secure when configured for https or behind a trusted proxy, not on a client header', async () => {
    const setCookie = (res: Res) => String(res.headers['set-cookie']);
    const spoofed = await h.inject({ method: 'POST', url: '/v1/session', payload: { api_key: h.a.keys.read }, headers: { 'x-forwarded-proto': 'https' } });
    expect(setCookie(spoofed)).not.toContain('Secure');
    for (const opts of [{ https: true }, { trustProxy: true }, { trustProxy: ['127.0.0.1'] }]) {
      const app = await buildServer({ truestock: h.ts, ...opts });
      try {
        const res = await app.inject({ method: 'POST', url: '/v1/session', payload: { api_key: h.a.keys.read } });
        expect(res.statusCode, res.body).toBe(200);
        expect(setCookie(res)).toMatch(/; Secure$/);
      } finally {
        await app.close();
      }
    }
  });

  it('keeps emails unique per workspace: another workspace may use one, and learns nothing', async () => {
    const email = `shared${++seq}@example.com`;
    const inA = await addUser(email, 'password of A!');
    // Before: "already exists" told workspace B that A has this user.
    const inB = await addUser(email, 'password of B!', h.b.keys.admin);
    expectProblem(await h.post('/v1/users', { email, name: 'Again', role: 'read', password: 'another long one' }, { key: h.a.keys.admin }), 'validation_failed', 'email');
    const a = await signIn({ email, password: 'password of A!' }, '10.5.0.1');
    expect(a.json()).toMatchObject({ workspace: { id: h.a.id }, principal: { id: inA.id } });
    const b = await signIn({ email, password: 'password of B!' }, '10.5.0.1');
    expect(b.json()).toMatchObject({ workspace: { id: h.b.id }, principal: { id: inB.id } });
    // One password for both: the caller names the workspace.
    const both = `both${seq}@example.com`;
    await addUser(both, 'same password!');
    const inBoth = await addUser(both, 'same password!', h.b.keys.admin);
    expectProblem(await signIn({ email: both, password: 'same password!' }, '10.5.0.2'), 'validation_failed', 'workspace');
    expect((await signIn({ email: both, password: 'same password!', workspace: h.b.id }, '10.5.0.2')).json()).toMatchObject({ principal: { id: inBoth.id } });
    expectProblem(await signIn({ email: both, password: 'wrong password', workspace: h.b.id }, '10.5.0.2'), 'unauthorized');
  });
});
