// Square webhooks in (channels.md §5): prove a delivery is Square's — base64 HMAC-SHA256, keyed
// with the subscription's signature key, over the notification URL followed by the raw body — and
// read its body into truestock's normalized events. Pure apart from the HMAC: no store, no clock.
//
// The SDK's `WebhooksHelper.verifySignature` compares the signatures with `===`, which leaks how
// much of a guess matched through timing; here the bytes are compared with `timingSafeEqual`.
//
// What arrives, and what it becomes:
// - `inventory.count.updated`: the counts Square computes now, one per catalog object, location
//   and state. An IN_STOCK count is what the shelf shows: a level report at the store location.
//   The count that follows a POS sale arrives beside the sale's order event; whichever lands
//   first, the ledger side (`applyLevel`, channel-levels.ts) takes a count equal to what truestock
//   pushed, queues or computes as an echo, and waits a grace before pushing over a lower count it
//   cannot explain, so the sale's order gets there first.
// - `order.created` / `order.updated` (names unconfirmed in channels.md; the SDK's event types):
//   a POS sale, OPEN or COMPLETED, is a sale at the order's store location that the till already
//   took: an order truestock allocates there and never refuses (the ledger draws a shortfall from
//   oversold and raises it). CANCELED cancels it; DRAFT is not a sale yet. The order's `returns`
//   (a return rung up at the till, itself an order) are a refund with restock at the store.
//   Square's real order events name the order only (id, state, location, version); the emulator
//   carries the order's line items too (emulators/square/README.md), and so must a relay in front
//   of real Square — truestock reads the lines from the body: parsing is pure and fetches nothing.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ChannelEvent, ChannelMapping, OrderFacts, OrderLineFacts, RefundLineFacts } from '../../domain/channel-event.ts';
import { externalKey } from '../../domain/listing-rules.ts';
import type { Delivery, Parsed, Settings, Verified, VerifyFailed } from '../kind.ts';
import { SQUARE_LISTING } from './identity.ts';

export const SQUARE_SIGNATURE_HEADER = 'x-square-hmacsha256-signature';

/** The event types truestock reads. */
export const SQUARE_EVENT_TYPES = ['inventory.count.updated', 'order.created', 'order.updated'] as const;

/** Lines one order may carry here; far beyond a till's basket. */
const ORDER_LINES_MAX = 5_000;
const QUANTITY_MAX = 1_000_000_000;

/** base64(HMAC-SHA256(key, notificationUrl + raw)): what Square puts in `x-square-hmacsha256-signature`. */
export function squareSignature(raw: Buffer, notificationUrl: string, signatureKey: string): string {
  return createHmac('sha256', signatureKey).update(Buffer.concat([Buffer.from(notificationUrl, 'utf8'), raw])).digest('base64');
}

/** Does `signature` sign `raw` for this URL and key? Compared in constant time. */
export function verifySquareSignature(raw: Buffer, notificationUrl: string, signatureKey: string, signature: string): boolean {
  const expected = createHmac('sha256', signatureKey).update(Buffer.concat([Buffer.from(notificationUrl, 'utf8'), raw])).digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const time = (v: unknown): number | null => {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
};

/**
 * Is this delivery Square's, for this channel? The signature first (over the URL Square was told
 * to notify: `settings.notification_url`, else the URL called), then the body: an `event_id` (the
 * dedupe key Square documents) and, when the channel names its merchant, that merchant.
 */
export function verifySquareDelivery(d: Delivery, settings: Settings): Verified | VerifyFailed {
  const signature = d.headers[SQUARE_SIGNATURE_HEADER];
  if (signature === undefined) return { ok: false, problem: 'missing', field: 'x-square-hmacsha256-signature', detail: 'a Square webhook carries x-square-hmacsha256-signature' };
  const forged = (detail: string): VerifyFailed => ({ ok: false, problem: 'forged', field: 'x-square-hmacsha256-signature', detail });
  const key = settings.signature_key;
  if (typeof key !== 'string' || key === '') return forged('the channel has no settings.signature_key to verify webhooks with');
  const url = typeof settings.notification_url === 'string' && settings.notification_url !== '' ? settings.notification_url : d.url;
  if (!verifySquareSignature(d.raw, url, key, signature)) return forged('the signature does not match the notification URL, the body and the channel\'s signature_key');
  let body: unknown;
  try {
    body = JSON.parse(d.raw.toString('utf8'));
  } catch {
    return { ok: false, problem: 'missing', field: 'body', detail: 'the body is not JSON' };
  }
  if (!isObject(body) || !str(body.event_id) || !str(body.type)) return { ok: false, problem: 'missing', field: 'event_id', detail: 'a Square event carries event_id and type' };
  const merchant = typeof settings.merchant_id === 'string' ? settings.merchant_id : null;
  if (merchant !== null && body.merchant_id !== merchant) return forged(`the event is of merchant ${String(body.merchant_id)}, not this channel's`);
  return { ok: true, deliveryId: body.event_id as string, topic: body.type as string, eventId: body.event_id as string, sentAt: time(body.created_at) };
}

// ---- ids and keys ------------------------------------------------------------------------------

/**
 * The listing keys of a catalog object at a Square location, best first: the listing naming that
 * location, then the listing naming the object alone (a store channel's one location).
 */
export function squareKeys(catalogObjectId: string, locationId: string | null): string[] {
  const keys = locationId ? [externalKey(SQUARE_LISTING, { catalog_object_id: catalogObjectId, location_id: locationId })] : [];
  return [...keys, externalKey(SQUARE_LISTING, { catalog_object_id: catalogObjectId })];
}

/** The catalog object a level's keys name (the last key is the object alone: `catalog_object:X`). */
export function catalogObjectOfKeys(keys: readonly string[]): string | null {
  const m = /^catalog_object:([^@]+)$/.exec(keys[keys.length - 1] ?? '');
  return m ? decodeURIComponent(m[1]!) : null;
}

/** The key up to the location: a listing of the object at any location (`catalog_object:X@`). */
const anyLocation = (catalogObjectId: string) => `${externalKey(SQUARE_LISTING, { catalog_object_id: catalogObjectId })}@`;

/** A channel's `settings.locations` (Square location id → truestock code). */
export function squareMapping(settings: Settings): ChannelMapping {
  const given = settings.locations;
  const entries = isObject(given) ? Object.entries(given).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '') : [];
  const byId = new Map(entries);
  return { locationCode: (id) => byId.get(id), locationCodes: () => [...new Set(entries.map(([, code]) => code))] };
}

// ---- bodies ------------------------------------------------------------------------------------

class Unreadable extends Error {}

/** A Square quantity (a decimal string) as whole units; a till sells whole units of what truestock stocks. */
function units(v: unknown, where: string, allowZero: boolean): number {
  const n = typeof v === 'string' && /^-?\d+(\.0+)?$/.test(v.trim()) ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isSafeInteger(n) || Math.abs(n) > QUANTITY_MAX || n < (allowZero ? Number.MIN_SAFE_INTEGER : 1)) throw new Unreadable(`${where} is not a whole number of units`);
  return n;
}

function levelEvents(eventId: string, createdAt: number | null, data: Json): ChannelEvent[] {
  if (data.type !== 'inventory_counts' && data.type !== 'inventory') throw new Unreadable(`data.type is ${JSON.stringify(data.type)}, not inventory_counts`);
  const counts = isObject(data.object) ? data.object.inventory_counts : undefined;
  if (!Array.isArray(counts)) throw new Unreadable('data.object.inventory_counts is not a list');
  const out: ChannelEvent[] = [];
  counts.forEach((c: unknown, i) => {
    const where = `inventory_counts[${i}]`;
    if (!isObject(c)) throw new Unreadable(`${where} is not an object`);
    // Only the shelf: SOLD, WASTE, IN_TRANSIT… are not what a customer can buy.
    if (c.state !== 'IN_STOCK') return;
    const object = str(c.catalog_object_id);
    const location = str(c.location_id);
    if (!object || !location) throw new Unreadable(`${where} names no catalog_object_id and location_id`);
    const at = time(c.calculated_at) ?? createdAt;
    if (at === null) throw new Unreadable(`${where} has no readable calculated_at and the event no created_at`);
    // A count may go below zero (the till sells what the shelf does not show): shown as is.
    const available = units(c.quantity, `${where}.quantity`, true);
    out.push({ kind: 'level_updated', occurredAt: at, eventId: `${eventId}:${i}`, level: { keys: squareKeys(object, location), locationId: location, available } });
  });
  return out;
}

/** The order a Square order event carries: a whole order under `data.object.order`, or the event's own object with lines. */
function orderOf(data: Json, topic: string): Json {
  const expected = topic === 'order.created' ? 'order_created' : 'order_updated';
  if (data.type !== expected && data.type !== 'order') throw new Unreadable(`data.type is ${JSON.stringify(data.type)}, not ${expected}`);
  const object = isObject(data.object) ? data.object : {};
  const o = [object.order, object[expected]].find((x) => isObject(x) && (Array.isArray(x.line_items) || Array.isArray(x.returns)));
  if (!isObject(o)) throw new Unreadable(`data.object carries no order with line_items or returns (Square's own ${expected} names the order only)`);
  return o;
}

function orderLines(o: Json, location: string | null): OrderLineFacts[] {
  const items = o.line_items ?? [];
  if (!Array.isArray(items) || items.length > ORDER_LINES_MAX) throw new Unreadable(`order.line_items must be a list of at most ${ORDER_LINES_MAX}`);
  return items.map((li: unknown, i): OrderLineFacts => {
    const where = `order.line_items[${i}]`;
    if (!isObject(li)) throw new Unreadable(`${where} is not an object`);
    const object = str(li.catalog_object_id);
    const lineId = str(li.uid) ?? `${i}`;
    return { lineId, quantity: units(li.quantity, `${where}.quantity`, false), sku: null, keys: object ? squareKeys(object, location) : [], keyPrefixes: object ? [anyLocation(object)] : [] };
  });
}

function returnEvents(o: Json, orderId: string, location: string | null, occurredAt: number): ChannelEvent[] {
  const returns = o.returns ?? [];
  if (!Array.isArray(returns)) throw new Unreadable('order.returns is not a list');
  return returns.map((r: unknown, k): ChannelEvent => {
    if (!isObject(r)) throw new Unreadable(`order.returns[${k}] is not an object`);
    const items = r.return_line_items ?? [];
    if (!Array.isArray(items) || items.length > ORDER_LINES_MAX) throw new Unreadable(`order.returns[${k}].return_line_items must be a list`);
    // The sale it returns, when the till linked it; an unlinked return stands on its own.
    const source = str(r.source_order_id) ?? orderId;
    const lines = items.map((li: unknown, i): RefundLineFacts => {
      const where = `order.returns[${k}].return_line_items[${i}]`;
      if (!isObject(li)) throw new Unreadable(`${where} is not an object`);
      const object = str(li.catalog_object_id);
      return {
        lineId: str(li.source_line_item_uid) ?? str(li.uid) ?? `${k}:${i}`, quantity: units(li.quantity, `${where}.quantity`, false), sku: null,
        keys: object ? squareKeys(object, location) : [], keyPrefixes: object ? [anyLocation(object)] : [],
        // Back on the store's shelf, through truestock's return (inspection first).
        restock: 'return', locationId: location,
      };
    });
    return { kind: 'refund_created', occurredAt, refund: { refundId: `${orderId}:${str(r.uid) ?? k}`, orderId: source, lines } };
  });
}

function orderEvents(data: Json, topic: string, createdAt: number | null): ChannelEvent[] {
  const o = orderOf(data, topic);
  return eventsOfOrder({ ...o, id: str(o.id) ?? str(o.order_id) ?? str(data.id) }, topic, createdAt);
}

/** The events of a whole Square order (snake_case, as the API answers it) reported under `topic`. */
export function eventsOfOrder(o: Json, topic: string, createdAt: number | null): ChannelEvent[] {
  const orderId = str(o.id) ?? str(o.order_id);
  if (!orderId) throw new Unreadable('the order has no id');
  const state = str(o.state);
  if (state === 'DRAFT') return [];
  if (state !== 'OPEN' && state !== 'COMPLETED' && state !== 'CANCELED') throw new Unreadable(`order.state ${JSON.stringify(o.state)} is not one truestock knows`);
  const location = str(o.location_id);
  const occurredAt = time(o.updated_at) ?? time(o.closed_at) ?? time(o.created_at) ?? createdAt;
  if (occurredAt === null) throw new Unreadable('the order has no readable updated_at or created_at');
  const lines = orderLines(o, location);
  const out: ChannelEvent[] = [];
  if (lines.length > 0) {
    const order: OrderFacts = { orderId, name: str(o.reference_id) ?? str(o.ticket_name), locationId: location, cancelled: state === 'CANCELED', lines };
    out.push({ kind: state === 'CANCELED' ? 'order_cancelled' : topic === 'order.created' ? 'order_created' : 'order_updated', occurredAt, order });
  }
  if (state !== 'CANCELED') out.push(...returnEvents(o, orderId, location, occurredAt));
  return out;
}

/**
 * The events of a verified delivery's body, or why it is ignored. The signature covers the whole
 * body, `type` included; the data must still be what the type says (counts for a count update,
 * an order for an order event), or nothing acts.
 */
export function parseSquareWebhook(delivery: Pick<Verified, 'topic' | 'eventId' | 'deliveryId'>, body: unknown): Parsed {
  return readBody(() => parseBody(delivery, body));
}

/** `fn`, with an unreadable body turned into the reason it is ignored. */
export function readBody(fn: () => Parsed): Parsed {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Unreadable) return { ok: false, ignored: `unreadable payload: ${err.message}` };
    throw err;
  }
}

/**
 * The order a Square order event names when it does not carry it (Square's own `order_created`
 * and `order_updated` hold the id, state and location only), or null when the body carries it.
 */
export function orderNamedOnly(topic: string, body: unknown): string | null {
  if (topic !== 'order.created' && topic !== 'order.updated') return null;
  if (!isObject(body) || !isObject(body.data) || body.type !== topic) return null;
  const object = isObject(body.data.object) ? body.data.object : {};
  const named = object[topic === 'order.created' ? 'order_created' : 'order_updated'];
  const carried = [object.order, named].some((x) => isObject(x) && (Array.isArray(x.line_items) || Array.isArray(x.returns)));
  if (carried) return null;
  return (isObject(named) ? str(named.order_id) : null) ?? str(body.data.id);
}

function parseBody(delivery: Pick<Verified, 'topic' | 'eventId' | 'deliveryId'>, body: unknown): Parsed {
  {
    if (!isObject(body)) throw new Unreadable('the body is not a JSON object');
    if (body.type !== delivery.topic) throw new Unreadable(`the body's type ${JSON.stringify(body.type)} is not the delivery's ${delivery.topic}`);
    const data = body.data;
    if (!isObject(data)) throw new Unreadable('the body has no data object');
    const eventId = delivery.eventId ?? delivery.deliveryId;
    const createdAt = time(body.created_at);
    let events: ChannelEvent[];
    switch (delivery.topic) {
      case 'inventory.count.updated':
        events = levelEvents(eventId, createdAt, data);
        break;
      case 'order.created':
      case 'order.updated':
        events = orderEvents(data, delivery.topic, createdAt);
        break;
      default:
        return { ok: false, ignored: `event type ${delivery.topic} is not one truestock uses` };
    }
    return events.length > 0 ? { ok: true, events } : { ok: false, ignored: `${delivery.topic} reports nothing truestock keeps (no IN_STOCK count, or a draft order)` };
  }
}

/**
 * Only the events of the channel's own store locations. Square sends every subscription all of
 * the merchant's events, so a merchant with one channel per store gets each store's sales and
 * counts on every channel; a listing naming its object alone would take another store's count
 * for its own, and its channel would allocate another store's sale. What happened elsewhere is
 * left out, with the reason when nothing is left.
 */
export function atStoreLocations(parsed: Parsed, settings: Settings): Parsed {
  if (!parsed.ok) return parsed;
  const mapping = squareMapping(settings);
  const where = (e: ChannelEvent): (string | null)[] => {
    switch (e.kind) {
      case 'level_updated':
        return [e.level.locationId];
      case 'order_created':
      case 'order_updated':
      case 'order_cancelled':
        return [e.order.locationId];
      case 'refund_created':
        return e.refund.lines.map((l) => l.locationId);
      default:
        return [];
    }
  };
  const events = parsed.events.filter((e) => where(e).every((l) => l !== null && mapping.locationCode(l) !== undefined));
  if (events.length > 0) return { ok: true, events };
  const elsewhere = [...new Set(parsed.events.flatMap(where))].join(', ');
  return { ok: false, ignored: `the event is at Square location ${elsewhere}, not one of this channel's (settings.locations)` };
}

