// Purchase orders and their lines. An order has no status of its own: each line holds quantities
// by status (Created → Acknowledged → Shipped, or Cancelled), as the model's
// orderLineStatuses.orderLineStatus[{status, statusQuantity}] says. Creating an order lowers the
// SKU's quantity at its ship node (Walmart's own move) and holds the units as reserved until they
// ship or are cancelled. Every change moves the order's lastModified, which the orders list
// filters on.

import { EmulatorError, WalmartError, invalid } from './errors.ts';
import type { Inventory } from './inventory.ts';

export const LINE_STATUSES = ['Created', 'Acknowledged', 'Shipped', 'Delivered', 'Cancelled'] as const;
export type LineStatus = (typeof LINE_STATUSES)[number];

/** Walmart's cancellation reasons for its own cancels (PO_LINE_AUTOCANCELLED, FRAUD_CANCEL). */
export const AUTO_CANCEL_REASON = 'Auto-cancelled due to expiry of the estimated ship date';
export const FRAUD_CANCEL_REASON = 'Cancelled by Walmart fraud review';
/** Estimated ship and delivery dates of a new order, from its creation. */
const SHIP_AFTER_MS = 2 * 86_400_000;
const DELIVER_AFTER_MS = 5 * 86_400_000;

export interface Tracking {
  shipDateTime: number;
  carrierName: { carrier?: string; otherCarrier?: string };
  methodCode: string;
  trackingNumber: string;
  trackingURL?: string;
}

export interface OrderLine {
  lineNumber: string;
  sku: string;
  productName: string;
  price: number;
  quantity: number;
  shipNode: string;
  /** Units by status; together they make `quantity`. */
  byStatus: Map<LineStatus, number>;
  cancellationReason: string | null;
  tracking: Tracking | null;
  statusDate: number;
}

export interface PurchaseOrder {
  purchaseOrderId: string;
  customerOrderId: string;
  customerEmailId: string;
  orderDate: number;
  lastModified: number;
  estimatedShipDate: number;
  estimatedDeliveryDate: number;
  lines: OrderLine[];
}

/** What Walmart tells the seller about: a new order, and cancels Walmart made (not the seller's own). */
export type OrderEvent = 'PO_CREATED' | 'PO_LINE_AUTOCANCELLED' | 'FRAUD_CANCEL';

/** Who cancels: the seller or customer (no event), Walmart's auto-cancel, or its fraud review. */
export type CancelledBy = 'seller' | 'auto' | 'fraud';

export interface OrderCounters {
  ordersPlaced: number;
  ordersRefusedOutOfStock: number;
  linesAcknowledged: number;
  linesShipped: number;
  linesCancelled: number;
  linesAutoCancelled: number;
  linesFraudCancelled: number;
}

const qty = (l: OrderLine, s: LineStatus) => l.byStatus.get(s) ?? 0;

function move(l: OrderLine, from: LineStatus, to: LineStatus, n: number, at: number): void {
  if (n <= 0) return;
  l.byStatus.set(from, qty(l, from) - n);
  if (qty(l, from) === 0) l.byStatus.delete(from);
  l.byStatus.set(to, qty(l, to) + n);
  l.statusDate = at;
}

export class Orders {
  readonly orders = new Map<string, PurchaseOrder>();
  readonly counters: OrderCounters = { ordersPlaced: 0, ordersRefusedOutOfStock: 0, linesAcknowledged: 0, linesShipped: 0, linesCancelled: 0, linesAutoCancelled: 0, linesFraudCancelled: 0 };
  /** Told of each order event (the notifications). */
  onEvent: (order: PurchaseOrder, event: OrderEvent, lines: OrderLine[]) => void = () => {};
  private seq: number;

  constructor(
    private readonly inventory: Inventory,
    private readonly now: () => number,
    idStart: number,
  ) {
    this.seq = idStart;
  }

  /** A buyer's order (the control surface): lines by SKU, quantity taken from the ship node. */
  place(p: { lines: { sku: string; quantity: number; shipNode?: string }[]; allowOversell?: boolean; orderDate?: number }): PurchaseOrder {
    if (!Array.isArray(p.lines) || p.lines.length === 0) throw invalid('lines must name at least one SKU');
    const t = this.now();
    const wanted = p.lines.map((l, i) => {
      if (!(Number.isSafeInteger(l.quantity) && l.quantity >= 1)) throw invalid(`lines[${i}].quantity must be a whole number above 0`);
      const s = this.inventory.skus.get(l.sku);
      if (!s) throw new EmulatorError('not_found', `lines[${i}].sku ${l.sku} is not in the seller's catalog`);
      const shipNode = l.shipNode ?? this.inventory.defaultShipNode;
      const node = s.nodes.get(shipNode);
      if (!node) throw invalid(`lines[${i}].shipNode ${shipNode} is not one of the seller's ship nodes`);
      return { s, node, shipNode, quantity: l.quantity };
    });
    // Checked whole (units asked per node summed) before anything changes.
    if (!p.allowOversell) {
      const asked = new Map<object, number>();
      for (const w of wanted) asked.set(w.node, (asked.get(w.node) ?? 0) + w.quantity);
      for (const w of wanted) {
        if (asked.get(w.node)! > w.node.amount) {
          this.counters.ordersRefusedOutOfStock++;
          throw new EmulatorError('out_of_stock', `sku ${w.s.sku} has ${w.node.amount} at ship node ${w.shipNode}; the order asks ${asked.get(w.node)}`);
        }
      }
    }
    const orderDate = p.orderDate ?? t;
    this.seq++;
    const n = this.seq;
    const order: PurchaseOrder = {
      purchaseOrderId: String(1_800_000_000_000 + n),
      customerOrderId: String(5_200_000_000_000 + n),
      customerEmailId: `${n.toString(16).toUpperCase().padStart(8, '0')}@relay.walmart.com`,
      orderDate,
      lastModified: t,
      estimatedShipDate: orderDate + SHIP_AFTER_MS,
      estimatedDeliveryDate: orderDate + DELIVER_AFTER_MS,
      lines: wanted.map((w, i) => {
        w.node.amount = Math.max(0, w.node.amount - w.quantity);
        w.node.reserved += w.quantity;
        return { lineNumber: String(i + 1), sku: w.s.sku, productName: w.s.productName, price: w.s.price, quantity: w.quantity, shipNode: w.shipNode, byStatus: new Map([['Created', w.quantity]]), cancellationReason: null, tracking: null, statusDate: t };
      }),
    };
    this.orders.set(order.purchaseOrderId, order);
    this.counters.ordersPlaced++;
    this.onEvent(order, 'PO_CREATED', order.lines);
    return order;
  }

  /** The order, or CONTENT_NOT_FOUND (the API's answer; the control surface maps it). */
  require(purchaseOrderId: string): PurchaseOrder {
    const o = this.orders.get(purchaseOrderId);
    if (!o) throw new WalmartError('CONTENT_NOT_FOUND', `No purchase order ${purchaseOrderId}.`, 'purchaseOrderId');
    return o;
  }

  line(o: PurchaseOrder, lineNumber: string): OrderLine {
    const l = o.lines.find((x) => x.lineNumber === lineNumber);
    if (!l) throw new WalmartError('INVALID_REQUEST_CONTENT', `Purchase order ${o.purchaseOrderId} has no line ${lineNumber}.`, 'lineNumber');
    return l;
  }

  /** Created → Acknowledged on every line; re-acknowledging is allowed, an order with nothing open is not. */
  acknowledge(o: PurchaseOrder): PurchaseOrder {
    const open = o.lines.some((l) => qty(l, 'Created') + qty(l, 'Acknowledged') > 0);
    if (!open) throw new WalmartError('INVALID_REQUEST_CONTENT', `Purchase order ${o.purchaseOrderId} has no line left to acknowledge (shipped or cancelled).`, 'purchaseOrderId');
    const t = this.now();
    for (const l of o.lines) {
      if (qty(l, 'Created') > 0) this.counters.linesAcknowledged++;
      move(l, 'Created', 'Acknowledged', qty(l, 'Created'), t);
    }
    o.lastModified = t;
    return o;
  }

  /** Checks a ship or cancel request whole: each line has that many open units. */
  checkOpen(o: PurchaseOrder, moves: { lineNumber: string; quantity: number }[]): void {
    const asked = new Map<string, number>();
    for (const m of moves) {
      const l = this.line(o, m.lineNumber);
      if (!(Number.isSafeInteger(m.quantity) && m.quantity >= 1)) throw new WalmartError('INVALID_REQUEST_CONTENT', `The quantity for line ${m.lineNumber} must be a whole number above 0.`, 'statusQuantity');
      asked.set(l.lineNumber, (asked.get(l.lineNumber) ?? 0) + m.quantity);
      const open = qty(l, 'Created') + qty(l, 'Acknowledged');
      if (asked.get(l.lineNumber)! > open) throw new WalmartError('INVALID_REQUEST_CONTENT', `Line ${l.lineNumber} of ${o.purchaseOrderId} has ${open} unit(s) not shipped or cancelled; the request moves ${asked.get(l.lineNumber)}.`, 'statusQuantity');
    }
  }

  /** Open units → Shipped (Acknowledged first, then Created); reserved units leave the node. */
  ship(o: PurchaseOrder, moves: { lineNumber: string; quantity: number; tracking: Tracking }[]): PurchaseOrder {
    this.checkOpen(o, moves);
    const t = this.now();
    for (const m of moves) {
      const l = this.line(o, m.lineNumber);
      const fromAck = Math.min(m.quantity, qty(l, 'Acknowledged'));
      move(l, 'Acknowledged', 'Shipped', fromAck, t);
      move(l, 'Created', 'Shipped', m.quantity - fromAck, t);
      l.tracking = m.tracking;
      this.unreserve(l, m.quantity, false);
      this.counters.linesShipped++;
    }
    o.lastModified = t;
    return o;
  }

  /** Open units → Cancelled (Created first). `restock`: the units go back to the node's quantity. */
  cancel(o: PurchaseOrder, moves: { lineNumber: string; quantity: number; reason: string }[], restock = false, by: CancelledBy = 'seller'): PurchaseOrder {
    this.checkOpen(o, moves);
    const t = this.now();
    for (const m of moves) {
      const l = this.line(o, m.lineNumber);
      const fromCreated = Math.min(m.quantity, qty(l, 'Created'));
      move(l, 'Created', 'Cancelled', fromCreated, t);
      move(l, 'Acknowledged', 'Cancelled', m.quantity - fromCreated, t);
      l.cancellationReason = m.reason;
      this.unreserve(l, m.quantity, restock);
      if (by === 'auto') this.counters.linesAutoCancelled++;
      else if (by === 'fraud') this.counters.linesFraudCancelled++;
      else this.counters.linesCancelled++;
    }
    o.lastModified = t;
    if (by !== 'seller') this.onEvent(o, by === 'auto' ? 'PO_LINE_AUTOCANCELLED' : 'FRAUD_CANCEL', moves.map((m) => this.line(o, m.lineNumber)));
    return o;
  }

  /** Open units of every line, for "ship it all" / "cancel it all" on the control surface. */
  openUnits(o: PurchaseOrder): { lineNumber: string; quantity: number }[] {
    return o.lines.map((l) => ({ lineNumber: l.lineNumber, quantity: qty(l, 'Created') + qty(l, 'Acknowledged') })).filter((x) => x.quantity > 0);
  }

  private unreserve(l: OrderLine, n: number, restock: boolean): void {
    const node = this.inventory.skus.get(l.sku)?.nodes.get(l.shipNode);
    if (!node) return;
    node.reserved = Math.max(0, node.reserved - n);
    if (restock) node.amount += n;
  }
}

export const lineQuantity = qty;
