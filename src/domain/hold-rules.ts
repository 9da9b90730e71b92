// Rules for holds: reserve, extend, release, expire, allocate (with or without a hold), ship,
// cancel an allocation. A hold moves units available → reserved; allocating posts them
// reserved → committed; shipping sends committed units to the customer.

import type {
  AllocateCommand,
  AllocateOrderCommand,
  CancelAllocationCommand,
  ExpireCommand,
  ExtendCommand,
  LineRequest,
  OrderLineRequest,
  ReleaseCommand,
  ReserveCommand,
  RouteSpec,
  ShipCommand,
} from './commands.ts';
import { HOLD_LINES_MAX, HOLD_LOCATIONS_MAX, HOLD_TIMEOUT_DEFAULT_MS, HOLD_TIMEOUT_MAX_MS } from './commands.ts';
import { invariant, refusal, type Refusal } from './errors.ts';
import { checkQuantity, ok, type Outcome, refused, resolveItem, resolveLocation, type RuleContext } from './context.ts';
import type { Hold, HoldLine, Item, Location } from './model.ts';
import { levelKey } from './scratch.ts';
import { lineLocations, MAX_SHIPMENTS_LIMIT, type RouteDecision, type RouteLine, routeOrder, SERVICE_LEVELS } from './routing.ts';

export interface HoldTouched {
  kind: 'hold';
  holdId: string;
  /** How a routed command chose its locations (command field `route`), for the caller to keep. */
  route?: RouteDecision;
  /** An order with lines bounded by its channel's ring-fence: what each could not take from it. */
  backordered?: BackorderedLine[];
}

/** An order whose every line was backordered beyond its channel's ring-fence: nothing is held. */
export interface BackorderTouched {
  kind: 'backorder';
  backordered: BackorderedLine[];
}

/** Units of one order line its channel's ring-fence could not cover, waiting for stock. */
export interface BackorderedLine {
  /** The line's position in the command's `lines` (0-based, as in `lines[0]`). */
  line: number;
  sku: string;
  quantity: number;
}

function checkTimeout(ms: unknown, field: string): Refusal | null {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 1_000 || ms > HOLD_TIMEOUT_MAX_MS) {
    return refusal('validation_failed', `${field} must be a whole number of milliseconds from 1000 to ${HOLD_TIMEOUT_MAX_MS}`, field);
  }
  return null;
}

interface PlacedLine {
  itemId: string;
  locationId: string;
  quantity: number;
  /** Units of the line that the chosen location cannot cover. */
  short: number;
  bundleItemId: string | null;
}

/** What one requested line takes from stock: the item itself, or a bundle's components. */
function partsOf(ctx: RuleContext, item: Item, quantity: number, field: string, allowArchived: boolean): Outcome<{ item: Item; quantity: number }[]> {
  if (item.archived && !allowArchived) return refused(refusal('item_archived', `${item.sku} is archived`, field));
  if (item.kind === 'standard') return ok([{ item, quantity }]);
  const components = ctx.catalog.components(item.id);
  if (components.length === 0) return refused(refusal('validation_failed', `${item.kind} ${item.sku} has no components`, field));
  const parts: { item: Item; quantity: number }[] = [];
  for (const c of components) {
    const component = ctx.catalog.item(c.itemId);
    invariant(component !== undefined, () => `component ${c.itemId} of ${item.sku} was not loaded`);
    if (component.archived && !allowArchived) {
      return refused(refusal('item_archived', `${item.sku} contains ${component.sku}, which is archived`, field));
    }
    parts.push({ item: component, quantity: quantity * c.quantity });
  }
  return ok(parts);
}

/**
 * Place each line at its own location or at the first candidate location whose `available`
 * covers it, counting what earlier lines of the same request already took. With
 * `allowShort`, a line no location covers goes to its first candidate with a shortfall.
 */
function placeLines(
  ctx: RuleContext,
  lines: LineRequest[],
  locations: string[] | undefined,
  allowShort: boolean,
  /** Units this request may take beyond `available` at a level: its channel's ring-fence. */
  fenced: FenceUnits = new Map(),
): Outcome<PlacedLine[]> {
  if (!Array.isArray(lines) || lines.length === 0 || lines.length > HOLD_LINES_MAX) {
    return refused(refusal('validation_failed', `lines must hold 1 to ${HOLD_LINES_MAX} lines`, 'lines'));
  }
  if (locations !== undefined && (!Array.isArray(locations) || locations.length > HOLD_LOCATIONS_MAX)) {
    return refused(refusal('validation_failed', `locations must list at most ${HOLD_LOCATIONS_MAX} codes`, 'locations'));
  }
  const candidates: Location[] = [];
  for (const [i, code] of (locations ?? []).entries()) {
    const loc = resolveLocation(ctx, code, `locations[${i}]`);
    if (!loc.ok) return loc;
    candidates.push(loc.value);
  }
  // Units taken by earlier lines of this request, per stock level.
  const taken = new Map<string, number>();
  const free = (itemId: string, locationId: string) =>
    ctx.scratch.read(itemId, locationId).available + (fenced.get(levelKey(itemId, locationId)) ?? 0) - (taken.get(levelKey(itemId, locationId)) ?? 0);

  const placed: PlacedLine[] = [];
  for (const [i, line] of lines.entries()) {
    const bad = checkQuantity(line?.quantity, `lines[${i}].quantity`);
    if (bad) return refused(bad);
    const item = resolveItem(ctx, line.sku, `lines[${i}].sku`);
    if (!item.ok) return item;
    // Archived items are not for sale, but an order a channel already took must still be recorded.
    const parts = partsOf(ctx, item.value, line.quantity, `lines[${i}].sku`, allowShort);
    if (!parts.ok) return parts;
    let options = candidates;
    if (line.location !== undefined) {
      const loc = resolveLocation(ctx, line.location, `lines[${i}].location`);
      if (!loc.ok) return loc;
      options = [loc.value];
    }
    if (options.length === 0) {
      return refused(refusal('validation_failed', `lines[${i}] names no location and the request has no locations`, `lines[${i}].location`));
    }
    const kit = item.value;
    const bundleItemId = kit.kind === 'standard' ? null : kit.id;
    // What the line takes at a location. A kit kept pre-built sells its built units there first
    // and builds the rest from components.
    const partsAt = (loc: Location): { item: Item; quantity: number; bundleItemId: string | null }[] => {
      const built = kit.stocksPrebuilt ? Math.min(line.quantity, Math.max(0, free(kit.id, loc.id))) : 0;
      const rest = line.quantity - built;
      const fromParts = rest === 0 ? [] : parts.value.map((p) => ({ item: p.item, quantity: (p.quantity / line.quantity) * rest, bundleItemId }));
      return built > 0 ? [{ item: kit, quantity: built, bundleItemId: null }, ...fromParts] : fromParts;
    };
    // A bundle ships from one place: the location must cover every component.
    const covers = (loc: Location) => partsAt(loc).every((p) => free(p.item.id, loc.id) >= p.quantity);
    let chosen = options.find(covers);
    if (!chosen) {
      if (!allowShort) {
        const have = options.map((loc) => `${loc.code}: ${parts.value.map((p) => Math.max(0, free(p.item.id, loc.id))).join('/')}`).join(', ');
        const what = kit.kind === 'standard' ? line.sku : `${line.sku} (components ${parts.value.map((p) => p.item.sku).join('/')})`;
        return refused(refusal('insufficient_stock', `not enough ${what} available for ${line.quantity} (${have})`, `lines[${i}].quantity`, { sku: line.sku }));
      }
      chosen = options[0]!;
    }
    for (const p of partsAt(chosen)) {
      const short = Math.max(0, p.quantity - Math.max(0, free(p.item.id, chosen.id)));
      const key = levelKey(p.item.id, chosen.id);
      taken.set(key, (taken.get(key) ?? 0) + p.quantity - short);
      placed.push({ itemId: p.item.id, locationId: chosen.id, quantity: p.quantity, short, bundleItemId: p.bundleItemId });
    }
  }
  return ok(placed);
}

/** A route spec's shape; the app layer builds it, so a bad one is a caller's bug shown as a 400. */
function checkRoute(route: RouteSpec): Refusal | null {
  const bad = (field: string, what: string) => refusal('validation_failed', `route.${field} ${what}`, `route.${field}`);
  if (typeof route !== 'object' || route === null) return refusal('validation_failed', 'route must be an object', 'route');
  if (!SERVICE_LEVELS.includes(route.service_level)) return bad('service_level', `must be one of ${SERVICE_LEVELS.join(', ')}`);
  if (route.service_level === 'pickup' && typeof route.pickup_location !== 'string') return bad('pickup_location', 'names the pickup store of a pickup order');
  if (route.promise_days != null && (!Number.isSafeInteger(route.promise_days) || route.promise_days < 0)) return bad('promise_days', 'must be a whole number of days ≥ 0 or null');
  if (route.max_shipments !== undefined && (!Number.isSafeInteger(route.max_shipments) || route.max_shipments < 1 || route.max_shipments > MAX_SHIPMENTS_LIMIT)) {
    return bad('max_shipments', `must be a whole number from 1 to ${MAX_SHIPMENTS_LIMIT}`);
  }
  if (!Array.isArray(route.candidates) || route.candidates.length === 0 || route.candidates.length > HOLD_LOCATIONS_MAX) return bad('candidates', `must list 1 to ${HOLD_LOCATIONS_MAX} locations`);
  const num = (x: unknown, nullable: boolean) => (nullable && x === null) || (typeof x === 'number' && Number.isFinite(x) && x >= 0);
  for (const [i, c] of route.candidates.entries()) {
    if (typeof c?.code !== 'string') return bad(`candidates[${i}].code`, 'must be a location code');
    if (!num(c.distance_km, true)) return bad(`candidates[${i}].distance_km`, 'must be a number ≥ 0 or null');
    if (!num(c.transit_days, true)) return bad(`candidates[${i}].transit_days`, 'must be a number ≥ 0 or null');
    if (!num(c.priority, false)) return bad(`candidates[${i}].priority`, 'must be a number ≥ 0');
    if (!num(c.cost, false)) return bad(`candidates[${i}].cost`, 'must be a number ≥ 0');
  }
  return null;
}

/**
 * `placeLines` with routing: `routeOrder` chooses where each line ships (one location per line,
 * the fewest shipments, reasons for every candidate) from what each candidate can still give,
 * counting the request's ring-fence as `placeLines` does. A short line is refused unless
 * `allowShort`; then it goes oversold where the decision says (a pickup order: only its store).
 */
function placeRouted(
  ctx: RuleContext,
  lines: LineRequest[],
  route: RouteSpec,
  allowShort: boolean,
  fenced: FenceUnits = new Map(),
): Outcome<{ placed: PlacedLine[]; decision: RouteDecision }> {
  if (!Array.isArray(lines) || lines.length === 0 || lines.length > HOLD_LINES_MAX) {
    return refused(refusal('validation_failed', `lines must hold 1 to ${HOLD_LINES_MAX} lines`, 'lines'));
  }
  const badRoute = checkRoute(route);
  if (badRoute) return refused(badRoute);
  const byCode = new Map<string, Location>();
  const candidates = [];
  for (const [i, c] of route.candidates.entries()) {
    const loc = resolveLocation(ctx, c.code, `route.candidates[${i}].code`);
    if (!loc.ok) return loc;
    if (byCode.has(c.code)) continue;
    byCode.set(c.code, loc.value);
    const l = loc.value;
    candidates.push({ id: l.id, code: l.code, distanceKm: c.distance_km, transitDays: c.transit_days, priority: c.priority, cost: c.cost, shipsOnline: l.shipsOnline, pickup: l.pickup, channelManaged: l.kind === 'channel_managed' });
  }
  const kits: Item[] = [];
  const routeLines: RouteLine[] = [];
  for (const [i, line] of lines.entries()) {
    const bad = checkQuantity(line?.quantity, `lines[${i}].quantity`);
    if (bad) return refused(bad);
    if (line.location !== undefined) return refused(refusal('validation_failed', 'a routed line takes its location from the route', `lines[${i}].location`));
    const item = resolveItem(ctx, line.sku, `lines[${i}].sku`);
    if (!item.ok) return item;
    const parts = partsOf(ctx, item.value, line.quantity, `lines[${i}].sku`, allowShort);
    if (!parts.ok) return parts;
    kits.push(item.value);
    routeLines.push({
      label: line.sku,
      quantity: line.quantity,
      parts: parts.value.map((p) => ({ itemId: p.item.id, perUnit: p.quantity / line.quantity })),
      prebuiltItemId: item.value.kind !== 'standard' && item.value.stocksPrebuilt ? item.value.id : null,
    });
  }
  const free = (itemId: string, locationId: string) => ctx.scratch.read(itemId, locationId).available + (fenced.get(levelKey(itemId, locationId)) ?? 0);
  const decision = routeOrder({
    lines: routeLines,
    serviceLevel: route.service_level,
    pickupLocation: route.pickup_location ?? null,
    promiseDays: route.promise_days ?? null,
    fulfilledByChannel: route.fulfilled_by_channel ?? false,
    ...(route.max_shipments !== undefined ? { maxShipments: route.max_shipments } : {}),
    candidates,
    free,
  });
  const shortRefusal = (i: number) => {
    const line = lines[i]!;
    const where = route.service_level === 'pickup' ? ` at the pickup store ${route.pickup_location}` : '';
    return refused(refusal('insufficient_stock', `not enough ${line.sku} available for ${line.quantity}${where}: no candidate location covers lines[${i}]`, `lines[${i}].quantity`, { sku: line.sku, route: decision }));
  };
  if (!allowShort && decision.short.length > 0) return shortRefusal(decision.short[0]!.line);

  // Post the decision, counting what earlier lines took exactly as the routing did.
  const at = lineLocations(decision, lines.length);
  const taken = new Map<string, number>();
  const left = (itemId: string, locationId: string) => free(itemId, locationId) - (taken.get(levelKey(itemId, locationId)) ?? 0);
  const placed: PlacedLine[] = [];
  for (const [i, line] of lines.entries()) {
    const code = at[i];
    if (code === null || code === undefined) {
      return refused(refusal('validation_failed', `no candidate location may take lines[${i}] (${decision.candidates.map((c) => `${c.location}: ${c.reasons.join('; ')}`).join(', ')})`, `lines[${i}]`, { route: decision }));
    }
    const loc = byCode.get(code)!;
    const kit = kits[i]!;
    const r = routeLines[i]!;
    const bundleItemId = kit.kind === 'standard' ? null : kit.id;
    const built = r.prebuiltItemId ? Math.min(line.quantity, Math.max(0, left(kit.id, loc.id))) : 0;
    const rest = line.quantity - built;
    const parts = [
      ...(built > 0 ? [{ itemId: kit.id, quantity: built, bundleItemId: null }] : []),
      ...(rest > 0 ? r.parts.map((p) => ({ itemId: p.itemId, quantity: p.perUnit * rest, bundleItemId })) : []),
    ];
    for (const p of parts) {
      const short = Math.max(0, p.quantity - Math.max(0, left(p.itemId, loc.id)));
      if (short > 0 && !allowShort) return shortRefusal(i);
      const key = levelKey(p.itemId, loc.id);
      taken.set(key, (taken.get(key) ?? 0) + p.quantity - short);
      placed.push({ itemId: p.itemId, locationId: loc.id, quantity: p.quantity, short, bundleItemId: p.bundleItemId });
    }
  }
  return ok({ placed, decision });
}

/** First fit over `locations`, or routing when the command carries a `route`. */
function place(
  ctx: RuleContext,
  c: { lines: LineRequest[]; locations?: string[]; route?: RouteSpec },
  allowShort: boolean,
  fenced?: FenceUnits,
): Outcome<{ lines: PlacedLine[]; decision?: RouteDecision }> {
  if (c.route !== undefined) {
    const routed = placeRouted(ctx, c.lines, c.route, allowShort, fenced);
    return routed.ok ? ok({ lines: routed.value.placed, decision: routed.value.decision }) : routed;
  }
  const placed = placeLines(ctx, c.lines, c.locations, allowShort, fenced);
  return placed.ok ? ok({ lines: placed.value }) : placed;
}

/** The channel a cart or order names, if any: it must be one of the workspace's. */
function checkChannel(ctx: RuleContext, channel: string | null | undefined): Outcome<string | null> {
  if (channel === undefined || channel === null) return ok(null);
  if (typeof channel === 'string' && ctx.catalog.hasChannel(channel)) return ok(channel);
  return refused(refusal('validation_failed', `no channel ${JSON.stringify(channel)} in this workspace`, 'channel'));
}

/** A new hold over placed lines. */
function newHold(ctx: RuleContext, placed: PlacedLine[], fields: Pick<Hold, 'state' | 'reference' | 'orderReference' | 'expiresAt' | 'channelId'>): Hold {
  return {
    id: ctx.newHoldId(),
    workspaceId: ctx.workspaceId,
    ...fields,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    lines: placed.map((p, i): HoldLine => ({ lineNo: i + 1, itemId: p.itemId, locationId: p.locationId, quantity: p.quantity, shipped: 0, oversold: p.short, bundleItemId: p.bundleItemId })),
  };
}

export function reserve(ctx: RuleContext, c: ReserveCommand): Outcome<HoldTouched> {
  // `null`: a channel's pending order, confirmed or cancelled by the channel, never by the clock.
  const timeout = c.expires_in_ms === null ? null : (c.expires_in_ms ?? HOLD_TIMEOUT_DEFAULT_MS);
  const badTimeout = timeout === null ? null : checkTimeout(timeout, 'expires_in_ms');
  if (badTimeout) return refused(badTimeout);
  if (c.channel_accepted !== undefined && typeof c.channel_accepted !== 'boolean') {
    return refused(refusal('validation_failed', 'channel_accepted must be true or false', 'channel_accepted'));
  }
  const channel = checkChannel(ctx, c.channel);
  if (!channel.ok) return channel;
  const accepted = c.channel_accepted === true;
  const placed = place(ctx, c, accepted);
  if (!placed.ok) return placed;
  const { lines, decision } = placed.value;
  const hold = newHold(ctx, lines, { state: 'active', reference: c.reference ?? null, orderReference: null, expiresAt: timeout === null ? null : ctx.now + timeout, channelId: channel.value });
  for (const line of hold.lines) {
    const base = { itemId: line.itemId, locationId: line.locationId, holdId: hold.id } as const;
    const covered = line.quantity - line.oversold;
    if (covered > 0) ctx.scratch.move({ ...base, from: 'available', to: 'reserved', quantity: covered, reason: null });
    if (line.oversold > 0) {
      // A channel already took this order: hold it anyway, the shortfall a debt, and say so.
      ctx.scratch.move({ ...base, from: 'oversold', to: 'reserved', quantity: line.oversold, reason: 'oversold' });
      const location = ctx.catalog.location(line.locationId)!;
      const item = ctx.catalog.item(line.itemId)!;
      const what = c.reference ?? hold.id;
      ctx.scratch.raise({
        kind: 'oversold',
        itemId: line.itemId,
        locationId: line.locationId,
        quantity: line.oversold,
        reference: c.reference ?? null,
        holdId: hold.id,
        message: `pending order ${what} holds ${line.quantity} × ${item.sku} at ${location.code} with ${covered} available: ${line.oversold} oversold`,
      });
    }
  }
  ctx.scratch.putHold(hold);
  return ok({ kind: 'hold', holdId: hold.id, ...(decision ? { route: decision } : {}) });
}

/** The hold, checked to be active and not past its expiry. */
function activeHold(ctx: RuleContext, holdId: string): Outcome<Hold> {
  const hold = ctx.scratch.hold(holdId);
  if (!hold) return refused(refusal('not_found', `no hold ${holdId}`, 'hold_id'));
  if (hold.state === 'expired' || (hold.state === 'active' && hold.expiresAt !== null && hold.expiresAt <= ctx.now)) {
    return refused(refusal('hold_expired', `hold ${holdId} expired at ${new Date(hold.expiresAt!).toISOString()}`, 'hold_id'));
  }
  if (hold.state !== 'active') return refused(refusal('hold_not_active', `hold ${holdId} is ${hold.state}`, 'hold_id', { state: hold.state }));
  return ok(hold);
}

export function extend(ctx: RuleContext, c: ExtendCommand): Outcome<HoldTouched> {
  const bad = checkTimeout(c.expires_in_ms, 'expires_in_ms');
  if (bad) return refused(bad);
  const hold = activeHold(ctx, c.hold_id);
  if (!hold.ok) return hold;
  ctx.scratch.putHold({ ...hold.value, expiresAt: ctx.now + c.expires_in_ms, updatedAt: ctx.now });
  return ok({ kind: 'hold', holdId: c.hold_id });
}

/** Void a hold: its reserved units go back to available. */
function voidHold(ctx: RuleContext, hold: Hold, state: 'released' | 'expired', reason: string | null): Outcome<HoldTouched> {
  for (const line of hold.lines) {
    if (line.quantity === 0) continue; // a ring-fence line that orders drew to nothing earlier in this batch
    ctx.scratch.move({ itemId: line.itemId, locationId: line.locationId, from: 'reserved', to: 'available', quantity: line.quantity, reason, holdId: hold.id });
  }
  ctx.scratch.putHold({ ...hold, state, updatedAt: ctx.now });
  return ok({ kind: 'hold', holdId: hold.id });
}

export function release(ctx: RuleContext, c: ReleaseCommand): Outcome<HoldTouched> {
  const hold = activeHold(ctx, c.hold_id);
  if (!hold.ok) return hold;
  return voidHold(ctx, hold.value, 'released', null);
}

/** The clock ran out. Only the sweeper issues this, and only for holds that are due. */
export function expire(ctx: RuleContext, c: ExpireCommand): Outcome<HoldTouched> {
  const hold = ctx.scratch.hold(c.hold_id);
  if (!hold) return refused(refusal('not_found', `no hold ${c.hold_id}`, 'hold_id'));
  if (hold.state !== 'active') return refused(refusal('hold_not_active', `hold ${c.hold_id} is ${hold.state}`, 'hold_id'));
  if (hold.expiresAt === null || hold.expiresAt > ctx.now) {
    return refused(refusal('hold_not_active', `hold ${c.hold_id} is not due to expire yet`, 'hold_id'));
  }
  return voidHold(ctx, hold, 'expired', 'expired');
}

function checkOrderReference(ref: unknown): Refusal | null {
  return typeof ref === 'string' && ref.length > 0
    ? null
    : refusal('validation_failed', 'order_reference must be a non-empty string', 'order_reference');
}

export function allocate(ctx: RuleContext, c: AllocateCommand): Outcome<HoldTouched> {
  const bad = checkOrderReference(c.order_reference);
  if (bad) return refused(bad);
  const hold = activeHold(ctx, c.hold_id);
  if (!hold.ok) return hold;
  for (const line of hold.value.lines) {
    ctx.scratch.move({ itemId: line.itemId, locationId: line.locationId, from: 'reserved', to: 'committed', quantity: line.quantity, reason: null, holdId: c.hold_id });
  }
  ctx.scratch.putHold({ ...hold.value, state: 'allocated', orderReference: c.order_reference, expiresAt: null, updatedAt: ctx.now });
  return ok({ kind: 'hold', holdId: c.hold_id });
}

/**
 * Allocate an order that arrived without a hold. An order the channel already accepted is never
 * refused: the part no location covers is drawn from the stock level's oversold account (a debt
 * that the next receipt settles) and raised as an exception. Lines marked `beyond_fence:
 * 'backorder'` take from the channel's ring-fence only, and what it cannot cover is backordered:
 * listed in the result, not held — so a wholesale order never reaches into consumer channels'
 * stock. An order whose every line is backordered holds nothing.
 */
export function allocateOrder(ctx: RuleContext, c: AllocateOrderCommand): Outcome<HoldTouched | BackorderTouched> {
  const bad = checkOrderReference(c.order_reference);
  if (bad) return refused(bad);
  const channel = checkChannel(ctx, c.channel);
  if (!channel.ok) return channel;
  const accepted = c.channel_accepted ?? true;
  const fences = channel.value === null ? [] : ctx.catalog.ringFenceHolds(channel.value).map((id) => ctx.scratch.hold(id)!).filter((h) => h.state === 'active');
  const units = fenceUnits(fences);
  const bounded = Array.isArray(c.lines) && c.lines.some((l) => l?.beyond_fence !== undefined);
  let onFence: FencePlacement = { placed: [], backordered: [] };
  let placed: Outcome<{ lines: PlacedLine[]; decision?: RouteDecision }>;
  if (!bounded) placed = place(ctx, c, accepted, units);
  else {
    const fenced = placeOnFence(ctx, c.lines, c.locations, channel.value, fences, units, accepted);
    if (!fenced.ok) return fenced;
    onFence = fenced.value;
    // The other lines go the usual way, with what the fence-bound lines left of the fence.
    const index = c.lines.flatMap((l, i) => (l?.beyond_fence === undefined ? [i] : []));
    placed = index.length === 0 ? ok({ lines: [] }) : renumbered(place(ctx, { lines: index.map((i) => c.lines[i]!), locations: c.locations, route: c.route }, accepted, units), index);
  }
  if (!placed.ok) return placed;
  const { lines, decision } = placed.value;
  if (onFence.placed.length + lines.length === 0) return ok({ kind: 'backorder', backordered: onFence.backordered });
  // Fence-bound lines come first: they draw the fence before the other lines may.
  const hold = newHold(ctx, [...onFence.placed, ...lines], { state: 'allocated', reference: null, orderReference: c.order_reference, expiresAt: null, channelId: channel.value });
  const draw = fenceDrawer(ctx, fences);
  // Items some line asks to take nothing from the fence (units placed again where they were).
  const offFence = new Set(Array.isArray(c.lines) ? c.lines.filter((l) => l?.from_fence === false && l.beyond_fence === undefined).map((l) => l.sku) : []);
  for (const [n, line] of hold.lines.entries()) {
    const base = { itemId: line.itemId, locationId: line.locationId, holdId: hold.id } as const;
    const covered = line.quantity - line.oversold;
    const fromFence = n >= onFence.placed.length && offFence.has(ctx.catalog.item(line.itemId)!.sku) ? 0 : draw(line.itemId, line.locationId, covered);
    invariant(n >= onFence.placed.length || fromFence === covered, () => `fence-bound line ${line.lineNo} of ${c.order_reference} drew ${fromFence} of ${covered} from the fence`);
    if (covered > fromFence) ctx.scratch.move({ ...base, from: 'available', to: 'committed', quantity: covered - fromFence, reason: null });
    if (line.oversold > 0) {
      ctx.scratch.move({ ...base, from: 'oversold', to: 'committed', quantity: line.oversold, reason: 'oversold' });
      const location = ctx.catalog.location(line.locationId)!;
      const item = ctx.catalog.item(line.itemId)!;
      ctx.scratch.raise({
        kind: 'oversold',
        itemId: line.itemId,
        locationId: line.locationId,
        quantity: line.oversold,
        reference: c.order_reference,
        holdId: hold.id,
        message: `order ${c.order_reference} took ${line.quantity} × ${item.sku} at ${location.code} with ${covered} available: ${line.oversold} oversold`,
      });
    }
  }
  draw.finish();
  ctx.scratch.putHold(hold);
  return ok({ kind: 'hold', holdId: hold.id, ...(bounded ? { backordered: onFence.backordered } : {}), ...(decision ? { route: decision } : {}) });
}

/** A refusal about `lines[k]` of a subset of an order's lines, renamed to the line's place in the order. */
function renumbered<T>(outcome: Outcome<T>, index: number[]): Outcome<T> {
  if (outcome.ok || outcome.refusal.field === undefined) return outcome;
  const field = outcome.refusal.field.replace(/^lines\[(\d+)\]/, (_, k: string) => `lines[${index[Number(k)]}]`);
  return refused({ ...outcome.refusal, field });
}

interface FencePlacement {
  placed: PlacedLine[];
  backordered: BackorderedLine[];
}

/**
 * Place the order's fence-bound lines on the channel's ring-fence only. A line goes to the first
 * candidate location whose fence covers all of it; failing that it takes what the fence holds at
 * each candidate in turn, and the rest is backordered. Candidates: the line's location, else the
 * command's locations, else wherever the fence holds the item. `fenced` is debited with what the
 * lines take, so the order's other lines cannot count those units again.
 */
function placeOnFence(
  ctx: RuleContext,
  lines: OrderLineRequest[],
  locations: string[] | undefined,
  channelId: string | null,
  fences: Hold[],
  fenced: FenceUnits,
  allowArchived: boolean,
): Outcome<FencePlacement> {
  if (lines.length > HOLD_LINES_MAX) return refused(refusal('validation_failed', `lines must hold 1 to ${HOLD_LINES_MAX} lines`, 'lines'));
  if (locations !== undefined && (!Array.isArray(locations) || locations.length > HOLD_LOCATIONS_MAX)) {
    return refused(refusal('validation_failed', `locations must list at most ${HOLD_LOCATIONS_MAX} codes`, 'locations'));
  }
  const candidates: Location[] = [];
  for (const [i, code] of (locations ?? []).entries()) {
    const loc = resolveLocation(ctx, code, `locations[${i}]`);
    if (!loc.ok) return loc;
    candidates.push(loc.value);
  }
  const out: FencePlacement = { placed: [], backordered: [] };
  for (const [i, line] of lines.entries()) {
    if (line?.beyond_fence === undefined) continue;
    const field = `lines[${i}].beyond_fence`;
    if (line.beyond_fence !== 'backorder') return refused(refusal('validation_failed', `${field} must be "backorder"`, field));
    if (channelId === null) return refused(refusal('validation_failed', `${field}: a line bounded by a ring-fence needs the order's channel`, field));
    const bad = checkQuantity(line.quantity, `lines[${i}].quantity`);
    if (bad) return refused(bad);
    const item = resolveItem(ctx, line.sku, `lines[${i}].sku`);
    if (!item.ok) return item;
    // Only standard items are fenced (a kit's fence would have to keep whole kits at one place).
    if (item.value.kind !== 'standard') return refused(refusal('validation_failed', `${field}: ${line.sku} is a ${item.value.kind}; only standard items are ring-fenced`, field));
    if (item.value.archived && !allowArchived) return refused(refusal('item_archived', `${line.sku} is archived`, `lines[${i}].sku`));
    let options = candidates;
    if (line.location !== undefined) {
      const loc = resolveLocation(ctx, line.location, `lines[${i}].location`);
      if (!loc.ok) return loc;
      options = [loc.value];
    } else if (options.length === 0) {
      const ids = new Set(fences.flatMap((h) => h.lines.filter((l) => l.itemId === item.value.id).map((l) => l.locationId)));
      options = [...ids].map((id) => ctx.catalog.location(id)!);
    }
    const left = (loc: Location) => fenced.get(levelKey(item.value.id, loc.id)) ?? 0;
    const whole = options.find((loc) => left(loc) >= line.quantity);
    let wanted = line.quantity;
    for (const loc of whole ? [whole] : options) {
      const q = Math.min(left(loc), wanted);
      if (q === 0) continue;
      fenced.set(levelKey(item.value.id, loc.id), left(loc) - q);
      out.placed.push({ itemId: item.value.id, locationId: loc.id, quantity: q, short: 0, bundleItemId: null });
      wanted -= q;
    }
    if (wanted > 0) out.backordered.push({ line: i, sku: line.sku, quantity: wanted });
  }
  return ok(out);
}

/** The reference of a channel's ring-fence holds (long-lived reservations kept for one channel). */
export const ringFenceReference = (channelId: string): string => `ringfence:${channelId}`;

/** Units per stock level (`levelKey`). */
type FenceUnits = Map<string, number>;

function fenceUnits(fences: Hold[]): FenceUnits {
  const units: FenceUnits = new Map();
  for (const h of fences) for (const l of h.lines) units.set(levelKey(l.itemId, l.locationId), (units.get(levelKey(l.itemId, l.locationId)) ?? 0) + l.quantity);
  return units;
}

/**
 * Draw an order's units from its channel's ring-fence first: the fence was kept for exactly these
 * orders, so other channels' numbers do not move. Drawn units go reserved → committed on the
 * fence hold (reason `ring_fence_draw`, which the fence's reconciler counts against the rule's
 * quantity) and the fence line shrinks; a fence drawn to nothing is spent (`released`).
 */
function fenceDrawer(ctx: RuleContext, fences: Hold[]) {
  const lines = new Map(fences.map((h) => [h.id, h.lines.map((l) => ({ ...l }))]));
  const draw = (itemId: string, locationId: string, wanted: number): number => {
    let drawn = 0;
    for (const h of fences) {
      for (const l of lines.get(h.id)!) {
        if (drawn === wanted || l.itemId !== itemId || l.locationId !== locationId || l.quantity === 0) continue;
        const q = Math.min(l.quantity, wanted - drawn);
        ctx.scratch.move({ itemId, locationId, from: 'reserved', to: 'committed', quantity: q, reason: 'ring_fence_draw', holdId: h.id });
        l.quantity -= q;
        drawn += q;
      }
    }
    return drawn;
  };
  const finish = () => {
    for (const h of fences) {
      const after = lines.get(h.id)!;
      if (after.every((l, i) => l.quantity === h.lines[i]!.quantity)) continue;
      const spent = after.every((l) => l.quantity === 0);
      ctx.scratch.putHold({ ...h, lines: after, state: spent ? 'released' : h.state, updatedAt: ctx.now });
    }
  };
  return Object.assign(draw, { finish });
}

function openAllocation(ctx: RuleContext, holdId: string): Outcome<Hold> {
  const hold = ctx.scratch.hold(holdId);
  if (!hold) return refused(refusal('not_found', `no hold ${holdId}`, 'hold_id'));
  if (hold.state !== 'allocated') {
    return refused(refusal('allocation_not_open', `hold ${holdId} is ${hold.state}, not allocated`, 'hold_id', { state: hold.state }));
  }
  return ok(hold);
}

export function ship(ctx: RuleContext, c: ShipCommand): Outcome<HoldTouched> {
  const found = openAllocation(ctx, c.hold_id);
  if (!found.ok) return found;
  const hold = found.value;
  const wanted = new Map<number, number>();
  if (c.lines === undefined) {
    // An open allocation always has something left: the last shipment closes it (`shipped`).
    for (const line of hold.lines) if (line.quantity > line.shipped) wanted.set(line.lineNo, line.quantity - line.shipped);
  } else {
    if (!Array.isArray(c.lines) || c.lines.length === 0) return refused(refusal('validation_failed', 'lines must not be empty', 'lines'));
    for (const [i, req] of c.lines.entries()) {
      const bad = checkQuantity(req?.quantity, `lines[${i}].quantity`);
      if (bad) return refused(bad);
      const line = hold.lines.find((l) => l.lineNo === req.line);
      if (!line) return refused(refusal('validation_failed', `hold ${c.hold_id} has no line ${req.line}`, `lines[${i}].line`));
      const total = (wanted.get(line.lineNo) ?? 0) + req.quantity;
      if (total > line.quantity - line.shipped) {
        return refused(refusal('nothing_to_ship', `line ${line.lineNo} has ${line.quantity - line.shipped} left to ship, not ${total}`, `lines[${i}].quantity`));
      }
      wanted.set(line.lineNo, total);
    }
  }
  const lines = hold.lines.map((line) => {
    const q = wanted.get(line.lineNo);
    if (!q) return line;
    ctx.scratch.move({ itemId: line.itemId, locationId: line.locationId, from: 'committed', to: 'customer', quantity: q, reason: null, holdId: hold.id });
    return { ...line, shipped: line.shipped + q };
  });
  const done = lines.every((l) => l.shipped === l.quantity);
  ctx.scratch.putHold({ ...hold, lines, state: done ? 'shipped' : 'allocated', updatedAt: ctx.now });
  return ok({ kind: 'hold', holdId: hold.id });
}

/** Cancel what is left of an allocation: unshipped units go back to available (settling any oversold debt first). */
export function cancelAllocation(ctx: RuleContext, c: CancelAllocationCommand): Outcome<HoldTouched> {
  const found = openAllocation(ctx, c.hold_id);
  if (!found.ok) return found;
  const hold = found.value;
  for (const line of hold.lines) {
    const left = line.quantity - line.shipped;
    if (left > 0) ctx.scratch.move({ itemId: line.itemId, locationId: line.locationId, from: 'committed', to: 'available', quantity: left, reason: 'cancelled', holdId: hold.id });
  }
  ctx.scratch.putHold({ ...hold, state: 'cancelled', updatedAt: ctx.now });
  return ok({ kind: 'hold', holdId: hold.id });
}
