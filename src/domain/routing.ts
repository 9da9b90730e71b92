// Routing with reasons: which location(s) ship an order, and why every other candidate lost.
// Pure: the caller passes the candidates with their distance, transit and cost, and `free`, what
// a location can still give of an item. docs/routing.md explains the ranking and the split bound.
//
// Invariants (src/domain/routing.property.test.ts): nothing is placed beyond `free` except what is
// reported `short`; a split happens only when no single location covers the order, and uses the
// fewest locations the search can find (exact within SPLIT_SUBSETS_MAX); a pickup order never
// places anywhere but its pickup location; the same request always gives the same decision.

export const SERVICE_LEVELS = ['standard', 'two_day', 'next_day', 'pickup'] as const;
export type ServiceLevel = (typeof SERVICE_LEVELS)[number];

/** Shipments one order may be split into, unless the rules say otherwise. */
export const MAX_SHIPMENTS_DEFAULT = 3;
/** Upper limit for a configured `max_shipments`. */
export const MAX_SHIPMENTS_LIMIT = 10;
/**
 * The split search tries every set of 1, 2, … locations (fewest first) while the number of sets
 * to try stays within this; beyond it, it picks greedily (most uncovered lines first) and says so.
 */
export const SPLIT_SUBSETS_MAX = 4_096;

/** One order line: what it takes from stock. A line ships from ONE location. */
export interface RouteLine {
  /** Shown in reasons (a SKU). */
  label: string;
  quantity: number;
  /** Units of each stocked item per unit of the line: the item itself, or a bundle's components. */
  parts: readonly { itemId: string; perUnit: number }[];
  /** A kit kept pre-built: its own built units are sold first, the rest built from `parts`. */
  prebuiltItemId?: string | null;
}

export interface RouteCandidate {
  /** Passed to `free`. */
  id: string;
  code: string;
  /** To the destination; null when unknown (ranked after every known distance). */
  distanceKm: number | null;
  /** For the order's service level; null: cannot ship it. */
  transitDays: number | null;
  /** Lower first. */
  priority: number;
  /** Lower first. */
  cost: number;
  shipsOnline: boolean;
  pickup: boolean;
  /** FBA and the like: the channel ships from here, for the orders it fulfils. */
  channelManaged: boolean;
}

export interface RouteRequest {
  lines: readonly RouteLine[];
  serviceLevel: ServiceLevel;
  /** The store a pickup order is collected at (pickup only). */
  pickupLocation?: string | null;
  /** Days the promise allows from now; null: no promise. */
  promiseDays?: number | null;
  /** The channel fulfils the order itself (FBA): only its channel-managed locations ship it. */
  fulfilledByChannel?: boolean;
  maxShipments?: number;
  candidates: readonly RouteCandidate[];
  /** What the location can still give of the item. */
  free: (itemId: string, locationId: string) => number;
}

export interface RouteShipment {
  location: string;
  /** Indexes into the request's lines (as in `lines[i]`). */
  lines: number[];
  transit_days: number | null;
}

export interface CandidateVerdict {
  location: string;
  verdict: 'chosen' | 'rejected';
  reasons: string[];
}

export interface RouteDecision {
  service_level: ServiceLevel;
  promise_days: number | null;
  shipments: RouteShipment[];
  /**
   * Lines no chosen location covers, each with the location it would be oversold at: the
   * best-ranked chosen location, else the best-ranked one that may take the order, else (none
   * may) a pickup order's own store or any other order's first candidate; null only without
   * candidates. The caller decides: refuse, or oversell an order a channel already took.
   */
  short: { line: number; location: string | null }[];
  split: boolean;
  /** How the shipments were found: one location, an exact split search, or greedy beyond the bound. */
  search: 'single' | 'exact' | 'greedy' | 'none';
  /** Transit of the slowest shipment; null when nothing ships or transit is unknown. */
  transit_days: number | null;
  /** Fewest transit days a location that could fulfil the order offers (the plan's own for a split). */
  best_transit_days: number | null;
  /** null when there is no promise. */
  promise_met: boolean | null;
  candidates: CandidateVerdict[];
}

interface Ranked {
  c: RouteCandidate;
  /** Lines this location can take alone, in order (counting what earlier lines took). */
  lines: number[];
  whole: boolean;
  meets: boolean;
  transit: number | null;
}

type Taken = Map<string, number>;
const key = (itemId: string, locationId: string) => `${itemId}\u0000${locationId}`;

/** Units of each item a line takes at a location, counting what `taken` already holds there. */
function demandAt(line: RouteLine, loc: string, free: RouteRequest['free'], taken: Taken): [string, number][] {
  let rest = line.quantity;
  const out: [string, number][] = [];
  if (line.prebuiltItemId) {
    const built = Math.min(rest, Math.max(0, free(line.prebuiltItemId, loc) - (taken.get(key(line.prebuiltItemId, loc)) ?? 0)));
    if (built > 0) out.push([line.prebuiltItemId, built]);
    rest -= built;
  }
  if (rest > 0) for (const p of line.parts) out.push([p.itemId, p.perUnit * rest]);
  return out;
}

/** Take the line at the location if it fits; true when taken. */
function tryTake(line: RouteLine, loc: string, free: RouteRequest['free'], taken: Taken): boolean {
  if (!line.prebuiltItemId && line.parts.length === 1) {
    // The common line, one stocked item: no demand list to build.
    const p = line.parts[0]!;
    const k = key(p.itemId, loc);
    const had = taken.get(k) ?? 0;
    const q = p.perUnit * line.quantity;
    if (free(p.itemId, loc) - had < q) return false;
    taken.set(k, had + q);
    return true;
  }
  const demand = demandAt(line, loc, free, taken);
  for (const [itemId, q] of demand) if (free(itemId, loc) - (taken.get(key(itemId, loc)) ?? 0) < q) return false;
  for (const [itemId, q] of demand) taken.set(key(itemId, loc), (taken.get(key(itemId, loc)) ?? 0) + q);
  return true;
}

/** Assign lines to locations in rank order, first fit; returns the location index per line (-1: none). */
function assign(req: RouteRequest, lines: readonly number[], locs: readonly RouteCandidate[], independent: boolean): number[] {
  if (independent) return lines.map((i) => locs.findIndex((c) => fitsAlone(req, req.lines[i]!, c.id)));
  const taken: Taken = new Map();
  return lines.map((i) => locs.findIndex((c) => tryTake(req.lines[i]!, c.id, req.free, taken)));
}

/** Does the line fit at the location on its own? */
function fitsAlone(req: RouteRequest, line: RouteLine, loc: string): boolean {
  if (line.prebuiltItemId) return tryTake(line, loc, req.free, new Map());
  for (const p of line.parts) if (req.free(p.itemId, loc) < p.perUnit * line.quantity) return false;
  return true;
}

/** No two lines take the same stocked item: then lines never compete for stock. */
function independentLines(lines: readonly RouteLine[]): boolean {
  const seen = new Set<string>();
  for (const l of lines) {
    for (const id of l.prebuiltItemId ? [l.prebuiltItemId, ...l.parts.map((p) => p.itemId)] : l.parts.map((p) => p.itemId)) {
      if (seen.has(id)) return false;
      seen.add(id);
    }
  }
  return true;
}

function fmtInt(n: number): string {
  const s = String(Math.round(n));
  if (s.length <= 3) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) out += (i > 0 && (s.length - i) % 3 === 0 && s[i - 1] !== '-' ? ',' : '') + s[i];
  return out;
}
const km = (d: number | null) => (d === null ? 'distance unknown' : `${fmtInt(d)} km`);
const days = (d: number | null) => (d === null ? 'transit unknown' : `transit ${d} d`);
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** Why a candidate may not take this order at all, or null. */
function ineligible(req: RouteRequest, c: RouteCandidate): string | null {
  if (req.serviceLevel === 'pickup') {
    if (c.code !== req.pickupLocation) return `not the pickup store (pickup at ${req.pickupLocation ?? '?'})`;
    if (!c.pickup) return 'not a pickup store';
    return null;
  }
  if (req.fulfilledByChannel && !c.channelManaged) return 'the channel fulfils this order; only its own locations ship it';
  if (!req.fulfilledByChannel && c.channelManaged) return 'channel-managed: ships only orders its channel fulfils';
  if (!c.shipsOnline) return 'does not ship online';
  if (c.transitDays === null) return `cannot ship ${req.serviceLevel.replace('_', '-')}`;
  return null;
}

/** Order of the ranking: whole order, promise, distance, priority, cost, code. */
function compare(a: Ranked, b: Ranked): number {
  if (a.whole !== b.whole) return a.whole ? -1 : 1;
  if (a.meets !== b.meets) return a.meets ? -1 : 1;
  const da = a.c.distanceKm ?? Infinity;
  const db = b.c.distanceKm ?? Infinity;
  if (da !== db) return da < db ? -1 : 1;
  if (a.c.priority !== b.c.priority) return a.c.priority - b.c.priority;
  if (a.c.cost !== b.c.cost) return a.c.cost - b.c.cost;
  return a.c.code < b.c.code ? -1 : a.c.code > b.c.code ? 1 : 0;
}

/** Why `r` ranks after `w`: the first key of the ranking on which they differ. */
function lostTo(req: RouteRequest, r: Ranked, w: Ranked, total: number): string {
  if (r.whole !== w.whole) return `covers ${r.lines.length} of ${plural(total, 'line')}`;
  if (r.meets !== w.meets) return `${days(r.transit)} misses the ${req.promiseDays}-day promise`;
  if ((r.c.distanceKm ?? Infinity) !== (w.c.distanceKm ?? Infinity)) {
    return r.c.distanceKm === null ? `distance unknown; ${w.c.code} is ${km(w.c.distanceKm)}` : `${km(r.c.distanceKm)}, further than ${w.c.code}'s ${km(w.c.distanceKm)}`;
  }
  if (r.c.priority !== w.c.priority) return `priority ${r.c.priority}, after ${w.c.code}'s ${w.c.priority}`;
  if (r.c.cost !== w.c.cost) return `cost ${r.c.cost}, more than ${w.c.code}'s ${w.c.cost}`;
  return `ties with ${w.c.code}; ${w.c.code} comes first by code`;
}

function transitOf(req: RouteRequest, c: RouteCandidate): number | null {
  return req.serviceLevel === 'pickup' ? 0 : c.transitDays;
}

function meetsPromise(req: RouteRequest, transit: number | null): boolean {
  const p = req.promiseDays ?? null;
  return p === null || (transit !== null && transit <= p);
}

/** Lines up to which sets are pre-screened with a bitmask (a 32-bit integer). */
const MASK_LINES_MAX = 30;

function popcount(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

/** Number of ways to choose k of n, stopping early once past `cap`. */
function choose(n: number, k: number, cap: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) {
    r = (r * (n - k + i)) / i;
    if (r > cap) return cap + 1;
  }
  return Math.round(r);
}

/** Every k-subset of 0..n-1 in lexicographic order; `visit` returns true to stop. */
function subsets(n: number, k: number, visit: (idx: number[]) => boolean): boolean {
  const idx = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    if (visit(idx)) return true;
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return false;
    idx[i]!++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
  }
}

export function routeOrder(req: RouteRequest): RouteDecision {
  const total = req.lines.length;
  const all = req.lines.map((_, i) => i);
  const verdicts = new Map<string, CandidateVerdict>();
  const ranked: Ranked[] = [];
  // The common order: lines take different items, so each line's fit is independent of the rest.
  const independent = independentLines(req.lines);
  for (const c of req.candidates) {
    const why = ineligible(req, c);
    if (why) {
      verdicts.set(c.code, { location: c.code, verdict: 'rejected', reasons: [why] });
      continue;
    }
    let lines: number[];
    if (independent) {
      lines = [];
      for (let i = 0; i < total; i++) if (fitsAlone(req, req.lines[i]!, c.id)) lines.push(i);
    } else {
      const taken: Taken = new Map();
      lines = all.filter((i) => tryTake(req.lines[i]!, c.id, req.free, taken));
    }
    const transit = transitOf(req, c);
    ranked.push({ c, lines, whole: lines.length === total, meets: meetsPromise(req, transit), transit });
  }
  ranked.sort(compare);
  const maxShipments = Math.max(1, Math.min(req.maxShipments ?? MAX_SHIPMENTS_DEFAULT, MAX_SHIPMENTS_LIMIT));

  let chosen: Ranked[] = [];
  let perLine: number[] = all.map(() => -1); // index into `chosen`
  let search: RouteDecision['search'] = 'none';
  if (ranked[0]?.whole) {
    chosen = [ranked[0]];
    perLine = all.map(() => 0);
    search = 'single';
  } else {
    // Split: only locations that can take at least one line are worth a shipment.
    const takers = ranked.filter((r) => r.lines.length > 0);
    // Lines each location could take alone: a line ships only where it fits alone, so the union
    // over a set bounds what the set can cover and skips most sets without assigning lines.
    const aloneAll = independent ? takers.map((r) => r.lines) : takers.map((r) => all.filter((i) => fitsAlone(req, req.lines[i]!, r.c.id)));
    const coverable = new Set(aloneAll.flat());
    const wanted = all.filter((i) => coverable.has(i));
    const masked = wanted.length <= MASK_LINES_MAX;
    const bit = new Map(wanted.map((i, j) => [i, 2 ** j]));
    const maskAll = takers.map((_, u) => (masked ? aloneAll[u]!.reduce((m, i) => m | bit.get(i)!, 0) : 0));
    // With independent lines a location whose lines a better-ranked one also takes is never
    // needed: swapping it for that one covers as much with a better-ranked set. Dropping such
    // locations leaves few sets to try (with 5 lines, at most 10 locations are left).
    const keep = takers.map((_, u) => !(independent && masked && maskAll.some((m, v) => v < u && (maskAll[u]! & ~m) === 0)));
    const useful = takers.filter((_, u) => keep[u]);
    const maskOf = maskAll.filter((_, u) => keep[u]);
    const kMax = Math.min(maxShipments, useful.length);
    const masks = new Map(useful.map((r, u) => [r, maskOf[u]!]));
    let best: { set: Ranked[]; perLine: number[]; covered: number } | null = null;
    const consider = (set: Ranked[]) => {
      if (masked) {
        let union = 0;
        for (const r of set) union |= masks.get(r)!;
        if (best && popcount(union) <= (best as { covered: number }).covered) return false;
      }
      const a = assign(req, wanted, set.map((r) => r.c), independent);
      const covered = a.filter((x) => x >= 0).length;
      if (!best || covered > best.covered || (covered === best.covered && set.length < best.set.length)) {
        const full = all.map(() => -1);
        wanted.forEach((i, j) => (full[i] = a[j]!));
        best = { set, perLine: full, covered };
      }
      return covered === wanted.length;
    };
    // Exact: every set of k locations, k = 1, 2, …, in rank order, while the sets tried stay
    // within the bound; the first set that covers every coverable line is the answer.
    let tried = 0;
    let done = wanted.length === 0;
    let k = 1;
    if (!done) search = 'exact';
    for (; !done && k <= kMax; k++) {
      const sets = choose(useful.length, k, SPLIT_SUBSETS_MAX);
      if (tried + sets > SPLIT_SUBSETS_MAX) break;
      tried += sets;
      done = subsets(useful.length, k, (idx) => {
        if (masked && best) {
          // Screen the set on its masks before building it: most sets cannot beat the best.
          let union = 0;
          for (const u of idx) union |= maskOf[u]!;
          if (popcount(union) <= (best as { covered: number }).covered) return false;
        }
        return consider(idx.map((i) => useful[i]!));
      });
    }
    if (!done && k <= kMax) {
      // Beyond the bound, greedy set cover: add the location that takes the most uncovered
      // lines (ties by rank) until all are covered or the shipments run out.
      search = 'greedy';
      const set: Ranked[] = [];
      let gained = 0;
      while (set.length < kMax) {
        let pick: Ranked | null = null;
        let gain = gained;
        for (const r of useful) {
          if (set.includes(r)) continue;
          const covered = assign(req, wanted, [...set, r].sort(compare).map((t) => t.c), independent).filter((x) => x >= 0).length;
          if (covered > gain) {
            gain = covered;
            pick = r;
          }
        }
        if (!pick) break;
        set.push(pick);
        gained = gain;
        if (consider([...set].sort(compare))) break;
      }
    }
    if (best) {
      const b = best as { set: Ranked[]; perLine: number[] };
      // Keep only locations that ship something (a first-fit assignment may leave one idle).
      const used = b.set.filter((_, j) => b.perLine.includes(j));
      chosen = used;
      perLine = b.perLine.map((j) => (j < 0 ? -1 : used.indexOf(b.set[j]!)));
    }
  }

  const shipments: RouteShipment[] = chosen.map((r, j) => ({ location: r.c.code, lines: all.filter((i) => perLine[i] === j), transit_days: r.transit }));
  // Nothing eligible: a pickup order still belongs to its store; any other to the first candidate (as first fit did).
  const fallback = chosen[0]?.c.code ?? ranked[0]?.c.code ?? (req.serviceLevel === 'pickup' ? pickupFallback(req) : (req.candidates[0]?.code ?? null));
  const short = all.filter((i) => perLine[i]! < 0).map((line) => ({ line, location: fallback }));
  const split = shipments.length > 1;
  const transits = chosen.map((r) => r.transit);
  const transit = transits.length === 0 || transits.includes(null) ? null : Math.max(...(transits as number[]));
  const wholeTransits = ranked.filter((r) => r.whole && r.transit !== null).map((r) => r.transit!);
  const best_transit_days = wholeTransits.length > 0 ? Math.min(...wholeTransits) : transit;
  const promiseDays = req.promiseDays ?? null;

  const winner = chosen[0];
  for (const r of ranked) {
    const j = chosen.indexOf(r);
    if (j >= 0) {
      const reasons = [split ? `ships ${plural(shipments[j]!.lines.length, 'line')} of ${total} (no single location covers the whole order)` : short.length > 0 ? `ships ${r.lines.length} of ${plural(total, 'line')}` : `ships the whole order`];
      if (req.serviceLevel !== 'pickup') reasons.push(promiseDays === null ? days(r.transit) : `${days(r.transit)} ${r.meets ? 'meets' : 'misses'} the ${promiseDays}-day promise`, km(r.c.distanceKm), `priority ${r.c.priority}, cost ${r.c.cost}`);
      else reasons.push('the pickup store');
      verdicts.set(r.c.code, { location: r.c.code, verdict: 'chosen', reasons });
      continue;
    }
    let reason: string;
    if (r.lines.length === 0) reason = `covers 0 of ${plural(total, 'line')}`;
    else if (!winner) reason = `covers ${r.lines.length} of ${plural(total, 'line')}`;
    else if (split || short.length > 0) reason = `covers ${r.lines.length} of ${plural(total, 'line')}; ${chosen.map((c) => c.c.code).join(' + ')} ${chosen.length === 1 ? 'covers' : 'cover'} more in fewer shipments or rank higher`;
    else reason = lostTo(req, r, winner, total);
    verdicts.set(r.c.code, { location: r.c.code, verdict: 'rejected', reasons: [reason] });
  }

  return {
    service_level: req.serviceLevel,
    promise_days: promiseDays,
    shipments,
    short,
    split,
    search,
    transit_days: transit,
    best_transit_days,
    promise_met: promiseDays === null ? null : shipments.length > 0 && short.length === 0 && transit !== null && transit <= promiseDays,
    candidates: req.candidates.map((c) => verdicts.get(c.code)!),
  };
}

/** A pickup order the store cannot take at all still belongs to the store, never elsewhere. */
function pickupFallback(req: RouteRequest): string | null {
  return req.candidates.some((c) => c.code === req.pickupLocation) ? req.pickupLocation! : null;
}

/**
 * The location of each line under a decision: its shipment's, or the oversell location of a
 * short line (null: no location may take it).
 */
export function lineLocations(d: RouteDecision, lineCount: number): (string | null)[] {
  const out: (string | null)[] = Array.from({ length: lineCount }, () => null);
  for (const s of d.shipments) for (const i of s.lines) out[i] = s.location;
  for (const s of d.short) out[s.line] = s.location;
  return out;
}
