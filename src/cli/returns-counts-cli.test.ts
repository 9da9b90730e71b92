// `truestock returns …` and `truestock counts …` end to end: spawn `node bin/truestock.js` as a
// user would, against a SQLite file in a temp dir (and once against PostgreSQL). The two long
// flows run the same entry module in-process (test/support/cli.ts `runInProcess`: the same
// parsing, output and exit codes, without a process start of seconds per command); the approval
// test spawns its `init`, its refusal and its last read, so the real process stays covered.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createItem } from '../app/catalog.ts';
import { Truestock, type TruestockConfig } from '../app/truestock.ts';
import { listWorkspaces } from '../store/access-repo.ts';
import { expectOneLineError, run, runInProcess, type Run } from '../../test/support/cli.ts';
import { createTestDatabase } from '../../test/support/postgres.ts';

const json = (r: Run) => JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));

/** The whole flow, for one store: a return from receipt to close, and a count through approval. */
async function flow(cli: (args: string[]) => Promise<Run>): Promise<void> {
  const ok = async (args: string[]) => {
    const r = await cli(args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  };
  await ok(['locations', 'add', 'WH1', 'Main', '--kind', 'warehouse']);
  await ok(['adjust', 'TEE', 'WH1', '10', '--reason', 'found']);

  // Returns
  const created = await ok(['returns', 'create', 'TEE:3', '--location', 'WH1', '--number', 'RMA-1', '--order', 'ORDER-9']);
  expect(created.stdout).toMatch(/idempotency key: /);
  expect(created.stdout).toMatch(/return RMA-1 .* at WH1: open, order ORDER-9/);
  const received = await ok(['returns', 'receive', 'RMA-1', 'TEE:3', '--json', '--idempotency-key', 'recv-1']);
  expect(json(received).movements).toMatchObject([{ from: 'customer', to: 'quality_control', quantity: 3 }]);
  const replay = await ok(['returns', 'receive', 'RMA-1', 'TEE:3', '--idempotency-key', 'recv-1']);
  expect(replay.stdout).toMatch(/already received under this idempotency key; nothing changed/);
  expectOneLineError(await cli(['returns', 'close', 'RMA-1']), /awaiting inspection.*\(validation_failed\)/);
  expectOneLineError(await cli(['returns', 'inspect', 'RMA-1', 'TEE', '--restock', '4']), /\(nothing_to_inspect\)/);
  expectOneLineError(await cli(['returns', 'inspect', 'RMA-1', 'TEE']), /decide at least one unit/);
  const inspected = await ok(['returns', 'inspect', 'RMA-1', 'TEE', '--restock', '2', '--damaged', '1']);
  expect(inspected.stdout).toMatch(/TEE\s+3\s+3\s+0\s+2\s+1/);
  await ok(['returns', 'close', 'RMA-1']);
  expectOneLineError(await cli(['returns', 'receive', 'RMA-1', 'TEE:1']), /\(document_closed\)/);
  expect((await ok(['returns', 'list', '--state', 'closed'])).stdout).toMatch(/RMA-1\s+closed\s+WH1\s+ORDER-9/);
  expectOneLineError(await cli(['returns', 'show', 'RMA-404']), /no return "RMA-404"/);

  // Counts: on_hand is 10 + 2 restocked + 1 damaged = 13; the shelf holds 5.
  await ok(['counts', 'create', '--location', 'WH1', '--sku', 'TEE', '--number', 'CNT-A', '--blind']);
  await ok(['counts', 'enter', 'CNT-A', 'TEE:3', '--counter', 'ann']);
  await ok(['counts', 'enter', 'CNT-A', 'TEE:2', '--counter', 'bob']);
  const shown = await ok(['counts', 'show', 'CNT-A', '--json']);
  expect(json(shown).count.lines[0]).toMatchObject({ sku: 'TEE', snapshot: 13, expected: 13, counted: 5, variance: -8 });
  expectOneLineError(await cli(['counts', 'enter', 'CNT-A', 'NOPE:1']), /NOPE is not on count CNT-A \(validation_failed\)/);
  expectOneLineError(await cli(['counts', 'enter', 'CNT-A', 'TEE:-1']), /SKU:QUANTITY/);
  await ok(['counts', 'post', 'CNT-A']).then(async () => {
    // With no threshold set, a plain post books it.
    expect((await ok(['stock', 'TEE', '--json'])).stdout).toMatch(/"on_hand": 5/);
  });
  expectOneLineError(await cli(['counts', 'post', 'CNT-A']), /\(document_closed\)/);
  await ok(['counts', 'create', '--location', 'WH1', '--number', 'CNT-B']);
  await ok(['counts', 'cancel', 'CNT-B']);
  const listed = await ok(['counts', 'list']);
  expect(listed.stdout).toMatch(/CNT-A\s+posted/);
  expect(listed.stdout).toMatch(/CNT-B\s+cancelled/);
  expect((await ok(['verify'])).code).toBe(0);
}

describe('returns and counts CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'truestock-rc-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a return and a count on SQLite', async () => {
    const env = { TRUESTOCK_DB: join(dir, 'cli.db') };
    const cli = (args: string[]) => runInProcess(args, env, dir);
    expect((await cli(['init'])).code).toBe(0);
    await seedItem({ sqlitePath: env.TRUESTOCK_DB });
    await flow(cli);
  }, 120_000);

  it('sends a variance over the threshold to approval, which posts it', async () => {
    const path = join(dir, 'approve.db');
    const cli = (args: string[]) => runInProcess(args, { TRUESTOCK_DB: path }, dir);
    const spawned = (args: string[]) => run(args, { TRUESTOCK_DB: path }, dir);
    expect((await spawned(['init'])).code).toBe(0);
    await seedItem({ sqlitePath: path });
    expect((await cli(['locations', 'add', 'WH1', 'Main'])).code).toBe(0);
    expect((await cli(['adjust', 'TEE', 'WH1', '10', '--reason', 'found'])).code).toBe(0);
    // Thresholds are an admin setting of the API; here they are set in the database directly.
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path);
    db.prepare('UPDATE workspaces SET count_variance_units_max = 1').run();
    db.close();
    expect((await cli(['counts', 'create', '--location', 'WH1', '--number', 'CNT-1'])).code).toBe(0);
    expect((await cli(['counts', 'enter', 'CNT-1', 'TEE:4'])).code).toBe(0);
    const waiting = await cli(['counts', 'post', 'CNT-1']);
    expect(waiting.code, waiting.stderr).toBe(0);
    expect(waiting.stdout).toMatch(/awaits an admin's approval .*nothing was posted/);
    expectOneLineError(await spawned(['counts', 'post', 'CNT-1']), /an admin must approve it \(approval_required\)/);
    const approved = await cli(['counts', 'approve', 'CNT-1']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(/approved by cli:/);
    expect((await spawned(['stock', 'TEE', '--json'])).stdout).toMatch(/"on_hand": 4/);
  }, 120_000);

  it('works the same on PostgreSQL', async () => {
    const pg = await createTestDatabase();
    try {
      const cli = (args: string[]) => runInProcess(args, { DATABASE_URL: pg.url }, dir);
      expect((await cli(['init'])).code).toBe(0);
      await seedItem({ databaseUrl: pg.url });
      await flow(cli);
    } finally {
      await pg.drop();
    }
  }, 120_000);
});

/** One item, TEE, in the only workspace (through the catalog use-case, not another command under test). */
async function seedItem(config: TruestockConfig): Promise<void> {
  const ts = await Truestock.open(config);
  try {
    const [ws] = await ts.store.read((db) => listWorkspaces(db));
    const made = await ts.store.transaction((db) => createItem(db, ws!.id, { sku: 'TEE', name: 'Tee' }, ts.clock.now()));
    expect(made).toMatchObject({ status: 201 });
  } finally {
    await ts.close();
  }
}
