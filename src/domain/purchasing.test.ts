// The pure purchase-order and transfer rules: examples for each rule, and properties over random
// sequences of steps — units are conserved line by line, incoming booked minus incoming cleared
// always equals what is still expected, and nothing is ever taken from a bucket twice.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PostLine } from './commands.ts';
import {
  closePurchaseOrder,
  type ItemFacts,
  type LocationFacts,
  type Lookup,
  openPurchaseOrder,
  type PurchaseOrderState,
  receivePurchaseOrder,
  stillExpected,
} from './purchase-order-rules.ts';
import { closeTransfer, inTransit, receiveTransfer, shipTransfer, type TransferState } from './transfer-rules.ts';

const item = (sku: string, extra: Partial<ItemFacts> = {}): ItemFacts => ({ id: `item_${sku}`, sku, kind: 'standard', archived: false, requiresInspection: false, ...extra });
const loc = (code: string, requiresInspection = false): LocationFacts => ({ id: `loc_${code}`, code, requiresInspection });
const ITEMS = [item('A'), item('B'), item('Q', { requiresInspection: true }), item('K', { kind: 'bundle' }), item('OLD', { archived: true })];
const LOCS = [loc('W1'), loc('W2'), loc('QC', true)];
const lookup: Lookup = { item: (s) => ITEMS.find((i) => i.sku === s), location: (c) => LOCS.find((l) => l.code === c) };

const value = <T>(o: { ok: true; value: T } | { ok: false; refusal: unknown }): T => {
  if (!o.ok) throw new Error(`refused: ${JSON.stringify(o.refusal)}`);
  return o.value;
};
const code = (o: { ok: boolean; refusal?: { code: string; field?: string } }) => (o.ok ? 'ok' : `${o.refusal!.code}@${o.refusal!.field ?? ''}`);

/** Net units a list of post lines puts into `account` at `location` for `sku`. */
const net = (lines: PostLine[], account: string, sku?: string, location?: string) =>
  lines.filter((l) => (!sku || l.sku === sku) && (!location || l.location === location)).reduce((n, l) => n + (l.to === account ? l.quantity : 0) - (l.from === account ? l.quantity : 0), 0) + 0;
/** Units a list of post lines took out of `account` (its negated net). */
const outOf = (lines: PostLine[], account: string, sku?: string) => 0 - net(lines, account, sku);

describe('purchase-order rules', () => {
  const po = (lines = [{ sku: 'A', quantity: 10 }, { sku: 'Q', quantity: 4 }], location = 'W1') =>
    value(openPurchaseOrder({ supplier: 'Acme', location, lines }, 'PO-1', lookup)).state;

  it('opens: expected → incoming per line at the destination', () => {
    const r = value(openPurchaseOrder({ supplier: 'Acme', location: 'W1', eta: '2026-12-01', lines: [{ sku: 'A', quantity: 10 }, { sku: 'B', quantity: 2, eta: '2026-12-09' }] }, 'PO-1', lookup));
    expect(r.lines).toEqual([
      { sku: 'A', location: 'W1', from: 'expected', to: 'incoming', quantity: 10, reason: null },
      { sku: 'B', location: 'W1', from: 'expected', to: 'incoming', quantity: 2, reason: null },
    ]);
    expect(r.state.lines.map((l) => l.eta)).toEqual([Date.UTC(2026, 11, 1), Date.UTC(2026, 11, 9)]);
  });

  it.each([
    [{ supplier: 'S', location: 'W1', lines: [{ sku: 'X', quantity: 1 }] }, 'unknown_item@lines[0].sku'],
    [{ supplier: 'S', location: 'W1', lines: [{ sku: 'K', quantity: 1 }] }, 'item_has_no_stock@lines[0].sku'],
    [{ supplier: 'S', location: 'W1', lines: [{ sku: 'OLD', quantity: 1 }] }, 'item_archived@lines[0].sku'],
    [{ supplier: 'S', location: 'NOPE', lines: [{ sku: 'A', quantity: 1 }] }, 'unknown_location@location'],
    [{ supplier: 'S', location: 'W1', lines: [{ sku: 'A', quantity: 0 }] }, 'invalid_quantity@lines[0].quantity'],
    [{ supplier: 'S', location: 'W1', lines: [{ sku: 'A', quantity: 2.5 }] }, 'invalid_quantity@lines[0].quantity'],
    [{ supplier: 'S', location: 'W1', lines: [{ sku: 'A', quantity: 1 }, { sku: 'A', quantity: 1 }] }, 'validation_failed@lines[1].sku'],
    [{ supplier: 'S', location: 'W1', lines: [] }, 'validation_failed@lines'],
    [{ supplier: ' ', location: 'W1', lines: [{ sku: 'A', quantity: 1 }] }, 'validation_failed@supplier'],
    [{ supplier: 'S', location: 'W1', eta: '31/12/2026', lines: [{ sku: 'A', quantity: 1 }] }, 'validation_failed@eta'],
    [{ number: '', supplier: 'S', location: 'W1', lines: [{ sku: 'A', quantity: 1 }] }, 'validation_failed@number'],
  ])('refuses to open %j: %s', (req, expected) => {
    expect(code(openPurchaseOrder(req as never, 'PO-1', lookup))).toBe(expected);
  });

  it('splits a receipt into good (available or quality_control) and damaged, clearing incoming', () => {
    const r = value(receivePurchaseOrder(po(), { lines: [{ sku: 'A', good: 5, damaged: 1 }, { line: 2, good: 2 }] }, lookup));
    expect(r.lines).toEqual([
      { sku: 'A', location: 'W1', from: 'supplier', to: 'available', quantity: 5, reason: null },
      { sku: 'A', location: 'W1', from: 'supplier', to: 'damaged', quantity: 1, reason: 'damaged_on_receipt' },
      { sku: 'Q', location: 'W1', from: 'supplier', to: 'quality_control', quantity: 2, reason: null },
      { sku: 'A', location: 'W1', from: 'incoming', to: 'expected', quantity: 6, reason: null },
      { sku: 'Q', location: 'W1', from: 'incoming', to: 'expected', quantity: 2, reason: null },
    ]);
    expect(r.state.state).toBe('open');
    // A location that requires inspection sends every good unit there.
    const atQc = value(receivePurchaseOrder(po(undefined, 'QC'), { lines: [{ sku: 'A', good: 1 }] }, lookup));
    expect(atQc.lines[0]).toMatchObject({ to: 'quality_control', location: 'QC' });
    // A carton put away elsewhere: units there, incoming cleared at the PO's location.
    const split = value(receivePurchaseOrder(po(), { lines: [{ sku: 'A', good: 3, location: 'W2' }] }, lookup));
    expect(split.lines).toEqual([
      { sku: 'A', location: 'W2', from: 'supplier', to: 'available', quantity: 3, reason: null },
      { sku: 'A', location: 'W1', from: 'incoming', to: 'expected', quantity: 3, reason: null },
    ]);
    expect(split.locations).toEqual([loc('W2')]);
  });

  it('refuses over-receipt unless allowed, then clears only what was expected', () => {
    const state = po([{ sku: 'A', quantity: 3 }]);
    expect(code(receivePurchaseOrder(state, { lines: [{ sku: 'A', good: 3, damaged: 1 }] }, lookup))).toBe('over_receipt@lines[0].good');
    const r = value(receivePurchaseOrder(state, { lines: [{ sku: 'A', good: 3, damaged: 1 }], allow_over_receipt: true }, lookup));
    expect(net(r.lines, 'incoming')).toBe(-3);
    expect(r.state).toMatchObject({ state: 'closed', closeReason: 'received_in_full' });
  });

  it.each([
    [{ lines: [{ line: 3, good: 1 }] }, 'validation_failed@lines[0].line'],
    [{ lines: [{ sku: 'B', good: 1 }] }, 'unknown_item@lines[0].sku'],
    [{ lines: [{ good: 1 }] }, 'validation_failed@lines[0].line'],
    [{ lines: [{ sku: 'A', good: 0 }] }, 'invalid_quantity@lines[0].good'],
    [{ lines: [{ sku: 'A', good: -1 }] }, 'invalid_quantity@lines[0].good'],
    [{ lines: [{ sku: 'A', damaged: 1.5 }] }, 'invalid_quantity@lines[0].damaged'],
    [{ lines: [{ sku: 'A', good: 1, location: 'NOPE' }] }, 'unknown_location@lines[0].location'],
    [{ lines: [] }, 'validation_failed@lines'],
    [{ lines: [{ sku: 'A', good: 1 }], allow_over_receipt: 'yes' }, 'validation_failed@allow_over_receipt'],
  ])('refuses the receipt %j: %s', (req, expected) => {
    expect(code(receivePurchaseOrder(po(), req as never, lookup))).toBe(expected);
  });

  it('closes short only with a reason, and never twice', () => {
    const state = value(receivePurchaseOrder(po(), { lines: [{ sku: 'A', good: 4 }] }, lookup)).state;
    expect(code(closePurchaseOrder(state, {}))).toBe('validation_failed@reason');
    const closed = value(closePurchaseOrder(state, { reason: 'short shipped' }));
    expect(closed.lines).toEqual([
      { sku: 'A', location: 'W1', from: 'incoming', to: 'expected', quantity: 6, reason: 'po_short_closed' },
      { sku: 'Q', location: 'W1', from: 'incoming', to: 'expected', quantity: 4, reason: 'po_short_closed' },
    ]);
    expect(closed.state).toMatchObject({ state: 'closed', closeReason: 'short shipped' });
    expect(code(closePurchaseOrder(closed.state, { reason: 'again' }))).toBe('document_closed@id');
    expect(code(receivePurchaseOrder(closed.state, { lines: [{ sku: 'A', good: 1 }] }, lookup))).toBe('document_closed@id');
  });

  it('property: incoming booked minus cleared equals still expected; what arrived equals what was received', () => {
    const step = fc.oneof(
      fc.record({ t: fc.constant('receive' as const), line: fc.integer({ min: 1, max: 2 }), good: fc.integer({ min: 0, max: 7 }), damaged: fc.integer({ min: 0, max: 3 }), over: fc.boolean(), where: fc.constantFrom(undefined, 'W2', 'QC') }),
      fc.record({ t: fc.constant('close' as const), reason: fc.constantFrom(undefined, 'short') }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.array(step, { maxLength: 12 }), (a, q, steps) => {
        const opened = value(openPurchaseOrder({ supplier: 'S', location: 'W1', lines: [{ sku: 'A', quantity: a }, { sku: 'Q', quantity: q }] }, 'PO-1', lookup));
        let state: PurchaseOrderState = opened.state;
        const posted: PostLine[] = [...opened.lines];
        for (const s of steps) {
          const r = s.t === 'receive'
            ? receivePurchaseOrder(state, { lines: [{ line: s.line, good: s.good, damaged: s.damaged, ...(s.where ? { location: s.where } : {}) }], allow_over_receipt: s.over }, lookup)
            : closePurchaseOrder(state, s.reason ? { reason: s.reason } : {});
          if (!r.ok) {
            expect(['over_receipt', 'document_closed', 'invalid_quantity', 'validation_failed']).toContain(r.refusal.code);
            continue;
          }
          // Every line of a step is a valid movement.
          for (const l of r.value.lines) expect(l.quantity > 0 && Number.isSafeInteger(l.quantity) && l.from !== l.to).toBe(true);
          posted.push(...r.value.lines);
          state = r.value.state;
          for (const l of state.lines) expect(stillExpected(state, l)).toBeGreaterThanOrEqual(0);
        }
        for (const line of state.lines) {
          expect(net(posted, 'incoming', line.sku, 'W1')).toBe(stillExpected(state, line));
          expect(net(posted, 'incoming', line.sku)).toBeGreaterThanOrEqual(0);
          const arrived = net(posted, 'available', line.sku) + net(posted, 'quality_control', line.sku) + net(posted, 'damaged', line.sku);
          expect(arrived).toBe(line.receivedGood + line.receivedDamaged);
          expect(outOf(posted, 'supplier', line.sku)).toBe(arrived);
          if (!steps.some((s) => s.t === 'receive' && s.over)) expect(line.receivedGood + line.receivedDamaged).toBeLessThanOrEqual(line.ordered);
        }
        expect(net(posted, 'quality_control', 'A', 'W1') + net(posted, 'quality_control', 'A', 'W2')).toBe(0);
        if (state.lines.every((l) => l.receivedGood + l.receivedDamaged >= l.ordered)) expect(state.state).toBe('closed');
      }),
      { numRuns: 300 },
    );
  });
});

describe('transfer rules', () => {
  const shipped = (lines = [{ sku: 'A', quantity: 10 }, { sku: 'Q', quantity: 3 }], to = 'W2') =>
    value(shipTransfer({ from: 'W1', to, lines }, 'TR-1', lookup));

  it('ships: source lines first (so a short source names the request line), then destination incoming', () => {
    expect(shipped().lines).toEqual([
      { sku: 'A', location: 'W1', from: 'available', to: 'in_transit', quantity: 10, reason: 'transfer_out' },
      { sku: 'Q', location: 'W1', from: 'available', to: 'in_transit', quantity: 3, reason: 'transfer_out' },
      { sku: 'A', location: 'W2', from: 'expected', to: 'incoming', quantity: 10, reason: null },
      { sku: 'Q', location: 'W2', from: 'expected', to: 'incoming', quantity: 3, reason: null },
    ]);
  });

  it.each([
    [{ from: 'W1', to: 'W1', lines: [{ sku: 'A', quantity: 1 }] }, 'validation_failed@to'],
    [{ from: 'W1', to: 'NOPE', lines: [{ sku: 'A', quantity: 1 }] }, 'unknown_location@to'],
    [{ from: 'W1', to: 'W2', lines: [{ sku: 'K', quantity: 1 }] }, 'item_has_no_stock@lines[0].sku'],
    [{ from: 'W1', to: 'W2', lines: [{ sku: 'A', quantity: -1 }] }, 'invalid_quantity@lines[0].quantity'],
    [{ from: 'W1', to: 'W2', eta: 'tomorrow', lines: [{ sku: 'A', quantity: 1 }] }, 'validation_failed@eta'],
  ])('refuses to ship %j: %s', (req, expected) => {
    expect(code(shipTransfer(req as never, 'TR-1', lookup))).toBe(expected);
  });

  it('receives good (inspection where required) and damaged, refuses more than in transit, writes off the rest on close', () => {
    const t = shipped(undefined, 'QC').state;
    const r = value(receiveTransfer(t, { lines: [{ sku: 'A', good: 6, damaged: 1 }] }));
    expect(r.lines).toEqual([
      { sku: 'A', location: 'QC', from: 'in_transit', to: 'quality_control', quantity: 6, reason: 'transfer_in' },
      { sku: 'A', location: 'QC', from: 'in_transit', to: 'damaged', quantity: 1, reason: 'damaged_in_transit' },
      { sku: 'A', location: 'QC', from: 'incoming', to: 'expected', quantity: 7, reason: null },
    ]);
    expect(code(receiveTransfer(r.state, { lines: [{ sku: 'A', good: 4 }] }))).toBe('over_receipt@lines[0].good');
    const c = value(closeTransfer(r.state, {}));
    expect(c.lines).toEqual([
      { sku: 'A', location: 'QC', from: 'in_transit', to: 'shrinkage', quantity: 3, reason: 'transfer_variance' },
      { sku: 'A', location: 'QC', from: 'incoming', to: 'expected', quantity: 3, reason: 'transfer_variance' },
      { sku: 'Q', location: 'QC', from: 'in_transit', to: 'shrinkage', quantity: 3, reason: 'transfer_variance' },
      { sku: 'Q', location: 'QC', from: 'incoming', to: 'expected', quantity: 3, reason: 'transfer_variance' },
    ]);
    expect(c.state.lines.map((l) => l.lost)).toEqual([3, 3]);
    expect(code(closeTransfer(c.state, {}))).toBe('document_closed@id');
  });

  it('property: shipped = received + damaged + lost + in transit, and the in_transit account agrees', () => {
    const step = fc.oneof(
      fc.record({ t: fc.constant('receive' as const), line: fc.integer({ min: 1, max: 2 }), good: fc.integer({ min: 0, max: 6 }), damaged: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ t: fc.constant('close' as const) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.array(step, { maxLength: 10 }), (a, b, steps) => {
        const opened = value(shipTransfer({ from: 'W1', to: 'W2', lines: [{ sku: 'A', quantity: a }, { sku: 'B', quantity: b }] }, 'TR-1', lookup));
        let state: TransferState = opened.state;
        const posted: PostLine[] = [...opened.lines];
        for (const s of steps) {
          const r = s.t === 'receive' ? receiveTransfer(state, { lines: [{ line: s.line, good: s.good, damaged: s.damaged }] }) : closeTransfer(state, {});
          if (!r.ok) {
            expect(['over_receipt', 'document_closed', 'invalid_quantity']).toContain(r.refusal.code);
            continue;
          }
          posted.push(...r.value.lines);
          state = r.value.state;
        }
        for (const l of state.lines) {
          expect(inTransit(l)).toBeGreaterThanOrEqual(0);
          expect(l.received + l.damaged + l.lost + inTransit(l)).toBe(l.shipped);
          expect(net(posted, 'in_transit', l.sku)).toBe(inTransit(l));
          expect(net(posted, 'incoming', l.sku, 'W2')).toBe(state.state === 'closed' ? 0 : inTransit(l));
          expect(outOf(posted.filter((x) => x.location === 'W1'), 'available', l.sku)).toBe(l.shipped);
          expect(net(posted, 'shrinkage', l.sku)).toBe(l.lost);
        }
        if (state.state === 'in_transit') expect(state.lines.some((l) => inTransit(l) > 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
