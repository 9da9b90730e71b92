// A wholesale desk: orders are keyed in (API, CLI), and the number it may promise is served to
// whoever pulls it (a B2B portal, a spreadsheet), never pushed.

import type { ChannelKindSpec } from '../kind.ts';

export const wholesale: ChannelKindSpec = {
  name: 'wholesale',
  label: 'Wholesale',
  listing: { kind: 'wholesale', forms: [['external_id']], labels: { external_id: 'external_id' } },
  settings: { check: () => null, secrets: [] },
  // Wholesale orders arrive in hours; nothing is pushed, so nothing waits on the way out.
  lags: { inboundSeconds: 3_600, outboundSeconds: 0 },
  timeResolutionMs: 1,
  capabilities: { compareAndSet: false, asyncSubmissions: false, readBack: false, webhooks: false, polling: false },
};
