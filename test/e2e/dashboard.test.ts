// The dashboard in a real browser: signing in, every screen, channel controls, live numbers,
// keyboard use and the two screen widths it is made for.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eServer, ensureDashboardBuilt, hasChromium, launchBrowser, newPage, seen, signInWithKey, until } from './support.ts';

describe.skipIf(!hasChromium)('dashboard in a browser', () => {
  let server: E2eServer;
  let browser: Browser;

  beforeAll(async () => {
    await ensureDashboardBuilt();
    server = await E2eServer.start();
    await server.seedBasics();
    await server.lagSamples('web', 6);
    // Rows with inputs and visually hidden labels inside wide tables (the 800 px check).
    await server.ok('POST', '/v1/purchase-orders', { supplier: 'Acme', location: 'WH1', lines: [{ sku: 'MUG-1', quantity: 10 }, { sku: 'TEE-BLK-M', quantity: 5 }] });
    await server.ok('POST', '/v1/allocations', { lines: [{ sku: 'MUG-1', quantity: 5, location: 'WH1' }], order_reference: 'ORD-OVER', channel_accepted: true });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('is served at / with an SPA fallback; API paths stay problems', async () => {
    expect(await server.servesDashboard()).toBe(true);
    const deep = await fetch(`${server.url}/some/screen`, { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('id="root"');
    const api = await fetch(`${server.url}/v1/nothing-here`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
  });

  it('signs in with an API key into an HttpOnly cookie; the key is never in a URL or storage; a wrong key is refused', async () => {
    const { context, page } = await newPage(browser, server);
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    await seen(page, 'sign-in', async () => {
      await page.goto('/');
      await page.getByRole('heading', { name: 'Sign in to truestock' }).waitFor();
      await page.getByLabel('API key', { exact: true }).fill('tsk_not-a-real-key');
      await page.getByLabel('API key', { exact: true }).press('Enter');
      await page.getByRole('alert').filter({ hasText: /not valid/ }).waitFor();

      await signInWithKey(page, server.adminKey);
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      expect(await page.locator('.topbar').innerText()).toMatch(/default[\s\S]*\(admin\)/);
    });
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'ts_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(urls.some((u) => u.includes(server.adminKey))).toBe(false);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    expect(stored).not.toContain(server.adminKey);
    expect(stored).not.toContain('ts_session');

    // Signing out ends the session: a reload shows the sign-in screen again.
    await seen(page, 'sign-out', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to truestock' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in to truestock' }).waitFor();
    });
    await context.close();
  });

  it('signs in with a user account (email and password)', async () => {
    await server.ok('POST', '/v1/users', { email: 'ops@example.com', name: 'Olga Ops', role: 'operate', password: 'correct horse battery' });
    const { context, page } = await newPage(browser, server);
    await seen(page, 'sign-in-user', async () => {
      await page.goto('/');
      await page.getByLabel('Email', { exact: true }).fill('ops@example.com');
      await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
      await page.getByLabel('Password', { exact: true }).press('Enter');
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      expect(await page.locator('.topbar').innerText()).toContain('Olga Ops');
      expect(await page.locator('.topbar').innerText()).toContain('(operate)');
    });
    await context.close();
  });

  it('with a read-only key, actions are disabled and say which role they need', async () => {
    const { secret } = await server.ok('POST', '/v1/api-keys', { name: 'wall screen', role: 'read' });
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, secret);
    await seen(page, 'read-only', async () => {
      await page.goto('/#/channels');
      const pause = page.getByRole('button', { name: 'Pause web' });
      await pause.waitFor();
      expect(await pause.isDisabled()).toBe(true);
      expect(await pause.getAttribute('title')).toBe('needs the operate role');
    });
    await context.close();
  });

  it('goes back to the sign-in screen when the session ends elsewhere', async () => {
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, server.adminKey);
    await seen(page, 'session-ends', async () => {
      await page.goto('/#/items/TEE-BLK-M');
      await page.getByRole('heading', { name: 'TEE-BLK-M', level: 1 }).waitFor();
      // Signed out from another tab: the cookie's session is gone server-side.
      expect((await context.request.delete('/v1/session')).status()).toBe(204);
      await page.getByText('Your session has ended. Sign in again.').waitFor();
      // Signing in again lands on the same screen.
      await page.getByLabel('API key', { exact: true }).fill(server.adminKey);
      await page.getByLabel('API key', { exact: true }).press('Enter');
      await page.getByRole('heading', { name: 'TEE-BLK-M', level: 1 }).waitFor();
    });
    await context.close();
  });

  it('opens every screen from the menu without an error', async () => {
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, server.adminKey);
    const screens: [string, string][] = [
      ['Overview', 'Overview'],
      ['Items', 'Items'],
      ['Channels', 'Channels'],
      ['Exceptions', 'Exceptions'],
      ['Receiving', 'Receiving'],
      ['Returns', 'Returns'],
      ['Transfers', 'Transfers'],
      ['Counts', 'Cycle counts'],
      ['Audit log', 'Audit log'],
    ];
    for (const [link, heading] of screens) {
      await seen(page, `screen-${link}`, async () => {
        await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: link, exact: true }).click();
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        await page.waitForLoadState('networkidle');
        await page.waitForFunction(() => !document.body.innerText.includes('Loading'));
        expect(await page.locator('.load-error, .load-warning').count()).toBe(0);
      });
    }
    // The overview's lag chart draws the samples.
    await seen(page, 'lag-chart', async () => {
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Overview', exact: true }).click();
      await page.getByRole('img', { name: /Propagation lag/ }).locator('canvas').waitFor();
      expect(await page.locator('.u-legend').innerText()).toContain('web p99');
    });
    // The item page and a channel's page, reached by links.
    await seen(page, 'screen-item', async () => {
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Items', exact: true }).click();
      await page.getByRole('link', { name: 'TEE-BLK-M' }).click();
      await page.getByRole('heading', { name: 'TEE-BLK-M', level: 1 }).waitFor();
      await page.getByRole('region', { name: 'Stock by location' }).getByText('WH1').waitFor();
      await page.getByText('Why 40 on web?').click();
      await page.getByText('publish 40').waitFor();
      await page.locator('.chart canvas').first().waitFor();
      await page.getByRole('region', { name: 'Movements, newest first' }).getByText('PO-SEED').waitFor();
      expect(await page.locator('.load-error, .load-warning').count()).toBe(0);
    });
    await seen(page, 'screen-channel', async () => {
      await page.getByRole('link', { name: 'web', exact: true }).first().click();
      await page.getByRole('heading', { name: 'web', level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'Hidden SKUs' }).waitFor();
      expect(await page.locator('.load-error').count()).toBe(0);
    });
    await context.close();
  });

  it('pauses and resumes a channel: GET /v1/channels/{id}/sync says so', async () => {
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, server.adminKey);
    await seen(page, 'pause-channel', async () => {
      await page.goto('/#/channels');
      await page.getByRole('button', { name: 'Pause web' }).click();
      await until('the channel to be paused', async () => (await server.ok('GET', '/v1/channels/web/sync')).paused === true);
      await page.getByRole('button', { name: 'Resume web' }).waitFor();
      expect(await page.locator('tr[data-channel="web"]').innerText()).toContain('paused');
      await page.getByRole('button', { name: 'Resume web' }).click();
      await until('the channel to run again', async () => (await server.ok('GET', '/v1/channels/web/sync')).paused === false);
      await page.getByRole('button', { name: 'Pause web' }).waitFor();
    });
    await seen(page, 'hide-sku', async () => {
      await page.goto('/#/channels/web');
      await page.getByLabel('SKU to hide').fill('TEE-BLK-M');
      await page.getByLabel('SKU to hide').press('Enter');
      await until('the SKU to be hidden', async () => (await server.ok('GET', '/v1/channels/web/sync')).hidden_skus.includes('TEE-BLK-M'));
      await page.getByRole('button', { name: 'Unhide TEE-BLK-M' }).click();
      await until('the SKU to be shown again', async () => (await server.ok('GET', '/v1/channels/web/sync')).hidden_skus.length === 0);
    });
    await context.close();
  });

  it('updates numbers live, without reloading, when stock changes elsewhere', async () => {
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, server.adminKey);
    await seen(page, 'live', async () => {
      await page.goto('/#/items/MUG-1');
      const total = page.locator('tfoot tr');
      await until('the first figures', async () => (await total.innerText()).includes('Total'));
      const before = await total.innerText();
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
      await server.ok('POST', '/v1/stock/receive', { sku: 'MUG-1', location: 'WH1', quantity: 7, reference: 'LIVE-1' });
      await until('the new total to show', async () => (await total.innerText()) !== before, 6_000);
      await page.getByRole('region', { name: 'Movements, newest first' }).getByText('LIVE-1').first().waitFor();
      // Same document: nothing was reloaded.
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    });
    await context.close();
  });

  it('works from the keyboard: skip link, menu links, visible focus', async () => {
    const { context, page } = await newPage(browser, server);
    await signInWithKey(page, server.adminKey);
    await seen(page, 'keyboard', async () => {
      await page.goto('/#/');
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      await page.locator('body').focus();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      // Tab to the Exceptions menu link and follow it with Enter.
      for (let i = 0; i < 20; i++) {
        await page.keyboard.press('Tab');
        if ((await page.evaluate(() => document.activeElement?.textContent)) === 'Exceptions') break;
      }
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
      expect(outline).not.toBe('none');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Exceptions', level: 1 }).waitFor();
      // Focus moved to the new screen's heading.
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    });
    await context.close();
  });

  for (const width of [1280, 800]) {
    it(`is readable at ${width} px: no page-wide sideways scrolling`, async () => {
      const { context, page } = await newPage(browser, server, { width, height: 1000 });
      await signInWithKey(page, server.adminKey);
      for (const path of ['/#/', '/#/items/TEE-BLK-M', '/#/channels', '/#/channels/web', '/#/exceptions', '/#/receiving', '/#/returns', '/#/transfers', '/#/counts', '/#/audit']) {
        await seen(page, `width-${width}-${path.replace(/\W+/g, '')}`, async () => {
          await page.goto(path);
          await page.locator('h1').waitFor();
          await page.waitForLoadState('networkidle');
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          expect(overflow, `${path} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
        });
      }
      await context.close();
    });
  }
});
