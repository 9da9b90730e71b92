// The sample data is consistent by construction: unique SKUs and barcodes with valid check
// digits, every kit made of items that exist, every channel listing SKUs that exist; and the
// seeded PRNG and opening stock stay in their ranges for any seed.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkItemInput, gtinCheckOk } from '../domain/catalog-rules.ts';
import { LOCATION_KINDS } from '../domain/model.ts';
import { seededRandom } from './random.ts';
import { DEMO_CHANNELS, DEMO_KITS, DEMO_LOCATIONS, DEMO_PRODUCTS, demoAllSkus, demoBarcode, demoStandardSkus, openingStock } from './sample-catalog.ts';

describe('the sample catalog', () => {
  it('has at least 200 SKUs, unique, each a valid item with a valid, unique barcode', () => {
    const skus = demoAllSkus();
    expect(skus.length).toBeGreaterThanOrEqual(200);
    expect(new Set(skus).size).toBe(skus.length);
    const variants = DEMO_PRODUCTS.flatMap((p) => p.variants);
    expect(new Set(variants.map((v) => v.barcode)).size).toBe(variants.length);
    for (const v of variants) {
      expect(gtinCheckOk(v.barcode), v.barcode).toBe(true);
      expect(checkItemInput({ sku: v.sku, name: v.name, barcode: v.barcode })).toBeNull();
    }
  });

  it('gives every variant one value per option of its product, and no two variants the same values', () => {
    for (const p of DEMO_PRODUCTS) {
      const seen = new Set<string>();
      for (const v of p.variants) {
        expect(Object.keys(v.options)).toEqual(p.optionNames);
        seen.add(JSON.stringify(v.options));
      }
      expect(seen.size).toBe(p.variants.length);
    }
  });

  it('builds bundles and multipacks only from standard items, multipacks from one', () => {
    const standard = new Set(demoStandardSkus());
    expect(DEMO_KITS.some((k) => k.kind === 'bundle')).toBe(true);
    expect(DEMO_KITS.some((k) => k.kind === 'multipack')).toBe(true);
    for (const k of DEMO_KITS) {
      for (const c of k.components) expect(standard.has(c.sku), `${k.sku} → ${c.sku}`).toBe(true);
      if (k.kind === 'multipack') expect(k.components).toHaveLength(1);
    }
  });

  it('has two warehouses, a 3PL, two stores and Amazon FBA, and channels that list known SKUs', () => {
    const kinds = DEMO_LOCATIONS.map((l) => l.kind);
    expect(kinds.filter((k) => k === 'warehouse')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'store')).toHaveLength(2);
    expect(kinds).toContain('3pl');
    expect(DEMO_LOCATIONS.find((l) => l.code === 'FBA-US')).toMatchObject({ kind: 'channel_managed', ships_online: false });
    for (const k of kinds) expect(LOCATION_KINDS).toContain(k);
    const all = new Set(demoAllSkus());
    for (const c of DEMO_CHANNELS) for (const sku of c.skus()) expect(all.has(sku), `${c.name}: ${sku}`).toBe(true);
    expect(DEMO_CHANNELS.filter((c) => c.kind === 'shopify').map((c) => c.name)).toEqual(['webstore', 'outlet']);
    // Every channel but the wholesale desk sells through an emulated storefront of its kind.
    expect(DEMO_CHANNELS.filter((c) => !c.storefront).map((c) => c.name)).toEqual(['wholesale']);
    expect(DEMO_CHANNELS.map((c) => c.kind).sort()).toEqual(['amazon', 'ebay', 'shopify', 'shopify', 'square', 'square', 'walmart', 'wholesale']);
  });

  it('makes each store\'s till a Square channel selling that store\'s shelf, whose staff counts are adopted', () => {
    const tills = DEMO_CHANNELS.filter((c) => c.till);
    expect(tills.map((c) => [c.name, c.kind, c.storefront!.location.code])).toEqual([['pos-nyc', 'square', 'STORE-NYC'], ['pos-sf', 'square', 'STORE-SF']]);
    for (const t of tills) {
      expect(t.rule.locations).toEqual({ codes: [t.storefront!.location.code] });
      expect(t.editPolicy).toBe('adopt');
    }
    // One shelf per till: no two tills sell the same store.
    expect(new Set(tills.map((t) => t.storefront!.location.code)).size).toBe(tills.length);
  });

  it('makes valid EAN-13 barcodes for any number', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 999_999_999 }), (n) => {
      const code = demoBarcode(n);
      return code.length === 13 && code.startsWith('200') && gtinCheckOk(code);
    }));
  });
});

describe('the seeded PRNG and opening stock', () => {
  it('stays in range for any seed', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 50 }), (seed, min, span) => {
      const r = seededRandom(seed);
      for (let i = 0; i < 20; i++) {
        const x = r.next();
        if (!(x >= 0 && x < 1)) return false;
        const n = r.int(min, min + span);
        if (!Number.isInteger(n) || n < min || n > min + span) return false;
        if (r.weighted([1, 0, 3]) === 1) return false;
        if (!(r.exponential(2) >= 0)) return false;
      }
      return true;
    }));
  });

  it('replays the same draws for the same seed', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
      const a = seededRandom(seed);
      const b = seededRandom(seed);
      return Array.from({ length: 10 }, () => a.next() === b.next()).every(Boolean);
    }));
  });

  it('opens every SKU with whole, non-negative quantities at known locations', () => {
    const codes = new Set(DEMO_LOCATIONS.map((l) => l.code));
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
      const r = seededRandom(seed);
      return demoStandardSkus().every((sku) => Object.entries(openingStock(sku, r)).every(([code, q]) => codes.has(code) && Number.isInteger(q) && q >= 0));
    }), { numRuns: 30 });
  });
});
