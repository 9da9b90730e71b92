// Exceptions that follow the facts, in a real browser: a Shopify shop's order polls fail until the
// channel is stale (one exception), then work again (it closes as recovered); an order the shop
// already took oversells a mug, and the next receipt settles it. The Exceptions page shows both
// closed by the facts — the stale one recovered, the oversold one settled with its movement — and
// the kind and owner filters come from lists.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifyEmulator, type ShopifyEmulator } from '../../emulators/shopify/index.ts';
import { ManualClock } from '../../src/app/clock.ts';
import { PollScheduler, pollIntervalMs } from '../../src/channels/poll-scheduler.ts';
import { POLL_FAILURES_FAILING } from '../../src/domain/channel-health.ts';
import { E2eServer, ensureDashboardBuilt, hasChromium, type Json, launchBrowser, newPage, seen, signInWithKey, until } from './support.ts';

/** The shop is down longer than the polls take; the clock is moved past it to end it. */
const OUTAGE_S = 600;

describe.skipIf(!hasChromium)('exceptions that follow an outage and a settled oversell', () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;
  let shop: ShopifyEmulator;
  let channel: Json;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    await ensureDashboardBuilt();
    server = await E2eServer.start({ clock });
    await server.seedBasics();
    shop = await startShopifyEmulator({ shop: 'exceptions-shop', clock });
    channel = (await server.ok('POST', '/v1/channels', { kind: 'shopify', name: 'shop', settings: { shop_domain: shop.shopDomain, access_token: shop.accessToken, api_url: shop.url } })).channel;
    browser = await launchBrowser();
    ({ page } = await newPage(browser, server));
    await signInWithKey(page, server.adminKey);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await shop?.close();
  });

  const poll = async () => {
    clock.advance(pollIntervalMs({ kind: 'shopify', settings: {} }) + 1_000);
    await new PollScheduler(server.ts).tick();
  };
  const stale = async () => (await server.ok('GET', '/v1/exceptions?kind=channel_stale')).data as Json[];

  it('an outage opens one stale exception that closes when the channel recovers; a receipt settles an oversell', async () => {
    shop.goDown(OUTAGE_S);
    for (let i = 0; i < POLL_FAILURES_FAILING + 2; i++) await poll();
    expect(await stale()).toMatchObject([{ state: 'open', channel_id: channel.id, severity: 'high' }]);
    clock.advance(OUTAGE_S * 1000);
    await poll();
    await until('the channel to recover', async () => (await stale())[0]?.state === 'resolved');
    expect(await stale()).toMatchObject([{ state: 'resolved', resolution_kind: 'recovered' }]);

    // Three mugs on the shelf; the shop already took five.
    await server.ok('POST', '/v1/allocations', { lines: [{ sku: 'MUG-1', quantity: 5, location: 'WH1' }], order_reference: 'ORD-SHORT', channel_accepted: true });
    const [over] = (await server.ok('GET', '/v1/exceptions?kind=oversold&sku=MUG-1')).data as Json[];
    expect(over).toMatchObject({ state: 'open', debt: 2 });
    clock.advance(1_000);
    await server.ok('POST', '/v1/stock/receive', { sku: 'MUG-1', location: 'WH1', quantity: 10, reference: 'PO-77' });
    const settled = (await server.ok('GET', `/v1/exceptions/${over!.id}`)).exception as Json;
    expect(settled).toMatchObject({ state: 'resolved', debt: 0, resolution_kind: 'settled', settled_by_movement_id: expect.stringMatching(/^mov_/) });

    await seen(page, 'exceptions-followed', async () => {
      await page.goto('/#/exceptions?state=resolved');
      const staleRow = page.locator(`tr[data-exception="${(await stale())[0]!.id}"]`);
      await staleRow.getByText('channel recovered').waitFor();
      expect(await staleRow.getByRole('link', { name: 'shop' }).getAttribute('href')).toBe(`#/channels/${channel.id}`);
      const overRow = page.locator(`tr[data-exception="${over!.id}"]`);
      await overRow.getByText('settled by stock').waitFor();
      expect(await overRow.getByRole('link', { name: 'MUG-1' }).getAttribute('href')).toBe('#/items/MUG-1');
      await overRow.getByText('ORD-SHORT').first().waitFor();
      await overRow.getByRole('button', { name: /^Act/ }).click();
      await page.locator('code', { hasText: settled.settled_by_movement_id }).waitFor();
      await page.getByText(/settled by stock: receive PO-77 repaid the debt/).waitFor();
      // Kinds are chosen from the registry, not typed.
      await page.getByLabel('Kind').selectOption({ label: 'Channel stale (order polls failing)' });
      await page.getByRole('button', { name: 'Filter' }).click();
      await overRow.waitFor({ state: 'detached' });
      await staleRow.waitFor();
    });
  });
});
