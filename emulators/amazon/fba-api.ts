// FBA Inventory v1 getInventorySummaries (fbaInventory.json): Marketplace granularity only,
// marketplaceIds at most 1 and equal to granularityId, `details=true` adds inventoryDetails,
// `startDateTime` returns what changed since (SKU filters then ignored), else `sellerSkus` (≤ 50)
// or `sellerSku`. Pages of FBA_PAGE_SIZE with a `nextToken` that expires 30 s after issue.

import { SpApiError } from './errors.ts';
import { type ApiRequest, csv, type HttpAnswer } from './http-answer.ts';
import { summaryJson } from './fba.ts';
import type { Seller } from './seller.ts';
import { parseIso } from './time.ts';

export const NEXT_TOKEN_TTL_MS = 30_000;
const SELLER_SKUS_MAX = 50;
const START_DATE_BACK_MAX_MS = 548 * 24 * 3600_000; // "no earlier than 18 months prior"

// FBA Inventory's error list sits under `errors` of GetInventorySummariesResponse.
const bad = (message: string) => new SpApiError(400, 'InvalidInput', message);

interface PageState {
  key: string;
  offset: number;
  issuedAt: number;
}

export class FbaSummaries {
  private readonly pages = new Map<string, PageState>();
  private seq = 0;

  constructor(
    private readonly seller: Seller,
    private readonly now: () => number,
    private readonly pageSize: number,
  ) {}

  getInventorySummaries(req: ApiRequest): HttpAnswer {
    const q = req.query;
    const granularityType = q.get('granularityType');
    if (granularityType === null) throw bad('Missing required parameter: granularityType.');
    if (granularityType !== 'Marketplace') throw bad(`Invalid granularityType: ${granularityType}.`);
    const granularityId = q.get('granularityId');
    if (!granularityId) throw bad('Missing required parameter: granularityId.');
    const markets = csv(q, 'marketplaceIds');
    if (!markets || markets.length === 0) throw bad('Missing required parameter: marketplaceIds.');
    if (markets.length > 1) throw bad('marketplaceIds takes at most 1 value.');
    if (markets[0] !== granularityId) throw bad('granularityId must be the marketplace in marketplaceIds.');
    if (!this.seller.settings.marketplaceIds.includes(granularityId)) throw bad(`Invalid marketplaceId: ${granularityId}.`);
    const detailsText = q.get('details');
    if (detailsText !== null && detailsText !== 'true' && detailsText !== 'false') throw bad('details must be true or false.');
    const details = detailsText === 'true';
    const now = this.now();
    const startText = q.get('startDateTime');
    let start: number | null = null;
    if (startText !== null) {
      start = parseIso(startText);
      if (start === null) throw bad('startDateTime must be an ISO 8601 date-time.');
      if (start < now - START_DATE_BACK_MAX_MS) throw bad('startDateTime must be no earlier than 18 months before now.');
    }
    const skus = csv(q, 'sellerSkus');
    if (skus && skus.length > SELLER_SKUS_MAX) throw bad(`sellerSkus takes at most ${SELLER_SKUS_MAX} values.`);
    const oneSku = q.get('sellerSku');
    const key = JSON.stringify([granularityId, details, start, start === null ? (skus ?? null) : null, start === null && !skus ? oneSku : null]);
    const token = q.get('nextToken');
    let offset = 0;
    if (token !== null) {
      const page = this.pages.get(token);
      if (!page || now - page.issuedAt > NEXT_TOKEN_TTL_MS) throw bad('The nextToken is invalid or has expired.');
      if (page.key !== key) throw bad('nextToken must be sent with the same parameters as the request that returned it.');
      offset = page.offset;
    }
    const all = [...this.seller.fba.values()]
      .filter((s) => {
        if (start !== null) return s.changedAt >= start;
        if (skus) return skus.includes(s.sku);
        if (oneSku !== null) return s.sku === oneSku;
        return true;
      })
      .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
    const page = all.slice(offset, offset + this.pageSize);
    const body: Record<string, unknown> = {
      payload: { granularity: { granularityType, granularityId }, inventorySummaries: page.map((s) => summaryJson(s, details)) },
    };
    if (offset + this.pageSize < all.length) {
      const next = `emu-fba-${++this.seq}`;
      this.pages.set(next, { key, offset: offset + this.pageSize, issuedAt: now });
      body.pagination = { nextToken: next };
    }
    return { status: 200, body };
  }
}
