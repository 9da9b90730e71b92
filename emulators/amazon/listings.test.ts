import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness, listingPath, MARKETPLACE, quantityPatch, SELLER } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

const q = { marketplaceIds: MARKETPLACE };
const readBack = async (sku: string) => (await h.call('GET', listingPath(sku), { query: { ...q, includedData: 'fulfillmentAvailability,summaries' } })).body;

describe('patchListingsItem', () => {
  it('answers ACCEPTED and applies the quantity only after the processing delay', async () => {
    h = await harness({ listingProcessingMs: 5000 });
    h.amazon.addListing({ sku: 'MUG', quantity: 3 });
    const r = await h.call('PATCH', listingPath('MUG'), { query: q, body: quantityPatch(10) });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ sku: 'MUG', status: 'ACCEPTED', submissionId: expect.any(String), issues: [] });
    expect(r.headers.get('x-amzn-ratelimit-limit')).toBe('5.0');
    expect((await readBack('MUG')).fulfillmentAvailability).toEqual([{ fulfillmentChannelCode: 'DEFAULT', quantity: 3 }]);
    await h.scheduler.advance(4999);
    expect((await readBack('MUG')).fulfillmentAvailability).toEqual([{ fulfillmentChannelCode: 'DEFAULT', quantity: 3 }]);
    await h.scheduler.advance(1);
    const item = await readBack('MUG');
    expect(item.fulfillmentAvailability).toEqual([{ fulfillmentChannelCode: 'DEFAULT', quantity: 10 }]);
    expect(item.summaries[0]).toMatchObject({ marketplaceId: MARKETPLACE, productType: 'PRODUCT', status: ['BUYABLE', 'DISCOVERABLE'], lastUpdatedDate: '2026-11-23T10:00:05Z' });
    expect(h.amazon.counters()).toMatchObject({ patchesAccepted: 1, patchesApplied: 1 });
  });

  it('VALIDATION_PREVIEW answers VALID or INVALID and applies nothing', async () => {
    h = await harness();
    h.amazon.addListing({ sku: 'MUG', quantity: 3 });
    const valid = await h.call('PATCH', listingPath('MUG'), { query: { ...q, mode: 'VALIDATION_PREVIEW' }, body: quantityPatch(7) });
    expect(valid.body).toMatchObject({ status: 'VALID' });
    const invalid = await h.call('PATCH', listingPath('MUG'), { query: { ...q, mode: 'VALIDATION_PREVIEW' }, body: quantityPatch(-1) });
    expect(invalid.body).toMatchObject({ status: 'INVALID', issues: [{ severity: 'ERROR', attributeNames: ['fulfillment_availability'] }] });
    await h.scheduler.advance(60_000);
    expect(h.amazon.quantity('MUG')).toBe(3);
  });

  it('answers INVALID with issues for an unknown product type, an unknown SKU, a bad quantity and an FBA listing', async () => {
    h = await harness();
    h.amazon.addListing({ sku: 'MUG', quantity: 3 });
    h.amazon.addListing({ sku: 'MUG-FBA', channel: 'AFN' });
    const cases: [string, unknown, string][] = [
      ['MUG', quantityPatch(5, 'SPACESHIP'), 'INVALID_PRODUCT_TYPE'],
      ['NOPE', quantityPatch(5), 'NOT_FOUND'],
      ['MUG', { productType: 'PRODUCT', patches: [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 1.5 }] }] }, 'INVALID_ATTRIBUTE'],
      ['MUG', { productType: 'PRODUCT', patches: [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ quantity: 4 }] }] }, 'MISSING_ATTRIBUTE'],
      ['MUG-FBA', quantityPatch(5), 'FULFILLMENT_CHANNEL_MANAGED_BY_AMAZON'],
    ];
    for (const [sku, body, code] of cases) {
      const r = await h.call('PATCH', listingPath(sku), { query: q, body });
      expect(r.status).toBe(200);
      expect(r.body.status, code).toBe('INVALID');
      expect(r.body.issues.map((i: { code: string }) => i.code)).toContain(code);
    }
    await h.scheduler.advance(60_000);
    expect(h.amazon.quantity('MUG')).toBe(3);
    expect(h.amazon.counters().patchesInvalid).toBe(cases.length);
  });

  it('answers 400 InvalidInput for a body the model refuses', async () => {
    h = await harness();
    h.amazon.addListing({ sku: 'MUG', quantity: 3 });
    const wrongOp = await h.call('PATCH', listingPath('MUG'), { query: q, body: { productType: 'PRODUCT', patches: [{ op: 'set', path: '/attributes/fulfillment_availability', value: [] }] }, schemaInvalid: true });
    expect(wrongOp.status).toBe(400);
    expect(wrongOp.body.errors[0].code).toBe('InvalidInput');
    const noType = await h.call('PATCH', listingPath('MUG'), { query: q, body: { patches: quantityPatch(1).patches }, schemaInvalid: true });
    expect(noType.status).toBe(400);
    const noMarket = await h.call('PATCH', listingPath('MUG'), { body: quantityPatch(1), schemaInvalid: true });
    expect(noMarket.status).toBe(400);
  });

  it('a delete removes the quantity; a processed submission for a failing SKU leaves an issue and changes nothing', async () => {
    h = await harness({ listingProcessingMs: 1000 });
    h.amazon.addListing({ sku: 'MUG', quantity: 3 });
    h.amazon.failSku('MUG', { code: 'HAZMAT_REVIEW', message: 'Under review' });
    await h.call('PATCH', listingPath('MUG'), { query: q, body: quantityPatch(9) });
    await h.scheduler.advance(1000);
    const item = (await h.call('GET', listingPath('MUG'), { query: { ...q, includedData: 'issues,fulfillmentAvailability' } })).body;
    expect(item.fulfillmentAvailability).toEqual([{ fulfillmentChannelCode: 'DEFAULT', quantity: 3 }]);
    expect(item.issues).toEqual([expect.objectContaining({ code: 'HAZMAT_REVIEW', severity: 'ERROR' })]);
    h.amazon.failSku('MUG', null);
    await h.call('PATCH', listingPath('MUG'), { query: q, body: { productType: 'PRODUCT', patches: [{ op: 'delete', path: '/attributes/fulfillment_availability' }] } });
    await h.scheduler.advance(1000);
    expect((await readBack('MUG')).fulfillmentAvailability).toEqual([]);
  });

  it('an order placed on Amazon lowers the MFN quantity at once; a patch accepted before it still lands after (blind overwrite)', async () => {
    h = await harness({ listingProcessingMs: 5000 });
    h.amazon.addListing({ sku: 'MUG', quantity: 10 });
    await h.call('PATCH', listingPath('MUG'), { query: q, body: quantityPatch(8) });
    await h.scheduler.advance(1000);
    h.amazon.placeOrder({ lines: [{ sku: 'MUG', quantity: 4 }] });
    expect((await readBack('MUG')).fulfillmentAvailability[0].quantity).toBe(6);
    await h.scheduler.advance(4000);
    expect((await readBack('MUG')).fulfillmentAvailability[0].quantity).toBe(8);
  });
});

describe('getListingsItem and searchListingsItems', () => {
  it('answers every dataset in the model shape, and 404 for an unknown SKU', async () => {
    h = await harness();
    h.amazon.addListing({ sku: 'MUG', quantity: 2 });
    h.amazon.addListing({ sku: 'MUG-FBA', channel: 'AFN' });
    h.amazon.setFbaStock('MUG-FBA', { fulfillable: 7 });
    const all = 'summaries,attributes,issues,offers,fulfillmentAvailability,procurement,relationships,productTypes';
    const mfn = (await h.call('GET', listingPath('MUG'), { query: { ...q, includedData: all } })).body;
    expect(mfn.attributes.fulfillment_availability).toEqual([{ fulfillment_channel_code: 'DEFAULT', quantity: 2 }]);
    const afn = (await h.call('GET', listingPath('MUG-FBA'), { query: { ...q, includedData: all } })).body;
    expect(afn.fulfillmentAvailability).toEqual([{ fulfillmentChannelCode: 'AMAZON_NA', quantity: 7 }]);
    expect(afn.summaries[0].fnSku).toMatch(/^X00/);
    expect((await h.call('GET', listingPath('NOPE'), { query: q })).status).toBe(404);
    const badData = await h.call('GET', listingPath('MUG'), { query: { ...q, includedData: 'stock' }, schemaInvalid: true });
    expect(badData.status).toBe(400);
  });

  it('pages through the listings with pageSize and pageToken, and finds by SKU identifiers', async () => {
    h = await harness();
    for (let i = 0; i < 25; i++) h.amazon.addListing({ sku: `SKU-${String(i).padStart(2, '0')}`, quantity: i });
    const path = `/listings/2021-08-01/items/${SELLER}`;
    const seen: string[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < 5; page++) {
      const r = await h.call('GET', path, { query: { ...q, pageSize: '10', sortBy: 'sku', sortOrder: 'ASC', ...(pageToken ? { pageToken } : {}) } });
      expect(r.body.numberOfResults).toBe(25);
      seen.push(...r.body.items.map((i: { sku: string }) => i.sku));
      pageToken = r.body.pagination?.nextToken;
      if (!pageToken) break;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `SKU-${String(i).padStart(2, '0')}`));
    const found = await h.call('GET', path, { query: { ...q, identifiers: 'SKU-03,SKU-07', identifiersType: 'SKU', includedData: 'fulfillmentAvailability' } });
    expect(found.body.items.map((i: { fulfillmentAvailability: { quantity: number }[] }) => i.fulfillmentAvailability[0]!.quantity).sort()).toEqual([3, 7]);
    const tooBig = await h.call('GET', path, { query: { ...q, pageSize: '50' }, schemaInvalid: true });
    expect(tooBig.status).toBe(400);
  });

  it('refuses another seller', async () => {
    h = await harness();
    h.amazon.addListing({ sku: 'MUG', quantity: 2 });
    const r = await h.call('GET', '/listings/2021-08-01/items/A2OTHERSELLER/MUG', { query: q });
    expect(r.status).toBe(403);
  });
});
