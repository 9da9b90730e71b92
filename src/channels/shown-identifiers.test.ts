// Listing identifiers as the merchant knows them: every kind names every identifier field in its
// own words, Shopify's gids read as the admin's numbers and Amazon's marketplace by name.

import { describe, expect, it } from 'vitest';
import { shownIdentifiers } from '../domain/listing-rules.ts';
import { KINDS, listingIdentity } from './registry.ts';

describe('listing identifiers shown to people', () => {
  it('every kind declares a label for every identifier field it uses', () => {
    for (const k of KINDS) for (const field of k.listing.forms.flat()) expect(k.listing.shown?.[field]?.label, `${k.name}.${field}`).toBeTruthy();
  });

  it('reads Shopify gids as numbers and Amazon marketplaces by name, keeping what is stored', () => {
    expect(shownIdentifiers(listingIdentity('shopify'), { inventory_item_id: 'gid://shopify/InventoryItem/4123', location_id: '99' })).toEqual([
      { field: 'inventory_item_id', label: 'Inventory item ID', value: '4123', stored: 'gid://shopify/InventoryItem/4123' },
      { field: 'location_id', label: 'Location ID', value: '99', stored: '99' },
    ]);
    expect(shownIdentifiers(listingIdentity('amazon'), { marketplace_id: 'ATVPDKIKX0DER', seller_sku: 'AB-1' }).map((i) => [i.label, i.value])).toEqual([['Seller SKU', 'AB-1'], ['Marketplace', 'Amazon.com (US)']]);
    expect(shownIdentifiers(listingIdentity('amazon'), { seller_sku: 'AB-1', marketplace_id: 'XNEW' })[1]!.value).toBe('XNEW');
    expect(shownIdentifiers(listingIdentity('walmart'), { sku: 'W-1' }).map((i) => [i.label, i.value])).toEqual([['Walmart SKU', 'W-1']]);
  });
});
