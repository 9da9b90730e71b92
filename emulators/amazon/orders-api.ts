// Orders API 2026-01-01: searchOrders and getOrder in the model's shapes (orders_2026-01-01.json),
// with the constraints its parameter descriptions state: exactly one of createdAfter and
// lastUpdatedAfter, no mixing of the created and lastUpdated bounds, a …Before at or after its
// …After and at least two minutes before now, maxResultsPerPage 1–100, a pagination token that
// expires after 24 hours and must come with the same other parameters (maxResultsPerPage and
// includedData may change). Refusals are 400 with the models' ErrorList.

import { invalidInput, spNotFound } from './errors.ts';
import { type ApiRequest, csv, type HttpAnswer } from './http-answer.ts';
import { type AmazonOrder, FULFILLMENT_STATUSES, INCLUDED_DATA, orderJson } from './orders.ts';
import type { Seller } from './seller.ts';
import { floorToSecond, iso, parseIso } from './time.ts';

export const BEFORE_MARGIN_MS = 2 * 60_000;
export const PAGINATION_TOKEN_TTL_MS = 24 * 3600_000;
const PAGE_SIZE_MAX = 100;
const MARKETPLACE_IDS_MAX = 50;

interface PageState {
  key: string;
  offset: number;
  issuedAt: number;
  upper: number;
}

export class OrderSearch {
  private readonly pages = new Map<string, PageState>();
  private seq = 0;

  constructor(
    private readonly seller: Seller,
    private readonly now: () => number,
  ) {}

  searchOrders(req: ApiRequest): HttpAnswer {
    const q = req.query;
    const time = (name: string) => {
      const v = q.get(name);
      if (v === null) return null;
      const ms = parseIso(v);
      if (ms === null) throw invalidInput(`${name} must be a date-time in ISO 8601 format.`);
      return ms;
    };
    const createdAfter = time('createdAfter');
    const createdBefore = time('createdBefore');
    const updatedAfter = time('lastUpdatedAfter');
    const updatedBefore = time('lastUpdatedBefore');
    if ((createdAfter === null) === (updatedAfter === null)) throw invalidInput('Exactly one of createdAfter and lastUpdatedAfter must be provided.');
    if (createdAfter !== null && (updatedBefore !== null)) throw invalidInput('If createdAfter is provided, neither lastUpdatedAfter nor lastUpdatedBefore may be provided.');
    if (updatedAfter !== null && createdBefore !== null) throw invalidInput('If lastUpdatedAfter is provided, neither createdAfter nor createdBefore may be provided.');
    const byCreated = createdAfter !== null;
    const after = (byCreated ? createdAfter : updatedAfter)!;
    const before = byCreated ? createdBefore : updatedBefore;
    const [afterName, beforeName] = byCreated ? ['createdAfter', 'createdBefore'] : ['lastUpdatedAfter', 'lastUpdatedBefore'];
    const now = this.now();
    if (after > now) throw invalidInput(`${afterName} must not be in the future.`);
    if (before !== null) {
      if (before < after) throw invalidInput(`${beforeName} must be equal to or after ${afterName}.`);
      if (before > now - BEFORE_MARGIN_MS) throw invalidInput(`${beforeName} must be at least two minutes before the time of the request.`);
    }
    const statuses = csv(q, 'fulfillmentStatuses');
    for (const s of statuses ?? []) if (!(FULFILLMENT_STATUSES as readonly string[]).includes(s)) throw invalidInput(`Invalid fulfillmentStatuses value: ${s}.`);
    const fulfilledBy = csv(q, 'fulfilledBy');
    for (const s of fulfilledBy ?? []) if (s !== 'MERCHANT' && s !== 'AMAZON') throw invalidInput(`Invalid fulfilledBy value: ${s}.`);
    const markets = csv(q, 'marketplaceIds');
    if (markets && markets.length > MARKETPLACE_IDS_MAX) throw invalidInput(`marketplaceIds takes at most ${MARKETPLACE_IDS_MAX} values.`);
    for (const m of markets ?? []) if (!this.seller.settings.marketplaceIds.includes(m)) throw invalidInput(`Invalid marketplaceIds: ${m}.`);
    const included = includedData(q);
    const pageSize = q.has('maxResultsPerPage') ? Number(q.get('maxResultsPerPage')) : PAGE_SIZE_MAX;
    if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > PAGE_SIZE_MAX) throw invalidInput(`maxResultsPerPage must be between 1 and ${PAGE_SIZE_MAX}.`);

    const key = JSON.stringify([createdAfter, createdBefore, updatedAfter, updatedBefore, statuses ?? null, fulfilledBy ?? null, markets ?? null]);
    const token = q.get('paginationToken');
    let offset = 0;
    // The upper bound is fixed by the first page so that later pages read the same set.
    let upper = before ?? floorToSecond(now);
    if (token !== null) {
      const page = this.pages.get(token);
      if (!page || now - page.issuedAt > PAGINATION_TOKEN_TTL_MS) throw invalidInput('Invalid or expired paginationToken.');
      if (page.key !== key) throw invalidInput('paginationToken must be sent with the same parameters as the request that returned it.');
      offset = page.offset;
      upper = page.upper;
    }
    const matches = [...this.seller.orders.values()]
      .filter((o) => {
        const t = byCreated ? o.createdAt : o.updatedAt;
        if (t < after || t > upper) return false;
        if (statuses && !statuses.includes(o.status)) return false;
        if (fulfilledBy && !fulfilledBy.includes(o.fulfilledBy)) return false;
        if (markets && !markets.includes(o.marketplaceId)) return false;
        return true;
      })
      .sort((a, b) => (byCreated ? a.createdAt - b.createdAt : a.updatedAt - b.updatedAt) || (a.orderId < b.orderId ? -1 : 1));
    const page = matches.slice(offset, offset + pageSize);
    const body: Record<string, unknown> = { orders: page.map((o) => orderJson(o, included)) };
    if (offset + pageSize < matches.length) {
      const next = `emu-orders-${++this.seq}`;
      this.pages.set(next, { key, offset: offset + pageSize, issuedAt: now, upper });
      body.pagination = { nextToken: next };
    }
    body[byCreated ? 'createdBefore' : 'lastUpdatedBefore'] = iso(upper);
    return { status: 200, body };
  }

  getOrder(req: ApiRequest): HttpAnswer {
    const included = includedData(req.query);
    const o: AmazonOrder | undefined = this.seller.orders.get(req.params.orderId!);
    if (!o) throw spNotFound(`Order ${req.params.orderId} was not found.`);
    return { status: 200, body: { order: orderJson(o, included) } };
  }
}

function includedData(q: URLSearchParams): Set<string> {
  const asked = csv(q, 'includedData') ?? [];
  for (const d of asked) if (!(INCLUDED_DATA as readonly string[]).includes(d)) throw invalidInput(`Invalid includedData value: ${d}.`);
  return new Set(asked);
}
