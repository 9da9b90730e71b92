// `truestock po …` and `truestock transfers …` end to end: spawn `node bin/truestock.js` as a
// user would, against a SQLite file (and once against PostgreSQL), and read stdout, stderr and
// the exit code. The workspace, items and locations are set up in-process.
// The SQLite tests run the entry module in-process (test/support/cli.ts `runInProcess`: the same
// parsing, output and exit codes without a process start of seconds each); the PostgreSQL test
// spawns the real process for its last command.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../app/access.ts';
import { createItem, createLocation } from '../app/catalog.ts';
import { Truestock, type TruestockConfig } from '../app/truestock.ts';
import { expectOneLineError, run, runInProcess } from '../../test/support/cli.ts';
import { createTestDatabase } from '../../test/support/postgres.ts';

/** A workspace with items TEE-M, TEE-L and locations WH1, ST1, 20 TEE-M at WH1. */
async function seed(config: TruestockConfig): Promise<void> {
  const ts = await Truestock.open(config);
  try {
    const { workspace } = await createWorkspace(ts.store, ts.clock, 'default');
    await ts.store.transaction(async (db) => {
      for (const sku of ['TEE-M', 'TEE-L']) await createItem(db, workspace.id, { sku, name: sku }, ts.clock.now());
      await createLocation(db, workspace.id, { code: 'WH1', name: 'Main', kind: 'warehouse' }, ts.clock.now());
      await createLocation(db, workspace.id, { code: 'ST1', name: 'Store', kind: 'store' }, ts.clock.now());
    });
    const r = await ts.ledger.execute({ workspaceId: workspace.id, idempotencyKey: 'seed', actor: 'test', command: { type: 'receive', sku: 'TEE-M', location: 'WH1', quantity: 20 } });
    expect(r.ok).toBe(true);
  } finally {
    await ts.close();
  }
}

describe('truestock po and transfers on SQLite', () => {
  let dir: string;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runInProcess(args, env, dir);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'truestock-cli-po-'));
    env = { TRUESTOCK_DB: join(dir, 'cli.db') };
    await seed({ sqlitePath: env.TRUESTOCK_DB! });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates, receives in parts (a carton elsewhere), closes short, shows and lists a PO', async () => {
    const created = await cli('po', 'create', '--supplier', 'Acme', '--location', 'WH1', '--eta', '2026-12-01', 'TEE-M:40', 'TEE-L:24');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/opened PO-000001: 64 units incoming at WH1/);
    const key = /idempotency key: (\S+)/.exec(created.stdout)![1]!;

    // A retry with the same key changes nothing.
    const again = await cli('po', 'create', '--supplier', 'Acme', '--location', 'WH1', '--eta', '2026-12-01', 'TEE-M:40', 'TEE-L:24', '--idempotency-key', key);
    expect(again.stdout).toMatch(/already created under this idempotency key/);
    expectOneLineError(await cli('po', 'create', '--supplier', 'Other', '--location', 'WH1', 'TEE-M:1', '--idempotency-key', key), /\(idempotency_key_reused\)$/);

    const received = await cli('po', 'receive', 'PO-000001', 'TEE-M:30:2', 'TEE-L:10@ST1', '--reference', 'DN-1');
    expect(received.code, received.stderr).toBe(0);
    expect(received.stdout).toMatch(/received on PO-000001; 22 units still expected/);
    expect(received.stdout).toMatch(/^1 +TEE-M +40 +30 +2 +8 +2026-12-01$/m);

    expectOneLineError(await cli('po', 'receive', 'PO-000001', 'TEE-M:9'), /still expects 8.*\(over_receipt\)$/);
    expectOneLineError(await cli('po', 'close', 'PO-000001'), /give a reason.*\(validation_failed\)$/);
    const closed = await cli('po', 'close', 'PO-000001', '--reason', 'supplier short', '--json');
    expect(closed.code, closed.stderr).toBe(0);
    expect(JSON.parse(closed.stdout)).toMatchObject({ purchase_order: { state: 'closed', close_reason: 'supplier short', still_expected: 0 } });
    expectOneLineError(await cli('po', 'close', 'PO-000001', '--reason', 'again'), /\(document_closed\)$/);

    const shown = await cli('po', 'show', 'PO-000001');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/po_receive +TEE-L +ST1 +supplier +available +10 .*DN-1/);
    expect(shown.stdout).toMatch(/po_close +TEE-M +WH1 +incoming +expected +8 +po_short_closed +supplier short/);
    const listed = await cli('po', 'list', '--state', 'closed');
    expect(listed.stdout).toMatch(/^PO-000001 +Acme +WH1 +closed +64 +42 +0 /m);
    const stock = JSON.parse((await cli('stock', 'TEE-L', '--json')).stdout);
    expect(stock.locations).toMatchObject([{ location: 'ST1', available: 10, incoming: 0 }, { location: 'WH1', available: 0, incoming: 0 }]);
  });

  it('ships, receives with damage, and closes a transfer with loss', async () => {
    const shipped = await cli('transfers', 'create', 'WH1', 'ST1', 'TEE-M:10', '--eta', '2026-12-02');
    expect(shipped.code, shipped.stderr).toBe(0);
    expect(shipped.stdout).toMatch(/shipped TR-000001: 10 units from WH1 to ST1/);
    const got = await cli('transfers', 'receive', 'TR-000001', 'TEE-M:7:1');
    expect(got.stdout).toMatch(/2 units still in transit/);
    const closed = await cli('transfers', 'close', 'TR-000001', '--note', 'van short');
    expect(closed.stdout).toMatch(/closed TR-000001; 2 units written off as lost in transit/);
    expect((await cli('transfers', 'list')).stdout).toMatch(/^TR-000001 +WH1 +ST1 +closed +10 +8 +2 +0 /m);
    expect((await cli('transfers', 'show', 'TR-000001')).stdout).toMatch(/transfer_close +TEE-M +ST1 +in_transit +shrinkage +2 +transfer_variance +van short/);
    expect((await cli('verify')).code).toBe(0);
  });

  it('answers bad input with one line on stderr and a non-zero exit', async () => {
    expectOneLineError(await cli('transfers', 'create', 'WH1', 'WH1', 'TEE-M:1'), /\(validation_failed\)$/);
    expectOneLineError(await cli('transfers', 'create', 'WH1', 'ST1', 'TEE-M:1000'), /\(insufficient_stock\)$/);
    expectOneLineError(await cli('transfers', 'create', 'WH1', 'ST1', 'TEE-M'), /must be SKU:QTY/);
    expectOneLineError(await cli('transfers', 'receive', 'TR-000001', 'TEE-M:1@ST1'), /must be SKU:GOOD\[:DAMAGED\],/);
    expectOneLineError(await cli('po', 'create', '--supplier', 'A', '--location', 'WH1', 'NOPE:1'), /\(unknown_item\)$/);
    expectOneLineError(await cli('po', 'create', '--supplier', 'A', '--location', 'WH1', 'TEE-M:0'), /\(invalid_quantity\)$/);
    expectOneLineError(await cli('po', 'create', '--location', 'WH1', 'TEE-M:1'), /required option '--supplier <name>'/);
    expectOneLineError(await cli('po', 'receive', 'PO-404', 'TEE-M:1'), /no purchase order PO-404.*\(not_found\)$/);
    expectOneLineError(await cli('po', 'show', 'PO-404'), /no purchase order "PO-404"/);
    expectOneLineError(await cli('po', 'list', '--state', 'lost'), /argument 'lost' is invalid/);
  });
});

describe('truestock po on PostgreSQL', () => {
  it('works the same with DATABASE_URL', async () => {
    const pg = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'truestock-cli-po-pg-'));
    try {
      await seed({ databaseUrl: pg.url, poolMax: 2 });
      const cli = (...args: string[]) => runInProcess(args, { DATABASE_URL: pg.url }, dir);
      expect((await cli('po', 'create', '--supplier', 'Acme', '--location', 'WH1', 'TEE-L:5')).code).toBe(0);
      const r = await cli('po', 'receive', 'PO-000001', 'TEE-L:5', '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ purchase_order: { state: 'closed', close_reason: 'received_in_full' } });
      expect((await cli('transfers', 'create', 'WH1', 'ST1', 'TEE-L:2')).code).toBe(0);
      expect((await run(['verify'], { DATABASE_URL: pg.url }, dir)).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await pg.drop();
    }
  });
});
