// Example-based tests of each rule, on the pure domain (no store, no clock).

import { describe, expect, it } from 'vitest';
import { applyCommand } from './apply.ts';
import type { Balances } from './buckets.ts';
import { gtinCheckOk } from './catalog-rules.ts';
import type { StockCommand } from './commands.ts';
import type { ExceptionDraft, MovementDraft } from './model.ts';
import { levelKey, Scratch } from './scratch.ts';
import { testWorld } from './test-world.ts';
import { adjustmentAccount } from './stock-rules.ts';

const T0 = 1_000_000;

function setup(stock: Record<string, Partial<Balances>> = {}) {
  const { catalog, state } = testWorld(['A', 'B'], ['W1', 'W2'], stock);
  let n = 0;
  const run = (c: StockCommand, now = T0) => {
    const scratch = new Scratch(state);
    const out = applyCommand({ workspaceId: 'w', now, catalog, scratch, newHoldId: () => `h${++n}` }, c);
    const written: { movements: MovementDraft[]; exceptions: ExceptionDraft[] } = out.ok ? scratch.commit(now) : { movements: [], exceptions: [] };
    return { out, ...written };
  };
  const at = (sku: string, code: string) => state.levels.get(levelKey(`i${sku}`, `l${code}`))!.balances;
  return { run, at, state };
}

describe('receive, adjust, move, safety stock', () => {
  it('receives into quality_control when asked, from the supplier account', () => {
    const { run, at } = setup();
    const r = run({ type: 'receive', sku: 'A', location: 'W1', quantity: 5, into: 'quality_control' });
    expect(r.movements).toMatchObject([{ from: 'supplier', to: 'quality_control', quantity: 5 }]);
    expect(at('A', 'W1')).toMatchObject({ quality_control: 5, available: 0 });
  });

  it('books adjustments to the external account their reason names', () => {
    expect(adjustmentAccount('damage')).toBe('shrinkage');
    expect(adjustmentAccount('shrinkage')).toBe('shrinkage');
    expect(adjustmentAccount('cycle_count')).toBe('count_variance');
    expect(adjustmentAccount('found')).toBe('adjustment');
    const { run } = setup({ 'A@W1': { available: 4 } });
    expect(run({ type: 'adjust', sku: 'A', location: 'W1', delta: -3, reason: 'damage' }).movements).toMatchObject([{ from: 'available', to: 'shrinkage', quantity: 3, reason: 'damage' }]);
    expect(run({ type: 'adjust', sku: 'A', location: 'W1', delta: 2, reason: 'found', bucket: 'damaged' }).movements).toMatchObject([{ from: 'adjustment', to: 'damaged', quantity: 2 }]);
  });

  it('refuses an unknown reason, zero or fractional deltas, and moves into reserved or committed', () => {
    const { run } = setup({ 'A@W1': { available: 4 } });
    expect(run({ type: 'adjust', sku: 'A', location: 'W1', delta: 1, reason: 'whim' as never }).out).toMatchObject({ ok: false, refusal: { code: 'validation_failed', field: 'reason' } });
    expect(run({ type: 'adjust', sku: 'A', location: 'W1', delta: 0, reason: 'other' }).out).toMatchObject({ ok: false, refusal: { code: 'invalid_quantity' } });
    expect(run({ type: 'adjust', sku: 'A', location: 'W1', delta: 0.5, reason: 'other' }).out).toMatchObject({ ok: false, refusal: { code: 'invalid_quantity' } });
    expect(run({ type: 'move', sku: 'A', location: 'W1', quantity: 1, from: 'available', to: 'reserved' as never }).out).toMatchObject({ ok: false, refusal: { field: 'to' } });
  });

  it('sets safety stock by moving units between available and safety_stock', () => {
    const { run, at } = setup({ 'A@W1': { available: 10 } });
    run({ type: 'set_safety_stock', sku: 'A', location: 'W1', quantity: 3 });
    expect(at('A', 'W1')).toMatchObject({ available: 7, safety_stock: 3 });
    run({ type: 'set_safety_stock', sku: 'A', location: 'W1', quantity: 1 });
    expect(at('A', 'W1')).toMatchObject({ available: 9, safety_stock: 1 });
    expect(run({ type: 'set_safety_stock', sku: 'A', location: 'W1', quantity: 20 }).out).toMatchObject({ ok: false, refusal: { code: 'insufficient_stock' } });
  });
});

describe('count', () => {
  it('turns a surplus into a count_variance receipt', () => {
    const { run, at } = setup({ 'A@W1': { available: 3, damaged: 1 } });
    expect(run({ type: 'count', sku: 'A', location: 'W1', counted: 6 }).movements).toMatchObject([{ from: 'count_variance', to: 'available', quantity: 2 }]);
    expect(at('A', 'W1')).toMatchObject({ available: 5, damaged: 1 });
  });

  it('takes a shortfall from available, then safety stock, and records what holds cannot keep as oversold with an exception', () => {
    const { run, at } = setup({ 'A@W1': { available: 2, safety_stock: 1, reserved: 4 } });
    const r = run({ type: 'count', sku: 'A', location: 'W1', counted: 1, reference: 'CC-1' });
    expect(r.movements.map((m) => [m.from, m.to, m.quantity])).toEqual([
      ['available', 'count_variance', 2],
      ['safety_stock', 'count_variance', 1],
      ['oversold', 'count_variance', 3],
    ]);
    expect(at('A', 'W1')).toMatchObject({ available: 0, safety_stock: 0, reserved: 4, oversold: 3 });
    expect(r.exceptions).toMatchObject([{ kind: 'count_shortfall', quantity: 3, reference: 'CC-1' }]);
  });
});

describe('holds', () => {
  it('places each line at the first listed location that covers it, counting earlier lines', () => {
    const { run } = setup({ 'A@W1': { available: 3 }, 'A@W2': { available: 5 } });
    const r = run({ type: 'reserve', lines: [{ sku: 'A', quantity: 2 }, { sku: 'A', quantity: 2 }], locations: ['W1', 'W2'] });
    expect(r.movements.map((m) => m.locationId)).toEqual(['lW1', 'lW2']);
  });

  it('refuses the whole request when one line cannot be covered, naming that line', () => {
    const { run, at } = setup({ 'A@W1': { available: 3 } });
    const r = run({ type: 'reserve', lines: [{ sku: 'A', quantity: 1, location: 'W1' }, { sku: 'B', quantity: 1, location: 'W1' }] });
    expect(r.out).toMatchObject({ ok: false, refusal: { code: 'insufficient_stock', field: 'lines[1].quantity' } });
    expect(at('A', 'W1')).toMatchObject({ available: 3, reserved: 0 });
  });

  it('expires only holds that are due, and refuses to allocate or extend an expired one', () => {
    const { run, at } = setup({ 'A@W1': { available: 3 } });
    run({ type: 'reserve', lines: [{ sku: 'A', quantity: 2, location: 'W1' }], expires_in_ms: 60_000 });
    expect(run({ type: 'expire', hold_id: 'h1' }, T0 + 59_999).out).toMatchObject({ ok: false });
    expect(run({ type: 'extend', hold_id: 'h1', expires_in_ms: 5_000 }, T0 + 60_000).out).toMatchObject({ ok: false, refusal: { code: 'hold_expired' } });
    expect(run({ type: 'allocate', hold_id: 'h1', order_reference: 'O' }, T0 + 60_000).out).toMatchObject({ ok: false, refusal: { code: 'hold_expired' } });
    expect(run({ type: 'expire', hold_id: 'h1' }, T0 + 60_000).movements).toMatchObject([{ from: 'reserved', to: 'available', quantity: 2, reason: 'expired' }]);
    expect(at('A', 'W1')).toMatchObject({ available: 3, reserved: 0 });
  });

  it('ships by line, refuses shipping more than is left, and closes the allocation when all is shipped', () => {
    const { run, at, state } = setup({ 'A@W1': { available: 5 } });
    run({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 3, location: 'W1' }], order_reference: 'O1' });
    expect(run({ type: 'ship', hold_id: 'h1', lines: [{ line: 1, quantity: 4 }] }).out).toMatchObject({ ok: false, refusal: { code: 'nothing_to_ship' } });
    run({ type: 'ship', hold_id: 'h1', lines: [{ line: 1, quantity: 1 }] });
    expect(state.holds.get('h1')).toMatchObject({ state: 'allocated', lines: [{ shipped: 1 }] });
    run({ type: 'ship', hold_id: 'h1' });
    expect(state.holds.get('h1')!.state).toBe('shipped');
    expect(at('A', 'W1')).toMatchObject({ available: 2, committed: 0 });
    expect(run({ type: 'ship', hold_id: 'h1' }).out).toMatchObject({ ok: false, refusal: { code: 'allocation_not_open' } });
  });

  it('oversells an accepted order at its first location, and cancelling it repays the debt before anything becomes available', () => {
    const { run, at } = setup({ 'A@W1': { available: 1 } });
    const r = run({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 4 }], locations: ['W1', 'W2'], order_reference: 'O1' });
    expect(r.movements.map((m) => [m.from, m.to, m.quantity])).toEqual([['available', 'committed', 1], ['oversold', 'committed', 3]]);
    expect(r.exceptions).toMatchObject([{ kind: 'oversold', quantity: 3, reference: 'O1' }]);
    expect(at('A', 'W1')).toMatchObject({ available: 0, committed: 4, oversold: 3 });
    const c = run({ type: 'cancel_allocation', hold_id: 'h1' });
    expect(c.movements.map((m) => [m.from, m.to, m.quantity])).toEqual([['committed', 'available', 4], ['available', 'oversold', 3]]);
    expect(at('A', 'W1')).toMatchObject({ available: 1, committed: 0, oversold: 0 });
  });
});

describe('GTIN check digits', () => {
  it('accepts valid EAN-13, UPC-A and GTIN-8 codes and free-text barcodes, and refuses a wrong check digit', () => {
    expect(gtinCheckOk('4006381333931')).toBe(true);
    expect(gtinCheckOk('036000291452')).toBe(true);
    expect(gtinCheckOk('96385074')).toBe(true);
    expect(gtinCheckOk('ABC-123')).toBe(true);
    expect(gtinCheckOk('4006381333932')).toBe(false);
  });
});
