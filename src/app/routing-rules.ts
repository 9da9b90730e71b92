// Routing rules of a workspace, and what the rest of the app asks of routing: the `route` value an
// order's ledger command carries (`routeSpecFor`), and what-if decisions under proposed rules that
// write nothing (`whatIf`). The ranking itself is pure: src/domain/routing.ts.

import type { RouteSpec, RouteSpecCandidate } from '../domain/commands.ts';
import { HOLD_LINES_MAX, HOLD_LOCATIONS_MAX } from '../domain/commands.ts';
import { refusal, type Refusal } from '../domain/errors.ts';
import type { Location } from '../domain/model.ts';
import { type RouteDecision, type RouteLine, routeOrder, SERVICE_LEVELS, type ServiceLevel } from '../domain/routing.ts';
import { checkRoutingRules, costOf, DEFAULT_RULES, priorityOf, type RoutingRules, transitDays } from '../domain/routing-rules.ts';
import { componentsOf, itemsBySku, listLocations, locationsByCode } from '../store/catalog-repo.ts';
import { availableAt, getRoutingRules, putRoutingRules } from '../store/routing-repo.ts';
import type { Db } from '../store/store.ts';
import { holdsByIds } from '../store/ledger-repo.ts';
import { holdLinksOf, listOrders } from '../store/order-repo.ts';
import { openUnits, type Order } from '../domain/order-rules.ts';
import { distanceKm } from './geo.ts';
import type { Written } from './idempotent.ts';
import type { Truestock } from './truestock.ts';

/** Orders one what-if may route. */
export const WHAT_IF_ORDERS_MAX = 200;
/** Locations read per page when an order names no candidates. */
const LOCATION_PAGE = 500;

export interface ShipTo {
  postalCode: string | null;
  country: string | null;
}

/** The rules in force: the stored document, or the defaults (`updated_at` null). */
export async function getRules(db: Db, workspaceId: string): Promise<{ rules: RoutingRules; updated_at: string | null }> {
  const found = await getRoutingRules(db, workspaceId);
  return found ? { rules: found.rules, updated_at: new Date(found.updatedAt).toISOString() } : { rules: DEFAULT_RULES, updated_at: null };
}

/** Replace the rules with a checked document (missing parts take the defaults). */
export async function putRules(db: Db, workspaceId: string, doc: unknown, now: number): Promise<Written | Refusal> {
  const checked = checkRoutingRules(doc);
  if (!checked.ok) return checked.refusal;
  await putRoutingRules(db, workspaceId, checked.rules, now);
  return { status: 200, body: { rules: checked.rules, updated_at: new Date(now).toISOString() } };
}

function candidateOf(rules: RoutingRules, code: string, loc: Location | undefined, level: ServiceLevel, shipTo: ShipTo | null): RouteSpecCandidate {
  const distance = loc && shipTo ? distanceKm(loc.postalCode, loc.country, shipTo.postalCode, shipTo.country) : null;
  return { code, distance_km: distance, transit_days: transitDays(rules, code, level, distance), priority: priorityOf(rules, code), cost: costOf(rules, code) };
}

export interface RouteSpecInput {
  /** Location codes the order may ship from (the order's channel's). A pickup order's store is added if missing. */
  candidates: string[];
  serviceLevel: ServiceLevel;
  /** The store a pickup order is collected at. */
  pickupLocation?: string | null;
  /** The destination; null (or unknown codes) leaves distances unknown. */
  shipTo: ShipTo | null;
  /** Days the promise allows from now; null: no promise. */
  promiseDays?: number | null;
  /** The channel fulfils the order itself (FBA): only channel-managed locations ship it. */
  fulfilledByChannel?: boolean;
}

/**
 * The `route` of an `allocate_order` or `reserve` command for an order: each candidate's distance
 * to the ship-to, transit days for the service level, priority and cost under the workspace's
 * rules. Unknown codes are passed on; the ledger refuses them (`unknown_location`).
 */
export async function routeSpecFor(db: Db, workspaceId: string, input: RouteSpecInput, rulesOverride?: RoutingRules): Promise<RouteSpec> {
  const rules = rulesOverride ?? (await getRules(db, workspaceId)).rules;
  const codes = [...new Set(input.serviceLevel === 'pickup' && input.pickupLocation ? [input.pickupLocation, ...input.candidates] : input.candidates)];
  const locations = new Map((await locationsByCode(db, workspaceId, codes)).map((l) => [l.code, l]));
  return {
    service_level: input.serviceLevel,
    ...(input.serviceLevel === 'pickup' ? { pickup_location: input.pickupLocation ?? null } : {}),
    promise_days: input.promiseDays ?? null,
    ...(input.fulfilledByChannel ? { fulfilled_by_channel: true } : {}),
    max_shipments: rules.max_shipments,
    candidates: codes.map((code) => candidateOf(rules, code, locations.get(code), input.serviceLevel, input.shipTo)),
  };
}

export interface WhatIfOrder {
  lines: { sku: string; quantity: number }[];
  service_level: ServiceLevel;
  ship_to?: { postal_code?: string | null; country?: string | null } | null;
  pickup_location?: string | null;
  promise_days?: number | null;
  /** Location codes; all of the workspace's when absent. */
  candidates?: string[];
  fulfilled_by_channel?: boolean;
  /** The order's reference, echoed in the answer (open orders: their number and reference). */
  reference?: string;
  /** Units the order already holds, per `itemId|locationId`: its own, so counted as free to it. */
  held?: ReadonlyMap<string, number>;
}

type Routed = { decision: RouteDecision } | { error: Refusal };

export interface WhatIfResult {
  orders: { reference?: string; current: Routed; proposed: Routed | null; changed: boolean | null }[];
}

/** Orders a what-if of `open` orders looks at: not yet shipped, not cancelled. */
const OPEN_STATES = ['pending', 'allocated', 'partially_shipped'] as const;
const DAY_MS = 86_400_000;

/**
 * The workspace's open orders (the newest WHAT_IF_ORDERS_MAX) as what-if orders: their units not
 * yet shipped or cancelled, with what each already holds counted as its own. Orders the channel
 * fulfils itself are left out: no rule of ours routes them.
 */
async function openOrders(db: Db, workspaceId: string, now: number, codeOf: (locationId: string) => string | undefined): Promise<WhatIfOrder[]> {
  const found: Order[] = [];
  for (const state of OPEN_STATES) found.push(...(await listOrders(db, workspaceId, { state, limit: WHAT_IF_ORDERS_MAX })));
  const orders = found.filter((o) => !o.fulfilledByChannel).sort((a, b) => b.number - a.number).slice(0, WHAT_IF_ORDERS_MAX);
  const links = await holdLinksOf(db, orders.map((o) => o.id));
  const holds = new Map((await holdsByIds(db, workspaceId, [...links.values()].flat().map((l) => l.holdId))).map((h) => [h.id, h]));
  const out: WhatIfOrder[] = [];
  for (const o of orders) {
    const lines = o.lines.filter((l) => l.sku !== null && openUnits(l) > 0).map((l) => ({ sku: l.sku!, quantity: openUnits(l) }));
    if (lines.length === 0) continue;
    const held = new Map<string, number>();
    for (const link of links.get(o.id) ?? []) {
      const hold = holds.get(link.holdId);
      const line = hold?.lines.find((l) => l.lineNo === link.holdLineNo);
      if (!hold || !line || (hold.state !== 'active' && hold.state !== 'allocated')) continue;
      const key = `${line.itemId}|${line.locationId}`;
      held.set(key, (held.get(key) ?? 0) + line.quantity - line.shipped);
    }
    const pickup = o.pickupLocationId === null ? null : (codeOf(o.pickupLocationId) ?? null);
    out.push({
      reference: `#${o.number} ${o.orderReference}`,
      lines,
      service_level: o.serviceLevel,
      ship_to: { postal_code: o.shipTo.postalCode, country: o.shipTo.country },
      pickup_location: pickup,
      promise_days: o.promisedDeliverBy === null ? null : Math.max(0, Math.ceil((o.promisedDeliverBy - now) / DAY_MS)),
      ...(o.candidates ? { candidates: o.candidates } : {}),
      held,
    });
  }
  return out;
}

/** Every location of the workspace, in id order. */
async function allLocations(db: Db, workspaceId: string): Promise<Location[]> {
  const out: Location[] = [];
  for (let after: string | undefined; ;) {
    const page = await listLocations(db, workspaceId, { limit: LOCATION_PAGE, ...(after ? { after } : {}) });
    out.push(...page);
    if (page.length < LOCATION_PAGE) return out;
    after = page[page.length - 1]!.id;
  }
}

/**
 * How these orders would route under the current rules and under `proposedRules` (when given),
 * from stock as it stands (`available`; a channel's ring-fence is not counted). Reads only: one
 * read transaction, nothing written. A bad order answers its own error; bad proposed rules
 * refuse the whole request.
 */
export async function whatIf(ts: Truestock, workspaceId: string, given: WhatIfOrder[] | 'open', proposedRules?: unknown): Promise<WhatIfResult | Refusal> {
  if (given !== 'open' && (!Array.isArray(given) || given.length === 0 || given.length > WHAT_IF_ORDERS_MAX)) {
    return refusal('validation_failed', `orders must hold 1 to ${WHAT_IF_ORDERS_MAX} orders`, 'orders');
  }
  let proposed: RoutingRules | null = null;
  if (proposedRules !== undefined) {
    const checked = checkRoutingRules(proposedRules);
    if (!checked.ok) return { ...checked.refusal, ...(checked.refusal.field ? { field: `rules.${checked.refusal.field}` } : {}) };
    proposed = checked.rules;
  }
  return ts.store.read(async (db) => {
    const current = (await getRules(db, workspaceId)).rules;
    const locations = await allLocations(db, workspaceId);
    const byCode = new Map(locations.map((l) => [l.code, l]));
    const byId = new Map(locations.map((l) => [l.id, l.code]));
    const orders = given === 'open' ? await openOrders(db, workspaceId, ts.clock.now(), (id) => byId.get(id)) : given;
    const out: WhatIfResult['orders'] = [];
    for (const [n, order] of orders.entries()) {
      const reference = order.reference !== undefined ? { reference: order.reference } : {};
      const prepared = await prepare(db, workspaceId, order, `orders[${n}]`, byCode, locations);
      if ('code' in prepared) {
        out.push({ ...reference, current: { error: prepared }, proposed: proposed && { error: prepared }, changed: proposed && false });
        continue;
      }
      const route = (rules: RoutingRules): Routed => ({ decision: routeOrder({ ...prepared.request, maxShipments: rules.max_shipments, candidates: prepared.candidates(rules) }) });
      const now = route(current);
      const then = proposed && route(proposed);
      out.push({ ...reference, current: now, proposed: then, changed: then && JSON.stringify(shipPlan(now)) !== JSON.stringify(shipPlan(then)) });
    }
    return { orders: out };
  });
}

const shipPlan = (r: Routed) => ('decision' in r ? { shipments: r.decision.shipments, short: r.decision.short } : r.error.code);

/** An order's routing request without its candidates' rule-dependent numbers. */
async function prepare(db: Db, workspaceId: string, order: WhatIfOrder, field: string, byCode: Map<string, Location>, locations: Location[]) {
  const bad = (f: string, detail: string, code: Refusal['code'] = 'validation_failed') => refusal(code, detail, `${field}.${f}`);
  if (typeof order !== 'object' || order === null) return bad('', 'must be an order object');
  if (!SERVICE_LEVELS.includes(order.service_level)) return bad('service_level', `must be one of ${SERVICE_LEVELS.join(', ')}`);
  if (order.service_level === 'pickup') {
    if (typeof order.pickup_location !== 'string') return bad('pickup_location', 'names the store a pickup order is collected at');
    if (!byCode.has(order.pickup_location)) return bad('pickup_location', `no location with code ${JSON.stringify(order.pickup_location)}`, 'unknown_location');
  }
  if (!Array.isArray(order.lines) || order.lines.length === 0 || order.lines.length > HOLD_LINES_MAX) return bad('lines', `must hold 1 to ${HOLD_LINES_MAX} lines`);
  const codes = order.candidates ?? locations.map((l) => l.code);
  if (!Array.isArray(codes) || codes.length > (order.candidates ? HOLD_LOCATIONS_MAX : Infinity)) return bad('candidates', `must list at most ${HOLD_LOCATIONS_MAX} codes`);
  const cands: Location[] = [];
  for (const [i, code] of codes.entries()) {
    const loc = byCode.get(code);
    if (!loc) return bad(`candidates[${i}]`, `no location with code ${JSON.stringify(code)}`, 'unknown_location');
    cands.push(loc);
  }
  if (order.service_level === 'pickup' && !cands.some((l) => l.code === order.pickup_location)) cands.unshift(byCode.get(order.pickup_location!)!);
  const items = new Map((await itemsBySku(db, workspaceId, order.lines.map((l) => l?.sku).filter((s): s is string => typeof s === 'string'))).map((i) => [i.sku, i]));
  const components = await componentsOf(db, [...items.values()].filter((i) => i.kind !== 'standard').map((i) => i.id));
  const lines: RouteLine[] = [];
  for (const [i, l] of order.lines.entries()) {
    if (!Number.isSafeInteger(l?.quantity) || l.quantity < 1) return bad(`lines[${i}].quantity`, 'must be a whole number ≥ 1', 'invalid_quantity');
    const item = items.get(l.sku);
    if (!item) return bad(`lines[${i}].sku`, `no item with SKU ${JSON.stringify(l.sku)}`, 'unknown_item');
    const parts = item.kind === 'standard' ? [{ itemId: item.id, perUnit: 1 }] : (components.get(item.id) ?? []).map((c) => ({ itemId: c.itemId, perUnit: c.quantity }));
    lines.push({ label: l.sku, quantity: l.quantity, parts, prebuiltItemId: item.kind !== 'standard' && item.stocksPrebuilt ? item.id : null });
  }
  const itemIds = [...new Set(lines.flatMap((l) => [...l.parts.map((p) => p.itemId), ...(l.prebuiltItemId ? [l.prebuiltItemId] : [])]))];
  const stock = new Map((await availableAt(db, workspaceId, itemIds, cands.map((c) => c.id))).map((r) => [`${r.itemId}|${r.locationId}`, r.available]));
  const shipTo: ShipTo | null = order.ship_to ? { postalCode: order.ship_to.postal_code ?? null, country: order.ship_to.country ?? null } : null;
  const level = order.service_level;
  return {
    request: {
      lines,
      serviceLevel: level,
      pickupLocation: order.pickup_location ?? null,
      promiseDays: order.promise_days ?? null,
      fulfilledByChannel: order.fulfilled_by_channel ?? false,
      free: (itemId: string, locationId: string) => (stock.get(`${itemId}|${locationId}`) ?? 0) + (order.held?.get(`${itemId}|${locationId}`) ?? 0),
    },
    candidates: (rules: RoutingRules) =>
      cands.map((loc) => {
        const c = candidateOf(rules, loc.code, loc, level, shipTo);
        return { id: loc.id, code: loc.code, distanceKm: c.distance_km, transitDays: c.transit_days, priority: c.priority, cost: c.cost, shipsOnline: loc.shipsOnline, pickup: loc.pickup, channelManaged: loc.kind === 'channel_managed' };
      }),
  };
}
