// The ledger's ordering rule as a property: whatever order changes arrive in, the count is the
// latest physical count by occurred_at plus the adjustments that occurred after it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InventoryLedger, type NewChange } from './inventory.ts';

const source = { product: 'EXTERNAL_API' as const, name: 'test' };
const base = { catalogObjectId: 'V', locationId: 'L', referenceId: null, teamMemberId: null, source };

const change = fc.oneof(
  fc.record({ kind: fc.constant('count' as const), q: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ kind: fc.constant('sale' as const), q: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('receive' as const), q: fc.integer({ min: 1, max: 5 }) }),
);

function toChange(c: { kind: 'count' | 'sale' | 'receive'; q: number }, occurredAt: number): NewChange {
  const quantity = BigInt(c.q) * 100000n;
  if (c.kind === 'count') return { type: 'PHYSICAL_COUNT', ...base, state: 'IN_STOCK', quantity, occurredAt };
  const [fromState, toState] = c.kind === 'sale' ? ['IN_STOCK', 'SOLD'] : ['NONE', 'IN_STOCK'];
  return { type: 'ADJUSTMENT', ...base, fromState, toState, quantity, occurredAt, transactionId: null, totalPriceMoney: null };
}

/** What the count must be: replay in occurred_at order, a count setting, an adjustment moving. */
function expected(changes: NewChange[]): bigint {
  let q = 0n;
  for (const c of [...changes].sort((a, b) => a.occurredAt - b.occurredAt)) {
    if (c.type === 'PHYSICAL_COUNT') q = c.quantity;
    else q += c.toState === 'IN_STOCK' ? c.quantity : -c.quantity;
  }
  return q;
}

describe('InventoryLedger', () => {
  it('computes the same count whatever order the changes arrive in, one by one or in batches', () => {
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 30 }), fc.func(fc.integer()), fc.integer({ min: 1, max: 5 }), (raw, shuffleKey, batch) => {
        // Distinct occurred_at: ties are broken by arrival, which a shuffle changes on purpose.
        const changes = raw.map((c, i) => toChange(c, 1000 + i * 10));
        const arrival = [...changes].sort((a, b) => shuffleKey(a.occurredAt) - shuffleKey(b.occurredAt));
        let id = 0;
        const ledger = new InventoryLedger(() => 5000, () => `id${++id}`);
        for (let i = 0; i < arrival.length; i += batch) ledger.record(arrival.slice(i, i + batch), false);
        expect(ledger.quantity('V', 'L', 'IN_STOCK')).toBe(expected(changes));
      }),
    );
  });

  it('tracks no SOLD count: a sale moves only IN_STOCK', () => {
    const ledger = new InventoryLedger(() => 0, () => 'x');
    ledger.record([toChange({ kind: 'sale', q: 2 }, 0)], false);
    expect(ledger.allCounts().map((c) => [c.state, c.quantity])).toEqual([['IN_STOCK', -200000n]]);
  });
});
