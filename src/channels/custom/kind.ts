// A channel truestock has no connector for (an in-house POS, a marketplace feed someone else
// runs): its numbers are served to whoever pulls them, and its sales come in through the API.

import type { ChannelKindSpec } from '../kind.ts';

export const custom: ChannelKindSpec = {
  name: 'custom',
  label: 'Custom',
  listing: { kind: 'custom', forms: [['external_id']], labels: { external_id: 'external_id' }, shown: { external_id: { label: 'External ID' } } },
  settings: { check: () => null, secrets: [] },
  lags: { inboundSeconds: 60, outboundSeconds: 60 },
  timeResolutionMs: 1,
  capabilities: { compareAndSet: false, asyncSubmissions: false, readBack: false, webhooks: false, polling: false },
};
