// The store's POS orders, in the wire shape of the official `square` SDK's Order (the inventory
// model at ../shared/specs/square holds no orders; `node_modules/square/api/types/Order*.ts` is
// the reference and the tests parse every order with the SDK's own serializer, unknown keys
// refused).
//
// A sale is an order at the store's location with one line item per catalog object, state
// COMPLETED. A return is what Square's POS makes of one: a new order whose `returns[0]` names the
// sale (`source_order_id`) and carries `return_line_items` pointing at the sold lines
// (`source_line_item_uid`); the sale itself is left as it was. A line cannot be returned more
// times than it was sold.

import type { CatalogVariation } from './catalog.ts';
import { formatQuantity, type Units } from './decimal.ts';
import { EmulatorError } from './errors.ts';
import { iso } from './views.ts';

export const POS_SOURCE_NAME = 'Square Point of Sale';

export interface OrderLine {
  uid: string;
  variation: CatalogVariation;
  quantity: Units;
}

export interface ReturnLine extends OrderLine {
  sourceLineUid: string;
}

export interface PosOrder {
  id: string;
  locationId: string;
  kind: 'sale' | 'return';
  lines: OrderLine[];
  /** A return: the sale it returns from and the lines. */
  returnOf: { orderId: string; uid: string; lines: ReturnLine[] } | null;
  state: 'OPEN' | 'COMPLETED';
  version: number;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  referenceId: string | null;
}

const money = (amount: bigint, currency: string) => ({ amount: Number(amount), currency });
/** Price of `quantity` units (1/100000 items) at `priceAmount` per item, in the smallest currency unit. */
const lineAmount = (priceAmount: number, quantity: Units) => (BigInt(priceAmount) * quantity) / 100000n;

export class PosOrders {
  readonly orders = new Map<string, PosOrder>();

  constructor(private readonly newId: () => string) {}

  get(id: string): PosOrder | undefined {
    return this.orders.get(id);
  }

  sale(p: { locationId: string; lines: { variation: CatalogVariation; quantity: Units }[]; at: number; referenceId?: string | null }): PosOrder {
    const order: PosOrder = {
      id: this.newId(),
      locationId: p.locationId,
      kind: 'sale',
      lines: p.lines.map((l) => ({ uid: this.newId().slice(0, 22), variation: l.variation, quantity: l.quantity })),
      returnOf: null,
      state: 'COMPLETED',
      version: 1,
      createdAt: p.at,
      updatedAt: p.at,
      closedAt: p.at,
      referenceId: p.referenceId ?? null,
    };
    this.orders.set(order.id, order);
    return order;
  }

  /** Units of `lineUid` of `sale` already returned by earlier returns. */
  returned(sale: PosOrder, lineUid: string): Units {
    let n = 0n;
    for (const o of this.orders.values()) {
      if (o.returnOf?.orderId !== sale.id) continue;
      for (const l of o.returnOf.lines) if (l.sourceLineUid === lineUid) n += l.quantity;
    }
    return n;
  }

  /** A return of some of `sale`'s lines, each by catalog object; refused beyond what was sold. */
  return(sale: PosOrder, lines: { catalogObjectId: string; quantity: Units }[], at: number): PosOrder {
    const returnLines: ReturnLine[] = lines.map((l, i) => {
      const sold = sale.lines.find((s) => s.variation.id === l.catalogObjectId);
      if (!sold) throw new EmulatorError('invalid_input', `lines[${i}]: order ${sale.id} sold no ${l.catalogObjectId}`);
      const left = sold.quantity - this.returned(sale, sold.uid) - lines.slice(0, i).filter((x) => x.catalogObjectId === l.catalogObjectId).reduce((n, x) => n + x.quantity, 0n);
      if (l.quantity > left) throw new EmulatorError('return_exceeds_sale', `lines[${i}]: ${formatQuantity(left)} of ${l.catalogObjectId} left to return on order ${sale.id}`);
      return { uid: this.newId().slice(0, 22), variation: sold.variation, quantity: l.quantity, sourceLineUid: sold.uid };
    });
    const order: PosOrder = {
      id: this.newId(),
      locationId: sale.locationId,
      kind: 'return',
      lines: [],
      returnOf: { orderId: sale.id, uid: this.newId().slice(0, 22), lines: returnLines },
      state: 'COMPLETED',
      version: 1,
      createdAt: at,
      updatedAt: at,
      closedAt: at,
      referenceId: null,
    };
    this.orders.set(order.id, order);
    return order;
  }
}

/** The order as GET /v2/orders/{order_id} answers it (the SDK's Order, snake_case). */
export function orderView(o: PosOrder): Record<string, unknown> {
  const currency = o.lines[0]?.variation.currency ?? o.returnOf?.lines[0]?.variation.currency ?? 'USD';
  const zero = money(0n, currency);
  const saleTotal = o.lines.reduce((n, l) => n + lineAmount(l.variation.priceAmount, l.quantity), 0n);
  const returnTotal = (o.returnOf?.lines ?? []).reduce((n, l) => n + lineAmount(l.variation.priceAmount, l.quantity), 0n);
  const amounts = (total: bigint) => ({ total_money: money(total, currency), tax_money: zero, discount_money: zero, tip_money: zero, service_charge_money: zero });
  return {
    id: o.id,
    location_id: o.locationId,
    ...(o.referenceId !== null ? { reference_id: o.referenceId } : {}),
    source: { name: POS_SOURCE_NAME },
    ...(o.lines.length > 0
      ? {
          line_items: o.lines.map((l) => {
            const total = money(lineAmount(l.variation.priceAmount, l.quantity), currency);
            return {
              uid: l.uid,
              name: l.variation.name,
              quantity: formatQuantity(l.quantity),
              catalog_object_id: l.variation.id,
              item_type: 'ITEM',
              base_price_money: money(BigInt(l.variation.priceAmount), currency),
              variation_total_price_money: total,
              gross_sales_money: total,
              total_tax_money: zero,
              total_discount_money: zero,
              total_money: total,
            };
          }),
        }
      : {}),
    ...(o.returnOf
      ? {
          returns: [
            {
              uid: o.returnOf.uid,
              source_order_id: o.returnOf.orderId,
              return_line_items: o.returnOf.lines.map((l) => {
                const total = money(lineAmount(l.variation.priceAmount, l.quantity), currency);
                return {
                  uid: l.uid,
                  source_line_item_uid: l.sourceLineUid,
                  name: l.variation.name,
                  quantity: formatQuantity(l.quantity),
                  catalog_object_id: l.variation.id,
                  item_type: 'ITEM',
                  base_price_money: money(BigInt(l.variation.priceAmount), currency),
                  variation_total_price_money: total,
                  gross_return_money: total,
                  total_tax_money: zero,
                  total_discount_money: zero,
                  total_money: total,
                };
              }),
            },
          ],
          return_amounts: amounts(returnTotal),
        }
      : {}),
    net_amounts: amounts(saleTotal - returnTotal),
    created_at: iso(o.createdAt),
    updated_at: iso(o.updatedAt),
    ...(o.closedAt !== null ? { closed_at: iso(o.closedAt) } : {}),
    state: o.state,
    version: o.version,
    total_money: money(saleTotal, currency),
    total_tax_money: zero,
    total_discount_money: zero,
    total_tip_money: zero,
    total_service_charge_money: zero,
    net_amount_due_money: zero,
  };
}
