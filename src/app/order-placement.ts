// Where an order may be allocated: ONE function, so that switching from first fit to routing
// (src/app/routing-rules.ts, when it lands) changes one place. Today: the candidate locations in
// order, and the ledger takes the first that covers each line (first fit); the decision stored
// with the order says so.

import { ok, type Outcome, refused } from '../domain/context.ts';
import { refusal } from '../domain/errors.ts';
import type { Location } from '../domain/model.ts';
import type { Order, Placement } from '../domain/order-rules.ts';
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
export async function placementFor(db: Db, workspaceId: string, order: Pick<Order, 'serviceLevel'>, requested: readonly string[] | undefined, pickup: Location | undefined): Promise<Outcome<Placement>> {
  if (order.serviceLevel === 'pickup' && pickup) {
    return ok({ locations: [pickup.code], decision: { strategy: 'pickup', chosen: [pickup.code], reason: `pickup at ${pickup.code}: allocated only there` } });
  }
  let locations = requested ? [...requested] : await shippingLocationCodes(db, workspaceId);
  if (requested) {
    const found = new Set((await locationsByCode(db, workspaceId, locations)).map((l) => l.code));
    const unknown = locations.findIndex((c) => !found.has(c));
    if (unknown >= 0) return refused(refusal('unknown_location', `no location with code ${JSON.stringify(locations[unknown])}`, `locations[${unknown}]`));
  }
  locations = locations.slice(0, ORDER_LOCATIONS_MAX);
  if (locations.length === 0) return refused(refusal('validation_failed', 'no location ships online orders in this workspace: name locations', 'locations'));
  return ok({ locations, decision: { strategy: 'first_fit', candidates: locations, reason: 'the first candidate whose available covers each line' } });
}
