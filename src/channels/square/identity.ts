// What identifies a Square listing: a catalog object (an item variation) at one of the channel's
// Square locations — the count the POS sells from — or the catalog object alone, which means the
// channel's one store location (a channel mapping several must name it). Longest form first: an
// external_key is built from the first form whose fields are all present. The labels are part of
// every stored external_key (`catalog_object:X@location:L`): never change them.

import type { ListingIdentity } from '../../domain/listing-rules.ts';

export const SQUARE_LISTING: ListingIdentity = {
  kind: 'square',
  forms: [['catalog_object_id', 'location_id'], ['catalog_object_id']],
  labels: { catalog_object_id: 'catalog_object', location_id: 'location' },
  // As the Square Dashboard and its API name them.
  shown: { catalog_object_id: { label: 'Catalog object ID' }, location_id: { label: 'Location ID' } },
};
