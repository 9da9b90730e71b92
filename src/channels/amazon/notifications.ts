// Relayed SP-API notifications in: ORDER_CHANGE, the optional faster path beside the order poll,
// and LISTINGS_ITEM_MFN_QUANTITY_CHANGE, every change of a merchant-fulfilled quantity (hand
// edits among them; quantity-change.ts). Amazon delivers
// notifications only to SQS or EventBridge (no HTTP destination, no signature: AWS IAM guards the
// queue), so the merchant runs a relay that takes each message off the queue and posts its body,
// unchanged, to the channel's one webhook route, signed with the channel's
// `notification_secret`: `X-Truestock-Relay-Signature: base64(HMAC-SHA256(secret, raw body))`.
//
// The delivery id is `NotificationMetadata.NotificationId` (a redelivered message is answered
// `duplicate`); the topic is the body's own `NotificationType`, so the signature covers it. A
// notification and a poll of the same order apply once: both name the order by Amazon's order id
// and its lines by order item id, and carry the same time for the same status (order-facts.ts).
// A quantity change is read with the channel's settings (the marketplaces its SKU is listed on), so
// the route parses through `parseWith`.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ChannelEvent, OrderLineFacts } from '../../domain/channel-event.ts';
import type { Delivery, Parsed, Settings, Verified, VerifyFailed, WebhookSpec } from '../kind.ts';
import { count, isObject, lineFacts, NOTIFICATION_STATUS, ORDER_LINES_MAX, orderFacts, statusTime, str, time } from './order-facts.ts';
import { MFN_QUANTITY_CHANGE, mfnQuantityChangeEvent } from './quantity-change.ts';

export const RELAY_SIGNATURE_HEADER = 'x-truestock-relay-signature';
const SIGNATURE_SPELLING = 'X-Truestock-Relay-Signature';
export const ORDER_CHANGE = 'ORDER_CHANGE';
/** A relayed message larger than this is not a notification (Amazon's SQS messages are at most 256 KiB). */
const NOTIFICATION_BYTES_MAX = 262_144;

/** The relay's signature of a body. */
export function relaySignature(raw: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(raw).digest('base64');
}

/**
 * Is a delivery a notification relayed for this channel? In order: the signature header (without
 * it the delivery is not a relayed notification at all), the secret, the signature, then the body's
 * notification id, and the seller it is about.
 */
export function verifyRelayedNotification(d: Delivery, settings: Settings): Verified | VerifyFailed {
  const signature = d.headers[RELAY_SIGNATURE_HEADER];
  if (signature === undefined) return { ok: false, problem: 'missing', field: SIGNATURE_SPELLING, detail: `a relayed Amazon notification carries ${SIGNATURE_SPELLING}` };
  const forged = (detail: string, field = SIGNATURE_SPELLING): VerifyFailed => ({ ok: false, problem: 'forged', field, detail });
  const secret = settings.notification_secret;
  if (typeof secret !== 'string' || secret === '') return forged('the channel has no settings.notification_secret to verify relayed notifications with');
  const expected = createHmac('sha256', secret).update(d.raw).digest();
  const given = Buffer.from(signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return forged('the signature does not match the body and the channel\'s notification_secret');
  const parsed = d.raw.length <= NOTIFICATION_BYTES_MAX ? parseJson(d.raw) : undefined;
  const body = isObject(parsed) ? parsed : {};
  const metadata = isObject(body.NotificationMetadata) ? body.NotificationMetadata : {};
  const notificationId = str(metadata.NotificationId);
  const type = str(body.NotificationType);
  if (notificationId === null || type === null) {
    return { ok: false, problem: 'missing', field: 'NotificationMetadata.NotificationId', detail: 'the body is not an SP-API notification (NotificationType and NotificationMetadata.NotificationId)' };
  }
  // A notification about another seller is not this channel's, however well signed.
  const payload = isObject(body.Payload) ? body.Payload : {};
  const change = type === ORDER_CHANGE && isObject(payload.OrderChangeNotification) ? payload.OrderChangeNotification : null;
  const seller = typeof settings.seller_id === 'string' ? settings.seller_id.trim() : '';
  if (change && str(change.SellerId) !== seller) return forged(`the notification is about seller ${String(change.SellerId)}, not this channel's`, 'Payload.OrderChangeNotification.SellerId');
  if (type === MFN_QUANTITY_CHANGE && str(payload.SellerId) !== seller) return forged(`the notification is about seller ${String(payload.SellerId)}, not this channel's`, 'Payload.SellerId');
  const sentAt = time(metadata.PublishTime) ?? time(body.EventTime);
  return { ok: true, deliveryId: notificationId, topic: type, eventId: change ? str(change.AmazonOrderId) : null, sentAt };
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * A verified notification's events: an ORDER_CHANGE as its order's state, a quantity change as the
 * level of the SKU's listing (on the marketplaces `settings` know: without them it names none);
 * other types are ignored.
 */
export function parseNotification(delivery: Verified, body: unknown, settings: Settings = {}): Parsed {
  if (!isObject(body) || body.NotificationType !== delivery.topic) return { ok: false, ignored: 'the body is not the notification that was verified' };
  if (delivery.topic === MFN_QUANTITY_CHANGE) {
    const level = mfnQuantityChangeEvent(body, delivery.deliveryId, settings);
    return 'ignored' in level ? { ok: false, ignored: level.ignored } : { ok: true, events: [level] };
  }
  if (delivery.topic !== ORDER_CHANGE) return { ok: false, ignored: `notification type ${delivery.topic} is not one truestock uses` };
  const event = orderChangeEvent(body);
  return typeof event === 'string' ? { ok: false, ignored: `unreadable ORDER_CHANGE: ${event}` } : { ok: true, events: [event] };
}

/** An ORDER_CHANGE envelope as its order's event, or why it cannot be read. */
export function orderChangeEvent(body: Record<string, unknown>): ChannelEvent | string {
  const payload = isObject(body.Payload) ? body.Payload : null;
  const change = payload && isObject(payload.OrderChangeNotification) ? payload.OrderChangeNotification : null;
  if (!change) return 'Payload.OrderChangeNotification is missing';
  const orderId = str(change.AmazonOrderId);
  if (orderId === null) return 'AmazonOrderId is missing';
  const summary = isObject(change.Summary) ? change.Summary : null;
  if (!summary) return 'Summary is missing';
  const meaning = NOTIFICATION_STATUS[String(summary.OrderStatus)];
  if (!meaning) return `Summary.OrderStatus ${JSON.stringify(summary.OrderStatus)} is not one truestock knows`;
  const trigger = isObject(change.OrderChangeTrigger) ? change.OrderChangeTrigger : {};
  const at = time(trigger.TimeOfOrderChange) ?? time(body.EventTime);
  if (at === null) return 'neither OrderChangeTrigger.TimeOfOrderChange nor EventTime is a time';
  const items = summary.OrderItems;
  if (!Array.isArray(items) || items.length > ORDER_LINES_MAX) return `Summary.OrderItems must be a list of at most ${ORDER_LINES_MAX}`;
  const marketplaceId = str(summary.MarketplaceId);
  const lines: OrderLineFacts[] = [];
  for (const [i, item] of items.entries()) {
    if (!isObject(item)) return `Summary.OrderItems[${i}] is not an object`;
    const id = str(item.OrderItemId);
    const quantity = count(item.Quantity);
    if (id === null || quantity === null) return `Summary.OrderItems[${i}] needs an OrderItemId and a whole Quantity`;
    lines.push(lineFacts(id, quantity, str(item.SellerSKU), marketplaceId));
  }
  const order = orderFacts(orderId, meaning, summary.FulfillmentType === 'AFN', marketplaceId, lines);
  return { kind: order.cancelled ? 'order_cancelled' : 'order_updated', occurredAt: statusTime(at, meaning), order };
}

export const amazonNotifications: WebhookSpec = {
  verify: verifyRelayedNotification,
  parse: parseNotification,
  parseWith: async (delivery, body, env) => parseNotification(delivery, body, env.settings),
};
