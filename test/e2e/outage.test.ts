// The dashboard during an incident, in a real browser: a Shopify shop goes down (through the
// emulator's documented control endpoint), pushes fail, an order poll fails, a listing is
// dead-lettered — and every screen still draws its heading beside the menu; the channel's page
// still offers pause/resume, hiding SKUs and retrying dead letters; a channel without a connector
// reads "served, not pushed"; and a screen that fails to draw leaves the menu and says what failed.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifyEmulator, type ShopifyEmulator } from '../../emulators/shopify/index.ts';
import { PollScheduler } from '../../src/channels/poll-scheduler.ts';
import { E2eServer, ensureDashboardBuilt, hasChromium, type Json, launchBrowser, newPage, seen, signInWithKey, until, workspaceRoutePatterns } from './support.ts';

/** Long enough to outlast the whole browser walk: the shop must still be down on the last screen. */
const OUTAGE_S = 600;
/** Waits on the sync (a push, a failed push, a dead letter) are longer than a page step. */
const SYNC_WAIT_MS = 20_000;


describe.skipIf(!hasChromium)('the dashboard during a shop outage', () => {
  let server: E2eServer;
  let browser: Browser;
  let shop: ShopifyEmulator;
  let shopChannel: Json;
  let countId: string;
  const status = async (ref: string) => server.ok('GET', `/v1/channels/${encodeURIComponent(ref)}/sync`);

  beforeAll(async () => {
    await ensureDashboardBuilt();
    // The breaker stays open through the walk once it opens (production re-probes sooner).
    server = await E2eServer.start({ sync: { idleMs: 20, breaker: { openMs: 120_000, openMaxMs: 120_000 } } });
    await server.seedBasics();
    shop = await startShopifyEmulator({ shop: 'outage-shop' });
    const loc = shop.addLocation('Warehouse').id;
    const tee = shop.addItem({ sku: 'TEE-BLK-M', levels: { [loc]: 0 } }).inventoryItemId;
    shopChannel = (await server.ok('POST', '/v1/channels', { kind: 'shopify', name: 'shop', settings: { shop_domain: shop.shopDomain, access_token: shop.accessToken, api_url: shop.url } })).channel;
    await server.ok('POST', '/v1/listings', { channel: 'shop', sku: 'TEE-BLK-M', external: { inventory_item_id: tee, location_id: loc } });
    // An inventory item the shop does not have: Shopify rejects it and it is dead-lettered at once.
    await server.ok('POST', '/v1/listings', { channel: 'shop', sku: 'MUG-1', external: { inventory_item_id: 'gid://shopify/InventoryItem/987654321', location_id: loc } });
    countId = (await server.ok('POST', '/v1/counts', { location: 'WH1', scope: 'skus', skus: ['MUG-1'] })).count.id;
    // An order for the orders screens, of an item no channel lists (it pushes nothing to the shop).
    await server.ok('POST', '/v1/items', { sku: 'ORDER-ONLY', name: 'Ordered only' });
    await server.ok('POST', '/v1/stock/receive', { sku: 'ORDER-ONLY', location: 'WH1', quantity: 2 });
    await server.ok('POST', '/v1/orders', { source: 'staff', lines: [{ sku: 'ORDER-ONLY', quantity: 1 }], locations: ['WH1'] });

    server.ts.sync.start();
    await until('the first push and a dead letter', async () => shop.level(tee, loc)?.available === 40 && (await status('shop')).dead_letters >= 1, SYNC_WAIT_MS);

    // The outage, through the control endpoint people script their tests against.
    const down = await fetch(`${shop.url}/_emulator/outage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: OUTAGE_S, mode: '503' }) });
    expect(down.status).toBe(202);
    await server.ok('POST', '/v1/stock/receive', { sku: 'TEE-BLK-M', location: 'WH1', quantity: 5 });
    await until('a failed push', async () => (await status('shop')).dispatcher?.last_error?.message, SYNC_WAIT_MS);
    // One order poll, as the poller runs it: it fails against the shop that is down.
    await new PollScheduler(server.ts).tick();
    await until('the failed poll to show', async () => (await status('shop')).inbound?.consecutive_failures >= 1);
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.ts.sync.stop();
    await server?.stop();
    await shop?.close();
  });

  it('the status API says what is wrong: not "active", the last error as {at, message}, the failed poll', async () => {
    const s = await status('shop');
    expect(s.numbers).toBe('pushed');
    expect(['failing', 'degraded']).toContain(s.state);
    expect(s.state_reasons.join('\n')).toMatch(/order polls failing \(1 in a row\)/);
    expect(s.dispatcher.last_error).toEqual({ at: expect.any(String), message: expect.any(String) });
    expect(s.inbound).toMatchObject({ consecutive_failures: 1, last_error: { message: expect.any(String) } });
    expect(await status('web')).toMatchObject({ numbers: 'served', state: 'served', queue_depth: null, dispatcher: null });
  });

  it('draws every screen with its heading and the menu', async () => {
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, server.adminKey);
    const screens: [string, string][] = [
      ['/', 'Overview'],
      ['/items', 'Items'],
      ['/items/TEE-BLK-M', 'TEE-BLK-M'],
      ['/channels', 'Channels'],
      [`/channels/${shopChannel.id}`, 'shop'],
      ['/channels/web', 'web'],
      ['/channels/shop/rules', 'Rules of shop'],
      ['/catalog-problems', 'Catalog problems'],
      ['/imports', 'Import and export'],
      ['/orders', 'Orders'],
      ['/orders/1', 'Order #1'],
      ['/exceptions', 'Exceptions'],
      ['/receiving', 'Receiving'],
      ['/returns', 'Returns'],
      ['/transfers', 'Transfers'],
      ['/counts', 'Cycle counts'],
      [`/counts/${countId}`, /^Count /.source],
      ['/alerts', 'Alerts'],
      ['/audit', 'Audit log'],
    ];
    // Every pattern in the route table is among the screens visited.
    const visited = screens.map(([path]) => path);
    for (const pattern of workspaceRoutePatterns()) {
      const re = new RegExp(`^${pattern.replace(/:[^/]+/g, '[^/]+')}$`);
      expect(visited.some((p) => re.test(p)), `no visit for ${pattern}`).toBe(true);
    }
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    for (const [path, heading] of screens) {
      await seen(page, `outage-${path}`, async () => {
        await page.goto(`/#${path}`);
        await page.getByRole('heading', { name: heading.startsWith('^') ? new RegExp(heading) : heading, level: 1, exact: true }).waitFor();
        await page.waitForLoadState('networkidle');
        await expectMenu(page);
        expect(await page.locator('.screen-failed').count(), `${path} failed to draw`).toBe(0);
      });
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the Channels screen says the shop is failing and why, and the POS-like channel is served, not pushed', async () => {
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, server.adminKey);
    await seen(page, 'outage-channels', async () => {
      await page.goto('/#/channels');
      const row = page.locator('tr[data-channel="shop"]');
      await row.getByText(/failing|degraded/).first().waitFor();
      const text = await row.innerText();
      expect(text).not.toContain('[object Object]');
      expect(text).toMatch(/failed 1 in a row/);
      const web = await page.locator('tr[data-channel="web"]').innerText();
      expect(web).toContain('served, not pushed');
      expect(web).not.toMatch(/breaker/);
    });
    await seen(page, 'outage-overview', async () => {
      await page.goto('/#/');
      const channels = page.getByRole('region', { name: 'Channels', exact: true });
      await channels.getByRole('row', { name: /^shop/ }).getByText(/failing|degraded/).waitFor();
      expect(await channels.getByRole('row', { name: /^web/ }).innerText()).toContain('served, not pushed');
    });
    await context.close();
  });

  it("the shop's page keeps pause/resume, hiding SKUs and retrying dead letters within reach, and they work", async () => {
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, server.adminKey);
    await seen(page, 'outage-channel-controls', async () => {
      await page.goto(`/#/channels/${shopChannel.id}`);
      await page.getByRole('heading', { name: 'shop', level: 1 }).waitFor();
      await page.getByText(/Orders in: last order poll .* failed 1 in a row/).waitFor();
      await page.getByText(/Last error: /).waitFor();
      expect(await page.locator('main').innerText()).not.toContain('[object Object]');
      // The listing: 45 published (after the receipt during the outage), 40 last pushed and last shown, with when.
      const tee = page.getByRole('region', { name: 'Listings', exact: true }).getByRole('row', { name: /TEE-BLK-M/ });
      expect((await tee.innerText()).replace(/\s+/g, ' ')).toMatch(/active 45 40 \d{4}-\d\d-\d\d [\d:]+ \S+ 40 \d{4}-\d\d-\d\d [\d:]+ \S+/);

      await page.getByRole('button', { name: 'Pause channel' }).click();
      await until('the channel to be paused', async () => (await status('shop')).paused === true);
      await page.getByRole('button', { name: 'Resume channel' }).click();
      await until('the channel to run again', async () => (await status('shop')).paused === false);

      await page.getByLabel('SKU to hide').fill('TEE-BLK-M');
      await page.getByLabel('SKU to hide').press('Enter');
      await until('the SKU to be hidden', async () => (await status('shop')).hidden_skus.includes('TEE-BLK-M'));
      await page.getByRole('button', { name: 'Unhide TEE-BLK-M' }).click();
      await until('the SKU to be shown again', async () => (await status('shop')).hidden_skus.length === 0);

      await page.getByRole('region', { name: 'Dead letters' }).getByText('MUG-1').waitFor();
      await page.getByRole('button', { name: 'Retry all' }).click();
      await page.getByText('Queued again').waitFor();
    });
    await context.close();
  });

  it("a channel's listings show their numbers and page beyond the first 100", async () => {
    await server.ok('POST', '/v1/channels', { kind: 'wholesale', name: 'trade' });
    const skus = Array.from({ length: 101 }, (_, i) => `TRADE-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < skus.length; i += 10) {
      await Promise.all(skus.slice(i, i + 10).map(async (sku) => {
        await server.ok('POST', '/v1/items', { sku, name: sku });
        await server.ok('POST', '/v1/listings', { channel: 'trade', sku, external: { external_id: sku.toLowerCase() } });
      }));
    }
    await server.ok('POST', '/v1/stock/receive', { sku: 'TRADE-000', location: 'WH1', quantity: 9 });
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, server.adminKey);
    await seen(page, 'listing-pages', async () => {
      await page.goto('/#/channels/trade');
      const table = page.getByRole('region', { name: 'Listings', exact: true });
      await table.getByRole('rowheader', { name: 'TRADE-000' }).waitFor();
      expect(await table.getByRole('row', { name: /TRADE-000/ }).innerText()).toMatch(/\b9\b/);
      expect(await table.locator('tbody tr').count()).toBe(100);
      // Served: no pushed or shown column, and the page says where the numbers are read.
      expect(await table.locator('thead').innerText()).not.toMatch(/pushed/i);
      await page.getByText('served, not pushed', { exact: false }).first().waitFor();
      await page.getByRole('button', { name: 'Next' }).click();
      await table.getByRole('rowheader', { name: 'TRADE-100' }).waitFor();
      expect(await table.locator('tbody tr').count()).toBe(1);
      await page.getByRole('button', { name: 'Previous' }).click();
      await table.getByRole('rowheader', { name: 'TRADE-000' }).waitFor();
    });
    await context.close();
  });

  it('a screen that fails to draw shows what failed and keeps the menu, and the other screens work', async () => {
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, server.adminKey);
    // A status the page cannot draw (a server of another version, a proxy's mangled answer).
    await page.route('**/v1/channels/*/sync', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ channel_id: shopChannel.id, kind: 'shopify', paused: false, hidden_skus: null }) }));
    page.on('console', () => {}); // the boundary logs the error: expected here
    await seen(page, 'boundary', async () => {
      await page.goto(`/#/channels/${shopChannel.id}`);
      const failed = page.locator('.screen-failed');
      await failed.getByRole('heading', { name: /could not be shown/, level: 1 }).waitFor();
      expect(await failed.innerText()).toMatch(/Channels › .* could not be shown[\s\S]*failed while drawing/);
      await expectMenu(page);
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Exceptions', exact: true }).click();
      await page.getByRole('heading', { name: 'Exceptions', level: 1 }).waitFor();
      expect(await page.locator('.screen-failed').count()).toBe(0);
    });
    await context.close();
  });
});

async function expectMenu(page: Page): Promise<void> {
  const menu = page.getByRole('navigation', { name: 'Screens' });
  for (const link of ['Overview', 'Items', 'Channels', 'Exceptions', 'Audit log']) expect(await menu.getByRole('link', { name: link, exact: true }).isVisible()).toBe(true);
  expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
}
