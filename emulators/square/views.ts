// The wire shapes (snake_case, as the official model names them) of the ledger's counts and
// changes. Catalog objects are item variations: the only type the Inventory API sets.

import { formatQuantity } from './decimal.ts';
import type { Change, Count } from './inventory.ts';

export const CATALOG_OBJECT_TYPE = 'ITEM_VARIATION';

export const iso = (ms: number) => new Date(ms).toISOString();

export function countView(c: Count): Record<string, unknown> {
  return {
    catalog_object_id: c.catalogObjectId,
    catalog_object_type: CATALOG_OBJECT_TYPE,
    state: c.state,
    location_id: c.locationId,
    quantity: formatQuantity(c.quantity),
    calculated_at: iso(c.calculatedAt),
    is_estimated: false,
  };
}

export function changeView(c: Change): Record<string, unknown> {
  const common = {
    id: c.id,
    ...(c.referenceId !== null ? { reference_id: c.referenceId } : {}),
    catalog_object_id: c.catalogObjectId,
    catalog_object_type: CATALOG_OBJECT_TYPE,
    location_id: c.locationId,
    quantity: formatQuantity(c.quantity),
    source: { ...c.source },
    ...(c.teamMemberId !== null ? { team_member_id: c.teamMemberId } : {}),
    occurred_at: iso(c.occurredAt),
    created_at: iso(c.createdAt),
  };
  if (c.type === 'PHYSICAL_COUNT') return { type: 'PHYSICAL_COUNT', physical_count: { ...common, state: c.state } };
  return {
    type: 'ADJUSTMENT',
    adjustment: {
      ...common,
      from_state: c.fromState,
      to_state: c.toState,
      ...(c.totalPriceMoney ? { total_price_money: { ...c.totalPriceMoney } } : {}),
      ...(c.transactionId !== null ? { transaction_id: c.transactionId } : {}),
    },
  };
}
