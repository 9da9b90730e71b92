// Readable for people, in a real browser: every screen of the route table at 800 px without
// page-wide sideways scrolling (a Shopify listing's long identifiers included), every screen in
// dark mode (the system's choice) with a dark background and readable text, times with their
// zone, and the audit log in words with names, filtered by an actor chosen from a list.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eServer, ensureDashboardBuilt, hasChromium, launchBrowser, newPage, seen, signInWithKey, until, workspaceRoutePatterns } from './support.ts';

/** The least contrast a screen's text may have against what is behind it (WCAG AA for large text). */
const CONTRAST_MIN = 3;


/** Background luminance of the page and the worst contrast of visible text against its backdrop. */
async function colours(page: Page): Promise<{ background: number; worst: { ratio: number; text: string } }> {
  return page.evaluate(() => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const backdrop = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length >= 3 && (c[3] === undefined || c[3] > 0.5)) return c;
      }
      return rgb(getComputedStyle(document.documentElement).backgroundColor);
    };
    const ratio = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    let worst = { ratio: 99, text: '' };
    const main = document.querySelector('main') ?? document.body;
    for (const el of [...main.querySelectorAll('h1, h2, h3, p, td, th, a, label, button, span, code, li, dt, dd, summary, option')]) {
      const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
      const box = el.getBoundingClientRect();
      if (!own || box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      if (el.closest('.visually-hidden, option')) continue;
      const r = ratio(lum(rgb(getComputedStyle(el).color)), lum(backdrop(el)));
      if (r < worst.ratio) worst = { ratio: Math.round(r * 100) / 100, text: `${el.tagName}.${el.className}: ${el.textContent!.trim().slice(0, 40)}` };
    }
    return { background: lum(backdrop(main)), worst };
  });
}

describe.skipIf(!hasChromium)('readable for people', () => {
  let server: E2eServer;
  let browser: Browser;
  let paths: string[];

  beforeAll(async () => {
    await ensureDashboardBuilt();
    server = await E2eServer.start();
    await server.seedBasics();
    await server.lagSamples('web', 4);
    // A Shopify listing named by GraphQL gids, long enough to overflow if they did not wrap.
    await server.ok('POST', '/v1/items', { sku: 'HOODIE-ORGANIC-COTTON-HEAVYWEIGHT-FOREST-GREEN-XXL', name: 'Hoodie, organic cotton, heavyweight, forest green, XXL' });
    await server.ok('POST', '/v1/channels', { kind: 'shopify', name: 'shop', settings: { shop_domain: 'readable-test.myshopify.com' } });
    await server.ok('POST', '/v1/listings', { channel: 'shop', sku: 'HOODIE-ORGANIC-COTTON-HEAVYWEIGHT-FOREST-GREEN-XXL', external: { inventory_item_id: 'gid://shopify/InventoryItem/4412345678901234567', location_id: 'gid://shopify/Location/98765432109876543210' } });
    await server.ok('POST', '/v1/channels/shop/pause');
    await server.ok('POST', '/v1/purchase-orders', { supplier: 'Acme', location: 'WH1', lines: [{ sku: 'MUG-1', quantity: 1200 }] });
    const po = (await server.ok('GET', '/v1/purchase-orders')).data[0];
    await server.ok('POST', `/v1/purchase-orders/${po.id}/receipts`, { lines: [{ sku: 'MUG-1', good: 12, damaged: 0 }] });
    await server.ok('POST', '/v1/users', { email: 'ana@example.com', name: 'Ana Lopez', role: 'operate', password: 'correct horse battery' });
    const count = (await server.ok('POST', '/v1/counts', { location: 'WH1', scope: 'skus', skus: ['MUG-1'] })).count;
    const fill: Record<string, string> = { ':sku': 'HOODIE-ORGANIC-COTTON-HEAVYWEIGHT-FOREST-GREEN-XXL', ':id': 'shop' };
    paths = workspaceRoutePatterns().map((p) => (p.startsWith('/counts/') ? `/counts/${count.id}` : p.replace(/:[a-z]+/g, (m) => encodeURIComponent(fill[m] ?? m))));
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws every screen at 800 px without page-wide sideways scrolling', async () => {
    const { context, page } = await newPage(browser, server, { width: 800, height: 1000 });
    await signInWithKey(page, server.adminKey);
    for (const path of paths) {
      await seen(page, `readable-800-${path}`, async () => {
        await page.goto(`/#${path}`);
        await page.locator('h1').waitFor();
        await page.waitForLoadState('networkidle');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${path} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
      });
    }
    // The Shopify listing reads as the admin shows it: the numbers, not the gids.
    await page.goto(`/#/items/${encodeURIComponent('HOODIE-ORGANIC-COTTON-HEAVYWEIGHT-FOREST-GREEN-XXL')}`);
    const ids = page.locator('.identifiers').first();
    await ids.waitFor();
    expect(await ids.innerText()).toMatch(/Inventory item ID\s+4412345678901234567[\s\S]*Location ID\s+98765432109876543210/);
    await context.close();
  });

  it('follows the system into dark mode: a dark background and readable text on every screen', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: server.url, colorScheme: 'dark' });
    const page = await context.newPage();
    await signInWithKey(page, server.adminKey);
    for (const path of paths) {
      await seen(page, `readable-dark-${path}`, async () => {
        await page.goto(`/#${path}`);
        await page.locator('h1').waitFor();
        await page.waitForLoadState('networkidle');
        const c = await colours(page);
        expect(c.background, `${path}: background luminance`).toBeLessThan(0.05);
        expect(c.worst.ratio, `${path}: ${c.worst.text}`).toBeGreaterThanOrEqual(CONTRAST_MIN);
      });
    }
    await context.close();
  });

  it('shows the audit log in words with names, times with their zone, and filters by an actor from the list', async () => {
    // Ana signs in and out through the API: a sign-in in the log under her name.
    const signedIn = await fetch(`${server.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ana@example.com', password: 'correct horse battery' }) });
    expect(signedIn.status).toBe(200);
    await server.ts.audit.flush();
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, server.adminKey);
    await seen(page, 'readable-audit', async () => {
      await page.goto('/#/audit');
      await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
      const table = page.getByRole('table');
      await table.getByText('paused channel shop').waitFor();
      await table.getByText(/received 12 units on PO-\d+/).waitFor();
      expect(await table.innerText()).toContain('admin key');
      expect(await table.innerText()).not.toMatch(/\bkey_[0-9a-z]{20}/);
      // One time format, with its zone (the browser's; UTC here unless the machine says otherwise).
      expect(await page.locator('tbody tr td').first().innerText()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \S+$/);

      await page.getByLabel('Who').selectOption({ label: 'Ana Lopez (user)' });
      await page.waitForURL(/actor=user_/);
      // Only hers once the filtered page has loaded: her sign-in, under her name.
      const rows = await until('only Ana’s entries', async () => {
        const texts = await page.locator('tbody tr').allInnerTexts();
        return texts.length > 0 && texts.every((r) => r.includes('Ana Lopez')) ? texts : null;
      });
      expect((rows ?? []).some((r) => r.includes('signed in'))).toBe(true);
    });
    await context.close();
  });
});
