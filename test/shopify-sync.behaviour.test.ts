// The sync engine against the Shopify emulator, on SQLite and PostgreSQL: numbers computed by
// the ledger reach Shopify through the outbox with compare-and-set; ten changes are one push; a
// number that moved under us is re-read, never overwritten blindly; the rate limit is never
// broken; an outage is survived; a rejected listing is parked; a crashed worker's claims lapse;
// two workers never push one listing at once.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startShopifyEmulator, type ShopifyEmulator } from '../emulators/shopify/index.ts';
import { applyChannelEvent, type ChannelContext, editSettings } from '../src/app/channel-events.ts';
import { createChannel } from '../src/app/channels.ts';
import { createListing } from '../src/app/listings.ts';
import { Truestock } from '../src/app/truestock.ts';
import { lineKeys, shopifyMapping } from '../src/channels/shopify/webhooks.ts';
import { getChannel } from '../src/store/channel-repo.ts';
import { claimOutbox, retryDeadLetters, writeChannelSync } from '../src/store/sync-repo.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from './support/truestock.ts';

describe.each(STORE_KINDS)('Shopify sync on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let shop: ShopifyEmulator;

  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open({ ...db.config, sync: { workerId: 'test-worker', leaseMs: 5_000, staleGraceMs: 300 } });
  });
  afterAll(async () => {
    await ts?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await shop?.close();
  });

  /** A shop with a location and items A, B (Shopify shows `start` of each), mapped to a workspace with W1 and listings. */
  async function world(opts: { start?: number; bucketSize?: number; restoreRate?: number; settings?: Record<string, unknown> } = {}) {
    shop = await startShopifyEmulator({ bucketSize: opts.bucketSize ?? 1_000, restoreRate: opts.restoreRate ?? 100 });
    const loc = shop.addLocation('Warehouse').id;
    const inv: Record<string, string> = {};
    for (const sku of ['A', 'B']) inv[sku] = shop.addItem({ sku, levels: { [loc]: opts.start ?? 0 } }).inventoryItemId;
    const f = await Fixture.create(ts, { skus: ['A', 'B'], locations: [['W1', 'warehouse']] });
    const ws = f.workspaceId;
    const now = ts.clock.now();
    const channel = await ts.store.transaction(async (d) => {
      const made = await createChannel(d, ws, {
        kind: 'shopify', name: `shop-${Math.random()}`,
        settings: { shop_domain: shop.shopDomain, access_token: shop.accessToken, api_url: shop.url, locations: { [loc]: 'W1' }, bucket_size: opts.bucketSize ?? 1_000, restore_rate: opts.restoreRate ?? 100, ...opts.settings },
      }, now);
      if ('code' in made) throw new Error(made.detail);
      const id = (made.body.channel as { id: string }).id;
      for (const sku of ['A', 'B']) {
        const l = await createListing(d, ws, { channel: id, sku, external: { inventory_item_id: inv[sku]!, location_id: loc } }, now);
        if ('code' in l) throw new Error(l.detail);
      }
      return id;
    });
    await ts.sync.refresh(true);
    // New listings publish their first number (0 here): push those before the test starts.
    for (let i = 0; i < 5; i++) if ((await ts.sync.drainOnce(channel)) === 0) break;
    const shown = (sku: string) => shop.level(inv[sku]!, loc)!.available;
    /** Drain until the channel's outbox is empty (or nothing more can be done now). */
    const drain = async () => {
      for (let i = 0; i < 20; i++) if ((await ts.sync.drainOnce(channel)) === 0) break;
    };
    /** Shopify's `inventory_levels/update` for `sku` reaches truestock (the channel's settings decide the edit policy and grace). */
    let events = 0;
    const levelArrives = async (sku: string, available: number) => {
      const ch = (await ts.store.read((d) => getChannel(d, ws, channel)))!;
      const cx: ChannelContext = { channel: ch, mapping: shopifyMapping(ch.settings), ...editSettings(ch.settings), timeResolutionMs: 1_000 };
      return applyChannelEvent(ts, cx, { kind: 'level_updated', occurredAt: ts.clock.now(), eventId: `level-${++events}`, level: { keys: lineKeys(null, inv[sku]!, [loc]).keys, locationId: loc, available } });
    };
    return { f, ws, channel, loc, inv, shown, drain, levelArrives };
  }

  const outboxDepth = (channel: string) => ts.store.read((d) => d.get<{ n: number }>('SELECT COUNT(*) AS n FROM channel_outbox WHERE channel_id = ?', [channel])).then((r) => Number(r!.n));

  it('pushes the ledger’s numbers; ten changes are one call; the rate limit is never broken', async () => {
    const w = await world({ start: 3 });
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 10 });
    await w.drain();
    expect([w.shown('A'), w.shown('B')]).toEqual([10, 0]);
    expect(await outboxDepth(w.channel)).toBe(0);

    const before = shop.counters().mutations;
    for (let i = 0; i < 10; i++) await w.f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 1, location: 'W1' }], order_reference: `O-${i}` });
    await w.drain();
    expect(w.shown('A')).toBe(0);
    expect(shop.counters().mutations - before).toBe(1);
    expect(shop.counters().throttled).toBe(0);
    const status = ts.sync.status(w.channel)!;
    expect(status.calls.ok).toBeGreaterThanOrEqual(2);
    expect(status.lag_p99_ms).not.toBeNull();
  });

  it('a number that moved on Shopify is re-read and not overwritten until the ledger can explain it', async () => {
    const w = await world();
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 10 });
    await w.drain();
    // Shopify sold 2 that truestock has not heard of yet.
    shop.editAvailable(w.inv.A!, w.loc, 8);
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 1 }); // ours: 11
    await w.drain();
    expect(shop.counters().staleCompares).toBeGreaterThan(0);
    // Raising Shopify's number over a decrease we cannot explain would sell those units again.
    expect(w.shown('A')).toBe(8);
    // The order reaches the ledger: ours is 9, and lowering never waits.
    await w.f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 3, location: 'W1' }], order_reference: 'SHOP-LATE' });
    await w.drain();
    expect(w.shown('A')).toBe(8);
    await w.f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 1, location: 'W1' }], order_reference: 'SHOP-LATE-2' });
    await w.drain();
    expect(w.shown('A')).toBe(7);

    // A decrease nothing explains (a hand edit): after the grace, the ledger's number goes over it.
    shop.editAvailable(w.inv.A!, w.loc, 2);
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 1 }); // ours: 8
    await w.drain();
    expect(w.shown('A')).toBe(2);
    await new Promise((r) => setTimeout(r, 350));
    await w.drain();
    expect(w.shown('A')).toBe(8);
  });

  it('a lower number already queued goes out at once when a level webhook arrives before the push: the edit grace never delays lowering', async () => {
    // Three shops each sell 4 of 10 within 100 ms. This shop shows 6; the ledger has all three
    // orders (10 − 12: 0 available, 2 oversold) and 0 is queued for this shop when its own level
    // webhook (6) arrives.
    const w = await world();
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 10 });
    await w.drain();
    expect(w.shown('A')).toBe(10);
    shop.editAvailable(w.inv.A!, w.loc, 6);
    for (let i = 0; i < 3; i++) await w.f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 4, location: 'W1' }], order_reference: `SHOP-${i}` });
    expect(await w.levelArrives('A', 6)).toBe('requeued');
    await w.drain();
    // Not after the 30 s grace (EDIT_GRACE_SECONDS_DEFAULT): now.
    expect(w.shown('A')).toBe(0);
    expect(await outboxDepth(w.channel)).toBe(0);
  });

  it('master_wins: a channel showing more than truestock goes back at once; the grace only delays a raise', async () => {
    const w = await world({ settings: { edit_policy: 'master_wins' } });
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 20 });
    await w.drain();
    // A hand edit from 20 to 50 (or Shopify restocking a refunded unit truestock holds in quality control).
    shop.editAvailable(w.inv.A!, w.loc, 50);
    expect(await w.levelArrives('A', 50)).toBe('requeued');
    await w.drain();
    expect(w.shown('A')).toBe(20);
    expect(await outboxDepth(w.channel)).toBe(0);

    // A hand edit down (20 → 5) is the one thing the grace waits on: raising it could sell an order's units twice.
    shop.editAvailable(w.inv.A!, w.loc, 5);
    expect(await w.levelArrives('A', 5)).toBe('requeued');
    await w.drain();
    expect(w.shown('A')).toBe(5);
    expect(await outboxDepth(w.channel)).toBe(1);
  });

  it('a small bucket is respected: many pushes, no throttled answer', async () => {
    const w = await world({ bucketSize: 20, restoreRate: 10 });
    for (let i = 0; i < 6; i++) {
      await w.f.ok({ type: 'receive', sku: i % 2 ? 'A' : 'B', location: 'W1', quantity: 1 });
      await w.drain();
    }
    // Whatever was not pushed for lack of budget is still queued, not lost.
    for (let i = 0; i < 100 && (await outboxDepth(w.channel)) > 0; i++) (await new Promise((r) => setTimeout(r, 100)), await w.drain());
    expect([w.shown('A'), w.shown('B')]).toEqual([3, 3]);
    expect(shop.counters().throttled).toBe(0);
  });

  it('paused: nothing is pushed, numbers still queue; resumed: they go out', async () => {
    const w = await world();
    await ts.store.transaction((d) => writeChannelSync(d, w.ws, w.channel, { paused: true, hidden_skus: [] }, ts.clock.now()));
    await ts.sync.refresh(true);
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 4 });
    await w.drain();
    expect(w.shown('A')).toBe(0);
    expect(await outboxDepth(w.channel)).toBe(1);
    await ts.store.transaction((d) => writeChannelSync(d, w.ws, w.channel, { paused: false, hidden_skus: [] }, ts.clock.now()));
    await ts.sync.refresh(true);
    await w.drain();
    expect(w.shown('A')).toBe(4);
  });

  it('an outage defers pushes with backoff; after it, everything converges', async () => {
    const w = await world();
    shop.goDown(1, '503');
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 5 });
    await w.drain();
    expect(w.shown('A')).toBe(0);
    expect(ts.sync.status(w.channel)!.calls.transient).toBeGreaterThan(0);
    // Backoff with full jitter: the n-th retry waits up to 0.5 s × 2^n, so allow a few seconds past the outage.
    for (let i = 0; i < 150 && w.shown('A') !== 5; i++) (await new Promise((r) => setTimeout(r, 100)), await w.drain());
    expect(w.shown('A'), JSON.stringify(ts.sync.status(w.channel))).toBe(5);
    expect(await outboxDepth(w.channel)).toBe(0);
  });

  it('Shopify’s own failures and idempotency answers are transient: retried, nothing dead-lettered, the number arrives', async () => {
    const w = await world();
    shop.failNext('INTERNAL_SERVER_ERROR');
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 5 });
    await w.drain();
    shop.failNext('IDEMPOTENCY_CONCURRENT_REQUEST');
    await w.f.ok({ type: 'receive', sku: 'B', location: 'W1', quantity: 3 });
    // Backoff with full jitter after each transient answer.
    for (let i = 0; i < 100 && (w.shown('A') !== 5 || w.shown('B') !== 3); i++) (await new Promise((r) => setTimeout(r, 100)), await w.drain());
    expect([w.shown('A'), w.shown('B')], JSON.stringify(ts.sync.status(w.channel))).toEqual([5, 3]);
    expect(shop.counters().apiFaults).toBe(2);
    expect(ts.sync.status(w.channel)!.calls.transient).toBeGreaterThanOrEqual(2);
    const dead = await ts.store.read((d) => d.all('SELECT listing_id FROM listing_sync WHERE channel_id = ? AND dead_at IS NOT NULL', [w.channel]));
    expect(dead).toEqual([]);
  });

  it('a listing Shopify rejects is parked on the dead-letter list, the others still go', async () => {
    const w = await world();
    await ts.store.transaction((d) => d.run("UPDATE listings SET external = ? WHERE channel_id = ? AND item_id = (SELECT id FROM items WHERE workspace_id = ? AND sku = 'B')",
      [JSON.stringify({ inventory_item_id: 'gid://shopify/InventoryItem/999999', location_id: w.loc }), w.channel, w.ws]));
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 2 });
    await w.f.ok({ type: 'receive', sku: 'B', location: 'W1', quantity: 2 });
    await w.drain();
    expect(w.shown('A')).toBe(2);
    const dead = await ts.store.read((d) => d.all<{ dead_reason: string }>('SELECT dead_reason FROM listing_sync WHERE channel_id = ? AND dead_at IS NOT NULL', [w.channel]));
    expect(dead).toHaveLength(1);
    expect(dead[0]!.dead_reason).toMatch(/INVALID_INVENTORY_ITEM/);
    const exceptions = await ts.store.read((d) => d.all<{ kind: string; message: string }>("SELECT kind, message FROM exceptions WHERE workspace_id = ? AND kind = 'sync_dead_letter'", [w.ws]));
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]!.message).toMatch(/INVALID_INVENTORY_ITEM/);
    expect(await ts.store.transaction((d) => retryDeadLetters(d, w.channel))).toBe(1);
  });

  it('a crashed worker’s claims lapse and another worker pushes them; the latest version wins', async () => {
    const w = await world();
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 7 });
    // A worker claims the row and dies before pushing (kill -9 mid-batch).
    const claimed = await ts.store.transaction((d) => claimOutbox(d, w.channel, 'dead-worker', ts.clock.now(), 300, 10));
    expect(claimed.map((c) => c.quantity)).toEqual([7]);
    await w.drain();
    expect(w.shown('A')).toBe(0); // still leased to the dead worker
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 1 }); // a newer version meanwhile
    await new Promise((r) => setTimeout(r, 350));
    await w.drain();
    expect(w.shown('A')).toBe(8);
    expect(await outboxDepth(w.channel)).toBe(0);
  });
});
