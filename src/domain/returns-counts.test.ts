// Pure rules of returns and cycle counts, by example and by property (fast-check).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PostLine } from './commands.ts';
import { type CountDocument, type CountEntry, countReport, decidePosting, exceedsThreshold, lineReport, type VarianceThresholds } from './count-rules.ts';
import { awaitingInspection, closeReturn, inspectReturn, receiveReturn, type ReturnDocument, type ReturnLine } from './return-rules.ts';

const line = (lineNo: number, sku: string, expected: number, skipInspection = false): ReturnLine => ({
  lineNo, itemId: `i${sku}`, sku, expected, received: 0, restocked: 0, damaged: 0, writtenOff: 0, returnedToVendor: 0, skipInspection,
});
const doc = (lines: ReturnLine[]): ReturnDocument => ({
  id: 'ret_1', workspaceId: 'w', number: 'RET-1', channelId: null, orderReference: null, locationId: 'lW1', location: 'W1', state: 'open', note: null, createdAt: 0, updatedAt: 0, closedAt: null, lines,
});

/** Net units per account after some post lines: what the ledger would hold. */
function book(accounts: Map<string, number>, lines: PostLine[]) {
  for (const l of lines) {
    accounts.set(`${l.sku}:${l.from}`, (accounts.get(`${l.sku}:${l.from}`) ?? 0) - l.quantity);
    accounts.set(`${l.sku}:${l.to}`, (accounts.get(`${l.sku}:${l.to}`) ?? 0) + l.quantity);
  }
}

describe('return rules', () => {
  it('receives into quality_control, or available for items that skip inspection', () => {
    const out = receiveReturn(doc([line(1, 'A', 2), line(2, 'B', 1, true)]), { lines: [{ sku: 'A', quantity: 2 }, { line: 2, quantity: 1 }] });
    expect(out.ok && out.value.post.lines).toEqual([
      { sku: 'A', location: 'W1', from: 'customer', to: 'quality_control', quantity: 2, reason: 'return' },
      { sku: 'B', location: 'W1', from: 'customer', to: 'available', quantity: 1, reason: 'return' },
    ]);
    expect(out.ok && out.value.lines.map(awaitingInspection)).toEqual([2, 0]);
  });

  it('refuses over-receipt unless allowed, over-inspection, and a closed return', () => {
    const d = doc([line(1, 'A', 2)]);
    expect(receiveReturn(d, { lines: [{ sku: 'A', quantity: 3 }] })).toMatchObject({ ok: false, refusal: { code: 'over_receipt', field: 'lines[0].quantity' } });
    expect(receiveReturn(d, { lines: [{ sku: 'A', quantity: 3 }], allow_over_receipt: true }).ok).toBe(true);
    expect(inspectReturn(d, { lines: [{ sku: 'A', restock: 1 }] })).toMatchObject({ ok: false, refusal: { code: 'nothing_to_inspect', field: 'lines[0]' } });
    expect(closeReturn({ ...d, state: 'closed' })).toMatchObject({ ok: false, refusal: { code: 'document_closed' } });
    const received = { ...d, lines: [{ ...d.lines[0]!, received: 2 }] };
    expect(closeReturn(received)).toMatchObject({ ok: false, refusal: { code: 'validation_failed', field: 'lines' } });
    // Two request lines naming the same return line add up.
    expect(inspectReturn(received, { lines: [{ sku: 'A', restock: 1 }, { line: 1, damaged: 2 }] })).toMatchObject({ ok: false, refusal: { code: 'nothing_to_inspect', field: 'lines[1]' } });
  });

  const step = fc.oneof(
    fc.record({ kind: fc.constant('receive' as const), line: fc.integer({ min: 1, max: 3 }), quantity: fc.integer({ min: 1, max: 4 }), over: fc.boolean() }),
    fc.record({ kind: fc.constant('inspect' as const), line: fc.integer({ min: 1, max: 3 }), split: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }) }),
  );

  it('conserves units and lets nothing reach available before inspection unless skipped (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), fc.array(step, { maxLength: 30 }), (skips, steps) => {
        let d = doc(skips.map((skip, i) => line(i + 1, `S${i}`, 3, skip)));
        const accounts = new Map<string, number>();
        for (const s of steps) {
          const out = s.kind === 'receive'
            ? receiveReturn(d, { lines: [{ line: s.line, quantity: s.quantity }], allow_over_receipt: s.over })
            : inspectReturn(d, { lines: [{ line: s.line, restock: s.split[0]!, damaged: s.split[1]!, write_off: s.split[2]!, return_to_vendor: s.split[3]! }] });
          if (!out.ok) {
            expect(['over_receipt', 'nothing_to_inspect', 'invalid_quantity']).toContain(out.refusal.code);
            continue;
          }
          for (const l of out.value.post.lines) {
            // Only a restock after inspection, or a skipped item's receipt, reaches available.
            if (l.to === 'available') expect(l.from === 'quality_control' || skips[Number(l.sku.slice(1))]).toBeTruthy();
          }
          book(accounts, out.value.post.lines);
          d = { ...d, lines: out.value.lines };
        }
        for (const [i, l] of d.lines.entries()) {
          const get = (a: string) => accounts.get(`${l.sku}:${a}`) ?? 0;
          expect(awaitingInspection(l)).toBeGreaterThanOrEqual(0);
          expect(l.received + get('customer')).toBe(0);
          expect(get('quality_control')).toBe(awaitingInspection(l));
          expect(get('available')).toBe(l.restocked);
          expect(get('damaged')).toBe(l.damaged);
          expect(get('shrinkage')).toBe(l.writtenOff);
          expect(get('vendor')).toBe(l.returnedToVendor);
          if (!l.received || skips[i]) expect(get('quality_control')).toBe(0);
        }
        expect(closeReturn(d).ok).toBe(d.lines.every((l) => awaitingInspection(l) === 0));
      }),
    );
  });
});

const entry = (entryNo: number, counter: string, counted: number, expected: number): CountEntry => ({ entryNo, counter, counted, expected, actor: 'k', createdAt: 0 });
const NONE: VarianceThresholds = { unitsMax: null, percentMax: null };
const countDoc = (lines: CountDocument['lines'], state: CountDocument['state'] = 'open'): CountDocument => ({
  id: 'cnt_1', workspaceId: 'w', number: 'CNT-1', locationId: 'lW1', location: 'W1', scope: 'skus', zones: null, blind: false, state, approvedBy: null, createdAt: 0, updatedAt: 0, postedAt: null, lines,
});

describe('count rules', () => {
  it("sums each counter's latest entry and takes the expected of the most recent one", () => {
    const r = lineReport({ itemId: 'iA', sku: 'A', snapshot: 10, entries: [entry(1, 'x', 5, 10), entry(2, 'y', 4, 10), entry(3, 'x', 3, 8)] }, NONE);
    expect(r).toMatchObject({ counted: 7, expected: 8, variance: -1, variancePercent: 12.5, exceedsThreshold: false });
    expect(lineReport({ itemId: 'iA', sku: 'A', snapshot: 10, entries: [] }, NONE)).toMatchObject({ counted: null, variance: null });
  });

  it('judges thresholds by units and by percent; any difference from 0 is over a percent threshold', () => {
    expect(exceedsThreshold(-3, 10, { unitsMax: 2, percentMax: null })).toBe(true);
    expect(exceedsThreshold(-2, 10, { unitsMax: 2, percentMax: null })).toBe(false);
    expect(exceedsThreshold(3, 10, { unitsMax: null, percentMax: 25 })).toBe(true);
    expect(exceedsThreshold(2, 10, { unitsMax: null, percentMax: 25 })).toBe(false);
    expect(exceedsThreshold(1, 0, { unitsMax: null, percentMax: 1000 })).toBe(true);
    expect(exceedsThreshold(1, 0, NONE)).toBe(false);
    expect(exceedsThreshold(0, 0, { unitsMax: 0, percentMax: 0 })).toBe(false);
  });

  it('sends a variance over the threshold to approval for a non-admin, posts it for an admin', () => {
    const t = { unitsMax: 1, percentMax: null };
    const d = countDoc([{ itemId: 'iA', sku: 'A', snapshot: 5, entries: [entry(1, 'x', 2, 5)] }, { itemId: 'iB', sku: 'B', snapshot: 1, entries: [] }]);
    expect(decidePosting(d, t, { actor: 'op', admin: false })).toMatchObject({ ok: true, value: { kind: 'await_approval' } });
    expect(decidePosting({ ...d, state: 'awaiting_approval' }, t, { actor: 'op', admin: false })).toMatchObject({ ok: false, refusal: { code: 'approval_required' } });
    expect(decidePosting(d, t, { actor: 'adm', admin: true })).toMatchObject({ ok: true, value: { kind: 'post', approvedBy: 'adm', variances: [{ sku: 'A', location: 'W1', variance: -3 }] } });
    expect(decidePosting(d, NONE, { actor: 'op', admin: false })).toMatchObject({ ok: true, value: { kind: 'post', approvedBy: null } });
    expect(decidePosting({ ...d, state: 'posted' }, NONE, { actor: 'adm', admin: true })).toMatchObject({ ok: false, refusal: { code: 'document_closed' } });
    expect(countReport(d.lines, t)).toMatchObject({ uncounted: ['B'], exceeding: ['A'] });
    // A recount under the threshold lets a waiting count post without an admin.
    const recounted = countDoc([{ ...d.lines[0]!, entries: [entry(1, 'x', 2, 5), entry(2, 'x', 5, 5)] }], 'awaiting_approval');
    expect(decidePosting(recounted, t, { actor: 'op', admin: false })).toMatchObject({ ok: true, value: { kind: 'post', approvedBy: null, variances: [] } });
  });

  it('books the counted difference on the current level, so sales after the entry stay booked (property)', () => {
    // A model of one stock level: the shelf holds `physical`; the books say `onHand`. A hidden
    // loss or find makes them differ. Sales and receipts change both. Entries count the shelf.
    const event = fc.oneof(
      fc.record({ kind: fc.constant('sale' as const), quantity: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ kind: fc.constant('receipt' as const), quantity: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ kind: fc.constant('enter' as const), share: fc.integer({ min: 0, max: 100 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: -20, max: 20 }), fc.array(event, { maxLength: 20 }), (start, hidden, events) => {
        let onHand = start;
        let physical = Math.max(0, start + hidden);
        const entries: CountEntry[] = [];
        const enter = (share: number) => {
          const x = Math.floor((physical * share) / 100);
          entries.push(entry(entries.length + 1, 'x', x, onHand), entry(entries.length + 2, 'y', physical - x, onHand));
        };
        for (const e of events) {
          if (e.kind === 'sale') {
            const q = Math.min(e.quantity, physical, onHand);
            physical -= q;
            onHand -= q;
          } else if (e.kind === 'receipt') {
            physical += e.quantity;
            onHand += e.quantity;
          } else enter(e.share);
        }
        if (entries.length === 0) enter(50);
        const decided = decidePosting(countDoc([{ itemId: 'iA', sku: 'A', snapshot: start, entries }]), NONE, { actor: 'k', admin: false });
        if (!decided.ok || decided.value.kind !== 'post') throw new Error('expected a posting');
        const booked = onHand + decided.value.variances.reduce((s, v) => s + v.variance, 0);
        expect(booked).toBe(physical);
      }),
    );
  });
});
