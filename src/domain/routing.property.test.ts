// Properties of routeOrder on generated orders: it never places more than a location can give
// (what it cannot place is `short`), splits only when no single location covers the order and
// then into the fewest locations (checked against brute force), keeps pickup orders at their
// store, and decides the same way whatever the order of the candidates.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RouteCandidate, type RouteLine, type RouteRequest, routeOrder, SERVICE_LEVELS } from './routing.ts';

const CODES = ['A', 'B', 'C', 'D', 'E'];

// Lines take distinct items (a line may be a two-part bundle), so a line's fit at a location does
// not depend on the other lines: the exact cover is then well defined for the brute force.
const arbLines = fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 4 }), bundle: fc.boolean() }), { minLength: 1, maxLength: 4 }).map((ls) =>
  ls.map((l, i): RouteLine => ({
    label: `L${i}`,
    quantity: l.quantity,
    parts: l.bundle ? [{ itemId: `I${i}a`, perUnit: 1 }, { itemId: `I${i}b`, perUnit: 2 }] : [{ itemId: `I${i}a`, perUnit: 1 }],
  })));

const arbCandidate = (code: string) =>
  fc.record({
    distanceKm: fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: null }),
    transitDays: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null, freq: 6 }),
    priority: fc.integer({ min: 0, max: 2 }),
    cost: fc.integer({ min: 0, max: 2 }),
    shipsOnline: fc.constantFrom(true, true, true, false),
    pickup: fc.boolean(),
  }).map((c): RouteCandidate => ({ id: `id${code}`, code, channelManaged: false, ...c }));

const arbRequest = fc
  .record({
    lines: arbLines,
    codes: fc.shuffledSubarray(CODES, { minLength: 1 }),
    serviceLevel: fc.constantFrom(...SERVICE_LEVELS),
    promiseDays: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
    maxShipments: fc.integer({ min: 1, max: 5 }),
    stock: fc.dictionary(fc.constantFrom(...CODES.flatMap((c) => [0, 1, 2, 3].flatMap((i) => [`I${i}a@id${c}`, `I${i}b@id${c}`]))), fc.integer({ min: 0, max: 9 })),
    pickupIndex: fc.nat(4),
  })
  .chain((r) => fc.tuple(...r.codes.map(arbCandidate)).map((candidates) => ({ ...r, candidates })))
  .map((r): RouteRequest => ({
    lines: r.lines,
    serviceLevel: r.serviceLevel,
    promiseDays: r.promiseDays,
    maxShipments: r.maxShipments,
    pickupLocation: r.serviceLevel === 'pickup' ? r.codes[r.pickupIndex % r.codes.length]! : null,
    candidates: r.candidates,
    free: (item, loc) => r.stock[`${item}@${loc}`] ?? 0,
  }));

const eligible = (req: RouteRequest, c: RouteCandidate) =>
  req.serviceLevel === 'pickup' ? c.code === req.pickupLocation && c.pickup : c.shipsOnline && c.transitDays !== null;

const fits = (req: RouteRequest, line: RouteLine, c: RouteCandidate) => line.parts.every((p) => req.free(p.itemId, c.id) >= p.perUnit * line.quantity);

/** The fewest eligible locations that together cover every line, or null. */
function bruteForceCover(req: RouteRequest): number | null {
  const cands = req.candidates.filter((c) => eligible(req, c));
  for (let mask = 0, best: number | null = null; ; mask++) {
    if (mask >= 1 << cands.length) return best;
    const set = cands.filter((_, i) => mask & (1 << i));
    if (req.lines.every((l) => set.some((c) => fits(req, l, c)))) best = best === null ? set.length : Math.min(best, set.length);
  }
}

describe('routeOrder properties', () => {
  // The same orders with lines that compete for the same items (two lines of I0a, two of I1a…).
  const sharing = arbRequest.map((req): RouteRequest => ({ ...req, lines: req.lines.map((l, i) => ({ ...l, parts: l.parts.map((p) => ({ ...p, itemId: `I${i % 2}${p.itemId.slice(-1)}` })) })) }));

  it.each([['distinct items', arbRequest], ['shared items', sharing]] as const)('never places more than a location can give; the rest is short (%s)', (_, arb) => {
    fc.assert(fc.property(arb, (req) => {
      const d = routeOrder(req);
      const used = new Map<string, number>();
      for (const s of d.shipments) {
        const c = req.candidates.find((x) => x.code === s.location)!;
        for (const i of s.lines) for (const p of req.lines[i]!.parts) {
          const k = `${p.itemId}@${c.id}`;
          used.set(k, (used.get(k) ?? 0) + p.perUnit * req.lines[i]!.quantity);
          expect(used.get(k)!).toBeLessThanOrEqual(req.free(p.itemId, c.id));
        }
      }
      // Every line is either shipped exactly once or short.
      const placed = [...d.shipments.flatMap((s) => s.lines), ...d.short.map((s) => s.line)].sort();
      expect(placed).toEqual(req.lines.map((_, i) => i));
      expect(d.shipments.length).toBeLessThanOrEqual(req.maxShipments!);
    }), { numRuns: 500 });
  });

  it('splits only when no single location covers, and into the fewest locations', () => {
    fc.assert(fc.property(arbRequest, (req) => {
      const d = routeOrder(req);
      const fewest = bruteForceCover(req);
      expect(d.search === 'greedy').toBe(false); // five candidates are always within the bound
      if (fewest !== null && fewest <= req.maxShipments!) {
        expect(d.short).toEqual([]);
        expect(d.shipments.length).toBe(fewest);
        expect(d.split).toBe(fewest > 1);
      } else {
        expect(d.short.length > 0 || d.shipments.length === 0).toBe(true);
      }
      if (d.split) expect(req.candidates.some((c) => eligible(req, c) && req.lines.every((l) => fits(req, l, c)))).toBe(false);
    }), { numRuns: 500 });
  });

  it('a pickup order never places anywhere but its pickup store', () => {
    fc.assert(fc.property(arbRequest.filter((r) => r.serviceLevel === 'pickup'), (req) => {
      const d = routeOrder(req);
      for (const s of d.shipments) expect(s.location).toBe(req.pickupLocation);
      for (const s of d.short) expect(s.location).toBe(req.pickupLocation);
    }), { numRuns: 300 });
  });

  it('is deterministic, whatever the order of the candidates; every candidate gets a verdict and a reason', () => {
    fc.assert(fc.property(arbRequest, fc.integer(), (req, seed) => {
      const d = routeOrder(req);
      expect(routeOrder(req)).toEqual(d);
      const shuffled = [...req.candidates].sort((a, b) => ((a.code.charCodeAt(0) * seed) % 7) - ((b.code.charCodeAt(0) * seed) % 7));
      expect(routeOrder({ ...req, candidates: shuffled }).shipments).toEqual(d.shipments);
      expect(d.candidates.map((c) => c.location)).toEqual(req.candidates.map((c) => c.code));
      for (const c of d.candidates) expect(c.reasons.length).toBeGreaterThan(0);
      expect(d.candidates.filter((c) => c.verdict === 'chosen').map((c) => c.location).sort()).toEqual(d.shipments.map((s) => s.location).sort());
    }), { numRuns: 300 });
  });
});
