// The Workspaces page in a real browser (docs/workspaces.md): the server administrator signs in
// with a server admin key, sees only that page, creates a workspace and sees its admin key once,
// suspends it (its key is refused) and reactivates it. A workspace's admin never sees the page.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerAdminKey } from '../../src/app/server-admin.ts';
import { E2eServer, ensureDashboardBuilt, hasChromium, launchBrowser, newPage, seen, signInWithKey } from './support.ts';

describe.skipIf(!hasChromium)('workspaces in a browser', () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;
  let rootKey = '';

  beforeAll(async () => {
    await ensureDashboardBuilt();
    server = await E2eServer.start();
    const made = await createServerAdminKey(server.ts.store, server.ts.clock, 'ops team');
    if ('code' in made) throw new Error(made.detail);
    rootKey = made.plain;
    browser = await launchBrowser();
    ({ page } = await newPage(browser, server));
    await signInWithKey(page, rootKey);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('creates a workspace, shows its key once, suspends and reactivates it', async () => {
    let secret = '';
    await seen(page, 'workspaces-create', async () => {
      // Home for the server admin is the Workspaces page, and it is the only screen in the menu.
      await page.getByRole('heading', { name: 'Workspaces', level: 1 }).waitFor();
      await page.getByText('server administrator').waitFor();
      expect(await page.getByRole('navigation', { name: 'Screens' }).getByRole('link').allInnerTexts()).toEqual(['Workspaces']);
      const table = page.getByRole('region', { name: 'Workspaces' });
      await table.getByText('default').waitFor();

      const form = page.getByRole('form', { name: 'New workspace' });
      await form.getByLabel('Name').fill('Brand North');
      await form.getByRole('button', { name: 'Create workspace' }).click();
      await page.getByRole('status').filter({ hasText: 'Workspace Brand North created.' }).waitFor();
      secret = (await page.locator('[data-secret]').innerText()).trim();
      expect(secret).toMatch(/^tsk_/);
      await table.getByText('Brand North').waitFor();
    });
    // The key works on its own workspace; the list never shows it again.
    expect((await server.call('GET', '/v1/items', undefined, secret)).status).toBe(200);
    expect(JSON.stringify((await server.call('GET', '/v1/admin/workspaces', undefined, rootKey)).body)).not.toContain(secret);
    await page.reload();
    await page.getByRole('region', { name: 'Workspaces' }).getByText('Brand North').waitFor();
    expect(await page.locator('[data-secret]').count()).toBe(0);

    await seen(page, 'workspaces-suspend', async () => {
      await page.getByRole('button', { name: 'Suspend Brand North' }).click();
      await page.getByRole('status').filter({ hasText: 'Brand North is suspended' }).waitFor();
      await page.locator('tr', { hasText: 'Brand North' }).getByText('suspended', { exact: true }).waitFor();
    });
    const refused = await server.call('GET', '/v1/items', undefined, secret);
    expect([refused.status, refused.body.code]).toEqual([403, 'workspace_suspended']);
    // The default workspace carries on.
    expect((await server.call('GET', '/v1/items')).status).toBe(200);

    await seen(page, 'workspaces-reactivate', async () => {
      await page.getByRole('button', { name: 'Reactivate Brand North' }).click();
      await page.getByRole('status').filter({ hasText: 'Brand North is active again.' }).waitFor();
    });
    expect((await server.call('GET', '/v1/items', undefined, secret)).status).toBe(200);
  });

  it('asks which workspace when one email and password open two', async () => {
    const made = [];
    for (const name of ['Brand East', 'Brand West']) {
      const w = await server.call('POST', '/v1/admin/workspaces', { name }, rootKey);
      expect(w.status, JSON.stringify(w.body)).toBe(201);
      const id = (w.body.workspace as { id: string }).id;
      const u = await server.call('POST', `/v1/admin/workspaces/${id}/users`, { email: 'sam@brands.test', name: 'Sam', role: 'operate', password: 'correct horse battery' }, rootKey);
      expect(u.status, JSON.stringify(u.body)).toBe(201);
      made.push(id);
    }
    const { page: other, context } = await newPage(browser, server);
    try {
      await other.goto('/');
      const form = other.getByRole('form', { name: 'With your account' });
      await form.getByLabel('Email').fill('sam@brands.test');
      await form.getByLabel('Password').fill('correct horse battery');
      await form.getByRole('button', { name: 'Sign in' }).click();
      await other.getByRole('alert').filter({ hasText: 'open 2 workspaces' }).waitFor();
      await form.getByLabel('Workspace id').fill(made[1]!);
      await form.getByRole('button', { name: 'Sign in' }).click();
      await other.getByRole('navigation', { name: 'Screens' }).waitFor();
      expect(await other.getByText('Brand West').count()).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });

  it("hides the page from a workspace's admin", async () => {
    const { page: other, context } = await newPage(browser, server);
    try {
      await signInWithKey(other, server.adminKey);
      await seen(other, 'workspaces-hidden', async () => {
        expect(await other.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Workspaces' }).count()).toBe(0);
        await other.goto('/#/workspaces');
        await other.getByRole('heading', { name: 'Not found' }).waitFor();
      });
    } finally {
      await context.close();
    }
  });
});
