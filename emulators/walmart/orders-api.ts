// The Orders API of orders.json: the list (GET /v3/orders, by created and last-modified dates,
// status and sku, paged by the ready-made `nextCursor` query string of list.meta), one order,
// the released orders (lines still Created), and the seller's acknowledge, cancel and shipping.

import { badContent, badParam } from './errors.ts';
import { type ApiRequest, type HttpAnswer, intParam } from './http-answer.ts';
import { orderRecord } from './order-view.ts';
import { LINE_STATUSES, type LineStatus, lineQuantity, type Orders, type PurchaseOrder, type Tracking } from './orders.ts';

/** "limit ≤ 200" (channels.md §3), 100 when not asked (orders.json). */
export const ORDERS_PAGE_MAX = 200;
const ORDERS_PAGE_DEFAULT = 100;
/** Only orders of the last 180 days are listed. */
export const ORDERS_LOOKBACK_MS = 180 * 86_400_000;
/** createdStartDate when neither it nor lastModifiedStartDate is given: now − 7 days. */
const DEFAULT_CREATED_WINDOW_MS = 7 * 86_400_000;
/** Filters carried from one page to the next inside nextCursor. */
const CARRIED = ['sku', 'customerOrderId', 'purchaseOrderId', 'status', 'createdStartDate', 'createdEndDate', 'lastModifiedStartDate', 'lastModifiedEndDate'];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function dateParam(q: URLSearchParams, name: string): number | null {
  const v = q.get(name);
  if (v === null || v === '') return null;
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw badParam(name, `${name} must be an ISO 8601 date or date-time, or epoch milliseconds.`);
  return t;
}

function unitsOf(v: unknown, field: string): number {
  const a = isObject(v) ? v.amount : undefined;
  const n = typeof a === 'string' && /^\d+$/.test(a) ? Number(a) : typeof a === 'number' ? a : NaN;
  if (!(Number.isSafeInteger(n) && n >= 1)) throw badContent(field, `${field}.amount must be a whole number above 0 (as a string).`);
  return n;
}

export class OrdersApi {
  constructor(
    private readonly orders: Orders,
    private readonly now: () => number,
  ) {}

  list(r: ApiRequest, released = false): HttpAnswer {
    const q = r.query;
    const limit = intParam(q, 'limit', ORDERS_PAGE_DEFAULT, 1, ORDERS_PAGE_MAX);
    const poIndex = intParam(q, 'poIndex', 0, 0, Number.MAX_SAFE_INTEGER);
    const t = this.now();
    const status = q.get('status');
    if (status !== null && !(LINE_STATUSES as readonly string[]).includes(status)) throw badParam('status', `status must be one of ${LINE_STATUSES.join(', ')}.`);
    const carried = new URLSearchParams();
    for (const k of CARRIED) if (q.get(k) !== null) carried.set(k, q.get(k)!);
    let createdStart = dateParam(q, 'createdStartDate');
    const modifiedStart = dateParam(q, 'lastModifiedStartDate');
    if (createdStart === null && modifiedStart === null) {
      createdStart = t - DEFAULT_CREATED_WINDOW_MS;
      // Made explicit in the cursor, so every page shares the first page's window.
      carried.set('createdStartDate', new Date(createdStart).toISOString());
    }
    const createdEnd = dateParam(q, 'createdEndDate');
    const modifiedEnd = dateParam(q, 'lastModifiedEndDate');
    const sku = q.get('sku');
    const po = q.get('purchaseOrderId');
    const co = q.get('customerOrderId');
    const matches = (o: PurchaseOrder) =>
      o.orderDate >= t - ORDERS_LOOKBACK_MS &&
      (createdStart === null || o.orderDate >= createdStart) &&
      (createdEnd === null || o.orderDate <= createdEnd) &&
      (modifiedStart === null || o.lastModified >= modifiedStart) &&
      (modifiedEnd === null || o.lastModified <= modifiedEnd) &&
      (sku === null || o.lines.some((l) => l.sku === sku)) &&
      (po === null || o.purchaseOrderId === po) &&
      (co === null || o.customerOrderId === co) &&
      (status === null || o.lines.some((l) => lineQuantity(l, status as LineStatus) > 0)) &&
      (!released || o.lines.some((l) => lineQuantity(l, 'Created') > 0));
    // Newest first; an order placed between pages pushes the rest back, so a page may repeat an
    // order but never skips one.
    const all = [...this.orders.orders.values()].filter(matches).sort((a, b) => b.orderDate - a.orderDate || b.purchaseOrderId.localeCompare(a.purchaseOrderId));
    const page = all.slice(poIndex, poIndex + limit);
    const meta: { totalCount: number; limit: number; nextCursor?: string } = { totalCount: all.length, limit: page.length };
    if (poIndex + limit < all.length) {
      const next = new URLSearchParams({ limit: String(limit), hasMoreElements: 'true', soIndex: String(all.length), poIndex: String(poIndex + limit) });
      for (const [k, v] of carried) next.set(k, v);
      meta.nextCursor = `?${next.toString()}`;
    }
    return { status: 200, body: { list: { meta, elements: { order: page.map(orderRecord) } } } };
  }

  get(r: ApiRequest): HttpAnswer {
    return { status: 200, body: { order: orderRecord(this.orders.require(r.params.purchaseOrderId!)) } };
  }

  acknowledge(r: ApiRequest): HttpAnswer {
    const o = this.orders.acknowledge(this.orders.require(r.params.purchaseOrderId!));
    return { status: 200, body: { order: orderRecord(o) } };
  }

  /** Body: {orderCancellation:{orderLines:{orderLine:[{lineNumber, orderLineStatuses:{orderLineStatus:[{status:"Cancelled", cancellationReason, statusQuantity}]}}]}}}. */
  cancel(r: ApiRequest): HttpAnswer {
    const o = this.orders.require(r.params.purchaseOrderId!);
    const lines = (isObject(r.body) && isObject(r.body.orderCancellation) && isObject(r.body.orderCancellation.orderLines) ? r.body.orderCancellation.orderLines.orderLine : undefined) as unknown;
    if (!Array.isArray(lines) || lines.length === 0) throw badContent('orderCancellation.orderLines.orderLine', 'Name at least one line to cancel.');
    const moves = lines.flatMap((raw, i) => {
      const l = isObject(raw) ? raw : {};
      const statuses = isObject(l.orderLineStatuses) ? l.orderLineStatuses.orderLineStatus : undefined;
      if (typeof l.lineNumber !== 'string' || !Array.isArray(statuses) || statuses.length === 0) throw badContent(`orderLine[${i}]`, 'Each line needs lineNumber and orderLineStatuses.orderLineStatus.');
      return statuses.map((s: unknown, j) => {
        const st = isObject(s) ? s : {};
        if (st.status !== 'Cancelled') throw badContent(`orderLine[${i}].orderLineStatus[${j}].status`, 'status must be Cancelled.');
        if (typeof st.cancellationReason !== 'string') throw badContent(`orderLine[${i}].orderLineStatus[${j}].cancellationReason`, 'cancellationReason is required.');
        return { lineNumber: l.lineNumber as string, quantity: unitsOf(st.statusQuantity, `orderLine[${i}].orderLineStatus[${j}].statusQuantity`), reason: st.cancellationReason };
      });
    });
    return { status: 200, body: { order: orderRecord(this.orders.cancel(o, moves)) } };
  }

  /** Body: {orderShipment:{orderLines:{orderLine:[{lineNumber, orderLineStatuses:{orderLineStatus:[{status:"Shipped", statusQuantity, trackingInfo}]}}]}}}. */
  ship(r: ApiRequest): HttpAnswer {
    const o = this.orders.require(r.params.purchaseOrderId!);
    const lines = (isObject(r.body) && isObject(r.body.orderShipment) && isObject(r.body.orderShipment.orderLines) ? r.body.orderShipment.orderLines.orderLine : undefined) as unknown;
    if (!Array.isArray(lines) || lines.length === 0) throw badContent('orderShipment.orderLines.orderLine', 'Name at least one line to ship.');
    const moves = lines.flatMap((raw, i) => {
      const l = isObject(raw) ? raw : {};
      const statuses = isObject(l.orderLineStatuses) ? l.orderLineStatuses.orderLineStatus : undefined;
      if (typeof l.lineNumber !== 'string' || !Array.isArray(statuses) || statuses.length === 0) throw badContent(`orderLine[${i}]`, 'Each line needs lineNumber and orderLineStatuses.orderLineStatus.');
      return statuses.map((s: unknown, j) => {
        const st = isObject(s) ? s : {};
        const at = `orderLine[${i}].orderLineStatus[${j}]`;
        if (st.status !== 'Shipped') throw badContent(`${at}.status`, 'status must be Shipped.');
        const ti = isObject(st.trackingInfo) ? st.trackingInfo : null;
        if (!ti || typeof ti.trackingNumber !== 'string' || !isObject(ti.carrierName) || typeof ti.methodCode !== 'string') throw badContent(`${at}.trackingInfo`, 'trackingInfo needs shipDateTime, carrierName, methodCode and trackingNumber.');
        const tracking: Tracking = {
          shipDateTime: typeof ti.shipDateTime === 'number' ? ti.shipDateTime : this.now(),
          carrierName: { ...(ti.carrierName as Tracking['carrierName']) },
          methodCode: ti.methodCode,
          trackingNumber: ti.trackingNumber,
          ...(typeof ti.trackingURL === 'string' ? { trackingURL: ti.trackingURL } : {}),
        };
        return { lineNumber: l.lineNumber as string, quantity: unitsOf(st.statusQuantity, `${at}.statusQuantity`), tracking };
      });
    });
    return { status: 200, body: { order: orderRecord(this.orders.ship(o, moves)) } };
  }
}
