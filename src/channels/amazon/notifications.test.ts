import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadJsonSchema } from '../../../test/support/spec-validator.ts';
import type { Delivery, Verified } from '../kind.ts';
import { amazonNotifications, ORDER_CHANGE, parseNotification, RELAY_SIGNATURE_HEADER, relaySignature, verifyRelayedNotification } from './notifications.ts';
import { listingKey, NOTIFICATION_STATUS } from './order-facts.ts';
import { orderEvent } from './orders-poll.ts';
import { MARKETPLACE, modelOrder, ORDER_CHANGE_SCHEMA, SELLER } from './poll.fixture.ts';

/** A polled order's event (the test fails on one that cannot be read). */
const polledEvent = (o: unknown) => {
  const r = orderEvent(o);
  if (typeof r === 'string') throw new Error(r);
  return r.event;
};


const SECRET = 'relay-secret';
const SETTINGS = { seller_id: SELLER, notification_secret: SECRET };
const schema = loadJsonSchema(ORDER_CHANGE_SCHEMA);

function envelope(over: { status?: string; fulfillment?: 'AFN' | 'MFN'; id?: string; seller?: string; at?: string; orderId?: string; items?: { id: string; sku: string; qty: number }[] } = {}) {
  const items = over.items ?? [{ id: 'OI1', sku: 'SKU-1', qty: 2 }];
  return {
    NotificationVersion: '1.0',
    NotificationType: ORDER_CHANGE,
    PayloadVersion: '1.0',
    EventTime: '2026-03-01T12:00:05.120Z',
    Payload: {
      OrderChangeNotification: {
        NotificationLevel: 'OrderLevel',
        SellerId: over.seller ?? SELLER,
        AmazonOrderId: over.orderId ?? '111-0000000-0000001',
        OrderChangeType: 'OrderStatusChange',
        OrderChangeTrigger: { TimeOfOrderChange: over.at ?? '2026-03-01T12:00:04.900Z', ChangeReason: 'Order status changed' },
        Summary: {
          MarketplaceId: MARKETPLACE, OrderStatus: over.status ?? 'Unshipped', PurchaseDate: '2026-03-01T11:59:00.000Z', DestinationPostalCode: '98101',
          FulfillmentType: over.fulfillment ?? 'MFN', OrderType: 'StandardOrder', NumberOfItemsShipped: 0, NumberOfItemsUnshipped: items.reduce((n, i) => n + i.qty, 0),
          OrderItems: items.map((i) => ({ OrderItemId: i.id, SellerSKU: i.sku, SupplySourceId: null, OrderItemStatus: 'Unshipped', Quantity: i.qty, QuantityShipped: 0, IsBuyerRequestedCancel: false })),
        },
      },
    },
    NotificationMetadata: { ApplicationId: 'amzn1.sp.solution.app', SubscriptionId: 'sub-1', PublishTime: '2026-03-01T12:00:06.000Z', NotificationId: over.id ?? 'n-0001' },
  };
}

function delivery(body: unknown, secret = SECRET, raw = Buffer.from(JSON.stringify(body))): Delivery {
  return { raw, headers: { [RELAY_SIGNATURE_HEADER]: relaySignature(raw, secret), 'content-type': 'application/json' }, url: 'http://truestock.test/v1/channels/ch_1/webhooks' };
}

function verified(body: unknown): Verified {
  const v = verifyRelayedNotification(delivery(body), SETTINGS);
  if (!v.ok) throw new Error(v.detail);
  return v;
}

describe('relayed ORDER_CHANGE notifications: verify', () => {
  it('a genuine delivery: the NotificationId is the delivery id, the body\'s type the topic, PublishTime when it was sent', () => {
    const body = envelope();
    expect(schema.validate(body)).toEqual([]);
    expect(verifyRelayedNotification(delivery(body), SETTINGS)).toEqual({ ok: true, deliveryId: 'n-0001', topic: ORDER_CHANGE, eventId: '111-0000000-0000001', sentAt: Date.parse('2026-03-01T12:00:06.000Z') });
  });

  it('refuses forgeries: no signature, body changed under it, another secret, no secret set, another seller, not a notification', () => {
    const body = envelope();
    const genuine = delivery(body);
    const { [RELAY_SIGNATURE_HEADER]: _, ...unsigned } = genuine.headers;
    expect(verifyRelayedNotification({ ...genuine, headers: unsigned }, SETTINGS)).toMatchObject({ ok: false, problem: 'missing', field: 'X-Truestock-Relay-Signature' });
    const changed = Buffer.from(JSON.stringify(envelope({ status: 'Canceled' })));
    expect(verifyRelayedNotification({ ...genuine, raw: changed }, SETTINGS)).toMatchObject({ ok: false, problem: 'forged' });
    expect(verifyRelayedNotification(delivery(body, 'another-secret'), SETTINGS)).toMatchObject({ ok: false, problem: 'forged' });
    expect(verifyRelayedNotification(genuine, { seller_id: SELLER })).toMatchObject({ ok: false, problem: 'forged', detail: expect.stringContaining('notification_secret') });
    const other = envelope({ seller: 'A2OTHER' });
    expect(schema.validate(other)).toEqual([]);
    expect(verifyRelayedNotification(delivery(other), SETTINGS)).toMatchObject({ ok: false, problem: 'forged', field: 'Payload.OrderChangeNotification.SellerId' });
    expect(verifyRelayedNotification(delivery({ hello: 'world' }), SETTINGS)).toMatchObject({ ok: false, problem: 'missing', field: 'NotificationMetadata.NotificationId' });
    expect(verifyRelayedNotification(delivery(null, SECRET, Buffer.from('not json')), SETTINGS)).toMatchObject({ ok: false, problem: 'missing' });
  });

  it('a redelivery carries the same delivery id (the webhook route answers it duplicate)', () => {
    const body = envelope();
    expect(verified(body).deliveryId).toBe(verified(JSON.parse(JSON.stringify(body))).deliveryId);
  });
});

describe('relayed ORDER_CHANGE notifications: parse', () => {
  const TABLE: [status: string, kind: string, pending: boolean, cancelled: boolean][] = [
    ['PendingAvailability', 'order_updated', true, false],
    ['Pending', 'order_updated', true, false],
    ['Unshipped', 'order_updated', false, false],
    ['PartiallyShipped', 'order_updated', false, false],
    ['Shipped', 'order_updated', false, false],
    ['InvoiceUnconfirmed', 'order_updated', false, false],
    ['Canceled', 'order_cancelled', false, true],
    ['Unfulfillable', 'order_cancelled', false, true],
  ];

  it('covers every OrderStatus the schema declares', () => {
    const model = JSON.parse(readFileSync(ORDER_CHANGE_SCHEMA, 'utf8'));
    const declared: string[] = model.properties.Payload.properties.OrderChangeNotification.properties.Summary.properties.OrderStatus.enum;
    expect(TABLE.map((r) => r[0]).sort()).toEqual([...declared].sort());
    expect(Object.keys(NOTIFICATION_STATUS).sort()).toEqual([...declared].sort());
  });

  it.each(TABLE)('%s → %s, pending %s, cancelled %s', (status, kind, pending, cancelled) => {
    const body = envelope({ status });
    expect(schema.validate(body)).toEqual([]);
    const parsed = parseNotification(verified(body), body);
    expect(parsed).toMatchObject({ ok: true, events: [{ kind, order: { orderId: '111-0000000-0000001', cancelled, locationId: null } }] });
    if (!parsed.ok) return;
    const order = (parsed.events[0] as { order: { pending?: boolean; lines: unknown } }).order;
    expect(order.pending ?? false).toBe(pending);
    expect(order.lines).toEqual([{ lineId: 'OI1', quantity: 2, sku: 'SKU-1', keys: [listingKey('SKU-1', MARKETPLACE)], keyPrefixes: [] }]);
  });

  it('AFN is fulfilled by the channel, at the marketplace', () => {
    const body = envelope({ fulfillment: 'AFN', status: 'Shipped' });
    expect(parseNotification(verified(body), body)).toMatchObject({ ok: true, events: [{ order: { fulfilledByChannel: true, locationId: MARKETPLACE } }] });
  });

  it('ignores other notification types and a body that is not the one verified', () => {
    const other = { ...envelope(), NotificationType: 'FEED_PROCESSING_FINISHED' };
    expect(parseNotification(verified(other), other)).toEqual({ ok: false, ignored: 'notification type FEED_PROCESSING_FINISHED is not one truestock uses' });
    expect(parseNotification(verified(envelope()), other)).toMatchObject({ ok: false });
    const noItems = envelope();
    (noItems.Payload.OrderChangeNotification.Summary as Record<string, unknown>).OrderItems = 'none';
    expect(parseNotification(verified(noItems), noItems)).toMatchObject({ ok: false, ignored: expect.stringContaining('OrderItems') });
  });

  it('a notification and a poll of the same order and state are the same facts at the same time (applied once)', () => {
    const body = envelope({ status: 'Unshipped', at: '2026-03-01T12:00:04.900Z' });
    const parsed = parseNotification(verified(body), body);
    if (!parsed.ok) throw new Error(parsed.ignored);
    const polled = polledEvent(modelOrder({
      orderId: '111-0000000-0000001', createdTime: Date.parse('2026-03-01T11:59:00Z'), lastUpdatedTime: Date.parse('2026-03-01T12:00:04Z'), status: 'UNSHIPPED', fulfilledBy: 'MERCHANT', marketplaceId: MARKETPLACE,
      items: [{ orderItemId: 'OI1', sellerSku: 'SKU-1', quantity: 2 }],
    }));
    const note = parsed.events[0]!;
    expect('order' in note && note.order).toEqual('order' in polled && polled.order);
    expect(note.occurredAt).toBe(polled.occurredAt);
  });

  it('is the kind\'s webhook spec', () => {
    expect(amazonNotifications.verify).toBe(verifyRelayedNotification);
    expect(amazonNotifications.parse).toBe(parseNotification);
  });
});
