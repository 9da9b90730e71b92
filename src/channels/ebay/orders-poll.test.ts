// The eBay order poll against a scripted eBay: the lastmodifieddate filter percent-encoded, pages
// by offset, the cursor, cancellations read from the order itself (getOrder when the list says
// a cancellation is in play), every request checked against the Fulfillment model.

import { describe, expect, it } from 'vitest';
import type { ChannelEvent } from '../../domain/channel-event.ts';
import type { PollPage } from '../kind.ts';
import { FakeEbay, type FakeOrder } from './ebay-api.fixture.ts';
import { EBAY_ORDERS_SETTLE_MS, ebayPoll, encodeFilter, nextWindow, ordersQuery, parseCursor } from './orders-poll.ts';
import { listingKey } from './order-facts.ts';

const iso = (ms: number) => new Date(ms).toISOString();

function order(fake: FakeEbay, n: number, more: Partial<FakeOrder> = {}): FakeOrder {
  const o: FakeOrder = {
    orderId: `12-${String(n).padStart(5, '0')}-00000`,
    creationDate: iso(fake.clock.now() - 60_000),
    lastModifiedDate: iso(fake.clock.now() - 60_000 + n),
    orderPaymentStatus: 'PAID',
    cancelStatus: { cancelState: 'NONE_REQUESTED', cancelRequests: [] },
    lineItems: [{ lineItemId: `${n}001`, sku: 'A', quantity: 1 }],
    ...more,
  };
  fake.orders.push(o);
  return o;
}

async function poll(fake: FakeEbay, cursor: string | null, since: number): Promise<PollPage[]> {
  const pages: PollPage[] = [];
  const spent: string[] = [];
  for await (const p of ebayPoll.pages({ settings: fake.settings(), cursor, since, clock: fake.clock, fetch: fake.fetch, spend: async (_n, b) => (spent.push(b ?? 'default'), true), observe: () => {} })) pages.push(p);
  expect(new Set(spent)).toEqual(new Set(['fulfillment']));
  return pages;
}
const events = (pages: PollPage[]): ChannelEvent[] => pages.flatMap((p) => (p.ok ? p.events : []));

describe('eBay order poll', () => {
  it('percent-encodes the filter’s brackets as eBay requires', () => {
    const q = ordersQuery(Date.UTC(2026, 5, 1, 10, 0, 0, 5), 200);
    expect(q).toBe('filter=lastmodifieddate:%5B2026-06-01T10:00:00.005Z..%5D&limit=200&offset=200');
    expect(q).not.toMatch(/[[\]{}| ]/);
    expect(encodeFilter('orderfulfillmentstatus:{NOT_STARTED|IN_PROGRESS}')).toBe('orderfulfillmentstatus:%7BNOT_STARTED%7CIN_PROGRESS%7D');
  });

  it('reads every page by offset from the channel’s start, then moves the window no later than two minutes before the read', async () => {
    const fake = new FakeEbay();
    const since = fake.clock.now() - 3_600_000;
    for (let n = 0; n < 250; n++) order(fake, n);
    const pages = await poll(fake, null, since);
    expect(pages.map((p) => p.ok && p.events.length)).toEqual([200, 50]);
    const queries = fake.calls.filter((c) => c.path === '/sell/fulfillment/v1/order').map((c) => new URLSearchParams(c.query));
    expect(queries.map((q) => [q.get('filter'), q.get('offset'), q.get('limit')])).toEqual([
      [`lastmodifieddate:[${iso(since)}..]`, '0', '200'],
      [`lastmodifieddate:[${iso(since)}..]`, '200', '200'],
    ]);
    const mid = parseCursor(pages[0]!.ok ? pages[0]!.cursor : null, 0);
    expect(mid).toMatchObject({ after: since, offset: 200 });
    const last = parseCursor(pages[1]!.ok ? pages[1]!.cursor : null, 0);
    expect(last).toEqual({ after: fake.clock.now() - EBAY_ORDERS_SETTLE_MS });
    expect(events(pages)[0]).toMatchObject({ kind: 'order_created', order: { orderId: '12-00000-00000', lines: [{ lineId: '0001', quantity: 1, sku: 'A', keys: [listingKey('A')] }] } });
    expect(fake.invalid).toEqual([]);
  });

  it('a poll stopped mid-read carries on from the stored offset', async () => {
    const fake = new FakeEbay();
    for (let n = 0; n < 250; n++) order(fake, n);
    const cursor = JSON.stringify({ after: 0, offset: 200, readAt: fake.clock.now() });
    const pages = await poll(fake, cursor, 0);
    expect(pages.map((p) => p.ok && p.events.length)).toEqual([50]);
  });

  it('reads a cancellation from the order itself: CANCELED at once, IN_PROGRESS through getOrder’s cancelRequests', async () => {
    const fake = new FakeEbay();
    const cancelled = order(fake, 1, { cancelStatus: { cancelState: 'CANCELED', cancelRequests: [] } });
    const completed = order(fake, 2, { cancelStatus: { cancelState: 'IN_PROGRESS', cancelRequests: [{ cancelRequestId: 'c2', cancelRequestState: 'COMPLETED' }] } });
    const requested = order(fake, 3, { cancelStatus: { cancelState: 'IN_PROGRESS', cancelRequests: [{ cancelRequestId: 'c3', cancelRequestState: 'REQUESTED' }] } });
    const pending = order(fake, 4, { orderPaymentStatus: 'PENDING' });
    const ev = events(await poll(fake, null, 0));
    const byId = new Map(ev.map((e) => [e.kind !== 'refund_created' && 'order' in e ? e.order.orderId : '', e]));
    expect(byId.get(cancelled.orderId)).toMatchObject({ kind: 'order_cancelled', order: { cancelled: true } });
    expect(byId.get(completed.orderId)).toMatchObject({ kind: 'order_cancelled', order: { cancelled: true } });
    expect(byId.get(requested.orderId)).toMatchObject({ kind: 'order_created', order: { cancelled: false } });
    expect(byId.get(pending.orderId)).toMatchObject({ kind: 'order_created', order: { pending: true } });
    // getOrder only for the two whose cancellation is in play.
    expect(fake.calls.filter((c) => c.path.startsWith('/sell/fulfillment/v1/order/')).map((c) => decodeURIComponent(c.path.split('/').pop()!))).toEqual([completed.orderId, requested.orderId]);
    expect(fake.invalid).toEqual([]);
  });

  it('a failed page stops the poll with its failure, the cursor unmoved; refused credentials are auth', async () => {
    const fake = new FakeEbay();
    order(fake, 1);
    fake.scripted.set('getOrders', [{ status: 500, body: { errors: [{ errorId: 30500, domain: 'API_FULFILLMENT', category: 'APPLICATION', message: 'System error' }] } }]);
    expect(await poll(fake, null, 0)).toEqual([{ ok: false, failure: 'transient', retryAfterMs: null, message: expect.stringContaining('30500') }]);
    fake.refuseRefresh = true;
    const other = new FakeEbay();
    other.refuseRefresh = true;
    expect((await poll(other, null, 0))[0]).toMatchObject({ ok: false, failure: 'auth' });
  });

  it('the next window never starts before the last, nor after the newest change seen', () => {
    expect(nextWindow(1_000, 10_000_000, undefined)).toBe(10_000_000 - EBAY_ORDERS_SETTLE_MS);
    expect(nextWindow(1_000, 10_000_000, 5_000)).toBe(5_000);
    expect(nextWindow(9_000_000, 9_000_001, 8_000_000)).toBe(9_000_000);
  });
});
