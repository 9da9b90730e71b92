// Purchase orders and transfers through the ledger, the same suite on SQLite and PostgreSQL:
// partial and damaged receipts, inspection, over-receipt, short close, transfers with damage and
// loss, refusals that write nothing, idempotent replays, and a property test that random
// sequences of document steps conserve units and keep incoming equal to what is still expected.

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/app/clock.ts';
import type { CommandResponse, DocumentStep } from '../src/app/ledger.ts';
import * as po from '../src/app/purchase-orders.ts';
import { exceptions } from '../src/app/exceptions.ts';
import { stockBySku } from '../src/app/queries.ts';
import * as tr from '../src/app/transfers.ts';
import { Truestock } from '../src/app/truestock.ts';
import { verify } from '../src/app/verify.ts';
import { BUCKETS } from '../src/domain/buckets.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from './support/truestock.ts';

describe.each(STORE_KINDS)('purchase orders and transfers on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let clock: ManualClock;
  let f: Fixture;
  let n = 0;

  beforeEach(async () => {
    db = await createDatabase(kind);
    clock = new ManualClock(Date.UTC(2026, 10, 27, 9));
    ts = await Truestock.open({ ...db.config, clock });
    f = await Fixture.create(ts, { skus: ['A', 'B', 'C'], locations: [['W1', 'warehouse'], ['W2', 'warehouse'], ['S1', 'store']] });
  });
  afterEach(async () => {
    await ts.close();
    await db.drop();
  });

  const run = (step: DocumentStep, key = `doc-${++n}`, fixture = f): Promise<CommandResponse> =>
    ts.ledger.executeDocument({ workspaceId: fixture.workspaceId, idempotencyKey: key, actor: 'test' }, step);
  const must = async (step: DocumentStep, key?: string, fixture = f): Promise<Record<string, any>> => {
    const r = await run(step, key, fixture);
    if (!r.ok) throw new Error(`${step.name} refused: ${r.refusal.code} ${r.refusal.field} ${r.refusal.detail}`);
    return r.body;
  };
  const level = async (sku: string, location: string, fixture = f) => {
    const stock = await ts.store.read((d) => stockBySku(d, fixture.workspaceId, sku));
    const found = stock!.locations.find((l) => l.location === location);
    return found ?? Object.fromEntries([...BUCKETS, 'oversold', 'on_hand'].map((b) => [b, 0]));
  };
  const ok = async (fixture = f) => expect((await verify(ts.store, fixture.workspaceId)).ok).toBe(true);
  const open = (body: Record<string, any>) => po.openPurchaseOrderStep(f.workspaceId, body as never);
  const receive = (id: string, body: Record<string, any>) => po.receivePurchaseOrderStep(f.workspaceId, id, body as never);
  const close = (id: string, body: Record<string, any> = {}) => po.closePurchaseOrderStep(f.workspaceId, id, body);
  const ship = (body: Record<string, any>) => tr.shipTransferStep(f.workspaceId, body as never);
  const arrive = (id: string, body: Record<string, any>) => tr.receiveTransferStep(f.workspaceId, id, body as never);
  const closeTr = (id: string, body: Record<string, any> = {}) => tr.closeTransferStep(f.workspaceId, id, body);
  /**
   * Everything a refusal must leave alone: movements, balances, documents. (The ledger may
   * create an empty stock level for a pair a refused step named; an all-zero level is no change.)
   */
  const snapshot = async () => ts.store.read(async (d) => ({
    movements: await d.all('SELECT id FROM movements WHERE workspace_id = ? ORDER BY seq', [f.workspaceId]),
    levels: (await d.all<Record<string, any>>('SELECT * FROM stock_levels WHERE workspace_id = ? ORDER BY id', [f.workspaceId])).filter((l) => [...BUCKETS, 'oversold'].some((b) => Number(l[b]) !== 0)),
    pos: await d.all('SELECT * FROM purchase_orders WHERE workspace_id = ? ORDER BY id', [f.workspaceId]),
    poLines: await d.all('SELECT l.* FROM purchase_order_lines l JOIN purchase_orders p ON p.id = l.purchase_order_id WHERE p.workspace_id = ? ORDER BY l.purchase_order_id, l.line_no', [f.workspaceId]),
    transfers: await d.all('SELECT * FROM transfers WHERE workspace_id = ? ORDER BY id', [f.workspaceId]),
    trLines: await d.all('SELECT l.* FROM transfer_lines l JOIN transfers t ON t.id = l.transfer_id WHERE t.workspace_id = ? ORDER BY l.transfer_id, l.line_no', [f.workspaceId]),
  }));
  const refusedUnchanged = async (step: DocumentStep, code: string, field?: string) => {
    const before = await snapshot();
    const r = await run(step);
    expect(r).toMatchObject({ ok: false, refusal: { code, ...(field ? { field } : {}) } });
    expect(await snapshot()).toEqual(before);
  };

  describe('purchase orders', () => {
    it('opens as incoming, receives in parts with damage, and closes itself when everything arrived', async () => {
      const opened = await must(open({ supplier: 'Acme', location: 'W1', eta: '2026-12-01', lines: [{ sku: 'A', quantity: 10 }, { sku: 'B', quantity: 4, eta: '2026-12-05T10:00:00Z' }] }));
      const p = opened.purchase_order;
      expect(p).toMatchObject({ number: 'PO-000001', supplier: 'Acme', location: 'W1', state: 'open', ordered: 14, still_expected: 14 });
      expect(p.id).toMatch(/^po_/);
      expect(p.lines).toEqual([
        { line: 1, sku: 'A', ordered: 10, received_good: 0, received_damaged: 0, still_expected: 10, eta: '2026-12-01T00:00:00.000Z' },
        { line: 2, sku: 'B', ordered: 4, received_good: 0, received_damaged: 0, still_expected: 4, eta: '2026-12-05T10:00:00.000Z' },
      ]);
      expect(opened.movements).toMatchObject([
        { sku: 'A', location: 'W1', from: 'expected', to: 'incoming', quantity: 10, command: 'po_open', reference: 'PO-000001', actor: 'test' },
        { sku: 'B', location: 'W1', from: 'expected', to: 'incoming', quantity: 4 },
      ]);
      expect(await level('A', 'W1')).toMatchObject({ incoming: 10, available: 0, on_hand: 0 });

      // First carton: 6 good, 1 damaged of A, with the delivery note.
      const first = await must(receive(p.id, { lines: [{ sku: 'A', good: 6, damaged: 1 }], reference: 'DN-881' }));
      expect(first.purchase_order).toMatchObject({ state: 'open', received_good: 6, received_damaged: 1, still_expected: 7 });
      expect(first.movements).toMatchObject([
        { sku: 'A', location: 'W1', from: 'supplier', to: 'available', quantity: 6, reason: null, note: 'DN-881', command: 'po_receive' },
        { sku: 'A', location: 'W1', from: 'supplier', to: 'damaged', quantity: 1, reason: 'damaged_on_receipt' },
        { sku: 'A', location: 'W1', from: 'incoming', to: 'expected', quantity: 7 },
      ]);
      expect(await level('A', 'W1')).toMatchObject({ available: 6, damaged: 1, incoming: 3, on_hand: 7 });

      // The rest, by line number; the PO closes itself.
      clock.advance(60_000);
      const rest = await must(receive(p.number, { lines: [{ line: 1, good: 3 }, { line: 2, good: 4 }] }));
      expect(rest.purchase_order).toMatchObject({ state: 'closed', close_reason: 'received_in_full', still_expected: 0, closed_at: new Date(clock.now()).toISOString() });
      expect(await level('A', 'W1')).toMatchObject({ available: 9, damaged: 1, incoming: 0 });
      expect(await level('B', 'W1')).toMatchObject({ available: 4, incoming: 0 });

      const shown = await ts.store.read((d) => po.purchaseOrder(d, f.workspaceId, p.id));
      expect(shown!.movements.map((m) => m.command)).toEqual(['po_open', 'po_open', 'po_receive', 'po_receive', 'po_receive', 'po_receive', 'po_receive', 'po_receive', 'po_receive']);
      expect(shown!.movements_truncated).toBe(false);
      expect(await run(receive(p.id, { lines: [{ sku: 'A', good: 1 }] }))).toMatchObject({ ok: false, refusal: { code: 'document_closed', field: 'id' } });
      expect(await run(close(p.id, { reason: 'again' }))).toMatchObject({ ok: false, refusal: { code: 'document_closed' } });
      await ok();
    });

    it('sends good units to quality_control when the item or the location requires inspection', async () => {
      await ts.store.transaction((d) => d.run('UPDATE items SET requires_inspection = ? WHERE workspace_id = ? AND sku = ?', [true, f.workspaceId, 'B']));
      await ts.store.transaction((d) => d.run('UPDATE locations SET requires_inspection = ? WHERE workspace_id = ? AND code = ?', [true, f.workspaceId, 'W2']));
      const { purchase_order: p } = await must(open({ supplier: 'Acme', location: 'W1', lines: [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 5 }] }));
      await must(receive(p.id, { lines: [{ sku: 'A', good: 2 }, { sku: 'B', good: 2, damaged: 1 }] }));
      expect(await level('A', 'W1')).toMatchObject({ available: 2, quality_control: 0 });
      expect(await level('B', 'W1')).toMatchObject({ available: 0, quality_control: 2, damaged: 1 });
      const { purchase_order: q } = await must(open({ supplier: 'Acme', location: 'W2', lines: [{ sku: 'A', quantity: 5 }] }));
      await must(receive(q.id, { lines: [{ sku: 'A', good: 5 }] }));
      expect(await level('A', 'W2')).toMatchObject({ available: 0, quality_control: 5, incoming: 0 });
      await ok();
    });

    it('puts a carton away at another location while clearing incoming at the PO’s destination', async () => {
      const { purchase_order: p } = await must(open({ supplier: 'Acme', location: 'W1', lines: [{ sku: 'A', quantity: 10 }] }));
      const r = await must(receive(p.id, { lines: [{ sku: 'A', good: 6 }, { sku: 'A', good: 4, location: 'S1' }] }));
      expect(r.purchase_order).toMatchObject({ state: 'closed', received_good: 10 });
      expect(r.movements).toContainEqual(expect.objectContaining({ sku: 'A', location: 'S1', from: 'supplier', to: 'available', quantity: 4 }));
      expect(await level('A', 'W1')).toMatchObject({ available: 6, incoming: 0 });
      expect(await level('A', 'S1')).toMatchObject({ available: 4, incoming: 0 });
      await ok();
    });

    it('refuses more than still expected unless allow_over_receipt, and then clears only what was expected', async () => {
      const { purchase_order: p } = await must(open({ supplier: 'Acme', location: 'W1', lines: [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 1 }] }));
      await must(receive(p.id, { lines: [{ sku: 'A', good: 3 }] }));
      await refusedUnchanged(receive(p.id, { lines: [{ sku: 'A', good: 2, damaged: 1 }] }), 'over_receipt', 'lines[0].good');
      // Two lines for the same PO line add up.
      await refusedUnchanged(receive(p.id, { lines: [{ sku: 'B', good: 1 }, { sku: 'A', good: 1 }, { line: 1, good: 2 }] }), 'over_receipt', 'lines[2].good');
      const r = await must(receive(p.id, { lines: [{ sku: 'A', good: 4 }], allow_over_receipt: true }));
      expect(r.purchase_order.lines[0]).toMatchObject({ ordered: 5, received_good: 7, still_expected: 0 });
      expect(r.movements).toMatchObject([
        { from: 'supplier', to: 'available', quantity: 4 },
        { from: 'incoming', to: 'expected', quantity: 2 },
      ]);
      expect(await level('A', 'W1')).toMatchObject({ available: 7, incoming: 0 });
      await ok();
    });

    it('closes short with a reason that clears the rest of incoming; a reason is required', async () => {
      const { purchase_order: p } = await must(open({ supplier: 'Acme', location: 'W1', lines: [{ sku: 'A', quantity: 10 }, { sku: 'B', quantity: 3 }] }));
      await must(receive(p.id, { lines: [{ sku: 'A', good: 4 }] }));
      await refusedUnchanged(close(p.id), 'validation_failed', 'reason');
      await refusedUnchanged(close(p.id, { reason: '  ' }), 'validation_failed', 'reason');
      const closed = await must(close(p.id, { reason: 'supplier out of stock' }));
      expect(closed.purchase_order).toMatchObject({ state: 'closed', close_reason: 'supplier out of stock', still_expected: 0 });
      expect(closed.movements).toMatchObject([
        { sku: 'A', from: 'incoming', to: 'expected', quantity: 6, reason: 'po_short_closed', note: 'supplier out of stock', command: 'po_close' },
        { sku: 'B', from: 'incoming', to: 'expected', quantity: 3, reason: 'po_short_closed' },
      ]);
      expect(await level('A', 'W1')).toMatchObject({ available: 4, incoming: 0 });
      await refusedUnchanged(close(p.id, { reason: 'twice' }), 'document_closed', 'id');
      await refusedUnchanged(receive(p.id, { lines: [{ sku: 'A', good: 1 }] }), 'document_closed', 'id');
      await ok();
    });

    it('settles oversold debt with units that arrive', async () => {
      await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 3, location: 'W1' }], order_reference: 'ORD-1' });
      expect(await level('A', 'W1')).toMatchObject({ oversold: 3, committed: 3 });
      const { purchase_order: p } = await must(open({ supplier: 'Acme', location: 'W1', lines: [{ sku: 'A', quantity: 5 }] }));
      const r = await must(receive(p.id, { lines: [{ sku: 'A', good: 5 }] }));
      expect(r.movements).toContainEqual(expect.objectContaining({ from: 'available', to: 'oversold', quantity: 3, reason: 'oversold_settled' }));
      expect(await level('A', 'W1')).toMatchObject({ oversold: 0, available: 2, committed: 3 });
      await ok();
    });

    it('numbers POs PO-000001, PO-000002… or takes the client’s, unique per workspace', async () => {
      expect((await must(open({ supplier: 'S', location: 'W1', lines: [{ sku: 'A', quantity: 1 }] }))).purchase_order.number).toBe('PO-000001');
      clock.advance(1);
      expect((await must(open({ number: 'ACME-7', supplier: 'S', location: 'W1', lines: [{ sku: 'A', quantity: 1 }] }))).purchase_order.number).toBe('ACME-7');
      clock.advance(1);
      expect((await must(open({ supplier: 'S', location: 'W1', lines: [{ sku: 'A', quantity: 1 }] }))).purchase_order.number).toBe('PO-000002');
      await refusedUnchanged(open({ number: 'ACME-7', supplier: 'S', location: 'W1', lines: [{ sku: 'A', quantity: 1 }] }), 'document_number_taken', 'number');
      await refusedUnchanged(open({ number: 'PO-000002', supplier: 'S', location: 'W1', lines: [{ sku: 'A', quantity: 1 }] }), 'document_number_taken', 'number');
      // Another workspace has its own numbers.
      const other = await Fixture.create(ts);
      expect((await must(po.openPurchaseOrderStep(other.workspaceId, { supplier: 'S', location: 'W1', lines: [{ sku: 'A', quantity: 1 }] }), undefined, other)).purchase_order.number).toBe('PO-000001');
      const list = await ts.store.read((d) => po.purchaseOrders(d, f.workspaceId, { limit: 2 }));
      expect(list.data.map((x) => x.number)).toEqual(['PO-000001', 'ACME-7']);
      const next = await ts.store.read((d) => po.purchaseOrders(d, f.workspaceId, { limit: 2, cursor: list.next_cursor! }));
      expect(next.data.map((x) => x.number)).toEqual(['PO-000002']);
      expect(next.next_cursor).toBeNull();
    });

    it('refuses bad input with the exact code and field, writing nothing', async () => {
      const { purchase_order: p } = await must(open({ supplier: 'Acme', location: 'W1', lines: [{ sku: 'A', quantity: 5 }] }));
      await ts.store.transaction((d) => d.run('UPDATE items SET archived = ? WHERE workspace_id = ? AND sku = ?', [true, f.workspaceId, 'C']));
      const line = (l: Record<string, unknown>) => ({ supplier: 'Acme', location: 'W1', lines: [{ sku: 'A', quantity: 1 }, l] });
      const cases: [DocumentStep, string, string][] = [
        [open(line({ sku: 'NOPE', quantity: 1 })), 'unknown_item', 'lines[1].sku'],
        [open(line({ sku: 'C', quantity: 1 })), 'item_archived', 'lines[1].sku'],
        [open({ supplier: 'Acme', location: 'NOWHERE', lines: [{ sku: 'A', quantity: 1 }] }), 'unknown_location', 'location'],
        [open(line({ sku: 'B', quantity: 0 })), 'invalid_quantity', 'lines[1].quantity'],
        [open(line({ sku: 'B', quantity: -2 })), 'invalid_quantity', 'lines[1].quantity'],
        [open(line({ sku: 'B', quantity: 1.5 })), 'invalid_quantity', 'lines[1].quantity'],
        [open(line({ sku: 'A', quantity: 1 })), 'validation_failed', 'lines[1].sku'],
        [open(line({ sku: 'B', quantity: 1, eta: 'soon' })), 'validation_failed', 'lines[1].eta'],
        [open({ supplier: '', location: 'W1', lines: [{ sku: 'A', quantity: 1 }] }), 'validation_failed', 'supplier'],
        [open({ supplier: 'Acme', location: 'W1', lines: [] }), 'validation_failed', 'lines'],
        [open({ number: 'bad number!', supplier: 'Acme', location: 'W1', lines: [{ sku: 'A', quantity: 1 }] }), 'validation_failed', 'number'],
        [receive(p.id, { lines: [{ sku: 'B', good: 1 }] }), 'unknown_item', 'lines[0].sku'],
        [receive(p.id, { lines: [{ line: 9, good: 1 }] }), 'validation_failed', 'lines[0].line'],
        [receive(p.id, { lines: [{ good: 1 }] }), 'validation_failed', 'lines[0].line'],
        [receive(p.id, { lines: [{ sku: 'A', good: 0, damaged: 0 }] }), 'invalid_quantity', 'lines[0].good'],
        [receive(p.id, { lines: [{ sku: 'A' }] }), 'invalid_quantity', 'lines[0].good'],
        [receive(p.id, { lines: [{ sku: 'A', good: -1 }] }), 'invalid_quantity', 'lines[0].good'],
        [receive(p.id, { lines: [{ sku: 'A', good: 1, damaged: 0.5 }] }), 'invalid_quantity', 'lines[0].damaged'],
        [receive(p.id, { lines: [{ sku: 'A', good: 1, location: 'NOWHERE' }] }), 'unknown_location', 'lines[0].location'],
        [receive(p.id, { lines: [{ sku: 'A', good: 6 }] }), 'over_receipt', 'lines[0].good'],
        [receive('po_missing', { lines: [{ sku: 'A', good: 1 }] }), 'not_found', ''],
        [close('PO-999999', { reason: 'x' }), 'not_found', ''],
      ];
      for (const [step, code, field] of cases) await refusedUnchanged(step, code, field || undefined);
    });

    it('refuses a bundle: it holds no stock of its own', async () => {
      await ts.store.transaction((d) => d.run("UPDATE items SET kind = 'bundle' WHERE workspace_id = ? AND sku = ?", [f.workspaceId, 'C']));
      await refusedUnchanged(open({ supplier: 'Acme', location: 'W1', lines: [{ sku: 'C', quantity: 1 }] }), 'item_has_no_stock', 'lines[0].sku');
    });

    it('replays the same key and refuses it with another body', async () => {
      const body = { supplier: 'Acme', location: 'W1', lines: [{ sku: 'A', quantity: 5 }] };
      const first = await run(open(body), 'po-key');
      const again = await run(open(body), 'po-key');
      expect(again).toMatchObject({ ok: true, replayed: true });
      expect(again.ok && first.ok && again.body).toEqual(first.ok && first.body);
      expect(await level('A', 'W1')).toMatchObject({ incoming: 5 });
      expect(await run(open({ ...body, supplier: 'Other' }), 'po-key')).toMatchObject({ ok: false, refusal: { code: 'idempotency_key_reused' } });
      const id = (first as { body: Record<string, any> }).body.purchase_order.id;
      const r1 = await run(receive(id, { lines: [{ sku: 'A', good: 2 }] }), 'rcv-key');
      const r2 = await run(receive(id, { lines: [{ sku: 'A', good: 2 }] }), 'rcv-key');
      expect(r2).toMatchObject({ ok: true, replayed: true });
      expect(r2.ok && r2.body).toEqual(r1.ok && r1.body);
      expect(await level('A', 'W1')).toMatchObject({ available: 2, incoming: 3 });
      expect(await run(receive(id, { lines: [{ sku: 'A', good: 3 }] }), 'rcv-key')).toMatchObject({ ok: false, refusal: { code: 'idempotency_key_reused' } });
      // A refusal is remembered too.
      const over = await run(receive(id, { lines: [{ sku: 'A', good: 9 }] }), 'over-key');
      expect(over).toMatchObject({ ok: false, refusal: { code: 'over_receipt' } });
      expect(await run(receive(id, { lines: [{ sku: 'A', good: 9 }] }), 'over-key')).toMatchObject({ ok: false, replayed: true, refusal: { code: 'over_receipt' } });
    });
  });

  describe('transfers', () => {
    beforeEach(async () => {
      await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 20 });
      await f.ok({ type: 'receive', sku: 'B', location: 'W1', quantity: 5 });
    });

    it('ships, receives in parts with damage, and writes off what never arrived on close', async () => {
      const shipped = await must(ship({ from: 'W1', to: 'S1', eta: '2026-11-30', lines: [{ sku: 'A', quantity: 10 }, { sku: 'B', quantity: 5 }] }));
      const t = shipped.transfer;
      expect(t).toMatchObject({ number: 'TR-000001', from: 'W1', to: 'S1', state: 'in_transit', eta: '2026-11-30T00:00:00.000Z', shipped: 15, in_transit: 15 });
      expect(t.id).toMatch(/^tr_/);
      expect(shipped.movements).toMatchObject([
        { sku: 'A', location: 'W1', from: 'available', to: 'in_transit', quantity: 10, reason: 'transfer_out', command: 'transfer_ship', reference: 'TR-000001' },
        { sku: 'B', location: 'W1', from: 'available', to: 'in_transit', quantity: 5, reason: 'transfer_out' },
        { sku: 'A', location: 'S1', from: 'expected', to: 'incoming', quantity: 10 },
        { sku: 'B', location: 'S1', from: 'expected', to: 'incoming', quantity: 5 },
      ]);
      expect(await level('A', 'W1')).toMatchObject({ available: 10, on_hand: 10 });
      expect(await level('A', 'S1')).toMatchObject({ incoming: 10, on_hand: 0 });

      const part = await must(arrive(t.id, { lines: [{ sku: 'A', good: 6, damaged: 1 }, { line: 2, good: 5 }], reference: 'van 3' }));
      expect(part.transfer).toMatchObject({ state: 'in_transit', received: 11, damaged: 1, in_transit: 3 });
      expect(part.movements).toMatchObject([
        { sku: 'A', location: 'S1', from: 'in_transit', to: 'available', quantity: 6, reason: 'transfer_in', note: 'van 3' },
        { sku: 'A', location: 'S1', from: 'in_transit', to: 'damaged', quantity: 1, reason: 'damaged_in_transit' },
        { sku: 'A', location: 'S1', from: 'incoming', to: 'expected', quantity: 7 },
        { sku: 'B', location: 'S1', from: 'in_transit', to: 'available', quantity: 5 },
        { sku: 'B', location: 'S1', from: 'incoming', to: 'expected', quantity: 5 },
      ]);
      expect(await level('A', 'S1')).toMatchObject({ available: 6, damaged: 1, incoming: 3 });
      await refusedUnchanged(arrive(t.id, { lines: [{ sku: 'A', good: 4 }] }), 'over_receipt', 'lines[0].good');
      await refusedUnchanged(arrive(t.id, { lines: [{ sku: 'B', good: 1 }] }), 'over_receipt', 'lines[0].good');

      const closed = await must(closeTr(t.number, { note: 'van 3 short' }));
      expect(closed.transfer).toMatchObject({ state: 'closed', lost: 3, in_transit: 0 });
      expect(closed.transfer.lines[0]).toMatchObject({ shipped: 10, received: 6, damaged: 1, lost: 3, in_transit: 0 });
      expect(closed.movements).toMatchObject([
        { sku: 'A', location: 'S1', from: 'in_transit', to: 'shrinkage', quantity: 3, reason: 'transfer_variance', note: 'van 3 short', command: 'transfer_close' },
        { sku: 'A', location: 'S1', from: 'incoming', to: 'expected', quantity: 3, reason: 'transfer_variance' },
      ]);
      expect(await level('A', 'S1')).toMatchObject({ available: 6, damaged: 1, incoming: 0, on_hand: 7 });
      await refusedUnchanged(closeTr(t.id), 'document_closed', 'id');
      await refusedUnchanged(arrive(t.id, { lines: [{ sku: 'A', good: 1 }] }), 'document_closed', 'id');
      const shown = await ts.store.read((d) => tr.transfer(d, f.workspaceId, t.id));
      expect(shown!.movements).toHaveLength(4 + 5 + 2);
      await ok();
    });

    it('closes itself once everything arrived, and sends goods to inspection where required', async () => {
      await ts.store.transaction((d) => d.run('UPDATE locations SET requires_inspection = ? WHERE workspace_id = ? AND code = ?', [true, f.workspaceId, 'W2']));
      const { transfer: t } = await must(ship({ number: 'MOVE-1', from: 'W1', to: 'W2', lines: [{ sku: 'A', quantity: 4 }] }));
      const r = await must(arrive('MOVE-1', { lines: [{ sku: 'A', good: 4 }] }));
      expect(r.transfer).toMatchObject({ id: t.id, state: 'closed', in_transit: 0, lost: 0 });
      expect(await level('A', 'W2')).toMatchObject({ quality_control: 4, available: 0, incoming: 0 });
      await ok();
    });

    it('refuses a short source, a transfer to itself and other bad input, writing nothing', async () => {
      const { transfer: t } = await must(ship({ from: 'W1', to: 'W2', lines: [{ sku: 'A', quantity: 1 }] }));
      const cases: [DocumentStep, string, string][] = [
        [ship({ from: 'W1', to: 'W2', lines: [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 6 }] }), 'insufficient_stock', 'lines[1].quantity'],
        [ship({ from: 'W2', to: 'W1', lines: [{ sku: 'A', quantity: 1 }] }), 'insufficient_stock', 'lines[0].quantity'],
        [ship({ from: 'W1', to: 'W1', lines: [{ sku: 'A', quantity: 1 }] }), 'validation_failed', 'to'],
        [ship({ from: 'W1', to: 'NOWHERE', lines: [{ sku: 'A', quantity: 1 }] }), 'unknown_location', 'to'],
        [ship({ from: 'NOWHERE', to: 'W1', lines: [{ sku: 'A', quantity: 1 }] }), 'unknown_location', 'from'],
        [ship({ from: 'W1', to: 'W2', lines: [{ sku: 'NOPE', quantity: 1 }] }), 'unknown_item', 'lines[0].sku'],
        [ship({ from: 'W1', to: 'W2', lines: [{ sku: 'A', quantity: 0 }] }), 'invalid_quantity', 'lines[0].quantity'],
        [ship({ from: 'W1', to: 'W2', lines: [{ sku: 'A', quantity: -1 }] }), 'invalid_quantity', 'lines[0].quantity'],
        [ship({ from: 'W1', to: 'W2', lines: [{ sku: 'A', quantity: 0.5 }] }), 'invalid_quantity', 'lines[0].quantity'],
        [ship({ number: t.number, from: 'W1', to: 'W2', lines: [{ sku: 'A', quantity: 1 }] }), 'document_number_taken', 'number'],
        [arrive(t.id, { lines: [{ sku: 'B', good: 1 }] }), 'unknown_item', 'lines[0].sku'],
        [arrive(t.id, { lines: [{ line: 2, good: 1 }] }), 'validation_failed', 'lines[0].line'],
        [arrive(t.id, { lines: [{ sku: 'A', good: 0 }] }), 'invalid_quantity', 'lines[0].good'],
        [arrive(t.id, { lines: [{ sku: 'A', good: 2 }] }), 'over_receipt', 'lines[0].good'],
        [arrive('tr_missing', { lines: [{ sku: 'A', good: 1 }] }), 'not_found', ''],
      ];
      for (const [step, code, field] of cases) await refusedUnchanged(step, code, field || undefined);
    });
  });

  it('property: random document steps conserve units and keep incoming equal to what open documents expect', async () => {
    const SKUS = ['A', 'B'];
    const LOCS = ['W1', 'W2', 'S1'];
    const qty = fc.integer({ min: 0, max: 6 });
    const op = fc.oneof(
      fc.record({ t: fc.constant('open' as const), sku: fc.integer({ min: 0, max: 1 }), loc: fc.integer({ min: 0, max: 2 }), q: fc.integer({ min: 1, max: 8 }), sku2: fc.option(fc.integer({ min: 0, max: 1 })) }),
      fc.record({ t: fc.constant('receive' as const), doc: fc.nat(), line: fc.nat(), good: qty, damaged: qty, over: fc.boolean(), loc: fc.option(fc.integer({ min: 0, max: 2 })) }),
      fc.record({ t: fc.constant('close' as const), doc: fc.nat(), reason: fc.boolean() }),
      fc.record({ t: fc.constant('ship' as const), sku: fc.integer({ min: 0, max: 1 }), from: fc.integer({ min: 0, max: 2 }), to: fc.integer({ min: 0, max: 2 }), q: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ t: fc.constant('arrive' as const), doc: fc.nat(), good: qty, damaged: qty }),
      fc.record({ t: fc.constant('closeTr' as const), doc: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), fc.integer({ min: 0, max: 10 }), async (ops, initial) => {
        const w = await Fixture.create(ts, { skus: SKUS, locations: LOCS.map((c) => [c, 'warehouse'] as [string, 'warehouse']) });
        for (const sku of SKUS) if (initial > 0) await w.ok({ type: 'receive', sku, location: 'W1', quantity: initial });
        const pos: string[] = [];
        const trs: string[] = [];
        for (const o of ops) {
          let step: DocumentStep;
          if (o.t === 'open') {
            const lines = [{ sku: SKUS[o.sku]!, quantity: o.q }, ...(o.sku2 !== null && o.sku2 !== o.sku ? [{ sku: SKUS[o.sku2]!, quantity: o.q + 1 }] : [])];
            step = po.openPurchaseOrderStep(w.workspaceId, { supplier: 'S', location: LOCS[o.loc]!, lines });
          } else if (o.t === 'receive' && pos.length > 0) {
            step = po.receivePurchaseOrderStep(w.workspaceId, pos[o.doc % pos.length]!, { lines: [{ line: (o.line % 2) + 1, good: o.good, damaged: o.damaged, ...(o.loc !== null ? { location: LOCS[o.loc]! } : {}) }], allow_over_receipt: o.over });
          } else if (o.t === 'close' && pos.length > 0) {
            step = po.closePurchaseOrderStep(w.workspaceId, pos[o.doc % pos.length]!, o.reason ? { reason: 'short' } : {});
          } else if (o.t === 'ship') {
            step = tr.shipTransferStep(w.workspaceId, { from: LOCS[o.from]!, to: LOCS[o.to]!, lines: [{ sku: SKUS[o.sku]!, quantity: o.q }] });
          } else if (o.t === 'arrive' && trs.length > 0) {
            step = tr.receiveTransferStep(w.workspaceId, trs[o.doc % trs.length]!, { lines: [{ line: 1, good: o.good, damaged: o.damaged }] });
          } else if (o.t === 'closeTr' && trs.length > 0) {
            step = tr.closeTransferStep(w.workspaceId, trs[o.doc % trs.length]!, {});
          } else continue;
          const r = await run(step, undefined, w);
          const body = r.ok ? (r.body as Record<string, any>) : undefined;
          if (body?.purchase_order && o.t === 'open') pos.push(body.purchase_order.id);
          if (body?.transfer && o.t === 'ship') trs.push(body.transfer.id);
          if (!r.ok) expect(['over_receipt', 'document_closed', 'insufficient_stock', 'validation_failed', 'invalid_quantity']).toContain(r.refusal.code);
        }
        expect((await verify(ts.store, w.workspaceId)).ok).toBe(true);

        // What the documents say must be on hand and incoming, level by level.
        const docs = await ts.store.read(async (d) => ({
          pos: (await po.purchaseOrders(d, w.workspaceId, { limit: 500 })).data,
          trs: (await tr.transfers(d, w.workspaceId, { limit: 500 })).data,
          levels: await d.all<Record<string, any>>('SELECT s.*, i.sku, l.code FROM stock_levels s JOIN items i ON i.id = s.item_id JOIN locations l ON l.id = s.location_id WHERE s.workspace_id = ?', [w.workspaceId]),
          external: await d.all<{ account: string; net: number | string }>(
            `SELECT account, SUM(q) AS net FROM (SELECT to_account AS account, quantity AS q FROM movements WHERE workspace_id = ? UNION ALL SELECT from_account, -quantity FROM movements WHERE workspace_id = ?) x GROUP BY account`,
            [w.workspaceId, w.workspaceId],
          ),
        }));
        const incoming = new Map<string, number>();
        const add = (m: Map<string, number>, k: string, q: number) => m.set(k, (m.get(k) ?? 0) + q);
        for (const p of docs.pos) for (const l of p.lines) add(incoming, `${l.sku}@${p.location}`, l.still_expected);
        for (const t of docs.trs) for (const l of t.lines) add(incoming, `${l.sku}@${t.to}`, l.in_transit);
        for (const l of docs.levels) {
          expect(Number(l.incoming), `incoming of ${l.sku}@${l.code}`).toBe(incoming.get(`${l.sku}@${l.code}`) ?? 0);
          for (const b of [...BUCKETS, 'oversold']) expect(Number(l[b])).toBeGreaterThanOrEqual(0);
        }
        // Units in the building = initial + everything received from suppliers − lost in transit − still on the road.
        const onHand = docs.levels.reduce((s, l) => s + Number(l.available) + Number(l.damaged) + Number(l.quality_control) + Number(l.safety_stock), 0);
        const received = docs.pos.reduce((s, p) => s + p.received_good + p.received_damaged, 0);
        const lost = docs.trs.reduce((s, t) => s + t.lost, 0);
        const onRoad = docs.trs.reduce((s, t) => s + t.in_transit, 0);
        expect(onHand).toBe(initial * SKUS.length + received - lost - onRoad);
        // Double entry: every account's net over the ledger sums to zero.
        expect(docs.external.reduce((s, e) => s + Number(e.net), 0)).toBe(0);
        const net = new Map(docs.external.map((e) => [e.account, Number(e.net)]));
        expect(net.get('in_transit') ?? 0).toBe(onRoad);
        expect(net.get('shrinkage') ?? 0).toBe(lost);
        expect(await ts.store.read((d) => exceptions(d, w.workspaceId, {}, ts.clock.now()))).toMatchObject({ data: [] });
      }),
      { numRuns: kind === 'sqlite' ? 60 : 30 },
    );
  });
});
