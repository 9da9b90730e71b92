// Shopify webhooks in: check that a delivery is Shopify's (HMAC of the raw body), and read its
// REST-shaped payload into truestock's normalized channel events. Pure apart from the HMAC: no
// store, no clock — the route and the poll decide what to do with the events.
//
// Ids: Shopify's REST payloads carry numbers (`"variant_id": 5`) beside `admin_graphql_api_id`
// gids, and the GraphQL poll carries gids. Every id is turned into its gid here, so an order seen
// by a webhook and by the poll is the same order; listing keys are tried in both spellings,
// because a listing may have been created with either.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ChannelEvent, ChannelMapping, OrderFacts, OrderLineFacts, RefundLineFacts, RestockType } from '../../domain/channel-event.ts';
import { externalKey } from '../../domain/listing-rules.ts';
import { SHOPIFY_LISTING } from './identity.ts';

/** The delivery headers, lower-cased as Node gives them. */
export const SHOPIFY_HEADERS = {
  hmac: 'x-shopify-hmac-sha256',
  topic: 'x-shopify-topic',
  shopDomain: 'x-shopify-shop-domain',
  webhookId: 'x-shopify-webhook-id',
  eventId: 'x-shopify-event-id',
} as const;

/** Headers without which a delivery is not a Shopify webhook (besides the signature). */
export const REQUIRED_HEADERS = [SHOPIFY_HEADERS.topic, SHOPIFY_HEADERS.shopDomain, SHOPIFY_HEADERS.webhookId] as const;

/** The topics truestock subscribes to. */
export const SHOPIFY_TOPICS = ['orders/create', 'orders/updated', 'orders/cancelled', 'refunds/create', 'inventory_levels/update'] as const;

/** Lines one order may carry here; Shopify's own limit on inputs is far below. */
const ORDER_LINES_MAX = 5_000;
const QUANTITY_MAX = 1_000_000_000;

/** Does `signature` (base64) sign `raw` with `secret`? Compared in constant time. */
export function verifyShopifyHmac(raw: Buffer, secret: string, signature: string): boolean {
  const expected = createHmac('sha256', secret).update(raw).digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// ---- ids -------------------------------------------------------------------------------------

type GidType = 'Order' | 'LineItem' | 'ProductVariant' | 'InventoryItem' | 'Location' | 'Refund';

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(?:\?.*)?$/;

/** A Shopify id as its gid: a number, a digit string or a gid of the right type; else null. */
export function toGid(type: GidType, id: unknown): string | null {
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return `gid://shopify/${type}/${id}`;
  if (typeof id !== 'string' || id === '') return null;
  if (/^\d+$/.test(id)) return `gid://shopify/${type}/${id}`;
  const m = GID.exec(id);
  return m && m[1] === type ? `gid://shopify/${type}/${m[2]}` : null;
}

/** Both spellings of an id a listing or a setting may use: the gid and the bare number. */
export function idForms(type: GidType, id: string): string[] {
  const g = toGid(type, id);
  if (!g) return [id];
  return [g, g.slice(g.lastIndexOf('/') + 1)];
}

/** Listing keys that name a line: its variant, or its inventory item at one of these locations. */
export function lineKeys(variantId: string | null, inventoryItemId: string | null, locationIds: (string | null)[]): Pick<OrderLineFacts, 'keys' | 'keyPrefixes'> {
  const keys: string[] = [];
  const keyPrefixes: string[] = [];
  if (variantId) for (const v of idForms('ProductVariant', variantId)) keys.push(externalKey(SHOPIFY_LISTING, { variant_id: v }));
  if (inventoryItemId) {
    const locations = locationIds.filter((l): l is string => l !== null).flatMap((l) => idForms('Location', l));
    for (const i of idForms('InventoryItem', inventoryItemId)) {
      for (const l of locations) keys.push(externalKey(SHOPIFY_LISTING, { inventory_item_id: i, location_id: l }));
      // The key up to the location: `inventory_item:<id>@` (ids are percent-encoded, so hold no `@`).
      keyPrefixes.push(`${externalKey(SHOPIFY_LISTING, { inventory_item_id: i, location_id: '0' }).split('@')[0]}@`);
    }
  }
  return { keys: [...new Set(keys)], keyPrefixes };
}

/** A channel's `settings.locations` (Shopify location id → truestock code), either id spelling. */
export function shopifyMapping(settings: Record<string, unknown>): ChannelMapping {
  const given = settings.locations;
  const entries = typeof given === 'object' && given !== null && !Array.isArray(given) ? Object.entries(given as Record<string, unknown>) : [];
  const byId = new Map<string, string>();
  const codes: string[] = [];
  for (const [id, code] of entries) {
    if (typeof code !== 'string' || code === '') continue;
    for (const f of idForms('Location', id)) if (!byId.has(f)) byId.set(f, code);
    if (!codes.includes(code)) codes.push(code);
  }
  return {
    locationCode: (id) => idForms('Location', id).map((f) => byId.get(f)).find((c) => c !== undefined),
    locationCodes: () => [...codes],
  };
}

// ---- payloads --------------------------------------------------------------------------------

export type ParsedWebhook = { ok: true; event: ChannelEvent } | { ok: false; ignored: string };

export interface DeliveryInfo {
  topic: string;
  /** `X-Shopify-Event-Id` (or the webhook id when absent): the change this delivery reports. */
  eventId: string;
}

class Unreadable extends Error {}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function field(o: Json, name: string, where: string): unknown {
  if (!(name in o)) throw new Unreadable(`${where}.${name} is missing`);
  return o[name];
}

function gidOf(type: GidType, o: Json, where: string): string {
  const g = toGid(type, o.admin_graphql_api_id) ?? toGid(type, o.id);
  if (!g) throw new Unreadable(`${where}.id is not a Shopify ${type} id`);
  return g;
}

function count(v: unknown, where: string, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < (allowZero ? 0 : 1) || v > QUANTITY_MAX) throw new Unreadable(`${where} is not a whole number of units`);
  return v;
}

function time(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * When the change happened: the payload's own time, the first readable of `times`. Only the body
 * is signed (the HMAC covers nothing else), so `X-Shopify-Triggered-At` is never read: a stale
 * body re-sent under a fresh header must still be judged stale.
 */
function occurredAt(...times: unknown[]): number {
  const at = times.map(time).find((t) => t !== null) ?? null;
  if (at === null) throw new Unreadable('the body has no readable updated_at or created_at');
  return at;
}

/** The body's own time of a delivery (ms), for the receipt's lag measure; null when it has none. */
export function bodyTime(body: unknown): number | null {
  if (!isObject(body)) return null;
  return [body.updated_at, body.created_at, body.cancelled_at].map(time).find((t) => t !== null) ?? null;
}

/** An order payload (orders/create, orders/updated, orders/cancelled) as order facts. */
export function orderFacts(o: Json): OrderFacts {
  const orderId = gidOf('Order', o, 'order');
  const items = field(o, 'line_items', 'order');
  if (!Array.isArray(items) || items.length > ORDER_LINES_MAX) throw new Unreadable(`order.line_items must be a list of at most ${ORDER_LINES_MAX}`);
  const locationId = o.location_id === null || o.location_id === undefined ? null : toGid('Location', o.location_id);
  const lines = items.map((li: unknown, i): OrderLineFacts => {
    const where = `order.line_items[${i}]`;
    if (!isObject(li)) throw new Unreadable(`${where} is not an object`);
    const variant = toGid('ProductVariant', li.variant_id);
    const inventoryItem = toGid('InventoryItem', li.inventory_item_id);
    return { lineId: gidOf('LineItem', li, where), quantity: count(li.quantity, `${where}.quantity`), sku: str(li.sku), ...lineKeys(variant, inventoryItem, [locationId]) };
  });
  return { orderId, name: str(o.name), locationId, cancelled: o.cancelled_at !== null && o.cancelled_at !== undefined, lines };
}

const RESTOCK: Record<string, RestockType> = { return: 'return', cancel: 'cancel', no_restock: 'no_restock', legacy_restock: 'return' };

function refundEvent(o: Json, info: DeliveryInfo): ChannelEvent {
  const refundId = gidOf('Refund', o, 'refund');
  const orderId = toGid('Order', field(o, 'order_id', 'refund'));
  if (!orderId) throw new Unreadable('refund.order_id is not a Shopify order id');
  const items = field(o, 'refund_line_items', 'refund');
  if (!Array.isArray(items) || items.length > ORDER_LINES_MAX) throw new Unreadable('refund.refund_line_items must be a list');
  const lines = items.map((rl: unknown, i): RefundLineFacts => {
    const where = `refund.refund_line_items[${i}]`;
    if (!isObject(rl)) throw new Unreadable(`${where} is not an object`);
    const li = isObject(rl.line_item) ? rl.line_item : {};
    const lineId = toGid('LineItem', rl.line_item_id) ?? toGid('LineItem', li.admin_graphql_api_id) ?? toGid('LineItem', li.id);
    if (!lineId) throw new Unreadable(`${where}.line_item_id is not a Shopify line item id`);
    const restock = RESTOCK[String(rl.restock_type)];
    if (!restock) throw new Unreadable(`${where}.restock_type ${JSON.stringify(rl.restock_type)} is not one truestock knows`);
    const locationId = rl.location_id === null || rl.location_id === undefined ? null : toGid('Location', rl.location_id);
    return {
      lineId, quantity: count(rl.quantity, `${where}.quantity`), sku: str(li.sku), restock, locationId,
      ...lineKeys(toGid('ProductVariant', li.variant_id), toGid('InventoryItem', li.inventory_item_id), [locationId]),
    };
  });
  return { kind: 'refund_created', occurredAt: occurredAt(o.created_at), refund: { refundId, orderId, lines } };
}

function levelEvent(o: Json, info: DeliveryInfo): ChannelEvent {
  const item = toGid('InventoryItem', field(o, 'inventory_item_id', 'level'));
  const location = toGid('Location', field(o, 'location_id', 'level'));
  if (!item || !location) throw new Unreadable('level.inventory_item_id and level.location_id must be Shopify ids');
  const available = o.available;
  // Shopify allows a negative available (an order placed while out of stock): shown as such.
  if (typeof available !== 'number' || !Number.isSafeInteger(available) || Math.abs(available) > QUANTITY_MAX) throw new Unreadable('level.available is not a whole number');
  const { keys } = lineKeys(null, item, [location]);
  return { kind: 'level_updated', occurredAt: occurredAt(o.updated_at), eventId: info.eventId, level: { keys, locationId: location, available } };
}

// ---- topic and body ----------------------------------------------------------------------------

const gidType = (v: unknown): string | null => (typeof v === 'string' ? (GID.exec(v)?.[1] ?? null) : null);

/** An order's body: its line items, an Order id where it names its type, and none of a refund's fields. */
function orderBodyProblem(o: Json): string | null {
  if (!Array.isArray(o.line_items)) return 'the body has no line_items: it is not an order';
  if ('refund_line_items' in o || 'order_id' in o) return 'the body is a refund, not an order';
  const type = gidType(o.admin_graphql_api_id);
  if (type !== null && type !== 'Order') return `the body is a ${type}, not an order`;
  return null;
}

/**
 * Why a delivery's body does not agree with its `X-Shopify-Topic`, or null when it does. The HMAC
 * covers the body only, so a correctly signed body can be re-sent under another topic (an
 * orders/create body as orders/cancelled would cancel a live order): an event acts only when the
 * body is what the topic says — an order for orders/*, a cancelled order for orders/cancelled, a
 * refund for refunds/create, an inventory level for inventory_levels/update.
 */
export function topicDisagreement(topic: string, o: Json): string | null {
  switch (topic) {
    case 'orders/create':
    case 'orders/updated':
      return orderBodyProblem(o);
    case 'orders/cancelled':
      return orderBodyProblem(o) ?? (time(o.cancelled_at) === null ? 'the order in the body is not cancelled (cancelled_at is not set)' : null);
    case 'refunds/create': {
      if (!Array.isArray(o.refund_line_items) || !('order_id' in o)) return 'the body has no refund_line_items and order_id: it is not a refund';
      if ('line_items' in o) return 'the body is an order, not a refund';
      const type = gidType(o.admin_graphql_api_id);
      return type !== null && type !== 'Refund' ? `the body is a ${type}, not a refund` : null;
    }
    case 'inventory_levels/update': {
      if (!('inventory_item_id' in o && 'location_id' in o && 'available' in o)) return 'the body has no inventory_item_id, location_id and available: it is not an inventory level';
      if ('line_items' in o || 'refund_line_items' in o) return 'the body is an order or a refund, not an inventory level';
      const type = gidType(o.admin_graphql_api_id);
      return type !== null && type !== 'InventoryLevel' ? `the body is a ${type}, not an inventory level` : null;
    }
    default:
      return null;
  }
}

/**
 * Read one delivery's JSON body into an event; a topic truestock does not use, a body that does
 * not agree with its topic, or a payload it cannot read, is ignored with the reason.
 */
export function parseShopifyWebhook(info: DeliveryInfo, body: unknown): ParsedWebhook {
  try {
    if (!isObject(body)) throw new Unreadable('the body is not a JSON object');
    const disagreement = topicDisagreement(info.topic, body);
    if (disagreement !== null) return { ok: false, ignored: `topic ${info.topic} disagrees with its body: ${disagreement}` };
    switch (info.topic) {
      case 'orders/create':
        return { ok: true, event: { kind: 'order_created', occurredAt: occurredAt(body.updated_at, body.created_at), order: orderFacts(body) } };
      case 'orders/updated':
        return { ok: true, event: { kind: 'order_updated', occurredAt: occurredAt(body.updated_at), order: orderFacts(body) } };
      case 'orders/cancelled':
        return { ok: true, event: { kind: 'order_cancelled', occurredAt: occurredAt(body.cancelled_at, body.updated_at), order: { ...orderFacts(body), cancelled: true } } };
      case 'refunds/create':
        return { ok: true, event: refundEvent(body, info) };
      case 'inventory_levels/update':
        return { ok: true, event: levelEvent(body, info) };
      default:
        return { ok: false, ignored: `topic ${info.topic} is not one truestock uses` };
    }
  } catch (err) {
    if (err instanceof Unreadable) return { ok: false, ignored: `unreadable payload: ${err.message}` };
    throw err;
  }
}
