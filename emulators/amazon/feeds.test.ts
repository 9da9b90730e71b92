import { afterEach, describe, expect, it } from 'vitest';
import { feedSchema, harness, type Harness, MARKETPLACE, reportSchema, SELLER } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

const DOCS = '/feeds/2021-06-30/documents';
const FEEDS = '/feeds/2021-06-30/feeds';

function feedOf(quantities: Record<string, number>, sellerId = SELLER) {
  return {
    header: { sellerId, version: '2.0', issueLocale: 'en_US' },
    messages: Object.entries(quantities).map(([sku, quantity], i) => ({
      messageId: i + 1,
      sku,
      operationType: 'PATCH',
      productType: 'PRODUCT',
      patches: [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity }] }],
    })),
  };
}

/** createFeedDocument, PUT the content, createFeed: the feed id. */
async function submit(content: string): Promise<string> {
  const doc = await h.call('POST', DOCS, { body: { contentType: 'application/json; charset=UTF-8' } });
  expect(doc.status).toBe(201);
  const put = await h.fetch(doc.body.url, { method: 'PUT', headers: { 'content-type': 'application/json; charset=UTF-8' }, body: content });
  expect(put.status).toBe(200);
  const feed = await h.call('POST', FEEDS, { body: { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [MARKETPLACE], inputFeedDocumentId: doc.body.feedDocumentId } });
  expect(feed.status).toBe(202);
  return feed.body.feedId;
}

async function report(feedId: string) {
  const feed = (await h.call('GET', `${FEEDS}/${feedId}`)).body;
  const doc = await h.call('GET', `${DOCS}/${feed.resultFeedDocumentId}`);
  const res = await h.fetch(doc.body.url);
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(reportSchema().validate(body)).toEqual([]);
  return body;
}

describe('JSON_LISTINGS_FEED', () => {
  it('moves IN_QUEUE → IN_PROGRESS → DONE on the clock, applies the quantities, and reports per message', async () => {
    h = await harness({ feedQueueMs: 10_000, feedProcessingMs: 30_000, usagePlans: { getFeedDocument: { rate: 1, burst: 10 } } });
    for (const sku of ['A', 'B', 'C']) h.amazon.addListing({ sku, quantity: 1 });
    h.amazon.failSku('B', { code: '90000900', message: 'Emulated failure' });
    const feed = feedOf({ A: 5, B: 6, C: 7, GHOST: 8 });
    expect(feedSchema().validate(feed)).toEqual([]);
    const feedId = await submit(JSON.stringify(feed));
    const status = async () => (await h.call('GET', `${FEEDS}/${feedId}`)).body.processingStatus;
    expect(await status()).toBe('IN_QUEUE');
    await h.scheduler.advance(10_000);
    expect(await status()).toBe('IN_PROGRESS');
    expect(h.amazon.quantity('A')).toBe(1);
    await h.scheduler.advance(29_999);
    expect(await status()).toBe('IN_PROGRESS');
    await h.scheduler.advance(1);
    const done = (await h.call('GET', `${FEEDS}/${feedId}`)).body;
    expect(done).toMatchObject({ processingStatus: 'DONE', processingStartTime: '2026-11-23T10:00:10Z', processingEndTime: '2026-11-23T10:00:40Z', resultFeedDocumentId: expect.any(String) });
    expect(['A', 'B', 'C'].map((s) => h.amazon.quantity(s))).toEqual([5, 1, 7]);
    const r = await report(feedId);
    expect(r.header).toEqual({ sellerId: SELLER, version: '2.0', feedId });
    expect(r.summary).toEqual({ errors: 2, warnings: 0, messagesProcessed: 4, messagesAccepted: 2, messagesInvalid: 2 });
    expect(r.issues.map((i: { messageId: number; sku: string; code: string }) => [i.messageId, i.sku, i.code])).toEqual([[2, 'B', '90000900'], [4, 'GHOST', 'NOT_FOUND']]);
  });

  it('ends FATAL for a document that is not a valid listings feed, or never uploaded', async () => {
    h = await harness({ feedQueueMs: 0, feedProcessingMs: 1000 });
    h.amazon.addListing({ sku: 'A', quantity: 1 });
    const broken = { header: { sellerId: SELLER, version: '2.0' }, messages: [{ messageId: 1, sku: 'A', operationType: 'PATCH', productType: 'PRODUCT' }] };
    expect(feedSchema().validate(broken)).not.toEqual([]);
    const ids = [await submit(JSON.stringify(broken)), await submit('not json'), await submit(JSON.stringify(feedOf({ A: 3 }, 'A9SOMEONEELSE')))];
    const doc = await h.call('POST', DOCS, { body: { contentType: 'application/json' } });
    ids.push((await h.call('POST', FEEDS, { body: { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [MARKETPLACE], inputFeedDocumentId: doc.body.feedDocumentId } })).body.feedId);
    await h.scheduler.advance(1000);
    for (const id of ids) {
      expect((await h.call('GET', `${FEEDS}/${id}`)).body.processingStatus).toBe('FATAL');
    }
    const r = await report(ids[0]!);
    expect(r.issues[0]).toMatchObject({ severity: 'ERROR', code: 'INVALID_FEED_DOCUMENT' });
    expect(h.amazon.quantity('A')).toBe(1);
    expect(h.amazon.counters()).toMatchObject({ feedsFatal: 4, feedsDone: 0 });
  });

  it('an upload URL expires 5 minutes after it is handed out', async () => {
    h = await harness();
    const doc = await h.call('POST', DOCS, { body: { contentType: 'application/json' } });
    await h.scheduler.advance(5 * 60_000 + 1000);
    const put = await h.fetch(doc.body.url, { method: 'PUT', body: '{}' });
    expect(put.status).toBe(403);
    expect(await put.text()).toMatch(/Request has expired/);
    expect((await h.fetch(doc.body.url.replace(/[^/]+$/, 'forged'), { method: 'PUT', body: '{}' })).status).toBe(403);
  });

  it('cancels a feed only while IN_QUEUE', async () => {
    h = await harness({ feedQueueMs: 10_000, feedProcessingMs: 10_000 });
    h.amazon.addListing({ sku: 'A', quantity: 1 });
    const first = await submit(JSON.stringify(feedOf({ A: 9 })));
    const cancelled = await h.call('DELETE', `${FEEDS}/${first}`);
    expect(cancelled.status).toBe(200);
    const second = await submit(JSON.stringify(feedOf({ A: 4 })));
    await h.scheduler.advance(10_000);
    expect((await h.call('DELETE', `${FEEDS}/${second}`)).status).toBe(400);
    await h.scheduler.advance(10_000);
    expect((await h.call('GET', `${FEEDS}/${first}`)).body.processingStatus).toBe('CANCELLED');
    expect((await h.call('GET', `${FEEDS}/${second}`)).body.processingStatus).toBe('DONE');
    expect(h.amazon.quantity('A')).toBe(4);
    expect((await h.call('DELETE', `${FEEDS}/404`)).status).toBe(404);
  });

  it('refuses other feed types, unknown documents and bad specifications', async () => {
    h = await harness();
    const doc = await h.call('POST', DOCS, { body: { contentType: 'text/xml' } });
    const id = doc.body.feedDocumentId;
    expect((await h.call('POST', FEEDS, { body: { feedType: 'POST_PRODUCT_DATA', marketplaceIds: [MARKETPLACE], inputFeedDocumentId: id } })).status).toBe(400);
    expect((await h.call('POST', FEEDS, { body: { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [MARKETPLACE], inputFeedDocumentId: 'nope' } })).status).toBe(400);
    expect((await h.call('POST', FEEDS, { body: { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [], inputFeedDocumentId: id }, schemaInvalid: true })).status).toBe(400);
    expect((await h.call('POST', DOCS, { body: {}, schemaInvalid: true })).status).toBe(400);
    expect((await h.call('GET', `${DOCS}/nope`)).status).toBe(404);
  });
});
