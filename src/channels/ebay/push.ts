// Pushing quantities to eBay and reading them back (channels.md §4, Sell Inventory API).
//
// A push is one `bulk_update_price_quantity` call of up to 25 SKUs, each setting the inventory
// item's `shipToLocationAvailability.quantity` (with one `availabilityDistributions` entry when the
// settings name the merchant location). eBay applies it at once: 200 when every item went, 207
// (Multi-Status) with a `statusCode` per item otherwise — a 207 is per-item outcomes, not a failed
// call: the items that went are acknowledged, an item eBay refuses as it is (an unknown SKU, a
// listing it will not revise) is rejected and dead-lettered, and an item that failed on eBay's
// side (5xx) is handed back to try again shortly.
//
// Offers: the quantity a buyer sees is the smaller of the inventory item's ship-to-home quantity
// and an offer's own `availableQuantity`. Truestock sets the former only: the listing identity is
// the SKU (order lines name the SKU, never the offer), and an offer cap the seller set can only
// show less than truestock's number, never more — it cannot oversell.
//
// The revision limit (revisions.ts): a raise due no revision yet is handed back with the time of
// its listing's next slot (`not_applied` with `notBefore`), so the outbox holds it, coalescing to
// its newest number; a lower number (against `expected`, what eBay was last seen to show) goes at
// once while the allowance lasts, a sell-out even after; an item eBay refuses for the limit itself
// is held until eBay's day ends.
//
// eBay has no idempotency key: a retry of a push intent (same listing and version) this connector
// already saw applied answers acknowledged without a second revision, so a retry after a lost
// answer neither sets the number over a change eBay made meanwhile nor spends a revision.

import type { Clock } from '../../app/clock.ts';
import type { Connector, ItemOutcome, PushItem, PushResult, ReadBackResult } from '../../sync/connector.ts';
import type { BucketSpec } from '../../sync/limiter.ts';
import { type EbayApi, type EbayError, errorsOf, INVENTORY } from './api.ts';
import { ebayDayEnd, RevisionLimit, type RevisionChange } from './revisions.ts';
import { EBAY_DAILY_REVISIONS_MAX, type EbaySettings } from './settings.ts';

/** SKUs one `bulk_update_price_quantity` or `bulk_get_inventory_item` call takes (channels.md §4). */
export const EBAY_SKUS_PER_CALL_MAX = 25;
/**
 * Calls a second and burst before eBay says otherwise. eBay limits its APIs per day (the Inventory
 * and Fulfillment defaults are unconfirmed, channels.md §4); two calls a second is 172,800 a day,
 * well under the published defaults of its other Sell APIs' magnitude, and moves 50 SKUs a second.
 */
export const EBAY_CALLS_PER_SECOND_DEFAULT = 2;
export const EBAY_CALL_BURST_DEFAULT = 10;
/** An item that failed on eBay's side (its own 5xx in a 207) is tried again after this long. */
export const EBAY_ITEM_RETRY_MS = 10_000;
/** Push intents remembered for retries (one entry per listing version acknowledged). */
export const EBAY_INTENTS_REMEMBERED_MAX = 20_000;

/** The connector's budgets: Inventory calls (pushes, read-backs) and Fulfillment calls (the order poll). */
export const EBAY_BUDGET_INVENTORY = 'inventory';
export const EBAY_BUDGET_FULFILLMENT = 'fulfillment';

type PriceQuantityResponse = { statusCode?: number; sku?: string; offerId?: string; errors?: unknown; warnings?: unknown };
type GetInventoryItemResponse = { statusCode?: number; sku?: string; inventoryItem?: { availability?: { shipToLocationAvailability?: { quantity?: unknown } } } };

/** The budgets a channel's settings give (`bucket_size` calls, `restore_rate` calls a second). */
export function ebayBucket(settings: Pick<EbaySettings, 'bucket_size' | 'restore_rate'>): BucketSpec {
  return { capacity: settings.bucket_size ?? EBAY_CALL_BURST_DEFAULT, refillPerSecond: settings.restore_rate ?? EBAY_CALLS_PER_SECOND_DEFAULT };
}

/**
 * An eBay refusal that is about the revision limit (the listing was revised too often today), not
 * the item: eBay's wording ("revise", "revision") with a limit or a count. Its error id is not
 * documented in the models.
 */
export function isRevisionLimit(errors: readonly EbayError[]): boolean {
  return errors.some((e) => /revis/i.test(`${e.message} ${e.longMessage ?? ''}`) && /limit|exceed|maximum|times/i.test(`${e.message} ${e.longMessage ?? ''}`));
}

const describe = (errors: readonly EbayError[], status: number | undefined): string =>
  errors.map((e) => `${e.errorId}: ${e.longMessage ?? e.message}`).join('; ') || `statusCode ${status ?? 'missing'}`;

export function ebayConnector(api: EbayApi, settings: EbaySettings, clock: Clock): Connector {
  const bucket = ebayBucket(settings);
  const revisions = new RevisionLimit(settings.daily_revisions ?? EBAY_DAILY_REVISIONS_MAX);
  const revisionKey = (sku: string) => `${api.marketplaceId}|${sku}`;
  /** Push intents (`listing@version`) eBay applied. */
  const applied = new Set<string>();
  const intentOf = (i: PushItem) => `${i.listingId}@${i.version}`;
  const remember = (i: PushItem) => {
    if (applied.size >= EBAY_INTENTS_REMEMBERED_MAX) applied.delete(applied.values().next().value!);
    applied.add(intentOf(i));
  };
  const location = settings.merchant_location_key;

  return {
    maxBatch: EBAY_SKUS_PER_CALL_MAX,
    bucket,
    budgets: { specs: { [EBAY_BUDGET_INVENTORY]: bucket, [EBAY_BUDGET_FULFILLMENT]: bucket }, push: EBAY_BUDGET_INVENTORY, read: EBAY_BUDGET_INVENTORY },
    pushCost: (n) => Math.ceil(n / EBAY_SKUS_PER_CALL_MAX),
    readCost: (n) => Math.ceil(n / EBAY_SKUS_PER_CALL_MAX),

    limits() {
      const r = revisions.report(clock.now());
      return [{ name: r.name, perListing: r.per_listing_per_day, held: r.held, maxUsed: r.max_used, resetsAt: r.resets_at, detail: { paced_from: r.paced_from, paced: r.paced, exhausted: r.exhausted } }];
    },

    async push(items: PushItem[]): Promise<PushResult> {
      const now = clock.now();
      const outcomes: (ItemOutcome | null)[] = new Array(items.length).fill(null);
      /** Index of the item each SKU of the call stands for (eBay takes one request per SKU). */
      const bySku = new Map<string, number>();
      for (const [k, i] of items.entries()) {
        const sku = i.external.sku;
        if (!sku) outcomes[k] = { status: 'rejected', reason: 'an eBay listing needs its sku to be pushed' };
        else if (!Number.isSafeInteger(i.quantity) || i.quantity < 0) outcomes[k] = { status: 'rejected', reason: `eBay takes whole quantities ≥ 0, not ${i.quantity}` };
        else if (applied.has(intentOf(i))) outcomes[k] = { status: 'acknowledged' };
        else if (bySku.has(sku) || bySku.size >= EBAY_SKUS_PER_CALL_MAX) outcomes[k] = { status: 'not_applied' };
        else {
          const change: RevisionChange = i.quantity === 0 ? 'sell_out' : i.expected !== null && i.quantity < i.expected ? 'lower' : 'raise';
          const next = revisions.nextAt(revisionKey(sku), now, change);
          if (next > now) outcomes[k] = { status: 'not_applied', notBefore: next };
          else bySku.set(sku, k);
        }
      }
      if (bySku.size === 0) return { ok: true, outcomes: outcomes as ItemOutcome[] };

      const requests = [...bySku].map(([sku, k]) => ({
        sku,
        shipToLocationAvailability: {
          quantity: items[k]!.quantity,
          ...(location ? { availabilityDistributions: [{ merchantLocationKey: location, quantity: items[k]!.quantity }] } : {}),
        },
      }));
      const res = await api.call<{ responses?: PriceQuantityResponse[] }>({ method: 'POST', path: `${INVENTORY}/bulk_update_price_quantity`, body: { requests } });
      if (!res.ok) return { ok: false, failure: res.failure, retryAfterMs: res.retryAfterMs, message: res.message };

      const at = clock.now();
      const responses = Array.isArray(res.data?.responses) ? res.data.responses : [];
      for (const [n, [sku, k]] of [...bySku].entries()) {
        // eBay names each response's SKU; the order of the requests is the fallback.
        const r = responses.find((x) => x.sku === sku) ?? (responses[n]?.sku === undefined ? responses[n] : undefined);
        const item = items[k]!;
        if (!r) {
          // Nothing said about this SKU: try again rather than guess.
          outcomes[k] = { status: 'not_applied', notBefore: at + EBAY_ITEM_RETRY_MS };
          continue;
        }
        const status = typeof r.statusCode === 'number' ? r.statusCode : res.status === 200 ? 200 : 0;
        const errors = errorsOf(r);
        if (status >= 200 && status < 300) {
          revisions.record(revisionKey(sku), at);
          remember(item);
          outcomes[k] = { status: 'acknowledged' };
        } else if (isRevisionLimit(errors)) {
          revisions.exhaust(revisionKey(sku), at);
          outcomes[k] = { status: 'not_applied', notBefore: ebayDayEnd(at) };
        } else if (status === 429 || status >= 500 || status === 0) {
          outcomes[k] = { status: 'not_applied', notBefore: at + EBAY_ITEM_RETRY_MS };
        } else {
          outcomes[k] = { status: 'rejected', reason: `eBay refused ${sku}: ${describe(errors, r.statusCode)}` };
        }
      }
      return { ok: true, outcomes: outcomes as ItemOutcome[] };
    },

    async readBack(items: PushItem[]): Promise<ReadBackResult> {
      const skus = [...new Set(items.map((i) => i.external.sku).filter((s): s is string => typeof s === 'string' && s !== ''))];
      const shown = new Map<string, number>();
      for (let k = 0; k < skus.length; k += EBAY_SKUS_PER_CALL_MAX) {
        const chunk = skus.slice(k, k + EBAY_SKUS_PER_CALL_MAX);
        const res = await api.call<{ responses?: GetInventoryItemResponse[] }>({ method: 'POST', path: `${INVENTORY}/bulk_get_inventory_item`, body: { requests: chunk.map((sku) => ({ sku })) } });
        if (!res.ok) return { ok: false, message: res.message, failure: res.failure, retryAfterMs: res.retryAfterMs };
        for (const r of res.data?.responses ?? []) {
          const q = r.inventoryItem?.availability?.shipToLocationAvailability?.quantity;
          if (typeof r.sku === 'string' && (r.statusCode ?? 200) < 300 && typeof q === 'number' && Number.isSafeInteger(q)) shown.set(r.sku, q);
          // An item eBay has no availability for shows nothing to buy.
          else if (typeof r.sku === 'string' && (r.statusCode ?? 200) < 300 && r.inventoryItem) shown.set(r.sku, 0);
        }
      }
      return { ok: true, shown: items.map((i) => (i.external.sku ? (shown.get(i.external.sku) ?? null) : null)) };
    },
  };
}
