// The Alerts page in a real browser: create a webhook subscription (its secret shown once), see a
// stock change delivered — verified by a local receiver with the standardwebhooks package's own
// verifier — in the delivery log, and redeliver it with the same webhook-id; rotate its secret (the
// new one shown once, and the receiver, switched to it, still verifies) and delete it. A key whose
// role may not read subscriptions gets the page's error state, not a broken screen.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eServer, ensureDashboardBuilt, hasChromium, launchBrowser, newPage, seen, signInWithKey, until } from './support.ts';

/** A delivery takes the stock.changed coalescing window (5 s) plus a tick and a page poll. */
const DELIVERY_TIMEOUT_MS = 20_000;

describe.skipIf(!hasChromium)('alerts in a browser', () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;
  let receiver: Server;
  let receiverUrl = '';
  let secret = '';
  const got: { headers: IncomingHttpHeaders; body: string; verified: boolean }[] = [];

  beforeAll(async () => {
    await ensureDashboardBuilt();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        let verified = false;
        try {
          new Webhook(secret).verify(body, req.headers as Record<string, string>);
          verified = true;
        } catch {
          verified = false;
        }
        got.push({ headers: req.headers, body, verified });
        res.statusCode = verified ? 204 : 401;
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/truestock`;
    server = await E2eServer.start({ alerts: { tickMs: 250, smtp: null } });
    server.ts.alerts.start();
    await server.seedBasics();
    browser = await launchBrowser();
    ({ page } = await newPage(browser, server));
    await signInWithKey(page, server.adminKey);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise((r) => receiver?.close(r));
  });

  it('creates a webhook, sees a stock change delivered in the log, and redelivers it', async () => {
    await seen(page, 'alerts-create', async () => {
      await page.goto('/#/alerts');
      await page.getByText('No subscriptions yet').waitFor();
      const form = page.getByRole('form', { name: 'New subscription' });
      await form.getByLabel('Name').fill('ERP');
      await form.getByLabel('URL').fill(receiverUrl);
      await form.getByLabel('stock.changed').check();
      await form.getByRole('button', { name: 'Create subscription' }).click();
      await page.getByRole('status').filter({ hasText: 'Subscription ERP created.' }).waitFor();
      secret = (await page.locator('[data-secret]').innerText()).trim();
      expect(secret).toMatch(/^whsec_/);
      await page.getByRole('region', { name: 'Subscriptions' }).getByText(receiverUrl).waitFor();
    });
    // The secret is never read back.
    expect(JSON.stringify(await server.ok('GET', '/v1/alerts/subscriptions'))).not.toContain(secret);

    await server.ok('POST', '/v1/stock/receive', { sku: 'TEE-BLK-M', location: 'WH1', quantity: 5 });
    await server.ok('POST', '/v1/stock/receive', { sku: 'TEE-BLK-M', location: 'WH1', quantity: 2 });
    const first = (await until('a verified delivery', async () => got.find((g) => g.verified), DELIVERY_TIMEOUT_MS))!;
    const body = JSON.parse(first.body);
    expect(body).toMatchObject({ type: 'stock.changed', data: { sku: 'TEE-BLK-M', location: 'WH1', available: 47 } });
    expect(got).toHaveLength(1); // two receipts in the window: one event

    await seen(page, 'alerts-log', async () => {
      const log = page.getByRole('region', { name: 'Delivery log' });
      await log.getByText('delivered').waitFor({ timeout: DELIVERY_TIMEOUT_MS });
      await log.getByText(String(first.headers['webhook-id'])).waitFor();
      await log.getByRole('button', { name: /^Redeliver stock\.changed/ }).click();
      await page.getByRole('status').filter({ hasText: 'Redelivery of' }).waitFor();
      await until('the redelivery', async () => got.length === 2, DELIVERY_TIMEOUT_MS);
      await until('two delivered rows', async () => (await log.getByText('delivered', { exact: true }).count()) === 2, DELIVERY_TIMEOUT_MS);
    });
    expect(got[1]!.verified).toBe(true);
    expect(got[1]!.headers['webhook-id']).toBe(first.headers['webhook-id']);
  });

  it('disables and enables a subscription from the list', async () => {
    await seen(page, 'alerts-toggle', async () => {
      await page.goto('/#/alerts');
      await page.getByRole('button', { name: 'Disable ERP' }).click();
      await page.getByRole('status').filter({ hasText: 'ERP disabled.' }).waitFor();
      await page.getByRole('button', { name: 'Enable ERP' }).click();
      await page.getByRole('status').filter({ hasText: 'ERP enabled.' }).waitFor();
    });
    expect((await server.ok('GET', '/v1/alerts/subscriptions')).data[0]).toMatchObject({ name: 'ERP', enabled: true });
  });

  it('is readable at 800 px with a delivery log open: no page-wide sideways scrolling', async () => {
    const { context, page: narrow } = await newPage(browser, server, { width: 800, height: 1000 });
    try {
      await signInWithKey(narrow, server.adminKey);
      await seen(narrow, 'alerts-800', async () => {
        await narrow.goto('/#/alerts');
        await narrow.getByRole('button', { name: 'Delivery log of ERP' }).click();
        await narrow.getByRole('region', { name: 'Delivery log' }).getByText('delivered').first().waitFor();
        const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `/#/alerts overflows by ${overflow}px`).toBeLessThanOrEqual(0);
      });
    } finally {
      await context.close();
    }
  });

  it("rotates a webhook's secret after a confirmation, shows the new one once; the receiver switched to it verifies", async () => {
    const first = secret;
    let fresh = '';
    await seen(page, 'alerts-rotate', async () => {
      await page.goto('/#/alerts');
      await page.getByRole('button', { name: 'Rotate secret of ERP' }).click();
      const ask = page.getByRole('region', { name: 'Rotate the signing secret of ERP?' });
      await ask.getByText('for 24 hours the previous secret signs too').waitFor();
      expect(await ask.locator('[data-secret]').count()).toBe(0); // nothing rotated before the confirmation
      await ask.getByRole('button', { name: 'Rotate the secret' }).click();
      await ask.getByRole('status').filter({ hasText: 'The signing secret of ERP was rotated.' }).waitFor();
      await ask.getByText('Both the new and the previous secret sign deliveries for the next 24 hours').waitFor();
      fresh = (await ask.locator('[data-secret]').innerText()).trim();
      // The list says how long the replaced secret keeps signing.
      await page.locator('tr[data-subscription] [data-previous-secret]').filter({ hasText: /the previous secret signs too until \d{4}-\d\d-\d\d/ }).waitFor();
    });
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(first);
    expect(JSON.stringify(await server.ok('GET', '/v1/alerts/subscriptions'))).not.toContain(fresh);
    // The receiver switches to the new secret at once; the next delivery carries both signatures.
    secret = fresh;
    const before = got.length;
    await server.ok('POST', '/v1/stock/receive', { sku: 'TEE-BLK-M', location: 'WH1', quantity: 1 });
    const next = (await until('a delivery after the rotation', async () => got[before], DELIVERY_TIMEOUT_MS))!;
    expect(next.verified).toBe(true);
    expect(String(next.headers['webhook-signature']).split(' ')).toHaveLength(2);
  });

  it('deletes a subscription after a confirmation: gone from the list', async () => {
    await seen(page, 'alerts-delete', async () => {
      await page.goto('/#/alerts');
      await page.getByRole('button', { name: 'Delete ERP' }).click();
      const ask = page.getByRole('region', { name: 'Delete ERP?' });
      await ask.getByText('its delivery log is deleted with it').waitFor();
      await ask.getByRole('button', { name: 'Delete subscription' }).click();
      await ask.getByRole('status').filter({ hasText: /^ERP deleted, with \d+ deliver/ }).waitFor();
      await page.getByText('No subscriptions yet').waitFor();
    });
    expect((await server.ok('GET', '/v1/alerts/subscriptions')).data).toEqual([]);
  });

  it('shows an error, not a broken page, to a key that may not read subscriptions', async () => {
    const made = await server.ok('POST', '/v1/api-keys', { name: 'viewer', role: 'read' });
    const { context, page: viewer } = await newPage(browser, server);
    try {
      await signInWithKey(viewer, made.secret);
      await seen(viewer, 'alerts-forbidden', async () => {
        await viewer.goto('/#/alerts');
        await viewer.getByRole('alert').filter({ hasText: 'Could not load subscriptions' }).waitFor();
        await viewer.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
      });
    } finally {
      await context.close();
    }
  });
});
