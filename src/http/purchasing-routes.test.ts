// Purchase-order and transfer endpoints through app.inject(), once per store: the whole flow,
// every refusal with its exact status, code and field and nothing written, roles, tenancy and
// idempotent replays.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json } from '../../test/support/http.ts';

describe.each(['sqlite', 'postgres'] as const)('purchasing API on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(async () => {
    await h.start();
    expect((await h.post('/v1/locations', { code: 'ST1', name: 'Store', kind: 'store' }, { key: h.a.keys.admin })).statusCode).toBe(201);
  });
  afterAll(() => h.stop());

  const created = async (url: string, body: Json): Promise<Json> => {
    const res = await h.post(url, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const okay = async (url: string, body?: Json): Promise<Json> => {
    const res = await h.post(url, body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const poFor = async (sku: string, quantity = 10) => (await created('/v1/purchase-orders', { supplier: 'Acme', location: 'WH1', eta: '2026-12-01', lines: [{ sku, quantity }] })).purchase_order;

  it('runs a purchase order: open, partial receipt with damage, short close, reads', async () => {
    const { sku, id: itemId } = await h.item();
    const opened = await created('/v1/purchase-orders', { supplier: 'Acme', location: 'WH1', eta: '2026-12-01', note: 'spring drop', lines: [{ sku, quantity: 10 }] });
    const p = opened.purchase_order;
    expect(p).toMatchObject({ supplier: 'Acme', location: 'WH1', state: 'open', note: 'spring drop', still_expected: 10 });
    expect(p.number).toMatch(/^PO-\d{6}$/);
    const stock = await h.get(`/v1/items/${itemId}/stock`, h.a.keys.read);
    expect(stock.json().locations).toMatchObject([{ location: 'WH1', incoming: 10, available: 0 }]);

    const rcv = await okay(`/v1/purchase-orders/${p.id}/receipts`, { lines: [{ sku, good: 6, damaged: 1 }], reference: 'DN-1' });
    expect(rcv.purchase_order).toMatchObject({ state: 'open', received_good: 6, received_damaged: 1, still_expected: 3 });
    expect(await h.totals(sku)).toMatchObject({ available: 6, damaged: 1, incoming: 3, on_hand: 7 });

    expectProblem(await h.unchanged(() => h.post(`/v1/purchase-orders/${p.id}/close`, {}), [sku]), 'validation_failed', 'reason');
    const closed = await okay(`/v1/purchase-orders/${p.id}/close`, { reason: 'supplier short' });
    expect(closed.purchase_order).toMatchObject({ state: 'closed', close_reason: 'supplier short', still_expected: 0 });
    expect(await h.totals(sku)).toMatchObject({ available: 6, damaged: 1, incoming: 0 });

    const shown = await h.get(`/v1/purchase-orders/${p.id}`, h.a.keys.read);
    expect(shown.statusCode).toBe(200);
    expect(shown.json().purchase_order.lines).toEqual([{ line: 1, sku, ordered: 10, received_good: 6, received_damaged: 1, still_expected: 0, eta: '2026-12-01T00:00:00.000Z' }]);
    expect(shown.json().movements.map((m: Json) => `${m.command}:${m.from}>${m.to}:${m.quantity}`)).toEqual([
      'po_open:expected>incoming:10', 'po_receive:supplier>available:6', 'po_receive:supplier>damaged:1', 'po_receive:incoming>expected:7', 'po_close:incoming>expected:3',
    ]);
    expect((await h.get(`/v1/purchase-orders/${p.number}`, h.a.keys.read)).json().purchase_order.id).toBe(p.id);
    const movements = await h.get(`/v1/movements?reference=${p.number}`, h.a.keys.read);
    expect(movements.json().data).toHaveLength(5);

    const closedList = await h.get('/v1/purchase-orders?state=closed', h.a.keys.read);
    expect(closedList.json().data.map((x: Json) => x.id)).toContain(p.id);
    const openList = await h.get('/v1/purchase-orders?state=open', h.a.keys.read);
    expect(openList.json().data.map((x: Json) => x.id)).not.toContain(p.id);
    expect((await h.post(`/v1/purchase-orders/${p.id}/receipts`, { lines: [{ sku, good: 1 }] })).statusCode).toBe(409);
  });

  it('receives over the order only with allow_over_receipt', async () => {
    const { sku } = await h.item();
    const p = await poFor(sku, 2);
    expectProblem(await h.unchanged(() => h.post(`/v1/purchase-orders/${p.id}/receipts`, { lines: [{ line: 1, good: 3 }] }), [sku]), 'over_receipt', 'lines[0].good');
    const r = await okay(`/v1/purchase-orders/${p.id}/receipts`, { lines: [{ line: 1, good: 3 }], allow_over_receipt: true });
    expect(r.purchase_order).toMatchObject({ state: 'closed', close_reason: 'received_in_full', received_good: 3 });
    expect(await h.totals(sku)).toMatchObject({ available: 3, incoming: 0 });
  });

  it('refuses bad purchase-order requests with the exact code and field, writing nothing', async () => {
    const { sku } = await h.item();
    const p = await poFor(sku, 5);
    const base = { supplier: 'Acme', location: 'WH1', lines: [{ sku, quantity: 1 }] };
    const cases: [string, string, Json, string, string][] = [
      ['unknown sku', '/v1/purchase-orders', { ...base, lines: [{ sku: 'NOPE', quantity: 1 }] }, 'unknown_item', 'lines[0].sku'],
      ['unknown location', '/v1/purchase-orders', { ...base, location: 'NOPE' }, 'unknown_location', 'location'],
      ['zero quantity', '/v1/purchase-orders', { ...base, lines: [{ sku, quantity: 0 }] }, 'validation_failed', 'lines[0].quantity'],
      ['negative quantity', '/v1/purchase-orders', { ...base, lines: [{ sku, quantity: -3 }] }, 'validation_failed', 'lines[0].quantity'],
      ['fractional quantity', '/v1/purchase-orders', { ...base, lines: [{ sku, quantity: 1.5 }] }, 'validation_failed', 'lines[0].quantity'],
      ['no supplier', '/v1/purchase-orders', { location: 'WH1', lines: [{ sku, quantity: 1 }] }, 'validation_failed', 'supplier'],
      ['a typo', '/v1/purchase-orders', { ...base, suplier: 'x' }, 'validation_failed', 'suplier'],
      ['a bad eta', '/v1/purchase-orders', { ...base, eta: 'next week' }, 'validation_failed', 'eta'],
      ['a taken number', '/v1/purchase-orders', { ...base, number: p.number }, 'document_number_taken', 'number'],
      ['unknown line', `/v1/purchase-orders/${p.id}/receipts`, { lines: [{ line: 7, good: 1 }] }, 'validation_failed', 'lines[0].line'],
      ['sku not on the PO', `/v1/purchase-orders/${p.id}/receipts`, { lines: [{ sku: h.a.sku, good: 1 }] }, 'unknown_item', 'lines[0].sku'],
      ['nothing received', `/v1/purchase-orders/${p.id}/receipts`, { lines: [{ sku, good: 0, damaged: 0 }] }, 'invalid_quantity', 'lines[0].good'],
      ['negative good', `/v1/purchase-orders/${p.id}/receipts`, { lines: [{ sku, good: -1 }] }, 'validation_failed', 'lines[0].good'],
      ['fractional damaged', `/v1/purchase-orders/${p.id}/receipts`, { lines: [{ sku, damaged: 0.5 }] }, 'validation_failed', 'lines[0].damaged'],
      ['over receipt', `/v1/purchase-orders/${p.id}/receipts`, { lines: [{ sku, good: 6 }] }, 'over_receipt', 'lines[0].good'],
      ['unknown PO', '/v1/purchase-orders/po_nope/receipts', { lines: [{ sku, good: 1 }] }, 'not_found', ''],
    ];
    for (const [label, url, body, code, field] of cases) {
      const res = await h.unchanged(() => h.post(url, body), [sku]);
      expect(res.json().code, label).toBe(code);
      expectProblem(res, code as never, field || undefined);
    }
    expectProblem(await h.get('/v1/purchase-orders/po_nope', h.a.keys.read), 'not_found');
  });

  it('refuses a receipt on a closed PO and closing twice', async () => {
    const { sku } = await h.item();
    const p = await poFor(sku, 5);
    await okay(`/v1/purchase-orders/${p.id}/close`, { reason: 'cancelled' });
    expectProblem(await h.unchanged(() => h.post(`/v1/purchase-orders/${p.id}/receipts`, { lines: [{ sku, good: 1 }] }), [sku]), 'document_closed', 'id');
    expectProblem(await h.unchanged(() => h.post(`/v1/purchase-orders/${p.id}/close`, { reason: 'again' }), [sku]), 'document_closed', 'id');
  });

  it('runs a transfer: ship, partial receipt with damage, close with loss', async () => {
    const { sku } = await h.item(10);
    const shipped = await created('/v1/transfers', { from: 'WH1', to: 'ST1', eta: '2026-12-02', lines: [{ sku, quantity: 8 }] });
    const t = shipped.transfer;
    expect(t).toMatchObject({ from: 'WH1', to: 'ST1', state: 'in_transit', shipped: 8, in_transit: 8 });
    expect(t.number).toMatch(/^TR-\d{6}$/);
    expect(await h.totals(sku)).toMatchObject({ available: 2, incoming: 8, on_hand: 2 });

    const part = await okay(`/v1/transfers/${t.id}/receipts`, { lines: [{ sku, good: 5, damaged: 1 }] });
    expect(part.transfer).toMatchObject({ received: 5, damaged: 1, in_transit: 2, state: 'in_transit' });
    expectProblem(await h.unchanged(() => h.post(`/v1/transfers/${t.id}/receipts`, { lines: [{ sku, good: 3 }] }), [sku]), 'over_receipt', 'lines[0].good');
    const closed = await okay(`/v1/transfers/${t.id}/close`);
    expect(closed.transfer).toMatchObject({ state: 'closed', lost: 2, in_transit: 0 });
    expect(await h.totals(sku)).toMatchObject({ available: 7, damaged: 1, incoming: 0, on_hand: 8 });
    expectProblem(await h.unchanged(() => h.post(`/v1/transfers/${t.id}/close`), [sku]), 'document_closed', 'id');

    const shown = (await h.get(`/v1/transfers/${t.number}`, h.a.keys.read)).json();
    expect(shown.transfer.lines).toEqual([{ line: 1, sku, shipped: 8, received: 5, damaged: 1, lost: 2, in_transit: 0 }]);
    expect(shown.movements.filter((m: Json) => m.reason === 'transfer_variance')).toHaveLength(2);
    expect((await h.get('/v1/transfers?state=closed', h.a.keys.read)).json().data.map((x: Json) => x.id)).toContain(t.id);
    const verify = await h.get('/v1/verify', h.a.keys.admin);
    expect(verify.json().ok).toBe(true);
  });

  it('refuses bad transfers with the exact code and field, writing nothing', async () => {
    const { sku } = await h.item(3);
    const cases: [string, Json, string, string][] = [
      ['to itself', { from: 'WH1', to: 'WH1', lines: [{ sku, quantity: 1 }] }, 'validation_failed', 'to'],
      ['short source', { from: 'WH1', to: 'ST1', lines: [{ sku, quantity: 4 }] }, 'insufficient_stock', 'lines[0].quantity'],
      ['unknown sku', { from: 'WH1', to: 'ST1', lines: [{ sku: 'NOPE', quantity: 1 }] }, 'unknown_item', 'lines[0].sku'],
      ['unknown location', { from: 'WH1', to: 'NOPE', lines: [{ sku, quantity: 1 }] }, 'unknown_location', 'to'],
      ['zero quantity', { from: 'WH1', to: 'ST1', lines: [{ sku, quantity: 0 }] }, 'validation_failed', 'lines[0].quantity'],
      ['no lines', { from: 'WH1', to: 'ST1', lines: [] }, 'validation_failed', 'lines'],
    ];
    for (const [label, body, code, field] of cases) {
      const res = await h.unchanged(() => h.post('/v1/transfers', body), [sku]);
      expect(res.json().code, label).toBe(code);
      expectProblem(res, code as never, field);
    }
    expectProblem(await h.unchanged(() => h.post('/v1/transfers/tr_nope/receipts', { lines: [{ sku, good: 1 }] }), [sku]), 'not_found');
  });

  it('replays the same key and refuses it with another body', async () => {
    const { sku } = await h.item(5);
    const body = { from: 'WH1', to: 'ST1', lines: [{ sku, quantity: 2 }] };
    const first = await h.post('/v1/transfers', body, { idem: 'tr-key-1' });
    expect(first.statusCode).toBe(201);
    const again = await h.post('/v1/transfers', body, { idem: 'tr-key-1' });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await h.totals(sku)).toMatchObject({ available: 3, incoming: 2 });
    expectProblem(await h.post('/v1/transfers', { ...body, lines: [{ sku, quantity: 1 }] }, { idem: 'tr-key-1' }), 'idempotency_key_reused');
    const id = first.json().transfer.id;
    const r1 = await h.post(`/v1/transfers/${id}/receipts`, { lines: [{ line: 1, good: 1 }] }, { idem: 'tr-rcv-1' });
    const r2 = await h.post(`/v1/transfers/${id}/receipts`, { lines: [{ line: 1, good: 1 }] }, { idem: 'tr-rcv-1' });
    expect(r2.json()).toEqual(r1.json());
    expect(r2.headers['idempotent-replayed']).toBe('true');
    expect(await h.totals(sku)).toMatchObject({ available: 4, incoming: 1 });
    // The same body on another document is another request.
    const p = await poFor(sku, 5);
    const p1 = await h.post(`/v1/purchase-orders/${p.id}/receipts`, { lines: [{ line: 1, good: 1 }] }, { idem: 'po-rcv-1' });
    expect(p1.statusCode).toBe(200);
    expectProblem(await h.post(`/v1/purchase-orders/${p.id}/receipts`, { lines: [{ line: 1, good: 2 }] }, { idem: 'po-rcv-1' }), 'idempotency_key_reused');
  });

  it('needs operate to write and read to read, and keeps workspaces apart', async () => {
    const { sku } = await h.item();
    const p = await poFor(sku, 1);
    expectProblem(await h.post('/v1/purchase-orders', { supplier: 'A', location: 'WH1', lines: [{ sku, quantity: 1 }] }, { key: h.a.keys.read }), 'forbidden');
    expectProblem(await h.post('/v1/transfers', { from: 'WH1', to: 'ST1', lines: [{ sku, quantity: 1 }] }, { key: h.a.keys.read }), 'forbidden');
    expect((await h.get(`/v1/purchase-orders/${p.id}`, h.a.keys.read)).statusCode).toBe(200);
    expectProblem(await h.get(`/v1/purchase-orders/${p.id}`, h.b.keys.read), 'not_found');
    expectProblem(await h.post(`/v1/purchase-orders/${p.id}/close`, { reason: 'x' }, { key: h.b.keys.operate }), 'not_found');
    expect((await h.get('/v1/purchase-orders', h.b.keys.read)).json().data).toEqual([]);
  });

  it('documents its endpoints in the OpenAPI description', async () => {
    const res = await h.get('/openapi.json', null);
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    for (const p of ['/v1/purchase-orders', '/v1/purchase-orders/{id}', '/v1/purchase-orders/{id}/receipts', '/v1/purchase-orders/{id}/close', '/v1/transfers', '/v1/transfers/{id}', '/v1/transfers/{id}/receipts', '/v1/transfers/{id}/close']) {
      expect(paths).toContain(p);
    }
  });

  it('pages purchase orders with a cursor', async () => {
    const { sku } = await h.item();
    for (let i = 0; i < 3; i++) {
      await poFor(sku, 1);
      h.clock.advance(1);
    }
    const seen: string[] = [];
    let url = '/v1/purchase-orders?limit=2';
    for (;;) {
      const res = (await h.get(url, h.a.keys.read)).json();
      seen.push(...res.data.map((x: Json) => x.id));
      if (!res.next_cursor) break;
      url = `/v1/purchase-orders?limit=2&cursor=${res.next_cursor}`;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expectProblem(await h.get('/v1/purchase-orders?state=lost', h.a.keys.read), 'validation_failed', 'state');
  });
});
