// Listings Items API 2021-08-01: getListingsItem, patchListingsItem, searchListingsItems, in the
// model's shapes (listingsItems_2021-08-01.json). Quantities live in `fulfillmentAvailability`
// (and `attributes.fulfillment_availability`); a patch answers ACCEPTED and lands later.

import { invalidInput, SpApiError } from './errors.ts';
import { type ApiRequest, csv, type HttpAnswer } from './http-answer.ts';
import { FULFILLMENT_AVAILABILITY, type Listing, MFN_CHANNEL_CODE, type PatchOperation } from './listings.ts';
import type { Seller } from './seller.ts';
import { iso, parseIso } from './time.ts';

const ITEM_DATA = ['summaries', 'attributes', 'issues', 'offers', 'fulfillmentAvailability', 'procurement', 'relationships', 'productTypes'];
const PATCH_DATA = ['identifiers', 'issues'];
const SEARCH_PAGE_SIZE_MAX = 20;
const SEARCH_PAGE_SIZE_DEFAULT = 10;

/** marketplaceIds (required, csv), each one of the seller's. */
export function marketplaces(seller: Seller, q: URLSearchParams): string[] {
  const ids = csv(q, 'marketplaceIds');
  if (!ids || ids.length === 0) throw invalidInput('Missing required parameter: marketplaceIds.');
  for (const m of ids) if (!seller.settings.marketplaceIds.includes(m)) throw invalidInput(`Invalid marketplaceIds: ${m} is not a marketplace of the seller.`);
  return ids;
}

function includedData(q: URLSearchParams, allowed: string[], byDefault: string[]): Set<string> {
  const asked = csv(q, 'includedData') ?? byDefault;
  for (const d of asked) if (!allowed.includes(d)) throw invalidInput(`Invalid includedData: ${d}. Allowed: ${allowed.join(', ')}.`);
  return new Set(asked);
}

function checkSeller(seller: Seller, req: ApiRequest): void {
  // An application the seller authorized acts for that seller only.
  if (req.params.sellerId !== seller.settings.sellerId) throw new SpApiError(403, 'Unauthorized', 'Access to requested resource is denied.', `The access token does not authorize seller ${req.params.sellerId}.`);
}

export function itemJson(seller: Seller, l: Listing, marketplaceIds: string[], data: Set<string>): Record<string, unknown> {
  const markets = l.marketplaceIds.filter((m) => marketplaceIds.includes(m));
  const item: Record<string, unknown> = { sku: l.sku };
  const availability = l.channel === 'AFN' ? [{ fulfillmentChannelCode: seller.settings.afnChannelCode, quantity: seller.sellable(l) }] : l.quantity === null ? [] : [{ fulfillmentChannelCode: MFN_CHANNEL_CODE, quantity: l.quantity }];
  if (data.has('summaries')) {
    const fnSku = seller.fba.get(l.sku)?.fnSku;
    item.summaries = markets.map((m) => ({
      marketplaceId: m,
      asin: l.asin,
      productType: l.productType,
      conditionType: 'new_new',
      status: seller.sellable(l) > 0 ? ['BUYABLE', 'DISCOVERABLE'] : ['DISCOVERABLE'],
      ...(l.channel === 'AFN' && fnSku ? { fnSku } : {}),
      itemName: l.itemName,
      createdDate: iso(l.createdAt),
      lastUpdatedDate: iso(l.updatedAt),
    }));
  }
  if (data.has('attributes')) {
    item.attributes = {
      ...l.attributes,
      ...(availability.length > 0 ? { [FULFILLMENT_AVAILABILITY]: availability.map((a) => ({ fulfillment_channel_code: a.fulfillmentChannelCode, quantity: a.quantity })) } : {}),
    };
  }
  if (data.has('issues')) item.issues = l.issues;
  if (data.has('offers')) item.offers = [];
  if (data.has('fulfillmentAvailability')) item.fulfillmentAvailability = availability;
  if (data.has('procurement')) item.procurement = [];
  if (data.has('relationships')) item.relationships = markets.map((m) => ({ marketplaceId: m, relationships: [] }));
  if (data.has('productTypes')) item.productTypes = markets.map((m) => ({ marketplaceId: m, productType: l.productType }));
  return item;
}

export function getListingsItem(seller: Seller, req: ApiRequest): HttpAnswer {
  checkSeller(seller, req);
  const markets = marketplaces(seller, req.query);
  const data = includedData(req.query, ITEM_DATA, ['summaries']);
  const l = seller.listings.get(req.params.sku!);
  if (!l || !l.marketplaceIds.some((m) => markets.includes(m))) throw new SpApiError(404, 'NOT_FOUND', `SKU '${req.params.sku}' not found in marketplace ${markets.join(',')}`);
  return { status: 200, body: itemJson(seller, l, markets, data) };
}

export function patchListingsItem(seller: Seller, req: ApiRequest): HttpAnswer {
  checkSeller(seller, req);
  marketplaces(seller, req.query);
  const data = includedData(req.query, PATCH_DATA, ['issues']);
  const mode = req.query.get('mode');
  if (mode !== null && mode !== 'VALIDATION_PREVIEW') throw invalidInput(`Invalid mode: ${mode}.`);
  const preview = mode === 'VALIDATION_PREVIEW';
  if (data.has('identifiers') && !preview) throw invalidInput('includedData identifiers can only be requested when mode is VALIDATION_PREVIEW.');
  const b = req.body as { productType?: unknown; patches?: unknown } | undefined;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw invalidInput('The request body must be a JSON object with productType and patches.');
  if (typeof b.productType !== 'string') throw invalidInput('Missing required field: productType.');
  if (!Array.isArray(b.patches) || b.patches.length === 0) throw invalidInput('patches must be an array of at least one patch operation.');
  b.patches.forEach((p: unknown, i: number) => {
    const o = p as Record<string, unknown>;
    if (typeof o !== 'object' || o === null || typeof o.op !== 'string' || typeof o.path !== 'string') throw invalidInput(`patches[${i}] needs op and path.`);
    if (!['add', 'replace', 'merge', 'delete'].includes(o.op)) throw invalidInput(`patches[${i}].op must be one of add, replace, merge, delete.`);
    if (o.value !== undefined && !Array.isArray(o.value)) throw invalidInput(`patches[${i}].value must be an array.`);
  });
  const r = seller.submitPatch(req.params.sku!, b.productType, b.patches as PatchOperation[], preview);
  const body: Record<string, unknown> = { sku: req.params.sku, status: r.status, submissionId: r.submissionId };
  if (data.has('issues')) body.issues = r.issues;
  const l = seller.listings.get(req.params.sku!);
  if (data.has('identifiers') && l) body.identifiers = l.marketplaceIds.map((m) => ({ marketplaceId: m, asin: l.asin }));
  return { status: 200, body };
}

export function searchListingsItems(seller: Seller, req: ApiRequest): HttpAnswer {
  checkSeller(seller, req);
  const q = req.query;
  const markets = marketplaces(seller, q);
  const data = includedData(q, ITEM_DATA, ['summaries']);
  const identifiers = csv(q, 'identifiers');
  const identifiersType = q.get('identifiersType');
  if (identifiers && !identifiersType) throw invalidInput('identifiersType is required with identifiers.');
  if (identifiers && identifiers.length > 20) throw invalidInput('identifiers takes at most 20 values.');
  const pageSize = q.has('pageSize') ? Number(q.get('pageSize')) : SEARCH_PAGE_SIZE_DEFAULT;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > SEARCH_PAGE_SIZE_MAX) throw invalidInput(`pageSize must be between 1 and ${SEARCH_PAGE_SIZE_MAX}.`);
  const bound = (name: string) => {
    const v = q.get(name);
    if (v === null) return null;
    const ms = parseIso(v);
    if (ms === null) throw invalidInput(`${name} must be an ISO 8601 date-time.`);
    return ms;
  };
  const createdAfter = bound('createdAfter');
  const createdBefore = bound('createdBefore');
  const updatedAfter = bound('lastUpdatedAfter');
  const updatedBefore = bound('lastUpdatedBefore');
  const sortBy = q.get('sortBy') ?? 'lastUpdatedDate';
  const sortOrder = q.get('sortOrder') ?? 'DESC';
  if (!['sku', 'createdDate', 'lastUpdatedDate'].includes(sortBy)) throw invalidInput(`Invalid sortBy: ${sortBy}.`);
  if (sortOrder !== 'ASC' && sortOrder !== 'DESC') throw invalidInput(`Invalid sortOrder: ${sortOrder}.`);
  const matches = [...seller.listings.values()].filter((l) => {
    if (!l.marketplaceIds.some((m) => markets.includes(m))) return false;
    if (identifiers) {
      const key = identifiersType === 'SKU' ? l.sku : identifiersType === 'ASIN' ? l.asin : identifiersType === 'FNSKU' ? seller.fba.get(l.sku)?.fnSku : undefined;
      if (key === undefined || !identifiers.includes(key)) return false;
    }
    if (createdAfter !== null && l.createdAt < createdAfter) return false;
    if (createdBefore !== null && l.createdAt > createdBefore) return false;
    if (updatedAfter !== null && l.updatedAt < updatedAfter) return false;
    if (updatedBefore !== null && l.updatedAt > updatedBefore) return false;
    return true;
  });
  const key = (l: Listing) => (sortBy === 'sku' ? l.sku : sortBy === 'createdDate' ? l.createdAt : l.updatedAt);
  matches.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    const c = x < y ? -1 : x > y ? 1 : a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0;
    return sortOrder === 'ASC' ? c : -c;
  });
  const token = q.get('pageToken');
  const offset = token === null ? 0 : pageOffset(token);
  const page = matches.slice(offset, offset + pageSize);
  const pagination: Record<string, string> = {};
  if (offset + pageSize < matches.length) pagination.nextToken = pageToken(offset + pageSize);
  if (offset > 0) pagination.previousToken = pageToken(Math.max(0, offset - pageSize));
  return {
    status: 200,
    body: { numberOfResults: matches.length, ...(Object.keys(pagination).length > 0 ? { pagination } : {}), items: page.map((l) => itemJson(seller, l, markets, data)) },
  };
}

// Page tokens are opaque to the caller; here they carry an offset.
const pageToken = (offset: number) => Buffer.from(`emu-listings:${offset}`).toString('base64url');
function pageOffset(token: string): number {
  const m = /^emu-listings:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw invalidInput('Invalid pageToken.');
  return Number(m[1]);
}
