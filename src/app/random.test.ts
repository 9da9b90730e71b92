import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { newId, useIdRandom } from './ids.ts';
import { randomString, randomUuid, seededRandom } from './random.ts';

describe('seededRandom', () => {
  it('property: the same seed gives the same stream, in [0, 1)', () => {
    fc.assert(fc.property(fc.integer(), (seed) => {
      const a = seededRandom(seed);
      const b = seededRandom(seed);
      for (let i = 0; i < 20; i++) {
        const x = a();
        expect(x).toBe(b());
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThan(1);
      }
    }));
  });

  it('different seeds give different streams, spread over the range', () => {
    const a = Array.from({ length: 8 }, seededRandom(1));
    const b = Array.from({ length: 8 }, seededRandom(2));
    expect(a).not.toEqual(b);
    const r = seededRandom(0);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[Math.floor(r() * 10)]++;
    for (const n of buckets) expect(n).toBeGreaterThan(800);
  });

  it('randomUuid is a version-4 UUID, the same from the same seed', () => {
    const id = randomUuid(seededRandom(3));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(randomUuid(seededRandom(3))).toBe(id);
    expect(randomUuid(seededRandom(4))).not.toBe(id);
  });

  it('randomString draws from the alphabet', () => {
    expect(randomString(seededRandom(7), 12)).toMatch(/^[0-9a-z]{12}$/);
    expect(randomString(seededRandom(7), 12)).toBe(randomString(seededRandom(7), 12));
  });
});

describe('ids from a seeded source', () => {
  afterEach(() => useIdRandom(null));

  it('repeat with the seed, differ without it, keep their shape', () => {
    const at = Date.UTC(2026, 0, 1);
    useIdRandom(seededRandom(42));
    const first = [newId('mov', at), newId('hold', at + 1)];
    useIdRandom(seededRandom(42));
    expect([newId('mov', at), newId('hold', at + 1)]).toEqual(first);
    useIdRandom(seededRandom(43));
    expect(newId('mov', at)).not.toBe(first[0]);
    useIdRandom(null);
    expect(newId('mov', at)).not.toBe(first[0]);
    for (const id of first) expect(id).toMatch(/^(mov|hold)_[0-9a-hjkmnp-tv-z]{26}$/);
  });
});
