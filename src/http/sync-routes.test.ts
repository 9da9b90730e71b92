// Channel sync controls over HTTP, on SQLite and PostgreSQL: pause and resume, hidden SKUs that
// publish 0 at once, the status page, and secrets never read back. Bad input answers its exact
// code, names the field, and writes nothing.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json, METRICS_TOKEN, unique } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';
import { type PollOutcome, recordPoll } from '../store/poll-health-repo.ts';
import { type Claimed, deadLetter, recordShown } from '../store/sync-repo.ts';
import { ResponseContract } from '../../test/support/response-contract.ts';
import { openSettings } from '../store/secret-box.ts';

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
    // Sealed at rest (docs/security.md): opened with the process's key to compare.
    expect(stored!.settings).not.toContain('shpat_secret');
    expect(openSettings(stored!.settings)).toMatchObject({ access_token: 'shpat_secret', webhook_secret: 'whsec', edit_policy: 'adopt' });
  });

  it('pauses and resumes a channel; the status says so', async () => {
    const { channel } = await listed();
    const paused = await h.post(`/v1/channels/${channel.name}/pause`, undefined);
    expect(paused.statusCode, paused.body).toBe(200);
    const status = await h.get(`/v1/channels/${channel.id}/sync`, h.a.keys.read);
    expect(status.json()).toMatchObject({ channel_id: channel.id, kind: 'shopify', paused: true, hidden_skus: [], queue_depth: 1, dead_letters: 0 });
    expect(status.json().oldest_pending_age_s).toBeGreaterThanOrEqual(0);
    const metrics = (await h.get('/metrics', METRICS_TOKEN)).body;
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

  it('a channel without a connector says its numbers are served, shows no queue, and serves them as JSON pages and CSV', async () => {
    const ch = await h.post('/v1/channels', { kind: 'custom', name: unique('pos') }, { key: h.a.keys.admin });
    expect(ch.statusCode, ch.body).toBe(201);
    const channel = ch.json().channel as Json;
    const skus: string[] = [];
    for (const [i, external_id] of ['till-1', '=HYPERLINK("http://evil")', 'till, "3"'].entries()) {
      const { sku } = await h.item(4 + i);
      skus.push(sku);
      expect((await h.post('/v1/listings', { channel: channel.id, sku, external: { external_id } })).statusCode).toBe(201);
    }
    const status = (await h.get(`/v1/channels/${channel.name}/sync`, h.a.keys.read)).json();
    expect(status).toMatchObject({ numbers: 'served', state: 'served', state_reasons: [], queue_depth: null, oldest_pending_age_s: null, dead_letters: null, dispatcher: null, inbound: null });
    expect(status.served).toEqual({ json: `/v1/channels/${channel.id}/numbers`, csv: `/v1/channels/${channel.id}/numbers.csv` });

    // Two pages of two and one, each listing with the number explain gives.
    const first = await h.get(`/v1/channels/${channel.name}/numbers?limit=2`, h.a.keys.read);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ channel_id: channel.id, numbers: 'served' });
    const second = (await h.get(`/v1/channels/${channel.id}/numbers?limit=2&cursor=${first.json().next_cursor}`, h.a.keys.read)).json();
    expect(second.next_cursor).toBeNull();
    const rows = [...first.json().data, ...second.data] as Json[];
    expect(rows.map((r) => r.sku).sort()).toEqual([...skus].sort());
    for (const r of rows) {
      expect(r.quantity).toBe((await published(r.listing_id)).quantity);
      expect(r.quantity).toBe(4 + skus.indexOf(r.sku));
    }
    expect(rows.find((r) => r.sku === skus[0])!.external).toEqual({ external_id: 'till-1' });

    const csv = await h.get(`/v1/channels/${channel.id}/numbers.csv`, h.a.keys.read);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('listing_id,sku,external_id,external_key,quantity,backorder_units,computed_at');
    expect(lines).toHaveLength(4);
    const line = (sku: string) => lines.find((l) => l.includes(`,${sku},`))!;
    // A cell that would run as a formula is quoted as text; commas and quotes are escaped.
    expect(line(skus[1]!)).toContain(`,"'=HYPERLINK(""http://evil"")",`);
    expect(line(skus[2]!)).toContain(`,"till, ""3""",`);
    expect(line(skus[2]!)).toContain(',6,0,');

    // Documented in the OpenAPI: the row's fields, and the CSV as text/csv.
    const doc = (await h.get('/openapi.json', null)).json();
    const json = doc.paths['/v1/channels/{id}/numbers'].get;
    expect(json.responses['200'].content['application/json'].schema.properties.data.items).toEqual({ $ref: '#/components/schemas/ServedNumber' });
    expect(Object.keys(doc.components.schemas.ServedNumber.properties)).toEqual(['listing_id', 'sku', 'external', 'external_key', 'quantity', 'backorder_units', 'computed_at']);
    expect(doc.paths['/v1/channels/{id}/numbers.csv'].get.responses['200'].content).toHaveProperty('text/csv');
    // A streamed answer passes the Harness's check unseen: hold the CSV to the document here.
    expect(new ResponseContract(doc).check('GET', '/v1/channels/:id/numbers.csv', csv.statusCode, String(csv.headers['content-type']), csv.body)).toBeNull();

    expectProblem(await h.get('/v1/channels/no-such-channel/numbers', h.a.keys.read), 'not_found');
    expectProblem(await h.get('/v1/channels/no-such-channel/numbers.csv', h.a.keys.read), 'not_found');
    expectProblem(await h.get(`/v1/channels/${channel.id}/numbers`, h.b.keys.read), 'not_found');
    expectProblem(await h.get(`/v1/channels/${channel.id}/numbers?cursor=%25%25`, h.a.keys.read), 'validation_failed', 'cursor');
  });

  it('a failing order poll makes the channel not "active"; a good one clears it', async () => {
    const { channel } = await listed();
    const status = async () => (await h.get(`/v1/channels/${channel.id}/sync`, h.a.keys.read)).json();
    expect(await status()).toMatchObject({ numbers: 'pushed', state: 'active', inbound: null });
    const poll = (outcome: PollOutcome) => h.ts.store.transaction((db) => recordPoll(db, h.a.id, channel.id, outcome, h.clock.now()));
    await poll({ ok: true });
    h.clock.advance(60_000);
    await poll({ ok: false, message: 'transient: HTTP 503' });
    const failing = await status();
    expect(failing).toMatchObject({ state: 'degraded', inbound: { consecutive_failures: 1, last_error: { message: 'transient: HTTP 503' } } });
    expect(failing.state_reasons).toEqual(['order polls failing (1 in a row): transient: HTTP 503']);
    expect(Date.parse(failing.inbound.last_poll_at) - Date.parse(failing.inbound.last_ok_at)).toBe(60_000);
    for (let i = 0; i < 2; i++) await poll({ ok: false, message: 'transient: HTTP 503' });
    expect(await status()).toMatchObject({ state: 'failing', inbound: { consecutive_failures: 3 } });
    await poll({ ok: true });
    expect(await status()).toMatchObject({ state: 'active', state_reasons: [], inbound: { consecutive_failures: 0, last_error: { message: 'transient: HTTP 503' } } });
  });

  it('listings show the number truestock publishes, the one it pushed and the one last seen on the channel', async () => {
    const { channel, listing } = await listed(7);
    const view = async () => (await h.get(`/v1/listings?channel=${channel.id}`, h.a.keys.read)).json().data[0] as Json;
    expect((await view()).numbers).toMatchObject({ published: { quantity: 7, backorder_units: 0 }, pushed: null, shown: null });
    const seenAt = h.clock.now();
    await h.ts.store.transaction((db) => recordShown(db, h.a.id, channel.id, listing.id, 5, seenAt));
    const got = (await h.get(`/v1/listings/${listing.id}`, h.a.keys.read)).json().listing as Json;
    expect(got.numbers).toMatchObject({ published: { quantity: 7 }, pushed: null, shown: { quantity: 5, at: new Date(seenAt).toISOString() } });
  });

  it('lists dead letters in the status and puts them back in the queue on retry', async () => {
    const { channel, listing, sku } = await listed();
    const park = () => h.ts.store.transaction((db) => deadLetter(db, { listing_id: listing.id, workspace_id: h.a.id, channel_id: channel.id } as Claimed, 'test', 'rejected: listing deleted on the channel', h.clock.now()));
    await park();
    const status = (await h.get(`/v1/channels/${channel.id}/sync`, h.a.keys.read)).json();
    expect(status).toMatchObject({ dead_letters: 1, dead_letter_sample: [{ listing_id: listing.id, sku, reason: 'rejected: listing deleted on the channel' }] });
    const all = await h.post(`/v1/channels/${channel.id}/dead-letters/retry`, undefined);
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json()).toEqual({ channel_id: channel.id, retried: 1 });
    expect((await h.get(`/v1/channels/${channel.id}/sync`, h.a.keys.read)).json()).toMatchObject({ dead_letters: 0, dead_letter_sample: [] });
    await park();
    const named = await h.post(`/v1/channels/${channel.name}/dead-letters/retry`, { listing_ids: [listing.id, 'lst_not_dead'] });
    expect(named.statusCode, named.body).toBe(200);
    expect(named.json()).toEqual({ channel_id: channel.id, retried: 1 });
    expectProblem(await h.post('/v1/channels/no-such-channel/dead-letters/retry', undefined), 'not_found');
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
