// Amazon orders in the Orders API 2026-01-01 shapes (never v0's). Status moves PENDING →
// UNSHIPPED → PARTIALLY_SHIPPED/SHIPPED, or to CANCELLED before it ships; every change moves
// lastUpdatedTime. `fulfillment` and item-level `fulfillment`/`cancellation` appear only when the
// caller asks for them with includedData, as the model's datasets say.

import { iso } from './time.ts';

export type FulfillmentStatus = 'PENDING' | 'UNSHIPPED' | 'PARTIALLY_SHIPPED' | 'SHIPPED' | 'CANCELLED';
export type FulfilledBy = 'MERCHANT' | 'AMAZON';

export const FULFILLMENT_STATUSES = ['PENDING_AVAILABILITY', 'PENDING', 'UNSHIPPED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'CANCELLED', 'UNFULFILLABLE'] as const;
export const INCLUDED_DATA = ['BUYER', 'RECIPIENT', 'PROCEEDS', 'EXPENSE', 'PROMOTION', 'CANCELLATION', 'FULFILLMENT', 'PACKAGES', 'TAX', 'PAYMENT', 'FULFILLMENT_ORDERS'] as const;

export interface OrderItem {
  orderItemId: string;
  sku: string;
  asin: string;
  title: string;
  quantity: number;
  shipped: number;
}

export interface AmazonOrder {
  orderId: string;
  marketplaceId: string;
  fulfilledBy: FulfilledBy;
  status: FulfillmentStatus;
  createdAt: number;
  updatedAt: number;
  items: OrderItem[];
  cancelledBy?: string;
  cancelReason?: string;
}

const MARKETPLACE_NAMES: Record<string, string> = {
  ATVPDKIKX0DER: 'Amazon.com',
  A2EUQ1WTGCTBG2: 'Amazon.ca',
  A1AM78C64UM0Y8: 'Amazon.com.mx',
  A1F83G8C2ARO7P: 'Amazon.co.uk',
  A1PA6795UKMFR9: 'Amazon.de',
  A13V1IB3VIYZZH: 'Amazon.fr',
  APJ6JRA9NG5V4: 'Amazon.it',
  A1RKKUPIHCS9HS: 'Amazon.es',
  A1VC38T7YXB528: 'Amazon.co.jp',
};

/** The model's Order, with the datasets asked for. */
export function orderJson(o: AmazonOrder, included: ReadonlySet<string>): Record<string, unknown> {
  const fulfillment = included.has('FULFILLMENT');
  const cancellation = included.has('CANCELLATION');
  const out: Record<string, unknown> = {
    orderId: o.orderId,
    createdTime: iso(o.createdAt),
    lastUpdatedTime: iso(o.updatedAt),
    salesChannel: { channelName: 'AMAZON', marketplaceId: o.marketplaceId, ...(MARKETPLACE_NAMES[o.marketplaceId] ? { marketplaceName: MARKETPLACE_NAMES[o.marketplaceId] } : {}) },
    orderItems: o.items.map((i) => {
      const item: Record<string, unknown> = {
        orderItemId: i.orderItemId,
        quantityOrdered: i.quantity,
        product: { asin: i.asin, title: i.title, sellerSku: i.sku, condition: { conditionType: 'NEW', conditionSubtype: 'NEW' } },
      };
      if (fulfillment) item.fulfillment = { quantityFulfilled: i.shipped, quantityUnfulfilled: o.status === 'CANCELLED' ? 0 : i.quantity - i.shipped };
      if (cancellation && o.status === 'CANCELLED') item.cancellation = { cancellationExecution: { cancelledBy: o.cancelledBy ?? 'SELLER', cancelReason: o.cancelReason ?? 'NoInventory' } };
      return item;
    }),
  };
  if (o.fulfilledBy === 'AMAZON') out.programs = [];
  if (fulfillment) out.fulfillment = { fulfillmentStatus: o.status, fulfilledBy: o.fulfilledBy, fulfillmentServiceLevel: 'STANDARD' };
  return out;
}

const NOTIFICATION_STATUS: Record<FulfillmentStatus, string> = {
  PENDING: 'Pending',
  UNSHIPPED: 'Unshipped',
  PARTIALLY_SHIPPED: 'PartiallyShipped',
  SHIPPED: 'Shipped',
  CANCELLED: 'Canceled',
};

/** The ORDER_CHANGE envelope (OrderChangeNotification.json) for an order as it now is. */
export function orderChangeNotification(o: AmazonOrder, p: { sellerId: string; applicationId: string; subscriptionId: string; notificationId: string; at: number; reason: string }): Record<string, unknown> {
  const shipped = o.items.reduce((n, i) => n + i.shipped, 0);
  const ordered = o.items.reduce((n, i) => n + i.quantity, 0);
  return {
    NotificationVersion: '1.0',
    NotificationType: 'ORDER_CHANGE',
    PayloadVersion: '1.0',
    EventTime: iso(p.at),
    Payload: {
      OrderChangeNotification: {
        NotificationLevel: 'OrderLevel',
        SellerId: p.sellerId,
        AmazonOrderId: o.orderId,
        OrderChangeType: 'OrderStatusChange',
        OrderChangeTrigger: { TimeOfOrderChange: iso(p.at), ChangeReason: p.reason },
        Summary: {
          MarketplaceId: o.marketplaceId,
          OrderStatus: NOTIFICATION_STATUS[o.status],
          PurchaseDate: iso(o.createdAt),
          DestinationPostalCode: null,
          FulfillmentType: o.fulfilledBy === 'AMAZON' ? 'AFN' : 'MFN',
          OrderType: 'StandardOrder',
          NumberOfItemsShipped: shipped,
          NumberOfItemsUnshipped: o.status === 'CANCELLED' ? 0 : ordered - shipped,
          OrderItems: o.items.map((i) => ({
            OrderItemId: i.orderItemId,
            SellerSKU: i.sku,
            SupplySourceId: null,
            OrderItemStatus: i.shipped >= i.quantity ? 'Shipped' : 'Unshipped',
            Quantity: i.quantity,
            QuantityShipped: i.shipped,
            IsBuyerRequestedCancel: false,
          })),
        },
      },
    },
    NotificationMetadata: { ApplicationId: p.applicationId, SubscriptionId: p.subscriptionId, PublishTime: iso(p.at), NotificationId: p.notificationId },
  };
}
