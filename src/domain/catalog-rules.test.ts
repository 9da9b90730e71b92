// Pure catalog rules: items, variants, components, channel identifiers.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkComponents, checkItemInput, checkProductInput, checkVariant } from './catalog-rules.ts';
import { checkChannelSettings, checkExternal, externalKey, type ListingIdentity, redactSecrets } from './listing-rules.ts';
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
  // A made-up kind: the rules are kind-agnostic (the real kinds are tested in src/channels/registry.test.ts).
  const shelf: ListingIdentity = { kind: 'shelf', forms: [['aisle_id', 'bin_id'], ['tag']], labels: { aisle_id: 'aisle', bin_id: 'bin', tag: 'tag' } };

  it('take exactly one form of their kind, and read as one key', () => {
    expect(checkExternal(shelf, { aisle_id: 123, bin_id: '9' })).toEqual({ ok: true, external: { aisle_id: '123', bin_id: '9' } });
    expect(checkExternal(shelf, { tag: '44' })).toMatchObject({ ok: true });
    expect(checkExternal(shelf, { aisle_id: '1' })).toMatchObject({ ok: false, refusal: { field: 'external.bin_id' } });
    expect(checkExternal(shelf, { tag: '1', aisle_id: '1', bin_id: '2' })).toMatchObject({ ok: false });
    expect(checkExternal(shelf, { shelf_sku: 'A' })).toMatchObject({ ok: false, refusal: { field: 'external.shelf_sku' } });
    expect(checkExternal(shelf, { tag: '' })).toMatchObject({ ok: false, refusal: { field: 'external.tag' } });
    expect(checkExternal(shelf, 'x')).toMatchObject({ ok: false, refusal: { field: 'external' } });
    expect(externalKey(shelf, { aisle_id: 'A/1', bin_id: '9@x' })).toBe('aisle:A%2F1@bin:9%40x');
  });

  it('check the settings every kind shares', () => {
    expect(checkChannelSettings({ lists_all_items: 1 })).toMatchObject({ field: 'settings.lists_all_items' });
    expect(checkChannelSettings([])).toMatchObject({ field: 'settings' });
    expect(checkChannelSettings({ shop_domain: 'a.myshopify.com', anything: { nested: true } })).toBeNull();
    expect(redactSecrets({ api_token: 't', pin: '1', note: 'n' }, ['pin'])).toEqual({ api_token: '(set)', pin: '(set)', note: 'n' });
  });
});
