// Square as the store's POS (channels.md §5): a retail store location whose stock the till sells
// from directly. Counts are pushed with the official `square` SDK (`batch-create`, PHYSICAL_COUNT)
// and read back with `counts/batch-retrieve`; the till's sales and returns and the counts they
// leave arrive as signed webhooks. A POS sale is never refused: the till already took it.

import type { ChannelKindSpec } from '../kind.ts';
import { squareApi } from './client.ts';
import { SQUARE_LISTING } from './identity.ts';
import { parseSquareFromChannel } from './order-fetch.ts';
import { SQUARE_POLL_SECONDS_DEFAULT, squareOrderPages } from './poll.ts';
import { squareConnector } from './push.ts';
import { checkSquareSetting, squareSettings } from './settings.ts';
import { parseSquareWebhook, squareMapping, verifySquareDelivery } from './webhooks.ts';

export const square: ChannelKindSpec = {
  name: 'square',
  label: 'Square',
  listing: SQUARE_LISTING,
  settings: {
    // Credentials may come later; `connect()` says what a connection still lacks.
    check: checkSquareSetting,
    secrets: ['access_token', 'signature_key'],
    account: (s) => (typeof s.merchant_id === 'string' ? s.merchant_id.trim() : null),
  },
  // Webhooks arrive within seconds; Square applies a batch of counts at once.
  lags: { inboundSeconds: 5, outboundSeconds: 5 },
  // RFC 3339 times with milliseconds.
  timeResolutionMs: 1,
  // No compare-and-set (an idempotency key only). The till's sales and counts arrive as webhooks;
  // a SearchOrders poll catches a sale whose event never came.
  capabilities: { compareAndSet: false, asyncSubmissions: false, readBack: true, webhooks: true, polling: true },
  // Pickup in store is the store's own count: the channel's number is its mapped locations'
  // available unless a rule says otherwise, and a physical count never puts the network's stock on
  // the store's shelf.
  defaultLocations: 'mapped',
  connect(settings, env) {
    const s = squareSettings(settings);
    return 'code' in s ? s : squareConnector(squareApi(s, env), s, env.clock);
  },
  inbound: {
    mapping: squareMapping,
    // Order events name the order only: the route reads it from Square (order-fetch.ts).
    webhook: { verify: verifySquareDelivery, parse: parseSquareWebhook, parseWith: parseSquareFromChannel },
    poll: { defaultIntervalSeconds: SQUARE_POLL_SECONDS_DEFAULT, pages: squareOrderPages },
  },
  // The emulator (emulators/square) is loaded only here, when the demo starts.
  demo: async () => (await import('./demo.ts')).squareDemo,
};
