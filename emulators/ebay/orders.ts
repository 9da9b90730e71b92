// eBay orders as the Fulfillment API shows them, and the moves the control surface plays:
// a buyer commits to buy (eBay lowers the listing at once), pays (checkout completes: one
// ORDER_CONFIRMATION per line item), the seller ships (ITEM_MARKED_SHIPPED per line), a
// cancellation is requested and completed. `lastModifiedDate` moves on every change.

import type { Catalog, Offer } from './catalog.ts';
import { EmulatorError, invalid, notFound } from './errors.ts';

export type FulfillmentStatus = 'NOT_STARTED' | 'IN_PROGRESS' | 'FULFILLED';
export type CancelState = 'NONE_REQUESTED' | 'CANCEL_REQUESTED' | 'CANCELED';

export interface OrderLine {
  lineItemId: string;
  sku: string;
  offerId: string;
  /** The listing's id (legacyItemId in the model). */
  legacyItemId: string;
  title: string;
  quantity: number;
  unitPrice: string;
  currency: string;
  marketplaceId: string;
  shipped: boolean;
}

export interface CancelRequest {
  cancelRequestId: string;
  cancelInitiator: 'BUYER' | 'SELLER';
  cancelReason: string;
  cancelRequestedDate: number;
  cancelCompletedDate: number | null;
  cancelRequestState: 'REQUESTED' | 'COMPLETED';
}

export interface EbayOrder {
  orderId: string;
  buyer: string;
  creationDate: number;
  lastModifiedDate: number;
  paidDate: number | null;
  lines: OrderLine[];
  cancelState: CancelState;
  cancelledDate: number | null;
  cancelRequests: CancelRequest[];
}

export interface PlaceOrder {
  lines: { sku: string; quantity: number }[];
  /** Paid at once (checkout complete), as fixed-price buys with immediate payment are; default true. */
  paid?: boolean;
  buyer?: string;
  /** Take more than the listing shows (a race eBay lost); default false. */
  allowOversell?: boolean;
}

export type OrderEvent = { kind: 'checkout'; order: EbayOrder } | { kind: 'shipped'; order: EbayOrder; lines: OrderLine[] };

export class Orders {
  readonly orders = new Map<string, EbayOrder>();
  counters = { ordersPlaced: 0, ordersRefusedOutOfStock: 0 };
  onEvent: (e: OrderEvent) => void = () => {};
  private next: number;
  private nextLine: number;

  constructor(
    private readonly catalog: Catalog,
    private readonly now: () => number,
    idStart = 0,
  ) {
    this.next = 1_000_000 + idStart;
    this.nextLine = 10_000_000_000 + idStart;
  }

  place(p: PlaceOrder): EbayOrder {
    if (!Array.isArray(p.lines) || p.lines.length === 0) throw invalid('lines must name at least one SKU');
    const picked = p.lines.map((l, i) => {
      if (!(Number.isSafeInteger(l.quantity) && l.quantity >= 1)) throw invalid(`lines[${i}].quantity must be a whole number of 1 or more`);
      const offer = this.catalog.listingOf(l.sku);
      if (!this.catalog.items.has(l.sku)) throw notFound(`no inventory item ${l.sku}`);
      if (!offer) throw invalid(`sku ${l.sku} has no published offer to buy from`);
      return { offer, quantity: l.quantity };
    });
    const wanted = new Map<Offer, number>();
    for (const x of picked) wanted.set(x.offer, (wanted.get(x.offer) ?? 0) + x.quantity);
    if (!p.allowOversell) {
      for (const [offer, q] of wanted) {
        if (this.catalog.visible(offer) < q) {
          this.counters.ordersRefusedOutOfStock++;
          throw new EmulatorError('out_of_stock', `listing ${offer.listingId} (sku ${offer.sku}) has ${this.catalog.visible(offer)} to sell, not ${q}`);
        }
      }
    }
    const t = this.now();
    const n = this.next++;
    const order: EbayOrder = {
      // eBay's order id format since 2019: NN-NNNNN-NNNNN.
      orderId: `${String(Math.floor(n / 1e10) % 100).padStart(2, '0')}-${String(Math.floor(n / 1e5) % 1e5).padStart(5, '0')}-${String(n % 1e5).padStart(5, '0')}`,
      buyer: p.buyer ?? 'emulated_buyer',
      creationDate: t,
      lastModifiedDate: t,
      paidDate: null,
      lines: picked.map(({ offer, quantity }) => {
        const item = this.catalog.item(offer.sku);
        return { lineItemId: String(this.nextLine++), sku: offer.sku, offerId: offer.offerId, legacyItemId: offer.listingId!, title: item.title, quantity, unitPrice: offer.price.value, currency: offer.price.currency, marketplaceId: offer.marketplaceId, shipped: false };
      }),
      cancelState: 'NONE_REQUESTED',
      cancelledDate: null,
      cancelRequests: [],
    };
    for (const { offer, quantity } of picked) this.catalog.sell(offer, quantity);
    this.orders.set(order.orderId, order);
    this.counters.ordersPlaced++;
    if (p.paid ?? true) this.pay(order.orderId);
    return order;
  }

  order(orderId: string): EbayOrder {
    const o = this.orders.get(orderId);
    if (!o) throw notFound(`no order ${orderId}`);
    return o;
  }

  /** Payment completes checkout: one ORDER_CONFIRMATION per line item. */
  pay(orderId: string): EbayOrder {
    const o = this.order(orderId);
    if (o.paidDate !== null) throw new EmulatorError('order_state', `order ${orderId} is paid already`);
    if (o.cancelState === 'CANCELED') throw new EmulatorError('order_state', `order ${orderId} is cancelled`);
    o.paidDate = this.touch(o);
    this.onEvent({ kind: 'checkout', order: o });
    return o;
  }

  /** Ships the lines named (all not yet shipped when none are named). */
  ship(orderId: string, lineItemIds?: string[]): EbayOrder {
    const o = this.order(orderId);
    if (o.cancelState === 'CANCELED') throw new EmulatorError('order_state', `order ${orderId} is cancelled`);
    if (o.paidDate === null) throw new EmulatorError('order_state', `order ${orderId} is not paid`);
    const lines = lineItemIds === undefined ? o.lines.filter((l) => !l.shipped) : lineItemIds.map((id) => {
      const l = o.lines.find((x) => x.lineItemId === id);
      if (!l) throw notFound(`order ${orderId} has no line item ${id}`);
      return l;
    });
    if (lines.length === 0 || lines.some((l) => l.shipped)) throw new EmulatorError('order_state', `order ${orderId} has nothing of that left to ship`);
    for (const l of lines) l.shipped = true;
    this.touch(o);
    this.onEvent({ kind: 'shipped', order: o, lines });
    return o;
  }

  requestCancellation(orderId: string, p: { initiator?: 'BUYER' | 'SELLER'; reason?: string } = {}): EbayOrder {
    const o = this.order(orderId);
    if (o.cancelState !== 'NONE_REQUESTED') throw new EmulatorError('order_state', `order ${orderId} is ${o.cancelState} already`);
    if (o.lines.some((l) => l.shipped)) throw new EmulatorError('order_state', `order ${orderId} has shipped lines: it is a return now, not a cancellation`);
    const initiator = p.initiator ?? 'BUYER';
    if (initiator !== 'BUYER' && initiator !== 'SELLER') throw invalid("initiator must be 'BUYER' or 'SELLER'");
    const t = this.touch(o);
    o.cancelState = 'CANCEL_REQUESTED';
    o.cancelRequests.push({ cancelRequestId: String(5_000_000_000 + this.orders.size * 100 + o.cancelRequests.length), cancelInitiator: initiator, cancelReason: p.reason ?? 'BUYER_ASKED_CANCEL', cancelRequestedDate: t, cancelCompletedDate: null, cancelRequestState: 'REQUESTED' });
    return o;
  }

  /** The cancellation goes through (requesting it first when nobody has); the units go back to the listing unless `restock` is false. */
  completeCancellation(orderId: string, p: { restock?: boolean; initiator?: 'BUYER' | 'SELLER'; reason?: string } = {}): EbayOrder {
    const o = this.order(orderId);
    if (o.cancelState === 'CANCELED') throw new EmulatorError('order_state', `order ${orderId} is cancelled already`);
    if (o.cancelState === 'NONE_REQUESTED') this.requestCancellation(orderId, { initiator: p.initiator ?? 'SELLER', reason: p.reason ?? 'OUT_OF_STOCK_OR_CANNOT_FULFILL' });
    const t = this.touch(o);
    o.cancelState = 'CANCELED';
    o.cancelledDate = t;
    for (const r of o.cancelRequests) if (r.cancelRequestState === 'REQUESTED') Object.assign(r, { cancelRequestState: 'COMPLETED', cancelCompletedDate: t });
    for (const l of o.lines) {
      const offer = this.catalog.offers.get(l.offerId);
      if (!offer) continue;
      // A cancelled order is no sale; its units go back to the listing unless told otherwise.
      offer.sold = Math.max(0, offer.sold - l.quantity);
      if (p.restock ?? true) this.catalog.restock(offer, l.quantity);
    }
    return o;
  }

  fulfillmentStatus(o: EbayOrder): FulfillmentStatus {
    const shipped = o.lines.filter((l) => l.shipped).length;
    return shipped === 0 ? 'NOT_STARTED' : shipped === o.lines.length ? 'FULFILLED' : 'IN_PROGRESS';
  }

  /** Stamps a change: lastModifiedDate is now (never earlier than the last change). */
  private touch(o: EbayOrder): number {
    const t = Math.max(this.now(), o.lastModifiedDate);
    o.lastModifiedDate = t;
    return t;
  }
}
