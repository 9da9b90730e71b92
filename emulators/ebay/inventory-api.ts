// The Inventory API operations truestock calls: bulkUpdatePriceQuantity (per-item outcomes: 200
// when every item succeeds, 207 Multi-Status otherwise), getInventoryItem, bulkGetInventoryItem,
// getInventoryItems and getOffers. Shapes are the model's (sell_inventory_v1_oas3.json);
// errorIds are the ones it lists per operation, except the revision limit's (README).

import { Catalog, type InventoryItem, type Offer, QUANTITY_MAX, REVISIONS_PER_DAY_MAX } from './catalog.ts';
import { badRequest, detail, EbayApiError, type EbayErrorDetail, INVENTORY } from './errors.ts';
import { type ApiRequest, type HttpAnswer, isObject } from './http-answer.ts';

/** At most 25 SKUs and 25 offers per call: the model words it both ways, so both are capped (channels.md §4). */
export const BULK_REQUESTS_MAX = 25;
export const BULK_OFFERS_MAX = 25;
export const BULK_GET_MAX = 25;
const ITEMS_LIMIT_DEFAULT = 25;
const ITEMS_LIMIT_MAX = 200;
const OFFERS_LIMIT_DEFAULT = 100;
/** The emulator's errorId for a listing over its 250 revisions today (eBay's is not in the model). */
export const REVISION_LIMIT_ERROR_ID = 25099;
const BASE = '/sell/inventory/v1';

const invalidField = (field: string, more = '') => detail(25709, INVENTORY, `Invalid value for ${field}. ${more}`.trim(), { fieldName: field });

interface ItemOutcome {
  statusCode: number;
  errors: EbayErrorDetail[];
}

export class InventoryApi {
  /** Per-item outcomes of bulkUpdatePriceQuantity. */
  readonly counters = { itemsUpdated: 0, itemsFailed: 0, revisionLimitRefusals: 0 };

  constructor(private readonly catalog: Catalog) {}

  bulkUpdatePriceQuantity(r: ApiRequest): HttpAnswer {
    const type = r.headers['content-type'];
    if (!type || !/^application\/json\b/i.test(type)) throw badRequest(25709, INVENTORY, 'Invalid value for header Content-Type. It must be application/json.', { fieldName: 'Content-Type' });
    const requests = isObject(r.body) ? r.body.requests : undefined;
    if (!Array.isArray(requests) || requests.length === 0) throw badRequest(25709, INVENTORY, 'Invalid value for requests. At least one request is needed.', { fieldName: 'requests' });
    if (requests.length > BULK_REQUESTS_MAX) throw badRequest(25709, INVENTORY, `Invalid value for requests. At most ${BULK_REQUESTS_MAX} are allowed per call.`, { fieldName: 'requests' });
    const offerCount = requests.reduce((n: number, q) => n + (isObject(q) && Array.isArray(q.offers) ? q.offers.length : 0), 0);
    if (offerCount > BULK_OFFERS_MAX) throw badRequest(25709, INVENTORY, `Invalid value for offers. At most ${BULK_OFFERS_MAX} offers are allowed per call.`, { fieldName: 'offers' });
    const responses: Record<string, unknown>[] = [];
    const seen = new Set<string>();
    for (const q of requests) {
      const sku = isObject(q) && typeof q.sku === 'string' ? q.sku : undefined;
      const offers = isObject(q) && Array.isArray(q.offers) ? q.offers : [];
      const outcome = sku !== undefined && seen.has(sku) ? { statusCode: 400, errors: [invalidField('sku', 'A SKU may appear once per call.')] } : this.applyOne(q);
      if (sku !== undefined) seen.add(sku);
      if (outcome.statusCode === 200) this.counters.itemsUpdated++;
      else this.counters.itemsFailed++;
      if (outcome.errors.some((e) => e.errorId === REVISION_LIMIT_ERROR_ID)) this.counters.revisionLimitRefusals++;
      const errors = outcome.errors.length > 0 ? { errors: outcome.errors } : {};
      if (offers.length === 0) responses.push({ statusCode: outcome.statusCode, ...(sku !== undefined ? { sku } : {}), ...errors });
      for (const o of offers) {
        const offerId = isObject(o) && typeof o.offerId === 'string' ? o.offerId : undefined;
        responses.push({ statusCode: outcome.statusCode, ...(sku !== undefined ? { sku } : {}), ...(offerId !== undefined ? { offerId } : {}), ...errors });
      }
    }
    const all = responses.every((x) => x.statusCode === 200);
    return { status: all ? 200 : 207, body: { responses } };
  }

  /**
   * One request item, all or nothing: every error found is reported on each of its responses and
   * nothing of it applies, so a 207 never leaves half a SKU written.
   */
  private applyOne(q: unknown): ItemOutcome {
    if (!isObject(q) || typeof q.sku !== 'string' || q.sku === '') return { statusCode: 400, errors: [invalidField('sku')] };
    const item = this.catalog.items.get(q.sku);
    if (!item) return { statusCode: 404, errors: [detail(25702, INVENTORY, `SKU ${q.sku} is not available in the system`, { sku: q.sku })] };
    const errors: EbayErrorDetail[] = [];
    let notFound = false;
    let newHome: number | undefined;
    const ship = q.shipToLocationAvailability;
    if (ship !== undefined) {
      if (!isObject(ship)) errors.push(invalidField('shipToLocationAvailability'));
      else if (ship.quantity !== undefined) {
        if (isQuantity(ship.quantity)) newHome = ship.quantity;
        else errors.push(invalidField('shipToLocationAvailability.quantity', 'The quantity must be a whole number of 0 or more.'));
      } else if (Array.isArray(ship.availabilityDistributions)) {
        // Without a total, eBay sums the per-location quantities.
        const qs = ship.availabilityDistributions.map((d) => (isObject(d) ? d.quantity : undefined));
        if (qs.every(isQuantity)) newHome = qs.reduce((a, b) => a + b, 0);
        else errors.push(invalidField('availabilityDistributions.quantity'));
      }
    }
    const offerChanges: { offer: Offer; availableQuantity?: number; price?: { value: string; currency: string } }[] = [];
    const offers = q.offers === undefined ? [] : q.offers;
    if (!Array.isArray(offers)) errors.push(invalidField('offers'));
    else {
      const ids = new Set<string>();
      for (const o of offers) {
        const offerId = isObject(o) && typeof o.offerId === 'string' ? o.offerId : undefined;
        if (!offerId || !isObject(o)) {
          errors.push(invalidField('offerId'));
          continue;
        }
        if (ids.has(offerId)) errors.push(invalidField('offerId', `Offer ${offerId} appears more than once.`));
        ids.add(offerId);
        const offer = this.catalog.offers.get(offerId);
        if (!offer) {
          notFound = true;
          errors.push(detail(25713, INVENTORY, 'This Offer is not available.', { offerId }));
          continue;
        }
        if (offer.sku !== item.sku) errors.push(invalidField('offerId', `Offer ${offerId} belongs to another SKU.`));
        const change: (typeof offerChanges)[number] = { offer };
        if (o.availableQuantity !== undefined) {
          if (isQuantity(o.availableQuantity)) change.availableQuantity = o.availableQuantity;
          else errors.push(invalidField('availableQuantity', 'The quantity must be a whole number of 0 or more.'));
        }
        if (o.price !== undefined) {
          const p = o.price;
          if (isObject(p) && typeof p.value === 'string' && /^\d+(\.\d{1,2})?$/.test(p.value) && Number(p.value) > 0 && typeof p.currency === 'string') change.price = { value: p.value, currency: p.currency };
          else errors.push(invalidField('price'));
        }
        offerChanges.push(change);
      }
    }
    if (newHome === undefined && offerChanges.length === 0 && errors.length === 0) errors.push(detail(25002, INVENTORY, 'Any User error. Nothing to update: give shipToLocationAvailability or offers.'));
    // The listings this item revises: every live listing of the SKU when its quantity changes, else the offers named.
    const touched = new Set<string>();
    if (newHome !== undefined) for (const o of this.catalog.offersOf(item.sku)) if (o.listingId) touched.add(o.listingId);
    for (const c of offerChanges) if (c.offer.listingId) touched.add(c.offer.listingId);
    for (const listingId of touched) {
      if (this.catalog.revisionsToday(listingId) >= REVISIONS_PER_DAY_MAX) {
        errors.push(detail(REVISION_LIMIT_ERROR_ID, INVENTORY, `Listing ${listingId} has reached the limit of ${REVISIONS_PER_DAY_MAX} revisions for today. It can be revised again from the next calendar day.`, { listingId }, 'BUSINESS'));
      }
    }
    if (errors.length > 0) return { statusCode: notFound && errors.every((e) => e.errorId === 25713) ? 404 : 400, errors };
    if (newHome !== undefined) item.shipToHome = newHome;
    for (const c of offerChanges) {
      if (c.availableQuantity !== undefined) c.offer.availableQuantity = c.availableQuantity;
      if (c.price) c.offer.price = c.price;
    }
    for (const listingId of touched) this.catalog.revise(listingId);
    return { statusCode: 200, errors: [] };
  }

  getInventoryItem(r: ApiRequest): HttpAnswer {
    const item = this.catalog.items.get(r.params.sku!);
    if (!item) throw new EbayApiError(404, detail(25710, INVENTORY, "We didn't find the resource/entity you are requesting. Please verify the request", { sku: r.params.sku! }));
    return { status: 200, body: this.itemView(item) };
  }

  bulkGetInventoryItem(r: ApiRequest): HttpAnswer {
    const requests = isObject(r.body) ? r.body.requests : undefined;
    if (!Array.isArray(requests) || requests.length === 0) throw badRequest(25709, INVENTORY, 'Invalid request. Invalid value for field requests', { fieldName: 'requests' });
    if (requests.length > BULK_GET_MAX) throw badRequest(25727, INVENTORY, `The number of InventoryItems in the request cannot exceed ${BULK_GET_MAX}.`);
    const skus = requests.map((q) => (isObject(q) && typeof q.sku === 'string' ? q.sku : ''));
    if (skus.some((s) => s === '')) throw badRequest(25708, INVENTORY, 'Invalid SKU.');
    if (new Set(skus).size !== skus.length) throw badRequest(25734, INVENTORY, 'SKU should be unique in the request.');
    const responses = skus.map((sku) => {
      const item = this.catalog.items.get(sku);
      if (!item) return { statusCode: 404, sku, errors: [detail(25702, INVENTORY, `SKU ${sku} is not available in the system`, { sku })] };
      return { statusCode: 200, sku, inventoryItem: this.itemView(item) };
    });
    return { status: responses.every((x) => x.statusCode === 200) ? 200 : 207, body: { responses } };
  }

  getInventoryItems(r: ApiRequest): HttpAnswer {
    const limit = wholeParam(r.query.get('limit'), ITEMS_LIMIT_DEFAULT, 1, ITEMS_LIMIT_MAX, 'limit');
    // The model: `offset` is the page number here (0 = first page), not a count of records.
    const page = wholeParam(r.query.get('offset'), 0, 0, QUANTITY_MAX, 'offset');
    const all = [...this.catalog.items.values()];
    const pages = Math.ceil(all.length / limit);
    const href = (p: number) => `${r.origin}${BASE}/inventory_item?limit=${limit}&offset=${p}`;
    return {
      status: 200,
      body: {
        href: href(page),
        limit,
        ...(page + 1 < pages ? { next: href(page + 1) } : {}),
        ...(page > 0 ? { prev: href(page - 1) } : {}),
        size: pages,
        total: all.length,
        inventoryItems: all.slice(page * limit, (page + 1) * limit).map((i) => this.itemView(i)),
      },
    };
  }

  getOffers(r: ApiRequest): HttpAnswer {
    const sku = r.query.get('sku');
    if (!sku) throw badRequest(25709, INVENTORY, 'Invalid value for sku. The sku query parameter is required.', { fieldName: 'sku' });
    const limit = wholeParam(r.query.get('limit'), OFFERS_LIMIT_DEFAULT, 1, QUANTITY_MAX, 'limit');
    const page = wholeParam(r.query.get('offset'), 0, 0, QUANTITY_MAX, 'offset');
    const marketplace = r.query.get('marketplace_id');
    const format = r.query.get('format');
    if (!this.catalog.items.has(sku)) throw new EbayApiError(404, detail(25713, INVENTORY, 'This Offer is not available.', { sku }));
    const offers = this.catalog.offersOf(sku).filter((o) => (!marketplace || o.marketplaceId === marketplace) && (!format || o.format === format));
    const href = `${r.origin}${BASE}/offer?sku=${encodeURIComponent(sku)}&limit=${limit}&offset=${page}`;
    return { status: 200, body: { href, limit, size: Math.ceil(offers.length / limit), total: offers.length, offers: offers.slice(page * limit, (page + 1) * limit).map((o) => this.offerView(o)) } };
  }

  itemView(item: InventoryItem): Record<string, unknown> {
    const live = this.catalog.listingOf(item.sku);
    return {
      sku: item.sku,
      locale: 'en_US',
      condition: 'NEW',
      product: { title: item.title },
      availability: { shipToLocationAvailability: { quantity: item.shipToHome, allocationByFormat: { auction: 0, fixedPrice: live ? this.catalog.visible(live) : 0 } } },
    };
  }

  offerView(o: Offer): Record<string, unknown> {
    return {
      offerId: o.offerId,
      sku: o.sku,
      marketplaceId: o.marketplaceId,
      format: o.format,
      ...(o.availableQuantity !== null ? { availableQuantity: o.availableQuantity } : {}),
      pricingSummary: { price: { ...o.price } },
      status: o.status,
      ...(o.listingId ? { listing: { listingId: o.listingId, listingStatus: 'ACTIVE', soldQuantity: o.sold } } : {}),
    };
  }
}

function isQuantity(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= QUANTITY_MAX;
}

/** A whole-number query parameter (the models type them as strings); 400 25706 when out of range. */
function wholeParam(raw: string | null, fallback: number, min: number, max: number, name: string): number {
  if (raw === null) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw badRequest(25706, INVENTORY, `You have provided invalid pagination values. ${name} must be from ${min} to ${max}.`, { fieldName: name });
  return n;
}
