// The terms a wholesale order must meet before anything is allocated: whole cases of each item's
// `units_per_case`, a minimum per SKU and per customer, and a requested ship date no sooner than
// the channel's lead time. Pure: the caller passes the channel's settings, the items' case packs
// and today's date (from the injected clock). docs/wholesale.md describes the terms.

import { refusal, type Refusal } from './errors.ts';

/** A lead time longer than this is a typo, not a term of trade. */
export const LEAD_TIME_MAX_DAYS = 365;
/** Customers one channel may name terms for; more belong in a customer table of their own. */
export const WHOLESALE_CUSTOMERS_MAX = 10_000;
/** Customer references and SKUs in settings are at most this long. */
const REF_LENGTH_MAX = 200;
const DAY_MS = 86_400_000;

/** A wholesale channel's settings (`PATCH /v1/channels/{id}` → `settings`), all optional. */
export interface WholesaleSettings {
  /** Per SKU: the fewest units of that SKU one order may take. */
  minimum_units?: Record<string, number>;
  /** Per customer reference: the fewest units (all lines) one order of theirs may hold. */
  customers?: Record<string, { minimum_units?: number }>;
  /** Whole days between the day an order is placed and the earliest day it may ship. */
  lead_time_days?: number;
}

/** One line of an order as the terms see it: its SKU, units, and the item's case pack. */
export interface WholesaleLine {
  sku: string;
  quantity: number;
  /** Units in one case; null: the item is sold by the unit. */
  unitsPerCase: number | null;
}

const isCount = (n: unknown, min: number): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= min;
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Check a wholesale channel's settings (null: fine); `field` is where the settings sit in the request. */
export function checkWholesaleSettings(settings: Record<string, unknown>, field: string): Refusal | null {
  const bad = (f: string, detail: string) => refusal('validation_failed', detail, `${field}.${f}`);
  const min = settings.minimum_units;
  if (min !== undefined) {
    if (!isRecord(min)) return bad('minimum_units', 'minimum_units must be an object of SKU → units');
    for (const [sku, n] of Object.entries(min)) {
      if (sku.length === 0 || sku.length > REF_LENGTH_MAX) return bad('minimum_units', `a SKU in minimum_units must be 1 to ${REF_LENGTH_MAX} characters`);
      if (!isCount(n, 1)) return bad(`minimum_units.${sku}`, `minimum_units.${sku} must be a whole number ≥ 1, got ${JSON.stringify(n)}`);
    }
  }
  const customers = settings.customers;
  if (customers !== undefined) {
    if (!isRecord(customers)) return bad('customers', 'customers must be an object of customer reference → terms');
    const refs = Object.keys(customers);
    if (refs.length > WHOLESALE_CUSTOMERS_MAX) return bad('customers', `customers may name at most ${WHOLESALE_CUSTOMERS_MAX}`);
    for (const ref of refs) {
      const terms = customers[ref];
      if (ref.length === 0 || ref.length > REF_LENGTH_MAX) return bad('customers', `a customer reference must be 1 to ${REF_LENGTH_MAX} characters`);
      if (!isRecord(terms)) return bad(`customers.${ref}`, `customers.${ref} must be an object such as {"minimum_units": 100}`);
      const unknown = Object.keys(terms).find((k) => k !== 'minimum_units');
      if (unknown !== undefined) return bad(`customers.${ref}.${unknown}`, `customers.${ref} takes only minimum_units, not ${unknown}`);
      if (terms.minimum_units !== undefined && !isCount(terms.minimum_units, 1)) {
        return bad(`customers.${ref}.minimum_units`, `customers.${ref}.minimum_units must be a whole number ≥ 1, got ${JSON.stringify(terms.minimum_units)}`);
      }
    }
  }
  const lead = settings.lead_time_days;
  if (lead !== undefined && !(isCount(lead, 0) && lead <= LEAD_TIME_MAX_DAYS)) {
    return bad('lead_time_days', `lead_time_days must be a whole number of days from 0 to ${LEAD_TIME_MAX_DAYS}, got ${JSON.stringify(lead)}`);
  }
  return null;
}

/** A calendar date `YYYY-MM-DD` as days since 1970-01-01, or null when it is not one. */
export function dayNumber(date: unknown): number | null {
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const ms = Date.parse(`${date}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over to March: a real date prints back as itself.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) return null;
  return ms / DAY_MS;
}

/** The date `days` after `date` (both `YYYY-MM-DD`). */
const plusDays = (day: number, days: number): string => new Date((day + days) * DAY_MS).toISOString().slice(0, 10);

/**
 * Does this order meet its wholesale channel's terms? Checks, in order: the requested ship date
 * reads as a date; every line is whole cases of its item's `units_per_case`; every SKU reaches its
 * `minimum_units` (all of the order's lines of it together); the order reaches its customer's
 * `minimum_units`; the requested ship date is at least `lead_time_days` after `today`. The first
 * term unmet is the refusal, naming the field to fix. `settings` are assumed checked
 * (`checkWholesaleSettings`); `today` is a `YYYY-MM-DD` date (UTC) from the injected clock.
 */
export function checkWholesaleOrder(
  lines: readonly WholesaleLine[],
  settings: WholesaleSettings,
  customer: string | null,
  requestedShipDate: string | null,
  today: string,
): Refusal | null {
  const shipDay = requestedShipDate === null ? null : dayNumber(requestedShipDate);
  if (requestedShipDate !== null && shipDay === null) {
    return refusal('validation_failed', `requested_ship_date must be a date YYYY-MM-DD, got ${JSON.stringify(requestedShipDate)}`, 'requested_ship_date');
  }
  for (const [i, line] of lines.entries()) {
    const per = line.unitsPerCase;
    if (per !== null && per > 1 && line.quantity % per !== 0) {
      const down = Math.floor(line.quantity / per) * per;
      const up = down + per;
      const nearest = down === 0 ? `${up}` : `${down} or ${up}`;
      return refusal('not_whole_cases', `${line.sku} is sold in cases of ${per}: ${line.quantity} is not a whole number of cases (order ${nearest})`, `lines[${i}].quantity`, { sku: line.sku, units_per_case: per });
    }
  }
  const bySku = new Map<string, number>();
  for (const l of lines) bySku.set(l.sku, (bySku.get(l.sku) ?? 0) + l.quantity);
  for (const [i, line] of lines.entries()) {
    const min = settings.minimum_units?.[line.sku];
    const units = bySku.get(line.sku)!;
    if (min !== undefined && units < min) {
      return refusal('below_minimum', `an order of ${line.sku} must be at least ${min} units, not ${units}`, `lines[${i}].quantity`, { sku: line.sku, minimum_units: min });
    }
  }
  const customerMin = customer === null ? undefined : settings.customers?.[customer]?.minimum_units;
  const total = lines.reduce((s, l) => s + l.quantity, 0);
  if (customerMin !== undefined && total < customerMin) {
    return refusal('below_minimum', `an order of customer ${customer} must be at least ${customerMin} units, not ${total}`, 'lines', { customer, minimum_units: customerMin });
  }
  const lead = settings.lead_time_days ?? 0;
  const todayDay = dayNumber(today);
  if (todayDay === null) throw new Error(`invariant violated: today ${JSON.stringify(today)} is not a date`);
  if (shipDay !== null && shipDay < todayDay + lead) {
    const earliest = plusDays(todayDay, lead);
    return refusal('ship_date_too_soon', `requested_ship_date ${requestedShipDate} is sooner than the lead time of ${lead} day${lead === 1 ? '' : 's'} allows: the earliest is ${earliest}`, 'requested_ship_date', { earliest_ship_date: earliest });
  }
  return null;
}

/** Today's date (UTC) at `now` ms: the day lead times count from. */
export const dateOf = (now: number): string => new Date(now).toISOString().slice(0, 10);
