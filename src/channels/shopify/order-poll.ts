// The order poll: read the orders Shopify changed since the channel's cursor as the same
// `order_created` / `order_cancelled` events a webhook would have carried, so an order whose
// webhooks never arrived is still allocated (or cancelled). The kind-agnostic poll scheduler
// (src/channels/poll-scheduler.ts) applies them; every effect is idempotent on the order's id, so
// seeing an order again — on the poll and by webhook, or twice in one second — is harmless.
//
// Shopify stores `updated_at` in whole seconds, so the poll asks `updated_at:>='<cursor>'` (not
// `>`): changes later in the cursor's own second are not missed, and the orders seen twice apply
// nothing the second time.

import type { ChannelEvent, OrderFacts, OrderLineFacts } from '../../domain/channel-event.ts';
import type { PollPage } from '../kind.ts';
import type { ShopifyAnswer, ShopifyApi } from './client.ts';
import { lineKeys, toGid } from './webhooks.ts';
import { connectionCost } from './query-cost.ts';

/**
 * Orders per page and line items per order. A connection costs 2 + pageFactor(first) × one node
 * (query-cost.ts; the factor grows with the logarithm of the page size): a line with its variant
 * and inventory item is 2, an order with its retail location and 10 lines 1 + (2 + 5 × 2) = 13,
 * a page of 25 orders 2 + 6 × 13 = ORDERS_QUERY_COST (80) of the shop's 2,000-point bucket,
 * leaving room for the pushes sharing it. Larger orders page their lines separately
 * (`ORDER_LINES_QUERY`, 1 + 2 + 9 × 2 = ORDER_LINES_QUERY_COST, 21).
 */
export const ORDERS_PER_PAGE = 25;
export const LINES_PER_ORDER = 10;
export const MORE_LINES_PER_PAGE = 100;
const LINE_NODE_COST = 2;
export const ORDERS_QUERY_COST = connectionCost(ORDERS_PER_PAGE, 1 + connectionCost(LINES_PER_ORDER, LINE_NODE_COST));
export const ORDER_LINES_QUERY_COST = 1 + connectionCost(MORE_LINES_PER_PAGE, LINE_NODE_COST);
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

/** Whole seconds, as Shopify stores and compares times. */
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * Pages of the orders Shopify changed since the cursor (ms as a string; `since` on the first
 * poll: orders older than that are never allocated by the poll), each order as the same
 * `order_created` / `order_cancelled` event its webhook would have been. The cursor after a page
 * is the latest `updatedAt` on it; the scheduler stores it once the page's events are applied.
 */
export async function* shopifyOrderPages(api: ShopifyApi, cursor: string | null, since: number): AsyncGenerator<PollPage> {
  const parsed = cursor === null ? NaN : Number(cursor);
  let at = Number.isFinite(parsed) ? parsed : since;
  const query = `updated_at:>='${isoSeconds(at)}'`;
  let after: string | null = null;
  for (let page = 0; page < POLL_PAGES_MAX; page++) {
    const answer: ShopifyAnswer<{ orders: { nodes: OrderNode[]; pageInfo: PageInfo } }> = await api.query(ORDERS_QUERY, { first: ORDERS_PER_PAGE, after, query });
    if (!answer.ok) {
      yield failed(answer);
      return;
    }
    const events: ChannelEvent[] = [];
    for (const node of answer.data.orders.nodes) {
      const lines = await allLines(api, node);
      if (!Array.isArray(lines)) {
        yield failed(lines);
        return;
      }
      const updatedAt = Date.parse(node.updatedAt);
      const order = orderFacts(node, lines);
      events.push({ kind: order.cancelled ? 'order_cancelled' : 'order_created', occurredAt: updatedAt, order });
      if (Number.isFinite(updatedAt)) at = Math.max(at, updatedAt);
    }
    yield { ok: true, events, cursor: String(at) };
    const { hasNextPage, endCursor }: PageInfo = answer.data.orders.pageInfo;
    if (!hasNextPage || !endCursor) return;
    after = endCursor;
  }
}

type Failed = Exclude<ShopifyAnswer<unknown>, { ok: true }>;

function failed(answer: Failed): PollPage {
  return { ok: false, failure: answer.kind, retryAfterMs: answer.kind === 'throttled' ? answer.retryAfterMs : null, message: answer.message };
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
