// Square webhooks: the proof (HMAC over notification URL + raw body, compared in constant time)
// and the bodies read into normalized events — counts at the store, POS sales, returns.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WebhooksHelper } from 'square';
import { externalKey } from '../../domain/listing-rules.ts';
import { SQUARE_LISTING } from './identity.ts';
import { parseSquareWebhook, squareMapping, squareSignature, verifySquareDelivery, verifySquareSignature } from './webhooks.ts';

const URL_SIGNED = 'https://truestock.example/v1/channels/chan_1/webhooks';
const KEY = 'sig-key';
const settings = { signature_key: KEY, notification_url: URL_SIGNED, merchant_id: 'M1', locations: { L1: 'STORE' } };

const countEvent = (quantity = '4', state = 'IN_STOCK') => ({
  merchant_id: 'M1', type: 'inventory.count.updated', event_id: 'evt-1', created_at: '2026-12-05T12:00:01.000Z',
  data: { type: 'inventory_counts', id: 'evt-1-data', object: { inventory_counts: [{ catalog_object_id: 'OBJ1', catalog_object_type: 'ITEM_VARIATION', state, location_id: 'L1', quantity, calculated_at: '2026-12-05T12:00:00.500Z' }] } },
});
const saleEvent = (state = 'COMPLETED', extra: Record<string, unknown> = {}) => ({
  merchant_id: 'M1', type: 'order.created', event_id: 'evt-2', created_at: '2026-12-05T12:00:01.000Z',
  data: { type: 'order_created', id: 'ORD1', object: { order_created: { order_id: 'ORD1', id: 'ORD1', state, location_id: 'L1', version: 1, created_at: '2026-12-05T12:00:00.000Z', line_items: [{ uid: 'li1', catalog_object_id: 'OBJ1', quantity: '3' }], ...extra } } },
});

function delivery(body: unknown, opts: { url?: string; key?: string; signedUrl?: string } = {}) {
  const raw = Buffer.from(JSON.stringify(body));
  return { raw, headers: { 'x-square-hmacsha256-signature': squareSignature(raw, opts.signedUrl ?? URL_SIGNED, opts.key ?? KEY), 'square-environment': 'Production' }, url: opts.url ?? 'http://10.0.0.5/v1/channels/chan_1/webhooks' };
}

describe('Square webhook verification', () => {
  it('takes a genuine delivery (as the SDK signs it too), keyed by event_id', async () => {
    const d = delivery(countEvent());
    // The SDK agrees on the proof (it compares with ===; ours in constant time).
    expect(await WebhooksHelper.verifySignature({ requestBody: d.raw.toString(), signatureHeader: d.headers['x-square-hmacsha256-signature'], signatureKey: KEY, notificationUrl: URL_SIGNED })).toBe(true);
    expect(verifySquareDelivery(d, settings)).toEqual({ ok: true, deliveryId: 'evt-1', eventId: 'evt-1', topic: 'inventory.count.updated', sentAt: Date.parse('2026-12-05T12:00:01.000Z') });
  });

  it('refuses forgeries: body changed, another key, another URL, another merchant; missing header', () => {
    const genuine = delivery(countEvent());
    const tampered = { ...genuine, raw: Buffer.from(genuine.raw.toString().replace('"4"', '"40"')) };
    expect(verifySquareDelivery(tampered, settings)).toMatchObject({ ok: false, problem: 'forged' });
    expect(verifySquareDelivery(delivery(countEvent(), { key: 'other' }), settings)).toMatchObject({ ok: false, problem: 'forged' });
    expect(verifySquareDelivery(delivery(countEvent(), { signedUrl: 'https://evil.example/hook' }), settings)).toMatchObject({ ok: false, problem: 'forged' });
    expect(verifySquareDelivery(delivery({ ...countEvent(), merchant_id: 'M2' }), settings)).toMatchObject({ ok: false, problem: 'forged' });
    expect(verifySquareDelivery({ ...genuine, headers: {} }, settings)).toMatchObject({ ok: false, problem: 'missing', field: 'x-square-hmacsha256-signature' });
    expect(verifySquareDelivery(genuine, { ...settings, signature_key: undefined })).toMatchObject({ ok: false, problem: 'forged' });
    // Without notification_url, the URL called is the one signed.
    const called = delivery(countEvent(), { signedUrl: 'http://10.0.0.5/v1/channels/chan_1/webhooks' });
    expect(verifySquareDelivery(called, { signature_key: KEY })).toMatchObject({ ok: true });
  });
});

describe('Square webhook signatures (property)', () => {
  it('a signature holds for its URL, body and key, and for nothing changed in any of them', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.webUrl(), fc.string({ minLength: 1 }), fc.nat(), (bytes, url, key, at) => {
      const raw = Buffer.from(bytes);
      const sig = squareSignature(raw, url, key);
      expect(verifySquareSignature(raw, url, key, sig)).toBe(true);
      const flipped = Buffer.from(raw);
      flipped[at % raw.length] = flipped[at % raw.length]! ^ 1;
      expect(verifySquareSignature(flipped, url, key, sig)).toBe(false);
      expect(verifySquareSignature(raw, `${url}x`, key, sig)).toBe(false);
      expect(verifySquareSignature(raw, url, `${key}x`, sig)).toBe(false);
      expect(verifySquareSignature(raw, url, key, sig.slice(0, -4))).toBe(false);
    }));
  });
});

describe('Square webhook bodies', () => {
  const parse = (body: Record<string, unknown>) => parseSquareWebhook({ topic: String(body.type), eventId: String(body.event_id), deliveryId: String(body.event_id) }, body);

  it('an IN_STOCK count is a level at the store ; other states are not the shelf', () => {
    const r = parse(countEvent('-1'));
    expect(r).toEqual({ ok: true, events: [{ kind: 'level_updated', occurredAt: Date.parse('2026-12-05T12:00:00.500Z'), eventId: 'evt-1:0', level: {
      keys: [externalKey(SQUARE_LISTING, { catalog_object_id: 'OBJ1', location_id: 'L1' }), externalKey(SQUARE_LISTING, { catalog_object_id: 'OBJ1' })], locationId: 'L1', available: -1 } }] });
    expect(parse(countEvent('2', 'SOLD'))).toMatchObject({ ok: false });
    expect(parse(countEvent('1.5'))).toMatchObject({ ok: false, ignored: expect.stringContaining('whole number') });
  });

  it('a completed POS sale is an order at its store location; CANCELED cancels; DRAFT is nothing yet', () => {
    const r = parse(saleEvent());
    expect(r).toMatchObject({ ok: true, events: [{ kind: 'order_created', order: { orderId: 'ORD1', locationId: 'L1', cancelled: false, lines: [{ lineId: 'li1', quantity: 3, keyPrefixes: ['catalog_object:OBJ1@'] }] } }] });
    expect(parse({ ...saleEvent('CANCELED'), type: 'order.created' })).toMatchObject({ ok: true, events: [{ kind: 'order_cancelled', order: { cancelled: true } }] });
    expect(parse(saleEvent('DRAFT'))).toMatchObject({ ok: false });
  });

  it('a return at the till is a refund with restock at the store, linked to the sale it returns', () => {
    const ret = saleEvent('COMPLETED', { id: 'ORD2', order_id: 'ORD2', line_items: [], returns: [{ uid: 'r1', source_order_id: 'ORD1', return_line_items: [{ uid: 'rl1', source_line_item_uid: 'li1', catalog_object_id: 'OBJ1', quantity: '1' }] }] });
    expect(parse(ret)).toMatchObject({ ok: true, events: [{ kind: 'refund_created', refund: { refundId: 'ORD2:r1', orderId: 'ORD1', lines: [{ lineId: 'li1', quantity: 1, restock: 'return', locationId: 'L1' }] } }] });
  });

  it('a body that disagrees with its type, or an order event that names the order only, acts on nothing', () => {
    expect(parse({ ...countEvent(), type: 'order.created' })).toMatchObject({ ok: false });
    const idOnly = { ...saleEvent(), data: { type: 'order_created', id: 'ORD1', object: { order_created: { order_id: 'ORD1', state: 'COMPLETED', location_id: 'L1' } } } };
    expect(parse(idOnly)).toMatchObject({ ok: false, ignored: expect.stringContaining('names the order only') });
    expect(parseSquareWebhook({ topic: 'order.updated', eventId: 'e', deliveryId: 'e' }, saleEvent())).toMatchObject({ ok: false });
    expect(parse({ ...countEvent(), type: 'customer.created' })).toMatchObject({ ok: false, ignored: expect.stringContaining('not one truestock uses') });
  });

  it('maps Square locations to truestock codes', () => {
    const m = squareMapping({ locations: { L1: 'STORE', L2: 'STORE' } });
    expect(m.locationCode('L1')).toBe('STORE');
    expect(m.locationCode('L9')).toBeUndefined();
    expect(m.locationCodes()).toEqual(['STORE']);
  });
});
