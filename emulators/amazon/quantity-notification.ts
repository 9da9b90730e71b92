// LISTINGS_ITEM_MFN_QUANTITY_CHANGE (ListingsItemMfnQuantityChange.json): Amazon announces every
// change of a merchant-fulfilled listing's quantity — a hand edit in Seller Central, an order it
// counted, a cancellation that put units back, and the seller's own patch or feed once applied.
// The payload names the seller, the SKU, the fulfillment channel code and the new quantity; it
// names no marketplace (the MFN quantity belongs to the SKU).
//
// Times carry milliseconds, as Amazon's own examples do, so two changes of one SKU within a second
// still say which came last.

export const MFN_QUANTITY_CHANGE = 'LISTINGS_ITEM_MFN_QUANTITY_CHANGE';

/** The envelope for a SKU's MFN quantity as it now is. */
export function mfnQuantityChangeNotification(p: {
  sellerId: string;
  sku: string;
  /** The MFN fulfillment channel code the quantity applies to (`DEFAULT`). */
  channelCode: string;
  quantity: number;
  applicationId: string;
  subscriptionId: string;
  notificationId: string;
  /** When the quantity changed (ms). */
  at: number;
}): Record<string, unknown> {
  const at = new Date(p.at).toISOString();
  return {
    NotificationVersion: '1.0',
    NotificationType: MFN_QUANTITY_CHANGE,
    PayloadVersion: '1.0',
    EventTime: at,
    Payload: { SellerId: p.sellerId, FulfillmentChannelCode: p.channelCode, Sku: p.sku, Quantity: p.quantity },
    NotificationMetadata: { ApplicationId: p.applicationId, SubscriptionId: p.subscriptionId, PublishTime: at, NotificationId: p.notificationId },
  };
}
