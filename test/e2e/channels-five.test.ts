// The Walmart, eBay and Square channels' pages in a real browser, in the demo's setup: the demo
// business seeded, its storefronts running on the in-process emulators, the dispatcher pushing.
// Each page shows the channel's sync with its budget (and eBay's daily revisions per listing, the
// limit the connector holds raises for), its settings with the credentials hidden, and its
// listings by the kind's own identifiers (Walmart and eBay: the SKU; Square: the catalog object)
// with the numbers published, pushed and seen on the channel.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoCatalog, seedCatalog } from '../../src/demo/catalog.ts';
import type { DemoChannelName } from '../../src/demo/sample-catalog.ts';
import { type DemoShops, startShops } from '../../src/demo/shops.ts';
import { E2eServer, ensureDashboardBuilt, hasChromium, type Json, launchBrowser, newPage, seen, signInWithKey, until } from './support.ts';

/** Walmart's single updates go 5 a second (about 110 listings); eBay and Square apply at once. */
const SYNC_WAIT_MS = 90_000;
const quiet = { info: () => undefined, warn: () => undefined };

interface Case {
  channel: DemoChannelName;
  kind: string;
  /** Settings that are credentials: shown as (set). */
  secrets: string[];
  /** A listing's identifiers as the page shows them, for its SKU and stored identifiers. */
  key: (sku: string, external: Record<string, string>) => string;
}

const CASES: Case[] = [
  { channel: 'walmart-us', kind: 'walmart', secrets: ['client_secret', 'notification_secret'], key: (sku) => `Walmart SKU ${sku}` },
  { channel: 'ebay', kind: 'ebay', secrets: ['client_secret', 'refresh_token', 'verification_token'], key: (sku) => `eBay SKU ${sku}` },
  { channel: 'pos-nyc', kind: 'square', secrets: ['access_token', 'signature_key'], key: (_sku, e) => `Catalog object ID ${e.catalog_object_id}${e.location_id ? ` Location ID ${e.location_id}` : ''}` },
];

describe.skipIf(!hasChromium)('Walmart, eBay and Square channels on the dashboard, demo setup', () => {
  let server: E2eServer;
  let browser: Browser;
  let catalog: DemoCatalog;
  let shops: DemoShops;
  let key: string;
  /** Per channel: a listing whose pushed number is the published one (acknowledged by the channel). */
  const pushed = new Map<string, Json>();
  const get = async (path: string): Promise<Json> => {
    const r = await server.call('GET', path, undefined, key);
    if (r.status !== 200) throw new Error(`GET ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  beforeAll(async () => {
    await ensureDashboardBuilt();
    server = await E2eServer.start({ sync: { idleMs: 20, log: quiet } });
    catalog = await seedCatalog(server.ts);
    key = catalog.adminKey!;
    shops = await startShops(server.ts, catalog, { faults: false });
    shops.subscribe(server.url);
    server.ts.sync.start();
    await server.ts.sync.refresh(true);
    for (const c of CASES) {
      const listing = await until(`a listing of ${c.channel} pushed`, async () => {
        const rows = (await get(`/v1/listings?channel=${c.channel}&limit=500`)).data as Json[];
        return rows.find((l) => l.numbers?.pushed && l.numbers.published && l.numbers.pushed.quantity === l.numbers.published.quantity && l.numbers.published.quantity > 0);
      }, SYNC_WAIT_MS).catch(async (err: unknown) => {
        throw new Error(`${String(err)}\nsync: ${JSON.stringify(await get(`/v1/channels/${c.channel}/sync`))}`);
      });
      pushed.set(c.channel, listing!);
    }
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.ts.sync.stop();
    await shops?.close();
    await server?.stop();
  });

  it('the API shows each channel with its credentials hidden, and eBay\'s revision limit in its sync status', async () => {
    for (const c of CASES) {
      const ch = (await get(`/v1/channels/${catalog.channels[c.channel]}`)).channel;
      expect(ch.kind).toBe(c.kind);
      for (const s of c.secrets) expect(ch.settings[s], `${c.channel}.${s}`).toBe('(set)');
    }
    const ebay = await get('/v1/channels/ebay/sync');
    expect(ebay.dispatcher.limits).toEqual([expect.objectContaining({ name: 'revisions', per_listing: expect.any(Number), held: expect.any(Number), resets_at: expect.any(String) })]);
    expect(ebay.dispatcher.budget).toMatchObject({ capacity: expect.any(Number), refill_per_second: expect.any(Number) });
  });

  /** The listing's row on the channel page, paging on until it shows. */
  async function row(page: Page, sku: string) {
    for (let pages = 0; pages < 3; pages++) {
      const r = page.getByRole('region', { name: 'Listings' }).locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: sku, exact: true }) });
      if ((await r.count()) > 0) return r;
      await page.getByRole('button', { name: 'Next' }).click();
      await page.locator('.pager').getByText(`Page ${pages + 2}`).waitFor();
    }
    throw new Error(`no row for ${sku}`);
  }

  it('shows each channel\'s sync and budget, its settings with credentials hidden, and its listings by the kind\'s identifiers', async () => {
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, key);
    for (const c of CASES) {
      const listing = pushed.get(c.channel)!;
      await seen(page, `${c.kind}-channel`, async () => {
        await page.goto(`/#/channels/${c.channel}`);
        await page.getByRole('heading', { name: c.channel, level: 1 }).waitFor();
        expect(await page.locator('header.page-header').innerText()).toMatch(new RegExp(`${c.kind} · chan_`));
        const sync = page.getByRole('region', { name: 'Sync' });
        await sync.getByText('pushes / min').waitFor();
        expect(await sync.innerText()).not.toMatch(/served, not pushed/);
        expect(await sync.getByTestId('budgets').innerText()).toMatch(/Push budget: \d+ of \d+ calls free now, refilling [\d.]+ a second/);

        const settings = page.getByRole('region', { name: 'Settings' });
        await settings.getByText(c.secrets[0]!, { exact: true }).waitFor();
        for (const s of c.secrets) expect(await settings.innerText()).toMatch(new RegExp(`${s}\\s+\\(set\\)`));

        const cells = await (await row(page, listing.sku)).locator('td').allInnerTexts();
        // The kind's identifiers as the merchant knows them, each labelled.
        expect(cells[0]!.replace(/\s+/g, ' ').trim()).toBe(c.key(listing.sku, listing.external));
        expect(cells[1]).toBe('active');
        expect(Number(cells[2])).toBeGreaterThanOrEqual(0);
        expect(cells[3]).toMatch(/^\d+\b/);
      });
    }
    await context.close();
  });

  it('shows eBay\'s daily revisions per listing readably: the allowance, the most used, what is held, when it resets', async () => {
    const limit = (await get('/v1/channels/ebay/sync')).dispatcher.limits[0] as Json;
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, key);
    await seen(page, 'ebay-limits', async () => {
      await page.goto('/#/channels/ebay');
      const table = page.getByRole('region', { name: 'Sync' }).locator('tr[data-limit="revisions"]');
      await table.waitFor();
      expect(await table.getByRole('rowheader').innerText()).toBe('Revisions per listing per day');
      const cells = await table.locator('td').allInnerTexts();
      expect(cells[0]).toBe(String(limit.per_listing));
      expect(Number(cells[1])).toBeGreaterThanOrEqual(0);
      expect(Number(cells[2])).toBeGreaterThanOrEqual(0);
      expect(cells[3]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+ \(in \d+ (h|min)/);
      expect(cells[4]).toMatch(/raises paced from revision: \d+/);
      // Walmart and Square keep no per-listing limit: no table, the budget only.
      for (const other of ['walmart-us', 'pos-nyc']) {
        await page.goto(`/#/channels/${other}`);
        await page.getByRole('heading', { name: other, level: 1 }).waitFor();
        await page.getByTestId('budgets').waitFor();
        expect(await page.locator('tr[data-limit]').count()).toBe(0);
      }
    });
    await context.close();
  });
});
