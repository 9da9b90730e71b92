import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../app/clock.ts';
import type { PollEnv, PollPage } from '../kind.ts';
import { FBA_EVENTS_PER_PAGE } from './fba-poll.ts';
import { amazon } from './kind.ts';
import { AMAZON_LISTING } from './order-facts.ts';
import { AMAZON_POLL_SECONDS_DEFAULT, amazonPoll, amazonPollPages, formatCursor, parseCursor, pollSettings } from './poll.ts';
import { FakeSpApi, MARKETPLACE } from './poll.fixture.ts';

const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const FBA_MARKET = 'A1F83G8C2ARO7P';

function world(settings: Record<string, unknown> = { locations: { [MARKETPLACE]: 'WH1', [FBA_MARKET]: 'FBA-UK' }, fba_marketplace_ids: [FBA_MARKET] }) {
  const clock = new ManualClock(T0);
  const fake = new FakeSpApi(() => clock.now());
  const spent: string[] = [];
  const env = (cursor: string | null): PollEnv => ({
    settings, cursor, since: T0 - 3_600_000, clock, fetch,
    spend: async (_cost, budget) => (spent.push(String(budget)), true),
    observe: () => {},
  });
  return { clock, fake, env, spent };
}

async function pages(it: AsyncIterable<PollPage>): Promise<PollPage[]> {
  const out: PollPage[] = [];
  for await (const p of it) out.push(p);
  return out;
}

describe('Amazon poll', () => {
  it('declares the listing identity kind.ts declares', () => {
    expect(AMAZON_LISTING).toEqual(amazon.listing);
  });

  it('polls as often as searchOrders refills one call', () => {
    expect(AMAZON_POLL_SECONDS_DEFAULT * 0.0056).toBeGreaterThanOrEqual(1);
    expect(amazonPoll(() => ({ code: 'validation_failed', detail: 'x' })).defaultIntervalSeconds).toBe(AMAZON_POLL_SECONDS_DEFAULT);
  });

  it('reads its settings: marketplaces mapped or read for FBA, the FBA interval', () => {
    expect(pollSettings({ locations: { A: 'X' }, fba_marketplace_ids: ['B', 'B'], fba_poll_seconds: 120 })).toEqual({ marketplaceIds: ['A', 'B'], fbaMarketplaceIds: ['B'], fbaIntervalMs: 120_000 });
    expect(pollSettings({ fba_poll_seconds: 1 })).toEqual({ marketplaceIds: [], fbaMarketplaceIds: [], fbaIntervalMs: 900_000 });
  });

  it('keeps both cursors in one string; a cursor it cannot read starts again at since', () => {
    const c = { orders: { after: T0, token: 't', readAt: T0 + 5, recent: [T0 + 1, T0] }, fba: { [FBA_MARKET]: { readAt: T0, fullAt: T0 - 1 } } };
    expect(parseCursor(formatCursor(c), 0)).toEqual(c);
    expect(parseCursor(null, 42)).toEqual({ orders: { after: 42 }, fba: {} });
    expect(parseCursor('1700000000000', 42)).toEqual({ orders: { after: 42 }, fba: {} });
    expect(parseCursor('{"orders":{"after":"x"}}', 42)).toEqual({ orders: { after: 42 }, fba: {} });
  });

  it('a first poll reads orders from since, then FBA stock in full; the next poll reads FBA only when due', async () => {
    const w = world();
    w.fake.put({ orderId: '111-1', createdTime: T0 - 60_000, lastUpdatedTime: T0 - 60_000, status: 'UNSHIPPED', fulfilledBy: 'MERCHANT', marketplaceId: MARKETPLACE, items: [{ orderItemId: 'OI1', sellerSku: 'S1', quantity: 1 }] });
    for (let n = 0; n < FBA_EVENTS_PER_PAGE + 20; n++) w.fake.summaries.set(`F${n}`, { sellerSku: `F${n}`, lastUpdatedTime: T0 - 86_400_000, fulfillable: 1, reserved: 0, inbound: [0, 0, 0], unfulfillable: 0, researching: 0 });
    w.fake.summariesPerPage = 200;
    const first = await pages(amazonPollPages(w.env(null), w.fake.get));
    expect(w.fake.errors).toEqual([]);
    expect(first.map((p) => (p.ok ? p.events.length : p.failure))).toEqual([1, FBA_EVENTS_PER_PAGE, 20]);
    const cursors = first.map((p) => (p.ok ? parseCursor(p.cursor, 0) : null));
    // The FBA read's cursor moves with its last chunk only.
    expect(cursors.map((c) => c?.fba[FBA_MARKET] ?? null)).toEqual([null, null, { readAt: T0, fullAt: T0 }]);
    expect(new URL(w.fake.calls[0]!.url, 'http://x').searchParams.get('lastUpdatedAfter')).toBe('2026-03-01T11:00:00Z');
    expect(new URL(w.fake.calls[0]!.url, 'http://x').searchParams.get('marketplaceIds')).toBe(`${MARKETPLACE},${FBA_MARKET}`);
    expect(w.spent).toEqual(['searchOrders', 'getInventorySummaries', 'getInventorySummaries', 'getInventorySummaries']);
    const last = first.at(-1)!;
    if (!last.ok) throw new Error('failed');
    w.clock.advance(180_000);
    const second = await pages(amazonPollPages(w.env(last.cursor), w.fake.get));
    expect(second).toHaveLength(1);
    expect(w.spent.at(-1)).toBe('searchOrders');
    w.clock.advance(900_000);
    const third = await pages(amazonPollPages(w.env(second.at(-1)!.ok ? (second.at(-1) as { cursor: string }).cursor : null), w.fake.get));
    expect(w.fake.calls.at(-1)!.url).toContain('startDateTime=');
    expect(third.every((p) => p.ok)).toBe(true);
  });

  it('a throttled order search does not keep FBA stock from being read; its failure comes last, the order window unmoved', async () => {
    const w = world();
    w.fake.summaries.set('F1', { sellerSku: 'F1', lastUpdatedTime: T0, fulfillable: 3, reserved: 0, inbound: [0, 0, 0], unfulfillable: 0, researching: 0 });
    w.fake.failNext = [{ status: 429, failure: 'throttled' }];
    const got = await pages(amazonPollPages(w.env(null), w.fake.get));
    expect(got.map((p) => (p.ok ? 'ok' : p.failure))).toEqual(['ok', 'throttled']);
    const c = got[0]!.ok ? parseCursor((got[0] as { cursor: string }).cursor, 0) : null;
    expect(c?.orders).toEqual({ after: T0 - 3_600_000 });
    expect(c?.fba[FBA_MARKET]).toEqual({ readAt: T0, fullAt: T0 });
  });

  it('refused credentials stop the poll at once', async () => {
    const w = world();
    w.fake.failNext = [{ status: 403, failure: 'auth' }];
    const got = await pages(amazonPollPages(w.env(null), w.fake.get));
    expect(got.map((p) => (p.ok ? 'ok' : p.failure))).toEqual(['auth']);
    expect(w.fake.calls).toHaveLength(1);
  });

  it('a channel whose settings lack what a client needs fails the poll with what is missing', async () => {
    const w = world();
    const spec = amazonPoll(() => ({ code: 'validation_failed', detail: 'settings.refresh_token is missing' }));
    expect(await pages(spec.pages(w.env(null)))).toEqual([{ ok: false, failure: 'permanent', retryAfterMs: null, message: 'settings.refresh_token is missing' }]);
  });
});
