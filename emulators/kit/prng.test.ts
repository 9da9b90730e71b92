import { describe, expect, it } from 'vitest';
import { randomUuid, seededRandom } from './prng.ts';

describe('seeded randomness', () => {
  it('replays from a seed, and another seed gives other numbers', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(7).every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws version-4-shaped UUIDs that replay from the seed', () => {
    const id = randomUuid(seededRandom(3));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(randomUuid(seededRandom(3))).toBe(id);
    expect(randomUuid(seededRandom(4))).not.toBe(id);
  });
});
