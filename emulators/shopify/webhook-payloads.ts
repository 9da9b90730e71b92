// Webhook bodies in Shopify's REST shapes (snake_case, numeric ids beside admin_graphql_api_id).
// Only the fields truestock reads; see README for what is left out.

import { gid, inventoryLevelGid } from './ids.ts';
import type { LevelRec, OrderRec, RefundRec } from './shop.ts';
import { isoSeconds } from './time.ts';

export function orderPayload(o: OrderRec): Record<string, unknown> {
  return {
    id: o.num,
    admin_graphql_api_id: gid('Order', o.num),
    name: o.name,
    created_at: isoSeconds(o.createdAt),
    updated_at: isoSeconds(o.updatedAt),
    cancelled_at: o.cancelledAt === null ? null : isoSeconds(o.cancelledAt),
    // Shopify fills an order's location only for point-of-sale orders.
    location_id: o.pos ? o.locationNum : null,
    source_name: o.pos ? 'pos' : 'web',
    line_items: o.lines.map((l) => ({
      id: l.num,
      admin_graphql_api_id: gid('LineItem', l.num),
      variant_id: l.variantNum,
      sku: l.sku,
      quantity: l.quantity,
    })),
  };
}

export function refundPayload(r: RefundRec, o: OrderRec): Record<string, unknown> {
  return {
    id: r.num,
    admin_graphql_api_id: gid('Refund', r.num),
    order_id: r.orderNum,
    created_at: isoSeconds(r.createdAt),
    refund_line_items: r.lines.map((rl) => {
      const line = o.lines.find((l) => l.num === rl.lineNum)!;
      return {
        id: rl.num,
        line_item_id: rl.lineNum,
        quantity: rl.quantity,
        restock_type: rl.restockType,
        location_id: rl.locationNum,
        line_item: { id: line.num, variant_id: line.variantNum, sku: line.sku },
      };
    }),
  };
}

export function inventoryLevelPayload(l: LevelRec): Record<string, unknown> {
  return {
    inventory_item_id: l.itemNum,
    location_id: l.locationNum,
    available: l.available,
    updated_at: isoSeconds(l.updatedAt),
    admin_graphql_api_id: inventoryLevelGid(l.itemNum, l.locationNum),
  };
}
