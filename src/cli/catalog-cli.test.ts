// The catalog commands end to end: spawn `node bin/truestock.js` against a SQLite file and read
// stdout, stderr and the exit code.
// Commands run the entry module in-process (test/support/cli.ts `runInProcess`: the same parsing,
// output and exit codes without a process start of seconds each); `init` spawns the real process.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, runInProcess } from '../../test/support/cli.ts';

describe('truestock catalog commands on SQLite', () => {
  let dir: string;
  const cli = (...args: string[]) => runInProcess(args, { TRUESTOCK_DB: join(dir, 'cli.db') }, dir);
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.code, r.stderr).toBe(0);
    return r;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'truestock-catalog-cli-'));
    const init = await run(['init'], { TRUESTOCK_DB: join(dir, 'cli.db') }, dir);
    expect(init.code, init.stderr).toBe(0);
    await ok('items', 'import', file('items.csv', 'sku,name\nTEE-M,Tee M\nTEE-L,Tee L\nMUG,Mug\n'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds and lists products, bundles, channels and listings; refusals are one line', async () => {
    expect((await ok('products', 'add', 'tee', 'Tee', '--option', 'Size')).stdout).toMatch(/added product tee \(Size\) prod_/);
    expect((await ok('products', 'list')).stdout).toMatch(/^tee +Tee +Size/m);
    expect((await ok('bundles', 'add', 'GIFT', 'Gift set', '--component', 'TEE-M:1', '--component', 'MUG:2')).stdout).toMatch(/added bundle GIFT = 1 × TEE-M \+ 2 × MUG/);
    // The same command again replays instead of "taken".
    expect((await ok('bundles', 'add', 'GIFT', 'Gift set', '--component', 'TEE-M:1', '--component', 'MUG:2')).stdout).toMatch(/already added/);
    const bad = await cli('bundles', 'add', 'PACK', 'Pack', '--kind', 'multipack', '--component', 'TEE-M:2', '--component', 'MUG:2');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^truestock: .*multipack.*\(invalid_component\)/);
    expect((await ok('channels', 'add', 'amazon', 'Amazon US', '--setting', 'seller_id=S1', '--lists-all-items')).stdout).toMatch(/added channel Amazon US \(amazon\)/);
    expect((await ok('channels', 'list')).stdout).toMatch(/Amazon US +amazon +\{"seller_id":"S1","lists_all_items":true\}/);
    expect((await ok('listings', 'add', 'Amazon US', 'GIFT', '--id', 'seller_sku=G-1', '--id', 'marketplace_id=US')).stdout).toMatch(/seller_sku:G-1@marketplace:US on Amazon US → GIFT/);
    const taken = await cli('listings', 'add', 'Amazon US', 'MUG', '--id', 'seller_sku=G-1', '--id', 'marketplace_id=US');
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/^truestock: .*GIFT.*\(listing_taken\)\n$/);
    const problems = await ok('catalog', 'problems', '--kind', 'listing_missing');
    expect(problems.stdout).toMatch(/listing_missing: MUG is active but has no active listing on Amazon US/);
    const json = JSON.parse((await ok('catalog', 'problems', '--json')).stdout);
    expect(json.data.map((p: { item_sku: string }) => p.item_sku)).toEqual(expect.arrayContaining(['MUG', 'TEE-L', 'TEE-M']));
  });

  it('imports bundles and listings from CSV all or nothing, reports every bad row, and exports what it imports', async () => {
    const badBundles = file('bad-bundles.csv', 'sku,name,kind,component_sku,quantity\nB1,Bundle one,bundle,TEE-M,1\nB1,,,NOPE,1\nB2,Pack,multipack,MUG,1\nB3,Three,bundle,TEE-L,x\n');
    const r = await cli('bundles', 'import', badBundles);
    expect(r.code).toBe(2);
    // Rows bad on their own and rows bad against the catalog, all in one run.
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      `${badBundles}:3: component_sku: B1: no item with SKU "NOPE"`,
      `${badBundles}:4: quantity: B2: a multipack holds at least 2 units of its item`,
      `${badBundles}:5: quantity: quantity must be a whole number from 1 to 10000, got "x"`,
      expect.stringMatching(/3 errors; nothing was imported/),
    ]);
    const badCatalog = file('bad-bundles-2.csv', 'sku,name,kind,component_sku,quantity\nB1,Bundle one,bundle,TEE-M,1\nMUG,Mug bundle,bundle,TEE-L,1\nB4,Four,bundle,GIFT,1\n');
    const r2 = await cli('bundles', 'import', badCatalog);
    expect(r2.code).toBe(2);
    expect(r2.stderr.split('\n').filter(Boolean)).toEqual([
      `${badCatalog}:3: sku: MUG is a standard item; a bundle needs its own SKU`,
      `${badCatalog}:4: component_sku: B4: GIFT is a bundle; components must be standard items`,
      expect.stringMatching(/2 errors; nothing was imported/),
    ]);
    expect((await ok('bundles', 'export')).stdout).not.toMatch(/^B1,/m);

    const good = file('bundles.csv', 'sku,name,kind,component_sku,quantity\nB1,"Bundle, one",bundle,TEE-M,1\nB1,,,MUG,3\nB2,Pack,multipack,MUG,6\n');
    expect((await ok('bundles', 'import', good)).stdout).toMatch(/bundles 2, created 2, updated 0, unchanged 0/);
    expect((await ok('bundles', 'import', good)).stdout).toMatch(/already imported/);
    const out = join(dir, 'out.csv');
    await ok('bundles', 'export', out);
    const exported = readFileSync(out, 'utf8');
    expect(exported).toBe('sku,name,kind,component_sku,quantity\nB1,"Bundle, one",bundle,MUG,3\nB1,,,TEE-M,1\nB2,Pack,multipack,MUG,6\nGIFT,Gift set,bundle,MUG,2\nGIFT,,,TEE-M,1\n');
    expect((await ok('bundles', 'import', out)).stdout).toMatch(/created 0, updated 0, unchanged 3/);

    const header = 'channel,sku,external.seller_sku,external.marketplace_id,external.external_id,active';
    await ok('channels', 'add', 'wholesale', 'Wholesale');
    const badListings = file('bad-listings.csv', `${header}\nAmazon US,B1,S-B1,US,,\nNope,B1,,,x,\nWholesale,B2,S-1,US,,\nAmazon US,MUG,G-1,US,,\nAmazon US,B2,S-B1,US,,\n`);
    const l = await cli('listings', 'import', badListings);
    expect(l.code).toBe(2);
    expect(l.stderr.split('\n').filter(Boolean)).toEqual([
      `${badListings}:3: channel: no channel "Nope" in this workspace`,
      `${badListings}:4: external.seller_sku: wholesale listings take external_id; seller_sku is not one of them`,
      `${badListings}:5: seller_sku:G-1@marketplace:US is already mapped on Amazon US to GIFT by listing ${/lst_\w+/.exec(l.stderr)![0]}`,
      `${badListings}:6: seller_sku:S-B1@marketplace:US on Amazon US is already on line 2`,
      expect.stringMatching(/4 errors; nothing was imported/),
    ]);
    expect((await ok('listings', 'export')).stdout.trim().split('\n')).toHaveLength(2);
    const goodListings = file('listings.csv', `${header}\nAmazon US,B1,S-B1,US,,\nWholesale,B2,,,W-2,yes\nAmazon US,GIFT,G-1,US,,false\n`);
    expect((await ok('listings', 'import', goodListings)).stdout).toMatch(/rows 3, created 2, updated 1, unchanged 0/);
    const listOut = join(dir, 'listings-out.csv');
    await ok('listings', 'export', listOut);
    const text = readFileSync(listOut, 'utf8');
    expect(text.split('\n')[0]).toBe('channel,sku,external.inventory_item_id,external.location_id,external.variant_id,external.seller_sku,external.marketplace_id,external.sku,external.ship_node,external.catalog_object_id,external.external_id,active');
    expect(text).toMatch(/^Amazon US,GIFT,,,,G-1,US,,,,,false$/m);
    expect((await ok('listings', 'import', listOut)).stdout).toMatch(/created 0, updated 0, unchanged 3/);
  });
});
