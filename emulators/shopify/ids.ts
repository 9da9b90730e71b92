// Shopify global ids (`gid://shopify/Type/N`). One counter per emulator numbers every resource,
// so the number of a location never equals the number of an item: mixing them up fails loudly.

export type GidType = 'Location' | 'InventoryItem' | 'ProductVariant' | 'Order' | 'LineItem' | 'Refund' | 'RefundLineItem' | 'InventoryAdjustmentGroup';

export const gid = (type: GidType, n: number): string => `gid://shopify/${type}/${n}`;

/** The InventoryLevel id as Shopify writes it: the level number and the item as a query parameter. */
export const inventoryLevelGid = (itemNum: number, locationNum: number): string =>
  `gid://shopify/InventoryLevel/${locationNum}?inventory_item_id=${itemNum}`;

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(\?.*)?$/;

export interface ParsedGid {
  type: string;
  num: number;
}

export function parseGid(id: string): ParsedGid | null {
  const m = GID.exec(id);
  if (!m) return null;
  const num = Number(m[2]);
  return Number.isSafeInteger(num) ? { type: m[1]!, num } : null;
}

/** The number of a gid of the given type, or null. */
export function numOf(id: string, type: GidType): number | null {
  const p = parseGid(id);
  return p && p.type === type ? p.num : null;
}

export class IdSequence {
  private next: number;
  constructor(start = 1001) {
    this.next = start;
  }
  take(): number {
    return this.next++;
  }
}
