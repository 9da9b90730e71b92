import { describe, expect, it } from 'vitest';
import { loadApiModel, loadJsonSchema } from './spec-validator.ts';

const SPECS = new URL('../../../shared/specs/', import.meta.url).pathname;
const listings = () => loadApiModel(`${SPECS}amazon-sp-api/listingsItems_2021-08-01.json`);
const orders = () => loadApiModel(`${SPECS}amazon-sp-api/orders_2026-01-01.json`);
const fba = () => loadApiModel(`${SPECS}amazon-sp-api/fbaInventory.json`);

const PATCH_URL = 'https://sellingpartnerapi-na.amazon.com/listings/2021-08-01/items/A1SELLER/SKU-1?marketplaceIds=ATVPDKIKX0DER';
const goodPatch = { productType: 'PRODUCT', patches: [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 4 }] }] };

describe('spec validator: requests (Swagger 2.0)', () => {
  it('matches the operation and accepts a valid patch', () => {
    const check = listings().validateRequest({ method: 'PATCH', url: PATCH_URL, body: goodPatch });
    expect(check).toEqual({ operationId: 'patchListingsItem', errors: [] });
  });

  it('refuses a wrong enum in the body, a missing required field and a missing body', () => {
    const badOp = listings().validateRequest({ method: 'PATCH', url: PATCH_URL, body: { ...goodPatch, patches: [{ ...goodPatch.patches[0], op: 'set' }] } });
    expect(badOp.errors.join()).toMatch(/patches\/0\/op must be equal to one of the allowed values/);
    const noType = listings().validateRequest({ method: 'PATCH', url: PATCH_URL, body: { patches: goodPatch.patches } });
    expect(noType.errors.join()).toMatch(/must have required property 'productType'/);
    expect(listings().validateRequest({ method: 'PATCH', url: PATCH_URL }).errors).toEqual(['patchListingsItem: request body is required']);
  });

  it('checks query parameters: required, enum, unknown, arrays split as collectionFormat says', () => {
    const noMarket = listings().validateRequest({ method: 'GET', url: '/listings/2021-08-01/items/A1SELLER/SKU-1' });
    expect(noMarket.errors).toEqual(['query parameter marketplaceIds is required']);
    const included = listings().validateRequest({ method: 'GET', url: '/listings/2021-08-01/items/A1SELLER/SKU-1?marketplaceIds=A,B&includedData=summaries,fulfillmentAvailability' });
    expect(included).toEqual({ operationId: 'getListingsItem', errors: [] });
    const badIncluded = listings().validateRequest({ method: 'GET', url: '/listings/2021-08-01/items/A1SELLER/SKU-1?marketplaceIds=A&includedData=summaries,stock' });
    expect(badIncluded.errors.join()).toMatch(/query parameter includedData\/1 must be equal to one of the allowed values/);
    const unknown = listings().validateRequest({ method: 'GET', url: '/listings/2021-08-01/items/A1SELLER/SKU-1?marketplaceIds=A&colour=red' });
    expect(unknown.errors).toEqual(['query parameter colour is not declared by getListingsItem']);
    expect(listings().validateRequest({ method: 'GET', url: '/listings/2021-08-01/items/A1SELLER/SKU-1?marketplaceIds=A&colour=red' }, { allowUnknownQuery: true }).errors).toEqual([]);
  });

  it('checks types, maxItems and an unknown path or method', () => {
    const pageSize = orders().validateRequest({ method: 'GET', url: '/orders/2026-01-01/orders?lastUpdatedAfter=2026-01-01T00:00:00Z&maxResultsPerPage=ten' });
    expect(pageSize.errors.join()).toMatch(/maxResultsPerPage must be integer/);
    const date = orders().validateRequest({ method: 'GET', url: '/orders/2026-01-01/orders?lastUpdatedAfter=yesterday' });
    expect(date.errors.join()).toMatch(/lastUpdatedAfter must match format "date-time"/);
    const twoMarkets = fba().validateRequest({ method: 'GET', url: '/fba/inventory/v1/summaries?granularityType=Marketplace&granularityId=A&marketplaceIds=A,B&details=true' });
    expect(twoMarkets.errors.join()).toMatch(/marketplaceIds must NOT have more than 1 items/);
    expect(fba().validateRequest({ method: 'GET', url: '/fba/inventory/v1/summaries?granularityType=Marketplace&granularityId=A&marketplaceIds=A&details=true' }).errors).toEqual([]);
    expect(orders().validateRequest({ method: 'DELETE', url: '/orders/2026-01-01/orders/1' }).operationId).toBeUndefined();
  });
});

describe('spec validator: responses', () => {
  it('accepts a declared status with a valid body and refuses the rest', () => {
    const ok = { sku: 'SKU-1', status: 'ACCEPTED', submissionId: 'sub-1', issues: [] };
    expect(listings().validateResponse({ operationId: 'patchListingsItem', status: 200, body: ok, headers: { 'x-amzn-RateLimit-Limit': '5.0' } })).toEqual([]);
    expect(listings().validateResponse({ operationId: 'patchListingsItem', status: 200, body: { ...ok, status: 'DONE' } }).join()).toMatch(/status must be equal to one of the allowed values/);
    expect(listings().validateResponse({ operationId: 'patchListingsItem', status: 200, body: { sku: 'SKU-1', status: 'ACCEPTED' } }).join()).toMatch(/required property 'submissionId'/);
    expect(listings().validateResponse({ operationId: 'patchListingsItem', status: 404, body: { errors: [] } })).toEqual([expect.stringMatching(/declares no response 404/)]);
    expect(listings().validateResponse({ operationId: 'patchListingsItem', status: 403, body: { errors: [{ code: 'Unauthorized' }] } }).join()).toMatch(/required property 'message'/);
    expect(listings().validateResponse({ operationId: 'nope', status: 200, body: {} })).toHaveLength(1);
  });
});

describe('spec validator: OpenAPI 3 models', () => {
  it('strips the server path and validates parameters and bodies', () => {
    const ebay = loadApiModel(`${SPECS}ebay/sell_inventory_v1_oas3.json`);
    const get = ebay.validateRequest({ method: 'GET', url: 'https://api.ebay.com/sell/inventory/v1/inventory_item/SKU-1' });
    expect(get).toEqual({ operationId: 'getInventoryItem', errors: [] });
    const bulk = ebay.validateRequest({ method: 'POST', url: 'https://api.ebay.com/sell/inventory/v1/bulk_update_price_quantity', body: { requests: 'all' } });
    expect(bulk.operationId).toBe('bulkUpdatePriceQuantity');
    expect(bulk.errors.join()).toMatch(/requests must be array/);
  });
});

describe('spec validator: JSON Schema documents', () => {
  it('validates a listings feed', () => {
    const feed = loadJsonSchema(`${SPECS}amazon-sp-api/listings-feed-schema-v2.json`);
    const good = { header: { sellerId: 'A1SELLER', version: '2.0' }, messages: [{ messageId: 1, sku: 'SKU-1', operationType: 'PATCH', productType: 'PRODUCT', patches: goodPatch.patches }] };
    expect(feed.validate(good)).toEqual([]);
    expect(feed.validate({ ...good, messages: [{ ...good.messages[0], operationType: 'UPSERTIFY' }] }).length).toBeGreaterThan(0);
    expect(feed.validate({ messages: good.messages }).join()).toMatch(/required property 'header'/);
  });

  it('validates an ORDER_CHANGE notification', () => {
    const schema = loadJsonSchema(`${SPECS}amazon-sp-api/OrderChangeNotification.json`);
    expect(schema.validate({}).length).toBeGreaterThan(0);
  });
});

describe('spec validator: every stored model', () => {
  it('loads, and compiles every 200 answer of every operation (OpenAPI 3 nullable included)', () => {
    const models = ['amazon-sp-api/listingsItems_2021-08-01.json', 'amazon-sp-api/feeds_2021-06-30.json', 'amazon-sp-api/orders_2026-01-01.json', 'amazon-sp-api/fbaInventory.json', 'walmart/inventory.json', 'walmart/feeds.json', 'walmart/orders.json', 'walmart/auth.json', 'ebay/sell_inventory_v1_oas3.json', 'ebay/sell_fulfillment_v1_oas3.json', 'square/inventory-subset.api.json'];
    for (const file of models) {
      const model = loadApiModel(`${SPECS}${file}`);
      expect(model.operationIds().length, file).toBeGreaterThan(0);
      for (const id of model.operationIds()) expect(() => model.validateResponse({ operationId: id, status: 200, body: {} }), `${file} ${id}`).not.toThrow();
    }
  });

  it('reads OpenAPI 3 nullable as JSON Schema null', () => {
    const square = loadApiModel(`${SPECS}square/inventory-subset.api.json`);
    const count = (state: unknown) => ({ counts: [{ catalog_object_id: null, state, location_id: 'L1', quantity: '1' }] });
    expect(square.validateResponse({ operationId: 'RetrieveInventoryCount', status: 200, body: count(null) })).toEqual([]);
    expect(square.validateResponse({ operationId: 'RetrieveInventoryCount', status: 200, body: count('IN_STOCK') })).toEqual([]);
    expect(square.validateResponse({ operationId: 'RetrieveInventoryCount', status: 200, body: count('ON_THE_MOON') }).join()).toMatch(/state/);
  });
});
