// A workspace's routing rules: per location priority, cost and transit days per service level (as
// distance bands), with workspace defaults, and how many shipments an order may be split into.
// One JSON document per workspace; this file checks it and reads transit days from it.

import { refusal, type Refusal } from './errors.ts';
import { MAX_SHIPMENTS_DEFAULT, MAX_SHIPMENTS_LIMIT, type ServiceLevel } from './routing.ts';

/** The service levels that ship (pickup has no transit). */
export const SHIPPING_LEVELS = ['standard', 'two_day', 'next_day'] as const;
export type ShippingLevel = (typeof SHIPPING_LEVELS)[number];

/** Up to `max_km` (null: any distance) the location delivers in `days` (null: cannot). */
export interface TransitBand {
  max_km: number | null;
  days: number | null;
}
/** Bands in ascending `max_km`; a distance beyond the last band cannot ship at that level. */
export type TransitTable = Partial<Record<ShippingLevel, TransitBand[] | null>>;

export interface LocationRules {
  /** Lower first. Default `PRIORITY_DEFAULT`. */
  priority?: number;
  /** Lower first. Default 0. */
  cost?: number;
  /** Overrides the workspace's table per level; `null` for a level: this location cannot ship it. */
  transit?: TransitTable;
}

export interface RoutingRules {
  max_shipments: number;
  /** The workspace's default transit table. */
  transit: TransitTable;
  /** By location code. */
  locations: Record<string, LocationRules>;
}

export const PRIORITY_DEFAULT = 100;
/** Locations one rules document may configure. */
export const RULE_LOCATIONS_MAX = 1_000;
/** Bands per service level. */
export const TRANSIT_BANDS_MAX = 10;
/** Longest transit a band may state. */
export const TRANSIT_DAYS_MAX = 60;
/** Largest priority or cost. */
export const RANK_VALUE_MAX = 1_000_000;

/** Until a workspace sets its own: ground in 2–5 days, two-day within 2,500 km, next-day within 800 km. */
export const DEFAULT_RULES: RoutingRules = {
  max_shipments: MAX_SHIPMENTS_DEFAULT,
  transit: {
    standard: [{ max_km: 800, days: 2 }, { max_km: 2_000, days: 3 }, { max_km: null, days: 5 }],
    two_day: [{ max_km: 1_200, days: 1 }, { max_km: 2_500, days: 2 }],
    next_day: [{ max_km: 800, days: 1 }],
  },
  locations: {},
};

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const bad = (field: string, detail: string) => refusal('validation_failed', `${field} ${detail}`, field);

function checkBands(x: unknown, field: string): Refusal | null {
  if (x === null) return null;
  if (!Array.isArray(x) || x.length === 0 || x.length > TRANSIT_BANDS_MAX) return bad(field, `must be null or a list of 1 to ${TRANSIT_BANDS_MAX} bands`);
  let last = -1;
  for (const [i, b] of x.entries()) {
    const f = `${field}[${i}]`;
    if (!isObject(b)) return bad(f, 'must be an object { max_km, days }');
    const extra = Object.keys(b).find((k) => k !== 'max_km' && k !== 'days');
    if (extra) return bad(`${f}.${extra}`, 'is not a band field (max_km, days)');
    if (b.max_km === null) {
      if (i !== x.length - 1) return bad(`${f}.max_km`, 'may be null (any distance) only in the last band');
    } else if (typeof b.max_km !== 'number' || !Number.isFinite(b.max_km) || b.max_km <= last) {
      return bad(`${f}.max_km`, 'must be a number of km greater than the band before, or null in the last band');
    } else last = b.max_km;
    if (b.days !== null && (!Number.isSafeInteger(b.days) || (b.days as number) < 0 || (b.days as number) > TRANSIT_DAYS_MAX)) {
      return bad(`${f}.days`, `must be a whole number of days from 0 to ${TRANSIT_DAYS_MAX}, or null (cannot ship)`);
    }
  }
  return null;
}

function checkTable(x: unknown, field: string): Refusal | null {
  if (!isObject(x)) return bad(field, `must be an object keyed by service level (${SHIPPING_LEVELS.join(', ')})`);
  for (const [level, bands] of Object.entries(x)) {
    if (!(SHIPPING_LEVELS as readonly string[]).includes(level)) return bad(`${field}.${level}`, `is not a shipping service level (${SHIPPING_LEVELS.join(', ')})`);
    const b = checkBands(bands, `${field}.${level}`);
    if (b) return b;
  }
  return null;
}

const rankValue = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= RANK_VALUE_MAX;

/** The document checked, or a `validation_failed` naming the first bad field. Missing parts take the defaults. */
export function checkRoutingRules(doc: unknown): { ok: true; rules: RoutingRules } | { ok: false; refusal: Refusal } {
  const fail = (r: Refusal) => ({ ok: false as const, refusal: r });
  if (!isObject(doc)) return fail(bad('body', 'must be a routing rules object'));
  const extra = Object.keys(doc).find((k) => !['max_shipments', 'transit', 'locations'].includes(k));
  if (extra) return fail(bad(extra, 'is not a routing rules field (max_shipments, transit, locations)'));
  const maxShipments = doc.max_shipments ?? DEFAULT_RULES.max_shipments;
  if (!Number.isSafeInteger(maxShipments) || (maxShipments as number) < 1 || (maxShipments as number) > MAX_SHIPMENTS_LIMIT) {
    return fail(bad('max_shipments', `must be a whole number from 1 to ${MAX_SHIPMENTS_LIMIT}`));
  }
  const transit = doc.transit ?? DEFAULT_RULES.transit;
  const t = checkTable(transit, 'transit');
  if (t) return fail(t);
  const locations = doc.locations ?? {};
  if (!isObject(locations)) return fail(bad('locations', 'must be an object keyed by location code'));
  if (Object.keys(locations).length > RULE_LOCATIONS_MAX) return fail(bad('locations', `may configure at most ${RULE_LOCATIONS_MAX} locations`));
  for (const [code, l] of Object.entries(locations)) {
    const f = `locations.${code}`;
    if (!isObject(l)) return fail(bad(f, 'must be an object { priority?, cost?, transit? }'));
    const other = Object.keys(l).find((k) => !['priority', 'cost', 'transit'].includes(k));
    if (other) return fail(bad(`${f}.${other}`, 'is not a location rule field (priority, cost, transit)'));
    if (l.priority !== undefined && !rankValue(l.priority)) return fail(bad(`${f}.priority`, `must be a number from 0 to ${RANK_VALUE_MAX}`));
    if (l.cost !== undefined && !rankValue(l.cost)) return fail(bad(`${f}.cost`, `must be a number from 0 to ${RANK_VALUE_MAX}`));
    if (l.transit !== undefined) {
      const lt = checkTable(l.transit, `${f}.transit`);
      if (lt) return fail(lt);
    }
  }
  return { ok: true, rules: { max_shipments: maxShipments as number, transit: transit as TransitTable, locations: locations as Record<string, LocationRules> } };
}

/**
 * Transit days from a location at a distance: the location's bands for the level, else the
 * workspace's; the first band whose `max_km` reaches the distance. An unknown distance takes the
 * last band (the slowest). Null: the location cannot ship the level. Pickup has no transit (0).
 */
export function transitDays(rules: RoutingRules, code: string, level: ServiceLevel, distance: number | null): number | null {
  if (level === 'pickup') return 0;
  const own = rules.locations[code]?.transit;
  const bands = own !== undefined && level in own ? own[level] : rules.transit[level];
  if (!bands || bands.length === 0) return null;
  const band = distance === null ? bands[bands.length - 1]! : bands.find((b) => b.max_km === null || distance <= b.max_km);
  return band ? band.days : null;
}

export const priorityOf = (rules: RoutingRules, code: string): number => rules.locations[code]?.priority ?? PRIORITY_DEFAULT;
export const costOf = (rules: RoutingRules, code: string): number => rules.locations[code]?.cost ?? 0;
