// Use-cases for items and locations. Items are archived, never deleted, so their history stays.

import { checkItemInput, checkLocationInput, type ItemInput, type LocationInput } from '../domain/catalog-rules.ts';
import { refusal, type Refusal } from '../domain/errors.ts';
import type { Item, Location } from '../domain/model.ts';
import * as repo from '../store/catalog-repo.ts';
import type { Db } from '../store/store.ts';
import { newId } from './ids.ts';
import { itemView, locationView } from './views.ts';
import type { Written } from './idempotent.ts';

export type ItemCreate = ItemInput;
export type ItemPatch = Partial<Omit<ItemInput, 'sku'>>;
export type LocationCreate = LocationInput;
export type LocationPatch = Partial<Omit<LocationInput, 'code'>>;

/** A new item record from checked input. */
export function newItem(workspaceId: string, input: ItemInput, now: number): Item {
  return {
    id: newId('item', now),
    workspaceId,
    sku: input.sku,
    name: input.name,
    barcode: input.barcode ?? null,
    archived: input.archived ?? false,
    kind: 'standard',
    productId: null,
    options: null,
    unitsPerCase: null,
    requiresInspection: false,
    skipReturnInspection: false,
    createdAt: now,
    updatedAt: now,
  };
}

export async function createItem(db: Db, workspaceId: string, input: ItemInput, now: number): Promise<Written | Refusal> {
  const bad = checkItemInput(input);
  if (bad) return bad;
  if (await repo.getItemBySku(db, workspaceId, input.sku)) {
    return refusal('sku_taken', `an item with SKU ${JSON.stringify(input.sku)} already exists`, 'sku');
  }
  const item = newItem(workspaceId, input, now);
  await repo.insertItems(db, [item]);
  return { status: 201, body: { item: itemView(item) } };
}

/** SKUs are identifiers other systems hold on to, so they cannot be changed; name, barcode and archived can. */
export async function updateItem(
  db: Db,
  workspaceId: string,
  id: string,
  patch: ItemPatch,
  now: number,
): Promise<Written | Refusal> {
  if ('sku' in patch) return refusal('validation_failed', 'sku cannot be changed; archive the item and create a new one', 'sku');
  const bad = checkItemInput(patch, true);
  if (bad) return bad;
  const item = await repo.getItem(db, workspaceId, id);
  if (!item) return refusal('not_found', `no item ${id}`);
  const next: Item = {
    ...item,
    name: patch.name ?? item.name,
    barcode: patch.barcode === undefined ? item.barcode : patch.barcode,
    archived: patch.archived ?? item.archived,
    updatedAt: now,
  };
  await repo.updateItem(db, next);
  return { status: 200, body: { item: itemView(next) } };
}

export async function createLocation(db: Db, workspaceId: string, input: LocationInput, now: number): Promise<Written | Refusal> {
  const bad = checkLocationInput(input);
  if (bad) return bad;
  if ((await repo.locationsByCode(db, workspaceId, [input.code])).length > 0) {
    return refusal('location_code_taken', `a location with code ${JSON.stringify(input.code)} already exists`, 'code');
  }
  const location: Location = {
    id: newId('loc', now),
    workspaceId,
    code: input.code,
    name: input.name,
    kind: input.kind,
    postalCode: input.postal_code ?? null,
    country: input.country ?? null,
    shipsOnline: input.ships_online ?? input.kind !== 'store',
    pickup: input.pickup ?? input.kind === 'store',
    requiresInspection: false,
    createdAt: now,
    updatedAt: now,
  };
  await repo.insertLocation(db, location);
  return { status: 201, body: { location: locationView(location) } };
}

export async function updateLocation(
  db: Db,
  workspaceId: string,
  id: string,
  patch: LocationPatch,
  now: number,
): Promise<Written | Refusal> {
  if ('code' in patch) return refusal('validation_failed', 'code cannot be changed', 'code');
  const bad = checkLocationInput(patch, true);
  if (bad) return bad;
  const loc = await repo.getLocation(db, workspaceId, id);
  if (!loc) return refusal('not_found', `no location ${id}`);
  const next: Location = {
    ...loc,
    name: patch.name ?? loc.name,
    kind: patch.kind ?? loc.kind,
    postalCode: patch.postal_code === undefined ? loc.postalCode : patch.postal_code,
    country: patch.country === undefined ? loc.country : patch.country,
    shipsOnline: patch.ships_online ?? loc.shipsOnline,
    pickup: patch.pickup ?? loc.pickup,
    updatedAt: now,
  };
  await repo.updateLocation(db, next);
  return { status: 200, body: { location: locationView(next) } };
}
