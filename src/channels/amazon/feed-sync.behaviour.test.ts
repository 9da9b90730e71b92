// A JSON_LISTINGS_FEED through the real dispatcher, on SQLite and PostgreSQL, against the Amazon
// emulator (in-process fetch): a backlog large enough goes as one feed; when Amazon's processing
// report fails some messages, those listings are dead-lettered with Amazon's reason and one
// exception each, and the others count as pushed — only once the report says so.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AmazonEmulator, startAmazonEmulator } from '../../../emulators/amazon/index.ts';
import { inProcessFetch } from '../../../emulators/kit/index.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../../test/support/truestock.ts';
import { createChannel } from '../../app/channels.ts';
import { createListing } from '../../app/listings.ts';
import { Truestock } from '../../app/truestock.ts';
import { validatingFetch } from './sp-api.fixture.ts';

const ORIGIN = 'http://sellingpartnerapi-na.emulated';
const MARKET = 'ATVPDKIKX0DER';
const SKUS = ['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8'];
/** Past the emulator's feed queue and processing delays. */
const SETTLE_SKEW_MS = 120_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(ok: () => Promise<boolean>, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end && !(await ok()); ) await sleep(50);
}

describe.each(STORE_KINDS)('an Amazon feed through the dispatcher on %s', (store) => {
  let db: TestDatabase;
  let ts: Truestock;
  let amazon: AmazonEmulator;
  let skew = 0;
  const invalid: string[] = [];

  beforeAll(async () => {
    amazon = await startAmazonEmulator({ clock: { now: () => Date.now() + skew }, publicUrl: ORIGIN, feedQueueMs: 10_000, feedProcessingMs: 30_000 });
    db = await createDatabase(store);
    ts = await Truestock.open({ ...db.config, sync: { idleMs: 20, fetch: validatingFetch(inProcessFetch(amazon.handler, { origin: ORIGIN }), invalid) } });
  });
  afterAll(async () => {
    await ts?.sync.stop();
    await ts?.close();
    await db?.drop();
    await amazon?.close();
  });

  it('messages the report fails are dead-lettered; the others count as pushed once the report is read', async () => {
    for (const sku of SKUS) amazon.addListing({ sku, quantity: 0 });
    amazon.failSku('F3', { code: '90244', message: 'quantity refused' });
    amazon.failSku('F6', { code: '90244', message: 'quantity refused' });
    const f = await Fixture.create(ts, { skus: SKUS, locations: [['W1', 'warehouse']] });
    const { channel, listings } = await ts.store.transaction(async (d) => {
      const now = ts.clock.now();
      const settings = {
        seller_id: amazon.sellerId, client_id: amazon.clientId, client_secret: amazon.clientSecret, refresh_token: amazon.refreshToken,
        endpoint: ORIGIN, lwa_url: `${ORIGIN}/auth/o2/token`, product_type: 'PRODUCT', feed_min_items: 5, submission_poll_seconds: 0.2,
      };
      const c = await createChannel(d, f.workspaceId, { kind: 'amazon', name: 'amazon-feed', settings }, now);
      if ('code' in c) throw new Error(c.detail);
      const id = (c.body.channel as { id: string }).id;
      const ls = new Map<string, string>();
      for (const sku of SKUS) {
        const l = await createListing(d, f.workspaceId, { channel: id, sku, external: { seller_sku: sku, marketplace_id: MARKET } }, now);
        if ('code' in l) throw new Error(l.detail);
        ls.set(sku, (l.body.listing as { id: string }).id);
      }
      return { channel: id, listings: ls };
    });
    // The whole backlog is queued before the dispatcher starts, so its first round sees all of it.
    for (const sku of SKUS) await f.ok({ type: 'receive', sku, location: 'W1', quantity: 10 });
    ts.sync.start();

    const submissions = () => ts.store.read((d) => d.all<{ submission_id: string }>('SELECT submission_id FROM channel_submissions WHERE channel_id = ?', [channel]));
    await until(async () => (await submissions()).length === SKUS.length);
    expect(new Set((await submissions()).map((s) => s.submission_id.replace(/:\d+:/, ':')))).toEqual(new Set([expect.stringMatching(/^feed:/)]));
    const pushed = () => ts.store.read((d) => d.all<{ listing_id: string; q: number | null; dead: string | null }>('SELECT listing_id, pushed_quantity AS q, dead_reason AS dead FROM listing_sync WHERE channel_id = ?', [channel]));
    // Still processing: nothing counts as pushed yet.
    await sleep(500);
    expect((await pushed()).filter((r) => r.q !== null)).toEqual([]);

    skew += SETTLE_SKEW_MS; // Amazon finishes the feed
    const dead = async () => (await pushed()).filter((r) => r.dead !== null);
    await until(async () => (await dead()).length === 2 && (await pushed()).filter((r) => Number(r.q) === 10).length === SKUS.length - 2);
    const rows = await pushed();
    const bySku = Object.fromEntries(SKUS.map((s) => [s, rows.find((r) => r.listing_id === listings.get(s))]));
    expect(Object.entries(bySku).filter(([, r]) => r?.dead).map(([s]) => s)).toEqual(['F3', 'F6']);
    expect(bySku.F3!.dead).toContain('90244');
    for (const s of SKUS.filter((x) => x !== 'F3' && x !== 'F6')) expect(Number(bySku[s]!.q), s).toBe(10);
    const exceptions = await ts.store.read((d) => d.all<{ reference: string }>("SELECT reference FROM exceptions WHERE workspace_id = ? AND kind = 'sync_dead_letter'", [f.workspaceId]));
    expect(exceptions.map((e) => e.reference).sort()).toEqual([listings.get('F3'), listings.get('F6')].sort());
    expect(amazon.quantity('F1')).toBe(10);
    expect(amazon.quantity('F3')).toBe(0);
    expect(amazon.counters().feedsCreated).toBe(1);
    expect(amazon.counters().throttled).toBe(0);
    expect(invalid).toEqual([]);
  }, 60_000);
});
