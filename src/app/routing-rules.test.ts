// Routing through the ledger, on SQLite and PostgreSQL: the seed's Chicago pickup (warehouse 15,
// Chicago 8, Dallas 5), the route spec built from rules and postal codes, and a property over
// generated orders: an allocation never takes more than is available at the chosen location
// except as a flagged oversell of an order the channel already took, and splits only when needed.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import type { RouteSpec } from '../domain/commands.ts';
import type { RouteDecision } from '../domain/routing.ts';
import { createItem, createLocation } from './catalog.ts';
import { stockBySku } from './queries.ts';
import { putRules, routeSpecFor } from './routing-rules.ts';
import { Truestock } from './truestock.ts';

describe.each(STORE_KINDS)('routing through the ledger on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open(db.config);
  });
  afterAll(async () => {
    await ts.close();
    await db.drop();
  });

  /** WH (warehouse, New Jersey), CHI (pickup store that does not ship online), DAL (pickup store that ships), stock of A per location. */
  async function seed(stock: Record<string, number> = { WH: 15, CHI: 8, DAL: 5 }, skus = ['A']) {
    const f = await Fixture.create(ts, { skus, locations: [] });
    await ts.store.transaction(async (tx) => {
      const now = ts.clock.now();
      for (const l of [
        { code: 'WH', name: 'Warehouse', kind: 'warehouse' as const, postal_code: '07001', country: 'US' },
        { code: 'CHI', name: 'Chicago', kind: 'store' as const, postal_code: '60601', country: 'US', pickup: true, ships_online: false },
        { code: 'DAL', name: 'Dallas', kind: 'store' as const, postal_code: '75201', country: 'US', pickup: true, ships_online: true },
      ]) {
        const made = await createLocation(tx, f.workspaceId, l, now);
        if ('code' in made) throw new Error(made.detail);
      }
    });
    for (const sku of skus) for (const [code, q] of Object.entries(stock)) if (q > 0) await f.ok({ type: 'receive', sku, location: code, quantity: q });
    return f;
  }
  const spec = (f: Fixture, input: Parameters<typeof routeSpecFor>[2]) => ts.store.read((d) => routeSpecFor(d, f.workspaceId, input));
  const levels = async (f: Fixture, sku = 'A') => Object.fromEntries(((await ts.store.read((d) => stockBySku(d, f.workspaceId, sku)))!.locations as { location: string; available: number; committed: number; reserved: number; oversold: number }[]).map((l) => [l.location, l]));

  it('a pickup of 3 at Chicago takes Chicago only, and the decision comes back with the hold', async () => {
    const f = await seed();
    const route = await spec(f, { candidates: ['WH', 'DAL'], serviceLevel: 'pickup', pickupLocation: 'CHI', shipTo: null });
    const body = await f.ok({ type: 'reserve', lines: [{ sku: 'A', quantity: 3 }], route });
    expect(body.hold.lines).toMatchObject([{ location: 'CHI', quantity: 3, oversold: 0 }]);
    const decision = body.route as RouteDecision;
    expect(decision.shipments).toEqual([{ location: 'CHI', lines: [0], transit_days: 0 }]);
    expect(decision.candidates.find((c) => c.location === 'WH')!.reasons).toEqual(['not the pickup store (pickup at CHI)']);
    expect((await levels(f)).CHI).toMatchObject({ available: 5, reserved: 3 });
    expect((await levels(f)).WH).toMatchObject({ available: 15, reserved: 0 });
  });

  it('a pickup of 9 at Chicago is refused at checkout; a channel-accepted one is oversold at Chicago and raised, never taken from the warehouse', async () => {
    const f = await seed();
    const route = await spec(f, { candidates: ['WH', 'CHI', 'DAL'], serviceLevel: 'pickup', pickupLocation: 'CHI', shipTo: null });
    const refused = await f.exec({ type: 'reserve', lines: [{ sku: 'A', quantity: 9 }], route });
    expect(refused).toMatchObject({ ok: false, refusal: { code: 'insufficient_stock', field: 'lines[0].quantity' } });
    expect(!refused.ok && (refused.refusal.extra?.route as RouteDecision).short).toEqual([{ line: 0, location: 'CHI' }]);
    const staff = await f.exec({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 9 }], order_reference: 'S-1', channel_accepted: false, route });
    expect(staff).toMatchObject({ ok: false, refusal: { code: 'insufficient_stock' } });

    const body = await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 9 }], order_reference: 'O-9', channel_accepted: true, route });
    expect(body.hold.lines).toMatchObject([{ location: 'CHI', quantity: 9, oversold: 1 }]);
    const after = await levels(f);
    expect(after.CHI).toMatchObject({ available: 0, committed: 9, oversold: 1 });
    expect(after.WH).toMatchObject({ available: 15, committed: 0 });
    expect(after.DAL).toMatchObject({ available: 5, committed: 0 });
    const exceptions = await ts.store.read((d) => d.all<{ kind: string; quantity: number }>('SELECT kind, quantity FROM exceptions WHERE workspace_id = ?', [f.workspaceId]));
    expect(exceptions).toEqual([{ kind: 'oversold', quantity: 1 }]);
  });

  it('builds candidates from postal codes and rules: distance, transit bands, priority; a store that does not ship online never ships', async () => {
    const f = await seed({ WH: 15, CHI: 8, DAL: 5 });
    // To Chicago: WH (New Jersey) ~1,150 km, DAL ~1,290 km; CHI is nearest but does not ship online.
    const route = await spec(f, { candidates: ['WH', 'CHI', 'DAL'], serviceLevel: 'standard', shipTo: { postalCode: '60601', country: 'US' }, promiseDays: 3 });
    const wh = route.candidates.find((c) => c.code === 'WH')!;
    expect(wh.distance_km).toBeGreaterThan(1_100);
    expect(wh.transit_days).toBe(3);
    const body = await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 2 }], order_reference: 'O-1', route });
    const d = body.route as RouteDecision;
    expect(d.shipments.map((s) => s.location)).toEqual(['WH']);
    expect(d.promise_met).toBe(true);
    expect(d.candidates.find((c) => c.location === 'CHI')!.reasons).toEqual(['does not ship online']);
    expect(d.candidates.find((c) => c.location === 'DAL')!.reasons[0]).toMatch(/^1,2\d\d km, further than WH's 1,1\d\d km$/);

    // Rules: the warehouse cannot ship standard any more.
    const put = await ts.store.transaction((d2) => putRules(d2, f.workspaceId, { locations: { WH: { transit: { standard: null } } } }, ts.clock.now()));
    expect('status' in put && put.status).toBe(200);
    const again = await spec(f, { candidates: ['WH', 'CHI', 'DAL'], serviceLevel: 'standard', shipTo: { postalCode: '60601', country: 'US' }, promiseDays: 3 });
    const second = await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 2 }], order_reference: 'O-2', route: again });
    expect((second.route as RouteDecision).shipments.map((s) => s.location)).toEqual(['DAL']);
  });

  it('a retry with the same key after a rule change replays the first answer (the route is not part of the request)', async () => {
    const f = await seed();
    const route = await spec(f, { candidates: ['WH', 'DAL'], serviceLevel: 'standard', shipTo: { postalCode: '60601', country: 'US' } });
    const first = await f.exec({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 1 }], order_reference: 'R-1', route }, 'same-key');
    const changed: RouteSpec = { ...route, candidates: route.candidates.map((c) => ({ ...c, priority: c.code === 'DAL' ? 0 : 9, distance_km: null })) };
    const retry = await f.exec({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 1 }], order_reference: 'R-1', route: changed }, 'same-key');
    expect(retry).toMatchObject({ ok: true, replayed: true });
    expect(retry.ok && first.ok && retry.body).toEqual(first.ok && first.body);
  });

  it('property: never beyond available except a flagged oversell of an accepted order; split only when needed, into the fewest', async () => {
    const CODES = ['WH', 'CHI', 'DAL'];
    const SKUS = ['P', 'Q', 'R'];
    await fc.assert(fc.asyncProperty(
      fc.record({
        stock: fc.tuple(...SKUS.map(() => fc.tuple(fc.nat(4), fc.nat(4), fc.nat(4)))),
        lines: fc.subarray(SKUS, { minLength: 1 }).chain((skus) => fc.tuple(...skus.map((sku) => fc.record({ sku: fc.constant(sku), quantity: fc.integer({ min: 1, max: 4 }) })))),
        accepted: fc.boolean(),
      }),
      async ({ stock, lines, accepted }) => {
        const f = await Fixture.create(ts, { skus: SKUS, locations: CODES.map((c) => [c, 'warehouse'] as [string, 'warehouse']) });
        for (const [s, sku] of SKUS.entries()) for (const [l, code] of CODES.entries()) if (stock[s]![l]! > 0) await f.ok({ type: 'receive', sku, location: code, quantity: stock[s]![l]! });
        const have = (sku: string, code: string) => stock[SKUS.indexOf(sku)]![CODES.indexOf(code)]!;
        const route: RouteSpec = { service_level: 'standard', max_shipments: 3, candidates: CODES.map((code, i) => ({ code, distance_km: 100 * (i + 1), transit_days: 2, priority: 1, cost: 0 })) };
        const r = await f.exec({ type: 'allocate_order', lines, order_reference: 'P-1', channel_accepted: accepted, route });
        // Brute force: the fewest locations that together cover every line.
        let fewest: number | null = null;
        for (let mask = 1; mask < 8; mask++) {
          const set = CODES.filter((_, i) => mask & (1 << i));
          if (lines.every((l) => set.some((c) => have(l.sku, c) >= l.quantity))) fewest = Math.min(fewest ?? 9, set.length);
        }
        if (!r.ok) {
          expect(accepted).toBe(false);
          expect(fewest).toBeNull();
          return;
        }
        const hold = r.body.hold as { lines: { sku: string; location: string; quantity: number; oversold: number }[] };
        for (const l of hold.lines) {
          if (l.oversold > 0) expect(accepted).toBe(true);
          expect(l.quantity - l.oversold).toBeLessThanOrEqual(have(l.sku, l.location));
        }
        const d = r.body.route as RouteDecision;
        if (fewest !== null) {
          expect(d.shipments.length).toBe(fewest);
          expect(hold.lines.every((l) => l.oversold === 0)).toBe(true);
        }
        expect(new Set(hold.lines.map((l) => l.location)).size).toBeLessThanOrEqual(Math.max(1, d.shipments.length));
      },
    ), { numRuns: 12 });
  });
});
