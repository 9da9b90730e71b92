import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness, INV } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

describe('OAuth token endpoint', () => {
  it('refreshes a User access token for 7200 s with Basic client credentials, and refuses in the OAuth shape', async () => {
    h = await harness();
    const e = h.ebay;
    const good = { grant_type: 'refresh_token', refresh_token: e.refreshToken };
    const ok = await h.token(good);
    expect(ok).toEqual({ status: 200, body: { access_token: expect.stringMatching(/^v\^1\.1#i\^1#/), expires_in: 7200, token_type: 'User Access Token' } });
    expect(await h.token(good, `Basic ${Buffer.from(`${e.clientId}:wrong`).toString('base64')}`)).toEqual({ status: 401, body: { error: 'invalid_client', error_description: expect.any(String) } });
    expect(await h.token(good, '')).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await h.token({ ...good, refresh_token: 'v^1.1#other' })).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: expect.any(String) } });
    expect((await h.token({ grant_type: 'authorization_code', code: 'x' })).body.error).toBe('unsupported_grant_type');
    expect((await h.token({ grant_type: 'refresh_token' })).body.error).toBe('invalid_request');
    expect(await h.token({ grant_type: 'client_credentials', scope: 'https://api.ebay.com/oauth/api_scope' })).toMatchObject({ status: 200, body: { expires_in: 7200, token_type: 'Application Access Token' } });
    e.revokeRefreshToken();
    expect((await h.token(good)).body.error).toBe('invalid_grant');
    expect(e.counters()).toMatchObject({ tokensIssued: 2, tokensRefused: 6 });
  });

  it('refuses API calls without a live bearer token with 401 in eBay errors shape; the token dies after 7200 s on the clock', async () => {
    h = await harness();
    h.ebay.addListing({ sku: 'MUG', quantity: 3 });
    const get = (token: string | null) => h.call('GET', `${INV}/inventory_item/MUG`, { token });
    const none = await get(null);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ errors: [{ errorId: 1001, domain: 'OAuth', category: 'REQUEST', message: 'Invalid access token', longMessage: expect.any(String) }] });
    expect((await get('v^1.1#forged')).status).toBe(401);
    const t = await h.login();
    expect((await get(t)).status).toBe(200);
    await h.scheduler.advance(7199_999);
    expect((await get(t)).status).toBe(200);
    await h.scheduler.advance(1);
    expect((await get(t)).status).toBe(401);
    const fresh = await h.login();
    expect((await get(fresh)).status).toBe(200);
    h.ebay.expireTokens();
    expect((await get(fresh)).status).toBe(401);
    expect(h.ebay.counters().unauthorized).toBe(4);
  });

  it('lets an application token reach the Notification API only (403 on the Sell APIs)', async () => {
    h = await harness();
    h.ebay.addListing({ sku: 'MUG', quantity: 3 });
    const app = (await h.token({ grant_type: 'client_credentials' })).body.access_token as string;
    const sell = await h.call('GET', `${INV}/inventory_item/MUG`, { token: app });
    expect(sell.status).toBe(403);
    expect(sell.body.errors[0].errorId).toBe(1100);
    const key = await h.call('GET', `/commerce/notification/v1/public_key/${h.ebay.notifications.keyId}`, { token: app });
    expect(key.status).toBe(200);
    expect(h.ebay.counters().forbidden).toBe(1);
  });

  it('holds each grant to its daily limit until Pacific midnight (429)', async () => {
    h = await harness({ tokenDailyLimits: { refresh_token: 2, client_credentials: 1 } });
    const refresh = () => h.token({ grant_type: 'refresh_token', refresh_token: h.ebay.refreshToken });
    expect((await refresh()).status).toBe(200);
    expect((await refresh()).status).toBe(200);
    expect(await refresh()).toEqual({ status: 429, body: { error: 'too_many_requests', error_description: expect.stringMatching(/daily limit of 2 refresh_token/) } });
    expect((await h.token({ grant_type: 'client_credentials' })).status).toBe(200);
    expect((await h.token({ grant_type: 'client_credentials' })).status).toBe(429);
    // START is 02:00 Pacific: the limits reset 22 hours later.
    await h.scheduler.advance(22 * 3_600_000);
    expect((await refresh()).status).toBe(200);
    expect(h.ebay.counters()).toMatchObject({ tokensIssued: 4, tokensThrottled: 2 });
  });
});
