import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adjustment, type Harness, harness, inStock, LOCATION, physicalCount, START } from './test-support.ts';

const HOUR_MS = 3_600_000;
let h: Harness;
beforeEach(async () => {
  h = await harness();
  await h.seed('VAR1');
  await h.seed('VAR2');
});
afterEach(() => h.close());

describe('auth', () => {
  it('answers 401 AUTHENTICATION_ERROR / UNAUTHORIZED without the bearer token or with a wrong one', async () => {
    for (const token of [null, 'wrong']) {
      const a = await h.call('POST', '/v2/inventory/counts/batch-retrieve', { body: {}, token });
      expect(a.status).toBe(401);
      expect(a.body.errors[0]).toMatchObject({ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED' });
    }
    expect(h.square.counters().unauthorized).toBe(2);
  });

  it('refuses a malformed Square-Version and accepts a well-formed one', async () => {
    const bad = await h.call('POST', '/v2/inventory/counts/batch-retrieve', { body: {}, headers: { 'Square-Version': 'latest' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].code).toBe('INVALID_SQUARE_VERSION_FORMAT');
    expect((await h.call('POST', '/v2/inventory/counts/batch-retrieve', { body: {}, headers: { 'Square-Version': '2025-01-23' } })).status).toBe(200);
  });
});

describe('BatchChangeInventory', () => {
  it('sets a count with PHYSICAL_COUNT and answers the counts and the changes recorded', async () => {
    const a = await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'k1', changes: [physicalCount('VAR1', '7', START)] } });
    expect(a.status).toBe(200);
    expect(a.body.counts).toEqual([expect.objectContaining({ catalog_object_id: 'VAR1', catalog_object_type: 'ITEM_VARIATION', location_id: LOCATION, state: 'IN_STOCK', quantity: '7' })]);
    expect(a.body.changes[0].physical_count).toMatchObject({ quantity: '7', state: 'IN_STOCK', source: { product: 'EXTERNAL_API' } });
    expect(await inStock(h, 'VAR1')).toBe('7');
  });

  it('keeps decimal quantities exact', async () => {
    await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'k1', changes: [physicalCount('VAR1', '2.5', START), adjustment('VAR1', '0.1', START)] } });
    expect(await inStock(h, 'VAR1')).toBe('2.4');
  });

  it('answers the same key and body with the same answer, recording nothing twice', async () => {
    const body = { idempotency_key: 'same', changes: [adjustment('VAR1', '1', START, 'NONE', 'IN_STOCK')] };
    const first = await h.call('POST', '/v2/inventory/changes/batch-create', { body });
    await h.scheduler.advance(5000);
    const again = await h.call('POST', '/v2/inventory/changes/batch-create', { body: { changes: body.changes, idempotency_key: 'same' } });
    expect(again.body).toEqual(first.body);
    expect(await inStock(h, 'VAR1')).toBe('1');
  });

  it('refuses the same key with another body: IDEMPOTENCY_KEY_REUSED, nothing recorded', async () => {
    await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'k', changes: [physicalCount('VAR1', '3', START)] } });
    const a = await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'k', changes: [physicalCount('VAR1', '4', START)] } });
    expect(a.status).toBe(400);
    expect(a.body.errors[0]).toMatchObject({ category: 'INVALID_REQUEST_ERROR', code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotency_key' });
    expect(await inStock(h, 'VAR1')).toBe('3');
  });

  it('requires an idempotency key (the model refuses the request too)', async () => {
    const a = await h.call('POST', '/v2/inventory/changes/batch-create', { body: { changes: [physicalCount('VAR1', '3', START)] }, schemaInvalid: true });
    expect(a.status).toBe(400);
    expect(a.body.errors[0]).toMatchObject({ code: 'MISSING_REQUIRED_PARAMETER', field: 'idempotency_key' });
  });

  it('takes 100 changes and refuses 101, the whole batch', async () => {
    const hundred = Array.from({ length: 100 }, () => adjustment('VAR1', '1', START, 'NONE', 'IN_STOCK'));
    expect((await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'a', changes: hundred } })).status).toBe(200);
    const a = await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'b', changes: [...hundred, physicalCount('VAR1', '0', START)] } });
    expect(a.status).toBe(400);
    expect(a.body.errors[0]).toMatchObject({ code: 'ARRAY_LENGTH_TOO_LONG', field: 'changes' });
    expect(await inStock(h, 'VAR1')).toBe('100');
  });

  it('refuses occurred_at in the future or more than 24 h back, naming the field; nothing of the batch is recorded', async () => {
    const future = await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'f', changes: [physicalCount('VAR2', '9', START), physicalCount('VAR1', '5', START + 1000)] } });
    expect(future.status).toBe(400);
    expect(future.body.errors[0]).toMatchObject({ code: 'INVALID_TIME', field: 'changes[1].physical_count.occurred_at' });
    const old = await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'o', changes: [adjustment('VAR1', '1', START - 25 * HOUR_MS)] } });
    expect(old.body.errors[0]).toMatchObject({ code: 'INVALID_TIME', field: 'changes[0].adjustment.occurred_at' });
    expect(await inStock(h, 'VAR2')).toBeUndefined();
    const missing = await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'm', changes: [{ type: 'PHYSICAL_COUNT', physical_count: { catalog_object_id: 'VAR1', location_id: LOCATION, state: 'IN_STOCK', quantity: '1' } }] } });
    expect(missing.body.errors[0]).toMatchObject({ code: 'MISSING_REQUIRED_PARAMETER', field: 'changes[0].physical_count.occurred_at' });
  });

  it('refuses unknown catalog objects and locations, bad quantities and read-only states', async () => {
    const cases: [unknown, string, string][] = [
      [physicalCount('NOPE', '1', START), 'INVALID_VALUE', 'changes[0].physical_count.catalog_object_id'],
      [{ ...physicalCount('VAR1', '1', START), physical_count: { ...physicalCount('VAR1', '1', START).physical_count, location_id: 'ELSEWHERE' } }, 'INVALID_VALUE', 'changes[0].physical_count.location_id'],
      [physicalCount('VAR1', '1.123456', START), 'INVALID_VALUE', 'changes[0].physical_count.quantity'],
      [physicalCount('VAR1', '-1', START), 'VALUE_TOO_LOW', 'changes[0].physical_count.quantity'],
      [adjustment('VAR1', '0', START), 'VALUE_TOO_LOW', 'changes[0].adjustment.quantity'],
      [adjustment('VAR1', '1', START, 'IN_STOCK', 'SOLD_ONLINE'), 'INVALID_VALUE', 'changes[0].adjustment.to_state'],
      [adjustment('VAR1', '1', START, 'NONE', 'SOLD'), 'INVALID_VALUE', 'changes[0].adjustment.to_state'],
    ];
    for (const [change, code, field] of cases) {
      const a = await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: `x-${field}-${code}`, changes: [change] } });
      expect(a.status, field).toBe(400);
      expect(a.body.errors[0], field).toMatchObject({ category: 'INVALID_REQUEST_ERROR', code, field });
    }
  });

  it('applies changes by occurred_at: an older physical count arriving late does not undo a later sale', async () => {
    await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'c1', changes: [physicalCount('VAR1', '10', START)] } });
    await h.scheduler.advance(60_000);
    await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 's1', changes: [adjustment('VAR1', '2', START + 50_000)] } });
    // A count taken at START + 30 s, sent only now: the sale after it still counts.
    await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'c2', changes: [physicalCount('VAR1', '20', START + 30_000)] } });
    expect(await inStock(h, 'VAR1')).toBe('18');
    // A sale that occurred before the latest count is already inside it.
    await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 's2', changes: [adjustment('VAR1', '5', START + 10_000)] } });
    expect(await inStock(h, 'VAR1')).toBe('18');
  });

  it('ignores an unchanged physical count by default, and records it when ignore_unchanged_counts is false', async () => {
    await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'a', changes: [physicalCount('VAR1', '4', START)] } });
    const same = await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'b', changes: [physicalCount('VAR1', '4', START)] } });
    expect(same.body.changes).toBeUndefined();
    expect(same.body.counts[0].quantity).toBe('4');
    const kept = await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'c', ignore_unchanged_counts: false, changes: [physicalCount('VAR1', '4', START)] } });
    expect(kept.body.changes).toHaveLength(1);
  });
});

describe('reading counts and changes', () => {
  beforeEach(async () => {
    await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'c', changes: [physicalCount('VAR1', '3', START), physicalCount('VAR2', '8', START)] } });
  });

  it('BatchRetrieveInventoryCounts filters by catalog object, location, state and updated_after', async () => {
    await h.scheduler.advance(1000);
    await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'w', changes: [adjustment('VAR2', '1', START + 1000, 'IN_STOCK', 'WASTE')] } });
    const all = await h.call('POST', '/v2/inventory/counts/batch-retrieve', { body: {} });
    expect(all.body.counts.map((c: any) => `${c.catalog_object_id}:${c.state}:${c.quantity}`)).toEqual(['VAR2:IN_STOCK:7', 'VAR2:WASTE:1', 'VAR1:IN_STOCK:3']);
    const one = await h.call('POST', '/v2/inventory/counts/batch-retrieve', { body: { catalog_object_ids: ['VAR1'], location_ids: [LOCATION], states: ['IN_STOCK'] } });
    expect(one.body.counts).toHaveLength(1);
    const waste = await h.call('POST', '/v2/inventory/counts/batch-retrieve', { body: { states: ['WASTE', 'SOLD'] } });
    expect(waste.body.counts.map((c: any) => c.state)).toEqual(['WASTE']);
    const recent = await h.call('POST', '/v2/inventory/counts/batch-retrieve', { body: { updated_after: new Date(START + 500).toISOString() } });
    expect(recent.body.counts.every((c: any) => c.catalog_object_id === 'VAR2')).toBe(true);
    const none = await h.call('POST', '/v2/inventory/counts/batch-retrieve', { body: { location_ids: ['ELSEWHERE'] } });
    expect(none.body).toEqual({});
  });

  it('pages at 100 whatever the limit asks, with a cursor that only its own query accepts', async () => {
    const ids = Array.from({ length: 130 }, (_, i) => `P${i}`);
    for (const id of ids) await h.seed(id);
    await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'p1', changes: ids.slice(0, 100).map((id) => physicalCount(id, '1', START)) } });
    await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 'p2', changes: ids.slice(100).map((id) => physicalCount(id, '1', START)) } });
    const first = await h.call('POST', '/v2/inventory/counts/batch-retrieve', { body: { limit: 1000 } });
    expect(first.body.counts).toHaveLength(100);
    expect(first.body.cursor).toEqual(expect.any(String));
    const second = await h.call('POST', '/v2/inventory/counts/batch-retrieve', { body: { limit: 1000, cursor: first.body.cursor } });
    expect(second.body.counts).toHaveLength(32);
    expect(second.body.cursor).toBeUndefined();
    const seen = new Set([...first.body.counts, ...second.body.counts].map((c: any) => c.catalog_object_id));
    expect(seen.size).toBe(132);
    const wrong = await h.call('POST', '/v2/inventory/counts/batch-retrieve', { body: { limit: 5, cursor: first.body.cursor } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].code).toBe('INVALID_CURSOR');
    const small = await h.call('POST', '/v2/inventory/counts/batch-retrieve', { body: { limit: 2 } });
    expect(small.body.counts).toHaveLength(2);
  });

  it('RetrieveInventoryCount answers one object, filtered by location_ids; an unknown object has no counts', async () => {
    const a = await h.call('GET', '/v2/inventory/VAR1', { query: { location_ids: LOCATION } });
    expect(a.body.counts).toEqual([expect.objectContaining({ catalog_object_id: 'VAR1', quantity: '3' })]);
    expect((await h.call('GET', '/v2/inventory/NOPE')).body).toEqual({});
  });

  it('BatchRetrieveInventoryChanges lists history oldest first by occurred_at, filtered by type and state', async () => {
    await h.scheduler.advance(2000);
    await h.call('POST', '/v2/inventory/changes/batch-create', { body: { idempotency_key: 's', changes: [adjustment('VAR1', '1', START + 2000), adjustment('VAR1', '1', START + 1000, 'IN_STOCK', 'WASTE')] } });
    const all = await h.call('POST', '/v2/inventory/changes/batch-retrieve', { body: { catalog_object_ids: ['VAR1'] } });
    expect(all.body.changes.map((c: any) => c.type)).toEqual(['PHYSICAL_COUNT', 'ADJUSTMENT', 'ADJUSTMENT']);
    expect(all.body.changes[1].adjustment.to_state).toBe('WASTE');
    const sold = await h.call('POST', '/v2/inventory/changes/batch-retrieve', { body: { types: ['ADJUSTMENT'], states: ['SOLD'] } });
    expect(sold.body.changes).toHaveLength(1);
    expect(sold.body.changes[0].adjustment).toMatchObject({ to_state: 'SOLD', total_price_money: { amount: 500, currency: 'USD' } });
    const before = await h.call('POST', '/v2/inventory/changes/batch-retrieve', { body: { updated_before: new Date(START + 1).toISOString() } });
    expect(before.body.changes).toHaveLength(2);
  });
});
