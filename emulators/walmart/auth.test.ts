import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness, NODE, tokenCall } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('POST /v3/token', () => {
  it('gives a Bearer token for 900 s for client credentials sent as HTTP Basic', async () => {
    h = await harness();
    const a = await tokenCall(h, { authorization: basic(h.walmart.clientId, h.walmart.clientSecret), form: { grant_type: 'client_credentials' } });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, access_token: expect.any(String) });
    expect(h.walmart.counters().tokensIssued).toBe(1);
  });

  it('refuses wrong or missing credentials (401), another grant type (400), and a call without WM_SVC.NAME (400)', async () => {
    h = await harness();
    const wrong = await tokenCall(h, { authorization: basic(h.walmart.clientId, 'not-the-secret'), form: { grant_type: 'client_credentials' } });
    expect([wrong.status, wrong.body.errors[0].code]).toEqual([401, 'UNAUTHORIZED']);
    const none = await tokenCall(h, { form: { grant_type: 'client_credentials' } });
    expect(none.status).toBe(401);
    const grant = await tokenCall(h, { authorization: basic(h.walmart.clientId, h.walmart.clientSecret), form: { grant_type: 'refresh_token', refresh_token: 'x' } });
    expect([grant.status, grant.body.errors[0].code, grant.body.errors[0].field]).toEqual([400, 'INVALID_REQUEST_PARAM', 'grant_type']);
    const svc = await tokenCall(h, { authorization: basic(h.walmart.clientId, h.walmart.clientSecret), form: { grant_type: 'client_credentials' }, headers: { 'WM_SVC.NAME': undefined } });
    expect([svc.status, svc.body.errors[0].code, svc.body.errors[0].field]).toEqual([400, 'MISSING_REQUEST_HEADER', 'WM_SVC.NAME']);
    expect(h.walmart.counters()).toMatchObject({ tokensIssued: 0, tokensRefused: 2 });
  });
});

describe('WM_SEC.ACCESS_TOKEN and the required headers', () => {
  it('a token works until 900 s on the clock have passed, then answers 401 until a new one is fetched', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 3 });
    const token = await h.login();
    await h.scheduler.advance(899_999);
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'A' }, token })).status).toBe(200);
    await h.scheduler.advance(1);
    const expired = await h.call('GET', '/v3/inventory', { query: { sku: 'A' }, token });
    expect([expired.status, expired.body.errors[0].code]).toEqual([401, 'UNAUTHORIZED']);
    expect(expired.body.errors[0].description).toMatch(/expired/);
    const fresh = await h.login();
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'A' }, token: fresh })).body).toEqual({ sku: 'A', quantity: { unit: 'EACH', amount: 3 } });
    expect(h.walmart.counters().unauthorized).toBe(1);
  });

  it('no token, a token Walmart never issued, and an expired-by-control token are 401; a missing correlation id is 400', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 3 });
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'A' }, token: null })).status).toBe(401);
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'A' }, token: 'forged' })).status).toBe(401);
    const token = await h.login();
    h.walmart.expireTokens();
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'A' }, token })).status).toBe(401);
    const fresh = await h.login();
    const noCorrelation = await h.call('GET', '/v3/inventory', { query: { sku: 'A' }, token: fresh, headers: { 'WM_QOS.CORRELATION_ID': undefined } });
    expect([noCorrelation.status, noCorrelation.body.errors[0].code, noCorrelation.body.errors[0].field]).toEqual([400, 'MISSING_REQUEST_HEADER', 'WM_QOS.CORRELATION_ID']);
  });

  it('GET /v3/token/detail describes the live token', async () => {
    h = await harness();
    await h.login();
    const d = await h.call('GET', '/v3/token/detail');
    expect(d.body).toMatchObject({ is_valid: true, is_channel_match: true, issued_at: String(Date.parse('2026-11-23T10:00:00Z')), expire_at: String(Date.parse('2026-11-23T10:15:00Z')) });
    expect(NODE).toBe(h.walmart.shipNodes[0]);
  });
});

describe('revoked credentials', () => {
  it('a revoked app gets no token and its live tokens die; restored, it logs in again', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 1 });
    const token = await h.login();
    expect((await h.control('POST', '/_emulator/credentials', { revoked: true })).status).toBe(200);
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'A' }, token })).status).toBe(401);
    const refused = await tokenCall(h, { authorization: basic(h.walmart.clientId, h.walmart.clientSecret), form: { grant_type: 'client_credentials' } });
    expect(refused.status).toBe(401);
    h.walmart.revokeCredentials(false);
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'A' }, token: await h.login() })).status).toBe(200);
  });
});
