import { afterEach, describe, expect, it } from 'vitest';
import { REVISIONS_PER_DAY_MAX } from './catalog.ts';
import { REVISION_LIMIT_ERROR_ID } from './inventory-api.ts';
import { harness, type Harness, INV, START } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

const BULK = `${INV}/bulk_update_price_quantity`;
const HOUR_MS = 3_600_000;

describe('bulkUpdatePriceQuantity', () => {
  it('answers 200 when every item succeeds, and the buyer sees min(ship-to-home, offer availableQuantity)', async () => {
    h = await harness();
    const { offer } = h.ebay.addListing({ sku: 'MUG', quantity: 10 });
    h.ebay.addListing({ sku: 'CUP', quantity: 4 });
    const r = await h.call('POST', BULK, {
      body: { requests: [{ sku: 'MUG', shipToLocationAvailability: { quantity: 7 }, offers: [{ offerId: offer.offerId, availableQuantity: 5 }] }, { sku: 'CUP', shipToLocationAvailability: { quantity: 0 } }] },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ responses: [{ statusCode: 200, sku: 'MUG', offerId: offer.offerId }, { statusCode: 200, sku: 'CUP' }] });
    expect(h.ebay.quantity('MUG')).toBe(5);
    expect(h.ebay.quantity('CUP')).toBe(0);
    const item = await h.call('GET', `${INV}/inventory_item/MUG`);
    expect(item.body.availability.shipToLocationAvailability).toEqual({ quantity: 7, allocationByFormat: { auction: 0, fixedPrice: 5 } });
    const offers = await h.call('GET', `${INV}/offer`, { query: { sku: 'MUG' } });
    expect(offers.body.offers).toEqual([expect.objectContaining({ offerId: offer.offerId, sku: 'MUG', availableQuantity: 5, status: 'PUBLISHED', marketplaceId: 'EBAY_US', format: 'FIXED_PRICE' })]);
    // Raising the offer above the item: the item's quantity caps what buyers see.
    await h.call('POST', BULK, { body: { requests: [{ sku: 'MUG', offers: [{ offerId: offer.offerId, availableQuantity: 50 }] }] } });
    expect(h.ebay.quantity('MUG')).toBe(7);
  });

  it('answers 207 with a status per item: unknown SKU, unknown offer and invalid quantity fail alone, the rest applies', async () => {
    h = await harness();
    h.ebay.addListing({ sku: 'MUG', quantity: 10 });
    h.ebay.addListing({ sku: 'CUP', quantity: 10 });
    const r = await h.call('POST', BULK, {
      body: {
        requests: [
          { sku: 'MUG', shipToLocationAvailability: { quantity: 3 } },
          { sku: 'GHOST', shipToLocationAvailability: { quantity: 3 } },
          { sku: 'CUP', offers: [{ offerId: '999', availableQuantity: 1 }] },
          { sku: 'CUP', shipToLocationAvailability: { quantity: -1 } },
        ],
      },
      schemaInvalid: false,
    });
    expect(r.status).toBe(207);
    const [mug, ghost, badOffer, dup] = r.body.responses;
    expect(mug).toEqual({ statusCode: 200, sku: 'MUG' });
    expect(ghost).toMatchObject({ statusCode: 404, sku: 'GHOST', errors: [{ errorId: 25702, domain: 'API_INVENTORY' }] });
    expect(badOffer).toMatchObject({ statusCode: 404, sku: 'CUP', offerId: '999', errors: [{ errorId: 25713 }] });
    // CUP twice in one call: the second is refused as a duplicate.
    expect(dup).toMatchObject({ statusCode: 400, sku: 'CUP', errors: [{ errorId: 25709 }] });
    expect(h.ebay.quantity('MUG')).toBe(3);
    expect(h.ebay.quantity('CUP')).toBe(10);
    const neg = await h.call('POST', BULK, { body: { requests: [{ sku: 'CUP', shipToLocationAvailability: { quantity: -1 } }] } });
    expect(neg.status).toBe(207);
    expect(neg.body.responses[0]).toMatchObject({ statusCode: 400, errors: [{ errorId: 25709, parameters: [{ name: 'fieldName', value: 'shipToLocationAvailability.quantity' }] }] });
    expect(h.ebay.counters()).toMatchObject({ itemsUpdated: 1, itemsFailed: 4 });
  });

  it('caps a call at 25 SKUs and 25 offers (400), and needs Content-Type', async () => {
    h = await harness();
    const offers = Array.from({ length: 26 }, (_, i) => h.ebay.addListing({ sku: `S${i}`, quantity: 1 }).offer);
    const skus = (n: number) => Array.from({ length: n }, (_, i) => ({ sku: `S${i}`, shipToLocationAvailability: { quantity: 2 } }));
    expect((await h.call('POST', BULK, { body: { requests: skus(25) } })).status).toBe(200);
    const over = await h.call('POST', BULK, { body: { requests: skus(26) } });
    expect(over.status).toBe(400);
    expect(over.body.errors[0]).toMatchObject({ errorId: 25709, message: expect.stringMatching(/25/) });
    const manyOffers = await h.call('POST', BULK, { body: { requests: offers.map((o) => ({ sku: o.sku, offers: [{ offerId: o.offerId, availableQuantity: 1 }] })).slice(0, 25).concat([{ sku: 'S25', offers: [{ offerId: offers[25]!.offerId, availableQuantity: 1 }, { offerId: offers[25]!.offerId, availableQuantity: 1 }] }]).slice(1) } });
    expect(manyOffers.status).toBe(400);
    expect(manyOffers.body.errors[0].message).toMatch(/offers/);
    // The model requires Content-Type; the emulator refuses a call without it.
    const bare = await h.call('POST', BULK, { body: { requests: skus(1) }, headers: { 'content-type': '' }, schemaInvalid: true });
    expect(bare.status).toBe(400);
    expect(bare.body.errors[0].parameters).toEqual([{ name: 'fieldName', value: 'Content-Type' }]);
  });

  it('refuses a listing its 251st revision of the eBay day per item, and counts again from Pacific midnight', async () => {
    h = await harness();
    h.ebay.addListing({ sku: 'MUG', quantity: 1000 });
    h.ebay.addListing({ sku: 'CUP', quantity: 5 });
    const set = (q: number) => h.call('POST', BULK, { body: { requests: [{ sku: 'MUG', shipToLocationAvailability: { quantity: q } }, { sku: 'CUP', shipToLocationAvailability: { quantity: q } }] } });
    for (let i = 0; i < REVISIONS_PER_DAY_MAX - 1; i++) h.ebay.catalog.revise(h.ebay.catalog.listingOf('MUG')!.listingId!);
    expect((await set(9)).status).toBe(200);
    const refused = await set(8);
    expect(refused.status).toBe(207);
    expect(refused.body.responses[0]).toMatchObject({ statusCode: 400, sku: 'MUG', errors: [{ errorId: REVISION_LIMIT_ERROR_ID, category: 'BUSINESS' }] });
    expect(refused.body.responses[1]).toEqual({ statusCode: 200, sku: 'CUP' });
    expect(h.ebay.quantity('MUG')).toBe(9);
    const listing = (await h.control('GET', '/_emulator/listings')).body.listings[0].offers[0];
    expect(listing).toMatchObject({ revisions_today: 250, revisions_left_today: 0, buyer_visible_quantity: 9 });
    // START is 02:00 Pacific: 21:59:59 later is still the same eBay day; one second on is the next.
    await h.scheduler.advance(22 * HOUR_MS - 1000);
    await h.login();
    expect((await set(7)).status).toBe(207);
    await h.scheduler.advance(1000);
    expect(new Date(START + 22 * HOUR_MS).toISOString()).toBe('2026-11-24T08:00:00.000Z');
    expect((await set(7)).status).toBe(200);
    expect(h.ebay.quantity('MUG')).toBe(7);
    expect(h.ebay.counters().revisionLimitRefusals).toBe(2);
  });
});

describe('reading inventory back', () => {
  it('bulkGetInventoryItem: ≤ 25 SKUs, 200 or 207 per SKU; getInventoryItem 404 for an unknown SKU', async () => {
    h = await harness();
    for (let i = 0; i < 26; i++) h.ebay.addListing({ sku: `S${i}`, quantity: i });
    const get = (skus: string[]) => h.call('POST', `${INV}/bulk_get_inventory_item`, { body: { requests: skus.map((sku) => ({ sku })) } });
    const ok = await get(['S1', 'S2']);
    expect(ok.status).toBe(200);
    expect(ok.body.responses.map((x: any) => [x.sku, x.statusCode, x.inventoryItem.availability.shipToLocationAvailability.quantity])).toEqual([['S1', 200, 1], ['S2', 200, 2]]);
    const partial = await get(['S3', 'NOPE']);
    expect(partial.status).toBe(207);
    expect(partial.body.responses[1]).toMatchObject({ sku: 'NOPE', statusCode: 404, errors: [{ errorId: 25702 }] });
    const over = await get(Array.from({ length: 26 }, (_, i) => `S${i}`));
    expect(over.status).toBe(400);
    expect(over.body.errors[0].errorId).toBe(25727);
    const missing = await h.call('GET', `${INV}/inventory_item/NOPE`);
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].errorId).toBe(25710);
  });

  it('getInventoryItems pages with limit and a page-number offset, as the model defines it', async () => {
    h = await harness();
    for (let i = 0; i < 5; i++) h.ebay.addListing({ sku: `S${i}`, quantity: i });
    const p0 = await h.call('GET', `${INV}/inventory_item`, { query: { limit: '2' } });
    expect(p0.body).toMatchObject({ limit: 2, size: 3, total: 5 });
    expect(p0.body.inventoryItems.map((i: any) => i.sku)).toEqual(['S0', 'S1']);
    expect(p0.body.next).toMatch(/offset=1$/);
    const p2 = await h.call('GET', `${INV}/inventory_item`, { query: { limit: '2', offset: '2' } });
    expect(p2.body.inventoryItems.map((i: any) => i.sku)).toEqual(['S4']);
    expect(p2.body.next).toBeUndefined();
    expect((await h.call('GET', `${INV}/inventory_item`)).body.limit).toBe(25);
    const bad = await h.call('GET', `${INV}/inventory_item`, { query: { limit: '201' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].errorId).toBe(25706);
  });

  it('getOffers needs a sku and answers 404 for one without offers', async () => {
    h = await harness();
    h.ebay.addListing({ sku: 'MUG', quantity: 1, published: false });
    const r = await h.call('GET', `${INV}/offer`, { query: { sku: 'MUG' } });
    expect(r.body.offers[0]).toMatchObject({ status: 'UNPUBLISHED' });
    expect(r.body.offers[0].listing).toBeUndefined();
    expect((await h.call('GET', `${INV}/offer`, { query: { sku: 'NOPE' } })).status).toBe(404);
    expect((await h.call('GET', `${INV}/offer`)).status).toBe(400);
  });
});
