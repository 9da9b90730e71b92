// ORDER_CONFIRMATION notifications: the ECDSA signature checked as eBay's SDK checks it (key by
// kid from the Notification API, cached an hour on the clock), forgeries refused, the order read
// through getOrder exactly as the poll reads it, and the endpoint challenge answered.

import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../kind.ts';
import { FakeEbay } from './ebay-api.fixture.ts';
import { answerChallenge, EBAY_PUBLIC_KEY_CACHE_MS, ebayNotifications } from './notifications.ts';
import { orderEvent } from './order-facts.ts';

const URL_CALLED = 'https://truestock.example/v1/channels/ch_1/webhooks';

function notification(fake: FakeEbay, orderId = '12-00001-00000', id = 'n-1'): string {
  return JSON.stringify({
    metadata: { topic: 'ORDER_CONFIRMATION', schemaVersion: '1.0', deprecated: false },
    notification: { notificationId: id, eventDate: new Date(fake.clock.now() - 2_000).toISOString(), publishDate: new Date(fake.clock.now() - 1_000).toISOString(), publishAttemptCount: 1, data: { orderId, lineItemId: '1001', legacyItemId: '1100' } },
  });
}
const delivery = (body: string, signature: string | undefined): Delivery => ({ raw: Buffer.from(body), headers: signature === undefined ? {} : { 'x-ebay-signature': signature }, url: URL_CALLED });
const keyFetches = (fake: FakeEbay) => fake.calls.filter((c) => c.path.startsWith('/commerce/notification/v1/public_key/')).length;

describe('eBay notification signatures', () => {
  const verify = (fake: FakeEbay, d: Delivery) => ebayNotifications.verifyWith!(d, fake.settings(), { clock: fake.clock, fetch: fake.fetch });

  it('accepts eBay’s signature (SHA-1 as the SDK, or the digest the header names) and says which delivery it is', async () => {
    const fake = new FakeEbay();
    const body = notification(fake);
    expect(await verify(fake, delivery(body, fake.signature(body)))).toEqual({ ok: true, deliveryId: 'n-1', topic: 'ORDER_CONFIRMATION', eventId: '12-00001-00000', sentAt: fake.clock.now() - 1_000 });
    // Key order and spacing of the bytes do not matter: the SDK verifies the re-serialised body.
    const spaced = JSON.stringify(JSON.parse(body), null, 2);
    expect(await verify(fake, delivery(spaced, fake.signature(body)))).toMatchObject({ ok: true });
    expect(await verify(fake, delivery(body, fake.signature(body, { digest: 'SHA256' })))).toMatchObject({ ok: true });
    expect(fake.invalid).toEqual([]);
  });

  it('refuses forgeries: a changed body, another key, an unknown kid, a malformed header; a missing header is not a notification', async () => {
    const fake = new FakeEbay();
    const body = notification(fake);
    const good = fake.signature(body);
    const tampered = body.replace('12-00001-00000', '12-00009-00000');
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const sha1As256 = JSON.parse(Buffer.from(good, 'base64').toString()) as Record<string, string>;
    for (const d of [
      delivery(tampered, good),
      delivery(body, fake.signature(body, { key: other })),
      delivery(body, fake.signature(body, { kid: 'kid-unknown' })),
      delivery(body, Buffer.from('{"alg":"ecdsa"}').toString('base64')),
      delivery(body, 'not base64 json'),
      delivery(body, Buffer.from(JSON.stringify({ ...sha1As256, digest: 'SHA256' })).toString('base64')),
      delivery(body, Buffer.from(JSON.stringify({ ...sha1As256, alg: 'rsa' })).toString('base64')),
    ]) expect(await verify(fake, d)).toMatchObject({ ok: false, problem: 'forged' });
    expect(await verify(fake, delivery(body, undefined))).toMatchObject({ ok: false, problem: 'missing', field: 'X-EBAY-SIGNATURE' });
    expect(ebayNotifications.verify(delivery(body, good), fake.settings())).toMatchObject({ ok: false, problem: 'forged' });
  });

  it('fetches a kid’s public key once with an application token and keeps it an hour on the clock', async () => {
    const fake = new FakeEbay();
    const a = notification(fake, 'o-1', 'n-1');
    const b = notification(fake, 'o-2', 'n-2');
    await Promise.all([verify(fake, delivery(a, fake.signature(a))), verify(fake, delivery(b, fake.signature(b)))]);
    expect(keyFetches(fake)).toBe(1);
    expect(fake.grants).toEqual(['client_credentials']);
    fake.clock.advance(EBAY_PUBLIC_KEY_CACHE_MS - 1);
    await verify(fake, delivery(a, fake.signature(a)));
    expect(keyFetches(fake)).toBe(1);
    fake.clock.advance(1);
    await verify(fake, delivery(a, fake.signature(a)));
    expect(keyFetches(fake)).toBe(2);
    expect(fake.invalid).toEqual([]);
  });

  it('a key eBay cannot give now answers busy (eBay delivers again), not forged', async () => {
    const fake = new FakeEbay();
    const body = notification(fake);
    fake.scripted.set('getPublicKey', [{ status: 503, body: { errors: [] } }]);
    await expect(verify(fake, delivery(body, fake.signature(body)))).rejects.toMatchObject({ refusal: { code: 'busy' } });
    // The failure is not cached.
    expect(await verify(fake, delivery(body, fake.signature(body)))).toMatchObject({ ok: true });
  });
});

describe('eBay ORDER_CONFIRMATION', () => {
  it('reads the order it names through getOrder: the same event the poll makes', async () => {
    const fake = new FakeEbay();
    const o = { orderId: '12-00001-00000', lastModifiedDate: new Date(fake.clock.now() - 3_000).toISOString(), orderPaymentStatus: 'PAID', cancelStatus: { cancelState: 'NONE_REQUESTED', cancelRequests: [] }, lineItems: [{ lineItemId: '1001', sku: 'A', quantity: 2 }] };
    fake.orders.push(o);
    const body = notification(fake);
    const env = { clock: fake.clock, fetch: fake.fetch, settings: fake.settings() };
    const v = await ebayNotifications.verifyWith!(delivery(body, fake.signature(body)), env.settings, env);
    if (!v.ok) throw new Error(v.detail);
    const parsed = await ebayNotifications.parseWith!(v, JSON.parse(body), env);
    const polled = orderEvent(o);
    if (typeof polled === 'string') throw new Error(polled);
    expect(parsed).toEqual({ ok: true, events: [polled.event] });
    // Another topic, or a body that is not the verified one, applies nothing.
    expect(await ebayNotifications.parseWith!({ ...v, topic: 'ITEM_MARKED_SHIPPED' }, { metadata: { topic: 'ITEM_MARKED_SHIPPED' } }, env)).toMatchObject({ ok: false });
    expect(await ebayNotifications.parseWith!(v, { metadata: { topic: 'OTHER' } }, env)).toMatchObject({ ok: false });
    // An order eBay cannot give now is left to the poll.
    fake.scripted.set('getOrder', [{ status: 500, body: { errors: [] } }]);
    expect(await ebayNotifications.parseWith!(v, JSON.parse(body), env)).toMatchObject({ ok: false, ignored: expect.stringContaining('the poll brings it') });
    expect(fake.invalid).toEqual([]);
  });
});

describe('eBay endpoint challenge', () => {
  it('answers hex SHA-256 of challenge code + verification token + endpoint URL', () => {
    const token = 'verification_token_of_thirty_two_chars_at_least';
    const expected = createHash('sha256').update(`abc123${token}https://public.example/hooks`).digest('hex');
    expect(answerChallenge({ challenge_code: 'abc123' }, URL_CALLED, { verification_token: token, endpoint_url: 'https://public.example/hooks' })).toEqual({ status: 200, body: { challengeResponse: expected } });
    // Without endpoint_url the address called is the one hashed.
    const called = createHash('sha256').update(`abc123${token}${URL_CALLED}`).digest('hex');
    expect(answerChallenge({ challenge_code: 'abc123' }, URL_CALLED, { verification_token: token })).toEqual({ status: 200, body: { challengeResponse: called } });
    expect(answerChallenge({}, URL_CALLED, { verification_token: token })).toBeNull();
    expect(answerChallenge({ challenge_code: 'abc123' }, URL_CALLED, {})).toBeNull();
  });
});
