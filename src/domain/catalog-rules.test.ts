// Pure catalog rules: items, variants, components, channel identifiers.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkComponents, checkItemInput, checkProductInput, checkVariant } from './catalog-rules.ts';
import { channelAccount, CHANNEL_KINDS, checkChannelSettings, checkExternal, externalKey, LISTING_IDENTIFIERS } from './listing-rules.ts';
import type { Item, ItemKind } from './model.ts';

const item = (sku: string, kind: ItemKind = 'standard', archived = false): Item => ({
  id: `item_${sku}`, workspaceId: 'ws', sku, name: sku, barcode: null, archived, kind, productId: null, options: null,
  unitsPerCase: null, requiresInspection: false, skipReturnInspection: false, stocksPrebuilt: false, createdAt: 0, updatedAt: 0,
});
const catalog = new Map([item('A'), item('B'), item('KIT', 'bundle'), item('OLD', 'standard', true)].map((i) => [i.sku, i]));
const lookup = (sku: string) => catalog.get(sku);

describe('item input', () => {
  it('checks the new fields', () => {
    expect(checkItemInput({ sku: 'A', name: 'a', units_per_case: 0 })).toMatchObject({ code: 'validation_failed', field: 'units_per_case' });
    expect(checkItemInput({ sku: 'A', name: 'a', kind: 'kit' as ItemKind })).toMatchObject({ field: 'kind' });
    expect(checkItemInput({ sku: 'A', name: 'a', options: { Size: '' } })).toMatchObject({ field: 'options.Size' });
    expect(checkItemInput({ sku: 'A', name: 'a', components: [{ sku: 'B', quantity: 1 }] })).toMatchObject({ field: 'components' });
    expect(checkItemInput({ sku: 'A', name: 'a', requires_inspection: 'yes' as unknown as boolean })).toMatchObject({ field: 'requires_inspection' });
    expect(checkItemInput({ sku: 'A', name: 'a', kind: 'bundle', units_per_case: 12, options: { Size: 'M' } })).toBeNull();
  });
  it('checks products', () => {
    expect(checkProductInput({ handle: 'a b', name: 'x' })).toMatchObject({ field: 'handle' });
    expect(checkProductInput({ handle: 'tee', name: 'x', option_names: ['Size', 'Size'] })).toMatchObject({ field: 'option_names[1]' });
    expect(checkProductInput({ handle: 'tee', name: 'x', option_names: ['a', 'b', 'c', 'd'] })).toMatchObject({ field: 'option_names' });
    expect(checkProductInput({ handle: 'tee', name: 'x', option_names: ['Size'] })).toBeNull();
  });
});

describe('variants', () => {
  it('need exactly the product options', () => {
    expect(checkVariant(['Size', 'Color'], 'p', { Color: 'Red', Size: 'M' })).toBeNull();
    expect(checkVariant(['Size', 'Color'], 'p', { Size: 'M' })).toMatchObject({ code: 'validation_failed', field: 'options' });
    expect(checkVariant(['Size'], 'p', { Size: 'M', Fit: 'Slim' })).toMatchObject({ field: 'options.Fit' });
    expect(checkVariant([], null, { Size: 'M' })).toMatchObject({ field: 'options' });
    expect(checkVariant(null, 'p', null)).toMatchObject({ field: 'product_id' });
    expect(checkVariant([], null, null)).toBeNull();
  });
});

describe('components', () => {
  it('are standard, live, known items, once each; a multipack is N ≥ 2 of one', () => {
    expect(checkComponents('bundle', [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }], lookup)).toBeNull();
    expect(checkComponents('bundle', [{ sku: 'X', quantity: 1 }], lookup)).toMatchObject({ code: 'invalid_component', field: 'components[0].sku' });
    expect(checkComponents('bundle', [{ sku: 'A', quantity: 1 }, { sku: 'KIT', quantity: 1 }], lookup)).toMatchObject({ code: 'invalid_component', field: 'components[1].sku' });
    expect(checkComponents('bundle', [{ sku: 'OLD', quantity: 1 }], lookup)).toMatchObject({ code: 'invalid_component' });
    expect(checkComponents('bundle', [{ sku: 'A', quantity: 1 }, { sku: 'A', quantity: 1 }], lookup)).toMatchObject({ field: 'components[1].sku' });
    expect(checkComponents('bundle', [{ sku: 'A', quantity: 1.5 }], lookup)).toMatchObject({ code: 'invalid_quantity', field: 'components[0].quantity' });
    expect(checkComponents('bundle', [], lookup)).toMatchObject({ code: 'invalid_component', field: 'components' });
    expect(checkComponents('multipack', [{ sku: 'A', quantity: 6 }], lookup)).toBeNull();
    expect(checkComponents('multipack', [{ sku: 'A', quantity: 1 }], lookup)).toMatchObject({ field: 'components[0].quantity' });
    expect(checkComponents('multipack', [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 2 }], lookup)).toMatchObject({ field: 'components[1].sku' });
    expect(checkComponents('standard', [{ sku: 'A', quantity: 1 }], lookup)).toMatchObject({ code: 'validation_failed' });
  });
});

describe('listing identifiers', () => {
  it('take exactly one form of their channel kind', () => {
    expect(checkExternal('shopify', { inventory_item_id: 123, location_id: '9' })).toEqual({ ok: true, external: { inventory_item_id: '123', location_id: '9' } });
    expect(checkExternal('shopify', { variant_id: '44' })).toMatchObject({ ok: true });
    expect(checkExternal('shopify', { inventory_item_id: '1' })).toMatchObject({ ok: false, refusal: { field: 'external.location_id' } });
    expect(checkExternal('shopify', { variant_id: '1', inventory_item_id: '1', location_id: '2' })).toMatchObject({ ok: false });
    expect(checkExternal('amazon', { seller_sku: 'A' })).toMatchObject({ ok: false, refusal: { field: 'external.marketplace_id' } });
    expect(checkExternal('walmart', { seller_sku: 'A' })).toMatchObject({ ok: false, refusal: { field: 'external.seller_sku' } });
    expect(checkExternal('square', { catalog_object_id: '' })).toMatchObject({ ok: false, refusal: { field: 'external.catalog_object_id' } });
    expect(checkExternal('custom', 'x')).toMatchObject({ ok: false, refusal: { field: 'external' } });
    expect(externalKey('amazon', { seller_sku: 'AB-1', marketplace_id: 'ATVPDKIKX0DER' })).toBe('seller_sku:AB-1@marketplace:ATVPDKIKX0DER');
    expect(externalKey('shopify', { inventory_item_id: '123', location_id: '9' })).toBe('inventory_item:123@location:9');
  });

  it('map distinct identifiers of a kind to distinct keys, and equal ones to equal keys', () => {
    const value = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && !/[\u0000-\u001f]/.test(s) && s !== ''), fc.nat().map(String));
    const kind = fc.constantFrom(...CHANNEL_KINDS);
    const external = kind.chain((k) => fc.constantFrom(...LISTING_IDENTIFIERS[k]).chain((form) => fc.tuple(fc.constant(k), fc.tuple(...form.map(() => value)).map((vs) => Object.fromEntries(form.map((f, i) => [f, vs[i]!]))))));
    fc.assert(
      fc.property(external, external, ([k1, e1], [k2, e2]) => {
        const c1 = checkExternal(k1, e1);
        const c2 = checkExternal(k2, e2);
        expect(c1.ok && c2.ok).toBe(true);
        if (!c1.ok || !c2.ok || k1 !== k2) return;
        const same = JSON.stringify(Object.entries(c1.external).sort()) === JSON.stringify(Object.entries(c2.external).sort());
        expect(externalKey(k1, c1.external) === externalKey(k2, c2.external)).toBe(same);
      }),
      { numRuns: 500 },
    );
  });

  it('reads the account of a channel from its settings', () => {
    expect(channelAccount('shopify', { shop_domain: 'Acme.myshopify.com ' })).toBe('acme.myshopify.com');
    expect(channelAccount('amazon', { seller_id: 'S1' })).toBe('S1');
    expect(channelAccount('ebay', { seller_id: 'S1' })).toBeNull();
    expect(checkChannelSettings({ lists_all_items: 1 })).toMatchObject({ field: 'settings.lists_all_items' });
    expect(checkChannelSettings([])).toMatchObject({ field: 'settings' });
    expect(checkChannelSettings({ shop_domain: 'a.myshopify.com', anything: { nested: true } })).toBeNull();
  });
});
