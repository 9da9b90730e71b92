// The safety net under Square's webhooks: orders read with SearchOrders (`POST /v2/orders/search`
// through the SDK), so a sale or a return whose event never arrived still reaches the ledger.
// Webhooks stay the fast path (seconds); this poll runs every minute by default.
//
// The cursor is the `updated_at` of the newest order seen (RFC 3339). A poll asks for orders of
// the channel's store locations updated since it — inclusive, sorted oldest first — and follows
// Square's own cursor page by page; an order seen twice (on the boundary, or by webhook and poll)
// applies once, every effect being idempotent per order. The first poll starts when the channel
// was connected.

import { serialization } from 'square';
import type { ChannelEvent } from '../../domain/channel-event.ts';
import type { PollEnv, PollPage } from '../kind.ts';
import { squareApi, squareFailure } from './client.ts';
import { squareSettings } from './settings.ts';
import { atStoreLocations, eventsOfOrder, readBody } from './webhooks.ts';

/** How often a Square channel's orders are polled when its settings do not say. */
export const SQUARE_POLL_SECONDS_DEFAULT = 60;
/** Orders per SearchOrders page (Square: 500 by default, at most 1,000). */
export const SQUARE_ORDERS_PER_PAGE = 100;
/** Locations per SearchOrders call (Square's limit). */
export const SQUARE_SEARCH_LOCATIONS_MAX = 10;
/** Pages one poll reads at most; the rest waits for the next poll, from the cursor reached. */
const PAGES_PER_POLL_MAX = 50;

export async function* squareOrderPages(env: PollEnv): AsyncIterable<PollPage> {
  const s = squareSettings(env.settings);
  if ('code' in s) {
    yield { ok: false, failure: 'permanent', retryAfterMs: null, message: s.detail };
    return;
  }
  const api = squareApi(s, env);
  const locationIds = Object.keys(s.locations);
  // One query per poll, from the cursor: pages move nothing until the last, whose cursor is the
  // newest order every group of (up to 10) locations has reached.
  const after = env.cursor ?? new Date(env.since).toISOString();
  const reached: string[] = [];
  for (let g = 0; g < locationIds.length; g += SQUARE_SEARCH_LOCATIONS_MAX) {
    const group = locationIds.slice(g, g + SQUARE_SEARCH_LOCATIONS_MAX);
    const last = g + SQUARE_SEARCH_LOCATIONS_MAX >= locationIds.length;
    let newest = after;
    let cursor: string | undefined;
    for (let page = 0; ; page++) {
      if (!(await env.spend(1))) {
        yield { ok: false, failure: 'throttled', retryAfterMs: null, message: 'the channel\'s budget cannot fit an order search' };
        return;
      }
      let orders: Record<string, unknown>[];
      try {
        const res = await api.client.orders.search({
          locationIds: group,
          query: { filter: { dateTimeFilter: { updatedAt: { startAt: after } }, stateFilter: { states: ['OPEN', 'COMPLETED', 'CANCELED'] } }, sort: { sortField: 'UPDATED_AT', sortOrder: 'ASC' } },
          limit: SQUARE_ORDERS_PER_PAGE,
          ...(cursor ? { cursor } : {}),
        }, api.call);
        orders = (res.orders ?? []).map((o) => serialization.Order.jsonOrThrow(o, { unrecognizedObjectKeys: 'passthrough' }) as unknown as Record<string, unknown>);
        cursor = res.cursor ?? undefined;
      } catch (err) {
        const f = squareFailure(err, env.clock.now());
        yield { ok: false, failure: f.failure, retryAfterMs: f.retryAfterMs, message: f.message };
        return;
      }
      const events: ChannelEvent[] = [];
      for (const o of orders) {
        // An order truestock cannot read is skipped here; its webhook says why, once.
        const parsed = atStoreLocations(readBody(() => ({ ok: true, events: eventsOfOrder(o, 'order.updated', null) })), env.settings);
        if (parsed.ok) events.push(...parsed.events);
        if (typeof o.updated_at === 'string' && Date.parse(o.updated_at) > Date.parse(newest)) newest = o.updated_at;
      }
      const done = !cursor || page + 1 >= PAGES_PER_POLL_MAX;
      if (done) reached.push(newest);
      const oldest = reached.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a), newest);
      yield { ok: true, events, cursor: done && last ? oldest : after };
      if (done) break;
    }
  }
}
