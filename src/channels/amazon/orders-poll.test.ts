import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../app/clock.ts';
import type { ChannelEvent, OrderFacts } from '../../domain/channel-event.ts';
import { listingKey } from './order-facts.ts';
import { amazonOrderPages, nextWindow, ORDER_PAGES_PER_POLL_MAX, type OrderPage, orderEvent, type OrdersCursor, readPage, SETTLE_MS } from './orders-poll.ts';
import { FakeSpApi, type FakeOrder, MARKETPLACE, modelOrder, ordersApiModel } from './poll.fixture.ts';

/** A polled order's event (the test fails on one that cannot be read). */
const polledEvent = (o: unknown) => {
  const r = orderEvent(o);
  if (typeof r === 'string') throw new Error(r);
  return r.event;
};


const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);

function order(n: number, at: number, status = 'UNSHIPPED', extra: Partial<FakeOrder> = {}): FakeOrder {
  return {
    orderId: `111-0000000-${String(n).padStart(7, '0')}`, createdTime: at, lastUpdatedTime: at, status, fulfilledBy: 'MERCHANT', marketplaceId: MARKETPLACE,
    items: [{ orderItemId: `OI${n}`, sellerSku: `SKU-${n % 7}`, quantity: 1 + (n % 3) }], ...extra,
  };
}

function world(visibleAfterMs = 0) {
  const clock = new ManualClock(T0);
  const fake = new FakeSpApi(() => clock.now(), visibleAfterMs);
  const spent: string[] = [];
  const deps = {
    get: fake.get,
    spend: async (_cost: number, budget: string) => (spent.push(budget), true),
    observe: () => {},
    now: () => clock.now(),
    marketplaceIds: [MARKETPLACE],
  };
  return { clock, fake, deps, spent };
}

type Orders = ReturnType<typeof world>;

/** One poll: its pages, the events in them and the cursor it leaves (the last good page's). */
async function poll(w: Orders, cursor: OrdersCursor): Promise<{ pages: OrderPage[]; events: ChannelEvent[]; cursor: OrdersCursor }> {
  const pages: OrderPage[] = [];
  let at = cursor;
  for await (const p of amazonOrderPages(w.deps, cursor)) {
    pages.push(p);
    if (p.ok) at = p.cursor;
  }
  return { pages, events: pages.flatMap((p) => (p.ok ? p.events : [])), cursor: at };
}

const orderOf = (e: ChannelEvent): OrderFacts => ('order' in e ? e.order : (() => { throw new Error(`not an order event: ${e.kind}`); })());

describe('Amazon order statuses', () => {
  // Every FulfillmentStatus of the 2026-01-01 model, and what truestock makes of it.
  const TABLE: [status: string, kind: string, pending: boolean, cancelled: boolean][] = [
    ['PENDING_AVAILABILITY', 'order_created', true, false],
    ['PENDING', 'order_created', true, false],
    ['UNSHIPPED', 'order_created', false, false],
    ['PARTIALLY_SHIPPED', 'order_created', false, false],
    ['SHIPPED', 'order_created', false, false],
    ['CANCELLED', 'order_cancelled', false, true],
    ['UNFULFILLABLE', 'order_cancelled', false, true],
  ];

  it('covers every status the model declares', () => {
    const declared = (ordersApiModel().doc.definitions as Record<string, { enum?: string[] }>).FulfillmentStatus!.enum;
    expect(TABLE.map((r) => r[0]).sort()).toEqual([...declared!].sort());
  });

  it.each(TABLE)('%s → %s, pending %s, cancelled %s', (status, kind, pending, cancelled) => {
    const body = modelOrder(order(1, T0, status));
    expect(ordersApiModel().validateResponse({ operationId: 'searchOrders', status: 200, body: { orders: [body] } })).toEqual([]);
    const e = polledEvent(body);
    expect(e.kind).toBe(kind);
    const o = orderOf(e);
    expect(o.pending ?? false).toBe(pending);
    expect(o.cancelled).toBe(cancelled);
    expect(o.fulfilledByChannel ?? false).toBe(false);
    expect(o.locationId).toBeNull();
    expect(o.lines).toEqual([{ lineId: 'OI1', quantity: 2, sku: 'SKU-1', keys: [listingKey('SKU-1', MARKETPLACE)], keyPrefixes: [] }]);
    expect(listingKey('SKU-1', MARKETPLACE)).toBe(`seller_sku:SKU-1@marketplace:${MARKETPLACE}`);
  });

  it('an order fulfilled by Amazon is fulfilledByChannel, at its marketplace', () => {
    const o = orderOf(polledEvent(modelOrder(order(2, T0, 'SHIPPED', { fulfilledBy: 'AMAZON' }))));
    expect(o).toMatchObject({ fulfilledByChannel: true, locationId: MARKETPLACE, cancelled: false });
  });

  it('statuses of one second come in their order; one state seen twice has one time', () => {
    const at = (status: string, ms: number) => polledEvent(modelOrder(order(3, ms, status))).occurredAt;
    expect(at('PENDING', T0)).toBeLessThan(at('UNSHIPPED', T0));
    expect(at('UNSHIPPED', T0)).toBeLessThan(at('SHIPPED', T0));
    expect(at('SHIPPED', T0)).toBeLessThan(at('CANCELLED', T0));
    expect(at('CANCELLED', T0)).toBeLessThan(at('PENDING', T0 + 1000));
  });

  it('never leaves an order out: one it cannot read fails the page, a status it does not know is a sale; lines of no units are dropped', () => {
    expect(orderEvent({ orderId: 'x', lastUpdatedTime: 'soon', orderItems: [] })).toBe('order x: lastUpdatedTime is not a time');
    const good = modelOrder(order(6, T0));
    expect(readPage({ orders: [good, { ...good, orderItems: [{ orderItemId: 'OI', product: {} }] }] })).toMatch(/^orders\[1\]: order .* needs an orderItemId and a whole quantityOrdered$/);
    const unknown = polledEvent({ ...modelOrder(order(4, T0)), fulfillment: { fulfillmentStatus: 'ON_THE_MOON' } });
    expect(unknown).toMatchObject({ kind: 'order_created', order: { cancelled: false } });
    expect(orderOf(unknown).pending).toBeUndefined();
    const zero = modelOrder(order(5, T0, 'CANCELLED', { items: [{ orderItemId: 'OI5', sellerSku: 'S', quantity: 0 }] }));
    expect(orderOf(polledEvent(zero)).lines).toEqual([]);
  });
});

describe('Amazon order poll', () => {
  it('sends valid searchOrders requests from the window start, pages with paginationToken, and moves the window only at the end', async () => {
    const w = world();
    for (let n = 0; n < 250; n++) w.fake.put(order(n, T0 + 1000 * (n % 50)));
    w.clock.advance(600_000);
    const r = await poll(w, { after: T0 });
    expect(w.fake.errors).toEqual([]);
    expect(w.spent).toEqual(['searchOrders', 'searchOrders', 'searchOrders']);
    const urls = w.fake.calls.map((c) => new URL(c.url, 'http://x').searchParams);
    expect(urls.map((q) => q.get('lastUpdatedAfter'))).toEqual(Array(3).fill('2026-03-01T12:00:00Z'));
    expect(urls.map((q) => q.get('includedData'))).toEqual(Array(3).fill('FULFILLMENT'));
    expect(urls.map((q) => q.get('maxResultsPerPage'))).toEqual(Array(3).fill('100'));
    expect(urls[0]!.get('paginationToken')).toBeNull();
    expect(urls[1]!.get('paginationToken')).not.toBeNull();
    expect(r.pages.map((p) => p.ok && p.cursor.after)).toEqual([T0, T0, T0 + 49_000]);
    expect(r.pages.map((p) => p.ok && p.cursor.token !== undefined)).toEqual([true, true, false]);
    expect(new Set(r.events.map((e) => orderOf(e).orderId)).size).toBe(250);
  });

  it('never moves the window past two minutes before the read, nor past the newest change seen, nor back past a page of changes', () => {
    expect(nextWindow(T0, T0 + 600_000, [T0 + 500_000])).toBe(T0 + 480_000);
    expect(nextWindow(T0, T0 + 600_000, [T0 + 30_400])).toBe(T0 + 30_000);
    expect(nextWindow(T0, T0 + 600_000, [])).toBe(T0);
    expect(nextWindow(T0 + 10_000, T0 + 60_000, [T0 + 50_000])).toBe(T0 + 10_000);
    // A burst of a page or more within the last two minutes: read again from its page of newest only.
    const burst = Array.from({ length: 100 }, (_, i) => T0 + 599_000 - i * 100);
    expect(nextWindow(T0, T0 + 600_000, burst)).toBe(T0 + 589_000);
    expect(nextWindow(T0, T0 + 600_000, burst.slice(0, 99))).toBe(T0 + 480_000);
  });

  it('reads at most a poll\'s pages, and the next poll carries on with the token', async () => {
    const w = world();
    const total = 100 * ORDER_PAGES_PER_POLL_MAX + 30;
    expect(ORDER_PAGES_PER_POLL_MAX).toBe(20);
    for (let n = 0; n < total; n++) w.fake.put(order(n, T0 + n));
    w.clock.advance(600_000);
    const first = await poll(w, { after: T0 });
    expect(first.pages).toHaveLength(ORDER_PAGES_PER_POLL_MAX);
    expect(first.cursor).toMatchObject({ after: T0, readAt: T0 + 600_000 });
    expect(first.cursor.recent).toHaveLength(100);
    expect(first.cursor.token).toBeDefined();
    w.clock.advance(180_000);
    const second = await poll(w, first.cursor);
    expect(second.pages).toHaveLength(1);
    expect(second.cursor.token).toBeUndefined();
    expect(new Set([...first.events, ...second.events].map((e) => orderOf(e).orderId)).size).toBe(total);
    expect(w.fake.errors).toEqual([]);
  });

  it('a burst of 2,000 orders costs its 20 pages and at most two more, not a second read of the burst', async () => {
    const w = world();
    for (let n = 0; n < 2000; n++) w.fake.put(order(n, T0 + 30 * n));
    w.clock.advance(90_000);
    const first = await poll(w, { after: T0 });
    expect(first.pages).toHaveLength(20);
    expect(first.cursor.token).toBeUndefined();
    w.clock.advance(180_000);
    const second = await poll(w, first.cursor);
    expect(second.pages.length).toBeLessThanOrEqual(2);
    expect(new Set(first.events.map((e) => orderOf(e).orderId)).size).toBe(2000);
    expect(w.fake.errors).toEqual([]);
  });

  it('stops after a page whose token it had to wait for, and carries on at the next poll', async () => {
    const w = world();
    for (let n = 0; n < 500; n++) w.fake.put(order(n, T0 + n));
    w.clock.advance(600_000);
    let calls = 0;
    // The budget holds three calls; the fourth waits one refill (180 s).
    w.deps.spend = async () => {
      if (++calls === 4) w.clock.advance(180_000);
      return true;
    };
    const first = await poll(w, { after: T0 });
    expect(first.pages).toHaveLength(4);
    expect(first.cursor.token).toBeDefined();
    const second = await poll(w, first.cursor);
    expect(second.cursor.token).toBeUndefined();
    expect(new Set([...first.events, ...second.events].map((e) => orderOf(e).orderId)).size).toBe(500);
  });

  it('reads the window again from its start when Amazon refuses an expired paginationToken', async () => {
    const w = world();
    w.fake.tokenLifeMs.orders = 60_000;
    for (let n = 0; n < 150; n++) w.fake.put(order(n, T0 + 1000 * n));
    w.clock.advance(600_000);
    w.fake.failNext = [{ status: null, failure: 'transient' }];
    // The first page fails: nothing read, the window stays.
    const failed = await poll(w, { after: T0 });
    expect(failed.pages).toEqual([expect.objectContaining({ ok: false, failure: 'transient' })]);
    // Stop after the first page: the second fails.
    w.fake.failNext = [null, { status: 500, failure: 'transient' }];
    const first = await poll(w, { after: T0 });
    expect(first.cursor.token).toBeDefined();
    w.fake.failNext = [];
    const stopped = { ...first.cursor };
    w.clock.advance(120_000);
    const again = await poll(w, stopped);
    const statuses = w.fake.calls.slice(-3).map((c) => new URL(c.url, 'http://x').searchParams.has('paginationToken'));
    // The refused token, then the window from its start (2 pages).
    expect(statuses).toEqual([true, false, true]);
    expect(again.cursor.token).toBeUndefined();
    expect(new Set(again.events.map((e) => orderOf(e).orderId)).size).toBe(150);
    expect(w.fake.errors).toEqual([]);
  });

  it('reports a throttled search as throttled, with the cursor where it was', async () => {
    const w = world();
    w.fake.put(order(1, T0));
    w.fake.failNext = [{ status: 429, failure: 'throttled' }];
    const r = await poll(w, { after: T0 });
    expect(r.pages).toEqual([{ ok: false, failure: 'throttled', retryAfterMs: null, message: expect.stringContaining('searchOrders') }]);
    expect(r.cursor).toEqual({ after: T0 });
  });

  it('property: every order\'s last state is read, whatever the boundaries (same second, pages, failures, Amazon\'s own lag)', async () => {
    // One timeline of changes and polls: a change at the clock's time (Amazon keeps its second),
    // searchable after its own lag (under two minutes); a poll at the clock's time, maybe failing.
    const gap = fc.constantFrom(0, 0, 300, 700, 1000, 2000, 61_000, 200_000);
    const step = fc.oneof(
      fc.record({ gapMs: gap, order: fc.integer({ min: 0, max: 20 }), status: fc.constantFrom('PENDING', 'UNSHIPPED', 'SHIPPED', 'CANCELLED'), lagMs: fc.constantFrom(0, 0, 500, 1500, 30_000, SETTLE_MS - 1000) }),
      fc.record({ gapMs: gap, fail: fc.boolean() }),
    );
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 150 }), fc.integer({ min: 1, max: 7 }), async (steps, pageSize) => {
      const w = world();
      // A small page size makes page boundaries (and the page limit) matter with few orders.
      w.deps.get = (op, path, q) => w.fake.get(op, path, { ...q, maxResultsPerPage: pageSize });
      const last = new Map<string, string>();
      const seen = new Map<string, ChannelEvent>();
      let cursor: OrdersCursor = { after: T0 };
      const pollOnce = async (fail: boolean) => {
        w.fake.failNext = fail ? [null, { status: 503, failure: 'transient' }] : [];
        const r = await poll(w, cursor);
        expect(r.cursor.after).toBeGreaterThanOrEqual(cursor.after);
        cursor = r.cursor;
        // What a later poll says of an order is newer (the fake never shows an older change).
        for (const e of r.events) seen.set(orderOf(e).orderId, e);
      };
      for (const s of steps) {
        w.clock.advance(s.gapMs);
        if ('order' in s) {
          const o = order(s.order, Math.floor(w.clock.now() / 1000) * 1000, s.status);
          w.fake.put(o, s.lagMs);
          last.set(o.orderId, s.status);
        } else {
          await pollOnce(s.fail);
        }
      }
      // Polls carry on after the last change: Amazon's lag and the page limit settle.
      for (let k = 0; k < 40 && (cursor.token !== undefined || k < 2); k++) {
        w.clock.advance(180_000);
        await pollOnce(false);
      }
      expect(w.fake.errors).toEqual([]);
      for (const [id, status] of last) {
        const e = seen.get(id);
        expect(e, `order ${id}`).toBeDefined();
        const o = orderOf(e!);
        const state = o.cancelled ? 'CANCELLED' : o.pending ? 'PENDING' : 'open';
        expect(state, `order ${id}`).toBe(status === 'CANCELLED' || status === 'PENDING' ? status : 'open');
      }
    }), { numRuns: 150 });
  });
});
