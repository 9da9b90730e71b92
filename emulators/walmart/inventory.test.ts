import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness, NODE } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

const each = (amount: number) => ({ unit: 'EACH', amount });
const NODE_2 = '10000000002';

describe('single-node inventory', () => {
  it('PUT /v3/inventory applies at once and GET reads it back', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 1 });
    const put = await h.call('PUT', '/v3/inventory', { query: { sku: 'A' }, body: { sku: 'A', quantity: each(12) } });
    expect(put.body).toEqual({ sku: 'A', quantity: each(12) });
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'A' } })).body).toEqual({ sku: 'A', quantity: each(12) });
    expect(h.walmart.quantity('A')).toBe(12);
  });

  it('an unknown SKU is 404 CONTENT_NOT_FOUND; a body for another SKU, a bad quantity or an unknown ship node is 400', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 1 });
    const ghost = await h.call('PUT', '/v3/inventory', { query: { sku: 'GHOST' }, body: { sku: 'GHOST', quantity: each(1) } });
    expect([ghost.status, ghost.body.errors[0].code, ghost.body.errors[0].field]).toEqual([404, 'CONTENT_NOT_FOUND', 'sku']);
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'GHOST' } })).status).toBe(404);
    const other = await h.call('PUT', '/v3/inventory', { query: { sku: 'A' }, body: { sku: 'B', quantity: each(1) } });
    expect([other.status, other.body.errors[0].code]).toEqual([400, 'INVALID_REQUEST_CONTENT']);
    const fraction = await h.call('PUT', '/v3/inventory', { query: { sku: 'A' }, body: { sku: 'A', quantity: each(1.5) } });
    expect([fraction.status, fraction.body.errors[0].field]).toEqual([400, 'quantity.amount']);
    const node = await h.call('PUT', '/v3/inventory', { query: { sku: 'A', shipNode: '999' }, body: { sku: 'A', quantity: each(1) } });
    expect([node.status, node.body.errors[0].field]).toEqual([400, 'shipNode']);
    const unit = await h.call('PUT', '/v3/inventory', { query: { sku: 'A' }, body: { sku: 'A', quantity: { unit: 'LB', amount: 1 } }, schemaInvalid: true });
    expect(unit.status).toBe(400);
    expect(h.walmart.quantity('A')).toBe(1);
  });
});

describe('multi-node inventory', () => {
  it('PUT /v3/inventories/{sku} sets each node, failing only an unknown node; GET shows input, sellable and reserved per node', async () => {
    h = await harness({ shipNodes: [NODE, NODE_2] });
    h.walmart.addSku({ sku: 'A', quantity: 0 });
    const put = await h.call('PUT', '/v3/inventories/A', { body: { inventories: { nodes: [{ shipNode: NODE, inputQty: each(5) }, { shipNode: NODE_2, inputQty: each(7) }, { shipNode: '999', inputQty: each(1) }] } } });
    expect(put.body.sku).toBe('A');
    expect(put.body.nodes.map((n: { shipNode: string; status: string }) => [n.shipNode, n.status])).toEqual([[NODE, 'Success'], [NODE_2, 'Success'], ['999', 'Failed']]);
    expect(put.body.nodes[2].errors[0].code).toBe('INVALID_REQUEST_CONTENT');
    h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 2, shipNode: NODE_2 }] });
    const get = await h.call('GET', '/v3/inventories/A');
    expect(get.body.nodes).toEqual([
      { shipNode: NODE, inputQty: each(5), availToSellQty: each(5), reservedQty: each(0) },
      { shipNode: NODE_2, inputQty: each(5), availToSellQty: each(5), reservedQty: each(2) },
    ]);
    expect((await h.call('GET', '/v3/inventories/A', { query: { shipNode: NODE_2 } })).body.nodes.map((n: { shipNode: string }) => n.shipNode)).toEqual([NODE_2]);
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'A', shipNode: NODE_2 } })).body.quantity.amount).toBe(5);
  });

  it('GET /v3/inventories pages every SKU by nextCursor (≤ 50 a page), neither repeating nor losing one added meanwhile', async () => {
    h = await harness();
    for (let i = 0; i < 7; i++) h.walmart.addSku({ sku: `S${i}`, quantity: i });
    const first = await h.call('GET', '/v3/inventories', { query: { limit: '3' } });
    expect(first.body.meta.totalCount).toBe(7);
    const seen: string[] = first.body.elements.inventories.map((i: { sku: string }) => i.sku);
    h.walmart.addSku({ sku: 'S9', quantity: 9 });
    let cursor: string | undefined = first.body.meta.nextCursor;
    while (cursor) {
      const page = await h.call('GET', '/v3/inventories', { query: { limit: '3', nextCursor: cursor } });
      seen.push(...page.body.elements.inventories.map((i: { sku: string }) => i.sku));
      cursor = page.body.meta.nextCursor;
    }
    expect(seen).toEqual(['S0', 'S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S9']);
    expect((await h.call('GET', '/v3/inventories', { query: { limit: '51' } })).status).toBe(400);
    expect((await h.call('GET', '/v3/inventories', { query: { nextCursor: 'bogus' } })).status).toBe(400);
  });
});

describe("Walmart's own moves on the quantity", () => {
  it('an order lowers the SKU at its node at once; a refused order changes nothing', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 5 });
    h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 3 }] });
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'A' } })).body.quantity.amount).toBe(2);
    expect(() => h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 1 }, { sku: 'A', quantity: 2 }] })).toThrow(/has 2/);
    expect(h.walmart.quantity('A')).toBe(2);
    h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 4 }], allowOversell: true });
    expect(h.walmart.quantity('A')).toBe(0);
  });
});
