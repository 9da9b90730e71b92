// Walmart Marketplace as a channel kind. Its numbers are served, not pushed, until its connector
// lands (channels.md §3).

import type { ChannelKindSpec } from '../kind.ts';

export const walmart: ChannelKindSpec = {
  name: 'walmart',
  label: 'Walmart',
  listing: { kind: 'walmart', forms: [['sku']], labels: { sku: 'sku' } },
  settings: { check: () => null, secrets: ['client_secret'] },
  // Orders are polled; an inventory feed takes tens of minutes to apply.
  lags: { inboundSeconds: 300, outboundSeconds: 900 },
  timeResolutionMs: 1_000,
  capabilities: { compareAndSet: false, asyncSubmissions: false, readBack: false, webhooks: false, polling: false },
};
