// A Shopify client whose calls draw on the channel's one rate-limit budget, shared with the
// dispatcher's pushes: Shopify keeps one bucket per app and shop, so an order poll that spent
// points behind the dispatcher's back would get its next push throttled.

import type { BudgetReport } from '../../sync/connector.ts';
import type { ShopifyAnswer, ShopifyApi } from './client.ts';
import { ORDER_LINES_QUERY_COST, ORDERS_QUERY_COST } from './order-poll.ts';

/** A query's cost before Shopify has told us (its requested cost is remembered per operation): the dearest query the connector sends. */
export const QUERY_COST_ESTIMATE = Math.max(ORDERS_QUERY_COST, ORDER_LINES_QUERY_COST);

export interface Budget {
  spend(cost: number): Promise<boolean>;
  observe(report: BudgetReport): void;
}

export function budgetedApi(api: ShopifyApi, budget: Budget): ShopifyApi {
  const costs = new Map<string, number>();
  return {
    shopDomain: api.shopDomain,
    async query<T>(operation: string, variables?: Record<string, unknown>): Promise<ShopifyAnswer<T>> {
      if (!(await budget.spend(costs.get(operation) ?? QUERY_COST_ESTIMATE))) {
        return { ok: false, kind: 'permanent', status: null, message: 'this query costs more than the whole bucket', cost: null };
      }
      const answer = await api.query<T>(operation, variables);
      const cost = answer.cost;
      if (cost?.requested) costs.set(operation, cost.requested);
      if (cost && cost.currentlyAvailable !== null) {
        budget.observe({ available: cost.currentlyAvailable, ...(cost.maximumAvailable !== null ? { capacity: cost.maximumAvailable } : {}), ...(cost.restoreRate !== null ? { refillPerSecond: cost.restoreRate } : {}) });
      }
      return answer;
    },
  };
}
