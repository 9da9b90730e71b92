// The `truestock` command end to end: spawn `node bin/truestock.js` as a user would, against a
// SQLite file in a temp dir (and once against PostgreSQL), and read stdout, stderr and the exit code.
// Most commands run the same entry module in-process (test/support/cli.ts `runInProcess`: the
// same parsing, output and exit codes without a process start of seconds each); every `init`, the
// stack-trace, working-directory, verify-failure and serve checks spawn the real process.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, expectOneLineError, runInProcess, start } from '../../test/support/cli.ts';
import { createTestDatabase } from '../../test/support/postgres.ts';

describe('truestock CLI on SQLite', () => {
  let dir: string;
  let dbPath: string;
  let workspaceId: string;
  const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
    runInProcess(args, { TRUESTOCK_DB: dbPath, ...env }, dir);
  const spawned = (args: string[], env: Record<string, string | undefined> = {}) =>
    collect(start(args, { TRUESTOCK_DB: dbPath, ...env }, dir));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'truestock-cli-'));
    dbPath = join(dir, 'cli.db');
    const init = await spawned(['init']);
    expect(init.code, init.stderr).toBe(0);
    workspaceId = /workspace: (ws_\w+) \(default\)/.exec(init.stdout)![1]!;
    expect(init.stdout).toMatch(/admin key: tsk_\S+/);
    expect(init.stdout).toMatch(/shown only this once/);
    expect((await cli(['locations', 'add', 'WH1', 'Main warehouse', '--kind', 'warehouse'])).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports items, adjusts stock, shows it and verifies the ledger', async () => {
    const csv = file('items.csv', 'sku,name,barcode,archived\nA-1,"Widget, large",4006381333931,\nB-2,"Bolt 12""",,no\n');
    const imported = await cli(['items', 'import', csv]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/created 2, updated 0, unchanged 0/);
    expect(imported.stderr).toBe('');

    const again = await cli(['items', 'import', csv]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already imported .* nothing changed/);

    const up = await cli(['adjust', 'A-1', 'WH1', '5', '--reason', 'found', '--note', 'back of shelf']);
    expect(up.code, up.stderr).toBe(0);
    const key = /idempotency key: (\S+)/.exec(up.stdout)![1]!;
    expect(up.stdout).toMatch(/adjusted available of A-1 at WH1 by \+5 \(found\)/);

    const down = await cli(['adjust', 'A-1', 'WH1', '-2', '--reason', 'damage', '--idempotency-key', 'drop-1']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).not.toMatch(/idempotency key:/);
    // A retry with the key of the first adjustment changes nothing.
    const retry = await cli(['adjust', 'A-1', 'WH1', '5', '--reason', 'found', '--note', 'back of shelf', '--idempotency-key', key]);
    expect(retry.stdout).toMatch(/already applied/);

    const table = await cli(['stock', 'A-1']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^A-1 {2}Widget, large$/m);
    expect(table.stdout).toMatch(/^WH1 +3 +0 +0 +0 +0 +0 +0 +0 +3$/m);
    expect(table.stdout).toMatch(/^TOTAL +3 /m);

    const json = await cli(['stock', 'A-1', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ item: { sku: 'A-1' }, locations: [{ location: 'WH1', available: 3, on_hand: 3 }], total: { available: 3 } });

    const verified = await cli(['verify']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(new RegExp(`${workspaceId} \\(default\\): 1 stock levels, ok`));
  });

  it('reports every bad CSV row as FILE:LINE and imports nothing', async () => {
    const csv = file('bad.csv', 'sku,name\nC-1,ok\nC-2,"two\nlines"\nC-3,\nC-1,again\nC-4,fine,extra\n');
    const r = await cli(['items', 'import', csv]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      `${csv}:3: name must not contain control characters`,
      `${csv}:5: name must not be empty`,
      `${csv}:6: duplicate SKU "C-1" (first on line 2)`,
      `${csv}:7: expected 2 fields (sku,name), found 3`,
      `truestock: ${csv}: 4 errors in 5 rows; nothing was imported`,
    ]);
    expectOneLineError(await cli(['stock', 'C-1']), /no item with SKU "C-1"/);
  });

  it('answers bad input with one line on stderr and a non-zero exit', async () => {
    expectOneLineError(await cli(['stock', 'NOPE']), /no item with SKU "NOPE" in workspace ws_/);
    expectOneLineError(await cli(['adjust', 'A-1', 'NOWHERE', '1', '--reason', 'found']), /\(unknown_location\)$/);
    expectOneLineError(await cli(['adjust', 'A-1', 'WH1', '-1000', '--reason', 'correction']), /cannot remove 1000 \(insufficient_stock\)/);
    expectOneLineError(await cli(['adjust', 'A-1', 'WH1', '1', '--reason', 'whim']), /argument 'whim' is invalid/);
    expectOneLineError(await cli(['adjust', 'A-1', 'WH1', '1.5', '--reason', 'found']), /DELTA must be a whole number/);
    expectOneLineError(await cli(['adjust', 'A-1', 'WH1', '1']), /required option '--reason <reason>' not specified/);
    expectOneLineError(await cli(['adjust', 'A-1', 'WH1', '--reason', 'found']), /missing required argument 'delta' \(see truestock adjust --help\)/);
    expectOneLineError(await cli(['items', 'import', join(dir, 'missing.csv')]), /cannot read .*missing\.csv: no such file/);
    expectOneLineError(await cli(['items', 'import']), /missing required argument 'file'/);
    expectOneLineError(await cli(['items']), /a command is required \(see truestock items --help\)/);
    expectOneLineError(await cli(['frobnicate']), /unknown command 'frobnicate'/);
    expectOneLineError(await cli(['stock', 'A-1', '--colour']), /unknown option '--colour'/);
    expectOneLineError(await cli(['stock', 'A-1', '--workspace', 'ws_nope']), /no workspace "ws_nope"/);
    expectOneLineError(await cli(['stock', 'A-1'], { TRUESTOCK_DB: join(dir, 'typo.db') }), /no database at .*typo\.db: run "truestock init"/);
    expectOneLineError(await spawned(['serve', '--port', 'eighty']), /--port must be a number/);
    expectOneLineError(await cli(['init']), /a workspace named "default" already exists/);
  });

  it('shows a stack trace only when TRUESTOCK_DEBUG=1', async () => {
    const r = await spawned(['stock', 'A-1'], { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none', TRUESTOCK_DEBUG: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^truestock: .*ECONNREFUSED/);
    expect(r.stderr).toMatch(/\n\s+at /);
    expectOneLineError(await spawned(['stock', 'A-1'], { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' }), /ECONNREFUSED/, 1);
  });

  it('exits 1 and lists the mismatches when verify finds the ledger and the balances apart', async () => {
    const dbDir = mkdtempSync(join(tmpdir(), 'truestock-cli-verify-'));
    const path = join(dbDir, 'v.db');
    const run = (args: string[]) => runInProcess(args, { TRUESTOCK_DB: path }, dbDir);
    try {
      await run(['init']);
      await run(['locations', 'add', 'W', 'W']);
      writeFileSync(join(dbDir, 'i.csv'), 'sku,name\nX,x\n');
      await run(['items', 'import', 'i.csv']);
      expect((await run(['adjust', 'X', 'W', '4', '--reason', 'found'])).code).toBe(0);
      const sqlite = new Database(path);
      sqlite.prepare('UPDATE stock_levels SET available = available + 1').run(); // a hand edit
      sqlite.close();
      const r = await collect(start(['verify'], { TRUESTOCK_DB: path }, dbDir));
      expectOneLineError(r, /verify found 1 mismatch$/, 1);
      expect(r.stdout).toMatch(/1 mismatches\n {2}X at W: ledger check: stored available=5, expected available=4/);
    } finally {
      rmSync(dbDir, { recursive: true, force: true });
    }
  });

  it('picks the workspace: the only one, else --workspace or TRUESTOCK_WORKSPACE', async () => {
    const second = await cli(['init', '--name', 'second']);
    expect(second.code).toBe(0);
    const secondId = /workspace: (ws_\w+)/.exec(second.stdout)![1]!;
    expectOneLineError(await cli(['stock', 'A-1']), /several workspaces: pass --workspace .*\(default\).*\(second\)/);
    expect((await cli(['stock', 'A-1', '--workspace', workspaceId])).code).toBe(0);
    expect((await cli(['stock', 'A-1', '--workspace', 'default'])).code).toBe(0);
    expect((await cli(['stock', 'A-1'], { TRUESTOCK_WORKSPACE: workspaceId })).code).toBe(0);
    expectOneLineError(await cli(['stock', 'A-1', '--workspace', secondId]), /no item with SKU "A-1"/);
    const all = await cli(['verify']);
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('runs from any directory, with the database in the working directory by default', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'truestock-cwd-'));
    try {
      const r = await collect(start(['init', '--name', 'here'], {}, elsewhere));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`database:  sqlite:${join(elsewhere, 'truestock.db')}`);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('truestock serve', () => {
  it('prints the admin key once, serves, and shuts down cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'truestock-serve-'));
    const path = join(dir, 'serve.db');
    try {
      const serveOnce = async () => {
        const child = start(['serve', '--port', '0', '--no-log'], { TRUESTOCK_DB: path }, dir);
        const done = collect(child);
        let seen = '';
        const url = await new Promise<string>((resolve, reject) => {
          child.stdout!.on('data', (d) => {
            seen += d;
            const m = /listening on (\S+)/.exec(seen);
            if (m) resolve(m[1]!);
          });
          child.on('close', () => reject(new Error(`serve exited early: ${seen}`)));
        });
        const res = await fetch(`${url}/docs`);
        expect(res.status).toBeLessThan(500);
        child.kill('SIGTERM');
        return done;
      };
      const first = await serveOnce();
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/Admin API key: tsk_\S+\nThis key will not be shown again/);
      expect(first.stdout).toMatch(/API docs: +http:\/\/127\.0\.0\.1:\d+\/docs/);
      expect(first.stdout).toContain(`database:  sqlite:${path}`);
      const second = await serveOnce();
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).not.toMatch(/Admin API key/);
      // Closed properly: another writer gets the database at once.
      const sqlite = new Database(path, { timeout: 0 });
      sqlite.exec('BEGIN IMMEDIATE; COMMIT');
      sqlite.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('truestock CLI on PostgreSQL', () => {
  it('works the same with DATABASE_URL', async () => {
    const pg = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'truestock-cli-pg-'));
    const cli = (args: string[]) => runInProcess(args, { DATABASE_URL: pg.url }, dir);
    try {
      const init = await collect(start(['init'], { DATABASE_URL: pg.url }, dir));
      expect(init.code, init.stderr).toBe(0);
      expect(init.stdout).toMatch(/database: +postgres:\/\/postgres:\*\*\*@/);
      expect((await cli(['locations', 'add', 'W', 'W'])).code).toBe(0);
      writeFileSync(join(dir, 'i.csv'), 'sku,name\nX,x\nY,y\n');
      expect((await cli(['items', 'import', 'i.csv'])).stdout).toMatch(/created 2/);
      writeFileSync(join(dir, 'i.csv'), 'sku,name\nX,x2\nY,y\nZ,z\n');
      expect((await cli(['items', 'import', 'i.csv'])).stdout).toMatch(/created 1, updated 1, unchanged 1/);
      expect((await cli(['adjust', 'X', 'W', '7', '--reason', 'found'])).code).toBe(0);
      expect(JSON.parse((await cli(['stock', 'X', '--json'])).stdout)).toMatchObject({ item: { name: 'x2' }, total: { available: 7 } });
      expect((await cli(['verify'])).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await pg.drop();
    }
  });
});
