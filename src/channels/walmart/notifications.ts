// PO_CREATED, PO_LINE_AUTOCANCELLED and ORDER_UPDATES webhooks (channels.md §3 "Notifications"):
// the faster path beside the order poll. The legacy events carry their own payload (order-facts.ts
// `readLegacyOrder`); ORDER_UPDATES carries the order as the Orders API shows it. Walmart posts `{source:{eventType, eventTime, eventId}, payload:{…}}` to the
// subscription's URL, authenticated as the subscription's `authDetails` say:
// - `HMAC` (the default here): the header `authHeaderName` holds HMAC-SHA256 of the whole raw
//   payload keyed with the subscription's `clientSecret` (`settings.notification_secret`). Hex or
//   base64 is unconfirmed (channels.md §3): both spellings of the one digest are accepted, each
//   compared in constant time. This proves the body.
// - `BASIC_AUTH`: the header holds base64(userName:password) (with or without `Basic `). This
//   proves only the sender: anyone who saw one delivery could replay other bodies. HMAC is the
//   safer choice and the one the demo and tests use.
// The delivery id is `source.eventId` (a redelivery answers `duplicate`); the topic is the body's
// own `source.eventType`, covered by the HMAC. A webhook and a poll of the same order apply once:
// both read the order through order-facts.ts.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Delivery, Parsed, Settings, Verified, VerifyFailed, WebhookSpec } from '../kind.ts';
import { isObject, readLegacyOrder, readOrder, str, time } from './order-facts.ts';

export const PO_CREATED = 'PO_CREATED';
export const ORDER_UPDATES = 'ORDER_UPDATES';
export const PO_LINE_AUTOCANCELLED = 'PO_LINE_AUTOCANCELLED';
/** The subscription's `authHeaderName` when the settings do not name one. */
export const NOTIFICATION_HEADER_DEFAULT = 'Authorization';
/** A delivery larger than this is not a Walmart notification. */
const NOTIFICATION_BYTES_MAX = 1_048_576;

/** The HMAC of a body (hex, one of the accepted spellings). */
export function notificationHmac(raw: Buffer | string, secret: string, encoding: 'hex' | 'base64' = 'hex'): string {
  return createHmac('sha256', secret).update(raw).digest(encoding);
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Is a delivery a Walmart notification for this channel? The auth header, its proof, then the body's ids. */
export function verifyNotification(d: Delivery, settings: Settings): Verified | VerifyFailed {
  const headerName = typeof settings.notification_header === 'string' && settings.notification_header !== '' ? settings.notification_header : NOTIFICATION_HEADER_DEFAULT;
  const given = d.headers[headerName.toLowerCase()];
  if (given === undefined) return { ok: false, problem: 'missing', field: headerName, detail: `a Walmart notification for this channel carries ${headerName}` };
  const forged = (detail: string, field = headerName): VerifyFailed => ({ ok: false, problem: 'forged', field, detail });
  const secret = settings.notification_secret;
  if (typeof secret !== 'string' || secret === '') return forged('the channel has no settings.notification_secret to verify notifications with');
  if (settings.notification_auth === 'BASIC_AUTH') {
    const user = typeof settings.notification_user === 'string' ? settings.notification_user : '';
    const expected = Buffer.from(Buffer.from(`${user}:${secret}`).toString('base64'));
    const value = Buffer.from(given.replace(/^Basic\s+/i, '').trim());
    if (!sameBytes(value, expected)) return forged('the credentials do not match the channel\'s notification_user and notification_secret');
  } else {
    const digest = createHmac('sha256', secret).update(d.raw).digest();
    const value = given.trim();
    const asHex = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : null;
    const asBase64 = Buffer.from(value, 'base64');
    // Both spellings are compared (no early exit), each in constant time.
    const hexOk = asHex !== null && sameBytes(asHex, digest);
    const base64Ok = sameBytes(asBase64, digest);
    if (!hexOk && !base64Ok) return forged('the signature does not match the body and the channel\'s notification_secret');
  }
  const parsed = d.raw.length <= NOTIFICATION_BYTES_MAX ? parseJson(d.raw) : undefined;
  const source = isObject(parsed) && isObject(parsed.source) ? parsed.source : {};
  const eventId = str(source.eventId);
  const eventType = str(source.eventType);
  if (eventId === null || eventType === null) {
    return { ok: false, problem: 'missing', field: 'source.eventId', detail: 'the body is not a Walmart notification (source.eventType and source.eventId)' };
  }
  const payload = isObject(parsed) && isObject(parsed.payload) ? parsed.payload : {};
  const order = orderOf(payload);
  return { ok: true, deliveryId: eventId, topic: eventType, eventId: order ? str(order.purchaseOrderId) : str(payload.purchaseOrderId), sentAt: time(source.eventTime) };
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The purchase order a payload carries: itself, or under `order` / `purchaseOrder`. */
function orderOf(payload: Record<string, unknown>): Record<string, unknown> | null {
  for (const o of [payload, payload.order, payload.purchaseOrder]) if (isObject(o) && o.purchaseOrderId !== undefined && o.orderLines !== undefined) return o;
  return null;
}

/** A verified notification's events: the order it carries, read as the poll reads it; other types are ignored. */
export function parseNotification(delivery: Verified, body: unknown): Parsed {
  const source = isObject(body) && isObject(body.source) ? body.source : null;
  if (!source || source.eventType !== delivery.topic) return { ok: false, ignored: 'the body is not the notification that was verified' };
  if (delivery.topic !== PO_CREATED && delivery.topic !== ORDER_UPDATES && delivery.topic !== PO_LINE_AUTOCANCELLED) return { ok: false, ignored: `event type ${delivery.topic} is not one truestock uses` };
  const payload = isObject(body) && isObject(body.payload) ? body.payload : {};
  // The legacy events carry their own line shape (no orderLineStatuses).
  if (delivery.topic !== ORDER_UPDATES && Array.isArray(payload.orderLines)) {
    const events = readLegacyOrder(payload, delivery.topic === PO_LINE_AUTOCANCELLED);
    return typeof events === 'string' ? { ok: false, ignored: `unreadable ${delivery.topic}: ${events}` } : { ok: true, events };
  }
  const order = orderOf(payload);
  // A payload naming the PO without its lines (some sub-events): the order poll reads it whole.
  if (!order) return { ok: false, ignored: `${delivery.topic} without the order's lines: the order poll reads it` };
  const read = readOrder(order);
  return typeof read === 'string' ? { ok: false, ignored: `unreadable ${delivery.topic}: ${read}` } : { ok: true, events: read.events };
}

export const walmartNotifications: WebhookSpec = { verify: verifyNotification, parse: parseNotification };
