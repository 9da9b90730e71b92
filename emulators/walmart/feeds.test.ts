import { afterEach, describe, expect, it } from 'vitest';
import { feedExample, harness, type Harness, NODE, shapeErrors } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

const each = (amount: number) => ({ unit: 'EACH', amount });
const NODE_2 = '10000000002';

function feed14(quantities: Record<string, number>) {
  const doc = { InventoryHeader: { version: '1.4' }, Inventory: Object.entries(quantities).map(([sku, n]) => ({ sku, quantity: each(n) })) };
  expect(shapeErrors(doc, feedExample('inventory'))).toEqual([]);
  return JSON.stringify(doc);
}

function feed15(entries: { sku: string; nodes: Record<string, number> }[]) {
  const doc = { inventoryHeader: { version: '1.5' }, inventory: entries.map((e) => ({ sku: e.sku, shipNodes: Object.entries(e.nodes).map(([shipNode, n]) => ({ shipNode, quantity: each(n) })) })) };
  expect(shapeErrors(doc, feedExample('MP_INVENTORY'))).toEqual([]);
  return JSON.stringify(doc);
}

async function submit(text: string, feedType: 'inventory' | 'MP_INVENTORY' = 'inventory') {
  return h.call('POST', '/v3/feeds', { query: { feedType }, file: { text } });
}

const details = async (feedId: string) => (await h.call('GET', `/v3/feeds/${encodeURIComponent(feedId)}`, { query: { includeDetails: 'true' } })).body;

describe('the bulk inventory feed', () => {
  it('the shape check refuses a file unlike the model example', () => {
    expect(shapeErrors({ InventoryHeader: { version: '1.4' }, Inventory: [{ sku: 'A', qty: 1 }] }, feedExample('inventory'))).not.toEqual([]);
  });

  it('goes RECEIVED → INPROGRESS → PROCESSED on the clock, applies quantities only when PROCESSED, and reports each item', async () => {
    h = await harness({ feedReceivedMs: 60_000, feedProcessingMs: 120_000 });
    for (const sku of ['A', 'B', 'C']) h.walmart.addSku({ sku, quantity: 1 });
    h.walmart.failSku('B', { type: 'SYSTEM_ERROR', code: 'EMULATED', description: 'Emulated system error' });
    const { status, body } = await submit(feed14({ A: 5, B: 6, C: 7, GHOST: 8 }));
    expect(status).toBe(200);
    const feedId: string = body.feedId;
    expect((await details(feedId)).feedStatus).toBe('RECEIVED');
    await h.scheduler.advance(60_000);
    const inProgress = await details(feedId);
    expect(inProgress).toMatchObject({ feedStatus: 'INPROGRESS', itemsReceived: 4, itemsProcessing: 4, itemsSucceeded: 0 });
    expect(inProgress.itemDetails.itemIngestionStatus.map((i: { ingestionStatus: string }) => i.ingestionStatus)).toEqual(['INPROGRESS', 'INPROGRESS', 'INPROGRESS', 'INPROGRESS']);
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'A' } })).body.quantity.amount).toBe(1);
    await h.scheduler.advance(119_999);
    expect((await details(feedId)).feedStatus).toBe('INPROGRESS');
    await h.scheduler.advance(1);
    const done = await details(feedId);
    expect(done).toMatchObject({ feedStatus: 'PROCESSED', itemsReceived: 4, itemsSucceeded: 2, itemsFailed: 2, itemsProcessing: 0 });
    expect(done.itemDetails.itemIngestionStatus.map((i: { sku: string; ingestionStatus: string; ingestionErrors: { ingestionError: { code: string }[] } }) => [i.sku, i.ingestionStatus, i.ingestionErrors.ingestionError.map((e) => e.code)])).toEqual([
      ['A', 'SUCCESS', []],
      ['B', 'SYSTEM_ERROR', ['EMULATED']],
      ['C', 'SUCCESS', []],
      ['GHOST', 'DATA_ERROR', ['SKU_NOT_FOUND']],
    ]);
    expect((await h.call('GET', '/v3/inventory', { query: { sku: 'A' } })).body.quantity.amount).toBe(5);
    expect(['A', 'B', 'C'].map((s) => h.walmart.quantity(s))).toEqual([5, 1, 7]);
    expect(h.walmart.counters()).toMatchObject({ feedsSubmitted: 1, feedsProcessed: 1, feedItemsSucceeded: 2, feedItemsFailed: 2 });
  });

  it('takes about 30 minutes by default', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 1 });
    const { body } = await submit(feed14({ A: 2 }));
    await h.scheduler.advance(29 * 60_000);
    expect((await details(body.feedId)).feedStatus).toBe('INPROGRESS');
    await h.scheduler.advance(60_000);
    expect((await details(body.feedId)).feedStatus).toBe('PROCESSED');
  });

  it('MP_INVENTORY (spec 1.5) sets several ship nodes per SKU; an unknown node fails that item only', async () => {
    h = await harness({ shipNodes: [NODE, NODE_2], feedReceivedMs: 0, feedProcessingMs: 1000 });
    h.walmart.addSku({ sku: 'A' });
    h.walmart.addSku({ sku: 'B' });
    const { body } = await submit(feed15([{ sku: 'A', nodes: { [NODE]: 3, [NODE_2]: 4 } }, { sku: 'B', nodes: { '999': 1 } }]), 'MP_INVENTORY');
    await h.scheduler.advance(1000);
    const done = await details(body.feedId);
    expect(done.itemDetails.itemIngestionStatus.map((i: { ingestionStatus: string }) => i.ingestionStatus)).toEqual(['SUCCESS', 'DATA_ERROR']);
    expect([h.walmart.quantity('A', NODE), h.walmart.quantity('A', NODE_2), h.walmart.quantity('B')]).toEqual([3, 4, 0]);
  });

  it('a file that is no inventory feed of its type ends ERROR with an ingestion error, and applies nothing', async () => {
    h = await harness({ feedReceivedMs: 0, feedProcessingMs: 1000 });
    h.walmart.addSku({ sku: 'A', quantity: 1 });
    const ids = [(await submit('not json')).body.feedId, (await submit(feed14({ A: 9 }), 'MP_INVENTORY')).body.feedId];
    await h.scheduler.advance(1000);
    for (const id of ids) {
      const d = await details(id);
      expect(d.feedStatus).toBe('ERROR');
      expect(d.ingestionErrors.ingestionError[0].code).toBe('INVALID_FEED_FILE');
    }
    expect(h.walmart.quantity('A')).toBe(1);
    expect(h.walmart.counters().feedsErrored).toBe(2);
  });

  it('pages item details by offset and limit (≤ 50), lists feeds newest first, and answers 404 for an unknown feed', async () => {
    h = await harness({ feedReceivedMs: 0, feedProcessingMs: 0 });
    const q: Record<string, number> = {};
    for (let i = 0; i < 60; i++) q[`S${i}`] = i;
    for (const sku of Object.keys(q)) h.walmart.addSku({ sku });
    const first = (await submit(feed14({ S0: 1 }))).body.feedId;
    await h.scheduler.advance(1);
    const big = (await submit(feed14(q))).body.feedId;
    const page = (await h.call('GET', `/v3/feeds/${encodeURIComponent(big)}`, { query: { includeDetails: 'true', offset: '50', limit: '50' } })).body;
    expect(page.itemDetails.itemIngestionStatus.map((i: { index: number }) => i.index)).toEqual([50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
    const list = (await h.call('GET', '/v3/feeds')).body;
    expect(list.results.feed.map((f: { feedId: string; feedStatus: string }) => [f.feedId, f.feedStatus])).toEqual([[big, 'PROCESSED'], [first, 'PROCESSED']]);
    expect(list.totalResults).toBe(2);
    expect((await h.call('GET', '/v3/feeds/NOPE')).status).toBe(404);
    expect((await h.call('GET', `/v3/feeds/${encodeURIComponent(big)}`, { query: { includeDetails: 'true', limit: '51' } })).status).toBe(400);
  });

  it('a quantity a feed carries lands at processing time, over what an order did meanwhile (the real channel\'s race)', async () => {
    h = await harness({ feedReceivedMs: 0, feedProcessingMs: 60_000 });
    h.walmart.addSku({ sku: 'A', quantity: 10 });
    await submit(feed14({ A: 10 }));
    await h.scheduler.advance(30_000);
    h.walmart.placeOrder({ lines: [{ sku: 'A', quantity: 4 }] });
    expect(h.walmart.quantity('A')).toBe(6);
    await h.scheduler.advance(30_000);
    expect(h.walmart.quantity('A')).toBe(10);
  });
});

describe('feed limits', () => {
  it('takes 10 inventory feeds an hour (both types together); the 11th is 429 with Retry-After until the first is an hour old', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 1 });
    for (let i = 0; i < 10; i++) {
      expect((await submit(feed14({ A: i }), i % 2 === 0 ? 'inventory' : 'MP_INVENTORY')).status).toBe(200);
      await h.scheduler.advance(60_000);
    }
    const refused = await submit(feed14({ A: 99 }));
    expect([refused.status, refused.body.errors[0].code]).toEqual([429, 'REQUEST_THRESHOLD_VIOLATED']);
    expect(refused.headers.get('retry-after')).toBe(String(50 * 60));
    await h.scheduler.advance(50 * 60_000 - 1000);
    expect((await submit(feed14({ A: 99 }))).status).toBe(429);
    await h.scheduler.advance(1000);
    expect((await submit(feed14({ A: 99 }))).status).toBe(200);
    expect(h.walmart.counters()).toMatchObject({ feedsSubmitted: 11, feedsRefusedHourly: 2, throttled: 2 });
    expect(h.walmart.counters().operations.updateBulkInventory).toEqual({ calls: 13, throttled: 2 });
  });

  it('refuses a file over 5 MB with 413, and a non-multipart body with 415', async () => {
    h = await harness();
    h.walmart.addSku({ sku: 'A', quantity: 1 });
    const big = JSON.stringify({ InventoryHeader: { version: '1.4' }, Inventory: [{ sku: 'A', quantity: each(1) }], pad: 'x'.repeat(5 * 1024 * 1024) });
    const tooLarge = await submit(big);
    expect([tooLarge.status, tooLarge.body.errors[0].code]).toEqual([413, 'REQUEST_ENTITY_TOO_LARGE']);
    const json = await h.call('POST', '/v3/feeds', { query: { feedType: 'inventory' }, body: { InventoryHeader: { version: '1.4' } } });
    expect(json.status).toBe(415);
    const badType = await h.call('POST', '/v3/feeds', { query: { feedType: 'item' }, file: { text: '{}' }, schemaInvalid: true });
    expect(badType.status).toBe(400);
    expect(h.walmart.counters()).toMatchObject({ feedsSubmitted: 0, feedsRefusedTooLarge: 1 });
  });
});
