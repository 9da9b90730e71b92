// Channel webhooks in: one route for every kind, `POST /v1/channels/{id}/webhooks`. A channel
// cannot send an API key, so the route opts out of key authentication (`config.apiKey: false`,
// see auth.ts) and the channel's kind proves the sender instead (a signature over the raw body,
// and whatever else the kind checks) — which is why it lives in a plugin of its own, with a JSON
// parser that keeps the bytes (the rest of the server parses JSON as usual).
//
// Order of checks: the channel and whether its kind takes webhooks, the kind's required headers,
// its proof; then app/channel-ingest.ts dedupes (a redelivery answers 200 and does nothing),
// applies and receipts it, batched with the deliveries arriving meanwhile. Every failure of the
// first three answers alike — one 401 `webhook_signature_invalid`, one detail, no field — so the
// route tells nobody which channel ids exist or what kind they are (a channel id is its webhook
// address); why it failed goes to the log and to the deliveries metric.
// A good delivery is answered 200 even when the ledger refused what it asked: the refusal is
// recorded (receipt outcome, an exception) because redelivering it would never help. Only a busy
// ledger or a store failure answers 5xx, so that the channel delivers again.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { RetryLater } from '../app/channel-events.ts';
import { channelForDelivery, ingestDelivery } from '../app/channel-ingest.ts';
import type { Truestock } from '../app/truestock.ts';
import { channelContext } from '../channels/context.ts';
import type { Delivery } from '../channels/kind.ts';
import { KINDS, kindOf } from '../channels/registry.ts';
import { TruestockError } from '../domain/errors.ts';
import { described, object, oneOf, str } from './response-schemas.ts';

/**
 * How long a delivery may wait for the channel's budget to read what it names (eBay's order,
 * Square's order): past it the delivery is answered 503 and delivered again. Well inside the
 * channels' delivery timeouts (Square's 10 s).
 */
export const WEBHOOK_READ_WAIT_MAX_MS = 3_000;

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

const id = { type: 'string', minLength: 1, maxLength: 100, description: 'The channel id' } as const;
const params = { type: 'object', additionalProperties: false, properties: { id }, required: ['id'] } as const;
const legacyParams = {
  type: 'object', additionalProperties: false, required: ['id', 'kind'],
  properties: { id, kind: { type: 'string', minLength: 1, maxLength: 40, description: 'The channel\'s kind (the address before one route served every kind)' } },
} as const;

/** What a verified delivery is answered, whatever the channel's kind. */
const deliveryAnswer = {
  200: described('The delivery was verified and receipted (applied, ignored, or refused by the ledger and recorded), or was a redelivery of one that was', object({
    status: oneOf(['ok', 'duplicate'], 'duplicate: a redelivery, answered with the first delivery\'s outcome and applied no second time'),
    outcome: str('What the receipt says: the outcome of each event of the delivery, comma-separated, or `ignored: <why>`'),
  })),
};

/** What the channel's check is answered: each kind that checks declares its own answer. */
function challengeAnswers(): Record<string, unknown> {
  const answers = KINDS.flatMap((k) => {
    const webhook = k.inbound?.webhook;
    if (!webhook?.challenge) return [];
    if (!webhook.challengeAnswer) throw new Error(`channel kind ${k.name} answers a webhook challenge but declares no challengeAnswer schema`);
    return [webhook.challengeAnswer];
  });
  if (answers.length === 0) return {};
  const description = "The answer to the channel's check, in the form its kind defines";
  return { 200: { ...(answers.length === 1 ? answers[0]! : { anyOf: answers }), description } };
}

export function registerWebhookRoutes(app: FastifyInstance, ts: Truestock): void {
  void app.register(async (hooks) => {
    hooks.removeContentTypeParser('application/json');
    hooks.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, new RawBody(body as Buffer)));
    const common = { tags: ['channels'], security: [] } as const;

    hooks.post<{ Params: { id: string } }>('/channels/:id/webhooks', {
      config: { apiKey: false },
      schema: {
        ...common,
        summary: 'Channel webhook receiver: orders, cancellations, refunds, levels and listing problems, verified by the channel\'s kind (its signature and secret from the channel\'s settings; no API key)',
        params,
        response: deliveryAnswer,
      },
    }, (req, reply) => receive(ts, req, reply, null));

    hooks.post<{ Params: { id: string; kind: string } }>('/channels/:id/webhooks/:kind', {
      config: { apiKey: false },
      schema: { ...common, summary: 'The same receiver under the address that names the channel\'s kind (kept for subscriptions made before one route served every kind)', params: legacyParams, response: deliveryAnswer },
    }, (req, reply) => receive(ts, req, reply, req.params.kind));

    hooks.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>('/channels/:id/webhooks', {
      config: { apiKey: false },
      schema: {
        ...common,
        summary: 'The channel\'s check of this address before it delivers (a GET with a challenge code), answered by the channel\'s kind from its settings; 404 for a kind that sends none',
        params,
        // `properties: {}`: without it the OpenAPI document reads the schema's own keywords as parameters.
        querystring: { type: 'object', properties: {}, additionalProperties: { type: 'string', maxLength: 1000 } },
        response: challengeAnswers(),
      },
    }, async (req, reply) => {
      const channel = await channelForDelivery(ts, req.params.id);
      const challenge = channel ? kindOf(channel.kind).inbound?.webhook?.challenge : undefined;
      const answer = channel && challenge ? challenge(req.query, `${req.protocol}://${req.host}${req.url.split('?')[0]}`, channel.settings) : null;
      if (!answer) throw TruestockError.of('not_found', `channel ${req.params.id} answers no webhook challenge`);
      return reply.code(answer.status).send(answer.body);
    });
  });
}

/** What the route answers to every delivery it cannot verify, whatever the reason (see the header). */
export const UNVERIFIED_DETAIL = 'the delivery is not signed for a channel at this address';

function unverified(): TruestockError {
  return TruestockError.of('webhook_signature_invalid', UNVERIFIED_DETAIL);
}

/** Headers as the kinds read them: lower-case names, one trimmed value each, empty as absent. */
function headersOf(req: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, v] of Object.entries(req.headers)) {
    const s = Array.isArray(v) ? v[0] : v;
    if (typeof s === 'string' && s.trim() !== '') out[name.toLowerCase()] = s.trim();
  }
  return out;
}

async function receive(ts: Truestock, req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, kindInPath: string | null) {
  const channel = await channelForDelivery(ts, req.params.id);
  const webhook = channel ? kindOf(channel.kind).inbound?.webhook : undefined;
  const count = (result: string) => deliveries(ts).inc({ channel_kind: channel?.kind ?? 'unknown', result });
  if (!channel || !webhook || (kindInPath !== null && kindInPath !== channel.kind)) {
    count('not_found');
    req.log.warn({ channel: req.params.id, why: channel && !webhook ? `${channel.kind} takes no webhooks` : `no ${kindInPath ?? ''} channel that takes webhooks` }, 'webhook rejected');
    throw unverified();
  }
  const raw = req.body instanceof RawBody ? req.body.bytes : Buffer.alloc(0);
  const delivery: Delivery = { raw, headers: headersOf(req), url: `${req.protocol}://${req.host}${req.url}` };
  const env = { clock: ts.clock, fetch: ts.fetchImpl ?? fetch };
  const verified = webhook.verifyWith ? await webhook.verifyWith(delivery, channel.settings, env) : webhook.verify(delivery, channel.settings);
  if (!verified.ok) {
    count(verified.problem === 'missing' ? 'bad_request' : 'unauthorized');
    req.log.warn({ channel: channel.id, field: verified.field, why: verified.detail }, 'webhook rejected');
    throw unverified();
  }

  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    body = undefined;
  }
  let parsed;
  try {
    const spend = (cost: number, budget?: string) => ts.sync.trySpend(channel.id, cost, budget, WEBHOOK_READ_WAIT_MAX_MS);
    parsed = webhook.parseWith ? await webhook.parseWith(verified, body, { ...env, settings: channel.settings, spend }) : webhook.parse(verified, body);
  } catch (err) {
    if (!webhook.parseWith) throw err;
    // The channel could not be read now (down, throttled): nothing applied, it delivers again.
    count('busy');
    req.log.warn({ channel: channel.id, topic: verified.topic, delivery_id: verified.deliveryId, err }, 'webhook events could not be read from the channel');
    throw TruestockError.of('busy', `the delivery's events could not be read from ${channel.kind}: ${err instanceof Error ? err.message : String(err)}; the channel will deliver again`);
  }
  // Signed by the channel, so redelivering an unreadable body would not make it readable: it is
  // receipted as ignored and answered 200. The receipt comes last (in ingestDelivery): a crash
  // before it leaves the delivery unanswered, the channel delivers it again, and every effect is
  // idempotent on the event's own ids.
  let result;
  try {
    result = await ingestDelivery(ts, {
      cx: channelContext(channel, req.log), deliveryId: verified.deliveryId, topic: verified.topic, eventId: verified.eventId, triggeredAt: verified.sentAt,
      events: parsed.ok ? parsed.events : [], ...(parsed.ok ? {} : { ignored: parsed.ignored }),
    });
  } catch (err) {
    if (!(err instanceof RetryLater)) throw err;
    count('busy');
    throw TruestockError.of('busy', `${err.message}; the channel will deliver again`);
  }
  if (result.status === 'duplicate') {
    count('duplicate');
    return reply.code(200).send({ status: 'duplicate', outcome: result.outcome });
  }
  if (!parsed.ok && parsed.ignored.startsWith('unreadable')) req.log.warn({ channel: channel.id, topic: verified.topic, delivery_id: verified.deliveryId, why: parsed.ignored }, 'webhook ignored');
  count(parsed.ok ? 'applied' : 'ignored');
  return reply.code(200).send({ status: 'ok', outcome: result.outcome });
}
