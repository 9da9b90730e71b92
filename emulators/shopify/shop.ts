// One shop's catalog, stock and orders. Invariant: at every level on_hand = available + committed
// (the emulator keeps no other quantity states), and available only goes below zero through an
// order placed with allowOversell or an on_hand set below committed — both as Shopify allows.
// Every operation checks everything before it writes anything, then emits the webhooks Shopify
// would send.

import { EmulatorError, invalid, notFound } from './errors.ts';
import { gid, IdSequence, numOf } from './ids.ts';
import { isoSeconds } from './time.ts';
import type { Refund, RestockType, ShopifyOrder, WebhookTopic } from './types.ts';
import { inventoryLevelPayload, orderPayload, refundPayload } from './webhook-payloads.ts';

export interface LocationRec {
  num: number;
  name: string;
}

export interface ItemRec {
  num: number;
  variantNum: number;
  sku: string;
}

export interface LevelRec {
  itemNum: number;
  locationNum: number;
  available: number;
  committed: number;
  updatedAt: number;
}

export interface LineRec {
  num: number;
  itemNum: number;
  variantNum: number;
  sku: string;
  quantity: number;
  /** Units still committed: not fulfilled, refunded or cancelled. */
  open: number;
  /** Units shipped by fulfillOrder. */
  fulfilled: number;
  /** Units released by cancelOrder. */
  cancelled: number;
  /** Units refunded, any restock type. quantity − refunded = open + (fulfilled − shippedRefunded) + (cancelled − cancelledRefunded). */
  refunded: number;
  shippedRefunded: number;
  cancelledRefunded: number;
}

export interface RefundLineRec {
  num: number;
  lineNum: number;
  quantity: number;
  restockType: RestockType;
  locationNum: number;
}

export interface RefundRec {
  num: number;
  orderNum: number;
  createdAt: number;
  lines: RefundLineRec[];
}

export interface OrderRec {
  num: number;
  name: string;
  createdAt: number;
  updatedAt: number;
  cancelledAt: number | null;
  /** Where the order's units are committed (the emulator's stand-in for fulfilment orders). */
  locationNum: number;
  /** A point-of-sale order: Shopify shows its location (retailLocation, location_id); an online order's is null. */
  pos: boolean;
  lines: LineRec[];
  refunds: RefundRec[];
}

export type Emit = (topic: WebhookTopic, payload: Record<string, unknown>, at: number) => void;

export interface OrderLineInput {
  variantId?: string;
  sku?: string;
  quantity: number;
}

export interface PlaceOrderInput {
  lines: OrderLineInput[];
  locationId?: string;
  allowOversell?: boolean;
  /** A point-of-sale order (default: an online order). */
  pos?: boolean;
}

export interface RefundInput {
  lines: { lineItemId: string; quantity: number; restockType: RestockType }[];
}

/** A level change the set-quantities ladder has approved. */
export interface LevelWrite {
  itemNum: number;
  locationNum: number;
  available: number;
}

const RESTOCK_TYPES: readonly RestockType[] = ['return', 'cancel', 'no_restock'];
type Pool = 'open' | 'shipped' | 'cancelled';
const POOL_ORDER: Record<RestockType, Pool[]> = {
  return: ['shipped', 'open', 'cancelled'],
  cancel: ['open', 'cancelled'],
  no_restock: ['open', 'shipped', 'cancelled'],
};
const QUANTITY_MAX = 1_000_000_000;

const levelKey = (itemNum: number, locationNum: number) => `${itemNum}:${locationNum}`;
const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= QUANTITY_MAX;

export class Shop {
  readonly ids = new IdSequence();
  /** Orders, their lines and refunds: the shared counter, or their own from `orderIdStart`. */
  private readonly orderIds: IdSequence;
  private orderNumber = 1001;
  readonly locations = new Map<number, LocationRec>();
  readonly items = new Map<number, ItemRec>();
  readonly variants = new Map<number, ItemRec>();
  readonly orders = new Map<number, OrderRec>();
  /** Shopify allows several variants with one SKU: each SKU (case-insensitive) → its items, in creation order. */
  private readonly itemsBySku = new Map<string, ItemRec[]>();
  private readonly levels = new Map<string, LevelRec>();
  /** Counts the emulator reports; incremented here where the event happens. */
  onOrderPlaced: () => void = () => {};
  onOrderRefused: () => void = () => {};

  constructor(
    private readonly emit: Emit,
    readonly now: () => number = Date.now,
    orderIdStart?: number,
  ) {
    this.orderIds = orderIdStart === undefined ? this.ids : new IdSequence(orderIdStart);
  }

  // ---- catalog ------------------------------------------------------------------------------

  addLocation(name: string): { id: string } {
    if (typeof name !== 'string' || name.trim() === '') throw invalid('name must be a non-empty string');
    const num = this.ids.take();
    this.locations.set(num, { num, name });
    return { id: gid('Location', num) };
  }

  addItem(p: { sku: string; levels: Record<string, number> }): { inventoryItemId: string; variantId: string } {
    if (typeof p?.sku !== 'string' || p.sku.trim() === '') throw invalid('sku must be a non-empty string');
    const levels = p.levels ?? {};
    if (typeof levels !== 'object' || Array.isArray(levels)) throw invalid('levels must be an object of location id → available');
    const stocked: [number, number][] = [];
    for (const [locationId, available] of Object.entries(levels)) {
      const locationNum = this.locationNum(locationId);
      if (!isCount(available)) throw invalid(`levels[${JSON.stringify(locationId)}] must be an integer from 0 to ${QUANTITY_MAX}`);
      stocked.push([locationNum, available]);
    }
    const item: ItemRec = { num: this.ids.take(), variantNum: this.ids.take(), sku: p.sku };
    this.items.set(item.num, item);
    this.variants.set(item.variantNum, item);
    this.itemsBySku.set(p.sku.toLowerCase(), [...this.itemsWithSku(p.sku), item]);
    const at = this.now();
    for (const [locationNum, available] of stocked) {
      this.levels.set(levelKey(item.num, locationNum), { itemNum: item.num, locationNum, available, committed: 0, updatedAt: at });
    }
    return { inventoryItemId: gid('InventoryItem', item.num), variantId: gid('ProductVariant', item.variantNum) };
  }

  /** Every item (variant) whose SKU is `sku`, case-insensitive. */
  itemsWithSku(sku: string): ItemRec[] {
    return this.itemsBySku.get(sku.toLowerCase()) ?? [];
  }

  level(itemNum: number, locationNum: number): LevelRec | undefined {
    return this.levels.get(levelKey(itemNum, locationNum));
  }

  /** The levels of one item, in location order. */
  levelsOf(itemNum: number): LevelRec[] {
    const out: LevelRec[] = [];
    for (const loc of this.locations.values()) {
      const l = this.level(itemNum, loc.num);
      if (l) out.push(l);
    }
    return out;
  }

  // ---- stock ----------------------------------------------------------------------------------

  /** A hand edit in Shopify admin: sets available (on_hand moves with it), stocking the item there if needed. */
  editAvailable(inventoryItemId: string, locationId: string, available: number): void {
    const itemNum = this.itemNum(inventoryItemId);
    const locationNum = this.locationNum(locationId);
    if (!isCount(available)) throw invalid(`available must be an integer from 0 to ${QUANTITY_MAX}`);
    const at = this.now();
    const level = this.ensureLevel(itemNum, locationNum, at);
    if (level.available === available) return;
    level.available = available;
    level.updatedAt = at;
    this.emit('inventory_levels/update', inventoryLevelPayload(level), at);
  }

  /**
   * Applies writes the set-quantities ladder approved, stocking the item where it was not (the
   * ladder allows that from 2026-10); emits one inventory_levels/update per changed level.
   */
  applyWrites(writes: LevelWrite[], at: number): void {
    for (const w of writes) {
      const level = this.ensureLevel(w.itemNum, w.locationNum, at);
      if (level.available === w.available) continue;
      level.available = w.available;
      level.updatedAt = at;
      this.emit('inventory_levels/update', inventoryLevelPayload(level), at);
    }
  }

  // ---- orders ---------------------------------------------------------------------------------

  placeOrder(p: PlaceOrderInput): ShopifyOrder {
    if (!Array.isArray(p?.lines) || p.lines.length === 0) throw invalid('lines must be a non-empty array');
    const lines = p.lines.map((l, i) => {
      if (!Number.isSafeInteger(l?.quantity) || l.quantity < 1 || l.quantity > QUANTITY_MAX) throw invalid(`lines[${i}].quantity must be a positive integer`);
      let item: ItemRec | undefined;
      if (l.variantId !== undefined) {
        const n = numOf(String(l.variantId), 'ProductVariant');
        item = n === null ? undefined : this.variants.get(n);
        if (!item) throw notFound(`lines[${i}]: no variant ${JSON.stringify(l.variantId)}`);
      } else if (l.sku !== undefined) {
        const all = this.itemsWithSku(String(l.sku));
        if (all.length > 1) throw invalid(`lines[${i}]: sku ${JSON.stringify(l.sku)} names ${all.length} variants (${all.map((x) => gid('ProductVariant', x.variantNum)).join(', ')}); give variantId`);
        item = all[0];
        if (!item) throw notFound(`lines[${i}]: no item with sku ${JSON.stringify(l.sku)}`);
      } else {
        throw invalid(`lines[${i}] needs a variantId or a sku`);
      }
      return { item, quantity: l.quantity };
    });
    const wanted = new Map<number, number>();
    for (const l of lines) wanted.set(l.item.num, (wanted.get(l.item.num) ?? 0) + l.quantity);
    const covers = (locationNum: number) => [...wanted].every(([itemNum, q]) => (this.level(itemNum, locationNum)?.available ?? -Infinity) >= q);
    const stocksAll = (locationNum: number) => [...wanted.keys()].every((itemNum) => this.level(itemNum, locationNum) !== undefined);

    let locationNum: number | undefined;
    if (p.locationId !== undefined) {
      locationNum = this.locationNum(p.locationId);
      if (!p.allowOversell && !covers(locationNum)) {
        this.onOrderRefused();
        throw new EmulatorError('out_of_stock', `not enough available at ${p.locationId} for every line`);
      }
    } else {
      locationNum = [...this.locations.keys()].find(covers);
      if (locationNum === undefined && p.allowOversell) locationNum = [...this.locations.keys()].find(stocksAll) ?? this.locations.keys().next().value;
      if (locationNum === undefined) {
        this.onOrderRefused();
        throw new EmulatorError('out_of_stock', 'no location has enough available for every line');
      }
    }

    const at = this.now();
    const order: OrderRec = {
      num: this.orderIds.take(),
      name: `#${this.orderNumber++}`,
      createdAt: at,
      updatedAt: at,
      cancelledAt: null,
      locationNum,
      pos: p.pos === true,
      lines: lines.map((l) => ({
        num: this.orderIds.take(),
        itemNum: l.item.num,
        variantNum: l.item.variantNum,
        sku: l.item.sku,
        quantity: l.quantity,
        open: l.quantity,
        fulfilled: 0,
        cancelled: 0,
        refunded: 0,
        shippedRefunded: 0,
        cancelledRefunded: 0,
      })),
      refunds: [],
    };
    this.orders.set(order.num, order);
    const touched = new Set<LevelRec>();
    for (const line of order.lines) {
      const level = this.ensureLevel(line.itemNum, locationNum, at);
      level.available -= line.quantity;
      level.committed += line.quantity;
      level.updatedAt = at;
      touched.add(level);
    }
    this.onOrderPlaced();
    this.emit('orders/create', orderPayload(order), at);
    for (const level of touched) this.emit('inventory_levels/update', inventoryLevelPayload(level), at);
    return this.orderView(order);
  }

  cancelOrder(orderId: string, p: { restock?: boolean } = {}): ShopifyOrder {
    const order = this.orderRec(orderId);
    if (order.cancelledAt !== null) throw new EmulatorError('order_cancelled', `order ${orderId} was cancelled at ${isoSeconds(order.cancelledAt)}`);
    const restock = p.restock ?? true;
    const at = this.now();
    const touched = new Set<LevelRec>();
    for (const line of order.lines) {
      if (line.open === 0) continue;
      const level = this.ensureLevel(line.itemNum, order.locationNum, at);
      level.committed -= line.open;
      if (restock) {
        level.available += line.open;
        touched.add(level);
      }
      level.updatedAt = at;
      line.cancelled += line.open;
      line.open = 0;
    }
    order.cancelledAt = at;
    order.updatedAt = at;
    this.emit('orders/cancelled', orderPayload(order), at);
    this.emit('orders/updated', orderPayload(order), at);
    for (const level of touched) this.emit('inventory_levels/update', inventoryLevelPayload(level), at);
    return this.orderView(order);
  }

  /** Extension: ships every open unit (committed and on_hand drop; available does not move). */
  fulfillOrder(orderId: string): ShopifyOrder {
    const order = this.orderRec(orderId);
    if (order.cancelledAt !== null) throw new EmulatorError('order_cancelled', `order ${orderId} is cancelled`);
    const at = this.now();
    for (const line of order.lines) {
      if (line.open === 0) continue;
      const level = this.ensureLevel(line.itemNum, order.locationNum, at);
      level.committed -= line.open;
      level.updatedAt = at;
      line.fulfilled += line.open;
      line.open = 0;
    }
    order.updatedAt = at;
    this.emit('orders/updated', orderPayload(order), at);
    return this.orderView(order);
  }

  /**
   * A refund. Each refunded unit comes out of one pool of its line — open (still committed),
   * shipped, or already released by a cancel — in an order set by the restock type:
   * 'return' shipped → open → cancelled; 'cancel' open → cancelled (never shipped units);
   * 'no_restock' open → shipped → cancelled. Units from open leave committed; 'return' and
   * 'cancel' put open and shipped units back in available at the order's location (Shopify
   * restocks at once); units from the cancelled pool were dealt with by the cancel.
   */
  refund(orderId: string, p: RefundInput): Refund {
    const order = this.orderRec(orderId);
    if (!Array.isArray(p?.lines) || p.lines.length === 0) throw invalid('lines must be a non-empty array');
    const left = new Map(order.lines.map((l) => [l, { open: l.open, shipped: l.fulfilled - l.shippedRefunded, cancelled: l.cancelled - l.cancelledRefunded }]));
    const plan = p.lines.map((l, i) => {
      const lineNum = numOf(String(l?.lineItemId), 'LineItem');
      const line = order.lines.find((x) => x.num === lineNum);
      if (!line) throw notFound(`lines[${i}]: order ${orderId} has no line item ${JSON.stringify(l?.lineItemId)}`);
      if (!Number.isSafeInteger(l.quantity) || l.quantity < 1) throw invalid(`lines[${i}].quantity must be a positive integer`);
      if (!RESTOCK_TYPES.includes(l.restockType)) throw invalid(`lines[${i}].restockType must be one of ${RESTOCK_TYPES.join(', ')}`);
      const pools = left.get(line)!;
      const take = { open: 0, shipped: 0, cancelled: 0 };
      let need = l.quantity;
      for (const pool of POOL_ORDER[l.restockType]) {
        const n = Math.min(need, pools[pool]);
        take[pool] += n;
        pools[pool] -= n;
        need -= n;
      }
      if (need > 0) {
        const what = l.restockType === 'cancel' ? 'unfulfilled ' : '';
        throw new EmulatorError('refund_too_large', `lines[${i}]: only ${l.quantity - need} ${what}unit(s) of line ${l.lineItemId} can still be refunded`);
      }
      return { line, quantity: l.quantity, restockType: l.restockType, take };
    });

    const at = this.now();
    const refund: RefundRec = { num: this.orderIds.take(), orderNum: order.num, createdAt: at, lines: [] };
    const touched = new Set<LevelRec>();
    for (const { line, quantity, restockType, take } of plan) {
      const level = this.ensureLevel(line.itemNum, order.locationNum, at);
      line.open -= take.open;
      line.shippedRefunded += take.shipped;
      line.cancelledRefunded += take.cancelled;
      line.refunded += quantity;
      level.committed -= take.open;
      const restocked = restockType === 'no_restock' ? 0 : take.open + take.shipped;
      if (restocked > 0) {
        level.available += restocked;
        touched.add(level);
      }
      level.updatedAt = at;
      refund.lines.push({ num: this.orderIds.take(), lineNum: line.num, quantity, restockType, locationNum: order.locationNum });
    }
    order.refunds.push(refund);
    order.updatedAt = at;
    this.emit('refunds/create', refundPayload(refund, order), at);
    this.emit('orders/updated', orderPayload(order), at);
    for (const level of touched) this.emit('inventory_levels/update', inventoryLevelPayload(level), at);
    return this.refundView(refund);
  }

  // ---- views and lookups ----------------------------------------------------------------------

  orderView(o: OrderRec): ShopifyOrder {
    return {
      id: gid('Order', o.num),
      legacyId: o.num,
      name: o.name,
      createdAt: isoSeconds(o.createdAt),
      updatedAt: isoSeconds(o.updatedAt),
      cancelledAt: o.cancelledAt === null ? null : isoSeconds(o.cancelledAt),
      locationId: gid('Location', o.locationNum),
      pos: o.pos,
      lines: o.lines.map((l) => ({
        id: gid('LineItem', l.num),
        variantId: gid('ProductVariant', l.variantNum),
        inventoryItemId: gid('InventoryItem', l.itemNum),
        sku: l.sku,
        quantity: l.quantity,
        refundedQuantity: l.refunded,
        fulfilledQuantity: l.fulfilled,
      })),
    };
  }

  refundView(r: RefundRec): Refund {
    return {
      id: gid('Refund', r.num),
      orderId: gid('Order', r.orderNum),
      createdAt: isoSeconds(r.createdAt),
      lines: r.lines.map((l) => ({
        id: gid('RefundLineItem', l.num),
        lineItemId: gid('LineItem', l.lineNum),
        quantity: l.quantity,
        restockType: l.restockType,
        locationId: gid('Location', l.locationNum),
      })),
    };
  }

  orderRec(orderId: string): OrderRec {
    const n = numOf(String(orderId), 'Order');
    const order = n === null ? undefined : this.orders.get(n);
    if (!order) throw notFound(`no order ${JSON.stringify(orderId)}`);
    return order;
  }

  private itemNum(inventoryItemId: string): number {
    const n = numOf(String(inventoryItemId), 'InventoryItem');
    if (n === null || !this.items.has(n)) throw notFound(`no inventory item ${JSON.stringify(inventoryItemId)}`);
    return n;
  }

  private locationNum(locationId: string): number {
    const n = numOf(String(locationId), 'Location');
    if (n === null || !this.locations.has(n)) throw notFound(`no location ${JSON.stringify(locationId)}`);
    return n;
  }

  private ensureLevel(itemNum: number, locationNum: number, at: number): LevelRec {
    const key = levelKey(itemNum, locationNum);
    let level = this.levels.get(key);
    if (!level) {
      level = { itemNum, locationNum, available: 0, committed: 0, updatedAt: at };
      this.levels.set(key, level);
    }
    return level;
  }
}
