// Channel rules, explain, what-if, location availability, recompute and the outbox over HTTP, on
// SQLite and PostgreSQL. Every bad input answers its exact code, names the field, and writes
// nothing; writes need the admin role.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json, unique } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';

describe.each(STORE_KINDS)('availability routes on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  const send = (method: 'PUT' | 'DELETE', url: string, body?: unknown, key = h.a.keys.admin) =>
    h.inject({ method, url, headers: { authorization: `Bearer ${key}`, 'idempotency-key': randomUUID() }, ...(body !== undefined ? { payload: body as Json } : {}) });
  const admin = (url: string, body: unknown) => h.post(url, body, { key: h.a.keys.admin });

  /** A channel with a listing of a fresh item that has `stock` units at WH1. */
  async function listed(stock = 10): Promise<{ channel: Json; listing: Json; sku: string }> {
    const ch = await admin('/v1/channels', { kind: 'custom', name: unique('chan') });
    expect(ch.statusCode, ch.body).toBe(201);
    const { sku } = await h.item();
    const l = await h.post('/v1/listings', { channel: ch.json().channel.id, sku, external: { external_id: unique('ext') } });
    expect(l.statusCode, l.body).toBe(201);
    if (stock > 0) expect((await h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: stock })).statusCode).toBe(200);
    return { channel: ch.json().channel, listing: l.json().listing, sku };
  }
  const rules = async (channelId: string, all = false) => {
    const res = await h.get(`/v1/channels/${channelId}/rules${all ? '?include_inactive=true' : ''}`, h.a.keys.read);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data as Json[];
  };

  it('creates, reads, replaces and deactivates rules; saving recomputes the channel and the outbox', async () => {
    const { channel, listing, sku } = await listed(10);
    const outbox = async () => (await h.get(`/v1/outbox?channel=${channel.name}`, h.a.keys.read)).json().data as Json[];
    // Version 1 was the listing's first number (0) when it was created; the receipt made it 10.
    expect(await outbox()).toMatchObject([{ listing_id: listing.id, quantity: 10, version: 2 }]);

    const made = await admin(`/v1/channels/${channel.name}/rules`, { settings: { buffer: { mode: 'fixed', units: 3 } } });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ rule: { channel_id: channel.id, skus: null, active: true, settings: { buffer: { mode: 'fixed', units: 3 } } }, listings_changed: 1 });
    expect(made.json()).not.toHaveProperty('ring_fence');
    const id = made.json().rule.id as string;
    expect(await outbox()).toMatchObject([{ listing_id: listing.id, quantity: 7, version: 3 }]);

    const explained = await h.get(`/v1/listings/${listing.id}/availability`, h.a.keys.read);
    expect(explained.statusCode, explained.body).toBe(200);
    expect(explained.json()).toMatchObject({ quantity: 7, backorder_units: 0, sku, rules_applied: [id], published: { quantity: 7, version: 3 } });
    expect(explained.json().steps.map((s: Json) => s.step)).toEqual(expect.arrayContaining(['locations', 'buffer', 'result']));

    const got = await h.get(`/v1/channel-rules/${id}`, h.a.keys.read);
    expect(got.json().rule.id).toBe(id);
    const put = await send('PUT', `/v1/channel-rules/${id}`, { skus: [sku], settings: { cap_units: 4 } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().rule).toMatchObject({ skus: [sku], settings: { cap_units: 4 } });
    expect(await outbox()).toMatchObject([{ quantity: 4, version: 4 }]);

    const del = await send('DELETE', `/v1/channel-rules/${id}`);
    expect(del.statusCode, del.body).toBe(200);
    expect(del.json().rule.active).toBe(false);
    expect(await rules(channel.id)).toEqual([]);
    expect((await rules(channel.id, true)).map((r) => r.id)).toEqual([id]);
    expect(await outbox()).toMatchObject([{ quantity: 10, version: 5 }]);

    const re = await admin('/v1/availability/recompute', {});
    expect(re.statusCode, re.body).toBe(200);
    expect(re.json().recomputed).toMatchObject({ changed: 0 });
  });

  it('a ring-fenced rule reserves its units and says when stock is short', async () => {
    const { channel, sku } = await listed(5);
    const res = await admin(`/v1/channels/${channel.id}/rules`, { skus: [sku], settings: { allocation: { mode: 'ring_fenced', quantity: 8 } } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().ring_fence).toEqual([{ sku, wanted: 8, fenced: 5, short: 3 }]);
    expect(await h.totals(sku)).toMatchObject({ available: 0, reserved: 5 });
  });

  it('what-if answers before → after and saves nothing; location availability leaves safety stock out of available and says how much', async () => {
    const { channel, listing, sku } = await listed(10);
    const res = await h.unchanged(() => h.post(`/v1/channels/${channel.id}/rules/what-if`, { settings: { allocation: { mode: 'share', percent: 60 } } }, { key: h.a.keys.read }), [sku]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ listings: 1, changed: 1, saved: false, changes: [{ listing_id: listing.id, before: 10, after: 6, delta: -4 }] });
    expect(await rules(channel.id, true)).toEqual([]);

    expect((await h.post('/v1/stock/safety-stock', { sku, location: 'WH1', quantity: 3 })).statusCode).toBe(200);
    const loc = await h.get(`/v1/locations/WH1/availability?sku=${sku}`, h.a.keys.read);
    expect(loc.statusCode, loc.body).toBe(200);
    expect(loc.json()).toMatchObject({ location: 'WH1', data: [{ sku, kind: 'standard', available: 7, safety_stock: 3 }] });
    const all = await h.get('/v1/locations/WH1/availability?limit=500', h.a.keys.read);
    expect(all.json().data).toEqual(expect.arrayContaining([expect.objectContaining({ sku, available: 7, safety_stock: 3 })]));
  });

  // Every kind of step, so each one's detail is held to the document (the Harness checks answers).
  it('explains a bundle under a share, an adaptive buffer and a backorder window, and a listing the channel owns', async () => {
    const { channel } = await listed(0);
    const { sku: part } = await h.item();
    expect((await h.post('/v1/stock/receive', { sku: part, location: 'WH1', quantity: 9 })).statusCode).toBe(200);
    const kit = await h.post('/v1/items', { sku: unique('KIT'), name: 'kit', kind: 'bundle', components: [{ sku: part, quantity: 2 }] });
    expect(kit.statusCode, kit.body).toBe(201);
    const kitSku = kit.json().item.sku as string;
    const l = await h.post('/v1/listings', { channel: channel.id, sku: kitSku, external: { external_id: unique('ext') } });
    expect(l.statusCode, l.body).toBe(201);
    const rule = await admin(`/v1/channels/${channel.id}/rules`, {
      skus: [kitSku],
      settings: { allocation: { mode: 'share', percent: 50 }, buffer: { mode: 'adaptive', confidence: 0.95, min_units: 0, max_units: 5 }, cap_units: 100, zero_below_units: 1, backorder_days: 7 },
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const explained = await h.get(`/v1/listings/${l.json().listing.id}/availability`, h.a.keys.read);
    expect(explained.statusCode, explained.body).toBe(200);
    const steps = explained.json().steps as Json[];
    expect(steps.map((s) => s.step)).toEqual(['locations', 'bundle', 'allocation', 'buffer', 'cap', 'zero_below', 'backorder', 'result']);
    expect(steps.find((s) => s.step === 'bundle')!.detail).toMatchObject({ components: [{ sku: part, per_kit: 2 }] });
    expect(steps.find((s) => s.step === 'buffer')!.detail).toMatchObject({ mode: 'adaptive', confidence: 0.95 });

    const code = unique('FBA');
    const loc = await admin('/v1/locations', { code, name: 'Channel warehouse', kind: 'channel_managed' });
    expect(loc.statusCode, loc.body).toBe(201);
    const owned = await listed(0);
    expect((await admin(`/v1/channels/${owned.channel.id}/rules`, { settings: { locations: { codes: [code] } } })).statusCode).toBe(201);
    const ownedSteps = (await h.get(`/v1/listings/${owned.listing.id}/availability`, h.a.keys.read)).json().steps as Json[];
    expect(ownedSteps.find((s) => s.step === 'channel_owned')).toMatchObject({ detail: { pushed: false, reports: [] } });
  });

  it('refuses every bad input with its exact code and writes nothing', async () => {
    const { channel, listing, sku } = await listed(10);
    const url = `/v1/channels/${channel.id}/rules`;
    const cases: [unknown, string, string | undefined][] = [
      [{ settings: { allocation: { mode: 'share', percent: 150 } } }, 'validation_failed', 'settings.allocation.percent'],
      [{ settings: { buffer: { mode: 'fixed', units: -1 } } }, 'validation_failed', undefined],
      [{ settings: { allocation: { mode: 'sometimes' } } }, 'validation_failed', undefined],
      [{ starts_at: '2026-12-02T00:00:00Z', ends_at: '2026-12-01T00:00:00Z', settings: {} }, 'validation_failed', 'ends_at'],
      [{ starts_at: 'friday', settings: {} }, 'validation_failed', 'starts_at'],
      [{ skus: ['NO-SUCH-SKU'], settings: {} }, 'unknown_item', 'skus[0]'],
      [{ settings: {}, extra: 1 }, 'validation_failed', undefined],
      [{}, 'validation_failed', undefined],
    ];
    for (const [body, code, field] of cases) {
      const res = await h.unchanged(() => admin(url, body), [sku]);
      expectProblem(res, code as 'validation_failed', field);
      const wi = await h.unchanged(() => h.post(`${url}/what-if`, body, { key: h.a.keys.read }), [sku]);
      expectProblem(wi, code as 'validation_failed', field);
    }
    expect(await rules(channel.id, true)).toEqual([]);

    expectProblem(await h.unchanged(() => admin('/v1/channels/chan_nope/rules', { settings: {} })), 'not_found');
    expectProblem(await h.unchanged(() => h.post('/v1/channels/chan_nope/rules/what-if', { settings: {} }, { key: h.a.keys.read })), 'not_found');
    expectProblem(await h.post(`${url}/what-if`, { replaces: 'rule_nope', settings: {} }, { key: h.a.keys.read }), 'not_found', 'replaces');
    expectProblem(await h.get('/v1/channels/chan_nope/rules', h.a.keys.read), 'not_found');
    expectProblem(await h.get('/v1/channel-rules/rule_nope', h.a.keys.read), 'not_found');
    expectProblem(await h.unchanged(() => send('PUT', '/v1/channel-rules/rule_nope', { settings: {} })), 'not_found');
    expectProblem(await h.unchanged(() => send('DELETE', '/v1/channel-rules/rule_nope')), 'not_found');
    expectProblem(await h.get('/v1/listings/lst_nope/availability', h.a.keys.read), 'not_found');
    expectProblem(await h.get('/v1/locations/NOPE/availability', h.a.keys.read), 'not_found');
    expectProblem(await h.get('/v1/locations/WH1/availability?sku=NOPE', h.a.keys.read), 'unknown_item', 'sku');
    expectProblem(await h.unchanged(() => admin('/v1/availability/recompute', { channel: 'nope' })), 'not_found', 'channel');
    expectProblem(await h.post(url, { settings: {} }, { key: h.a.keys.admin, idem: null }), 'idempotency_key_required');

    // Another workspace's ids are not found.
    expectProblem(await h.get(`/v1/listings/${listing.id}/availability`, h.b.keys.read), 'not_found');
    expectProblem(await h.post(url, { settings: {} }, { key: h.b.keys.admin }), 'not_found');
    expect(await rules(channel.id, true)).toEqual([]);
  });

  it('recompute follows the Idempotency-Key rule: required, replayed, refused for another body', async () => {
    const { channel } = await listed(3);
    const recompute = (body: unknown, idem: string | null) => h.post('/v1/availability/recompute', body, { key: h.a.keys.admin, idem });
    expectProblem(await recompute({}, null), 'idempotency_key_required', 'Idempotency-Key');
    const key = `recompute-${channel.id}`;
    const first = await recompute({ channel: channel.id }, key);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().recomputed).toMatchObject({ listings: 1 });
    const again = await recompute({ channel: channel.id }, key);
    expect({ status: again.statusCode, body: again.json(), replayed: again.headers['idempotent-replayed'] }).toEqual({ status: 200, body: first.json(), replayed: 'true' });
    expectProblem(await recompute({}, key), 'idempotency_key_reused', 'Idempotency-Key');
    // A refusal is remembered too: the same key answers the same, even once the channel exists.
    expectProblem(await recompute({ channel: 'later' }, `${key}-nope`), 'not_found', 'channel');
    expect((await h.post('/v1/channels', { kind: 'custom', name: 'later' }, { key: h.a.keys.admin })).statusCode).toBe(201);
    expectProblem(await recompute({ channel: 'later' }, `${key}-nope`), 'not_found', 'channel');
  });

  it('writes need admin; reads, explain and what-if need read', async () => {
    const { channel, listing, sku } = await listed(2);
    const url = `/v1/channels/${channel.id}/rules`;
    for (const key of [h.a.keys.read, h.a.keys.operate]) {
      expectProblem(await h.unchanged(() => h.post(url, { settings: {} }, { key }), [sku]), 'forbidden');
      expectProblem(await h.post('/v1/availability/recompute', {}, { key }), 'forbidden');
    }
    const made = await admin(url, { settings: {} });
    const id = made.json().rule.id;
    expectProblem(await send('PUT', `/v1/channel-rules/${id}`, { settings: {} }, h.a.keys.operate), 'forbidden');
    expectProblem(await send('DELETE', `/v1/channel-rules/${id}`, undefined, h.a.keys.read), 'forbidden');
    for (const path of [url, `/v1/channel-rules/${id}`, `/v1/listings/${listing.id}/availability`, '/v1/outbox', `/v1/locations/WH1/availability?sku=${sku}`]) {
      expect((await h.get(path, h.a.keys.read)).statusCode, path).toBe(200);
    }
    expect((await h.get('/v1/outbox', null)).statusCode).toBe(401);
  });
});
