// Pending channel orders held (not allocated) until the channel confirms or cancels them, and
// orders the channel fulfils itself recorded and never allocated — on SQLite and PostgreSQL,
// without HTTP. Kind-agnostic: the events are the normalized ones any kind produces.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { lineKeys, shopifyMapping } from '../channels/shopify/webhooks.ts';
import { createChannel } from './channels.ts';
import { applyChannelEvent, type ChannelContext, type ChannelEvent, type OrderFacts, RetryLater } from './channel-events.ts';
import { createListing } from './listings.ts';
import { Truestock } from './truestock.ts';
import { verify } from './verify.ts';
import { stockBySku } from './queries.ts';
import { getChannel } from '../store/channel-repo.ts';
import { getChannelOrder } from '../store/channel-event-repo.ts';
import { dueHolds } from '../store/ledger-repo.ts';

const SKU = 'A';
const variant = 'gid://shopify/ProductVariant/1';
const LOC1 = 'gid://shopify/Location/1';

type Status = 'pending' | 'confirmed' | 'cancelled';

describe.each(STORE_KINDS)('pending and channel-fulfilled orders on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open(db.config);
  });
  afterAll(async () => {
    await ts.close();
    await db.drop();
  });

  async function world(stock: number): Promise<{ f: Fixture; cx: ChannelContext }> {
    const f = await Fixture.create(ts, { skus: [SKU] });
    if (stock > 0) await f.ok({ type: 'receive', sku: SKU, location: 'W1', quantity: stock });
    const channel = await ts.store.transaction(async (tx) => {
      const now = ts.clock.now();
      const made = await createChannel(tx, f.workspaceId, { kind: 'shopify', name: 'shop', settings: { shop_domain: 'x.myshopify.com', access_token: 't', locations: { [LOC1]: 'W1' } } }, now);
      if ('code' in made) throw new Error(made.detail);
      const id = (made.body.channel as { id: string }).id;
      const l = await createListing(tx, f.workspaceId, { channel: id, sku: SKU, external: { variant_id: variant } }, now);
      if ('code' in l) throw new Error(l.detail);
      return (await getChannel(tx, f.workspaceId, id))!;
    });
    return { f, cx: { channel, mapping: shopifyMapping(channel.settings), editPolicy: 'master_wins', editGraceMs: 30_000, timeResolutionMs: 1_000 } };
  }

  const orderOf = (n: number, quantity: number, extra: Partial<OrderFacts> = {}): OrderFacts => ({
    orderId: `order-${n}`,
    name: `#${n}`,
    locationId: LOC1,
    cancelled: false,
    lines: [{ lineId: `line-${n}`, quantity, sku: SKU, ...lineKeys(variant, null, [LOC1]) }],
    ...extra,
  });
  /** The event a channel sends for an order in a status, at a time. */
  const eventOf = (o: OrderFacts, status: Status, at: number): ChannelEvent =>
    status === 'cancelled'
      ? { kind: 'order_cancelled', occurredAt: at, order: { ...o, cancelled: true } }
      : { kind: status === 'pending' ? 'order_created' : 'order_updated', occurredAt: at, order: { ...o, pending: status === 'pending' } };

  const totals = async (f: Fixture) => (await ts.store.read((d) => stockBySku(d, f.workspaceId, SKU)))!.total;
  const holdsOf = (f: Fixture) =>
    ts.store.read((d) => d.all<{ id: string; state: string; reference: string | null; order_reference: string | null; expires_at: number | null }>(
      'SELECT id, state, reference, order_reference, expires_at FROM holds WHERE workspace_id = ? ORDER BY id', [f.workspaceId]));
  const exceptionsOf = (f: Fixture) => ts.store.read((d) => d.all<{ kind: string; reference: string; message: string }>('SELECT kind, reference, message FROM exceptions WHERE workspace_id = ? ORDER BY id', [f.workspaceId]));
  const rowOf = (cx: ChannelContext, n: number) => ts.store.read((d) => getChannelOrder(d, cx.channel.id, `order-${n}`));

  it('a pending order holds its units at once; confirmed, the hold becomes the allocation (once)', async () => {
    const { f, cx } = await world(10);
    const o = orderOf(1, 3);
    expect(await applyChannelEvent(ts, cx, eventOf(o, 'pending', 1_000))).toBe('held');
    expect(await totals(f)).toMatchObject({ available: 7, reserved: 3, committed: 0 });
    const [hold] = await holdsOf(f);
    expect(hold).toMatchObject({ state: 'active', reference: '#1', expires_at: null });
    expect((await rowOf(cx, 1))!).toMatchObject({ ledgerState: 'held', pending: true, viaHold: true, holdId: hold!.id });
    // Redelivered: nothing more is held.
    expect(await applyChannelEvent(ts, cx, eventOf(o, 'pending', 1_000))).toBe('no_change');
    expect(await totals(f)).toMatchObject({ available: 7, reserved: 3 });
    // The sweeper never finds it, however late it is.
    expect((await ts.store.read((d) => dueHolds(d, Number.MAX_SAFE_INTEGER, 100))).map((h) => h.id)).not.toContain(hold!.id);

    expect(await applyChannelEvent(ts, cx, eventOf(o, 'confirmed', 2_000))).toBe('allocated');
    expect(await totals(f)).toMatchObject({ available: 7, reserved: 0, committed: 3 });
    expect(await holdsOf(f)).toEqual([expect.objectContaining({ id: hold!.id, state: 'allocated', order_reference: '#1' })]);
    // Confirmed again, and an older pending event redelivered: nothing moves.
    expect(await applyChannelEvent(ts, cx, eventOf(o, 'confirmed', 2_000))).toBe('no_change');
    expect(await applyChannelEvent(ts, cx, eventOf(o, 'pending', 1_000))).toBe('no_change');
    expect(await totals(f)).toMatchObject({ available: 7, reserved: 0, committed: 3 });
    // Cancelled after the confirmation: the allocation is cancelled.
    expect(await applyChannelEvent(ts, cx, eventOf(o, 'cancelled', 3_000))).toBe('cancelled');
    expect(await totals(f)).toMatchObject({ available: 10, reserved: 0, committed: 0 });
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });

  it('a pending order cancelled releases its hold', async () => {
    const { f, cx } = await world(10);
    const o = orderOf(2, 4);
    await applyChannelEvent(ts, cx, eventOf(o, 'pending', 1_000));
    expect(await applyChannelEvent(ts, cx, eventOf(o, 'cancelled', 2_000))).toBe('released');
    expect(await totals(f)).toMatchObject({ available: 10, reserved: 0, committed: 0 });
    expect((await holdsOf(f)).map((h) => h.state)).toEqual(['released']);
    expect((await rowOf(cx, 2))!).toMatchObject({ state: 'cancelled', ledgerState: 'cancelled' });
    // A late confirmation changes nothing: a cancellation is final.
    expect(await applyChannelEvent(ts, cx, eventOf(o, 'confirmed', 1_500))).toBe('no_change');
    expect(await totals(f)).toMatchObject({ available: 10, reserved: 0, committed: 0 });
  });

  it('a pending order the shelf cannot cover is held anyway, oversold and raised; confirmed, it stays oversold; cancelled, the debt is settled', async () => {
    const { f, cx } = await world(2);
    const o = orderOf(3, 5);
    expect(await applyChannelEvent(ts, cx, eventOf(o, 'pending', 1_000))).toBe('held');
    expect(await totals(f)).toMatchObject({ available: 0, reserved: 5, oversold: 3 });
    expect(await exceptionsOf(f)).toEqual([expect.objectContaining({ kind: 'oversold', reference: '#3' })]);
    expect(await applyChannelEvent(ts, cx, eventOf(o, 'confirmed', 2_000))).toBe('allocated');
    expect(await totals(f)).toMatchObject({ available: 0, reserved: 0, committed: 5, oversold: 3 });
    expect(await applyChannelEvent(ts, cx, eventOf(o, 'cancelled', 3_000))).toBe('cancelled');
    expect(await totals(f)).toMatchObject({ available: 2, reserved: 0, committed: 0, oversold: 0 });
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });

  it('an order confirmed before its pending event ever arrives is allocated at once; the late pending event holds nothing', async () => {
    const { f, cx } = await world(10);
    const o = orderOf(4, 2);
    expect(await applyChannelEvent(ts, cx, eventOf(o, 'confirmed', 2_000))).toBe('allocated');
    expect(await applyChannelEvent(ts, cx, eventOf(o, 'pending', 1_000))).toBe('no_change');
    expect(await totals(f)).toMatchObject({ available: 8, reserved: 0, committed: 2 });
    expect((await holdsOf(f)).map((h) => h.state)).toEqual(['allocated']);
  });

  it('an order the channel fulfils itself is recorded and allocates nothing, pending, confirmed or cancelled', async () => {
    const { f, cx } = await world(10);
    const o = orderOf(5, 3, { fulfilledByChannel: true });
    expect(await applyChannelEvent(ts, cx, eventOf(o, 'pending', 1_000))).toBe('recorded');
    expect(await applyChannelEvent(ts, cx, eventOf(o, 'confirmed', 2_000))).toBe('no_change');
    expect(await totals(f)).toMatchObject({ available: 10, reserved: 0, committed: 0 });
    expect(await holdsOf(f)).toEqual([]);
    expect((await rowOf(cx, 5))!).toMatchObject({ state: 'open', fulfilledByChannel: true, allocation: null, ledgerState: null, lines: [expect.objectContaining({ sku: SKU, quantity: 3 })] });
    expect(await applyChannelEvent(ts, cx, eventOf(o, 'cancelled', 3_000))).toBe('cancel_recorded');
    expect(await totals(f)).toMatchObject({ available: 10, reserved: 0, committed: 0 });
    // Nor does one that lacks a listing raise an exception: it never draws on truestock's stock.
    const unlisted = { ...orderOf(6, 1, { fulfilledByChannel: true }), lines: [{ lineId: 'x', quantity: 1, sku: 'NOPE', keys: [], keyPrefixes: [] }] };
    expect(await applyChannelEvent(ts, cx, eventOf(unlisted, 'confirmed', 1_000))).toBe('recorded');
    expect(await exceptionsOf(f)).toEqual([]);
  });

  it('property: any interleaving and duplication of pending/confirmed/cancelled events for one order ends in its last status, units conserved', async () => {
    const STOCK = 6;
    const statuses = fc.constantFrom<Status[]>(['pending'], ['pending', 'confirmed'], ['pending', 'cancelled'], ['pending', 'confirmed', 'cancelled'], ['confirmed'], ['cancelled'], ['confirmed', 'cancelled']);
    let n = 100;
    await fc.assert(
      fc.asyncProperty(statuses, fc.integer({ min: 1, max: 8 }), fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 8, maxLength: 8 }),
        async (lived, quantity, picks, groups) => {
          const { f, cx } = await world(STOCK);
          const o = orderOf(++n, quantity);
          // Every status the order went through is delivered at least once, plus duplicates, in any order.
          const events = [...lived.map((s, i) => eventOf(o, s, 1_000 * (i + 1))), ...picks.map((p) => eventOf(o, lived[p % lived.length]!, 1_000 * ((p % lived.length) + 1)))];
          const shuffled = events.map((e, i) => ({ e, k: (picks[i % picks.length]! * 7919 + i * 31) % 97 })).sort((a, b) => a.k - b.k).map((x) => x.e);
          let at = 0;
          for (const size of [...groups, Infinity]) {
            const group = shuffled.slice(at, at + size);
            if (group.length === 0) break;
            await Promise.all(group.map((e) => applyChannelEvent(ts, cx, e)));
            at += size;
          }
          const last = lived[lived.length - 1]!;
          const t = await totals(f);
          const covered = Math.min(quantity, STOCK);
          // Units conserved: what is on the shelf plus what is held or committed never changes, less debt.
          expect(t.available + t.reserved + t.committed - t.oversold).toBe(STOCK);
          const states = (await holdsOf(f)).map((h) => h.state);
          if (last === 'cancelled') {
            expect(t).toMatchObject({ available: STOCK, reserved: 0, committed: 0, oversold: 0 });
            expect(states.every((s) => s === 'released' || s === 'cancelled')).toBe(true);
          } else if (last === 'confirmed') {
            expect(t).toMatchObject({ available: STOCK - covered, reserved: 0, committed: quantity, oversold: quantity - covered });
            expect(states).toEqual(['allocated']);
          } else {
            expect(t).toMatchObject({ available: STOCK - covered, reserved: quantity, committed: 0, oversold: quantity - covered });
            expect(states).toEqual(['active']);
          }
          expect(states.length).toBeLessThanOrEqual(1);
          expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
        }),
      { numRuns: kind === 'sqlite' ? 40 : 15 },
    );
  }, 180_000);

  it("the three-channel race: 10 on the shelf, 4 sold on the shop, 4 (pending) on a slow channel and 4 more on the shop at once — every order recorded once, the oversell flagged, both channels at 0", async () => {
    const { f, cx: shop } = await world(10);
    const slow = await ts.store.transaction(async (tx) => {
      const now = ts.clock.now();
      const made = await createChannel(tx, f.workspaceId, { kind: 'amazon', name: 'marketplace', settings: { seller_id: 'S1' } }, now);
      if ('code' in made) throw new Error(made.detail);
      const id = (made.body.channel as { id: string }).id;
      const l = await createListing(tx, f.workspaceId, { channel: id, sku: SKU, external: { seller_sku: SKU, marketplace_id: 'M1' } }, now);
      if ('code' in l) throw new Error(l.detail);
      return { channel: (await getChannel(tx, f.workspaceId, id))!, key: (l.body.listing as { external_key: string }).external_key };
    });
    const cx: ChannelContext = { channel: slow.channel, mapping: { locationCode: () => undefined, locationCodes: () => ['W1'] }, editPolicy: 'master_wins', editGraceMs: 30_000, timeResolutionMs: 1_000 };
    const theirs: OrderFacts = { orderId: 'amz-1', name: 'amz-1', locationId: null, cancelled: false, lines: [{ lineId: 'a1', quantity: 4, sku: SKU, keys: [slow.key], keyPrefixes: [] }] };
    await Promise.all([
      applyChannelEvent(ts, shop, eventOf(orderOf(11, 4), 'confirmed', 1_000)),
      applyChannelEvent(ts, cx, eventOf(theirs, 'pending', 1_020)),
      applyChannelEvent(ts, shop, eventOf(orderOf(12, 4), 'confirmed', 1_090)),
    ]);
    expect(await totals(f)).toMatchObject({ available: 0, reserved: 4, committed: 8, oversold: 2 });
    const recorded = await ts.store.read((d) => d.all<{ n: number | string }>('SELECT COUNT(*) AS n FROM channel_orders WHERE workspace_id = ?', [f.workspaceId]));
    expect(Number(recorded[0]!.n)).toBe(3);
    expect((await exceptionsOf(f)).filter((e) => e.kind === 'oversold')).toHaveLength(1);
    const shown = () => ts.store.read((d) => d.all<{ quantity: number | string }>('SELECT quantity FROM availability WHERE workspace_id = ?', [f.workspaceId])).then((r) => r.map((x) => Number(x.quantity)));
    expect(await shown()).toEqual([0, 0]);
    // The slow channel confirms its order: its hold becomes the allocation, nothing else moves.
    expect(await applyChannelEvent(ts, cx, eventOf(theirs, 'confirmed', 2_000))).toBe('allocated');
    expect(await totals(f)).toMatchObject({ available: 0, reserved: 0, committed: 12, oversold: 2 });
    expect(await shown()).toEqual([0, 0]);
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });

  // Two processes share a database only on PostgreSQL (SQLite's writers wait on one another synchronously, in one test process a deadlock).
  it.runIf(kind === 'postgres')('two processes applying one order\'s pending, confirmed and cancelled events at once end in its last status', async () => {
    const { f, cx } = await world(20);
    const other = await Truestock.open(db.config);
    // A delivery the ledger was too busy for is delivered again, as a channel would.
    const deliver = async (t: Truestock, e: ChannelEvent) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await applyChannelEvent(t, cx, e);
        } catch (err) {
          if (!(err instanceof RetryLater) || attempt > 20) throw err;
        }
      }
    };
    try {
      for (let n = 200; n < 206; n++) {
        const o = orderOf(n, 2);
        const lived: Status[] = n % 2 === 0 ? ['pending', 'confirmed'] : ['pending', 'confirmed', 'cancelled'];
        await Promise.all(lived.flatMap((s, i) => [deliver(ts, eventOf(o, s, 1_000 * (i + 1))), deliver(other, eventOf(o, s, 1_000 * (i + 1)))]));
      }
      // Three orders confirmed (2 units each), three cancelled.
      expect(await totals(f)).toMatchObject({ available: 14, reserved: 0, committed: 6, oversold: 0 });
      const states = (await holdsOf(f)).map((h) => h.state).sort();
      expect(states).toEqual(['allocated', 'allocated', 'allocated', ...states.filter((s) => s !== 'allocated')]);
      expect(states.filter((s) => s !== 'allocated').every((s) => s === 'cancelled' || s === 'released')).toBe(true);
      // A cancellation seen first holds nothing at all.
      expect(states.filter((s) => s !== 'allocated').length).toBeLessThanOrEqual(3);
      expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
    } finally {
      await other.close();
    }
  });
});
