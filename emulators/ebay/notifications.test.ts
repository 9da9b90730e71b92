import { createHash, createVerify } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { inProcessFetch, settle } from '../kit/index.ts';
import { harness, type Harness, NOTI } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

const ENDPOINT = 'https://truestock.example/webhooks/ebay';
const TOKEN = 'truestock_verification_token_0123456789abcdef';

interface Delivery {
  headers: IncomingMessage['headers'];
  text: string;
  body: any;
}

/** A receiver as eBay's SDK would run it: answers the challenge, records deliveries, fails the first `failFirst`. */
function receiver(o: { answer?: (code: string) => string; failFirst?: number } = {}) {
  const got: Delivery[] = [];
  let failures = o.failFirst ?? 0;
  const challenges: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', ENDPOINT);
      if (req.method === 'GET') {
        const code = url.searchParams.get('challenge_code') ?? '';
        challenges.push(code);
        // eBay's SDK: hex SHA-256 of challengeCode + verificationToken + endpoint.
        const answer = o.answer ? o.answer(code) : createHash('sha256').update(code).update(TOKEN).update(ENDPOINT).digest('hex');
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ challengeResponse: answer }));
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      if (failures > 0) {
        failures--;
        res.writeHead(500).end();
        return;
      }
      got.push({ headers: req.headers, text, body: JSON.parse(text) });
      res.writeHead(204).end();
    });
  };
  return { got, challenges, fetch: inProcessFetch(handler, { origin: new URL(ENDPOINT).origin }) };
}

async function subscribe(topicId = 'ORDER_CONFIRMATION') {
  const d = await h.call('POST', `${NOTI}/destination`, { body: { name: 'truestock', status: 'ENABLED', deliveryConfig: { endpoint: ENDPOINT, verificationToken: TOKEN } } });
  expect(d.status).toBe(201);
  const destinationId = d.headers.get('location')!.split('/').pop()!;
  const s = await h.call('POST', `${NOTI}/subscription`, { body: { topicId, status: 'ENABLED', destinationId, payload: { format: 'JSON', schemaVersion: '1.0', deliveryProtocol: 'HTTPS' } } });
  expect(s.status).toBe(201);
  return { destinationId, subscriptionId: s.headers.get('location')!.split('/').pop()! };
}

/** eBay's SDK verification (lib/validator.js): the key fetched by kid, 'ssl3-sha1' over JSON.stringify(parsed body). */
async function verifies(d: { headers: IncomingMessage['headers']; body: unknown }): Promise<boolean> {
  const header = JSON.parse(Buffer.from(String(d.headers['x-ebay-signature']), 'base64').toString('ascii'));
  expect(header).toEqual({ alg: 'ecdsa', kid: expect.any(String), signature: expect.any(String), digest: 'SHA1' });
  const app = (await h.token({ grant_type: 'client_credentials' })).body.access_token as string;
  const key = await h.call('GET', `${NOTI}/public_key/${header.kid}`, { token: app });
  expect(key.body).toEqual({ algorithm: 'ECDSA', digest: 'SHA1', key: expect.stringMatching(/^-----BEGIN PUBLIC KEY-----[^\n]+-----END PUBLIC KEY-----$/) });
  const pem = key.body.key.replace(/-----BEGIN PUBLIC KEY-----/, '-----BEGIN PUBLIC KEY-----\n').replace(/-----END PUBLIC KEY-----/, '\n-----END PUBLIC KEY-----');
  return createVerify('ssl3-sha1').update(JSON.stringify(d.body)).verify(pem, header.signature, 'base64');
}

describe('notifications', () => {
  it('challenges the endpoint on createDestination, then sends one signed ORDER_CONFIRMATION per line item at checkout', async () => {
    const r = receiver();
    h = await harness({ fetch: r.fetch });
    h.ebay.addListing({ sku: 'MUG', quantity: 10 });
    h.ebay.addListing({ sku: 'CUP', quantity: 10 });
    const { destinationId, subscriptionId } = await subscribe();
    expect(r.challenges).toHaveLength(1);
    expect((await h.call('GET', `${NOTI}/destination/${destinationId}`)).body).toEqual({ destinationId, name: 'truestock', status: 'ENABLED' });
    expect((await h.call('GET', `${NOTI}/subscription/${subscriptionId}`)).body).toMatchObject({ topicId: 'ORDER_CONFIRMATION', status: 'ENABLED', destinationId });
    const order = h.ebay.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }, { sku: 'CUP', quantity: 2 }], paid: false });
    await h.ebay.flushNotifications();
    expect(r.got).toHaveLength(0);
    h.ebay.payOrder(order.orderId);
    await h.ebay.flushNotifications();
    expect(r.got).toHaveLength(2);
    for (const [i, d] of r.got.entries()) {
      expect(d.body).toEqual({
        metadata: { topic: 'ORDER_CONFIRMATION', schemaVersion: '1.0', deprecated: false },
        notification: { notificationId: expect.any(String), eventDate: expect.any(String), publishDate: expect.any(String), publishAttemptCount: 1, data: { orderId: order.orderId, lineItemId: order.lines[i]!.lineItemId, legacyItemId: order.lines[i]!.legacyItemId } },
      });
      expect(await verifies(d)).toBe(true);
    }
    expect(r.got[0]!.body.notification.notificationId).not.toBe(r.got[1]!.body.notification.notificationId);
    // A tampered body does not verify; nor does a re-ordered one with the same signature over other bytes.
    const tampered = structuredClone(r.got[0]!.body);
    tampered.notification.data.orderId = '99-99999-99999';
    expect(await verifies({ headers: r.got[0]!.headers, body: tampered })).toBe(false);
    expect(await verifies({ headers: r.got[0]!.headers, body: r.got[1]!.body })).toBe(false);
    expect(h.ebay.counters()).toMatchObject({ notificationsPublished: 2, notificationsSent: 2, challengesPassed: 1 });
  });

  it('refuses a destination whose endpoint answers the challenge wrong (409 195020), and bad setup calls per the model', async () => {
    const r = receiver({ answer: () => 'not-the-hash' });
    h = await harness({ fetch: r.fetch });
    const d = await h.call('POST', `${NOTI}/destination`, { body: { name: 'truestock', status: 'ENABLED', deliveryConfig: { endpoint: ENDPOINT, verificationToken: TOKEN } } });
    expect(d.status).toBe(409);
    expect(d.body.errors[0]).toMatchObject({ errorId: 195020, domain: 'API_NOTIFICATION' });
    const bad = async (body: unknown, errorId: number, path = 'destination') => {
      const a = await h.call('POST', `${NOTI}/${path}`, { body });
      expect(a.status).toBe(400);
      expect(a.body.errors[0].errorId).toBe(errorId);
    };
    await bad({ status: 'ENABLED', deliveryConfig: { endpoint: 'not a url', verificationToken: TOKEN } }, 195017);
    await bad({ status: 'ENABLED', deliveryConfig: { endpoint: ENDPOINT, verificationToken: 'short' } }, 195019);
    await bad({ status: 'ON', deliveryConfig: { endpoint: ENDPOINT, verificationToken: TOKEN } }, 195018);
    await bad({ topicId: 'ORDER_CONFIRMATION', status: 'ENABLED', destinationId: 'nope', payload: { format: 'JSON', schemaVersion: '1.0', deliveryProtocol: 'HTTPS' } }, 195007, 'subscription');
    await bad({ topicId: 'NO_SUCH_TOPIC', status: 'ENABLED', destinationId: 'nope' }, 195027, 'subscription');
    expect((await h.call('GET', `${NOTI}/public_key/not-a-kid`)).status).toBe(404);
    expect(h.ebay.counters().challengesFailed).toBe(1);
  });

  it('retries a failed delivery with the same notificationId, and duplicates on the fault switch (dedupe by notificationId)', async () => {
    const r = receiver({ failFirst: 1 });
    h = await harness({ fetch: r.fetch });
    h.ebay.addListing({ sku: 'MUG', quantity: 10 });
    await subscribe();
    h.ebay.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }] });
    await settle();
    await settle();
    expect(r.got).toHaveLength(0);
    await h.scheduler.advance(1000);
    await h.ebay.flushNotifications();
    expect(r.got).toHaveLength(1);
    h.ebay.setNotificationFaults({ duplicate: 1 });
    h.ebay.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }] });
    await h.ebay.flushNotifications();
    expect(r.got).toHaveLength(3);
    expect(r.got[1]!.body.notification.notificationId).toBe(r.got[2]!.body.notification.notificationId);
    expect(await verifies(r.got[2]!)).toBe(true);
    expect(h.ebay.counters()).toMatchObject({ notificationsPublished: 2, notificationsSent: 3, notificationsDuplicated: 1 });
  });

  it('sends ITEM_MARKED_SHIPPED to its subscribers when a line ships', async () => {
    const r = receiver();
    h = await harness({ fetch: r.fetch });
    h.ebay.addListing({ sku: 'MUG', quantity: 10 });
    const { destinationId } = await subscribe();
    const s = await h.call('POST', `${NOTI}/subscription`, { body: { topicId: 'ITEM_MARKED_SHIPPED', status: 'ENABLED', destinationId, payload: { format: 'JSON', schemaVersion: '1.0', deliveryProtocol: 'HTTPS' } } });
    expect(s.status).toBe(201);
    const dup = await h.call('POST', `${NOTI}/subscription`, { body: { topicId: 'ITEM_MARKED_SHIPPED', status: 'ENABLED', destinationId, payload: { format: 'JSON', schemaVersion: '1.0', deliveryProtocol: 'HTTPS' } } });
    expect(dup.status).toBe(409);
    const o = h.ebay.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }] });
    h.ebay.shipOrder(o.orderId);
    await h.ebay.flushNotifications();
    expect(r.got.map((d) => d.body.metadata.topic)).toEqual(['ORDER_CONFIRMATION', 'ITEM_MARKED_SHIPPED']);
  });

  it('can be wired from the control surface, through the same challenge', async () => {
    const r = receiver();
    h = await harness({ fetch: r.fetch });
    h.ebay.addListing({ sku: 'MUG', quantity: 10 });
    const wrongToken = await h.control('POST', '/_emulator/notifications', { endpoint: ENDPOINT, verification_token: `${TOKEN}x` });
    expect(wrongToken).toMatchObject({ status: 400, body: { code: 'invalid_input', detail: expect.stringMatching(/195020/) } });
    const ok = await h.control('POST', '/_emulator/notifications', { endpoint: ENDPOINT, verification_token: TOKEN, topics: ['ORDER_CONFIRMATION'] });
    expect(ok).toMatchObject({ status: 201, body: { destination_id: expect.any(String), subscription_ids: [expect.any(String)] } });
    h.ebay.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }] });
    expect((await h.control('POST', '/_emulator/notifications/flush')).status).toBe(200);
    expect(r.got).toHaveLength(1);
    expect(await verifies(r.got[0]!)).toBe(true);
  });
});
