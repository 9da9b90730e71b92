// Amazon (SP-API) as a channel kind. Its numbers are served, not pushed, until its connector
// lands: merchant-fulfilled quantities per seller SKU and marketplace (channels.md §2).

import { checkStringSetting } from '../../domain/listing-rules.ts';
import type { ChannelKindSpec } from '../kind.ts';

export const amazon: ChannelKindSpec = {
  name: 'amazon',
  label: 'Amazon',
  // The marketplace is part of the listing, so the seller id alone is the account.
  listing: { kind: 'amazon', forms: [['seller_sku', 'marketplace_id']], labels: { seller_sku: 'seller_sku', marketplace_id: 'marketplace' } },
  settings: {
    check: (settings, field) => checkStringSetting(settings, 'seller_id', field),
    secrets: ['refresh_token', 'client_secret'],
    account: (s) => (typeof s.seller_id === 'string' ? s.seller_id.trim() : null),
  },
  // Orders are polled under very low rate limits and reach a seller minutes late; listing
  // updates are accepted and applied minutes later.
  lags: { inboundSeconds: 120, outboundSeconds: 900 },
  timeResolutionMs: 1_000,
  capabilities: { compareAndSet: false, asyncSubmissions: false, readBack: false, webhooks: false, polling: false },
};
