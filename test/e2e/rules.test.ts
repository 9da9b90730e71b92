// A channel's rules in a real browser: add a share rule — the what-if shows the listing's number
// before → after and nothing is saved until the second, explicit click — then see the listing's
// number change on the channel's page; a bad setting shows its refusal beside the field and saves
// nothing; a form edited after its preview cannot be saved unseen; edit; deactivate (previewed too).

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eServer, ensureDashboardBuilt, hasChromium, type Json, launchBrowser, newPage, seen, signInWithKey, until } from './support.ts';

describe.skipIf(!hasChromium)("a channel's rules in a browser", () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;
  const rules = async (all = false): Promise<Json[]> => (await server.ok('GET', `/v1/channels/web/rules${all ? '?include_inactive=true' : ''}`)).data;
  const published = async (): Promise<number | undefined> => (await server.ok('GET', '/v1/listings?channel=web')).data.find((l: Json) => l.sku === 'TEE-BLK-M')?.numbers?.published?.quantity;
  const form = () => page.getByRole('form', { name: /^(Add a rule|Edit rule)$/ });
  const whatIf = () => page.getByRole('region', { name: 'Listings that would change' });
  /** A previewed listing's Now and After cells, once the preview has drawn its row (allInnerTexts does not wait). */
  const nowAndAfter = async (sku: string) => {
    const row = whatIf().getByRole('row', { name: new RegExp(sku) });
    await row.waitFor();
    return (await row.locator('td').allInnerTexts()).slice(0, 2);
  };
  /** The rules screen afresh (another screen first: the same address again would keep the form's state). */
  const openRules = async () => {
    await page.goto('/#/');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.goto('/#/channels/web/rules');
    await page.getByRole('heading', { name: 'Rules of web', level: 1 }).waitFor();
  };

  beforeAll(async () => {
    await ensureDashboardBuilt();
    server = await E2eServer.start();
    await server.seedBasics(); // TEE-BLK-M: 40 at WH1, listed on the channel "web"
    await server.ok('POST', '/v1/availability/recompute', { channel: 'web' });
    browser = await launchBrowser();
    ({ page } = await newPage(browser, server));
    await signInWithKey(page, server.adminKey);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('adds a share rule: the what-if first, saved only on the second click, and the listing changes', async () => {
    expect(await published()).toBe(40);
    await seen(page, 'rules-open', async () => {
      await page.goto('/#/channels/web');
      await page.getByRole('link', { name: 'Rules', exact: true }).click();
      await page.getByRole('heading', { name: 'Rules of web', level: 1 }).waitFor();
      await page.getByText('No rules: this channel shows the whole pool').waitFor();
    });
    await seen(page, 'rules-what-if', async () => {
      await form().getByLabel('Allocation mode').selectOption('share');
      await form().getByLabel('Share (%)').fill('50');
      await form().getByRole('button', { name: 'Preview changes' }).click();
      await page.getByRole('status').filter({ hasText: '1 of 1 listings would change. Nothing is saved yet.' }).waitFor();
      const row = whatIf().getByRole('row', { name: /TEE-BLK-M/ });
      expect((await row.locator('td').allInnerTexts()).slice(0, 3)).toEqual(['40', '20', '-20']);
    });
    // Previewing saved nothing.
    expect(await rules()).toEqual([]);
    expect(await published()).toBe(40);

    await seen(page, 'rules-save', async () => {
      await page.getByRole('button', { name: 'Save rule' }).click();
      await page.getByRole('status').filter({ hasText: /Rule rule_\S+ saved: 1 listing changed\./ }).waitFor();
      const listed = page.getByRole('region', { name: 'Rules' });
      await listed.getByText('For every item: the channel gets 50 % of the pool.').waitFor();
      await listed.getByText('yes', { exact: true }).waitFor();
    });
    const saved = await rules();
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ skus: null, settings: { allocation: { mode: 'share', percent: 50 } }, active: true });
    expect(await published()).toBe(20);

    await seen(page, 'rules-listing-changed', async () => {
      await page.goto('/#/channels/web');
      const row = page.getByRole('region', { name: 'Listings' }).getByRole('row', { name: /TEE-BLK-M/ });
      await until('the published number 20', async () => (await row.locator('td').nth(2).innerText()).trim() === '20');
    });
  });

  it('shows a bad setting’s refusal beside its field and saves nothing', async () => {
    await seen(page, 'rules-refusal', async () => {
      await openRules();
      await form().getByLabel('SKUs (blank: every item; separate with commas)').fill('TEE-BLK-M');
      await form().getByLabel('Buffer mode').selectOption('adaptive');
      await form().getByLabel('At least (units)').fill('9');
      await form().getByLabel('At most (units)').fill('3');
      await form().getByRole('button', { name: 'Preview changes' }).click();
      const refusal = form().locator('[data-group=buffer]').getByRole('alert');
      await refusal.getByText('settings.buffer.min_units must not exceed max_units (9 > 3)').waitFor();
      expect(await page.getByRole('button', { name: 'Save rule' }).count()).toBe(0);

      // An unknown SKU is refused beside the SKUs field, the buffer's refusal gone.
      await form().getByLabel('At least (units)').fill('1');
      await form().getByLabel('SKUs (blank: every item; separate with commas)').fill('TEE-BLK-M, NO-SUCH');
      await form().getByRole('button', { name: 'Preview changes' }).click();
      await form().locator('[data-group=skus]').getByRole('alert').getByText('no item with SKU "NO-SUCH"').waitFor();
      expect(await form().locator('[data-group=buffer]').getByRole('alert').count()).toBe(0);
    });
    expect(await rules(true)).toHaveLength(1);
    expect(await published()).toBe(20);
  });

  it('will not save a form edited after its preview until it is previewed again', async () => {
    await seen(page, 'rules-stale', async () => {
      await openRules();
      await form().getByLabel('SKUs (blank: every item; separate with commas)').fill('TEE-BLK-M');
      await form().getByLabel('Cap setting').selectOption('set');
      await form().getByLabel('Show at most (units)').fill('5');
      await form().getByRole('button', { name: 'Preview changes' }).click();
      await whatIf().getByRole('row', { name: /TEE-BLK-M/ }).waitFor();
      await form().getByLabel('Show at most (units)').fill('6');
      await page.getByText('The form changed since this preview: preview again before saving.').waitFor();
      expect(await page.getByRole('button', { name: 'Save rule' }).isDisabled()).toBe(true);
    });
    expect(await rules()).toHaveLength(1);
  });

  it('edits a rule (previewed against the rule it replaces)', async () => {
    const id = (await rules())[0]!.id as string;
    await seen(page, 'rules-edit', async () => {
      await openRules();
      await page.getByRole('button', { name: `Edit ${id}` }).click();
      await page.getByRole('heading', { name: `Edit rule ${id}` }).waitFor();
      expect(await form().getByLabel('Share (%)').inputValue()).toBe('50');
      await form().getByLabel('Share (%)').fill('25');
      await form().getByRole('button', { name: 'Preview changes' }).click();
      expect(await nowAndAfter('TEE-BLK-M')).toEqual(['20', '10']);
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('status').filter({ hasText: `Rule ${id} replaced: 1 listing changed.` }).waitFor();
    });
    expect(await published()).toBe(10);
  });

  it('deactivates a rule after showing what that changes; it stays in the history', async () => {
    const id = (await rules())[0]!.id as string;
    await seen(page, 'rules-deactivate', async () => {
      await openRules();
      await page.getByRole('button', { name: `Deactivate ${id}` }).click();
      await page.getByRole('heading', { name: `Deactivate ${id}?` }).waitFor();
      expect(await nowAndAfter('TEE-BLK-M')).toEqual(['10', '40']);
      expect(await rules()).toHaveLength(1); // shown, not done
      await page.getByRole('button', { name: 'Deactivate rule', exact: true }).click();
      await page.getByRole('status').filter({ hasText: `Rule ${id} deactivated: 1 listing changed.` }).waitFor();
      await page.getByText('No rules: this channel shows the whole pool').waitFor();
      await page.getByLabel('Show deactivated rules').check();
      await page.getByRole('region', { name: 'Rules' }).getByText('no: removed').waitFor();
    });
    expect(await rules()).toEqual([]);
    expect((await rules(true)).map((r) => r.id)).toEqual([id]);
    expect(await published()).toBe(40);
  });

  it('is readable at 800 px with a preview open, as are the catalog problems and import screens: no page-wide sideways scrolling', async () => {
    const { context, page: narrow } = await newPage(browser, server, { width: 800, height: 1000 });
    try {
      await signInWithKey(narrow, server.adminKey);
      await seen(narrow, 'rules-800', async () => {
        await narrow.goto('/#/channels/web/rules');
        await narrow.getByLabel('Allocation mode').selectOption('share');
        await narrow.getByLabel('Share (%)').fill('30');
        await narrow.getByRole('button', { name: 'Preview changes' }).click();
        await narrow.getByRole('region', { name: 'Listings that would change' }).waitFor();
        for (const path of ['/channels/web/rules', '/catalog-problems', '/imports']) {
          if (path !== '/channels/web/rules') await narrow.goto(`/#${path}`);
          await narrow.waitForLoadState('networkidle');
          const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          expect(overflow, `/#${path} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
        }
      });
    } finally {
      await context.close();
    }
  });

  it('says a rule whose window has not opened is not in force, and why', async () => {
    await server.ok('POST', '/v1/channels/web/rules', { skus: ['TEE-BLK-M'], starts_at: '2999-01-01T00:00:00Z', settings: { cap_units: 3 } });
    await seen(page, 'rules-window', async () => {
      await openRules();
      const listed = page.getByRole('region', { name: 'Rules' });
      await listed.getByText(/For TEE-BLK-M, from 2999-01-01 00:00 UTC: the channel shows at most 3 units\./).waitFor();
      await listed.getByText(/^no: starts 2\d{3}-/).waitFor();
    });
  });
});
