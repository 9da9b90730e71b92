import { describe, expect, it } from 'vitest';
import { ManualClock } from '../app/clock.ts';
import { AccessTokens, type TokenGrant } from './access-tokens.ts';

const grant: TokenGrant = {
  service: 'Test OAuth',
  url: 'http://oauth.test/token',
  request: () => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' }),
  refreshAheadMs: 60_000,
  ttlSecondsDefault: 600,
};

/** A token endpoint that answers what `answer` says and counts the exchanges. */
function endpoint(answer: (n: number) => Response | Promise<Response>) {
  const calls = { n: 0 };
  const fetchImpl = (async () => answer(++calls.n)) as unknown as typeof fetch;
  return { calls, fetchImpl };
}
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('AccessTokens', () => {
  it('holds a token until refreshAheadMs before it expires, then exchanges again', async () => {
    const clock = new ManualClock(0);
    const { calls, fetchImpl } = endpoint((n) => json(200, { access_token: `t${n}`, expires_in: 300 }));
    const tokens = new AccessTokens(grant, clock, fetchImpl);
    expect(await tokens.token()).toEqual({ ok: true, token: 't1' });
    clock.advance(239_999);
    expect(await tokens.token()).toEqual({ ok: true, token: 't1' });
    clock.advance(1);
    expect(await tokens.token()).toEqual({ ok: true, token: 't2' });
    expect(calls.n).toBe(2);
  });

  it('joins a refresh already under way', async () => {
    const { calls, fetchImpl } = endpoint(async () => {
      await new Promise((r) => setTimeout(r, 5));
      return json(200, { access_token: 'only' });
    });
    const tokens = new AccessTokens(grant, new ManualClock(0), fetchImpl);
    const answers = await Promise.all([tokens.token(), tokens.token(), tokens.token()]);
    expect(answers.every((a) => a.ok && a.token === 'only')).toBe(true);
    expect(calls.n).toBe(1);
  });

  it('calls refused credentials auth (the channel pauses) and an overloaded endpoint transient', async () => {
    const refused = new AccessTokens(grant, new ManualClock(0), endpoint(() => json(400, { error: 'invalid_grant', error_description: 'revoked' })).fetchImpl);
    expect(await refused.token()).toMatchObject({ ok: false, failure: 'auth', message: 'Test OAuth refused the token exchange: invalid_grant: revoked' });
    const busy = new AccessTokens(grant, new ManualClock(0), endpoint(() => json(503, {})).fetchImpl);
    expect(await busy.token()).toMatchObject({ ok: false, failure: 'transient' });
    const empty = new AccessTokens(grant, new ManualClock(0), endpoint(() => json(200, {})).fetchImpl);
    expect(await empty.token()).toMatchObject({ ok: false, failure: 'transient', message: 'Test OAuth answered without an access_token' });
  });

  it('forgets a token the channel refused, but not a newer one', async () => {
    const { calls, fetchImpl } = endpoint((n) => json(200, { access_token: `t${n}` }));
    const tokens = new AccessTokens(grant, new ManualClock(0), fetchImpl);
    await tokens.token();
    tokens.invalidate('t1');
    expect(await tokens.token()).toEqual({ ok: true, token: 't2' });
    tokens.invalidate('t1');
    expect(await tokens.token()).toEqual({ ok: true, token: 't2' });
    expect(calls.n).toBe(2);
  });
});
