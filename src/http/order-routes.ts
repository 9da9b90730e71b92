// /v1 routes: orders (docs/orders.md). Every step that moves units is one document step through
// the ledger, under the request's Idempotency-Key: the movements, the holds and the order row are
// written together or not at all.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as orders from '../app/orders.ts';
import { orderDetail, orderViews } from '../app/order-views.ts';
import { decodeCursor, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from '../app/queries.ts';
import { ORDER_LOCATIONS_MAX } from '../app/order-placement.ts';
import { ORDER_LINES_MAX, ORDER_SOURCES, ORDER_STATES, type OrderState, SERVICE_LEVELS, type CancelRequest, type ShipRequest } from '../domain/order-rules.ts';
import { locationsByCode } from '../store/catalog-repo.ts';
import { TruestockError } from '../domain/errors.ts';
import { getOrder, listOrders } from '../store/order-repo.ts';
import { notFound, type Params, type RouteKit } from './routes.ts';
import { code, emptyBody, idParam, sku } from './schemas.ts';
import { documentAnswers as d } from './document-responses.ts';

const QUANTITY_MAX = 1_000_000_000;

const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required }) as const;
const quantity = { type: 'integer', minimum: 1, maximum: QUANTITY_MAX } as const;
const text = (max: number) => ({ type: ['string', 'null'], maxLength: max }) as const;
const lineNo = { type: 'integer', minimum: 1, maximum: ORDER_LINES_MAX } as const;
const dateTime = { type: ['string', 'null'], format: 'date-time' } as const;

const orderBody = object(
  {
    source: { type: 'string', enum: [...ORDER_SOURCES], description: 'Required. channel: the channel already took the order — never refused; a short line is oversold and raised. staff: placed by a person — refused with insufficient_stock when short.' },
    channel: { type: ['string', 'null'], minLength: 1, maxLength: 100, description: 'The channel id (required with source channel)' },
    reference: { type: ['string', 'null'], minLength: 1, maxLength: 200, description: "The channel's order reference, unique per channel (required with source channel); a second order with it answers the first" },
    pending: { type: 'boolean', description: 'Payment unconfirmed: the units are held until the order is confirmed or cancelled' },
    service_level: { type: 'string', enum: [...SERVICE_LEVELS] },
    pickup_location: { ...code, type: ['string', 'null'], description: 'The store the customer collects from: the order is allocated there only' },
    ship_to: { type: ['object', 'null'], additionalProperties: false, properties: { postal_code: text(32), country: { type: ['string', 'null'], pattern: '^[A-Z]{2}$' } } },
    promised_ship_by: dateTime,
    promised_deliver_by: dateTime,
    requested_ship_date: { type: ['string', 'null'], format: 'date' },
    customer_reference: text(200),
    locations: { type: 'array', minItems: 1, maxItems: ORDER_LOCATIONS_MAX, items: code, description: 'Candidate locations, best first (default: every location that ships online)' },
    lines: { type: 'array', minItems: 1, maxItems: ORDER_LINES_MAX, items: object({ sku, quantity }, ['sku', 'quantity']) },
  },
  ['source', 'lines'],
);
const shipBody = object({ location: code, lines: { type: 'array', minItems: 1, maxItems: ORDER_LINES_MAX, items: object({ line: lineNo, quantity }, ['line', 'quantity']) } }, ['location']);
const cancelBody = {
  anyOf: [object({ lines: { type: 'array', minItems: 1, maxItems: ORDER_LINES_MAX, items: object({ line: lineNo, quantity }, ['line']) }, reason: text(500) }), { type: 'null' }],
} as const;
const shortPickBody = object({ location: code, line: lineNo, found: { type: 'integer', minimum: 0, maximum: QUANTITY_MAX } }, ['location', 'line', 'found']);
const ordersQuery = object({
  cursor: { type: 'string', maxLength: 200 },
  limit: { type: 'integer', minimum: 1, maximum: PAGE_LIMIT_MAX },
  state: { type: 'string', enum: [...ORDER_STATES] },
  channel: { type: 'string', maxLength: 100, description: 'Channel id' },
  sku,
  location: { ...code, description: 'Orders allocated (or to be picked up) at this location' },
  has_exception: { type: 'boolean' },
});

/** A list cursor is the number of the last order shown (newest first). */
function cursorNumber(c: string): number {
  const n = Number(decodeCursor(c));
  if (!Number.isSafeInteger(n) || n < 0) throw TruestockError.of('validation_failed', 'cursor is not one this list returned', 'cursor');
  return n;
}

interface OrdersQuery {
  cursor?: string;
  limit?: number;
  state?: OrderState;
  channel?: string;
  sku?: string;
  location?: string;
  has_exception?: boolean;
}

export function registerOrderRoutes(app: FastifyInstance, kit: RouteKit): void {
  const { read, document, route, write } = kit;
  const ws = (req: FastifyRequest) => req.principal.workspaceId;
  const tags = ['orders'];

  app.post<{ Body: orders.OrderCreate }>('/orders', write('operate', tags, 'Place an order: held (pending) or allocated at once. source is required: a channel order is never refused, a staff order is refused when short', orderBody, { response: { 201: d.orderPlaced, 200: d.orderExisting } }), (req, reply) =>
    document(req, reply, orders.placeStep(ws(req), req.body)));
  app.get<{ Querystring: OrdersQuery }>('/orders', route('read', tags, 'List orders, newest first, by state, channel, SKU, location or exception', { querystring: ordersQuery, response: { 200: d.orders } }), (req) =>
    read(async (db) => {
      const q = req.query;
      const limit = q.limit ?? PAGE_LIMIT_DEFAULT;
      const locationId = q.location === undefined ? undefined : ((await locationsByCode(db, ws(req), [q.location]))[0]?.id ?? '-');
      const rows = await listOrders(db, ws(req), {
        limit,
        ...(q.state ? { state: q.state } : {}),
        ...(q.channel ? { channel: q.channel } : {}),
        ...(q.sku ? { sku: q.sku } : {}),
        ...(locationId ? { locationId } : {}),
        ...(q.has_exception !== undefined ? { hasException: q.has_exception } : {}),
        ...(q.cursor ? { before: cursorNumber(q.cursor) } : {}),
      });
      const more = rows.length > limit;
      const shown = rows.slice(0, limit);
      return { data: await orderViews(db, ws(req), shown), next_cursor: more ? Buffer.from(String(shown.at(-1)!.number)).toString('base64url') : null };
    }));
  app.get<{ Params: Params }>('/orders/:id', route('read', tags, 'An order (by id or number) with its lines, allocation per location, shipments, movements, exceptions and routing decision', { params: idParam, response: { 200: d.order } }), async (req) => {
    const found = await read(async (db) => {
      const o = await getOrder(db, ws(req), req.params.id);
      return o ? orderDetail(db, ws(req), o) : undefined;
    });
    if (!found) throw notFound('order', req.params.id);
    return { order: found };
  });
  app.post<{ Params: Params }>('/orders/:id/confirm', write('operate', tags, 'Confirm a pending order: its hold becomes the allocation', emptyBody, { params: idParam, response: { 200: d.orderStep } }), (req, reply) =>
    document(req, reply, orders.confirmStep(ws(req), req.params.id)));
  app.post<{ Params: Params; Body: ShipRequest }>('/orders/:id/ship', write('operate', tags, 'Ship units from one location (all that is there when no lines are named; partial shipments allowed)', shipBody, { params: idParam, response: { 200: d.orderStep } }), (req, reply) =>
    document(req, reply, orders.shipStep(ws(req), req.params.id, req.body)));
  app.post<{ Params: Params; Body: CancelRequest | null }>('/orders/:id/cancel', write('operate', tags, 'Cancel the order, or units of some lines; the rest stays allocated where it is', cancelBody, { params: idParam, response: { 200: d.orderStep } }), (req, reply) =>
    document(req, reply, orders.cancelStep(ws(req), req.params.id, req.body ?? {})));
  app.post<{ Params: Params; Body: orders.ShortPickRequest }>('/orders/:id/short-pick', write('operate', tags, 'The picker found fewer units than allocated: book the shortfall as a count variance and re-route the remainder', shortPickBody, { params: idParam, response: { 200: d.orderStep } }), (req, reply) =>
    document(req, reply, orders.shortPickStep(ws(req), req.params.id, req.body)));
}
