// Routing's ranking and reasons on small, readable examples (the seed's Chicago pickup among them).

import { describe, expect, it } from 'vitest';
import { type RouteCandidate, type RouteLine, type RouteRequest, routeOrder } from './routing.ts';

const line = (sku: string, quantity: number): RouteLine => ({ label: sku, quantity, parts: [{ itemId: sku, perUnit: 1 }] });
const loc = (code: string, over: Partial<RouteCandidate> = {}): RouteCandidate => ({
  id: code, code, distanceKm: 500, transitDays: 2, priority: 1, cost: 1, shipsOnline: true, pickup: false, channelManaged: false, ...over,
});
/** `stock['A@WH'] = 5`. */
const request = (stock: Record<string, number>, over: Partial<RouteRequest>): RouteRequest => ({
  lines: [],
  serviceLevel: 'standard',
  candidates: [],
  free: (item, location) => stock[`${item}@${location}`] ?? 0,
  ...over,
});
const verdict = (d: ReturnType<typeof routeOrder>, code: string) => d.candidates.find((c) => c.location === code)!;

describe('routeOrder', () => {
  // Seed 002: warehouse 15, Chicago 8, Dallas 5.
  const seed = { 'A@WH': 15, 'A@CHI': 8, 'A@DAL': 5 };
  const stores = [loc('WH'), loc('CHI', { pickup: true, shipsOnline: false }), loc('DAL', { pickup: true })];

  it('a pickup of 3 at Chicago takes Chicago only; every other candidate is rejected with a reason', () => {
    const d = routeOrder(request(seed, { lines: [line('A', 3)], serviceLevel: 'pickup', pickupLocation: 'CHI', candidates: stores }));
    expect(d.shipments).toEqual([{ location: 'CHI', lines: [0], transit_days: 0 }]);
    expect(d.short).toEqual([]);
    expect(verdict(d, 'CHI').verdict).toBe('chosen');
    expect(verdict(d, 'WH')).toEqual({ location: 'WH', verdict: 'rejected', reasons: ['not the pickup store (pickup at CHI)'] });
    expect(verdict(d, 'DAL').reasons).toEqual(['not the pickup store (pickup at CHI)']);
  });

  it('a pickup of 9 at Chicago is short at Chicago, never taken from the warehouse', () => {
    const d = routeOrder(request(seed, { lines: [line('A', 9)], serviceLevel: 'pickup', pickupLocation: 'CHI', candidates: stores }));
    expect(d.shipments).toEqual([]);
    expect(d.short).toEqual([{ line: 0, location: 'CHI' }]);
    expect(verdict(d, 'CHI')).toMatchObject({ verdict: 'rejected', reasons: ['covers 0 of 1 line'] });
  });

  it('a store that is not a pickup store cannot be the pickup location', () => {
    const d = routeOrder(request(seed, { lines: [line('A', 1)], serviceLevel: 'pickup', pickupLocation: 'WH', candidates: stores }));
    expect(verdict(d, 'WH').reasons).toEqual(['not a pickup store']);
    expect(d.short).toEqual([{ line: 0, location: 'WH' }]);
  });

  it('a location that does not ship online never ships, and one without transit for the level cannot ship it', () => {
    const d = routeOrder(request(seed, { lines: [line('A', 2)], serviceLevel: 'next_day', candidates: [loc('CHI', { shipsOnline: false, pickup: true, distanceKm: 1 }), loc('WH', { transitDays: null }), loc('DAL', { transitDays: 1 })] }));
    expect(d.shipments.map((s) => s.location)).toEqual(['DAL']);
    expect(verdict(d, 'CHI').reasons).toEqual(['does not ship online']);
    expect(verdict(d, 'WH').reasons).toEqual(['cannot ship next-day']);
  });

  it('ranks the whole order first, then the promise, then distance, priority, cost and code — and says which key decided', () => {
    const stock = { 'A@FULL': 5, 'B@FULL': 5, 'A@PART': 5, 'A@SLOW': 5, 'B@SLOW': 5, 'A@FAR': 5, 'B@FAR': 5, 'A@PRIO': 5, 'B@PRIO': 5, 'A@COST': 5, 'B@COST': 5, 'A@CODE': 5, 'B@CODE': 5 };
    const base = { distanceKm: 310, transitDays: 2, priority: 1, cost: 1 };
    const d = routeOrder(request(stock, {
      lines: [line('A', 2), line('B', 2)],
      promiseDays: 2,
      candidates: [
        loc('PART', { ...base, distanceKm: 1 }),
        loc('SLOW', { ...base, distanceKm: 5, transitDays: 5 }),
        loc('FAR', { ...base, distanceKm: 1_204 }),
        loc('PRIO', { ...base, priority: 3 }),
        loc('COST', { ...base, cost: 4.5 }),
        loc('CODE', base),
        loc('FULL', base),
      ],
    }));
    expect(d.search).toBe('single');
    expect(d.shipments).toEqual([{ location: 'CODE', lines: [0, 1], transit_days: 2 }]);
    expect(d.promise_met).toBe(true);
    expect(verdict(d, 'PART').reasons).toEqual(['covers 1 of 2 lines']);
    expect(verdict(d, 'SLOW').reasons).toEqual(['transit 5 d misses the 2-day promise']);
    expect(verdict(d, 'FAR').reasons).toEqual(["1,204 km, further than CODE's 310 km"]);
    expect(verdict(d, 'PRIO').reasons).toEqual(["priority 3, after CODE's 1"]);
    expect(verdict(d, 'COST').reasons).toEqual(["cost 4.5, more than CODE's 1"]);
    expect(verdict(d, 'FULL').reasons).toEqual(['ties with CODE; CODE comes first by code']);
    expect(verdict(d, 'CODE').reasons[0]).toBe('ships the whole order');
  });

  it('unknown distance ranks after every known one', () => {
    const d = routeOrder(request({ 'A@X': 1, 'A@Y': 1 }, { lines: [line('A', 1)], candidates: [loc('X', { distanceKm: null }), loc('Y', { distanceKm: 3_000 })] }));
    expect(d.shipments[0]!.location).toBe('Y');
    expect(verdict(d, 'X').reasons).toEqual(["distance unknown; Y is 3,000 km"]);
  });

  it('when no location meets the promise, the order still routes and says the promise is missed with the best transit', () => {
    const d = routeOrder(request({ 'A@X': 1, 'A@Y': 1 }, { lines: [line('A', 1)], promiseDays: 1, candidates: [loc('X', { transitDays: 4, distanceKm: 100 }), loc('Y', { transitDays: 3, distanceKm: 900 })] }));
    expect(d.shipments[0]!.location).toBe('X');
    expect(d.promise_met).toBe(false);
    expect(d.best_transit_days).toBe(3);
  });

  it('splits only when no single location covers, into the fewest shipments', () => {
    const stock = { 'A@X': 1, 'B@Y': 1, 'C@Y': 1, 'A@Z': 1, 'C@Z': 1 };
    const d = routeOrder(request(stock, { lines: [line('A', 1), line('B', 1), line('C', 1)], candidates: [loc('X', { distanceKm: 1 }), loc('Y', { distanceKm: 2 }), loc('Z', { distanceKm: 3 })] }));
    expect(d.split).toBe(true);
    expect(d.search).toBe('exact');
    expect(d.shipments).toEqual([{ location: 'X', lines: [0], transit_days: 2 }, { location: 'Y', lines: [1, 2], transit_days: 2 }]);
    expect(verdict(d, 'Z')).toMatchObject({ verdict: 'rejected' });
    expect(verdict(d, 'Z').reasons[0]).toMatch(/^covers 2 of 3 lines/);
    expect(verdict(d, 'Y').reasons[0]).toBe('ships 2 lines of 3 (no single location covers the whole order)');
  });

  it('lines that take the same item share what a location has', () => {
    const d = routeOrder(request({ 'A@X': 3, 'A@Y': 2 }, { lines: [line('A', 2), line('A', 2)], candidates: [loc('X', { distanceKm: 1 }), loc('Y', { distanceKm: 2 })] }));
    expect(verdict(d, 'X').reasons[0]).toBe('ships 1 line of 2 (no single location covers the whole order)');
    expect(d.shipments).toEqual([{ location: 'X', lines: [0], transit_days: 2 }, { location: 'Y', lines: [1], transit_days: 2 }]);
  });

  it('respects max shipments: what the allowed shipments cannot cover is short', () => {
    const stock = { 'A@X': 1, 'B@Y': 1, 'C@Z': 1 };
    const d = routeOrder(request(stock, { lines: [line('A', 1), line('B', 1), line('C', 1)], maxShipments: 2, candidates: [loc('X'), loc('Y'), loc('Z')] }));
    expect(d.shipments.map((s) => s.location)).toEqual(['X', 'Y']);
    expect(d.short).toEqual([{ line: 2, location: 'X' }]);
  });

  it('a bundle line ships from one location that has every component', () => {
    const kit: RouteLine = { label: 'KIT', quantity: 2, parts: [{ itemId: 'A', perUnit: 1 }, { itemId: 'B', perUnit: 2 }] };
    const d = routeOrder(request({ 'A@X': 2, 'B@X': 3, 'A@Y': 2, 'B@Y': 4 }, { lines: [kit], candidates: [loc('X', { distanceKm: 1 }), loc('Y', { distanceKm: 9 })] }));
    expect(d.shipments).toEqual([{ location: 'Y', lines: [0], transit_days: 2 }]);
  });

  it('channel-managed locations ship only orders their channel fulfils', () => {
    const stock = { 'A@FBA': 5, 'A@WH': 5 };
    const cands = [loc('FBA', { channelManaged: true, distanceKm: 1 }), loc('WH', { distanceKm: 50 })];
    const mine = routeOrder(request(stock, { lines: [line('A', 1)], candidates: cands }));
    expect(mine.shipments[0]!.location).toBe('WH');
    expect(verdict(mine, 'FBA').reasons).toEqual(['channel-managed: ships only orders its channel fulfils']);
    const fba = routeOrder(request(stock, { lines: [line('A', 1)], candidates: cands, fulfilledByChannel: true }));
    expect(fba.shipments[0]!.location).toBe('FBA');
    expect(verdict(fba, 'WH').verdict).toBe('rejected');
  });

  it('beyond the exact bound the split is greedy and says so', () => {
    // 100 locations each holding one unit of S0 or S1, and lines that compete for S0: no location
    // can be set aside, and the 4,950 pairs exceed the bound.
    const stock: Record<string, number> = {};
    const cands = Array.from({ length: 100 }, (_, i) => {
      stock[`S${i % 2}@L${String(i).padStart(3, '0')}`] = 1;
      return loc(`L${String(i).padStart(3, '0')}`);
    });
    const d = routeOrder(request(stock, { lines: [line('S0', 1), line('S0', 1), line('S1', 1)], candidates: cands }));
    expect(d.search).toBe('greedy');
    expect(d.shipments).toEqual([{ location: 'L000', lines: [0], transit_days: 2 }, { location: 'L001', lines: [2], transit_days: 2 }, { location: 'L002', lines: [1], transit_days: 2 }]);
  });

  it('sets aside locations whose lines a better-ranked location also takes, and stays exact', () => {
    const stock: Record<string, number> = {};
    const cands = Array.from({ length: 100 }, (_, i) => {
      stock[`S${i % 2}@L${String(i).padStart(3, '0')}`] = 1;
      return loc(`L${String(i).padStart(3, '0')}`);
    });
    const d = routeOrder(request(stock, { lines: [line('S0', 1), line('S1', 1)], candidates: cands }));
    expect(d.search).toBe('exact');
    expect(d.shipments.map((s) => s.location)).toEqual(['L000', 'L001']);
  });
});
