// One Square merchant: its locations and catalog, the inventory ledger, the POS orders and the
// Inventory/Orders API over them, and the events each change raises. The POS moves stock the way
// a till does: it never refuses a customer, so a sale takes the count below zero when the shelf
// disagrees with the books; a return puts the units back; a hand count by staff sets the count.

import type { Catalog, CatalogVariation } from './catalog.ts';
import { type Units } from './decimal.ts';
import { invalid, notFound } from './errors.ts';
import { InventoryApi } from './inventory-api.ts';
import { type Change, type Count, InventoryLedger, type NewChange, type Source } from './inventory.ts';
import { type PosOrder, PosOrders, POS_SOURCE_NAME } from './orders.ts';
import { countView, iso } from './views.ts';
import type { EventType } from './webhooks.ts';

/** `created+updated`: a POS order raises order.created (OPEN, version 1) then order.updated (COMPLETED, version 2). */
export type OrderEventMode = 'created+updated' | 'created';

export interface MerchantSettings {
  merchantId: string;
  applicationId: string;
  orderEvents: OrderEventMode;
}

export interface PosLine {
  catalogObjectId: string;
  quantity: Units;
}

export class Merchant {
  readonly ledger: InventoryLedger;
  readonly orders: PosOrders;
  readonly inventory: InventoryApi;
  readonly counters = { posSales: 0, posReturns: 0, handCounts: 0, countEvents: 0, orderEvents: 0 };

  constructor(
    readonly catalog: Catalog,
    private readonly s: MerchantSettings,
    private readonly now: () => number,
    private readonly newId: () => string,
    private readonly newUuid: () => string,
    private readonly emit: (type: EventType, body: Record<string, unknown>, at: number) => void,
  ) {
    this.ledger = new InventoryLedger(now, newId);
    this.orders = new PosOrders(newId);
    this.inventory = new InventoryApi({
      catalog,
      ledger: this.ledger,
      now,
      source: { product: 'EXTERNAL_API', name: 'truestock', application_id: s.applicationId },
      onCounts: (counts) => this.countsChanged(counts),
    });
  }

  // ---- the POS ------------------------------------------------------------------------------

  /** An in-store sale: an order, and IN_STOCK → SOLD per line at once, below zero if need be. */
  sale(p: { locationId: string; lines: PosLine[]; referenceId?: string | null }): PosOrder {
    this.location(p.locationId);
    if (p.lines.length === 0) throw invalid('a sale needs at least one line');
    const lines = p.lines.map((l, i) => ({ variation: this.variation(l.catalogObjectId, `lines[${i}].catalog_object_id`), quantity: positive(l.quantity, `lines[${i}].quantity`) }));
    const at = this.now();
    const order = this.orders.sale({ locationId: p.locationId, lines, at, referenceId: p.referenceId });
    this.counters.posSales++;
    this.move(
      lines.map((l) => adjustment(l.variation, p.locationId, l.quantity, 'IN_STOCK', 'SOLD', order.id, at, this.inventory.price(l.variation.id, l.quantity))),
    );
    this.orderEvents(order, at);
    return order;
  }

  /** A return of some of a sale's lines at its location; restocked (SOLD → IN_STOCK) unless told not to. */
  return(p: { orderId: string; lines: PosLine[]; restock?: boolean }): PosOrder {
    const sale = this.orders.get(p.orderId);
    if (!sale || sale.kind !== 'sale') throw notFound(`no POS sale ${p.orderId}`);
    if (p.lines.length === 0) throw invalid('a return needs at least one line');
    p.lines.forEach((l, i) => positive(l.quantity, `lines[${i}].quantity`));
    const at = this.now();
    const order = this.orders.return(sale, p.lines, at);
    this.counters.posReturns++;
    if (p.restock !== false) {
      this.move(order.returnOf!.lines.map((l) => adjustment(l.variation, sale.locationId, l.quantity, 'SOLD', 'IN_STOCK', order.id, at, null)));
    }
    this.orderEvents(order, at);
    return order;
  }

  /** Staff count the shelf: a PHYSICAL_COUNT of IN_STOCK, recorded even when unchanged. */
  handCount(p: { catalogObjectId: string; locationId: string; quantity: Units; teamMemberId?: string | null }): Change[] {
    this.location(p.locationId);
    const v = this.variation(p.catalogObjectId, 'catalog_object_id');
    if (p.quantity < 0n) throw invalid('quantity must not be negative');
    this.counters.handCounts++;
    return this.move([
      { type: 'PHYSICAL_COUNT', catalogObjectId: v.id, locationId: p.locationId, state: 'IN_STOCK', quantity: p.quantity, occurredAt: this.now(), referenceId: null, teamMemberId: p.teamMemberId ?? null, source: posSource() },
    ]);
  }

  private move(changes: NewChange[]): Change[] {
    const { recorded, recomputed } = this.ledger.record(changes, false);
    this.countsChanged(recomputed);
    return recorded;
  }

  // ---- events -------------------------------------------------------------------------------

  private countsChanged(counts: Count[]): void {
    if (counts.length === 0) return;
    const at = this.now();
    this.counters.countEvents++;
    this.emit('inventory.count.updated', this.envelope('inventory.count.updated', at, { type: 'inventory_counts', id: this.newUuid(), object: { inventory_counts: counts.map(countView) } }), at);
  }

  private orderEvents(order: PosOrder, at: number): void {
    const created = { order_id: order.id, version: 1, location_id: order.locationId, state: 'COMPLETED', created_at: iso(order.createdAt) };
    if (this.s.orderEvents === 'created+updated') {
      order.version = 2;
      created.state = 'OPEN';
    }
    this.counters.orderEvents++;
    this.emit('order.created', this.envelope('order.created', at, { type: 'order_created', id: order.id, object: { order_created: created } }), at);
    if (this.s.orderEvents === 'created+updated') {
      this.counters.orderEvents++;
      const updated = { order_id: order.id, version: order.version, location_id: order.locationId, state: order.state, created_at: iso(order.createdAt), updated_at: iso(order.updatedAt) };
      this.emit('order.updated', this.envelope('order.updated', at, { type: 'order_updated', id: order.id, object: { order_updated: updated } }), at);
    }
  }

  private envelope(type: EventType, at: number, data: Record<string, unknown>): Record<string, unknown> {
    return { merchant_id: this.s.merchantId, type, event_id: this.newUuid(), created_at: iso(at), data };
  }

  // ---- lookups ------------------------------------------------------------------------------

  private location(id: string): void {
    if (!this.catalog.locations.has(id)) throw notFound(`no location ${id}`);
  }

  private variation(id: string, field: string): CatalogVariation {
    const v = this.catalog.variations.get(id);
    if (!v) throw notFound(`${field}: no catalog object ${id}`);
    return v;
  }
}

function positive(q: Units, field: string): Units {
  if (q <= 0n) throw invalid(`${field} must be above 0`);
  return q;
}

const posSource = (): Source => ({ product: 'SQUARE_POS', name: POS_SOURCE_NAME });

function adjustment(v: CatalogVariation, locationId: string, quantity: Units, fromState: string, toState: string, orderId: string, at: number, totalPriceMoney: { amount: number; currency: string } | null): NewChange {
  return { type: 'ADJUSTMENT', catalogObjectId: v.id, locationId, fromState, toState, quantity, occurredAt: at, referenceId: null, teamMemberId: null, source: posSource(), transactionId: orderId, totalPriceMoney };
}
