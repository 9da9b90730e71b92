// Stock where people look for it, in a real browser: the Items list searched, sorted, filtered
// and paged on the server; an adjustment from an item's page refused (and why) and then done; an
// item's holds; a pushed channel's listings with the number last seen on the channel and when,
// paged beyond 100; and none of these screens scrolls sideways at 800 px.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordShown } from '../../src/store/sync-repo.ts';
import { E2eServer, ensureDashboardBuilt, hasChromium, type Json, launchBrowser, newPage, seen, signInWithKey } from './support.ts';

/** Items made besides the basics: more than two pages of 50. */
const ITEMS = 120;
const LISTINGS = 105;
const sku = (i: number) => `ITM-${String(i).padStart(3, '0')}`;
/** A long channel identifier, of the kind that pushed the item page sideways. */
const LONG_ID = 'gid://shopify/InventoryItem/4410245793865012345678901234567890123456789';

describe.skipIf(!hasChromium)('items, an item and listings in a browser', () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;
  let shopChannel: Json;

  beforeAll(async () => {
    await ensureDashboardBuilt();
    server = await E2eServer.start();
    await server.seedBasics();
    for (let i = 0; i < ITEMS; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, j) => {
          const n = i + j;
          await server.ok('POST', '/v1/items', { sku: sku(n), name: `Thing ${n}`, ...(n === 42 ? { barcode: '5012345678900' } : {}) });
          // Every third item has none; the others 1..60 units, item 77 the most.
          if (n % 3 !== 0) await server.ok('POST', '/v1/stock/receive', { sku: sku(n), location: 'WH1', quantity: n === 77 ? 500 : (n % 60) + 1 });
        }),
      );
    }
    await server.ok('POST', '/v1/stock/receive', { sku: sku(5), location: 'ST1', quantity: 4 });
    shopChannel = (await server.ok('POST', '/v1/channels', { kind: 'shopify', name: 'shop', settings: { shop_domain: 'items-shop.myshopify.com', access_token: 'x', api_url: 'http://127.0.0.1:9' } })).channel;
    await server.ok('POST', '/v1/listings', { channel: 'shop', sku: 'TEE-BLK-M', external: { inventory_item_id: LONG_ID, location_id: 'gid://shopify/Location/1234567890123' } });
    for (let i = 1; i < LISTINGS; i += 15) {
      await Promise.all(Array.from({ length: Math.min(15, LISTINGS - i) }, (_, j) => server.ok('POST', '/v1/listings', { channel: 'shop', sku: sku(i + j), external: { inventory_item_id: `gid://shopify/InventoryItem/${i + j}`, location_id: 'gid://shopify/Location/1' } })));
    }
    browser = await launchBrowser();
    ({ page } = await newPage(browser, server));
    await signInWithKey(page, server.adminKey);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const table = () => page.getByRole('region', { name: 'Items', exact: true });
  const rowSkus = async () => (await table().locator('tbody th').allInnerTexts()).map((s) => s.trim());

  it('searches, sorts, filters and pages the items list on the server', async () => {
    await seen(page, 'items-page', async () => {
      await page.goto('/#/items');
      await table().getByRole('rowheader', { name: 'ITM-000' }).waitFor();
      expect(await table().locator('tbody tr').count()).toBe(50);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('Page 2').waitFor();
      await table().getByRole('rowheader', { name: sku(50) }).waitFor();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('Page 3').waitFor();
      // 122 items by SKU: ITM-000…119, then MUG-1 and TEE-BLK-M on the third page.
      await table().getByRole('rowheader', { name: 'TEE-BLK-M' }).waitFor();
      expect(await table().locator('tbody tr').count()).toBe(22);
      await page.getByRole('button', { name: 'Previous' }).click();
      await page.getByText('Page 2').waitFor();
    });
    await seen(page, 'items-search', async () => {
      await page.getByLabel('Search SKU, name or barcode').fill('itm-01');
      await page.getByLabel('Search SKU, name or barcode').press('Enter');
      await table().getByRole('rowheader', { name: 'ITM-019' }).waitFor();
      expect(await rowSkus()).toEqual(Array.from({ length: 10 }, (_, i) => sku(10 + i)));
      expect(page.url()).toContain('q=itm-01');
      await page.getByLabel('Search SKU, name or barcode').fill('5012345678900');
      await page.getByLabel('Search SKU, name or barcode').press('Enter');
      await table().getByRole('rowheader', { name: 'ITM-042' }).waitFor();
      expect(await rowSkus()).toEqual(['ITM-042']);
      await page.getByLabel('Search SKU, name or barcode').fill('');
      await page.getByLabel('Search SKU, name or barcode').press('Enter');
    });
    await seen(page, 'items-sort', async () => {
      await table().getByRole('button', { name: 'Available' }).click();
      await page.waitForURL(/sort=available/);
      await table().getByRole('button', { name: 'Available' }).click();
      await page.waitForURL(/order=desc/);
      await until(async () => (await rowSkus())[0] === 'ITM-077');
      expect(await table().getByRole('columnheader', { name: /Available/ }).getAttribute('aria-sort')).toBe('descending');
      const available = (await table().locator('tbody tr td:nth-of-type(4)').allInnerTexts()).map((t) => Number(t.replace(/\D+$/g, '').replace(/[^\d]/g, '')));
      expect(available).toEqual([...available].sort((a, b) => b - a));
    });
    await seen(page, 'items-filter', async () => {
      await page.getByLabel('Stock', { exact: true }).selectOption('out_of_stock');
      await page.waitForURL(/stock=out_of_stock/);
      await until(async () => (await rowSkus()).every((s) => s.startsWith('ITM-') && Number(s.slice(4)) % 3 === 0));
      expect(await rowSkus()).toHaveLength(40);
      await page.getByLabel('Stock', { exact: true }).selectOption('');
      await page.getByLabel('Numbers at').selectOption('ST1');
      await page.waitForURL(/location=ST1/);
      await until(async () => (await rowSkus()).join() === 'ITM-005');
      expect(await table().getByRole('row', { name: /ITM-005/ }).innerText()).toMatch(/\b4\b/);
    });
  });

  it("adjusts from an item's page: the refusal shown, then the adjustment done; its holds listed", async () => {
    await server.ok('POST', '/v1/holds', { lines: [{ sku: 'MUG-1', quantity: 1, location: 'WH1' }], reference: 'cart-77' });
    await seen(page, 'item-adjust', async () => {
      await page.goto('/#/items/MUG-1');
      const form = page.getByRole('form', { name: 'Adjust' });
      await form.getByLabel('Location').selectOption('WH1');
      await form.getByLabel('Change (+ or −)').fill('-5');
      await form.getByLabel('Reason').selectOption('damage');
      await form.getByRole('button', { name: 'Adjust' }).click();
      // 3 received, 1 held: 2 available.
      await form.getByRole('alert').filter({ hasText: 'available is 2; cannot remove 5' }).waitFor();
      expect((await server.ok('GET', '/v1/stock/MUG-1')).total.available).toBe(2);
      await form.getByLabel('Change (+ or −)').fill('-1');
      await form.getByRole('button', { name: 'Adjust' }).click();
      await form.getByRole('status').filter({ hasText: 'adjusted available at WH1 by -1 (damage)' }).waitFor();
      expect((await server.ok('GET', '/v1/stock/MUG-1')).total.available).toBe(1);
      const holds = page.getByRole('region', { name: 'Holds and allocations of this item, newest first' });
      await holds.getByText('cart-77').waitFor();
    });
    // Its order history: the Orders list filtered by this SKU.
    const placed = await server.ok('POST', '/v1/orders', { source: 'staff', lines: [{ sku: 'MUG-1', quantity: 1 }], locations: ['WH1'] });
    await page.getByRole('link', { name: 'Orders with MUG-1' }).click();
    await page.waitForURL(/#\/orders\?.*sku=MUG-1/);
    await page.getByRole('link', { name: new RegExp(`^#?${(placed.order as Json).number}\\b`) }).first().waitFor();
  });

  it("a pushed channel's listings show the number last seen there with when, and page beyond 100", async () => {
    const listings = (await server.ok('GET', `/v1/listings?channel=shop&sku=${sku(1)}`)).data as Json[];
    await server.ts.store.transaction((db) => recordShown(db, server.workspaceId, shopChannel.id, listings[0]!.id, 17, server.ts.clock.now()));
    await seen(page, 'listings-pages', async () => {
      await page.goto(`/#/channels/${shopChannel.id}`);
      const region = page.getByRole('region', { name: 'Listings', exact: true });
      await region.getByRole('rowheader', { name: sku(1) }).waitFor();
      expect(await region.locator('tbody tr').count()).toBe(100);
      expect(await region.locator('thead').innerText()).toMatch(/shown/i);
      expect(await region.getByRole('row', { name: new RegExp(sku(1)) }).innerText()).toMatch(/\b17\b.*\d{1,2}:\d{2}/s);
      const first = new Set(await region.locator('tbody th').allInnerTexts());
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('Page 2').waitFor();
      await until(async () => (await region.locator('tbody tr').count()) === LISTINGS - 100);
      for (const s of await region.locator('tbody th').allInnerTexts()) expect(first.has(s)).toBe(false);
    });
  });

  it('no sideways scroll at 800 px on the items list, an item with long channel ids, and the listings', async () => {
    const { context, page: narrow } = await newPage(browser, server, { width: 800, height: 900 });
    await signInWithKey(narrow, server.adminKey);
    for (const [path, heading] of [
      ['/#/items', 'Items'],
      ['/#/items/TEE-BLK-M', 'TEE-BLK-M'],
      [`/#/channels/${shopChannel.id}`, 'shop'],
    ] as const) {
      await seen(narrow, `narrow-${heading}`, async () => {
        await narrow.goto(path);
        await narrow.getByRole('heading', { level: 1, name: heading }).waitFor();
        await narrow.waitForLoadState('networkidle');
        const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, path).toBeLessThanOrEqual(0);
      });
    }
    // The items table itself fits: no scrolling inside its box either.
    await narrow.goto('/#/items');
    const wrap = narrow.getByRole('region', { name: 'Items', exact: true });
    await wrap.getByRole('rowheader', { name: 'ITM-000' }).waitFor();
    expect(await wrap.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    await context.close();
  });
});

/** Wait until `check` holds (the list re-reads after a change of view). */
async function until(check: () => Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
