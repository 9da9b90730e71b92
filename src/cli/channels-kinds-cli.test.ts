// `truestock channels add|show|set` and `listings add` for a Walmart seller, an eBay store and a
// Square till: each kind's credentials never printed, its own settings checked in one line naming
// the field, and listings by the kind's own identifiers (Walmart and eBay: the SKU; Square: the
// catalog object, with the location when the channel maps several). A numeric-looking id given in
// double quotes stays a string (Walmart's ship node).
// Commands run the entry module in-process (test/support/cli.ts `runInProcess`: the same parsing,
// output and exit codes without a process start of seconds each); `init` spawns the real process.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, runInProcess } from '../../test/support/cli.ts';

/** Seven or eight CLI runs a test, each a new process (seconds apiece on a busy machine). */
const CLI_TEST_MS = 90_000;

describe('truestock channels for Walmart, eBay and Square on SQLite', () => {
  let dir: string;
  const cli = (...args: string[]) => runInProcess(args, { TRUESTOCK_DB: join(dir, 'cli.db') }, dir);
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  const refused = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    return r.stderr;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'truestock-kinds-cli-'));
    const init = await run(['init'], { TRUESTOCK_DB: join(dir, 'cli.db') }, dir);
    expect(init.code, init.stderr).toBe(0);
    const items = join(dir, 'items.csv');
    writeFileSync(items, 'sku,name\nTEE-M,Tee M\nMUG,Mug\n');
    await ok('items', 'import', items);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a Walmart seller: ship node kept as a string, credentials hidden, listings by SKU', { timeout: CLI_TEST_MS }, async () => {
    expect(await ok('channels', 'add', 'walmart', 'walmart-us', '--setting', 'client_id=cid', '--setting', 'client_secret=wm-very-secret',
      '--setting', 'ship_node="10001"', '--setting', 'locations={"10001":"3PL"}')).toMatch(/added channel walmart-us \(walmart\)/);
    const shown = await ok('channels', 'show', 'walmart-us');
    expect(shown).toMatch(/^ {2}client_secret: \(set\)$/m);
    expect(shown).toMatch(/^ {2}ship_node: 10001$/m);
    expect(shown).not.toMatch(/very-secret/);
    expect(await refused('channels', 'set', 'walmart-us', '--setting', 'notification_auth=NONE')).toMatch(/settings\.notification_auth must be one of HMAC, BASIC_AUTH/);
    expect(await refused('channels', 'set', 'walmart-us', '--setting', 'ship_node=10001')).toMatch(/settings\.ship_node must be a non-empty string/);
    expect(await ok('listings', 'add', 'walmart-us', 'TEE-M', '--id', 'sku=TEE-M')).toMatch(/added listing sku:TEE-M on walmart-us → TEE-M/);
    expect(await ok('listings', 'add', 'walmart-us', 'TEE-M', '--id', 'sku=TEE-M', '--id', 'ship_node=10001')).toMatch(/added listing sku:TEE-M@ship_node:10001 on walmart-us → TEE-M/);
    expect(await refused('listings', 'add', 'walmart-us', 'MUG', '--id', 'item_id=3')).toMatch(/walmart listings take sku \+ ship_node, or sku; item_id is not one of them/);
  });

  it('an eBay store: OAuth credentials hidden, the daily revision allowance checked, listings by SKU', { timeout: CLI_TEST_MS }, async () => {
    await ok('channels', 'add', 'ebay', 'ebay', '--setting', 'client_id=cid', '--setting', 'client_secret=eb-very-secret', '--setting', 'refresh_token=v^1.1#very-secret');
    expect(await ok('channels', 'set', 'ebay', '--setting', 'daily_revisions=200')).toMatch(/updated channel ebay \(ebay\)/);
    const shown = await ok('channels', 'show', 'ebay');
    expect(shown).toMatch(/^ {2}refresh_token: \(set\)$/m);
    expect(shown).toMatch(/^ {2}daily_revisions: 200$/m);
    expect(shown).not.toMatch(/very-secret/);
    expect(await refused('channels', 'set', 'ebay', '--setting', 'daily_revisions=0')).toMatch(/settings\.daily_revisions must be a whole number from 1 to 250/);
    expect(await ok('listings', 'add', 'ebay', 'TEE-M', '--id', 'sku=TEE-M')).toMatch(/added listing sku:TEE-M on ebay → TEE-M/);
    expect(await refused('listings', 'add', 'ebay', 'MUG', '--id', 'item=3')).toMatch(/ebay listings take sku; item is not one of them/);
  });

  it('a Square till: token hidden, Square-Version checked, listings by catalog object (and location)', { timeout: CLI_TEST_MS }, async () => {
    await ok('channels', 'add', 'square', 'pos', '--setting', 'access_token=EAAA-very-secret', '--setting', 'locations={"LNYC":"STORE-NYC","LSF":"STORE-SF"}');
    const shown = await ok('channels', 'show', 'pos');
    expect(shown).toMatch(/^ {2}access_token: \(set\)$/m);
    expect(shown).toMatch(/^ {2}locations: \{"LNYC":"STORE-NYC","LSF":"STORE-SF"\}$/m);
    expect(shown).not.toMatch(/very-secret/);
    expect(await refused('channels', 'set', 'pos', '--setting', 'square_version=yesterday')).toMatch(/settings\.square_version must be a date like 2026-05-20/);
    expect(await ok('listings', 'add', 'pos', 'TEE-M', '--id', 'catalog_object_id=OBJTEE', '--id', 'location_id=LNYC')).toMatch(/added listing catalog_object:OBJTEE@location:LNYC on pos → TEE-M/);
    expect(await refused('listings', 'add', 'pos', 'MUG', '--id', 'location_id=LNYC')).toMatch(/square listings need catalog_object_id \+ location_id, or catalog_object_id: catalog_object_id is missing/);
    expect(await ok('channels', 'show', 'pos')).toMatch(/^listings: 1 active, 0 inactive$/m);
  });
});
