// The Orders screens in a real browser: a staff order placed from the list, found again by its
// state, opened, shipped in part and the rest cancelled — the lines on the page and the stock in
// the API agree; a short staff order is refused and makes nothing; an order that cannot be read
// says so and leaves the menu; both screens fit 800 px without sideways scrolling.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eServer, ensureDashboardBuilt, hasChromium, type Json, launchBrowser, newPage, seen, signInWithKey, until } from './support.ts';

/** A stock level of a SKU at a location, from the API. */
async function level(server: E2eServer, sku: string, location: string): Promise<Json> {
  const stock = await server.ok('GET', `/v1/stock/${encodeURIComponent(sku)}`);
  return stock.locations.find((l: Json) => l.location === location);
}

/** A line's numbers as the order page shows them: ordered, allocated, shipped, cancelled, backordered, returned. */
async function lineOnPage(page: Page, line: number): Promise<Record<string, string>> {
  const row = page.locator(`tr[data-line="${line}"]`);
  const out: Record<string, string> = {};
  for (const field of ['ordered', 'allocated', 'shipped', 'cancelled', 'backordered', 'returned']) out[field] = (await row.locator(`td[data-field="${field}"]`).innerText()).trim();
  return out;
}

describe.skipIf(!hasChromium)('orders in a browser', () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await ensureDashboardBuilt();
    server = await E2eServer.start();
    await server.seedBasics(); // WH1: 40 TEE-BLK-M, 3 MUG-1; ST1 empty
    browser = await launchBrowser();
    ({ page } = await newPage(browser, server));
    await signInWithKey(page, server.adminKey);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  let orderId = '';

  it('places a staff order in the page and finds it in the list, filtered by state', async () => {
    await seen(page, 'orders-place', async () => {
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Orders', exact: true }).click();
      await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
      await page.getByText('No orders yet.').waitFor();
      await page.getByLabel('SKU, line 1').fill('TEE-BLK-M');
      await page.getByLabel('Quantity, line 1').fill('5');
      await page.getByRole('button', { name: 'Add a line' }).click();
      await page.getByLabel('SKU, line 2').fill('MUG-1');
      await page.getByLabel('Quantity, line 2').fill('2');
      await page.getByLabel('Ship from').fill('WH1');
      await page.getByLabel('Ship-to postal code').fill('60601');
      await page.getByLabel('Country').fill('US');
      await page.getByRole('button', { name: 'Place order' }).click();
      await page.getByRole('status').filter({ hasText: 'Order #1 (SO-000001) placed: allocated' }).waitFor();
      const row = page.locator('tr[data-order="1"]');
      await until('the order in the list with where it is allocated', async () => /allocated[\s\S]*2 lines · 7 units[\s\S]*WH1 7/.test(await row.innerText()));
      expect(await row.innerText()).toMatch(/staff\s+SO-000001/);
    });
    const listed = (await server.ok('GET', '/v1/orders')).data;
    expect(listed).toHaveLength(1);
    orderId = listed[0].id;
    expect(listed[0]).toMatchObject({ source: 'staff', state: 'allocated', ship_to: { postal_code: '60601', country: 'US' } });

    // A pending order beside it: the state filter keeps it out, and the filter is in the address.
    await server.ok('POST', '/v1/orders', { source: 'staff', pending: true, lines: [{ sku: 'TEE-BLK-M', quantity: 1 }], locations: ['WH1'] });
    await seen(page, 'orders-filter', async () => {
      await page.locator('tr[data-order="2"]').waitFor();
      await page.getByRole('form', { name: 'Filter orders' }).getByLabel('State', { exact: true }).selectOption('allocated');
      await page.getByRole('button', { name: 'Filter', exact: true }).click();
      await until('the address to carry the filter', async () => page.url().includes('state=allocated'));
      await page.locator('tr[data-order="2"]').waitFor({ state: 'detached' });
      await page.locator('tr[data-order="1"]').waitFor();
      // The filter survives a reload (it is in the URL), and pending finds the other one only.
      await page.goto('/#/orders?state=pending');
      await page.locator('tr[data-order="2"]').waitFor();
      expect(await page.locator('tr[data-order="1"]').count()).toBe(0);
      expect(await page.getByRole('form', { name: 'Filter orders' }).getByLabel('State', { exact: true }).inputValue()).toBe('pending');
    });
  });

  it('opens the order, ships part of it and cancels the rest: the lines and the stock agree', async () => {
    await seen(page, 'order-open', async () => {
      await page.goto('/#/orders?state=allocated');
      await page.getByRole('link', { name: '#1', exact: true }).click();
      await page.getByRole('heading', { name: 'Order #1', level: 1 }).waitFor();
      // Times in the app's one format, the zone said once ("… 18:08:55 UTC", not "… UTC UTC").
      expect(await page.locator('main').innerText()).not.toMatch(/\d\d:\d\d:\d\d (\S+) \1\b/);
      expect(await lineOnPage(page, 1)).toEqual({ ordered: '5', allocated: '5', shipped: '0', cancelled: '0', backordered: '0', returned: '0' });
      await page.getByRole('region', { name: 'Allocation of order #1' }).getByText('WH1').first().waitFor();
      // The routing decision stored with the order, drawn whatever its shape.
      await page.locator('#routing-title').waitFor();
      expect(await page.locator('tr[data-candidate="WH1"]').count()).toBe(1);
    });
    await seen(page, 'order-ship', async () => {
      await page.getByLabel('Ship now: units of line 1').fill('3');
      await page.getByRole('button', { name: 'Ship', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Shipped 3 from WH1: order #1 is partially shipped' }).waitFor();
      await until('the shipped units on the line', async () => (await lineOnPage(page, 1)).shipped === '3');
      expect(await lineOnPage(page, 1)).toMatchObject({ ordered: '5', allocated: '2', shipped: '3', cancelled: '0' });
      await page.getByRole('region', { name: 'Shipments of order #1' }).getByText('3 × TEE-BLK-M').waitFor();
    });
    await seen(page, 'order-cancel', async () => {
      await page.getByLabel('Reason for cancelling').fill('customer asked');
      await page.getByRole('button', { name: 'Cancel the whole order' }).click();
      await page.getByRole('status').filter({ hasText: 'Cancelled the whole order: order #1 is shipped' }).waitFor();
      await until('the cancelled units on the lines', async () => (await lineOnPage(page, 2)).cancelled === '2');
      expect(await lineOnPage(page, 1)).toEqual({ ordered: '5', allocated: '0', shipped: '3', cancelled: '2', backordered: '0', returned: '0' });
      expect(await lineOnPage(page, 2)).toEqual({ ordered: '2', allocated: '0', shipped: '0', cancelled: '2', backordered: '0', returned: '0' });
      // A closed order offers no more steps.
      await page.getByRole('heading', { name: 'Next steps' }).waitFor({ state: 'detached' });
      const movements = page.getByRole('region', { name: 'Movements of order #1, newest first' });
      await until('the movements of the shipment and the cancellation', async () => (await movements.locator('tbody tr').count()) >= 3);
    });
    // The ledger: 3 tees left WH1, nothing of the order is still committed; the pending order holds 1.
    expect(await level(server, 'TEE-BLK-M', 'WH1')).toMatchObject({ on_hand: 37, committed: 0, reserved: 1, available: 36 });
    expect(await level(server, 'MUG-1', 'WH1')).toMatchObject({ on_hand: 3, committed: 0, available: 3 });
    const order = (await server.ok('GET', `/v1/orders/${orderId}`)).order;
    expect(order).toMatchObject({ state: 'shipped', lines: [{ shipped: 3, cancelled: 2 }, { shipped: 0, cancelled: 2 }] });
  });

  it('confirms a pending order from its page; a refused step shows its problem and changes nothing', async () => {
    await seen(page, 'order-confirm', async () => {
      await page.goto('/#/orders?state=pending');
      await page.getByRole('link', { name: '#2', exact: true }).click();
      await page.getByRole('heading', { name: 'Order #2', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Confirm order' }).click();
      await page.getByRole('status').filter({ hasText: 'Confirmed: order #2 is allocated' }).waitFor();
      // Shipping more than is allocated is refused by the server, shown beside the form.
      await page.getByRole('button', { name: 'Ship', exact: true }).waitFor();
      await page.getByLabel('Ship now: units of line 1').fill('4');
      await page.getByRole('button', { name: 'Ship', exact: true }).click();
      await page.getByRole('form', { name: 'Ship' }).getByRole('alert').waitFor();
    });
    const order = (await server.ok('GET', '/v1/orders/2')).order;
    expect(order).toMatchObject({ state: 'allocated', lines: [{ quantity: 1, allocated: 1, shipped: 0 }], shipments: [] });
    expect(await level(server, 'TEE-BLK-M', 'WH1')).toMatchObject({ on_hand: 37, committed: 1, reserved: 0 });
  });

  it('a short staff order is refused: the refusal is shown and nothing is created', async () => {
    const before = (await server.ok('GET', '/v1/orders')).data.length;
    await seen(page, 'order-refused', async () => {
      await page.goto('/#/orders');
      await page.getByLabel('SKU, line 1').fill('MUG-1');
      await page.getByLabel('Quantity, line 1').fill('50');
      await page.getByLabel('Ship from').fill('WH1');
      await page.getByLabel('Quantity, line 1').press('Enter');
      const refusal = page.getByRole('region', { name: 'Place an order' }).getByRole('alert');
      await refusal.waitFor();
      expect(await refusal.innerText()).toMatch(/lines\[0\]\.quantity|not enough|insufficient/i);
    });
    expect((await server.ok('GET', '/v1/orders')).data).toHaveLength(before);
    expect(await level(server, 'MUG-1', 'WH1')).toMatchObject({ on_hand: 3, committed: 0, reserved: 0, available: 3 });
  });

  it('an order that cannot be read shows the error and keeps the menu', async () => {
    await seen(page, 'order-missing', async () => {
      await page.goto('/#/orders/ord_does-not-exist');
      await page.getByRole('alert').filter({ hasText: /Could not load the order ord_does-not-exist/ }).waitFor();
      const menu = page.getByRole('navigation', { name: 'Screens' });
      for (const link of ['Overview', 'Orders', 'Exceptions']) expect(await menu.getByRole('link', { name: link, exact: true }).isVisible()).toBe(true);
      await menu.getByRole('link', { name: 'Orders', exact: true }).click();
      await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    });
  });

  it('fits 800 px without sideways scrolling', async () => {
    const { context, page: narrow } = await newPage(browser, server, { width: 800, height: 1000 });
    await signInWithKey(narrow, server.adminKey);
    for (const path of ['/#/orders', `/#/orders/${orderId}`, '/#/orders/2']) {
      await seen(narrow, `orders-800-${path.replace(/\W+/g, '')}`, async () => {
        await narrow.goto(path);
        await narrow.locator('h1').waitFor();
        await narrow.waitForLoadState('networkidle');
        await narrow.locator('table').first().waitFor();
        const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${path} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
      });
    }
    await context.close();
  });
});
