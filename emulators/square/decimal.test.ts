import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatQuantity, parseQuantity } from './decimal.ts';

describe('decimal quantities', () => {
  it('parses and formats Square decimal strings exactly', () => {
    expect(parseQuantity('53')).toBe(5_300_000n);
    expect(parseQuantity('2.5')).toBe(250_000n);
    expect(parseQuantity('0.00001')).toBe(1n);
    expect(formatQuantity(parseQuantity('-1.50')!)).toBe('-1.5');
    expect(formatQuantity(0n)).toBe('0');
  });

  it('refuses what is not a decimal string of at most 5 decimals', () => {
    for (const bad of ['', '1.', '.5', '1.000001', '1e3', ' 1', 'NaN', 5, null]) expect(parseQuantity(bad)).toBeNull();
  });

  it('round-trips every formatted quantity', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (u) => parseQuantity(formatQuantity(u)) === u));
  });
});

describe('quantities in', () => {
  it('takes items as numbers, decimal strings or units', async () => {
    const { quantityUnits, unitsOf } = await import('./decimal.ts');
    expect(unitsOf(3)).toBe(300_000n);
    expect(quantityUnits(3)).toBe(300_000n);
    expect(quantityUnits('0.5')).toBe(50_000n);
    expect(quantityUnits(7n)).toBe(7n);
    expect(quantityUnits(Number.NaN)).toBeNull();
    expect(quantityUnits(1e-7)).toBeNull();
  });
});
