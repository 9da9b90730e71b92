// The seller's SKUs and their quantity at each ship node. One number per node is what the
// seller sets (single and multi-node PUTs, processed feeds) and what a buyer can buy: Walmart
// lowers it itself when an order for the SKU is created, as the real channel does, and keeps the
// ordered-not-shipped units apart as `reserved` (README "Quantities").

import { WalmartError } from './errors.ts';

export interface NodeStock {
  amount: number;
  reserved: number;
}

/** A per-SKU failure for feed items (the control surface's switch); null: items succeed. */
export interface FeedFailure {
  type: 'DATA_ERROR' | 'SYSTEM_ERROR' | 'TIMEOUT_ERROR';
  code: string;
  description: string;
}

export interface Sku {
  sku: string;
  productName: string;
  /** Item price in USD, for order lines. */
  price: number;
  nodes: Map<string, NodeStock>;
  feedFailure: FeedFailure | null;
}

/** The largest quantity Walmart takes (the model says `number`; we hold whole units). */
export const QUANTITY_MAX = 1_000_000_000;

export function checkAmount(v: unknown, field: string): number {
  if (!(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= QUANTITY_MAX)) {
    throw new WalmartError('INVALID_REQUEST_CONTENT', `${field} must be a whole number from 0 to ${QUANTITY_MAX}.`, field);
  }
  return v;
}

export function checkQuantity(q: unknown, field: string): number {
  if (typeof q !== 'object' || q === null) throw new WalmartError('INVALID_REQUEST_CONTENT', `${field} must be {unit, amount}.`, field);
  const { unit, amount } = q as { unit?: unknown; amount?: unknown };
  if (unit !== 'EACH') throw new WalmartError('INVALID_REQUEST_CONTENT', `${field}.unit must be EACH.`, `${field}.unit`);
  return checkAmount(amount, `${field}.amount`);
}

export class Inventory {
  readonly skus = new Map<string, Sku>();

  constructor(
    readonly shipNodes: readonly string[],
    readonly defaultShipNode: string,
  ) {}

  /** A new SKU (or the existing one), with every ship node at 0 and `quantity` at `shipNode`. */
  add(p: { sku: string; quantity?: number; shipNode?: string; productName?: string; price?: number }): Sku {
    let s = this.skus.get(p.sku);
    if (!s) {
      s = { sku: p.sku, productName: p.productName ?? `Emulated item ${p.sku}`, price: p.price ?? 10, nodes: new Map(this.shipNodes.map((n) => [n, { amount: 0, reserved: 0 }])), feedFailure: null };
      this.skus.set(p.sku, s);
    }
    if (p.productName !== undefined) s.productName = p.productName;
    if (p.price !== undefined) s.price = p.price;
    if (p.quantity !== undefined) this.node(s, p.shipNode).amount = p.quantity;
    return s;
  }

  /** The SKU, or CONTENT_NOT_FOUND as Walmart answers for a SKU the seller does not have. */
  require(sku: string): Sku {
    const s = this.skus.get(sku);
    if (!s) throw new WalmartError('CONTENT_NOT_FOUND', `No item with sku ${sku} is in the seller's catalog.`, 'sku');
    return s;
  }

  /** The node's stock (default node when absent); an unknown node is INVALID_REQUEST_PARAM. */
  node(s: Sku, shipNode: string | undefined | null): NodeStock {
    const id = shipNode ?? this.defaultShipNode;
    const n = s.nodes.get(id);
    if (!n) throw new WalmartError('INVALID_REQUEST_PARAM', `shipNode ${id} is not one of the seller's ship nodes.`, 'shipNode');
    return n;
  }

  isNode(shipNode: string): boolean {
    return this.shipNodes.includes(shipNode);
  }
}
