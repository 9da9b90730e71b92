// The control endpoints (/_emulator/*): JSON in snake_case, no auth, the same semantics as the
// in-process methods, errors as RFC 9457 problems. They keep working during an outage, and they
// are how a test or the demo plays the buyer, the seller's hands and eBay's own moves.

import { controlFields } from '../kit/index.ts';
import type { EbayEmulator } from './emulator.ts';
import { EmulatorError, invalid, notFound, problemAnswer } from './errors.ts';
import type { HttpAnswer } from './http-answer.ts';
import { listingState, orderState } from './views.ts';

type Json = Record<string, unknown>;

const { objectBody, onlyKeys, int, str, bool, optional } = controlFields(invalid);

function initiator(v: unknown, field: string): 'BUYER' | 'SELLER' {
  if (v !== 'BUYER' && v !== 'SELLER') throw invalid(`${field} must be 'BUYER' or 'SELLER'`);
  return v;
}

async function route(e: EbayEmulator, method: string, path: string, raw: unknown): Promise<HttpAnswer> {
  const b = objectBody(raw);
  if (method === 'GET' && path === '/_emulator/state') return { status: 200, body: e.state() };
  if (method === 'GET' && path === '/_emulator/listings') return { status: 200, body: { listings: e.listingsState() } };
  if (method === 'GET' && path === '/_emulator/counters') return { status: 200, body: e.counters() };
  const getOrder = /^\/_emulator\/orders\/([^/]+)$/.exec(path);
  if (method === 'GET' && getOrder) return { status: 200, body: orderState(e.orders, e.order(decodeURIComponent(getOrder[1]!))) };
  if (method !== 'POST') throw notFound(`no control endpoint ${method} ${path}`);

  if (path === '/_emulator/listings') {
    onlyKeys(b, ['sku', 'quantity', 'available_quantity', 'title', 'price', 'published', 'marketplace_id']);
    const { item } = e.addListing({
      sku: str(b.sku, 'sku'),
      quantity: int(b.quantity, 'quantity'),
      availableQuantity: b.available_quantity === null ? null : optional(b, 'available_quantity', int),
      title: optional(b, 'title', str),
      price: optional(b, 'price', str),
      published: optional(b, 'published', bool),
      marketplaceId: optional(b, 'marketplace_id', str),
    });
    return { status: 201, body: listingState(e.catalog, item) };
  }
  const quantity = /^\/_emulator\/listings\/([^/]+)\/quantity$/.exec(path);
  if (quantity) {
    onlyKeys(b, ['quantity', 'available_quantity']);
    const item = e.setQuantity(decodeURIComponent(quantity[1]!), int(b.quantity, 'quantity'), b.available_quantity === null ? null : optional(b, 'available_quantity', int));
    return { status: 200, body: listingState(e.catalog, item) };
  }
  if (path === '/_emulator/orders') {
    onlyKeys(b, ['lines', 'paid', 'buyer', 'allow_oversell']);
    if (!Array.isArray(b.lines)) throw invalid('lines must be an array');
    const lines = b.lines.map((rawLine: unknown, i: number) => {
      const l = objectBody(rawLine);
      onlyKeys(l, ['sku', 'quantity']);
      return { sku: str(l.sku, `lines[${i}].sku`), quantity: int(l.quantity, `lines[${i}].quantity`) };
    });
    const order = e.placeOrder({ lines, paid: optional(b, 'paid', bool), buyer: optional(b, 'buyer', str), allowOversell: optional(b, 'allow_oversell', bool) });
    return { status: 201, body: orderState(e.orders, order) };
  }
  const orderAction = /^\/_emulator\/orders\/([^/]+)\/(pay|ship|request-cancellation|cancel)$/.exec(path);
  if (orderAction) {
    const orderId = decodeURIComponent(orderAction[1]!);
    const action = orderAction[2];
    if (action === 'pay') {
      onlyKeys(b, []);
      return { status: 200, body: orderState(e.orders, e.payOrder(orderId)) };
    }
    if (action === 'ship') {
      onlyKeys(b, ['line_item_ids']);
      if (b.line_item_ids !== undefined && !(Array.isArray(b.line_item_ids) && b.line_item_ids.every((x) => typeof x === 'string'))) throw invalid('line_item_ids must be an array of strings');
      return { status: 200, body: orderState(e.orders, e.shipOrder(orderId, b.line_item_ids as string[] | undefined)) };
    }
    if (action === 'request-cancellation') {
      onlyKeys(b, ['initiator', 'reason']);
      return { status: 200, body: orderState(e.orders, e.requestCancellation(orderId, { initiator: optional(b, 'initiator', initiator), reason: optional(b, 'reason', str) })) };
    }
    onlyKeys(b, ['restock', 'initiator', 'reason']);
    return { status: 200, body: orderState(e.orders, e.completeCancellation(orderId, { restock: optional(b, 'restock', bool), initiator: optional(b, 'initiator', initiator), reason: optional(b, 'reason', str) })) };
  }
  if (path === '/_emulator/limits') {
    onlyKeys(b, ['api', 'daily', 'rate', 'burst']);
    const change: Json = {};
    for (const k of ['daily', 'rate', 'burst']) if (b[k] !== undefined) change[k] = b[k];
    return { status: 200, body: e.setLimit(str(b.api, 'api'), change) };
  }
  const drain = /^\/_emulator\/limits\/([^/]+)\/drain$/.exec(path);
  if (drain) {
    onlyKeys(b, []);
    e.drainBucket(decodeURIComponent(drain[1]!));
    return { status: 200, body: { drained: drain[1] } };
  }
  if (path === '/_emulator/api-faults') {
    onlyKeys(b, ['fault', 'times', 'operation']);
    return { status: 200, body: { armed: e.failNext(b.fault as 'InternalError', optional(b, 'times', int), optional(b, 'operation', str)) } };
  }
  if (path === '/_emulator/latency') {
    onlyKeys(b, ['ms']);
    if (typeof b.ms !== 'number') throw invalid('ms must be a number');
    return { status: 200, body: { ms: e.setLatency(b.ms) } };
  }
  if (path === '/_emulator/outage') {
    onlyKeys(b, ['seconds', 'mode']);
    if (b.mode !== undefined && b.mode !== '503' && b.mode !== 'reset') throw invalid("mode must be '503' or 'reset'");
    e.goDown(b.seconds as number, b.mode as '503' | 'reset' | undefined);
    return { status: 202, body: { seconds: b.seconds, mode: b.mode ?? '503' } };
  }
  if (path === '/_emulator/tokens/expire') {
    onlyKeys(b, []);
    e.expireTokens();
    return { status: 200, body: { expired: true } };
  }
  if (path === '/_emulator/oauth') {
    onlyKeys(b, ['refresh_token_revoked']);
    e.revokeRefreshToken(bool(b.refresh_token_revoked, 'refresh_token_revoked'));
    return { status: 200, body: { refresh_token_revoked: b.refresh_token_revoked } };
  }
  if (path === '/_emulator/faults') {
    onlyKeys(b, ['duplicate', 'drop', 'reorder', 'delay_ms']);
    const { delay_ms, ...rest } = b;
    return { status: 200, body: e.setNotificationFaults({ ...rest, ...(delay_ms !== undefined ? { delayMs: delay_ms } : {}) } as Parameters<EbayEmulator['setNotificationFaults']>[0]) };
  }
  if (path === '/_emulator/notifications') {
    onlyKeys(b, ['endpoint', 'verification_token', 'topics']);
    if (b.topics !== undefined && !(Array.isArray(b.topics) && b.topics.every((t) => typeof t === 'string'))) throw invalid('topics must be an array of strings');
    const r = await e.subscribe(str(b.endpoint, 'endpoint'), str(b.verification_token, 'verification_token'), b.topics as string[] | undefined);
    return { status: 201, body: { destination_id: r.destinationId, subscription_ids: r.subscriptionIds } };
  }
  if (path === '/_emulator/notifications/flush') {
    onlyKeys(b, []);
    await e.flushNotifications();
    return { status: 200, body: { flushed: true } };
  }
  if (path === '/_emulator/reset') {
    onlyKeys(b, []);
    e.reset();
    return { status: 200, body: { reset: true } };
  }
  throw notFound(`no control endpoint ${method} ${path}`);
}

/** Answers a control request; an EmulatorError becomes a problem, anything else propagates (a bug). */
export async function answerControl(e: EbayEmulator, method: string, path: string, body: unknown): Promise<HttpAnswer> {
  try {
    return await route(e, method, path, body);
  } catch (err) {
    if (!(err instanceof EmulatorError)) throw err;
    return problemAnswer(err);
  }
}
