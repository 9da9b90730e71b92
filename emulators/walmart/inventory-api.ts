// The inventory operations of inventory.json: one SKU at one node (GET/PUT /v3/inventory), one
// SKU at several nodes (GET/PUT /v3/inventories/{sku}), and every SKU (GET /v3/inventories,
// paged by an opaque nextCursor). PUTs apply at once; only feeds (feeds.ts) wait.

import { badContent, badParam, missingParam, walmartErrorBody } from './errors.ts';
import { type ApiRequest, type HttpAnswer, intParam } from './http-answer.ts';
import { checkQuantity, type Inventory, type Sku } from './inventory.ts';

/** GET /v3/inventories: at most 50 a page (inventory.json), 10 when not asked. */
export const INVENTORIES_PAGE_MAX = 50;
const INVENTORIES_PAGE_DEFAULT = 10;

const each = (amount: number) => ({ unit: 'EACH' as const, amount });

function skuParam(r: ApiRequest): string {
  const sku = r.query.get('sku');
  if (sku === null || sku === '') throw missingParam('sku');
  return sku;
}

function nodeView(s: Sku, shipNode: string) {
  const n = s.nodes.get(shipNode)!;
  // What the seller's number now is, what a buyer can buy (the same number: orders lower it), and
  // what is ordered but not shipped.
  return { shipNode, inputQty: each(n.amount), availToSellQty: each(n.amount), reservedQty: each(n.reserved) };
}

export function getInventory(inv: Inventory, r: ApiRequest): HttpAnswer {
  const s = inv.require(skuParam(r));
  return { status: 200, body: { sku: s.sku, quantity: each(inv.node(s, r.query.get('shipNode')).amount) } };
}

export function updateInventory(inv: Inventory, r: ApiRequest): HttpAnswer {
  const sku = skuParam(r);
  const b = r.body as { sku?: unknown; quantity?: unknown } | undefined;
  if (typeof b !== 'object' || b === null) throw badContent('body', 'The body must be {sku, quantity:{unit, amount}}.');
  if (b.sku !== sku) throw badContent('sku', `The body's sku must be the sku of the query (${sku}).`);
  const amount = checkQuantity(b.quantity, 'quantity');
  const s = inv.require(sku);
  const n = inv.node(s, r.query.get('shipNode'));
  n.amount = amount;
  return { status: 200, body: { sku, quantity: each(amount) } };
}

export function getSkuNodes(inv: Inventory, r: ApiRequest): HttpAnswer {
  const s = inv.require(r.params.sku!);
  const only = r.query.get('shipNode');
  if (only !== null) inv.node(s, only);
  const nodes = [...s.nodes.keys()].filter((n) => only === null || n === only).map((n) => nodeView(s, n));
  return { status: 200, body: { sku: s.sku, nodes } };
}

export function updateSkuNodes(inv: Inventory, r: ApiRequest): HttpAnswer {
  const b = r.body as { inventories?: { nodes?: unknown } } | undefined;
  const nodes = b?.inventories?.nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) throw badContent('inventories.nodes', 'The body must be {inventories:{nodes:[{shipNode, inputQty}]}} with at least one node.');
  // Checked whole before anything is written: a malformed entry refuses the call; an unknown
  // node fails only its own entry, as the model's per-node status/errors say.
  const wanted = nodes.map((raw, i) => {
    const e = raw as { shipNode?: unknown; inputQty?: unknown };
    if (typeof e?.shipNode !== 'string' || e.shipNode === '') throw badContent(`inventories.nodes[${i}].shipNode`, 'shipNode is required.');
    return { shipNode: e.shipNode, amount: checkQuantity(e.inputQty, `inventories.nodes[${i}].inputQty`) };
  });
  const s = inv.require(r.params.sku!);
  const out = wanted.map((w) => {
    if (!inv.isNode(w.shipNode)) {
      return { shipNode: w.shipNode, status: 'Failed', errors: walmartErrorBody('INVALID_REQUEST_CONTENT', `shipNode ${w.shipNode} is not one of the seller's ship nodes.`, 'shipNode').errors };
    }
    s.nodes.get(w.shipNode)!.amount = w.amount;
    return { shipNode: w.shipNode, status: 'Success' };
  });
  return { status: 200, body: { sku: s.sku, nodes: out } };
}

export function getAllSkuNodes(inv: Inventory, r: ApiRequest): HttpAnswer {
  const limit = intParam(r.query, 'limit', INVENTORIES_PAGE_DEFAULT, 1, INVENTORIES_PAGE_MAX);
  const sorted = [...inv.skus.keys()].sort();
  const cursor = r.query.get('nextCursor');
  let after: string | null = null;
  if (cursor !== null && cursor !== '') {
    const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
    if (!decoded.startsWith('after:')) throw badParam('nextCursor', 'nextCursor is not one this API handed out.');
    after = decoded.slice('after:'.length);
  }
  const rest = after === null ? sorted : sorted.filter((k) => k > after);
  const page = rest.slice(0, limit);
  const meta: { totalCount: number; nextCursor?: string } = { totalCount: sorted.length };
  // The cursor names the last SKU shown, so SKUs added meanwhile neither repeat nor vanish.
  if (rest.length > limit) meta.nextCursor = Buffer.from(`after:${page[page.length - 1]}`, 'utf8').toString('base64url');
  const inventories = page.map((k) => {
    const s = inv.skus.get(k)!;
    return { sku: s.sku, nodes: [...s.nodes.keys()].map((n) => nodeView(s, n)) };
  });
  return { status: 200, body: { meta, elements: { inventories } } };
}
