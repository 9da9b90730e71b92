// An Amazon seller's channel page in a real browser, in the demo's setup: the demo business seeded,
// its storefronts running (the Amazon one on the in-process SP-API emulator), the dispatcher
// pushing and one poll of orders and FBA stock. The page shows the channel's sync, its listings by
// seller SKU and marketplace with the numbers published and pushed (none pushed for an FBA
// listing), and the stock Amazon keeps at FBA-US as truestock booked it from Amazon's report; an
// order Amazon fulfils from FBA is listed under Orders as handed over by the channel.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollChannel } from '../../src/channels/poll-scheduler.ts';
import { type DemoCatalog, seedCatalog } from '../../src/demo/catalog.ts';
import { type DemoShops, startShops } from '../../src/demo/shops.ts';
import { channelById } from '../../src/store/channel-event-repo.ts';
import { E2eServer, ensureDashboardBuilt, hasChromium, type Json, launchBrowser, newPage, seen, signInWithKey, until } from './support.ts';

const CHANNEL = 'amazon-us';
const FBA_SKU = 'TEE-BLK-M';
/** Amazon applies a patch seconds after it accepts it; truestock reads it back after that. */
const SYNC_WAIT_MS = 90_000;
const quiet = { info: () => undefined, warn: () => undefined };

describe.skipIf(!hasChromium)('an Amazon channel on the dashboard, demo setup', () => {
  let server: E2eServer;
  let browser: Browser;
  let catalog: DemoCatalog;
  let shops: DemoShops;
  let key: string;
  /** A merchant-fulfilled SKU whose pushed number truestock has seen applied (processing submissions are followed a few at a time). */
  let MFN_SKU: string;
  const get = async (path: string): Promise<Json> => {
    const r = await server.call('GET', path, undefined, key);
    if (r.status !== 200) throw new Error(`GET ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const listing = async (sku: string): Promise<Json> => ((await get(`/v1/listings?channel=${CHANNEL}&limit=500`)).data as Json[]).find((l) => l.sku === sku)!;

  beforeAll(async () => {
    await ensureDashboardBuilt();
    server = await E2eServer.start({ sync: { idleMs: 20, log: quiet } });
    catalog = await seedCatalog(server.ts);
    key = catalog.adminKey!;
    shops = await startShops(server.ts, catalog, { faults: false });
    shops.subscribe(server.url);
    server.ts.sync.start();
    // The dispatcher picks up the channels the demo just pointed at the storefronts.
    await server.ts.sync.refresh(true);
    // One poll of the seller, as the poll scheduler runs it every few minutes: FBA stock read.
    const channel = (await server.ts.store.read((db) => channelById(db, catalog.channels[CHANNEL])))!;
    expect((await pollChannel(server.ts, channel)).status).toBe('ok');
    const acknowledged = await until('a merchant-fulfilled listing pushed and read back', async () => {
      const rows = (await get(`/v1/listings?channel=${CHANNEL}&limit=500`)).data as Json[];
      return rows.find((l) => l.numbers?.pushed && l.numbers.published && l.numbers.pushed.quantity === l.numbers.published.quantity);
    }, SYNC_WAIT_MS).catch(async (err: unknown) => {
      throw new Error(`${String(err)}\nsync: ${JSON.stringify(await get(`/v1/channels/${CHANNEL}/sync`))}`);
    });
    MFN_SKU = acknowledged!.sku;
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.ts.sync.stop();
    await shops?.close();
    await server?.stop();
  });

  it('the API shows the channel with its credentials hidden and listings by seller SKU and marketplace', async () => {
    const ch = (await get(`/v1/channels/${catalog.channels[CHANNEL]}`)).channel;
    expect(ch).toMatchObject({ kind: 'amazon', name: CHANNEL, settings: { refresh_token: '(set)', client_secret: '(set)', notification_secret: '(set)', locations: { ATVPDKIKX0DER: 'FBA-US' } } });
    expect((await listing(MFN_SKU)).external).toEqual({ seller_sku: MFN_SKU, marketplace_id: 'ATVPDKIKX0DER' });
    // Amazon owns the FBA listing's number: published from what it reported, never pushed.
    expect((await listing(FBA_SKU)).numbers).toMatchObject({ published: { quantity: expect.any(Number) }, pushed: null });
    const bad = await server.call('PATCH', `/v1/channels/${catalog.channels[CHANNEL]}`, { settings: { ...ch.settings, region: 'mars' } }, key);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'validation_failed', field: 'settings.region' });
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

  it('shows its sync, published and pushed numbers, and the stock Amazon keeps at FBA-US', async () => {
    const mfn = (await listing(MFN_SKU)).numbers;
    const fba = await get(`/v1/locations/FBA-US/availability?sku=${FBA_SKU}`);
    const fbaUnits = fba.data[0].available as number;
    expect(fbaUnits).toBeGreaterThan(0);
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, key);
    await seen(page, 'amazon-channel', async () => {
      await page.goto(`/#/channels/${CHANNEL}`);
      await page.getByRole('heading', { name: CHANNEL, level: 1 }).waitFor();
      expect(await page.locator('header.page-header').innerText()).toMatch(/amazon · chan_/);
      const sync = page.getByRole('region', { name: 'Sync' });
      await sync.getByText('pushes / min').waitFor();
      expect(await sync.innerText()).not.toMatch(/served, not pushed/);

      const mfnRow = await row(page, MFN_SKU);
      const cells = await mfnRow.locator('td').allInnerTexts();
      // By seller SKU and the marketplace's name, as Seller Central shows them.
      expect(cells[0]!.replace(/\s+/g, ' ').trim()).toBe(`Seller SKU ${MFN_SKU} Marketplace Amazon.com (US)`);
      expect(cells[2]).toBe(String(mfn.published.quantity));
      expect(cells[3]).toMatch(new RegExp(`^${mfn.pushed.quantity}\\b`));

      const managed = page.getByRole('region', { name: 'Stock the channel keeps' });
      await managed.getByRole('heading', { name: 'Stock the channel keeps' }).waitFor();
      expect(await managed.innerText()).toMatch(/Amazon FBA \(US\)\s+FBA-US/);
      const fbaRow = managed.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: FBA_SKU, exact: true }) });
      expect(await fbaRow.locator('td').innerText()).toBe(String(fbaUnits));
    });
    await context.close();
  });

  it('edits its settings as JSON: credentials stay hidden and kept, a bad setting is refused naming it', async () => {
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, key);
    await seen(page, 'amazon-settings', async () => {
      await page.goto(`/#/channels/${CHANNEL}`);
      const settings = page.getByRole('region', { name: 'Settings' });
      await settings.getByText('refresh_token', { exact: true }).waitFor();
      expect(await settings.innerText()).toMatch(/refresh_token\s+\(set\)/);
      const box = settings.getByLabel('Settings (JSON)');
      const json = JSON.parse(await box.inputValue()) as Json;
      expect(json).toMatchObject({ seller_id: expect.any(String), client_secret: '(set)', locations: { ATVPDKIKX0DER: 'FBA-US' } });

      await box.fill(JSON.stringify({ ...json, region: 'mars' }));
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await settings.getByRole('alert').filter({ hasText: /settings\.region/ }).waitFor();
      await box.fill('{ not json');
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await settings.getByRole('alert').filter({ hasText: /not valid JSON/ }).waitFor();

      await box.fill(JSON.stringify({ ...json, fba_poll_seconds: 600 }, null, 2));
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await settings.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();
    });
    const stored = (await server.ts.store.read((db) => channelById(db, catalog.channels[CHANNEL])))!.settings;
    expect(stored.fba_poll_seconds).toBe(600);
    // The credentials sent back as "(set)" kept their stored values.
    expect(stored.refresh_token).toMatch(/^Atzr\|/);
    expect(stored.client_secret).not.toBe('(set)');
    await context.close();
  });

  it('lists an order Amazon fulfils from FBA as handed over by the channel: nothing of ours is allocated', async () => {
    const amazon = shops.shop(CHANNEL)!.storefront;
    const placed = amazon.placeOrder([{ sku: FBA_SKU, quantity: 1 }])!;
    expect(placed.fulfilledByChannel).toBe(true);
    expect(amazon.confirm!(placed.id)).toBe(true);
    const channel = (await server.ts.store.read((db) => channelById(db, catalog.channels[CHANNEL])))!;
    expect((await pollChannel(server.ts, channel)).status).toBe('ok');
    const order = await until('the FBA order recorded', async () =>
      ((await get('/v1/orders?limit=100')).data as Json[]).find((o) => o.reference === placed.name && o.fulfilled_by_channel === true), SYNC_WAIT_MS);
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, key);
    await seen(page, 'amazon-fba-order', async () => {
      await page.goto('/#/orders');
      const row = page.locator(`tr[data-order="${order!.number}"]`);
      await row.getByText(placed.name).waitFor();
      await row.getByText('by the channel').waitFor();
    });
    await context.close();
  });
});
