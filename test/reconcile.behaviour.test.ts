// Reconciliation against the Shopify emulator, on SQLite and PostgreSQL: a number edited by hand
// in the shop (through the emulator's control endpoint, as a merchant would) is found by the
// scheduled read-back and handled by the channel's edit policy — master_wins pushes ours back and
// the exception closes; adopt books the edit once. A difference younger than the inbound lag, or
// one a queued push of ours explains, is not drift. Reads stay inside the spare budget.
//
// The clock is manual, so "later" is exact; it only ever moves forward by less than the real time
// that passed when the test relies on the emulator's bucket refilling (which runs on real time).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startShopifyEmulator, type ShopifyEmulator } from '../emulators/shopify/index.ts';
import { EDIT_GRACE_SECONDS_DEFAULT } from '../src/app/channel-events.ts';
import { createChannel } from '../src/app/channels.ts';
import { ManualClock } from '../src/app/clock.ts';
import { exceptions } from '../src/app/exceptions.ts';
import { createListing } from '../src/app/listings.ts';
import { Truestock } from '../src/app/truestock.ts';
import { claimReconcile } from '../src/store/reconcile-repo.ts';
import { writeMeasuredLag, writeVisibleLag } from '../src/store/sync-repo.ts';
import { DRIFT_AGE_MIN_MS, RECONCILE_BUDGET_RESERVE_FRACTION, RECONCILE_SECONDS_DEFAULT, RECONCILE_TICK_MS } from '../src/sync/reconciler.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from './support/truestock.ts';

describe.each(STORE_KINDS)('Reconciliation on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let shop: ShopifyEmulator;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open({ ...db.config, clock, sync: { workerId: 'test-worker', leaseMs: 5_000 } });
  });
  afterAll(async () => {
    await shop?.close();
    await ts?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await shop?.close();
  });

  /** A shop with a location and items (Shopify shows 0), listed on a channel of a new workspace, first numbers pushed. */
  async function world(opts: { skus?: string[]; bucketSize?: number; restoreRate?: number; settings?: Record<string, unknown> } = {}) {
    const skus = opts.skus ?? ['A', 'B'];
    shop = await startShopifyEmulator({ bucketSize: opts.bucketSize ?? 1_000, restoreRate: opts.restoreRate ?? 100 });
    const loc = shop.addLocation('Warehouse').id;
    const inv: Record<string, string> = {};
    for (const sku of skus) inv[sku] = shop.addItem({ sku, levels: { [loc]: 0 } }).inventoryItemId;
    const f = await Fixture.create(ts, { skus, locations: [['W1', 'warehouse']] });
    const ws = f.workspaceId;
    const now = ts.clock.now();
    const listing: Record<string, string> = {};
    const channel = await ts.store.transaction(async (d) => {
      const made = await createChannel(d, ws, {
        kind: 'shopify', name: `shop-${Math.random()}`,
        settings: { shop_domain: shop.shopDomain, access_token: shop.accessToken, api_url: shop.url, locations: { [loc]: 'W1' }, bucket_size: opts.bucketSize ?? 1_000, restore_rate: opts.restoreRate ?? 100, ...opts.settings },
      }, now);
      if ('code' in made) throw new Error(made.detail);
      const id = (made.body.channel as { id: string }).id;
      for (const sku of skus) {
        const l = await createListing(d, ws, { channel: id, sku, external: { inventory_item_id: inv[sku]!, location_id: loc } }, now);
        if ('code' in l) throw new Error(l.detail);
        listing[sku] = (l.body.listing as { id: string }).id;
      }
      return id;
    });
    await ts.sync.refresh(true);
    const drain = async () => {
      for (let i = 0; i < 20; i++) if ((await ts.sync.drainOnce(channel)) === 0) break;
    };
    await drain();
    const shown = (sku: string) => shop.level(inv[sku]!, loc)!.available;
    /** A merchant edits the number in Shopify admin (the emulator's control endpoint). */
    const handEdit = async (sku: string, available: number) => {
      const r = await fetch(`${shop.url}/_emulator/inventory`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inventory_item_id: inv[sku], location_id: loc, available }) });
      expect(r.status).toBe(200);
    };
    /** One reconciliation round after `ms` more (at least a tick, so the channel can be claimed again). */
    const reconcileAfter = async (ms: number) => {
      clock.advance(Math.max(ms, RECONCILE_TICK_MS));
      const reports = await ts.reconciler.tick();
      return reports.find((r) => r.channel === channel);
    };
    const drifts = (sku: string) => ts.store.read((d) => d.all<{ id: string; state: string; quantity: number; message: string; resolution: string | null; resolution_kind: string | null }>(
      "SELECT id, state, quantity, message, resolution, resolution_kind FROM exceptions WHERE kind = 'channel_drift' AND reference = ? ORDER BY id", [listing[sku]!]));
    return { f, ws, channel, loc, inv, listing, shown, drain, handEdit, reconcileAfter, drifts };
  }

  const INTERVAL_MS = RECONCILE_SECONDS_DEFAULT * 1000;
  const EDIT_GRACE_MS = EDIT_GRACE_SECONDS_DEFAULT * 1000;

  it('master_wins: a hand edit becomes one drift exception with a count, ours is pushed back, and it closes when the channel converges', async () => {
    const w = await world();
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 10 });
    await w.drain();
    expect(w.shown('A')).toBe(10);
    expect((await w.reconcileAfter(0))!.read).toBe(2);
    const seen = await ts.store.read((d) => d.get<{ shown_quantity: number; shown_at: number; read_at: number }>('SELECT shown_quantity, shown_at, read_at FROM listing_sync WHERE listing_id = ?', [w.listing.A!]));
    expect(Number(seen!.shown_quantity)).toBe(10);
    expect(Number(seen!.read_at)).toBe(Number(seen!.shown_at));

    await w.handEdit('A', 7);
    // First seen: it may be an order on its way to us, so it is not judged yet.
    await w.reconcileAfter(INTERVAL_MS);
    expect(await w.drifts('A')).toEqual([]);
    expect(w.shown('A')).toBe(7);
    // Still there after the inbound lag: drift, and ours goes back — over a lower number only
    // after the edit grace (an order whose event was lost may be behind it).
    expect((await w.reconcileAfter(DRIFT_AGE_MIN_MS))!.drift).toBe(1);
    const [first] = await w.drifts('A');
    expect(first).toMatchObject({ state: 'open', quantity: -3 });
    expect(first!.message).toContain('seen by 1 read-back');
    // In the inbox, by SKU, channel and location.
    const inbox = await ts.store.read((d) => exceptions(d, w.ws, { kind: 'channel_drift', sku: 'A', location: 'W1', channel: w.channel }, clock.now()));
    expect(inbox.data.map((e) => e.id)).toEqual([first!.id]);
    await w.drain();
    expect(w.shown('A')).toBe(7);
    clock.advance(EDIT_GRACE_MS);
    await w.drain();
    expect(w.shown('A')).toBe(10);

    // The merchant does it again before the next read: the same exception counts it.
    await w.handEdit('A', 6);
    await w.reconcileAfter(DRIFT_AGE_MIN_MS);
    await w.reconcileAfter(DRIFT_AGE_MIN_MS);
    const again = await w.drifts('A');
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ id: first!.id, state: 'open', quantity: -4 });
    expect(again[0]!.message).toContain('seen by 2 read-backs');
    clock.advance(EDIT_GRACE_MS);
    await w.drain();
    expect(w.shown('A')).toBe(10);

    // Converged: resolved by the system, and nothing new opens.
    await w.reconcileAfter(DRIFT_AGE_MIN_MS);
    const closed = await w.drifts('A');
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ state: 'resolved', resolution_kind: 'converged' });
    expect(closed[0]!.resolution).toContain('converged');
    await w.reconcileAfter(INTERVAL_MS);
    expect(await w.drifts('A')).toHaveLength(1);

    // A number above ours goes back as soon as it is judged: no grace for a raise on the channel.
    await w.handEdit('A', 50);
    await w.reconcileAfter(INTERVAL_MS);
    expect((await w.reconcileAfter(DRIFT_AGE_MIN_MS))!.drift).toBe(1);
    await w.drain();
    expect(w.shown('A')).toBe(10);
    await w.reconcileAfter(DRIFT_AGE_MIN_MS);
    expect((await w.drifts('A')).map((e) => [e.state, Number(e.quantity)])).toEqual([['resolved', -4], ['resolved', 40]]);
    expect(shop.counters().throttled).toBe(0);
  });

  it('adopt: the channel’s number is booked once as a channel_edit adjustment, and the channel converges', async () => {
    const w = await world({ settings: { edit_policy: 'adopt' } });
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 10 });
    await w.drain();
    await w.reconcileAfter(0);
    await w.handEdit('A', 13);
    await w.reconcileAfter(INTERVAL_MS);
    expect((await w.reconcileAfter(DRIFT_AGE_MIN_MS))!.drift).toBe(1);
    await w.drain();
    for (let i = 0; i < 3; i++) {
      await w.reconcileAfter(DRIFT_AGE_MIN_MS);
      await w.drain();
    }
    await w.reconcileAfter(INTERVAL_MS);
    const edits = await ts.store.read((d) => d.all<{ to_account: string; quantity: number }>(
      "SELECT to_account, quantity FROM movements WHERE workspace_id = ? AND reason = 'channel_edit'", [w.ws]));
    expect(edits).toHaveLength(1);
    expect(edits[0]!.to_account).toBe('available');
    expect(Number(edits[0]!.quantity)).toBe(3);
    expect(w.shown('A')).toBe(13);
    const d = await w.drifts('A');
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ state: 'resolved', quantity: 3 });
  });

  it('a difference the channel’s own order explains, or a queued push of ours, is not drift', async () => {
    const w = await world();
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 10 });
    await w.f.ok({ type: 'receive', sku: 'B', location: 'W1', quantity: 10 });
    await w.drain();
    await w.reconcileAfter(0);

    // Shopify sells 2 of A; the read sees 8 before the order reaches us.
    await w.handEdit('A', 8);
    await w.reconcileAfter(INTERVAL_MS);
    // The order arrives within the inbound lag: our number follows, queued → pushed.
    await w.f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 2, location: 'W1' }], order_reference: 'SHOP-1' });
    // B differs too, but a push of ours is queued for it: not judged, however long it stands.
    await w.handEdit('B', 4);
    await w.f.ok({ type: 'receive', sku: 'B', location: 'W1', quantity: 1 });
    await ts.store.transaction((d) => d.run('UPDATE channel_outbox SET not_before = ? WHERE listing_id = ?', [clock.now() + 10 * INTERVAL_MS, w.listing.B!]));
    for (let i = 0; i < 3; i++) await w.reconcileAfter(INTERVAL_MS);
    expect(await w.drifts('A')).toEqual([]);
    expect(await w.drifts('B')).toEqual([]);
    await w.drain();
    expect(w.shown('A')).toBe(8);
  });

  it('reads only with spare budget: a small bucket is read in slices over several rounds, never throttled', async () => {
    const skus = Array.from({ length: 40 }, (_, i) => `S${i}`);
    // Read-backs are cheap (Shopify prices a page of n logarithmically): a 20-point bucket leaves a
    // 10-point spare, a page of about five listings.
    const w = await world({ skus, bucketSize: 20, restoreRate: 10 });
    // Our clock moves exactly as much as real time does, so our bucket refills no faster than the
    // emulator's; the round's claim is handed back by hand instead of waiting out a tick.
    let real = Date.now();
    const honestRound = async () => {
      clock.advance(Date.now() - real);
      real = Date.now();
      await ts.store.transaction((d) => d.run('UPDATE channel_sync SET reconcile_until = 0 WHERE channel_id = ?', [w.channel]));
      return (await ts.reconciler.tick()).find((r) => r.channel === w.channel)!;
    };
    await new Promise((r) => setTimeout(r, 1_000)); // the setup's pushes refilled
    const first = await honestRound();
    // Only the tokens above the reserve may be spent.
    expect(first.read).toBeGreaterThan(0);
    expect(first.read).toBeLessThan(skus.length);
    expect(first.stopped).toBe('no spare budget');
    const budget = ts.sync.status(w.channel)!.budget!;
    expect(budget.available).toBeGreaterThanOrEqual(Math.floor(RECONCILE_BUDGET_RESERVE_FRACTION * budget.capacity) - 1);
    let read = first.read;
    for (let i = 0; i < 40 && read < skus.length; i++) {
      await new Promise((r) => setTimeout(r, 500));
      read += (await honestRound()).read;
    }
    expect(read).toBe(skus.length);
    const unread = await ts.store.read((d) => d.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM listings l LEFT JOIN listing_sync s ON s.listing_id = l.id WHERE l.channel_id = ? AND s.read_at IS NULL', [w.channel]));
    expect(Number(unread!.n)).toBe(0);
    expect(shop.counters().throttled).toBe(0);
  }, 60_000);

  it('a push the channel shows only later is a publish-to-visible sample, and the buffer’s outbound lag follows it', async () => {
    const w = await world();
    await w.reconcileAfter(0);
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 10 });
    await w.drain();
    const ackedAt = clock.now();
    // As a feed would: acknowledged, but the channel still shows the old number at the next read…
    await w.handEdit('A', 0);
    await w.reconcileAfter(DRIFT_AGE_MIN_MS);
    // …and ours a little later.
    await w.handEdit('A', 10);
    await w.reconcileAfter(DRIFT_AGE_MIN_MS);
    const lag = await ts.store.read((d) => d.get<{ v: number; o: number }>('SELECT visible_lag_seconds AS v, outbound_lag_seconds AS o FROM channel_sync WHERE channel_id = ?', [w.channel]));
    expect(Number(lag!.v)).toBe((clock.now() - ackedAt) / 1000);
    expect(Number(lag!.o)).toBe(Number(lag!.v));
    expect(ts.reconciler.visibleLagSeconds(w.channel)).toBe(Number(lag!.v));
    expect(await w.drifts('A')).toEqual([]);
  });

  it('two processes on one database read each listing once', async () => {
    const w = await world({ skus: ['A', 'B', 'C', 'D', 'E'] });
    const other = await Truestock.open({ ...db.config, clock, sync: { workerId: 'other-worker' } });
    try {
      await other.sync.refresh(true);
      clock.advance(RECONCILE_TICK_MS);
      const reports = (await Promise.all([ts.reconciler.tick(), other.reconciler.tick()])).flat().filter((r) => r.channel === w.channel);
      expect(reports.reduce((n, r) => n + r.read, 0)).toBe(5);
    } finally {
      await other.close();
    }
  });

  it('one process claims a channel’s round at a time', async () => {
    const w = await world();
    const now = clock.now() + 1_000_000;
    expect(await ts.store.transaction((d) => claimReconcile(d, w.ws, w.channel, now, 60_000))).toBe(true);
    expect(await ts.store.transaction((d) => claimReconcile(d, w.ws, w.channel, now, 60_000))).toBe(false);
    expect(await ts.store.transaction((d) => claimReconcile(d, w.ws, w.channel, now + 60_000, 60_000))).toBe(true);
  });

  it('the outbound lag the buffer reads is the larger of the push lag and the publish-to-visible delay', async () => {
    const w = await world();
    const outbound = () => ts.store.read((d) => d.get<{ o: number }>('SELECT outbound_lag_seconds AS o FROM channel_sync WHERE channel_id = ?', [w.channel])).then((r) => Number(r!.o));
    await ts.store.transaction((d) => writeMeasuredLag(d, w.ws, w.channel, 2, clock.now()));
    expect(await outbound()).toBe(2);
    await ts.store.transaction((d) => writeVisibleLag(d, w.ws, w.channel, 30, clock.now()));
    expect(await outbound()).toBe(30);
    await ts.store.transaction((d) => writeMeasuredLag(d, w.ws, w.channel, 1, clock.now()));
    expect(await outbound()).toBe(30);
    await ts.store.transaction((d) => writeMeasuredLag(d, w.ws, w.channel, 40, clock.now()));
    expect(await outbound()).toBe(40);
    await ts.store.transaction((d) => writeVisibleLag(d, w.ws, w.channel, 0, clock.now()));
    expect(await outbound()).toBe(40);
  });
});
