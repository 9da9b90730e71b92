// Rules for what an item or a location may look like. Shared by the API, the CLI and CSV import,
// so a bad value gets the same answer wherever it comes from.

import { refusal, type Refusal } from './errors.ts';
import { ITEM_KINDS, type Item, type ItemKind, LOCATION_KINDS, type LocationKind } from './model.ts';

export const SKU_LENGTH_MAX = 100;
export const NAME_LENGTH_MAX = 255;
export const BARCODE_LENGTH_MAX = 64;
export const CODE_LENGTH_MAX = 64;
export const HANDLE_LENGTH_MAX = 100;
/** Shopify's limit, and enough for everyone else: size, color, material. */
export const PRODUCT_OPTIONS_MAX = 3;
export const OPTION_LENGTH_MAX = 100;
/** A kit larger than this is a bill of materials, not a sellable bundle. */
export const BUNDLE_COMPONENTS_MAX = 50;
export const COMPONENT_QUANTITY_MAX = 10_000;
export const UNITS_PER_CASE_MAX = 1_000_000;

export interface ComponentInput {
  sku: string;
  quantity: number;
}

export interface ItemInput {
  sku: string;
  name: string;
  barcode?: string | null;
  archived?: boolean;
  /** Only on create: a bundle or multipack never turns into a standard item or back. */
  kind?: ItemKind;
  product_id?: string | null;
  options?: Record<string, string> | null;
  units_per_case?: number | null;
  requires_inspection?: boolean;
  skip_return_inspection?: boolean;
  /** Bundles and multipacks only: pre-assembled units are kept in stock. */
  stocks_prebuilt?: boolean;
  /** Bundles and multipacks only. */
  components?: ComponentInput[];
}

/** A product groups its variants (items) and names the options they differ by. */
export interface Product {
  id: string;
  workspaceId: string;
  handle: string;
  name: string;
  optionNames: string[];
  archived: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface ProductInput {
  handle: string;
  name: string;
  option_names?: string[];
  archived?: boolean;
}

export interface LocationInput {
  code: string;
  name: string;
  kind: LocationKind;
  postal_code?: string | null;
  country?: string | null;
  ships_online?: boolean;
  pickup?: boolean;
  /** Everything received here goes to quality_control first. */
  requires_inspection?: boolean;
}

function text(value: unknown, field: string, max: number, required: boolean): Refusal | null {
  if (value === undefined || value === null) return required ? refusal('validation_failed', `${field} is required`, field) : null;
  if (typeof value !== 'string') return refusal('validation_failed', `${field} must be a string`, field);
  if (required && value.trim().length === 0) return refusal('validation_failed', `${field} must not be empty`, field);
  if (value.length > max) return refusal('validation_failed', `${field} must be at most ${max} characters`, field);
  if (/[\u0000-\u001f]/.test(value)) return refusal('validation_failed', `${field} must not contain control characters`, field);
  return null;
}

/** SKUs and codes are identifiers: no spaces at either end, so "ABC " never shadows "ABC". */
function identifier(value: unknown, field: string, max: number): Refusal | null {
  const bad = text(value, field, max, true);
  if (bad) return bad;
  if ((value as string).trim() !== value) return refusal('validation_failed', `${field} must not start or end with spaces`, field);
  return null;
}

/**
 * A barcode made only of digits with a GTIN length (8, 12, 13 or 14) must carry a valid check
 * digit: a typo there silently maps a scan to the wrong item. Other barcodes are free text.
 */
export function gtinCheckOk(code: string): boolean {
  if (!/^\d+$/.test(code) || ![8, 12, 13, 14].includes(code.length)) return true;
  const digits = [...code].map(Number);
  const check = digits.pop()!;
  const sum = digits.reverse().reduce((s, d, i) => s + d * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === check;
}

export function checkItemInput(input: Partial<ItemInput>, partial = false): Refusal | null {
  if (!partial || input.sku !== undefined) {
    const bad = identifier(input.sku, 'sku', SKU_LENGTH_MAX);
    if (bad) return bad;
  }
  if (!partial || input.name !== undefined) {
    const bad = text(input.name, 'name', NAME_LENGTH_MAX, true);
    if (bad) return bad;
  }
  const badBarcode = text(input.barcode, 'barcode', BARCODE_LENGTH_MAX, false);
  if (badBarcode) return badBarcode;
  if (typeof input.barcode === 'string' && !gtinCheckOk(input.barcode)) {
    return refusal('validation_failed', `barcode ${input.barcode} has a wrong GTIN check digit`, 'barcode');
  }
  for (const flag of ['archived', 'requires_inspection', 'skip_return_inspection', 'stocks_prebuilt'] as const) {
    if (input[flag] !== undefined && typeof input[flag] !== 'boolean') return refusal('validation_failed', `${flag} must be true or false`, flag);
  }
  if (input.kind !== undefined && !(ITEM_KINDS as readonly unknown[]).includes(input.kind)) {
    return refusal('validation_failed', `kind must be one of ${ITEM_KINDS.join(', ')}`, 'kind');
  }
  const upc = input.units_per_case;
  if (upc !== undefined && upc !== null && (typeof upc !== 'number' || !Number.isSafeInteger(upc) || upc < 1 || upc > UNITS_PER_CASE_MAX)) {
    return refusal('validation_failed', `units_per_case must be a whole number from 1 to ${UNITS_PER_CASE_MAX}`, 'units_per_case');
  }
  if (input.product_id !== undefined && input.product_id !== null && (typeof input.product_id !== 'string' || input.product_id.length === 0)) {
    return refusal('validation_failed', 'product_id must be a product id or null', 'product_id');
  }
  if (input.options !== undefined && input.options !== null) {
    if (typeof input.options !== 'object' || Array.isArray(input.options)) return refusal('validation_failed', 'options must be an object of option name to value', 'options');
    for (const [name, value] of Object.entries(input.options)) {
      const bad = text(value, `options.${name}`, OPTION_LENGTH_MAX, true);
      if (bad) return bad;
    }
  }
  if (input.components !== undefined) {
    const kind = input.kind ?? 'standard';
    if (kind === 'standard') return refusal('validation_failed', 'only a bundle or multipack has components; send kind', 'components');
  }
  return null;
}

/** Checked after the item is merged with its product: a variant names its product and all of its options. */
export function checkVariant(optionNames: readonly string[] | null, productId: string | null, options: Record<string, string> | null): Refusal | null {
  if (productId === null) {
    return options === null ? null : refusal('validation_failed', 'options belong to a variant: send product_id too', 'options');
  }
  if (optionNames === null) return refusal('validation_failed', `no product ${productId} in this workspace`, 'product_id');
  const given = Object.keys(options ?? {});
  const missing = optionNames.filter((n) => !given.includes(n));
  const extra = given.filter((n) => !optionNames.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    const want = optionNames.length ? optionNames.join(', ') : 'none';
    const why = [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `unknown ${extra.join(', ')}` : ''].filter(Boolean).join('; ');
    return refusal('validation_failed', `the product's options are ${want}: ${why}`, extra.length ? `options.${extra[0]}` : 'options');
  }
  return null;
}

/** Two variants clash when every option has the same value; key order does not matter. */
export function sameOptions(a: Record<string, string> | null, b: Record<string, string> | null): boolean {
  if (a === null || b === null) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

/**
 * Components of a bundle or multipack, against the items they name (`lookup` by SKU). Order of
 * checks: the list's shape, then each line (quantity, known, standard, live, not repeated), then
 * the multipack's own rule. Components hold the stock, so they must be standard items.
 */
export function checkComponents(kind: ItemKind, components: unknown, lookup: (sku: string) => Item | undefined): Refusal | null {
  if (kind === 'standard') return refusal('validation_failed', 'only a bundle or multipack has components', 'components');
  if (!Array.isArray(components) || components.length === 0) {
    return refusal('invalid_component', `a ${kind} needs at least one component`, 'components');
  }
  if (components.length > BUNDLE_COMPONENTS_MAX) {
    return refusal('invalid_component', `a ${kind} has at most ${BUNDLE_COMPONENTS_MAX} components`, 'components');
  }
  const seen = new Set<string>();
  for (const [i, c] of components.entries()) {
    const at = `components[${i}]`;
    if (typeof c !== 'object' || c === null || typeof (c as ComponentInput).sku !== 'string') return refusal('validation_failed', `${at}.sku is required`, `${at}.sku`);
    const { sku, quantity } = c as ComponentInput;
    if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity < 1 || quantity > COMPONENT_QUANTITY_MAX) {
      return refusal('invalid_quantity', `${at}.quantity must be a whole number from 1 to ${COMPONENT_QUANTITY_MAX}`, `${at}.quantity`);
    }
    const item = lookup(sku);
    if (!item) return refusal('invalid_component', `no item with SKU ${JSON.stringify(sku)}`, `${at}.sku`);
    if (item.kind !== 'standard') return refusal('invalid_component', `${sku} is a ${item.kind}; components must be standard items`, `${at}.sku`);
    if (item.archived) return refusal('invalid_component', `${sku} is archived`, `${at}.sku`);
    if (seen.has(sku)) return refusal('invalid_component', `${sku} is listed twice; give it one line with the total quantity`, `${at}.sku`);
    seen.add(sku);
  }
  if (kind === 'multipack') {
    if (components.length !== 1) return refusal('invalid_component', `a multipack is N of one item, but ${components.length} components were given`, 'components[1].sku');
    if ((components[0] as ComponentInput).quantity < 2) return refusal('invalid_component', 'a multipack holds at least 2 units of its item', 'components[0].quantity');
  }
  return null;
}

export function checkProductInput(input: Partial<ProductInput>, partial = false): Refusal | null {
  if (!partial || input.handle !== undefined) {
    const bad = identifier(input.handle, 'handle', HANDLE_LENGTH_MAX);
    if (bad) return bad;
    if (/\s/.test(input.handle!)) return refusal('validation_failed', 'handle must not contain spaces', 'handle');
  }
  if (!partial || input.name !== undefined) {
    const bad = text(input.name, 'name', NAME_LENGTH_MAX, true);
    if (bad) return bad;
  }
  if (input.option_names !== undefined) {
    const names = input.option_names;
    if (!Array.isArray(names) || names.length > PRODUCT_OPTIONS_MAX) {
      return refusal('validation_failed', `option_names must list at most ${PRODUCT_OPTIONS_MAX} names`, 'option_names');
    }
    for (const [i, n] of names.entries()) {
      const bad = identifier(n, `option_names[${i}]`, OPTION_LENGTH_MAX);
      if (bad) return bad;
      if (names.indexOf(n) !== i) return refusal('validation_failed', `option name ${JSON.stringify(n)} appears twice`, `option_names[${i}]`);
    }
  }
  if (input.archived !== undefined && typeof input.archived !== 'boolean') return refusal('validation_failed', 'archived must be true or false', 'archived');
  return null;
}

export function checkLocationInput(input: Partial<LocationInput>, partial = false): Refusal | null {
  if (!partial || input.code !== undefined) {
    const bad = identifier(input.code, 'code', CODE_LENGTH_MAX);
    if (bad) return bad;
  }
  if (!partial || input.name !== undefined) {
    const bad = text(input.name, 'name', NAME_LENGTH_MAX, true);
    if (bad) return bad;
  }
  if ((!partial || input.kind !== undefined) && !(LOCATION_KINDS as readonly unknown[]).includes(input.kind)) {
    return refusal('validation_failed', `kind must be one of ${LOCATION_KINDS.join(', ')}`, 'kind');
  }
  const bad = text(input.postal_code, 'postal_code', 32, false) ?? text(input.country, 'country', 2, false);
  if (bad) return bad;
  if (typeof input.country === 'string' && !/^[A-Z]{2}$/.test(input.country)) {
    return refusal('validation_failed', 'country must be an ISO 3166-1 alpha-2 code such as DE or US', 'country');
  }
  for (const flag of ['ships_online', 'pickup', 'requires_inspection'] as const) {
    if (input[flag] !== undefined && typeof input[flag] !== 'boolean') return refusal('validation_failed', `${flag} must be true or false`, flag);
  }
  return null;
}
