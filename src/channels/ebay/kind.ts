// eBay as a channel kind. Its numbers are served, not pushed, until its connector lands
// (channels.md §4).

import type { ChannelKindSpec } from '../kind.ts';

export const ebay: ChannelKindSpec = {
  name: 'ebay',
  label: 'eBay',
  listing: { kind: 'ebay', forms: [['sku']], labels: { sku: 'sku' } },
  settings: { check: () => null, secrets: ['refresh_token', 'client_secret'] },
  lags: { inboundSeconds: 60, outboundSeconds: 120 },
  timeResolutionMs: 1_000,
  capabilities: { compareAndSet: false, asyncSubmissions: false, readBack: false, webhooks: false, polling: false },
};
