// The cost-based leaky bucket: charge up front, refund the unused part, THROTTLED when drained
// (as HTTP 200 by default, or 429 with Retry-After), refill over time, MAX_COST_EXCEEDED.

import { afterEach, describe, expect, it } from 'vitest';
import { type ShopifyEmulator, startShopifyEmulator } from './index.ts';
import { clientFor, sleep } from './test-support.ts';

let e: ShopifyEmulator;
afterEach(() => e.close());

/** 50 locations and a query whose requested and actual costs are both 2 + pageFactor(50) = 2 + 8 = 10. */
async function shopWithTenPointQuery(o: Parameters<typeof startShopifyEmulator>[0]) {
  e = await startShopifyEmulator(o);
  for (let i = 0; i < 50; i++) e.addLocation(`L${i}`);
  return '{ locations(first: 50) { nodes { id } } }';
}

describe('leaky bucket', () => {
  it('throttles when the bucket is drained, as 200 + THROTTLED with no data, and counts it', async () => {
    const q = await shopWithTenPointQuery({ bucketSize: 25, restoreRate: 1 });
    const client = clientFor(e);
    const r1 = await client.request(q);
    expect(r1.extensions?.cost).toMatchObject({ requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 25, currentlyAvailable: 15, restoreRate: 1 } });
    await client.request(q);
    const raw = await client.fetch(q);
    expect(raw.status).toBe(200);
    const body = await raw.json();
    expect(body).toEqual({
      errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: expect.any(String) } }],
      extensions: { cost: { requestedQueryCost: 10, actualQueryCost: null, throttleStatus: { maximumAvailable: 25, currentlyAvailable: 5, restoreRate: 1 } } },
    });
    expect(e.counters()).toMatchObject({ requests: 3, throttled: 1 });
  });

  it('refunds requested − actual', async () => {
    e = await startShopifyEmulator({ bucketSize: 100, restoreRate: 1 });
    e.addLocation('Only');
    const r = await clientFor(e).request('{ locations(first: 50) { nodes { id } } }');
    // Requested 2 + pageFactor(50) = 10; one location came back: 2 + pageFactor(1) = 3.
    expect(r.extensions?.cost).toMatchObject({ requestedQueryCost: 10, actualQueryCost: 3 });
    expect(r.extensions?.cost?.throttleStatus?.currentlyAvailable).toBe(97);
  });

  it('refills continuously at restoreRate', async () => {
    const q = await shopWithTenPointQuery({ bucketSize: 20, restoreRate: 40 });
    const client = clientFor(e);
    await client.request(q);
    await client.request(q);
    const throttled = await client.request(q);
    expect(throttled.errors?.graphQLErrors?.[0]?.extensions?.code).toBe('THROTTLED');
    await sleep(300); // 40 points/s × 0.3 s = 12 ≥ 10
    const again = await client.request(q);
    expect(again.errors).toBeUndefined();
    expect(again.data.locations.nodes).toHaveLength(50);
    expect(e.counters().throttled).toBe(1);
  });

  it('answers 429 with Retry-After in seconds when configured', async () => {
    const q = await shopWithTenPointQuery({ bucketSize: 10, restoreRate: 2, throttleHttpStatus: 429 });
    const client = clientFor(e);
    await client.request(q);
    const raw = await client.fetch(q);
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('5'); // 10 points at 2/s
    expect(((await raw.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('THROTTLED');
    expect(e.counters().throttled).toBe(1);
  });

  it('refuses a query above maxQueryCost without running or charging it', async () => {
    e = await startShopifyEmulator({ maxQueryCost: 100 });
    // levels: 2 + 11 × 1 = 13; item 14; variants: 2 + 11 × 14 = 156.
    const r = await clientFor(e).request('{ productVariants(first: 250) { nodes { inventoryItem { inventoryLevels(first: 250) { nodes { location { id } } } } } } }');
    expect(r.errors?.graphQLErrors?.[0]).toMatchObject({ extensions: { code: 'MAX_COST_EXCEEDED', cost: 156, maxCost: 100 } });
    expect(r.data).toBeUndefined();
    expect(r.extensions?.cost).toMatchObject({ requestedQueryCost: 156, actualQueryCost: null, throttleStatus: { currentlyAvailable: 2000 } });
    expect(e.counters().throttled).toBe(0);
  });

  it('charges a mutation 10 points', async () => {
    e = await startShopifyEmulator({ restoreRate: 1 });
    const loc = e.addLocation('Main').id;
    const item = e.addItem({ sku: 'A', levels: { [loc]: 1 } });
    const r = await clientFor(e).request(
      `mutation { inventorySetQuantities(input: { name: "available", reason: "correction", quantities: [{ inventoryItemId: "${item.inventoryItemId}", locationId: "${loc}", quantity: 2, changeFromQuantity: 1 }] }) @idempotent(key: "k1") { userErrors { code } } }`,
    );
    expect(r.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(r.extensions?.cost).toMatchObject({ requestedQueryCost: 10, actualQueryCost: 10 });
  });
});
