// Which settings are in force for one listing at one moment (docs/availability.md, "Rules").
// Pure: the caller passes `now` and the pool; no I/O, no clock.
//
// A channel's rules override each other field by field, from least to most specific:
//   0. the channel default (no skus, no window, no below_units)
//   1. item rules (skus includes the SKU) — an item is narrower than the whole channel
//   2. windowed channel-wide rules — a promotion is a deliberate, temporary exception to the
//      standing setup, so while it runs it beats the standing item rules
//   3. windowed item rules — a promotion on this very item is narrower still
//   4. below_units rules — a safety valve ("below 10, the webstore gets 0"): when stock is short
//      it must win even over a promotion, or the promotion would oversell the last units.
// Inside a tier: rules starting later win (a flash sale inside a longer promotion), then the
// lower below_units threshold (the more severe shortage), then the id, so the order in which the
// rules are passed never changes the result.
//
// The `below_units` test looks at the pool the channel draws on, and that pool depends on the
// `locations` setting. So resolution runs in two passes: tiers 0–3 first (they give the
// locations), then the pool is measured over those locations, then the active below_units rules
// are applied on top. A below_units rule may itself change `locations`; that changes where the
// channel sells from while the rule is active, never the pool its own threshold is tested on
// (which would be circular).

import { refusal, type Refusal } from './errors.ts';
import type { Allocation, Buffer, ChannelRule, LocationScope, ResolvedRule, RuleSettings } from './availability-model.ts';
import { LOCATION_KINDS } from './model.ts';

/** Whole units anywhere in a rule (buffer, cap, ring-fence, thresholds). */
export const RULE_UNITS_MAX = 1_000_000_000;
/** Backorder from incoming arriving within at most this many days. */
export const BACKORDER_DAYS_MAX = 365;
/** SKUs one rule may name; more is a catalog import, not a rule. */
export const RULE_SKUS_MAX = 1_000;
/** Location codes one rule may name. */
export const RULE_LOCATION_CODES_MAX = 200;
/** Percentages are kept to hundredths (basis points), so shares add up exactly. */
export const PERCENT_DECIMALS_MAX = 2;

/** Settings when no rule sets a field: every location that ships online, shared, no buffer, no cap, no threshold, no backorder. */
export const DEFAULT_SETTINGS: Readonly<Omit<ResolvedRule, 'applied'>> = Object.freeze({
  locations: {},
  allocation: { mode: 'shared' as const },
  buffer: { mode: 'none' as const },
  cap_units: null,
  zero_below_units: null,
  backorder_days: null,
});

const SETTING_KEYS = ['locations', 'allocation', 'buffer', 'cap_units', 'zero_below_units', 'backorder_days'] as const;

// An ISO time with an explicit offset: "Friday 00:00" must mean the same instant on every server.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of a rule time, or null when open on that side (NaN when malformed). */
export function ruleTime(iso: string | null): number | null {
  return iso === null ? null : Date.parse(iso);
}

/** Is a rule's window open at `now`? starts_at <= now < ends_at; a missing end is open on that side. */
export function windowActive(rule: Pick<ChannelRule, 'starts_at' | 'ends_at'>, now: number): boolean {
  const start = ruleTime(rule.starts_at);
  const end = ruleTime(rule.ends_at);
  // A malformed stored time (NaN) fails both comparisons: such a rule never applies.
  if (start !== null && !(start <= now)) return false;
  if (end !== null && !(now < end)) return false;
  return true;
}

const isWindowed = (r: ChannelRule) => r.starts_at !== null || r.ends_at !== null;

/** Tier of a rule in the precedence above (0 default … 4 below_units). */
export function ruleTier(r: ChannelRule): number {
  if (r.below_units !== null) return 4;
  return (isWindowed(r) ? 2 : 0) + (r.skus !== null ? 1 : 0);
}

function compareRules(a: ChannelRule, b: ChannelRule): number {
  const ta = ruleTier(a);
  const tb = ruleTier(b);
  if (ta !== tb) return ta - tb;
  if (ta === 4) {
    // Among safety valves: the more severe shortage (lower threshold) last, then the narrower rule.
    if (a.below_units !== b.below_units) return (b.below_units ?? 0) - (a.below_units ?? 0);
    const sa = (isWindowed(a) ? 2 : 0) + (a.skus !== null ? 1 : 0);
    const sb = (isWindowed(b) ? 2 : 0) + (b.skus !== null ? 1 : 0);
    if (sa !== sb) return sa - sb;
  }
  const startA = ruleTime(a.starts_at) ?? -Infinity;
  const startB = ruleTime(b.starts_at) ?? -Infinity;
  if (startA !== startB) return startA < startB ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function applySettings(into: Omit<ResolvedRule, 'applied'>, s: RuleSettings): void {
  // `undefined` leaves the field alone; an explicit null clears it (a promotion may lift a cap).
  if (s.locations !== undefined) into.locations = s.locations;
  if (s.allocation !== undefined) into.allocation = s.allocation;
  if (s.buffer !== undefined) into.buffer = s.buffer;
  if (s.cap_units !== undefined) into.cap_units = s.cap_units;
  if (s.zero_below_units !== undefined) into.zero_below_units = s.zero_below_units;
  if (s.backorder_days !== undefined) into.backorder_days = s.backorder_days;
}

/**
 * The settings in force for `sku` at `now`. `poolUnits` is the pool the channel draws on, for the
 * below_units test: a number, or a function of the locations resolved in the first pass (the
 * engine's `poolUnits(item, scope)`), so the caller need not resolve twice.
 */
export function resolveRule(
  rules: readonly ChannelRule[],
  sku: string,
  now: number,
  poolUnits: number | ((locations: LocationScope) => number),
): ResolvedRule {
  const base: ChannelRule[] = [];
  const valves: ChannelRule[] = [];
  for (const r of rules) {
    if (r.skus !== null && !r.skus.includes(sku)) continue;
    if (!windowActive(r, now)) continue;
    (r.below_units !== null ? valves : base).push(r);
  }
  // A fresh copy: callers may keep (or mutate) what they get back.
  const out: Omit<ResolvedRule, 'applied'> = { ...DEFAULT_SETTINGS, locations: {} };
  const applied: string[] = [];
  base.sort(compareRules);
  for (const r of base) {
    applySettings(out, r.settings);
    applied.push(r.id);
  }
  if (valves.length > 0) {
    const pool = typeof poolUnits === 'function' ? poolUnits(out.locations) : poolUnits;
    valves.sort(compareRules);
    for (const r of valves) {
      if (!(pool < (r.below_units as number))) continue;
      applySettings(out, r.settings);
      applied.push(r.id);
    }
  }
  return { ...out, applied };
}

/**
 * The first rule start or end strictly after `after` (ms), or null: the app schedules a recompute
 * exactly then, so a promotion starts and ends on time without anyone touching it.
 */
export function nextRuleChange(rules: readonly Pick<ChannelRule, 'starts_at' | 'ends_at'>[], after: number): number | null {
  let next: number | null = null;
  for (const r of rules) {
    for (const t of [ruleTime(r.starts_at), ruleTime(r.ends_at)]) {
      if (t !== null && t > after && (next === null || t < next)) next = t;
    }
  }
  return next;
}

// ---------------------------------------------------------------------------------------------
// Validation: a rule or its settings as they arrive from the API, the CLI or storage.

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const bad = (field: string, detail: string) => refusal('validation_failed', `${field} ${detail}`, field);

function unknownKey(o: Record<string, unknown>, allowed: readonly string[], field: string): Refusal | null {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) return bad(`${field}.${k}`, `is not a known field (expected one of ${allowed.join(', ')})`);
  }
  return null;
}

function wholeUnits(v: unknown, field: string, min = 0, max = RULE_UNITS_MAX): Refusal | null {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    return bad(field, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return null;
}

function nullableWhole(v: unknown, field: string, min = 0, max = RULE_UNITS_MAX): Refusal | null {
  return v === null ? null : wholeUnits(v, field, min, max);
}

function percent(v: unknown, field: string): Refusal | null {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) {
    return bad(field, `must be a percentage from 0 to 100, got ${JSON.stringify(v)}`);
  }
  if (Math.abs(v * 100 - Math.round(v * 100)) > 1e-9) {
    return bad(field, `may have at most ${PERCENT_DECIMALS_MAX} decimals, got ${v}`);
  }
  return null;
}

function checkLocations(v: unknown, field: string): Refusal | null {
  if (!isObject(v)) return bad(field, 'must be an object with `codes` and/or `kinds`');
  const extra = unknownKey(v, ['codes', 'kinds'], field);
  if (extra) return extra;
  if (v.codes !== undefined) {
    const codes = v.codes;
    if (!Array.isArray(codes) || codes.length === 0 || codes.length > RULE_LOCATION_CODES_MAX) {
      return bad(`${field}.codes`, `must be a list of 1 to ${RULE_LOCATION_CODES_MAX} location codes (leave it out for every location that ships online)`);
    }
    const i = codes.findIndex((c) => typeof c !== 'string' || c.length === 0);
    if (i >= 0) return bad(`${field}.codes[${i}]`, `must be a location code, got ${JSON.stringify(codes[i])}`);
  }
  if (v.kinds !== undefined) {
    const kinds = v.kinds;
    if (!Array.isArray(kinds) || kinds.length === 0) {
      return bad(`${field}.kinds`, `must be a non-empty list of location kinds (${LOCATION_KINDS.join(', ')})`);
    }
    const i = kinds.findIndex((k) => !(LOCATION_KINDS as readonly unknown[]).includes(k));
    if (i >= 0) return bad(`${field}.kinds[${i}]`, `must be one of ${LOCATION_KINDS.join(', ')}, got ${JSON.stringify(kinds[i])}`);
  }
  return null;
}

function checkAllocation(v: unknown, field: string): Refusal | null {
  if (!isObject(v)) return bad(field, 'must be an object with a `mode`');
  switch (v.mode as Allocation['mode']) {
    case 'shared':
      return unknownKey(v, ['mode'], field);
    case 'share':
      return unknownKey(v, ['mode', 'percent'], field) ?? percent(v.percent, `${field}.percent`);
    case 'ring_fenced':
      return unknownKey(v, ['mode', 'quantity'], field) ?? wholeUnits(v.quantity, `${field}.quantity`);
    default:
      return bad(`${field}.mode`, `must be shared, share or ring_fenced, got ${JSON.stringify(v.mode)}`);
  }
}

function checkBuffer(v: unknown, field: string): Refusal | null {
  if (!isObject(v)) return bad(field, 'must be an object with a `mode`');
  switch (v.mode as Buffer['mode']) {
    case 'none':
      return unknownKey(v, ['mode'], field);
    case 'fixed':
      return unknownKey(v, ['mode', 'units'], field) ?? wholeUnits(v.units, `${field}.units`);
    case 'percent':
      return unknownKey(v, ['mode', 'percent'], field) ?? percent(v.percent, `${field}.percent`);
    case 'adaptive': {
      const r =
        unknownKey(v, ['mode', 'confidence', 'min_units', 'max_units'], field) ??
        (typeof v.confidence !== 'number' || !(v.confidence > 0 && v.confidence < 1)
          ? bad(`${field}.confidence`, `must be a probability strictly between 0 and 1 (e.g. 0.95), got ${JSON.stringify(v.confidence)}`)
          : null) ??
        wholeUnits(v.min_units, `${field}.min_units`) ??
        wholeUnits(v.max_units, `${field}.max_units`);
      if (r) return r;
      if ((v.min_units as number) > (v.max_units as number)) {
        return bad(`${field}.min_units`, `must not exceed max_units (${v.min_units as number} > ${v.max_units as number})`);
      }
      return null;
    }
    default:
      return bad(`${field}.mode`, `must be none, fixed, percent or adaptive, got ${JSON.stringify(v.mode)}`);
  }
}

/** Is this a valid `settings` object of a rule? Null when it is; else a `validation_failed` refusal naming the field. */
export function validateRuleSettings(settings: unknown, field = 'settings'): Refusal | null {
  if (!isObject(settings)) return bad(field, 'must be an object');
  return (
    unknownKey(settings, SETTING_KEYS, field) ??
    (settings.locations !== undefined ? checkLocations(settings.locations, `${field}.locations`) : null) ??
    (settings.allocation !== undefined ? checkAllocation(settings.allocation, `${field}.allocation`) : null) ??
    (settings.buffer !== undefined ? checkBuffer(settings.buffer, `${field}.buffer`) : null) ??
    (settings.cap_units !== undefined ? nullableWhole(settings.cap_units, `${field}.cap_units`) : null) ??
    (settings.zero_below_units !== undefined ? nullableWhole(settings.zero_below_units, `${field}.zero_below_units`) : null) ??
    (settings.backorder_days !== undefined ? nullableWhole(settings.backorder_days, `${field}.backorder_days`, 0, BACKORDER_DAYS_MAX) : null)
  );
}

/**
 * Is this a valid rule (as proposed: id and channel are the app's business)? Checks `skus`,
 * the window (`starts_at` < `ends_at`, ISO with an offset; either side may be open), `below_units`
 * (≥ 1: nothing is below 0) and the settings.
 */
export function validateRule(rule: unknown): Refusal | null {
  if (!isObject(rule)) return bad('rule', 'must be an object');
  const skus = rule.skus;
  if (skus !== undefined && skus !== null) {
    if (!Array.isArray(skus) || skus.length === 0 || skus.length > RULE_SKUS_MAX) {
      return bad('skus', `must be null (every item) or a list of 1 to ${RULE_SKUS_MAX} SKUs`);
    }
    const i = skus.findIndex((s) => typeof s !== 'string' || s.length === 0);
    if (i >= 0) return bad(`skus[${i}]`, `must be a SKU, got ${JSON.stringify(skus[i])}`);
  }
  const times: Record<string, number | null> = {};
  for (const f of ['starts_at', 'ends_at'] as const) {
    const v = rule[f];
    if (v === undefined || v === null) {
      times[f] = null;
      continue;
    }
    if (typeof v !== 'string' || !ISO_TIME.test(v) || Number.isNaN(Date.parse(v))) {
      return bad(f, `must be an ISO 8601 time with an offset, e.g. 2025-11-28T00:00:00+01:00, got ${JSON.stringify(v)}`);
    }
    times[f] = Date.parse(v);
  }
  if (times.starts_at !== null && times.ends_at !== null && !((times.starts_at as number) < (times.ends_at as number))) {
    return bad('ends_at', 'must be after starts_at');
  }
  if (rule.below_units !== undefined) {
    const r = nullableWhole(rule.below_units, 'below_units', 1);
    if (r) return r;
  }
  return validateRuleSettings(rule.settings ?? {}, 'settings');
}
