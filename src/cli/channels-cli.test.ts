// `truestock channels add|list|show|set` and `listings add` for a channel whose settings hold maps,
// lists and credentials (an Amazon seller): JSON values, credentials never printed, settings
// changed one at a time, and refusals in one line naming the field.
// Commands run the entry module in-process (test/support/cli.ts `runInProcess`: the same parsing,
// output and exit codes without a process start of seconds each); `init` spawns the real process.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, runInProcess } from '../../test/support/cli.ts';

describe('truestock channels for an Amazon seller on SQLite', () => {
  let dir: string;
  const cli = (...args: string[]) => runInProcess(args, { TRUESTOCK_DB: join(dir, 'cli.db') }, dir);
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.code, r.stderr).toBe(0);
    return r;
  };
  const refused = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    return r.stderr;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'truestock-channels-cli-'));
    const init = await run(['init'], { TRUESTOCK_DB: join(dir, 'cli.db') }, dir);
    expect(init.code, init.stderr).toBe(0);
    const items = join(dir, 'items.csv');
    writeFileSync(items, 'sku,name\nTEE-M,Tee M\nMUG,Mug\n');
    await ok('items', 'import', items);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds, lists, shows and edits the channel without printing its credentials', async () => {
    expect((await ok('channels', 'add', 'amazon', 'amazon-us',
      '--setting', 'seller_id=A1SELLER', '--setting', 'region=na', '--setting', 'refresh_token=Atzr|very-secret',
      '--setting', 'locations={"ATVPDKIKX0DER":"FBA-US"}', '--setting', 'fba_marketplace_ids=["ATVPDKIKX0DER"]')).stdout).toMatch(/added channel amazon-us \(amazon\)/);
    const list = (await ok('channels', 'list')).stdout;
    expect(list).toMatch(/amazon-us +amazon +\{"seller_id":"A1SELLER","region":"na","refresh_token":"\(set\)","locations":\{"ATVPDKIKX0DER":"FBA-US"\},"fba_marketplace_ids":\["ATVPDKIKX0DER"\]\}/);
    expect(list).not.toMatch(/very-secret/);

    expect((await ok('channels', 'set', 'amazon-us', '--setting', 'merchant_locations=["3PL"]', '--unset', 'region', '--setting', 'endpoint=http://127.0.0.1:4002')).stdout).toMatch(/updated channel amazon-us \(amazon\)/);
    const shown = (await ok('channels', 'show', 'amazon-us')).stdout;
    expect(shown).toMatch(/^amazon-us \(amazon\) chan_/);
    expect(shown).toMatch(/^ {2}refresh_token: \(set\)$/m);
    expect(shown).toMatch(/^ {2}merchant_locations: \["3PL"\]$/m);
    expect(shown).toMatch(/^ {2}endpoint: http:\/\/127\.0\.0\.1:4002$/m);
    expect(shown).not.toMatch(/region|very-secret/);
    expect(shown).toMatch(/^listings: 0 active, 0 inactive$/m);
  });

  it('refuses bad settings and identifiers in one line naming the field', async () => {
    expect(await refused('channels', 'set', 'amazon-us', '--setting', 'region=mars')).toMatch(/settings\.region must be one of na, eu, fe/);
    expect(await refused('channels', 'set', 'amazon-us', '--setting', 'locations={"ATVPDKIKX0DER":')).toMatch(/--setting locations: not valid JSON/);
    expect(await refused('channels', 'set', 'amazon-us', '--setting', 'locations=["FBA-US"]')).toMatch(/settings\.locations must map marketplace ids to location codes/);
    expect(await refused('channels', 'set', 'amazon-us', '--setting', 'lwa_url=not a url')).toMatch(/settings\.lwa_url must be an http\(s\) URL/);
    expect(await refused('channels', 'show', 'nope')).toMatch(/no channel "nope"/);
    expect(await refused('channels', 'set', 'amazon-us')).toMatch(/nothing to change/);

    expect((await ok('listings', 'add', 'amazon-us', 'TEE-M', '--id', 'seller_sku=TEE-M', '--id', 'marketplace_id=ATVPDKIKX0DER')).stdout).toMatch(/seller_sku:TEE-M@marketplace:ATVPDKIKX0DER on amazon-us → TEE-M/);
    expect(await refused('listings', 'add', 'amazon-us', 'MUG', '--id', 'seller_sku=MUG')).toMatch(/seller_sku \+ marketplace_id: marketplace_id is missing/);
    expect((await ok('channels', 'show', 'amazon-us')).stdout).toMatch(/^listings: 1 active, 0 inactive$/m);
  });
});
