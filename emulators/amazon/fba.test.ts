import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness, MARKETPLACE, START } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

const SUMMARIES = '/fba/inventory/v1/summaries';
const base = { granularityType: 'Marketplace', granularityId: MARKETPLACE, marketplaceIds: MARKETPLACE };

describe('getInventorySummaries', () => {
  it('maps the FBA buckets onto inventoryDetails with details=true, and leaves them out otherwise', async () => {
    h = await harness();
    h.amazon.addListing({ sku: 'MUG-FBA', channel: 'AFN' });
    h.amazon.setFbaStock('MUG-FBA', { fulfillable: 10, inboundWorking: 1, inboundShipped: 2, inboundReceiving: 3, pendingCustomerOrder: 4, fcProcessing: 1, unfulfillable: 2, researching: 1 });
    const r = await h.call('GET', SUMMARIES, { query: { ...base, details: 'true' } });
    expect(r.headers.get('x-amzn-ratelimit-limit')).toBe('2.0');
    expect(r.body.payload.granularity).toEqual({ granularityType: 'Marketplace', granularityId: MARKETPLACE });
    const s = r.body.payload.inventorySummaries[0];
    expect(s).toMatchObject({ sellerSku: 'MUG-FBA', condition: 'NewItem', totalQuantity: 24, lastUpdatedTime: '2026-11-23T10:00:00Z' });
    expect(s.inventoryDetails).toMatchObject({
      fulfillableQuantity: 10,
      inboundWorkingQuantity: 1,
      inboundShippedQuantity: 2,
      inboundReceivingQuantity: 3,
      reservedQuantity: { totalReservedQuantity: 5, pendingCustomerOrderQuantity: 4, pendingTransshipmentQuantity: 0, fcProcessingQuantity: 1 },
      unfulfillableQuantity: { totalUnfulfillableQuantity: 2 },
      researchingQuantity: { totalResearchingQuantity: 1 },
    });
    const plain = await h.call('GET', SUMMARIES, { query: base });
    expect(plain.body.payload.inventorySummaries[0].inventoryDetails).toBeUndefined();
  });

  it('pages with a nextToken that expires 30 s after issue', async () => {
    h = await harness({ fbaPageSize: 2, usagePlans: { getInventorySummaries: { rate: 10, burst: 20 } } });
    for (const sku of ['A', 'B', 'C', 'D', 'E']) h.amazon.setFbaStock(sku, { fulfillable: 1 });
    const seen: string[] = [];
    let nextToken: string | undefined;
    for (let i = 0; i < 5; i++) {
      const r = await h.call('GET', SUMMARIES, { query: { ...base, ...(nextToken ? { nextToken } : {}) } });
      seen.push(...r.body.payload.inventorySummaries.map((s: { sellerSku: string }) => s.sellerSku));
      nextToken = r.body.pagination?.nextToken;
      if (!nextToken) break;
    }
    expect(seen).toEqual(['A', 'B', 'C', 'D', 'E']);
    const first = await h.call('GET', SUMMARIES, { query: base });
    const token = first.body.pagination.nextToken as string;
    await h.scheduler.advance(30_000);
    expect((await h.call('GET', SUMMARIES, { query: { ...base, nextToken: token } })).status).toBe(200);
    const again = await h.call('GET', SUMMARIES, { query: base });
    await h.scheduler.advance(30_001);
    const expired = await h.call('GET', SUMMARIES, { query: { ...base, nextToken: again.body.pagination.nextToken } });
    expect(expired.status).toBe(400);
    expect(expired.body.errors[0].message).toMatch(/expired/);
  });

  it('startDateTime returns what changed since, not inbound-only changes, and ignores the SKU filters', async () => {
    h = await harness({ usagePlans: { getInventorySummaries: { rate: 10, burst: 20 } } });
    for (const sku of ['A', 'B', 'C']) h.amazon.setFbaStock(sku, { fulfillable: 1, inboundShipped: 5 });
    await h.scheduler.advance(60_000);
    const since = new Date(START + 60_000).toISOString();
    h.amazon.setFbaStock('A', { inboundShipped: 6 });
    h.amazon.receiveInbound('B', 2);
    const changed = await h.call('GET', SUMMARIES, { query: { ...base, details: 'true', startDateTime: since, sellerSkus: 'A,C' } });
    expect(changed.body.payload.inventorySummaries.map((s: { sellerSku: string }) => s.sellerSku)).toEqual(['B']);
    expect(changed.body.payload.inventorySummaries[0].inventoryDetails).toMatchObject({ fulfillableQuantity: 3, inboundShippedQuantity: 3 });
    const bySkus = await h.call('GET', SUMMARIES, { query: { ...base, sellerSkus: 'A,C' } });
    expect(bySkus.body.payload.inventorySummaries.map((s: { sellerSku: string }) => s.sellerSku)).toEqual(['A', 'C']);
    const one = await h.call('GET', SUMMARIES, { query: { ...base, sellerSku: 'C' } });
    expect(one.body.payload.inventorySummaries.map((s: { sellerSku: string }) => s.sellerSku)).toEqual(['C']);
    expect(() => h.amazon.receiveInbound('A', 7)).toThrow(/6 inbound units/);
  });

  it('refuses two marketplaces, a granularity other than Marketplace and a mismatched granularityId', async () => {
    h = await harness({ marketplaceIds: [MARKETPLACE, 'A2EUQ1WTGCTBG2'], usagePlans: { getInventorySummaries: { rate: 10, burst: 20 } } });
    const two = await h.call('GET', SUMMARIES, { query: { ...base, marketplaceIds: `${MARKETPLACE},A2EUQ1WTGCTBG2` }, schemaInvalid: true });
    expect(two.status).toBe(400);
    expect((await h.call('GET', SUMMARIES, { query: { ...base, granularityType: 'Country' }, schemaInvalid: true })).status).toBe(400);
    expect((await h.call('GET', SUMMARIES, { query: { ...base, granularityId: 'A2EUQ1WTGCTBG2' } })).status).toBe(400);
    expect((await h.call('GET', SUMMARIES, { query: { granularityType: 'Marketplace', granularityId: MARKETPLACE }, schemaInvalid: true })).status).toBe(400);
  });
});
