import { afterEach, describe, expect, it } from 'vitest';
import { FUL, harness, type Harness, START } from './test-support.ts';

let h: Harness;
afterEach(() => h?.close());

const ORDERS = `${FUL}/order`;
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('getOrders and getOrder', () => {
  it('follow an order: placed (the listing drops at once) → paid → shipped, lastModifiedDate moving each time', async () => {
    h = await harness();
    h.ebay.addListing({ sku: 'MUG', quantity: 10, availableQuantity: 8 });
    h.ebay.addListing({ sku: 'CUP', quantity: 3 });
    const placed = h.ebay.placeOrder({ lines: [{ sku: 'MUG', quantity: 2 }, { sku: 'CUP', quantity: 1 }], paid: false });
    expect(h.ebay.quantity('MUG')).toBe(6);
    expect(h.ebay.catalog.item('MUG').shipToHome).toBe(8);
    expect(h.ebay.quantity('CUP')).toBe(2);
    const get = async () => (await h.call('GET', `${ORDERS}/${placed.orderId}`)).body;
    let o = await get();
    expect(placed.orderId).toMatch(/^\d{2}-\d{5}-\d{5}$/);
    expect(o).toMatchObject({ orderId: placed.orderId, creationDate: iso(START), lastModifiedDate: iso(START), orderPaymentStatus: 'PENDING', orderFulfillmentStatus: 'NOT_STARTED', cancelStatus: { cancelState: 'NONE_REQUESTED', cancelRequests: [] } });
    expect(o.lineItems.map((l: any) => [l.sku, l.quantity, l.lineItemFulfillmentStatus])).toEqual([['MUG', 2, 'NOT_STARTED'], ['CUP', 1, 'NOT_STARTED']]);
    await h.scheduler.advance(MIN);
    h.ebay.payOrder(placed.orderId);
    o = await get();
    expect(o).toMatchObject({ orderPaymentStatus: 'PAID', lastModifiedDate: iso(START + MIN) });
    await h.scheduler.advance(MIN);
    h.ebay.shipOrder(placed.orderId, [placed.lines[0]!.lineItemId]);
    expect((await get()).orderFulfillmentStatus).toBe('IN_PROGRESS');
    await h.scheduler.advance(MIN);
    h.ebay.shipOrder(placed.orderId);
    o = await get();
    expect(o).toMatchObject({ orderFulfillmentStatus: 'FULFILLED', lastModifiedDate: iso(START + 3 * MIN) });
    expect(() => h.ebay.requestCancellation(placed.orderId)).toThrow(/shipped/);
    const missing = await h.call('GET', `${ORDERS}/99-99999-99999`);
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].errorId).toBe(32100);
  });

  it('shows a cancellation request only in getOrder; getOrders always has cancelRequests empty', async () => {
    h = await harness();
    h.ebay.addListing({ sku: 'MUG', quantity: 5 });
    const { orderId } = h.ebay.placeOrder({ lines: [{ sku: 'MUG', quantity: 2 }] });
    await h.scheduler.advance(MIN);
    h.ebay.requestCancellation(orderId, { initiator: 'BUYER', reason: 'BUYER_ASKED_CANCEL' });
    const listed = (await h.call('GET', ORDERS, { query: { orderIds: orderId } })).body.orders[0];
    expect(listed.cancelStatus).toEqual({ cancelState: 'CANCEL_REQUESTED', cancelRequests: [] });
    const one = (await h.call('GET', `${ORDERS}/${orderId}`)).body;
    expect(one.cancelStatus).toEqual({ cancelState: 'CANCEL_REQUESTED', cancelRequests: [expect.objectContaining({ cancelInitiator: 'BUYER', cancelReason: 'BUYER_ASKED_CANCEL', cancelRequestState: 'REQUESTED', cancelRequestedDate: iso(START + MIN) })] });
    expect(h.ebay.quantity('MUG')).toBe(3);
    await h.scheduler.advance(MIN);
    h.ebay.completeCancellation(orderId);
    const done = (await h.call('GET', `${ORDERS}/${orderId}`)).body;
    expect(done.cancelStatus).toMatchObject({ cancelState: 'CANCELED', cancelledDate: iso(START + 2 * MIN), cancelRequests: [{ cancelRequestState: 'COMPLETED', cancelCompletedDate: iso(START + 2 * MIN) }] });
    expect(done.lastModifiedDate).toBe(iso(START + 2 * MIN));
    expect(h.ebay.quantity('MUG')).toBe(5);
    const again = (await h.call('GET', ORDERS, { query: { filter: `lastmodifieddate:[${iso(START + 2 * MIN)}..]` } })).body;
    expect(again.orders.map((x: any) => [x.orderId, x.cancelStatus.cancelRequests])).toEqual([[orderId, []]]);
  });

  it('filters by lastmodifieddate or creationdate (creationdate wins when both), by fulfillment status, and pages with limit/offset', async () => {
    h = await harness();
    h.ebay.addListing({ sku: 'MUG', quantity: 100 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(h.ebay.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }] }).orderId);
      await h.scheduler.advance(MIN);
    }
    h.ebay.shipOrder(ids[0]!);
    const list = async (query: Record<string, string>) => (await h.call('GET', ORDERS, { query })).body;
    const modified = await list({ filter: `lastmodifieddate:[${iso(START + 4 * MIN)}..]` });
    expect(modified.orders.map((o: any) => o.orderId)).toEqual([ids[0], ids[4]]);
    const both = await list({ filter: `creationdate:[${iso(START + 3 * MIN)}..${iso(START + 4 * MIN)}],lastmodifieddate:[${iso(START + 5 * MIN)}..]` });
    expect(both.orders.map((o: any) => o.orderId)).toEqual([ids[3], ids[4]]);
    const open = await list({ filter: 'orderfulfillmentstatus:{NOT_STARTED|IN_PROGRESS}' });
    expect(open.total).toBe(4);
    const page = await list({ limit: '2', offset: '2' });
    expect(page).toMatchObject({ total: 5, limit: 2, offset: 2 });
    expect(page.orders.map((o: any) => o.orderId)).toEqual([ids[2], ids[3]]);
    expect(page.next).toMatch(/offset=4/);
    expect((await list({})).limit).toBe(50);
  });

  it('refuses an unencoded filter, and what the model lists as errors, with 400', async () => {
    h = await harness();
    await h.scheduler.advance(10 * MIN);
    const raw = await h.call('GET', ORDERS, { rawQuery: `filter=lastmodifieddate:[${iso(START)}..]` });
    expect(raw.status).toBe(400);
    expect(raw.body.errors[0]).toMatchObject({ errorId: 30800, domain: 'API_FULFILLMENT', message: expect.stringMatching(/percent-encoded/) });
    const braces = await h.call('GET', ORDERS, { rawQuery: 'filter=orderfulfillmentstatus:{NOT_STARTED|IN_PROGRESS}' });
    expect(braces.status).toBe(400);
    // Encoded, the same filter passes.
    expect((await h.call('GET', ORDERS, { rawQuery: `filter=${encodeURIComponent(`lastmodifieddate:[${iso(START)}..]`)}` })).status).toBe(200);
    const bad = async (query: Record<string, string>, errorId: number) => {
      const r = await h.call('GET', ORDERS, { query });
      expect(r.status, JSON.stringify(query)).toBe(400);
      expect(r.body.errors[0].errorId, JSON.stringify(query)).toBe(errorId);
    };
    await bad({ filter: 'paymentstatus:{PAID}' }, 30700);
    await bad({ filter: 'lastmodifieddate:[yesterday..]' }, 30810);
    await bad({ filter: 'lastmodifieddate:[..]' }, 30820);
    await bad({ filter: `creationdate:[${iso(START + 5 * MIN)}..${iso(START)}]` }, 30840);
    await bad({ filter: `creationdate:[${iso(START + 60 * MIN)}..]` }, 30850);
    await bad({ filter: 'orderfulfillmentstatus:{SHIPPED}' }, 30800);
    await bad({ limit: '201' }, 31100);
    await bad({ limit: '0' }, 31100);
    await bad({ offset: '-1' }, 31000);
    await bad({ orderIds: Array.from({ length: 51 }, (_, i) => `01-00000-${String(i).padStart(5, '0')}`).join(',') }, 30900);
    await bad({ fieldGroups: 'EVERYTHING' }, 32800);
  });

  it('orderIds overrides the filter and every other parameter', async () => {
    h = await harness();
    h.ebay.addListing({ sku: 'MUG', quantity: 10 });
    const a = h.ebay.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }] });
    const b = h.ebay.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }] });
    const r = (await h.call('GET', ORDERS, { query: { orderIds: `${b.orderId},${a.orderId},00-00000-00000`, filter: 'orderfulfillmentstatus:{FULFILLED}', limit: '1' } })).body;
    expect(r.orders.map((o: any) => o.orderId)).toEqual([b.orderId, a.orderId]);
  });

  it('refuses an order for more than the listing shows unless told to oversell', async () => {
    h = await harness();
    h.ebay.addListing({ sku: 'MUG', quantity: 5, availableQuantity: 2 });
    expect(() => h.ebay.placeOrder({ lines: [{ sku: 'MUG', quantity: 3 }] })).toThrow(/has 2 to sell/);
    h.ebay.placeOrder({ lines: [{ sku: 'MUG', quantity: 3 }], allowOversell: true });
    expect(h.ebay.quantity('MUG')).toBe(0);
    expect(h.ebay.counters()).toMatchObject({ ordersPlaced: 1, ordersRefusedOutOfStock: 1 });
  });
});
