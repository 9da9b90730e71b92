// Shopify webhooks end to end, on SQLite and PostgreSQL: a real listening truestock server and the
// Shopify emulator sending signed deliveries (with its duplicate and drop faults), plus a capturing
// receiver that lets a test replay captured deliveries in any order, twice, or tampered with.

import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ShopifyEmulator, startShopifyEmulator } from '../../emulators/shopify/index.ts';
import { pruneWebhookReceipts, WEBHOOK_RECEIPT_RETENTION_MS } from '../app/channel-events.ts';
import { verify } from '../app/verify.ts';
import { pollChannel } from '../channels/poll-scheduler.ts';
import { channelById } from '../store/channel-event-repo.ts';
import { UNVERIFIED_DETAIL } from './webhook-routes.ts';
import { expectProblem, Harness, type Json, METRICS_TOKEN, unique } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';

interface Delivery {
  topic: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** A webhook receiver that only records what it is sent. */
async function capture(): Promise<{ url: string; deliveries: Delivery[]; close(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers as IncomingHttpHeaders).filter(([k]) => k.startsWith('x-shopify-') || k === 'content-type')) as Record<string, string>;
      deliveries.push({ topic: headers['x-shopify-topic']!, headers, body: Buffer.concat(chunks) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, deliveries, close: () => new Promise((r) => server.close(() => r())) };
}

describe.each(STORE_KINDS)('Shopify webhooks on %s', (kind) => {
  const h = new Harness(kind);
  let base = '';
  const open: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    await h.start();
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });
  afterAll(() => h.stop());

  interface Setup {
    shop: ShopifyEmulator;
    channel: Json;
    listing: Json;
    sku: string;
    location: string;
    inventoryItemId: string;
    hook: string;
  }

  /** A fresh shop and channel: one item with 10 units in truestock (WH1) and in the shop, listed by inventory item and location. */
  async function setup(settings: Json = {}, subscribe = true): Promise<Setup> {
    const shop = await startShopifyEmulator({ shop: unique('shop').toLowerCase(), clientSecret: 'whsec-test', webhookRetry: { attempts: 3, baseDelayMs: 20 } });
    open.push(shop);
    const location = shop.addLocation('Warehouse').id;
    const { sku } = await h.item(10);
    const { inventoryItemId } = shop.addItem({ sku, levels: { [location]: 10 } });
    const ch = await h.post('/v1/channels', {
      kind: 'shopify',
      name: unique('shopify'),
      settings: { shop_domain: shop.shopDomain, access_token: shop.accessToken, webhook_secret: shop.clientSecret, api_url: shop.url, locations: { [location]: 'WH1' }, ...settings },
    }, { key: h.a.keys.admin });
    expect(ch.statusCode, ch.body).toBe(201);
    const channel = ch.json().channel;
    const l = await h.post('/v1/listings', { channel: channel.id, sku, external: { inventory_item_id: inventoryItemId, location_id: location } });
    expect(l.statusCode, l.body).toBe(201);
    const hook = `${base}/v1/channels/${channel.id}/webhooks`;
    if (subscribe) shop.subscribe(hook);
    return { shop, channel, listing: l.json().listing, sku, location, inventoryItemId, hook };
  }

  const post = (hook: string, d: Delivery, headers: Record<string, string | undefined> = {}, body: Buffer = d.body) => {
    const merged = Object.fromEntries(Object.entries({ ...d.headers, ...headers }).filter(([, v]) => v !== undefined)) as Record<string, string>;
    return fetch(hook, { method: 'POST', headers: merged, body: new Uint8Array(body) });
  };
  /** Holds of one order: every emulator numbers its orders from #1001, so the channel tells them apart. */
  const holdsOf = async (channel: Json, reference: string) =>
    ((await h.get('/v1/holds?limit=500', h.a.keys.read)).json().data as Json[]).filter((x) => x.order_reference === reference && x.channel_id === channel.id);
  const receipts = (channelId: string) => h.ts.store.read((db) => db.all<{ topic: string; outcome: string }>('SELECT topic, outcome FROM webhook_receipts WHERE channel_id = ? ORDER BY received_at, webhook_id', [channelId]));
  const verified = async () => expect((await verify(h.ts.store, h.a.id)).ok).toBe(true);
  /** As if the sync had pushed `quantity` to the listing and Shopify had acknowledged it. */
  const markPushed = (listingId: string, channelId: string, quantity: number) =>
    h.ts.store.transaction((db) => db.run(
      `INSERT INTO listing_sync (listing_id, workspace_id, channel_id, pushed_version, pushed_quantity, pushed_at) VALUES (?, ?, ?, 1, ?, ?)
       ON CONFLICT (listing_id) DO UPDATE SET pushed_quantity = excluded.pushed_quantity, pushed_at = excluded.pushed_at`,
      [listingId, h.a.id, channelId, quantity, h.clock.now()],
    ));

  it('allocates an order placed on Shopify at the mapped location, for the channel', async () => {
    const { shop, channel, sku } = await setup();
    const order = shop.placeOrder({ lines: [{ sku, quantity: 2 }] });
    await shop.flushWebhooks();
    const [hold, ...more] = await holdsOf(channel, order.name);
    expect(more).toEqual([]);
    expect(hold).toMatchObject({ state: 'allocated', channel_id: channel.id, lines: [{ sku, location: 'WH1', quantity: 2, oversold: 0 }] });
    expect(await h.totals(sku)).toMatchObject({ available: 8, committed: 2 });
    expect(shop.counters()).toMatchObject({ webhooksFailed: 0 });
    expect((await receipts(channel.id)).map((r) => `${r.topic} ${r.outcome}`)).toEqual(expect.arrayContaining(['orders/create allocated']));
    await verified();
  });

  it('allocates a duplicated delivery once', async () => {
    const { shop, channel, sku } = await setup();
    shop.setFaults({ duplicate: 1 });
    const order = shop.placeOrder({ lines: [{ sku, quantity: 3 }] });
    await shop.flushWebhooks();
    expect(shop.counters().webhooksDuplicated).toBeGreaterThan(0);
    expect(await holdsOf(channel, order.name)).toHaveLength(1);
    expect(await h.totals(sku)).toMatchObject({ available: 7, committed: 3 });
    // One receipt per webhook id: the copy was answered 200 as a duplicate and did nothing.
    expect((await receipts(channel.id)).filter((r) => r.topic === 'orders/create')).toHaveLength(1);
    expect(shop.counters()).toMatchObject({ webhooksFailed: 0 });
    await verified();
  });

  it('leaves nothing allocated when the cancellation arrives before the order', async () => {
    const { shop, channel, sku, hook } = await setup({}, false);
    const cap = await capture();
    open.push(cap);
    shop.subscribe(cap.url);
    const order = shop.placeOrder({ lines: [{ sku, quantity: 4 }] });
    shop.cancelOrder(order.id);
    await shop.flushWebhooks();
    const of = (topic: string) => cap.deliveries.filter((d) => d.topic === topic);
    expect(of('orders/cancelled')).toHaveLength(1);
    // Cancelled first, then the create, then the create again (a retry) and the update.
    for (const d of [...of('orders/cancelled'), ...of('orders/create'), ...of('orders/create'), ...of('orders/updated')]) {
      const res = await post(hook, d, d.topic === 'orders/create' ? { 'x-shopify-webhook-id': `${d.headers['x-shopify-webhook-id']}-retry-${Math.random()}` } : {});
      expect(res.status, await res.text()).toBe(200);
    }
    expect(await holdsOf(channel, order.name)).toEqual([]);
    expect(await h.totals(sku)).toMatchObject({ available: 10, committed: 0 });
    const row = await h.ts.store.read((db) => db.get<Json>('SELECT state, hold_id FROM channel_orders WHERE channel_id = ?', [channel.id]));
    expect(row).toMatchObject({ state: 'cancelled', hold_id: null });
    await verified();
  });

  it('cancels the allocation when the cancellation arrives after the order', async () => {
    const { shop, channel, sku } = await setup();
    const order = shop.placeOrder({ lines: [{ sku, quantity: 4 }] });
    await shop.flushWebhooks();
    shop.cancelOrder(order.id);
    await shop.flushWebhooks();
    expect(await holdsOf(channel, order.name)).toMatchObject([{ state: 'cancelled' }]);
    expect(await h.totals(sku)).toMatchObject({ available: 10, committed: 0 });
    await verified();
  });

  it('refuses a forged, unsigned, foreign or misaddressed delivery with one answer, and records nothing', async () => {
    const { shop, channel, sku, hook } = await setup({}, false);
    const cap = await capture();
    open.push(cap);
    shop.subscribe(cap.url);
    shop.placeOrder({ lines: [{ sku, quantity: 1 }] });
    await shop.flushWebhooks();
    const d = cap.deliveries.find((x) => x.topic === 'orders/create')!;
    const forged = Buffer.from(d.body.toString('utf8').replace('"quantity":1', '"quantity":9'));
    // Everything but the request's own id and address: what would tell one refusal from another.
    const answer = async (res: Response) => {
      const { request_id: _id, instance: _at, ...body } = (await res.json()) as Json;
      return { status: res.status, type: res.headers.get('content-type'), body };
    };
    const expected = {
      status: 401, type: expect.stringMatching(/^application\/problem\+json/),
      body: { type: '/problems/webhook_signature_invalid', title: 'The webhook is not signed by the channel', status: 401, code: 'webhook_signature_invalid', retryable: false, detail: UNVERIFIED_DETAIL },
    };
    await h.unchanged(async () => {
      const answers = [
        await answer(await post(hook, d, {}, forged)),
        await answer(await post(hook, d, { 'x-shopify-hmac-sha256': undefined })),
        await answer(await post(hook, d, { 'x-shopify-shop-domain': 'other.myshopify.com' })),
        await answer(await post(hook, d, { 'x-shopify-topic': undefined })),
        // An unknown channel id, and a known one under another kind's address, answer the same.
        await answer(await post(hook.replace(channel.id, 'chan_nope'), d)),
        await answer(await post(`${hook}/walmart`, d)),
      ];
      for (const a of answers) expect(a).toEqual(expected);
    }, [sku]);
    expect(await receipts(channel.id)).toEqual([]);
    const metrics = await h.get('/metrics', METRICS_TOKEN);
    expect(metrics.body).toMatch(/truestock_webhook_deliveries_total\{channel_kind="shopify",result="unauthorized"\} 3/);
    // The genuine delivery still applies.
    expect((await post(hook, d)).status).toBe(200);
    expect(await h.totals(sku)).toMatchObject({ committed: 1 });
  });

  it('ignores, and records, a signed body re-sent under a topic it disagrees with', async () => {
    const { shop, channel, sku, hook } = await setup({}, false);
    const cap = await capture();
    open.push(cap);
    shop.subscribe(cap.url);
    const order = shop.placeOrder({ lines: [{ sku, quantity: 2 }] });
    await shop.flushWebhooks();
    const created = cap.deliveries.find((x) => x.topic === 'orders/create')!;
    expect((await post(hook, created)).status).toBe(200);
    expect(await holdsOf(channel, order.name)).toMatchObject([{ state: 'allocated' }]);
    // The same signed orders/create body, re-sent as orders/cancelled under a fresh webhook id.
    const replayed = await post(hook, created, { 'x-shopify-topic': 'orders/cancelled', 'x-shopify-webhook-id': `${created.headers['x-shopify-webhook-id']}-again` });
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toEqual({ status: 'ok', outcome: expect.stringMatching(/^ignored: topic orders\/cancelled disagrees with its body: .*cancelled_at/) });
    expect(await holdsOf(channel, order.name)).toMatchObject([{ state: 'allocated' }]);
    expect(await h.totals(sku)).toMatchObject({ available: 8, committed: 2 });
    expect((await receipts(channel.id)).filter((r) => r.topic === 'orders/cancelled')).toEqual([{ topic: 'orders/cancelled', outcome: expect.stringMatching(/^ignored: topic orders\/cancelled disagrees/) }]);
    // An inventory level body under orders/create does nothing either.
    const levelBody = cap.deliveries.find((x) => x.topic === 'inventory_levels/update')!;
    const asOrder = await post(hook, levelBody, { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'level-as-order' });
    expect(await asOrder.json()).toMatchObject({ outcome: expect.stringMatching(/^ignored: topic orders\/create disagrees/) });
    await verified();
  });

  it('needs no API key but answers an API-key route as before', async () => {
    const res = await h.inject({ method: 'POST', url: '/v1/channels/chan_x/webhooks', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expectProblem(res, 'webhook_signature_invalid', null);
    expectProblem(await h.inject({ method: 'GET', url: '/v1/channels' }), 'unauthorized', 'Authorization');
    const spec = (await h.get('/openapi.json', null)).json();
    expect(spec.paths['/v1/channels/{id}/webhooks'].post.security).toEqual([]);
    expect(spec.paths['/v1/channels/{id}/webhooks/{kind}'].post.security).toEqual([]);
  });

  it('answers the address that names the kind, for that kind only', async () => {
    const { shop, channel, sku } = await setup({}, false);
    shop.subscribe(`${base}/v1/channels/${channel.id}/webhooks/shopify`);
    const order = shop.placeOrder({ lines: [{ sku, quantity: 1 }] });
    await shop.flushWebhooks();
    expect(await holdsOf(channel, order.name)).toMatchObject([{ state: 'allocated' }]);
    const wrong = await h.inject({ method: 'POST', url: `/v1/channels/${channel.id}/webhooks/walmart`, headers: { 'content-type': 'application/json' }, payload: '{}' });
    expectProblem(wrong, 'webhook_signature_invalid', null);
  });

  it('catches an order whose webhooks were dropped with the order poll', async () => {
    const { shop, channel, sku } = await setup();
    shop.setFaults({ drop: 1 });
    const order = shop.placeOrder({ lines: [{ sku, quantity: 2 }] });
    await shop.flushWebhooks();
    expect(shop.counters().webhooksDropped).toBeGreaterThan(0);
    expect(await holdsOf(channel, order.name)).toEqual([]);
    const stored = (await h.ts.store.read((db) => channelById(db, channel.id)))!;
    const polled = await pollChannel(h.ts, { ...stored, createdAt: Date.now() - 60_000 });
    expect(polled).toMatchObject({ status: 'ok', events: 1, outcomes: { allocated: 1 } });
    expect(await holdsOf(channel, order.name)).toMatchObject([{ state: 'allocated', channel_id: channel.id, lines: [{ sku, location: 'WH1', quantity: 2 }] }]);
    // The next poll sees it again (same second, `>=`) and changes nothing.
    expect(await pollChannel(h.ts, stored)).toMatchObject({ status: 'ok', outcomes: { no_change: 1 } });
    // A cancellation the webhooks also lost is caught the same way.
    shop.cancelOrder(order.id);
    await shop.flushWebhooks();
    expect(await pollChannel(h.ts, stored)).toMatchObject({ status: 'ok', outcomes: { cancelled: 1 } });
    expect(await h.totals(sku)).toMatchObject({ available: 10, committed: 0 });
    await verified();
  });

  it('turns a refund with restock into a return awaiting inspection', async () => {
    const { shop, channel, sku } = await setup();
    const order = shop.placeOrder({ lines: [{ sku, quantity: 3 }] });
    await shop.flushWebhooks();
    const [hold] = await holdsOf(channel, order.name);
    expect((await h.post(`/v1/holds/${hold!.id}/ship`, {})).statusCode).toBe(200);
    shop.fulfillOrder(order.id);
    shop.refund(order.id, { lines: [{ lineItemId: order.lines[0]!.id, quantity: 2, restockType: 'return' }] });
    await shop.flushWebhooks();
    const returns = (await h.get('/v1/returns?limit=500', h.a.keys.read)).json().data as Json[];
    const mine = returns.filter((r) => r.channel_id === channel.id);
    expect(mine).toMatchObject([{ order_reference: order.name, location: 'WH1', state: 'open', lines: [{ sku, expected: 2, received: 2, awaiting_inspection: 2 }] }]);
    expect(await h.totals(sku)).toMatchObject({ available: 7, committed: 0, quality_control: 2 });
    await verified();
  });

  it('cancels the allocation when a refund cancels every unit before fulfilment', async () => {
    const { shop, channel, sku } = await setup();
    const order = shop.placeOrder({ lines: [{ sku, quantity: 3 }] });
    await shop.flushWebhooks();
    shop.refund(order.id, { lines: [{ lineItemId: order.lines[0]!.id, quantity: 3, restockType: 'cancel' }] });
    await shop.flushWebhooks();
    expect(await holdsOf(channel, order.name)).toMatchObject([{ state: 'cancelled' }]);
    expect(await h.totals(sku)).toMatchObject({ available: 10, committed: 0 });
    await verified();
  });

  it('master_wins: a hand edit requeues truestock\'s number after the grace; our own echo does nothing', async () => {
    const { shop, channel, listing, sku, inventoryItemId, location } = await setup({ edit_grace_seconds: 45 });
    await markPushed(listing.id, channel.id, 10);
    shop.editAvailable(inventoryItemId, location, 7);
    await shop.flushWebhooks();
    const outbox = await h.ts.store.read((db) => db.get<Json>('SELECT quantity, not_before FROM channel_outbox WHERE listing_id = ?', [listing.id]));
    expect({ quantity: Number(outbox!.quantity), not_before: Number(outbox!.not_before) }).toEqual({ quantity: 10, not_before: h.clock.now() + 45_000 });
    const sync = await h.ts.store.read((db) => db.get<Json>('SELECT shown_quantity FROM listing_sync WHERE listing_id = ?', [listing.id]));
    expect(Number(sync!.shown_quantity)).toBe(7);
    const levelOutcomes = async () => (await receipts(channel.id)).filter((r) => r.topic === 'inventory_levels/update').map((r) => r.outcome).sort();
    expect(await levelOutcomes()).toEqual(['requeued']);
    shop.editAvailable(inventoryItemId, location, 10);
    await shop.flushWebhooks();
    expect(await levelOutcomes()).toEqual(['echo', 'requeued']);
    expect(await h.totals(sku)).toMatchObject({ available: 10 });
  });

  it('judges a level\'s staleness by its signed updated_at, not by a fresh X-Shopify-Triggered-At', async () => {
    const { shop, channel, listing, inventoryItemId, location, hook } = await setup({ edit_grace_seconds: 45 }, false);
    const cap = await capture();
    open.push(cap);
    shop.subscribe(cap.url);
    await markPushed(listing.id, channel.id, 10);
    shop.editAvailable(inventoryItemId, location, 7);
    await shop.flushWebhooks();
    const d = cap.deliveries.find((x) => x.topic === 'inventory_levels/update')!;
    /** The captured level, changed and signed again as Shopify would have sent it. */
    const level = (available: number, updatedAt: string) => {
      const body = Buffer.from(JSON.stringify({ ...JSON.parse(d.body.toString('utf8')), available, updated_at: updatedAt }));
      return { ...d, body, headers: { ...d.headers, 'x-shopify-hmac-sha256': createHmac('sha256', 'whsec-test').update(body).digest('base64') } };
    };
    const outcome = async (res: Response) => ((await res.json()) as Json).outcome;
    // The newer level (our own number back) lands first, then the older one arrives.
    expect(await outcome(await post(hook, level(10, '2030-01-01T00:01:00Z'), { 'x-shopify-webhook-id': 'newer', 'x-shopify-triggered-at': '2030-01-01T00:01:00Z' }))).toBe('echo');
    // A stale level re-sent under a fresh, unsigned trigger time is still stale: nothing requeued.
    const stale = level(7, '2030-01-01T00:00:00Z');
    expect(await outcome(await post(hook, stale, { 'x-shopify-webhook-id': 'older-resent', 'x-shopify-triggered-at': '2030-01-01T05:00:00Z' }))).toBe('stale');
    expect(await outcome(await post(hook, stale, { 'x-shopify-webhook-id': 'older-no-header', 'x-shopify-triggered-at': undefined }))).toBe('stale');
  });

  it('adopt: a hand edit is booked as a channel_edit adjustment', async () => {
    const { shop, channel, listing, sku, inventoryItemId, location } = await setup({ edit_policy: 'adopt' });
    await markPushed(listing.id, channel.id, 10);
    shop.editAvailable(inventoryItemId, location, 7);
    await shop.flushWebhooks();
    expect(await h.totals(sku)).toMatchObject({ available: 7 });
    const moves = (await h.get(`/v1/movements?sku=${sku}&reason=channel_edit`, h.a.keys.read)).json().data as Json[];
    expect(moves).toMatchObject([{ from: 'available', to: 'adjustment', quantity: 3, reason: 'channel_edit', location: 'WH1' }]);
    await verified();
  });

  it('prunes receipts older than the retention', async () => {
    const { shop, channel, sku } = await setup();
    shop.placeOrder({ lines: [{ sku, quantity: 1 }] });
    await shop.flushWebhooks();
    expect((await receipts(channel.id)).length).toBeGreaterThan(0);
    expect(await pruneWebhookReceipts(h.ts)).toBe(0);
    h.clock.advance(WEBHOOK_RECEIPT_RETENTION_MS + 1);
    expect(await pruneWebhookReceipts(h.ts)).toBeGreaterThan(0);
    expect(await receipts(channel.id)).toEqual([]);
  });

  it('records an order line that maps to no listing as an exception, and allocates the rest', async () => {
    const { shop, channel, sku, location } = await setup();
    const unlisted = unique('UNLISTED');
    shop.addItem({ sku: unlisted, levels: { [location]: 5 } });
    const order = shop.placeOrder({ lines: [{ sku, quantity: 1 }, { sku: unlisted, quantity: 2 }] });
    await shop.flushWebhooks();
    expect(await holdsOf(channel, order.name)).toMatchObject([{ lines: [{ sku, quantity: 1 }] }]);
    const exceptions = ((await h.get('/v1/exceptions?limit=500', h.a.keys.read)).json().data as Json[]).filter((e) => e.reference === order.name);
    expect(exceptions).toMatchObject([{ kind: 'unmapped_order_line', quantity: 2 }]);
  });

  it('two variants with one SKU: an order line only the SKU could map is an exception naming the listings, not a guess', async () => {
    const { shop, channel, listing, sku, location } = await setup();
    // Shopify allows a second variant with the same SKU; it is listed too (same truestock item).
    const second = shop.addItem({ sku, levels: { [location]: 10 } });
    const l2 = await h.post('/v1/listings', { channel: channel.id, sku, external: { inventory_item_id: second.inventoryItemId, location_id: location } });
    expect(l2.statusCode, l2.body).toBe(201);
    // The webhook names the variant and the SKU only; neither listing names the variant.
    const order = shop.placeOrder({ lines: [{ variantId: second.variantId, quantity: 2 }] });
    await shop.flushWebhooks();
    expect(await holdsOf(channel, order.name)).toEqual([]);
    const exceptions = ((await h.get('/v1/exceptions?limit=500', h.a.keys.read)).json().data as Json[]).filter((e) => e.reference === order.name && String(e.message).includes(` on ${channel.name}:`));
    expect(exceptions).toMatchObject([{ kind: 'unmapped_order_line', quantity: 2, message: expect.stringContaining(`SKU ${sku} could be any of 2 products`) }]);
    expect(exceptions[0]!.message).toContain(listing.id);
    expect(exceptions[0]!.message).toContain(l2.json().listing.id);
    expect(await h.totals(sku)).toMatchObject({ committed: 0 });
  });

  it('two variants with one SKU, one listed: the poll, which knows the line\'s inventory item, does not map the other variant by SKU', async () => {
    const { shop, channel, listing, sku, location } = await setup();
    const second = shop.addItem({ sku, levels: { [location]: 10 } });
    shop.setFaults({ drop: 1 });
    const order = shop.placeOrder({ lines: [{ variantId: second.variantId, quantity: 1 }] });
    await shop.flushWebhooks();
    const stored = (await h.ts.store.read((db) => channelById(db, channel.id)))!;
    expect(await pollChannel(h.ts, { ...stored, createdAt: Date.now() - 60_000 })).toMatchObject({ status: 'ok', events: 1 });
    expect(await holdsOf(channel, order.name)).toEqual([]);
    const exceptions = ((await h.get('/v1/exceptions?limit=500', h.a.keys.read)).json().data as Json[]).filter((e) => e.reference === order.name && String(e.message).includes(` on ${channel.name}:`));
    expect(exceptions).toMatchObject([{ kind: 'unmapped_order_line', message: expect.stringContaining(`SKU ${sku} is shared by variants`) }]);
    expect(exceptions[0]!.message).toContain(listing.id);
  });
});
