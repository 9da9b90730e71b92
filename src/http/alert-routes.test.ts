// /v1/alerts over HTTP on SQLite and PostgreSQL: every endpoint, its role, its refusals (which
// name the field and change nothing), secrets shown once and never read back, and one
// workspace never seeing another's subscriptions.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';
import { smtpOf } from '../store/alert-repo.ts';

describe.each(STORE_KINDS)('alert routes on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  const send = (method: 'PUT' | 'PATCH' | 'DELETE', url: string, body: unknown, key = h.a.keys.admin, idem: string | null = randomUUID()) =>
    h.inject({ method, url, headers: { authorization: `Bearer ${key}`, ...(idem ? { 'idempotency-key': idem } : {}) }, ...(body === undefined ? {} : { payload: body as Json }) });
  const subscriptions = async (key = h.a.keys.admin) => {
    const res = await h.get('/v1/alerts/subscriptions', key);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data as Json[];
  };
  const stored = () => h.ts.store.read((d) => d.all('SELECT * FROM alert_subscriptions ORDER BY id'));
  const createHook = (body: Json = {}) => h.post('/v1/alerts/subscriptions', { kind: 'webhook', name: 'erp', url: 'http://127.0.0.1:9/hooks', events: ['stock.changed'], ...body }, { key: h.a.keys.admin });

  it('creates a webhook whose secret is shown once, then only ever redacted', async () => {
    const idem = randomUUID();
    const res = await h.post('/v1/alerts/subscriptions', { url: 'http://127.0.0.1:9/hooks', events: ['stock.changed', 'stock.low'] }, { key: h.a.keys.admin, idem });
    expect(res.statusCode, res.body).toBe(201);
    const { subscription, secret } = res.json();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(subscription).toMatchObject({ kind: 'webhook', name: 'http://127.0.0.1:9/hooks', url: 'http://127.0.0.1:9/hooks', events: ['stock.changed', 'stock.low'], enabled: true, secret: '(set)', min_severity: 'info', digest_minutes: 0 });
    const listed = (await subscriptions()).find((s) => s.id === subscription.id);
    expect(listed).toEqual(subscription);
    const one = await h.get(`/v1/alerts/subscriptions/${subscription.id}`, h.a.keys.operate);
    expect(one.json().subscription).toEqual(subscription);
    expect(JSON.stringify([listed, one.json()])).not.toContain(secret);
    // Sealed at rest: the signing secret is needed to sign, but never sits in the table in clear.
    const stored = await h.ts.store.read((d) => d.get<{ secret: string }>('SELECT secret FROM alert_subscriptions WHERE id = ?', [subscription.id]));
    expect(stored!.secret).not.toContain(secret.slice('whsec_'.length));
    // The same Idempotency-Key replays the first answer instead of making a second subscription.
    const again = await h.post('/v1/alerts/subscriptions', { url: 'http://127.0.0.1:9/hooks', events: ['stock.changed', 'stock.low'] }, { key: h.a.keys.admin, idem });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().subscription.id).toBe(subscription.id);
  });

  it('creates an e-mail subscription with a severity threshold and a digest', async () => {
    const res = await h.post('/v1/alerts/subscriptions', { kind: 'email', email: 'ops@example.com', events: ['exception.opened'], digest_minutes: 15 }, { key: h.a.keys.admin });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).not.toHaveProperty('secret');
    expect(res.json().subscription).toMatchObject({ kind: 'email', email: 'ops@example.com', url: null, min_severity: 'warning', digest_minutes: 15, secret: null });
  });

  it('refuses bad subscriptions naming the field, and writes nothing', async () => {
    const before = await stored();
    const cases: [Json, string][] = [
      [{ url: 'ftp://x.example.com' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ url: 'https://user:pw@x.example.com/' }, 'url'],
      [{ kind: 'webhook' }, 'url'],
      [{ url: 'https://x.example.com', events: ['stock.changed', 'order.created'] }, 'events[1]'],
      [{ url: 'https://x.example.com', digest_minutes: 5 }, 'digest_minutes'],
      [{ kind: 'email', email: 'not-an-address' }, 'email'],
      [{ kind: 'email', email: 'a@example.com', url: 'https://x.example.com' }, 'url'],
      [{ kind: 'email', email: 'a@example.com', name: '  ' }, 'name'],
    ];
    for (const [body, field] of cases) expectProblem(await h.post('/v1/alerts/subscriptions', body, { key: h.a.keys.admin }), 'validation_failed', field);
    // Schema refusals: an unknown field, a severity not in the list.
    expectProblem(await h.post('/v1/alerts/subscriptions', { url: 'https://x.example.com', colour: 'red' }, { key: h.a.keys.admin }), 'validation_failed');
    expectProblem(await h.post('/v1/alerts/subscriptions', { kind: 'email', email: 'a@example.com', min_severity: 'loud' }, { key: h.a.keys.admin }), 'validation_failed', 'min_severity');
    expect(await stored()).toEqual(before);
  });

  it('needs the admin role to create or change, operate to read; a key of another workspace sees nothing', async () => {
    const before = await stored();
    expectProblem(await createHook({}).then(() => h.post('/v1/alerts/subscriptions', { url: 'https://x.example.com' }, { key: h.a.keys.operate })), 'forbidden');
    const after = await stored();
    expect(after.length).toBe(before.length + 1); // only the admin's one
    expectProblem(await h.get('/v1/alerts/subscriptions', h.a.keys.read), 'forbidden');
    expectProblem(await h.post('/v1/alerts/subscriptions', { url: 'https://x.example.com' }, { key: h.a.keys.admin, idem: null }), 'idempotency_key_required', 'Idempotency-Key');
    const mine = (await subscriptions())[0]!;
    expect(await subscriptions(h.b.keys.admin)).toEqual([]);
    expectProblem(await h.get(`/v1/alerts/subscriptions/${mine.id}`, h.b.keys.admin), 'not_found');
    expectProblem(await send('PATCH', `/v1/alerts/subscriptions/${mine.id}`, { enabled: false }, h.b.keys.admin), 'not_found');
    expectProblem(await send('PATCH', `/v1/alerts/subscriptions/${mine.id}`, { enabled: false }, h.a.keys.operate), 'forbidden');
    expect(await stored()).toEqual(after);
  });

  it('enables, disables and changes a subscription; refusals leave it as it was', async () => {
    const made = (await createHook()).json().subscription;
    const off = await send('PATCH', `/v1/alerts/subscriptions/${made.id}`, { enabled: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().subscription).toMatchObject({ id: made.id, enabled: false, url: made.url });
    const on = await send('PATCH', `/v1/alerts/subscriptions/${made.id}`, { enabled: true, events: [], url: 'http://127.0.0.1:9/v2' });
    expect(on.json().subscription).toMatchObject({ enabled: true, events: [], url: 'http://127.0.0.1:9/v2' });
    const before = await stored();
    expectProblem(await send('PATCH', `/v1/alerts/subscriptions/${made.id}`, { url: 'mailto:x@example.com' }), 'validation_failed', 'url');
    expectProblem(await send('PATCH', `/v1/alerts/subscriptions/${made.id}`, { kind: 'email' }), 'validation_failed', 'kind');
    expectProblem(await send('PATCH', '/v1/alerts/subscriptions/asub_nope', { enabled: true }), 'not_found');
    expect(await stored()).toEqual(before);
  });

  it("rotates a webhook's secret: the new one shown once, reads still redacted; e-mail, unknown ids and other roles are refused and change nothing", async () => {
    const first = (await createHook()).json();
    const id = first.subscription.id as string;
    const idem = randomUUID();
    const res = await h.post(`/v1/alerts/subscriptions/${id}/secret`, undefined, { key: h.a.keys.admin, idem });
    expect(res.statusCode, res.body).toBe(200);
    const { subscription, secret } = res.json();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secret).not.toBe(first.secret);
    expect(subscription).toMatchObject({ id, secret: '(set)', url: first.subscription.url });
    expect(Date.parse(subscription.previous_secret_until) - Date.parse(subscription.updated_at)).toBe(24 * 3_600_000);
    const one = await h.get(`/v1/alerts/subscriptions/${id}`, h.a.keys.operate);
    expect(one.json().subscription).toEqual(subscription);
    expect(JSON.stringify([one.json(), await subscriptions()])).not.toContain(secret);
    // Both secrets sealed at rest.
    const row = await h.ts.store.read((d) => d.get<{ secret: string; previous_secret: string }>('SELECT secret, previous_secret FROM alert_subscriptions WHERE id = ?', [id]));
    expect(row!.secret).not.toContain(secret.slice('whsec_'.length));
    expect(row!.previous_secret).not.toContain(first.secret.slice('whsec_'.length));
    // A replay of the same key does not rotate again, and does not show the secret again.
    const again = await h.post(`/v1/alerts/subscriptions/${id}/secret`, undefined, { key: h.a.keys.admin, idem });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toMatchObject({ secret: null, secret_note: expect.any(String), subscription: { id } });
    expect(await h.ts.store.read((d) => d.get<{ secret: string }>('SELECT secret FROM alert_subscriptions WHERE id = ?', [id]))).toEqual({ secret: row!.secret });

    const mail = (await h.post('/v1/alerts/subscriptions', { kind: 'email', email: 'rot@example.com' }, { key: h.a.keys.admin })).json().subscription;
    const before = await stored();
    expectProblem(await h.post(`/v1/alerts/subscriptions/${mail.id}/secret`, undefined, { key: h.a.keys.admin }), 'validation_failed', 'id');
    expectProblem(await h.post('/v1/alerts/subscriptions/asub_nope/secret', undefined, { key: h.a.keys.admin }), 'not_found');
    expectProblem(await h.post(`/v1/alerts/subscriptions/${id}/secret`, undefined, { key: h.b.keys.admin }), 'not_found');
    expectProblem(await h.post(`/v1/alerts/subscriptions/${id}/secret`, undefined, { key: h.a.keys.operate }), 'forbidden');
    expect(await stored()).toEqual(before);
  });

  it('deletes a subscription with its deliveries and their attempts; a second delete is not_found', async () => {
    const made = (await createHook({ events: ['stock.changed'] })).json().subscription;
    const other = (await createHook({ name: 'stays', events: ['stock.changed'] })).json().subscription;
    expect((await h.post('/v1/stock/receive', { sku: h.a.sku, location: 'WH1', quantity: 1 })).statusCode).toBe(200);
    h.clock.advance(60_000);
    await h.ts.alerts.tick(); // one failed attempt each (no receiver)
    const rows = (table: string, subId: string) => h.ts.store.read((d) => d.all(table === 'alert_attempts'
      ? 'SELECT a.* FROM alert_attempts a JOIN alert_deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = ?'
      : 'SELECT * FROM alert_deliveries WHERE subscription_id = ?', [subId]));
    const deliveries = (await rows('alert_deliveries', made.id)).length;
    expect(deliveries).toBeGreaterThan(0);
    expect((await rows('alert_attempts', made.id)).length).toBeGreaterThan(0);
    const otherLog = [await rows('alert_deliveries', other.id), await rows('alert_attempts', other.id)];

    expectProblem(await send('DELETE', `/v1/alerts/subscriptions/${made.id}`, undefined, h.a.keys.operate), 'forbidden');
    expectProblem(await send('DELETE', `/v1/alerts/subscriptions/${made.id}`, undefined, h.b.keys.admin), 'not_found');
    const del = await send('DELETE', `/v1/alerts/subscriptions/${made.id}`, undefined);
    expect(del.statusCode, del.body).toBe(200);
    expect(del.json()).toEqual({ deleted: { id: made.id, deliveries } });
    expect((await subscriptions()).map((s) => s.id)).not.toContain(made.id);
    expectProblem(await h.get(`/v1/alerts/subscriptions/${made.id}`, h.a.keys.operate), 'not_found');
    expect(await rows('alert_deliveries', made.id)).toEqual([]);
    expect(await h.ts.store.read((d) => d.all('SELECT * FROM alert_attempts WHERE delivery_id NOT IN (SELECT id FROM alert_deliveries)'))).toEqual([]);
    expect([await rows('alert_deliveries', other.id), await rows('alert_attempts', other.id)]).toEqual(otherLog);
    const before = await stored();
    expectProblem(await send('DELETE', `/v1/alerts/subscriptions/${made.id}`, undefined), 'not_found');
    expect(await stored()).toEqual(before);
  });

  it('shows the delivery log and redelivers; unknown ids are 404s', async () => {
    const made = (await createHook({ events: ['stock.changed'] })).json().subscription;
    // Deliveries are made by the worker: fan one event out by hand through its tick.
    expect((await h.post('/v1/stock/receive', { sku: h.a.sku, location: 'WH1', quantity: 1 })).statusCode).toBe(200);
    h.clock.advance(60_000);
    await h.ts.alerts.tick(); // the receiver does not exist: the attempt fails and is logged
    const log = await h.get(`/v1/alerts/subscriptions/${made.id}/deliveries`, h.a.keys.operate);
    expect(log.statusCode, log.body).toBe(200);
    const [d] = log.json().data;
    expect(d).toMatchObject({ subscription_id: made.id, event_type: 'stock.changed', state: 'pending', attempts: 1 });
    expect(d.log).toHaveLength(1);
    expect(d.log[0]).toMatchObject({ attempt: 1, ok: false, status_code: null });
    expect(typeof d.log[0].error).toBe('string');
    expect(typeof d.next_at).toBe('string');

    const again = await h.post(`/v1/alerts/deliveries/${d.id}/redeliver`, undefined, { key: h.a.keys.operate });
    expect(again.statusCode, again.body).toBe(202);
    expect(again.json().delivery).toMatchObject({ event_id: d.event_id, subscription_id: made.id, state: 'pending', redelivery_of: d.id });
    const both = (await h.get(`/v1/alerts/subscriptions/${made.id}/deliveries`, h.a.keys.operate)).json().data;
    expect(both.map((x: Json) => x.event_id)).toEqual([d.event_id, d.event_id]);
    const onlyPending = (await h.get(`/v1/alerts/subscriptions/${made.id}/deliveries?state=failed`, h.a.keys.operate)).json().data;
    expect(onlyPending).toEqual([]);

    expectProblem(await h.post('/v1/alerts/deliveries/dlv_nope/redeliver', undefined, { key: h.a.keys.operate }), 'not_found');
    expectProblem(await h.post(`/v1/alerts/deliveries/${d.id}/redeliver`, undefined, { key: h.b.keys.operate }), 'not_found');
    expectProblem(await h.post(`/v1/alerts/deliveries/${d.id}/redeliver`, undefined, { key: h.a.keys.read }), 'forbidden');
    expectProblem(await h.get('/v1/alerts/subscriptions/asub_nope/deliveries', h.a.keys.operate), 'not_found');
    // A disabled subscription is not redelivered to.
    await send('PATCH', `/v1/alerts/subscriptions/${made.id}`, { enabled: false });
    const count = (await h.get(`/v1/alerts/subscriptions/${made.id}/deliveries`, h.a.keys.operate)).json().data.length;
    expectProblem(await h.post(`/v1/alerts/deliveries/${d.id}/redeliver`, undefined, { key: h.a.keys.operate }), 'validation_failed', 'id');
    expect((await h.get(`/v1/alerts/subscriptions/${made.id}/deliveries`, h.a.keys.operate)).json().data.length).toBe(count);

    const events = await h.get('/v1/alerts/events?type=stock.changed', h.a.keys.operate);
    expect(events.statusCode).toBe(200);
    expect(events.json().data[0]).toMatchObject({ type: 'stock.changed', severity: 'info', body: { type: 'stock.changed', data: { sku: h.a.sku, location: 'WH1' } } });
    expect((await h.get('/v1/alerts/events', h.b.keys.operate)).json().data.every((e: Json) => e.body.data.sku !== h.a.sku)).toBe(true);
  });

  it('sets, lists and clears low-stock thresholds; unknown SKUs and locations are named', async () => {
    const { sku } = await h.item(10);
    const set = await send('PUT', '/v1/alerts/thresholds', { sku, location: 'WH1', low_stock: 3, reorder_point: 12 }, h.a.keys.operate);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().threshold).toMatchObject({ sku, location: 'WH1', low_stock: 3, reorder_point: 12, available: 10, low_stock_reached: false, reorder_point_reached: true });
    const listed = await h.get(`/v1/alerts/thresholds?sku=${sku}`, h.a.keys.operate);
    expect(listed.json().data).toEqual([expect.objectContaining({ sku, location: 'WH1', low_stock: 3, reorder_point: 12, available: 10 })]);
    const before = await h.ts.store.read((d) => d.all('SELECT * FROM alert_thresholds ORDER BY item_id'));
    expectProblem(await send('PUT', '/v1/alerts/thresholds', { sku: 'NOPE', location: 'WH1', low_stock: 1 }, h.a.keys.operate), 'unknown_item', 'sku');
    expectProblem(await send('PUT', '/v1/alerts/thresholds', { sku, location: 'NOPE', low_stock: 1 }, h.a.keys.operate), 'unknown_location', 'location');
    expectProblem(await send('PUT', '/v1/alerts/thresholds', { sku, location: 'WH1', low_stock: -1 }, h.a.keys.operate), 'validation_failed', 'low_stock');
    expectProblem(await send('PUT', '/v1/alerts/thresholds', { sku, location: 'WH1', low_stock: 1 }, h.a.keys.read), 'forbidden');
    expectProblem(await send('PUT', '/v1/alerts/thresholds', { sku: h.a.sku, location: 'WH1', low_stock: 1 }, h.b.keys.operate), 'unknown_item', 'sku');
    expect(await h.ts.store.read((d) => d.all('SELECT * FROM alert_thresholds ORDER BY item_id'))).toEqual(before);
    const cleared = await send('PUT', '/v1/alerts/thresholds', { sku, location: 'WH1', low_stock: null, reorder_point: null }, h.a.keys.operate);
    expect(cleared.json()).toEqual({ threshold: null });
    expect((await h.get(`/v1/alerts/thresholds?sku=${sku}`, h.a.keys.operate)).json().data).toEqual([]);
  });

  it('keeps SMTP settings per workspace with the password never shown; "(set)" keeps it; delete falls back', async () => {
    const none = await h.get('/v1/alerts/smtp', h.a.keys.admin);
    expect(none.json()).toMatchObject({ source: expect.stringMatching(/^(none|environment)$/) });
    const put = await send('PUT', '/v1/alerts/smtp', { host: 'smtp.example.com', port: 587, username: 'u', password: 'hunter2', from: 'truestock <alerts@example.com>' });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({ source: 'workspace', settings: { host: 'smtp.example.com', port: 587, secure: false, username: 'u', password: '(set)', from: 'truestock <alerts@example.com>' } });
    expect((await h.get('/v1/alerts/smtp')).body).not.toContain('hunter2');
    await send('PUT', '/v1/alerts/smtp', { host: 'smtp2.example.com', port: 465, username: 'u', password: '(set)', from: 'alerts@example.com' });
    const row = await h.ts.store.read((d) => d.get<{ password: string; secure: unknown }>('SELECT password, secure FROM alert_smtp WHERE workspace_id = ?', [h.a.id]));
    // Kept, and sealed at rest like channel credentials (docs/security.md).
    expect(row!.password).not.toContain('hunter2');
    expect((await h.ts.store.read((d) => smtpOf(d, h.a.id)))!.password).toBe('hunter2');
    expect(Boolean(row!.secure)).toBe(true);
    expectProblem(await send('PUT', '/v1/alerts/smtp', { host: 'x', port: 25, from: 'nobody' }), 'validation_failed', 'from');
    expectProblem(await send('PUT', '/v1/alerts/smtp', { host: 'x', port: 70_000, from: 'a@example.com' }), 'validation_failed', 'port');
    expectProblem(await send('PUT', '/v1/alerts/smtp', { host: 'x', port: 25, from: 'a@example.com' }, h.a.keys.operate), 'forbidden');
    expectProblem(await h.get('/v1/alerts/smtp', h.a.keys.operate), 'forbidden');
    expect((await h.get('/v1/alerts/smtp', h.b.keys.admin)).json().source).not.toBe('workspace');
    expect((await h.ts.store.read((d) => d.get<{ host: string }>('SELECT host FROM alert_smtp WHERE workspace_id = ?', [h.a.id])))!.host).toBe('smtp2.example.com');
    const del = await send('DELETE', '/v1/alerts/smtp', undefined);
    expect(del.statusCode, del.body).toBe(200);
    expect(del.json().source).not.toBe('workspace');
  });
});
