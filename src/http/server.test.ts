// The HTTP API end to end through app.inject(), once per store (SQLite file, real PostgreSQL).
// Every refusal is checked for its exact status, code and field, and for writing nothing.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json, METRICS_TOKEN, type Tenant, unique } from '../../test/support/http.ts';
import { BODY_LIMIT_BYTES, buildServer } from './server.ts';

// ---------------------------------------------------------------------------------------------
// Tests, once per store
// ---------------------------------------------------------------------------------------------

describe.each(['sqlite', 'postgres'] as const)('HTTP API on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  describe('validation: 400 naming the field, nothing written', () => {
    const receive = { sku: 'SKU-A', location: 'WH1', quantity: 1 };
    it.each([
      ['missing sku', { location: 'WH1', quantity: 1 }, 'sku'],
      ['quantity 0', { ...receive, quantity: 0 }, 'quantity'],
      ['quantity -1', { ...receive, quantity: -1 }, 'quantity'],
      ['quantity 1.5', { ...receive, quantity: 1.5 }, 'quantity'],
      ['quantity "abc"', { ...receive, quantity: 'abc' }, 'quantity'],
      ['an unknown extra field', { ...receive, quantitty: 2 }, 'quantitty'],
      ['into a bucket receipts cannot fill', { ...receive, into: 'reserved' }, 'into'],
    ])('receive with %s', async (_label, body, field) => {
      const res = await h.unchanged(() => h.post('/v1/stock/receive', body));
      expectProblem(res, 'validation_failed', field);
    });

    it('names the array position: lines[1].quantity', async () => {
      const lines = [{ sku: 'SKU-A', quantity: 1, location: 'WH1' }, { sku: 'SKU-A', quantity: 0, location: 'WH1' }];
      const res = await h.unchanged(() => h.post('/v1/holds', { lines }));
      expectProblem(res, 'validation_failed', 'lines[1].quantity');
    });

    it('rejects a negative or fractional quantity in a hold line', async () => {
      for (const quantity of [-2, 2.5]) {
        const res = await h.unchanged(() => h.post('/v1/holds', { lines: [{ sku: 'SKU-A', quantity, location: 'WH1' }] }));
        expectProblem(res, 'validation_failed', 'lines[0].quantity');
      }
    });

    it('rejects an adjust reason outside the enum', async () => {
      const res = await h.unchanged(() => h.post('/v1/stock/adjust', { sku: 'SKU-A', location: 'WH1', delta: 1, reason: 'whim' }));
      expectProblem(res, 'validation_failed', 'reason');
    });

    it('rejects an adjust delta of 0 or 1.5', async () => {
      for (const delta of [0, 1.5]) {
        const res = await h.unchanged(() => h.post('/v1/stock/adjust', { sku: 'SKU-A', location: 'WH1', delta, reason: 'correction' }));
        expectProblem(res, 'validation_failed', 'delta');
      }
    });

    it('rejects a move from a bucket to itself (a rule, not the schema)', async () => {
      const res = await h.unchanged(() => h.post('/v1/stock/move', { sku: 'SKU-A', location: 'WH1', quantity: 1, from: 'available', to: 'available' }));
      expectProblem(res, 'validation_failed', 'to');
    });

    it('rejects an item without a sku', async () => {
      const res = await h.unchanged(() => h.post('/v1/items', { name: 'No SKU' }));
      expectProblem(res, 'validation_failed', 'sku');
    });

    it('rejects a bad date in /v1/movements?since=nope', async () => {
      const res = await h.get('/v1/movements?since=nope', h.a.keys.read);
      expectProblem(res, 'validation_failed', 'since');
    });

    it('rejects an unknown query parameter and a bad hold state', async () => {
      expectProblem(await h.get('/v1/movements?skuu=SKU-A', h.a.keys.read), 'validation_failed', 'skuu');
      expectProblem(await h.get('/v1/holds?state=frozen', h.a.keys.read), 'validation_failed', 'state');
    });
  });

  describe('authentication: 401', () => {
    it('refuses a request without a key', async () => {
      expectProblem(await h.get('/v1/items', null), 'unauthorized', 'Authorization');
    });

    it('refuses a header that is not a bearer key', async () => {
      expectProblem(await h.get('/v1/items', null, { authorization: `Basic ${h.a.keys.admin}` }), 'unauthorized', 'Authorization');
    });

    it('refuses an unknown key', async () => {
      expectProblem(await h.get('/v1/items', 'tsk_not_a_real_key_at_all'), 'unauthorized', 'Authorization');
    });

    it('refuses a key at once after it is revoked, although it was just used (and cached)', async () => {
      const made = await h.post('/v1/api-keys', { name: 'short-lived', role: 'operate' }, { key: h.a.keys.admin });
      expect(made.statusCode).toBe(201);
      const { api_key: apiKey, secret } = made.json();
      expect(apiKey).toMatchObject({ name: 'short-lived', role: 'operate', revoked: false });
      expect((await h.get('/v1/items', secret)).statusCode).toBe(200);

      const revoked = await h.post(`/v1/api-keys/${apiKey.id}/revoke`, undefined, { key: h.a.keys.admin });
      expect(revoked.statusCode).toBe(200);
      expect(revoked.json()).toEqual({ revoked: apiKey.id });

      expectProblem(await h.get('/v1/items', secret), 'unauthorized', 'Authorization');
      const listed = (await h.get('/v1/api-keys', h.a.keys.admin)).json().data.find((k: Json) => k.id === apiKey.id);
      expect(listed.revoked).toBe(true);
    });

    it('answers 404 when revoking an unknown key', async () => {
      expectProblem(await h.post('/v1/api-keys/key_nope/revoke', undefined, { key: h.a.keys.admin }), 'not_found');
    });
  });

  describe('roles: 403', () => {
    it('refuses a read key posting a receipt, and writes nothing', async () => {
      const res = await h.unchanged(() => h.post('/v1/stock/receive', { sku: h.a.sku, location: 'WH1', quantity: 1 }, { key: h.a.keys.read }));
      expect(expectProblem(res, 'forbidden').required_role).toBe('operate');
    });

    it('refuses an operate key creating a location', async () => {
      const res = await h.unchanged(() => h.post('/v1/locations', { code: unique('LOC'), name: 'Nope', kind: 'store' }, { key: h.a.keys.operate }));
      expect(expectProblem(res, 'forbidden').required_role).toBe('admin');
      const codes = (await h.get('/v1/locations', h.a.keys.read)).json().data.map((l: Json) => l.code);
      expect(codes).toEqual(['WH1']);
    });

    it('refuses an operate key running /v1/verify; an admin key may', async () => {
      expect(expectProblem(await h.get('/v1/verify', h.a.keys.operate), 'forbidden').required_role).toBe('admin');
      const ok = await h.get('/v1/verify', h.a.keys.admin);
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ ok: true, mismatches: [] });
    });

    it('lets a read key read', async () => {
      const res = await h.get(`/v1/stock/${h.a.sku}`, h.a.keys.read);
      expect(res.statusCode).toBe(200);
      expect(res.json().item.sku).toBe(h.a.sku);
    });
  });

  describe('workspaces: another workspace’s ids are 404', () => {
    it('does not show workspace A’s item to workspace B', async () => {
      expectProblem(await h.get(`/v1/items/${h.a.itemId}`, h.b.keys.read), 'not_found');
      expectProblem(await h.get(`/v1/items/${h.a.itemId}/stock`, h.b.keys.read), 'not_found');
      expectProblem(await h.get(`/v1/stock/${h.a.sku}`, h.b.keys.read), 'not_found');
      expect((await h.get(`/v1/items/${h.a.itemId}`, h.a.keys.read)).statusCode).toBe(200);
    });

    it('does not let workspace B read or release workspace A’s hold', async () => {
      const hold = await h.reserve(h.a.sku, 1);
      expectProblem(await h.get(`/v1/holds/${hold.id}`, h.b.keys.read), 'not_found');
      const res = await h.unchanged(() => h.post(`/v1/holds/${hold.id}/release`, undefined, { key: h.b.keys.operate }));
      expectProblem(res, 'not_found', 'hold_id');
      const still = await h.get(`/v1/holds/${hold.id}`, h.a.keys.read);
      expect(still.json().hold.state).toBe('active');
      expect((await h.post(`/v1/holds/${hold.id}/release`)).statusCode).toBe(200);
    });

    it('does not let workspace B move workspace A’s SKU', async () => {
      const res = await h.unchanged(() => h.post('/v1/stock/receive', { sku: h.a.sku, location: 'WH1', quantity: 1 }, { key: h.b.keys.operate }));
      expectProblem(res, 'unknown_item', 'sku');
      expect((await h.totals(h.b.sku, h.b)).available).toBe(10);
    });

    it('keeps each workspace’s movements to itself', async () => {
      const ids = async (t: Tenant) => new Set((await h.get('/v1/movements?limit=500', t.keys.read)).json().data.map((m: Json) => m.id));
      const [a, b] = [await ids(h.a), await ids(h.b)];
      expect(a.size).toBeGreaterThan(0);
      expect(b.size).toBeGreaterThan(0);
      expect([...a].filter((id) => b.has(id))).toEqual([]);
    });
  });

  describe('transport errors: never 500, nothing written', () => {
    const json = { 'content-type': 'application/json' };

    it('answers 413 to a body over 1 MiB', async () => {
      const payload = JSON.stringify({ sku: h.a.sku, location: 'WH1', quantity: 1, note: 'x'.repeat(BODY_LIMIT_BYTES) });
      const res = await h.unchanged(() => h.inject({ method: 'POST', url: '/v1/stock/receive', headers: { authorization: `Bearer ${h.a.keys.operate}`, 'idempotency-key': randomUUID(), ...json }, payload }));
      expectProblem(res, 'body_too_large');
    });

    it('answers 400 to malformed JSON', async () => {
      const res = await h.unchanged(() => h.post('/v1/stock/receive', '{"sku": "SKU-A", "quantity": ', { headers: json }));
      expectProblem(res, 'malformed_body');
    });

    it('answers 415 to a text/plain body', async () => {
      const res = await h.unchanged(() => h.post('/v1/stock/receive', `sku=${h.a.sku}&location=WH1&quantity=1`, { headers: { 'content-type': 'text/plain' } }));
      expectProblem(res, 'unsupported_media_type');
    });

    it('answers 415 to a form-encoded body', async () => {
      const res = await h.unchanged(() => h.post('/v1/stock/receive', 'sku=SKU-A', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
      expectProblem(res, 'unsupported_media_type');
    });

    it('treats an empty body declared as JSON as no body: 400 where one is needed', async () => {
      const res = await h.unchanged(() => h.post('/v1/stock/receive', '', { headers: json }));
      expectProblem(res, 'validation_failed', 'body');
    });

    it('answers 400 to a POST without the body it needs', async () => {
      const res = await h.unchanged(() => h.post('/v1/stock/receive'));
      expectProblem(res, 'validation_failed', 'body');
    });

    it('answers 404 route_not_found to an unknown endpoint', async () => {
      expectProblem(await h.get('/v1/nope', h.a.keys.admin), 'route_not_found');
      expectProblem(await h.get('/nope', null), 'route_not_found');
    });

    it('answers a cursor it never issued with 400, never 500', async () => {
      // `abc` decodes to bytes that are not a number, `AAAA` to NUL bytes PostgreSQL cannot take.
      for (const list of ['movements', 'items', 'locations', 'holds', 'exceptions']) {
        for (const cursor of ['abc', 'AAAA']) {
          expectProblem(await h.get(`/v1/${list}?cursor=${cursor}`, h.a.keys.read), 'validation_failed', 'cursor');
        }
      }
    });

    it('answers NUL characters in a path, query or body with 400, never 500', async () => {
      expectProblem(await h.get('/v1/stock/%00', h.a.keys.read), 'validation_failed', 'sku');
      expectProblem(await h.get('/v1/items/x%00', h.a.keys.read), 'validation_failed', 'id');
      expectProblem(await h.get('/v1/movements?reference=%00', h.a.keys.read), 'validation_failed', 'reference');
      const res = await h.unchanged(() => h.post('/v1/holds', { lines: [{ sku: 'SKU-A', quantity: 1, location: 'WH1' }, { sku: 'X\u0000', quantity: 1, location: 'WH1' }] }));
      expectProblem(res, 'validation_failed', 'lines[1].sku');
    });

    it('answers a deeply nested body with 400, never 500', async () => {
      const deep = '['.repeat(200_000) + ']'.repeat(200_000);
      const res = await h.unchanged(() => h.post('/v1/holds', deep, { headers: { 'content-type': 'application/json' } }));
      expectProblem(res, 'validation_failed', 'body');
    });
  });

  describe('idempotency', () => {
    it('requires an Idempotency-Key on every mutation', async () => {
      const receipt = await h.unchanged(() => h.post('/v1/stock/receive', { sku: h.a.sku, location: 'WH1', quantity: 1 }, { idem: null }));
      expectProblem(receipt, 'idempotency_key_required', 'Idempotency-Key');
      const item = await h.unchanged(() => h.post('/v1/items', { sku: unique('NOKEY'), name: 'x' }, { idem: null }));
      expectProblem(item, 'idempotency_key_required', 'Idempotency-Key');
      const empty = await h.unchanged(() => h.post('/v1/stock/receive', { sku: h.a.sku, location: 'WH1', quantity: 1 }, { idem: '' }));
      expectProblem(empty, 'idempotency_key_required', 'Idempotency-Key');
    });

    it('replays the same key and body: same status and body, marked replayed, nothing new written', async () => {
      const { sku } = await h.item();
      const idem = randomUUID();
      const body = { sku, location: 'WH1', quantity: 4, reference: 'PO-1' };
      const first = await h.post('/v1/stock/receive', body, { idem });
      expect(first.statusCode).toBe(200);
      expect(first.headers['idempotent-replayed']).toBeUndefined();

      const again = await h.unchanged(() => h.post('/v1/stock/receive', { reference: 'PO-1', quantity: 4, location: 'WH1', sku }, { idem }), [sku]);
      expect(again.statusCode).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toBe(first.body);
      expect((await h.totals(sku)).available).toBe(4);
    });

    it('replays a created item (201) without creating a second one', async () => {
      const idem = randomUUID();
      const body = { sku: unique('IDEM'), name: 'Once' };
      const first = await h.post('/v1/items', body, { idem });
      expect(first.statusCode).toBe(201);
      const again = await h.unchanged(() => h.post('/v1/items', body, { idem }));
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toBe(first.body);
    });

    it('refuses the same key with a different body or endpoint: 409 idempotency_key_reused', async () => {
      const { sku } = await h.item();
      const idem = randomUUID();
      expect((await h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: 1 }, { idem })).statusCode).toBe(200);
      const other = await h.unchanged(() => h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: 2 }, { idem }), [sku]);
      expectProblem(other, 'idempotency_key_reused', 'Idempotency-Key');
      const elsewhere = await h.unchanged(() => h.post('/v1/stock/adjust', { sku, location: 'WH1', delta: 1, reason: 'found' }, { idem }), [sku]);
      expectProblem(elsewhere, 'idempotency_key_reused', 'Idempotency-Key');
      const catalog = await h.unchanged(() => h.post('/v1/items', { sku: unique('X'), name: 'x' }, { idem }), [sku]);
      expectProblem(catalog, 'idempotency_key_reused', 'Idempotency-Key');
      expect((await h.totals(sku)).available).toBe(1);
    });

    it('replays a refusal under its key, so a fixed request needs a new key', async () => {
      const { sku } = await h.item();
      const idem = randomUUID();
      const bad = { sku, location: 'NOWHERE', quantity: 3 };
      const first = expectProblem(await h.post('/v1/stock/receive', bad, { idem }), 'unknown_location', 'location');
      const again = await h.unchanged(() => h.post('/v1/stock/receive', bad, { idem }), [sku]);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(expectProblem(again, 'unknown_location', 'location').detail).toBe(first.detail);

      const fixedSameKey = await h.unchanged(() => h.post('/v1/stock/receive', { ...bad, location: 'WH1' }, { idem }), [sku]);
      expectProblem(fixedSameKey, 'idempotency_key_reused', 'Idempotency-Key');
      const fixed = await h.post('/v1/stock/receive', { ...bad, location: 'WH1' });
      expect(fixed.statusCode).toBe(200);
      expect((await h.totals(sku)).available).toBe(3);
    });

    it('replays insufficient_stock under the same key even after stock arrives; a new key succeeds', async () => {
      const { sku } = await h.item(3);
      const idem = randomUUID();
      const take = { sku, location: 'WH1', delta: -5, reason: 'shrinkage' };
      expectProblem(await h.post('/v1/stock/adjust', take, { idem }), 'insufficient_stock', 'delta');
      expect((await h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: 2 })).statusCode).toBe(200);
      const replayed = await h.unchanged(() => h.post('/v1/stock/adjust', take, { idem }), [sku]);
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(expectProblem(replayed, 'insufficient_stock', 'delta')).toMatchObject({ have: 3 });
      const fresh = await h.post('/v1/stock/adjust', take);
      expect(fresh.statusCode).toBe(200);
      expect((await h.totals(sku)).available).toBe(0);
    });

    it('scopes keys to a workspace', async () => {
      const idem = randomUUID();
      expect((await h.post('/v1/stock/receive', { sku: h.a.sku, location: 'WH1', quantity: 1 }, { idem })).statusCode).toBe(200);
      const inB = await h.post('/v1/stock/receive', { sku: h.b.sku, location: 'WH1', quantity: 1 }, { idem, key: h.b.keys.operate });
      expect(inB.statusCode).toBe(200);
      expect(inB.headers['idempotent-replayed']).toBeUndefined();
    });

    it('still replays after a restart on the same database', async () => {
      const { sku } = await h.item();
      const idem = randomUUID();
      const body = { sku, location: 'WH1', quantity: 5 };
      const first = await h.post('/v1/stock/receive', body, { idem });
      expect(first.statusCode).toBe(200);
      const hold = await h.post('/v1/holds', { lines: [{ sku, quantity: 2, location: 'WH1' }] }, { idem: `${idem}-hold` });
      expect(hold.statusCode).toBe(201);

      await h.restart();

      const again = await h.unchanged(() => h.post('/v1/stock/receive', body, { idem }), [sku]);
      expect(again.statusCode).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toBe(first.body);
      const holdAgain = await h.unchanged(() => h.post('/v1/holds', { lines: [{ sku, quantity: 2, location: 'WH1' }] }, { idem: `${idem}-hold` }), [sku]);
      expect(holdAgain.statusCode).toBe(201);
      expect(holdAgain.body).toBe(hold.body);
      expect(await h.totals(sku)).toMatchObject({ available: 3, reserved: 2 });
    });
  });

  describe('ledger refusals: a stable problem type and nothing written', () => {
    it('refuses an unknown SKU: 422 unknown_item', async () => {
      const res = await h.unchanged(() => h.post('/v1/stock/receive', { sku: 'NO-SUCH-SKU', location: 'WH1', quantity: 1 }));
      expectProblem(res, 'unknown_item', 'sku');
    });

    it('refuses an unknown location: 422 unknown_location', async () => {
      const res = await h.unchanged(() => h.post('/v1/stock/receive', { sku: h.a.sku, location: 'NOWHERE', quantity: 1 }));
      expectProblem(res, 'unknown_location', 'location');
      const inLine = await h.unchanged(() => h.post('/v1/holds', { lines: [{ sku: h.a.sku, quantity: 1, location: 'NOWHERE' }] }));
      expectProblem(inLine, 'unknown_location', 'lines[0].location');
    });

    it('refuses to take a bucket below zero: adjust -5 with 3 available is 409 insufficient_stock', async () => {
      const { sku } = await h.item(3);
      const res = await h.unchanged(() => h.post('/v1/stock/adjust', { sku, location: 'WH1', delta: -5, reason: 'shrinkage' }), [sku]);
      expect(expectProblem(res, 'insufficient_stock', 'delta')).toMatchObject({ bucket: 'available', have: 3 });
      expect((await h.totals(sku)).available).toBe(3);
    });

    it('refuses a hold larger than what is available', async () => {
      const { sku } = await h.item(3);
      const res = await h.unchanged(() => h.post('/v1/holds', { lines: [{ sku, quantity: 4, location: 'WH1' }] }), [sku]);
      expectProblem(res, 'insufficient_stock', 'lines[0].quantity');
    });

    it('refuses an allocation without hold when the channel did not accept a short order', async () => {
      const { sku } = await h.item(1);
      const res = await h.unchanged(() => h.post('/v1/allocations', { lines: [{ sku, quantity: 2, location: 'WH1' }], order_reference: unique('ORD'), channel_accepted: false }), [sku]);
      expectProblem(res, 'insufficient_stock', 'lines[0].quantity');
    });

    it('answers 404 for an unknown hold', async () => {
      expectProblem(await h.get('/v1/holds/hold_nope', h.a.keys.read), 'not_found');
      const res = await h.unchanged(() => h.post('/v1/holds/hold_nope/allocate', { order_reference: 'ORD-X' }));
      expectProblem(res, 'not_found', 'hold_id');
    });

    it('refuses to allocate an expired hold: 409 hold_expired', async () => {
      const { sku } = await h.item(5);
      const hold = await h.reserve(sku, 2, { expires_in_ms: 60_000 });
      h.clock.advance(60_001);
      const res = await h.unchanged(() => h.post(`/v1/holds/${hold.id}/allocate`, { order_reference: unique('ORD') }), [sku]);
      expectProblem(res, 'hold_expired', 'hold_id');
      expect(await h.totals(sku)).toMatchObject({ available: 3, reserved: 2, committed: 0 });

      // The sweeper voids it; the units come back.
      expect(await h.ts.sweeper.sweep()).toBeGreaterThanOrEqual(1);
      expect((await h.get(`/v1/holds/${hold.id}`, h.a.keys.read)).json().hold.state).toBe('expired');
      expect(await h.totals(sku)).toMatchObject({ available: 5, reserved: 0 });
      expectProblem(await h.post(`/v1/holds/${hold.id}/allocate`, { order_reference: unique('ORD') }), 'hold_expired', 'hold_id');
    });

    it('refuses to allocate a released hold: 409 hold_not_active', async () => {
      const { sku } = await h.item(5);
      const hold = await h.reserve(sku, 2);
      // An empty body declared as JSON is no body, as many clients send it.
      const released = await h.post(`/v1/holds/${hold.id}/release`, '', { headers: { 'content-type': 'application/json' } });
      expect(released.statusCode).toBe(200);
      expect(released.json().hold.state).toBe('released');
      const res = await h.unchanged(() => h.post(`/v1/holds/${hold.id}/allocate`, { order_reference: unique('ORD') }), [sku]);
      expect(expectProblem(res, 'hold_not_active', 'hold_id').state).toBe('released');
      expect(await h.totals(sku)).toMatchObject({ available: 5, reserved: 0, committed: 0 });
    });

    it('refuses to ship more than is left: 409 nothing_to_ship, then allocation_not_open once shipped', async () => {
      const { sku } = await h.item(5);
      const hold = await h.reserve(sku, 3);
      expect((await h.post(`/v1/holds/${hold.id}/allocate`, { order_reference: unique('ORD') })).statusCode).toBe(200);
      const part = await h.post(`/v1/holds/${hold.id}/ship`, { lines: [{ line: 1, quantity: 2 }] });
      expect(part.statusCode).toBe(200);
      expect(part.json().hold).toMatchObject({ state: 'allocated', lines: [{ line: 1, quantity: 3, shipped: 2 }] });

      const twice = await h.unchanged(() => h.post(`/v1/holds/${hold.id}/ship`, { lines: [{ line: 1, quantity: 2 }] }), [sku]);
      expectProblem(twice, 'nothing_to_ship', 'lines[0].quantity');

      const rest = await h.post(`/v1/holds/${hold.id}/ship`, {});
      expect(rest.statusCode).toBe(200);
      expect(rest.json().hold).toMatchObject({ state: 'shipped', lines: [{ shipped: 3 }] });
      const again = await h.unchanged(() => h.post(`/v1/holds/${hold.id}/ship`, {}), [sku]);
      expect(expectProblem(again, 'allocation_not_open', 'hold_id').state).toBe('shipped');
      expect(await h.totals(sku)).toMatchObject({ available: 2, committed: 0, on_hand: 2 });
    });

    it('refuses an SKU or location code that is taken: 409', async () => {
      expectProblem(await h.unchanged(() => h.post('/v1/items', { sku: h.a.sku, name: 'dup' })), 'sku_taken', 'sku');
      expectProblem(await h.unchanged(() => h.post('/v1/locations', { code: 'WH1', name: 'dup', kind: 'store' }, { key: h.a.keys.admin })), 'location_code_taken', 'code');
    });
  });

  describe('happy paths', () => {
    it('receives, reserves, allocates and ships', async () => {
      const { sku } = await h.item();
      const received = await h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: 10, reference: 'PO-7' });
      expect(received.statusCode).toBe(200);
      expect(received.json().stock_level).toMatchObject({ sku, location: 'WH1', available: 10, on_hand: 10 });
      expect(received.json().movements).toMatchObject([{ sku, location: 'WH1', from: 'supplier', to: 'available', quantity: 10, command: 'receive', reference: 'PO-7' }]);

      const reserved = await h.post('/v1/holds', { lines: [{ sku, quantity: 3, location: 'WH1' }], reference: 'cart-1' });
      expect(reserved.statusCode).toBe(201);
      const hold = reserved.json().hold;
      expect(hold).toMatchObject({ state: 'active', reference: 'cart-1', lines: [{ line: 1, sku, location: 'WH1', quantity: 3, shipped: 0, oversold: 0 }] });
      expect(await h.totals(sku)).toMatchObject({ available: 7, reserved: 3 });

      const allocated = await h.post(`/v1/holds/${hold.id}/allocate`, { order_reference: 'ORD-1' });
      expect(allocated.statusCode).toBe(200);
      expect(allocated.json().hold).toMatchObject({ state: 'allocated', order_reference: 'ORD-1', expires_at: null });
      expect(await h.totals(sku)).toMatchObject({ available: 7, reserved: 0, committed: 3 });

      const shipped = await h.post(`/v1/holds/${hold.id}/ship`, {});
      expect(shipped.statusCode).toBe(200);
      expect(shipped.json().hold).toMatchObject({ state: 'shipped', lines: [{ shipped: 3 }] });
      expect(shipped.json().movements).toMatchObject([{ from: 'committed', to: 'customer', quantity: 3, reference: 'ORD-1', hold_id: hold.id }]);
      expect(await h.totals(sku)).toMatchObject({ available: 7, reserved: 0, committed: 0, on_hand: 7 });
    });

    it('releases a hold and cancels an allocation, returning units to available', async () => {
      const { sku } = await h.item(6);
      const toRelease = await h.reserve(sku, 2);
      expect((await h.post(`/v1/holds/${toRelease.id}/release`)).json().hold.state).toBe('released');
      expect(await h.totals(sku)).toMatchObject({ available: 6, reserved: 0 });

      const toCancel = await h.reserve(sku, 4);
      expect((await h.post(`/v1/holds/${toCancel.id}/allocate`, { order_reference: 'ORD-C' })).statusCode).toBe(200);
      expect(await h.totals(sku)).toMatchObject({ available: 2, committed: 4 });
      const cancelled = await h.post(`/v1/holds/${toCancel.id}/cancel`);
      expect(cancelled.statusCode).toBe(200);
      expect(cancelled.json().hold.state).toBe('cancelled');
      expect(await h.totals(sku)).toMatchObject({ available: 6, committed: 0, on_hand: 6 });
    });

    it('allocates an order without a hold even when short, recording the oversell and an exception', async () => {
      const { sku } = await h.item(2);
      const order = unique('ORD-OVER');
      const res = await h.post('/v1/allocations', { lines: [{ sku, quantity: 5, location: 'WH1' }], order_reference: order, channel_accepted: true });
      expect(res.statusCode).toBe(201);
      const hold = res.json().hold;
      expect(hold).toMatchObject({ state: 'allocated', order_reference: order, lines: [{ line: 1, sku, quantity: 5, oversold: 3 }] });
      expect(await h.totals(sku)).toMatchObject({ available: 0, committed: 5, oversold: 3, on_hand: 2 });

      const open = (await h.get('/v1/exceptions?state=open', h.a.keys.read)).json().data.filter((e: Json) => e.hold_id === hold.id);
      expect(open).toMatchObject([{ kind: 'oversold', state: 'open', sku, location: 'WH1', quantity: 3, reference: order }]);
    });

    it('walks the movements with a cursor, newest first, without duplicates, and filters by reference', async () => {
      const { sku } = await h.item();
      const ref = unique('PO');
      for (let i = 1; i <= 7; i++) {
        expect((await h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: i, reference: `${ref}-${i}` })).statusCode).toBe(200);
      }
      const pages: Json[][] = [];
      let url: string | null = `/v1/movements?sku=${sku}&limit=3`;
      while (url) {
        const res = await h.get(url, h.a.keys.read);
        expect(res.statusCode).toBe(200);
        const { data, next_cursor } = res.json();
        pages.push(data);
        url = next_cursor ? `/v1/movements?sku=${sku}&limit=3&cursor=${encodeURIComponent(next_cursor)}` : null;
        expect(pages.length).toBeLessThanOrEqual(4);
      }
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      const all = pages.flat();
      expect(new Set(all.map((m) => m.id)).size).toBe(7);
      expect(all.map((m) => m.quantity)).toEqual([7, 6, 5, 4, 3, 2, 1]);

      const byRef = (await h.get(`/v1/movements?reference=${ref}-4`, h.a.keys.read)).json();
      expect(byRef.data).toMatchObject([{ sku, quantity: 4, reference: `${ref}-4`, command: 'receive' }]);
      expect(byRef.next_cursor).toBeNull();
    });

    it('lists active holds by state', async () => {
      const { sku } = await h.item(4);
      const active = await h.reserve(sku, 1);
      const released = await h.reserve(sku, 1);
      expect((await h.post(`/v1/holds/${released.id}/release`)).statusCode).toBe(200);
      const res = await h.get('/v1/holds?state=active&limit=500', h.a.keys.read);
      expect(res.statusCode).toBe(200);
      const data: Json[] = res.json().data;
      expect(data.every((x) => x.state === 'active')).toBe(true);
      const ids = data.map((x) => x.id);
      expect(ids).toContain(active.id);
      expect(ids).not.toContain(released.id);
    });

    it('reads an item and its stock', async () => {
      const { sku, id } = await h.item(2);
      expect((await h.get(`/v1/items/${id}`, h.a.keys.read)).json().item).toMatchObject({ id, sku, archived: false });
      const stock = (await h.get(`/v1/items/${id}/stock`, h.a.keys.read)).json();
      expect(stock.locations).toMatchObject([{ location: 'WH1', available: 2 }]);
    });

    it('reads and changes a location', async () => {
      const code = unique('LOC').slice(0, 20);
      const made = await h.post('/v1/locations', { code, name: 'Back room', kind: 'store' }, { key: h.a.keys.admin });
      expect(made.statusCode).toBe(201);
      const { id } = made.json().location;
      expect((await h.get(`/v1/locations/${id}`, h.a.keys.read)).json().location).toMatchObject({ id, code, name: 'Back room', kind: 'store', pickup: true });
      const res = await h.inject({
        method: 'PATCH', url: `/v1/locations/${id}`, payload: { name: 'Front room', postal_code: '10115', country: 'DE' },
        headers: { authorization: `Bearer ${h.a.keys.admin}`, 'idempotency-key': randomUUID() },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().location).toMatchObject({ id, code, name: 'Front room', postal_code: '10115', country: 'DE' });
    });

    it('moves units between buckets and records a count', async () => {
      const { sku } = await h.item(5);
      const moved = await h.post('/v1/stock/move', { sku, location: 'WH1', quantity: 2, from: 'available', to: 'damaged', note: 'dropped' });
      expect(moved.statusCode).toBe(200);
      expect(moved.json().stock_level).toMatchObject({ sku, location: 'WH1', available: 3, damaged: 2, on_hand: 5 });
      expect(moved.json().movements).toMatchObject([{ from: 'available', to: 'damaged', quantity: 2, command: 'move', note: 'dropped' }]);

      const counted = await h.post('/v1/stock/count', { sku, location: 'WH1', counted: 4, reference: 'CC-1' });
      expect(counted.statusCode).toBe(200);
      expect(counted.json().stock_level).toMatchObject({ sku, on_hand: 4 });
      expect(counted.json().movements).toMatchObject([{ quantity: 1, command: 'count', reason: 'cycle_count' }]);
    });

    it('extends an active hold', async () => {
      const { sku } = await h.item(2);
      const hold = await h.reserve(sku, 1);
      const res = await h.post(`/v1/holds/${hold.id}/extend`, { expires_in_ms: 3_600_000 });
      expect(res.statusCode).toBe(200);
      expect(res.json().hold).toMatchObject({ id: hold.id, state: 'active' });
      expect(Date.parse(res.json().hold.expires_at)).toBeGreaterThan(Date.parse(hold.expires_at));
    });
  });

  describe('operations: health, OpenAPI, docs, metrics, request ids', () => {
    it('answers /healthz', async () => {
      const res = await h.get('/healthz', null);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok', database: kind });
    });

    it('serves an OpenAPI 3.1.0 document listing /v1/holds', async () => {
      const doc = (await h.get('/openapi.json', null)).json();
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.paths['/v1/holds']).toHaveProperty('post');
      expect(doc.paths['/v1/holds']).toHaveProperty('get');
      expect(doc.paths['/v1/holds/{id}/allocate']).toHaveProperty('post');
    });

    it('serves the interactive docs at /docs', async () => {
      const res = await h.get('/docs', null);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
    });

    it('exposes Prometheus metrics with truestock_commands_total, to the metrics token only', async () => {
      const res = await h.get('/metrics', METRICS_TOKEN);
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/^truestock_commands_total\{type="receive",outcome="ok"\} \d+$/m);
      expect(res.body).toContain('truestock_http_requests_total');
      // The metrics name every workspace's channels: not for the public, nor for a workspace's key.
      for (const key of [null, 'wrong-token', h.a.keys.admin, `${METRICS_TOKEN}x`]) {
        const refused = await h.get('/metrics', key);
        expectProblem(refused, 'unauthorized', 'Authorization');
        expect(refused.headers['www-authenticate']).toBe('Bearer realm="metrics"');
        expect(refused.body).not.toContain('truestock_');
      }
    });

    it('keeps /metrics closed on a server started without a metrics token', async () => {
      const closed = await buildServer({ truestock: h.ts });
      try {
        for (const key of [null, METRICS_TOKEN, '']) {
          const res = await closed.inject({ method: 'GET', url: '/metrics', headers: key === null ? {} : { authorization: `Bearer ${key}` } });
          expectProblem(res, 'unauthorized', 'Authorization');
          expect(res.json().detail).toMatch(/TRUESTOCK_METRICS_TOKEN/);
        }
      } finally {
        await closed.close();
      }
    });

    it('sends a request-id on every answer and echoes a valid x-request-id', async () => {
      const plain = await h.get('/healthz', null);
      expect(plain.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const echoed = await h.get('/v1/items', h.a.keys.read, { 'x-request-id': 'trace-42.abc' });
      expect(echoed.headers['request-id']).toBe('trace-42.abc');
      const problem = await h.get('/v1/items', null, { 'x-request-id': 'trace-43' });
      expect(problem.headers['request-id']).toBe('trace-43');
      expect(problem.json().request_id).toBe('trace-43');
      const invalid = await h.get('/healthz', null, { 'x-request-id': 'has spaces in it' });
      expect(invalid.headers['request-id']).not.toBe('has spaces in it');
      expect(invalid.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
});
