// Returns and cycle counts through the HTTP API, once per store. Every refusal is checked for
// its exact status, code and field, and for writing nothing (stock, movements and the document).

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json } from '../../test/support/http.ts';

describe.each(['sqlite', 'postgres'] as const)('returns and counts over HTTP on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  const sql = (text: string, params: (string | number | boolean | null)[]) => h.ts.store.transaction((db) => db.run(text, params));
  const level = async (sku: string) => (await h.totals(sku)) as Json;
  const getJson = async (url: string, key = h.a.keys.admin) => {
    const res = await h.get(url, key);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  /** Nothing in workspace A changes, the documents at `urls` included. */
  const unchanged = async (fn: () => Promise<any>, skus: string[], urls: string[]) => {
    const before = await Promise.all(urls.map((u) => getJson(u)));
    const out = await h.unchanged(fn, skus);
    expect(await Promise.all(urls.map((u) => getJson(u)))).toEqual(before);
    return out;
  };
  const newReturn = async (lines: Json[], extra: Json = {}) => {
    const res = await h.post('/v1/returns', { location: 'WH1', lines, ...extra });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().return as Json;
  };
  const newCount = async (body: Json, key = h.a.keys.operate) => {
    const res = await h.post('/v1/counts', { location: 'WH1', ...body }, { key });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().count as Json;
  };

  describe('returns', () => {
    it('receives into quality_control, inspects to four outcomes, and closes; movements carry the number', async () => {
      const { sku } = await h.item(5);
      const r = await newReturn([{ sku, quantity: 4 }], { order_reference: 'ORDER-77', number: `RMA-${randomUUID().slice(0, 8)}` });
      expect(r).toMatchObject({ state: 'open', order_reference: 'ORDER-77', lines: [{ line: 1, sku, expected: 4, received: 0, awaiting_inspection: 0 }] });

      const got = await h.post(`/v1/returns/${r.id}/receipts`, { lines: [{ sku, quantity: 4 }] });
      expect(got.statusCode, got.body).toBe(200);
      expect(got.json().movements).toMatchObject([{ from: 'customer', to: 'quality_control', quantity: 4, reason: 'return', reference: r.number, command: 'return_receive' }]);
      expect(await level(sku)).toMatchObject({ available: 5, quality_control: 4, on_hand: 9 });

      const inspected = await h.post(`/v1/returns/${r.id}/inspections`, { lines: [{ line: 1, restock: 1, damaged: 1, write_off: 1, return_to_vendor: 1 }] });
      expect(inspected.statusCode, inspected.body).toBe(200);
      expect(inspected.json().movements.map((m: Json) => [m.from, m.to, m.quantity, m.reason])).toEqual([
        ['quality_control', 'available', 1, 'restock'],
        ['quality_control', 'damaged', 1, 'damaged'],
        ['quality_control', 'shrinkage', 1, 'write_off'],
        ['quality_control', 'vendor', 1, 'return_to_vendor'],
      ]);
      expect(inspected.json().return.lines[0]).toMatchObject({ received: 4, restocked: 1, damaged: 1, written_off: 1, returned_to_vendor: 1, awaiting_inspection: 0 });
      expect(await level(sku)).toMatchObject({ available: 6, damaged: 1, quality_control: 0, on_hand: 7 });

      const closed = await h.post(`/v1/returns/${r.id}/close`);
      expect(closed.statusCode, closed.body).toBe(200);
      expect(closed.json().return).toMatchObject({ state: 'closed' });
      expect((await getJson(`/v1/movements?reference=${r.number}`)).data).toHaveLength(5);
      expect((await getJson('/v1/verify')).ok).toBe(true);
    });

    it('sends items that skip return inspection straight to available', async () => {
      const { sku } = await h.item();
      await sql('UPDATE items SET skip_return_inspection = ? WHERE sku = ?', [true, sku]);
      const r = await newReturn([{ sku, quantity: 2 }]);
      const got = await h.post(`/v1/returns/${r.id}/receipts`, { lines: [{ line: 1, quantity: 2 }] });
      expect(got.json().movements).toMatchObject([{ from: 'customer', to: 'available', quantity: 2 }]);
      expect(got.json().return.lines[0]).toMatchObject({ received: 2, restocked: 2, awaiting_inspection: 0, skips_inspection: true });
      expect(await level(sku)).toMatchObject({ available: 2, quality_control: 0 });
    });

    it('refuses bad input with the exact code and field, writing nothing', async () => {
      const { sku } = await h.item();
      const r = await newReturn([{ sku, quantity: 2 }]);
      const url = `/v1/returns/${r.id}`;
      const cases: [string, Json, string, string | undefined][] = [
        ['/receipts', { lines: [{ sku, quantity: 3 }] }, 'over_receipt', 'lines[0].quantity'],
        ['/receipts', { lines: [{ sku, quantity: 0 }] }, 'validation_failed', 'lines[0].quantity'],
        ['/receipts', { lines: [{ line: 2, quantity: 1 }] }, 'validation_failed', 'lines[0].line'],
        ['/receipts', { lines: [{ sku: 'NOT-ON-IT', quantity: 1 }] }, 'validation_failed', 'lines[0].sku'],
        ['/receipts', { lines: [{ line: 1, sku, quantity: 1 }] }, 'validation_failed', 'lines[0]'],
        ['/receipts', { lines: [{ quantity: 1 }] }, 'validation_failed', 'lines[0]'],
        ['/receipts', { lines: [] }, 'validation_failed', 'lines'],
        ['/inspections', { lines: [{ sku, restock: 1 }] }, 'nothing_to_inspect', 'lines[0]'],
        ['/inspections', { lines: [{ sku }] }, 'invalid_quantity', 'lines[0]'],
        ['/inspections', { lines: [{ sku, restock: -1 }] }, 'validation_failed', 'lines[0].restock'],
      ];
      for (const [path, body, code, field] of cases) {
        const res = await unchanged(() => h.post(url + path, body), [sku], [url]);
        expectProblem(res, code as never, field);
      }
      // Over-receipt with the flag is taken; then two of three units inspected leave one awaiting.
      expect((await h.post(`${url}/receipts`, { lines: [{ sku, quantity: 3 }], allow_over_receipt: true })).statusCode).toBe(200);
      expect((await h.post(`${url}/inspections`, { lines: [{ sku, restock: 2 }] })).statusCode).toBe(200);
      const problem = expectProblem(await unchanged(() => h.post(`${url}/close`), [sku], [url]), 'validation_failed', 'lines');
      expect(problem.awaiting_inspection).toEqual([{ line: 1, sku, quantity: 1 }]);
      expectProblem(await unchanged(() => h.post(`${url}/inspections`, { lines: [{ sku, damaged: 2 }] }), [sku], [url]), 'nothing_to_inspect', 'lines[0]');
      expect((await h.post(`${url}/inspections`, { lines: [{ sku, damaged: 1 }] })).statusCode).toBe(200);
      expect((await h.post(`${url}/close`)).statusCode).toBe(200);
      expectProblem(await unchanged(() => h.post(`${url}/receipts`, { lines: [{ sku, quantity: 1 }], allow_over_receipt: true }), [sku], [url]), 'document_closed');
      expectProblem(await unchanged(() => h.post(`${url}/close`), [sku], [url]), 'document_closed');
    });

    it('refuses a bad new return, and a taken number', async () => {
      const { sku } = await h.item();
      const cases: [Json, string, string][] = [
        [{ location: 'NOPE', lines: [{ sku, quantity: 1 }] }, 'unknown_location', 'location'],
        [{ location: 'WH1', lines: [{ sku: 'NOPE', quantity: 1 }] }, 'unknown_item', 'lines[0].sku'],
        [{ location: 'WH1', lines: [{ sku, quantity: 1 }, { sku, quantity: 2 }] }, 'validation_failed', 'lines[1].sku'],
        [{ location: 'WH1', lines: [{ sku, quantity: 0 }] }, 'validation_failed', 'lines[0].quantity'],
        [{ location: 'WH1', lines: [] }, 'validation_failed', 'lines'],
        [{ location: 'WH1', channel_id: 'chn_nope', lines: [{ sku, quantity: 1 }] }, 'validation_failed', 'channel_id'],
        // Found by the contract fuzz: an empty id skipped the check and was a 500 on PostgreSQL.
        [{ location: 'WH1', channel_id: '', lines: [{ sku, quantity: 1 }] }, 'validation_failed', 'channel_id'],
      ];
      const list = '/v1/returns?limit=500';
      for (const [body, code, field] of cases) expectProblem(await unchanged(() => h.post('/v1/returns', body), [sku], [list]), code as never, field);
      await newReturn([{ sku, quantity: 1 }], { number: 'RMA-TAKEN' });
      expectProblem(await unchanged(() => h.post('/v1/returns', { location: 'WH1', number: 'RMA-TAKEN', lines: [{ sku, quantity: 1 }] }), [sku], [list]), 'document_number_taken', 'number');
    });

    it('replays a receipt under the same key and keeps other workspaces out', async () => {
      const { sku } = await h.item();
      const r = await newReturn([{ sku, quantity: 2 }]);
      const idem = randomUUID();
      const first = await h.post(`/v1/returns/${r.id}/receipts`, { lines: [{ sku, quantity: 1 }] }, { idem });
      const again = await h.post(`/v1/returns/${r.id}/receipts`, { lines: [{ sku, quantity: 1 }] }, { idem });
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual(first.json());
      expect(await level(sku)).toMatchObject({ quality_control: 1 });
      expectProblem(await h.post(`/v1/returns/${r.id}/receipts`, { lines: [{ sku, quantity: 2 }] }, { idem }), 'idempotency_key_reused');
      expectProblem(await h.get(`/v1/returns/${r.id}`, h.b.keys.admin), 'not_found');
      expectProblem(await h.post(`/v1/returns/${r.id}/receipts`, { lines: [{ sku, quantity: 1 }] }, { key: h.b.keys.operate }), 'not_found');
      expectProblem(await h.post(`/v1/returns/${r.id}/receipts`, { lines: [{ sku, quantity: 1 }] }, { key: h.a.keys.read }), 'forbidden');
      const listed = await getJson('/v1/returns?state=open&limit=500', h.a.keys.read);
      expect(listed.data.map((x: Json) => x.id)).toContain(r.id);
      // A return is also found by its number.
      expect((await getJson(`/v1/returns/${r.number}`, h.a.keys.read)).return.id).toBe(r.id);
    });
  });

  describe('cycle counts', () => {
    it('snapshots, takes entries from several counters, reports variances and posts them as cycle_count', async () => {
      const a = await h.item(10);
      const b = await h.item(7);
      const c = await newCount({ scope: 'skus', skus: [a.sku, b.sku] });
      expect(c.lines).toEqual([
        expect.objectContaining({ sku: a.sku, snapshot: 10, counted: null, variance: null }),
        expect.objectContaining({ sku: b.sku, snapshot: 7, counted: null }),
      ]);
      // Two counters count different shelves of A; counter x corrects their own number.
      const e1 = await h.post(`/v1/counts/${c.id}/entries`, { entries: [{ sku: a.sku, counted: 5, counter: 'x' }, { sku: a.sku, counted: 4, counter: 'y' }] });
      expect(e1.statusCode, e1.body).toBe(200);
      await h.post(`/v1/counts/${c.id}/entries`, { entries: [{ sku: a.sku, counted: 3, counter: 'x' }] });
      const report = await getJson(`/v1/counts/${c.id}/variances`);
      expect(report.lines[0]).toMatchObject({ sku: a.sku, snapshot: 10, expected: 10, counted: 7, variance: -3, variance_percent: 30, exceeds_threshold: false });
      expect(report.uncounted).toEqual([b.sku]);

      const posted = await h.post(`/v1/counts/${c.id}/post`);
      expect(posted.statusCode, posted.body).toBe(200);
      expect(posted.json().count).toMatchObject({ state: 'posted', approved_by: null });
      expect(posted.json().movements).toMatchObject([{ sku: a.sku, from: 'available', to: 'count_variance', quantity: 3, reason: 'cycle_count', command: 'count_post', reference: c.number }]);
      expect(await level(a.sku)).toMatchObject({ on_hand: 7 });
      expect(await level(b.sku)).toMatchObject({ on_hand: 7 });
      expectProblem(await unchanged(() => h.post(`/v1/counts/${c.id}/entries`, { entries: [{ sku: a.sku, counted: 1 }] }), [a.sku], [`/v1/counts/${c.id}`]), 'document_closed');
      expectProblem(await unchanged(() => h.post(`/v1/counts/${c.id}/post`), [a.sku], [`/v1/counts/${c.id}`]), 'document_closed');
      expectProblem(await h.post(`/v1/counts/${c.id}/cancel`), 'document_closed');
      expect((await getJson('/v1/verify')).ok).toBe(true);
    });

    it('never erases a sale made between the entry and the posting', async () => {
      const a = await h.item(10);
      const c = await newCount({ scope: 'skus', skus: [a.sku] });
      // The shelf holds 9 (one unit went missing); the count says so.
      await h.post(`/v1/counts/${c.id}/entries`, { entries: [{ sku: a.sku, counted: 9 }] });
      // Then a sale ships 2 units before the count is posted.
      const hold = await h.reserve(a.sku, 2);
      expect((await h.post(`/v1/holds/${hold.id}/allocate`, { order_reference: 'O-1' })).statusCode).toBe(200);
      expect((await h.post(`/v1/holds/${hold.id}/ship`, {})).statusCode).toBe(200);
      expect((await h.post(`/v1/counts/${c.id}/post`)).statusCode).toBe(200);
      expect(await level(a.sku)).toMatchObject({ on_hand: 7 });
    });

    it('counts a whole location, or its zones', async () => {
      const a = await h.item(3);
      const b = await h.item(4);
      await sql('UPDATE stock_levels SET zone = ? WHERE item_id = ?', ['Z-A', a.id]);
      await sql('UPDATE stock_levels SET zone = ? WHERE item_id = ?', ['Z-B', b.id]);
      const zoned = await newCount({ scope: 'zones', zones: ['Z-A'] });
      expect(zoned.lines.map((l: Json) => l.sku)).toEqual([a.sku]);
      const all = await newCount({ scope: 'all' });
      expect(all.lines.map((l: Json) => l.sku)).toEqual(expect.arrayContaining([a.sku, b.sku, h.a.sku]));
      expect(await h.post(`/v1/counts/${all.id}/cancel`)).toMatchObject({ statusCode: 200 });
      expect((await getJson(`/v1/counts?state=cancelled`)).data.map((x: Json) => x.id)).toContain(all.id);
    });

    it('refuses a bad count with the exact code and field, writing nothing', async () => {
      const a = await h.item(1);
      const list = '/v1/counts?limit=500';
      const cases: [Json, string, string][] = [
        [{ scope: 'skus', skus: ['NOPE'] }, 'unknown_item', 'skus[0]'],
        [{ scope: 'skus' }, 'validation_failed', 'skus'],
        [{ scope: 'zones', zones: ['NO-SUCH-ZONE'] }, 'validation_failed', 'scope'],
        [{ scope: 'sideways' }, 'validation_failed', 'scope'],
        [{ scope: 'all', skus: [a.sku] }, 'validation_failed', 'skus'],
        [{ scope: 'skus', skus: [a.sku], location: 'NOPE' }, 'unknown_location', 'location'],
      ];
      for (const [body, code, field] of cases) expectProblem(await unchanged(() => h.post('/v1/counts', { location: 'WH1', ...body }), [a.sku], [list]), code as never, field);
      const c = await newCount({ scope: 'skus', skus: [a.sku] });
      const url = `/v1/counts/${c.id}`;
      const bad: [Json, string, string][] = [
        [{ entries: [{ sku: h.a.sku, counted: 1 }] }, 'validation_failed', 'entries[0].sku'],
        [{ entries: [{ sku: a.sku, counted: -1 }] }, 'validation_failed', 'entries[0].counted'],
        [{ entries: [] }, 'validation_failed', 'entries'],
      ];
      for (const [body, code, field] of bad) expectProblem(await unchanged(() => h.post(`${url}/entries`, body), [a.sku], [url]), code as never, field);
      expectProblem(await unchanged(() => h.post(`${url}/post`), [a.sku], [url]), 'validation_failed', 'entries');
      expectProblem(await h.post(`${url}/approve`), 'forbidden');
      expectProblem(await h.get(url, h.b.keys.admin), 'not_found');
    });

    it('hides the books of a blind count from operate and read keys until it is posted', async () => {
      const a = await h.item(6);
      const c = await newCount({ scope: 'skus', skus: [a.sku], blind: true });
      expect(c).toMatchObject({ books_hidden: true, lines: [{ sku: a.sku, your_counts: [] }] });
      expect(JSON.stringify(c)).not.toMatch(/snapshot|expected|variance/);
      const entered = await h.post(`/v1/counts/${c.id}/entries`, { entries: [{ sku: a.sku, counted: 4 }] });
      expect(entered.json().count.lines).toEqual([{ sku: a.sku, your_counts: [{ counter: expect.stringMatching(/^key_/), counted: 4 }] }]);
      for (const key of [h.a.keys.operate, h.a.keys.read]) {
        const seen = await getJson(`/v1/counts/${c.id}`, key);
        expect(JSON.stringify(seen)).not.toMatch(/snapshot|expected|variance"|"6"/);
        expectProblem(await h.get(`/v1/counts/${c.id}/variances`, key), 'forbidden');
      }
      // The read key sees only SKUs: it entered nothing.
      expect((await getJson(`/v1/counts/${c.id}`, h.a.keys.read)).count.lines).toEqual([{ sku: a.sku, your_counts: [] }]);
      const admin = await getJson(`/v1/counts/${c.id}`, h.a.keys.admin);
      expect(admin.count.lines[0]).toMatchObject({ snapshot: 6, expected: 6, counted: 4, variance: -2 });
      expect((await h.post(`/v1/counts/${c.id}/post`)).statusCode).toBe(200);
      expect((await getJson(`/v1/counts/${c.id}`, h.a.keys.read)).count.lines[0]).toMatchObject({ snapshot: 6, counted: 4, variance: -2 });
    });

    it('holds a variance over the threshold for an admin, who approves it', async () => {
      const a = await h.item(10);
      const settings = await h.inject({ method: 'PUT', url: '/v1/settings/counts', headers: { authorization: `Bearer ${h.a.keys.admin}`, 'idempotency-key': randomUUID() }, payload: { variance_units_max: 2, variance_percent_max: 50 } });
      expect(settings.statusCode, settings.body).toBe(200);
      const operatePut = await h.inject({ method: 'PUT', url: '/v1/settings/counts', headers: { authorization: `Bearer ${h.a.keys.operate}`, 'idempotency-key': randomUUID() }, payload: { variance_units_max: 1 } });
      expectProblem(operatePut, 'forbidden');
      expect((await getJson('/v1/settings/counts', h.a.keys.read)).settings).toEqual({ variance_units_max: 2, variance_percent_max: 50 });
      try {
        const c = await newCount({ scope: 'skus', skus: [a.sku] });
        await h.post(`/v1/counts/${c.id}/entries`, { entries: [{ sku: a.sku, counted: 6 }] });
        const url = `/v1/counts/${c.id}`;
        const waiting = await h.unchanged(() => h.post(`${url}/post`), [a.sku]);
        expect(waiting.statusCode, waiting.body).toBe(202);
        expect(waiting.json().count).toMatchObject({ state: 'awaiting_approval', exceeding: [a.sku], lines: [{ variance: -4, exceeds_threshold: true }] });
        expect(waiting.json().movements).toEqual([]);
        expectProblem(await unchanged(() => h.post(`${url}/post`), [a.sku], [url]), 'approval_required');
        const approved = await h.post(`${url}/approve`, undefined, { key: h.a.keys.admin });
        expect(approved.statusCode, approved.body).toBe(200);
        expect(approved.json().count).toMatchObject({ state: 'posted', approved_by: expect.stringMatching(/^key_/) });
        expect(await level(a.sku)).toMatchObject({ on_hand: 6 });

        // An admin posting over the threshold posts at once, recording the approval.
        const d = await newCount({ scope: 'skus', skus: [a.sku] });
        await h.post(`/v1/counts/${d.id}/entries`, { entries: [{ sku: a.sku, counted: 20 }] });
        const direct = await h.post(`/v1/counts/${d.id}/post`, undefined, { key: h.a.keys.admin });
        expect(direct.json().count).toMatchObject({ state: 'posted', approved_by: expect.stringMatching(/^key_/) });
        expect(await level(a.sku)).toMatchObject({ on_hand: 20 });
      } finally {
        await h.inject({ method: 'PUT', url: '/v1/settings/counts', headers: { authorization: `Bearer ${h.a.keys.admin}`, 'idempotency-key': randomUUID() }, payload: { variance_units_max: null, variance_percent_max: null } });
      }
    });

    it('replays entries and postings under the same key', async () => {
      const a = await h.item(5);
      const c = await newCount({ scope: 'skus', skus: [a.sku] });
      const idem = randomUUID();
      const first = await h.post(`/v1/counts/${c.id}/entries`, { entries: [{ sku: a.sku, counted: 8 }] }, { idem });
      const again = await h.post(`/v1/counts/${c.id}/entries`, { entries: [{ sku: a.sku, counted: 8 }] }, { idem });
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual(first.json());
      expect((await getJson(`/v1/counts/${c.id}`)).count.lines[0].counters).toHaveLength(1);
      const postKey = randomUUID();
      const p1 = await h.post(`/v1/counts/${c.id}/post`, undefined, { idem: postKey });
      const p2 = await h.post(`/v1/counts/${c.id}/post`, undefined, { idem: postKey });
      expect(p2.json()).toEqual(p1.json());
      expect(await level(a.sku)).toMatchObject({ on_hand: 8 });
    });
  });
});
