import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { settle } from '../kit/index.ts';
import { harness, type Harness, orderRecordSchema } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

interface Delivery {
  url: string;
  headers: Record<string, string>;
  raw: string;
  body: any;
}

/** A receiver: records every POST and answers the next status in `answers` (then 200). */
function receiver(answers: number[] = []) {
  const got: Delivery[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    const raw = String(init?.body ?? '');
    got.push({ url: String(input), headers, raw, body: JSON.parse(raw) });
    return new Response(null, { status: answers.shift() ?? 200 });
  }) as typeof globalThis.fetch;
  return { got, fetch };
}

const HOOK = 'https://seller.example/walmart/hooks';
const SECRET = 'hmac-secret';

function subscription(eventType: string, authDetails?: Record<string, string>) {
  return { eventType, eventVersion: 'V1', resourceName: 'ORDER', eventUrl: HOOK, status: 'ACTIVE', ...(authDetails ? { authDetails } : {}), headers: { 'content-type': 'application/json' } };
}

describe('webhook subscriptions', () => {
  it('nothing is delivered until the seller subscribes', async () => {
    const r = receiver();
    h = await harness({ notificationFetch: r.fetch });
    h.walmart.addSku({ sku: 'A', quantity: 5 });
    h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 1 }] });
    await h.walmart.flushNotifications();
    expect(r.got).toEqual([]);
    expect(h.walmart.counters().notificationsSent).toBe(0);
  });

  it('create, list, update, delete as notifications.json describes; OAUTH and unknown events are refused', async () => {
    h = await harness();
    const created = await h.call('POST', '/v3/webhooks/subscriptions', { body: { events: [subscription('ORDER_UPDATES', { authMethod: 'HMAC', clientSecret: SECRET, authHeaderName: 'WM_SEC.SIGNATURE' })] } });
    const id: string = created.body.event[0].subscriptionId;
    expect(created.body.event[0]).toMatchObject({ eventType: 'ORDER_UPDATES', status: 'ACTIVE', partnerId: h.walmart.partnerId });
    expect((await h.call('GET', '/v3/webhooks/subscriptions', { query: { eventType: 'ORDER_UPDATES' } })).body.events.map((e: { subscriptionId: string }) => e.subscriptionId)).toEqual([id]);
    const again = await h.call('POST', '/v3/webhooks/subscriptions', { body: { events: [subscription('ORDER_UPDATES')] } });
    expect(again.status).toBe(400);
    const patched = await h.call('PATCH', `/v3/webhooks/subscriptions/${id}`, { body: { status: 'INACTIVE' } });
    expect(patched.body.event[0].status).toBe('INACTIVE');
    const oauth = await h.call('POST', '/v3/webhooks/subscriptions', { body: { events: [subscription('PO_CREATED', { authMethod: 'OAUTH', authUrl: 'https://seller.example/token', clientId: 'c', clientSecret: 's' })] } });
    expect([oauth.status, oauth.body.errors[0].field]).toEqual([400, 'events[0].authDetails.authMethod']);
    const unknown = await h.call('POST', '/v3/webhooks/subscriptions', { body: { events: [{ ...subscription('PO_SHIPPED') }] } });
    expect(unknown.status).toBe(400);
    expect((await h.call('DELETE', `/v3/webhooks/subscriptions/${id}`)).body).toMatchObject({ subscriptionId: id });
    expect((await h.call('DELETE', `/v3/webhooks/subscriptions/${id}`)).status).toBe(404);
    expect((await h.call('GET', '/v3/webhooks/eventTypes')).body.eventTypes.map((e: { eventType: string }) => e.eventType)).toContain('ORDER_UPDATES');
  });
});

describe('order notifications', () => {
  it('ORDER_UPDATES (PO_CREATED) signed with HMAC-SHA256 of the raw body, retried on a 500 with the same eventId', async () => {
    const r = receiver([500]);
    h = await harness({ notificationFetch: r.fetch, notificationRetry: { attempts: 3, baseDelayMs: 5000 } });
    h.walmart.addSku({ sku: 'A', quantity: 5 });
    await h.call('POST', '/v3/webhooks/subscriptions', { body: { events: [subscription('ORDER_UPDATES', { authMethod: 'HMAC', clientSecret: SECRET, authHeaderName: 'WM_SEC.SIGNATURE' })] } });
    const po = h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 2 }] }).purchaseOrderId;
    await h.scheduler.advance(0);
    expect(r.got.length).toBe(1);
    await h.scheduler.advance(4999);
    expect(r.got.length).toBe(1);
    await h.scheduler.advance(1);
    await h.walmart.flushNotifications();
    expect(r.got.length).toBe(2);
    const [first, retry] = r.got as [Delivery, Delivery];
    expect(retry.raw).toBe(first.raw);
    expect(retry.headers['wm_sec.signature']).toBe(createHmac('sha256', SECRET).update(retry.raw).digest('base64'));
    expect(retry.body.source).toEqual({ eventType: 'ORDER_UPDATES', eventFilters: null, eventTime: '2026-11-23T10:00:00.000Z', eventId: expect.any(String) });
    expect(retry.body.payload).toMatchObject({ subEventType: 'PO_CREATED', meta: { subEventType: 'PO_CREATED' } });
    expect(retry.body.payload.order.purchaseOrderId).toBe(po);
    expect(orderRecordSchema().validate(retry.body.payload.order, 'payload.order')).toEqual([]);
    expect(h.walmart.counters()).toMatchObject({ notificationsSent: 1, notificationsAttempts: 2, notificationsFailed: 0 });
  });

  it('hex encoding when set; BASIC_AUTH as Basic base64(user:pass); legacy PO_LINE_AUTOCANCELLED on an auto-cancel', async () => {
    const r = receiver();
    h = await harness({ notificationFetch: r.fetch, hmacEncoding: 'hex' });
    h.walmart.addSku({ sku: 'A', quantity: 5 });
    await h.call('POST', '/v3/webhooks/subscriptions', {
      body: { events: [subscription('ORDER_UPDATES', { authMethod: 'HMAC', clientSecret: SECRET, authHeaderName: 'WM_SEC.SIGNATURE' }), subscription('PO_LINE_AUTOCANCELLED', { authMethod: 'BASIC_AUTH', userName: 'abc', password: 'test', authHeaderName: 'Authorization' })] },
    });
    const po = h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 2 }] }).purchaseOrderId;
    await h.scheduler.advance(60_000);
    h.walmart.autoCancel(po);
    await h.walmart.flushNotifications();
    const updates = r.got.filter((d) => d.body.source.eventType === 'ORDER_UPDATES');
    expect(updates.map((d) => d.body.payload.subEventType)).toEqual(['PO_CREATED', 'PO_LINE_AUTOCANCELLED']);
    for (const d of updates) expect(d.headers['wm_sec.signature']).toBe(createHmac('sha256', SECRET).update(d.raw).digest('hex'));
    const legacy = r.got.filter((d) => d.body.source.eventType === 'PO_LINE_AUTOCANCELLED');
    expect(legacy.length).toBe(1);
    expect(legacy[0]!.headers.authorization).toBe(`Basic ${Buffer.from('abc:test').toString('base64')}`);
    expect(legacy[0]!.body.payload).toMatchObject({ purchaseOrderId: po, orderLines: [{ lineNumber: '1', sku: 'A', status: 'CANCELLED', quantity: { unitOfMeasure: 'EACH', measurementValue: '2' }, cancellationReason: expect.stringMatching(/^Auto-cancelled/) }] });
    expect(new Set(r.got.map((d) => d.body.source.eventId)).size).toBe(3);
  });

  it('a duplicated delivery keeps its eventId; an INACTIVE subscription gets nothing; a dropped one never arrives', async () => {
    const r = receiver();
    h = await harness({ notificationFetch: r.fetch });
    h.walmart.addSku({ sku: 'A', quantity: 50 });
    const id = (await h.call('POST', '/v3/webhooks/subscriptions', { body: { events: [subscription('PO_CREATED')] } })).body.event[0].subscriptionId;
    expect((await h.control('POST', '/_emulator/faults', { duplicate: 1 })).status).toBe(200);
    h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 1 }] });
    await h.walmart.flushNotifications();
    expect(r.got.length).toBe(2);
    expect(r.got[0]!.body.source.eventId).toBe(r.got[1]!.body.source.eventId);
    h.walmart.setNotificationFaults({ duplicate: 0, drop: 1 });
    h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 1 }] });
    await h.walmart.flushNotifications();
    expect(r.got.length).toBe(2);
    h.walmart.setNotificationFaults({ drop: 0 });
    await h.call('PATCH', `/v3/webhooks/subscriptions/${id}`, { body: { status: 'INACTIVE' } });
    h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 1 }] });
    await h.walmart.flushNotifications();
    await settle();
    expect(r.got.length).toBe(2);
    expect(h.walmart.counters()).toMatchObject({ notificationsDuplicated: 1, notificationsDropped: 1 });
  });

  it('POST /v3/webhooks/test posts one signed sample to the URL and reports whether it was taken', async () => {
    const ok = receiver();
    h = await harness({ notificationFetch: ok.fetch });
    const a = await h.call('POST', '/v3/webhooks/test', { body: { eventType: 'PO_CREATED', eventVersion: 'V1', resourceName: 'ORDER', eventUrl: HOOK, authDetails: { authMethod: 'HMAC', clientSecret: SECRET, authHeaderName: 'X-Sig' } } });
    expect(a.status).toBe(200);
    expect(ok.got[0]!.headers['x-sig']).toBe(createHmac('sha256', SECRET).update(ok.got[0]!.raw).digest('base64'));
    expect((await h.call('GET', '/v3/webhooks/subscriptions')).body.events).toEqual([]);
    await h.close();
    const refusing = receiver([401]);
    h = await harness({ notificationFetch: refusing.fetch });
    const b = await h.call('POST', '/v3/webhooks/test', { body: { eventType: 'PO_CREATED', eventVersion: 'V1', resourceName: 'ORDER', eventUrl: HOOK } });
    expect([b.status, b.body.errors[0].field]).toEqual([400, 'eventUrl']);
  });
});

describe('subscribing from the control surface', () => {
  it('POST /_emulator/subscriptions subscribes as the seller would (ORDER_UPDATES by default)', async () => {
    const r = receiver();
    h = await harness({ notificationFetch: r.fetch });
    h.walmart.addSku({ sku: 'A', quantity: 5 });
    const s = await h.control('POST', '/_emulator/subscriptions', { event_url: HOOK, auth_details: { authMethod: 'HMAC', clientSecret: SECRET, authHeaderName: 'WM_SEC.SIGNATURE' } });
    expect(s.status).toBe(201);
    expect(s.body).toMatchObject({ eventType: 'ORDER_UPDATES', status: 'ACTIVE', eventUrl: HOOK });
    expect((await h.call('GET', '/v3/webhooks/subscriptions')).body.events.length).toBe(1);
    h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 1 }] });
    await h.walmart.flushNotifications();
    expect(r.got.map((d) => d.body.payload.subEventType)).toEqual(['PO_CREATED']);
    const po = h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 2 }] }).purchaseOrderId;
    const fraud = await h.control('POST', `/_emulator/orders/${po}/fraud-cancel`, {});
    expect(fraud.body.lines[0]).toMatchObject({ statuses: { Cancelled: 2 }, cancellation_reason: 'Cancelled by Walmart fraud review' });
    await h.walmart.flushNotifications();
    expect(r.got.map((d) => d.body.payload.subEventType)).toEqual(['PO_CREATED', 'PO_CREATED', 'FRAUD_CANCEL']);
    expect(orderRecordSchema().validate(r.got[2]!.body.payload.order)).toEqual([]);
    expect(h.walmart.counters().linesFraudCancelled).toBe(1);
    const bad = await h.control('POST', '/_emulator/subscriptions', { event_url: 'ftp://x' });
    expect([bad.status, bad.body.code]).toEqual([400, 'invalid_input']);
  });
});
