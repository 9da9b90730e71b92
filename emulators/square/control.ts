// The control endpoints (/_emulator/*): JSON in snake_case, no auth, the same semantics as the
// in-process methods, errors as RFC 9457 problems. They keep working during an outage, and they
// are how a test or the demo plays the merchant setting up, the till and the staff.

import { controlFields } from '../kit/index.ts';
import type { Quantity } from './decimal.ts';
import type { SquareEmulator } from './emulator.ts';
import { EmulatorError, invalid, notFound, problemAnswer } from './errors.ts';
import type { HttpAnswer } from './http-answer.ts';
import type { ApiFault } from './types.ts';

type Json = Record<string, unknown>;

const { objectBody, onlyKeys, int, num, str, optional } = controlFields(invalid);

/** A quantity: a number of items or a Square decimal string (checked by the emulator). */
function quantity(v: unknown, field: string): Quantity {
  if (typeof v !== 'number' && typeof v !== 'string') throw invalid(`${field} must be a number or a decimal string`);
  return v;
}

/** `line_items: [{catalog_object_id, quantity}]`, or one line as `catalog_object_id` + `quantity`. */
function lines(b: Json): { catalogObjectId: string; quantity: Quantity }[] {
  if (b.line_items !== undefined) {
    if (b.catalog_object_id !== undefined || b.quantity !== undefined) throw invalid('give line_items or catalog_object_id + quantity, not both');
    if (!Array.isArray(b.line_items)) throw invalid('line_items must be an array');
    return b.line_items.map((raw: unknown, i: number) => {
      const l = objectBody(raw);
      onlyKeys(l, ['catalog_object_id', 'quantity']);
      return { catalogObjectId: str(l.catalog_object_id, `line_items[${i}].catalog_object_id`), quantity: quantity(l.quantity, `line_items[${i}].quantity`) };
    });
  }
  return [{ catalogObjectId: str(b.catalog_object_id, 'catalog_object_id'), quantity: quantity(b.quantity ?? 1, 'quantity') }];
}

function route(c: SquareEmulator, method: string, path: string, raw: unknown): HttpAnswer {
  const b = objectBody(raw);
  if (method === 'GET' && path === '/_emulator/state') return { status: 200, body: c.state() };
  if (method === 'GET' && path === '/_emulator/counts') return { status: 200, body: { counts: c.counts() } };
  if (method === 'GET' && path === '/_emulator/counters') return { status: 200, body: c.counters() };
  const getOrder = /^\/_emulator\/orders\/([^/]+)$/.exec(path);
  if (method === 'GET' && getOrder) return { status: 200, body: { order: c.order(decodeURIComponent(getOrder[1]!)) } };
  if (method !== 'POST') throw notFound(`no control endpoint ${method} ${path}`);

  switch (path) {
    case '/_emulator/locations':
      onlyKeys(b, ['id', 'name']);
      return { status: 201, body: c.addLocation({ id: str(b.id, 'id'), name: optional(b, 'name', str) }) };
    case '/_emulator/catalog': {
      onlyKeys(b, ['id', 'name', 'sku', 'price_amount', 'currency']);
      const v = c.addCatalogObject({ id: str(b.id, 'id'), name: optional(b, 'name', str), sku: optional(b, 'sku', str), priceAmount: optional(b, 'price_amount', int), currency: optional(b, 'currency', str) });
      return { status: 201, body: { id: v.id, name: v.name, sku: v.sku, price_amount: v.priceAmount, currency: v.currency } };
    }
    case '/_emulator/pos/sales':
      onlyKeys(b, ['location_id', 'catalog_object_id', 'quantity', 'line_items', 'reference_id']);
      return { status: 201, body: { order: c.posSale({ locationId: str(b.location_id, 'location_id'), lines: lines(b), referenceId: optional(b, 'reference_id', str) }) } };
    case '/_emulator/pos/returns':
      onlyKeys(b, ['order_id', 'catalog_object_id', 'quantity', 'line_items', 'restock']);
      if (b.restock !== undefined && typeof b.restock !== 'boolean') throw invalid('restock must be a boolean');
      return { status: 201, body: { order: c.posReturn({ orderId: str(b.order_id, 'order_id'), lines: lines(b), restock: b.restock as boolean | undefined }) } };
    case '/_emulator/pos/counts':
      onlyKeys(b, ['catalog_object_id', 'location_id', 'quantity', 'team_member_id']);
      return {
        status: 201,
        body: { changes: c.handCount({ catalogObjectId: str(b.catalog_object_id, 'catalog_object_id'), locationId: str(b.location_id, 'location_id'), quantity: quantity(b.quantity, 'quantity'), teamMemberId: optional(b, 'team_member_id', str) }) },
      };
    case '/_emulator/webhooks': {
      onlyKeys(b, ['notification_url', 'signature_key', 'event_types']);
      if (b.event_types !== undefined && !(Array.isArray(b.event_types) && b.event_types.every((t) => typeof t === 'string'))) throw invalid('event_types must be an array of strings');
      const s = c.subscribe({ notificationUrl: str(b.notification_url, 'notification_url'), signatureKey: str(b.signature_key, 'signature_key'), eventTypes: b.event_types as string[] | undefined });
      return { status: 201, body: { id: s.id, notification_url: s.notificationUrl, event_types: s.eventTypes } };
    }
    case '/_emulator/webhooks/faults': {
      onlyKeys(b, ['duplicate', 'drop', 'reorder', 'delay_ms']);
      const { delay_ms, ...rest } = b;
      const f = c.setWebhookFaults({ ...rest, ...(delay_ms !== undefined ? { delayMs: delay_ms } : {}) } as Parameters<SquareEmulator['setWebhookFaults']>[0]);
      return { status: 200, body: { duplicate: f.duplicate, drop: f.drop, reorder: f.reorder, delay_ms: f.delayMs } };
    }
    case '/_emulator/webhooks/retry': {
      onlyKeys(b, ['base_delay_ms', 'window_ms']);
      const r = c.setWebhookRetry({ baseDelayMs: num(b.base_delay_ms, 'base_delay_ms'), windowMs: num(b.window_ms, 'window_ms') });
      return { status: 200, body: { base_delay_ms: r.baseDelayMs, window_ms: r.windowMs } };
    }
    case '/_emulator/rate-limit': {
      onlyKeys(b, ['burst', 'rate_per_second']);
      const l = c.setRateLimit({ burst: num(b.burst, 'burst'), ratePerSecond: num(b.rate_per_second, 'rate_per_second') });
      return { status: 200, body: { burst: l.burst, rate_per_second: l.ratePerSecond } };
    }
    case '/_emulator/rate-limit/drain':
      onlyKeys(b, []);
      c.drainBucket();
      return { status: 200, body: { drained: true } };
    case '/_emulator/api-faults':
      onlyKeys(b, ['fault', 'times', 'operation']);
      return { status: 200, body: { armed: c.failNext(b.fault as ApiFault, optional(b, 'times', int), optional(b, 'operation', str)) } };
    case '/_emulator/latency':
      onlyKeys(b, ['ms']);
      return { status: 200, body: { ms: c.setLatency(num(b.ms, 'ms')) } };
    case '/_emulator/outage':
      onlyKeys(b, ['seconds', 'mode']);
      if (b.mode !== undefined && b.mode !== '503' && b.mode !== 'reset') throw invalid("mode must be '503' or 'reset'");
      c.goDown(num(b.seconds, 'seconds'), b.mode as '503' | 'reset' | undefined);
      return { status: 202, body: { seconds: b.seconds, mode: b.mode ?? '503' } };
    case '/_emulator/access-token':
      onlyKeys(b, ['access_token']);
      c.setAccessToken(str(b.access_token, 'access_token'));
      return { status: 200, body: { rotated: true } };
    case '/_emulator/reset':
      onlyKeys(b, []);
      c.reset();
      return { status: 200, body: { reset: true } };
  }
  throw notFound(`no control endpoint ${method} ${path}`);
}

/** Answers a control request; an EmulatorError becomes a problem, anything else propagates (a bug). */
export function answerControl(c: SquareEmulator, method: string, path: string, body: unknown): HttpAnswer {
  try {
    return route(c, method, path, body);
  } catch (err) {
    if (!(err instanceof EmulatorError)) throw err;
    return problemAnswer(err);
  }
}
