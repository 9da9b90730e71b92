// The Walmart order poll against a scripted Walmart (walmart.fixture.ts, every request validated
// against orders.json), and the order status mapping shared with webhooks.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChannelEvent } from '../../domain/channel-event.ts';
import type { PollEnv, PollPage } from '../kind.ts';
import { walmartApi } from './client.ts';
import { readOrder } from './order-facts.ts';
import { ACK_POLL_MS, nextWindow, ORDER_PAGES_PER_POLL_MAX, parseCursor, SETTLE_MS, walmartOrderPages } from './orders-poll.ts';
import { walmartPoll } from './inbound.ts';
import { BASE, CLIENT_ID, CLIENT_SECRET, FakeWalmart, purchaseOrder } from './walmart.fixture.ts';

const SETTINGS = { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, endpoint: BASE };

function world() {
  const w = new FakeWalmart();
  const spent: string[] = [];
  let cursor: string | null = null;
  const since = w.clock.now() - 60_000;
  /** One poll: its pages (each applied before the next is asked for), and the cursor kept. */
  async function poll(applied: (p: PollPage) => void = () => {}) {
    const env: PollEnv = {
      clock: w.clock, fetch: w.fetch, settings: SETTINGS, cursor, since,
      spend: async (_c, budget) => (spent.push(budget ?? 'default'), true),
      observe: () => {},
    };
    const pages: PollPage[] = [];
    for await (const p of walmartPoll.pages(env)) {
      pages.push(p);
      applied(p);
      if (p.ok) cursor = p.cursor;
    }
    return { pages, events: pages.flatMap((p) => (p.ok ? p.events : [])) };
  }
  return { w, spent, poll, cursor: () => cursor, setCursor: (c: string | null) => (cursor = c) };
}

const kinds = (events: ChannelEvent[]) => events.map((e) => e.kind);

describe('Walmart order statuses', () => {
  const TABLE: [status: string, kind: string, needsAck: boolean][] = [
    ['Created', 'order_created', true],
    ['Acknowledged', 'order_created', false],
    ['Shipped', 'order_created', false],
    ['Delivered', 'order_created', false],
    ['Cancelled', 'order_cancelled', false],
  ];
  for (const [status, kind, needsAck] of TABLE) {
    it(`a PO whose lines are ${status} is ${kind}${needsAck ? ', to be acknowledged' : ''}`, () => {
      const r = readOrder(purchaseOrder('PO1', [['A', 2, status]], 1_000, 'N1'));
      if (typeof r === 'string') throw new Error(r);
      expect(kinds(r.events)).toEqual([kind]);
      expect(r.needsAck).toBe(needsAck);
      const order = (r.events[0] as { order: { orderId: string; locationId: string | null; lines: { lineId: string; quantity: number; sku: string | null; keys: string[]; keyPrefixes: string[] }[] } }).order;
      expect(order).toMatchObject({ orderId: 'PO1', locationId: 'N1', lines: [{ lineId: '1', quantity: 2, sku: 'A', keys: ['sku:A@ship_node:N1', 'sku:A'], keyPrefixes: ['sku:A@'] }] });
    });
  }

  it('an auto-cancelled line of an open order releases its units as a cancel refund before the order, named by PO, line and units', () => {
    const po = purchaseOrder('PO2', [['A', 2, 'Acknowledged'], ['B', 1, 'Cancelled']], 5_000);
    const r = readOrder(po);
    if (typeof r === 'string') throw new Error(r);
    expect(kinds(r.events)).toEqual(['refund_created', 'order_created']);
    expect(r.events[0]).toMatchObject({ refund: { refundId: 'PO2:2:cancelled:1', orderId: 'PO2', lines: [{ lineId: '2', quantity: 1, restock: 'cancel', sku: 'B' }] } });
  });

  it('a line split between statuses counts only its cancelled units as cancelled', () => {
    const po = purchaseOrder('PO3', [['A', 3, 'Shipped']], 5_000) as { orderLines: { orderLine: { orderLineStatuses: { orderLineStatus: unknown[] } }[] } };
    po.orderLines.orderLine[0]!.orderLineStatuses.orderLineStatus = [
      { status: 'Shipped', statusQuantity: { unitOfMeasurement: 'EACH', amount: '2' } },
      { status: 'Cancelled', statusQuantity: { unitOfMeasurement: 'EACH', amount: '1' } },
    ];
    const r = readOrder(po);
    if (typeof r === 'string') throw new Error(r);
    expect(kinds(r.events)).toEqual(['refund_created', 'order_created']);
    expect(r.events[0]).toMatchObject({ refund: { refundId: 'PO3:1:cancelled:1' } });
  });

  it('an order without what the model requires is not skipped: it fails the page', () => {
    expect(typeof readOrder({ purchaseOrderId: 'X', orderLines: { orderLine: [{ lineNumber: '1' }] } })).toBe('string');
  });

  it('reading an order never depends on where it came from: the same order gives the same events (property)', () => {
    const status = fc.constantFrom('Created', 'Acknowledged', 'Shipped', 'Delivered', 'Cancelled');
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('A', 'B', 'C'), fc.integer({ min: 1, max: 5 }), status), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 2 ** 40 }), (lines, at) => {
      const a = readOrder(purchaseOrder('PO', lines, at));
      const b = readOrder(JSON.parse(JSON.stringify(purchaseOrder('PO', lines, at))));
      expect(a).toEqual(b);
      if (typeof a === 'string') return;
      const allCancelled = lines.every(([, , s]) => s === 'Cancelled');
      expect(a.events.at(-1)!.kind).toBe(allCancelled ? 'order_cancelled' : 'order_created');
      // Released units are exactly the cancelled ones.
      const released = a.events.filter((e) => e.kind === 'refund_created').flatMap((e) => (e.kind === 'refund_created' ? e.refund.lines : [])).reduce((n, l) => n + l.quantity, 0);
      expect(released).toBe(allCancelled ? 0 : lines.filter(([, , s]) => s === 'Cancelled').reduce((n, [, q]) => n + q, 0));
    }));
  });
});

describe('Walmart order poll', () => {
  it('reads orders by lastModifiedStartDate, then acknowledges the new ones only after their page was applied', async () => {
    const { w, poll, spent } = world();
    w.addOrder('PO1', [['A', 1, 'Created']]);
    w.addOrder('PO2', [['B', 2, 'Acknowledged']]);
    const acksWhenApplied: number[] = [];
    const { events } = await poll((p) => p.ok && p.events.length > 0 && acksWhenApplied.push(w.acknowledged.length));
    expect(kinds(events)).toEqual(['order_created', 'order_created']);
    expect(acksWhenApplied).toEqual([0]);
    expect(w.acknowledged).toEqual(['PO1']);
    const get = w.calls('GET', '/v3/orders')[0]!;
    expect(get.url.searchParams.get('lastModifiedStartDate')).toBe(new Date(w.clock.now() - 60_000).toISOString());
    expect(get.url.searchParams.get('limit')).toBe('200');
    expect(spent).toEqual(['orders', 'acknowledge']);
    expect(w.invalid).toEqual([]);
  });

  it('follows list.meta.nextCursor page by page and moves the window only after the last page', async () => {
    const { w, poll, cursor } = world();
    w.pageSize = 2;
    for (let k = 1; k <= 5; k++) {
      w.addOrder(`PO${k}`, [['A', 1, 'Acknowledged']]);
      w.clock.advance(1_000);
    }
    const readAt = w.clock.now();
    const { events, pages } = await poll();
    expect(events.map((e) => (e as { order: { orderId: string } }).order.orderId)).toEqual(['PO1', 'PO2', 'PO3', 'PO4', 'PO5']);
    expect(pages).toHaveLength(3);
    const gets = w.calls('GET', '/v3/orders');
    expect(gets[1]!.url.searchParams.get('soIndex')).toBe('2');
    expect(gets[1]!.url.searchParams.get('hasMoreElements')).toBe('true');
    const c = parseCursor(cursor(), 0);
    expect(c.next).toBeUndefined();
    expect(c.after).toBe(Math.min(readAt - SETTLE_MS, readAt - 1_000));
    expect(w.invalid).toEqual([]);
  });

  it('a poll stopped by a failed page carries on from the stored nextCursor', async () => {
    const { w, poll, cursor } = world();
    w.pageSize = 1;
    w.addOrder('PO1', [['A', 1, 'Acknowledged']]);
    w.addOrder('PO2', [['A', 1, 'Acknowledged']]);
    w.script('GET /v3/orders', { status: 200, body: { list: { meta: { totalCount: 2, limit: 1, nextCursor: '?limit=1&hasMoreElements=true&soIndex=1&poIndex=1' }, elements: { order: [w.orders[0]!.order] } } } }, { status: 503, body: { errors: [{ code: 'SYSTEM_ERROR' }] } });
    const first = await poll();
    expect(first.pages.at(-1)).toMatchObject({ ok: false, failure: 'transient' });
    expect(parseCursor(cursor(), 0).next).toBe('?limit=1&hasMoreElements=true&soIndex=1&poIndex=1');
    const second = await poll();
    expect(second.events.map((e) => (e as { order: { orderId: string } }).order.orderId)).toEqual(['PO2']);
  });

  it('an acknowledgement that fails waits in the cursor and is sent by the next poll: an order taken is never dropped', async () => {
    const { w, poll, cursor } = world();
    w.addOrder('PO1', [['A', 1, 'Created']]);
    w.script('POST /v3/orders/PO1/acknowledge', { status: 503, body: { errors: [{ code: 'SYSTEM_ERROR' }] } });
    await poll();
    expect(w.acknowledged).toEqual([]);
    expect(parseCursor(cursor(), 0).ack).toEqual(['PO1']);
    // The order did not change on Walmart, so the poll's window no longer reads it: the cursor brings it back.
    await poll();
    expect(w.acknowledged).toEqual(['PO1']);
    expect(parseCursor(cursor(), 0).ack).toEqual([]);
  });

  it('a backlog of acknowledgements waits on the budget for at most ACK_POLL_MS a poll; the rest go next poll', async () => {
    const { w } = world();
    for (let k = 0; k < 60; k++) w.addOrder(`PO${k}`, [['A', 1, 'Created']]);
    // Every acknowledgement's token takes a second to come (an empty budget).
    const env = (c: string | null): PollEnv => ({
      clock: w.clock, fetch: w.fetch, settings: SETTINGS, cursor: c, since: w.clock.now() - 60_000,
      spend: async (_n, budget) => (budget === 'acknowledge' && w.clock.advance(1_000), true),
      observe: () => {},
    });
    let at: string | null = null;
    for await (const p of walmartPoll.pages(env(null))) if (p.ok) at = p.cursor;
    expect(w.acknowledged).toHaveLength(ACK_POLL_MS / 1_000);
    expect(parseCursor(at, 0).ack).toHaveLength(60 - ACK_POLL_MS / 1_000);
    for await (const p of walmartPoll.pages(env(at))) if (p.ok) at = p.cursor;
    expect(w.acknowledged).toHaveLength(60);
    expect(new Set(w.acknowledged).size).toBe(60);
  });

  it('refused credentials stop the poll as auth', async () => {
    const { w, poll } = world();
    w.refuseCredentials = true;
    const { pages } = await poll();
    expect(pages).toEqual([expect.objectContaining({ ok: false, failure: 'auth' })]);
  });

  it('reads at most ORDER_PAGES_PER_POLL_MAX pages in one poll', async () => {
    const { w, poll, cursor } = world();
    w.pageSize = 1;
    for (let k = 0; k < ORDER_PAGES_PER_POLL_MAX + 3; k++) w.addOrder(`PO${k}`, [['A', 1, 'Shipped']]);
    const first = await poll();
    expect(first.events).toHaveLength(ORDER_PAGES_PER_POLL_MAX);
    expect(parseCursor(cursor(), 0).next).toBeDefined();
    expect((await poll()).events).toHaveLength(3);
  });

  it('the next window never starts after a change the read saw, nor moves back (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 0, max: 1e9 }), fc.option(fc.integer({ min: 0, max: 1e12 }), { nil: undefined }), (after, d, newest) => {
      const readAt = after + d;
      const next = nextWindow(after, readAt, newest);
      expect(next).toBeGreaterThanOrEqual(after);
      if (newest !== undefined && newest >= after) expect(next).toBeLessThanOrEqual(newest);
    }));
  });

  it('the page generator reports the settings a poll lacks', async () => {
    const { w } = world();
    const pages: PollPage[] = [];
    for await (const p of walmartPoll.pages({ clock: w.clock, fetch: w.fetch, settings: {}, cursor: null, since: 0, spend: async () => true, observe: () => {} })) pages.push(p);
    expect(pages).toEqual([expect.objectContaining({ ok: false, failure: 'permanent', message: expect.stringContaining('client_id') })]);
    void walmartOrderPages;
    void walmartApi;
  });
});
