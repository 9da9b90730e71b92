// The dispatcher's asynchronous-submission path, on SQLite and PostgreSQL, with a small fake
// connector that answers `submitted` and reports per item when asked: a submitted number is not
// pushed until the channel says it was applied; a refused item is parked with an exception; an
// item the channel did not apply, a submission the channel forgot, and one that never finishes
// are pushed again; refused credentials pause the channel with one exception.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { createChannel } from '../app/channels.ts';
import { ManualClock } from '../app/clock.ts';
import { createListing } from '../app/listings.ts';
import { Truestock } from '../app/truestock.ts';
import { PUSHED_KINDS } from '../channels/registry.ts';
import type { Connector, ItemOutcome, PushItem, SubmissionResult } from './connector.ts';
import { Dispatcher } from './dispatcher.ts';
import { SUBMISSION_TIMEOUT_MS } from './submissions.ts';

const POLL_MS = 1_000;

/** A channel that takes every push for later and processes it when the test says. */
class AsyncChannel implements Connector {
  readonly maxBatch = 10;
  readonly bucket = { capacity: 100, refillPerSecond: 100 };
  readonly submissionPollMs = POLL_MS;
  /** What each submission carried. */
  readonly submitted = new Map<string, PushItem[]>();
  /** Per submission: its state when checked (absent: processing). */
  readonly report = new Map<string, SubmissionResult>();
  checks = 0;
  private n = 0;

  pushCost = () => 1;
  readCost = () => 1;
  submissionCost = () => 1;

  async push(items: PushItem[]) {
    const id = `feed-${++this.n}`;
    this.submitted.set(id, items);
    return { ok: true as const, outcomes: items.map((): ItemOutcome => ({ status: 'submitted', submissionId: id })) };
  }

  async readBack(items: PushItem[]) {
    return { ok: true as const, shown: items.map(() => null) };
  }

  async checkSubmission(id: string, items: PushItem[]): Promise<SubmissionResult> {
    this.checks++;
    expect(items.map((i) => i.listingId).sort()).toEqual(this.submitted.get(id)!.map((i) => i.listingId).sort());
    return this.report.get(id) ?? { ok: true, state: 'processing' };
  }

  /** The processing report of submission `id`: an outcome per listing of it, by SKU-keyed external id. */
  done(id: string, by: (item: PushItem) => ItemOutcome): void {
    this.report.set(id, { ok: true, state: 'done', outcomes: this.submitted.get(id)!.map(by) });
  }

  last(): string {
    return `feed-${this.n}`;
  }
}

describe.each(STORE_KINDS)('asynchronous submissions on %s', (store) => {
  let db: TestDatabase;
  let ts: Truestock;
  const clock = new ManualClock();
  const kind = PUSHED_KINDS[0]!;

  beforeAll(async () => {
    db = await createDatabase(store);
    ts = await Truestock.open({ ...db.config, clock });
  });
  afterAll(async () => {
    await ts?.close();
    await db?.drop();
  });

  /** A channel of the fake connector with listings of A, B, C (truestock holds 5 of each), and its own dispatcher. */
  async function world() {
    const channel = new AsyncChannel();
    const f = await Fixture.create(ts, { skus: ['A', 'B', 'C'], locations: [['W1', 'warehouse']] });
    const ws = f.workspaceId;
    const { id, listings } = await ts.store.transaction(async (d) => {
      const c = await createChannel(d, ws, { kind, name: `async-${Math.random()}`, settings: { shop_domain: 'async.example' } }, clock.now());
      if ('code' in c) throw new Error(c.detail);
      const channelId = (c.body.channel as { id: string }).id;
      const ls: Record<string, string> = {};
      for (const sku of ['A', 'B', 'C']) {
        const l = await createListing(d, ws, { channel: channelId, sku, external: { inventory_item_id: `item-${sku}`, location_id: 'loc-1' } }, clock.now());
        if ('code' in l) throw new Error(l.detail);
        ls[sku] = (l.body.listing as { id: string }).id;
      }
      return { id: channelId, listings: ls };
    });
    const dispatcher = new Dispatcher(ts.store, clock, (ch) => (ch.id === id ? channel : null), [kind], { workerId: 'w1', random: () => 0.5 });
    await dispatcher.refresh(true);
    for (const sku of ['A', 'B', 'C']) await f.ok({ type: 'receive', sku, location: 'W1', quantity: 5 });
    const skuOf = (item: PushItem) => item.external.inventory_item_id!.replace('item-', '');
    const pushed = async (sku: string) => {
      const r = await ts.store.read((d) => d.get<{ q: number | null }>('SELECT pushed_quantity AS q FROM listing_sync WHERE listing_id = ?', [listings[sku]!]));
      return r?.q === null || r?.q === undefined ? null : Number(r.q);
    };
    const following = () => ts.store.read((d) => d.all<{ listing_id: string; quantity: number }>('SELECT listing_id, quantity FROM channel_submissions WHERE channel_id = ? ORDER BY listing_id', [id]));
    const queued = () => ts.store.read((d) => d.all<{ listing_id: string }>('SELECT listing_id FROM channel_outbox WHERE channel_id = ?', [id]));
    const exceptions = (k: string) => ts.store.read((d) => d.all<{ message: string }>('SELECT message FROM exceptions WHERE workspace_id = ? AND kind = ?', [ws, k]));
    /** One round after `ms` on the clock. */
    const round = async (ms = POLL_MS) => {
      clock.advance(ms);
      return dispatcher.drainOnce(id);
    };
    return { channel, dispatcher, id, ws, f, listings, skuOf, pushed, following, queued, exceptions, round };
  }

  it('a submitted number counts as pushed only when applied; a refused item is parked; one not applied goes again', async () => {
    const w = await world();
    expect(await w.round(0)).toBe(3);
    const feed = w.channel.last();
    expect(w.channel.submitted.get(feed)!.map((i) => i.quantity)).toEqual([5, 5, 5]);
    // Submitted, not applied: followed, out of the queue, not pushed.
    expect(await w.following()).toHaveLength(3);
    expect(await w.queued()).toEqual([]);
    expect(await w.pushed('A')).toBeNull();

    // Not due before the connector's interval; then still processing.
    await w.round(POLL_MS / 2);
    expect(w.channel.checks).toBe(0);
    await w.round(POLL_MS / 2);
    expect(w.channel.checks).toBe(1);
    expect(await w.following()).toHaveLength(3);

    w.channel.done(feed, (i) => ({ A: { status: 'acknowledged' }, B: { status: 'rejected', reason: 'SKU blocked' }, C: { status: 'not_applied' } } as Record<string, ItemOutcome>)[w.skuOf(i)]!);
    await w.round();
    expect(w.channel.checks).toBe(2);
    expect(await w.pushed('A')).toBe(5);
    const dead = await ts.store.read((d) => d.all<{ listing_id: string; dead_reason: string }>('SELECT listing_id, dead_reason FROM listing_sync WHERE channel_id = ? AND dead_at IS NOT NULL', [w.id]));
    expect(dead).toEqual([{ listing_id: w.listings.B, dead_reason: expect.stringContaining('SKU blocked') }]);
    expect(await w.exceptions('sync_dead_letter')).toEqual([{ message: expect.stringContaining('SKU blocked') }]);
    // C was not applied: queued again, it went in a new submission in the same round.
    expect(w.channel.last()).not.toBe(feed);
    expect(w.channel.submitted.get(w.channel.last())!.map(w.skuOf)).toEqual(['C']);
    expect((await w.following()).map((r) => r.listing_id)).toEqual([w.listings.C]);
    expect(await w.queued()).toEqual([]);
    expect(w.dispatcher.status(w.id)!.lag_p99_ms).not.toBeNull();
  });

  it('an older submission the channel applies after a newer one was seen pushes the listing again; one it did not apply does not', async () => {
    const w = await world();
    await w.round(0);
    const older = w.channel.last();
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 1 });
    await w.f.ok({ type: 'receive', sku: 'B', location: 'W1', quantity: 1 });
    await w.round(0);
    const newer = w.channel.last();
    expect(w.channel.submitted.get(newer)!.map((i) => [w.skuOf(i), i.quantity]).sort()).toEqual([['A', 6], ['B', 6]]);
    // The newer numbers are applied and seen first.
    w.channel.done(newer, () => ({ status: 'acknowledged' }));
    await w.round();
    expect([await w.pushed('A'), await w.pushed('B')]).toEqual([6, 6]);
    // Then the channel finishes the older submission: it applied A's 5 (now shown over the 6), not B's.
    w.channel.done(older, (i) => ({ status: w.skuOf(i) === 'B' ? 'not_applied' : 'acknowledged' }));
    await w.round();
    const again = w.channel.last();
    expect(again).not.toBe(older);
    expect(w.channel.submitted.get(again)!.map((i) => [w.skuOf(i), i.quantity])).toEqual([['A', 6]]);
    expect(await w.pushed('C')).toBe(5);
    const superseded = await ts.store.read((d) => d.all('SELECT listing_id FROM channel_submissions_superseded WHERE channel_id = ?', [w.id]));
    expect(superseded).toEqual([]);
  });

  it('an older submission applied while the newer one is still processing pushes the listing again unless it carried the number now', async () => {
    const w = await world();
    await w.round(0);
    const older = w.channel.last();
    await w.f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 1 });
    // B moves and comes back: a newer submission carries the same number as the older one.
    await w.f.ok({ type: 'receive', sku: 'B', location: 'W1', quantity: 1 });
    await w.f.ok({ type: 'adjust', sku: 'B', location: 'W1', delta: -1, reason: 'damage' });
    await w.round(0);
    const newer = w.channel.last();
    expect(w.channel.submitted.get(newer)!.map((i) => [w.skuOf(i), i.quantity]).sort()).toEqual([['A', 6], ['B', 5]]);
    w.channel.done(older, () => ({ status: 'acknowledged' }));
    await w.round();
    const again = w.channel.last();
    expect(again).not.toBe(newer);
    expect(w.channel.submitted.get(again)!.map((i) => [w.skuOf(i), i.quantity])).toEqual([['A', 6]]);
  });

  it('a webhook’s read takes from the channel’s read budget, or says no when the tokens will not be there in time', async () => {
    const w = await world();
    expect(await w.dispatcher.trySpend(w.id, 100, undefined, 0)).toBe(true);
    // Empty now: 50 tokens refill in 500 ms, longer than the 100 ms the read may wait.
    expect(await w.dispatcher.trySpend(w.id, 50, undefined, 100)).toBe(false);
    expect(w.dispatcher.budget(w.id, 'default')!.available).toBeLessThan(1);
    clock.advance(500);
    expect(await w.dispatcher.trySpend(w.id, 50, undefined, 0)).toBe(true);
    // A channel this process does not drive keeps no budget to share.
    expect(await w.dispatcher.trySpend('chan_elsewhere', 1, undefined, 0)).toBe(true);
  });

  it('a submission the channel cannot account for (permanent) or that never finishes is pushed again', async () => {
    const w = await world();
    await w.round(0);
    const lost = w.channel.last();
    w.channel.report.set(lost, { ok: false, failure: 'permanent', retryAfterMs: null, message: 'unknown feed' });
    await w.round();
    // Queued again and, in the same round, submitted anew.
    const slow = w.channel.last();
    expect(slow).not.toBe(lost);
    expect(w.channel.submitted.get(slow)!.map(w.skuOf).sort()).toEqual(['A', 'B', 'C']);
    expect(await w.following()).toHaveLength(3);
    // Processing for longer than the timeout: given up on, and pushed again.
    await w.round(SUBMISSION_TIMEOUT_MS + 1);
    expect(await w.following()).toHaveLength(3);
    expect(w.channel.last()).not.toBe(slow);
    expect(await w.pushed('A')).toBeNull();
  });

  it('refused credentials while checking pause the channel with one exception, and nothing is parked', async () => {
    const w = await world();
    await w.round(0);
    w.channel.report.set(w.channel.last(), { ok: false, failure: 'auth', retryAfterMs: null, message: '401 token revoked' });
    await w.round();
    await w.round();
    expect(w.dispatcher.status(w.id)!.paused).toBe(true);
    const paused = await ts.store.read((d) => d.get<{ paused: number | boolean; paused_reason: string }>('SELECT paused, paused_reason FROM channel_sync WHERE channel_id = ?', [w.id]));
    expect({ paused: Boolean(paused!.paused), reason: paused!.paused_reason }).toEqual({ paused: true, reason: 'auth' });
    expect(await w.exceptions('channel_auth_failed')).toHaveLength(1);
    expect(await w.exceptions('sync_dead_letter')).toEqual([]);
    expect(await w.following()).toHaveLength(3); // still followed once the channel is resumed
  });

  it('a throttled check waits and asks again, changing nothing', async () => {
    const w = await world();
    await w.round(0);
    const feed = w.channel.last();
    w.channel.report.set(feed, { ok: false, failure: 'throttled', retryAfterMs: 2_000, message: 'slow down' });
    await w.round();
    expect(w.channel.checks).toBe(1);
    expect(await w.following()).toHaveLength(3);
    w.channel.done(feed, () => ({ status: 'acknowledged' }));
    await w.round();
    await w.round(2_000);
    expect(await w.following()).toEqual([]);
    expect([await w.pushed('A'), await w.pushed('B'), await w.pushed('C')]).toEqual([5, 5, 5]);
  });
});
