// Catalog problems and CSV files in a real browser: the problems page lists each kind with links
// that lead to where it is fixed; importing a CSV with a bad row shows every row error (row,
// column, message) and imports nothing; a good file imports; the exports download the rows.

import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eServer, ensureDashboardBuilt, hasChromium, launchBrowser, newPage, seen, signInWithKey } from './support.ts';

const csv = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });

describe.skipIf(!hasChromium)('catalog problems and CSV import/export in a browser', () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;
  const item = async (sku: string) => server.call('GET', `/v1/stock/${encodeURIComponent(sku)}`);

  beforeAll(async () => {
    await ensureDashboardBuilt();
    server = await E2eServer.start();
    await server.seedBasics();
    // listing_missing: a channel that lists every item, listing none of them.
    await server.ok('POST', '/v1/channels', { kind: 'custom', name: 'everything', settings: { lists_all_items: true } });
    // listing_archived_item: a listed item, then archived.
    const old = (await server.ok('POST', '/v1/items', { sku: 'OLD-1', name: 'Old one' })).item;
    await server.ok('POST', '/v1/listings', { channel: 'web', sku: 'OLD-1', external: { external_id: 'old-1' } });
    await server.ok('PATCH', `/v1/items/${old.id}`, { archived: true });
    // bundle_component_archived
    const part = (await server.ok('POST', '/v1/items', { sku: 'PART-1', name: 'Part' })).item;
    await server.ok('POST', '/v1/items', { sku: 'KIT-1', name: 'Kit', kind: 'bundle', components: [{ sku: 'PART-1', quantity: 2 }] });
    await server.ok('PATCH', `/v1/items/${part.id}`, { archived: true });
    browser = await launchBrowser();
    ({ page } = await newPage(browser, server));
    await signInWithKey(page, server.adminKey);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists the catalog problems with links that lead to where each is fixed', async () => {
    await seen(page, 'problems-list', async () => {
      await page.goto('/#/');
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Catalog problems' }).click();
      await page.getByRole('heading', { name: 'Catalog problems', level: 1 }).waitFor();
      await page.getByRole('heading', { name: /^Missing listings \(\d+\)$/ }).waitFor();
      await page.getByRole('heading', { name: 'Listings of archived items (1)' }).waitFor();
      await page.getByRole('heading', { name: 'Bundles with an archived component (1)' }).waitFor();
    });
    await seen(page, 'problems-item-link', async () => {
      const archived = page.getByRole('region', { name: 'Listings of archived items' });
      await archived.getByText('points at OLD-1, which is archived').waitFor();
      await archived.getByRole('link', { name: 'item OLD-1' }).click();
      await page.getByRole('heading', { name: 'OLD-1', level: 1 }).waitFor();
      expect(page.url()).toMatch(/#\/items\/OLD-1$/);
    });
    await seen(page, 'problems-channel-link', async () => {
      await page.goBack();
      await page.getByRole('region', { name: 'Listings of archived items' }).getByRole('link', { name: 'listings on web' }).click();
      await page.getByRole('heading', { name: 'web', level: 1 }).waitFor();
      await page.getByRole('region', { name: 'Listings' }).getByRole('link', { name: 'OLD-1' }).waitFor();
    });
    await seen(page, 'problems-bundle-link', async () => {
      await page.goto('/#/catalog-problems?kind=bundle_component_archived');
      await page.getByRole('heading', { name: 'Bundles with an archived component (1)' }).waitFor();
      expect(await page.getByRole('heading', { name: /^Missing listings/ }).count()).toBe(0);
      const bundles = page.getByRole('region', { name: 'Bundles with an archived component' });
      await bundles.getByRole('link', { name: 'component PART-1' }).waitFor();
      await bundles.getByRole('link', { name: 'bundle KIT-1' }).click();
      await page.getByRole('heading', { name: 'KIT-1', level: 1 }).waitFor();
    });
    await seen(page, 'problems-missing-link', async () => {
      await page.goto('/#/catalog-problems?kind=listing_missing');
      const missing = page.getByRole('region', { name: 'Missing listings' });
      await missing.getByText('MUG-1 is active but has no active listing on everything').waitFor();
      await missing.getByRole('row', { name: /MUG-1 is active/ }).getByRole('link', { name: 'listings on everything' }).click();
      await page.getByRole('heading', { name: 'everything', level: 1 }).waitFor();
    });
  });

  it('shows every bad row of an items file and imports nothing; a good file imports', async () => {
    const form = () => page.getByRole('form', { name: 'Import items' });
    await seen(page, 'import-bad', async () => {
      await page.goto('/#/imports');
      await page.getByRole('heading', { name: 'Import and export', level: 1 }).waitFor();
      await form().getByLabel('Items file (CSV)').setInputFiles(csv('items.csv', 'sku,name,units_per_case\nNEW-1,New one,6\n,No SKU,1\nNEW-2,Two,lots\n'));
      await form().getByRole('button', { name: 'Import items' }).click();
      await page.getByRole('alert').filter({ hasText: '2 errors in 3 rows; nothing was imported' }).waitFor();
      const table = page.getByRole('region', { name: 'Row errors in the items file' });
      const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(rows).toHaveLength(2);
      expect(rows[0]!.slice(0, 2)).toEqual(['3', 'sku']);
      expect(rows[1]!.slice(0, 2)).toEqual(['4', 'units_per_case']);
    });
    expect((await item('NEW-1')).status).toBe(404);

    await seen(page, 'import-good', async () => {
      await form().getByLabel('Items file (CSV)').setInputFiles(csv('items-fixed.csv', 'sku,name,units_per_case\nNEW-1,New one,6\nNEW-2,Two,12\n'));
      await form().getByRole('button', { name: 'Import items' }).click();
      await page.getByRole('status').filter({ hasText: 'Imported: 2 rows, 2 created, 0 updated, 0 unchanged.' }).waitFor();
      expect(await page.getByRole('region', { name: 'Row errors in the items file' }).count()).toBe(0);
    });
    expect((await item('NEW-1')).body.item).toMatchObject({ sku: 'NEW-1', name: 'New one' });
    expect((await item('NEW-2')).status).toBe(200);
  });

  it('imports counted stock, refusing a file with an unknown location whole', async () => {
    const form = () => page.getByRole('form', { name: 'Import stock' });
    await seen(page, 'import-stock', async () => {
      await page.goto('/#/imports');
      await form().getByLabel('Stock file (CSV)').setInputFiles(csv('count.csv', 'sku,location,on_hand\nNEW-1,WH1,7\nNEW-2,NOWHERE,3\n'));
      await form().getByRole('button', { name: 'Import stock' }).click();
      await page.getByRole('region', { name: 'Row errors in the stock file' }).getByRole('cell', { name: '3', exact: true }).waitFor();
    });
    expect((await server.ok('GET', '/v1/stock/NEW-1')).total.on_hand).toBe(0);
    await seen(page, 'import-stock-good', async () => {
      await form().getByLabel('Stock file (CSV)').setInputFiles(csv('count.csv', 'sku,location,on_hand\nNEW-1,WH1,7\nNEW-2,WH1,3\n'));
      await form().getByRole('button', { name: 'Import stock' }).click();
      await page.getByRole('status').filter({ hasText: /Imported: 2 rows, 2 changed/ }).waitFor();
    });
    expect((await server.ok('GET', '/v1/stock/NEW-1')).total.on_hand).toBe(7);
  });

  it('exports download files with the rows', async () => {
    await page.goto('/#/imports');
    const items = await seen(page, 'export-items', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export items (CSV)' }).click()]);
      expect(download.suggestedFilename()).toBe('items.csv');
      return readFileSync((await download.path())!, 'utf8');
    });
    const lines = items.trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^sku,name/);
    expect(lines.some((l) => l.startsWith('NEW-1,New one'))).toBe(true);
    expect(lines.some((l) => l.startsWith('TEE-BLK-M,'))).toBe(true);

    const stock = await seen(page, 'export-stock', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export stock (CSV)' }).click()]);
      expect(download.suggestedFilename()).toBe('stock.csv');
      return readFileSync((await download.path())!, 'utf8');
    });
    expect(stock.split(/\r?\n/)[0]).toMatch(/^sku,location,on_hand/);
    expect(stock).toMatch(/^NEW-1,WH1,7\b/m);
  });
});
