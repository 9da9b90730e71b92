import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../app/clock.ts';
import type { ChannelEvent, ManagedStockFacts } from '../../domain/channel-event.ts';
import { FBA_FULL_READ_MS, FBA_OVERLAP_MS, fbaDue, readFba, stockFacts } from './fba-poll.ts';
import { listingKey } from './order-facts.ts';
import { FakeSpApi, type FakeSummary, fbaApiModel, MARKETPLACE, modelSummary } from './poll.fixture.ts';

const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
/** Amazon's budget for getInventorySummaries: 2 calls a second. */
const CALL_MS = 500;

function summary(n: number, at = T0 - 86_400_000): FakeSummary {
  return { sellerSku: `FBA-${String(n).padStart(4, '0')}`, lastUpdatedTime: at, fulfillable: n, reserved: 2, inbound: [1, 2, 3], unfulfillable: 4, researching: 5 };
}

function world() {
  const clock = new ManualClock(T0);
  const fake = new FakeSpApi(() => clock.now());
  /** Extra wait before a call (ms), in turn: another client spent the budget. */
  const waits: number[] = [];
  const deps = {
    get: fake.get,
    spend: async () => {
      clock.advance(CALL_MS + (waits.shift() ?? 0));
      return true;
    },
    observe: () => {},
    now: () => clock.now(),
  };
  return { clock, fake, deps, waits };
}

const stockOf = (e: ChannelEvent): ManagedStockFacts => (e.kind === 'managed_stock_reported' ? e.stock : (() => { throw new Error(e.kind); })());

describe('FBA summaries', () => {
  it('map to the documented buckets, at the marketplace, keyed by seller SKU and marketplace', () => {
    const body = modelSummary(summary(7));
    expect(fbaApiModel().validateResponse({ operationId: 'getInventorySummaries', status: 200, body: { payload: { granularity: { granularityType: 'Marketplace', granularityId: MARKETPLACE }, inventorySummaries: [body] } } })).toEqual([]);
    expect(stockFacts(body, MARKETPLACE)).toEqual({
      keys: [listingKey('FBA-0007', MARKETPLACE)], sku: 'FBA-0007', locationId: MARKETPLACE,
      available: 7, reserved: 2, inbound: 1 + 2 + 3, unfulfillable: 4, researching: 5,
    });
  });

  it('a summary without details or seller SKU is left out; missing buckets are 0', () => {
    expect(stockFacts({ sellerSku: 'A', totalQuantity: 3 }, MARKETPLACE)).toBeNull();
    expect(stockFacts({ inventoryDetails: {} }, MARKETPLACE)).toBeNull();
    expect(stockFacts({ sellerSku: 'A', inventoryDetails: { fulfillableQuantity: 3 } }, MARKETPLACE)).toMatchObject({ available: 3, reserved: 0, inbound: 0, unfulfillable: 0, researching: 0 });
  });

  it('the first read is full, with valid requests (details, Marketplace granularity) paged by nextToken', async () => {
    const w = world();
    for (let n = 0; n < 120; n++) w.fake.summaries.set(`FBA-${n}`, summary(n));
    const read = await readFba(w.deps, MARKETPLACE, undefined);
    expect(w.fake.errors).toEqual([]);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.events).toHaveLength(120);
    expect(read.cursor).toEqual({ readAt: T0, fullAt: T0 });
    const qs = w.fake.calls.map((c) => new URL(c.url, 'http://x').searchParams);
    expect(qs).toHaveLength(3);
    expect(qs.map((q) => [q.get('details'), q.get('granularityType'), q.get('granularityId'), q.get('marketplaceIds'), q.get('startDateTime')])).toEqual(Array(3).fill(['true', 'Marketplace', MARKETPLACE, MARKETPLACE, null]));
    expect(qs.map((q) => q.get('nextToken') !== null)).toEqual([false, true, true]);
    expect(new Set(read.events.map((e) => (e.kind === 'managed_stock_reported' ? e.eventId : ''))).size).toBe(120);
  });

  it('the same picture read again is the same event (id and time); a changed picture is a new one', async () => {
    const w = world();
    w.fake.summaries.set('A', summary(1));
    const first = await readFba(w.deps, MARKETPLACE, undefined);
    w.clock.advance(3_600_000);
    const again = await readFba(w.deps, MARKETPLACE, undefined);
    if (!first.ok || !again.ok) throw new Error('read failed');
    expect(again.events).toEqual(first.events);
    expect(first.events[0]).toMatchObject({ occurredAt: T0 - 86_400_000 });
    // An inbound change Amazon does not date: same lastUpdatedTime, another picture.
    w.fake.summaries.set('A', { ...summary(1), inbound: [0, 0, 0] });
    const changed = await readFba(w.deps, MARKETPLACE, undefined);
    if (!changed.ok) throw new Error('read failed');
    const id = (e: ChannelEvent) => (e.kind === 'managed_stock_reported' ? e.eventId : '');
    expect(id(changed.events[0]!)).not.toBe(id(first.events[0]!));
  });

  it('later reads ask for what changed since the last read began (less the overlap), and a full read comes back on schedule', async () => {
    const w = world();
    for (let n = 0; n < 10; n++) w.fake.summaries.set(`FBA-${n}`, summary(n));
    const first = await readFba(w.deps, MARKETPLACE, undefined);
    if (!first.ok) throw new Error(first.message);
    w.clock.advance(900_000);
    w.fake.summaries.set('FBA-3', { ...summary(3), fulfillable: 1, lastUpdatedTime: w.clock.now() - 1000 });
    expect(fbaDue(first.cursor, w.clock.now(), 900_000)).toBe(true);
    const changed = await readFba(w.deps, MARKETPLACE, first.cursor);
    if (!changed.ok) throw new Error(changed.message);
    expect(new URL(w.fake.calls.at(-1)!.url, 'http://x').searchParams.get('startDateTime')).toBe(new Date(first.cursor.readAt - FBA_OVERLAP_MS).toISOString().replace('.000Z', 'Z'));
    expect(changed.events.map((e) => stockOf(e).sku)).toEqual(['FBA-0003']);
    expect(stockOf(changed.events[0]!).available).toBe(1);
    expect(changed.cursor.fullAt).toBe(first.cursor.fullAt);
    w.clock.advance(FBA_FULL_READ_MS);
    const full = await readFba(w.deps, MARKETPLACE, changed.cursor);
    if (!full.ok) throw new Error(full.message);
    expect(new URL(w.fake.calls.at(-1)!.url, 'http://x').searchParams.has('startDateTime')).toBe(false);
    expect(full.events).toHaveLength(10);
    expect(full.cursor.fullAt).toBe(full.cursor.readAt);
    expect(w.fake.errors).toEqual([]);
  });

  it('a nextToken that expired (30 s) starts the read again, and the read completes', async () => {
    const w = world();
    for (let n = 0; n < 120; n++) w.fake.summaries.set(`FBA-${n}`, summary(n));
    w.waits.push(0, 31_000);
    const read = await readFba(w.deps, MARKETPLACE, undefined);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const answers = w.fake.calls.map((c) => new URL(c.url, 'http://x').searchParams.get('nextToken') !== null);
    // Page 1, its token refused after the wait, then pages 1-3 again.
    expect(answers).toEqual([false, true, false, true, true]);
    expect(read.events).toHaveLength(120);
    expect(new Set(read.events.map((e) => stockOf(e).sku)).size).toBe(120);
    expect(w.fake.errors).toEqual([]);
  });

  it('gives up after repeated expiries, and reports a throttled call as throttled', async () => {
    const w = world();
    for (let n = 0; n < 60; n++) w.fake.summaries.set(`FBA-${n}`, summary(n));
    w.waits.push(0, 31_000, 0, 31_000, 0, 31_000);
    const read = await readFba(w.deps, MARKETPLACE, undefined);
    expect(read).toMatchObject({ ok: false, failure: 'permanent' });
    w.fake.failNext = [{ status: 429, failure: 'throttled' }];
    expect(await readFba(w.deps, MARKETPLACE, undefined)).toMatchObject({ ok: false, failure: 'throttled' });
  });
});
