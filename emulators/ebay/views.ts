// What the control surface shows (snake_case JSON): listings with their quantities and revisions
// today, and orders as the emulator holds them.

import { type Catalog, type InventoryItem, REVISIONS_PER_DAY_MAX } from './catalog.ts';
import type { EbayOrder, Orders } from './orders.ts';
import { iso } from './time.ts';

export function listingState(catalog: Catalog, item: InventoryItem): Record<string, unknown> {
  return {
    sku: item.sku,
    title: item.title,
    ship_to_home_quantity: item.shipToHome,
    offers: catalog.offersOf(item.sku).map((o) => {
      const revisions = o.listingId ? catalog.revisionsToday(o.listingId) : 0;
      return {
        offer_id: o.offerId,
        listing_id: o.listingId,
        status: o.status,
        marketplace_id: o.marketplaceId,
        available_quantity: o.availableQuantity,
        price: o.price,
        buyer_visible_quantity: catalog.visible(o),
        revisions_today: revisions,
        revisions_left_today: Math.max(0, REVISIONS_PER_DAY_MAX - revisions),
      };
    }),
  };
}

export function orderState(orders: Orders, o: EbayOrder): Record<string, unknown> {
  return {
    order_id: o.orderId,
    buyer: o.buyer,
    creation_date: iso(o.creationDate),
    last_modified_date: iso(o.lastModifiedDate),
    paid: o.paidDate !== null,
    fulfillment_status: orders.fulfillmentStatus(o),
    cancel_state: o.cancelState,
    lines: o.lines.map((l) => ({ line_item_id: l.lineItemId, sku: l.sku, offer_id: l.offerId, legacy_item_id: l.legacyItemId, quantity: l.quantity, shipped: l.shipped })),
  };
}
