// For the domain's own tests: a catalog and a fully loaded ledger state, with no store.

import { type Balances, zeroBalances } from './buckets.ts';
import type { Catalog } from './context.ts';
import { ringFenceReference } from './hold-rules.ts';
import type { Item, Location } from './model.ts';
import { LedgerState, levelKey } from './scratch.ts';

/** Items `i<SKU>` and locations `l<CODE>` with a stock level for every pair; `stock` seeds `SKU@CODE`. */
export function testWorld(skus: string[], codes: string[], stock: Record<string, Partial<Balances>> = {}) {
  const items = skus.map((sku): Item => ({ id: `i${sku}`, workspaceId: 'w', sku, name: sku, barcode: null, archived: false, kind: 'standard', productId: null, options: null, unitsPerCase: null, requiresInspection: false, skipReturnInspection: false, stocksPrebuilt: false, createdAt: 0, updatedAt: 0 }));
  const locations = codes.map((code): Location => ({
    id: `l${code}`, workspaceId: 'w', code, name: code, kind: 'warehouse', postalCode: null, country: null, shipsOnline: true, pickup: false, requiresInspection: false, createdAt: 0, updatedAt: 0,
  }));
  const catalog: Catalog = {
    itemBySku: (s) => items.find((i) => i.sku === s),
    locationByCode: (c) => locations.find((l) => l.code === c),
    item: (id) => items.find((i) => i.id === id),
    location: (id) => locations.find((l) => l.id === id),
    components: () => [],
    hasChannel: (id) => id === 'shop',
    ringFenceHolds: (ch) => [...state.holds.values()].filter((h) => h.state === 'active' && h.reference === ringFenceReference(ch)).map((h) => h.id),
  };
  const state = new LedgerState();
  for (const i of items) for (const l of locations) {
    const balances = { ...zeroBalances(), ...(stock[`${i.sku}@${l.code}`] ?? {}) };
    state.levels.set(levelKey(i.id, l.id), { id: `${i.sku}${l.code}`, workspaceId: 'w', itemId: i.id, locationId: l.id, balances, updatedAt: 0 });
  }
  return { catalog, state };
}
