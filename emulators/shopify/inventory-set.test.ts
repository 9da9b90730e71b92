// inventorySetQuantities: compare-and-set by version, the validation ladder, all-or-nothing,
// the 250 limit and @idempotent, driven by admin-api-client.

import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ShopifyEmulator, startShopifyEmulator } from './index.ts';
import { clientFor, SET_QUANTITIES, startReceiver } from './test-support.ts';

let e: ShopifyEmulator;
let loc: string;
let a: { inventoryItemId: string };
let b: { inventoryItemId: string };

beforeEach(async () => {
  e = await startShopifyEmulator({ shop: 'set-shop' });
  loc = e.addLocation('Main').id;
  a = e.addItem({ sku: 'A', levels: { [loc]: 10 } });
  b = e.addItem({ sku: 'B', levels: { [loc]: 4 } });
});
afterEach(() => e.close());

const input = (quantities: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  name: 'available',
  reason: 'correction',
  referenceDocumentUri: 'gid://truestock/Push/1',
  quantities,
  ...extra,
});

async function set(inp: Record<string, unknown>, o: { key?: string; version?: string } = {}) {
  const r = await clientFor(e, { apiVersion: o.version ?? '2026-10' }).request(SET_QUANTITIES, { variables: { input: inp, key: o.key ?? randomUUID() } });
  return r;
}

describe('compare-and-set', () => {
  it('sets available when changeFromQuantity matches; on_hand moves with it', async () => {
    e.placeOrder({ lines: [{ sku: 'A', quantity: 3 }] }); // available 7, committed 3
    const r = await set(input([{ inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 20, changeFromQuantity: 7 }]));
    expect(r.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(r.data.inventorySetQuantities.inventoryAdjustmentGroup).toMatchObject({
      reason: 'correction',
      referenceDocumentUri: 'gid://truestock/Push/1',
      changes: [
        { name: 'available', delta: 13, quantityAfterChange: 20, item: { id: a.inventoryItemId }, location: { id: loc } },
        { name: 'on_hand', delta: 13, quantityAfterChange: 23, item: { id: a.inventoryItemId }, location: { id: loc } },
      ],
    });
    expect(e.level(a.inventoryItemId, loc)).toEqual({ available: 20, committed: 3, on_hand: 23 });
    expect(e.counters()).toMatchObject({ mutations: 1, quantitiesSet: 1, staleCompares: 0 });
  });

  it('refuses a stale changeFromQuantity with the field path, and applies nothing', async () => {
    const r = await set(input([{ inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 5, changeFromQuantity: 9 }]));
    expect(r.data.inventorySetQuantities).toEqual({
      inventoryAdjustmentGroup: null,
      userErrors: [{ code: 'CHANGE_FROM_QUANTITY_STALE', field: ['input', 'quantities', '0', 'changeFromQuantity'], message: expect.any(String) }],
    });
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(10);
    expect(e.counters().staleCompares).toBe(1);
  });

  it('skips the check for an explicit null, and requires the field from 2026-04', async () => {
    const ok = await set(input([{ inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 5, changeFromQuantity: null }]));
    expect(ok.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(5);

    const absent = await set(input([{ inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 6 }]));
    expect(absent.data.inventorySetQuantities.userErrors).toEqual([
      { code: 'COMPARE_QUANTITY_REQUIRED', field: ['input', 'quantities', '0', 'changeFromQuantity'], message: expect.any(String) },
    ]);
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(5);
  });

  it('uses compareQuantity / ignoreCompareQuantity before 2026-04 when changeFromQuantity is absent', async () => {
    const v = { version: '2025-10' };
    const required = await set(input([{ inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 6 }]), v);
    expect(required.data.inventorySetQuantities.userErrors[0].code).toBe('COMPARE_QUANTITY_REQUIRED');
    const stale = await set(input([{ inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 6, compareQuantity: 3 }]), v);
    expect(stale.data.inventorySetQuantities.userErrors[0]).toMatchObject({ code: 'COMPARE_QUANTITY_STALE', field: ['input', 'quantities', '0', 'compareQuantity'] });
    const ok = await set(input([{ inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 6, compareQuantity: 10 }]), v);
    expect(ok.data.inventorySetQuantities.userErrors).toEqual([]);
    const ignored = await set(input([{ inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 8 }], { ignoreCompareQuantity: true }), v);
    expect(ignored.data.inventorySetQuantities.userErrors).toEqual([]);
    // changeFromQuantity overrides ignoreCompareQuantity.
    const overridden = await set(input([{ inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 9, changeFromQuantity: 1 }], { ignoreCompareQuantity: true }), {
      version: '2026-01',
    });
    expect(overridden.data.inventorySetQuantities.userErrors[0].code).toBe('CHANGE_FROM_QUANTITY_STALE');
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(8);
  });

  it('sets on_hand: available takes the difference, committed stays', async () => {
    e.placeOrder({ lines: [{ sku: 'A', quantity: 4 }] }); // available 6, committed 4, on_hand 10
    const r = await set(input([{ inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 12, changeFromQuantity: 10 }], { name: 'on_hand' }));
    expect(r.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(e.level(a.inventoryItemId, loc)).toEqual({ available: 8, committed: 4, on_hand: 12 });
  });
});

describe('validation', () => {
  it('is all-or-nothing: one bad quantity and no quantity of the call is applied', async () => {
    const r = await set(
      input([
        { inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 1, changeFromQuantity: 10 },
        { inventoryItemId: b.inventoryItemId, locationId: loc, quantity: 2, changeFromQuantity: 99 },
      ]),
    );
    expect(r.data.inventorySetQuantities.userErrors.map((u: { code: string; field: string[] }) => [u.code, u.field.join('.')])).toEqual([
      ['CHANGE_FROM_QUANTITY_STALE', 'input.quantities.1.changeFromQuantity'],
    ]);
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(10);
    expect(e.level(b.inventoryItemId, loc)?.available).toBe(4);
    expect(e.counters().quantitiesSet).toBe(0);
  });

  it('names each problem with Shopify codes (2026-07: an unstocked location is refused)', async () => {
    const other = e.addLocation('Other').id;
    const q = (o: Record<string, unknown>) => ({ inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 1, changeFromQuantity: null, ...o });
    const r = await set(
      input(
        [
          q({ inventoryItemId: 'gid://shopify/InventoryItem/1' }),
          q({ locationId: 'gid://shopify/Location/1' }),
          q({ locationId: other }),
          q({ quantity: -1 }),
          q({ quantity: 1_000_000_001 }),
          q({ inventoryItemId: b.inventoryItemId }),
          q({ inventoryItemId: b.inventoryItemId }),
        ],
        { reason: 'because', name: 'incoming', referenceDocumentUri: 'not a uri' },
      ),
      { version: '2026-07' },
    );
    expect(r.data.inventorySetQuantities.userErrors.map((u: { code: string; field: string[] }) => `${u.code} ${u.field.join('.')}`)).toEqual([
      'INVALID_NAME input.name',
      'INVALID_REASON input.reason',
      'INVALID_REFERENCE_DOCUMENT input.referenceDocumentUri',
      'INVALID_INVENTORY_ITEM input.quantities.0.inventoryItemId',
      'INVALID_LOCATION input.quantities.1.locationId',
      'ITEM_NOT_STOCKED_AT_LOCATION input.quantities.2.locationId',
      'INVALID_QUANTITY_NEGATIVE input.quantities.3.quantity',
      'INVALID_QUANTITY_TOO_HIGH input.quantities.4.quantity',
      'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR input.quantities.6',
    ]);
    expect(e.level(b.inventoryItemId, loc)?.available).toBe(4);
  });

  it('from 2026-10 sets a quantity where the item is not stocked, stocking it there (2026-07 refuses)', async () => {
    const other = e.addLocation('Other').id;
    const q = [{ inventoryItemId: a.inventoryItemId, locationId: other, quantity: 7, changeFromQuantity: 0 }];
    const old = await set(input(q), { version: '2026-07' });
    expect(old.data.inventorySetQuantities.userErrors).toEqual([{ code: 'ITEM_NOT_STOCKED_AT_LOCATION', field: ['input', 'quantities', '0', 'locationId'], message: expect.any(String) }]);
    expect(e.level(a.inventoryItemId, other)).toBeUndefined();
    // An unstocked level reads as 0 for the compare.
    const stale = await set(input([{ ...q[0]!, changeFromQuantity: 3 }]), { version: '2026-10' });
    expect(stale.data.inventorySetQuantities.userErrors[0]).toMatchObject({ code: 'CHANGE_FROM_QUANTITY_STALE' });
    const now = await set(input(q), { version: '2026-10' });
    expect(now.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(e.level(a.inventoryItemId, other)).toEqual({ available: 7, committed: 0, on_hand: 7 });
  });

  it('accepts 250 quantities and refuses 251 with a top-level error, applying nothing', async () => {
    const locs = Array.from({ length: 251 }, (_, i) => e.addLocation(`L${i}`).id);
    const many = e.addItem({ sku: 'MANY', levels: Object.fromEntries(locs.map((l) => [l, 0])) });
    const qs = locs.map((l) => ({ inventoryItemId: many.inventoryItemId, locationId: l, quantity: 3, changeFromQuantity: 0 }));
    const over = await set(input(qs));
    expect(over.errors?.graphQLErrors?.[0]).toMatchObject({ extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' } });
    expect(over.data.inventorySetQuantities).toBeNull();
    expect(e.level(many.inventoryItemId, locs[0]!)?.available).toBe(0);
    const ok = await set(input(qs.slice(0, 250)));
    expect(ok.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(e.level(many.inventoryItemId, locs[249]!)?.available).toBe(3);
    expect(e.level(many.inventoryItemId, locs[250]!)?.available).toBe(0);
    expect(e.counters().quantitiesSet).toBe(250);
  });

  it('fires inventory_levels/update for each level the call changed', async () => {
    const rx = await startReceiver();
    try {
      e.subscribe(rx.url, ['inventory_levels/update']);
      await set(
        input([
          { inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 11, changeFromQuantity: 10 },
          { inventoryItemId: b.inventoryItemId, locationId: loc, quantity: 4, changeFromQuantity: 4 },
        ]),
      );
      await e.flushWebhooks();
      expect(rx.received.map((r) => r.body)).toEqual([
        expect.objectContaining({ inventory_item_id: Number(a.inventoryItemId.split('/').pop()), location_id: Number(loc.split('/').pop()), available: 11 }),
      ]);
    } finally {
      await rx.close();
    }
  });
});

describe('@idempotent', () => {
  const q = () => input([{ inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 3, changeFromQuantity: 10 }]);

  it('answers a retry with the same key and input with the first answer, applying nothing again', async () => {
    const key = randomUUID();
    const first = await set(q(), { key });
    e.editAvailable(a.inventoryItemId, loc, 50); // a replay must not compare against the new value
    const again = await set(q(), { key });
    expect(again.data).toEqual(first.data);
    expect(again.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(50);
    expect(e.counters()).toMatchObject({ idempotentReplays: 1, quantitiesSet: 1, mutations: 2 });
  });

  it('replays a userError answer too', async () => {
    const key = randomUUID();
    const stale = input([{ inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 3, changeFromQuantity: 1 }]);
    const first = await set(stale, { key });
    e.editAvailable(a.inventoryItemId, loc, 1);
    const again = await set(stale, { key });
    expect(again.data).toEqual(first.data);
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(1);
  });

  it('refuses the same key with a different input', async () => {
    const key = randomUUID();
    await set(q(), { key });
    const other = await set(input([{ inventoryItemId: a.inventoryItemId, locationId: loc, quantity: 4, changeFromQuantity: 3 }]), { key });
    expect(other.data.inventorySetQuantities).toEqual({
      inventoryAdjustmentGroup: null,
      userErrors: [{ code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH', field: null, message: expect.any(String) }],
    });
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(3);
  });

  it('IDEMPOTENCY_CONCURRENT_REQUEST (fault): nothing applied or remembered; the same key later applies', async () => {
    const key = randomUUID();
    e.failNext('IDEMPOTENCY_CONCURRENT_REQUEST');
    const busy = await set(q(), { key });
    expect(busy.data.inventorySetQuantities).toEqual({ inventoryAdjustmentGroup: null, userErrors: [{ code: 'IDEMPOTENCY_CONCURRENT_REQUEST', field: null, message: expect.any(String) }] });
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(10);
    const later = await set(q(), { key });
    expect(later.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(3);
    expect(e.counters()).toMatchObject({ apiFaults: 1, quantitiesSet: 1, idempotentReplays: 0 });
  });

  it('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED (fault): the key is spent for good; a new key applies', async () => {
    const key = randomUUID();
    e.failNext('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED');
    for (let i = 0; i < 2; i++) {
      const failed = await set(q(), { key });
      expect(failed.data.inventorySetQuantities.userErrors).toEqual([{ code: 'IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED', field: null, message: expect.any(String) }]);
    }
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(10);
    expect((await set(q(), { key: randomUUID() })).data.inventorySetQuantities.userErrors).toEqual([]);
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(3);
  });

  it('INTERNAL_SERVER_ERROR (fault) in an HTTP 200: nothing applied, points back, the key spent', async () => {
    const key = randomUUID();
    e.failNext('INTERNAL_SERVER_ERROR');
    const broken = await set(q(), { key });
    expect(broken.errors?.graphQLErrors?.[0]).toMatchObject({ extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(broken.extensions?.cost).toMatchObject({ actualQueryCost: 0, throttleStatus: { currentlyAvailable: broken.extensions?.cost?.throttleStatus?.maximumAvailable } });
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(10);
    const again = await set(q(), { key });
    expect(again.data.inventorySetQuantities.userErrors).toMatchObject([{ code: 'IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED' }]);
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(10);
  });

  it('requires the directive from 2026-04 (a top-level error, nothing applied), not before', async () => {
    const NO_KEY = SET_QUANTITIES.replace(', $key: String!', '').replace(' @idempotent(key: $key)', '');
    const strict = await clientFor(e, { apiVersion: '2026-04' }).request(NO_KEY, { variables: { input: q() } });
    expect(strict.errors?.graphQLErrors?.[0]?.message).toMatch(/@idempotent/);
    expect(strict.data.inventorySetQuantities).toBeNull();
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(10);
    const lax = await clientFor(e, { apiVersion: '2026-01' }).request(NO_KEY, { variables: { input: q() } });
    expect(lax.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(e.level(a.inventoryItemId, loc)?.available).toBe(3);
  });

  it('does not require it when requireIdempotencyKey is off', async () => {
    const lax = await startShopifyEmulator({ requireIdempotencyKey: false });
    try {
      const l = lax.addLocation('Main').id;
      const it = lax.addItem({ sku: 'X', levels: { [l]: 1 } });
      const NO_KEY = SET_QUANTITIES.replace(', $key: String!', '').replace(' @idempotent(key: $key)', '');
      const r = await clientFor(lax).request(NO_KEY, {
        variables: { input: input([{ inventoryItemId: it.inventoryItemId, locationId: l, quantity: 2, changeFromQuantity: 1 }]) },
      });
      expect(r.data.inventorySetQuantities.userErrors).toEqual([]);
    } finally {
      await lax.close();
    }
  });
});
