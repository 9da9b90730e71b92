// eBay's endpoint challenge through truestock's webhook route, on SQLite and PostgreSQL: eBay GETs
// the notification address with `challenge_code` before it delivers there, and the channel's kind
// answers from the channel's settings (no API key: the route's own proof). A kind without a
// challenge, or a GET without the code, is 404; a POST without eBay's signature header is 400.

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json, unique } from '../../../test/support/http.ts';
import { STORE_KINDS } from '../../../test/support/truestock.ts';

const TOKEN = 'verification_token_for_the_route_test_0123456789';

describe.each(STORE_KINDS)('the eBay endpoint challenge through the webhook route on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  async function channel(k: string, settings: Json): Promise<string> {
    const ch = await h.post('/v1/channels', { kind: k, name: unique(k), settings }, { key: h.a.keys.admin });
    expect(ch.statusCode, ch.body).toBe(201);
    return String((ch.json().channel as Json).id);
  }

  it('answers hex SHA-256 of code + verification token + endpoint URL, with no API key', async () => {
    const endpoint = 'https://truestock.example.com/v1/channels/x/webhooks';
    const id = await channel('ebay', { verification_token: TOKEN, endpoint_url: endpoint });
    const res = await h.inject({ method: 'GET', url: `/v1/channels/${id}/webhooks?challenge_code=a8628072-3d33-45ee-9004-bee86830a22d` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ challengeResponse: createHash('sha256').update(`a8628072-3d33-45ee-9004-bee86830a22d${TOKEN}${endpoint}`).digest('hex') });
    expect((await h.inject({ method: 'GET', url: `/v1/channels/${id}/webhooks` })).statusCode).toBe(404);
    const noSignature = await h.inject({ method: 'POST', url: `/v1/channels/${id}/webhooks`, payload: '{}', headers: { 'content-type': 'application/json' } });
    expectProblem(noSignature, 'webhook_signature_invalid', null);
  });

  it('is 404 for a kind that sends no challenge, and for an eBay channel without a verification token', async () => {
    const amazon = await channel('amazon', { seller_id: 'A1X' });
    expect((await h.inject({ method: 'GET', url: `/v1/channels/${amazon}/webhooks?challenge_code=x` })).statusCode).toBe(404);
    const bare = await channel('ebay', {});
    expect((await h.inject({ method: 'GET', url: `/v1/channels/${bare}/webhooks?challenge_code=x` })).statusCode).toBe(404);
  });
});
