import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { control, harness, type Harness, listingPath, MARKETPLACE, mfnQuantityChangeSchema, orderChangeSchema, quantityPatch, SELLER, START } from './test-support.ts';

let h: Harness;
let closeReceiver: (() => Promise<void>) | undefined;
afterEach(async () => {
  await h?.close();
  await closeReceiver?.();
  closeReceiver = undefined;
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

const SECRET = 'relay-secret';
const bodies = (got: Relayed[]) => got.map((r) => JSON.parse(r.raw) as Record<string, any>);
const quantityChanges = (got: Relayed[]) => bodies(got).filter((b) => b.NotificationType === 'LISTINGS_ITEM_MFN_QUANTITY_CHANGE');
const seen = (got: Relayed[]) => quantityChanges(got).map((b) => [b.Payload.Sku, b.Payload.Quantity]);

describe('LISTINGS_ITEM_MFN_QUANTITY_CHANGE relay', () => {
  it('announces every MFN quantity change — hand edit, order, cancellation, patch and feed applied — in the official envelope, signed', async () => {
    const { url, got } = await receiver();
    h = await harness({ notifications: { address: url, secret: SECRET }, listingProcessingMs: 5_000, feedQueueMs: 1_000, feedProcessingMs: 1_000 });
    const step = async (f: () => unknown) => {
      await f();
      await h.amazon.flushNotifications();
    };
    h.amazon.addListing({ sku: 'MUG', quantity: 10 });
    h.amazon.addListing({ sku: 'MUG-FBA', channel: 'AFN' });
    h.amazon.setFbaStock('MUG-FBA', { fulfillable: 5 });
    expect(got, 'adding a listing or FBA stock announces nothing').toEqual([]);

    await step(() => h.amazon.setQuantity('MUG', 8)); // a hand edit in Seller Central
    await h.scheduler.advance(250);
    let order = '';
    await step(() => (order = h.amazon.placeOrder({ lines: [{ sku: 'MUG', quantity: 3 }] }).orderId)); // 5
    await step(() => h.amazon.cancelOrder(order)); // back to 8
    await step(() => h.amazon.placeOrder({ lines: [{ sku: 'MUG-FBA', quantity: 1 }] })); // FBA: Amazon's stock, no announcement
    await step(() => h.call('PATCH', listingPath('MUG'), { query: { marketplaceIds: MARKETPLACE }, body: quantityPatch(12) }));
    expect(seen(got), 'an ACCEPTED patch is not applied yet').toEqual([['MUG', 8], ['MUG', 5], ['MUG', 8]]);
    await h.scheduler.advance(5_000);
    await step(() => h.amazon.listing('MUG')); // Amazon processes it when anyone looks
    await step(() => h.call('PATCH', listingPath('MUG'), { query: { marketplaceIds: MARKETPLACE }, body: quantityPatch(12) }));
    await h.scheduler.advance(5_000);
    await step(() => h.amazon.listing('MUG')); // the same number again: nothing moved, nothing announced
    await step(() => control(h, 'POST', '/_emulator/listings/MUG/quantity', { quantity: 4 }));

    expect(seen(got)).toEqual([['MUG', 8], ['MUG', 5], ['MUG', 8], ['MUG', 12], ['MUG', 4]]);
    const changes = quantityChanges(got);
    for (const b of changes) {
      expect(mfnQuantityChangeSchema().validate(b)).toEqual([]);
      expect(b).toMatchObject({ NotificationVersion: '1.0', PayloadVersion: '1.0', Payload: { SellerId: SELLER, FulfillmentChannelCode: 'DEFAULT', Sku: 'MUG' } });
      expect(b.NotificationMetadata.PublishTime).toBe(b.EventTime);
    }
    for (const r of got) expect(r.headers['x-truestock-relay-signature']).toBe(createHmac('sha256', SECRET).update(r.raw).digest('base64'));
    // The ORDER_CHANGEs still come (the MFN order placed and cancelled, the FBA order), each valid against its own model.
    for (const b of bodies(got).filter((x) => x.NotificationType === 'ORDER_CHANGE')) expect(orderChangeSchema().validate(b)).toEqual([]);
    expect(bodies(got).filter((x) => x.NotificationType === 'ORDER_CHANGE')).toHaveLength(3);
    expect(new Set(bodies(got).map((b) => b.NotificationMetadata.NotificationId)).size).toBe(got.length);
    // One subscription per type, as Amazon's Notifications API makes them.
    const subscriptions = new Set(bodies(got).map((b) => `${b.NotificationType}:${b.NotificationMetadata.SubscriptionId}`));
    expect(subscriptions.size).toBe(2);
    // Milliseconds, strictly in the order the changes happened; the patch at the time it applied.
    const times = changes.map((b) => Date.parse(b.EventTime));
    expect(changes[0]!.EventTime).toBe(new Date(START).toISOString());
    expect(times[1]).toBe(START + 250);
    expect(times[2]).toBe(START + 251); // the cancellation came in the same millisecond as the order
    expect(times[3]).toBe(START + 250 + 5_000);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]!);
  });

  it('announces a feed’s quantities when the feed is processed, not a failing SKU’s, and not a listing’s removed quantity', async () => {
    const { url, got } = await receiver();
    h = await harness({ notifications: { address: url, secret: SECRET }, feedQueueMs: 1_000, feedProcessingMs: 2_000 });
    for (const sku of ['A', 'B', 'C']) h.amazon.addListing({ sku, quantity: 1 });
    h.amazon.failSku('B', { code: '90000900', message: 'Emulated failure' });
    const message = (messageId: number, sku: string, quantity: number) => ({
      messageId, sku, operationType: 'PATCH', productType: 'PRODUCT',
      patches: [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity }] }],
    });
    const feed = { header: { sellerId: SELLER, version: '2.0', issueLocale: 'en_US' }, messages: [message(1, 'A', 5), message(2, 'B', 6), { messageId: 3, sku: 'C', operationType: 'UPDATE', productType: 'PRODUCT', attributes: { item_name: [{ value: 'C' }] } }] };
    const doc = await h.call('POST', '/feeds/2021-06-30/documents', { body: { contentType: 'application/json; charset=UTF-8' } });
    await h.fetch(doc.body.url, { method: 'PUT', headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify(feed) });
    await h.call('POST', '/feeds/2021-06-30/feeds', { body: { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [MARKETPLACE], inputFeedDocumentId: doc.body.feedDocumentId } });
    await h.amazon.flushNotifications();
    expect(got).toEqual([]);
    await h.scheduler.advance(3_000);
    h.amazon.listingsState();
    await h.amazon.flushNotifications();
    expect(seen(got)).toEqual([['A', 5]]);
    expect(Date.parse(quantityChanges(got)[0]!.EventTime)).toBe(START + 3_000);
    expect(h.amazon.listing('C').quantity).toBeNull();
  });

  it('is relayed only to a relay subscribed to it; retries keep the NotificationId', async () => {
    const { url, got } = await receiver((n) => (n === 0 ? 500 : 200));
    h = await harness({ notificationRetry: { attempts: 3, baseDelayMs: 10 } });
    h.amazon.addListing({ sku: 'MUG', quantity: 5 });
    expect(await control(h, 'POST', '/_emulator/notifications', { address: url, secret: SECRET, types: ['ORDER_CHANGE'] })).toMatchObject({ status: 201, body: { types: ['ORDER_CHANGE'] } });
    h.amazon.setQuantity('MUG', 4);
    await h.amazon.flushNotifications();
    expect(got).toEqual([]);
    expect((await control(h, 'POST', '/_emulator/notifications', { address: url, secret: SECRET, types: ['SOMETHING_ELSE'] })).status).toBe(400);
    expect((await control(h, 'POST', '/_emulator/notifications', { address: url, secret: SECRET, types: ['LISTINGS_ITEM_MFN_QUANTITY_CHANGE'] })).status).toBe(201);
    h.amazon.setQuantity('MUG', 3);
    const flushed = h.amazon.flushNotifications();
    for (let i = 0; i < 20 && got.length < 2; i++) await h.scheduler.advance(10);
    await flushed;
    expect(got).toHaveLength(2);
    expect(got[0]!.raw).toBe(got[1]!.raw);
    expect(seen(got)).toEqual([['MUG', 3], ['MUG', 3]]);
  });
});
