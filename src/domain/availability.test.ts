// Examples for every rule of the channel-availability engine (docs/availability.md), including
// seed 002's 60 % wholesale / 40 % direct split, seed 004's promotion window, the "below 10 units
// the webstore gets 0 and Amazon keeps the rest" pair, nested kits and the per-location-first
// counterexample.

import { describe, expect, it } from 'vitest';
import {
  adaptiveBufferUnits,
  availabilityForListing,
  computeAvailability,
  decayedVelocity,
  inverseNormal,
  poissonQuantile,
  poissonQuantileExact,
  poissonQuantileNormal,
  POISSON_EXACT_LAMBDA_MAX,
  poolUnits,
} from './availability.ts';
import type { ChannelRule, DemandFacts, ItemFacts, LevelFacts, ResolvedRule, RuleSettings } from './availability-model.ts';
import { nextRuleChange, resolveRule, validateRule, validateRuleSettings } from './channel-rules.ts';

const lv = (location: string, available: number, more: Partial<LevelFacts> = {}): LevelFacts => ({
  location,
  kind: 'warehouse',
  ships_online: true,
  available,
  ring_fenced: 0,
  incoming_soon: 0,
  ...more,
});
const std = (sku: string, levels: LevelFacts[]): ItemFacts => ({ sku, kind: 'standard', levels, components: [] });
const kit = (sku: string, components: [ItemFacts, number][], kind: 'bundle' | 'multipack' = 'bundle'): ItemFacts => ({
  sku,
  kind,
  levels: [],
  components: components.map(([item, quantity]) => ({ item, quantity })),
});
const rule = (over: Partial<ResolvedRule> = {}): ResolvedRule => ({
  locations: {},
  allocation: { mode: 'shared' },
  buffer: { mode: 'none' },
  cap_units: null,
  zero_below_units: null,
  backorder_days: null,
  applied: [],
  ...over,
});
const NO_DEMAND: DemandFacts = { others_units_per_hour: 0, inbound_lag_seconds: 0, outbound_lag_seconds: 0 };
const compute = (item: ItemFacts, over: Partial<ResolvedRule> = {}, demand = NO_DEMAND) => computeAvailability(item, rule(over), demand);
const qty = (item: ItemFacts, over: Partial<ResolvedRule> = {}, demand = NO_DEMAND) => compute(item, over, demand).quantity;

let ruleSeq = 0;
const channelRule = (settings: RuleSettings, more: Partial<ChannelRule> = {}): ChannelRule => ({
  id: `r${String(++ruleSeq).padStart(3, '0')}`,
  channel_id: 'ch',
  skus: null,
  starts_at: null,
  ends_at: null,
  below_units: null,
  settings,
  ...more,
});

describe('resolveRule', () => {
  it('without rules: every location that ships online, shared, no buffer, no cap, no threshold, no backorder', () => {
    expect(resolveRule([], 'X', 0, 0)).toEqual({
      locations: {},
      allocation: { mode: 'shared' },
      buffer: { mode: 'none' },
      cap_units: null,
      zero_below_units: null,
      backorder_days: null,
      applied: [],
    });
  });

  it('overrides field by field: default < item < windowed channel-wide < windowed item < below_units', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    const win = { starts_at: '2025-06-01T00:00:00Z', ends_at: '2025-06-02T00:00:00Z' };
    const def = channelRule({ buffer: { mode: 'fixed', units: 1 }, cap_units: 100, zero_below_units: 1, backorder_days: 7 }, { id: 'def' });
    const item = channelRule({ buffer: { mode: 'fixed', units: 2 }, cap_units: 50 }, { id: 'item', skus: ['X'] });
    const promo = channelRule({ buffer: { mode: 'fixed', units: 3 }, zero_below_units: 3 }, { id: 'promo', ...win });
    const promoItem = channelRule({ buffer: { mode: 'fixed', units: 4 } }, { id: 'promoItem', skus: ['X'], ...win });
    const valve = channelRule({ cap_units: 0 }, { id: 'valve', below_units: 10 });
    const other = channelRule({ buffer: { mode: 'fixed', units: 99 } }, { id: 'other', skus: ['Y'] });
    // Passed most-specific first: the order given must not matter.
    const r = resolveRule([valve, promoItem, promo, item, def, other], 'X', now, 5);
    expect(r.applied).toEqual(['def', 'item', 'promo', 'promoItem', 'valve']);
    expect(r.buffer).toEqual({ mode: 'fixed', units: 4 }); // windowed item rule
    expect(r.zero_below_units).toBe(3); // windowed channel-wide
    expect(r.cap_units).toBe(0); // below_units rule wins over everything
    expect(r.backorder_days).toBe(7); // only the default sets it
    // Pool at 10: the valve is off (strictly below), the item rule's cap shows.
    expect(resolveRule([valve, promoItem, promo, item, def], 'X', now, 10).cap_units).toBe(50);
    // Another SKU sees neither item rule.
    expect(resolveRule([valve, promoItem, promo, item, def, other], 'Z', now, 50).buffer).toEqual({ mode: 'fixed', units: 3 });
  });

  it('an explicit null clears a field set by a less specific rule (a promotion lifts a cap)', () => {
    const def = channelRule({ cap_units: 5 });
    const promo = channelRule({ cap_units: null }, { starts_at: '2025-01-01T00:00:00Z', ends_at: '2025-01-02T00:00:00Z' });
    expect(resolveRule([def, promo], 'X', Date.parse('2025-01-01T10:00:00Z'), 0).cap_units).toBeNull();
    expect(resolveRule([def, promo], 'X', Date.parse('2025-01-02T10:00:00Z'), 0).cap_units).toBe(5);
  });

  it('a later-starting window wins inside its tier (a flash sale inside a longer promotion)', () => {
    const long = channelRule({ cap_units: 10 }, { id: 'z-long', starts_at: '2025-01-01T00:00:00Z', ends_at: '2025-01-31T00:00:00Z' });
    const flash = channelRule({ cap_units: 3 }, { id: 'a-flash', starts_at: '2025-01-10T00:00:00Z', ends_at: '2025-01-11T00:00:00Z' });
    expect(resolveRule([flash, long], 'X', Date.parse('2025-01-10T12:00:00Z'), 0).cap_units).toBe(3);
    expect(resolveRule([flash, long], 'X', Date.parse('2025-01-12T12:00:00Z'), 0).cap_units).toBe(10);
  });

  it('a window is open from starts_at (inclusive) to ends_at (exclusive); either side may be open', () => {
    const r = channelRule({ cap_units: 1 }, { starts_at: '2025-01-01T00:00:00Z', ends_at: '2025-01-02T00:00:00Z' });
    const t = Date.parse('2025-01-01T00:00:00Z');
    expect(resolveRule([r], 'X', t - 1, 0).cap_units).toBeNull();
    expect(resolveRule([r], 'X', t, 0).cap_units).toBe(1);
    expect(resolveRule([r], 'X', t + 86_400_000 - 1, 0).cap_units).toBe(1);
    expect(resolveRule([r], 'X', t + 86_400_000, 0).cap_units).toBeNull();
    const from = channelRule({ cap_units: 2 }, { starts_at: '2025-01-01T00:00:00Z' });
    expect(resolveRule([from], 'X', t - 1, 0).cap_units).toBeNull();
    expect(resolveRule([from], 'X', t + 1e12, 0).cap_units).toBe(2);
  });

  it('two below_units rules: the lower threshold (the worse shortage) wins', () => {
    const below10 = channelRule({ cap_units: 5, buffer: { mode: 'fixed', units: 1 } }, { id: 'b10', below_units: 10 });
    const below3 = channelRule({ cap_units: 0 }, { id: 'b3', below_units: 3 });
    expect(resolveRule([below3, below10], 'X', 0, 2)).toMatchObject({ cap_units: 0, buffer: { mode: 'fixed', units: 1 }, applied: ['b10', 'b3'] });
    expect(resolveRule([below3, below10], 'X', 0, 5)).toMatchObject({ cap_units: 5, applied: ['b10'] });
  });

  it('resolves in two passes: the below_units test measures the pool over the locations of the first pass', () => {
    const item = std('X', [lv('W1', 5), lv('W2', 100)]);
    const def = channelRule({ locations: { codes: ['W1'] } }, { id: 'def' });
    // The valve also moves the channel to W2: that must not change the pool its own test sees.
    const valve = channelRule({ locations: { codes: ['W2'] }, cap_units: 1 }, { id: 'valve', below_units: 10 });
    const seen: unknown[] = [];
    const r = resolveRule([def, valve], 'X', 0, (scope) => {
      seen.push(scope);
      return poolUnits(item, scope);
    });
    expect(seen).toEqual([{ codes: ['W1'] }]);
    expect(r).toMatchObject({ locations: { codes: ['W2'] }, cap_units: 1, applied: ['def', 'valve'] });
    const { availability } = availabilityForListing([def, valve], item, 0, NO_DEMAND);
    expect(availability.quantity).toBe(1);
  });

  it('nextRuleChange: the next start or end strictly after a time', () => {
    const rules = [
      channelRule({}, { starts_at: '2025-01-10T00:00:00Z', ends_at: '2025-01-12T00:00:00Z' }),
      channelRule({}, { starts_at: '2025-01-11T00:00:00Z', ends_at: null }),
      channelRule({}),
    ];
    const t = (iso: string) => Date.parse(iso);
    expect(nextRuleChange(rules, t('2025-01-01T00:00:00Z'))).toBe(t('2025-01-10T00:00:00Z'));
    expect(nextRuleChange(rules, t('2025-01-10T00:00:00Z'))).toBe(t('2025-01-11T00:00:00Z'));
    expect(nextRuleChange(rules, t('2025-01-11T00:00:00Z'))).toBe(t('2025-01-12T00:00:00Z'));
    expect(nextRuleChange(rules, t('2025-01-12T00:00:00Z'))).toBeNull();
    expect(nextRuleChange([], 0)).toBeNull();
  });
});

describe('validateRule / validateRuleSettings', () => {
  it('accepts every valid setting', () => {
    expect(
      validateRule({
        skus: ['X'],
        starts_at: '2025-11-28T00:00:00+01:00',
        ends_at: '2025-12-02T00:00:00+01:00',
        below_units: 10,
        settings: {
          locations: { codes: ['W1'], kinds: ['3pl'] },
          allocation: { mode: 'share', percent: 33.33 },
          buffer: { mode: 'adaptive', confidence: 0.95, min_units: 1, max_units: 10 },
          cap_units: 100,
          zero_below_units: 2,
          backorder_days: 14,
        },
      }),
    ).toBeNull();
    expect(validateRule({ skus: null, settings: {} })).toBeNull();
    expect(validateRuleSettings({ allocation: { mode: 'ring_fenced', quantity: 0 }, buffer: { mode: 'percent', percent: 100 }, cap_units: null })).toBeNull();
  });

  const bad: [string, unknown, string][] = [
    ['settings not an object', { settings: [] }, 'settings'],
    ['unknown setting', { settings: { capp: 1 } }, 'settings.capp'],
    ['percent above 100', { settings: { allocation: { mode: 'share', percent: 101 } } }, 'settings.allocation.percent'],
    ['negative percent', { settings: { buffer: { mode: 'percent', percent: -1 } } }, 'settings.buffer.percent'],
    ['three decimals', { settings: { allocation: { mode: 'share', percent: 33.333 } } }, 'settings.allocation.percent'],
    ['unknown allocation', { settings: { allocation: { mode: 'all' } } }, 'settings.allocation.mode'],
    ['fractional fence', { settings: { allocation: { mode: 'ring_fenced', quantity: 1.5 } } }, 'settings.allocation.quantity'],
    ['extra allocation key', { settings: { allocation: { mode: 'shared', percent: 5 } } }, 'settings.allocation.percent'],
    ['negative buffer', { settings: { buffer: { mode: 'fixed', units: -2 } } }, 'settings.buffer.units'],
    ['confidence 1', { settings: { buffer: { mode: 'adaptive', confidence: 1, min_units: 0, max_units: 5 } } }, 'settings.buffer.confidence'],
    ['confidence 0', { settings: { buffer: { mode: 'adaptive', confidence: 0, min_units: 0, max_units: 5 } } }, 'settings.buffer.confidence'],
    ['min > max', { settings: { buffer: { mode: 'adaptive', confidence: 0.9, min_units: 6, max_units: 5 } } }, 'settings.buffer.min_units'],
    ['unknown buffer', { settings: { buffer: { mode: 'smart' } } }, 'settings.buffer.mode'],
    ['fractional cap', { settings: { cap_units: 2.5 } }, 'settings.cap_units'],
    ['negative zero-below', { settings: { zero_below_units: -1 } }, 'settings.zero_below_units'],
    ['backorder too long', { settings: { backorder_days: 400 } }, 'settings.backorder_days'],
    ['unknown location kind', { settings: { locations: { kinds: ['moon'] } } }, 'settings.locations.kinds[0]'],
    ['empty codes', { settings: { locations: { codes: [] } } }, 'settings.locations.codes'],
    ['blank code', { settings: { locations: { codes: ['W1', ''] } } }, 'settings.locations.codes[1]'],
    ['unknown locations key', { settings: { locations: { tags: ['x'] } } }, 'settings.locations.tags'],
    ['empty skus', { skus: [], settings: {} }, 'skus'],
    ['blank sku', { skus: ['A', 3], settings: {} }, 'skus[1]'],
    ['start after end', { starts_at: '2025-02-01T00:00:00Z', ends_at: '2025-01-01T00:00:00Z', settings: {} }, 'ends_at'],
    ['start equals end', { starts_at: '2025-01-01T00:00:00Z', ends_at: '2025-01-01T00:00:00Z', settings: {} }, 'ends_at'],
    ['time without offset', { starts_at: '2025-01-01T00:00:00', settings: {} }, 'starts_at'],
    ['not a time', { ends_at: 'friday', settings: {} }, 'ends_at'],
    ['below 0', { below_units: 0, settings: {} }, 'below_units'],
  ];
  it.each(bad)('refuses %s with validation_failed naming the field', (_name, input, field) => {
    const r = validateRule(input);
    expect(r).toMatchObject({ code: 'validation_failed', field });
    expect(r?.detail).toContain(field);
  });
});

describe('locations', () => {
  const item = std('X', [
    lv('W1', 5),
    lv('S1', 3, { kind: 'store', ships_online: false }),
    lv('F1', 7, { kind: 'channel_managed', ships_online: false }),
  ]);

  it('by default: every location that ships online', () => {
    const a = compute(item);
    expect(a.quantity).toBe(5);
    expect(a.steps[0]).toMatchObject({ step: 'locations', value: 5, detail: { locations: [{ location: 'W1', available: 5 }] } });
  });

  it('a list of codes, or kinds, or both (they add up)', () => {
    expect(qty(item, { locations: { codes: ['S1'] } })).toBe(3);
    expect(qty(item, { locations: { kinds: ['channel_managed'] } })).toBe(7); // FBA stock only on Amazon FBA
    expect(qty(item, { locations: { codes: ['W1'], kinds: ['store'] } })).toBe(8);
  });

  it('never negative when a level is overdrawn', () => {
    expect(qty(std('X', [lv('W1', -4), lv('W2', 3)]))).toBe(3);
  });
});

describe('allocation', () => {
  it("seed 002: wholesale 60 % / direct 40 %, rounded down so the two never exceed the pool", () => {
    const item = std('X', [lv('W1', 101)]);
    const wholesale = compute(item, { allocation: { mode: 'share', percent: 60 } });
    const direct = compute(item, { allocation: { mode: 'share', percent: 40 } });
    expect([wholesale.quantity, direct.quantity]).toEqual([60, 40]);
    expect(wholesale.steps.find((s) => s.step === 'allocation')?.why).toBe('60 % share of 101, rounded down: 60');
    for (let pool = 0; pool <= 300; pool++) {
      const one = std('X', [lv('W1', pool)]);
      expect(qty(one, { allocation: { mode: 'share', percent: 60 } }) + qty(one, { allocation: { mode: 'share', percent: 40 } })).toBeLessThanOrEqual(pool);
    }
  });

  it('ring-fenced: the channel sees exactly its reserved units, and nothing of the shared pool', () => {
    // 20 units fenced for Amazon are reserved: they are no longer available to anyone else.
    const forAmazon = std('X', [lv('W1', 30, { ring_fenced: 15 }), lv('W2', 10, { ring_fenced: 5 })]);
    const amazon = compute(forAmazon, { allocation: { mode: 'ring_fenced', quantity: 20 } });
    expect(amazon.quantity).toBe(20);
    expect(amazon.steps.find((s) => s.step === 'allocation')?.detail).toMatchObject({ mode: 'ring_fenced', quantity: 20, ring_fenced: 20, pool: 40 });
    // Fewer fenced than asked (stock was short): what is fenced. More fenced than asked: the quantity.
    expect(qty(std('X', [lv('W1', 30, { ring_fenced: 7 })]), { allocation: { mode: 'ring_fenced', quantity: 20 } })).toBe(7);
    expect(qty(std('X', [lv('W1', 0, { ring_fenced: 25 })]), { allocation: { mode: 'ring_fenced', quantity: 20 } })).toBe(20);
    // Only fences at the channel's eligible locations count.
    expect(qty(forAmazon, { locations: { codes: ['W2'] }, allocation: { mode: 'ring_fenced', quantity: 20 } })).toBe(5);
    // The webstore, on the shared pool, sees the 40 still available: 20 + 40 = 60 physical units, none counted twice.
    const forWebstore = std('X', [lv('W1', 30), lv('W2', 10)]);
    expect(qty(forWebstore)).toBe(40);
  });
});

describe('buffer', () => {
  const item = std('X', [lv('W1', 10)]);

  it('fixed units, never below 0', () => {
    expect(qty(item, { buffer: { mode: 'fixed', units: 2 } })).toBe(8);
    expect(qty(item, { buffer: { mode: 'fixed', units: 12 } })).toBe(0);
  });

  it('percent of the allocation, rounded up', () => {
    expect(qty(item, { buffer: { mode: 'percent', percent: 15 } })).toBe(8); // ceil(1.5) = 2
    expect(qty(item, { buffer: { mode: 'percent', percent: 10 } })).toBe(9);
  });

  it('adaptive: the worked example of the docs (12 units/h elsewhere, 120 s + 300 s lag, 95 %) is 4 units', () => {
    const demand: DemandFacts = { others_units_per_hour: 12, inbound_lag_seconds: 120, outbound_lag_seconds: 300 };
    const a = compute(item, { buffer: { mode: 'adaptive', confidence: 0.95, min_units: 1, max_units: 20 } }, demand);
    expect(a.quantity).toBe(6);
    const step = a.steps.find((s) => s.step === 'buffer');
    expect(step?.detail).toMatchObject({ units: 4, quantile: 4, lambda: expect.closeTo(1.4, 10) });
    expect(step?.why).toContain('Poisson 95 % quantile 4 of 12 units/h');
  });

  it('adaptive is bounded by min and max', () => {
    const quiet: DemandFacts = { others_units_per_hour: 0, inbound_lag_seconds: 60, outbound_lag_seconds: 60 };
    const busy: DemandFacts = { others_units_per_hour: 1_000, inbound_lag_seconds: 600, outbound_lag_seconds: 600 };
    const b = { mode: 'adaptive' as const, confidence: 0.99, min_units: 2, max_units: 5 };
    expect(adaptiveBufferUnits(b, quiet)).toBe(2);
    expect(adaptiveBufferUnits(b, busy)).toBe(5);
    expect(compute(item, { buffer: b }, busy).steps.find((s) => s.step === 'buffer')?.why).toContain('bounded to 2–5');
  });

  it('adaptive is 0 on a ring-fence: other channels cannot sell fenced units', () => {
    const fenced = std('X', [lv('W1', 0, { ring_fenced: 10 })]);
    const busy: DemandFacts = { others_units_per_hour: 100, inbound_lag_seconds: 600, outbound_lag_seconds: 600 };
    expect(qty(fenced, { allocation: { mode: 'ring_fenced', quantity: 10 }, buffer: { mode: 'adaptive', confidence: 0.95, min_units: 0, max_units: 50 } }, busy)).toBe(10);
    expect(qty(fenced, { allocation: { mode: 'ring_fenced', quantity: 10 }, buffer: { mode: 'fixed', units: 3 } }, busy)).toBe(7);
  });
});

describe('cap and zero-below', () => {
  const item = std('X', [lv('W1', 10)]);
  it('cap: show at most N', () => {
    expect(qty(item, { cap_units: 4 })).toBe(4);
    expect(qty(item, { cap_units: 40 })).toBe(10);
  });
  it('zero-below: show 0 when the number is below M', () => {
    expect(qty(item, { zero_below_units: 11 })).toBe(0);
    expect(qty(item, { zero_below_units: 10 })).toBe(10);
    expect(qty(item, { buffer: { mode: 'fixed', units: 8 }, zero_below_units: 3 })).toBe(0);
  });
});

describe('backorder', () => {
  it('adds incoming within the window, flagged, only where the channel allows it', () => {
    const item = std('X', [lv('W1', 5, { incoming_soon: 20 }), lv('S1', 0, { ships_online: false, incoming_soon: 50 })]);
    expect(compute(item)).toMatchObject({ quantity: 5, backorder_units: 0 });
    const a = compute(item, { backorder_days: 14 });
    expect(a).toMatchObject({ quantity: 25, backorder_units: 20 }); // S1 is not eligible
    expect(a.steps.find((s) => s.step === 'backorder')?.why).toBe('20 units incoming within 14 days; with them the steps above give 25, 20 of them backorder');
    // The cap limits the whole promise; the buffer is taken once.
    expect(compute(item, { backorder_days: 14, cap_units: 12 })).toMatchObject({ quantity: 12, backorder_units: 7 });
    expect(compute(item, { backorder_days: 14, buffer: { mode: 'fixed', units: 8 } })).toMatchObject({ quantity: 17, backorder_units: 17 });
    // A share applies to the whole promise, so two shares still add up to at most stock + incoming.
    expect(compute(item, { backorder_days: 14, allocation: { mode: 'share', percent: 40 } })).toMatchObject({ quantity: 10, backorder_units: 8 });
  });

  it('pre-order: nothing on hand, everything incoming', () => {
    expect(compute(std('X', [lv('W1', 0, { incoming_soon: 30 })]), { backorder_days: 30 })).toMatchObject({ quantity: 30, backorder_units: 30 });
  });

  it('not on a ring-fence (a fixed quantity of reserved units)', () => {
    const item = std('X', [lv('W1', 0, { ring_fenced: 4, incoming_soon: 30 })]);
    expect(compute(item, { backorder_days: 30, allocation: { mode: 'ring_fenced', quantity: 10 } })).toMatchObject({ quantity: 4, backorder_units: 0 });
  });

  it('bundles: kits buildable per location from available + incoming, minus the kits on hand', () => {
    const mug = std('MUG', [lv('W1', 4, { incoming_soon: 10 }), lv('W2', 6)]);
    const tee = std('TEE', [lv('W1', 10), lv('W2', 1, { incoming_soon: 5 })]);
    const set = kit('SET', [[mug, 2], [tee, 1]]);
    // On hand: W1 min(2, 10) = 2, W2 min(3, 1) = 1 → 3. With incoming: W1 min(7, 10) = 7, W2 min(3, 6) = 3 → 10.
    expect(compute(set, { backorder_days: 14 })).toMatchObject({ quantity: 10, backorder_units: 7 });
  });
});

describe('bundles, kits and multipacks', () => {
  it('per location first: two components at two different places make no kit', () => {
    const mug = std('MUG', [lv('W1', 2), lv('W2', 0)]);
    const tee = std('TEE', [lv('W1', 0), lv('W2', 2)]);
    const set = kit('SET', [[mug, 1], [tee, 1]]);
    // Summing first would say min(2, 2) = 2 kits; none can ship from one place.
    expect(qty(set)).toBe(0);
    const bundle = compute(set).steps.find((s) => s.step === 'bundle');
    expect(bundle?.detail?.per_location).toEqual([
      { location: 'W1', kits: 0, limiting: { sku: 'TEE', units: 0, per_kit: 1 } },
      { location: 'W2', kits: 0, limiting: { sku: 'MUG', units: 0, per_kit: 1 } },
    ]);
  });

  it('the minimum over components at each location, then summed, naming the limiting component', () => {
    const mug = std('MUG', [lv('W1', 9), lv('W2', 20)]);
    const tee = std('TEE', [lv('W1', 10), lv('W2', 8)]);
    const set = kit('SET', [[mug, 2], [tee, 1]]);
    const a = compute(set);
    expect(a.quantity).toBe(12); // W1 min(4, 10) + W2 min(10, 8)
    expect(a.steps.map((s) => s.step)).toEqual(['locations', 'bundle', 'allocation', 'buffer', 'cap', 'zero_below', 'backorder', 'result']);
    expect(a.steps[1]?.why).toBe('12 kits, built per location (the fewest any component allows there), then summed: W1 4 (limited by MUG: 9 ÷ 2), W2 8 (limited by TEE: 8 ÷ 1)');
  });

  it('a multipack is a bundle of one component: packs per location', () => {
    const can = std('CAN', [lv('W1', 5), lv('W2', 5)]);
    expect(qty(kit('SIX', [[can, 3]], 'multipack'))).toBe(2); // not ⌊10 / 3⌋ = 3
  });

  it('nested kits recurse per location', () => {
    const a = std('A', [lv('W1', 6), lv('W2', 1)]);
    const b = std('B', [lv('W1', 2), lv('W2', 9)]);
    const c = std('C', [lv('W1', 10), lv('W2', 10)]);
    const inner = kit('INNER', [[a, 1], [b, 1]]); // W1 2, W2 1
    const outer = kit('OUTER', [[inner, 2], [c, 3]]); // W1 min(1, 3) = 1, W2 min(0, 3) = 0
    expect(qty(inner)).toBe(3);
    expect(qty(outer)).toBe(1);
  });

  it('only eligible locations build kits; a bundle without components builds none', () => {
    const mug = std('MUG', [lv('W1', 3), lv('S1', 3, { kind: 'store', ships_online: false })]);
    expect(qty(kit('ONE', [[mug, 1]]))).toBe(3);
    expect(qty(kit('ONE', [[mug, 1]]), { locations: { kinds: ['store', 'warehouse'] } })).toBe(6);
    expect(qty(kit('EMPTY', []))).toBe(0);
  });

  it('selling a component lowers every bundle containing it; selling a bundle lowers its components', () => {
    const mugAt = (n: number) => std('MUG', [lv('W1', n)]);
    const tee = std('TEE', [lv('W1', 10)]);
    const bundles = (mug: ItemFacts) => [qty(kit('PAIR', [[mug, 2]], 'multipack')), qty(kit('SET', [[mug, 1], [tee, 1]]))];
    expect(bundles(mugAt(8))).toEqual([4, 8]);
    expect(bundles(mugAt(5))).toEqual([2, 5]); // three mugs sold on their own
    // One SET sold: MUG and TEE each lose a unit, and the other bundles follow.
    const mugAfter = mugAt(4);
    const teeAfter = std('TEE', [lv('W1', 9)]);
    expect([qty(mugAfter), qty(teeAfter), qty(kit('SET', [[mugAfter, 1], [teeAfter, 1]]))]).toEqual([4, 9, 4]);
  });
});

describe('seed scenarios with rules', () => {
  const T = (iso: string) => Date.parse(iso);
  // Friday 2025-11-28 00:00 to Monday 2025-12-01 23:59 (ends_at exclusive: Tuesday 00:00), Paris time.
  const window = { starts_at: '2025-11-28T00:00:00+01:00', ends_at: '2025-12-02T00:00:00+01:00' };
  const amazonRules = [
    channelRule({ allocation: { mode: 'share', percent: 50 }, buffer: { mode: 'fixed', units: 1 } }, { channel_id: 'amazon' }),
    // Seed 004: during the promotion, Amazon gets 100 % of SKU X.
    channelRule({ allocation: { mode: 'shared' }, buffer: { mode: 'none' } }, { channel_id: 'amazon', skus: ['X'], ...window }),
  ];
  const webstoreRules = [
    channelRule({ allocation: { mode: 'share', percent: 50 } }, { channel_id: 'web' }),
    // … the webstore keeps only a buffer of 2.
    channelRule({ allocation: { mode: 'shared' }, buffer: { mode: 'fixed', units: 2 } }, { channel_id: 'web', skus: ['X'], ...window }),
  ];
  const x = std('X', [lv('W1', 30)]);
  const y = std('Y', [lv('W1', 30)]);
  const show = (rules: ChannelRule[], item: ItemFacts, now: number) => availabilityForListing(rules, item, now, NO_DEMAND).availability.quantity;

  it('seed 004: Amazon gets 100 % of SKU X from Friday 00:00 to Monday 23:59; the webstore keeps a buffer of 2', () => {
    const before = T('2025-11-27T23:59:59.999+01:00');
    const friday = T('2025-11-28T00:00:00+01:00');
    const monday = T('2025-12-01T23:59:00+01:00');
    const after = T('2025-12-02T00:00:00+01:00');
    expect([show(amazonRules, x, before), show(webstoreRules, x, before)]).toEqual([14, 15]);
    expect([show(amazonRules, x, friday), show(webstoreRules, x, friday)]).toEqual([30, 28]);
    expect([show(amazonRules, x, monday), show(webstoreRules, x, monday)]).toEqual([30, 28]);
    expect([show(amazonRules, x, after), show(webstoreRules, x, after)]).toEqual([14, 15]);
    // Other SKUs keep the standing split during the promotion.
    expect([show(amazonRules, y, friday), show(webstoreRules, y, friday)]).toEqual([14, 15]);
    // The app schedules recomputes exactly when the window opens and closes.
    expect(nextRuleChange([...amazonRules, ...webstoreRules], before)).toBe(friday);
    expect(nextRuleChange([...amazonRules, ...webstoreRules], friday)).toBe(after);
    expect(nextRuleChange([...amazonRules, ...webstoreRules], after)).toBeNull();
  });

  it('below 10 units the webstore gets 0 and Amazon keeps the rest', () => {
    const webstore = [
      channelRule({ buffer: { mode: 'fixed', units: 1 } }, { channel_id: 'web' }),
      channelRule({ cap_units: 0 }, { channel_id: 'web', below_units: 10 }),
    ];
    const amazon = [channelRule({}, { channel_id: 'amazon' })];
    const at = (n: number) => std('X', [lv('W1', n)]);
    expect([show(webstore, at(10), 0), show(amazon, at(10), 0)]).toEqual([9, 10]);
    expect([show(webstore, at(9), 0), show(amazon, at(9), 0)]).toEqual([0, 9]);
    expect([show(webstore, at(0), 0), show(amazon, at(0), 0)]).toEqual([0, 0]);
    const explained = availabilityForListing(webstore, at(9), 0, NO_DEMAND).availability.steps.at(-1);
    expect(explained?.detail?.rules_applied).toEqual([webstore[0]!.id, webstore[1]!.id]);
  });
});

describe('explanation', () => {
  it('every step with its value; the last is the published number', () => {
    const item = std('X', [lv('W1', 12, { incoming_soon: 3 }), lv('W2', 8)]);
    const a = compute(item, { allocation: { mode: 'share', percent: 50 }, buffer: { mode: 'fixed', units: 1 }, cap_units: 8, zero_below_units: 2, backorder_days: 7 });
    expect(a.steps.map((s) => [s.step, s.value])).toEqual([
      ['locations', 20],
      ['allocation', 10],
      ['buffer', 9],
      ['cap', 8],
      ['zero_below', 8],
      ['backorder', 8],
      ['result', 8],
    ]);
    expect(a).toMatchObject({ quantity: 8, backorder_units: 0 });
    expect(a.steps[0]?.why).toBe('2 eligible locations (every location that ships online): W1 12, W2 8 available');
    for (const s of a.steps) expect(s.why.length).toBeGreaterThan(0);
  });

  it('explain: false gives the same numbers without steps', () => {
    const item = std('X', [lv('W1', 12, { incoming_soon: 3 })]);
    const r = rule({ backorder_days: 3, buffer: { mode: 'percent', percent: 10 } });
    const full = computeAvailability(item, r, NO_DEMAND);
    const bare = computeAvailability(item, r, NO_DEMAND, { explain: false });
    expect(bare).toEqual({ quantity: full.quantity, backorder_units: full.backorder_units, steps: [] });
  });
});

describe('Poisson quantile and velocity', () => {
  it('known quantiles', () => {
    expect(poissonQuantile(1, 0.95)).toBe(3); // P(X ≤ 2) = 0.920, P(X ≤ 3) = 0.981
    expect(poissonQuantile(10, 0.95)).toBe(15); // P(X ≤ 14) = 0.917, P(X ≤ 15) = 0.951
    expect(poissonQuantile(1.4, 0.95)).toBe(4);
    expect(poissonQuantile(0, 0.99)).toBe(0);
    expect(poissonQuantile(0.01, 0.5)).toBe(0);
    expect(() => poissonQuantile(1, 1)).toThrow(RangeError);
  });

  it('the normal approximation agrees with the exact sum around the threshold (within one unit)', () => {
    let exactSame = 0;
    let total = 0;
    for (let lambda = POISSON_EXACT_LAMBDA_MAX * 0.5; lambda <= POISSON_EXACT_LAMBDA_MAX * 1.4; lambda += 7.3) {
      for (const c of [0.5, 0.8, 0.9, 0.95, 0.99, 0.999]) {
        const exact = poissonQuantileExact(lambda, c);
        const approx = poissonQuantileNormal(lambda, c);
        expect(Math.abs(exact - approx)).toBeLessThanOrEqual(1);
        total++;
        if (exact === approx) exactSame++;
      }
    }
    expect(exactSame / total).toBeGreaterThan(0.9);
  });

  // Its speed is the availability benchmark's to measure (bench/), not a timed unit test's.
  it('λ = 10,000 is sensible', () => {
    const k = poissonQuantile(10_000, 0.95);
    expect(k).toBeGreaterThanOrEqual(10_164);
    expect(k).toBeLessThanOrEqual(10_166);
  });

  it('inverseNormal', () => {
    expect(inverseNormal(0.5)).toBeCloseTo(0, 9);
    expect(inverseNormal(0.95)).toBeCloseTo(1.6448536, 6);
    expect(inverseNormal(0.001)).toBeCloseTo(-3.0902323, 6);
  });

  it('decayed velocity: a steady rate comes back; a sale one half-life ago counts half', () => {
    const now = 1_000 * 3_600_000;
    const hourly = Array.from({ length: 24 * 30 }, (_, i) => ({ at: now - i * 3_600_000 - 1_800_000, units: 3 }));
    expect(decayedVelocity(hourly, now, 24)).toBeCloseTo(3, 1);
    const one = decayedVelocity([{ at: now, units: 10 }], now, 24);
    const old = decayedVelocity([{ at: now - 24 * 3_600_000, units: 10 }], now, 24);
    expect(old / one).toBeCloseTo(0.5, 12);
    expect(decayedVelocity([{ at: now + 60_000, units: 10 }], now, 24)).toBe(one); // clock skew: counts as now
    expect(decayedVelocity([], now, 24)).toBe(0);
    expect(() => decayedVelocity([], now, 0)).toThrow(RangeError);
  });
});
