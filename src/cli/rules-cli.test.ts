// `truestock rules list` and `availability explain` say what each rule does in words, and why a
// rule is not in force now (a promotion that has not started, a valve waiting for its shortage,
// a removed rule) — not only the settings JSON.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../../test/support/cli.ts';

describe('truestock rules list and availability explain, in words', () => {
  let dir: string;
  // In-process (the same parsing, commands and output; cli.test.ts spawns the real process).
  const cli = (...args: string[]) => runInProcess(args, { TRUESTOCK_DB: join(dir, 'cli.db') }, dir);
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'truestock-rules-cli-'));
    await ok('init');
    writeFileSync(join(dir, 'items.csv'), 'sku,name\nTEE-M,Tee M\n');
    await ok('items', 'import', join(dir, 'items.csv'));
    await ok('locations', 'add', 'WH1', 'Warehouse');
    await ok('adjust', 'TEE-M', 'WH1', '50', '--reason', 'correction');
    await ok('channels', 'add', 'custom', 'web');
    await ok('listings', 'add', 'web', 'TEE-M', '--id', 'external_id=1');
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists each rule with what it does and whether it is in force', async () => {
    await ok('rules', 'add', 'web', '--settings', '{"allocation":{"mode":"share","percent":40}}');
    await ok('rules', 'add', 'web', '--sku', 'TEE-M', '--starts-at', '2099-11-27T00:00:00Z', '--settings', '{"cap_units":5}');
    await ok('rules', 'add', 'web', '--below', '10', '--settings', '{"allocation":{"mode":"share","percent":0}}');
    const list = await ok('rules', 'list', 'web');
    expect(list).toMatch(/ yes +For every item: the channel gets 40 % of the pool\./);
    expect(list).toMatch(/ no: starts 2099-11-27 00:00 UTC +For TEE-M, from 2099-11-27 00:00 UTC: the channel shows at most 5 units\./);
    expect(list).toMatch(/ while the pool is below 10 +For every item, while the pool is below 10 units: the channel gets 0 % of the pool\./);

    const explained = await ok('availability', 'explain', 'TEE-M', '--channel', 'web');
    expect(explained).toMatch(/^web shows 20 of TEE-M/m);
    expect(explained).toMatch(/^rules not in force now:$/m);
    expect(explained).toMatch(/starts 2099-11-27 00:00 UTC +For TEE-M/);
    expect(explained).toMatch(/waits: the pool is not below 10 units +For every item, while the pool is below 10 units/);
  }, 120_000);
});
