// The JSON shapes the API, the CLI and idempotent replays return. snake_case, ISO times,
// SKUs and location codes beside ids so a person can read them.

import { BUCKETS, onHand, type Balances } from '../domain/buckets.ts';
import type { Catalog } from '../domain/context.ts';
import type { Hold, Item, Location } from '../domain/model.ts';
import type { MovementRow } from '../store/ledger-repo.ts';

let lastMs = NaN;
let lastIso = '';
/** ISO time; a batch stamps everything with one `now`, so the last answer is usually the next. */
export const iso = (ms: number | null): string | null => {
  if (ms === null) return null;
  if (ms !== lastMs) (lastMs = ms), (lastIso = new Date(ms).toISOString());
  return lastIso;
};

export function itemView(i: Item) {
  return {
    id: i.id,
    sku: i.sku,
    name: i.name,
    barcode: i.barcode,
    archived: i.archived,
    kind: i.kind,
    product_id: i.productId,
    options: i.options,
    units_per_case: i.unitsPerCase,
    requires_inspection: i.requiresInspection,
    skip_return_inspection: i.skipReturnInspection,
    stocks_prebuilt: i.stocksPrebuilt,
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
  };
}
export type ItemView = ReturnType<typeof itemView>;

export function locationView(l: Location) {
  return {
    id: l.id,
    code: l.code,
    name: l.name,
    kind: l.kind,
    postal_code: l.postalCode,
    country: l.country,
    ships_online: l.shipsOnline,
    pickup: l.pickup,
    requires_inspection: l.requiresInspection,
    created_at: iso(l.createdAt),
    updated_at: iso(l.updatedAt),
  };
}
export type LocationView = ReturnType<typeof locationView>;

export function balancesView(b: Balances) {
  const out: Record<string, number> = {};
  for (const k of BUCKETS) out[k] = b[k];
  out.oversold = b.oversold;
  out.on_hand = onHand(b);
  return out as Record<(typeof BUCKETS)[number] | 'oversold' | 'on_hand', number>;
}

export function levelView(sku: string, location: string, b: Balances, updatedAt: number) {
  return { sku, location, ...balancesView(b), updated_at: iso(updatedAt) };
}

export function movementView(m: MovementRow & { seq?: number }, sku: string, location: string) {
  return {
    id: m.id,
    sku,
    location,
    from: m.from,
    to: m.to,
    quantity: m.quantity,
    command: m.command,
    reason: m.reason,
    reference: m.reference,
    note: m.note,
    hold_id: m.holdId,
    actor: m.actor,
    created_at: iso(m.createdAt),
  };
}
export type MovementView = ReturnType<typeof movementView>;

export function holdView(h: Hold, catalog: Pick<Catalog, 'item' | 'location'>) {
  return {
    id: h.id,
    state: h.state,
    reference: h.reference,
    order_reference: h.orderReference,
    channel_id: h.channelId,
    expires_at: iso(h.expiresAt),
    created_at: iso(h.createdAt),
    updated_at: iso(h.updatedAt),
    lines: h.lines.map((l) => ({
      line: l.lineNo,
      sku: catalog.item(l.itemId)?.sku ?? l.itemId,
      location: catalog.location(l.locationId)?.code ?? l.locationId,
      quantity: l.quantity,
      shipped: l.shipped,
      oversold: l.oversold,
      // The bundle or multipack the customer bought, when this line is one of its components.
      ...(l.bundleItemId ? { bundle_sku: catalog.item(l.bundleItemId)?.sku ?? l.bundleItemId } : {}),
    })),
  };
}
export type HoldView = ReturnType<typeof holdView>;
