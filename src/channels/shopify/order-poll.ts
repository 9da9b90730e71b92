// The order poll: read the orders Shopify changed since the channel's cursor and apply each one as
// the same `order_created` / `order_cancelled` event a webhook would have been, so an order whose
// webhooks never arrived is still allocated (or cancelled). Every effect is idempotent on the
// order's id, so seeing an order again — on the poll and by webhook, or twice in one second — is
// harmless. The serve loop calls `pollOrders` every N seconds; this module starts no timers.
//
// Shopify stores `updated_at` in whole seconds, so the poll asks `updated_at:>='<cursor>'` (not
// `>`): changes later in the cursor's own second are not missed, and the orders seen twice apply
// nothing the second time.

import { type ChannelContext, type ChannelEvent, editSettings, type EventLog, type OrderFacts, type OrderLineFacts, RetryLater } from '../../app/channel-events.ts';
import { applyOrderEvents } from '../../app/channel-ingest.ts';
import type { Truestock } from '../../app/truestock.ts';
import type { Channel } from '../../domain/listing-rules.ts';
import { advancePollCursor, pollCursorOf } from '../../store/channel-event-repo.ts';
import { type ShopifyAnswer, type ShopifyApi, shopifyApi, shopifySettings } from './client.ts';
import { lineKeys, shopifyMapping, toGid } from './webhooks.ts';

/**
 * Orders per page and line items per order. A query's requested cost is 2 + orders × (1 + 2 +
 * lines × 2) points (a line with its variant and inventory item is 2): 25 × 10 asks 577 of
 * Shopify's 1,000-point maximum and leaves the bucket room for the pushes sharing it. Larger
 * orders page their lines separately (`ORDER_LINES_QUERY`, 203 points).
 */
export const ORDERS_PER_PAGE = 25;
export const LINES_PER_ORDER = 10;
export const MORE_LINES_PER_PAGE = 100;
/** Pages one poll reads before returning (the next poll carries on from the cursor). */
export const POLL_PAGES_MAX = 20;

type OrderEvent = Extract<ChannelEvent, { order: OrderFacts }>;

const LINE_FIELDS = 'id sku quantity variant { id inventoryItem { id } }';

export const ORDERS_QUERY = /* GraphQL */ `
  query TruestockOrderPoll($first: Int!, $after: String, $query: String!) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes {
        id name updatedAt cancelledAt
        retailLocation { id }
        lineItems(first: ${LINES_PER_ORDER}) { nodes { ${LINE_FIELDS} } pageInfo { hasNextPage endCursor } }
      }
      pageInfo { hasNextPage endCursor }
    }
  }`;

export const ORDER_LINES_QUERY = /* GraphQL */ `
  query TruestockOrderLines($id: ID!, $after: String) {
    order(id: $id) { lineItems(first: ${MORE_LINES_PER_PAGE}, after: $after) { nodes { ${LINE_FIELDS} } pageInfo { hasNextPage endCursor } } }
  }`;

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
interface LineNode {
  id: string;
  sku: string | null;
  quantity: number;
  variant: { id: string; inventoryItem: { id: string } | null } | null;
}
interface OrderNode {
  id: string;
  name: string;
  updatedAt: string;
  cancelledAt: string | null;
  retailLocation: { id: string } | null;
  lineItems: { nodes: LineNode[]; pageInfo: PageInfo };
}

export interface PollResult {
  /** `ok`: read to the end (or to `POLL_PAGES_MAX`); otherwise why it stopped — the cursor keeps what was applied. */
  status: 'ok' | 'throttled' | 'failed' | 'busy' | 'not_configured';
  orders: number;
  /** Outcome counts: `allocated`, `cancelled`, `no_change`, … */
  outcomes: Record<string, number>;
  /** The cursor after this poll (ms), or null when the channel has none. */
  cursor: number | null;
  /** Throttled: wait at least this long before polling again. */
  retryAfterMs?: number | null;
  error?: string;
}

export interface PollOptions {
  fetch?: typeof fetch;
  log?: EventLog;
  /** A client to use instead of one built from the channel's settings (tests). */
  api?: ShopifyApi;
}

/** Whole seconds, as Shopify stores and compares times. */
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * Poll one Shopify channel's orders changed since its cursor (or since `since`, ms, when the
 * channel has never been polled: orders older than that are never allocated by the poll) and
 * apply them. The cursor moves after each page is applied.
 */
export async function pollOrders(ts: Truestock, channel: Pick<Channel, 'id' | 'workspaceId' | 'kind' | 'name' | 'settings'>, since: number, opts: PollOptions = {}): Promise<PollResult> {
  const result: PollResult = { status: 'ok', orders: 0, outcomes: {}, cursor: null };
  const settings = shopifySettings(channel.settings);
  if (channel.kind !== 'shopify' || 'code' in settings) {
    return { ...result, status: 'not_configured', error: 'code' in settings ? settings.detail : `${channel.kind} is not a Shopify channel` };
  }
  const api = opts.api ?? shopifyApi(settings, opts.fetch);
  const cx: ChannelContext = { channel, mapping: shopifyMapping(channel.settings), ...editSettings(channel.settings), ...(opts.log ? { log: opts.log } : {}) };
  const start = (await ts.store.read((db) => pollCursorOf(db, channel.id))) ?? since;
  result.cursor = start;
  const query = `updated_at:>='${isoSeconds(start)}'`;
  let after: string | null = null;
  for (let page = 0; page < POLL_PAGES_MAX; page++) {
    const answer: ShopifyAnswer<{ orders: { nodes: OrderNode[]; pageInfo: PageInfo } }> = await api.query(ORDERS_QUERY, { first: ORDERS_PER_PAGE, after, query });
    if (!answer.ok) return stopped(result, answer);
    let cursor: number = result.cursor!;
    const events: OrderEvent[] = [];
    for (const node of answer.data.orders.nodes) {
      const lines = await allLines(api, node);
      if (!Array.isArray(lines)) return stopped(result, lines);
      const order = orderFacts(node, lines);
      events.push({ kind: order.cancelled ? 'order_cancelled' : 'order_created', occurredAt: Date.parse(node.updatedAt), order });
    }
    // The page is applied as one batch (channel-ingest.ts): a few transactions for all its orders.
    const applied = await applyOrderEvents(ts, cx, events);
    for (const [k, a] of applied.entries()) {
      if (!a.ok) {
        // The ledger was busy: stop here; the cursor still names this page, so the next poll retries it.
        if (a.error instanceof RetryLater) return { ...result, status: 'busy', error: a.error.message };
        throw a.error;
      }
      result.orders++;
      result.outcomes[a.outcome] = (result.outcomes[a.outcome] ?? 0) + 1;
      if (Number.isFinite(events[k]!.occurredAt)) cursor = Math.max(cursor, events[k]!.occurredAt);
    }
    await ts.store.transaction((db) => advancePollCursor(db, channel.workspaceId, channel.id, cursor, ts.clock.now()));
    result.cursor = cursor;
    const { hasNextPage, endCursor }: PageInfo = answer.data.orders.pageInfo;
    if (!hasNextPage || !endCursor) break;
    after = endCursor;
  }
  return result;
}

type Failed = Exclude<ShopifyAnswer<unknown>, { ok: true }>;

function stopped(result: PollResult, answer: Failed): PollResult {
  if (answer.kind === 'throttled') return { ...result, status: 'throttled', retryAfterMs: answer.retryAfterMs, error: answer.message };
  return { ...result, status: 'failed', error: `${answer.kind}: ${answer.message}` };
}

/** An order's line items: the first page came with the order; the rest are paged here. */
async function allLines(api: ShopifyApi, node: OrderNode): Promise<LineNode[] | Failed> {
  const lines = [...node.lineItems.nodes];
  let info = node.lineItems.pageInfo;
  while (info.hasNextPage && info.endCursor) {
    const answer = await api.query<{ order: { lineItems: { nodes: LineNode[]; pageInfo: PageInfo } } | null }>(ORDER_LINES_QUERY, { id: node.id, after: info.endCursor });
    if (!answer.ok) return answer;
    if (!answer.data.order) break;
    lines.push(...answer.data.order.lineItems.nodes);
    info = answer.data.order.lineItems.pageInfo;
  }
  return lines;
}

/** A polled order as the facts its webhook would have carried. */
export function orderFacts(node: OrderNode, lines: LineNode[]): OrderFacts {
  const locationId = toGid('Location', node.retailLocation?.id ?? null);
  return {
    orderId: toGid('Order', node.id) ?? node.id,
    name: node.name || null,
    locationId,
    cancelled: node.cancelledAt !== null,
    lines: lines.filter((l) => l.quantity > 0).map((l): OrderLineFacts => ({
      lineId: toGid('LineItem', l.id) ?? l.id,
      quantity: l.quantity,
      sku: l.sku || null,
      ...lineKeys(toGid('ProductVariant', l.variant?.id ?? null), toGid('InventoryItem', l.variant?.inventoryItem?.id ?? null), [locationId]),
    })),
  };
}
