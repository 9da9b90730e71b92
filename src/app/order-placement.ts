// Where an order may be allocated: ONE function. The candidates (the pickup store, the request's
// locations, or every location that ships online) go to routing (src/app/routing-rules.ts), whose
// spec the ledger ranks by whole order, promise, distance, priority and cost; the decision with
// its reasons comes back with the command's result and is stored with the order.

import { ok, type Outcome, refused } from '../domain/context.ts';
import { refusal } from '../domain/errors.ts';
import type { Location } from '../domain/model.ts';
import type { Order, Placement } from '../domain/order-rules.ts';
import { routeSpecFor } from './routing-rules.ts';
import { locationsByCode } from '../store/catalog-repo.ts';
import { shippingLocationCodes } from '../store/order-repo.ts';
import type { Db } from '../store/store.ts';

/** Candidate locations one order may name (the ledger's own limit). */
export const ORDER_LOCATIONS_MAX = 50;

/**
 * The placement of a new order: a pickup order only at its pickup store (never the warehouse);
 * otherwise the locations the request names, or every location that ships online (not a
 * channel's own warehouse), by code.
 */
export async function placementFor(db: Db, workspaceId: string, order: Pick<Order, 'serviceLevel' | 'shipTo' | 'promisedDeliverBy'>, requested: readonly string[] | undefined, pickup: Location | undefined, now: number): Promise<Outcome<Placement>> {
  const routed = async (locations: string[]): Promise<Placement> => ({
    locations,
    decision: null,
    route: await routeSpecFor(db, workspaceId, {
      candidates: locations,
      serviceLevel: order.serviceLevel,
      pickupLocation: pickup?.code ?? null,
      shipTo: order.shipTo.postalCode || order.shipTo.country ? order.shipTo : null,
      promiseDays: promiseDaysOf(order.promisedDeliverBy, now),
    }),
  });
  if (order.serviceLevel === 'pickup' && pickup) return ok(await routed([pickup.code]));
  let locations = requested ? [...requested] : await shippingLocationCodes(db, workspaceId);
  if (requested) {
    const found = new Set((await locationsByCode(db, workspaceId, locations)).map((l) => l.code));
    const unknown = locations.findIndex((c) => !found.has(c));
    if (unknown >= 0) return refused(refusal('unknown_location', `no location with code ${JSON.stringify(locations[unknown])}`, `locations[${unknown}]`));
  }
  locations = locations.slice(0, ORDER_LOCATIONS_MAX);
  if (locations.length === 0) return refused(refusal('validation_failed', 'no location ships online orders in this workspace: name locations', 'locations'));
  return ok(await routed(locations));
}

const DAY_MS = 86_400_000;

/** Whole days from now to the promised delivery (null: no promise; a past promise: 0). */
export function promiseDaysOf(deliverBy: number | null, now: number): number | null {
  return deliverBy === null ? null : Math.max(0, Math.floor((deliverBy - now) / DAY_MS));
}
