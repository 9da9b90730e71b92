// Operators' flows in a real browser: resolving an exception, a cycle count from entry to the
// item's history, receiving a purchase order, inspecting a return, receiving a transfer.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eServer, ensureDashboardBuilt, hasChromium, launchBrowser, newPage, seen, signInWithKey, until } from './support.ts';

describe.skipIf(!hasChromium)('operator flows in a browser', () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await ensureDashboardBuilt();
    server = await E2eServer.start();
    await server.seedBasics();
    browser = await launchBrowser();
    ({ page } = await newPage(browser, server));
    await signInWithKey(page, server.adminKey);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('acknowledges, assigns and resolves an exception', async () => {
    // An order the channel already took, for more than there is: oversold, an exception.
    await server.ok('POST', '/v1/allocations', { lines: [{ sku: 'MUG-1', quantity: 5, location: 'WH1' }], order_reference: 'ORD-OVER', channel_accepted: true });
    const [exc] = (await server.ok('GET', '/v1/exceptions?state=open&sku=MUG-1')).data;
    await server.ok('POST', '/v1/users', { email: 'sam@example.com', name: 'Sam', role: 'operate', password: 'correct horse battery' });
    expect(exc).toMatchObject({ kind: 'oversold', severity: 'high' });
    await seen(page, 'exception', async () => {
      await page.goto('/#/exceptions?sku=MUG-1');
      const row = page.locator(`tr[data-exception="${exc.id}"]`);
      await row.getByText('ORD-OVER', { exact: false }).first().waitFor();
      await row.getByRole('button', { name: /^Act/ }).click();
      await page.getByRole('button', { name: 'Acknowledge' }).click();
      await until('acknowledged', async () => (await server.ok('GET', `/v1/exceptions?state=acknowledged&sku=MUG-1`)).data.length === 1);
      // Owners are the workspace's users, chosen from a list.
      await page.getByLabel('Assign to').locator('option', { hasText: 'Sam (sam@example.com)' }).waitFor({ state: 'attached' });
      await page.getByLabel('Assign to').selectOption({ label: 'Sam (sam@example.com)' });
      await page.getByRole('button', { name: 'Assign' }).click();
      await until('assigned', async () => (await server.ok('GET', `/v1/exceptions?state=acknowledged&sku=MUG-1`)).data[0]?.assignee === 'Sam');
      await page.getByLabel('Resolution').fill('cancelled 2 units with the customer');
      await page.getByLabel('Resolution').press('Enter');
      await page.getByRole('status').filter({ hasText: 'Resolved' }).waitFor();
      const resolved = await until('resolved', async () => (await server.ok('GET', `/v1/exceptions?state=resolved&sku=MUG-1`)).data[0]);
      expect(resolved).toMatchObject({ id: exc.id, state: 'resolved', assignee: 'Sam', resolution: 'cancelled 2 units with the customer' });
      // It has left the open inbox.
      await row.waitFor({ state: 'detached' });
    });
    // The audit log shows who did it.
    await seen(page, 'audit', async () => {
      await page.goto('/#/audit');
      await page.getByRole('region', { name: 'Audit log' }).getByText(`/v1/exceptions/${exc.id}/resolve`).waitFor();
    });
  });

  it('runs a cycle count: enter, post, and the variance is in the item’s history', async () => {
    await seen(page, 'count', async () => {
      await page.goto('/#/counts');
      await page.getByLabel('Scope').selectOption('skus');
      await page.getByLabel('SKUs').fill('TEE-BLK-M');
      await page.getByLabel('SKUs').press('Enter');
      await page.getByRole('heading', { name: /^Count CNT-/, level: 1 }).waitFor();
      const number = (await page.locator('h1').innerText()).replace('Count ', '');
      await page.getByLabel('Counted units of TEE-BLK-M').fill('37');
      await page.getByLabel('Counted units of TEE-BLK-M').press('Enter');
      await page.getByRole('status').filter({ hasText: 'Saved 1 count' }).waitFor();
      await page.getByRole('region', { name: /^Lines of CNT-/ }).getByText('-3').waitFor();
      await page.getByRole('button', { name: 'Post variances' }).click();
      await page.getByRole('status').filter({ hasText: 'posted' }).waitFor();

      await page.getByRole('link', { name: 'TEE-BLK-M' }).click();
      await page.getByRole('heading', { name: 'TEE-BLK-M', level: 1 }).waitFor();
      const movement = page.getByRole('region', { name: 'Movements, newest first' }).locator('tr', { hasText: number });
      await movement.waitFor();
      expect(await movement.innerText()).toMatch(/available\s*→\s*count variance[\s\S]*3[\s\S]*count_post/);
      const total = await page.locator('tfoot tr').innerText();
      expect(total).toMatch(/Total\s+37\s+37/);
    });
  });

  it('a variance over the threshold waits for an admin, who approves it', async () => {
    await server.ok('PUT', '/v1/settings/counts', { variance_units_max: 1 });
    const { secret } = await server.ok('POST', '/v1/api-keys', { name: 'floor team', role: 'operate' });
    const { id } = (await server.ok('POST', '/v1/counts', { location: 'WH1', scope: 'skus', skus: ['MUG-1'] })).count;
    const { context, page: operator } = await newPage(browser, server);
    await signInWithKey(operator, secret);
    await seen(operator, 'count-over-threshold', async () => {
      await operator.goto(`/#/counts/${id}`);
      await operator.getByLabel('Counted units of MUG-1').fill('20');
      await operator.getByLabel('Counter').fill('Ana');
      await operator.getByLabel('Counter').press('Enter');
      await operator.getByText('over threshold').waitFor();
      await operator.getByRole('button', { name: 'Post variances' }).click();
      await operator.getByRole('status').filter({ hasText: 'awaits an admin’s approval' }).waitFor();
      const approve = operator.getByRole('button', { name: 'Approve and post' });
      expect(await approve.isDisabled()).toBe(true);
    });
    await context.close();
    await seen(page, 'count-approve', async () => {
      await page.goto('/#/counts');
      await page.getByText('awaiting approval', { exact: true }).waitFor();
      await page.goto(`/#/counts/${id}`);
      await page.getByRole('button', { name: 'Approve and post' }).click();
      await page.getByRole('status').filter({ hasText: 'approved and posted' }).waitFor();
    });
    expect((await server.ok('GET', `/v1/counts/${id}`)).count).toMatchObject({ state: 'posted', approved_by: expect.stringMatching(/^key_/) });
    await server.ok('PUT', '/v1/settings/counts', { variance_units_max: null });
  });

  it('opens a purchase order and receives part of it, good and damaged', async () => {
    await seen(page, 'receiving', async () => {
      await page.goto('/#/receiving');
      await page.getByLabel('Supplier').fill('Acme');
      await page.getByLabel('SKU, line 1').first().fill('MUG-1');
      await page.getByLabel('Quantity, line 1').first().fill('12');
      await page.getByLabel('Quantity, line 1').first().press('Enter');
      await page.getByRole('status').filter({ hasText: /PO-\d+ opened/ }).waitFor();
      const po = page.locator('article[data-document="PO-000001"]');
      await po.waitFor();
      await po.getByLabel('Good units of MUG-1 now').fill('8');
      await po.getByLabel('Damaged units of MUG-1 now').fill('1');
      await po.getByLabel('Delivery note').fill('DN-77');
      await po.getByRole('button', { name: 'Receive delivery' }).click();
      await po.getByRole('status').filter({ hasText: 'Received 9 units on PO-000001' }).waitFor();
      await until('3 still expected', async () => (await po.innerText()).includes('3 still expected'));
    });
    const po = (await server.ok('GET', '/v1/purchase-orders/PO-000001')).purchase_order;
    expect(po).toMatchObject({ received_good: 8, received_damaged: 1, still_expected: 3 });
  });

  it('shows a refusal with the field at fault, and nothing is written', async () => {
    await seen(page, 'refusal', async () => {
      await page.goto('/#/transfers');
      await page.getByLabel('SKU, line 1').fill('TEE-BLK-M');
      await page.getByLabel('Quantity, line 1').fill('100000');
      await page.getByLabel('Quantity, line 1').press('Enter');
      await page.getByRole('alert').filter({ hasText: /lines\[0\]\.quantity|not enough/ }).waitFor();
    });
    expect((await server.ok('GET', '/v1/transfers')).data).toEqual([]);
  });

  it('ships and receives a transfer; inspects a return', async () => {
    await seen(page, 'transfer', async () => {
      await page.goto('/#/transfers');
      await page.getByLabel('SKU, line 1').fill('TEE-BLK-M');
      await page.getByLabel('Quantity, line 1').fill('4');
      await page.getByLabel('Quantity, line 1').press('Enter');
      const tr = page.locator('article[data-document="TR-000001"]');
      await tr.waitFor();
      await tr.getByLabel('Good units of TEE-BLK-M now').fill('4');
      await tr.getByLabel('Good units of TEE-BLK-M now').press('Enter');
      await tr.getByRole('status').filter({ hasText: 'closed' }).waitFor();
    });
    expect((await server.ok('GET', '/v1/transfers/TR-000001')).transfer).toMatchObject({ state: 'closed', received: 4 });

    await server.ok('POST', '/v1/returns', { location: 'WH1', lines: [{ sku: 'MUG-1', quantity: 2 }] });
    await seen(page, 'return', async () => {
      await page.goto('/#/returns');
      const ret = page.locator('article[data-document="RET-000001"]');
      await ret.getByLabel('Units of MUG-1 arrived now').fill('2');
      await ret.getByLabel('Units of MUG-1 arrived now').press('Enter');
      await ret.getByText('2 awaiting inspection').waitFor();
      await ret.getByLabel('Restock: units of MUG-1').fill('1');
      await ret.getByLabel('Damaged: units of MUG-1').fill('1');
      await ret.getByRole('button', { name: 'Record inspection' }).click();
      await ret.getByRole('status').filter({ hasText: 'Inspection of RET-000001 recorded' }).waitFor();
      await ret.getByRole('button', { name: 'Close return' }).click();
      await until('the return to close', async () => (await server.ok('GET', '/v1/returns/RET-000001')).return.state === 'closed');
    });
  });
});
