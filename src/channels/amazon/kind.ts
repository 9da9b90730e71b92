// Amazon (SP-API) as a channel kind (channels.md §2): merchant-fulfilled quantities per seller SKU
// and marketplace, pushed through Listings Items `patchListingsItem` or, for large batches, a
// JSON_LISTINGS_FEED — both applied by Amazon later, so pushes are followed as submissions until a
// read-back or the processing report shows the number.
//
// The client is our own small fetch client (`sp-api.ts`), not the `@sp-api-sdk/*` packages: those
// run on axios with their own 429 retries and a hard-coded Login with Amazon URL, and cannot take
// the injected fetch and clock the deterministic kernel and the in-process emulator need.

import type { ChannelKindSpec } from '../kind.ts';
import { amazonInbound } from './inbound.ts';
import { AMAZON_LISTING } from './order-facts.ts';
import { AMAZON_POLL_SECONDS_DEFAULT } from './poll.ts';
import { SETTLE_MS } from './orders-poll.ts';
import { amazonConnector } from './push.ts';
import { amazonSettings, checkAmazonSetting } from './settings.ts';
import { spApi } from './sp-api.ts';

export const amazon: ChannelKindSpec = {
  name: 'amazon',
  label: 'Amazon',
  // The marketplace is part of the listing, so the seller id alone is the account.
  listing: AMAZON_LISTING,
  settings: {
    // Credentials may come later; `connect()` says what a connection still lacks.
    check: checkAmazonSetting,
    secrets: ['refresh_token', 'client_secret', 'notification_secret'],
    account: (s) => (typeof s.seller_id === 'string' ? s.seller_id.trim() : null),
  },
  // Orders are polled under very low rate limits (searchOrders refills one call every 180 s) and
  // Amazon answers only for changes at least 2 minutes old, so a sale reaches truestock up to one
  // poll interval plus those 2 minutes late; listing updates are accepted and applied minutes later.
  lags: { inboundSeconds: AMAZON_POLL_SECONDS_DEFAULT + SETTLE_MS / 1000, outboundSeconds: 900 },
  timeResolutionMs: 1_000,
  // No compare-and-set: a patch sets the number, whatever Amazon shows. Webhooks are relayed
  // ORDER_CHANGE notifications; polling reads orders and FBA stock.
  capabilities: { compareAndSet: false, asyncSubmissions: true, readBack: true, webhooks: true, polling: true },
  connect(settings, env) {
    const s = amazonSettings(settings);
    return 'code' in s ? s : amazonConnector(spApi(s, env), s, env.clock);
  },
  // Orders (searchOrders), FBA stock (getInventorySummaries) and relayed ORDER_CHANGE
  // notifications (inbound.ts); their SP-API calls spend the channel's budgets by operation name.
  inbound: amazonInbound,
  // The emulator (emulators/amazon) is loaded only here, when the demo starts.
  demo: async () => (await import('./demo.ts')).amazonDemo,
};
