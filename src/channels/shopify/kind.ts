// Shopify as a channel kind (channels.md §1): compare-and-set pushes through the Admin GraphQL
// API, signed webhooks for orders, refunds and level edits, and an order poll as the safety net.

import { checkStringSetting } from '../../domain/listing-rules.ts';
import type { ChannelKindSpec } from '../kind.ts';
import { budgetedApi } from './budgeted-api.ts';
import { shopifyApi, shopifySettings } from './client.ts';
import { verifyShopifyDelivery } from './delivery.ts';
import { SHOPIFY_LISTING } from './identity.ts';
import { SHOPIFY_STOCK_FILE } from './inventory-csv.ts';
import { shopifyOrderPages } from './order-poll.ts';
import { shopifyConnector } from './push.ts';
import { parseShopifyWebhook, shopifyMapping } from './webhooks.ts';

export const shopify: ChannelKindSpec = {
  name: 'shopify',
  label: 'Shopify',
  listing: SHOPIFY_LISTING,
  settings: {
    // Credentials may come later; `connect()` says what a connection still lacks.
    check: (settings, field) => checkStringSetting(settings, 'shop_domain', field),
    secrets: ['access_token', 'webhook_secret'],
    account: (s) => (typeof s.shop_domain === 'string' ? s.shop_domain.trim().toLowerCase() : null),
  },
  // Webhooks arrive within seconds; Shopify applies a set quantity at once.
  lags: { inboundSeconds: 5, outboundSeconds: 5 },
  // `updated_at` and the poll's filters have whole seconds.
  timeResolutionMs: 1_000,
  capabilities: { compareAndSet: true, asyncSubmissions: false, readBack: true, webhooks: true, polling: true },
  connect(settings, env) {
    const s = shopifySettings(settings);
    return 'code' in s ? s : shopifyConnector(shopifyApi(s, env.fetch), s);
  },
  inbound: {
    mapping: shopifyMapping,
    webhook: {
      verify: verifyShopifyDelivery,
      parse(delivery, body) {
        const parsed = parseShopifyWebhook({ topic: delivery.topic, eventId: delivery.eventId ?? delivery.deliveryId }, body);
        return parsed.ok ? { ok: true, events: [parsed.event] } : parsed;
      },
    },
    poll: {
      defaultIntervalSeconds: 60,
      async *pages(env) {
        const s = shopifySettings(env.settings);
        if ('code' in s) {
          yield { ok: false, failure: 'permanent', retryAfterMs: null, message: s.detail };
          return;
        }
        // The poll's queries draw on the same per-app bucket as the pushes.
        yield* shopifyOrderPages(budgetedApi(shopifyApi(s, env.fetch), { spend: (cost) => env.spend(cost), observe: env.observe }), env.cursor, env.since);
      },
    },
  },
  stockFile: SHOPIFY_STOCK_FILE,
  // The emulator (emulators/shopify) is loaded only here, when the demo starts.
  demo: async () => (await import('./demo.ts')).shopifyDemo,
};
