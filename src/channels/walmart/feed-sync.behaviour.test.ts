// A Walmart inventory feed through the real dispatcher and reconciler, on SQLite and PostgreSQL,
// against the scripted Walmart (every request validated against Walmart's models): a backlog
// goes as one feed; while Walmart processes it, nothing counts as pushed and the reconciler does
// not read those listings (a feed still processing is not drift); once PROCESSED, the item with a
// DATA_ERROR is dead-lettered with Walmart's reason, the one with a SYSTEM_ERROR is pushed again,
// and the others count as pushed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../../test/support/truestock.ts';
import { createChannel } from '../../app/channels.ts';
import { ManualClock } from '../../app/clock.ts';
import { createListing } from '../../app/listings.ts';
import { Truestock } from '../../app/truestock.ts';
import { RECONCILE_TICK_MS } from '../../sync/reconciler.ts';
import { BASE, CLIENT_ID, CLIENT_SECRET, FakeWalmart } from './walmart.fixture.ts';

const SKUS = ['F1', 'F2', 'F3', 'F4', 'F5', 'F6'];

describe.each(STORE_KINDS)('a Walmart feed through the dispatcher on %s', (store) => {
  let db: TestDatabase;
  let ts: Truestock;
  const clock = new ManualClock(Date.now());
  const walmart = new FakeWalmart(clock);

  beforeAll(async () => {
    db = await createDatabase(store);
    ts = await Truestock.open({ ...db.config, clock, sync: { workerId: 'walmart-feed-test', fetch: walmart.fetch } });
  });
  afterAll(async () => {
    await ts?.close();
    await db?.drop();
  });

  it('a processing feed is neither pushed nor drift; then item errors fail exactly those items', async () => {
    for (const sku of SKUS) walmart.shown.set(sku, 0);
    walmart.failing.set('F3', 'DATA_ERROR');
    walmart.failing.set('F5', 'SYSTEM_ERROR');
    const f = await Fixture.create(ts, { skus: SKUS, locations: [['W1', 'warehouse']] });
    const { channel, listings } = await ts.store.transaction(async (d) => {
      const settings = { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, endpoint: BASE, feed_min_items: 5, submission_poll_seconds: 1, reconcile_seconds: 10 };
      const c = await createChannel(d, f.workspaceId, { kind: 'walmart', name: 'walmart-feed', settings }, clock.now());
      if ('code' in c) throw new Error(c.detail);
      const id = (c.body.channel as { id: string }).id;
      const ls = new Map<string, string>();
      for (const sku of SKUS) {
        const l = await createListing(d, f.workspaceId, { channel: id, sku, external: { sku } }, clock.now());
        if ('code' in l) throw new Error(l.detail);
        ls.set(sku, (l.body.listing as { id: string }).id);
      }
      return { channel: id, listings: ls };
    });
    for (const sku of SKUS) await f.ok({ type: 'receive', sku, location: 'W1', quantity: 10 });
    await ts.sync.refresh(true);
    const drain = async () => {
      for (let i = 0; i < 10; i++) if ((await ts.sync.drainOnce(channel)) === 0) break;
    };
    await drain();

    const submissions = () => ts.store.read((d) => d.all<{ submission_id: string }>('SELECT submission_id FROM channel_submissions WHERE channel_id = ?', [channel]));
    expect((await submissions()).map((s) => s.submission_id)).toEqual(SKUS.map(() => expect.stringMatching(/^feed:/)));
    expect(walmart.calls('POST', '/v3/feeds')).toHaveLength(1);
    const rows = () => ts.store.read((d) => d.all<{ listing_id: string; q: number | null; dead: string | null }>('SELECT listing_id, pushed_quantity AS q, dead_reason AS dead FROM listing_sync WHERE channel_id = ?', [channel]));
    const drifts = () => ts.store.read((d) => d.all<{ id: string }>("SELECT id FROM exceptions WHERE workspace_id = ? AND kind = 'channel_drift'", [f.workspaceId]));

    // Walmart still shows 0 while truestock sent 10: the feed is processing, which is not drift.
    walmart.feeds.values().next().value!.status = 'INPROGRESS';
    for (let k = 0; k < 3; k++) {
      clock.advance(Math.max(RECONCILE_TICK_MS, 11_000));
      await drain();
      const report = (await ts.reconciler.tick()).find((r) => r.channel === channel);
      expect(report?.read ?? 0).toBe(0);
    }
    expect(await drifts()).toEqual([]);
    expect((await rows()).filter((r) => r.q !== null)).toEqual([]);
    expect(walmart.calls('GET', '/v3/inventory')).toHaveLength(0);

    walmart.feeds.values().next().value!.status = 'PROCESSED';
    clock.advance(2_000);
    await drain();
    const after = await rows();
    const bySku = Object.fromEntries(SKUS.map((s) => [s, after.find((r) => r.listing_id === listings.get(s))!]));
    expect(SKUS.filter((s) => bySku[s]!.dead !== null)).toEqual(['F3']);
    expect(bySku.F3!.dead).toContain('ERR_EXT_DATA_0101');
    for (const s of SKUS.filter((x) => x !== 'F3')) expect(Number(bySku[s]!.q), s).toBe(10);
    // F5 (SYSTEM_ERROR) went again, alone, by a single update; F3 was never sent again.
    expect(walmart.calls('PUT', '/v3/inventory').map((c) => c.url.searchParams.get('sku'))).toEqual(['F5']);
    expect(walmart.shown.get('F5')).toBe(10);
    expect(walmart.shown.get('F3')).toBe(0);
    const dead = await ts.store.read((d) => d.all<{ reference: string }>("SELECT reference FROM exceptions WHERE workspace_id = ? AND kind = 'sync_dead_letter'", [f.workspaceId]));
    expect(dead.map((e) => e.reference)).toEqual([listings.get('F3')]);

    // Settled: the reconciler reads them now, and Walmart shows what was pushed.
    clock.advance(Math.max(RECONCILE_TICK_MS, 11_000));
    const report = (await ts.reconciler.tick()).find((r) => r.channel === channel);
    expect(report?.read).toBeGreaterThan(0);
    expect(await drifts()).toEqual([]);
    expect(walmart.invalid).toEqual([]);
  }, 60_000);
});
