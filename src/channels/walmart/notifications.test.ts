// PO_CREATED / ORDER_UPDATES webhooks: their documented auth (HMAC over the raw payload, or
// Basic credentials), dedupe on source.eventId, and the same reading of an order as the poll's.

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Delivery, Verified } from '../kind.ts';
import { readOrder } from './order-facts.ts';
import { parseNotification, verifyNotification } from './notifications.ts';
import { purchaseOrder } from './walmart.fixture.ts';

const SECRET = 'hook-secret';
const AT = Date.UTC(2026, 11, 5, 9, 0, 0);

function notification(eventType = 'PO_CREATED', payload: Record<string, unknown> = purchaseOrder('PO9', [['A', 2, 'Created']], AT), eventId = 'evt-1') {
  return Buffer.from(JSON.stringify({ source: { eventType, eventTime: new Date(AT).toISOString(), eventId }, payload }));
}
const delivery = (raw: Buffer, headers: Record<string, string>): Delivery => ({ raw, headers, url: 'https://truestock.example/v1/channels/ch_1/webhooks' });
const hmac = (raw: Buffer, secret: string, enc: 'hex' | 'base64') => createHmac('sha256', secret).update(raw).digest(enc);

describe('Walmart webhook verification', () => {
  const settings = { notification_secret: SECRET };

  it('accepts an HMAC-SHA256 of the raw payload, hex or base64, and names the delivery by source.eventId', () => {
    const raw = notification();
    for (const enc of ['hex', 'base64'] as const) {
      const v = verifyNotification(delivery(raw, { authorization: hmac(raw, SECRET, enc) }), settings);
      expect(v).toEqual({ ok: true, deliveryId: 'evt-1', topic: 'PO_CREATED', eventId: 'PO9', sentAt: AT });
    }
  });

  it('refuses forgeries: a changed body, another secret, no secret on the channel; a delivery without the header is not one', () => {
    const raw = notification();
    const changed = Buffer.from(raw.toString().replace('"amount":"2"', '"amount":"9"'));
    expect(changed.equals(raw)).toBe(false);
    expect(verifyNotification(delivery(changed, { authorization: hmac(raw, SECRET, 'hex') }), settings)).toMatchObject({ ok: false, problem: 'forged' });
    expect(verifyNotification(delivery(raw, { authorization: hmac(raw, 'other', 'hex') }), settings)).toMatchObject({ ok: false, problem: 'forged' });
    expect(verifyNotification(delivery(raw, { authorization: 'garbage' }), settings)).toMatchObject({ ok: false, problem: 'forged' });
    expect(verifyNotification(delivery(raw, { authorization: hmac(raw, SECRET, 'hex') }), {})).toMatchObject({ ok: false, problem: 'forged' });
    expect(verifyNotification(delivery(raw, {}), settings)).toMatchObject({ ok: false, problem: 'missing', field: 'Authorization' });
  });

  it('reads the header the subscription names (authHeaderName)', () => {
    const raw = notification();
    const s = { ...settings, notification_header: 'X-Walmart-Signature' };
    expect(verifyNotification(delivery(raw, { 'x-walmart-signature': hmac(raw, SECRET, 'hex') }), s)).toMatchObject({ ok: true });
    expect(verifyNotification(delivery(raw, { authorization: hmac(raw, SECRET, 'hex') }), s)).toMatchObject({ ok: false, problem: 'missing' });
  });

  it('BASIC_AUTH: base64(user:password), with or without the Basic prefix; wrong credentials are forged', () => {
    const raw = notification();
    const s = { notification_auth: 'BASIC_AUTH', notification_user: 'walmart', notification_secret: 'pw' };
    const good = Buffer.from('walmart:pw').toString('base64');
    expect(verifyNotification(delivery(raw, { authorization: `Basic ${good}` }), s)).toMatchObject({ ok: true });
    expect(verifyNotification(delivery(raw, { authorization: good }), s)).toMatchObject({ ok: true });
    expect(verifyNotification(delivery(raw, { authorization: Buffer.from('walmart:nope').toString('base64') }), s)).toMatchObject({ ok: false, problem: 'forged' });
  });

  it('a well-signed body that is not a Walmart notification is missing its ids', () => {
    const raw = Buffer.from('{"hello":1}');
    expect(verifyNotification(delivery(raw, { authorization: hmac(raw, SECRET, 'hex') }), settings)).toMatchObject({ ok: false, problem: 'missing', field: 'source.eventId' });
  });
});

describe('Walmart webhook events', () => {
  const verified = (topic: string): Verified => ({ ok: true, deliveryId: 'evt-1', topic, eventId: 'PO9', sentAt: AT });

  it('PO_CREATED carries the order as the poll reads it (the same events, so it applies once)', () => {
    const po = purchaseOrder('PO9', [['A', 2, 'Created']], AT);
    const parsed = parseNotification(verified('PO_CREATED'), JSON.parse(notification('PO_CREATED', po).toString()));
    const polled = readOrder(po);
    if (typeof polled === 'string') throw new Error(polled);
    expect(parsed).toEqual({ ok: true, events: polled.events });
  });

  it('ORDER_UPDATES with an auto-cancelled line releases those units; the whole order cancelled is order_cancelled', () => {
    const partly = purchaseOrder('PO9', [['A', 2, 'Acknowledged'], ['B', 1, 'Cancelled']], AT);
    const p1 = parseNotification(verified('ORDER_UPDATES'), JSON.parse(notification('ORDER_UPDATES', { subEventType: 'PO_LINE_AUTOCANCELLED', ...partly }).toString()));
    expect(p1.ok && p1.events.map((e) => e.kind)).toEqual(['refund_created', 'order_created']);
    const all = purchaseOrder('PO9', [['A', 2, 'Cancelled']], AT);
    const p2 = parseNotification(verified('ORDER_UPDATES'), JSON.parse(notification('ORDER_UPDATES', { subEventType: 'FRAUD_CANCEL', order: all }).toString()));
    expect(p2.ok && p2.events.map((e) => e.kind)).toEqual(['order_cancelled']);
  });

  it('acts only when the body agrees with the verified topic; other types and order-less payloads are ignored', () => {
    const body = JSON.parse(notification('PO_CREATED').toString());
    expect(parseNotification(verified('ORDER_UPDATES'), body)).toMatchObject({ ok: false });
    expect(parseNotification(verified('OFFER_UNPUBLISHED'), JSON.parse(notification('OFFER_UNPUBLISHED', { sku: 'A' }).toString()))).toMatchObject({ ok: false });
    expect(parseNotification(verified('ORDER_UPDATES'), JSON.parse(notification('ORDER_UPDATES', { purchaseOrderId: 'PO9', subEventType: 'INTENT_TO_CANCEL' }).toString()))).toMatchObject({ ok: false, ignored: expect.stringContaining('poll') });
  });

  it('the legacy PO_CREATED and PO_LINE_AUTOCANCELLED payloads give the events the poll gives for that state', () => {
    const iso = (t: number) => new Date(t).toISOString();
    const legacy = (status: string, qty: number) => ({
      partnerId: 'P1', purchaseOrderId: 'PO9', customerOrderId: 'CPO9', orderDate: iso(AT),
      orderLines: [{ lineNumber: '1', sku: 'A', productName: 'A', quantity: { unitOfMeasure: 'EACH', measurementValue: String(qty) }, status, statusDate: iso(AT) }],
    });
    const created = parseNotification(verified('PO_CREATED'), JSON.parse(notification('PO_CREATED', legacy('CREATED', 2)).toString()));
    const polled = readOrder(purchaseOrder('PO9', [['A', 2, 'Created']], AT));
    if (typeof polled === 'string' || !created.ok) throw new Error('unreadable');
    expect(created.events).toEqual(polled.events);

    const cancelled = parseNotification(verified('PO_LINE_AUTOCANCELLED'), JSON.parse(notification('PO_LINE_AUTOCANCELLED', legacy('CANCELLED', 1)).toString()));
    const polledPartly = readOrder(purchaseOrder('PO9', [['A', 1, 'Cancelled'], ['B', 1, 'Acknowledged']], AT));
    if (typeof polledPartly === 'string' || !cancelled.ok) throw new Error('unreadable');
    expect(cancelled.events).toEqual([polledPartly.events[0]]);
    expect(cancelled.events[0]).toMatchObject({ kind: 'refund_created', refund: { refundId: 'PO9:1:cancelled:1', lines: [{ restock: 'cancel', quantity: 1 }] } });
  });
});
