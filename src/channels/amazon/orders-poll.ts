// The order poll: Orders API 2026-01-01 `searchOrders` (v0 `getOrders` is deprecated) from a
// stored `lastUpdatedAfter`, each order as the same `order_created` / `order_cancelled` event a
// notification would carry. Every effect is idempotent on Amazon's order id and order item ids,
// so an order seen twice — by two polls, or by a poll and a notification — applies once.
//
// No order changed at a boundary is missed:
// - the model does not say how `searchOrders` sorts, so the window's start (`after`) moves only
//   when a read has reached its last page; until then the cursor keeps the window and the
//   `paginationToken`, and a poll that stopped (failure, page limit) carries on from there, or
//   reads the window again from its start when Amazon no longer takes the token;
// - `lastUpdatedAfter` is inclusive and Amazon keeps whole seconds, so the next window starts at
//   a second already read, never after it;
// - Amazon answers `lastUpdatedBefore` only for times at least two minutes old: a change younger
//   than that may not be searchable yet. So the next window starts no later than two minutes
//   (`SETTLE_MS`) before the read began (our clock) and no later than the newest change the read
//   saw (Amazon's clock, so a clock ahead of Amazon's skips nothing). Orders of those two minutes
//   are read again.
// - That overlap costs at most one more page: it never reaches back past the page's worth of
//   newest changes the read saw (`ORDERS_PER_PAGE`). Without that bound a burst of 2,000 orders
//   within two minutes would be read twice, 20 calls more at one call every 180 s: an hour in
//   which no new order gets in. The cost of the bound: in a burst of more than a page within two
//   minutes, a change Amazon makes searchable only after a read that saw a page of later changes
//   is missed by the poll (a relayed notification still brings it).
//
// Budget: `searchOrders` refills one call every 180 s with a burst of 20. A poll reads pages while
// the budget has them; once a call had to wait for its token, the poll stops after that page and
// the next poll carries on, so a backlog never holds the scheduler for more than one wait.

import type { ChannelEvent, OrderLineFacts } from '../../domain/channel-event.ts';
import type { BudgetReport, Failure } from '../../sync/connector.ts';
import { count, FULFILLMENT_STATUS, isObject, isoSeconds, lineFacts, ORDER_LINES_MAX, orderFacts, statusTime, str, time } from './order-facts.ts';
import type { SpAnswer, SpGet } from './sp-get.ts';

export const SEARCH_ORDERS = 'searchOrders';
export const SEARCH_ORDERS_PATH = '/orders/2026-01-01/orders';
/** The most the model allows: fewest calls of a budget of one call every 180 s (0.0056 r/s, burst 20). */
export const ORDERS_PER_PAGE = 100;
/** Pages one poll reads at most: the burst, so a backlog of 2,000 orders gets in at once. */
export const ORDER_PAGES_PER_POLL_MAX = 20;
/** A spend that waited this long means the budget is empty: stop after this page (see the header). */
export const SPEND_WAITED_MS = 1_000;
/** Amazon answers only for changes at least this old (`lastUpdatedBefore` ≥ 2 min before now). */
export const SETTLE_MS = 120_000;
/** A refused `paginationToken` (expired) restarts the window at most this often in one poll. */
const TOKEN_RESTARTS_MAX = 1;

/** Where the order poll stands: the window's start, and a read of it under way. */
export interface OrdersCursor {
  /** `lastUpdatedAfter` (ms, whole seconds) of the window being read. */
  after: number;
  /** The next page of the read under way; absent: the next poll starts a read of `after`. */
  token?: string;
  /** When the read under way began (our clock). */
  readAt?: number;
  /** The newest `lastUpdatedTime`s the read under way has seen (at most `ORDERS_PER_PAGE`, newest first). */
  recent?: number[];
}

export interface OrderPollDeps {
  get: SpGet;
  spend(cost: number, budget: string): Promise<boolean>;
  observe(report: BudgetReport): void;
  now(): number;
  marketplaceIds: readonly string[];
}

export type OrderPage =
  | { ok: true; events: ChannelEvent[]; cursor: OrdersCursor }
  | { ok: false; failure: Failure; retryAfterMs: number | null; message: string };

/** Pages of orders changed in the cursor's window, oldest read first; each with the cursor after it. */
export async function* amazonOrderPages(deps: OrderPollDeps, start: OrdersCursor): AsyncGenerator<OrderPage> {
  let at: OrdersCursor = start.token ? { ...start } : { after: start.after, readAt: deps.now() };
  let restarts = 0;
  for (let page = 0; page < ORDER_PAGES_PER_POLL_MAX; page++) {
    const asked = deps.now();
    if (!(await deps.spend(1, SEARCH_ORDERS))) {
      yield { ok: false, failure: 'permanent', retryAfterMs: null, message: `one ${SEARCH_ORDERS} call costs more than its whole budget` };
      return;
    }
    const waited = deps.now() - asked >= SPEND_WAITED_MS;
    const answer = await deps.get(SEARCH_ORDERS, SEARCH_ORDERS_PATH, searchQuery(deps.marketplaceIds, at));
    if (answer.budget) deps.observe({ ...answer.budget, budget: SEARCH_ORDERS });
    if (!answer.ok) {
      // A token Amazon no longer takes is answered 400: read the window again from its start.
      if (at.token !== undefined && answer.status === 400 && restarts < TOKEN_RESTARTS_MAX) {
        restarts++;
        at = { after: at.after, readAt: deps.now() };
        continue;
      }
      yield failed(answer);
      return;
    }
    const read = readPage(answer.body);
    if (typeof read === 'string') {
      yield { ok: false, failure: 'transient', retryAfterMs: null, message: `${SEARCH_ORDERS} answered what truestock cannot read: ${read}` };
      return;
    }
    const recent = newestTimes(at.recent ?? [], read.times);
    if (read.nextToken) {
      at = { after: at.after, token: read.nextToken, readAt: at.readAt ?? deps.now(), recent };
      yield { ok: true, events: read.events, cursor: at };
      if (waited) return;
      continue;
    }
    at = { after: nextWindow(at.after, at.readAt ?? deps.now(), recent) };
    yield { ok: true, events: read.events, cursor: at };
    return;
  }
}

/** The newest `ORDERS_PER_PAGE` of two lists of times, newest first. */
function newestTimes(kept: number[], more: number[]): number[] {
  return [...kept, ...more].sort((a, b) => b - a).slice(0, ORDERS_PER_PAGE);
}

const second = (ms: number) => Math.floor(ms / 1000) * 1000;

/**
 * The next window's start after a complete read (see the header): two minutes before the read
 * began, but no later than the newest change it saw, and no earlier than a page's worth of its
 * newest changes.
 */
export function nextWindow(after: number, readAt: number, recent: readonly number[]): number {
  if (recent.length === 0) return after;
  const overlapFrom = Math.min(second(readAt - SETTLE_MS), second(recent[0]!));
  const pageBack = recent.length >= ORDERS_PER_PAGE ? second(recent[ORDERS_PER_PAGE - 1]!) : -Infinity;
  return Math.max(after, overlapFrom, pageBack);
}

export function searchQuery(marketplaceIds: readonly string[], at: OrdersCursor) {
  return {
    lastUpdatedAfter: isoSeconds(at.after),
    marketplaceIds,
    maxResultsPerPage: ORDERS_PER_PAGE,
    // The fulfilment status and who fulfils are in FULFILLMENT; lines come with every order.
    includedData: ['FULFILLMENT'],
    ...(at.token !== undefined ? { paginationToken: at.token } : {}),
  };
}

function failed(answer: Extract<SpAnswer, { ok: false }>): OrderPage {
  return { ok: false, failure: answer.failure, retryAfterMs: answer.retryAfterMs, message: `${SEARCH_ORDERS}: ${answer.message}` };
}

interface ReadPage {
  events: ChannelEvent[];
  /** `lastUpdatedTime` of every order on the page (ms). */
  times: number[];
  nextToken: string | null;
}


/**
 * A `SearchOrdersResponse` as events, or why it cannot be read. An order is never left out: one
 * without what the model requires (its id, times, items) fails the page — the poll stops there,
 * its failure shown in the channel's poll health, and tries again — rather than being skipped for
 * good; a status truestock does not know counts as a sale (`UNKNOWN_STATUS`).
 */
export function readPage(body: unknown): ReadPage | string {
  if (!isObject(body) || !Array.isArray(body.orders)) return 'the answer has no orders list';
  const events: ChannelEvent[] = [];
  const times: number[] = [];
  for (const [i, o] of body.orders.entries()) {
    const event = orderEvent(o);
    if (typeof event === 'string') return `orders[${i}]: ${event}`;
    events.push(event.event);
    times.push(event.updated);
  }
  const pagination = isObject(body.pagination) ? body.pagination : {};
  return { events, times, nextToken: str(pagination.nextToken) };
}

/**
 * A status Amazon may add after these models: the order was placed and not cancelled as far as
 * truestock knows, so its units are allocated rather than sold twice.
 */
export const UNKNOWN_STATUS = FULFILLMENT_STATUS.UNSHIPPED!;

/** One `Order` of the 2026-01-01 model as its event and its `lastUpdatedTime`, or why it cannot be read. */
export function orderEvent(o: unknown): { event: ChannelEvent; updated: number } | string {
  if (!isObject(o)) return 'not an object';
  const orderId = str(o.orderId);
  if (orderId === null) return 'no orderId';
  const updated = time(o.lastUpdatedTime);
  if (updated === null) return `order ${orderId}: lastUpdatedTime is not a time`;
  if (!Array.isArray(o.orderItems) || o.orderItems.length > ORDER_LINES_MAX) return `order ${orderId}: orderItems must be a list of at most ${ORDER_LINES_MAX}`;
  const fulfillment = isObject(o.fulfillment) ? o.fulfillment : null;
  const meaning = FULFILLMENT_STATUS[String(fulfillment?.fulfillmentStatus)] ?? UNKNOWN_STATUS;
  const marketplaceId = isObject(o.salesChannel) ? str(o.salesChannel.marketplaceId) : null;
  const lines: OrderLineFacts[] = [];
  for (const [i, item] of o.orderItems.entries()) {
    const id = isObject(item) ? str(item.orderItemId) : null;
    const quantity = isObject(item) ? count(item.quantityOrdered) : null;
    if (id === null || quantity === null) return `order ${orderId}: orderItems[${i}] needs an orderItemId and a whole quantityOrdered`;
    const product = isObject(item) && isObject(item.product) ? item.product : {};
    lines.push(lineFacts(id, quantity, str(product.sellerSku), marketplaceId));
  }
  const order = orderFacts(orderId, meaning, fulfillment?.fulfilledBy === 'AMAZON', marketplaceId, lines);
  return { event: { kind: order.cancelled ? 'order_cancelled' : 'order_created', occurredAt: statusTime(updated, meaning), order }, updated };
}
