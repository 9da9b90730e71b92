// The order poll (channels.md §3 "Orders"): `GET /v3/orders` by `lastModifiedStartDate` from a
// stored cursor, following `list.meta.nextCursor` (a ready-made query string) page by page; each
// purchase order read into events (order-facts.ts), idempotent on Walmart's PO and line numbers,
// so an order seen twice — by two polls, or a poll and a webhook — applies once. Then new orders
// are acknowledged (`POST /v3/orders/{po}/acknowledge`).
//
// - The window's start moves only when a read reached its last page; until then the cursor keeps
//   the window and `nextCursor`, and the next poll carries on from there (or reads the window
//   again when Walmart no longer takes it: a 400 on a continued page).
// - The next window starts SETTLE_MS before the read began and no later than the newest change it
//   saw, so an order Walmart indexes a little late is read again rather than missed.
// - Acknowledgement comes only after the poll's pages were applied (the scheduler applies a page
//   before the generator goes on), so an order Walmart considers taken is one truestock has
//   recorded. POs waiting to be acknowledged travel in the cursor until Walmart took the
//   acknowledgement (or refused it for good: a cancelled or already-acknowledged PO), so a failed
//   or postponed one is tried again at the next poll and never dropped.
// - Budgets: `orders` per page, `acknowledge` per PO. A poll stops reading pages once a call had
//   to wait for its token, and acknowledges for at most ACK_POLL_MS after its pages; the next poll
//   carries on.

import type { ChannelEvent } from '../../domain/channel-event.ts';
import type { Failure } from '../../sync/connector.ts';
import type { PollEnv, PollPage } from '../kind.ts';
import { segment, type WalmartApi } from './client.ts';
import { isObject, readOrder } from './order-facts.ts';

export const ORDERS_PATH = '/v3/orders';
/** The model's largest page (`limit` "cannot be larger than 200"). */
export const ORDERS_PER_PAGE = 200;
/** Pages one poll reads at most. */
export const ORDER_PAGES_PER_POLL_MAX = 10;
/** Orders changed this long before a read began are read again by the next one. */
export const SETTLE_MS = 60_000;
/** A spend that waited this long means the budget is empty: stop after this call. */
export const SPEND_WAITED_MS = 1_000;
/** Acknowledgements one poll sends at most (the rest wait in the cursor). */
export const ACKS_PER_POLL_MAX = 200;
/** A poll acknowledges for at most this long (waiting on the budget), so a backlog never holds the scheduler long. */
export const ACK_POLL_MS = 30_000;

export interface OrdersCursor {
  /** `lastModifiedStartDate` (ms) of the window being read. */
  after: number;
  /** The query string of the next page of the read under way (`list.meta.nextCursor`). */
  next?: string;
  /** When the read under way began (our clock). */
  readAt?: number;
  /** The newest change the read under way has seen (ms). */
  newest?: number;
  /** POs recorded and not yet acknowledged. */
  ack: string[];
}

/** The kind's cursor text (JSON); anything else (an old or hand-set cursor) starts again at `since`. */
export function parseCursor(text: string | null, since: number): OrdersCursor {
  const fresh: OrdersCursor = { after: since, ack: [] };
  if (text === null) return fresh;
  try {
    const c = JSON.parse(text) as Partial<OrdersCursor>;
    if (typeof c.after !== 'number' || !Number.isFinite(c.after)) return fresh;
    const out: OrdersCursor = { after: c.after, ack: Array.isArray(c.ack) ? c.ack.filter((x): x is string => typeof x === 'string') : [] };
    if (typeof c.next === 'string' && typeof c.readAt === 'number') {
      out.next = c.next;
      out.readAt = c.readAt;
      if (typeof c.newest === 'number') out.newest = c.newest;
    }
    return out;
  } catch {
    return fresh;
  }
}

export const formatCursor = (c: OrdersCursor): string => JSON.stringify(c);

const iso = (ms: number) => new Date(ms).toISOString();

/** The next window's start after a complete read (see the header). */
export function nextWindow(after: number, readAt: number, newest: number | undefined): number {
  if (newest === undefined) return after;
  return Math.max(after, Math.min(readAt - SETTLE_MS, newest));
}

/** The query of a `nextCursor` (`?limit=…&hasMoreElements=true&soIndex=…`). */
export function cursorQuery(next: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(next.startsWith('?') ? next.slice(1) : next));
}

interface Page {
  events: ChannelEvent[];
  newest: number | undefined;
  acks: string[];
  next: string | null;
}

/** A `getAllOrders` answer as events, or why it cannot be read (an order is never skipped: the page fails). */
export function readOrdersPage(body: unknown): Page | string {
  const list = isObject(body) && isObject(body.list) ? body.list : null;
  if (!list) return 'the answer has no list';
  const elements = isObject(list.elements) ? list.elements : {};
  const orders = elements.order ?? [];
  if (!Array.isArray(orders)) return 'list.elements.order is not a list';
  const events: ChannelEvent[] = [];
  const acks: string[] = [];
  let newest: number | undefined;
  for (const [i, o] of orders.entries()) {
    const read = readOrder(o);
    if (typeof read === 'string') return `list.elements.order[${i}]: ${read}`;
    events.push(...read.events);
    if (read.needsAck) acks.push(read.purchaseOrderId);
    if (newest === undefined || read.modifiedAt > newest) newest = read.modifiedAt;
  }
  const meta = isObject(list.meta) ? list.meta : {};
  const next = typeof meta.nextCursor === 'string' && meta.nextCursor !== '' && orders.length > 0 ? meta.nextCursor : null;
  return { events, newest, acks, next };
}

type Failed = Extract<PollPage, { ok: false }>;
const failed = (failure: Failure, retryAfterMs: number | null, message: string): Failed => ({ ok: false, failure, retryAfterMs, message });

/** Pages of one poll from the stored cursor. */
export async function* walmartOrderPages(env: PollEnv, api: WalmartApi): AsyncGenerator<PollPage> {
  const cursor = parseCursor(env.cursor, env.since);
  const page = (events: ChannelEvent[]): PollPage => ({ ok: true, events, cursor: formatCursor(cursor) });

  if (cursor.next === undefined) cursor.readAt = env.clock.now();
  let restarted = false;
  for (let n = 0; n < ORDER_PAGES_PER_POLL_MAX; n++) {
    const asked = env.clock.now();
    if (!(await env.spend(1, 'orders'))) return yield failed('permanent', null, 'one getAllOrders call costs more than its whole budget');
    const waited = env.clock.now() - asked >= SPEND_WAITED_MS;
    const query = cursor.next !== undefined ? cursorQuery(cursor.next) : { lastModifiedStartDate: iso(cursor.after), limit: String(ORDERS_PER_PAGE) };
    const answer = await api.call<unknown>('orders', { method: 'GET', path: ORDERS_PATH, query });
    if (!answer.ok) {
      // A nextCursor Walmart no longer takes: read the window again from its start, once.
      if (cursor.next !== undefined && answer.status === 400 && !restarted) {
        restarted = true;
        delete cursor.next;
        delete cursor.newest;
        cursor.readAt = env.clock.now();
        continue;
      }
      // No orders in the window: Walmart answers 404 ("no orders found") rather than an empty list.
      if (answer.status === 404 && answer.errors.every((e) => /CONTENT_NOT_FOUND|NOT_FOUND/i.test(e.code))) {
        finishRead(cursor, undefined);
        return yield page([]);
      }
      return yield failed(answer.failure, answer.retryAfterMs, `getAllOrders: ${answer.message}`);
    }
    const read = readOrdersPage(answer.data);
    if (typeof read === 'string') return yield failed('transient', null, `getAllOrders answered what truestock cannot read: ${read}`);
    const newest = read.newest === undefined ? cursor.newest : Math.max(read.newest, cursor.newest ?? -Infinity);
    cursor.ack = [...new Set([...cursor.ack, ...read.acks])];
    if (read.next !== null) {
      cursor.next = read.next;
      if (newest !== undefined) cursor.newest = newest;
    } else {
      finishRead(cursor, newest);
    }
    yield page(read.events);
    if (read.next === null || waited) break;
  }
  // Every page was applied: what they recorded (and what earlier polls could not) is acknowledged.
  const before = cursor.ack.length;
  const ackFailed = await acknowledge(env, api, cursor);
  if (ackFailed) return yield ackFailed;
  if (cursor.ack.length !== before) yield page([]);
}

function finishRead(cursor: OrdersCursor, newest: number | undefined): void {
  cursor.after = nextWindow(cursor.after, cursor.readAt ?? cursor.after, newest);
  delete cursor.next;
  delete cursor.newest;
  delete cursor.readAt;
}

/**
 * Acknowledge what waits in the cursor, within the budget; it keeps what is still to do. A PO
 * Walmart refuses for good (already acknowledged, cancelled, unknown: a 4xx) is done. Returns a
 * failure only for refused credentials (the channel pauses).
 */
async function acknowledge(env: PollEnv, api: WalmartApi, cursor: OrdersCursor): Promise<Failed | null> {
  const deadline = env.clock.now() + ACK_POLL_MS;
  for (let sent = 0; cursor.ack.length > 0 && sent < ACKS_PER_POLL_MAX && env.clock.now() < deadline; sent++) {
    const po = cursor.ack[0]!;
    if (!(await env.spend(1, 'acknowledge'))) return null;
    const a = await api.call<unknown>('acknowledge', { method: 'POST', path: `${ORDERS_PATH}/${segment(po)}/acknowledge` });
    if (!a.ok && a.failure === 'auth') return failed('auth', null, `acknowledgeOrders: ${a.message}`);
    // Throttled or failing: try again at the next poll.
    if (!a.ok && (a.failure === 'throttled' || a.failure === 'transient')) return null;
    cursor.ack.shift();
  }
  return null;
}
