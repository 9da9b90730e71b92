// What a command's rules may look at: the catalog it names and a scratch copy of the ledger.

import { refusal, type Refusal } from './errors.ts';
import type { Component, Item, Location } from './model.ts';
import type { Scratch } from './scratch.ts';

export interface Catalog {
  itemBySku(sku: string): Item | undefined;
  locationByCode(code: string): Location | undefined;
  item(id: string): Item | undefined;
  location(id: string): Location | undefined;
  /** Is this a channel of the workspace? */
  hasChannel(id: string): boolean;
  /** Components of a bundle or multipack (empty for a standard item). */
  components(itemId: string): readonly Component[];
  /** Ids of the channel's active ring-fence holds that cover the command's items (orders draw on them). */
  ringFenceHolds(channelId: string): readonly string[];
}

export interface RuleContext {
  readonly workspaceId: string;
  readonly now: number;
  readonly catalog: Catalog;
  readonly scratch: Scratch;
  newHoldId(): string;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const refused = <T = never>(r: Refusal): Outcome<T> => ({ ok: false, refusal: r });

/** A quantity the ledger can hold: a whole, non-negative, safe integer (positive unless zero is allowed). */
export function checkQuantity(q: unknown, field: string, allowZero = false): Refusal | null {
  if (typeof q !== 'number' || !Number.isSafeInteger(q) || q < 0 || (q === 0 && !allowZero)) {
    const what = allowZero ? 'a whole number ≥ 0' : 'a whole number ≥ 1';
    return refusal('invalid_quantity', `${field} must be ${what}, got ${JSON.stringify(q)}`, field);
  }
  return null;
}

export function resolveItem(ctx: RuleContext, sku: string, field: string): Outcome<Item> {
  const item = ctx.catalog.itemBySku(sku);
  return item ? ok(item) : refused(refusal('unknown_item', `no item with SKU ${JSON.stringify(sku)}`, field));
}

export function resolveLocation(ctx: RuleContext, code: string, field: string): Outcome<Location> {
  const location = ctx.catalog.locationByCode(code);
  return location
    ? ok(location)
    : refused(refusal('unknown_location', `no location with code ${JSON.stringify(code)}`, field));
}
