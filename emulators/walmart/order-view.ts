// A purchase order as the Orders API shows it (orders.json GetOrderResponseRecord, with the
// order lines in the shape of the model's own examples — see model-corrections.ts).

import { LINE_STATUSES, lineQuantity, type PurchaseOrder } from './orders.ts';

const each = (n: number) => ({ unitOfMeasurement: 'EACH', amount: String(n) });
const usd = (amount: number) => ({ currency: 'USD', amount: Math.round(amount * 100) / 100 });

/** The emulated buyer's address: every order ships to the same place. */
const SHIP_TO = { name: 'Emulated Buyer', address1: '702 SW 8th St', city: 'Bentonville', state: 'AR', postalCode: '72716', country: 'USA', addressType: 'RESIDENTIAL' };

export function orderRecord(o: PurchaseOrder): Record<string, unknown> {
  return {
    purchaseOrderId: o.purchaseOrderId,
    customerOrderId: o.customerOrderId,
    customerEmailId: o.customerEmailId,
    orderType: 'REGULAR',
    orderDate: o.orderDate,
    shippingInfo: { phone: '4795550100', estimatedDeliveryDate: o.estimatedDeliveryDate, estimatedShipDate: o.estimatedShipDate, methodCode: 'Value', postalAddress: { ...SHIP_TO } },
    orderLines: {
      orderLine: o.lines.map((l) => ({
        lineNumber: l.lineNumber,
        item: { productName: l.productName, sku: l.sku },
        charges: { charge: [{ chargeType: 'PRODUCT', chargeName: 'ItemPrice', chargeAmount: usd(l.price * l.quantity), tax: { taxName: 'Tax1', taxAmount: usd(0) } }] },
        orderLineQuantity: each(l.quantity),
        statusDate: l.statusDate,
        orderLineStatuses: {
          orderLineStatus: LINE_STATUSES.filter((s) => lineQuantity(l, s) > 0).map((s) => ({
            status: s,
            statusQuantity: each(lineQuantity(l, s)),
            ...(s === 'Cancelled' && l.cancellationReason !== null ? { cancellationReason: l.cancellationReason } : {}),
            ...(s === 'Shipped' && l.tracking !== null ? { trackingInfo: { ...l.tracking } } : {}),
          })),
        },
        fulfillment: { fulfillmentOption: 'S2H', shipMethod: 'VALUE' },
      })),
    },
    shipNode: { type: 'SellerFulfilled', id: o.lines[0]!.shipNode },
  };
}
