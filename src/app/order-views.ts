// What the API shows of an order: the summary in lists, and the detail with its allocation per
// location, shipments, the ledger movements of its holds, its exceptions and the routing decision.
// The shapes are documented in docs/orders.md (the dashboard reads them): change them with care.

import type { Hold } from '../domain/model.ts';
import type { Order } from '../domain/order-rules.ts';
import { itemsById, locationsById } from '../store/catalog-repo.ts';
import { getHold } from '../store/ledger-repo.ts';
import { exceptionsOfOrder, holdLinksOf, movementsOfHolds, orderDocumentMovements, returnsOfOrder, shipmentsOf } from '../store/order-repo.ts';
import type { Db } from '../store/store.ts';
import { movementRowView } from './queries.ts';
import { iso, movementView } from './views.ts';
import type { MovementRow } from '../store/ledger-repo.ts';

/** Movements shown with one order (its holds rarely have more; `GET /v1/movements?reference=` pages the rest). */
export const ORDER_MOVEMENTS_MAX = 500;

export function orderView(o: Order, pickupCode: string | null = null) {
  return {
    id: o.id,
    number: o.number,
    reference: o.orderReference,
    source: o.source,
    state: o.state,
    channel_id: o.channelId,
    channel_reference: o.channelReference,
    service_level: o.serviceLevel,
    pickup_location: pickupCode,
    ship_to: { postal_code: o.shipTo.postalCode, country: o.shipTo.country },
    promised_ship_by: iso(o.promisedShipBy),
    promised_deliver_by: iso(o.promisedDeliverBy),
    requested_ship_date: o.requestedShipDate,
    customer_reference: o.customerReference,
    fulfilled_by_channel: o.fulfilledByChannel,
    exception: o.exception,
    lines: o.lines.map((l) => ({
      line: l.lineNo,
      sku: l.sku,
      channel_line_id: l.externalLineId,
      quantity: l.quantity,
      allocated: l.allocated,
      shipped: l.shipped,
      cancelled: l.cancelled,
      backordered: l.backordered,
      returned: l.returned,
      ...(l.unmapped ? { unmapped: l.unmapped } : {}),
    })),
    created_at: iso(o.createdAt),
    updated_at: iso(o.updatedAt),
  };
}
export type OrderView = ReturnType<typeof orderView>;

/** Orders for a list page, with their pickup locations' codes. */
export async function orderViews(db: Db, workspaceId: string, orders: Order[]): Promise<OrderView[]> {
  const codes = new Map((await locationsById(db, workspaceId, orders.flatMap((o) => (o.pickupLocationId ? [o.pickupLocationId] : [])))).map((l) => [l.id, l.code]));
  return orders.map((o) => orderView(o, o.pickupLocationId ? (codes.get(o.pickupLocationId) ?? null) : null));
}

/**
 * One order with everything a person looking at it needs. `fresh`: what a step inside the
 * ledger's transaction just decided and the ledger writes after it (the holds as they now are,
 * and the step's movements), so the step's answer shows them.
 */
export async function orderDetail(db: Db, workspaceId: string, o: Order, fresh?: { holds: Hold[]; movements: MovementRow[] }) {
  const links = (await holdLinksOf(db, [o.id])).get(o.id) ?? [];
  const holds: Hold[] = [];
  for (const id of [...new Set(links.map((k) => k.holdId))]) {
    const h = fresh?.holds.find((x) => x.id === id) ?? (await getHold(db, workspaceId, id));
    if (h) holds.push(h);
  }
  const holdLines = holds.flatMap((h) => h.lines);
  const locations = new Map((await locationsById(db, workspaceId, [...holdLines.map((l) => l.locationId), ...(fresh?.movements ?? []).map((m) => m.locationId), ...(o.pickupLocationId ? [o.pickupLocationId] : [])])).map((l) => [l.id, l.code]));
  const items = new Map((await itemsById(db, workspaceId, [...holdLines.flatMap((l) => (l.bundleItemId ? [l.itemId, l.bundleItemId] : [l.itemId])), ...(fresh?.movements ?? []).map((m) => m.itemId)])).map((i) => [i.id, i.sku]));
  const allocations = holds.flatMap((h) => h.lines.map((l) => {
    const link = links.find((k) => k.holdId === h.id && k.holdLineNo === l.lineNo);
    return {
      hold_id: h.id,
      hold_state: h.state,
      line: link?.lineNo ?? null,
      location: locations.get(l.locationId) ?? l.locationId,
      sku: items.get(l.itemId) ?? l.itemId,
      ...(l.bundleItemId ? { bundle_sku: items.get(l.bundleItemId) ?? l.bundleItemId } : {}),
      quantity: l.quantity,
      shipped: l.shipped,
      oversold: l.oversold,
    };
  }));
  const shipments = (await shipmentsOf(db, o.id)).map((s) => ({ id: s.id, location: locations.get(s.locationId) ?? s.locationId, lines: s.lines, created_at: iso(s.createdAt) }));
  const held = await movementsOfHolds(db, workspaceId, holds.map((h) => h.id), ORDER_MOVEMENTS_MAX);
  const other = await orderDocumentMovements(db, workspaceId, o.orderReference, ORDER_MOVEMENTS_MAX);
  const movements = [...held, ...other].sort((a, b) => Number((a as { seq?: unknown }).seq) - Number((b as { seq?: unknown }).seq)).map(movementRowView);
  for (const m of fresh?.movements ?? []) {
    movements.push({ ...movementView(m, items.get(m.itemId) ?? m.itemId, locations.get(m.locationId) ?? m.locationId), hold_id: m.holdId } as (typeof movements)[number]);
  }
  const exceptions = (await exceptionsOfOrder(db, workspaceId, holds.map((h) => h.id), o.orderReference, o.id)).map((e) => ({
    id: e.id, kind: e.kind, state: e.state, quantity: e.quantity === null ? null : Number(e.quantity), hold_id: e.hold_id, message: e.message, created_at: iso(Number(e.created_at)),
  }));
  // Returns link to the order by its reference: units received back count as returned, per item.
  const returnRows = await returnsOfOrder(db, workspaceId, o.orderReference, o.channelId, o.id);
  const returns = [...new Map(returnRows.map((r) => [r.id, { id: r.id, number: r.number, state: r.state, location: r.code }])).values()];
  const back = new Map<string, number>();
  for (const r of returnRows) if (r.item_id) back.set(r.item_id, (back.get(r.item_id) ?? 0) + Number(r.received ?? 0));
  const withReturns: Order = {
    ...o,
    lines: o.lines.map((l) => {
      const units = l.itemId ? Math.min(l.shipped, back.get(l.itemId) ?? 0) : 0;
      if (l.itemId) back.set(l.itemId, (back.get(l.itemId) ?? 0) - units);
      return { ...l, returned: Math.max(l.returned, units) };
    }),
  };
  return {
    ...orderView(withReturns, o.pickupLocationId ? (locations.get(o.pickupLocationId) ?? null) : null),
    candidates: o.candidates,
    returns,
    routing: o.routing ?? null,
    allocations,
    shipments,
    movements,
    movements_truncated: held.length >= ORDER_MOVEMENTS_MAX,
    exceptions,
  };
}
