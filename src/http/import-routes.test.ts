import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness } from '../../test/support/http.ts';
import { STOCK_FORMATS } from '../app/stock-import.ts';

describe.each(['sqlite', 'postgres'] as const)('CSV import routes on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start(), 60_000);
  afterAll(() => h.stop());

  const send = (url: string, body: string, idem: string | null = randomUUID(), key = h.a.keys.operate) =>
    h.inject({ method: 'POST', url, payload: body, headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv', ...(idem ? { 'idempotency-key': idem } : {}) } });

  it('imports items from text/csv, replays the same key, and refuses bad rows with every line', async () => {
    const text = 'sku,name\nCSV-1,One\nCSV-2,"Two, too"\n';
    const idem = randomUUID();
    const res = await send('/v1/imports/items', text, idem);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({ import: { rows: 2, created: 2, updated: 0, unchanged: 0 } });
    const again = await send('/v1/imports/items', text, idem);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // The same rows under a new key create nothing: a 200.
    const unchanged = await send('/v1/imports/items', text);
    expect(unchanged.statusCode, unchanged.body).toBe(200);
    expect(unchanged.json()).toEqual({ import: { rows: 2, created: 0, updated: 0, unchanged: 2 } });

    const bad = await h.unchanged(() => send('/v1/imports/items', 'sku,name\nCSV-3,ok\nCSV-4,\nCSV-3,dup\n'));
    const problem = expectProblem(bad, 'csv_invalid');
    expect(problem.errors).toEqual([
      { line: 3, column: 'name', reason: 'name must not be empty' },
      { line: 4, column: 'sku', reason: 'duplicate SKU "CSV-3" (first on line 2)' },
    ]);
    expect(problem.error_count).toBe(2);
    expectProblem(await send('/v1/imports/items', text, null), 'idempotency_key_required');
    expectProblem(await send('/v1/imports/items', text, randomUUID(), h.a.keys.read), 'forbidden');
  });

  it('lists the stock formats it takes: ours first, then each kind that declares an export', async () => {
    const res = await h.get('/v1/imports/stock/formats', h.a.keys.read);
    expect(res.statusCode, res.body).toBe(200);
    const formats = res.json().data as { format: string; label: string; creates_items: boolean }[];
    expect(formats[0]).toEqual({ format: 'truestock', label: 'truestock CSV (sku,location,on_hand[,zone])', creates_items: false });
    expect(formats.map((x) => x.format)).toEqual([...STOCK_FORMATS.keys()]);
  });

  it('imports counted stock, streams exports, and answers csv_invalid for unknown names', async () => {
    const res = await send('/v1/imports/stock?file_name=cycle.csv', `sku,location,on_hand\n${h.a.sku},WH1,7\n`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().import).toMatchObject({ reference: 'import:cycle.csv', changed: 1, units_removed: 3 });
    expect((await h.totals(h.a.sku)).on_hand).toBe(7);

    const stock = await h.get('/v1/exports/stock', h.a.keys.read);
    expect(stock.statusCode).toBe(200);
    expect(stock.headers['content-type']).toMatch(/^text\/csv/);
    expect(stock.body).toBe(`sku,location,on_hand,zone\n${h.a.sku},WH1,7,\n`);
    const items = await h.get('/v1/exports/items', h.a.keys.read);
    expect(items.statusCode).toBe(200);
    expect(items.headers['content-type']).toMatch(/^text\/csv/);
    expect(items.body).toMatch(/^sku,name,barcode,archived,kind/);

    const bad = await h.unchanged(() => send('/v1/imports/stock', `sku,location,on_hand\n${h.b.sku},WH1,1\n`));
    expect(expectProblem(bad, 'csv_invalid').errors).toEqual([{ line: 2, column: 'sku', reason: `no item with SKU "${h.b.sku}"` }]);
  });
});
