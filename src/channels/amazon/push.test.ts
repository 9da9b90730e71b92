// The Amazon connector against a scripted SP-API (sp-api.fixture.ts) on a manual clock: every
// request it sends is validated against Amazon's official models, every feed file against the
// feed schema. Patches are followed to a read-back, feeds to their processing report; the
// budgets it declares keep a rate-limited Amazon from ever answering 429.

import { afterEach, describe, expect, it } from 'vitest';
import type { Connector, PushItem } from '../../sync/connector.ts';
import { bucketSpecOf, budgetFor } from '../../sync/connector.ts';
import { TokenBucket } from '../../sync/limiter.ts';
import { amazon } from './kind.ts';
import { AMAZON_FEED_FATAL_COOLDOWN_MS, AMAZON_PATCH_APPLY_MS } from './push.ts';
import { FakeAmazon, fakeSettings } from './sp-api.fixture.ts';

const MARKET = 'ATVPDKIKX0DER';
let fake: FakeAmazon;

function connect(extra: Record<string, unknown> = {}): Connector {
  const c = amazon.connect!(fakeSettings(extra), { clock: fake.clock, fetch: fake.fetch });
  if ('code' in c) throw new Error(c.detail);
  return c;
}
const item = (sku: string, quantity: number, version = 1, listingId = `lst_${sku}`): PushItem => ({ listingId, version, external: { seller_sku: sku, marketplace_id: MARKET }, quantity, expected: null });

function stock(...skus: string[]): void {
  for (const s of skus) fake.shown.set(s, 0);
}

afterEach(() => {
  expect(fake.invalid, 'every request and answer matches the official models').toEqual([]);
});

describe('quantity patches', () => {
  it('patches fulfillment_availability (merge, DEFAULT, the listing’s product type), answers submitted, and acknowledges once a read-back shows the number', async () => {
    fake = new FakeAmazon();
    stock('A-1', 'B/2');
    const c = connect();
    const items = [item('A-1', 7), item('B/2', 3)];
    const pushed = await c.push(items);
    expect(pushed.ok).toBe(true);
    if (!pushed.ok) return;
    const ids = pushed.outcomes.map((o) => (o.status === 'submitted' ? o.submissionId : o.status));
    expect(ids[0]).toMatch(/^patch:/);
    expect(ids[1]).toBe(ids[0]);
    const patches = fake.calls('patchListingsItem');
    expect(patches.map((p) => p.url.pathname)).toEqual(['/listings/2021-08-01/items/A1SELLER/A-1', '/listings/2021-08-01/items/A1SELLER/B%2F2']);
    expect(patches[0]!.url.searchParams.get('marketplaceIds')).toBe(MARKET);
    expect(patches[0]!.body).toEqual({ productType: 'LUGGAGE', patches: [{ op: 'merge', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 7 }] }] });
    expect(patches[0]!.token).toBe('Atza|token-1');

    // ACCEPTED is not applied: still processing until Amazon shows the numbers.
    expect(await c.checkSubmission!(ids[0]!, items)).toMatchObject({ ok: true, state: 'processing' });
    fake.apply();
    expect(await c.checkSubmission!(ids[0]!, items)).toMatchObject({ ok: true, state: 'done', outcomes: [{ status: 'acknowledged' }, { status: 'acknowledged' }] });
    // One search reads both back (SKUs as identifiers), each time the submission is looked at.
    const searches = fake.calls('searchListingsItems');
    expect(searches).toHaveLength(2);
    expect(Object.fromEntries(searches[0]!.url.searchParams)).toMatchObject({ identifiers: 'A-1,B/2', identifiersType: 'SKU', includedData: 'summaries,fulfillmentAvailability,issues' });
    // One lookup per listing before its first patch, and no more once its product type is known.
    expect(fake.calls('getListingsItem')).toHaveLength(2);
    await c.push([item('A-1', 9, 2)]);
    expect(fake.calls('getListingsItem')).toHaveLength(2);
  });

  it('an INVALID submission or a listing without identifiers is rejected, the others go', async () => {
    fake = new FakeAmazon();
    stock('A');
    const c = connect();
    const res = await c.push([item('A', 2), item('NOPE', 1), { ...item('X', 1), external: { seller_sku: 'X' } }]);
    expect(res).toMatchObject({ ok: true, outcomes: [{ status: 'submitted' }, { status: 'rejected', reason: expect.stringContaining('NOPE is not a listing') }, { status: 'rejected' }] });
    expect(fake.calls('patchListingsItem')).toHaveLength(1);
    // A patch Amazon answers INVALID (here: a product type set in the settings that is not the listing's).
    const fixed = connect({ product_type: 'PRODUCT' });
    expect(await fixed.push([item('A', 3, 2)])).toMatchObject({ ok: true, outcomes: [{ status: 'rejected', reason: expect.stringContaining("90000: product type PRODUCT is not the listing's") }] });
  });

  it('an accepted patch that never shows is pushed again after a while; an ERROR issue on the quantity parks it', async () => {
    fake = new FakeAmazon();
    stock('A', 'B');
    const c = connect();
    const items = [item('A', 4), item('B', 5)];
    const res = await c.push(items);
    const id = res.ok && res.outcomes[0]!.status === 'submitted' ? res.outcomes[0]!.submissionId : '';
    fake.queued.length = 0; // Amazon lost them
    fake.issues.set('B', [{ code: '8560', message: 'quantity not allowed', severity: 'ERROR', attributeNames: ['fulfillment_availability'], categories: ['INVALID_ATTRIBUTE'] }]);
    expect(await c.checkSubmission!(id, items)).toMatchObject({ ok: true, state: 'processing' });
    fake.clock.advance(AMAZON_PATCH_APPLY_MS);
    expect(await c.checkSubmission!(id, items)).toMatchObject({ ok: true, state: 'done', outcomes: [{ status: 'not_applied' }, { status: 'rejected', reason: '8560: quantity not allowed' }] });
  });

  it('one push intent is sent once: a retry of the same listing and version answers with its submission', async () => {
    fake = new FakeAmazon();
    stock('A');
    const c = connect();
    const first = await c.push([item('A', 8, 7)]);
    const again = await c.push([item('A', 8, 7)]);
    expect(again).toEqual(first);
    expect(fake.calls('patchListingsItem')).toHaveLength(1);
    await c.push([item('A', 8, 8)]);
    expect(fake.calls('patchListingsItem')).toHaveLength(2);
  });

  it('reads back what Amazon shows, null for a listing it does not know', async () => {
    fake = new FakeAmazon();
    fake.shown.set('A', 6);
    const c = connect();
    expect(await c.readBack([item('A', 1), item('GONE', 1)])).toEqual({ ok: true, shown: [6, null] });
  });
});

describe('failures', () => {
  it('429 QuotaExceeded is throttled (waiting one token of the rate Amazon applied, or its Retry-After); 5xx and resets are transient; a 400 rejects that item only', async () => {
    fake = new FakeAmazon();
    stock('A', 'B');
    fake.rateHeader.set('patchListingsItem', '2.0');
    const c = connect();
    const quota = { status: 429, body: { errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }] } };
    fake.script('patchListingsItem', { status: 200, body: { sku: 'A', status: 'ACCEPTED', submissionId: 's1', issues: [] } }, quota);
    // A is accepted; B's 429 hands B back for the next call.
    const first = await c.push([item('A', 1), item('B', 1)]);
    expect(first).toMatchObject({ ok: true, outcomes: [{ status: 'submitted' }, { status: 'not_applied' }], budget: { budget: 'patchListingsItem', refillPerSecond: 2 } });
    fake.script('patchListingsItem', quota);
    expect(await c.push([item('B', 1)])).toMatchObject({ ok: false, failure: 'throttled', retryAfterMs: 500 });
    fake.script('patchListingsItem', { ...quota, headers: { 'retry-after': '3' } });
    expect(await c.push([item('B', 1)])).toMatchObject({ ok: false, failure: 'throttled', retryAfterMs: 3_000 });
    fake.script('patchListingsItem', { status: 503, body: { errors: [{ code: 'ServiceUnavailable', message: 'down' }] } });
    expect(await c.push([item('B', 1)])).toMatchObject({ ok: false, failure: 'transient' });
    fake.script('patchListingsItem', 'reset');
    expect(await c.push([item('B', 1)])).toMatchObject({ ok: false, failure: 'transient' });
    fake.script('patchListingsItem', { status: 400, body: { errors: [{ code: 'InvalidInput', message: 'bad sku' }] } });
    expect(await c.push([item('B', 1), item('A', 2)])).toMatchObject({ ok: true, outcomes: [{ status: 'rejected', reason: expect.stringContaining('InvalidInput') }, { status: 'submitted' }] });
  });

  it('a refused refresh token is an auth failure, and so is a 403 that a fresh token does not cure', async () => {
    fake = new FakeAmazon();
    stock('A');
    fake.refreshRefused = true;
    expect(await connect().push([item('A', 1)])).toMatchObject({ ok: false, failure: 'auth', message: expect.stringContaining('invalid_grant') });
    expect(await connect().readBack([item('A', 1)])).toMatchObject({ ok: false, failure: 'auth' });

    fake = new FakeAmazon();
    stock('A');
    const forbidden = { status: 403, body: { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.' }] } };
    fake.script('patchListingsItem', forbidden, forbidden);
    expect(await connect().push([item('A', 1)])).toMatchObject({ ok: false, failure: 'auth' });
    expect(fake.tokensIssued).toBe(2);
  });
});

describe('Login with Amazon tokens', () => {
  it('an access token is refreshed ahead of its expiry, so a run across the hour never fails a push', async () => {
    fake = new FakeAmazon();
    stock('A');
    const c = connect();
    for (let minute = 0; minute < 150; minute += 10) {
      fake.clock.advance(10 * 60_000);
      const res = await c.push([item('A', minute, minute)]);
      expect(res.ok, `push at minute ${minute}`).toBe(true);
    }
    // Never a 403: each token was replaced before Amazon would refuse it.
    expect(fake.calls('patchListingsItem').every((s) => s.token !== null)).toBe(true);
    expect(fake.tokensIssued).toBe(3);
  });

  it('a token Amazon refuses early (revoked, clock skew) is replaced once and the push goes through', async () => {
    fake = new FakeAmazon();
    stock('A');
    const c = connect();
    await c.push([item('A', 1, 1)]);
    fake.live.clear();
    const res = await c.push([item('A', 2, 2)]);
    expect(res).toMatchObject({ ok: true, outcomes: [{ status: 'submitted' }] });
    expect(fake.tokensIssued).toBe(2);
  });

  it('concurrent calls share one refresh, and clients of the same settings share the token', async () => {
    fake = new FakeAmazon();
    stock('A', 'B', 'C');
    const [one, two] = [connect(), connect()];
    await Promise.all([one.push([item('A', 1)]), two.push([item('B', 1)]), one.readBack([item('C', 1)])]);
    expect(fake.tokensIssued).toBe(1);
  });
});

describe('budgets', () => {
  it('declares each operation’s documented usage plan, by operationId, and corrected by the settings', () => {
    fake = new FakeAmazon();
    const c = connect({ rate_limits: { getListingsItem: { rate: 1, burst: 2 } } });
    expect(budgetFor(c, 'push')).toBe('patchListingsItem');
    expect(bucketSpecOf(c, 'patchListingsItem')).toEqual({ capacity: 5, refillPerSecond: 5 });
    expect(bucketSpecOf(c, 'searchOrders')).toEqual({ capacity: 20, refillPerSecond: 0.0056 });
    expect(bucketSpecOf(c, 'getListingsItem')).toEqual({ capacity: 2, refillPerSecond: 1 });
    expect(budgetFor(c, 'read')).toBe('searchListingsItems');
    // One call never costs more than a burst, whatever the batch; 20 listings are read back with one search.
    expect(c.pushCost(c.maxBatch)).toBe(5);
    expect(c.submissionCost!()).toBe(1);
    expect(c.readCost(45)).toBe(3);
  });

  it('drawing on its declared budget as the dispatcher does, 300 listings pushed to an Amazon that enforces its usage plan meet no 429', async () => {
    fake = new FakeAmazon();
    fake.enforce('patchListingsItem', 5, 5);
    const skus = Array.from({ length: 300 }, (_, k) => `S${k}`);
    stock(...skus);
    const c = connect({ feed_min_items: 10_000 });
    const bucket = new TokenBucket(bucketSpecOf(c, budgetFor(c, 'push')), fake.clock.now());
    let queue = skus.map((s) => item(s, 3));
    let calls = 0;
    while (queue.length > 0 && calls < 1_000) {
      const cost = c.pushCost(c.maxBatch);
      const wait = bucket.waitFor(cost, fake.clock.now());
      if (wait > 0) fake.clock.advance(wait);
      bucket.tryTake(cost, fake.clock.now());
      const batch = queue.slice(0, c.maxBatch);
      const res = await c.push(batch);
      calls++;
      if (!res.ok) throw new Error(res.message);
      if (res.budget) bucket.observe(res.budget, fake.clock.now());
      queue = [...batch.filter((_, k) => res.outcomes[k]!.status === 'not_applied'), ...queue.slice(c.maxBatch)];
    }
    expect(queue).toEqual([]);
    expect(fake.throttled).toBe(0);
    expect(fake.calls('patchListingsItem')).toHaveLength(300);
  });
});

describe('JSON_LISTINGS_FEED', () => {
  const skus = ['F01', 'F02', 'F03', 'F04', 'F05', 'F06', 'F07', 'F08', 'F09', 'F10', 'F11', 'F12'];

  it('a large batch goes as one feed; failed messages reject their listings, the rest are acknowledged from the report', async () => {
    fake = new FakeAmazon();
    stock(...skus);
    const c = connect({ feed_min_items: 10, product_type: 'LUGGAGE' });
    const items = skus.map((s, k) => item(s, k + 1));
    const res = await c.push(items);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const feedId = [...fake.feeds.keys()][0]!;
    expect(new Set(res.outcomes.map((o) => (o.status === 'submitted' ? o.submissionId.replace(/:\d+:/, ':') : o.status)))).toEqual(new Set([`feed:${feedId}`]));
    expect(fake.calls('patchListingsItem')).toHaveLength(0);
    expect(fake.calls('createFeed')[0]!.body).toEqual({ feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [MARKET], inputFeedDocumentId: 'doc-1' });
    const id = (res.outcomes[0] as { submissionId: string }).submissionId;
    // The dispatcher hands the items back in its own order.
    const shuffled = [...items].reverse();
    expect(await c.checkSubmission!(id, shuffled)).toMatchObject({ ok: true, state: 'processing' });
    fake.finishFeed(feedId, new Set(['F03', 'F11']), { skuInIssues: false });
    const done = await c.checkSubmission!(id, shuffled);
    expect(done.ok && done.state === 'done').toBe(true);
    if (!done.ok || done.state !== 'done') return;
    const bySku = Object.fromEntries(shuffled.map((i, k) => [i.external.seller_sku, done.outcomes[k]!.status]));
    expect(bySku).toEqual({ ...Object.fromEntries(skus.map((s) => [s, 'acknowledged'])), F03: 'rejected', F11: 'rejected' });
    expect(fake.shown.get('F12')).toBe(12);
  });

  it('a batch too small for a feed, or with the feed budget spent, goes by patches one burst at a time', async () => {
    fake = new FakeAmazon();
    stock(...skus);
    const c = connect({ feed_min_items: 10, product_type: 'LUGGAGE', rate_limits: { createFeed: { rate: 0.0083, burst: 1 } } });
    expect(c.maxBatch).toBeGreaterThan(skus.length);
    await c.push(skus.map((s) => item(s, 1)));
    expect(fake.calls('createFeed')).toHaveLength(1);
    // No feed can go now: the dispatcher is asked for one burst of patches at a time.
    expect(c.maxBatch).toBe(5);
    const second = await c.push(skus.map((s) => item(s, 2, 2)));
    expect(fake.calls('createFeed')).toHaveLength(1);
    expect(second.ok && second.outcomes.map((o) => o.status)).toEqual([...Array(5).fill('submitted'), ...Array(7).fill('not_applied')]);
  });

  it('a feed carries only listings whose product type is known; patches learn the others’', async () => {
    fake = new FakeAmazon();
    stock(...skus);
    const c = connect({ feed_min_items: 4 });
    const first = await c.push(skus.map((s) => item(s, 1)));
    expect(fake.calls('createFeed')).toHaveLength(0);
    expect(first.ok && first.outcomes.filter((o) => o.status === 'submitted')).toHaveLength(5);
    const second = await c.push(skus.map((s) => item(s, 2, 2)));
    expect(fake.calls('createFeed')).toHaveLength(1);
    // The five known went as a feed; five more were looked up and patched; the lookups spent, the last two wait.
    const paths = (r: Awaited<ReturnType<Connector['push']>>) => r.ok && r.outcomes.map((o) => (o.status === 'submitted' ? o.submissionId.replace(/:.*/, '') : o.status));
    expect(paths(second)).toEqual([...Array(5).fill('feed'), ...Array(5).fill('patch'), 'not_applied', 'not_applied']);
    fake.clock.advance(2_000);
    expect(paths(await c.push(skus.slice(10).map((s) => item(s, 2, 2))))).toEqual(['patch', 'patch']);
  });

  it('a FATAL feed pushes its listings again, by patches for a while', async () => {
    fake = new FakeAmazon();
    stock(...skus);
    const c = connect({ feed_min_items: 10, product_type: 'LUGGAGE' });
    const res = await c.push(skus.map((s) => item(s, 1)));
    const id = res.ok && res.outcomes[0]!.status === 'submitted' ? res.outcomes[0]!.submissionId : '';
    fake.feeds.get([...fake.feeds.keys()][0]!)!.status = 'FATAL';
    const done = await c.checkSubmission!(id, skus.map((s) => item(s, 1)));
    expect(done.ok && done.state === 'done' && new Set(done.outcomes.map((o) => o.status))).toEqual(new Set(['not_applied']));
    await c.push(skus.map((s) => item(s, 1, 2)));
    expect(fake.calls('createFeed')).toHaveLength(1);
    fake.clock.advance(AMAZON_FEED_FATAL_COOLDOWN_MS);
    await c.push(skus.map((s) => item(s, 1, 3)));
    expect(fake.calls('createFeed')).toHaveLength(2);
  });
});
