import { describe, expect, it } from 'vitest';
import { lagWords } from './availability.ts';

describe('lags for people', () => {
  it('says seconds under two minutes, minutes (rounded up) under two hours, else hours', () => {
    expect(lagWords(4.2)).toBe('5 s');
    expect(lagWords(119)).toBe('119 s');
    expect(lagWords(120)).toBe('2 min');
    expect(lagWords(121)).toBe('3 min');
    expect(lagWords(7_200)).toBe('2 h');
  });
});
