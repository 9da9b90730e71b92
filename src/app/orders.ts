// Use-cases for orders (docs/orders.md): place, confirm, ship, cancel, short-pick. Each is ONE
// document step through the ledger: it locks the order row, asks the state machine
// (src/domain/order-rules.ts) for the ledger commands, and writes the order's new row in the same
// transaction as the movements and the idempotency record. A crash before the commit leaves
// nothing; a retry with the same key replays the stored answer. Nothing in between to converge.

import { ok, type Outcome, refused } from '../domain/context.ts';
import type { AllocateOrderCommand, StockCommand } from '../domain/commands.ts';
import { refusal } from '../domain/errors.ts';
import type { Hold, Location } from '../domain/model.ts';
import {
  cancelPlan,
  type CancelRequest,
  checkStep,
  closeHoldCommand,
  type HeldUnits,
  linkHoldLines,
  openHold,
  openUnits,
  type Order,
  type OrderHoldLink,
  type OrderLine,
  type OrderSource,
  type OrderStep,
  type PlaceLine,
  placeCommand,
  replaceLines,
  type ServiceLevel,
  shipPlan,
  type ShipRequest,
  shortPickVariance,
  stateOf,
} from '../domain/order-rules.ts';
import { componentsOf, existingChannels, itemsBySku, locationsByCode, locationsById } from '../store/catalog-repo.ts';
import { getHold, insertExceptions } from '../store/ledger-repo.ts';
import { ringFenceLines } from '../store/availability-repo.ts';
import type { RouteDecision } from '../domain/routing.ts';
import { getOrder, holdLinksOf, insertHoldLinks, insertOrders, insertShipment, ordersByChannelReferences, writeOrders } from '../store/order-repo.ts';
import { ConflictError, type Db } from '../store/store.ts';
import { withOrderTerms } from './channel-order-terms.ts';
import { newId } from './ids.ts';
import type { DocumentStep } from './ledger.ts';
import { placementFor } from './order-placement.ts';
import { orderDetail } from './order-views.ts';

export interface OrderCreate {
  source: OrderSource;
  channel?: string | null;
  reference?: string | null;
  /** Payment unconfirmed: the units are held until the order is confirmed or cancelled. */
  pending?: boolean;
  service_level?: ServiceLevel;
  pickup_location?: string | null;
  ship_to?: { postal_code?: string | null; country?: string | null } | null;
  promised_ship_by?: string | null;
  promised_deliver_by?: string | null;
  requested_ship_date?: string | null;
  customer_reference?: string | null;
  /** Candidate locations, best first; default: every location that ships online. */
  locations?: string[];
  lines: { sku: string; quantity: number }[];
}

/** `SO-000042`: the reference a staff order's movements carry. */
export const staffOrderReference = (number: number) => `SO-${String(number).padStart(6, '0')}`;

const isoMs = (s: string | null | undefined): number | null => (s ? Date.parse(s) : null);

/** The locked counter's next number (written in `finish`, so a refused order takes none). */
async function peekOrderNumber(db: Db, workspaceId: string): Promise<number> {
  await db.run('INSERT INTO order_numbers (workspace_id, last) VALUES (?, 0) ON CONFLICT (workspace_id) DO NOTHING', [workspaceId]);
  const row = await db.get<{ last: number | string }>(`SELECT last FROM order_numbers WHERE workspace_id = ?${db.forUpdate}`, [workspaceId]);
  return Number(row!.last) + 1;
}

async function useOrderNumber(db: Db, workspaceId: string, number: number): Promise<void> {
  await db.run('UPDATE order_numbers SET last = ? WHERE workspace_id = ? AND last < ?', [number, workspaceId, number]);
}

/** Request lines with what linking hold lines back needs: the item and how many components it has. */
async function requestedItems(db: Db, workspaceId: string, lines: readonly PlaceLine[]) {
  const items = new Map((await itemsBySku(db, workspaceId, lines.map((l) => l.sku))).map((i) => [i.sku, i]));
  const parts = await componentsOf(db, [...items.values()].filter((i) => i.kind !== 'standard').map((i) => i.id));
  return lines.map((l) => {
    const item = items.get(l.sku);
    return { lineNo: l.lineNo, itemId: item?.id ?? '', components: item && item.kind !== 'standard' ? (parts.get(item.id)?.length ?? 0) : 0 };
  });
}

/** The order's lines' allocated units, recomputed from what its open hold now holds for each. */
function withAllocated(order: Order, hold: Hold | undefined, links: readonly OrderHoldLink[]): OrderLine[] {
  return order.lines.map((l) => {
    // No open hold: whatever is still open waits for stock (a wholesale line beyond its fence).
    if (!hold || (hold.state !== 'active' && hold.state !== 'allocated')) return { ...l, allocated: 0, backordered: openUnits(l) };
    const mine = links.filter((k) => k.holdId === hold.id && k.lineNo === l.lineNo).map((k) => hold.lines.find((h) => h.lineNo === k.holdLineNo)!);
    // A kit's components are several hold lines for one order line: its units are the order line's open units.
    const standard = mine.every((h) => h.itemId === l.itemId && h.bundleItemId === null);
    const held = mine.length === 0 ? 0 : standard ? mine.reduce((n, h) => n + h.quantity - h.shipped, 0) : openUnits(l);
    return { ...l, allocated: Math.min(held, openUnits(l)), backordered: Math.max(0, openUnits(l) - held) };
  });
}

const oversoldIn = (hold: Hold | undefined) => (hold?.lines.some((l) => l.oversold > 0) ? 'oversold' : null);

// ---- place -------------------------------------------------------------------------------------

/** Place an order: held (pending) or allocated at once, and the order row, in one step. */
export function placeStep(workspaceId: string, input: OrderCreate): DocumentStep {
  let decided: { order: Order; requested: { lineNo: number; itemId: string; components: number }[] } | undefined;
  let existing: Order | undefined;
  return {
    name: 'order_place',
    payload: input,
    async prepare(db, now): Promise<Outcome<StockCommand[]>> {
      decided = undefined;
      existing = undefined;
      if (input.source !== 'channel' && input.source !== 'staff') {
        return refused(refusal('validation_failed', 'source must be "channel" (the channel already took the order: never refused) or "staff" (refused when short)', 'source'));
      }
      const channel = input.channel ?? null;
      const reference = input.reference ?? null;
      if (input.source === 'channel' && !channel) return refused(refusal('validation_failed', 'a channel order names its channel', 'channel'));
      if (input.source === 'channel' && !reference) return refused(refusal('validation_failed', "a channel order carries the channel's order reference", 'reference'));
      if (channel && (await existingChannels(db, workspaceId, [channel])).length === 0) return refused(refusal('validation_failed', `no channel ${JSON.stringify(channel)} in this workspace`, 'channel'));
      if (channel && reference) {
        // A channel order already recorded answers as it is: the channel re-sent it.
        existing = (await ordersByChannelReferences(db, channel, [reference], true)).get(reference);
        if (existing) return ok([]);
      }
      const serviceLevel = input.service_level ?? (input.pickup_location ? 'pickup' : 'standard');
      let pickup: Location | undefined;
      if (serviceLevel === 'pickup' || input.pickup_location) {
        if (!input.pickup_location) return refused(refusal('validation_failed', 'a pickup order names its pickup_location', 'pickup_location'));
        [pickup] = await locationsByCode(db, workspaceId, [input.pickup_location]);
        if (!pickup) return refused(refusal('unknown_location', `no location with code ${JSON.stringify(input.pickup_location)}`, 'pickup_location'));
        if (!pickup.pickup) return refused(refusal('validation_failed', `${pickup.code} does not offer pickup (its pickup flag is off)`, 'pickup_location'));
        if (serviceLevel !== 'pickup') return refused(refusal('validation_failed', 'pickup_location goes with service_level "pickup"', 'service_level'));
      }
      for (const [k, d] of [['promised_ship_by', input.promised_ship_by], ['promised_deliver_by', input.promised_deliver_by]] as const) {
        if (d && Number.isNaN(Date.parse(d))) return refused(refusal('validation_failed', `${k} must be an ISO 8601 date-time`, k));
      }
      const number = await peekOrderNumber(db, workspaceId);
      const id = newId('ord', now);
      const lines: OrderLine[] = input.lines.map((l, i) => ({
        lineNo: i + 1, externalLineId: null, itemId: null, sku: l.sku, listingId: null, quantity: l.quantity, allocated: 0, shipped: 0, cancelled: 0, backordered: 0, returned: 0, unmapped: null,
      }));
      const order: Order = {
        id, workspaceId, number, channelId: channel, channelReference: reference, orderReference: input.source === 'channel' ? reference! : staffOrderReference(number),
        source: input.source, state: input.pending ? 'pending' : 'allocated', serviceLevel, pickupLocationId: pickup?.id ?? null,
        shipTo: { postalCode: input.ship_to?.postal_code ?? null, country: input.ship_to?.country ?? null },
        promisedShipBy: isoMs(input.promised_ship_by), promisedDeliverBy: isoMs(input.promised_deliver_by), requestedShipDate: input.requested_ship_date ?? null,
        customerReference: input.customer_reference ?? null, candidates: null, routing: null, exception: null, fulfilledByChannel: false, createdAt: now, updatedAt: now, lines,
      };
      const placement = await placementFor(db, workspaceId, order, input.locations, pickup, now);
      if (!placement.ok) return placement;
      order.candidates = placement.value.locations;
      order.routing = placement.value.decision;
      const place: PlaceLine[] = lines.map((l) => ({ lineNo: l.lineNo, sku: l.sku!, quantity: l.quantity }));
      const items = await requestedItems(db, workspaceId, place);
      for (const [i, l] of lines.entries()) l.itemId = items[i]!.itemId || null;
      decided = { order, requested: items };
      const command = placeCommand(order, place, placement.value, input.pending === true, input.source === 'channel');
      if (command.type !== 'allocate_order') return ok([command]);
      // A channel's order terms (wholesale: whole cases, minimums, lead time; lines bounded by its fence).
      const termed = await withOrderTerms(db, workspaceId, command, { customer: input.customer_reference ?? null, requested_ship_date: input.requested_ship_date ?? null }, now);
      return termed.ok ? ok([termed.value]) : termed;
    },
    async finish(db, posted, now) {
      if (existing) return { status: 200, body: { order: await orderDetail(db, workspaceId, existing) } };
      const { order, requested } = decided!;
      const hold = posted.holds[0];
      const links = hold ? linkHoldLines(hold, requested) : [];
      const touched = posted.touched[0];
      const decision = touched && 'route' in touched ? (touched.route ?? null) : null;
      const atRisk = decision?.promise_met === false;
      const placed: Order = { ...order, routing: decision ?? order.routing, lines: withAllocated(order, hold, links), exception: oversoldIn(hold) ?? (atRisk ? 'promise_at_risk' : null), updatedAt: now };
      if (atRisk && hold) await raisePromiseAtRisk(db, placed, hold, decision!, now);
      await useOrderNumber(db, workspaceId, order.number);
      if (!(await insertOrders(db, [placed])).has(placed.id)) {
        // The same channel order was placed by a concurrent request: run again, and answer theirs.
        throw new ConflictError(`channel order ${order.channelReference} was recorded meanwhile`);
      }
      await insertHoldLinks(db, order.id, links);
      return { status: 201, body: { order: await orderDetail(db, workspaceId, placed, posted) } };
    },
  };
}

/**
 * No location can meet the order's promise: an exception for a human, with the best date any
 * location could deliver by (routing's fastest transit from today).
 */
async function raisePromiseAtRisk(db: Db, order: Order, hold: Hold, decision: RouteDecision, now: number): Promise<void> {
  const best = decision.best_transit_days === null ? null : new Date(now + decision.best_transit_days * 86_400_000).toISOString().slice(0, 10);
  const promised = order.promisedDeliverBy === null ? 'its promise' : `its promise (deliver by ${new Date(order.promisedDeliverBy).toISOString().slice(0, 10)})`;
  await insertExceptions(db, [{
    id: newId('exc', now), workspaceId: order.workspaceId, kind: 'promise_at_risk', itemId: hold.lines[0]!.itemId, locationId: hold.lines[0]!.locationId, quantity: 0,
    reference: order.orderReference, holdId: hold.id, createdAt: now,
    message: `order ${order.orderReference}: no location can meet ${promised}; best achievable ${best === null ? 'unknown (no transit time known)' : `delivery by ${best}`}`,
  }]);
}

// ---- steps on an existing order ------------------------------------------------------------------

interface Loaded {
  order: Order;
  links: OrderHoldLink[];
  holds: Hold[];
  open: Hold | undefined;
  /** Order-line units in the open hold per location (code). */
  held: HeldUnits[];
  codes: Map<string, string>;
}

async function load(db: Db, workspaceId: string, id: string): Promise<Loaded | undefined> {
  const order = await getOrder(db, workspaceId, id, true);
  if (!order) return undefined;
  const links = (await holdLinksOf(db, [order.id])).get(order.id) ?? [];
  const holds: Hold[] = [];
  for (const holdId of [...new Set(links.map((k) => k.holdId))]) {
    const h = await getHold(db, workspaceId, holdId);
    if (h) holds.push(h);
  }
  const open = openHold(holds);
  const codes = new Map((await locationsById(db, workspaceId, [...new Set(links.map((k) => k.locationId))])).map((l) => [l.id, l.code]));
  const held: HeldUnits[] = [];
  if (open) {
    for (const line of order.lines) {
      const mine = links.filter((k) => k.holdId === open.id && k.lineNo === line.lineNo);
      const standard = mine.every((k) => {
        const h = open.lines.find((x) => x.lineNo === k.holdLineNo)!;
        return h.itemId === line.itemId && h.bundleItemId === null;
      });
      const byLocation = new Map<string, number>();
      for (const k of mine) {
        const h = open.lines.find((x) => x.lineNo === k.holdLineNo)!;
        byLocation.set(k.locationId, (byLocation.get(k.locationId) ?? 0) + (standard ? h.quantity - h.shipped : 0));
      }
      // A kit sits at one location: its open units are there.
      if (!standard && mine.length > 0) byLocation.set(mine[0]!.locationId, Math.min(line.allocated, openUnits(line)));
      for (const [locationId, units] of byLocation) if (units > 0) held.push({ lineNo: line.lineNo, location: codes.get(locationId)!, units });
    }
  }
  return { order, links, holds, open, held, codes };
}

interface Decision {
  commands: StockCommand[];
  /** Lines placed again (for linking the new hold's lines back). */
  replaced?: PlaceLine[];
  /** The order after the step, given the holds as the ledger left them. */
  after(holds: Hold[], links: OrderHoldLink[]): Order;
  shipment?: { locationId: string; lines: { line: number; quantity: number }[] };
}

/** One step on an order: lock it, decide, and after the ledger applied the commands, write it. */
function orderStep(name: string, step: OrderStep, workspaceId: string, id: string, payload: unknown, decide: (l: Loaded, db: Db) => Promise<Outcome<Decision>>): DocumentStep {
  let loaded: Loaded | undefined;
  let decision: Decision | undefined;
  return {
    name,
    payload: { id, body: payload },
    async prepare(db) {
      loaded = await load(db, workspaceId, id);
      if (!loaded) return refused(refusal('not_found', `no order ${id} in this workspace`));
      const bad = checkStep(loaded.order, step);
      if (bad) return refused(bad);
      const d = await decide(loaded, db);
      if (!d.ok) return d;
      decision = d.value;
      return ok(decision.commands);
    },
    async finish(db, posted, now) {
      const { order } = loaded!;
      let links = loaded!.links;
      const byId = new Map(loaded!.holds.map((h) => [h.id, h]));
      for (const h of posted.holds) byId.set(h.id, h);
      const fresh = posted.holds.find((h) => !loaded!.holds.some((x) => x.id === h.id));
      if (fresh && decision!.replaced) {
        const more = linkHoldLines(fresh, await requestedItems(db, workspaceId, decision!.replaced));
        await insertHoldLinks(db, order.id, more);
        links = [...links, ...more];
      }
      const next = decision!.after([...byId.values()], links);
      const holdNow = openHold([...byId.values()]);
      const lines = withAllocated(next, holdNow, links);
      const written: Order = { ...next, lines, state: stateOf(lines, next.state), exception: next.exception ?? oversoldIn(holdNow), updatedAt: now };
      await writeOrders(db, [written]);
      if (decision!.shipment) await insertShipment(db, { id: newId('shp', now), orderId: order.id, ...decision!.shipment, createdAt: now });
      return { status: 200, body: { order: await orderDetail(db, workspaceId, written, posted) } };
    },
  };
}

/** pending → allocated: the hold becomes the allocation. */
export const confirmStep = (workspaceId: string, id: string) =>
  orderStep('order_confirm', 'confirm', workspaceId, id, {}, async ({ order, open }) => {
    if (!open || open.state !== 'active') return refused(refusal('order_not_pending', `order ${order.orderReference} holds nothing to confirm`, 'id'));
    return ok({ commands: [{ type: 'allocate', hold_id: open.id, order_reference: order.orderReference }], after: () => ({ ...order, state: 'allocated' }) });
  });

/** Ship units of lines from one location (all that is there when no lines are named). */
export const shipStep = (workspaceId: string, id: string, body: ShipRequest) =>
  orderStep('order_ship', 'ship', workspaceId, id, body, async ({ order, open, links }, db) => {
    const [location] = await locationsByCode(db, workspaceId, [body.location]);
    if (!location) return refused(refusal('unknown_location', `no location with code ${JSON.stringify(body.location)}`, 'location'));
    if (!open || open.state !== 'allocated') return refused(refusal('order_not_allocated', `order ${order.orderReference} has no open allocation`, 'id'));
    const plan = shipPlan(order, open, links, location.id, location.code, body);
    if (!plan.ok) return plan;
    return ok({
      commands: [{ type: 'ship', hold_id: open.id, lines: plan.lines }],
      shipment: { locationId: location.id, lines: [...plan.shipped].map(([line, quantity]) => ({ line, quantity })) },
      after: () => ({ ...order, lines: order.lines.map((l) => ({ ...l, shipped: l.shipped + (plan.shipped.get(l.lineNo) ?? 0) })) }),
    });
  });

/** Cancel the whole order or units of lines; what is left stays where it is. */
export const cancelStep = (workspaceId: string, id: string, body: CancelRequest) =>
  orderStep('order_cancel', 'cancel', workspaceId, id, body, async ({ order, open, held }) => {
    const plan = cancelPlan(order, body);
    if (!plan.ok) return plan;
    const after = () => ({ ...order, lines: order.lines.map((l) => ({ ...l, cancelled: l.cancelled + (plan.units.get(l.lineNo) ?? 0) })) });
    if (!open) return ok({ commands: [], after });
    const rest = replaceLines(order, held, plan.units);
    const commands: StockCommand[] = [closeHoldCommand(open)];
    // What is not cancelled is placed again where it was: a hold is released or cancelled whole.
    if (rest.length > 0) commands.push(placeCommand(order, rest, { locations: [], decision: null }, open.state === 'active', true));
    return ok({ commands, replaced: rest, after });
  });

export interface ShortPickRequest {
  location: string;
  line: number;
  /** Units the picker found of what the location was to ship for the line. */
  found: number;
}

/**
 * The picker found fewer units than were allocated at a location: the missing ones are booked as
 * a count variance there, and the line's remainder is placed again elsewhere (re-routed); the
 * order is already taken, so a shortfall everywhere is oversold and raised, never dropped.
 */
export const shortPickStep = (workspaceId: string, id: string, body: ShortPickRequest) =>
  orderStep('order_short_pick', 'short_pick', workspaceId, id, body, async ({ order, open, held }, db) => {
    const [location] = await locationsByCode(db, workspaceId, [body.location]);
    if (!location) return refused(refusal('unknown_location', `no location with code ${JSON.stringify(body.location)}`, 'location'));
    if (!open || open.state !== 'allocated') return refused(refusal('order_not_allocated', `order ${order.orderReference} has no open allocation`, 'id'));
    const line = order.lines.find((l) => l.lineNo === body.line);
    if (!line) return refused(refusal('validation_failed', `order ${order.orderReference} has no line ${body.line}`, 'line'));
    const here = held.find((h) => h.lineNo === line.lineNo && h.location === location.code);
    if (!here) return refused(refusal('validation_failed', `line ${line.lineNo} has nothing allocated at ${location.code}`, 'location'));
    const items = await itemsBySku(db, workspaceId, [line.sku!]);
    if (items[0]?.kind !== 'standard') return refused(refusal('validation_failed', `line ${line.lineNo} is a ${items[0]?.kind ?? 'unknown item'}: short-pick its components by cancelling and re-placing`, 'line'));
    if (!Number.isSafeInteger(body.found) || body.found < 0 || body.found >= here.units) {
      return refused(refusal('validation_failed', `found must be a whole number from 0 to ${here.units - 1} (${here.units} allocated at ${location.code}): a full pick needs no short-pick`, 'found'));
    }
    const missing = here.units - body.found;
    const elsewhere = (order.candidates ?? []).filter((c) => c !== location.code);
    const rest = replaceLines(order, held, new Map(), { lineNo: line.lineNo, location: location.code, units: missing });
    return ok({
      commands: [closeHoldCommand(open), shortPickVariance(order, line.sku!, location.code, missing), placeCommand(order, rest, { locations: elsewhere.length > 0 ? elsewhere : [location.code], decision: null }, false, true)],
      replaced: rest,
      after: () => ({ ...order }),
    });
  });

/**
 * Allocate a line's backordered units (a wholesale line beyond its channel's ring-fence) now that
 * the fence holds more: the open hold is closed and placed again as it was, plus the backordered
 * units, which draw from the fence only (`beyond_fence: 'backorder'`) — what the fence still
 * cannot cover stays backordered. The units the closed hold gave back to `available` are taken
 * again in the same step, so no other channel's number moves.
 */
export const allocateBackorderStep = (workspaceId: string, id: string, lineNo: number) =>
  orderStep('order_allocate_backorder', 'allocate_backorder', workspaceId, id, { line: lineNo }, async ({ order, open, held }, db) => {
    const line = order.lines.find((l) => l.lineNo === lineNo);
    if (!line || line.backordered <= 0 || line.sku === null || line.itemId === null) return refused(refusal('validation_failed', `line ${lineNo} of order ${order.orderReference} has nothing backordered`, 'line'));
    // Nothing in the fence where the order may be placed: refused, so the order's hold is not re-made for nothing.
    if (order.channelId === null || (await fenceUnitsFor(db, workspaceId, order.channelId, line.itemId, order.candidates)) === 0) {
      return refused(refusal('insufficient_stock', `the ring-fence holds no ${line.sku} where order ${order.orderReference} may be placed`, 'line'));
    }
    const rest = open ? replaceLines(order, held, new Map()) : [];
    const waiting: PlaceLine = { lineNo, sku: line.sku, quantity: line.backordered };
    const command = placeCommand(order, [...rest, waiting], { locations: order.candidates ?? [], decision: null }, false, true) as AllocateOrderCommand;
    // The waiting units draw the fence only; the others (`again`) take back from `available` what closing the hold gave it.
    const lines = command.lines.map((l, i) => (i === rest.length ? { ...l, beyond_fence: 'backorder' as const } : l));
    // No candidates stored: the fence is drawn wherever it holds the item.
    const { locations, ...bare } = command;
    const placed: AllocateOrderCommand = { ...bare, ...(locations && locations.length > 0 ? { locations } : {}), lines };
    return ok({ commands: [...(open ? [closeHoldCommand(open)] : []), placed], replaced: [...rest, waiting], after: () => ({ ...order }) });
  });

/** Units of an item the channel's ring-fence holds at these location codes (anywhere when none are given). */
export async function fenceUnitsFor(db: Db, workspaceId: string, channelId: string, itemId: string, candidates: readonly string[] | null): Promise<number> {
  const lines = await ringFenceLines(db, workspaceId, channelId, [itemId]);
  if (!candidates || candidates.length === 0) return lines.reduce((n, l) => n + l.quantity, 0);
  const allowed = new Set((await locationsByCode(db, workspaceId, [...candidates])).map((l) => l.id));
  return lines.filter((l) => allowed.has(l.location_id)).reduce((n, l) => n + l.quantity, 0);
}
