import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { itemsBySku, listItems } from '../store/catalog-repo.ts';
import { createWorkspace } from './access.ts';
import { ManualClock } from './clock.ts';
import { defaultImportKey, IMPORT_WRITE_BATCH_ROWS, importItems, parseItemCsv } from './item-import.ts';
import { Truestock } from './truestock.ts';

const csv = (...lines: string[]) => lines.join('\n') + '\n';

describe('parseItemCsv', () => {
  it('reads rows with their lines; optional columns absent stay absent', () => {
    const { rows, errors } = parseItemCsv(csv('sku,name', 'A,Apple', 'B,"Bolt, 12"""'));
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { line: 2, sku: 'A', name: 'Apple' },
      { line: 3, sku: 'B', name: 'Bolt, 12"' },
    ]);
  });

  it('takes columns in any order and any case; empty barcode is null; archived words', () => {
    const { rows, errors } = parseItemCsv(
      csv(' Archived ,BARCODE,Name,sku', 'yes,4006381333931,A,a', 'NO,,B,b', '1,,C,c', '0,,D,d', 'True,,E,e', 'false,,F,f', ',,G,g'),
    );
    expect(errors).toEqual([]);
    expect(rows.map((r) => [r.sku, r.barcode, r.archived])).toEqual([
      ['a', '4006381333931', true],
      ['b', null, false],
      ['c', null, true],
      ['d', null, false],
      ['e', null, true],
      ['f', null, false],
      ['g', null, false],
    ]);
  });

  it('reports every bad row, each at the line it starts on, and keeps no row from them', () => {
    const text = csv(
      'sku,name,barcode,archived', //                        1
      'GOOD-1,"Widget, large",,', //                          2
      'GOOD-2,"name over', //                                 3  (quoted newline: one record on lines 3-4,
      'two lines",,', //                                      4   bad: names are single-line)
      ' PADDED,Padded sku,,', //                              5
      'NONAME,,,', //                                         6
      'BADGTIN,Bad check digit,4006381333932,', //            7
      'BADFLAG,Bad flag,,maybe', //                           8
      'SHORT,Too few fields', //                              9
      'LONG,Too many,,,extra', //                             10
      '', //                                                  11 (blank: skipped)
      ',,,', //                                               12 (empty cells: skipped)
      'GOOD-1,Again,,', //                                    13
      'QUOTE,"stray"x,,', //                                  14
      'GOOD-3,"fine ""quoted"" name",,true', //               15
      'GOOD-2,Second time,,', //                              16
    );
    const { rows, errors } = parseItemCsv(text);
    expect(errors).toEqual([
      { line: 3, reason: 'name must not contain control characters' },
      { line: 5, reason: 'sku must not start or end with spaces' },
      { line: 6, reason: 'name must not be empty' },
      { line: 7, reason: 'barcode 4006381333932 has a wrong GTIN check digit' },
      { line: 8, reason: 'archived must be true, false, yes, no, 1, 0 or empty, got "maybe"' },
      { line: 9, reason: 'expected 4 fields (sku,name,barcode,archived), found 2' },
      { line: 10, reason: 'expected 4 fields (sku,name,barcode,archived), found 5' },
      { line: 13, reason: 'duplicate SKU "GOOD-1" (first on line 2)' },
      { line: 14, reason: 'unexpected "x" after the closing quote of field 2' },
      { line: 16, reason: 'duplicate SKU "GOOD-2" (first on line 3)' },
    ]);
    expect(rows.map((r) => [r.line, r.sku])).toEqual([
      [2, 'GOOD-1'],
      [15, 'GOOD-3'],
    ]);
  });

  it('counts lines right after a long quoted field, with CRLF line ends', () => {
    const text = ['sku,name', 'A,"one, two', '', 'three"', 'B,ok', 'B,dup'].join('\r\n');
    expect(parseItemCsv(text).errors).toEqual([
      { line: 2, reason: 'name must not contain control characters' },
      { line: 6, reason: 'duplicate SKU "B" (first on line 5)' },
    ]);
  });

  it('reports an unclosed quote where it was opened', () => {
    expect(parseItemCsv(csv('sku,name', 'A,ok', 'B,"never closed', 'C,lost')).errors).toEqual([
      { line: 3, reason: 'unclosed quote in field 2 (opened on line 3)' },
    ]);
  });

  it('checks the header: unknown, repeated and missing columns, empty file', () => {
    expect(parseItemCsv(csv('sku,title,sku,colour')).errors).toEqual([
      { line: 1, reason: 'unknown column "title" in the header (expected sku, name, barcode, archived)' },
      { line: 1, reason: 'column "sku" appears twice in the header' },
      { line: 1, reason: 'unknown column "colour" in the header (expected sku, name, barcode, archived)' },
      { line: 1, reason: 'the header has no "name" column' },
    ]);
    expect(parseItemCsv('').errors).toEqual([{ line: 1, reason: 'the file is empty: expected a header row such as sku,name,barcode,archived' }]);
    expect(parseItemCsv('\n\nsku,name\nA,a\n')).toMatchObject({ errors: [], rows: [{ line: 4, sku: 'A' }] });
  });

  it('reports progress while checking', () => {
    const lines = ['sku,name', ...Array.from({ length: 12_000 }, (_, i) => `S${i},n`)];
    const seen: number[] = [];
    parseItemCsv(csv(...lines), (phase, done, total) => {
      expect(phase).toBe('checking');
      expect(total).toBe(12_000);
      seen.push(done);
    });
    expect(seen).toEqual([5_000, 10_000, 12_000]);
  });
});

describe.each(STORE_KINDS)('importItems on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let clock: ManualClock;
  let workspaceId: string;

  beforeEach(async () => {
    db = await createDatabase(kind);
    clock = new ManualClock(Date.UTC(2026, 2, 1));
    ts = await Truestock.open({ ...db.config, clock });
    workspaceId = (await createWorkspace(ts.store, clock, 'test')).workspace.id;
  });
  afterEach(async () => {
    await ts.close();
    await db.drop();
  });

  const items = async () =>
    (await ts.store.read((d) => listItems(d, workspaceId, { limit: 1_000, includeArchived: true }))).sort((a, b) => a.sku.localeCompare(b.sku));
  const good = csv('sku,name,barcode,archived', 'A,Apple,4006381333931,', 'B,"Bolt, 12""",,yes', 'C,Crate,,no');

  it('writes nothing when one row is bad', async () => {
    const res = await importItems(ts, workspaceId, good + 'D,,,\n', undefined);
    expect(res).toEqual({ ok: false, errors: [{ line: 5, reason: 'name must not be empty' }], read: 4 });
    expect(await items()).toEqual([]);
  });

  it('imports a good file once; the same file again replays', async () => {
    const first = await importItems(ts, workspaceId, good, undefined);
    expect(first).toEqual({ ok: true, replayed: false, key: defaultImportKey(good), summary: { rows: 3, created: 3, updated: 0, unchanged: 0 } });
    expect((await items()).map((i) => [i.sku, i.name, i.barcode, i.archived])).toEqual([
      ['A', 'Apple', '4006381333931', false],
      ['B', 'Bolt, 12"', null, true],
      ['C', 'Crate', null, false],
    ]);
    clock.advance(1_000);
    const again = await importItems(ts, workspaceId, good, undefined);
    expect(again).toEqual({ ...first, replayed: true });
    expect((await items()).every((i) => i.updatedAt === Date.UTC(2026, 2, 1))).toBe(true);
  });

  it('updates existing SKUs and creates new ones; absent columns leave fields as they were', async () => {
    await importItems(ts, workspaceId, good, undefined);
    clock.advance(60_000);
    const next = csv('name,sku', 'Apple (red),A', 'Crate,C', 'Dowel,D');
    const res = await importItems(ts, workspaceId, next, undefined);
    expect(res).toMatchObject({ ok: true, replayed: false, summary: { rows: 3, created: 1, updated: 1, unchanged: 1 } });
    const bySku = new Map((await ts.store.read((d) => itemsBySku(d, workspaceId, ['A', 'B', 'C', 'D']))).map((i) => [i.sku, i]));
    expect(bySku.get('A')).toMatchObject({ name: 'Apple (red)', barcode: '4006381333931', archived: false, updatedAt: Date.UTC(2026, 2, 1, 0, 1) });
    expect(bySku.get('B')).toMatchObject({ name: 'Bolt, 12"', archived: true });
    expect(bySku.get('C')).toMatchObject({ name: 'Crate', updatedAt: Date.UTC(2026, 2, 1) });
    expect(bySku.get('D')).toMatchObject({ name: 'Dowel', barcode: null, archived: false });
    // An empty cell in a present column clears: barcode gone, archived false.
    await importItems(ts, workspaceId, csv('sku,name,barcode,archived', 'A,Apple (red),,', 'B,"Bolt, 12""",,'), undefined);
    expect((await ts.store.read((d) => itemsBySku(d, workspaceId, ['A', 'B']))).map((i) => [i.sku, i.barcode, i.archived]).sort()).toEqual([
      ['A', null, false],
      ['B', null, false],
    ]);
  });

  it('refuses a changed file under a key already used', async () => {
    expect(await importItems(ts, workspaceId, good, 'batch-7')).toMatchObject({ ok: true, key: 'batch-7' });
    const changed = good.replace('Crate', 'Box');
    expect(await importItems(ts, workspaceId, changed, 'batch-7')).toMatchObject({ ok: false, refusal: { code: 'idempotency_key_reused' } });
    expect((await items()).find((i) => i.sku === 'C')!.name).toBe('Crate');
  });

  it('writes many rows in batches, reporting progress', async () => {
    const n = 2 * IMPORT_WRITE_BATCH_ROWS + 500;
    const text = csv('sku,name', ...Array.from({ length: n }, (_, i) => `SKU-${i},Item ${i}`));
    const writing: number[] = [];
    const res = await importItems(ts, workspaceId, text, undefined, (phase, done, total) => {
      if (phase === 'writing') {
        expect(total).toBe(n);
        writing.push(done);
      }
    });
    expect(res).toMatchObject({ ok: true, summary: { created: n } });
    expect(writing).toEqual([0, IMPORT_WRITE_BATCH_ROWS, 2 * IMPORT_WRITE_BATCH_ROWS, n]);
    const count = await ts.store.read((d) => d.get<{ n: number }>('SELECT COUNT(*) AS n FROM items WHERE workspace_id = ?', [workspaceId]));
    expect(Number(count!.n)).toBe(n);
  });
});
