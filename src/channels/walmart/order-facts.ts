// What a Walmart purchase order means to truestock, shared by the order poll (`GET /v3/orders`)
// and the PO_CREATED / ORDER_UPDATES webhooks, so an order seen both ways is read the same way
// (the same ids, the same times) and applies once.
//
// Per line, `orderLineStatuses.orderLineStatus[{status, statusQuantity}]` splits the line's units
// by status (channels.md §3): Created, Acknowledged, Shipped, Delivered (and Refund) are units the
// buyer has — allocated, and they stay allocated once shipped; Cancelled units (by the seller, the
// buyer, or Walmart's auto-cancel of unshipped lines) are released.
// - Every unit of the order cancelled: `order_cancelled`.
// - Some units cancelled: the order as placed (`order_created`), preceded by one `refund_created`
//   with restock `cancel` per line holding cancelled units, its id naming the PO, the line and
//   how many — so the same cancellation seen twice applies once, and a line cancelled further is a
//   new one. Before the order is recorded, the orchestration allocates what is left; after, a
//   cancellation of every allocated unit cancels the order, and a part of one is an exception
//   (the ledger releases an allocation whole).
// - Times: the newest `statusDate` of the order's lines (ms), else its `orderDate`.

import type { ChannelEvent, OrderLineFacts } from '../../domain/channel-event.ts';
import { externalKey, type ListingIdentity } from '../../domain/listing-rules.ts';

/**
 * The kind's listing identity (kind.ts declares the same): a SKU at one of the channel's ship
 * nodes (`sku:X@ship_node:N`, a channel selling from several nodes), or the SKU alone (the
 * channel's `ship_node`, or the seller's default node). Longest form first. Labels are part of
 * stored keys: never change them.
 */
export const WALMART_LISTING: ListingIdentity = {
  kind: 'walmart',
  forms: [['sku', 'ship_node'], ['sku']],
  labels: { sku: 'sku', ship_node: 'ship_node' },
  shown: { sku: { label: 'Walmart SKU' }, ship_node: { label: 'Ship node' } },
};

export const QUANTITY_MAX = 1_000_000_000;
export const ORDER_LINES_MAX = 5_000;
/** Statuses whose units the buyer keeps (the model's `OrderLineStatusType.status` enum, less Cancelled). */
export const KEPT_STATUSES = ['Created', 'Acknowledged', 'Shipped', 'Delivered', 'Refund'] as const;
export const CANCELLED = 'Cancelled';
/** A line in this status waits for the seller's acknowledgement. */
export const CREATED = 'Created';

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);

/** A count Walmart reports (a string in the model's `QuantityType.amount`, a number in some payloads). */
export function count(v: unknown): number | null {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= QUANTITY_MAX ? n : null;
}

/** A time Walmart reports: epoch ms (orders) or an ISO string (webhooks). */
export function time(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') return null;
  if (/^\d+$/.test(v)) return Number(v);
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
}

/** The line's listing keys, best first: the SKU at the order's ship node (when it names one), then the SKU alone. */
export function listingKeys(sku: string, shipNode: string | null): string[] {
  const alone = externalKey(WALMART_LISTING, { sku });
  return shipNode !== null ? [externalKey(WALMART_LISTING, { sku, ship_node: shipNode }), alone] : [alone];
}

/** A listing of the SKU at any ship node: the line's listing when neither the node's nor the SKU's alone exists. */
export function listingKeyPrefixes(sku: string): string[] {
  return [`${externalKey(WALMART_LISTING, { sku })}@`];
}


/** One order read: its events (oldest first), when it last changed, and whether it waits for our acknowledgement. */
export interface ReadOrder {
  purchaseOrderId: string;
  events: ChannelEvent[];
  modifiedAt: number;
  needsAck: boolean;
}

/** A list of the model's wrapped arrays (`{orderLine:[…]}`), or a plain array as some payloads send. */
function listOf(v: unknown, key: string): unknown[] | null {
  if (Array.isArray(v)) return v;
  if (isObject(v) && Array.isArray(v[key])) return v[key] as unknown[];
  return null;
}

/** A purchase order (`GetOrderResponseRecord`) as its events, or why it cannot be read. */
export function readOrder(o: unknown): ReadOrder | string {
  if (!isObject(o)) return 'not an object';
  const po = str(o.purchaseOrderId);
  if (po === null) return 'no purchaseOrderId';
  const lines = listOf(o.orderLines, 'orderLine');
  if (lines === null || lines.length > ORDER_LINES_MAX) return `order ${po}: orderLines.orderLine must be a list of at most ${ORDER_LINES_MAX}`;
  const shipNode = isObject(o.shipNode) ? str(o.shipNode.id) : null;
  let newest = time(o.orderDate);
  const facts: OrderLineFacts[] = [];
  const cancelled: { line: OrderLineFacts; quantity: number }[] = [];
  let kept = 0;
  let needsAck = false;
  for (const [i, l] of lines.entries()) {
    if (!isObject(l)) return `order ${po}: orderLine[${i}] is not an object`;
    const lineId = str(l.lineNumber);
    const ordered = isObject(l.orderLineQuantity) ? count(l.orderLineQuantity.amount) : null;
    if (lineId === null || ordered === null) return `order ${po}: orderLine[${i}] needs a lineNumber and a whole orderLineQuantity.amount`;
    const statuses = listOf(l.orderLineStatuses, 'orderLineStatus') ?? [];
    let lineCancelled = 0;
    for (const s of statuses) {
      if (!isObject(s)) continue;
      const q = isObject(s.statusQuantity) ? count(s.statusQuantity.amount) : null;
      if (q === null) return `order ${po}: line ${lineId} has a status without a whole statusQuantity.amount`;
      if (s.status === CANCELLED) lineCancelled += q;
      else if (s.status === CREATED && q > 0) needsAck = true;
    }
    lineCancelled = Math.min(lineCancelled, ordered);
    kept += ordered - lineCancelled;
    const at = time(l.statusDate);
    if (at !== null && (newest === null || at > newest)) newest = at;
    const sku = isObject(l.item) ? str(l.item.sku) : null;
    const line: OrderLineFacts = { lineId, quantity: ordered, sku, keys: sku !== null ? listingKeys(sku, shipNode) : [], keyPrefixes: sku !== null ? listingKeyPrefixes(sku) : [] };
    facts.push(line);
    if (lineCancelled > 0) cancelled.push({ line, quantity: lineCancelled });
  }
  if (newest === null) return `order ${po}: neither orderDate nor any line's statusDate is a time`;
  const order = { orderId: po, name: str(o.customerOrderId), locationId: shipNode, cancelled: kept === 0 && facts.length > 0, lines: facts };
  if (order.cancelled) return { purchaseOrderId: po, events: [{ kind: 'order_cancelled', occurredAt: newest, order }], modifiedAt: newest, needsAck: false };
  const refunds: ChannelEvent[] = cancelled.map(({ line, quantity }) => ({
    kind: 'refund_created',
    occurredAt: newest!,
    refund: { refundId: `${po}:${line.lineId}:cancelled:${quantity}`, orderId: po, lines: [{ ...line, quantity, restock: 'cancel', locationId: shipNode }] },
  }));
  return { purchaseOrderId: po, events: [...refunds, { kind: 'order_created', occurredAt: newest, order }], modifiedAt: newest, needsAck };
}

/**
 * The legacy PO_CREATED / PO_LINE_AUTOCANCELLED webhook payload (developer.walmart.com event
 * pages): the PO's id and dates at the top, and `orderLines[]` of `{lineNumber, sku,
 * quantity{measurementValue}, status, statusDate}` — for PO_CREATED every line as ordered, for
 * PO_LINE_AUTOCANCELLED the cancelled lines with the units cancelled. Read into the same events
 * (ids and times) as the poll gives for that state: the order as placed, or one cancel refund per
 * line named by PO, line and units.
 */
export function readLegacyOrder(payload: Record<string, unknown>, autoCancelled: boolean): ChannelEvent[] | string {
  const po = str(payload.purchaseOrderId);
  if (po === null) return 'no purchaseOrderId';
  const lines = payload.orderLines;
  if (!Array.isArray(lines) || lines.length > ORDER_LINES_MAX) return `order ${po}: orderLines must be a list of at most ${ORDER_LINES_MAX}`;
  let newest = time(payload.orderDate);
  const facts: OrderLineFacts[] = [];
  for (const [i, l] of lines.entries()) {
    if (!isObject(l)) return `order ${po}: orderLines[${i}] is not an object`;
    const lineId = str(l.lineNumber);
    const quantity = isObject(l.quantity) ? count(l.quantity.measurementValue ?? l.quantity.amount) : null;
    if (lineId === null || quantity === null) return `order ${po}: orderLines[${i}] needs a lineNumber and a whole quantity.measurementValue`;
    const at = time(l.statusDate);
    if (at !== null && (newest === null || at > newest)) newest = at;
    const sku = str(l.sku);
    facts.push({ lineId, quantity, sku, keys: sku !== null ? listingKeys(sku, null) : [], keyPrefixes: sku !== null ? listingKeyPrefixes(sku) : [] });
  }
  if (newest === null) return `order ${po}: neither orderDate nor any line's statusDate is a time`;
  if (autoCancelled) {
    return facts.filter((l) => l.quantity > 0).map((line) => ({
      kind: 'refund_created', occurredAt: newest!, refund: { refundId: `${po}:${line.lineId}:cancelled:${line.quantity}`, orderId: po, lines: [{ ...line, restock: 'cancel', locationId: null }] },
    }));
  }
  return [{ kind: 'order_created', occurredAt: newest, order: { orderId: po, name: str(payload.customerOrderId), locationId: null, cancelled: false, lines: facts } }];
}
