// Walmart Marketplace (US) as a channel kind (channels.md §3): quantities per SKU at one ship
// node, set by single updates or, for many at once, the bulk inventory feed that Walmart applies
// tens of minutes later (followed as a submission); orders polled and received as webhooks.
//
// No official SDK exists (nor any on npm): the client is our own small fetch client
// (client.ts, token.ts), on the injected fetch and clock.

import type { ChannelKindSpec } from '../kind.ts';
import { walmartApi } from './client.ts';
import { walmartInbound, WALMART_POLL_SECONDS_DEFAULT } from './inbound.ts';
import { walmartConnector } from './push.ts';
import { checkWalmartSetting, walmartSettings } from './settings.ts';

export const walmart: ChannelKindSpec = {
  name: 'walmart',
  label: 'Walmart',
  listing: { kind: 'walmart', forms: [['sku']], labels: { sku: 'sku' } },
  settings: {
    // Credentials may come later; `connect()` says what a connection still lacks.
    check: checkWalmartSetting,
    secrets: ['client_secret', 'notification_secret'],
    account: (s) => (typeof s.client_id === 'string' ? s.client_id.trim() : null),
  },
  // Orders are polled every two minutes, PO_CREATED webhooks come in seconds: a sale reaches
  // truestock within one poll interval at worst. A feed takes about 30 minutes to apply (single
  // updates apply at once, but a burst goes by feed), so the outbound default covers a feed.
  lags: { inboundSeconds: WALMART_POLL_SECONDS_DEFAULT, outboundSeconds: 1_800 },
  timeResolutionMs: 1_000,
  // No compare-and-set: an update sets the number. Feeds are asynchronous submissions.
  capabilities: { compareAndSet: false, asyncSubmissions: true, readBack: true, webhooks: true, polling: true },
  connect(settings, env) {
    const s = walmartSettings(settings);
    return 'code' in s ? s : walmartConnector(walmartApi(s, env), s, env.clock);
  },
  inbound: walmartInbound,
  // The emulator (emulators/walmart) is loaded only here, when the demo starts.
  demo: async () => (await import('./demo.ts')).walmartDemo,
};
