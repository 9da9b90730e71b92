import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conditionKey, DEBT_KINDS, EXCEPTION_KIND_REGISTRY, repayDebts } from './exception-kinds.ts';
import { EXCEPTION_KINDS } from './model.ts';

describe('exception kinds', () => {
  it('the registry names every kind once, and only oversold and count shortfalls carry debt', () => {
    expect(EXCEPTION_KIND_REGISTRY.map((k) => k.kind).sort()).toEqual([...EXCEPTION_KINDS].sort());
    expect([...DEBT_KINDS].sort()).toEqual(['count_shortfall', 'oversold']);
    expect(EXCEPTION_KIND_REGISTRY.find((k) => k.kind === 'channel_drift')).toMatchObject({ closesBy: 'converged' });
    expect(EXCEPTION_KIND_REGISTRY.find((k) => k.kind === 'channel_stale')).toMatchObject({ closesBy: 'recovered', severity: 'high' });
  });

  it('one condition per kind and subject: two orders oversold at one level are two conditions', () => {
    const a = { kind: 'oversold', itemId: 'i', locationId: 'l', holdId: 'hold_1', reference: 'A-1' };
    expect(conditionKey(a)).toBe(conditionKey({ ...a }));
    expect(conditionKey(a)).not.toBe(conditionKey({ ...a, holdId: 'hold_2' }));
    expect(conditionKey(a)).not.toBe(conditionKey({ ...a, kind: 'count_shortfall' }));
  });

  it('repays debts oldest first, never more than owed nor more than repaid', () => {
    expect(repayDebts([{ id: 'a', debt: 2 }, { id: 'b', debt: 3 }], 4)).toEqual([{ id: 'a', debt: 0 }, { id: 'b', debt: 1 }]);
    fc.assert(fc.property(fc.array(fc.nat({ max: 10 }), { maxLength: 8 }), fc.nat({ max: 60 }), (owed, units) => {
      const debts = owed.map((debt, i) => ({ id: String(i), debt }));
      const after = new Map(debts.map((d) => [d.id, d.debt]));
      for (const r of repayDebts(debts, units)) after.set(r.id, r.debt);
      const before = owed.reduce((s, d) => s + d, 0);
      const left = [...after.values()].reduce((s, d) => s + d, 0);
      expect(before - left).toBe(Math.min(before, units));
      for (const d of debts) expect(after.get(d.id)!).toBeGreaterThanOrEqual(0);
      // Oldest first: a debt is touched only once every older one is paid.
      const firstOpen = debts.findIndex((d) => after.get(d.id)! > 0);
      if (firstOpen >= 0) for (const d of debts.slice(firstOpen + 1)) expect(after.get(d.id)).toBe(d.debt);
    }));
  });
});
