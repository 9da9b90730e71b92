// Push order when the budget is short (docs/sync.md §5). Properties: pushPriority is a total
// order (reflexive, antisymmetric, transitive, and the sorted result does not depend on the
// input order); a decrease to 0 never sorts after an increase; within a closeness band decreases
// come before increases. batches keeps order and respects the maximum.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batches, type Pending, pushPriority } from './push-order.ts';

const T0 = Date.UTC(2026, 0, 1);
const p = (listingId: string, quantity: number, shown: number | null, enqueuedAt = T0, attempts = 0): Pending => ({ listingId, quantity, shown, enqueuedAt, attempts });
const order = (items: Pending[]) => [...items].sort(pushPriority).map((x) => x.listingId);

describe('pushPriority examples', () => {
  it('the last units first: a decrease to 0 before everything else', () => {
    expect(
      order([
        p('inc-0-to-1', 1, 0),
        p('dec-50-to-40', 40, 50),
        p('dec-3-to-0', 0, 3),
        p('new-at-0', 0, null),
        p('same-0', 0, 0),
        p('dec-9-to-2', 2, 9),
      ]),
    ).toEqual(['dec-3-to-0', 'new-at-0', 'same-0', 'inc-0-to-1', 'dec-9-to-2', 'dec-50-to-40']);
  });

  it('within a band (here 4–7): decrease, unknown, increase, unchanged; then oldest; then listingId', () => {
    expect(
      order([
        p('unchanged', 5, 5, T0),
        p('increase', 7, 2, T0),
        p('unknown', 6, null, T0),
        p('decrease-new', 4, 9, T0 + 10),
        p('decrease-old-b', 6, 10, T0),
        p('decrease-old-a', 7, 10, T0),
      ]),
    ).toEqual(['decrease-old-a', 'decrease-old-b', 'decrease-new', 'unknown', 'increase', 'unchanged']);
  });

  it('bands are 0 | 1 | 2–3 | 4–7 | 8–15 …: 3 and 2 tie on closeness, 4 does not', () => {
    expect(order([p('q3-old', 3, 9, T0), p('q2-new', 2, 9, T0 + 1)])).toEqual(['q3-old', 'q2-new']);
    expect(order([p('q4-old', 4, 9, T0), p('q3-new', 3, 9, T0 + 1)])).toEqual(['q3-new', 'q4-old']);
    expect(order([p('big', 2 ** 40, 2 ** 41), p('huge', Number.MAX_VALUE, Infinity), p('inf', Infinity, null)])).toEqual(['big', 'huge', 'inf']);
  });

  it('a channel showing a negative number pushed up to 0 still ranks after a decrease to 0', () => {
    expect(order([p('up-to-0', 0, -2), p('down-to-0', 0, 4)])).toEqual(['down-to-0', 'up-to-0']);
  });

  it('attempts do not change the order', () => {
    expect(pushPriority(p('a', 0, 5, T0, 0), p('a', 0, 5, T0, 7))).toBe(0);
  });
});

describe('batches', () => {
  it('splits at the maximum, keeping order', () => {
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batches([], 250)).toEqual([]);
    expect(() => batches([1], 0)).toThrow(RangeError);
    expect(() => batches([1], 1.5)).toThrow(RangeError);
  });

  it('property: concatenation is the input; every batch is full but the last, none above max', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (items, max) => {
        const bs = batches(items, max);
        expect(bs.flat()).toEqual(items);
        bs.forEach((b, i) => {
          expect(b.length).toBeGreaterThan(0);
          if (i < bs.length - 1) expect(b.length).toBe(max);
          else expect(b.length).toBeLessThanOrEqual(max);
        });
      }),
    );
  });
});

// ---- properties ---------------------------------------------------------------------------------

const qtyArb = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 100_000 }));
const pendingArb: fc.Arbitrary<Pending> = fc.record({
  listingId: fc.string({ minLength: 1, maxLength: 4 }),
  quantity: qtyArb,
  shown: fc.option(fc.oneof(qtyArb, fc.integer({ min: -5, max: -1 })), { nil: null, freq: 5 }),
  enqueuedAt: fc.integer({ min: T0, max: T0 + 20 }),
  attempts: fc.nat({ max: 10 }),
});
const sign = (x: number) => Math.sign(x) + 0; // + 0 turns -0 into 0
const isIncrease = (x: Pending) => x.shown !== null && x.shown < x.quantity;
const isDecreaseToZero = (x: Pending) => x.quantity === 0 && x.shown !== null && x.shown > 0;

describe('pushPriority properties', () => {
  it('is a total order: reflexive, antisymmetric, transitive', () => {
    fc.assert(
      fc.property(pendingArb, pendingArb, pendingArb, (a, b, c) => {
        expect(pushPriority(a, a)).toBe(0);
        expect(sign(pushPriority(a, b))).toBe(-sign(pushPriority(b, a)));
        if (pushPriority(a, b) <= 0 && pushPriority(b, c) <= 0) expect(pushPriority(a, c)).toBeLessThanOrEqual(0);
        // Distinct listings never tie.
        if (a.listingId !== b.listingId) expect(pushPriority(a, b)).not.toBe(0);
      }),
      { numRuns: 2_000 },
    );
  });

  it('the sorted order does not depend on the input order (one pending row per listing)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(pendingArb, { selector: (x) => x.listingId, maxLength: 40 }), fc.infiniteStream(fc.nat()), (items, rnd) => {
        const shuffled = [...items];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = rnd.next().value % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        expect(order(shuffled)).toEqual(order(items));
      }),
    );
  });

  it('a decrease to 0 never sorts after an increase', () => {
    fc.assert(
      fc.property(fc.array(pendingArb, { maxLength: 40 }), (items) => {
        const sorted = [...items].sort(pushPriority);
        const lastDecreaseToZero = sorted.findLastIndex(isDecreaseToZero);
        const firstIncrease = sorted.findIndex(isIncrease);
        if (lastDecreaseToZero >= 0 && firstIncrease >= 0) expect(lastDecreaseToZero).toBeLessThan(firstIncrease);
      }),
    );
  });

  it('closer to zero first; within a band, a decrease before an increase', () => {
    const band = (q: number) => (q < 1 ? 0 : Math.floor(Math.log2(q) + 1e-12) + 1);
    fc.assert(
      fc.property(pendingArb, pendingArb, (a, b) => {
        if (band(a.quantity) < band(b.quantity)) expect(pushPriority(a, b)).toBeLessThan(0);
        const decrease = (x: Pending) => x.shown !== null && x.shown > x.quantity;
        if (band(a.quantity) === band(b.quantity) && decrease(a) && isIncrease(b)) expect(pushPriority(a, b)).toBeLessThan(0);
      }),
      { numRuns: 2_000 },
    );
  });
});
