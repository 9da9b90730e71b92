// The Admin GraphQL endpoint: auth, versions, graphql-js errors, reads (locations, variants,
// inventory levels, nodes) and the cost extension, driven by Shopify's own admin-api-client.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ShopifyEmulator, startShopifyEmulator } from './index.ts';
import { clientFor } from './test-support.ts';

let e: ShopifyEmulator;
beforeEach(async () => {
  e = await startShopifyEmulator({ shop: 'graphql-shop' });
});
afterEach(() => e.close());

const post = (version: string, body: unknown, token: string | null = e.accessToken) =>
  fetch(`${e.url}/admin/api/${version}/graphql.json`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token === null ? {} : { 'X-Shopify-Access-Token': token }) },
    body: JSON.stringify(body),
  });

describe('auth and versions', () => {
  it('answers a wrong or missing token with 401 and counts it', async () => {
    const wrong = await clientFor(e, { accessToken: 'shpat_wrong' }).request('{ shop { name } }');
    expect(wrong.errors?.networkStatusCode).toBe(401);
    const missing = await post('2026-10', { query: '{ shop { name } }' }, null);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    expect(e.counters()).toMatchObject({ unauthorized: 2, requests: 2 });
  });

  it('accepts the listed versions and answers others with 404', async () => {
    for (const v of ['2025-10', '2026-01', '2026-04', '2026-07', '2026-10', 'unstable']) {
      expect((await post(v, { query: '{ shop { myshopifyDomain } }' })).status).toBe(200);
    }
    expect((await post('2024-01', { query: '{ shop { name } }' })).status).toBe(404);
    expect((await post('latest', { query: '{ shop { name } }' })).status).toBe(404);
  });

  it('answers a body without a query with 400', async () => {
    expect((await post('2026-10', { variables: {} })).status).toBe(400);
  });
});

describe('graphql-js errors', () => {
  it('reports a syntax error with 200 and its location', async () => {
    const res = await post('2026-10', { query: '{ shop { name }' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.errors[0].message).toMatch(/Syntax Error/);
    expect(body.errors[0].locations).toEqual([{ line: 1, column: 16 }]);
    expect(body.data).toBeUndefined();
    expect(body.extensions.cost.requestedQueryCost).toBe(0);
  });

  it('reports an unknown field as graphql-js validates it', async () => {
    const r = await clientFor(e).request('{ shop { nope } }');
    expect(r.errors?.graphQLErrors?.[0]?.message).toMatch(/^Cannot query field "nope" on type "Shop"./);
  });

  it('reports a missing required variable', async () => {
    const r = await clientFor(e).request('query Q($id: ID!) { inventoryItem(id: $id) { id } }');
    expect(r.errors?.graphQLErrors?.[0]?.message).toMatch(/Variable "\$id" of required type "ID!" was not provided/);
  });
});

describe('reads', () => {
  it('pages through locations with cursors', async () => {
    const ids = ['A', 'B', 'C'].map((n) => e.addLocation(`Store ${n}`).id);
    const client = clientFor(e);
    const q = 'query L($after: String) { locations(first: 2, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } } }';
    const p1 = await client.request(q);
    expect(p1.data.locations.nodes.map((n: { id: string }) => n.id)).toEqual(ids.slice(0, 2));
    expect(p1.data.locations.pageInfo.hasNextPage).toBe(true);
    const p2 = await client.request(q, { variables: { after: p1.data.locations.pageInfo.endCursor } });
    expect(p2.data.locations.nodes).toEqual([{ id: ids[2], name: 'Store C' }]);
    expect(p2.data.locations.pageInfo.hasNextPage).toBe(false);
  });

  it('finds variants by sku and reads levels with quantities', async () => {
    const loc = e.addLocation('Main').id;
    const loc2 = e.addLocation('Back').id;
    const item = e.addItem({ sku: 'MUG-1', levels: { [loc]: 7, [loc2]: 0 } });
    e.addItem({ sku: 'MUG-2', levels: { [loc]: 1 } });
    e.placeOrder({ lines: [{ sku: 'MUG-1', quantity: 2 }] });
    const r = await clientFor(e).request(`{
      productVariants(first: 5, query: "sku:MUG-1") {
        nodes { id sku inventoryItem { id inventoryLevels(first: 5) { nodes { location { id } quantities(names: ["available", "on_hand", "committed"]) { name quantity } } } } }
      }
    }`);
    expect(r.errors).toBeUndefined();
    const [variant] = r.data.productVariants.nodes;
    expect(variant).toMatchObject({ id: item.variantId, sku: 'MUG-1', inventoryItem: { id: item.inventoryItemId } });
    expect(variant.inventoryItem.inventoryLevels.nodes).toEqual([
      { location: { id: loc }, quantities: [{ name: 'available', quantity: 5 }, { name: 'on_hand', quantity: 7 }, { name: 'committed', quantity: 2 }] },
      { location: { id: loc2 }, quantities: [{ name: 'available', quantity: 0 }, { name: 'on_hand', quantity: 0 }, { name: 'committed', quantity: 0 }] },
    ]);
    const either = await clientFor(e).request('{ productVariants(first: 5, query: "sku:MUG-1 OR sku:mug-2") { nodes { sku } } }');
    expect(either.data.productVariants.nodes.map((n: { sku: string }) => n.sku)).toEqual(['MUG-1', 'MUG-2']);
  });

  it('reads levels back for many items in one nodes() call, null for unknown ids', async () => {
    const loc = e.addLocation('Main').id;
    const items = Array.from({ length: 250 }, (_, i) => e.addItem({ sku: `SKU-${i}`, levels: { [loc]: i } }));
    const missing = 'gid://shopify/InventoryItem/999999';
    const r = await clientFor(e).request(
      `query Read($ids: [ID!]!, $loc: ID!) {
        nodes(ids: $ids) { ... on InventoryItem { id inventoryLevel(locationId: $loc) { quantities(names: ["available"]) { quantity } } } }
      }`,
      { variables: { ids: [...items.slice(0, 249).map((i) => i.inventoryItemId), missing], loc } },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.nodes).toHaveLength(250);
    expect(r.data.nodes[17]).toEqual({ id: items[17]!.inventoryItemId, inventoryLevel: { quantities: [{ quantity: 17 }] } });
    expect(r.data.nodes[249]).toBeNull();
    // Sized like a connection by the ids: 2 + pageFactor(250) × (inventoryLevel 1 + quantities 1) = 2 + 11 × 2;
    // actual: 249 came back, 2 + pageFactor(249) × 2 = 2 + 10 × 2.
    expect(r.extensions?.cost?.requestedQueryCost).toBe(24);
    expect(r.extensions?.cost?.actualQueryCost).toBe(22);
  });

  it('refuses more than 250 ids and a malformed id', async () => {
    const tooMany = await clientFor(e).request('query N($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      variables: { ids: Array.from({ length: 251 }, (_, i) => `gid://shopify/Location/${i}`) },
    });
    expect(tooMany.errors?.graphQLErrors?.[0]?.extensions?.code).toBe('MAX_INPUT_SIZE_EXCEEDED');
    const bad = await clientFor(e).request('{ nodes(ids: ["42"]) { id } }');
    expect(bad.errors?.graphQLErrors?.[0]?.message).toBe("Invalid global id '42'");
  });

  it('reports the cost of every answer', async () => {
    e.addLocation('Only');
    const r = await clientFor(e).request('{ locations(first: 10) { nodes { id name } } shop { name } }');
    // locations: 2 + pageFactor(10) × max(1, 0) = 2 + 5; shop: 1. Actual: one location came back, 2 + 1 + 1.
    expect(r.extensions?.cost).toEqual({
      requestedQueryCost: 8,
      actualQueryCost: 4,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: expect.any(Number), restoreRate: 100 },
    });
    expect(r.extensions?.cost?.throttleStatus?.currentlyAvailable).toBeGreaterThanOrEqual(1995);
  });

  it('prices nested connections by pageFactor(first) × node cost', async () => {
    const r = await clientFor(e).request(`{
      productVariants(first: 10) { edges { node { inventoryItem { inventoryLevels(first: 5) { nodes { location { id } quantities(names: ["available"]) { quantity } } } } } } }
    }`);
    // level: location 1 + quantities 1 = 2; levels: 2 + pageFactor(5) × 2 = 2 + 3 × 2 = 8; item: 1 + 8 = 9; variants: 2 + pageFactor(10) × 9 = 2 + 5 × 9 = 47.
    expect(r.extensions?.cost?.requestedQueryCost).toBe(47);
    expect(r.extensions?.cost?.actualQueryCost).toBe(2);
  });
});
