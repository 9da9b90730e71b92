// Reading Shopify deliveries: the signature check, id spellings, listing keys, location mapping
// and each topic's payload (in the REST shapes the emulator sends) into normalized events.

import { SHOPIFY_LISTING } from './identity.ts';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { externalKey } from '../../domain/listing-rules.ts';
import { idForms, lineKeys, parseShopifyWebhook, shopifyMapping, toGid, verifyShopifyHmac } from './webhooks.ts';

const sign = (body: Buffer, secret: string) => createHmac('sha256', secret).update(body).digest('base64');
const info = (topic: string) => ({ topic, eventId: 'evt-1' });

const order = {
  id: 1001,
  admin_graphql_api_id: 'gid://shopify/Order/1001',
  name: '#1001',
  created_at: '2026-11-23T10:00:00Z',
  updated_at: '2026-11-23T10:00:00Z',
  cancelled_at: null,
  location_id: 7,
  line_items: [{ id: 1002, admin_graphql_api_id: 'gid://shopify/LineItem/1002', variant_id: 5, sku: 'MUG', quantity: 2 }],
};

describe('verifyShopifyHmac', () => {
  it('accepts exactly the signature of the raw body with the secret', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.string({ minLength: 1 }), fc.uint8Array({ minLength: 1, maxLength: 200 }), (bytes, secret, other) => {
      const body = Buffer.from(bytes);
      expect(verifyShopifyHmac(body, secret, sign(body, secret))).toBe(true);
      expect(verifyShopifyHmac(body, `${secret}x`, sign(body, secret))).toBe(false);
      const changed = Buffer.concat([body, Buffer.from(other)]);
      expect(verifyShopifyHmac(changed, secret, sign(body, secret))).toBe(false);
    }));
  });
  it('refuses a signature of the wrong length or not base64 without throwing', () => {
    const body = Buffer.from('{}');
    expect(verifyShopifyHmac(body, 's', '')).toBe(false);
    expect(verifyShopifyHmac(body, 's', 'abc')).toBe(false);
    expect(verifyShopifyHmac(body, 's', '!!!!')).toBe(false);
    expect(verifyShopifyHmac(body, 's', sign(body, 's').slice(0, -4))).toBe(false);
  });
});

describe('ids, keys and locations', () => {
  it('spells every id as a gid of its type', () => {
    expect(toGid('Order', 12)).toBe('gid://shopify/Order/12');
    expect(toGid('Order', '12')).toBe('gid://shopify/Order/12');
    expect(toGid('Order', 'gid://shopify/Order/12')).toBe('gid://shopify/Order/12');
    expect(toGid('Order', 'gid://shopify/LineItem/12')).toBeNull();
    expect(toGid('Order', -1)).toBeNull();
    expect(toGid('Order', null)).toBeNull();
    expect(idForms('Location', '7')).toEqual(['gid://shopify/Location/7', '7']);
    expect(idForms('Location', 'elsewhere')).toEqual(['elsewhere']);
  });

  it('keys a line by its variant and by its inventory item at the location, in both spellings', () => {
    const { keys, keyPrefixes } = lineKeys('gid://shopify/ProductVariant/5', 'gid://shopify/InventoryItem/4', ['gid://shopify/Location/7']);
    expect(keys).toEqual(expect.arrayContaining([
      externalKey(SHOPIFY_LISTING, { variant_id: 'gid://shopify/ProductVariant/5' }),
      externalKey(SHOPIFY_LISTING, { variant_id: '5' }),
      externalKey(SHOPIFY_LISTING, { inventory_item_id: 'gid://shopify/InventoryItem/4', location_id: 'gid://shopify/Location/7' }),
      externalKey(SHOPIFY_LISTING, { inventory_item_id: '4', location_id: '7' }),
    ]));
    expect(keys).toHaveLength(6);
    for (const p of keyPrefixes) expect(externalKey(SHOPIFY_LISTING, { inventory_item_id: p.includes('gid') ? 'gid://shopify/InventoryItem/4' : '4', location_id: '99' }).startsWith(p)).toBe(true);
  });

  it('maps channel locations given as gids or numbers', () => {
    const m = shopifyMapping({ locations: { 'gid://shopify/Location/7': 'WH1', 8: 'WH2', 9: '' } });
    expect(m.locationCode('7')).toBe('WH1');
    expect(m.locationCode('gid://shopify/Location/8')).toBe('WH2');
    expect(m.locationCode('gid://shopify/Location/9')).toBeUndefined();
    // Number-like keys come first in a JavaScript object, whatever order the JSON had them in.
    expect(m.locationCodes()).toEqual(['WH2', 'WH1']);
    expect(shopifyMapping({ locations: { 'gid://shopify/Location/9': 'WH9', 'gid://shopify/Location/7': 'WH7' } }).locationCodes()).toEqual(['WH9', 'WH7']);
    expect(shopifyMapping({}).locationCodes()).toEqual([]);
  });
});

describe('parseShopifyWebhook', () => {
  it('reads an order, with gids and the body\'s own time', () => {
    const parsed = parseShopifyWebhook(info('orders/create'), order);
    expect(parsed).toMatchObject({
      ok: true,
      event: {
        kind: 'order_created',
        occurredAt: Date.UTC(2026, 10, 23, 10, 0, 0),
        order: { orderId: 'gid://shopify/Order/1001', name: '#1001', locationId: 'gid://shopify/Location/7', cancelled: false, lines: [{ lineId: 'gid://shopify/LineItem/1002', quantity: 2, sku: 'MUG' }] },
      },
    });
  });

  it('takes updated_at as the time, and reads a cancellation from either topic', () => {
    const cancelled = { ...order, cancelled_at: '2026-11-23T10:05:00Z', updated_at: '2026-11-23T10:05:00Z' };
    expect(parseShopifyWebhook(info('orders/updated'), cancelled)).toMatchObject({ ok: true, event: { kind: 'order_updated', occurredAt: Date.parse('2026-11-23T10:05:00Z'), order: { cancelled: true } } });
    expect(parseShopifyWebhook(info('orders/cancelled'), cancelled)).toMatchObject({ ok: true, event: { kind: 'order_cancelled', order: { cancelled: true } } });
  });

  it('reads a refund with its restock types', () => {
    const refund = {
      id: 2001, admin_graphql_api_id: 'gid://shopify/Refund/2001', order_id: 1001, created_at: '2026-11-23T11:00:00Z',
      refund_line_items: [
        { id: 3001, line_item_id: 1002, quantity: 1, restock_type: 'return', location_id: 7, line_item: { id: 1002, variant_id: 5, sku: 'MUG' } },
        { id: 3002, line_item_id: 1002, quantity: 1, restock_type: 'legacy_restock', location_id: null, line_item: { id: 1002, variant_id: 5, sku: 'MUG' } },
      ],
    };
    expect(parseShopifyWebhook(info('refunds/create'), refund)).toMatchObject({
      ok: true,
      event: { kind: 'refund_created', refund: { refundId: 'gid://shopify/Refund/2001', orderId: 'gid://shopify/Order/1001', lines: [
        { lineId: 'gid://shopify/LineItem/1002', restock: 'return', locationId: 'gid://shopify/Location/7', sku: 'MUG', quantity: 1 },
        { restock: 'return', locationId: null },
      ] } },
    });
  });

  it('reads an inventory level, a negative available included', () => {
    const level = { inventory_item_id: 4, location_id: 7, available: -2, updated_at: '2026-11-23T10:00:00Z' };
    expect(parseShopifyWebhook(info('inventory_levels/update'), level)).toMatchObject({
      ok: true,
      event: { kind: 'level_updated', eventId: 'evt-1', level: { locationId: 'gid://shopify/Location/7', available: -2, keys: expect.arrayContaining([externalKey(SHOPIFY_LISTING, { inventory_item_id: '4', location_id: '7' })]) } },
    });
  });

  it('ignores other topics and unreadable payloads with the reason', () => {
    expect(parseShopifyWebhook(info('products/update'), {})).toEqual({ ok: false, ignored: 'topic products/update is not one truestock uses' });
    expect(parseShopifyWebhook(info('orders/create'), null)).toMatchObject({ ok: false, ignored: expect.stringMatching(/^unreadable payload/) });
    expect(parseShopifyWebhook(info('orders/create'), { ...order, line_items: [{ id: 1, quantity: 0 }] })).toMatchObject({ ok: false, ignored: expect.stringMatching(/quantity/) });
    expect(parseShopifyWebhook(info('orders/create'), { name: 'x', updated_at: order.updated_at, line_items: [] })).toMatchObject({ ok: false, ignored: expect.stringMatching(/order.id/) });
    // Only the signed body tells the time: without one the delivery is unreadable (no header stands in).
    expect(parseShopifyWebhook(info('orders/create'), { ...order, updated_at: undefined, created_at: undefined })).toEqual({ ok: false, ignored: 'unreadable payload: the body has no readable updated_at or created_at' });
    expect(parseShopifyWebhook(info('refunds/create'), { id: 1, order_id: 2, refund_line_items: [{ line_item_id: 3, quantity: 1, restock_type: 'maybe' }] }))
      .toMatchObject({ ok: false, ignored: expect.stringMatching(/restock_type/) });
    expect(parseShopifyWebhook(info('inventory_levels/update'), { inventory_item_id: 4, location_id: 7, available: 1 })).toMatchObject({ ok: false, ignored: expect.stringMatching(/updated_at/) });
  });

  it('acts only when the body agrees with its topic (the HMAC does not cover the topic)', () => {
    const cancelled = { ...order, cancelled_at: '2026-11-23T10:05:00Z' };
    const refund = { id: 2001, admin_graphql_api_id: 'gid://shopify/Refund/2001', order_id: 1001, created_at: '2026-11-23T11:00:00Z', refund_line_items: [] };
    const level = { inventory_item_id: 4, location_id: 7, available: 3, updated_at: '2026-11-23T10:00:00Z', admin_graphql_api_id: 'gid://shopify/InventoryLevel/7?inventory_item_id=4' };
    const bodies = { order, cancelled, refund, level };
    const agrees: Record<string, (keyof typeof bodies)[]> = {
      'orders/create': ['order', 'cancelled'],
      'orders/updated': ['order', 'cancelled'],
      'orders/cancelled': ['cancelled'],
      'refunds/create': ['refund'],
      'inventory_levels/update': ['level'],
    };
    for (const [topic, fits] of Object.entries(agrees)) {
      for (const [name, body] of Object.entries(bodies)) {
        const parsed = parseShopifyWebhook(info(topic), body);
        if (fits.includes(name as keyof typeof bodies)) expect(parsed, `${name} as ${topic}`).toMatchObject({ ok: true });
        else expect(parsed, `${name} as ${topic}`).toEqual({ ok: false, ignored: expect.stringMatching(new RegExp(`^topic ${topic} disagrees with its body: `)) });
      }
    }
    expect(parseShopifyWebhook(info('orders/cancelled'), order)).toEqual({ ok: false, ignored: 'topic orders/cancelled disagrees with its body: the order in the body is not cancelled (cancelled_at is not set)' });
    // An id of another type gives a body away even when its fields look right.
    expect(parseShopifyWebhook(info('orders/create'), { ...order, admin_graphql_api_id: 'gid://shopify/Refund/1001' })).toMatchObject({ ok: false, ignored: expect.stringMatching(/is a Refund, not an order/) });
  });

  it('never throws on arbitrary JSON', () => {
    fc.assert(fc.property(fc.constantFrom('orders/create', 'orders/updated', 'orders/cancelled', 'refunds/create', 'inventory_levels/update'), fc.jsonValue(), (topic, body) => {
      const parsed = parseShopifyWebhook(info(topic), body);
      expect(typeof parsed.ok).toBe('boolean');
    }));
  });
});
