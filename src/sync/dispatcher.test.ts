// The dispatcher on an injected clock against an in-memory channel, on SQLite and PostgreSQL:
// - property: whatever mix of ledger changes, hand edits seen on the channel (with any grace),
//   outages and pushes, every propagation lag sample is ≥ 0 and no outbox row is enqueued in the
//   future (a requeued row's `enqueued_at` is when it was decided, never its not-before);
// - after a 60 s outage the channel is probed within BREAKER_PROBE_INTERVAL_MS of its return, so
//   every number is back within seconds, and no listing is dead-lettered for the channel's outage;
// - on a channel that applies a call whole or not at all, the items one stale item held back are
//   pushed again in the same round, alone, and acknowledged.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { lineKeys, shopifyMapping } from '../channels/shopify/webhooks.ts';
import { applyChannelEvent, type ChannelContext } from '../app/channel-events.ts';
import { createChannel } from '../app/channels.ts';
import { ManualClock } from '../app/clock.ts';
import { createListing } from '../app/listings.ts';
import { Truestock } from '../app/truestock.ts';
import { getChannel } from '../store/channel-repo.ts';
import { BREAKER_PROBE_INTERVAL_MS } from './breaker.ts';
import type { Connector, PushItem, PushResult } from './connector.ts';
import { Dispatcher } from './dispatcher.ts';

const SKUS = ['A', 'B'];
const quiet = { info: () => undefined, warn: () => undefined };

/** A channel in memory: compare-and-set against what it shows, or down (every call fails as a 503 would). */
class FakeChannel implements Connector {
  readonly maxBatch = 50;
  readonly bucket = { capacity: 1e9, refillPerSecond: 1e9 };
  readonly shows = new Map<string, number>();
  down = false;
  /** Apply a call whole or not at all, as Shopify does: one stale item and nothing is applied. */
  wholeOrNothing = false;
  calls = 0;
  pushCost = () => 1;
  readCost = () => 1;
  async push(items: PushItem[]): Promise<PushResult> {
    this.calls++;
    if (this.down) return { ok: false, failure: 'transient', retryAfterMs: null, message: '503 Service Unavailable' };
    const stale = (i: PushItem) => i.expected !== null && (this.shows.get(i.listingId) ?? null) !== null && i.expected !== this.shows.get(i.listingId);
    if (this.wholeOrNothing && items.some(stale)) return { ok: true, outcomes: items.map((i) => ({ status: stale(i) ? 'stale' as const : 'not_applied' as const })) };
    return {
      ok: true,
      outcomes: items.map((i) => {
        const now = this.shows.get(i.listingId) ?? null;
        if (i.expected !== null && now !== null && i.expected !== now) return { status: 'stale' as const };
        this.shows.set(i.listingId, i.quantity);
        return { status: 'acknowledged' as const };
      }),
    };
  }
  async readBack(items: PushItem[]) {
    if (this.down) return { ok: false as const, message: '503' };
    return { ok: true as const, shown: items.map((i) => this.shows.get(i.listingId) ?? null) };
  }
}

describe.each(STORE_KINDS)('dispatcher on an injected clock on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open({ ...db.config, clock });
  });
  afterAll(async () => {
    await ts?.close();
    await db?.drop();
  });

  /** A workspace with A and B at W1, a channel, one listing per SKU, and a dispatcher pushing to a FakeChannel. */
  async function world(stock: number) {
    const f = await Fixture.create(ts, { skus: SKUS, locations: [['W1', 'warehouse']] });
    const ws = f.workspaceId;
    const { channel, listings } = await ts.store.transaction(async (d) => {
      const now = clock.now();
      const made = await createChannel(d, ws, { kind: 'shopify', name: 'shop', settings: { shop_domain: 'x.myshopify.com', locations: { 'gid://shopify/Location/1': 'W1' } } }, now);
      if ('code' in made) throw new Error(made.detail);
      const id = (made.body.channel as { id: string }).id;
      const ids: Record<string, string> = {};
      for (const [n, sku] of SKUS.entries()) {
        const l = await createListing(d, ws, { channel: id, sku, external: { inventory_item_id: `gid://shopify/InventoryItem/${n + 1}`, location_id: 'gid://shopify/Location/1' } }, now);
        if ('code' in l) throw new Error(l.detail);
        ids[sku] = (l.body.listing as { id: string }).id;
      }
      return { channel: (await getChannel(d, ws, id))!, listings: ids };
    });
    for (const sku of SKUS) await f.ok({ type: 'receive', sku, location: 'W1', quantity: stock });
    const fake = new FakeChannel();
    const lags: number[] = [];
    const dispatcher = new Dispatcher(ts.store, clock, (ch) => (ch.id === channel.id ? fake : null), ['shopify'], {
      workerId: `w-${Math.random()}`, random: () => 0.5, log: quiet, events: { onPushed: (_c, lag) => void lags.push(lag) },
    });
    await dispatcher.refresh(true);
    const drain = async () => {
      for (let i = 0; i < 10; i++) if ((await dispatcher.drainOnce(channel.id)) === 0) break;
    };
    await drain();
    const cx = (graceMs: number): ChannelContext => ({ channel, mapping: shopifyMapping(channel.settings), editPolicy: 'master_wins', timeResolutionMs: 1_000, editGraceMs: graceMs });
    let events = 0;
    /** The channel shows `available` (a hand edit, or an order truestock has not seen) and says so. */
    const edit = (sku: string, available: number, graceMs: number) => {
      fake.shows.set(listings[sku]!, available);
      const keys = lineKeys(null, `gid://shopify/InventoryItem/${SKUS.indexOf(sku) + 1}`, ['gid://shopify/Location/1']).keys;
      return applyChannelEvent(ts, cx(graceMs), { kind: 'level_updated', occurredAt: clock.now(), eventId: `e${++events}`, level: { keys, locationId: 'gid://shopify/Location/1', available } });
    };
    const ledger = () => ts.store.read((d) => d.all<{ listing_id: string; quantity: number }>('SELECT listing_id, quantity FROM availability WHERE listing_id IN (?, ?) ORDER BY listing_id', [listings.A!, listings.B!]))
      .then((rows) => rows.map((r) => [r.listing_id, Number(r.quantity)]));
    const outbox = () => ts.store.read((d) => d.all<{ enqueued_at: number }>('SELECT enqueued_at FROM channel_outbox WHERE channel_id = ?', [channel.id]));
    const deadLetters = () => ts.store.read((d) => d.get<{ n: number }>('SELECT COUNT(*) AS n FROM listing_sync WHERE channel_id = ? AND dead_at IS NOT NULL', [channel.id])).then((r) => Number(r!.n));
    return { f, channel, listings, fake, dispatcher, lags, drain, edit, ledger, outbox, deadLetters };
  }

  it('property: every lag sample is ≥ 0 and no outbox row is enqueued in the future, whatever edits, graces, outages and pushes', async () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('receive' as const), sku: fc.constantFrom(...SKUS), n: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ op: fc.constant('lose' as const), sku: fc.constantFrom(...SKUS), n: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ op: fc.constant('edit' as const), sku: fc.constantFrom(...SKUS), shown: fc.integer({ min: 0, max: 40 }), graceMs: fc.integer({ min: 0, max: 60_000 }) }),
      fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
      fc.record({ op: fc.constant('drain' as const) }),
      fc.record({ op: fc.constant('down' as const), down: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const w = await world(20);
        for (const o of ops) {
          if (o.op === 'receive') await w.f.ok({ type: 'receive', sku: o.sku, location: 'W1', quantity: o.n });
          else if (o.op === 'lose') await w.f.exec({ type: 'adjust', sku: o.sku, location: 'W1', delta: -o.n, reason: 'damage' });
          else if (o.op === 'edit') await w.edit(o.sku, o.shown, o.graceMs);
          else if (o.op === 'advance') clock.advance(o.ms);
          else if (o.op === 'down') w.fake.down = o.down;
          else await w.drain();
          for (const r of await w.outbox()) expect(Number(r.enqueued_at)).toBeLessThanOrEqual(clock.now());
        }
        w.fake.down = false;
        clock.advance(120_000);
        await w.drain();
        expect(w.lags.every((lag) => lag >= 0), `lags ${w.lags.join(', ')}`).toBe(true);
        const p50 = w.dispatcher.status(w.channel.id)!.lag_p50_ms;
        expect(p50 === null || p50 >= 0).toBe(true);
      }),
      { numRuns: kind === 'sqlite' ? 30 : 12 },
    );
  }, 180_000);

  it('pushes the items one stale item held back again in the same round, on a channel that applies a call whole or not at all', async () => {
    const w = await world(100);
    w.fake.wholeOrNothing = true;
    // The shop sold 3 of A that truestock has not heard of; truestock's own numbers move for both.
    w.fake.shows.set(w.listings.A!, 97);
    await w.f.ok({ type: 'adjust', sku: 'A', location: 'W1', delta: -1, reason: 'damage' });
    await w.f.ok({ type: 'adjust', sku: 'B', location: 'W1', delta: -1, reason: 'damage' });
    const calls = w.fake.calls;
    await w.dispatcher.drainOnce(w.channel.id);
    // One call refused whole for A, one for B alone: B is acknowledged now, not a round later.
    expect(w.fake.calls - calls).toBe(2);
    expect(w.fake.shows.get(w.listings.B!)).toBe(99);
    expect(w.lags.length).toBeGreaterThan(0);
    // A was read back and waits for the order behind the shop's decrease (a raise over it).
    expect(w.fake.shows.get(w.listings.A!)).toBe(97);
    expect(w.dispatcher.status(w.channel.id)!.stale).toBe(1);
  });

  it('after a 60 s outage the channel is probed within seconds of its return and every number converges; no listing is dead-lettered for it', async () => {
    const w = await world(100);
    expect([...w.fake.shows.values()]).toEqual([100, 100]);
    const STEP_MS = 100;
    const OUTAGE_MS = 60_000;
    w.fake.down = true;
    // B changed just as the channel went down, and nothing new comes for it: only its backoff and
    // the breaker's probes decide when it goes. A's orders keep coming for the first 10 s.
    await w.f.ok({ type: 'adjust', sku: 'B', location: 'W1', delta: -1, reason: 'damage' });
    for (let t = 0; t < OUTAGE_MS; t += STEP_MS) {
      if (t % 1_000 === 0 && t < 10_000) await w.f.ok({ type: 'adjust', sku: 'A', location: 'W1', delta: -1, reason: 'damage' });
      clock.advance(STEP_MS);
      await w.dispatcher.drainOnce(w.channel.id);
    }
    expect(w.dispatcher.status(w.channel.id)!.breaker.state).not.toBe('closed');
    const callsDuringOutage = w.fake.calls;
    // The breaker kept a sick channel mostly alone: about one probe per interval, not a call per round.
    expect(callsDuringOutage).toBeLessThan(OUTAGE_MS / STEP_MS / 4);
    w.fake.down = false;
    const ledger = await w.ledger();
    let staleMs = 0;
    const converged = () => ledger.every(([id, q]) => w.fake.shows.get(id as string) === q);
    while (!converged() && staleMs < 60_000) {
      clock.advance(STEP_MS);
      staleMs += STEP_MS;
      await w.dispatcher.drainOnce(w.channel.id);
    }
    expect(converged()).toBe(true);
    expect(staleMs).toBeLessThanOrEqual(BREAKER_PROBE_INTERVAL_MS + STEP_MS);
    expect(await w.deadLetters()).toBe(0);
    expect(await w.outbox()).toEqual([]);
    expect(w.dispatcher.status(w.channel.id)!.breaker.state).toBe('closed');
    // The breaker opening and closing again are one channel.status_changed alert each (docs/alerts.md).
    const alerts = await ts.store.read((d) => d.all<{ payload: string }>("SELECT payload FROM alert_events WHERE workspace_id = ? AND type = 'channel.status_changed' ORDER BY created_at, id", [w.f.workspaceId]));
    expect(alerts.map((a) => JSON.parse(a.payload).data.status)).toEqual(['breaker_open', 'breaker_closed']);
  }, 120_000);
});
