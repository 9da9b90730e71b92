// The dashboard's rule form (web/src/rule-draft.ts): a rule loaded into the form and sent back
// unchanged is the rule it was — for every setting the engine accepts — so "Edit, then save"
// never changes a rule behind the user's back; refusals land beside the field they name.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateRule } from '../src/domain/channel-rules.ts';
import { draftOf, EMPTY, groupOf, inForce, ruleBody } from '../web/src/rule-draft.ts';

const MINUTE_MS = 60_000;
/** Whole minutes between 2020 and 2040: the form's time inputs hold minutes. */
const instant = fc.integer({ min: 26_000_000, max: 37_000_000 }).map((m) => new Date(m * MINUTE_MS).toISOString());
const units = fc.integer({ min: 0, max: 10_000 });
const percent = fc.integer({ min: 0, max: 10_000 }).map((bp) => bp / 100);
const orNull = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });

const settings = fc.record(
  {
    locations: fc.oneof(
      fc.record({ codes: fc.uniqueArray(fc.constantFrom('WH1', 'WH2', 'ST1'), { minLength: 1 }) }),
      fc.record({ kinds: fc.uniqueArray(fc.constantFrom('warehouse', 'store', '3pl', 'channel_managed', 'dropship'), { minLength: 1 }) }),
      fc.record({ codes: fc.constant<string[]>(['WH1']), kinds: fc.constant<string[]>(['store']) }),
    ),
    allocation: fc.oneof(fc.constant({ mode: 'shared' as const }), percent.map((p) => ({ mode: 'share' as const, percent: p })), units.map((q) => ({ mode: 'ring_fenced' as const, quantity: q }))),
    buffer: fc.oneof(
      fc.constant({ mode: 'none' as const }),
      units.map((u) => ({ mode: 'fixed' as const, units: u })),
      percent.map((p) => ({ mode: 'percent' as const, percent: p })),
      fc.tuple(fc.integer({ min: 1, max: 999 }), units, units).map(([c, a, b]) => ({ mode: 'adaptive' as const, confidence: c / 1000, min_units: Math.min(a, b), max_units: Math.max(a, b) })),
    ),
    cap_units: orNull(units),
    zero_below_units: orNull(units),
    backorder_days: orNull(fc.integer({ min: 0, max: 365 })),
  },
  { requiredKeys: [] },
);

const rule = fc.record({
  skus: orNull(fc.uniqueArray(fc.stringMatching(/^[A-Z0-9][A-Z0-9 /_-]{0,10}[A-Z0-9]$/), { minLength: 1, maxLength: 5 })),
  starts_at: orNull(instant),
  ends_at: orNull(instant),
  below_units: orNull(fc.integer({ min: 1, max: 10_000 })),
  settings,
});

describe('the rule form', () => {
  it('sends back, unchanged, every valid rule it was loaded with', () => {
    fc.assert(
      fc.property(rule, (r) => {
        fc.pre(validateRule(r) === null);
        const body = ruleBody(draftOf(r));
        expect(body).toEqual(r);
        expect(validateRule(body)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('leaves out what is not set, clears what is set to none, and sends bad numbers for the server to refuse', () => {
    expect(ruleBody(EMPTY)).toEqual({ skus: null, starts_at: null, ends_at: null, below_units: null, settings: {} });
    const cleared = ruleBody({ ...EMPTY, cap: 'none', zeroBelow: 'none', backorder: 'none' });
    expect(cleared.settings).toEqual({ cap_units: null, zero_below_units: null, backorder_days: null });
    const bad = ruleBody({ ...EMPTY, allocation: 'share', percent: '150', cap: 'set', capUnits: '' });
    expect(validateRule(bad)).toMatchObject({ code: 'validation_failed', field: 'settings.allocation.percent' });
    expect(validateRule({ ...bad, settings: { cap_units: (bad.settings as { cap_units: unknown }).cap_units } })).toMatchObject({ field: 'settings.cap_units' });
    expect(ruleBody({ ...EMPTY, skus: ' TEE M , MUG-1,,' }).skus).toEqual(['TEE M', 'MUG-1']);
  });

  it('places a refusal beside the control its field names', () => {
    expect(groupOf('settings.buffer.min_units')).toBe('buffer');
    expect(groupOf('settings.locations.codes[2]')).toBe('locations');
    expect(groupOf('settings.cap_units')).toBe('cap_units');
    expect(groupOf('skus[1]')).toBe('skus');
    expect(groupOf('ends_at')).toBe('ends_at');
    expect(groupOf('replaces')).toBeNull();
    expect(groupOf(undefined)).toBeNull();
  });

  it('says whether a rule is in force now, and why not', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    const base = { active: true, starts_at: null, ends_at: null, below_units: null };
    expect(inForce(base, now)).toEqual({ yes: true, text: 'yes' });
    expect(inForce({ ...base, active: false }, now)).toMatchObject({ yes: false, text: 'no: removed' });
    expect(inForce({ ...base, starts_at: '2026-11-28T00:00:00Z' }, now)).toMatchObject({ yes: false, text: expect.stringMatching(/^no: starts /) });
    expect(inForce({ ...base, ends_at: '2026-11-27T12:00:00Z' }, now)).toMatchObject({ yes: false, text: expect.stringMatching(/^no: ended /) });
    expect(inForce({ ...base, starts_at: '2026-11-27T12:00:00Z', ends_at: '2026-11-27T12:00:01Z' }, now)).toMatchObject({ yes: true });
    expect(inForce({ ...base, below_units: 10 }, now)).toEqual({ yes: true, text: 'while the pool is below 10 units' });
  });
});
