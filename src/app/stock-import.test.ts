import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { ManualClock } from './clock.ts';
import { exportItemsCsv, exportStockCsv, exportToString } from './csv-export.ts';
import { importItems } from './item-import.ts';
import { importStock, parseStockCsv, STOCK_IMPORT_ROWS_MAX } from './stock-import.ts';
import { Truestock } from './truestock.ts';
import { verify } from './verify.ts';

const csv = (...lines: string[]) => lines.join('\n') + '\n';

describe('parseStockCsv', () => {
  it('reads rows, counts and zones; reports every bad row with its column', () => {
    const text = csv(
      'SKU,Location,On_Hand,Zone', //   1
      'A,W1,5,Z1', //                   2
      'B,W1,0,', //                     3
      'A,W2,-2,', //                    4 negative: a count is never below zero (as POST /v1/stock/count)
      'A,W1,6,', //                     5 duplicate pair
      ',W1,1,', //                      6 empty sku
      'C,W1,1.5,', //                   7 not whole
      'D,W1,x,', //                     8
      'E,W1,1', //                      9 field count
      `F,W1,1,${'z'.repeat(65)}`, //    10 zone too long
      ' G,W1,1,', //                    11 padded sku
      'H,W1,99999999999,', //           12 too large
    );
    const p = parseStockCsv(text);
    expect(p.rows).toEqual([
      { line: 2, sku: 'A', location: 'W1', quantity: 5, zone: 'Z1' },
      { line: 3, sku: 'B', location: 'W1', quantity: 0, zone: null },
    ]);
    expect(p.errors).toEqual([
      { line: 4, column: 'on_hand', reason: 'on_hand must not be negative, got "-2"' },
      { line: 5, column: 'location', reason: 'A at W1 is also on line 2' },
      { line: 6, column: 'sku', reason: 'sku must not be empty' },
      { line: 7, column: 'on_hand', reason: 'on_hand must be a whole number of units, got "1.5"' },
      { line: 8, column: 'on_hand', reason: 'on_hand must be a whole number of units, got "x"' },
      { line: 9, reason: 'expected 4 fields (sku,location,on_hand,zone), found 3' },
      { line: 10, column: 'zone', reason: 'zone must be at most 64 characters' },
      { line: 11, column: 'sku', reason: 'sku must not start or end with spaces' },
      { line: 12, column: 'on_hand', reason: 'on_hand must be a whole number of units, got "99999999999"' },
    ]);
    expect(p).toMatchObject({ errorCount: 9, read: 11, setsZone: true });
  });

  it('checks the header and refuses a file bigger than one ledger step', () => {
    expect(parseStockCsv(csv('sku,qty')).errors.map((e) => e.reason)).toEqual([
      'unknown column "qty" in the header (expected sku, location, on_hand, zone)',
      'the header has no "location" column',
      'the header has no "on_hand" column',
    ]);
    const lines = ['sku,location,on_hand', ...Array.from({ length: STOCK_IMPORT_ROWS_MAX + 1 }, (_, i) => `S${i},W1,1`)];
    expect(parseStockCsv(lines.join('\n')).errors[0]).toEqual({ line: 1, reason: `the file has ${STOCK_IMPORT_ROWS_MAX + 1} rows; one stock import takes at most ${STOCK_IMPORT_ROWS_MAX}: split it into several files` });
  });
});

describe.each(STORE_KINDS)('importStock on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let fx: Fixture;
  const clock = new ManualClock(Date.UTC(2026, 2, 1));

  beforeEach(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open({ ...db.config, clock });
    fx = await Fixture.create(ts, { skus: ['A', 'B', 'C'] });
    // A bundle holds no stock of its own.
    await ts.store.transaction((d) =>
      d.run(`INSERT INTO items (id, workspace_id, sku, name, kind, created_at, updated_at) VALUES ('item_bundle', ?, 'KIT', 'Kit', 'bundle', 0, 0)`, [fx.workspaceId]),
    );
  });
  afterEach(async () => {
    await ts.close();
    await db.drop();
  });

  const run = (text: string, opts: { key?: string; fileName?: string } = {}) => importStock(ts, fx.workspaceId, text, { actor: 'cli:tester', fileName: 'count.csv', ...opts });
  const onHand = async () => {
    const rows = await ts.store.read((d) =>
      d.all<{ sku: string; code: string; on_hand: number; zone: string | null }>(
        `SELECT i.sku, l.code, s.available + s.reserved + s.committed + s.damaged + s.quality_control + s.safety_stock - s.oversold AS on_hand, s.zone
         FROM stock_levels s JOIN items i ON i.id = s.item_id JOIN locations l ON l.id = s.location_id WHERE s.workspace_id = ? ORDER BY i.sku, l.code`,
        [fx.workspaceId],
      ),
    );
    return rows.map((r) => `${r.sku}@${r.code}=${Number(r.on_hand)}${r.zone ? `:${r.zone}` : ''}`);
  };
  const count = (table: string) => ts.store.read(async (d) => Number((await d.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE workspace_id = ?`, [fx.workspaceId]))!.n));
  const ledger = async () => ({ movements: await count('movements'), levels: await onHand(), keys: await count('idempotency_keys'), exceptions: await count('exceptions') });

  it('books each difference as a count variance in one step, with who, when and the file as reference', async () => {
    await fx.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 8 });
    await fx.ok({ type: 'receive', sku: 'B', location: 'W1', quantity: 3 });
    const res = await run(csv('sku,location,on_hand,zone', 'A,W1,5,AISLE-1', 'B,W1,3,', 'C,W2,12,COLD'));
    expect(res).toMatchObject({ ok: true, replayed: false, summary: { reference: 'import:count.csv', rows: 3, changed: 2, unchanged: 1, units_added: 12, units_removed: 3, movements: 2, zones_set: 3 } });
    expect(await onHand()).toEqual(['A@W1=5:AISLE-1', 'B@W1=3', 'C@W2=12:COLD']);
    const moves = await ts.store.read((d) => d.all<Record<string, unknown>>(`SELECT from_account, to_account, quantity, command, reason, reference, actor, created_at FROM movements WHERE command = 'stock_import' ORDER BY seq`));
    expect(moves.map((m) => ({ ...m, quantity: Number(m.quantity), created_at: Number(m.created_at) }))).toEqual([
      { from_account: 'available', to_account: 'count_variance', quantity: 3, command: 'stock_import', reason: 'cycle_count', reference: 'import:count.csv', actor: 'cli:tester', created_at: clock.now() },
      { from_account: 'count_variance', to_account: 'available', quantity: 12, command: 'stock_import', reason: 'cycle_count', reference: 'import:count.csv', actor: 'cli:tester', created_at: clock.now() },
    ]);
    expect((await verify(ts.store, fx.workspaceId)).ok).toBe(true);
  });

  it('reports every bad row — the file and the catalog together — and writes nothing', async () => {
    await fx.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 4 });
    const before = await ledger();
    const res = await run(csv('sku,location,on_hand', 'A,W1,1', 'NOPE,W1,1', 'A,W9,1', 'KIT,W1,1', 'B,W1,-x', 'A,W1,2'));
    expect(res).toEqual({
      ok: false,
      read: 6,
      errorCount: 5,
      errors: [
        { line: 3, column: 'sku', reason: 'no item with SKU "NOPE"' },
        { line: 4, column: 'location', reason: 'no location with code "W9"' },
        { line: 5, column: 'sku', reason: 'KIT is a bundle; its stock is held by its components' },
        { line: 6, column: 'on_hand', reason: 'on_hand must be a whole number of units, got "-x"' },
        { line: 7, column: 'location', reason: 'A at W1 is also on line 2' },
      ],
    });
    expect(await ledger()).toEqual(before);
  });

  it('imports a file once: the same file again replays; a changed file under the same key is refused', async () => {
    const text = csv('sku,location,on_hand', 'A,W1,7');
    const first = await run(text);
    expect(first).toMatchObject({ ok: true, replayed: false });
    const after = await ledger();
    clock.advance(1_000);
    expect(await run(text, { fileName: 'renamed.csv' })).toEqual({ ...first, replayed: true });
    expect(await ledger()).toEqual(after);
    expect(await run(csv('sku,location,on_hand', 'A,W1,8'), { key: (first as { key: string }).key })).toMatchObject({ ok: false, refusal: { code: 'idempotency_key_reused' } });
    expect(await ledger()).toEqual(after);
  });

  it('round trip: an exported file imports back without a movement', async () => {
    await fx.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 9 });
    await fx.ok({ type: 'receive', sku: 'B', location: 'W2', quantity: 4 });
    await fx.ok({ type: 'reserve', lines: [{ sku: 'A', quantity: 2, location: 'W1' }] });
    await run(csv('sku,location,on_hand,zone', 'C,W1,1,Z9'));
    const before = await ledger();
    const text = await exportToString(exportStockCsv(ts.store, fx.workspaceId));
    expect(text).toBe(csv('sku,location,on_hand,zone', 'A,W1,9,', 'B,W2,4,', 'C,W1,1,Z9'));
    const res = await run(text, { key: 'round-trip' });
    expect(res).toMatchObject({ ok: true, summary: { rows: 3, changed: 0, movements: 0 } });
    expect({ ...(await ledger()), keys: before.keys }).toEqual(before);
  });

  it('exports are safe to open in a spreadsheet and still import back unchanged (CSV injection)', async () => {
    const skus = ['=HYPERLINK("http://evil","x")', '+1', '-A', '@SUM(A1)', "'=quoted", 'PLAIN'];
    const other = await Fixture.create(ts, { skus, locations: [['-W', 'warehouse']] });
    for (const [n, sku] of skus.entries()) await other.ok({ type: 'receive', sku, location: '-W', quantity: n + 1 });
    const stock = await exportToString(exportStockCsv(ts.store, other.workspaceId));
    const items = await exportToString(exportItemsCsv(ts.store, other.workspaceId));
    // Every text cell that starts a formula carries a leading quote, in both files.
    for (const text of [stock, items]) {
      for (const line of text.trim().split('\n').slice(1)) {
        for (const cell of line.match(/("([^"]|"")*"|[^,]*)(?=,|$)/g)!.filter((c, i, all) => i === 0 || all[i - 1] !== '')) {
          expect(/^"?[=+\-@\t\r]/.test(cell), `${cell} in ${line}`).toBe(false);
        }
      }
    }
    expect(stock).toContain(`"'=HYPERLINK(""http://evil"",""x"")",'-W,1,`);
    expect(stock).toContain("''=quoted,'-W,5,");
    const res = await importStock(ts, other.workspaceId, stock, { actor: 'cli:tester', fileName: 'count.csv', key: 'round-trip' });
    expect(res).toMatchObject({ ok: true, summary: { rows: skus.length, changed: 0, movements: 0 } });
    expect(await importItems(ts, other.workspaceId, items, undefined)).toMatchObject({ ok: true, summary: { rows: skus.length, created: 0, updated: 0, unchanged: skus.length } });
  });

  it('a count below what holds claim becomes oversold debt and an exception', async () => {
    await fx.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 5 });
    await fx.ok({ type: 'reserve', lines: [{ sku: 'A', quantity: 4, location: 'W1' }] });
    expect(await run(csv('sku,location,on_hand', 'A,W1,1'))).toMatchObject({ ok: true, summary: { units_removed: 4 } });
    const exc = await ts.store.read((d) => d.all<{ kind: string; quantity: number; reference: string }>('SELECT kind, quantity, reference FROM exceptions'));
    expect(exc.map((e) => ({ ...e, quantity: Number(e.quantity) }))).toEqual([{ kind: 'count_shortfall', quantity: 3, reference: 'import:count.csv' }]);
    expect(await onHand()).toEqual(['A@W1=1']);
    expect((await verify(ts.store, fx.workspaceId)).ok).toBe(true);
  });

  it('property: for random files, every row is applied or none, and the ledger verifies', async () => {
    // Mostly good rows, so that both outcomes come up often.
    const row = fc.record({
      sku: fc.oneof({ arbitrary: fc.constantFrom('A', 'B', 'C'), weight: 12 }, { arbitrary: fc.constantFrom('KIT', 'NOPE'), weight: 1 }),
      location: fc.oneof({ arbitrary: fc.constantFrom('W1', 'W2'), weight: 12 }, { arbitrary: fc.constant('W3'), weight: 1 }),
      onHand: fc.oneof({ arbitrary: fc.integer({ min: -3, max: 20 }).map(String), weight: 12 }, { arbitrary: fc.constantFrom('x', '1.5', ''), weight: 1 }),
    });
    let n = 0;
    const outcomes = { applied: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(row, { minLength: 1, maxLength: 6, selector: (r) => `${r.sku}@${r.location}` }), fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }), async (rows, receipts) => {
        for (const [i, q] of receipts.entries()) await fx.ok({ type: 'receive', sku: ['A', 'B', 'C'][i]!, location: 'W1', quantity: q });
        const before = await ledger();
        const res = await run(csv('sku,location,on_hand', ...rows.map((r) => `${r.sku},${r.location},${r.onHand}`)), { key: `prop-${++n}` });
        if (res.ok) {
          outcomes.applied++;
          const levels = await onHand();
          // A level that never held stock and is counted at 0 is not created: it reads as 0.
          for (const r of rows) expect(levels.find((l) => l.startsWith(`${r.sku}@${r.location}=`)) ?? `${r.sku}@${r.location}=0`).toBe(`${r.sku}@${r.location}=${Number(r.onHand)}`);
        } else {
          outcomes.refused++;
          expect('errors' in res).toBe(true);
          expect(await ledger()).toEqual(before);
        }
        expect((await verify(ts.store, fx.workspaceId)).ok).toBe(true);
      }),
      {
        numRuns: kind === 'sqlite' ? 60 : 20,
        // Both outcomes run every time, whatever the random files turn out to be.
        examples: [[[{ sku: 'A', location: 'W1', onHand: '3' }], []], [[{ sku: 'NOPE', location: 'W1', onHand: '1' }], []]],
      },
    );
    expect(outcomes.applied).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
