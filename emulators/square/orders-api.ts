// RetrieveOrder, BatchRetrieveOrders and SearchOrders, so a connector told of a POS sale by order.created can
// read its line items. Shapes are the SDK's (GetOrderResponse, BatchGetOrdersResponse,
// SearchOrdersResponse).

import { badRequest, squareNotFound } from './errors.ts';
import type { ApiRequest, HttpAnswer } from './http-answer.ts';
import { orderView, type PosOrder, type PosOrders, POS_SOURCE_NAME } from './orders.ts';
import { page } from './paging.ts';
import { object, objectBody, optionalBoolean, optionalEnumArray, optionalString, optionalStringArray, optionalTime } from './request-fields.ts';

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

/** SearchOrders pages: 500 by default, at most 1000 (the SDK's SearchOrdersRequest documents both). */
export const SEARCH_ORDERS_PAGE = { default: 500, max: 1000 };
/** At most this many locations per search (the SDK's SearchOrdersRequest). */
export const SEARCH_LOCATIONS_MAX = 10;
const ORDER_STATES = ['OPEN', 'COMPLETED', 'CANCELED', 'DRAFT'] as const;
const SORT_FIELDS = { CREATED_AT: 'createdAt', UPDATED_AT: 'updatedAt', CLOSED_AT: 'closedAt' } as const;
const FILTER_FIELDS = { created_at: 'CREATED_AT', updated_at: 'UPDATED_AT', closed_at: 'CLOSED_AT' } as const;

/**
 * SearchOrders over the POS orders, so a connector can catch up on sales whose webhooks it
 * missed: location_ids (required here, 1–10), state, date-time (one field; the sort must be on
 * the same field, as Square requires) and source filters, sort, cursor, `return_entries`.
 */
export function searchOrders(orders: PosOrders, r: ApiRequest): HttpAnswer {
  const b = objectBody(r.body);
  const locations = optionalStringArray(b.location_ids, 'location_ids');
  if (!locations || locations.length === 0) throw badRequest('MISSING_REQUIRED_PARAMETER', 'Missing required parameter `location_ids`.', 'location_ids');
  if (locations.length > SEARCH_LOCATIONS_MAX) throw badRequest('ARRAY_LENGTH_TOO_LONG', `\`location_ids\` must have at most ${SEARCH_LOCATIONS_MAX} elements.`, 'location_ids');
  const limit = b.limit === undefined || b.limit === null ? undefined : Number.isSafeInteger(b.limit) && (b.limit as number) >= 1 && (b.limit as number) <= SEARCH_ORDERS_PAGE.max ? (b.limit as number) : null;
  if (limit === null) throw badRequest('INVALID_VALUE', `\`limit\` must be an integer from 1 to ${SEARCH_ORDERS_PAGE.max}.`, 'limit');
  const returnEntries = optionalBoolean(b.return_entries, 'return_entries') ?? false;
  const query = b.query === undefined || b.query === null ? {} : object(b.query, 'query');
  const filter = query.filter === undefined || query.filter === null ? {} : object(query.filter, 'query.filter');
  const sort = query.sort === undefined || query.sort === null ? {} : object(query.sort, 'query.sort');

  const states = filter.state_filter === undefined ? null : optionalEnumArray(object(filter.state_filter, 'query.filter.state_filter').states, 'query.filter.state_filter.states', ORDER_STATES);
  const sources = filter.source_filter === undefined ? null : optionalStringArray(object(filter.source_filter, 'query.filter.source_filter').source_names, 'query.filter.source_filter.source_names');
  let range: { field: keyof typeof FILTER_FIELDS; start: number | null; end: number | null } | null = null;
  if (filter.date_time_filter !== undefined) {
    const dt = object(filter.date_time_filter, 'query.filter.date_time_filter');
    const set = (Object.keys(FILTER_FIELDS) as (keyof typeof FILTER_FIELDS)[]).filter((k) => dt[k] !== undefined && dt[k] !== null);
    if (set.length > 1) throw badRequest('CONFLICTING_PARAMETERS', 'Use one of created_at, updated_at and closed_at in a date_time_filter.', 'query.filter.date_time_filter');
    if (set.length === 1) {
      const field = set[0]!;
      const t = object(dt[field], `query.filter.date_time_filter.${field}`);
      range = { field, start: optionalTime(t.start_at, `query.filter.date_time_filter.${field}.start_at`), end: optionalTime(t.end_at, `query.filter.date_time_filter.${field}.end_at`) };
    }
  }
  const sortField = (optionalString(sort.sort_field, 'query.sort.sort_field', 20) ?? (range ? FILTER_FIELDS[range.field] : 'CREATED_AT')) as keyof typeof SORT_FIELDS;
  if (!(sortField in SORT_FIELDS)) throw badRequest('INVALID_ENUM_VALUE', '`query.sort.sort_field` must be CREATED_AT, UPDATED_AT or CLOSED_AT.', 'query.sort.sort_field');
  if (range && FILTER_FIELDS[range.field] !== sortField) throw badRequest('INVALID_VALUE', `Sort by ${FILTER_FIELDS[range.field]} when filtering on ${range.field}.`, 'query.sort.sort_field');
  const sortOrder = optionalString(sort.sort_order, 'query.sort.sort_order', 4) ?? 'DESC';
  if (sortOrder !== 'ASC' && sortOrder !== 'DESC') throw badRequest('INVALID_ENUM_VALUE', '`query.sort.sort_order` must be ASC or DESC.', 'query.sort.sort_order');

  const key = SORT_FIELDS[sortField];
  const at = (o: PosOrder, k: (typeof SORT_FIELDS)[keyof typeof SORT_FIELDS]) => o[k] ?? Number.NaN;
  const found = [...orders.orders.values()]
    .filter((o) => locations.includes(o.locationId) && (!states || states.includes(o.state)) && (!sources || sources.includes(POS_SOURCE_NAME)))
    .filter((o) => {
      if (!range) return true;
      const t = at(o, SORT_FIELDS[FILTER_FIELDS[range.field]]);
      return Number.isFinite(t) && (range.start === null || t >= range.start) && (range.end === null || t <= range.end);
    })
    .sort((x, y) => (sortOrder === 'ASC' ? 1 : -1) * (at(x, key) - at(y, key) || (x.id < y.id ? -1 : 1)));
  const p = page(found, { locations, states, sources, range, sortField, sortOrder, limit, returnEntries }, optionalString(b.cursor, 'cursor', 4096) ?? undefined, limit, SEARCH_ORDERS_PAGE);
  const list = p.items.length === 0 ? {} : returnEntries ? { order_entries: p.items.map((o) => ({ order_id: o.id, version: o.version, location_id: o.locationId })) } : { orders: p.items.map(orderView) };
  return { status: 200, body: { ...list, ...(p.cursor ? { cursor: p.cursor } : {}) } };
}
