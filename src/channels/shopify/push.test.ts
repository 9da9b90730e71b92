// The Shopify push against the emulator: idempotency answers and Shopify's own failures are
// transient (never a permanent failure of the batch), a spent key is replaced by the next key of
// the intent's chain, and from 2026-10 a quantity can be set where the item was not stocked.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ShopifyEmulator, startShopifyEmulator } from '../../../emulators/shopify/index.ts';
import type { PushItem } from '../../sync/connector.ts';
import { type ShopifyApi, shopifyApi, type ShopifySettings } from './client.ts';
import { idempotencyKeyOf, SHOPIFY_KEYS_PER_PUSH_MAX, shopifyConnector } from './push.ts';

let shop: ShopifyEmulator;
let loc: string;
let item: string;
let settings: ShopifySettings;
/** The @idempotent key of every call the connector made. */
let keys: string[];

beforeEach(async () => {
  shop = await startShopifyEmulator({ shop: `push-${Math.random().toString(36).slice(2, 8)}` });
  loc = shop.addLocation('Main').id;
  item = shop.addItem({ sku: 'A', levels: { [loc]: 10 } }).inventoryItemId;
  settings = { shop_domain: shop.shopDomain, access_token: shop.accessToken, api_url: shop.url };
  keys = [];
});
afterEach(() => shop.close());

function connector() {
  const api = shopifyApi(settings);
  const recording: ShopifyApi = {
    shopDomain: api.shopDomain,
    query: (op, variables) => {
      if (typeof variables?.key === 'string') keys.push(variables.key);
      return api.query(op, variables);
    },
  };
  return shopifyConnector(recording, settings);
}

const push = (quantity: number, expected: number | null, over: Partial<PushItem> = {}) =>
  connector().push([{ listingId: 'lst_a', version: 1, external: { inventory_item_id: item, location_id: loc }, quantity, expected, ...over }]);

describe('Shopify push: idempotency and Shopify’s failures', () => {
  it('IDEMPOTENCY_CONCURRENT_REQUEST: transient, nothing applied; the retry carries the same key and applies', async () => {
    shop.failNext('IDEMPOTENCY_CONCURRENT_REQUEST');
    const busy = await push(4, 10);
    expect(busy).toMatchObject({ ok: false, failure: 'transient', message: expect.stringContaining('IDEMPOTENCY_CONCURRENT_REQUEST') });
    expect(shop.level(item, loc)?.available).toBe(10);
    expect(await push(4, 10)).toEqual({ ok: true, outcomes: [{ status: 'acknowledged' }], budget: expect.any(Object) });
    expect(shop.level(item, loc)?.available).toBe(4);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED: the same push tries again at once with a fresh key and applies', async () => {
    shop.failNext('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED');
    expect(await push(4, 10)).toMatchObject({ ok: true, outcomes: [{ status: 'acknowledged' }] });
    expect(shop.level(item, loc)?.available).toBe(4);
    expect(keys).toHaveLength(2);
    expect(keys[1]).not.toBe(keys[0]);
    expect(shop.counters()).toMatchObject({ quantitiesSet: 1, apiFaults: 1 });
  });

  it('INTERNAL_SERVER_ERROR in a 200: transient; the retry finds the key spent and applies with the next key of the chain', async () => {
    shop.failNext('INTERNAL_SERVER_ERROR');
    expect(await push(4, 10)).toMatchObject({ ok: false, failure: 'transient', retryAfterMs: null });
    expect(shop.level(item, loc)?.available).toBe(10);
    expect(await push(4, 10)).toMatchObject({ ok: true, outcomes: [{ status: 'acknowledged' }] });
    expect(shop.level(item, loc)?.available).toBe(4);
    // First push: key 0 (internal error); retry: key 0 (spent) then key 1.
    expect(keys).toEqual([keys[0], keys[0], keys[2]]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('a retry of a push whose fresh key applied is replayed, not applied twice', async () => {
    shop.failNext('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED');
    expect(await push(4, 10)).toMatchObject({ ok: true });
    shop.editAvailable(item, loc, 9); // had the retry applied again, compare-and-set would say stale
    keys = [];
    expect(await push(4, 10)).toMatchObject({ ok: true, outcomes: [{ status: 'acknowledged' }] });
    expect(shop.level(item, loc)?.available).toBe(9);
    expect(shop.counters().idempotentReplays).toBe(1);
  });

  it(`gives up after ${SHOPIFY_KEYS_PER_PUSH_MAX} spent keys in one push: transient, nothing applied`, async () => {
    shop.failNext('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED', SHOPIFY_KEYS_PER_PUSH_MAX);
    expect(await push(4, 10)).toMatchObject({ ok: false, failure: 'transient', message: expect.stringContaining('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED') });
    expect(new Set(keys).size).toBe(SHOPIFY_KEYS_PER_PUSH_MAX);
    expect(shop.level(item, loc)?.available).toBe(10);
  });

  it('names each push intent by its own chain of keys', () => {
    const intent = [['lst_a', 1, { quantity: 4 }]];
    expect(idempotencyKeyOf(intent, 0)).toBe(idempotencyKeyOf(structuredClone(intent), 0));
    expect(new Set([0, 1, 2].map((n) => idempotencyKeyOf(intent, n))).size).toBe(3);
    expect(idempotencyKeyOf([['lst_a', 2, { quantity: 4 }]], 0)).not.toBe(idempotencyKeyOf(intent, 0));
  });
});

describe('Shopify push: API versions', () => {
  it('2026-10 sets a quantity at a location where the item was not stocked (no ITEM_NOT_STOCKED_AT_LOCATION)', async () => {
    const other = shop.addLocation('Other').id;
    const r = await push(6, 0, { external: { inventory_item_id: item, location_id: other } });
    expect(r).toMatchObject({ ok: true, outcomes: [{ status: 'acknowledged' }] });
    expect(shop.level(item, other)).toEqual({ available: 6, committed: 0, on_hand: 6 });
  });

  it('still rejects an unknown location per item, not the batch', async () => {
    const r = await connector().push([
      { listingId: 'lst_a', version: 1, external: { inventory_item_id: item, location_id: 'gid://shopify/Location/1' }, quantity: 1, expected: 10 },
      { listingId: 'lst_b', version: 1, external: { inventory_item_id: item, location_id: loc }, quantity: 2, expected: 10 },
    ]);
    expect(r).toMatchObject({ ok: true, outcomes: [{ status: 'rejected', reason: expect.stringContaining('INVALID_LOCATION') }, { status: 'not_applied' }] });
  });
});
