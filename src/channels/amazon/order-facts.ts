// What an Amazon order's status means to truestock, shared by the order poll (Orders API
// 2026-01-01, `FULFILLMENT_STATUS` spellings) and the ORDER_CHANGE notifications (the v0
// spellings), so an order seen both ways is read the same way; and the listing keys of a line.
//
// Times: the Orders API gives whole seconds, a notification milliseconds. Both are taken at the
// second, and the status's place in an order's life is added as milliseconds. So the poll and a
// notification reporting one state of an order carry the same `occurredAt` (the second sighting
// changes nothing), and two changes within one second (PENDING, then UNSHIPPED) still come in
// their order whichever source reports which — the orchestration keeps the latest `occurredAt`.

import type { OrderFacts, OrderLineFacts } from '../../domain/channel-event.ts';
import { externalKey, type ListingIdentity } from '../../domain/listing-rules.ts';
import { marketplaceName } from './marketplaces.ts';

/**
 * The kind's listing identity (kind.ts declares the same; a test keeps them equal). Labels are
 * part of stored keys: never change them.
 */
export const AMAZON_LISTING: ListingIdentity = {
  kind: 'amazon',
  forms: [['seller_sku', 'marketplace_id']],
  labels: { seller_sku: 'seller_sku', marketplace_id: 'marketplace' },
  shown: { seller_sku: { label: 'Seller SKU' }, marketplace_id: { label: 'Marketplace', value: marketplaceName } },
};

/** What a status asks of truestock: allocate, hold (payment not confirmed), or release. */
export type OrderState = 'open' | 'pending' | 'cancelled';

interface StatusMeaning {
  state: OrderState;
  /** The status's place in an order's life, added to its time in ms (see the header). */
  rank: number;
}

/** Orders API 2026-01-01 `FulfillmentStatus`. */
export const FULFILLMENT_STATUS: Readonly<Record<string, StatusMeaning>> = {
  // A pre-order whose payment is not authorized yet: Amazon keeps the unit for the buyer.
  PENDING_AVAILABILITY: { state: 'pending', rank: 0 },
  PENDING: { state: 'pending', rank: 1 },
  UNSHIPPED: { state: 'open', rank: 2 },
  PARTIALLY_SHIPPED: { state: 'open', rank: 3 },
  SHIPPED: { state: 'open', rank: 4 },
  CANCELLED: { state: 'cancelled', rank: 5 },
  // Only Amazon-fulfilled orders placed off Amazon's site: they will never ship.
  UNFULFILLABLE: { state: 'cancelled', rank: 5 },
};

/** ORDER_CHANGE `Summary.OrderStatus` (the v0 spellings). */
export const NOTIFICATION_STATUS: Readonly<Record<string, StatusMeaning>> = {
  PendingAvailability: FULFILLMENT_STATUS.PENDING_AVAILABILITY!,
  Pending: FULFILLMENT_STATUS.PENDING!,
  Unshipped: FULFILLMENT_STATUS.UNSHIPPED!,
  PartiallyShipped: FULFILLMENT_STATUS.PARTIALLY_SHIPPED!,
  Shipped: FULFILLMENT_STATUS.SHIPPED!,
  // Shipped, with the invoice not yet confirmed (some marketplaces): shipped as far as stock goes.
  InvoiceUnconfirmed: FULFILLMENT_STATUS.SHIPPED!,
  Canceled: FULFILLMENT_STATUS.CANCELLED!,
  Unfulfillable: FULFILLMENT_STATUS.UNFULFILLABLE!,
};

const SECOND_MS = 1_000;
export const QUANTITY_MAX = 1_000_000_000;
export const ORDER_LINES_MAX = 5_000;

/** An order's time at its status: the whole second, plus the status's rank in ms. */
export function statusTime(at: number, meaning: StatusMeaning): number {
  return Math.floor(at / SECOND_MS) * SECOND_MS + meaning.rank;
}

/** The listing key of a seller SKU on a marketplace. */
export function listingKey(sellerSku: string, marketplaceId: string): string {
  return externalKey(AMAZON_LISTING, { seller_sku: sellerSku, marketplace_id: marketplaceId });
}

/** A line: Amazon's order item id, the seller SKU on the order's marketplace. */
export function lineFacts(orderItemId: string, quantity: number, sellerSku: string | null, marketplaceId: string | null): OrderLineFacts {
  return {
    lineId: orderItemId,
    quantity,
    sku: sellerSku,
    keys: sellerSku !== null && marketplaceId !== null ? [listingKey(sellerSku, marketplaceId)] : [],
    // No prefixes: the same seller SKU on another marketplace is another listing, maybe another
    // fulfilment; the SKU itself is the mapping of last resort.
    keyPrefixes: [],
  };
}

/**
 * An order's facts. Fulfilled by Amazon: recorded against the marketplace (the FBA location it
 * maps to), never allocated from our buildings. Merchant-fulfilled: no channel location — the
 * marketplace names the FBA stock, not the seller's building — so the channel's mapped locations
 * decide.
 */
export function orderFacts(orderId: string, meaning: StatusMeaning, fulfilledByAmazon: boolean, marketplaceId: string | null, lines: OrderLineFacts[]): OrderFacts {
  return {
    orderId,
    name: orderId,
    locationId: fulfilledByAmazon ? marketplaceId : null,
    cancelled: meaning.state === 'cancelled',
    ...(meaning.state === 'pending' ? { pending: true } : {}),
    ...(fulfilledByAmazon ? { fulfilledByChannel: true } : {}),
    lines: lines.filter((l) => l.quantity > 0),
  };
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** A count Amazon reports (0 allowed), or null when it is not one. */
export function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= QUANTITY_MAX ? v : null;
}

export function time(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
}

/** Whole seconds in ISO 8601, as Amazon reads and writes times. */
export const isoSeconds = (ms: number) => new Date(Math.floor(ms / SECOND_MS) * SECOND_MS).toISOString().replace('.000Z', 'Z');
