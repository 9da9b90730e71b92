// The control endpoints: the same semantics as the in-process methods over HTTP, and RFC 9457
// problems for bad input.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ShopifyEmulator, startShopifyEmulator } from './index.ts';
import { startReceiver } from './test-support.ts';

let e: ShopifyEmulator;
beforeEach(async () => {
  e = await startShopifyEmulator();
});
afterEach(() => e.close());

async function call(method: string, path: string, body?: unknown, raw?: string) {
  const res = await fetch(`${e.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

describe('control endpoints', () => {
  it('build a shop, take orders, cancel, refund, edit and report state', async () => {
    const loc = await call('POST', '/_emulator/locations', { name: 'Main' });
    expect(loc).toMatchObject({ status: 201, body: { id: expect.stringMatching(/^gid:\/\/shopify\/Location\/\d+$/), name: 'Main' } });
    const item = await call('POST', '/_emulator/items', { sku: 'CAP', levels: { [loc.body.id]: 5 } });
    expect(item.status).toBe(201);
    const order = await call('POST', '/_emulator/orders', { lines: [{ variant_id: item.body.variant_id, quantity: 2 }] });
    expect(order).toMatchObject({ status: 201, body: { name: '#1001', location_id: loc.body.id, line_items: [{ sku: 'CAP', quantity: 2 }] } });
    const legacyId = order.body.legacy_id;
    const refund = await call('POST', `/_emulator/orders/${legacyId}/refunds`, {
      lines: [{ line_item_id: order.body.line_items[0].id, quantity: 1, restock_type: 'cancel' }],
    });
    expect(refund).toMatchObject({ status: 201, body: { refund_line_items: [{ quantity: 1, restock_type: 'cancel' }] } });
    const cancel = await call('POST', `/_emulator/orders/${encodeURIComponent(order.body.id)}/cancel`, { restock: true });
    expect(cancel.body.cancelled_at).toEqual(expect.any(String));
    const edit = await call('POST', '/_emulator/inventory', { inventory_item_id: item.body.inventory_item_id, location_id: loc.body.id, available: 9 });
    expect(edit).toMatchObject({ status: 200, body: { available: 9, committed: 0, on_hand: 9 } });
    const state = await call('GET', '/_emulator/state');
    expect(state.body).toMatchObject({
      counters: { ordersPlaced: 1 },
      locations: [{ id: loc.body.id, name: 'Main' }],
      items: [{ sku: 'CAP', inventory_item_id: item.body.inventory_item_id, variant_id: item.body.variant_id, levels: [{ location_id: loc.body.id, available: 9, committed: 0, on_hand: 9 }] }],
    });
  });

  it('answers out of stock with 409 problem+json', async () => {
    const loc = await call('POST', '/_emulator/locations', { name: 'Main' });
    await call('POST', '/_emulator/items', { sku: 'CAP', levels: { [loc.body.id]: 1 } });
    const r = await call('POST', '/_emulator/orders', { lines: [{ sku: 'CAP', quantity: 2 }] });
    expect(r.status).toBe(409);
    expect(r.type).toBe('application/problem+json');
    expect(r.body).toMatchObject({ type: '/_emulator/problems/out_of_stock', status: 409, title: expect.any(String), detail: expect.any(String) });
    const oversold = await call('POST', '/_emulator/orders', { lines: [{ sku: 'CAP', quantity: 2 }], allow_oversell: true });
    expect(oversold.status).toBe(201);
  });

  // Each case runs on a fresh shop holding Location 1001, item 1002 (variant 1003, 5 units) and
  // order 1004 with line item 1005 (ids are numbered in creation order).
  it.each([
    ['not JSON', 'POST', '/_emulator/locations', undefined, '{nope', 400],
    ['an empty name', 'POST', '/_emulator/locations', { name: '' }, undefined, 400],
    ['an unknown field', 'POST', '/_emulator/locations', { name: 'x', city: 'y' }, undefined, 400],
    ['a negative level', 'POST', '/_emulator/items', { sku: 'S', levels: { 'gid://shopify/Location/1001': -1 } }, undefined, 400],
    ['a level at an unknown location', 'POST', '/_emulator/items', { sku: 'S', levels: { 'gid://shopify/Location/1': 1 } }, undefined, 404],
    ['a fractional quantity', 'POST', '/_emulator/orders', { lines: [{ sku: 'S0', quantity: 1.5 }] }, undefined, 400],
    ['lines not an array', 'POST', '/_emulator/orders', { lines: 'x' }, undefined, 400],
    ['a line without variant or sku', 'POST', '/_emulator/orders', { lines: [{ quantity: 1 }] }, undefined, 400],
    ['an unknown sku', 'POST', '/_emulator/orders', { lines: [{ sku: 'NOPE', quantity: 1 }] }, undefined, 404],
    ['an unknown order', 'POST', '/_emulator/orders/999/cancel', {}, undefined, 404],
    ['a bad restock type', 'POST', '/_emulator/orders/1004/refunds', { lines: [{ line_item_id: 1005, quantity: 1, restock_type: 'later' }] }, undefined, 400],
    ['a refund above the quantity', 'POST', '/_emulator/orders/1004/refunds', { lines: [{ line_item_id: 1005, quantity: 3, restock_type: 'return' }] }, undefined, 409],
    ['a refund of an unknown line', 'POST', '/_emulator/orders/1004/refunds', { lines: [{ line_item_id: 1, quantity: 1, restock_type: 'return' }] }, undefined, 404],
    ['an unknown item', 'POST', '/_emulator/inventory', { inventory_item_id: 1, location_id: 1001, available: 1 }, undefined, 404],
    ['a negative hand edit', 'POST', '/_emulator/inventory', { inventory_item_id: 1002, location_id: 1001, available: -1 }, undefined, 400],
    ['a bad address', 'POST', '/_emulator/webhooks', { address: 'not a url' }, undefined, 400],
    ['an unknown topic', 'POST', '/_emulator/webhooks', { address: 'http://127.0.0.1:1/', topics: ['products/create'] }, undefined, 400],
    ['a probability above 1', 'POST', '/_emulator/faults', { drop: 2 }, undefined, 400],
    ['a reversed delay range', 'POST', '/_emulator/faults', { delayMs: [10, 5] }, undefined, 400],
    ['a zero-second outage', 'POST', '/_emulator/outage', { seconds: 0 }, undefined, 400],
    ['an unknown outage mode', 'POST', '/_emulator/outage', { seconds: 1, mode: 'slow' }, undefined, 400],
    ['an unknown endpoint', 'POST', '/_emulator/nothing', {}, undefined, 404],
  ])('refuses %s', async (_what, method, path, body, raw, status) => {
    const loc = e.addLocation('Main').id;
    e.addItem({ sku: 'S0', levels: { [loc]: 5 } });
    expect(e.placeOrder({ lines: [{ sku: 'S0', quantity: 2 }] }).lines[0]!.id).toBe('gid://shopify/LineItem/1005');
    const r = await call(method, path, body, raw);
    expect(r.status).toBe(status);
    expect(r.type).toBe('application/problem+json');
    expect(r.body).toEqual({ type: expect.stringMatching(/^\/_emulator\/problems\//), title: expect.any(String), status, detail: expect.any(String), code: expect.any(String) });
  });

  it('sets faults, subscribes and starts an outage', async () => {
    const rx = await startReceiver();
    try {
      expect((await call('POST', '/_emulator/webhooks', { address: rx.url, topics: ['orders/create'] })).status).toBe(201);
      expect(await call('POST', '/_emulator/faults', { drop: 1, delay_ms: [0, 5] })).toMatchObject({ status: 200, body: { drop: 1, delayMs: [0, 5] } });
      const loc = e.addLocation('Main').id;
      e.addItem({ sku: 'A', levels: { [loc]: 1 } });
      e.placeOrder({ lines: [{ sku: 'A', quantity: 1 }] });
      await e.flushWebhooks();
      expect(e.counters().webhooksDropped).toBe(1);
      expect((await call('POST', '/_emulator/outage', { seconds: 0.2, mode: '503' })).status).toBe(202);
      const down = await fetch(`${e.url}/admin/api/2026-10/graphql.json`, { method: 'POST', body: '{}' });
      expect(down.status).toBe(503);
    } finally {
      await rx.close();
    }
  });

  it('allows two variants with one SKU; an order by that SKU must then name the variant', async () => {
    const loc = await call('POST', '/_emulator/locations', { name: 'Main' });
    const red = await call('POST', '/_emulator/items', { sku: 'MUG', levels: { [loc.body.id]: 5 } });
    const blue = await call('POST', '/_emulator/items', { sku: 'mug', levels: { [loc.body.id]: 5 } });
    expect([red.status, blue.status]).toEqual([201, 201]);
    expect(blue.body.variant_id).not.toBe(red.body.variant_id);
    const bySku = await call('POST', '/_emulator/orders', { lines: [{ sku: 'MUG', quantity: 1 }] });
    expect(bySku).toMatchObject({ status: 400, body: { code: 'invalid_input', detail: expect.stringContaining(blue.body.variant_id) } });
    const byVariant = await call('POST', '/_emulator/orders', { lines: [{ variant_id: blue.body.variant_id, quantity: 1 }] });
    expect(byVariant).toMatchObject({ status: 201, body: { line_items: [{ sku: 'mug', variant_id: blue.body.variant_id }] } });
  });

  it('takes point-of-sale orders, which show their location; online ones do not', async () => {
    const loc = await call('POST', '/_emulator/locations', { name: 'Shop floor' });
    await call('POST', '/_emulator/items', { sku: 'CAP', levels: { [loc.body.id]: 5 } });
    const pos = await call('POST', '/_emulator/orders', { lines: [{ sku: 'CAP', quantity: 1 }], pos: true });
    expect(pos).toMatchObject({ status: 201, body: { source_name: 'pos', location_id: loc.body.id } });
    const web = await call('POST', '/_emulator/orders', { lines: [{ sku: 'CAP', quantity: 1 }] });
    expect(web).toMatchObject({ status: 201, body: { source_name: 'web', location_id: loc.body.id } });
    expect((await call('POST', '/_emulator/orders', { lines: [{ sku: 'CAP', quantity: 1 }], pos: 'yes' })).status).toBe(400);
  });

  it('arms API faults, which answer the next requests they apply to', async () => {
    expect(await call('POST', '/_emulator/api-faults', { fault: 'INTERNAL_SERVER_ERROR', times: 2 })).toMatchObject({
      status: 200,
      body: { INTERNAL_SERVER_ERROR: 2, IDEMPOTENCY_CONCURRENT_REQUEST: 0, IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED: 0 },
    });
    const ask = () => fetch(`${e.url}/admin/api/2026-10/graphql.json`, { method: 'POST', headers: { 'X-Shopify-Access-Token': e.accessToken, 'Content-Type': 'application/json' }, body: JSON.stringify({ query: '{ shop { name } }' }) });
    for (let i = 0; i < 2; i++) {
      const r = await ask();
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ data: null, errors: [{ extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    }
    expect(await (await ask()).json()).toMatchObject({ data: { shop: { name: expect.any(String) } } });
    expect((await call('GET', '/_emulator/state')).body).toMatchObject({ counters: { apiFaults: 2 }, api_faults: { INTERNAL_SERVER_ERROR: 0 } });
    expect((await call('POST', '/_emulator/api-faults', { fault: 'NOPE' })).status).toBe(400);
    expect((await call('POST', '/_emulator/api-faults', { fault: 'INTERNAL_SERVER_ERROR', times: -1 })).status).toBe(400);
  });
});
