// Walmart Marketplace (US) as a channel kind (channels.md §3): quantities per SKU at a ship node
// (the channel's, or the listing's own when the channel sells from several), set by single updates or, for many at once, the bulk inventory feed that Walmart applies
// tens of minutes later (followed as a submission); orders polled and received as webhooks.
//
// No official SDK exists (nor any on npm): the client is our own small fetch client
// (client.ts, token.ts), on the injected fetch and clock.

import type { ChannelKindSpec } from '../kind.ts';
import { walmartApi } from './client.ts';
import { walmartInbound, WALMART_POLL_SECONDS_DEFAULT } from './inbound.ts';
import { walmartConnector } from './push.ts';
import { WALMART_LISTING } from './order-facts.ts';
import { checkWalmartSetting, walmartListingLocation, walmartSettings } from './settings.ts';

export const walmart: ChannelKindSpec = {
  name: 'walmart',
  label: 'Walmart',
  listing: WALMART_LISTING,
  // A listing at a ship node of its own sells that node's location (settings.locations), so each
  // (SKU, node) listing has its own number; a listing of the SKU alone sells as its rules say.
  listingLocations: (external, settings) => {
    const code = walmartListingLocation(external, settings);
    return code === null ? null : [code];
  },
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
