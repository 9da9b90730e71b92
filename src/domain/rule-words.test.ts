import { describe, expect, it } from 'vitest';
import type { ChannelRule } from './availability-model.ts';
import { ruleNotInForce, ruleWords } from './rule-words.ts';

const rule = (over: Partial<ChannelRule>): ChannelRule => ({ id: 'r1', channel_id: 'c', skus: null, starts_at: null, ends_at: null, below_units: null, settings: {}, ...over });

describe('ruleWords', () => {
  it('says every setting a rule sets, and nothing it leaves alone', () => {
    expect(ruleWords(rule({ settings: { locations: { codes: ['WH-EAST'], kinds: ['store'] }, allocation: { mode: 'ring_fenced', quantity: 1 }, buffer: { mode: 'adaptive', confidence: 0.95, min_units: 1, max_units: 4 }, cap_units: null, zero_below_units: 3, backorder_days: 14 } })))
      .toBe('For every item: the channel sells from WH-EAST, every store; keeps 1 unit ring-fenced for itself; holds back what other channels may sell before it hears of it (95 % confidence, 1–4 units); lifts any cap; shows 0 when it would show fewer than 3 units; also promises incoming stock due within 14 days, as backorder.');
    expect(ruleWords(rule({}))).toBe('For every item: the channel keeps its defaults.');
  });

  it('names the items, the window and the shortage a rule waits for', () => {
    const skus = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
    expect(ruleWords(rule({ skus, starts_at: '2026-11-27T05:00:00.000Z', ends_at: '2026-11-30T08:30:00Z', below_units: 10, settings: { buffer: { mode: 'fixed', units: 2 } } })))
      .toBe('For A, B, C, D, E and 2 more, from 2026-11-27 05:00 UTC until 2026-11-30 08:30 UTC, while the pool is below 10 units: the channel holds back 2 units.');
  });
});

describe('ruleNotInForce', () => {
  const now = Date.parse('2026-11-28T00:00:00Z');
  it('says why a rule does not apply now, or null when it does', () => {
    expect(ruleNotInForce(rule({}), now, ['r1'])).toBeNull();
    expect(ruleNotInForce({ ...rule({}), active: false }, now, [])).toBe('removed');
    expect(ruleNotInForce(rule({ starts_at: '2026-12-01T00:00:00Z' }), now, [])).toBe('starts 2026-12-01 00:00 UTC');
    expect(ruleNotInForce(rule({ ends_at: '2026-11-27T00:00:00Z' }), now, [])).toBe('ended 2026-11-27 00:00 UTC');
    expect(ruleNotInForce(rule({ below_units: 10 }), now, [])).toBe('waits: the pool is not below 10 units');
    expect(ruleNotInForce(rule({ below_units: 10 }), now, ['r1'])).toBeNull();
  });
});
