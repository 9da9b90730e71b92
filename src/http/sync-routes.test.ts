// Channel sync controls over HTTP, on SQLite and PostgreSQL: pause and resume, hidden SKUs that
// publish 0 at once, the status page, and secrets never read back. Bad input answers its exact
// code, names the field, and writes nothing.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json, unique } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';

describe.each(STORE_KINDS)('sync routes on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  const put = (url: string, body: unknown, key = h.a.keys.operate) =>
    h.inject({ method: 'PUT', url, headers: { authorization: `Bearer ${key}`, 'idempotency-key': randomUUID() }, payload: body as Json });

  async function listed(stock = 10) {
    const ch = await h.post('/v1/channels', { kind: 'shopify', name: unique('shop'), settings: { shop_domain: `${unique('s')}.myshopify.com`, access_token: 'shpat_secret', webhook_secret: 'whsec' } }, { key: h.a.keys.admin });
    expect(ch.statusCode, ch.body).toBe(201);
    const { sku } = await h.item();
    const l = await h.post('/v1/listings', { channel: ch.json().channel.id, sku, external: { inventory_item_id: unique('gid://shopify/InventoryItem/'), location_id: 'gid://shopify/Location/1' } });
    expect(l.statusCode, l.body).toBe(201);
    expect((await h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: stock })).statusCode).toBe(200);
    return { channel: ch.json().channel as Json, listing: l.json().listing as Json, sku };
  }
  const published = async (listingId: string) => (await h.get(`/v1/listings/${listingId}/availability`, h.a.keys.read)).json();

  it('never shows credentials; sending the redacted value back keeps them', async () => {
    const { channel } = await listed();
    expect(channel.settings).toMatchObject({ access_token: '(set)', webhook_secret: '(set)' });
    const res = await h.inject({ method: 'PATCH', url: `/v1/channels/${channel.id}`, headers: { authorization: `Bearer ${h.a.keys.admin}`, 'idempotency-key': randomUUID() }, payload: { settings: { ...channel.settings, edit_policy: 'adopt' } } });
    expect(res.statusCode, res.body).toBe(200);
    const stored = await h.ts.store.read((d) => d.get<{ settings: string }>('SELECT settings FROM channels WHERE id = ?', [channel.id]));
    expect(JSON.parse(stored!.settings)).toMatchObject({ access_token: 'shpat_secret', webhook_secret: 'whsec', edit_policy: 'adopt' });
  });

  it('pauses and resumes a channel; the status says so', async () => {
    const { channel } = await listed();
    const paused = await h.post(`/v1/channels/${channel.name}/pause`, undefined);
    expect(paused.statusCode, paused.body).toBe(200);
    const status = await h.get(`/v1/channels/${channel.id}/sync`, h.a.keys.read);
    expect(status.json()).toMatchObject({ channel_id: channel.id, kind: 'shopify', paused: true, hidden_skus: [], queue_depth: 1, dead_letters: 0 });
    expect(status.json().oldest_pending_age_s).toBeGreaterThanOrEqual(0);
    const metrics = (await h.get('/metrics', null)).body;
    expect(metrics).toContain(`truestock_sync_queue_depth{channel="${channel.id}"} 1`);
    expect(metrics).toContain(`truestock_sync_paused{channel="${channel.id}"} 1`);
    expect((await h.post(`/v1/channels/${channel.id}/resume`, undefined)).json()).toMatchObject({ paused: false });
    expect((await h.get(`/v1/channels/${channel.id}/sync`, h.a.keys.read)).json()).toMatchObject({ paused: false });
  });

  it('hidden SKUs publish 0 at once and come back when unhidden', async () => {
    const { channel, listing, sku } = await listed(6);
    expect((await published(listing.id)).quantity).toBe(6);
    const hid = await put(`/v1/channels/${channel.id}/hidden-skus`, { skus: [sku] });
    expect(hid.statusCode, hid.body).toBe(200);
    expect(hid.json()).toMatchObject({ hidden_skus: [sku], listings_changed: 1 });
    const explained = await published(listing.id);
    expect(explained.quantity).toBe(0);
    const outbox = (await h.get(`/v1/outbox?channel=${channel.id}`, h.a.keys.read)).json().data as Json[];
    expect(outbox).toMatchObject([{ listing_id: listing.id, quantity: 0 }]);
    expect((await put(`/v1/channels/${channel.id}/hidden-skus`, { skus: [] })).json()).toMatchObject({ hidden_skus: [], listings_changed: 1 });
    expect((await published(listing.id)).quantity).toBe(6);
  });

  it('answers bad input with its code and writes nothing', async () => {
    const { channel } = await listed();
    expectProblem(await h.unchanged(() => put(`/v1/channels/${channel.id}/hidden-skus`, { skus: ['NOPE-SKU'] })), 'unknown_item', 'skus[0]');
    expectProblem(await h.unchanged(() => put(`/v1/channels/${channel.id}/hidden-skus`, { skus: [{ sku: 'A' }] })), 'validation_failed');
    expectProblem(await h.unchanged(() => h.post('/v1/channels/no-such-channel/pause', undefined)), 'not_found');
    expectProblem(await h.get('/v1/channels/no-such-channel/sync', h.a.keys.read), 'not_found');
    expectProblem(await h.unchanged(() => h.post(`/v1/channels/${channel.id}/pause`, undefined, { key: h.a.keys.read })), 'forbidden');
    // Another workspace's channel is not found.
    expectProblem(await h.unchanged(() => h.post(`/v1/channels/${channel.id}/pause`, undefined, { key: h.b.keys.operate })), 'not_found');
  });
});
