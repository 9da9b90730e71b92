// Query cost in figures: Shopify's logarithmic page factor, what the emulator asks for the
// connector's own queries, and that the connector's estimates equal it — so the budget the
// dispatcher and the poll spend is what Shopify will charge.

import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectionCost as emulatorConnectionCost, pageFactor as emulatorPageFactor } from '../../../emulators/shopify/cost.ts';
import { type ShopifyEmulator, startShopifyEmulator } from '../../../emulators/shopify/index.ts';
import { clientFor } from '../../../emulators/shopify/test-support.ts';
import { SHOPIFY_BUCKET_POINTS_DEFAULT, SHOPIFY_RESTORE_POINTS_PER_SECOND_DEFAULT, shopifyApi } from './client.ts';
import { LINES_PER_ORDER, ORDER_LINES_QUERY, ORDER_LINES_QUERY_COST, ORDERS_PER_PAGE, ORDERS_QUERY, ORDERS_QUERY_COST } from './order-poll.ts';
import { connectionCost, pageFactor, SHOPIFY_MUTATION_COST } from './query-cost.ts';
import { READ_BACK, SET_QUANTITIES, SHOPIFY_QUANTITIES_PER_CALL_MAX, shopifyConnector } from './push.ts';

describe('the page factor', () => {
  it('grows with the logarithm of the page size: 1 at 1, 11 at 250', () => {
    expect([0, 1, 2, 5, 10, 25, 50, 100, 250].map(pageFactor)).toEqual([0, 1, 2, 3, 5, 6, 8, 9, 11]);
    for (let n = 0; n <= 250; n++) {
      expect(emulatorPageFactor(n)).toBe(pageFactor(n));
      if (n > 0) expect(pageFactor(n)).toBeGreaterThanOrEqual(pageFactor(n - 1));
    }
    expect(connectionCost(250, 2)).toBe(emulatorConnectionCost(250, 2));
  });
});

describe('what the emulator charges the connector’s queries, and the connector’s estimates', () => {
  let shop: ShopifyEmulator;
  let loc: string;
  beforeEach(async () => {
    shop = await startShopifyEmulator({ shop: `cost-${Math.random().toString(36).slice(2, 8)}` });
    loc = shop.addLocation('Main').id;
  });
  afterEach(() => shop.close());

  const requested = async (query: string, variables: Record<string, unknown>) => {
    const r = await clientFor(shop).request(query, { variables });
    expect(r.errors).toBeUndefined();
    return { requested: r.extensions!.cost!.requestedQueryCost, actual: r.extensions!.cost!.actualQueryCost };
  };

  it('Shopify’s published figure: 250 nodes of cost 2 under one object ask 1 + 2 + 11 × 2 = 25', async () => {
    const item = shop.addItem({ sku: 'A', levels: { [loc]: 1 } }).inventoryItemId;
    const r = await requested('query Q($id: ID!) { inventoryItem(id: $id) { inventoryLevels(first: 250) { nodes { location { id } item { id } } } } }', { id: item });
    expect(r).toEqual({ requested: 25, actual: 1 + 2 + 1 * 2 });
  });

  it('ORDERS_QUERY asks 80 (25 orders × 10 lines; it asked 577 when connections were linear)', async () => {
    expect(ORDERS_QUERY_COST).toBe(80);
    const r = await requested(ORDERS_QUERY, { first: ORDERS_PER_PAGE, after: null, query: '' });
    expect(r.requested).toBe(ORDERS_QUERY_COST);
    expect(LINES_PER_ORDER).toBe(10);
  });

  it('ORDER_LINES_QUERY asks 21 (it asked 203)', async () => {
    const order = (shop.addItem({ sku: 'B', levels: { [loc]: 5 } }), shop.placeOrder({ lines: [{ sku: 'B', quantity: 1 }] }));
    expect(ORDER_LINES_QUERY_COST).toBe(21);
    expect((await requested(ORDER_LINES_QUERY, { id: order.id, after: null })).requested).toBe(ORDER_LINES_QUERY_COST);
  });

  it('a read-back of 250 items asks 24 (it asked 500), and the connector estimates each size exactly', async () => {
    const items = Array.from({ length: 250 }, (_, i) => shop.addItem({ sku: `R${i}`, levels: { [loc]: i } }).inventoryItemId);
    const connector = shopifyConnector(shopifyApi({ shop_domain: shop.shopDomain, access_token: shop.accessToken, api_url: shop.url }), { shop_domain: shop.shopDomain, access_token: shop.accessToken });
    for (const n of [1, 10, 100, 250]) {
      const r = await requested(READ_BACK, { ids: items.slice(0, n), location: loc });
      expect(r.requested).toBe(connector.readCost(n));
    }
    expect(connector.readCost(250)).toBe(24);
  });

  it('a push of 250 quantities asks 10, as the connector estimates; the default bucket is a standard shop’s 2,000 at 100/s', async () => {
    const item = shop.addItem({ sku: 'P', levels: { [loc]: 3 } }).inventoryItemId;
    const input = { name: 'available', reason: 'correction', quantities: [{ inventoryItemId: item, locationId: loc, quantity: 4, changeFromQuantity: 3 }] };
    expect((await requested(SET_QUANTITIES, { input, key: randomUUID() })).requested).toBe(SHOPIFY_MUTATION_COST);
    const connector = shopifyConnector(shopifyApi({ shop_domain: shop.shopDomain, access_token: shop.accessToken, api_url: shop.url }), { shop_domain: shop.shopDomain, access_token: shop.accessToken });
    expect(connector.pushCost(SHOPIFY_QUANTITIES_PER_CALL_MAX)).toBe(10);
    expect(connector.bucket).toEqual({ capacity: 2_000, refillPerSecond: 100 });
    expect([SHOPIFY_BUCKET_POINTS_DEFAULT, SHOPIFY_RESTORE_POINTS_PER_SECOND_DEFAULT]).toEqual([2_000, 100]);
    const r = await clientFor(shop).request('{ shop { name } }');
    expect(r.extensions?.cost?.throttleStatus).toMatchObject({ maximumAvailable: 2_000, restoreRate: 100 });
  });
});
