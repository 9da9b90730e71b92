import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness, listingPath, MARKETPLACE, ORIGIN } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

async function token(form: Record<string, string>) {
  const res = await h.fetch(`${ORIGIN}/auth/o2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Login with Amazon', () => {
  it('gives an hour-long bearer token for the refresh token, and refuses wrong credentials in the OAuth shape', async () => {
    h = await harness();
    const a = h.amazon;
    const good = { grant_type: 'refresh_token', refresh_token: a.refreshToken, client_id: a.clientId, client_secret: a.clientSecret };
    const ok = await token(good);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ access_token: expect.stringMatching(/^Atza\|/), token_type: 'bearer', expires_in: 3600, refresh_token: a.refreshToken });
    expect(await token({ ...good, client_secret: 'wrong' })).toEqual({ status: 401, body: { error: 'invalid_client', error_description: expect.any(String) } });
    expect(await token({ ...good, refresh_token: 'Atzr|other' })).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: expect.any(String) } });
    expect((await token({ ...good, grant_type: 'authorization_code' })).body.error).toBe('unsupported_grant_type');
    const { grant_type: _omit, ...noGrant } = good;
    expect((await token(noGrant)).body.error).toBe('invalid_request');
    a.revokeRefreshToken();
    expect((await token(good)).body.error).toBe('invalid_grant');
    expect(a.counters()).toMatchObject({ tokensIssued: 1, tokensRefused: 5 });
  });

  it('refuses SP-API calls without a live token with 403 Unauthorized, and the token dies after 3600 s on the clock', async () => {
    h = await harness();
    h.amazon.addListing({ sku: 'MUG', quantity: 3 });
    const q = { marketplaceIds: MARKETPLACE };
    expect((await h.call('GET', listingPath('MUG'), { query: q, token: null })).body).toEqual({ errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: expect.any(String) }] });
    expect((await h.call('GET', listingPath('MUG'), { query: q, token: 'Atza|forged' })).status).toBe(403);
    const t = await h.login();
    expect((await h.call('GET', listingPath('MUG'), { query: q, token: t })).status).toBe(200);
    await h.scheduler.advance(3599_000);
    expect((await h.call('GET', listingPath('MUG'), { query: q, token: t })).status).toBe(200);
    await h.scheduler.advance(1000);
    const expired = await h.call('GET', listingPath('MUG'), { query: q, token: t });
    expect(expired.status).toBe(403);
    expect(expired.body.errors[0].details).toMatch(/expired/);
    const fresh = await h.login();
    expect((await h.call('GET', listingPath('MUG'), { query: q, token: fresh })).status).toBe(200);
    h.amazon.expireTokens();
    expect((await h.call('GET', listingPath('MUG'), { query: q, token: fresh })).status).toBe(403);
    expect(h.amazon.counters().unauthorized).toBe(4);
  });
});
