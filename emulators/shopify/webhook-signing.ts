// What is Shopify's own in a webhook delivery (the kit's WebhookSender does the rest: ids,
// retries, faults, waiting out an outage): the headers — the HMAC-SHA256 of the raw body with the
// client secret, base64, and the topic, shop, API version, ids and time in Shopify's header names —
// and which topics a subscription may name.

import { createHmac } from 'node:crypto';
import type { DeliveryInfo } from '../kit/index.ts';
import { invalid } from './errors.ts';
import { WEBHOOK_TOPICS, type WebhookTopic } from './types.ts';

export interface SigningSettings {
  shopDomain: string;
  clientSecret: string;
  apiVersion: string;
}

/** The `sign` of the kit's WebhookSender: every header of a Shopify delivery. */
export function shopifySigner(s: SigningSettings): (body: string, d: DeliveryInfo) => Record<string, string> {
  return (body, d) => ({
    'User-Agent': 'Shopify-Captain-Hook',
    'X-Shopify-Topic': d.topic,
    'X-Shopify-Hmac-Sha256': createHmac('sha256', s.clientSecret).update(body, 'utf8').digest('base64'),
    'X-Shopify-Shop-Domain': s.shopDomain,
    'X-Shopify-API-Version': s.apiVersion,
    // Per subscription and event, the same on every retry and duplicate.
    'X-Shopify-Webhook-Id': d.deliveryId,
    // Per event, shared by its deliveries to every subscription.
    'X-Shopify-Event-Id': d.eventId,
    'X-Shopify-Triggered-At': new Date(d.at).toISOString(),
  });
}

/** The topics of a subscription: a non-empty array of Shopify topics the emulator sends. */
export function checkTopics(topics: readonly string[]): WebhookTopic[] {
  if (!Array.isArray(topics) || topics.length === 0) throw invalid('topics must be a non-empty array');
  for (const t of topics) if (!(WEBHOOK_TOPICS as readonly string[]).includes(t)) throw invalid(`unknown topic ${JSON.stringify(t)}; known: ${WEBHOOK_TOPICS.join(', ')}`);
  return topics as WebhookTopic[];
}
