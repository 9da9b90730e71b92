// What one listing may promise, and why (design.md §3, docs/availability.md).
// Pure: facts and the resolved rule in, a number and its explanation out; no I/O, no clock.
//
// Steps, in order: eligible locations → bundle kits per location → allocation → buffer → cap →
// zero-below → backorder → result. Invariants the property tests hold us to:
//  - never negative, always whole;
//  - never above the stock the channel may draw on, except units flagged as backorder;
//  - never rises when stock falls (every step is monotone in every level's available);
//  - a kit is built at ONE location: the minimum over its components per location, then summed —
//    summing each component across locations first would overstate kits;
//  - a ring-fenced channel sees only its fence, and the fence is reserved, so no other channel's
//    shared number contains the same units.

import { resolveRule } from './channel-rules.ts';
import type {
  Availability,
  ChannelRule,
  DemandFacts,
  ExplainStep,
  ItemFacts,
  LevelFacts,
  LocationScope,
  ResolvedRule,
} from './availability-model.ts';
import type { LocationKind } from './model.ts';

/** Above this mean the Poisson quantile uses the normal approximation (below it, e^-λ is still a normal double). */
export const POISSON_EXACT_LAMBDA_MAX = 500;
/** Nested kits deeper than this count as unbuildable (the catalog forbids cycles; this bounds the work if one slipped in). */
export const BUNDLE_DEPTH_MAX = 8;
/** Basis points in 100 %: percentages are applied in whole hundredths so shares add up exactly. */
const BASIS_POINTS = 10_000;
const MS_PER_HOUR = 3_600_000;
const SECONDS_PER_HOUR = 3_600;

export interface Sale {
  /** When, ms since the epoch. */
  at: number;
  units: number;
}

export interface ComputeOptions {
  /** Build the explanation (steps). The incremental recompute needs only the numbers; default true. */
  explain?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Demand: velocity and the Poisson quantile behind the adaptive buffer.

/**
 * Exponentially decayed sales velocity, units per hour:
 *
 *   v = (ln 2 / h) × Σ unitsᵢ × 2^(−ageᵢ / h)      (h = half-life in hours, age in hours)
 *
 * Each sale's weight halves every h hours. The factor ln 2 / h is 1 / ∫₀^∞ 2^(−t/h) dt, so a steady
 * rate r over a long history gives back exactly r; a short history gives less (new items start
 * slow). Sales dated after `now` (clock skew between servers) count as just now.
 */
export function decayedVelocity(sales: readonly Sale[], now: number, halfLifeHours: number): number {
  if (!(halfLifeHours > 0)) throw new RangeError(`halfLifeHours must be > 0, got ${halfLifeHours}`);
  let weighted = 0;
  for (const s of sales) {
    const ageHours = Math.max(0, now - s.at) / MS_PER_HOUR;
    weighted += s.units * Math.pow(2, -ageHours / halfLifeHours);
  }
  return Math.max(0, (weighted * Math.LN2) / halfLifeHours);
}

/** Φ⁻¹(p), the standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function inverseNormal(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** The exact quantile: sum the pmf with p(k) = p(k−1) × λ / k from p(0) = e^−λ. For λ ≤ ~700 only. */
export function poissonQuantileExact(lambda: number, confidence: number): number {
  let p = Math.exp(-lambda);
  let cdf = p;
  let k = 0;
  // Past λ + 12σ the remaining mass is below 1e-30; stop there even if rounding kept cdf < confidence.
  const kMax = Math.ceil(lambda + 12 * Math.sqrt(lambda) + 30);
  while (cdf < confidence && k < kMax) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

/**
 * The normal approximation with continuity correction and the Cornish–Fisher skewness term:
 * k = ⌈λ + z√λ + (z² − 1)/6 − ½⌉, z = Φ⁻¹(confidence). Within one unit of the exact quantile
 * for λ above POISSON_EXACT_LAMBDA_MAX (tested around the threshold).
 */
export function poissonQuantileNormal(lambda: number, confidence: number): number {
  const z = inverseNormal(confidence);
  return Math.max(0, Math.ceil(lambda + z * Math.sqrt(lambda) + (z * z - 1) / 6 - 0.5));
}

/** The smallest k with P(X ≤ k) ≥ confidence for X ~ Poisson(lambda). */
export function poissonQuantile(lambda: number, confidence: number): number {
  if (!(confidence < 1)) throw new RangeError(`confidence must be below 1, got ${confidence}`);
  if (!(lambda > 0) || !(confidence > 0)) return 0;
  return lambda <= POISSON_EXACT_LAMBDA_MAX ? poissonQuantileExact(lambda, confidence) : poissonQuantileNormal(lambda, confidence);
}

/** Mean units the other channels sell while this channel is still showing an old number. */
export function demandLambda(demand: DemandFacts): number {
  const v = demand.others_units_per_hour;
  const lagSeconds = Math.max(0, demand.inbound_lag_seconds) + Math.max(0, demand.outbound_lag_seconds);
  const lambda = (v * lagSeconds) / SECONDS_PER_HOUR;
  return Number.isFinite(lambda) && lambda > 0 ? lambda : 0;
}

/** Adaptive buffer units: clamp(poissonQuantile(velocity × lag, confidence), min_units, max_units). */
export function adaptiveBufferUnits(buffer: { confidence: number; min_units: number; max_units: number }, demand: DemandFacts): number {
  // Validation keeps confidence below 1; a stored rule that slipped past it gets the maximum, not a 500.
  if (!(buffer.confidence < 1)) return buffer.max_units;
  const q = poissonQuantile(demandLambda(demand), buffer.confidence);
  return Math.min(buffer.max_units, Math.max(buffer.min_units, q));
}

// ---------------------------------------------------------------------------------------------
// Locations and kits.

/** Is a level's location one the channel may sell from? Codes and kinds add up; neither means every location that ships online. */
export function locationEligible(scope: LocationScope, code: string, kind: LocationKind, shipsOnline: boolean): boolean {
  const codes = scope.codes;
  const kinds = scope.kinds;
  const hasCodes = codes !== undefined && codes.length > 0;
  const hasKinds = kinds !== undefined && kinds.length > 0;
  if (!hasCodes && !hasKinds) return shipsOnline;
  return (hasCodes && codes.includes(code)) || (hasKinds && kinds.includes(kind));
}

// Which units of a level to count: available, ring-fenced for this channel, available + incoming soon.
const Field = { Available: 0, Fenced: 1, WithIncoming: 2 } as const;
type Field = (typeof Field)[keyof typeof Field];

function levelUnits(lv: LevelFacts, f: Field): number {
  const a = lv.available > 0 ? lv.available : 0;
  if (f === Field.Available) return a;
  if (f === Field.Fenced) return lv.ring_fenced > 0 ? lv.ring_fenced : 0;
  return a + (lv.incoming_soon > 0 ? lv.incoming_soon : 0);
}

interface Site {
  location: string;
  kind: LocationKind;
}

/** The eligible locations any leaf of the item has a level at, in first-seen order. */
function collectSites(item: ItemFacts, scope: LocationScope, index: Map<string, number>, sites: Site[], depth: number): void {
  if (item.kind === 'standard') {
    for (const lv of item.levels) {
      if (index.has(lv.location) || !locationEligible(scope, lv.location, lv.kind, lv.ships_online)) continue;
      index.set(lv.location, sites.length);
      sites.push({ location: lv.location, kind: lv.kind });
    }
    return;
  }
  // A kit kept pre-built: its own levels are sites too.
  for (const lv of item.levels) {
    if (index.has(lv.location) || !locationEligible(scope, lv.location, lv.kind, lv.ships_online)) continue;
    index.set(lv.location, sites.length);
    sites.push({ location: lv.location, kind: lv.kind });
  }
  if (depth >= BUNDLE_DEPTH_MAX) return;
  for (const c of item.components) collectSites(c.item, scope, index, sites, depth + 1);
}

/** Units of `item`'s own levels at each site (a standard item's stock, or a kit's pre-built units). */
function ownUnitsAt(item: ItemFacts, index: Map<string, number>, n: number, f: Field): number[] {
  const out = new Array<number>(n).fill(0);
  for (const lv of item.levels) {
    const i = index.get(lv.location);
    if (i !== undefined) out[i]! += levelUnits(lv, f);
  }
  return out;
}

/** Whole kits the components make at each site: a kit is built from one location's stock. */
function buildableAt(item: ItemFacts, index: Map<string, number>, n: number, f: Field, depth: number): number[] {
  const out = new Array<number>(n).fill(0);
  if (depth >= BUNDLE_DEPTH_MAX || item.components.length === 0) return out;
  out.fill(Infinity);
  for (const c of item.components) {
    const sub = unitsAt(c.item, index, n, f, depth + 1);
    for (let i = 0; i < n; i++) {
      const kits = c.quantity >= 1 ? Math.floor(sub[i]! / c.quantity) : 0;
      if (kits < out[i]!) out[i] = kits;
    }
  }
  return out;
}

/** Units (or, for a kit, pre-built kits plus the kits its components make) of `item` at each site. */
function unitsAt(item: ItemFacts, index: Map<string, number>, n: number, f: Field, depth: number): number[] {
  const own = ownUnitsAt(item, index, n, f);
  if (item.kind === 'standard') return own;
  const built = buildableAt(item, index, n, f, depth);
  return own.map((u, i) => u + built[i]!);
}

const sum = (xs: readonly number[]) => {
  let s = 0;
  for (const x of xs) s += x;
  return s;
};

/** The pool a channel draws on over `scope`: units, or for a kit whole kits, at the eligible locations (the below_units test). */
export function poolUnits(item: ItemFacts, scope: LocationScope): number {
  if (item.kind === 'standard') {
    let s = 0;
    for (const lv of item.levels) {
      if (locationEligible(scope, lv.location, lv.kind, lv.ships_online)) s += levelUnits(lv, Field.Available);
    }
    return s;
  }
  const index = new Map<string, number>();
  const sites: Site[] = [];
  collectSites(item, scope, index, sites, 0);
  return sum(unitsAt(item, index, sites.length, Field.Available, 0));
}

// ---------------------------------------------------------------------------------------------
// The pipeline after the pool: allocation, buffer, cap, zero-below. Monotone in `pool`.

interface Promised {
  allocated: number;
  buffer: number;
  afterBuffer: number;
  afterCap: number;
  afterZero: number;
}

const basisPoints = (percent: number) => Math.round(percent * 100);

function promise(pool: number, fenced: number, rule: ResolvedRule, adaptiveUnits: number): Promised {
  const a = rule.allocation;
  // Shares round down so that channels whose shares add to 100 % never promise more than the pool.
  const allocated =
    a.mode === 'shared' ? pool : a.mode === 'share' ? Math.floor((pool * basisPoints(a.percent)) / BASIS_POINTS) : Math.min(Math.max(0, a.quantity), fenced);
  const b = rule.buffer;
  const buffer =
    b.mode === 'none'
      ? 0
      : b.mode === 'fixed'
        ? b.units
        : b.mode === 'percent'
          ? Math.ceil((allocated * basisPoints(b.percent)) / BASIS_POINTS) // a buffer errs on the safe side
          : a.mode === 'ring_fenced'
            ? 0 // other channels cannot sell fenced units, so there is nothing for an adaptive buffer to cover
            : adaptiveUnits;
  const afterBuffer = Math.max(0, allocated - buffer);
  const afterCap = rule.cap_units !== null ? Math.min(afterBuffer, Math.max(0, rule.cap_units)) : afterBuffer;
  const afterZero = rule.zero_below_units !== null && afterCap < rule.zero_below_units ? 0 : afterCap;
  return { allocated, buffer, afterBuffer, afterCap, afterZero };
}

// ---------------------------------------------------------------------------------------------
// The engine.

interface Limiting {
  sku: string;
  units: number;
  per_kit: number;
}

interface Facts {
  sites: Site[];
  available: number[];
  fenced: number[] | null;
  withIncoming: number[] | null;
  /** Per site, the component that limits the kits there (bundles only). */
  limiting: (Limiting | null)[] | null;
  /** Per site, pre-built kits on the shelf (kits kept pre-built only). */
  prebuilt?: number[] | null;
}

function standardFacts(item: ItemFacts, rule: ResolvedRule, wantFenced: boolean, wantIncoming: boolean): Facts {
  const sites: Site[] = [];
  const available: number[] = [];
  const fenced: number[] | null = wantFenced ? [] : null;
  const withIncoming: number[] | null = wantIncoming ? [] : null;
  for (const lv of item.levels) {
    if (!locationEligible(rule.locations, lv.location, lv.kind, lv.ships_online)) continue;
    sites.push({ location: lv.location, kind: lv.kind });
    available.push(levelUnits(lv, Field.Available));
    fenced?.push(levelUnits(lv, Field.Fenced));
    withIncoming?.push(levelUnits(lv, Field.WithIncoming));
  }
  return { sites, available, fenced, withIncoming, limiting: null };
}

function bundleFacts(item: ItemFacts, rule: ResolvedRule, wantFenced: boolean, wantIncoming: boolean, explain: boolean): Facts {
  const index = new Map<string, number>();
  const sites: Site[] = [];
  collectSites(item, rule.locations, index, sites, 0);
  const n = sites.length;
  const buildable = new Array<number>(n).fill(item.components.length > 0 ? Infinity : 0);
  const limiting: (Limiting | null)[] | null = explain ? new Array<Limiting | null>(n).fill(null) : null;
  for (const c of item.components) {
    const sub = unitsAt(c.item, index, n, Field.Available, 1);
    for (let i = 0; i < n; i++) {
      const kits = c.quantity >= 1 ? Math.floor(sub[i]! / c.quantity) : 0;
      if (kits < buildable[i]!) {
        buildable[i] = kits;
        if (limiting) limiting[i] = { sku: c.item.sku, units: sub[i]!, per_kit: c.quantity };
      }
    }
  }
  // Pre-built kits on the shelf count beside the kits the components make there.
  const prebuilt = ownUnitsAt(item, index, n, Field.Available);
  return {
    sites,
    available: buildable.map((b, i) => b + prebuilt[i]!),
    prebuilt: item.levels.length > 0 ? prebuilt : null,
    fenced: wantFenced ? unitsAt(item, index, n, Field.Fenced, 0) : null,
    withIncoming: wantIncoming ? unitsAt(item, index, n, Field.WithIncoming, 0) : null,
    limiting,
  };
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(3))));
const pct = (p: number) => `${fmt(p)} %`;

function scopeWords(scope: LocationScope): string {
  const parts: string[] = [];
  if (scope.codes && scope.codes.length > 0) parts.push(`codes ${scope.codes.join(', ')}`);
  if (scope.kinds && scope.kinds.length > 0) parts.push(`kinds ${scope.kinds.join(', ')}`);
  return parts.length > 0 ? parts.join(' + ') : 'every location that ships online';
}

/**
 * What `item` may show on a channel under `rule`, with every step explained. `demand` feeds the
 * adaptive buffer (ignored by the other buffer modes).
 */
export function computeAvailability(item: ItemFacts, rule: ResolvedRule, demand: DemandFacts, options: ComputeOptions = {}): Availability {
  const explain = options.explain !== false;
  const isKit = item.kind !== 'standard';
  const fencedMode = rule.allocation.mode === 'ring_fenced';
  // A ring-fence is a fixed quantity of reserved units: incoming stock does not enlarge it.
  const wantIncoming = rule.backorder_days !== null && !fencedMode;
  const facts = isKit ? bundleFacts(item, rule, fencedMode, wantIncoming, explain) : standardFacts(item, rule, fencedMode, wantIncoming);

  const pool = sum(facts.available);
  const fenced = facts.fenced ? sum(facts.fenced) : 0;
  const adaptiveUnits = rule.buffer.mode === 'adaptive' && !fencedMode ? adaptiveBufferUnits(rule.buffer, demand) : 0;
  const onHand = promise(pool, fenced, rule, adaptiveUnits);

  // Backorder: run the same steps as if the incoming units had arrived; what that adds is flagged.
  // Doing it this way (not adding incoming at the end) keeps the total monotone in stock and lets
  // the cap and the share apply to the whole promise.
  let poolWithIncoming = pool;
  let total = onHand.afterZero;
  if (facts.withIncoming) {
    poolWithIncoming = sum(facts.withIncoming);
    if (poolWithIncoming > pool) total = promise(poolWithIncoming, fenced, rule, adaptiveUnits).afterZero;
  }
  const backorderUnits = total - onHand.afterZero;

  if (!explain) return { quantity: total, backorder_units: backorderUnits, steps: [] };
  return {
    quantity: total,
    backorder_units: backorderUnits,
    steps: explainSteps(item, rule, demand, facts, { pool, fenced, onHand, poolWithIncoming, total, backorderUnits }),
  };
}

interface Numbers {
  pool: number;
  fenced: number;
  onHand: Promised;
  poolWithIncoming: number;
  total: number;
  backorderUnits: number;
}

/** A lag for people: seconds under two minutes, else minutes (rounded up: "up to"), else hours. */
export function lagWords(seconds: number): string {
  if (seconds < 120) return `${fmt(Math.ceil(seconds))} s`;
  if (seconds < 2 * 3_600) return `${Math.ceil(seconds / 60)} min`;
  return `${fmt(Math.ceil((seconds / 3_600) * 10) / 10)} h`;
}

/** Which channel makes the inbound lag, e.g. ": Amazon's orders arrive up to 2 min late" (empty when none does). */
function slowestWords(demand: DemandFacts): string {
  const c = demand.inbound_lag_channel;
  if (!c || demand.inbound_lag_seconds <= 0) return '';
  const who = c.name === c.label ? c.name : `${c.name} (${c.label})`;
  return ` — ${who}'s orders arrive up to ${lagWords(demand.inbound_lag_seconds)} late${c.measured ? ' (measured)' : ''}`;
}

function explainSteps(item: ItemFacts, rule: ResolvedRule, demand: DemandFacts, facts: Facts, n: Numbers): ExplainStep[] {
  const isKit = item.kind !== 'standard';
  const unit = item.kind === 'bundle' ? 'kits' : item.kind === 'multipack' ? 'packs' : 'units';
  const steps: ExplainStep[] = [];
  const { sites, available } = facts;
  const fencedMode = rule.allocation.mode === 'ring_fenced';

  const perSite = sites.map((s, i) => {
    const row: Record<string, unknown> = { location: s.location, kind: s.kind, [isKit ? 'kits' : 'available']: available[i] };
    if (facts.fenced) row.ring_fenced = facts.fenced[i];
    if (facts.withIncoming) row.incoming_soon = facts.withIncoming[i]! - available[i]!;
    return row;
  });
  steps.push({
    step: 'locations',
    value: n.pool,
    why:
      sites.length === 0
        ? `no eligible location (${scopeWords(rule.locations)})`
        : `${sites.length} eligible location${sites.length === 1 ? '' : 's'} (${scopeWords(rule.locations)}): ` +
          sites.map((s, i) => `${s.location} ${available[i]}`).join(', ') +
          (isKit ? ` ${unit}` : ' available'),
    detail: { scope: rule.locations, locations: perSite },
  });

  if (isKit) {
    const lim = facts.limiting ?? [];
    const pre = facts.prebuilt ?? null;
    const perLocation = sites.map((s, i) => ({ location: s.location, kits: available[i], limiting: lim[i] ?? null, ...(pre ? { prebuilt: pre[i] } : {}) }));
    const why =
      item.components.length === 0 && !pre
        ? `no components: 0 ${unit}`
        : `${n.pool} ${unit}, built per location (the fewest any component allows there${pre ? ', plus pre-built ones on the shelf' : ''}), then summed` +
          (sites.length > 0
            ? ': ' +
              perLocation
                .map((p) => `${p.location} ${p.kits}` + (p.prebuilt ? ` (${p.prebuilt} pre-built)` : '') + (p.limiting ? ` (limited by ${p.limiting.sku}: ${p.limiting.units} ÷ ${p.limiting.per_kit})` : ''))
                .join(', ')
            : '');
    steps.push({
      step: 'bundle',
      value: n.pool,
      why,
      detail: {
        components: item.components.map((c) => ({ sku: c.item.sku, kind: c.item.kind, per_kit: c.quantity })),
        per_location: perLocation,
      },
    });
  }

  const a = rule.allocation;
  const { allocated, buffer, afterBuffer, afterCap, afterZero } = n.onHand;
  steps.push({
    step: 'allocation',
    value: allocated,
    why:
      a.mode === 'shared'
        ? `shared pool: all ${n.pool} ${unit}`
        : a.mode === 'share'
          ? `${pct(a.percent)} share of ${n.pool}, rounded down: ${allocated}`
          : `ring-fenced ${a.quantity}: ${n.fenced} reserved for this channel at its locations, so ${allocated}; the shared pool is not visible`,
    detail: { mode: a.mode, pool: n.pool, ...(a.mode === 'share' ? { percent: a.percent } : {}), ...(a.mode === 'ring_fenced' ? { quantity: a.quantity, ring_fenced: n.fenced } : {}) },
  });

  const b = rule.buffer;
  let bufferWhy: string;
  let bufferDetail: Record<string, unknown> = { mode: b.mode, units: buffer };
  switch (b.mode) {
    case 'none':
      bufferWhy = 'no buffer';
      break;
    case 'fixed':
      bufferWhy = `fixed buffer of ${b.units}`;
      break;
    case 'percent':
      bufferWhy = `buffer ${buffer}: ${pct(b.percent)} of ${allocated}, rounded up`;
      bufferDetail.percent = b.percent;
      break;
    case 'adaptive': {
      if (fencedMode) {
        bufferWhy = 'adaptive buffer 0: other channels cannot sell ring-fenced units';
        break;
      }
      const lambda = demandLambda(demand);
      const quantile = b.confidence < 1 ? poissonQuantile(lambda, b.confidence) : b.max_units;
      const lag = Math.max(0, demand.inbound_lag_seconds) + Math.max(0, demand.outbound_lag_seconds);
      bufferWhy =
        `buffer ${buffer}: Poisson ${pct(b.confidence * 100)} quantile ${quantile} of ${fmt(demand.others_units_per_hour)} units/h on other channels × ` +
        `${fmt(lag)} s lag (${fmt(demand.inbound_lag_seconds)} s until their sales reach us${slowestWords(demand)} + ${fmt(demand.outbound_lag_seconds)} s until this channel shows a new number) = λ ${fmt(lambda)}` +
        (quantile !== buffer ? `, bounded to ${b.min_units}–${b.max_units}` : '');
      bufferDetail = {
        ...bufferDetail,
        confidence: b.confidence,
        others_units_per_hour: demand.others_units_per_hour,
        inbound_lag_seconds: demand.inbound_lag_seconds,
        ...(demand.inbound_lag_channel ? { inbound_lag_channel: demand.inbound_lag_channel.name } : {}),
        outbound_lag_seconds: demand.outbound_lag_seconds,
        lambda,
        quantile,
        min_units: b.min_units,
        max_units: b.max_units,
      };
      break;
    }
  }
  steps.push({ step: 'buffer', value: afterBuffer, why: `${bufferWhy}: ${allocated} − ${buffer} → ${afterBuffer}`, detail: bufferDetail });

  steps.push({
    step: 'cap',
    value: afterCap,
    why: rule.cap_units === null ? 'no cap' : `cap: show at most ${rule.cap_units}` + (afterCap < afterBuffer ? ` → ${afterCap}` : ' (not reached)'),
    detail: { cap_units: rule.cap_units },
  });

  const zb = rule.zero_below_units;
  steps.push({
    step: 'zero_below',
    value: afterZero,
    why: zb === null ? 'no zero-below threshold' : afterZero < afterCap ? `${afterCap} is below ${zb}: show 0` : `show 0 below ${zb} (not reached)`,
    detail: { zero_below_units: zb },
  });

  const incoming = n.poolWithIncoming - n.pool;
  steps.push({
    step: 'backorder',
    value: n.total,
    why:
      rule.backorder_days === null
        ? 'no backorder on this channel'
        : fencedMode
          ? 'no backorder: a ring-fence is a fixed quantity of reserved units'
          : incoming === 0
            ? `no ${unit} incoming within ${rule.backorder_days} days`
            : `${incoming} ${unit} incoming within ${rule.backorder_days} days; with them the steps above give ${n.total}, ${n.backorderUnits} of them backorder`,
    detail: { backorder_days: rule.backorder_days, incoming_soon: incoming, backorder_units: n.backorderUnits },
  });

  steps.push({
    step: 'result',
    value: n.total,
    why: n.backorderUnits > 0 ? `publish ${n.total}, ${n.backorderUnits} of them backorder` : `publish ${n.total}`,
    detail: { quantity: n.total, backorder_units: n.backorderUnits, rules_applied: rule.applied },
  });
  return steps;
}

/**
 * Resolve the channel's rules for this item at `now` (the below_units test measured over the
 * first pass's locations) and compute: the one call the app needs per listing.
 */
export function availabilityForListing(
  rules: readonly ChannelRule[],
  item: ItemFacts,
  now: number,
  demand: DemandFacts,
  options: ComputeOptions = {},
): { rule: ResolvedRule; availability: Availability } {
  const rule = resolveRule(rules, item.sku, now, (scope) => poolUnits(item, scope));
  return { rule, availability: computeAvailability(item, rule, demand, options) };
}
