// What identifies a Shopify listing: an inventory item at a location (what the inventory API
// pushes to), or a variant when the location is left to the channel's settings. The labels are
// part of every stored external_key (`inventory_item:123@location:9`): never change them.

import { gidNumber, type ListingIdentity } from '../../domain/listing-rules.ts';

export const SHOPIFY_LISTING: ListingIdentity = {
  kind: 'shopify',
  forms: [['inventory_item_id', 'location_id'], ['variant_id']],
  labels: { inventory_item_id: 'inventory_item', location_id: 'location', variant_id: 'variant' },
  // As the Shopify admin shows them: the number in its addresses, not the API's gid.
  shown: {
    variant_id: { label: 'Variant ID', value: gidNumber },
    inventory_item_id: { label: 'Inventory item ID', value: gidNumber },
    location_id: { label: 'Location ID', value: gidNumber },
  },
};
