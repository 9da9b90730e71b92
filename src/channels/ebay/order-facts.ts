// What an eBay order (Sell Fulfillment `Order`) means to truestock, shared by the order poll and
// the ORDER_CONFIRMATION notifications (which read the order they name through the same API), so
// an order seen both ways is the same event: named by eBay's `orderId`, its lines by
// `lineItemId`, at the order's `lastModifiedDate`.
//
// - Cancelled: `cancelStatus.cancelState` is CANCELED, or a cancel request is COMPLETED
//   (`cancelRequests`, filled only by `getOrder`: the poll fetches the order when the list says a
//   cancellation is IN_PROGRESS). A request still open leaves the order standing: the buyer may
//   be refused, and until eBay cancels, the units are the buyer's.
// - Pending: `orderPaymentStatus` PENDING (or FAILED, which eBay resolves by cancelling): eBay
//   keeps the units for the buyer, truestock holds them until payment or cancellation.
// - Lines name the seller's SKU; an eBay listing's identity is its SKU, so the SKU is the key.

import type { ChannelEvent, OrderFacts, OrderLineFacts } from '../../domain/channel-event.ts';
import { externalKey, type ListingIdentity } from '../../domain/listing-rules.ts';

/** The kind's listing identity (kind.ts declares the same; a test keeps them equal). Labels are part of stored keys: never change them. */
export const EBAY_LISTING: ListingIdentity = { kind: 'ebay', forms: [['sku']], labels: { sku: 'sku' }, shown: { sku: { label: 'eBay SKU' } } };

export const QUANTITY_MAX = 1_000_000_000;
export const ORDER_LINES_MAX = 5_000;

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function time(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
}

/** eBay's times: ISO 8601 in UTC with milliseconds, as its filters take them. */
export const isoMillis = (ms: number): string => new Date(ms).toISOString();

export const listingKey = (sku: string): string => externalKey(EBAY_LISTING, { sku });

/**
 * Does the order's cancel status say a cancellation is under way (its requests only in getOrder)?
 * eBay's CancelStateEnum says IN_PROGRESS; any state but none and done is read as one, so a
 * spelling the models do not list still has its requests read.
 */
export function cancelInPlay(order: Record<string, unknown>): boolean {
  const cs = isObject(order.cancelStatus) ? order.cancelStatus : {};
  return typeof cs.cancelState === 'string' && cs.cancelState !== 'NONE_REQUESTED' && cs.cancelState !== 'CANCELED';
}

export function isCancelled(order: Record<string, unknown>): boolean {
  const cs = isObject(order.cancelStatus) ? order.cancelStatus : {};
  if (cs.cancelState === 'CANCELED') return true;
  const requests = Array.isArray(cs.cancelRequests) ? cs.cancelRequests : [];
  return requests.some((r) => isObject(r) && r.cancelRequestState === 'COMPLETED');
}

/** One `Order` as its event and its `lastModifiedDate`, or why it cannot be read. */
export function orderEvent(o: unknown): { event: ChannelEvent; modified: number } | string {
  if (!isObject(o)) return 'not an object';
  const orderId = str(o.orderId);
  if (orderId === null) return 'no orderId';
  const modified = time(o.lastModifiedDate) ?? time(o.creationDate);
  if (modified === null) return `order ${orderId}: lastModifiedDate is not a time`;
  if (!Array.isArray(o.lineItems) || o.lineItems.length > ORDER_LINES_MAX) return `order ${orderId}: lineItems must be a list of at most ${ORDER_LINES_MAX}`;
  const lines: OrderLineFacts[] = [];
  for (const [i, item] of o.lineItems.entries()) {
    const id = isObject(item) ? str(item.lineItemId) : null;
    const q = isObject(item) ? item.quantity : null;
    if (id === null || !(typeof q === 'number' && Number.isSafeInteger(q) && q >= 0 && q <= QUANTITY_MAX)) return `order ${orderId}: lineItems[${i}] needs a lineItemId and a whole quantity`;
    const sku = str((item as Record<string, unknown>).sku);
    // No prefixes: the SKU is the whole identity, and the mapping of last resort.
    lines.push({ lineId: id, quantity: q, sku, keys: sku !== null ? [listingKey(sku)] : [], keyPrefixes: [] });
  }
  const cancelled = isCancelled(o);
  const payment = str(o.orderPaymentStatus);
  const order: OrderFacts = {
    orderId,
    name: orderId,
    // eBay orders name no merchant location: the channel's mapped locations decide.
    locationId: null,
    cancelled,
    ...(!cancelled && (payment === 'PENDING' || payment === 'FAILED') ? { pending: true } : {}),
    lines: lines.filter((l) => l.quantity > 0),
  };
  return { event: { kind: cancelled ? 'order_cancelled' : 'order_created', occurredAt: modified, order }, modified };
}
