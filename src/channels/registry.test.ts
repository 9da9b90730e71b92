// The channel-kind registry: each kind's identifiers and settings as declared in its folder, and
// the seam itself — no product file outside a kind's own folder names a kind.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkExternal, externalKey } from '../domain/listing-rules.ts';
import { EXTERNAL_FIELDS, isPushedKind, KIND_NAMES, KINDS, kindOf, listingIdentity } from './registry.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('listing identifiers of the registered kinds', () => {
  it('take exactly one form of their channel kind', () => {
    const ids = listingIdentity;
    expect(checkExternal(ids('shopify'), { inventory_item_id: 123, location_id: '9' })).toEqual({ ok: true, external: { inventory_item_id: '123', location_id: '9' } });
    expect(checkExternal(ids('shopify'), { variant_id: '44' })).toMatchObject({ ok: true });
    expect(checkExternal(ids('shopify'), { inventory_item_id: '1' })).toMatchObject({ ok: false, refusal: { field: 'external.location_id' } });
    expect(checkExternal(ids('amazon'), { seller_sku: 'A' })).toMatchObject({ ok: false, refusal: { field: 'external.marketplace_id' } });
    expect(checkExternal(ids('walmart'), { seller_sku: 'A' })).toMatchObject({ ok: false, refusal: { field: 'external.seller_sku' } });
    expect(checkExternal(ids('square'), { catalog_object_id: '' })).toMatchObject({ ok: false, refusal: { field: 'external.catalog_object_id' } });
    // The keys already stored depend on these spellings.
    expect(externalKey(ids('amazon'), { seller_sku: 'AB-1', marketplace_id: 'ATVPDKIKX0DER' })).toBe('seller_sku:AB-1@marketplace:ATVPDKIKX0DER');
    expect(externalKey(ids('shopify'), { inventory_item_id: '123', location_id: '9' })).toBe('inventory_item:123@location:9');
    expect(externalKey(ids('square'), { catalog_object_id: 'X' })).toBe('catalog_object:X');
  });

  it('map distinct identifiers of a kind to distinct keys, and equal ones to equal keys', () => {
    const value = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && !/[\u0000-\u001f]/.test(s) && s !== ''), fc.nat().map(String));
    const external = fc.constantFrom(...KIND_NAMES).chain((k) => fc.constantFrom(...listingIdentity(k).forms)
      .chain((form) => fc.tuple(fc.constant(k), fc.tuple(...form.map(() => value)).map((vs) => Object.fromEntries(form.map((f, i) => [f, vs[i]!]))))));
    fc.assert(
      fc.property(external, external, ([k1, e1], [k2, e2]) => {
        const c1 = checkExternal(listingIdentity(k1), e1);
        const c2 = checkExternal(listingIdentity(k2), e2);
        expect(c1.ok && c2.ok).toBe(true);
        if (!c1.ok || !c2.ok || k1 !== k2) return;
        const same = JSON.stringify(Object.entries(c1.external).sort()) === JSON.stringify(Object.entries(c2.external).sort());
        expect(externalKey(listingIdentity(k1), c1.external) === externalKey(listingIdentity(k2), c2.external)).toBe(same);
      }),
      { numRuns: 500 },
    );
  });

  it('every field has a label, and every kind a unique name', () => {
    expect(new Set(KIND_NAMES).size).toBe(KINDS.length);
    // Stock file formats are named after their kinds, beside truestock's own.
    expect(KIND_NAMES).not.toContain('truestock');
    for (const k of KINDS) for (const f of k.listing.forms.flat()) expect(k.listing.labels[f], `${k.name}.${f}`).toBeTruthy();
    expect(EXTERNAL_FIELDS).toContain('seller_sku');
  });
});

describe('settings of the registered kinds', () => {
  it('read the account behind a channel', () => {
    expect(kindOf('shopify').settings.account?.({ shop_domain: 'Acme.myshopify.com ' })).toBe('acme.myshopify.com');
    expect(kindOf('amazon').settings.account?.({ seller_id: 'S1' })).toBe('S1');
    expect(kindOf('ebay').settings.account).toBeUndefined();
    expect(kindOf('shopify').settings.check({ shop_domain: ' ' }, 'settings')).toMatchObject({ field: 'settings.shop_domain' });
  });

  it('say which kinds are pushed and which are served', () => {
    expect(isPushedKind('shopify')).toBe(true);
    expect(isPushedKind('wholesale')).toBe(false);
    for (const k of KINDS) expect(isPushedKind(k.name)).toBe(k.connect !== undefined);
  });
});

/** Product source files: src/, web/src and bin/, not tests. */
function productFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...productFiles(path));
    else if (/\.(ts|tsx|js)$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.fixture.ts')) out.push(path);
  }
  return out;
}

/**
 * Files that name a kind on purpose, each with why. The demo's sample business is data (like a
 * seed file): it says which kinds its channels are. Nothing else outside a kind's folder may.
 */
const ALLOWED: Readonly<Record<string, string>> = {
  'src/demo/sample-catalog.ts': 'the sample business names its channels\' kinds',
  'src/store/migrations.ts': 'applied migrations are history and never edited; migration 17 took the kind check out of the schema',
};

describe('the seam', () => {
  it('no product file outside src/channels/<kind>/ names a kind', () => {
    const offenders: string[] = [];
    for (const path of ['src', 'web/src', 'bin'].flatMap((d) => productFiles(join(ROOT, d)))) {
      const file = relative(ROOT, path).split('\\').join('/');
      if (ALLOWED[file]) continue;
      const own = /^src\/channels\/([a-z0-9_-]+)\//.exec(file)?.[1];
      const text = readFileSync(path, 'utf8');
      for (const kind of KIND_NAMES) {
        if (kind === own) continue;
        // A quoted kind name, or a path into a kind's folder or its emulator.
        const named = new RegExp(`(['"\`])${kind}\\1|(channels|emulators)/${kind}/`);
        const line = text.split('\n').findIndex((l) => named.test(l));
        if (line >= 0) offenders.push(`${file}:${line + 1} names ${kind}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
