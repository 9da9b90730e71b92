// A small stand-in for SP-API's order search and FBA summaries, for the poll's unit tests. Every
// request it receives is checked against Amazon's own models (orders_2026-01-01.json,
// fbaInventory.json) and so is every answer it gives, so the tests cannot pass on a shape only we
// believe in. Test-only.

import { type ApiModel, loadApiModel } from '../../../test/support/spec-validator.ts';
import { type SpAnswer, type SpGet, queryString, type SpQuery } from './sp-get.ts';

const SPECS = new URL('../../../../shared/specs/amazon-sp-api/', import.meta.url).pathname;
let ordersModel: ApiModel | null = null;
let fbaModel: ApiModel | null = null;
export const ordersApiModel = () => (ordersModel ??= loadApiModel(`${SPECS}orders_2026-01-01.json`));
export const fbaApiModel = () => (fbaModel ??= loadApiModel(`${SPECS}fbaInventory.json`));
export const ORDER_CHANGE_SCHEMA = `${SPECS}OrderChangeNotification.json`;
export const MFN_QUANTITY_CHANGE_SCHEMA = `${SPECS}ListingsItemMfnQuantityChange.json`;

export const MARKETPLACE = 'ATVPDKIKX0DER';
export const SELLER = 'A1SELLER';

export interface FakeOrderItem {
  orderItemId: string;
  sellerSku: string;
  quantity: number;
}

export interface FakeOrder {
  orderId: string;
  createdTime: number;
  lastUpdatedTime: number;
  status: string;
  fulfilledBy: 'MERCHANT' | 'AMAZON';
  marketplaceId: string;
  items: FakeOrderItem[];
}

/** An order as the 2026-01-01 model spells it (with `includedData=FULFILLMENT`). */
export function modelOrder(o: FakeOrder): Record<string, unknown> {
  return {
    orderId: o.orderId,
    createdTime: iso(o.createdTime),
    lastUpdatedTime: iso(o.lastUpdatedTime),
    salesChannel: { channelName: 'AMAZON', marketplaceId: o.marketplaceId, marketplaceName: 'Amazon.com' },
    fulfillment: { fulfillmentStatus: o.status, fulfilledBy: o.fulfilledBy },
    orderItems: o.items.map((i) => ({ orderItemId: i.orderItemId, quantityOrdered: i.quantity, product: { asin: 'B000000001', sellerSku: i.sellerSku } })),
  };
}

export interface FakeSummary {
  sellerSku: string;
  lastUpdatedTime: number;
  fulfillable: number;
  reserved: number;
  inbound: [number, number, number];
  unfulfillable: number;
  researching: number;
}

export function modelSummary(s: FakeSummary): Record<string, unknown> {
  return {
    asin: 'B000000001', fnSku: `X00${s.sellerSku}`, sellerSku: s.sellerSku, condition: 'NewItem', lastUpdatedTime: iso(s.lastUpdatedTime), productName: s.sellerSku,
    totalQuantity: s.fulfillable + s.reserved + s.inbound[0] + s.inbound[1] + s.inbound[2] + s.unfulfillable + s.researching,
    inventoryDetails: {
      fulfillableQuantity: s.fulfillable,
      inboundWorkingQuantity: s.inbound[0], inboundShippedQuantity: s.inbound[1], inboundReceivingQuantity: s.inbound[2],
      reservedQuantity: { totalReservedQuantity: s.reserved, pendingCustomerOrderQuantity: s.reserved, pendingTransshipmentQuantity: 0, fcProcessingQuantity: 0 },
      researchingQuantity: { totalResearchingQuantity: s.researching, researchingQuantityBreakdown: [{ name: 'researchingQuantityInShortTerm', quantity: s.researching }] },
      unfulfillableQuantity: { totalUnfulfillableQuantity: s.unfulfillable, customerDamagedQuantity: s.unfulfillable },
    },
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export interface Call {
  operation: string;
  url: string;
  at: number;
}

/**
 * The fake's world: orders become searchable `visibleAfterMs` after their change (Amazon's own
 * lag), pages are served in an order the model does not promise (newest first), page tokens and
 * FBA `nextToken`s expire, and a failure can be set for the next calls.
 */
export class FakeSpApi {
  orders = new Map<string, { order: FakeOrder; visibleAt: number }[]>();
  summaries = new Map<string, FakeSummary>();
  calls: Call[] = [];
  errors: string[] = [];
  /** Answers the next calls with these (status, failure), in turn; null answers as usual. */
  failNext: ({ status: number | null; failure: 'throttled' | 'transient' | 'auth' | 'permanent' } | null)[] = [];
  pageSize = 100;
  summariesPerPage = 50;
  /** A page token older than this is refused with 400 (FBA: 30 s, as documented). */
  tokenLifeMs = { orders: Infinity, fba: 30_000 };
  private tokens = new Map<string, { issuedAt: number; offset: number; key: string }>();
  private seq = 0;

  constructor(readonly now: () => number, readonly visibleAfterMs = 0) {}

  /** Record a change of an order (its new state), searchable after the fake's lag. */
  put(order: FakeOrder, visibleAfterMs = this.visibleAfterMs): void {
    const history = this.orders.get(order.orderId) ?? [];
    // A change is searchable after its own lag; search shows the latest change that is.
    const visibleAt = Math.max(this.now(), order.lastUpdatedTime) + visibleAfterMs;
    history.push({ order: { ...order, items: order.items.map((i) => ({ ...i })) }, visibleAt });
    this.orders.set(order.orderId, history);
  }

  /** What search shows of an order at `now`: its latest change that is visible. */
  private visible(now: number): FakeOrder[] {
    const out: FakeOrder[] = [];
    for (const history of this.orders.values()) {
      const seen = history.filter((h) => h.visibleAt <= now).at(-1);
      if (seen) out.push(seen.order);
    }
    return out;
  }

  readonly get: SpGet = async (operation, path, query) => {
    const url = `${path}${queryString(query)}`;
    this.calls.push({ operation, url, at: this.now() });
    const model = operation === 'searchOrders' ? ordersApiModel() : fbaApiModel();
    const check = model.validateRequest({ method: 'GET', url });
    if (check.operationId !== operation) this.errors.push(`${url} is ${String(check.operationId)}, not ${operation}`);
    this.errors.push(...check.errors.map((e) => `${url}: ${e}`));
    const failure = this.failNext.shift();
    if (failure) return this.answer(operation, failure.status ?? 503, { errors: [{ code: failure.failure === 'throttled' ? 'QuotaExceeded' : 'InternalFailure', message: failure.failure }] }, failure.failure);
    return operation === 'searchOrders' ? this.search(query) : this.inventory(query);
  };

  private answer(operation: string, status: number, body: unknown, failure?: 'throttled' | 'transient' | 'auth' | 'permanent'): SpAnswer {
    const model = operation === 'searchOrders' ? ordersApiModel() : fbaApiModel();
    this.errors.push(...model.validateResponse({ operationId: operation, status, body }));
    if (status === 200) return { ok: true, status, body, budget: { refillPerSecond: operation === 'searchOrders' ? 0.0056 : 2 } };
    return { ok: false, status, failure: failure ?? 'permanent', retryAfterMs: null, message: `${status}` };
  }

  private token(kind: 'orders' | 'fba', offset: number, key: string): string {
    const t = `${kind}-${++this.seq}`;
    this.tokens.set(t, { issuedAt: this.now(), offset, key });
    return t;
  }

  private redeem(kind: 'orders' | 'fba', token: string | undefined, key: string): number | 'expired' {
    if (token === undefined) return 0;
    const t = this.tokens.get(token);
    if (!t || t.key !== key || this.now() - t.issuedAt > this.tokenLifeMs[kind]) return 'expired';
    return t.offset;
  }

  private search(query: SpQuery): SpAnswer {
    const after = Date.parse(String(query.lastUpdatedAfter));
    const key = `${String(query.lastUpdatedAfter)}|${String(query.marketplaceIds)}`;
    const offset = this.redeem('orders', query.paginationToken as string | undefined, key);
    if (offset === 'expired') return this.answer('searchOrders', 400, { errors: [{ code: 'InvalidInput', message: 'Invalid paginationToken' }] });
    // The fake's read is of the whole result at the first page: later changes do not move pages.
    const all = this.visible(this.now()).filter((o) => o.lastUpdatedTime >= after).sort((a, b) => b.lastUpdatedTime - a.lastUpdatedTime || a.orderId.localeCompare(b.orderId));
    const size = Number(query.maxResultsPerPage ?? this.pageSize);
    const page = all.slice(offset, offset + size);
    const more = offset + size < all.length;
    return this.answer('searchOrders', 200, { orders: page.map(modelOrder), ...(more ? { pagination: { nextToken: this.token('orders', offset + size, key) } } : {}) });
  }

  private inventory(query: SpQuery): SpAnswer {
    const start = query.startDateTime === undefined ? -Infinity : Date.parse(String(query.startDateTime));
    const key = `${String(query.marketplaceIds)}|${String(query.startDateTime)}`;
    const offset = this.redeem('fba', query.nextToken as string | undefined, key);
    if (offset === 'expired') return this.answer('getInventorySummaries', 400, { errors: [{ code: 'InvalidInput', message: 'nextToken has expired' }] });
    const all = [...this.summaries.values()].filter((s) => s.lastUpdatedTime >= start).sort((a, b) => a.sellerSku.localeCompare(b.sellerSku));
    const page = all.slice(offset, offset + this.summariesPerPage);
    const more = offset + this.summariesPerPage < all.length;
    return this.answer('getInventorySummaries', 200, {
      payload: { granularity: { granularityType: 'Marketplace', granularityId: String(query.granularityId) }, inventorySummaries: page.map(modelSummary) },
      ...(more ? { pagination: { nextToken: this.token('fba', offset + this.summariesPerPage, key) } } : {}),
    });
  }
}
