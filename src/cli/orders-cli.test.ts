// `truestock orders …` end to end against a SQLite file in a temp dir: `init` spawns the real
// binary, the rest run the entry module in-process (test/support/cli.ts `runInProcess`: the same
// parsing, commands and output). The use-cases underneath run on both stores in
// src/http/order-routes.test.ts.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createItem } from '../app/catalog.ts';
import { Truestock } from '../app/truestock.ts';
import { listWorkspaces } from '../store/access-repo.ts';
import { expectOneLineError, run, runInProcess, type Run } from '../../test/support/cli.ts';

const json = (r: Run) => JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));

describe('orders CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'truestock-orders-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('places, ships in part, cancels the rest, lists and shows; refusals are one line on stderr', async () => {
    const env = { TRUESTOCK_DB: join(dir, 'cli.db') };
    const cli = (args: string[]) => runInProcess(args, env, dir);
    const ok = async (args: string[]) => {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };
    expect((await run(['init'], env, dir)).code).toBe(0);
    const ts = await Truestock.open({ sqlitePath: env.TRUESTOCK_DB });
    try {
      const [ws] = await ts.store.read((db) => listWorkspaces(db));
      await ts.store.transaction((db) => createItem(db, ws!.id, { sku: 'TEE', name: 'Tee' }, ts.clock.now()));
    } finally {
      await ts.close();
    }
    await ok(['locations', 'add', 'WH1', 'Main', '--kind', 'warehouse']);
    await ok(['adjust', 'TEE', 'WH1', '5', '--reason', 'found']);

    expectOneLineError(await cli(['orders', 'place', 'TEE:9', '--source', 'staff']), /\(insufficient_stock\)/);
    const placed = await ok(['orders', 'place', 'TEE:4', '--source', 'staff', '--json']);
    const order = json(placed).order;
    expect(order).toMatchObject({ state: 'allocated', lines: [{ sku: 'TEE', quantity: 4, allocated: 4 }] });
    const shipped = await ok(['orders', 'ship', String(order.number), '1:1', '--location', 'WH1']);
    expect(shipped.stdout).toMatch(/partially_shipped/);
    const cancelled = await ok(['orders', 'cancel', order.id]);
    expect(cancelled.stdout).toMatch(/: shipped, staff/);
    expect((await ok(['orders', 'list', '--state', 'shipped'])).stdout).toContain(order.id);
    expect(json(await ok(['orders', 'show', order.id, '--json'])).order.lines[0]).toMatchObject({ shipped: 1, cancelled: 3, allocated: 0 });
    expectOneLineError(await cli(['orders', 'show', 'ord_missing']), /no order "ord_missing"/);
    expect((await ok(['verify'])).code).toBe(0);
  }, 120_000);
});
