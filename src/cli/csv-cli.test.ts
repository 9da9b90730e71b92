// `truestock items import|export` and `truestock stock import|export` end to end: spawn the
// real command against SQLite (and PostgreSQL once) and read stdout, stderr and the exit code.
// Commands run the entry module in-process (test/support/cli.ts `runInProcess`: the same parsing,
// output and exit codes without a process start of seconds each); `init` spawns the real process.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOPIFY_EXPORT } from '../channels/shopify/inventory-csv.fixture.ts';
import { run, runInProcess } from '../../test/support/cli.ts';
import { createTestDatabase } from '../../test/support/postgres.ts';

describe.each(['sqlite', 'postgres'] as const)('CSV commands on %s', (kind) => {
  let dir: string;
  let env: Record<string, string>;
  let drop = async () => {};
  const cli = (...args: string[]) => runInProcess(args, env, dir);
  const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), name);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'truestock-csv-cli-'));
    if (kind === 'postgres') {
      const pg = await createTestDatabase();
      env = { DATABASE_URL: pg.url };
      drop = pg.drop;
    } else env = { TRUESTOCK_DB: join(dir, 'csv.db') };
    expect((await run(['init'], env, dir)).code).toBe(0);
    expect((await cli('locations', 'add', 'WH1', 'Main Warehouse')).code).toBe(0);
    expect((await cli('locations', 'add', 'BER', 'Berlin Store', '--kind', 'store')).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await drop();
  });

  it('imports items, exports them, and the export imports back unchanged', async () => {
    const items = file('items.csv', 'sku,name,barcode,units_per_case\nTEE-BLK-M,"Tee, black, M",4006381333931,12\nTEE-BLK-L,"Tee, black, L",,\nTOTE-NAT,Tote,,\n');
    const r = await cli('items', 'import', items);
    expect(r.code, r.stderr).toBe(0);
    // stderr is not a terminal here: no progress bar, only the summary on stdout.
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^imported items\.csv into ws_\w+ \(default\): created 3, updated 0, unchanged 0 \(3 rows in [\d.]+ s\)\n$/);

    const out = await cli('items', 'export');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.split('\n')[0]).toBe('sku,name,barcode,archived,kind,units_per_case,requires_inspection,skip_return_inspection');
    expect(out.stdout).toContain('TEE-BLK-M,"Tee, black, M",4006381333931,false,standard,12,false,false\n');
    expect((await cli('items', 'export', '--out', 'items-out.csv')).stdout).toMatch(/^wrote 3 items of ws_\w+ \(default\) to items-out\.csv\n$/);
    expect(readFileSync(join(dir, 'items-out.csv'), 'utf8')).toBe(out.stdout);
    expect((await cli('items', 'import', 'items-out.csv')).stdout).toMatch(/created 0, updated 0, unchanged 3/);
  });

  it('imports counted stock and Shopify exports, replays the same file, and round-trips', async () => {
    const stock = file('count.csv', 'sku,location,on_hand,zone\nTEE-BLK-M,WH1,10,A1\nTOTE-NAT,BER,4,\n');
    const r = await cli('stock', 'import', stock);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/as reference import:count\.csv: 2 rows: 2 changed \(\+14 \/ -0 units, 2 movements\), 0 unchanged, 2 zones set/);
    expect((await cli('stock', 'import', stock)).stdout).toMatch(/^count\.csv was already imported into .* under idempotency key stock-import:\w+; nothing changed/);

    const shopify = file('inventory_export_1.csv', SHOPIFY_EXPORT.replaceAll('Berlin Store', 'BER'));
    const s = await cli('stock', 'import', shopify, '--format', 'shopify');
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/5 rows: 4 changed .*, 1 unchanged, 1 not stocked/);
    expect((await cli('stock', 'TEE-BLK-M')).stdout).toMatch(/^TOTAL +18 /m);

    const exported = await cli('stock', 'export');
    expect(exported.stdout).toBe('sku,location,on_hand,zone\nTEE-BLK-L,WH1,3,\nTEE-BLK-M,BER,6,\nTEE-BLK-M,WH1,12,A1\nTOTE-NAT,BER,2,\n');
    file('again.csv', exported.stdout);
    expect((await cli('stock', 'import', 'again.csv')).stdout).toMatch(/4 rows: 0 changed \(\+0 \/ -0 units, 0 movements\), 4 unchanged/);
    expect((await cli('verify')).code).toBe(0);
  });

  it('lists every bad row as FILE:LINE and imports nothing; usage errors are one line', async () => {
    const bad = file('bad.csv', 'sku,location,on_hand\nTEE-BLK-M,WH1,1\nNOPE,WH1,2\nTEE-BLK-M,NOWHERE,3\nTOTE-NAT,WH1,lots\n');
    const r = await cli('stock', 'import', bad);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      'bad.csv:3: no item with SKU "NOPE"',
      'bad.csv:4: no location with code "NOWHERE"',
      'bad.csv:5: on_hand must be a whole number of units, got "lots"',
      'truestock: bad.csv: 3 errors in 4 rows; nothing was imported',
    ]);
    expect((await cli('stock', 'TEE-BLK-M')).stdout).toMatch(/^TOTAL +18 /m);
    const usage = await cli('stock', 'import', bad, '--create-items');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('truestock: --create-items needs --format shopify (a truestock stock file has no item names)\n');
    expect((await cli('stock', 'import', 'missing.csv')).stderr).toMatch(/^truestock: cannot read missing\.csv: no such file\n$/);
  });
});
