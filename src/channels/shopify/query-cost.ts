// What Shopify charges for the connector's queries before it has told us (then its own
// `requestedQueryCost` wins). Shopify's calculated query cost: objects 1, scalars 0, mutations 10,
// and a connection 2 + pageFactor(first) × the cost of one node, where the page factor grows with
// the logarithm of the page size — 1 at first: 1, 11 at first: 250 (the figure Shopify published:
// 250 variants with their inventory items ask 25). The emulator prices the same way
// (emulators/shopify/cost.ts); query-cost.test.ts holds both to these figures.

/** The page size whose factor is PAGE_FACTOR_AT_MAX: Shopify's largest page. */
const PAGE_SIZE_MAX = 250;
const PAGE_FACTOR_AT_MAX = 11;
const CONNECTION_BASE_COST = 2;
/** Any mutation field. */
export const SHOPIFY_MUTATION_COST = 10;

/** How many nodes' worth a page of `n` costs. */
export function pageFactor(n: number): number {
  if (!(n >= 1)) return 0;
  return 1 + Math.floor(((PAGE_FACTOR_AT_MAX - 1) * Math.log(n)) / Math.log(PAGE_SIZE_MAX) + 1e-9);
}

/** A connection (or `nodes(ids:)`) of `n` nodes, each costing `nodeCost`. */
export const connectionCost = (n: number, nodeCost: number): number => CONNECTION_BASE_COST + pageFactor(n) * Math.max(1, nodeCost);
