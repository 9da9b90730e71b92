// Square's order events name the order and nothing of what was sold (the SDK's `OrderCreated` and
// `OrderUpdated`: id, version, location, state). A POS sale must still reach the ledger within
// seconds, so the webhook's events are read from Square: `GET /v2/orders/{order_id}` through the
// official SDK, the order as it is now (a later state than the event's is only more up to date:
// every effect is idempotent per order and only moves forward). The route calls this instead of
// the pure `parse` (kind.ts `parseWith`); a count update needs nothing from Square unless
// the channel adopts hand edits (then what moved the count is looked up: count-causes.ts).
//
// The read is not drawn from the channel's push budget (the route has none); it is one call per
// sale, far below what a till rings up. If Square cannot be read now it throws, the route answers
// 503, and Square delivers the event again.
//
// Square sends every subscription all of the merchant's events: only those at the channel's own
// store locations are kept (`atStoreLocations`), so a channel per store sees its store alone.

import { serialization, SquareError } from 'square';
import { editSettings } from '../../domain/sync-rules.ts';
import type { Parsed, Verified, WebhookEnv } from '../kind.ts';
import { squareApi, squareFailure } from './client.ts';
import { withoutTillCounts } from './count-causes.ts';
import { squareSettings } from './settings.ts';
import { atStoreLocations, catalogObjectOfKeys, eventsOfOrder, orderNamedOnly, parseSquareWebhook, readBody } from './webhooks.ts';

/** The events of a delivery, reading the order from Square when the event names it only; only those of the channel's store locations. */
export async function parseSquareFromChannel(delivery: Verified, body: unknown, env: WebhookEnv): Promise<Parsed> {
  const parsed = atStoreLocations(await readEvents(delivery, body, env), env.settings);
  // Under adopt, a count a till sale moved is its order's to report (count-causes.ts).
  if (delivery.topic !== 'inventory.count.updated' || editSettings(env.settings).editPolicy !== 'adopt') return parsed;
  const s = squareSettings(env.settings);
  if ('code' in s) return parsed;
  if (parsed.ok && parsed.events.some((e) => e.kind === 'level_updated') && env.spend && !(await env.spend(1))) throw new Error('no budget to read what moved the counts from Square now');
  return withoutTillCounts(parsed, squareApi(s, env), (e) => (e.kind === 'level_updated' ? catalogObjectOfKeys(e.level.keys) : null), () => env.clock.now());
}

async function readEvents(delivery: Verified, body: unknown, env: WebhookEnv): Promise<Parsed> {
  const orderId = orderNamedOnly(delivery.topic, body);
  if (orderId === null) return parseSquareWebhook(delivery, body);
  const s = squareSettings(env.settings);
  if ('code' in s) return { ok: false, ignored: `${delivery.topic} names order ${orderId}, which cannot be read: ${s.detail}` };
  const api = squareApi(s, env);
  // The read shares the channel's one budget with pushes; none soon: Square delivers again.
  if (env.spend && !(await env.spend(1))) throw new Error(`no budget to read order ${orderId} from Square now`);
  let order: Record<string, unknown>;
  try {
    const got = await api.client.orders.get({ orderId }, api.call);
    if (!got.order) return { ok: false, ignored: `Square has no order ${orderId}` };
    order = serialization.Order.jsonOrThrow(got.order, { unrecognizedObjectKeys: 'passthrough' }) as unknown as Record<string, unknown>;
  } catch (err) {
    if (err instanceof SquareError && err.statusCode === 404) return { ok: false, ignored: `Square has no order ${orderId}` };
    const f = squareFailure(err, env.clock.now());
    throw new Error(`reading order ${orderId} from Square failed (${f.failure}): ${f.message}`);
  }
  const createdAt = typeof (body as { created_at?: unknown }).created_at === 'string' ? Date.parse((body as { created_at: string }).created_at) : NaN;
  return readBody(() => {
    const events = eventsOfOrder(order, delivery.topic, Number.isNaN(createdAt) ? null : createdAt);
    return events.length > 0 ? { ok: true, events } : { ok: false, ignored: `order ${orderId} is a draft: not a sale yet` };
  });
}
