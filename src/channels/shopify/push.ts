// Pushing available quantities to Shopify and reading them back (channels.md §1).
//
// One `inventorySetQuantities` call sets up to 250 levels, each with `changeFromQuantity` — what
// we believe Shopify shows — so Shopify refuses instead of overwriting a number that moved under
// us (an order we have not imported yet, a hand edit). The call carries `@idempotent` with a key
// derived from the push intent (listings, versions, numbers): a retry after a timeout cannot apply twice.
//
// Idempotency answers (channels.md §1): IDEMPOTENCY_CONCURRENT_REQUEST means a request with this
// key is still running — the batch is transient and the dispatcher's retry carries the same key.
// IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED means the key is spent (its attempt failed, nothing
// applied) and Shopify wants a new one: the push tries again at once with the next key of a chain
// derived from the intent (intent + "fresh n"), up to SHOPIFY_KEYS_PER_PUSH_MAX keys. A chain, not
// a random key, because a later retry of the same intent must name the same keys in the same order:
// if the fresh key's call timed out after applying, the next push walks the chain to that key and
// gets its answer replayed instead of applying again. A chain, not "transient, vary the key next
// time", because the connector keeps no state between pushes from which to vary it.

import { createHash } from 'node:crypto';
import type { BudgetReport, Connector, ItemOutcome, PushItem, PushResult } from '../../sync/connector.ts';
import { connectionCost, SHOPIFY_MUTATION_COST } from './query-cost.ts';
import { type ShopifyApi, type ShopifyCost, SHOPIFY_BUCKET_POINTS_DEFAULT, SHOPIFY_RESTORE_POINTS_PER_SECOND_DEFAULT, type ShopifySettings } from './client.ts';

/** Any array input holds at most 250 elements (shopify.dev/api/usage/limits). */
export const SHOPIFY_QUANTITIES_PER_CALL_MAX = 250;
/** A read-back node: the item's inventoryLevel (1) and its quantities (1). */
const READ_BACK_NODE_COST = 2;

export const SET_QUANTITIES = `mutation TruestockSet($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { code field message }
  }
}`;

export const READ_BACK = `query TruestockReadBack($ids: [ID!]!, $location: ID!) {
  nodes(ids: $ids) {
    ... on InventoryItem { id inventoryLevel(locationId: $location) { quantities(names: ["available"]) { name quantity } } }
  }
}`;

/**
 * Codes that mean the item itself can never be set as asked. Not ITEM_NOT_STOCKED_AT_LOCATION:
 * 2026-10 removed it (a quantity can be set at any location, which stocks the item there).
 */
export const REJECTING = new Set(['INVALID_INVENTORY_ITEM', 'INVALID_LOCATION', 'INVALID_QUANTITY_NEGATIVE', 'INVALID_QUANTITY_TOO_HIGH', 'INVALID_QUANTITY_TOO_LOW', 'NON_MUTABLE_INVENTORY_ITEM']);
export const STALE = new Set(['CHANGE_FROM_QUANTITY_STALE', 'COMPARE_QUANTITY_STALE']);
/** A request with the same key is still running: retry later with the same key. */
export const CONCURRENT = 'IDEMPOTENCY_CONCURRENT_REQUEST';
/** The key's earlier attempt failed: retry with a new key. */
export const PREVIOUS_ATTEMPT_FAILED = 'IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED';
/** Keys one push tries (the intent's own, then fresh ones after PREVIOUS_ATTEMPT_FAILED) before the batch counts as transient. */
export const SHOPIFY_KEYS_PER_PUSH_MAX = 3;

/** The n-th `@idempotent` key of a push intent: n = 0 is the intent's own, later ones are fresh. */
export function idempotencyKeyOf(intent: unknown, n: number): string {
  const named = n === 0 ? intent : [intent, 'fresh', n];
  return `truestock-${createHash('sha256').update(JSON.stringify(named)).digest('hex').slice(0, 32)}`;
}

interface UserError {
  code: string | null;
  field: string[] | null;
  message: string;
}

export function shopifyConnector(api: ShopifyApi, settings: ShopifySettings): Connector {
  return {
    maxBatch: SHOPIFY_QUANTITIES_PER_CALL_MAX,
    bucket: { capacity: settings.bucket_size ?? SHOPIFY_BUCKET_POINTS_DEFAULT, refillPerSecond: settings.restore_rate ?? SHOPIFY_RESTORE_POINTS_PER_SECOND_DEFAULT },
    pushCost: () => SHOPIFY_MUTATION_COST,
    // nodes(ids:) is sized like a connection: 250 items ask 2 + 11 × 2 = 24.
    readCost: (n) => connectionCost(n, READ_BACK_NODE_COST),

    async push(items: PushItem[]): Promise<PushResult> {
      const outcomes: (ItemOutcome | null)[] = items.map((i) => (i.external.inventory_item_id && i.external.location_id ? null : { status: 'rejected', reason: 'a Shopify listing needs inventory_item_id and location_id to be pushed (a variant alone names no location)' }));
      const sendable = items.filter((_, k) => outcomes[k] === null);
      if (sendable.length === 0) return { ok: true, outcomes: outcomes as ItemOutcome[] };
      const quantities = sendable.map((i) => ({ inventoryItemId: i.external.inventory_item_id, locationId: i.external.location_id, quantity: i.quantity, changeFromQuantity: i.expected }));
      const input = { name: 'available', reason: 'correction', referenceDocumentUri: 'truestock://sync', quantities };
      // The key names this push intent — these listings at these versions, from these numbers —
      // so a retry after a timeout replays, while a later push of the same numbers (after the
      // shop's number moved and came back) is a new call Shopify applies.
      const intent = sendable.map((i, k) => [i.listingId, i.version, quantities[k]]);
      const send = (n: number) => api.query<{ inventorySetQuantities: { userErrors: UserError[] } | null }>(SET_QUANTITIES, { input, key: idempotencyKeyOf(intent, n) });
      let res = await send(0);
      for (let n = 1; n < SHOPIFY_KEYS_PER_PUSH_MAX && res.ok && res.data.inventorySetQuantities?.userErrors.some((e) => e.code === PREVIOUS_ATTEMPT_FAILED); n++) res = await send(n);
      if (!res.ok) return { ok: false, failure: res.kind, retryAfterMs: res.kind === 'throttled' ? res.retryAfterMs : null, message: res.message, budget: budgetOf(res.cost) };
      const errors = res.data.inventorySetQuantities?.userErrors ?? [];
      // Nothing was applied; try later (with the same key for a concurrent request, the chain again for failed attempts).
      const idempotency = errors.find((e) => e.code === CONCURRENT || e.code === PREVIOUS_ATTEMPT_FAILED);
      if (idempotency) {
        const why = idempotency.code === CONCURRENT ? 'a request with the same key is still running' : `${SHOPIFY_KEYS_PER_PUSH_MAX} keys in a row answered that an earlier attempt failed`;
        return { ok: false, failure: 'transient', retryAfterMs: null, message: `${idempotency.code}: ${why}`, budget: budgetOf(res.cost) };
      }
      // Shopify's userErrors name the quantity by its index; an error without one fails the call.
      const byIndex = new Map<number, UserError>();
      for (const e of errors) {
        const at = e.field?.[0] === 'input' && e.field[1] === 'quantities' ? Number(e.field[2]) : NaN;
        if (!Number.isInteger(at) || at < 0 || at >= sendable.length) return { ok: false, failure: 'permanent', retryAfterMs: null, message: `${e.code ?? 'ERROR'}: ${e.message}`, budget: budgetOf(res.cost) };
        byIndex.set(at, e);
      }
      let k = 0;
      const done = outcomes.map((o): ItemOutcome => {
        if (o !== null) return o;
        const e = byIndex.get(k++);
        if (!e) return errors.length === 0 ? { status: 'acknowledged' } : { status: 'not_applied' };
        if (e.code !== null && STALE.has(e.code)) return { status: 'stale' };
        if (e.code !== null && REJECTING.has(e.code)) return { status: 'rejected', reason: `${e.code}: ${e.message}` };
        return { status: 'not_applied' };
      });
      return { ok: true, outcomes: done, budget: budgetOf(res.cost) };
    },

    async readBack(items: PushItem[]) {
      const shown: (number | null)[] = items.map(() => null);
      let budget: BudgetReport | undefined;
      const byLocation = new Map<string, number[]>();
      items.forEach((i, k) => {
        if (!i.external.inventory_item_id || !i.external.location_id) return;
        byLocation.set(i.external.location_id, [...(byLocation.get(i.external.location_id) ?? []), k]);
      });
      for (const [location, indexes] of byLocation) {
        const ids = indexes.map((k) => items[k]!.external.inventory_item_id!);
        type Node = { id: string; inventoryLevel: { quantities: { name: string; quantity: number }[] } | null } | null;
        const res = await api.query<{ nodes: Node[] }>(READ_BACK, { ids, location });
        if (!res.ok) return { ok: false as const, message: res.message };
        budget = budgetOf(res.cost);
        res.data.nodes.forEach((n, j) => {
          const q = n?.inventoryLevel?.quantities.find((x) => x.name === 'available')?.quantity;
          if (typeof q === 'number') shown[indexes[j]!] = q;
        });
      }
      return { ok: true as const, shown, ...(budget ? { budget } : {}) };
    },
  };
}

function budgetOf(cost: ShopifyCost | null): BudgetReport | undefined {
  if (!cost || cost.currentlyAvailable === null) return undefined;
  return {
    ...(cost.maximumAvailable !== null ? { capacity: cost.maximumAvailable } : {}),
    available: cost.currentlyAvailable,
    ...(cost.restoreRate !== null ? { refillPerSecond: cost.restoreRate } : {}),
  };
}
