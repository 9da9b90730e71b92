// The control endpoints (/_emulator/*): JSON in snake_case, no auth, the same semantics as the
// in-process methods, errors as RFC 9457 problems. They keep working during an outage.

import { controlFields } from '../kit/index.ts';
import { checkApiFault } from './api-faults.ts';
import { EmulatorError, invalid, notFound, problemAnswer } from './errors.ts';
import type { HttpAnswer } from './graphql-endpoint.ts';
import { gid } from './ids.ts';
import type { ShopifyEmulator } from './emulator.ts';
import type { Shop } from './shop.ts';
import type { Faults, Refund, RestockType, ShopifyOrder } from './types.ts';

/** What the control endpoints drive: the emulator's in-process surface. */
export type Controlled = Pick<ShopifyEmulator,
  'addLocation' | 'addItem' | 'level' | 'placeOrder' | 'cancelOrder' | 'fulfillOrder' | 'refund' | 'editAvailable' | 'subscribe' | 'setFaults' | 'failNext' | 'goDown'
> & {
  shop: Shop;
  state(): Record<string, unknown>;
};

type Json = Record<string, unknown>;

const { onlyKeys, int } = controlFields(invalid);

const OUTAGE_SECONDS_MAX = 3600;

/** Not the kit's: no body is refused here, not taken as an empty object. */
function objectBody(body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the body must be a JSON object');
  return body as Json;
}

/** A gid, or a REST-style numeric id turned into the gid of `type`. */
function idOf(v: unknown, type: Parameters<typeof gid>[0], field: string): string {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return gid(type, v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return gid(type, Number(v));
  if (typeof v === 'string' && v.startsWith('gid://')) return v;
  throw invalid(`${field} must be a gid or a numeric id`);
}

export function orderJson(o: ShopifyOrder): Json {
  return {
    id: o.id,
    legacy_id: o.legacyId,
    name: o.name,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
    cancelled_at: o.cancelledAt,
    location_id: o.locationId,
    source_name: o.pos ? 'pos' : 'web',
    line_items: o.lines.map((l) => ({
      id: l.id,
      variant_id: l.variantId,
      inventory_item_id: l.inventoryItemId,
      sku: l.sku,
      quantity: l.quantity,
      refunded_quantity: l.refundedQuantity,
      fulfilled_quantity: l.fulfilledQuantity,
    })),
  };
}

export function refundJson(r: Refund): Json {
  return {
    id: r.id,
    order_id: r.orderId,
    created_at: r.createdAt,
    refund_line_items: r.lines.map((l) => ({ id: l.id, line_item_id: l.lineItemId, quantity: l.quantity, restock_type: l.restockType, location_id: l.locationId })),
  };
}

function route(c: Controlled, method: string, path: string, body: unknown): HttpAnswer {
  if (method === 'GET' && path === '/_emulator/state') return { status: 200, body: c.state() };
  if (method !== 'POST') throw notFound(`no control endpoint ${method} ${path}`);

  if (path === '/_emulator/locations') {
    const b = objectBody(body);
    onlyKeys(b, ['name']);
    const { id } = c.addLocation(b.name as string);
    return { status: 201, body: { id, name: b.name } };
  }
  if (path === '/_emulator/items') {
    const b = objectBody(body);
    onlyKeys(b, ['sku', 'levels']);
    const r = c.addItem({ sku: b.sku as string, levels: (b.levels ?? {}) as Record<string, number> });
    return { status: 201, body: { sku: b.sku, inventory_item_id: r.inventoryItemId, variant_id: r.variantId } };
  }
  if (path === '/_emulator/orders') {
    const b = objectBody(body);
    onlyKeys(b, ['lines', 'location_id', 'allow_oversell', 'pos']);
    if (!Array.isArray(b.lines)) throw invalid('lines must be an array');
    const lines = b.lines.map((raw: unknown, i: number) => {
      const l = objectBody(raw);
      onlyKeys(l, ['variant_id', 'sku', 'quantity']);
      if (l.variant_id === undefined && typeof l.sku !== 'string') throw invalid(`lines[${i}] needs a variant_id or a sku`);
      return {
        ...(l.variant_id !== undefined ? { variantId: idOf(l.variant_id, 'ProductVariant', `lines[${i}].variant_id`) } : { sku: l.sku as string }),
        quantity: int(l.quantity, `lines[${i}].quantity`),
      };
    });
    if (b.allow_oversell !== undefined && typeof b.allow_oversell !== 'boolean') throw invalid('allow_oversell must be a boolean');
    if (b.pos !== undefined && typeof b.pos !== 'boolean') throw invalid('pos must be a boolean');
    const order = c.placeOrder({
      lines,
      ...(b.location_id !== undefined ? { locationId: idOf(b.location_id, 'Location', 'location_id') } : {}),
      allowOversell: b.allow_oversell === true,
      pos: b.pos === true,
    });
    return { status: 201, body: orderJson(order) };
  }
  const orderAction = /^\/_emulator\/orders\/([^/]+)\/(cancel|refunds|fulfill)$/.exec(path);
  if (orderAction) {
    const orderId = idOf(decodeURIComponent(orderAction[1]!), 'Order', 'order id');
    const b = body === undefined ? {} : objectBody(body);
    if (orderAction[2] === 'cancel') {
      onlyKeys(b, ['restock']);
      if (b.restock !== undefined && typeof b.restock !== 'boolean') throw invalid('restock must be a boolean');
      return { status: 200, body: orderJson(c.cancelOrder(orderId, b.restock === undefined ? {} : { restock: b.restock as boolean })) };
    }
    if (orderAction[2] === 'fulfill') {
      onlyKeys(b, []);
      return { status: 200, body: orderJson(c.fulfillOrder(orderId)) };
    }
    onlyKeys(b, ['lines']);
    if (!Array.isArray(b.lines)) throw invalid('lines must be an array');
    const lines = b.lines.map((raw: unknown, i: number) => {
      const l = objectBody(raw);
      onlyKeys(l, ['line_item_id', 'quantity', 'restock_type']);
      return {
        lineItemId: idOf(l.line_item_id, 'LineItem', `lines[${i}].line_item_id`),
        quantity: int(l.quantity, `lines[${i}].quantity`),
        restockType: l.restock_type as RestockType,
      };
    });
    return { status: 201, body: refundJson(c.refund(orderId, { lines })) };
  }
  if (path === '/_emulator/inventory') {
    const b = objectBody(body);
    onlyKeys(b, ['inventory_item_id', 'location_id', 'available']);
    const itemId = idOf(b.inventory_item_id, 'InventoryItem', 'inventory_item_id');
    const locationId = idOf(b.location_id, 'Location', 'location_id');
    c.editAvailable(itemId, locationId, int(b.available, 'available'));
    return { status: 200, body: { inventory_item_id: itemId, location_id: locationId, ...c.level(itemId, locationId) } };
  }
  if (path === '/_emulator/webhooks') {
    const b = objectBody(body);
    onlyKeys(b, ['address', 'topics']);
    if (typeof b.address !== 'string') throw invalid('address must be a string');
    if (b.topics !== undefined && !Array.isArray(b.topics)) throw invalid('topics must be an array');
    c.subscribe(b.address, b.topics as string[] | undefined);
    return { status: 201, body: { address: b.address, topics: b.topics ?? null } };
  }
  if (path === '/_emulator/faults') {
    const b = objectBody(body);
    onlyKeys(b, ['duplicate', 'drop', 'reorder', 'delayMs', 'delay_ms']);
    const { delay_ms, ...rest } = b;
    const faults = c.setFaults({ ...rest, ...(delay_ms !== undefined ? { delayMs: delay_ms } : {}) } as Partial<Faults>);
    return { status: 200, body: faults };
  }
  if (path === '/_emulator/api-faults') {
    const b = objectBody(body);
    onlyKeys(b, ['fault', 'times']);
    checkApiFault(b.fault, b.times);
    return { status: 200, body: c.failNext(b.fault, b.times as number | undefined) };
  }
  if (path === '/_emulator/outage') {
    const b = objectBody(body);
    onlyKeys(b, ['seconds', 'mode']);
    c.goDown(b.seconds as number, b.mode as '503' | 'reset' | undefined);
    return { status: 202, body: { seconds: b.seconds, mode: b.mode ?? '503' } };
  }
  throw notFound(`no control endpoint ${method} ${path}`);
}

export function checkOutage(seconds: unknown, mode: unknown): void {
  if (typeof seconds !== 'number' || !(seconds > 0) || seconds > OUTAGE_SECONDS_MAX) throw invalid(`seconds must be a number above 0 and at most ${OUTAGE_SECONDS_MAX}`);
  if (mode !== undefined && mode !== '503' && mode !== 'reset') throw invalid("mode must be '503' or 'reset'");
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
