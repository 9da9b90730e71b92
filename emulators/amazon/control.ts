// The control endpoints (/_emulator/*): JSON in snake_case, no auth, the same semantics as the
// in-process methods, errors as RFC 9457 problems. They keep working during an outage, and they
// are how a test or the demo plays the buyer, the warehouse and Amazon's own moves.

import { controlFields } from '../kit/index.ts';
import type { AmazonEmulator } from './emulator.ts';
import { EmulatorError, invalid, notFound, problemAnswer } from './errors.ts';
import type { HttpAnswer } from './http-answer.ts';
import { NOTIFICATION_TYPES, type NotificationType } from './types.ts';
import { FBA_FIELDS, fbaState, listingState, orderState } from './views.ts';

/** What the control endpoints drive: the emulator's in-process surface. */
export type Controlled = Pick<
  AmazonEmulator,
  | 'addListing' | 'listing' | 'setQuantity' | 'failSku' | 'setFbaStock' | 'receiveInbound' | 'placeOrder' | 'order' | 'confirmPayment' | 'shipOrder' | 'cancelOrder'
  | 'setDelays' | 'setUsagePlan' | 'drainBucket' | 'failNext' | 'setLatency' | 'goDown' | 'expireTokens' | 'revokeRefreshToken' | 'configureNotifications'
  | 'setNotificationFaults' | 'reset' | 'state' | 'listingsState' | 'counters' | 'seller'
>;

type Json = Record<string, unknown>;

const { objectBody, onlyKeys, int, str, optional } = controlFields(invalid);

function route(c: Controlled, method: string, path: string, raw: unknown): HttpAnswer {
  const b = objectBody(raw);
  if (method === 'GET' && path === '/_emulator/state') return { status: 200, body: c.state() };
  if (method === 'GET' && path === '/_emulator/listings') return { status: 200, body: { listings: c.listingsState() } };
  if (method === 'GET' && path === '/_emulator/counters') return { status: 200, body: c.counters() };
  const getOrder = /^\/_emulator\/orders\/([^/]+)$/.exec(path);
  if (method === 'GET' && getOrder) return { status: 200, body: orderState(c.order(decodeURIComponent(getOrder[1]!))) };
  if (method !== 'POST') throw notFound(`no control endpoint ${method} ${path}`);

  if (path === '/_emulator/listings') {
    onlyKeys(b, ['sku', 'product_type', 'channel', 'quantity', 'marketplace_ids', 'asin', 'item_name']);
    if (b.marketplace_ids !== undefined && !(Array.isArray(b.marketplace_ids) && b.marketplace_ids.every((m) => typeof m === 'string'))) throw invalid('marketplace_ids must be an array of strings');
    const l = c.addListing({
      sku: str(b.sku, 'sku'),
      productType: optional(b, 'product_type', str),
      channel: b.channel as 'MFN' | 'AFN' | undefined,
      quantity: b.quantity === null ? null : optional(b, 'quantity', int),
      marketplaceIds: b.marketplace_ids as string[] | undefined,
      asin: optional(b, 'asin', str),
      itemName: optional(b, 'item_name', str),
    });
    return { status: 201, body: listingState(c.seller, l) };
  }
  const listingAction = /^\/_emulator\/listings\/([^/]+)\/(quantity|failure)$/.exec(path);
  if (listingAction) {
    const sku = decodeURIComponent(listingAction[1]!);
    if (listingAction[2] === 'quantity') {
      onlyKeys(b, ['quantity']);
      return { status: 200, body: listingState(c.seller, c.setQuantity(sku, int(b.quantity, 'quantity'))) };
    }
    onlyKeys(b, ['fail', 'code', 'message']);
    if (typeof b.fail !== 'boolean') throw invalid('fail must be a boolean');
    c.failSku(sku, b.fail ? { code: optional(b, 'code', str), message: optional(b, 'message', str) } : null);
    return { status: 200, body: listingState(c.seller, c.listing(sku)) };
  }
  const fba = /^\/_emulator\/fba\/([^/]+)(\/receive)?$/.exec(path);
  if (fba) {
    const sku = decodeURIComponent(fba[1]!);
    if (fba[2]) {
      onlyKeys(b, ['quantity']);
      return { status: 200, body: fbaState(c.receiveInbound(sku, int(b.quantity, 'quantity'))) };
    }
    onlyKeys(b, Object.keys(FBA_FIELDS));
    const buckets: Json = {};
    for (const [k, v] of Object.entries(b)) buckets[FBA_FIELDS[k]!] = v;
    return { status: 200, body: fbaState(c.setFbaStock(sku, buckets)) };
  }
  if (path === '/_emulator/orders') {
    onlyKeys(b, ['lines', 'fulfillment', 'status', 'marketplace_id', 'allow_oversell']);
    if (!Array.isArray(b.lines)) throw invalid('lines must be an array');
    const lines = b.lines.map((rawLine: unknown, i: number) => {
      const l = objectBody(rawLine);
      onlyKeys(l, ['sku', 'quantity']);
      return { sku: str(l.sku, `lines[${i}].sku`), quantity: int(l.quantity, `lines[${i}].quantity`) };
    });
    if (b.allow_oversell !== undefined && typeof b.allow_oversell !== 'boolean') throw invalid('allow_oversell must be a boolean');
    const order = c.placeOrder({
      lines,
      fulfillment: b.fulfillment as 'MFN' | 'AFN' | undefined,
      status: b.status as 'PENDING' | 'UNSHIPPED' | undefined,
      marketplaceId: optional(b, 'marketplace_id', str),
      allowOversell: b.allow_oversell === true,
    });
    return { status: 201, body: orderState(order) };
  }
  const orderAction = /^\/_emulator\/orders\/([^/]+)\/(confirm-payment|ship|cancel)$/.exec(path);
  if (orderAction) {
    const orderId = decodeURIComponent(orderAction[1]!);
    if (orderAction[2] === 'confirm-payment') {
      onlyKeys(b, []);
      return { status: 200, body: orderState(c.confirmPayment(orderId)) };
    }
    if (orderAction[2] === 'ship') {
      onlyKeys(b, ['lines']);
      if (b.lines !== undefined && !Array.isArray(b.lines)) throw invalid('lines must be an array');
      const lines = (b.lines as unknown[] | undefined)?.map((rawLine, i) => {
        const l = objectBody(rawLine);
        onlyKeys(l, ['order_item_id', 'sku', 'quantity']);
        return { orderItemId: optional(l, 'order_item_id', str), sku: optional(l, 'sku', str), quantity: int(l.quantity, `lines[${i}].quantity`) };
      });
      return { status: 200, body: orderState(c.shipOrder(orderId, lines)) };
    }
    onlyKeys(b, ['restock', 'reason', 'by']);
    if (b.restock !== undefined && typeof b.restock !== 'boolean') throw invalid('restock must be a boolean');
    return { status: 200, body: orderState(c.cancelOrder(orderId, { restock: b.restock as boolean | undefined, reason: optional(b, 'reason', str), by: optional(b, 'by', str) })) };
  }
  if (path === '/_emulator/delays') {
    onlyKeys(b, ['listing_processing_ms', 'feed_queue_ms', 'feed_processing_ms']);
    const d = c.setDelays({
      ...(b.listing_processing_ms !== undefined ? { listingProcessingMs: b.listing_processing_ms as number } : {}),
      ...(b.feed_queue_ms !== undefined ? { feedQueueMs: b.feed_queue_ms as number } : {}),
      ...(b.feed_processing_ms !== undefined ? { feedProcessingMs: b.feed_processing_ms as number } : {}),
    });
    return { status: 200, body: { listing_processing_ms: d.listingProcessingMs, feed_queue_ms: d.feedQueueMs, feed_processing_ms: d.feedProcessingMs } };
  }
  if (path === '/_emulator/usage-plans') {
    onlyKeys(b, ['operation', 'rate', 'burst']);
    return { status: 200, body: c.setUsagePlan(str(b.operation, 'operation'), { rate: b.rate as number, burst: b.burst as number }) };
  }
  const drain = /^\/_emulator\/usage-plans\/([^/]+)\/drain$/.exec(path);
  if (drain) {
    onlyKeys(b, []);
    c.drainBucket(decodeURIComponent(drain[1]!));
    return { status: 200, body: { drained: drain[1] } };
  }
  if (path === '/_emulator/api-faults') {
    onlyKeys(b, ['fault', 'times', 'operation']);
    return { status: 200, body: { armed: c.failNext(b.fault as 'InternalFailure', optional(b, 'times', int), optional(b, 'operation', str)) } };
  }
  if (path === '/_emulator/latency') {
    onlyKeys(b, ['ms']);
    if (typeof b.ms !== 'number') throw invalid('ms must be a number');
    return { status: 200, body: { ms: c.setLatency(b.ms) } };
  }
  if (path === '/_emulator/outage') {
    onlyKeys(b, ['seconds', 'mode']);
    if (b.mode !== undefined && b.mode !== '503' && b.mode !== 'reset') throw invalid("mode must be '503' or 'reset'");
    c.goDown(b.seconds as number, b.mode as '503' | 'reset' | undefined);
    return { status: 202, body: { seconds: b.seconds, mode: b.mode ?? '503' } };
  }
  if (path === '/_emulator/tokens/expire') {
    onlyKeys(b, []);
    c.expireTokens();
    return { status: 200, body: { expired: true } };
  }
  if (path === '/_emulator/lwa') {
    onlyKeys(b, ['refresh_token_revoked']);
    if (typeof b.refresh_token_revoked !== 'boolean') throw invalid('refresh_token_revoked must be a boolean');
    c.revokeRefreshToken(b.refresh_token_revoked);
    return { status: 200, body: { refresh_token_revoked: b.refresh_token_revoked } };
  }
  if (path === '/_emulator/notifications') {
    onlyKeys(b, ['address', 'secret', 'types']);
    const types = b.types === undefined ? NOTIFICATION_TYPES : (b.types as NotificationType[]);
    c.configureNotifications(str(b.address, 'address'), str(b.secret, 'secret'), types);
    return { status: 201, body: { address: b.address, types } };
  }
  if (path === '/_emulator/faults') {
    onlyKeys(b, ['duplicate', 'drop', 'reorder', 'delay_ms']);
    const { delay_ms, ...rest } = b;
    return { status: 200, body: c.setNotificationFaults({ ...rest, ...(delay_ms !== undefined ? { delayMs: delay_ms } : {}) } as Parameters<Controlled['setNotificationFaults']>[0]) };
  }
  if (path === '/_emulator/reset') {
    onlyKeys(b, []);
    c.reset();
    return { status: 200, body: { reset: true } };
  }
  throw notFound(`no control endpoint ${method} ${path}`);
}

/** Answers a control request; an EmulatorError becomes a problem, anything else propagates (a bug). */
export function answerControl(c: Controlled, method: string, path: string, body: unknown): HttpAnswer {
  try {
    return route(c, method, path, body);
  } catch (err) {
    if (!(err instanceof EmulatorError)) throw err;
    return problemAnswer(err);
  }
}
