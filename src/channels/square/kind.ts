// Square (a retail POS) as a channel kind. Its numbers are served, not pushed, until its
// connector lands (channels.md §5).

import type { ChannelKindSpec } from '../kind.ts';

export const square: ChannelKindSpec = {
  name: 'square',
  label: 'Square',
  listing: { kind: 'square', forms: [['catalog_object_id']], labels: { catalog_object_id: 'catalog_object' } },
  settings: { check: () => null, secrets: ['access_token', 'signature_key'] },
  lags: { inboundSeconds: 5, outboundSeconds: 5 },
  // RFC 3339 times with milliseconds.
  timeResolutionMs: 1,
  capabilities: { compareAndSet: false, asyncSubmissions: false, readBack: false, webhooks: false, polling: false },
};
