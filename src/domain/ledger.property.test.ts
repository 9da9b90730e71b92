// Property tests over random command sequences, on the pure rules (no store): whatever the
// sequence, units are conserved, no bucket goes negative except as a recorded oversell, the
// ledger replays to the balances, holds account for every reserved and committed unit, and a
// refused command changes nothing.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyCommand } from './apply.ts';
import { BUCKETS, EXTERNAL_ACCOUNTS, ledgerBalance, zeroBalances } from './buckets.ts';
import type { StockCommand } from './commands.ts';
import type { ExceptionDraft, MovementDraft } from './model.ts';
import { replay } from './replay.ts';
import { Scratch } from './scratch.ts';
import { testWorld } from './test-world.ts';

const SKUS = ['A', 'B', 'C'];
const CODES = ['W1', 'W2', 'S1'];

const world = () => testWorld(SKUS, CODES);

// Commands refer to holds by index into the holds created so far, resolved at run time.
type Gen = StockCommand | { type: 'hold_op'; op: 'extend' | 'release' | 'expire' | 'allocate' | 'ship' | 'ship_part' | 'cancel_allocation'; index: number } | { type: 'tick'; ms: number };

const sku = fc.constantFrom(...SKUS);
const code = fc.constantFrom(...CODES);
const qty = fc.integer({ min: 1, max: 8 });
const movable = fc.constantFrom('available', 'damaged', 'quality_control', 'safety_stock' as const);
const line = fc.record({ sku, quantity: qty, location: fc.option(code, { nil: undefined }) });
const lines = fc.array(line, { minLength: 1, maxLength: 3 }).map((ls) => ls.map(({ location, ...l }) => (location ? { ...l, location } : l)));

const command: fc.Arbitrary<Gen> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('receive' as const), sku, location: code, quantity: qty, into: fc.constantFrom('available', 'quality_control' as const) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('adjust' as const), sku, location: code, delta: fc.integer({ min: -6, max: 6 }).filter((d) => d !== 0), reason: fc.constantFrom('damage', 'found', 'correction' as const), bucket: movable }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('move' as const), sku, location: code, quantity: qty, from: movable, to: movable }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('set_safety_stock' as const), sku, location: code, quantity: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('count' as const), sku, location: code, counted: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 5, arbitrary: fc.record({ type: fc.constant('reserve' as const), lines, locations: fc.shuffledSubarray(CODES, { minLength: 1 }), expires_in_ms: fc.integer({ min: 1_000, max: 60_000 }) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('allocate_order' as const), lines, locations: fc.shuffledSubarray(CODES, { minLength: 1 }), order_reference: fc.constant('O'), channel_accepted: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ type: fc.constant('hold_op' as const), op: fc.constantFrom('extend', 'release', 'expire', 'allocate', 'ship', 'ship_part', 'cancel_allocation' as const), index: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 90_000 }) }) },
);

function run(gens: Gen[]) {
  const { catalog, state } = world();
  const movements: MovementDraft[] = [];
  const exceptions: ExceptionDraft[] = [];
  const holdIds: string[] = [];
  let now = 1_000_000;
  let nextHold = 0;

  for (const g of gens) {
    if (g.type === 'tick') {
      now += g.ms;
      continue;
    }
    let c: StockCommand;
    if (g.type === 'hold_op') {
      const hold_id = holdIds[g.index % Math.max(1, holdIds.length)] ?? 'hold_missing';
      c = g.op === 'allocate' ? { type: 'allocate', hold_id, order_reference: 'O' }
        : g.op === 'extend' ? { type: 'extend', hold_id, expires_in_ms: 5_000 }
        : g.op === 'ship_part' ? { type: 'ship', hold_id, lines: [{ line: 1, quantity: 1 }] }
        : g.op === 'ship' ? { type: 'ship', hold_id }
        : { type: g.op, hold_id };
    } else c = g;

    const before = JSON.stringify([...state.levels.values()].map((l) => l.balances)) + JSON.stringify([...state.holds.values()]);
    const scratch = new Scratch(state);
    const outcome = applyCommand({ workspaceId: 'ws', now, catalog, scratch, newHoldId: () => `hold_${nextHold++}` }, c);
    if (!outcome.ok) {
      // A refusal changes nothing.
      expect(JSON.stringify([...state.levels.values()].map((l) => l.balances)) + JSON.stringify([...state.holds.values()])).toBe(before);
      continue;
    }
    const out = scratch.commit(now);
    movements.push(...out.movements);
    exceptions.push(...out.exceptions);
    if (outcome.value.kind === 'hold' && !holdIds.includes(outcome.value.holdId)) holdIds.push(outcome.value.holdId);
  }
  return { state, movements, exceptions };
}

describe('ledger rules over random command sequences', () => {
  it('conserve units, keep buckets non-negative, replay to balances, and account for every held unit', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 80 }), (gens) => {
        const { state, movements, exceptions } = run(gens);

        // Conservation: internal balances plus external accounts sum to zero.
        const external = new Map<string, number>(EXTERNAL_ACCOUNTS.map((a) => [a, 0]));
        for (const m of movements) {
          if (external.has(m.from)) external.set(m.from, external.get(m.from)! - m.quantity);
          if (external.has(m.to)) external.set(m.to, external.get(m.to)! + m.quantity);
        }
        let internal = 0;
        for (const l of state.levels.values()) for (const b of [...BUCKETS, 'oversold'] as const) internal += ledgerBalance(l.balances, b);
        expect(internal + [...external.values()].reduce((a, b) => a + b, 0)).toBe(0);

        // Replay equals balances.
        const replayed = replay(movements);
        for (const [key, level] of state.levels) expect(replayed.get(key) ?? zeroBalances()).toEqual(level.balances);

        for (const level of state.levels.values()) {
          // No negative bucket; oversold debt only with a recorded exception at that level.
          for (const b of [...BUCKETS, 'oversold'] as const) expect(level.balances[b]).toBeGreaterThanOrEqual(0);
          if (level.balances.oversold > 0) {
            expect(exceptions.some((e) => e.itemId === level.itemId && e.locationId === level.locationId)).toBe(true);
          }
          // Holds account for reserved and committed.
          let reserved = 0;
          let committed = 0;
          for (const h of state.holds.values()) for (const l of h.lines) {
            if (l.itemId !== level.itemId || l.locationId !== level.locationId) continue;
            if (h.state === 'active') reserved += l.quantity;
            if (h.state === 'allocated') committed += l.quantity - l.shipped;
          }
          expect(level.balances.reserved).toBe(reserved);
          expect(level.balances.committed).toBe(committed);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never lets a request (reserve, or an order the channel has not accepted) take more than available', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 60 }), (gens) => {
        const { movements } = run(gens.map((g) => (g.type === 'allocate_order' ? { ...g, channel_accepted: false } : g)));
        expect(movements.filter((m) => m.from === 'oversold' && m.reason === 'oversold')).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
