// The Walmart connector against a scripted Walmart (walmart.fixture.ts): every request validated
// against Walmart's official models, on a manual clock.

import { describe, expect, it } from 'vitest';
import type { Connector, PushItem } from '../../sync/connector.ts';
import { walmartApi } from './client.ts';
import { FEED_DETAIL_PAGE, WALMART_FEEDS_PER_HOUR } from './feeds.ts';
import { walmartConnector } from './push.ts';
import type { WalmartSettings } from './settings.ts';
import { BASE, CLIENT_ID, CLIENT_SECRET, FakeWalmart } from './walmart.fixture.ts';

const settings = (extra: Partial<WalmartSettings> = {}): WalmartSettings => ({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, endpoint: BASE, ...extra });

function setup(extra: Partial<WalmartSettings> = {}, skus: string[] = ['A', 'B', 'C']) {
  const w = new FakeWalmart();
  for (const sku of skus) w.shown.set(sku, 0);
  const s = settings(extra);
  const c = walmartConnector(walmartApi(s, { clock: w.clock, fetch: w.fetch }), s, w.clock);
  return { w, c };
}

let versions = 0;
const item = (sku: string, quantity: number, listingId = `lst_${sku}`): PushItem => ({ listingId, version: ++versions, external: { sku }, quantity, expected: null });

async function pushOk(c: Connector, items: PushItem[]) {
  const r = await c.push(items);
  if (!r.ok) throw new Error(`push failed: ${r.failure} ${r.message}`);
  return r.outcomes;
}

describe('walmart connector: single updates', () => {
  it('sets a quantity with PUT /v3/inventory, every call carrying the WM_* headers and a live token', async () => {
    const { w, c } = setup({ ship_node: '10001' });
    expect(await pushOk(c, [item('A', 7), item('B', 3)])).toEqual([{ status: 'acknowledged' }, { status: 'acknowledged' }]);
    expect(w.shown.get('A')).toBe(7);
    expect(w.shown.get('B')).toBe(3);
    const puts = w.calls('PUT', '/v3/inventory');
    expect(puts.map((p) => [p.url.searchParams.get('sku'), p.url.searchParams.get('shipNode'), p.body])).toEqual([
      ['A', '10001', { sku: 'A', quantity: { unit: 'EACH', amount: 7 } }],
      ['B', '10001', { sku: 'B', quantity: { unit: 'EACH', amount: 3 } }],
    ]);
    // Each call its own correlation id.
    const ids = w.seen.map((s) => s.headers.get('WM_QOS.CORRELATION_ID'));
    expect(new Set(ids).size).toBe(ids.length);
    expect(w.invalid).toEqual([]);
  });

  it('rejects only the SKU Walmart does not know; the rest are set', async () => {
    const { w, c } = setup();
    const out = await pushOk(c, [item('A', 1), item('NOPE', 2), item('B', 3)]);
    expect(out[0]).toEqual({ status: 'acknowledged' });
    expect(out[1]).toMatchObject({ status: 'rejected' });
    expect(out[2]).toEqual({ status: 'acknowledged' });
    expect(w.invalid).toEqual([]);
  });

  it('hands back what one call cannot send within a burst of the inventory budget', async () => {
    const { w, c } = setup({ rate_limits: { inventory: { rate: 1, burst: 3 } }, feed_min_items: 1_000 });
    const out = await pushOk(c, [item('A', 1), item('B', 2), item('C', 3)]);
    expect(out.map((o) => o.status)).toEqual(['acknowledged', 'acknowledged', 'not_applied']);
    expect(c.pushCost(3)).toBe(2);
    expect(w.invalid).toEqual([]);
  });

  it('a retried push intent is answered as before, not set again over Walmart’s own change', async () => {
    const { w, c } = setup();
    const a = item('A', 5);
    await pushOk(c, [a]);
    w.shown.set('A', 4); // a sale on Walmart
    expect(await pushOk(c, [a])).toEqual([{ status: 'acknowledged' }]);
    expect(w.shown.get('A')).toBe(4);
    expect(w.calls('PUT', '/v3/inventory')).toHaveLength(1);
    // A new version is a new intent.
    await pushOk(c, [{ ...a, version: a.version + 1, quantity: 6 }]);
    expect(w.shown.get('A')).toBe(6);
  });

  it('reads back what Walmart shows, null for a SKU it does not know', async () => {
    const { w, c } = setup();
    w.shown.set('A', 9);
    expect(await c.readBack([item('A', 0), item('NOPE', 0)])).toEqual({ ok: true, shown: [9, null] });
    expect(c.readCost(2)).toBe(2);
    expect(w.invalid).toEqual([]);
  });
});

describe('walmart connector: failures are classified', () => {
  it('429 is throttled with its Retry-After; 503 and a reset connection transient; 403 auth', async () => {
    const { w, c } = setup();
    w.script('PUT /v3/inventory', { status: 429, body: { errors: [{ code: 'REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API' }] }, headers: { 'retry-after': '7' } });
    expect(await c.push([item('A', 1)])).toMatchObject({ ok: false, failure: 'throttled', retryAfterMs: 7_000 });
    w.script('PUT /v3/inventory', { status: 503, body: { errors: [{ code: 'SYSTEM_ERROR' }] } });
    expect(await c.push([item('A', 1)])).toMatchObject({ ok: false, failure: 'transient' });
    w.script('PUT /v3/inventory', 'reset');
    expect(await c.push([item('A', 1)])).toMatchObject({ ok: false, failure: 'transient' });
    w.script('PUT /v3/inventory', { status: 403, body: { errors: [{ code: 'FORBIDDEN.GMP_GATEWAY_API' }] } });
    expect(await c.push([item('A', 1)])).toMatchObject({ ok: false, failure: 'auth' });
    expect(w.invalid).toEqual([]);
  });

  it('a 400 about the request headers fails the call, not the item', async () => {
    const { w, c } = setup();
    w.script('PUT /v3/inventory', { status: 400, body: { errors: [{ code: 'INVALID_REQUEST_HEADER.GMP_GATEWAY_API', field: 'WM_QOS.CORRELATION_ID', description: 'bad header' }] } });
    expect(await c.push([item('A', 1)])).toMatchObject({ ok: false, failure: 'permanent' });
    w.script('PUT /v3/inventory', { status: 400, body: { errors: [{ code: 'INVALID_REQUEST_CONTENT', field: 'quantity', description: 'bad amount' }] } });
    expect(await c.push([item('A', 1)])).toMatchObject({ ok: true, outcomes: [{ status: 'rejected', reason: expect.stringContaining('bad amount') }] });
  });

  it('a throttled answer without Retry-After waits one token of the budget', async () => {
    const { w, c } = setup({ rate_limits: { inventory: { rate: 2, burst: 10 } } });
    w.script('PUT /v3/inventory', { status: 429, body: { errors: [{ code: 'REQUEST_THRESHOLD_VIOLATED' }] } });
    expect(await c.push([item('A', 1)])).toMatchObject({ ok: false, failure: 'throttled', retryAfterMs: 500 });
  });

  it('refused client credentials are auth, without a single inventory call', async () => {
    const { w, c } = setup();
    w.refuseCredentials = true;
    expect(await c.push([item('A', 1)])).toMatchObject({ ok: false, failure: 'auth' });
    expect(w.calls('PUT', '/v3/inventory')).toHaveLength(0);
  });

  it('a call that failed after some items went through reports those items and hands back the rest', async () => {
    const { w, c } = setup();
    w.script('PUT /v3/inventory', { status: 200, body: { sku: 'A', quantity: { unit: 'EACH', amount: 1 } } }, { status: 503, body: { errors: [{ code: 'SYSTEM_ERROR' }] } });
    const out = await pushOk(c, [item('A', 1), item('B', 2), item('C', 3)]);
    expect(out.map((o) => o.status)).toEqual(['acknowledged', 'not_applied', 'not_applied']);
    expect(w.calls('PUT', '/v3/inventory')).toHaveLength(2);
  });
});

describe('walmart connector: the access token', () => {
  it('is refreshed ahead of its 15 minutes on the clock, without a failed push; concurrent calls share one token call', async () => {
    const { w, c } = setup();
    await Promise.all([c.push([item('A', 1)]), c.push([item('B', 1)]), c.readBack([item('C', 0)])]);
    expect(w.tokenCalls).toBe(1);
    w.clock.advance(10 * 60_000);
    await pushOk(c, [item('A', 2)]);
    expect(w.tokenCalls).toBe(1);
    // 14 minutes in: within the refresh margin, a new token before the call.
    w.clock.advance(4 * 60_000);
    expect(await pushOk(c, [item('A', 3)])).toEqual([{ status: 'acknowledged' }]);
    expect(w.tokenCalls).toBe(2);
    w.clock.advance(60 * 60_000);
    expect(await pushOk(c, [item('A', 4)])).toEqual([{ status: 'acknowledged' }]);
    expect(w.tokenCalls).toBe(3);
    // No call ever went out with an expired token.
    expect(w.invalid).toEqual([]);
  });

  it('a token Walmart refuses early (401) is replaced once, and the call goes through', async () => {
    const { w, c } = setup();
    await pushOk(c, [item('A', 1)]);
    w.script('PUT /v3/inventory', { status: 401, body: { errors: [{ code: 'UNAUTHORIZED.GMP_GATEWAY_API' }] } });
    expect(await pushOk(c, [item('A', 2)])).toEqual([{ status: 'acknowledged' }]);
    expect(w.tokenCalls).toBe(2);
    expect(w.shown.get('A')).toBe(2);
  });
});

describe('walmart connector: bulk inventory feeds', () => {
  const many = (n: number, q = 5) => Array.from({ length: n }, (_, k) => item(`S${k}`, q));
  const skus = (n: number) => Array.from({ length: n }, (_, k) => `S${k}`);

  it('sends a large batch as one multipart feed, followed until PROCESSED; item errors fail exactly those items', async () => {
    const { w, c } = setup({ feed_min_items: 3 }, skus(4));
    const items = many(4);
    const out = await pushOk(c, items);
    expect(out.every((o) => o.status === 'submitted')).toBe(true);
    const id = (out[0] as { submissionId: string }).submissionId;
    const post = w.calls('POST', '/v3/feeds');
    expect(post).toHaveLength(1);
    expect(post[0]!.url.searchParams.get('feedType')).toBe('inventory');
    const feed = [...w.feeds.values()][0]!;
    expect(feed.items).toEqual(skus(4).map((sku) => ({ sku, amount: 5 })));
    // Received, then in progress: still processing (not drift, not pushed).
    expect(await c.checkSubmission!(id, items)).toMatchObject({ ok: true, state: 'processing' });
    feed.status = 'INPROGRESS';
    expect(await c.checkSubmission!(id, items)).toMatchObject({ ok: true, state: 'processing' });
    feed.status = 'PROCESSED';
    feed.itemStatus.set('S1', 'DATA_ERROR');
    feed.itemStatus.set('S2', 'SYSTEM_ERROR');
    const done = await c.checkSubmission!(id, items);
    expect(done).toMatchObject({ ok: true, state: 'done' });
    const outcomes = (done as { outcomes: { status: string }[] }).outcomes;
    expect(outcomes.map((o) => o.status)).toEqual(['acknowledged', 'rejected', 'not_applied', 'acknowledged']);
    expect(outcomes[1]).toMatchObject({ reason: expect.stringContaining('ERR_EXT_DATA_0101') });
    const status = w.calls('GET', `/v3/feeds/${encodeURIComponent(feed.id)}`);
    expect(status.length).toBe(3);
    expect(status[0]!.url.searchParams.get('includeDetails')).toBe('true');
    expect(w.invalid).toEqual([]);
  });

  it('by default a batch goes as a feed only when single updates would take longer than two minutes to send it', async () => {
    // 0.1 a second: two minutes of single updates is 12 listings.
    const { w, c } = setup({ rate_limits: { inventory: { rate: 0.1, burst: 50 } } }, skus(12));
    expect((await pushOk(c, many(11))).every((o) => o.status === 'acknowledged')).toBe(true);
    expect(w.calls('POST', '/v3/feeds')).toHaveLength(0);
    expect((await pushOk(c, many(12, 6))).every((o) => o.status === 'submitted')).toBe(true);
    expect(w.calls('POST', '/v3/feeds')).toHaveLength(1);
  });

  it('a feed with errors beyond the first detail page is settled after every page was read, one page per check', async () => {
    const n = FEED_DETAIL_PAGE * 2 + 5;
    const { w, c } = setup({ feed_min_items: 10 }, skus(n));
    const items = many(n);
    const out = await pushOk(c, items);
    const id = (out[0] as { submissionId: string }).submissionId;
    const feed = [...w.feeds.values()][0]!;
    feed.status = 'PROCESSED';
    feed.itemStatus.set(`S${n - 1}`, 'DATA_ERROR');
    expect(await c.checkSubmission!(id, items)).toMatchObject({ state: 'processing' });
    expect(await c.checkSubmission!(id, items)).toMatchObject({ state: 'processing' });
    const done = (await c.checkSubmission!(id, items)) as { state: string; outcomes: { status: string }[] };
    expect(done.state).toBe('done');
    expect(done.outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
    expect(done.outcomes[n - 1]!.status).toBe('rejected');
    expect(done.outcomes.filter((o) => o.status === 'acknowledged')).toHaveLength(n - 1);
  });

  it('a feed whose counts say every item succeeded is settled from one call', async () => {
    const n = FEED_DETAIL_PAGE * 3;
    const { w, c } = setup({ feed_min_items: 10 }, skus(n));
    const items = many(n);
    const id = ((await pushOk(c, items))[0] as { submissionId: string }).submissionId;
    [...w.feeds.values()][0]!.status = 'PROCESSED';
    const done = (await c.checkSubmission!(id, items)) as { state: string; outcomes: { status: string }[] };
    expect(done.state).toBe('done');
    expect(done.outcomes.every((o) => o.status === 'acknowledged')).toBe(true);
    expect(w.seen.filter((s) => s.path.startsWith('/v3/feeds/'))).toHaveLength(1);
  });

  it('a feed in ERROR applied nothing: every item is pushed again', async () => {
    const { w, c } = setup({ feed_min_items: 2 }, skus(2));
    const items = many(2);
    const id = ((await pushOk(c, items))[0] as { submissionId: string }).submissionId;
    [...w.feeds.values()][0]!.status = 'ERROR';
    expect(await c.checkSubmission!(id, items)).toMatchObject({ state: 'done', outcomes: [{ status: 'not_applied' }, { status: 'not_applied' }] });
  });

  it('never sends more than 10 feeds in an hour: the next large batch goes by single updates, and feeds resume as the hour rolls', async () => {
    const { w, c } = setup({ feed_min_items: 2, rate_limits: { inventory: { rate: 100, burst: 101 } } }, skus(3));
    for (let k = 0; k < WALMART_FEEDS_PER_HOUR; k++) {
      const out = await pushOk(c, many(3, k));
      expect(out.every((o) => o.status === 'submitted')).toBe(true);
      w.clock.advance(60_000);
    }
    expect(w.calls('POST', '/v3/feeds')).toHaveLength(WALMART_FEEDS_PER_HOUR);
    expect(c.maxBatch).toBe(100);
    const out = await pushOk(c, many(3, 99));
    expect(out.map((o) => o.status)).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
    expect(w.calls('POST', '/v3/feeds')).toHaveLength(WALMART_FEEDS_PER_HOUR);
    // The first feed leaves the window an hour (and a minute of slack) after it was sent.
    w.clock.advance(52 * 60_000);
    expect((await pushOk(c, many(3, 7))).every((o) => o.status === 'submitted')).toBe(true);
    expect(w.calls('POST', '/v3/feeds')).toHaveLength(WALMART_FEEDS_PER_HOUR + 1);
    expect(w.invalid).toEqual([]);
  });

  it('a feed Walmart throttles anyway (another app of the seller) stops feeds until its Retry-After; the batch goes by single updates', async () => {
    const { w, c } = setup({ feed_min_items: 2 }, skus(3));
    w.script('POST /v3/feeds', { status: 429, body: { errors: [{ code: 'REQUEST_THRESHOLD_VIOLATED' }] }, headers: { 'retry-after': '600' } });
    const out = await pushOk(c, many(3));
    expect(out.map((o) => o.status)).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
    await pushOk(c, many(3, 2));
    expect(w.calls('POST', '/v3/feeds')).toHaveLength(1);
    w.clock.advance(601_000);
    expect((await pushOk(c, many(3, 3))).every((o) => o.status === 'submitted')).toBe(true);
  });

  it('a retry of a submitted intent answers the same submission, not a second feed', async () => {
    const { w, c } = setup({ feed_min_items: 2 }, skus(2));
    const items = many(2);
    const first = await pushOk(c, items);
    expect(await pushOk(c, items)).toEqual(first);
    expect(w.calls('POST', '/v3/feeds')).toHaveLength(1);
  });

  it('a feed that applies after a newer single update of one of its SKUs does not leave the older number: it is set again', async () => {
    const { w, c } = setup({ feed_min_items: 2 }, skus(2));
    const items = many(2, 10);
    const id = ((await pushOk(c, items))[0] as { submissionId: string }).submissionId;
    // A sale: S0 goes to 9 by a single update while the feed is processing.
    expect(await pushOk(c, [item('S0', 9, 'lst_S0')])).toEqual([{ status: 'acknowledged' }]);
    expect(w.shown.get('S0')).toBe(9);
    [...w.feeds.values()][0]!.status = 'PROCESSED';
    expect(await c.checkSubmission!(id, items)).toMatchObject({ state: 'done' });
    // Walmart applied the feed's 10 … and the connector set 9 again.
    expect(w.shown.get('S0')).toBe(9);
    expect(w.shown.get('S1')).toBe(10);
    expect(w.calls('PUT', '/v3/inventory').map((p) => [p.url.searchParams.get('sku'), (p.body as { quantity: { amount: number } }).quantity.amount])).toEqual([['S0', 9], ['S0', 9]]);
    expect(w.invalid).toEqual([]);
  });
});
