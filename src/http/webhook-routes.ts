// Channel webhooks in: `POST /v1/channels/{id}/webhooks/shopify`. Shopify cannot send an API key,
// so the route opts out of key authentication (`config.apiKey: false`, see auth.ts) and proves the
// sender with the HMAC of the raw body instead — which is why it lives in a plugin of its own,
// with a JSON parser that keeps the bytes (the rest of the server parses JSON as usual).
//
// Order of checks: the channel (404), Shopify's required headers (400), the signature and the
// shop (401); then app/channel-ingest.ts dedupes (a redelivery answers 200 and does nothing),
// applies and receipts it, batched with the deliveries arriving meanwhile. A good delivery is
// answered 200 even when the ledger refused what it asked: the refusal is recorded (receipt
// outcome, an exception) because redelivering it would never help. Only a busy ledger or a store
// failure answers 5xx, so that Shopify delivers again.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { type ChannelContext, editSettings, RetryLater } from '../app/channel-events.ts';
import { channelForDelivery, ingestDelivery, type VerifiedDelivery } from '../app/channel-ingest.ts';
import type { Truestock } from '../app/truestock.ts';
import { TruestockError } from '../domain/errors.ts';
import { parseShopifyWebhook, REQUIRED_HEADERS, SHOPIFY_HEADERS, shopifyMapping, verifyShopifyHmac } from '../channels/shopify/webhooks.ts';

/**
 * The raw body, kept out of enumerable properties: the server's NUL-character check walks every
 * enumerable property of a body, which for a Buffer is every byte.
 */
class RawBody {
  readonly #bytes: Buffer;
  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }
  get bytes(): Buffer {
    return this.#bytes;
  }
}

const deliveryCounters = new WeakMap<Registry, Counter<'channel_kind' | 'result'>>();

/** Webhook deliveries by result: applied, ignored, duplicate, unauthorized, bad_request, not_found, busy. */
function deliveries(ts: Truestock): Counter<'channel_kind' | 'result'> {
  const registry = ts.metrics.registry;
  let counter = deliveryCounters.get(registry);
  if (!counter) {
    counter = new Counter({ name: 'truestock_webhook_deliveries_total', help: 'Channel webhook deliveries by result', labelNames: ['channel_kind', 'result'], registers: [registry] });
    deliveryCounters.set(registry, counter);
  }
  return counter;
}

/** How Shopify spells the headers, for problems. */
const SPELLING: Record<string, string> = {
  [SHOPIFY_HEADERS.hmac]: 'X-Shopify-Hmac-Sha256',
  [SHOPIFY_HEADERS.topic]: 'X-Shopify-Topic',
  [SHOPIFY_HEADERS.shopDomain]: 'X-Shopify-Shop-Domain',
  [SHOPIFY_HEADERS.webhookId]: 'X-Shopify-Webhook-Id',
};

const params = { type: 'object', additionalProperties: false, properties: { id: { type: 'string', minLength: 1, maxLength: 100, description: 'The channel id' } }, required: ['id'] } as const;

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
}

export function registerWebhookRoutes(app: FastifyInstance, ts: Truestock): void {
  void app.register(async (hooks) => {
    hooks.removeContentTypeParser('application/json');
    hooks.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, new RawBody(body as Buffer)));

    hooks.post<{ Params: { id: string } }>('/channels/:id/webhooks/shopify', {
      config: { apiKey: false },
      schema: {
        tags: ['channels'],
        summary: 'Shopify webhook receiver: orders, cancellations, refunds, inventory levels (signed with the channel\'s webhook_secret; no API key)',
        security: [],
        params,
      },
    }, (req, reply) => receive(ts, req, reply));
  });
}

async function receive(ts: Truestock, req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
  const count = (result: string) => deliveries(ts).inc({ channel_kind: 'shopify', result });
  const channel = await channelForDelivery(ts, req.params.id);
  if (!channel || channel.kind !== 'shopify') {
    count('not_found');
    throw TruestockError.of('not_found', `no Shopify channel ${req.params.id}`);
  }
  for (const name of REQUIRED_HEADERS) {
    if (header(req, name) === undefined) {
      count('bad_request');
      throw TruestockError.of('validation_failed', `a Shopify webhook carries ${SPELLING[name]}`, SPELLING[name]);
    }
  }
  const shopDomain = header(req, SHOPIFY_HEADERS.shopDomain)!;
  const reject = (why: string, field: string) => {
    count('unauthorized');
    req.log.warn({ channel: channel.id, shop_domain: shopDomain, why }, 'webhook rejected');
    return TruestockError.of('webhook_signature_invalid', why, field);
  };
  const secret = channel.settings.webhook_secret;
  const signature = header(req, SHOPIFY_HEADERS.hmac);
  const raw = req.body instanceof RawBody ? req.body.bytes : Buffer.alloc(0);
  if (typeof secret !== 'string' || secret === '') throw reject(`channel ${channel.id} has no settings.webhook_secret to verify webhooks with`, SPELLING[SHOPIFY_HEADERS.hmac]!);
  if (!signature || !verifyShopifyHmac(raw, secret, signature)) throw reject('the signature does not match the body and the channel\'s webhook_secret', SPELLING[SHOPIFY_HEADERS.hmac]!);
  const expected = typeof channel.settings.shop_domain === 'string' ? channel.settings.shop_domain.trim().toLowerCase() : '';
  if (shopDomain.toLowerCase() !== expected) throw reject(`the webhook is from ${shopDomain}, not this channel's shop`, SPELLING[SHOPIFY_HEADERS.shopDomain]!);

  const webhookId = header(req, SHOPIFY_HEADERS.webhookId)!;
  const topic = header(req, SHOPIFY_HEADERS.topic)!;
  const triggered = header(req, SHOPIFY_HEADERS.triggeredAt);
  const triggeredAt = triggered === undefined || Number.isNaN(Date.parse(triggered)) ? null : Date.parse(triggered);
  const eventId = header(req, SHOPIFY_HEADERS.eventId) ?? null;
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    body = undefined;
  }
  const parsed = parseShopifyWebhook({ topic, eventId: eventId ?? webhookId, triggeredAt }, body);
  const cx: ChannelContext = { channel, mapping: shopifyMapping(channel.settings), ...editSettings(channel.settings), log: req.log };
  // Signed by Shopify, so redelivering an unreadable body would not make it readable: it is
  // receipted as ignored and answered 200.
  const delivery: VerifiedDelivery = { cx, deliveryId: webhookId, topic, eventId, triggeredAt, events: parsed.ok ? [parsed.event] : [], ...(parsed.ok ? {} : { ignored: parsed.ignored }) };
  let result;
  try {
    result = await ingestDelivery(ts, delivery);
  } catch (err) {
    if (!(err instanceof RetryLater)) throw err;
    count('busy');
    throw TruestockError.of('busy', `${err.message}; Shopify will deliver again`);
  }
  if (result.status === 'duplicate') {
    count('duplicate');
    return reply.code(200).send({ status: 'duplicate', outcome: result.outcome });
  }
  if (!parsed.ok && parsed.ignored.startsWith('unreadable')) req.log.warn({ channel: channel.id, topic, webhook_id: webhookId, why: parsed.ignored }, 'webhook ignored');
  count(parsed.ok ? 'applied' : 'ignored');
  return reply.code(200).send({ status: 'ok', outcome: result.outcome });
}
