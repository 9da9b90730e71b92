// Property tests of the channel-availability engine (docs/availability.md), checked against a
// small reference model written independently here:
//  - a published number never exceeds the stock it may draw on (except flagged backorder);
//  - it never rises when stock falls (monotone in every level's available, and ring-fence);
//  - a bundle never exceeds what any component allows;
//  - ring-fenced and shared never double-count a unit, and fenced units are never in another
//    channel's shared number;
//  - shares of 60/40 (or any p / 100 − p) never add up to more than the pool;
//  - resolving is deterministic (whatever the order of the rules) and the result is a whole
//    number ≥ 0; a rule set resolves the same from one rule change to the next.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeAvailability, poissonQuantile, POISSON_EXACT_LAMBDA_MAX, poissonQuantileExact, poissonQuantileNormal } from './availability.ts';
import type { ChannelRule, DemandFacts, ItemFacts, LevelFacts, LocationScope, ResolvedRule, RuleSettings } from './availability-model.ts';
import { nextRuleChange, resolveRule, validateRule } from './channel-rules.ts';
import type { LocationKind } from './model.ts';

const RUNS = { numRuns: 400 };

const SITES: { code: string; kind: LocationKind; ships: boolean }[] = [
  { code: 'W1', kind: 'warehouse', ships: true },
  { code: 'W2', kind: 'warehouse', ships: true },
  { code: 'S1', kind: 'store', ships: false },
  { code: 'F1', kind: 'channel_managed', ships: false },
  { code: 'D1', kind: '3pl', ships: true },
];
const CODES = SITES.map((s) => s.code);
const KINDS: LocationKind[] = ['warehouse', 'store', 'channel_managed', '3pl', 'dropship'];

// ---- arbitraries ----------------------------------------------------------------------------

const levelArb = (site: (typeof SITES)[number]): fc.Arbitrary<LevelFacts> =>
  fc.record({
    location: fc.constant(site.code),
    kind: fc.constant(site.kind),
    ships_online: fc.constant(site.ships),
    available: fc.integer({ min: -3, max: 40 }),
    ring_fenced: fc.integer({ min: 0, max: 12 }),
    incoming_soon: fc.integer({ min: 0, max: 20 }),
  });

const standardArb: fc.Arbitrary<ItemFacts> = fc
  .tuple(fc.string({ minLength: 1, maxLength: 3 }), ...SITES.map((s) => fc.option(levelArb(s), { nil: undefined })))
  .map(([sku, ...levels]) => ({ sku: `S-${sku}`, kind: 'standard', levels: levels.filter((l): l is LevelFacts => l !== undefined), components: [] }));

/** A kit's own levels: most kits hold none; one kept pre-built has built units on the shelf. */
const prebuiltArb: fc.Arbitrary<LevelFacts[]> = fc.oneof(
  { weight: 3, arbitrary: fc.constant([] as LevelFacts[]) },
  { weight: 1, arbitrary: fc.tuple(...SITES.map((s) => fc.option(levelArb(s).map((l) => ({ ...l, ring_fenced: 0 })), { nil: undefined }))).map((ls) => ls.filter((l): l is LevelFacts => l !== undefined)) },
);

const itemArb = (depth: number): fc.Arbitrary<ItemFacts> => {
  if (depth === 0) return standardArb;
  const sub = itemArb(depth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: standardArb },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.array(fc.record({ item: sub, quantity: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 4 }), prebuiltArb)
        .map(([components, levels]): ItemFacts => ({ sku: 'KIT', kind: 'bundle', levels, components })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ item: standardArb, quantity: fc.integer({ min: 2, max: 6 }) })
        .map((c): ItemFacts => ({ sku: 'PACK', kind: 'multipack', levels: [], components: [c] })),
    },
  );
};
const anyItem = itemArb(2);
const bundleArb = itemArb(2).filter((i) => i.kind !== 'standard');

const scopeArb: fc.Arbitrary<LocationScope> = fc.oneof(
  fc.constant({}),
  fc.record({ codes: fc.subarray(CODES, { minLength: 1 }) }),
  fc.record({ kinds: fc.subarray(KINDS, { minLength: 1 }) }),
  fc.record({ codes: fc.subarray(CODES, { minLength: 1 }), kinds: fc.subarray(KINDS, { minLength: 1 }) }),
);
// Percentages with at most two decimals, with the round ones (where x.5 rounding bites) often.
const percentArb = fc.oneof(fc.constantFrom(0, 12.5, 25, 33.33, 40, 50, 60, 66.67, 75, 100), fc.integer({ min: 0, max: 10_000 }).map((bp) => bp / 100));
const allocationArb: fc.Arbitrary<ResolvedRule['allocation']> = fc.oneof(
  fc.constant({ mode: 'shared' as const }),
  percentArb.map((percent) => ({ mode: 'share' as const, percent })),
  fc.integer({ min: 0, max: 50 }).map((quantity) => ({ mode: 'ring_fenced' as const, quantity })),
);
const unfencedAllocationArb = allocationArb.filter((a) => a.mode !== 'ring_fenced');
const bufferArb: fc.Arbitrary<ResolvedRule['buffer']> = fc.oneof(
  fc.constant({ mode: 'none' as const }),
  fc.integer({ min: 0, max: 10 }).map((units) => ({ mode: 'fixed' as const, units })),
  percentArb.map((percent) => ({ mode: 'percent' as const, percent })),
  fc
    .record({ confidence: fc.double({ min: 0.5, max: 0.999, noNaN: true }), min_units: fc.integer({ min: 0, max: 3 }), extra: fc.integer({ min: 0, max: 20 }) })
    .map(({ confidence, min_units, extra }) => ({ mode: 'adaptive' as const, confidence, min_units, max_units: min_units + extra })),
);
const nullable = (a: fc.Arbitrary<number>) => fc.option(a, { nil: null });
const ruleArb = (allocation = allocationArb): fc.Arbitrary<ResolvedRule> =>
  fc.record({
    locations: scopeArb,
    allocation,
    buffer: bufferArb,
    cap_units: nullable(fc.integer({ min: 0, max: 60 })),
    zero_below_units: nullable(fc.integer({ min: 0, max: 10 })),
    backorder_days: nullable(fc.integer({ min: 0, max: 30 })),
    applied: fc.constant([]),
  });
const demandArb: fc.Arbitrary<DemandFacts> = fc.record({
  others_units_per_hour: fc.double({ min: 0, max: 50, noNaN: true }),
  inbound_lag_seconds: fc.integer({ min: 0, max: 3_600 }),
  outbound_lag_seconds: fc.integer({ min: 0, max: 3_600 }),
});

// ---- the reference model --------------------------------------------------------------------

type Field = 'available' | 'ring_fenced' | 'with_incoming';
const unitsOf = (lv: LevelFacts, f: Field) =>
  f === 'available' ? Math.max(0, lv.available) : f === 'ring_fenced' ? lv.ring_fenced : Math.max(0, lv.available) + lv.incoming_soon;

function eligibleSite(scope: LocationScope, code: string): boolean {
  const site = SITES.find((s) => s.code === code)!;
  const byCode = (scope.codes ?? []).includes(code);
  const byKind = (scope.kinds ?? []).includes(site.kind);
  return !scope.codes?.length && !scope.kinds?.length ? site.ships : byCode || byKind;
}

/** Units of an item's own levels at one location (a kit's: its pre-built units). */
const ownAt = (item: ItemFacts, code: string, f: Field) => item.levels.filter((l) => l.location === code).reduce((s, l) => s + unitsOf(l, f), 0);

/** Units (or whole kits: pre-built plus buildable) of an item at one location. */
function at(item: ItemFacts, code: string, f: Field): number {
  if (item.kind === 'standard' || item.components.length === 0) return ownAt(item, code, f);
  return ownAt(item, code, f) + Math.min(...item.components.map((c) => Math.floor(at(c.item, code, f) / c.quantity)));
}

/** What the channel may draw on: per location first, then summed over eligible locations. */
const drawable = (item: ItemFacts, scope: LocationScope, f: Field) => CODES.filter((c) => eligibleSite(scope, c)).reduce((s, c) => s + at(item, c, f), 0);

/** Every leaf level, depth first, so a test can pick one and change it. */
function leafLevels(item: ItemFacts): LevelFacts[] {
  return [...item.levels, ...item.components.flatMap((c) => leafLevels(c.item))];
}

const clone = (item: ItemFacts): ItemFacts => structuredClone(item);

const onHand = (a: { quantity: number; backorder_units: number }) => a.quantity - a.backorder_units;

// ---- properties -----------------------------------------------------------------------------

describe('availability properties', () => {
  it('a published number never exceeds the stock it may draw on, except the flagged backorder', () => {
    fc.assert(
      fc.property(anyItem, ruleArb(), demandArb, (item, rule, demand) => {
        const a = computeAvailability(item, rule, demand);
        if (rule.allocation.mode === 'ring_fenced') {
          expect(a.backorder_units).toBe(0);
          expect(a.quantity).toBeLessThanOrEqual(Math.min(rule.allocation.quantity, drawable(item, rule.locations, 'ring_fenced')));
        } else {
          expect(onHand(a)).toBeLessThanOrEqual(drawable(item, rule.locations, 'available'));
          expect(a.quantity).toBeLessThanOrEqual(drawable(item, rule.locations, 'with_incoming'));
          if (rule.backorder_days === null) expect(a.backorder_units).toBe(0);
        }
        if (rule.cap_units !== null) expect(a.quantity).toBeLessThanOrEqual(rule.cap_units);
      }),
      RUNS,
    );
  });

  it('never rises when stock falls: lowering any level (available, ring-fence or incoming) never raises the number', () => {
    fc.assert(
      fc.property(anyItem, ruleArb(), demandArb, fc.nat(), fc.integer({ min: 1, max: 15 }), fc.constantFrom('available', 'ring_fenced', 'incoming_soon' as const), (item, rule, demand, pick, drop, field) => {
        const leaves = leafLevels(item);
        fc.pre(leaves.length > 0);
        const before = computeAvailability(item, rule, demand);
        const lower = clone(item);
        const level = leafLevels(lower)[pick % leaves.length]!;
        level[field] = field === 'available' ? level.available - drop : Math.max(0, level[field] - drop);
        const after = computeAvailability(lower, rule, demand);
        expect(after.quantity).toBeLessThanOrEqual(before.quantity);
        expect(onHand(after)).toBeLessThanOrEqual(onHand(before));
      }),
      RUNS,
    );
  });

  it('a bundle never exceeds what any component allows (beside the kits already built)', () => {
    fc.assert(
      fc.property(bundleArb, ruleArb(), demandArb, (item, rule, demand) => {
        const a = computeAvailability(item, rule, demand);
        const field: Field = rule.allocation.mode === 'ring_fenced' ? 'ring_fenced' : 'available';
        const built = (f: Field) => CODES.filter((code) => eligibleSite(rule.locations, code)).reduce((s, code) => s + ownAt(item, code, f), 0);
        for (const c of item.components) {
          expect(onHand(a)).toBeLessThanOrEqual(built(field) + Math.floor(drawable(c.item, rule.locations, field) / c.quantity));
          if (field === 'available') expect(a.quantity).toBeLessThanOrEqual(built('with_incoming') + Math.floor(drawable(c.item, rule.locations, 'with_incoming') / c.quantity));
        }
        // And it is exactly the per-location-first count when nothing else applies.
        const plain: ResolvedRule = { ...rule, allocation: { mode: 'shared' }, buffer: { mode: 'none' }, cap_units: null, zero_below_units: null, backorder_days: null };
        expect(computeAvailability(item, plain, demand).quantity).toBe(drawable(item, rule.locations, 'available'));
      }),
      RUNS,
    );
  });

  it('ring-fenced and shared never double-count a unit; fenced units are never in another channel’s shared number', () => {
    const physicalArb = fc.tuple(...SITES.map(() => fc.integer({ min: 0, max: 30 })));
    fc.assert(
      fc.property(
        physicalArb,
        scopeArb,
        fc.integer({ min: 0, max: 80 }),
        ruleArb(unfencedAllocationArb),
        ruleArb(),
        demandArb,
        (physical, fenceScope, fence, otherRule, fencedRuleBase, demand) => {
          // The app fences what it can at the fenced channel's locations: those units become reserved.
          let left = fence;
          const reserved = SITES.map((s, i) => {
            if (!eligibleSite(fenceScope, s.code)) return 0;
            const r = Math.min(physical[i]!, left);
            left -= r;
            return r;
          });
          const level = (i: number, ringFenced: number): LevelFacts => ({
            location: SITES[i]!.code,
            kind: SITES[i]!.kind,
            ships_online: SITES[i]!.ships,
            available: physical[i]! - reserved[i]!,
            ring_fenced: ringFenced,
            incoming_soon: 0,
          });
          const fencedView: ItemFacts = { sku: 'X', kind: 'standard', levels: SITES.map((_, i) => level(i, reserved[i]!)), components: [] };
          const otherView: ItemFacts = { sku: 'X', kind: 'standard', levels: SITES.map((_, i) => level(i, 0)), components: [] };
          const fencedRule: ResolvedRule = { ...fencedRuleBase, locations: fenceScope, allocation: { mode: 'ring_fenced', quantity: fence } };
          const mine = computeAvailability(fencedView, fencedRule, demand);
          const theirs = computeAvailability(otherView, otherRule, demand);
          const total = physical.reduce((s, x) => s + x, 0);
          const fencedUnits = reserved.reduce((s, x) => s + x, 0);
          expect(mine.quantity).toBeLessThanOrEqual(fencedUnits);
          expect(theirs.quantity).toBeLessThanOrEqual(total - fencedUnits);
          expect(mine.quantity + theirs.quantity).toBeLessThanOrEqual(total);
        },
      ),
      RUNS,
    );
  });

  it('share rounding never gives two channels with p % and (100 − p) % more than the pool (60/40 included)', () => {
    fc.assert(
      fc.property(anyItem, fc.oneof(fc.constant(60), percentArb), ruleArb(), demandArb, (item, p, base, demand) => {
        const shared = (percent: number): ResolvedRule => ({ ...base, allocation: { mode: 'share', percent } });
        const a = computeAvailability(item, shared(p), demand);
        const b = computeAvailability(item, shared(Math.round((100 - p) * 100) / 100), demand);
        expect(onHand(a) + onHand(b)).toBeLessThanOrEqual(drawable(item, base.locations, 'available'));
        expect(a.quantity + b.quantity).toBeLessThanOrEqual(drawable(item, base.locations, 'with_incoming'));
      }),
      RUNS,
    );
  });

  it('any number of shares adding up to at most 100 % never promise more than the pool together', () => {
    fc.assert(
      fc.property(anyItem, fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 2, maxLength: 5 }), ruleArb(), demandArb, (item, weights, base, demand) => {
        // Split 100 % (10,000 basis points) into shares by the weights, remainder to the last.
        const total = weights.reduce((s, w) => s + w, 0);
        const bps = weights.map((w) => Math.floor((w * 10_000) / total));
        bps[bps.length - 1]! += 10_000 - bps.reduce((s, b) => s + b, 0);
        const got = bps.map((bp) => onHand(computeAvailability(item, { ...base, allocation: { mode: 'share', percent: bp / 100 } }, demand)));
        expect(got.reduce((s, q) => s + q, 0)).toBeLessThanOrEqual(drawable(item, base.locations, 'available'));
      }),
      RUNS,
    );
  });

  it('the result is deterministic, whole and ≥ 0; explanation and numbers agree', () => {
    fc.assert(
      fc.property(anyItem, ruleArb(), demandArb, (item, rule, demand) => {
        const a = computeAvailability(item, rule, demand);
        expect(computeAvailability(clone(item), structuredClone(rule), demand)).toEqual(a);
        expect(Number.isSafeInteger(a.quantity) && a.quantity >= 0).toBe(true);
        expect(Number.isSafeInteger(a.backorder_units) && a.backorder_units >= 0 && a.backorder_units <= a.quantity).toBe(true);
        expect(a.steps.at(-1)).toMatchObject({ step: 'result', value: a.quantity });
        for (const s of a.steps) expect(Number.isSafeInteger(s.value) && s.value >= 0).toBe(true);
        const bare = computeAvailability(item, rule, demand, { explain: false });
        expect([bare.quantity, bare.backorder_units]).toEqual([a.quantity, a.backorder_units]);
      }),
      RUNS,
    );
  });
});

// ---- rules ----------------------------------------------------------------------------------

const TIMES = ['2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z', '2025-01-03T12:00:00Z', '2025-01-05T00:00:00Z'];
const settingsArb: fc.Arbitrary<RuleSettings> = fc.record(
  {
    locations: scopeArb,
    allocation: allocationArb,
    buffer: bufferArb,
    cap_units: nullable(fc.integer({ min: 0, max: 60 })),
    zero_below_units: nullable(fc.integer({ min: 0, max: 10 })),
    backorder_days: nullable(fc.integer({ min: 0, max: 30 })),
  },
  { requiredKeys: [] },
);
const windowArb = fc.oneof(
  fc.constant({ starts_at: null, ends_at: null }),
  fc.tuple(fc.nat(TIMES.length - 2), fc.integer({ min: 1, max: TIMES.length - 1 })).map(([i, d]) => ({
    starts_at: TIMES[i]!,
    ends_at: TIMES[Math.min(TIMES.length - 1, i + d)]!,
  })),
  fc.constantFrom(...TIMES).map((t) => ({ starts_at: t, ends_at: null })),
  fc.constantFrom(...TIMES).map((t) => ({ starts_at: null, ends_at: t })),
);
const channelRulesArb: fc.Arbitrary<ChannelRule[]> = fc
  .array(
    fc.record({
      skus: fc.option(fc.subarray(['X', 'Y'], { minLength: 1 }), { nil: null }),
      window: windowArb,
      below_units: nullable(fc.integer({ min: 1, max: 30 })),
      settings: settingsArb,
    }),
    { maxLength: 8 },
  )
  .map((rs) => rs.map((r, i) => ({ id: `r${i}`, channel_id: 'c', skus: r.skus, ...r.window, below_units: r.below_units, settings: r.settings })));
const timeArb = fc.integer({ min: Date.parse('2024-12-31T00:00:00Z'), max: Date.parse('2025-01-06T00:00:00Z') });

describe('rule resolution properties', () => {
  it('generated rules are valid, and resolving is deterministic whatever the order of the rules', () => {
    fc.assert(
      fc.property(channelRulesArb, timeArb, fc.integer({ min: 0, max: 40 }), fc.infiniteStream(fc.nat()), (rules, now, pool, seeds) => {
        for (const r of rules) expect(validateRule(r)).toBeNull();
        const r1 = resolveRule(rules, 'X', now, pool);
        const shuffled = rules.map((r) => [seeds.next().value, r] as const).sort((a, b) => a[0] - b[0]).map(([, r]) => r);
        expect(resolveRule(shuffled, 'X', now, pool)).toEqual(r1);
        expect(r1.applied.every((id) => rules.some((r) => r.id === id))).toBe(true);
      }),
      RUNS,
    );
  });

  it('nothing changes between one rule change and the next', () => {
    fc.assert(
      fc.property(channelRulesArb, timeArb, fc.integer({ min: 0, max: 40 }), (rules, after, pool) => {
        const next = nextRuleChange(rules, after);
        const end = next ?? after + 10 * 86_400_000;
        expect(end).toBeGreaterThan(after);
        // Every boundary is either at or before `after`, or at or after `next`.
        for (const r of rules) {
          for (const t of [r.starts_at, r.ends_at]) {
            if (t !== null) expect(Date.parse(t) <= after || Date.parse(t) >= end).toBe(true);
          }
        }
        expect(resolveRule(rules, 'X', end - 1, pool)).toEqual(resolveRule(rules, 'X', after, pool));
      }),
      RUNS,
    );
  });
});

describe('Poisson quantile properties', () => {
  const lnFactorial = (k: number) => {
    let s = 0;
    for (let i = 2; i <= k; i++) s += Math.log(i);
    return s;
  };
  const cdf = (lambda: number, k: number) => {
    let s = 0;
    for (let i = 0; i <= k; i++) s += Math.exp(i * Math.log(lambda) - lambda - lnFactorial(i));
    return s;
  };

  it('is the smallest k with P(X ≤ k) ≥ confidence', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 80, noNaN: true }), fc.double({ min: 0.01, max: 0.999, noNaN: true }), (lambda, c) => {
        const k = poissonQuantile(lambda, c);
        expect(cdf(lambda, k)).toBeGreaterThanOrEqual(c - 1e-12);
        if (k > 0) expect(cdf(lambda, k - 1)).toBeLessThan(c + 1e-12);
      }),
      RUNS,
    );
  });

  it('the normal approximation is within one unit of the exact sum around the threshold, and monotone in λ', () => {
    fc.assert(
      fc.property(
        fc.double({ min: POISSON_EXACT_LAMBDA_MAX * 0.6, max: POISSON_EXACT_LAMBDA_MAX * 1.4, noNaN: true }),
        fc.double({ min: 0.5, max: 0.9999, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (lambda, c, more) => {
          expect(Math.abs(poissonQuantileNormal(lambda, c) - poissonQuantileExact(lambda, c))).toBeLessThanOrEqual(1);
          expect(poissonQuantile(lambda + more, c)).toBeGreaterThanOrEqual(poissonQuantile(lambda, c));
        },
      ),
      RUNS,
    );
  });
});
