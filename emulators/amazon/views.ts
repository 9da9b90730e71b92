// How the control surface and `state()` show the account: snake_case views of listings, FBA
// stock and orders (the SP-API shapes are the handlers' own).

import type { FbaStock } from './fba.ts';
import type { Listing } from './listings.ts';
import type { AmazonOrder } from './orders.ts';
import type { Seller } from './seller.ts';

/** snake_case control names of the FBA buckets. */
export const FBA_FIELDS: Record<string, keyof FbaStock> = {
  fulfillable: 'fulfillable',
  inbound_working: 'inboundWorking',
  inbound_shipped: 'inboundShipped',
  inbound_receiving: 'inboundReceiving',
  pending_customer_order: 'pendingCustomerOrder',
  pending_transshipment: 'pendingTransshipment',
  fc_processing: 'fcProcessing',
  unfulfillable: 'unfulfillable',
  researching: 'researching',
};

export function fbaState(s: FbaStock): Record<string, unknown> {
  const out: Record<string, unknown> = { sku: s.sku, fn_sku: s.fnSku, asin: s.asin };
  for (const [name, key] of Object.entries(FBA_FIELDS)) out[name] = s[key];
  out.changed_at = new Date(s.changedAt).toISOString();
  return out;
}

export function listingState(seller: Seller, l: Listing): Record<string, unknown> {
  return {
    sku: l.sku,
    channel: l.channel,
    quantity: seller.sellable(l),
    listing_quantity: l.quantity,
    product_type: l.productType,
    marketplace_ids: l.marketplaceIds,
    asin: l.asin,
    issues: l.issues,
    failing: seller.skuFailures.get(l.sku) ?? null,
    updated_at: new Date(l.updatedAt).toISOString(),
  };
}

export function orderState(o: AmazonOrder): Record<string, unknown> {
  return {
    order_id: o.orderId,
    status: o.status,
    fulfilled_by: o.fulfilledBy,
    marketplace_id: o.marketplaceId,
    created_at: new Date(o.createdAt).toISOString(),
    updated_at: new Date(o.updatedAt).toISOString(),
    items: o.items.map((i) => ({ order_item_id: i.orderItemId, sku: i.sku, quantity: i.quantity, shipped: i.shipped })),
  };
}

