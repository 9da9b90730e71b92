// The order poll: Sell Fulfillment `getOrders` with `filter=lastmodifieddate:[<after>..]`, paged
// by `offset` (200 a page, the most eBay allows), each order as the same `order_created` /
// `order_cancelled` event an ORDER_CONFIRMATION notification leads to. Every effect is idempotent
// on eBay's order id and line item ids, so an order seen twice applies once.
//
// - The filter's `[ ] { |` must be percent-encoded (channels.md §4); `ordersQuery` does it.
// - Cancellations are read from the order itself (`cancelStatus`). `getOrders` always answers
//   `cancelRequests` empty, so an order whose `cancelState` is IN_PROGRESS is fetched with
//   `getOrder` to see whether a request completed (order-facts.ts; any state other than
//   NONE_REQUESTED and CANCELED counts as under way).
// - The cursor keeps the window's start (`after`) and, while a read is under way, the next
//   `offset`; the start moves only when a read has reached its last page. The next window starts
//   at the newest `lastModifiedDate` the read saw, but no later than two minutes before the read
//   began (`EBAY_ORDERS_SETTLE_MS`): a change eBay indexes a little late is read again rather
//   than missed. Orders of that overlap are read twice and apply once.
// - Offsets over a list that changes while it is read may show an order twice or (rarely) skip
//   one at a page boundary; the overlap reads such an order again on the next poll, and the
//   notification of a new order is the faster path anyway.
//
// Budget: each call (a page, a getOrder) spends one token of the channel's Fulfillment budget.

import type { ChannelEvent } from '../../domain/channel-event.ts';
import type { PollEnv, PollPage, PollSpec } from '../kind.ts';
import { type EbayApi, ebayApi, FULFILLMENT, segment } from './api.ts';
import { cancelInPlay, isObject, isoMillis, orderEvent } from './order-facts.ts';
import { EBAY_BUDGET_FULFILLMENT } from './push.ts';
import { ebaySettings } from './settings.ts';

/** How often orders are polled when `settings.poll_seconds` does not say (ORDER_CONFIRMATION notifications are the faster path). */
export const EBAY_POLL_SECONDS_DEFAULT = 60;
/** `limit` of a getOrders page: the most eBay allows. */
export const EBAY_ORDERS_PER_PAGE = 200;
/** Pages one poll reads at most; the next poll carries on from the stored offset. */
export const EBAY_ORDER_PAGES_PER_POLL_MAX = 10;
/** How far before the read began the next window starts at the latest (see the header). */
export const EBAY_ORDERS_SETTLE_MS = 120_000;

export interface OrdersCursor {
  /** `lastmodifieddate` lower bound (ms) of the window being read. */
  after: number;
  /** The next page's offset of the read under way; absent: the next poll starts a read of `after`. */
  offset?: number;
  /** When the read under way began (our clock). */
  readAt?: number;
  /** The newest `lastModifiedDate` the read under way has seen. */
  newest?: number;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The kind's cursor text (JSON); anything else starts again at `since`. */
export function parseCursor(text: string | null, since: number): OrdersCursor {
  if (text === null) return { after: since };
  try {
    const c = JSON.parse(text) as Partial<OrdersCursor>;
    if (!finite(c.after)) return { after: since };
    if (!(Number.isSafeInteger(c.offset) && c.offset! >= 0 && finite(c.readAt))) return { after: c.after };
    return { after: c.after, offset: c.offset!, readAt: c.readAt!, ...(finite(c.newest) ? { newest: c.newest } : {}) };
  } catch {
    return { after: since };
  }
}

/** eBay's filter value, percent-encoded: `[ ] { | ` and spaces escaped, `:` and `.` kept as eBay's examples show them. */
export function encodeFilter(filter: string): string {
  return encodeURIComponent(filter).replace(/%3A/gi, ':');
}

/** The getOrders query of one page. */
export function ordersQuery(after: number, offset: number): string {
  return `filter=${encodeFilter(`lastmodifieddate:[${isoMillis(after)}..]`)}&limit=${EBAY_ORDERS_PER_PAGE}&offset=${offset}`;
}

/** The next window's start after a complete read (see the header). */
export function nextWindow(after: number, readAt: number, newest: number | undefined): number {
  return Math.max(after, Math.min(readAt - EBAY_ORDERS_SETTLE_MS, newest ?? Infinity));
}

type Failed = Extract<PollPage, { ok: false }>;

/** Pages of orders changed since the cursor's window start, each with the cursor after it. */
export async function* ebayOrderPages(env: Pick<PollEnv, 'cursor' | 'since' | 'spend' | 'clock'>, api: EbayApi): AsyncGenerator<PollPage> {
  const start = parseCursor(env.cursor, env.since);
  let at: Required<Pick<OrdersCursor, 'offset' | 'readAt'>> & OrdersCursor = start.offset !== undefined ? (start as Required<Pick<OrdersCursor, 'offset' | 'readAt'>> & OrdersCursor) : { after: start.after, offset: 0, readAt: env.clock.now() };
  const spend = async (): Promise<Failed | null> =>
    (await env.spend(1, EBAY_BUDGET_FULFILLMENT)) ? null : { ok: false, failure: 'permanent', retryAfterMs: null, message: 'one Fulfillment call costs more than the channel\'s whole budget' };

  for (let page = 0; page < EBAY_ORDER_PAGES_PER_POLL_MAX; page++) {
    const broke = await spend();
    if (broke) return yield broke;
    const res = await api.call<{ orders?: unknown; total?: unknown; next?: unknown }>({ method: 'GET', path: `${FULFILLMENT}/order`, query: ordersQuery(at.after, at.offset) });
    if (!res.ok) return yield { ok: false, failure: res.failure, retryAfterMs: res.retryAfterMs, message: `getOrders: ${res.message}` };
    const orders = isObject(res.data) && Array.isArray(res.data.orders) ? res.data.orders : null;
    if (orders === null) return yield { ok: false, failure: 'transient', retryAfterMs: null, message: 'getOrders answered without an orders list' };
    const events: ChannelEvent[] = [];
    let newest = at.newest;
    for (const [i, listed] of orders.entries()) {
      let o = listed;
      // cancelRequests are only in getOrder: read the order when a cancellation is under way.
      if (isObject(listed) && cancelInPlay(listed) && typeof listed.orderId === 'string') {
        const broke2 = await spend();
        if (broke2) return yield broke2;
        const one = await api.call<unknown>({ method: 'GET', path: `${FULFILLMENT}/order/${segment(listed.orderId)}` });
        if (!one.ok) return yield { ok: false, failure: one.failure, retryAfterMs: one.retryAfterMs, message: `getOrder ${listed.orderId}: ${one.message}` };
        o = one.data;
      }
      // An order truestock cannot read fails the page (shown in the poll's health, tried again), never skipped for good.
      const read = orderEvent(o);
      if (typeof read === 'string') return yield { ok: false, failure: 'transient', retryAfterMs: null, message: `getOrders answered what truestock cannot read: orders[${i}]: ${read}` };
      events.push(read.event);
      newest = Math.max(newest ?? -Infinity, read.modified);
    }
    const total = isObject(res.data) && typeof res.data.total === 'number' ? res.data.total : null;
    const more = orders.length > 0 && (typeof (res.data as { next?: unknown }).next === 'string' || (total !== null && at.offset + orders.length < total));
    if (more) {
      at = { ...at, offset: at.offset + orders.length, ...(newest !== undefined ? { newest } : {}) };
      yield { ok: true, events, cursor: JSON.stringify(at) };
      continue;
    }
    yield { ok: true, events, cursor: JSON.stringify({ after: nextWindow(at.after, at.readAt, newest) } satisfies OrdersCursor) };
    return;
  }
}

export const ebayPoll: PollSpec = {
  defaultIntervalSeconds: EBAY_POLL_SECONDS_DEFAULT,
  async *pages(env) {
    const s = ebaySettings(env.settings);
    if ('code' in s) {
      yield { ok: false, failure: 'permanent', retryAfterMs: null, message: s.detail };
      return;
    }
    yield* ebayOrderPages(env, ebayApi(s, env));
  },
};
