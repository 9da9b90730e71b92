import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMovement, zeroBalances } from './buckets.ts';
import { arrivedUnits, checkManagedStock, managedStockMoves, spreadArrivals } from './managed-stock-rules.ts';

const n = fc.integer({ min: 0, max: 50 });

describe('channel-managed stock rules', () => {
  it('property: the moves make the ledger hold what the channel reports, through valid movements, and a report equal to the ledger moves nothing', () => {
    fc.assert(fc.property(n, n, n, n, n, n, n, (available, damaged, explained, extraIncoming, rAvailable, rUnfulfillable, rInbound) => {
      const ledger = { available, damaged, incoming: explained + extraIncoming };
      const stock = { available: rAvailable, unfulfillable: rUnfulfillable, inbound: rInbound };
      const b = { ...zeroBalances(), ...ledger };
      const moves = managedStockMoves(ledger, explained, stock);
      // applyMovement throws if a bucket would go negative or a quantity is not positive.
      for (const m of moves) applyMovement(b, m.from, m.to, m.quantity);
      expect(b).toMatchObject({ available: rAvailable, damaged: rUnfulfillable, incoming: Math.max(explained, rInbound) });
      expect(managedStockMoves({ available: rAvailable, damaged: rUnfulfillable, incoming: Math.max(explained, rInbound) }, explained, stock)).toEqual([]);
      // Between the two on-hand buckets a unit moves directly, never out and back in through adjustment.
      const out = moves.some((m) => m.to === 'adjustment');
      const into = moves.some((m) => m.from === 'adjustment');
      expect(out && into).toBe(false);
    }));
  });

  it('a transfer arrives only as far as the channel stops counting it inbound and holds units beyond the ledger', () => {
    expect(arrivedUnits(10, 0, { available: 0, unfulfillable: 0, inbound: 0 })).toBe(0); // the channel does not know of it yet
    expect(arrivedUnits(10, 0, { available: 0, unfulfillable: 0, inbound: 10 })).toBe(0);
    expect(arrivedUnits(10, 0, { available: 6, unfulfillable: 1, inbound: 4 })).toBe(6);
    expect(arrivedUnits(10, 5, { available: 8, unfulfillable: 0, inbound: 0 })).toBe(3);
    expect(spreadArrivals(7, [{ inTransit: 5 }, { inTransit: 5 }, { inTransit: 5 }])).toEqual([5, 2, 0]);
  });

  it('refuses a report with a quantity that is not a whole number from 0, naming the field', () => {
    const ok = { keys: [], sku: 'A', locationId: 'x', available: 1, reserved: 0, inbound: 0, unfulfillable: 0, researching: 0 };
    expect(checkManagedStock(ok)).toBeNull();
    expect(checkManagedStock({ ...ok, researching: 1.5 })).toMatchObject({ code: 'validation_failed', field: 'stock.researching' });
    expect(checkManagedStock({ ...ok, available: -1 })).toMatchObject({ field: 'stock.available' });
  });
});
