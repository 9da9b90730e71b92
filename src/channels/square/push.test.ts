// Pushing counts to Square through the official SDK, against a scripted Square: what is sent
// (validated against Square's official model), how each answer is classified, and that a retried
// push intent is the same request.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../app/clock.ts';
import type { Connector, PushItem } from '../../sync/connector.ts';
import { square } from './kind.ts';
import { changeIndexOf, shownUnits } from './push.ts';
import { scriptedSquare, validatingFetch } from './square.fixture.ts';

const LOC = 'L1STORE';
const settings = { access_token: 'EAAA-token', endpoint: 'https://square.example', square_version: '2026-05-20', locations: { [LOC]: 'STORE' } };
const item = (n: number, quantity = 5, version = 1): PushItem => ({ listingId: `lst_${n}`, version, external: { catalog_object_id: `OBJ${n}` }, quantity, expected: null });

function connect(s: Record<string, unknown> = settings) {
  const sq = scriptedSquare();
  const invalid: string[] = [];
  const clock = new ManualClock(Date.UTC(2026, 11, 5, 12));
  const c = square.connect!(s, { clock, fetch: validatingFetch(sq.fetch, invalid) });
  if ('code' in c) throw new Error(c.detail);
  return { c: c as Connector, sq, invalid, clock };
}

describe('Square push', () => {
  it('sends PHYSICAL_COUNT changes, IN_STOCK at the store location, dated by the injected clock, valid against the model', async () => {
    const { c, sq, invalid, clock } = connect();
    const r = await c.push([item(1, 7), { ...item(2, 0), external: { catalog_object_id: 'OBJ2', location_id: LOC } }]);
    expect(r).toEqual({ ok: true, outcomes: [{ status: 'acknowledged' }, { status: 'acknowledged' }] });
    expect(invalid).toEqual([]);
    const [req] = sq.seen;
    expect(req!.path).toBe('/v2/inventory/changes/batch-create');
    expect(req!.headers.get('authorization')).toBe('Bearer EAAA-token');
    expect(req!.headers.get('square-version')).toBe('2026-05-20');
    expect(req!.body).toMatchObject({
      idempotency_key: expect.stringMatching(/^truestock-[0-9a-f]{40}$/),
      changes: [
        { type: 'PHYSICAL_COUNT', physical_count: { catalog_object_id: 'OBJ1', location_id: LOC, state: 'IN_STOCK', quantity: '7', occurred_at: new Date(clock.now()).toISOString(), reference_id: 'truestock:lst_1:1' } },
        { type: 'PHYSICAL_COUNT', physical_count: { catalog_object_id: 'OBJ2', location_id: LOC, state: 'IN_STOCK', quantity: '0' } },
      ],
    });
    expect(c.maxBatch).toBe(100);
  });

  it('a retried intent is the same request (key and date); a new version is a new one', async () => {
    const { c, sq, clock } = connect();
    sq.script.push('network');
    const first = await c.push([item(1, 7)]);
    expect(first).toMatchObject({ ok: false, failure: 'transient' });
    clock.advance(30_000);
    expect(await c.push([item(1, 7)])).toMatchObject({ ok: true });
    expect(sq.seen[1]!.body).toEqual(sq.seen[0]!.body);
    clock.advance(1_000);
    await c.push([item(1, 7, 2)]);
    expect(sq.seen[2]!.body.idempotency_key).not.toBe(sq.seen[0]!.body.idempotency_key);
    const dated = (k: number) => ((sq.seen[k]!.body.changes as { physical_count: { occurred_at: string } }[])[0]!.physical_count.occurred_at);
    expect(dated(1)).toBe(dated(0));
    expect(Date.parse(dated(2))).toBe(clock.now());
  });

  it('property: any intent retried later is the same request; a different version of any listing is a new key', async () => {
    await fc.assert(fc.asyncProperty(
      fc.uniqueArray(fc.record({ n: fc.nat(500), quantity: fc.nat(10_000), version: fc.integer({ min: 1, max: 1_000 }) }), { minLength: 1, maxLength: 100, selector: (r) => r.n }),
      fc.integer({ min: 1, max: 3_600_000 }), fc.nat(),
      async (rows, later, pick) => {
        const { c, sq, clock } = connect();
        const items = rows.map((r) => item(r.n, r.quantity, r.version));
        await c.push(items);
        clock.advance(later);
        await c.push(items);
        expect(sq.seen[1]!.body).toEqual(sq.seen[0]!.body);
        const k = pick % items.length;
        await c.push(items.map((i, j) => (j === k ? { ...i, version: i.version + 1 } : i)));
        expect(sq.seen[2]!.body.idempotency_key).not.toBe(sq.seen[0]!.body.idempotency_key);
      },
    ), { numRuns: 40 });
  });

  it('classifies failures: 429 throttled with Retry-After, 5xx and no answer transient, 401 auth, a request error permanent', async () => {
    const { c, sq } = connect();
    sq.script.push(
      { status: 429, body: { errors: [{ category: 'RATE_LIMIT_ERROR', code: 'RATE_LIMITED' }] }, headers: { 'retry-after': '3' } },
      { status: 503, body: { errors: [{ category: 'API_ERROR', code: 'SERVICE_UNAVAILABLE' }] } },
      'network',
      { status: 401, body: { errors: [{ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED' }] } },
      { status: 400, body: { errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'INVALID_VALUE', field: 'idempotency_key' }] } },
    );
    expect(await c.push([item(1)])).toMatchObject({ ok: false, failure: 'throttled', retryAfterMs: 3_000 });
    expect(await c.push([item(1)])).toMatchObject({ ok: false, failure: 'transient' });
    expect(await c.push([item(1)])).toMatchObject({ ok: false, failure: 'transient' });
    expect(await c.push([item(1)])).toMatchObject({ ok: false, failure: 'auth' });
    expect(await c.push([item(1)])).toMatchObject({ ok: false, failure: 'permanent', message: expect.stringContaining('INVALID_VALUE') });
    // The SDK's own retries are off: one request per push.
    expect(sq.seen).toHaveLength(5);
  });

  it('a 400 naming one change rejects that item; the others were not applied (Square applies a batch whole)', async () => {
    const { c, sq } = connect();
    sq.script.push({ status: 400, body: { errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail: 'no catalog object OBJ2', field: 'changes[1].physical_count.catalog_object_id' }] } });
    const r = await c.push([item(1), item(2), item(3)]);
    expect(r).toEqual({ ok: true, outcomes: [{ status: 'not_applied' }, { status: 'rejected', reason: 'NOT_FOUND: no catalog object OBJ2' }, { status: 'not_applied' }] });
  });

  it('a listing without a location on a channel of several locations is rejected, the rest pushed', async () => {
    const { c, sq } = connect({ ...settings, locations: { [LOC]: 'STORE', L2: 'STORE2' } });
    const r = await c.push([item(1), { ...item(2), external: { catalog_object_id: 'OBJ2', location_id: 'L2' } }, { ...item(3), external: { catalog_object_id: 'OBJ3', location_id: 'ELSEWHERE' } }]);
    expect(r).toMatchObject({ ok: true, outcomes: [{ status: 'rejected' }, { status: 'acknowledged' }, { status: 'rejected' }] });
    expect((sq.seen[0]!.body.changes as unknown[]).length).toBe(1);
  });

  it('reads back IN_STOCK counts per location, following the cursor; null for what Square does not count', async () => {
    const { c, sq, invalid } = connect();
    sq.script.push(
      { status: 200, body: { counts: [{ catalog_object_id: 'OBJ1', location_id: LOC, state: 'IN_STOCK', quantity: '4', calculated_at: '2026-12-05T12:00:00Z' }], cursor: 'next' } },
      { status: 200, body: { counts: [{ catalog_object_id: 'OBJ2', location_id: LOC, state: 'IN_STOCK', quantity: '-2' }] } },
    );
    const r = await c.readBack([item(1), item(2), item(3)]);
    expect(r).toEqual({ ok: true, shown: [4, -2, null] });
    expect(invalid).toEqual([]);
    expect(sq.seen.map((s) => s.path)).toEqual(['/v2/inventory/counts/batch-retrieve', '/v2/inventory/counts/batch-retrieve']);
    expect(sq.seen[0]!.body).toMatchObject({ catalog_object_ids: ['OBJ1', 'OBJ2', 'OBJ3'], location_ids: [LOC], states: ['IN_STOCK'] });
    expect(sq.seen[1]!.body).toMatchObject({ cursor: 'next' });
  });

  it('reads helpers: change index of an error field, whole units of a decimal quantity', () => {
    expect(changeIndexOf('changes[12].physical_count.quantity')).toBe(12);
    expect(changeIndexOf('idempotency_key')).toBeNull();
    expect(shownUnits('3.00000')).toBe(3);
    expect(shownUnits('2.5')).toBe(2);
    expect(shownUnits(null)).toBeNull();
  });
});

describe('Square settings', () => {
  it('refuses values of the wrong shape, naming the field; connect() says what is missing', () => {
    const check = (s: Record<string, unknown>) => square.settings.check(s, 'settings')?.field ?? null;
    expect(check({})).toBeNull();
    expect(check({ access_token: '' })).toBe('settings.access_token');
    expect(check({ endpoint: 'ftp://x' })).toBe('settings.endpoint');
    expect(check({ notification_url: 'nope' })).toBe('settings.notification_url');
    expect(check({ square_version: 'latest' })).toBe('settings.square_version');
    expect(check({ locations: { L1: '' } })).toBe('settings.locations');
    expect(check({ bucket_size: 0 })).toBe('settings.bucket_size');
    const env = { clock: new ManualClock(), fetch: (() => Promise.reject(new Error('no network'))) as typeof fetch };
    const lacking = (s: Record<string, unknown>) => {
      const c = square.connect!(s, env);
      return 'code' in c ? c.field : null;
    };
    expect(lacking({ locations: { L1: 'STORE' } })).toBe('settings.access_token');
    expect(lacking({ access_token: 't' })).toBe('settings.locations');
    expect(lacking({ access_token: 't', locations: { L1: 'STORE' } })).toBeNull();
    expect(square.settings.secrets).toEqual(['access_token', 'signature_key']);
  });
});
