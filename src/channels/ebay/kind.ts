// eBay as a channel kind (channels.md §4): ship-to-home quantities per SKU on one marketplace,
// pushed through the Sell Inventory API's `bulk_update_price_quantity` (25 SKUs a call, applied
// at once: 200, or 207 with an outcome per SKU), read back with `bulk_get_inventory_item`, and
// held to eBay's 250 revisions per listing per day (revisions.ts: paced, coalesced, visible in the
// channel's sync status under `dispatcher.limits`). Orders come by polling the Fulfillment API by
// `lastmodifieddate`, and faster through signed ORDER_CONFIRMATION notifications.
//
// The client is our own small fetch client (api.ts, oauth.ts), not the installed `ebay-api`
// package: that one runs on axios with a hard-coded OAuth URL and refreshes tokens on its own
// clock, so it cannot go through the injected `fetch` and clock that the in-process emulator and
// replayable runs need. Notification signatures are checked as eBay's
// `event-notification-nodejs-sdk` does, on node:crypto (notifications.ts).

import type { ChannelKindSpec } from '../kind.ts';
import { ebayApi } from './api.ts';
import { ebayInbound } from './inbound.ts';
import { EBAY_LISTING } from './order-facts.ts';
import { EBAY_POLL_SECONDS_DEFAULT } from './orders-poll.ts';
import { ebayConnector } from './push.ts';
import { checkEbaySetting, ebaySettings } from './settings.ts';

export const ebay: ChannelKindSpec = {
  name: 'ebay',
  label: 'eBay',
  listing: EBAY_LISTING,
  settings: {
    // Credentials may come later; `connect()` says what a connection still lacks.
    check: checkEbaySetting,
    secrets: ['refresh_token', 'client_secret', 'verification_token'],
  },
  // Notifications arrive within seconds; without them a sale waits for the next poll. eBay
  // applies a quantity update at once.
  lags: { inboundSeconds: EBAY_POLL_SECONDS_DEFAULT, outboundSeconds: 5 },
  // eBay's times carry milliseconds.
  timeResolutionMs: 1,
  // No compare-and-set: bulk_update_price_quantity sets the number, whatever eBay shows.
  capabilities: { compareAndSet: false, asyncSubmissions: false, readBack: true, webhooks: true, polling: true },
  connect(settings, env) {
    const s = ebaySettings(settings);
    return 'code' in s ? s : ebayConnector(ebayApi(s, env), s, env.clock);
  },
  inbound: ebayInbound,
  // The emulator (emulators/ebay) is loaded only here, when the demo starts.
  demo: async () => (await import('./demo.ts')).ebayDemo,
};
