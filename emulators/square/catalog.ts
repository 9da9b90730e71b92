// What the merchant has set up in Square before any stock moves: its locations (the store) and
// the catalog item variations whose stock is tracked. Seeded through the control surface; the
// Inventory API only refers to them by id.

import { invalid } from './errors.ts';

export interface Location {
  id: string;
  name: string;
}

export interface CatalogVariation {
  id: string;
  name: string;
  sku: string | null;
  /** Price in the smallest currency unit, for order line items and SOLD adjustments. */
  priceAmount: number;
  currency: string;
}

/** Square ids are upper-case letters and digits; a seeded id is taken as given if it looks like one. */
const ID = /^[A-Za-z0-9_-]{1,100}$/;
const CURRENCY = /^[A-Z]{3}$/;

export class Catalog {
  readonly locations = new Map<string, Location>();
  readonly variations = new Map<string, CatalogVariation>();

  addLocation(p: { id: string; name?: string }): Location {
    if (typeof p.id !== 'string' || !ID.test(p.id)) throw invalid('id must be 1 to 100 letters, digits, _ or -');
    const l = { id: p.id, name: p.name ?? p.id };
    this.locations.set(l.id, l);
    return { ...l };
  }

  addVariation(p: { id: string; name?: string; sku?: string | null; priceAmount?: number; currency?: string }): CatalogVariation {
    if (typeof p.id !== 'string' || !ID.test(p.id)) throw invalid('id must be 1 to 100 letters, digits, _ or -');
    if (p.priceAmount !== undefined && !(Number.isSafeInteger(p.priceAmount) && p.priceAmount >= 0)) throw invalid('price_amount must be a whole number of 0 or more (smallest currency unit)');
    if (p.currency !== undefined && !CURRENCY.test(p.currency)) throw invalid('currency must be a three-letter ISO 4217 code');
    const v = { id: p.id, name: p.name ?? p.id, sku: p.sku ?? null, priceAmount: p.priceAmount ?? 0, currency: p.currency ?? 'USD' };
    this.variations.set(v.id, v);
    return { ...v };
  }
}
