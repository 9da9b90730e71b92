import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness, MARKETPLACE, orderChangeSchema, START } from './test-support.ts';

let h: Harness;
let closeReceiver: (() => Promise<void>) | undefined;
afterEach(async () => {
  await h?.close();
  await closeReceiver?.();
  closeReceiver = undefined;
});

const SEARCH = '/orders/2026-01-01/orders';
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const MIN = 60_000;

describe('searchOrders and getOrder', () => {
  it('follow an order through PENDING → UNSHIPPED → PARTIALLY_SHIPPED → SHIPPED, lastUpdatedTime moving each time', async () => {
    h = await harness();
    h.amazon.addListing({ sku: 'MUG', quantity: 10 });
    h.amazon.addListing({ sku: 'CUP', quantity: 10 });
    const placed = h.amazon.placeOrder({ lines: [{ sku: 'MUG', quantity: 2 }, { sku: 'CUP', quantity: 1 }] });
    const get = async () => (await h.call('GET', `${SEARCH}/${placed.orderId}`, { query: { includedData: 'FULFILLMENT' } })).body.order;
    let o = await get();
    expect(o).toMatchObject({ orderId: placed.orderId, createdTime: '2026-11-23T10:00:00Z', lastUpdatedTime: '2026-11-23T10:00:00Z', fulfillment: { fulfillmentStatus: 'PENDING', fulfilledBy: 'MERCHANT' }, salesChannel: { channelName: 'AMAZON', marketplaceId: MARKETPLACE } });
    expect(o.orderItems.map((i: { product: { sellerSku: string }; quantityOrdered: number }) => [i.product.sellerSku, i.quantityOrdered])).toEqual([['MUG', 2], ['CUP', 1]]);
    await h.scheduler.advance(MIN);
    h.amazon.confirmPayment(placed.orderId);
    o = await get();
    expect(o.fulfillment.fulfillmentStatus).toBe('UNSHIPPED');
    expect(o.lastUpdatedTime).toBe('2026-11-23T10:01:00Z');
    await h.scheduler.advance(MIN);
    h.amazon.shipOrder(placed.orderId, [{ sku: 'MUG', quantity: 1 }]);
    o = await get();
    expect(o.fulfillment.fulfillmentStatus).toBe('PARTIALLY_SHIPPED');
    expect(o.orderItems[0].fulfillment).toEqual({ quantityFulfilled: 1, quantityUnfulfilled: 1 });
    await h.scheduler.advance(MIN);
    h.amazon.shipOrder(placed.orderId);
    o = await get();
    expect(o.fulfillment.fulfillmentStatus).toBe('SHIPPED');
    expect(o.lastUpdatedTime).toBe('2026-11-23T10:03:00Z');
    expect(() => h.amazon.cancelOrder(placed.orderId)).toThrow(/SHIPPED/);
    // Without includedData the fulfillment dataset is absent, as the model's datasets say.
    expect((await h.call('GET', `${SEARCH}/${placed.orderId}`)).body.order.fulfillment).toBeUndefined();
    expect((await h.call('GET', `${SEARCH}/111-9999999-9999999`)).status).toBe(404);
  });

  it('cancelling gives the units back to the listing and shows the cancellation dataset', async () => {
    h = await harness();
    h.amazon.addListing({ sku: 'MUG', quantity: 5 });
    const placed = h.amazon.placeOrder({ lines: [{ sku: 'MUG', quantity: 2 }], status: 'UNSHIPPED' });
    expect(h.amazon.quantity('MUG')).toBe(3);
    h.amazon.cancelOrder(placed.orderId, { reason: 'BuyerCanceled', by: 'BUYER' });
    expect(h.amazon.quantity('MUG')).toBe(5);
    const o = (await h.call('GET', `${SEARCH}/${placed.orderId}`, { query: { includedData: 'FULFILLMENT,CANCELLATION' } })).body.order;
    expect(o.fulfillment.fulfillmentStatus).toBe('CANCELLED');
    expect(o.orderItems[0].cancellation).toEqual({ cancellationExecution: { cancelledBy: 'BUYER', cancelReason: 'BuyerCanceled' } });
    expect(() => h.amazon.placeOrder({ lines: [{ sku: 'MUG', quantity: 6 }] })).toThrow(/has 5 to sell/);
    expect(h.amazon.placeOrder({ lines: [{ sku: 'MUG', quantity: 6 }], allowOversell: true }).status).toBe('PENDING');
    expect(h.amazon.quantity('MUG')).toBe(0);
  });

  it('searches by lastUpdatedAfter with filters, pages with paginationToken and echoes the upper bound', async () => {
    h = await harness();
    h.amazon.addListing({ sku: 'MUG', quantity: 100 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(h.amazon.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }] }).orderId);
      await h.scheduler.advance(1000);
    }
    h.amazon.confirmPayment(ids[0]!);
    const query = { lastUpdatedAfter: iso(START), fulfillmentStatuses: 'PENDING,UNSHIPPED', marketplaceIds: MARKETPLACE, maxResultsPerPage: '2' };
    const seen: string[] = [];
    let paginationToken: string | undefined;
    for (let page = 0; page < 4; page++) {
      const r = await h.call('GET', SEARCH, { query: { ...query, ...(paginationToken ? { paginationToken } : {}) } });
      expect(r.body.lastUpdatedBefore).toBe(iso(START + 5000));
      expect(r.headers.get('x-amzn-ratelimit-limit')).toBe('0.0056');
      seen.push(...r.body.orders.map((o: { orderId: string }) => o.orderId));
      paginationToken = r.body.pagination?.nextToken;
      if (!paginationToken) break;
    }
    // Sorted by lastUpdatedTime: the confirmed order moved to the end.
    expect(seen).toEqual([...ids.slice(1), ids[0]]);
    const pendingOnly = await h.call('GET', SEARCH, { query: { createdAfter: iso(START), fulfillmentStatuses: 'PENDING' } });
    expect(pendingOnly.body.orders).toHaveLength(4);
    expect(pendingOnly.body.createdBefore).toBe(iso(START + 5000));
  });

  it('refuses what the model forbids with 400 InvalidInput', async () => {
    h = await harness();
    await h.scheduler.advance(10 * MIN);
    const now = START + 10 * MIN;
    const bad = async (query: Record<string, string>, schemaInvalid = false) => {
      const r = await h.call('GET', SEARCH, { query, schemaInvalid });
      expect(r.status, JSON.stringify(query)).toBe(400);
      expect(r.body.errors[0].code).toBe('InvalidInput');
      return r.body.errors[0].message as string;
    };
    expect(await bad({})).toMatch(/Exactly one/);
    expect(await bad({ createdAfter: iso(START), lastUpdatedAfter: iso(START) })).toMatch(/Exactly one/);
    expect(await bad({ createdAfter: iso(START), lastUpdatedBefore: iso(START) })).toMatch(/neither/);
    expect(await bad({ lastUpdatedAfter: iso(START), createdBefore: iso(START) })).toMatch(/neither/);
    expect(await bad({ lastUpdatedAfter: iso(START), lastUpdatedBefore: iso(now - MIN) })).toMatch(/two minutes/);
    expect(await bad({ lastUpdatedAfter: iso(now - 3 * MIN), lastUpdatedBefore: iso(now - 4 * MIN) })).toMatch(/after/);
    expect(await bad({ lastUpdatedAfter: iso(START), maxResultsPerPage: '101' })).toMatch(/between 1 and 100/);
    expect(await bad({ lastUpdatedAfter: iso(START), maxResultsPerPage: '0' })).toMatch(/between 1 and 100/);
    expect(await bad({ lastUpdatedAfter: iso(START), paginationToken: 'made-up' })).toMatch(/paginationToken/);
    expect(await bad({ lastUpdatedAfter: 'yesterday' }, true)).toMatch(/ISO 8601/);
    expect(await bad({ lastUpdatedAfter: iso(START), fulfillmentStatuses: 'LOST' }, true)).toMatch(/fulfillmentStatuses/);
    const ok = await h.call('GET', SEARCH, { query: { lastUpdatedAfter: iso(START), lastUpdatedBefore: iso(now - 2 * MIN) } });
    expect(ok.status).toBe(200);
  });

  it('a pagination token expires after 24 hours and must come with the same parameters', async () => {
    h = await harness({ usagePlans: { searchOrders: { rate: 10, burst: 100 } } });
    h.amazon.addListing({ sku: 'MUG', quantity: 100 });
    for (let i = 0; i < 3; i++) h.amazon.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }] });
    const query = { createdAfter: iso(START), maxResultsPerPage: '1' };
    const first = await h.call('GET', SEARCH, { query });
    const token = first.body.pagination.nextToken as string;
    expect((await h.call('GET', SEARCH, { query: { ...query, fulfillmentStatuses: 'SHIPPED', paginationToken: token } })).status).toBe(400);
    expect((await h.call('GET', SEARCH, { query: { ...query, maxResultsPerPage: '5', includedData: 'FULFILLMENT', paginationToken: token } })).body.orders).toHaveLength(2);
    await h.scheduler.advance(24 * 3600_000 + 1000);
    await h.login(); // the access token died long ago
    expect((await h.call('GET', SEARCH, { query: { ...query, paginationToken: token } })).status).toBe(400);
  });

  it('AFN orders take FBA fulfillable units into reserved; shipping lets them go, cancelling puts them back', async () => {
    h = await harness();
    h.amazon.addListing({ sku: 'MUG-FBA', channel: 'AFN' });
    h.amazon.setFbaStock('MUG-FBA', { fulfillable: 5 });
    const a = h.amazon.placeOrder({ lines: [{ sku: 'MUG-FBA', quantity: 2 }], status: 'UNSHIPPED' });
    const b = h.amazon.placeOrder({ lines: [{ sku: 'MUG-FBA', quantity: 1 }] });
    expect(a.fulfilledBy).toBe('AMAZON');
    expect(h.amazon.seller.fba.get('MUG-FBA')).toMatchObject({ fulfillable: 2, pendingCustomerOrder: 3 });
    h.amazon.shipOrder(a.orderId);
    h.amazon.cancelOrder(b.orderId);
    expect(h.amazon.seller.fba.get('MUG-FBA')).toMatchObject({ fulfillable: 3, pendingCustomerOrder: 0 });
    const afn = await h.call('GET', SEARCH, { query: { createdAfter: iso(START), fulfilledBy: 'AMAZON', includedData: 'FULFILLMENT' } });
    expect(afn.body.orders.map((o: { fulfillment: { fulfilledBy: string } }) => o.fulfillment.fulfilledBy)).toEqual(['AMAZON', 'AMAZON']);
  });
});

interface Relayed {
  headers: IncomingHttpHeaders;
  raw: string;
}

async function receiver(statusFor: (n: number) => number = () => 200): Promise<{ url: string; got: Relayed[] }> {
  const got: Relayed[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(statusFor(n++)).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closeReceiver = () => new Promise<void>((r) => server.close(() => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/amazon/notifications`, got };
}

describe('ORDER_CHANGE relay', () => {
  it('is off unless configured; then posts the official envelope, signed, with a unique NotificationId per change', async () => {
    const { url, got } = await receiver();
    h = await harness();
    h.amazon.addListing({ sku: 'MUG', quantity: 5 });
    h.amazon.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }] });
    await h.amazon.flushNotifications();
    expect(got).toHaveLength(0);
    h.amazon.configureNotifications(url, 'relay-secret', ['ORDER_CHANGE']);
    const o = h.amazon.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }] });
    h.amazon.confirmPayment(o.orderId);
    h.amazon.shipOrder(o.orderId);
    await h.amazon.flushNotifications();
    expect(got).toHaveLength(3);
    const ids = new Set<string>();
    for (const r of got) {
      const expected = createHmac('sha256', 'relay-secret').update(r.raw).digest('base64');
      expect(r.headers['x-truestock-relay-signature']).toBe(expected);
      const body = JSON.parse(r.raw);
      expect(orderChangeSchema().validate(body)).toEqual([]);
      ids.add(body.NotificationMetadata.NotificationId);
    }
    expect(ids.size).toBe(3);
    expect(got.map((r) => JSON.parse(r.raw).Payload.OrderChangeNotification.Summary.OrderStatus)).toEqual(['Pending', 'Unshipped', 'Shipped']);
    expect(JSON.parse(got[0]!.raw).Payload.OrderChangeNotification).toMatchObject({ AmazonOrderId: o.orderId, Summary: { FulfillmentType: 'MFN', OrderItems: [{ SellerSKU: 'MUG', Quantity: 1 }] } });
  });

  it('retries a refused delivery with the same NotificationId, and the drop and duplicate switches work', async () => {
    const { url, got } = await receiver((n) => (n === 0 ? 500 : 200));
    h = await harness({ notifications: { address: url, secret: 's', types: ['ORDER_CHANGE'] }, notificationRetry: { attempts: 3, baseDelayMs: 10 } });
    h.amazon.addListing({ sku: 'MUG', quantity: 5 });
    h.amazon.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }] });
    const flushed = h.amazon.flushNotifications();
    for (let i = 0; i < 20 && got.length < 2; i++) await h.scheduler.advance(10);
    await flushed;
    expect(got).toHaveLength(2);
    expect(JSON.parse(got[0]!.raw).NotificationMetadata.NotificationId).toBe(JSON.parse(got[1]!.raw).NotificationMetadata.NotificationId);
    h.amazon.setNotificationFaults({ drop: 1 });
    h.amazon.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }] });
    h.amazon.setNotificationFaults({ drop: 0, duplicate: 1 });
    h.amazon.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }] });
    await h.amazon.flushNotifications();
    expect(got).toHaveLength(4);
    expect(got[2]!.raw).toBe(got[3]!.raw);
    expect(h.amazon.counters()).toMatchObject({ notificationsSent: 3, notificationsDropped: 1, notificationsDuplicated: 1 });
  });
});
