// The root value the schema executes against. Objects handed to graphql-js are "views": plain
// objects whose fields are values or functions of (args, context, info), which graphql-js's
// default field resolver calls; `__typename` lets its default type resolver pick the concrete
// type of a Node.

import { type FieldNode, getDirectiveValues, GraphQLError, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { type ApiFaultSwitch, CONCURRENT_REQUEST_MESSAGE, PREVIOUS_ATTEMPT_FAILED_MESSAGE } from './api-faults.ts';
import { gid, inventoryLevelGid, numOf, parseGid } from './ids.ts';
import { fingerprintOf, IdempotencyStore } from './idempotency.ts';
import { compare, matches, parseSearchQuery, type Term } from './search-query.ts';
import { planSetQuantities, SET_QUANTITIES_MAX, type SetQuantitiesInput, type UserError } from './set-quantities.ts';
import type { ItemRec, LevelRec, LineRec, LocationRec, OrderRec, RefundRec, Shop } from './shop.ts';
import { isoSeconds, toSeconds } from './time.ts';
import type { ShopCounters } from './types.ts';
import { type ApiVersion, atLeast, STRICT_CONCURRENCY_SINCE } from './versions.ts';

/** Shopify's cap on any list argument and on a page. */
export const LIST_MAX = 250;

export interface SetQuantitiesPayload {
  inventoryAdjustmentGroup: Record<string, unknown> | null;
  userErrors: UserError[];
}

export interface RequestContext {
  shop: Shop;
  shopName: string;
  shopDomain: string;
  version: ApiVersion;
  counters: ShopCounters;
  idempotency: IdempotencyStore<SetQuantitiesPayload>;
  requireIdempotencyKey: boolean;
  faults: ApiFaultSwitch;
}

type View = Record<string, unknown>;

// ---- pagination ---------------------------------------------------------------------------------

const encodeCursor = (key: number[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

function decodeCursor(cursor: string): number[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.every((n) => typeof n === 'number')) return key;
  } catch {
    // fall through
  }
  throw new GraphQLError(`Invalid cursor for current pagination: ${cursor}`, { extensions: { code: 'BAD_REQUEST' } });
}

function tupleCompare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** `first` is optional in the schema (Shopify's connections also take `last`), but one of them must be given. */
function checkFirst(first: number | null | undefined): asserts first is number {
  if (first === null || first === undefined) {
    throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } });
  }
  if (first < 0 || first > LIST_MAX) {
    throw new GraphQLError(`The first argument must be between 0 and ${LIST_MAX}; got ${first}.`, { extensions: { code: 'BAD_REQUEST' } });
  }
}

/** A connection over `items`, ordered by `keyOf` (ascending, or descending with `reverse`). */
function paginate<T>(items: T[], keyOf: (t: T) => number[], toView: (t: T) => View, first: number | null | undefined, after?: string | null, reverse = false): View {
  checkFirst(first);
  const dir = reverse ? -1 : 1;
  const sorted = items.map((t) => ({ t, key: keyOf(t) })).sort((a, b) => dir * tupleCompare(a.key, b.key));
  const afterKey = after ? decodeCursor(after) : null;
  const rest = afterKey ? sorted.filter((x) => dir * tupleCompare(x.key, afterKey) > 0) : sorted;
  const page = rest.slice(0, first);
  const edges = page.map((x) => ({ cursor: encodeCursor(x.key), node: toView(x.t) }));
  return {
    nodes: edges.map((e) => e.node),
    edges,
    pageInfo: {
      hasNextPage: rest.length > page.length,
      hasPreviousPage: afterKey !== null && rest.length < sorted.length,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

// ---- views --------------------------------------------------------------------------------------

const QUANTITY_NAMES_READABLE = ['available', 'on_hand', 'committed', 'incoming', 'reserved', 'damaged', 'safety_stock', 'quality_control'];

function locationView(loc: LocationRec): View {
  return { __typename: 'Location', id: gid('Location', loc.num), legacyResourceId: String(loc.num), name: loc.name, isActive: true };
}

function levelView(shop: Shop, level: LevelRec): View {
  return {
    id: inventoryLevelGid(level.itemNum, level.locationNum),
    location: () => locationView(shop.locations.get(level.locationNum)!),
    item: () => itemView(shop, shop.items.get(level.itemNum)!),
    updatedAt: isoSeconds(level.updatedAt),
    quantities: ({ names }: { names: string[] }) =>
      names.map((name) => {
        if (!QUANTITY_NAMES_READABLE.includes(name)) {
          throw new GraphQLError(`Invalid quantity name ${JSON.stringify(name)}; valid names: ${QUANTITY_NAMES_READABLE.join(', ')}.`, { extensions: { code: 'BAD_REQUEST' } });
        }
        const quantity = name === 'available' ? level.available : name === 'committed' ? level.committed : name === 'on_hand' ? level.available + level.committed : 0;
        return { name, quantity, updatedAt: isoSeconds(level.updatedAt) };
      }),
  };
}

function itemView(shop: Shop, item: ItemRec): View {
  return {
    __typename: 'InventoryItem',
    id: gid('InventoryItem', item.num),
    legacyResourceId: String(item.num),
    sku: item.sku,
    tracked: true,
    variant: () => variantView(shop, item),
    inventoryLevels: ({ first, after }: { first?: number | null; after?: string | null }) =>
      paginate(shop.levelsOf(item.num), (l) => [l.locationNum], (l) => levelView(shop, l), first, after),
    inventoryLevel: ({ locationId }: { locationId: string }) => {
      const n = numOf(locationId, 'Location');
      const level = n === null ? undefined : shop.level(item.num, n);
      return level ? levelView(shop, level) : null;
    },
  };
}

function variantView(shop: Shop, item: ItemRec): View {
  return {
    __typename: 'ProductVariant',
    id: gid('ProductVariant', item.variantNum),
    legacyResourceId: String(item.variantNum),
    sku: item.sku,
    inventoryItem: () => itemView(shop, item),
  };
}

function lineItemView(shop: Shop, line: LineRec): View {
  return {
    id: gid('LineItem', line.num),
    sku: line.sku,
    quantity: line.quantity,
    currentQuantity: line.quantity - line.refunded - (line.cancelled - line.cancelledRefunded),
    variant: () => variantView(shop, shop.items.get(line.itemNum)!),
  };
}

function refundView(shop: Shop, order: OrderRec, refund: RefundRec): View {
  return {
    __typename: 'Refund',
    id: gid('Refund', refund.num),
    legacyResourceId: String(refund.num),
    createdAt: isoSeconds(refund.createdAt),
    refundLineItems: ({ first, after }: { first?: number | null; after?: string | null }) =>
      paginate(
        refund.lines,
        (rl) => [rl.num],
        (rl) => ({
          id: gid('RefundLineItem', rl.num),
          lineItem: () => lineItemView(shop, order.lines.find((l) => l.num === rl.lineNum)!),
          quantity: rl.quantity,
          restockType: rl.restockType.toUpperCase(),
          restocked: rl.restockType !== 'no_restock',
          location: () => locationView(shop.locations.get(rl.locationNum)!),
        }),
        first,
        after,
      ),
  };
}

function orderView(shop: Shop, order: OrderRec): View {
  return {
    __typename: 'Order',
    id: gid('Order', order.num),
    legacyResourceId: String(order.num),
    name: order.name,
    createdAt: isoSeconds(order.createdAt),
    processedAt: isoSeconds(order.createdAt),
    updatedAt: isoSeconds(order.updatedAt),
    cancelledAt: order.cancelledAt === null ? null : isoSeconds(order.cancelledAt),
    // Shopify fills retailLocation only for point-of-sale orders.
    retailLocation: () => (order.pos ? locationView(shop.locations.get(order.locationNum)!) : null),
    lineItems: ({ first, after }: { first?: number | null; after?: string | null }) =>
      paginate(order.lines, (l) => [l.num], (l) => lineItemView(shop, l), first, after),
    refunds: ({ first }: { first?: number | null }) => order.refunds.slice(0, first ?? undefined).map((r) => refundView(shop, order, r)),
  };
}

/** The view of any node id, or null when nothing has that id; a malformed id is an error. */
function nodeView(shop: Shop, id: string): View | null {
  const p = parseGid(id);
  if (!p) throw new GraphQLError(`Invalid global id '${id}'`, { extensions: { code: 'BAD_REQUEST' } });
  switch (p.type) {
    case 'InventoryItem': {
      const item = shop.items.get(p.num);
      return item ? itemView(shop, item) : null;
    }
    case 'ProductVariant': {
      const item = shop.variants.get(p.num);
      return item ? variantView(shop, item) : null;
    }
    case 'Location': {
      const loc = shop.locations.get(p.num);
      return loc ? locationView(loc) : null;
    }
    case 'Order': {
      const order = shop.orders.get(p.num);
      return order ? orderView(shop, order) : null;
    }
    default:
      return null;
  }
}

function nodeOfType(shop: Shop, id: string, type: string): View | null {
  const view = nodeView(shop, id);
  return view && view.__typename === type ? view : null;
}

function tooMany(what: string, n: number): GraphQLError {
  return new GraphQLError(`The input array size of ${n} is greater than the maximum allowed of ${LIST_MAX}.`, {
    extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED', argument: what },
  });
}

// ---- search filters -----------------------------------------------------------------------------

function dateTerm(ms: number, t: Term): boolean | undefined {
  const q = Date.parse(t.value);
  return Number.isNaN(q) ? undefined : compare(toSeconds(ms), t.op, q);
}

function orderMatches(o: OrderRec, t: Term): boolean | undefined {
  switch (t.field) {
    case 'updated_at':
      return dateTerm(o.updatedAt, t);
    case 'created_at':
    case 'processed_at':
      return dateTerm(o.createdAt, t);
    case 'id': {
      const n = Number(t.value);
      return Number.isFinite(n) ? compare(o.num, t.op, n) : undefined;
    }
    case 'name':
      return o.name === t.value || o.name === `#${t.value}`;
    case 'status':
      return t.value === 'cancelled' ? o.cancelledAt !== null : t.value === 'open' ? o.cancelledAt === null : undefined;
    default:
      return undefined;
  }
}

function variantMatches(item: ItemRec, t: Term): boolean | undefined {
  switch (t.field) {
    case 'sku':
      return item.sku.toLowerCase() === t.value.toLowerCase();
    case 'id': {
      const n = Number(t.value);
      return Number.isFinite(n) ? compare(item.variantNum, t.op, n) : undefined;
    }
    default:
      return undefined;
  }
}

const ORDER_SORT: Record<string, (o: OrderRec) => number[]> = {
  ID: (o) => [o.num],
  CREATED_AT: (o) => [o.createdAt, o.num],
  PROCESSED_AT: (o) => [o.createdAt, o.num],
  UPDATED_AT: (o) => [o.updatedAt, o.num],
};

// ---- the mutation -------------------------------------------------------------------------------

/** The `@idempotent(key:)` of a field, if it carries one. */
export function idempotencyKeyOf(schema: GraphQLSchema, nodes: readonly FieldNode[], variables: Record<string, unknown>): string | undefined {
  const directive = schema.getDirective('idempotent')!;
  for (const node of nodes) {
    const values = getDirectiveValues(directive, node, variables);
    if (values && typeof values.key === 'string') return values.key;
  }
  return undefined;
}

function inventorySetQuantities(args: { input: SetQuantitiesInput }, ctx: RequestContext, info: GraphQLResolveInfo): SetQuantitiesPayload {
  const { shop, counters } = ctx;
  counters.mutations++;
  const key = idempotencyKeyOf(info.schema, info.fieldNodes, info.variableValues);
  if (key === undefined && ctx.requireIdempotencyKey && atLeast(ctx.version, STRICT_CONCURRENCY_SINCE)) {
    throw new GraphQLError(
      `The @idempotent directive is required for ${info.fieldName} from API version ${STRICT_CONCURRENCY_SINCE}: add @idempotent(key: "<uuid>") after the field.`,
      { extensions: { code: 'BAD_REQUEST' } },
    );
  }
  const fingerprint = fingerprintOf({ field: info.fieldName, args });
  if (key !== undefined) {
    const refused = (code: string, message: string): SetQuantitiesPayload => ({ inventoryAdjustmentGroup: null, userErrors: [{ code, field: null, message }] });
    // Injected faults first: as if another request with this key were running, or had failed.
    if (ctx.faults.take('IDEMPOTENCY_CONCURRENT_REQUEST')) {
      counters.apiFaults++;
      return refused('IDEMPOTENCY_CONCURRENT_REQUEST', CONCURRENT_REQUEST_MESSAGE);
    }
    if (ctx.faults.take('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED')) {
      counters.apiFaults++;
      ctx.idempotency.fail(key);
      return refused('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED', PREVIOUS_ATTEMPT_FAILED_MESSAGE);
    }
    const prior = ctx.idempotency.get(key);
    if (prior?.failed) return refused('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED', PREVIOUS_ATTEMPT_FAILED_MESSAGE);
    if (prior && prior.fingerprint === fingerprint) {
      counters.idempotentReplays++;
      return prior.answer;
    }
    if (prior) {
      return {
        inventoryAdjustmentGroup: null,
        userErrors: [{ code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH', field: null, message: 'The same idempotency key cannot be used with different operation parameters.' }],
      };
    }
  }
  const { input } = args;
  if (input.quantities.length > SET_QUANTITIES_MAX) throw tooMany('input.quantities', input.quantities.length);

  const plan = planSetQuantities(shop, input, ctx.version);
  let payload: SetQuantitiesPayload;
  if (!plan.ok) {
    counters.staleCompares += plan.stale;
    payload = { inventoryAdjustmentGroup: null, userErrors: plan.userErrors };
  } else {
    const at = shop.now();
    shop.applyWrites(plan.writes, at);
    counters.quantitiesSet += plan.writes.length;
    const changes = plan.changes.map((c) => ({
      name: c.name,
      delta: c.delta,
      quantityAfterChange: c.quantityAfterChange,
      item: () => itemView(shop, shop.items.get(c.itemNum)!),
      location: () => locationView(shop.locations.get(c.locationNum)!),
      itemId: gid('InventoryItem', c.itemNum),
      locationId: gid('Location', c.locationNum),
    }));
    payload = {
      inventoryAdjustmentGroup: {
        id: gid('InventoryAdjustmentGroup', shop.ids.take()),
        createdAt: isoSeconds(at),
        reason: input.reason,
        referenceDocumentUri: input.referenceDocumentUri ?? null,
        changes: (f: { inventoryItemIds?: string[] | null; locationIds?: string[] | null; quantityNames?: string[] | null }) =>
          changes.filter(
            (c) =>
              (!f.inventoryItemIds || f.inventoryItemIds.includes(c.itemId)) &&
              (!f.locationIds || f.locationIds.includes(c.locationId)) &&
              (!f.quantityNames || f.quantityNames.includes(c.name)),
          ),
      },
      userErrors: [],
    };
  }
  if (key !== undefined) ctx.idempotency.remember(key, fingerprint, payload);
  return payload;
}

// ---- root ---------------------------------------------------------------------------------------

export const rootValue = {
  shop: (_: unknown, ctx: RequestContext) => ({ id: 'gid://shopify/Shop/1', name: ctx.shopName, myshopifyDomain: ctx.shopDomain }),
  // Without an id Shopify answers the shop's primary location: here the first one made.
  location: ({ id }: { id?: string | null }, ctx: RequestContext) => {
    if (id === null || id === undefined) {
      const first = ctx.shop.locations.values().next().value;
      return first ? locationView(first) : null;
    }
    return nodeOfType(ctx.shop, id, 'Location');
  },
  locations: ({ first, after }: { first?: number | null; after?: string | null }, ctx: RequestContext) =>
    paginate([...ctx.shop.locations.values()], (l) => [l.num], locationView, first, after),
  inventoryItem: ({ id }: { id: string }, ctx: RequestContext) => nodeOfType(ctx.shop, id, 'InventoryItem'),
  productVariant: ({ id }: { id: string }, ctx: RequestContext) => nodeOfType(ctx.shop, id, 'ProductVariant'),
  productVariants: ({ first, after, query }: { first?: number | null; after?: string | null; query?: string | null }, ctx: RequestContext) => {
    const q = parseSearchQuery(query);
    const items = [...ctx.shop.items.values()].filter((item) => matches(q, (t) => variantMatches(item, t)));
    return paginate(items, (i) => [i.variantNum], (i) => variantView(ctx.shop, i), first, after);
  },
  order: ({ id }: { id: string }, ctx: RequestContext) => nodeOfType(ctx.shop, id, 'Order'),
  orders: (
    a: { first?: number | null; after?: string | null; query?: string | null; sortKey?: string | null; reverse?: boolean | null },
    ctx: RequestContext,
  ) => {
    const q = parseSearchQuery(a.query);
    const orders = [...ctx.shop.orders.values()].filter((o) => matches(q, (t) => orderMatches(o, t)));
    const keyOf = ORDER_SORT[a.sortKey ?? 'ID']!;
    // Sort keys on time compare whole seconds, as Shopify stores them.
    const secondsKey = (o: OrderRec) => keyOf(o).map((v, i, all) => (i < all.length - 1 ? toSeconds(v) : v));
    return paginate(orders, secondsKey, (o) => orderView(ctx.shop, o), a.first, a.after, a.reverse ?? false);
  },
  node: ({ id }: { id: string }, ctx: RequestContext) => nodeView(ctx.shop, id),
  nodes: ({ ids }: { ids: string[] }, ctx: RequestContext) => {
    if (ids.length > LIST_MAX) throw tooMany('ids', ids.length);
    return ids.map((id) => nodeView(ctx.shop, id));
  },
  inventorySetQuantities,
};
