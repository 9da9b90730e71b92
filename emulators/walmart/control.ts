// The control endpoints (/_emulator/*): JSON in snake_case, no auth, the same semantics as the
// in-process methods, errors as RFC 9457 problems. They keep working during an outage, and they
// are how a test or the demo plays the buyer, the seller in Seller Center, and Walmart's own moves.

import { controlFields } from '../kit/index.ts';
import type { WalmartEmulator } from './emulator.ts';
import { EmulatorError, invalid, notFound, problemAnswer } from './errors.ts';
import type { HttpAnswer } from './http-answer.ts';

/** What the control endpoints drive: the emulator's in-process surface. */
export type Controlled = Pick<
  WalmartEmulator,
  | 'addSku' | 'sku' | 'skus' | 'setQuantity' | 'failSku' | 'placeOrder' | 'order' | 'acknowledgeOrder' | 'shipOrder' | 'cancelOrder' | 'autoCancel' | 'fraudCancel'
  | 'setFeedDelays' | 'setFeedsPerHour' | 'setHmacEncoding' | 'setRateLimit' | 'drainBucket' | 'failNext' | 'setLatency' | 'goDown' | 'expireTokens' | 'revokeCredentials' | 'subscribe'
  | 'setNotificationFaults' | 'reset' | 'state' | 'counters' | 'skuState' | 'orderState'
>;

type Json = Record<string, unknown>;

const { objectBody, int, num, str, bool, optional } = controlFields(invalid);

/** Not the kit's: its message says `none` for an endpoint that takes no fields. */
function onlyKeys(b: Json, allowed: string[]): void {
  for (const k of Object.keys(b)) if (!allowed.includes(k)) throw invalid(`${k} is not a known field; known: ${allowed.join(', ') || 'none'}`);
}

function lineMoves(v: unknown): { lineNumber: string; quantity: number }[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw invalid('lines must be an array');
  return v.map((raw, i) => {
    const l = objectBody(raw);
    onlyKeys(l, ['line_number', 'quantity']);
    return { lineNumber: str(l.line_number, `lines[${i}].line_number`), quantity: int(l.quantity, `lines[${i}].quantity`) };
  });
}

function route(c: Controlled, method: string, path: string, raw: unknown): HttpAnswer {
  const b = objectBody(raw);
  if (method === 'GET' && path === '/_emulator/state') return { status: 200, body: c.state() };
  if (method === 'GET' && path === '/_emulator/skus') return { status: 200, body: { skus: c.skus().map((s) => c.skuState(s)) } };
  if (method === 'GET' && path === '/_emulator/counters') return { status: 200, body: c.counters() };
  const getOrder = /^\/_emulator\/orders\/([^/]+)$/.exec(path);
  if (method === 'GET' && getOrder) return { status: 200, body: c.orderState(c.order(decodeURIComponent(getOrder[1]!))) };
  if (method !== 'POST') throw notFound(`no control endpoint ${method} ${path}`);

  if (path === '/_emulator/skus') {
    onlyKeys(b, ['sku', 'quantity', 'ship_node', 'product_name', 'price']);
    const s = c.addSku({ sku: str(b.sku, 'sku'), quantity: optional(b, 'quantity', int), shipNode: optional(b, 'ship_node', str), productName: optional(b, 'product_name', str), price: optional(b, 'price', num) });
    return { status: 201, body: c.skuState(s) };
  }
  const skuAction = /^\/_emulator\/skus\/([^/]+)\/(quantity|feed-failure)$/.exec(path);
  if (skuAction) {
    const sku = decodeURIComponent(skuAction[1]!);
    if (skuAction[2] === 'quantity') {
      onlyKeys(b, ['quantity', 'ship_node']);
      return { status: 200, body: c.skuState(c.setQuantity(sku, int(b.quantity, 'quantity'), optional(b, 'ship_node', str))) };
    }
    onlyKeys(b, ['fail', 'type', 'code', 'description']);
    const fail = bool(b.fail, 'fail');
    const type = optional(b, 'type', str) as 'DATA_ERROR' | 'SYSTEM_ERROR' | 'TIMEOUT_ERROR' | undefined;
    return { status: 200, body: c.skuState(c.failSku(sku, fail ? { ...(type ? { type } : {}), ...(b.code !== undefined ? { code: str(b.code, 'code') } : {}), ...(b.description !== undefined ? { description: str(b.description, 'description') } : {}) } : null)) };
  }
  if (path === '/_emulator/orders') {
    onlyKeys(b, ['lines', 'allow_oversell']);
    if (!Array.isArray(b.lines)) throw invalid('lines must be an array');
    const lines = b.lines.map((rawLine: unknown, i: number) => {
      const l = objectBody(rawLine);
      onlyKeys(l, ['sku', 'quantity', 'ship_node']);
      return { sku: str(l.sku, `lines[${i}].sku`), quantity: int(l.quantity, `lines[${i}].quantity`), ...(l.ship_node !== undefined ? { shipNode: str(l.ship_node, `lines[${i}].ship_node`) } : {}) };
    });
    return { status: 201, body: c.orderState(c.placeOrder({ lines, allowOversell: optional(b, 'allow_oversell', bool) === true })) };
  }
  const orderAction = /^\/_emulator\/orders\/([^/]+)\/(acknowledge|ship|cancel|auto-cancel|fraud-cancel)$/.exec(path);
  if (orderAction) {
    const po = decodeURIComponent(orderAction[1]!);
    switch (orderAction[2]) {
      case 'acknowledge':
        onlyKeys(b, []);
        return { status: 200, body: c.orderState(c.acknowledgeOrder(po)) };
      case 'ship':
        onlyKeys(b, ['lines']);
        return { status: 200, body: c.orderState(c.shipOrder(po, lineMoves(b.lines))) };
      case 'cancel': {
        onlyKeys(b, ['lines', 'reason', 'restock']);
        const lines = lineMoves(b.lines);
        return { status: 200, body: c.orderState(c.cancelOrder(po, { ...(lines ? { lines } : {}), reason: optional(b, 'reason', str), restock: optional(b, 'restock', bool) })) };
      }
      default: {
        onlyKeys(b, ['line_numbers', 'restock']);
        if (b.line_numbers !== undefined && !(Array.isArray(b.line_numbers) && b.line_numbers.every((n) => typeof n === 'string'))) throw invalid('line_numbers must be an array of strings');
        const cancel = orderAction[2] === 'auto-cancel' ? c.autoCancel.bind(c) : c.fraudCancel.bind(c);
        return { status: 200, body: c.orderState(cancel(po, b.line_numbers as string[] | undefined, optional(b, 'restock', bool) === true)) };
      }
    }
  }
  if (path === '/_emulator/feed-delays') {
    onlyKeys(b, ['feed_received_ms', 'feed_processing_ms', 'feeds_per_hour']);
    if (b.feeds_per_hour !== undefined) c.setFeedsPerHour(int(b.feeds_per_hour, 'feeds_per_hour'));
    const d = c.setFeedDelays({
      ...(b.feed_received_ms !== undefined ? { feedReceivedMs: num(b.feed_received_ms, 'feed_received_ms') } : {}),
      ...(b.feed_processing_ms !== undefined ? { feedProcessingMs: num(b.feed_processing_ms, 'feed_processing_ms') } : {}),
    });
    return { status: 200, body: { feed_received_ms: d.feedReceivedMs, feed_processing_ms: d.feedProcessingMs, feeds_per_hour: (c.state() as { feeds_per_hour: number }).feeds_per_hour } };
  }
  if (path === '/_emulator/rate-limits') {
    onlyKeys(b, ['operation', 'size', 'per_minute']);
    const l = c.setRateLimit(str(b.operation, 'operation'), { size: num(b.size, 'size'), perMinute: num(b.per_minute, 'per_minute') });
    return { status: 200, body: { operation: b.operation, size: l.size, per_minute: l.perMinute } };
  }
  const drain = /^\/_emulator\/rate-limits\/([^/]+)\/drain$/.exec(path);
  if (drain) {
    onlyKeys(b, []);
    c.drainBucket(decodeURIComponent(drain[1]!));
    return { status: 200, body: { drained: decodeURIComponent(drain[1]!) } };
  }
  if (path === '/_emulator/api-faults') {
    onlyKeys(b, ['fault', 'times', 'operation']);
    return { status: 200, body: { armed: c.failNext(str(b.fault, 'fault') as 'SYSTEM_ERROR', optional(b, 'times', int), optional(b, 'operation', str)) } };
  }
  if (path === '/_emulator/latency') {
    onlyKeys(b, ['ms']);
    return { status: 200, body: { ms: c.setLatency(num(b.ms, 'ms')) } };
  }
  if (path === '/_emulator/outage') {
    onlyKeys(b, ['seconds', 'mode']);
    if (b.mode !== undefined && b.mode !== '503' && b.mode !== 'reset') throw invalid("mode must be '503' or 'reset'");
    c.goDown(num(b.seconds, 'seconds'), b.mode as '503' | 'reset' | undefined);
    return { status: 202, body: { seconds: b.seconds, mode: b.mode ?? '503' } };
  }
  if (path === '/_emulator/tokens/expire') {
    onlyKeys(b, []);
    c.expireTokens();
    return { status: 200, body: { expired: true } };
  }
  if (path === '/_emulator/credentials') {
    onlyKeys(b, ['revoked']);
    c.revokeCredentials(bool(b.revoked, 'revoked'));
    return { status: 200, body: { revoked: b.revoked } };
  }
  if (path === '/_emulator/subscriptions') {
    onlyKeys(b, ['event_url', 'event_type', 'auth_details', 'headers']);
    const record = (v: unknown, field: string) => {
      if (v === undefined) return undefined;
      const o = objectBody(v);
      if (!Object.values(o).every((x) => typeof x === 'string')) throw invalid(`${field} must map names to strings`);
      return o as Record<string, string>;
    };
    const auth = record(b.auth_details, 'auth_details');
    const headers = record(b.headers, 'headers');
    return { status: 201, body: c.subscribe({ eventUrl: str(b.event_url, 'event_url'), ...(b.event_type !== undefined ? { eventType: str(b.event_type, 'event_type') } : {}), ...(auth ? { authDetails: auth } : {}), ...(headers ? { headers } : {}) }) };
  }
  if (path === '/_emulator/hmac-encoding') {
    onlyKeys(b, ['encoding']);
    return { status: 200, body: { encoding: c.setHmacEncoding(str(b.encoding, 'encoding') as 'base64') } };
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
