// Orders and their effect on stock: allocation to a location, refusal when out of stock,
// cancel with and without restock, refunds by restock type, and reading orders back by
// updated_at through GraphQL.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorError, type ShopifyEmulator, startShopifyEmulator } from './index.ts';
import { clientFor, sleep } from './test-support.ts';

let e: ShopifyEmulator;
let main: string;
let back: string;
let item: { inventoryItemId: string; variantId: string };

beforeEach(async () => {
  e = await startShopifyEmulator();
  main = e.addLocation('Main').id;
  back = e.addLocation('Back').id;
  item = e.addItem({ sku: 'TEE', levels: { [main]: 2, [back]: 5 } });
});
afterEach(() => e.close());

describe('placing orders', () => {
  it('commits units at the first location with enough for every line', async () => {
    const o1 = e.placeOrder({ lines: [{ variantId: item.variantId, quantity: 2 }] });
    expect(o1.locationId).toBe(main);
    expect(e.level(item.inventoryItemId, main)).toEqual({ available: 0, committed: 2, on_hand: 2 });
    const o2 = e.placeOrder({ lines: [{ sku: 'TEE', quantity: 1 }, { sku: 'tee', quantity: 2 }] });
    expect(o2.locationId).toBe(back);
    expect(e.level(item.inventoryItemId, back)).toEqual({ available: 2, committed: 3, on_hand: 5 });
    expect(e.counters().ordersPlaced).toBe(2);
  });

  it('refuses an order no location can fill, and counts it', () => {
    const refuse = () => e.placeOrder({ lines: [{ sku: 'TEE', quantity: 6 }] });
    expect(refuse).toThrow(EmulatorError);
    expect(() => e.placeOrder({ lines: [{ sku: 'TEE', quantity: 3 }], locationId: main })).toThrow(/not enough available/);
    expect(e.counters()).toMatchObject({ ordersPlaced: 0, ordersRefusedOutOfStock: 2 });
    expect(e.level(item.inventoryItemId, main)?.available).toBe(2);
  });

  it('oversells when allowed', () => {
    const o = e.placeOrder({ lines: [{ sku: 'TEE', quantity: 4 }], locationId: main, allowOversell: true });
    expect(o.locationId).toBe(main);
    expect(e.level(item.inventoryItemId, main)).toEqual({ available: -2, committed: 4, on_hand: 2 });
  });

  it('rejects unknown variants and bad quantities', () => {
    expect(() => e.placeOrder({ lines: [{ sku: 'NOPE', quantity: 1 }] })).toThrow(/no item with sku/);
    expect(() => e.placeOrder({ lines: [{ sku: 'TEE', quantity: 0 }] })).toThrow(/positive integer/);
    expect(() => e.placeOrder({ lines: [] })).toThrow(/non-empty/);
  });
});

describe('cancel and refund', () => {
  it('cancel with restock gives the units back; without, they leave on_hand', () => {
    const a = e.placeOrder({ lines: [{ sku: 'TEE', quantity: 2 }], locationId: back });
    e.cancelOrder(a.id);
    expect(e.level(item.inventoryItemId, back)).toEqual({ available: 5, committed: 0, on_hand: 5 });
    const b = e.placeOrder({ lines: [{ sku: 'TEE', quantity: 2 }], locationId: back });
    const cancelled = e.cancelOrder(b.id, { restock: false });
    expect(cancelled.cancelledAt).not.toBeNull();
    expect(e.level(item.inventoryItemId, back)).toEqual({ available: 3, committed: 0, on_hand: 3 });
    expect(() => e.cancelOrder(b.id)).toThrow(/cancelled/);
  });

  it("a 'return' refund puts units back in available at the order's location", () => {
    const o = e.placeOrder({ lines: [{ sku: 'TEE', quantity: 3 }], locationId: back });
    e.fulfillOrder(o.id); // shipped: committed and on_hand drop
    expect(e.level(item.inventoryItemId, back)).toEqual({ available: 2, committed: 0, on_hand: 2 });
    const r = e.refund(o.id, { lines: [{ lineItemId: o.lines[0]!.id, quantity: 2, restockType: 'return' }] });
    expect(r.lines[0]).toMatchObject({ quantity: 2, restockType: 'return', locationId: back });
    expect(e.level(item.inventoryItemId, back)).toEqual({ available: 4, committed: 0, on_hand: 4 });
    expect(() => e.refund(o.id, { lines: [{ lineItemId: o.lines[0]!.id, quantity: 2, restockType: 'return' }] })).toThrow(/only 1/);
  });

  it("'cancel' restocks unfulfilled units; 'no_restock' releases them without restocking", () => {
    const o = e.placeOrder({ lines: [{ sku: 'TEE', quantity: 4 }], locationId: back }); // available 1, committed 4
    e.refund(o.id, { lines: [{ lineItemId: o.lines[0]!.id, quantity: 1, restockType: 'cancel' }] });
    expect(e.level(item.inventoryItemId, back)).toEqual({ available: 2, committed: 3, on_hand: 5 });
    e.refund(o.id, { lines: [{ lineItemId: o.lines[0]!.id, quantity: 1, restockType: 'no_restock' }] });
    expect(e.level(item.inventoryItemId, back)).toEqual({ available: 2, committed: 2, on_hand: 4 });
    e.fulfillOrder(o.id);
    expect(() => e.refund(o.id, { lines: [{ lineItemId: o.lines[0]!.id, quantity: 1, restockType: 'cancel' }] })).toThrow(/unfulfilled/);
  });
});

describe('reading orders', () => {
  const ORDERS = `query Orders($q: String, $after: String) {
    orders(first: 2, after: $after, query: $q, sortKey: UPDATED_AT) {
      nodes { id name updatedAt cancelledAt retailLocation { id } lineItems(first: 5) { nodes { id sku quantity currentQuantity variant { id inventoryItem { id } } } } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

  it('filters by updated_at at whole seconds, sorts and pages', async () => {
    const first = e.placeOrder({ lines: [{ sku: 'TEE', quantity: 1 }] });
    await sleep(1100 - (Date.now() % 1000)); // the next whole second
    const second = e.placeOrder({ lines: [{ sku: 'TEE', quantity: 1 }] });
    const third = e.placeOrder({ lines: [{ sku: 'TEE', quantity: 1 }] });
    expect(second.updatedAt > first.updatedAt).toBe(true);
    const client = clientFor(e);

    const since = await client.request(ORDERS, { variables: { q: `updated_at:>='${second.updatedAt}'` } });
    expect(since.errors).toBeUndefined();
    expect(since.data.orders.nodes.map((n: { id: string }) => n.id)).toEqual([second.id, third.id]);
    const after = await client.request(ORDERS, { variables: { q: `updated_at:>${first.updatedAt}` } });
    expect(after.data.orders.nodes.map((n: { id: string }) => n.id)).toEqual([second.id, third.id]);
    const strictlyAfter = await client.request(ORDERS, { variables: { q: `updated_at:>'${second.updatedAt}'` } });
    expect(strictlyAfter.data.orders.nodes).toEqual([]);

    const page1 = await client.request(ORDERS);
    expect(page1.data.orders.nodes.map((n: { id: string }) => n.id)).toEqual([first.id, second.id]);
    expect(page1.data.orders.pageInfo.hasNextPage).toBe(true);
    const page2 = await client.request(ORDERS, { variables: { after: page1.data.orders.pageInfo.endCursor } });
    expect(page2.data.orders.nodes.map((n: { id: string }) => n.id)).toEqual([third.id]);

    // Cancelling bumps updatedAt, so the first order shows up in a poll for recent changes.
    await sleep(1100 - (Date.now() % 1000));
    const c = e.cancelOrder(first.id);
    const changed = await client.request(ORDERS, { variables: { q: `updated_at:>='${c.updatedAt}'` } });
    // An online order: Shopify shows no location for it.
    expect(changed.data.orders.nodes).toMatchObject([{ id: first.id, cancelledAt: c.cancelledAt, retailLocation: null }]);
    expect(changed.data.orders.nodes[0].lineItems.nodes[0]).toEqual({
      id: first.lines[0]!.id,
      sku: 'TEE',
      quantity: 1,
      currentQuantity: 0,
      variant: { id: item.variantId, inventoryItem: { id: item.inventoryItemId } },
    });
  });

  it('reads one order by id, newest first with reverse; only a POS order shows its location', async () => {
    const a = e.placeOrder({ lines: [{ sku: 'TEE', quantity: 1 }] });
    const b = e.placeOrder({ lines: [{ sku: 'TEE', quantity: 1 }], pos: true });
    const client = clientFor(e);
    const one = await client.request('query O($id: ID!) { order(id: $id) { name retailLocation { id } } }', { variables: { id: b.id } });
    expect(one.data.order).toEqual({ name: '#1002', retailLocation: { id: main } });
    const online = await client.request('query O($id: ID!) { order(id: $id) { name retailLocation { id } } }', { variables: { id: a.id } });
    expect(online.data.order).toEqual({ name: '#1001', retailLocation: null });
    expect(a.locationId).toBe(main);
    const rev = await client.request('{ orders(first: 5, reverse: true) { nodes { id } } }');
    expect(rev.data.orders.nodes.map((n: { id: string }) => n.id)).toEqual([b.id, a.id]);
  });
});
