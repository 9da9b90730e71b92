// Rules for what an item or a location may look like. Shared by the API, the CLI and CSV import,
// so a bad value gets the same answer wherever it comes from.

import { refusal, type Refusal } from './errors.ts';
import { LOCATION_KINDS, type LocationKind } from './model.ts';

export const SKU_LENGTH_MAX = 100;
export const NAME_LENGTH_MAX = 255;
export const BARCODE_LENGTH_MAX = 64;
export const CODE_LENGTH_MAX = 64;

export interface ItemInput {
  sku: string;
  name: string;
  barcode?: string | null;
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
  for (const flag of ['ships_online', 'pickup'] as const) {
    if (input[flag] !== undefined && typeof input[flag] !== 'boolean') return refusal('validation_failed', `${flag} must be true or false`, flag);
  }
  return null;
}
