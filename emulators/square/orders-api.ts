// RetrieveOrder and BatchRetrieveOrders, so a connector told of a POS sale by order.created can
// read its line items. Shapes are the SDK's (GetOrderResponse, BatchGetOrdersResponse).

import { badRequest, squareNotFound } from './errors.ts';
import type { ApiRequest, HttpAnswer } from './http-answer.ts';
import { orderView, type PosOrders } from './orders.ts';
import { objectBody, optionalString, optionalStringArray } from './request-fields.ts';

/** BatchRetrieveOrders takes at most this many ids (Square's documented limit for the call). */
export const BATCH_ORDERS_MAX = 100;

export function retrieveOrder(orders: PosOrders, r: ApiRequest): HttpAnswer {
  const o = orders.get(r.params.order_id!);
  if (!o) throw squareNotFound(`Order ${r.params.order_id} not found.`, 'order_id');
  return { status: 200, body: { order: orderView(o) } };
}

export function batchRetrieveOrders(orders: PosOrders, r: ApiRequest): HttpAnswer {
  const b = objectBody(r.body);
  const ids = optionalStringArray(b.order_ids, 'order_ids');
  if (!ids) throw badRequest('MISSING_REQUIRED_PARAMETER', 'Missing required parameter `order_ids`.', 'order_ids');
  if (ids.length === 0) throw badRequest('ARRAY_EMPTY', '`order_ids` must not be empty.', 'order_ids');
  if (ids.length > BATCH_ORDERS_MAX) throw badRequest('ARRAY_LENGTH_TOO_LONG', `\`order_ids\` must have at most ${BATCH_ORDERS_MAX} elements.`, 'order_ids');
  const locationId = optionalString(b.location_id, 'location_id', 100);
  // Ids that name no order (or an order of another location) are left out, not refused.
  const found = ids.map((id) => orders.get(id)).filter((o) => o !== undefined && (locationId === null || o.locationId === locationId));
  return { status: 200, body: found.length > 0 ? { orders: found.map((o) => orderView(o!)) } : {} };
}
