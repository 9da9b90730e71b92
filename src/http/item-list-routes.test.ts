// The Items list over HTTP, on SQLite and PostgreSQL: numbers in total and at a location, every
// column sorted both ways, filters, search by SKU, name and barcode, cursor pages that stay
// stable while items are added, and bad parameters answered with the field at fault.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';

const SORTS = ['sku', 'name', 'kind', 'barcode', 'on_hand', 'available', 'committed', 'incoming'] as const;
const NUMERIC = new Set(['on_hand', 'available', 'committed', 'incoming']);
/** Items the fixture makes (besides the bundle). */
const ITEMS = 23;

describe.each(STORE_KINDS)('the items list on %s', (kind) => {
  const h = new Harness(kind);
  // SKUs with a prefix of their own: every query here searches it, so the harness's items stay out.
  const P = `lst${kind[0]}`;
  const made: Json[] = [];
  let productId = '';

  const list = async (query: string, key = h.a.keys.read): Promise<Json> => {
    const res = await h.get(`/v1/items?${query}`, key);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  /** Every page of a query, following next_cursor. */
  const pages = async (query: string, limit: number): Promise<Json[]> => {
    const rows: Json[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 100; n++) {
      const page: Json = await list(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      rows.push(...page.data);
      cursor = page.next_cursor;
      if (!cursor) return rows;
      expect(page.data).toHaveLength(limit);
    }
    throw new Error('more than 100 pages');
  };
  const ok = async (url: string, body: unknown, key?: string) => {
    const res = await h.post(url, body, key ? { key } : {});
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json();
  };

  beforeAll(async () => {
    await h.start();
    await ok('/v1/locations', { code: 'LST2', name: 'Second', kind: 'store' }, h.a.keys.admin);
    productId = (await ok('/v1/products', { handle: `${P}-tee`, name: 'Tee', option_names: ['Size'] })).product.id;
    for (let i = 0; i < ITEMS; i++) {
      // Names and numbers in an order of their own, so no sort is another sort by accident.
      const sku = `${P}-${String(i).padStart(2, '0')}`;
      const name = `${'abcdefghijklmnopqrstuvw'[(i * 7) % ITEMS]}name${i % 5}`;
      const body: Json = { sku, name, ...(i % 3 === 0 ? { barcode: `40${(i * 37) % 100}${i}` } : {}), ...(i < 3 ? { product_id: productId, options: { Size: `S${i}` } } : {}) };
      const item = (await ok('/v1/items', body)).item;
      const a = (i * 5) % 17;
      if (a > 0) await ok('/v1/stock/receive', { sku, location: 'WH1', quantity: a });
      if (i % 4 === 1) await ok('/v1/stock/receive', { sku, location: 'LST2', quantity: i + 1 });
      if (i % 5 === 2 && a > 1) {
        const hold = (await ok('/v1/holds', { lines: [{ sku, quantity: 1, location: 'WH1' }] })).hold;
        await ok(`/v1/holds/${hold.id}/allocate`, { order_reference: `O-${i}` });
      }
      if (i === 7) await ok('/v1/allocations', { lines: [{ sku, quantity: a + 4, location: 'WH1' }], locations: ['WH1'], order_reference: 'OVER-7', channel_accepted: true });
      if (i % 6 === 4) await ok('/v1/purchase-orders', { supplier: 'S', location: 'WH1', lines: [{ sku, quantity: 3 + i }] });
      if (i === 9) await ok('/v1/stock/adjust', { sku, location: 'WH1', delta: -a, reason: 'shrinkage' });
      if (i === 20) await h.inject({ method: 'PATCH', url: `/v1/items/${item.id}`, headers: { authorization: `Bearer ${h.a.keys.operate}`, 'idempotency-key': `arch-${kind}` }, payload: { archived: true } });
      made.push(item);
    }
    await ok('/v1/items', { sku: `${P}-kit`, name: 'kit', kind: 'bundle', components: [{ sku: made[1]!.sku, quantity: 2 }] });
    // Thresholds: 5 at WH1 for items 1 and 2 (one is low), 100 at LST2 for item 5 (low there only).
    const put = (body: Json) => h.inject({ method: 'PUT', url: '/v1/alerts/thresholds', headers: { authorization: `Bearer ${h.a.keys.operate}`, 'idempotency-key': JSON.stringify(body) }, payload: body });
    for (const body of [{ sku: made[1]!.sku, location: 'WH1', low_stock: 5 }, { sku: made[2]!.sku, location: 'WH1', low_stock: 5 }, { sku: made[5]!.sku, location: 'LST2', low_stock: 100 }]) {
      const res = await put(body);
      expect(res.statusCode, res.body).toBeLessThan(300);
    }
  }, 120_000);
  afterAll(() => h.stop());

  /** The item's numbers as the stock endpoint tells them, total or at a location. */
  const numbersOf = async (sku: string, location?: string) => {
    const res = await h.get(`/v1/stock/${sku}`, h.a.keys.read);
    const s = res.json();
    const b = location ? s.locations.find((l: Json) => l.location === location) : s.total;
    return b ? { on_hand: b.on_hand, available: b.available, committed: b.committed, incoming: b.incoming } : null;
  };

  it('lists each item with its numbers, in total and at a location (only items with stock there)', async () => {
    const all = await pages(`q=${P}&sort=sku`, 500);
    expect(all.map((r) => r.sku)).toEqual([...made.filter((_, i) => i !== 20).map((m) => m.sku), `${P}-kit`].sort());
    for (const r of all.slice(0, 12)) expect(r.stock).toMatchObject((await numbersOf(r.sku)) ?? {});
    expect(all.find((r) => r.sku === made[7]!.sku)!.stock.oversold).toBeGreaterThan(0);
    const at = await pages(`q=${P}&sort=sku&location=LST2`, 500);
    expect(at.map((r) => r.sku)).toEqual(made.filter((_, i) => i % 4 === 1).map((m) => m.sku).sort());
    for (const r of at) expect(r.stock).toMatchObject((await numbersOf(r.sku, 'LST2'))!);
    // The old list: no sort, by id, the id as cursor, items with the same fields as before.
    const old = await list('limit=2');
    expect(old.data[0]).toMatchObject({ id: expect.any(String), sku: expect.any(String), archived: false });
    const next = await list(`limit=2&cursor=${old.next_cursor}`);
    expect(next.data[0].id > old.data[1].id).toBe(true);
  });

  it.each(SORTS)('sorts by %s both ways, the same through pages of 4 as in one page', async (sort) => {
    for (const order of ['asc', 'desc']) {
      const one = await pages(`q=${P}&sort=${sort}&order=${order}`, 500);
      const paged = await pages(`q=${P}&sort=${sort}&order=${order}`, 4);
      expect(paged.map((r) => r.id)).toEqual(one.map((r) => r.id));
      const key = (r: Json) => (NUMERIC.has(sort) ? r.stock[sort] : sort === 'barcode' ? (r.barcode ?? '') : r[sort]);
      const expected = [...one].sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        const c = x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
        return order === 'asc' ? c : -c;
      });
      expect(one.map((r) => r.id)).toEqual(expected.map((r) => r.id));
      expect(new Set(one.map(key)).size).toBeGreaterThan(1);
    }
  });

  it('sorts by a number at a location', async () => {
    const rows = await pages(`q=${P}&sort=available&order=desc&location=WH1`, 3);
    const values = rows.map((r) => r.stock.available);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    for (const r of rows.slice(0, 5)) expect(r.stock.available).toBe((await numbersOf(r.sku, 'WH1'))!.available);
  });

  it('filters by kind, product, stock state and archived', async () => {
    const skus = async (q: string) => (await pages(`q=${P}&sort=sku&${q}`, 500)).map((r) => r.sku);
    expect(await skus('kind=bundle')).toEqual([`${P}-kit`]);
    expect(await skus(`product=${productId}`)).toEqual(made.slice(0, 3).map((m) => m.sku));
    const all = await pages(`q=${P}&sort=sku`, 500);
    expect(await skus('stock=out_of_stock')).toEqual(all.filter((r) => r.stock.available <= 0).map((r) => r.sku));
    expect(await skus('stock=in_stock')).toEqual(all.filter((r) => r.stock.available > 0).map((r) => r.sku));
    expect(await skus('stock=oversold')).toEqual([made[7]!.sku]);
    // Item 1 has 5 at WH1 (threshold 5: low), item 2 has 10 (not low); item 5 has 6 at LST2 (threshold 100).
    expect(await skus('stock=low_stock')).toEqual([made[1]!.sku, made[5]!.sku]);
    expect(await skus('stock=low_stock&location=WH1')).toEqual([made[1]!.sku]);
    expect(all.find((r) => r.sku === made[1]!.sku)!.stock.low_stock).toBe(true);
    expect(all.find((r) => r.sku === made[2]!.sku)!.stock.low_stock).toBe(false);
    expect(await skus('archived=true')).toEqual([made[20]!.sku]);
    expect(await skus('include_archived=true')).toContain(made[20]!.sku);
    expect(await skus('')).not.toContain(made[20]!.sku);
  });

  it('searches SKU, name and barcode, in any case, wildcards taken literally', async () => {
    const find = async (q: string) => (await list(`q=${encodeURIComponent(q)}&sort=sku&limit=500`)).data.map((r: Json) => r.sku);
    expect(await find(made[4]!.sku.toUpperCase())).toEqual([made[4]!.sku]);
    expect(await find(`${P}-1`)).toEqual(made.slice(10, 20).map((m) => m.sku));
    const named = made[3]!;
    expect(await find(named.name.toUpperCase())).toContain(named.sku);
    expect(await find(made[6]!.barcode)).toEqual([made[6]!.sku]);
    expect(await find(`${P}_0`)).toEqual([]);
    expect(await find('%')).toEqual([]);
  });

  it('pages stay stable while items are added: nothing seen twice, nothing skipped that was there', async () => {
    for (const sort of ['sku', 'available'] as const) {
      const before = (await pages(`q=${P}&sort=${sort}`, 500)).map((r) => r.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let n = 0;
      do {
        const page: Json = await list(`q=${P}&sort=${sort}&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.data.map((r: Json) => r.id));
        cursor = page.next_cursor;
        // Items added in the middle of the order and at its start while paging.
        await ok('/v1/items', { sku: `${P}-${String(n).padStart(2, '0')}x${sort}`, name: 'added' });
        await ok('/v1/items', { sku: `${P}-!${n}${sort}`, name: 'added' });
        n++;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of before) expect(seen).toContain(id);
    }
  });

  it('answers bad parameters with problem+json naming the field', async () => {
    const bad = async (q: string, field: string) => expectProblem(await h.get(`/v1/items?${q}`, h.a.keys.read), 'validation_failed', field);
    await bad('sort=price', 'sort');
    await bad('order=up', 'order');
    await bad('stock=lots', 'stock');
    await bad('kind=box', 'kind');
    await bad('limit=0', 'limit');
    await bad(`q=${'x'.repeat(201)}`, 'q');
    await bad('location=NOPE', 'location');
    await bad('archived=true&include_archived=true', 'archived');
    await bad('sort=sku&cursor=garbage', 'cursor');
    const page = await list(`q=${P}&sort=sku&limit=2`);
    await bad(`q=${P}&sort=name&cursor=${page.next_cursor}`, 'cursor');
    await bad(`q=${P}&sort=sku&order=desc&cursor=${page.next_cursor}`, 'cursor');
    const numeric = Buffer.from(JSON.stringify(['available', 'asc', 'x', 'id'])).toString('base64url');
    await bad(`sort=available&cursor=${numeric}`, 'cursor');
  });

  it("lists an item's holds, newest first, paged", async () => {
    const sku = made[13]!.sku;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await ok('/v1/holds', { lines: [{ sku, quantity: 1, location: 'WH1' }] })).hold.id);
    const first = await h.get(`/v1/stock/${sku}/holds?limit=2`, h.a.keys.read);
    expect(first.statusCode, first.body).toBe(200);
    const second = await h.get(`/v1/stock/${sku}/holds?limit=2&cursor=${first.json().next_cursor}`, h.a.keys.read);
    expect([...first.json().data, ...second.json().data].map((x: Json) => x.id)).toEqual([...ids].sort().reverse()); // ids are time-ordered; these share a millisecond
    expect(first.json().data[0].lines[0]).toMatchObject({ sku, location: 'WH1', quantity: 1 });
    expectProblem(await h.get('/v1/stock/NO-SUCH/holds', h.a.keys.read), 'not_found');
  });
});
