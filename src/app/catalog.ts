// Use-cases for items and locations. Items are archived, never deleted, so their history stays.

import { recomputeItems } from './availability.ts';
import { checkComponents, checkItemInput, checkLocationInput, checkVariant, type ComponentInput, type ItemInput, type LocationInput } from '../domain/catalog-rules.ts';
import { refusal, type Refusal } from '../domain/errors.ts';
import type { Item, Location } from '../domain/model.ts';
import * as repo from '../store/catalog-repo.ts';
import type { Db } from '../store/store.ts';
import { newId } from './ids.ts';
import { itemView, locationView } from './views.ts';
import type { Written } from './idempotent.ts';

export type ItemCreate = ItemInput;
export type ItemPatch = Partial<Omit<ItemInput, 'sku' | 'components'>>;

/** Ids of catalog records: products, channels, listings. */
export const catalogId = (prefix: 'prod' | 'chan' | 'lst', now: number) => newId(prefix, now);
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
    kind: input.kind ?? 'standard',
    productId: input.product_id ?? null,
    options: input.options ?? null,
    unitsPerCase: input.units_per_case ?? null,
    requiresInspection: input.requires_inspection ?? false,
    skipReturnInspection: input.skip_return_inspection ?? false,
    stocksPrebuilt: input.stocks_prebuilt ?? false,
    createdAt: now,
    updatedAt: now,
  };
}

const notAKit = () => refusal('validation_failed', 'stocks_prebuilt is for bundles and multipacks: a standard item always holds its own stock', 'stocks_prebuilt');

/** A barcode names one sellable thing: another item with it (archived too) is a clash. */
async function barcodeClash(db: Db, workspaceId: string, barcode: string | null, selfId: string | null): Promise<Refusal | null> {
  if (barcode === null) return null;
  const [other] = await repo.itemsWithBarcode(db, workspaceId, barcode, selfId);
  if (!other) return null;
  return refusal('barcode_taken', `barcode ${barcode} belongs to ${other.sku}${other.archived ? ' (archived)' : ''}`, 'barcode', { sku: other.sku });
}

/**
 * Check a variant against its product, and return its options in the product's option order
 * (stored that way, so two variants with the same values have the same stored text).
 */
async function variantOptions(db: Db, item: Item): Promise<{ ok: true; options: Record<string, string> | null } | { ok: false; refusal: Refusal }> {
  const product = item.productId === null ? undefined : await repo.getProduct(db, item.workspaceId, item.productId);
  const bad = checkVariant(item.productId === null ? [] : (product?.optionNames ?? null), item.productId, item.options);
  if (bad) return { ok: false, refusal: bad };
  if (!product) return { ok: true, options: item.options };
  const options = Object.fromEntries(product.optionNames.map((n) => [n, item.options![n]!]));
  const clash = await repo.variantWithOptions(db, item.workspaceId, product.id, JSON.stringify(options), item.id);
  if (clash) {
    const values = product.optionNames.map((n) => `${n} ${options[n]}`).join(', ');
    return { ok: false, refusal: refusal('variant_taken', `${clash.sku} is already the ${values} variant of ${product.handle}`, 'options', { sku: clash.sku }) };
  }
  return { ok: true, options };
}

/** Components named by SKU, checked for a bundle or multipack, as the repository stores them. */
export async function resolveComponents(db: Db, workspaceId: string, kind: Item['kind'], components: ComponentInput[] | undefined) {
  const skus = Array.isArray(components) ? components.map((c) => c?.sku).filter((s): s is string => typeof s === 'string') : [];
  const bySku = new Map((await repo.itemsBySku(db, workspaceId, skus)).map((i) => [i.sku, i]));
  const bad = checkComponents(kind, components, (sku) => bySku.get(sku));
  if (bad) return { ok: false as const, refusal: bad };
  return { ok: true as const, components: components!.map((c) => ({ itemId: bySku.get(c.sku)!.id, sku: c.sku, quantity: c.quantity })) };
}

/**
 * Create an item; a bundle or multipack with its components. Checks in order: the values, the
 * SKU, the barcode, the variant, the components; nothing is written until all pass.
 */
export async function createItem(db: Db, workspaceId: string, input: ItemInput, now: number): Promise<Written | Refusal> {
  const bad = checkItemInput(input);
  if (bad) return bad;
  if (await repo.getItemBySku(db, workspaceId, input.sku)) {
    return refusal('sku_taken', `an item with SKU ${JSON.stringify(input.sku)} already exists`, 'sku');
  }
  const item = newItem(workspaceId, input, now);
  if (item.stocksPrebuilt && item.kind === 'standard') return notAKit();
  const clash = await barcodeClash(db, workspaceId, item.barcode, null);
  if (clash) return clash;
  const variant = await variantOptions(db, item);
  if (!variant.ok) return variant.refusal;
  item.options = variant.options;
  let components: repo.ComponentSnapshot[] = [];
  if (item.kind !== 'standard') {
    const resolved = await resolveComponents(db, workspaceId, item.kind, input.components);
    if (!resolved.ok) return resolved.refusal;
    components = resolved.components;
  }
  await repo.insertItems(db, [item]);
  if (components.length > 0) await repo.writeComponents(db, item.id, components, now);
  return { status: 201, body: { item: itemView(item), ...(item.kind === 'standard' ? {} : { components: components.map(componentView) }) } };
}

export const componentView = (c: repo.ComponentSnapshot) => ({ sku: c.sku, item_id: c.itemId, quantity: c.quantity });

/**
 * SKUs are identifiers other systems hold on to, so they cannot be changed, and neither can the
 * kind (a bundle's history is of a bundle). Everything else can.
 */
export async function updateItem(
  db: Db,
  workspaceId: string,
  id: string,
  patch: ItemPatch,
  now: number,
): Promise<Written | Refusal> {
  if ('sku' in patch) return refusal('validation_failed', 'sku cannot be changed; archive the item and create a new one', 'sku');
  if ('kind' in patch) return refusal('validation_failed', 'kind cannot be changed; archive the item and create a new one', 'kind');
  if ('components' in patch) return refusal('validation_failed', 'components are replaced with PUT /v1/items/{id}/components', 'components');
  const bad = checkItemInput(patch, true);
  if (bad) return bad;
  const item = await repo.getItem(db, workspaceId, id);
  if (!item) return refusal('not_found', `no item ${id}`);
  if (patch.stocks_prebuilt === true && item.kind === 'standard') return notAKit();
  if (patch.stocks_prebuilt === false && item.stocksPrebuilt) {
    // Its pre-built units would be left where nothing can sell or move them.
    const held = await db.get<{ n: number | null }>(
      'SELECT SUM(available + reserved + committed + damaged + quality_control + safety_stock + incoming) AS n FROM stock_levels WHERE item_id = ?', [item.id]);
    if (Number(held?.n ?? 0) > 0) return refusal('validation_failed', `${item.sku} still holds ${Number(held!.n)} pre-built units; sell, count or adjust them to 0 first`, 'stocks_prebuilt');
  }
  const productId = patch.product_id === undefined ? item.productId : patch.product_id;
  const next: Item = {
    ...item,
    name: patch.name ?? item.name,
    barcode: patch.barcode === undefined ? item.barcode : patch.barcode,
    archived: patch.archived ?? item.archived,
    productId,
    // Leaving a product drops its options, unless new ones are sent (which is then an error).
    options: patch.options !== undefined ? patch.options : patch.product_id === null ? null : item.options,
    unitsPerCase: patch.units_per_case === undefined ? item.unitsPerCase : patch.units_per_case,
    requiresInspection: patch.requires_inspection ?? item.requiresInspection,
    skipReturnInspection: patch.skip_return_inspection ?? item.skipReturnInspection,
    stocksPrebuilt: patch.stocks_prebuilt ?? item.stocksPrebuilt,
    updatedAt: now,
  };
  if (next.barcode !== item.barcode) {
    const clash = await barcodeClash(db, workspaceId, next.barcode, item.id);
    if (clash) return clash;
  }
  if (patch.product_id !== undefined || patch.options !== undefined) {
    const variant = await variantOptions(db, next);
    if (!variant.ok) return variant.refusal;
    next.options = variant.options;
  }
  await repo.updateItem(db, next);
  // Archived items are not for sale: channels must stop (or start again) promising them.
  if (next.archived !== item.archived) await recomputeItems(db, workspaceId, [item.id], now);
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
    requiresInspection: input.requires_inspection ?? false,
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
    requiresInspection: patch.requires_inspection ?? loc.requiresInspection,
    updatedAt: now,
  };
  await repo.updateLocation(db, next);
  return { status: 200, body: { location: locationView(next) } };
}
