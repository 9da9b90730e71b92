// inventorySetQuantities as a ladder of checks in a fixed order, then one write. The call is
// all-or-nothing: any userError and nothing in the call is applied (Shopify's docs do not say
// whether the valid entries of a failed call are applied; refusing the whole call is the safe
// reading for a connector, see README). Compare-and-set rules by API version follow channels.md §1.

import { numOf } from './ids.ts';
import type { LevelWrite, Shop } from './shop.ts';
import { type ApiVersion, atLeast, STOCK_ANYWHERE_SINCE, STRICT_CONCURRENCY_SINCE } from './versions.ts';

export const SET_QUANTITIES_MAX = 250;
const QUANTITY_MAX = 1_000_000_000;

export const QUANTITY_NAMES = ['available', 'on_hand'] as const;
export type SettableName = (typeof QUANTITY_NAMES)[number];

/** Shopify's documented reasons for inventory changes. */
export const REASONS = [
  'correction', 'cycle_count_available', 'damaged', 'movement_created', 'movement_updated', 'movement_received',
  'movement_canceled', 'other', 'promotion', 'quality_control', 'received', 'reservation_created',
  'reservation_deleted', 'reservation_updated', 'restock', 'safety_stock', 'shrinkage',
] as const;

export interface QuantityInput {
  inventoryItemId: string;
  locationId: string;
  quantity: number;
  /** Absent and explicit null differ: null turns the check off, absent is an error from 2026-04. */
  changeFromQuantity?: number | null;
  compareQuantity?: number | null;
}

export interface SetQuantitiesInput {
  name: string;
  reason: string;
  referenceDocumentUri?: string | null;
  ignoreCompareQuantity?: boolean | null;
  quantities: QuantityInput[];
}

export interface UserError {
  code: string;
  field: string[] | null;
  message: string;
}

export interface QuantityChange {
  name: SettableName;
  delta: number;
  quantityAfterChange: number;
  itemNum: number;
  locationNum: number;
}

export type SetQuantitiesPlan =
  | { ok: true; writes: LevelWrite[]; changes: QuantityChange[] }
  | { ok: false; userErrors: UserError[]; stale: number };

const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;

export function planSetQuantities(shop: Shop, input: SetQuantitiesInput, version: ApiVersion): SetQuantitiesPlan {
  const errors: UserError[] = [];
  let stale = 0;
  const fail = (code: string, field: (string | number)[], message: string) => errors.push({ code, field: field.map(String), message });

  const name = input.name as SettableName;
  if (!QUANTITY_NAMES.includes(name)) fail('INVALID_NAME', ['input', 'name'], `The quantity name must be one of ${QUANTITY_NAMES.join(', ')}.`);
  if (!(REASONS as readonly string[]).includes(input.reason)) fail('INVALID_REASON', ['input', 'reason'], `The reason ${JSON.stringify(input.reason)} is not a known inventory reason.`);
  if (input.referenceDocumentUri != null && !URI.test(input.referenceDocumentUri)) {
    fail('INVALID_REFERENCE_DOCUMENT', ['input', 'referenceDocumentUri'], 'The reference document URI must be a URI with a scheme.');
  }

  const changeFromRequired = atLeast(version, STRICT_CONCURRENCY_SINCE);
  const seen = new Set<string>();
  const writes: LevelWrite[] = [];
  const changes: QuantityChange[] = [];
  input.quantities.forEach((q, i) => {
    const at = ['input', 'quantities', i];
    const itemNum = numOf(q.inventoryItemId, 'InventoryItem');
    if (itemNum === null || !shop.items.has(itemNum)) return fail('INVALID_INVENTORY_ITEM', [...at, 'inventoryItemId'], 'The specified inventory item could not be found.');
    const locationNum = numOf(q.locationId, 'Location');
    if (locationNum === null || !shop.locations.has(locationNum)) return fail('INVALID_LOCATION', [...at, 'locationId'], 'The specified location could not be found.');
    // From 2026-10 a quantity can be set anywhere: an unstocked level reads as 0 and the write stocks it.
    const level = shop.level(itemNum, locationNum) ?? (atLeast(version, STOCK_ANYWHERE_SINCE) ? { available: 0, committed: 0 } : undefined);
    if (!level) return fail('ITEM_NOT_STOCKED_AT_LOCATION', [...at, 'locationId'], 'The inventory item is not stocked at the location.');
    if (q.quantity < -QUANTITY_MAX) return fail('INVALID_QUANTITY_TOO_LOW', [...at, 'quantity'], `The quantity can't be lower than -${QUANTITY_MAX}.`);
    if (q.quantity < 0) return fail('INVALID_QUANTITY_NEGATIVE', [...at, 'quantity'], "The quantity can't be negative.");
    if (q.quantity > QUANTITY_MAX) return fail('INVALID_QUANTITY_TOO_HIGH', [...at, 'quantity'], `The quantity can't be higher than ${QUANTITY_MAX}.`);
    const pair = `${itemNum}:${locationNum}`;
    if (seen.has(pair)) return fail('NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR', at, 'The same inventory item and location appear twice in one call.');
    seen.add(pair);

    const current = name === 'on_hand' ? level.available + level.committed : level.available;
    if (Object.hasOwn(q, 'changeFromQuantity')) {
      // Any value, even null, overrides compareQuantity and ignoreCompareQuantity.
      if (q.changeFromQuantity !== null && q.changeFromQuantity !== current) {
        stale++;
        return fail('CHANGE_FROM_QUANTITY_STALE', [...at, 'changeFromQuantity'], 'The changeFromQuantity value does not match the persisted value.');
      }
    } else if (changeFromRequired) {
      return fail('COMPARE_QUANTITY_REQUIRED', [...at, 'changeFromQuantity'], `From ${STRICT_CONCURRENCY_SINCE} every quantity must pass changeFromQuantity (null to skip the check).`);
    } else if (input.ignoreCompareQuantity !== true) {
      if (q.compareQuantity == null) {
        return fail('COMPARE_QUANTITY_REQUIRED', [...at, 'compareQuantity'], 'The compareQuantity argument must be given to each quantity or ignored using ignoreCompareQuantity.');
      }
      if (q.compareQuantity !== current) {
        stale++;
        return fail('COMPARE_QUANTITY_STALE', [...at, 'compareQuantity'], 'The compareQuantity value does not match the persisted value.');
      }
    }

    const available = name === 'on_hand' ? q.quantity - level.committed : q.quantity;
    const delta = q.quantity - current;
    writes.push({ itemNum, locationNum, available });
    const onHandAfter = available + level.committed;
    changes.push({ name: 'available', delta, quantityAfterChange: available, itemNum, locationNum });
    changes.push({ name: 'on_hand', delta, quantityAfterChange: onHandAfter, itemNum, locationNum });
  });

  return errors.length > 0 ? { ok: false, userErrors: errors, stale } : { ok: true, writes, changes };
}
