// Is a webhook delivery Shopify's, for this channel's shop? (channels.md §1). The HMAC covers
// the raw body only, keyed with the app's client secret (`settings.webhook_secret`); the shop
// domain header must name the channel's shop. Checks run in a fixed order: Shopify's required
// headers (a delivery without them is not Shopify's at all), then the secret, the signature and
// the shop (forged).

import type { Delivery, Settings, Verified, VerifyFailed } from '../kind.ts';
import { bodyTime, REQUIRED_HEADERS, SHOPIFY_HEADERS, verifyShopifyHmac } from './webhooks.ts';

/** How Shopify spells the headers, for problems. */
const SPELLING: Record<string, string> = {
  [SHOPIFY_HEADERS.hmac]: 'X-Shopify-Hmac-Sha256',
  [SHOPIFY_HEADERS.topic]: 'X-Shopify-Topic',
  [SHOPIFY_HEADERS.shopDomain]: 'X-Shopify-Shop-Domain',
  [SHOPIFY_HEADERS.webhookId]: 'X-Shopify-Webhook-Id',
};

export function verifyShopifyDelivery(d: Delivery, settings: Settings): Verified | VerifyFailed {
  const header = (name: string) => d.headers[name];
  for (const name of REQUIRED_HEADERS) {
    if (header(name) === undefined) return { ok: false, problem: 'missing', field: SPELLING[name]!, detail: `a Shopify webhook carries ${SPELLING[name]}` };
  }
  const forged = (detail: string, name: string): VerifyFailed => ({ ok: false, problem: 'forged', field: SPELLING[name]!, detail });
  const secret = settings.webhook_secret;
  const signature = header(SHOPIFY_HEADERS.hmac);
  if (typeof secret !== 'string' || secret === '') return forged('the channel has no settings.webhook_secret to verify webhooks with', SHOPIFY_HEADERS.hmac);
  if (!signature || !verifyShopifyHmac(d.raw, secret, signature)) return forged('the signature does not match the body and the channel\'s webhook_secret', SHOPIFY_HEADERS.hmac);
  const shop = header(SHOPIFY_HEADERS.shopDomain)!;
  const expected = typeof settings.shop_domain === 'string' ? settings.shop_domain.trim().toLowerCase() : '';
  if (shop.toLowerCase() !== expected) return forged(`the webhook is from ${shop}, not this channel's shop`, SHOPIFY_HEADERS.shopDomain);
  // The body's own time, not `X-Shopify-Triggered-At`: headers are not signed (see webhooks.ts).
  const sentAt = bodyTime(parseJson(d.raw));
  return { ok: true, deliveryId: header(SHOPIFY_HEADERS.webhookId)!, topic: header(SHOPIFY_HEADERS.topic)!, eventId: header(SHOPIFY_HEADERS.eventId) ?? null, sentAt };
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
