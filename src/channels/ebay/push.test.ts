// The eBay connector against a scripted eBay (ebay-api.fixture.ts): every request checked against
// the official Sell Inventory model, 200 and 207 answers, the 25-SKU cap, the daily revision limit
// held and visible, token refresh on the fake clock, and read-back.

import { describe, expect, it } from 'vitest';
import type { Connector, PushItem } from '../../sync/connector.ts';
import { ebay } from './kind.ts';
import { FakeEbay } from './ebay-api.fixture.ts';
import { EBAY_TOKEN_REFRESH_AHEAD_MS } from './oauth.ts';
import { EBAY_SKUS_PER_CALL_MAX } from './push.ts';
import { ebayDayEnd, EBAY_REVISIONS_KEPT_BACK } from './revisions.ts';

function connect(fake: FakeEbay, more: Record<string, unknown> = {}): Connector {
  const c = ebay.connect!(fake.settings(more), { clock: fake.clock, fetch: fake.fetch });
  if ('code' in c) throw new Error(c.detail);
  return c;
}
let version = 0;
const item = (sku: string, quantity: number, listingId = `lst_${sku}`, expected: number | null = null): PushItem => ({ listingId, version: ++version, external: { sku }, quantity, expected });
const pushes = (fake: FakeEbay) => fake.calls.filter((c) => c.path.endsWith('/bulk_update_price_quantity'));

describe('eBay push', () => {
  it('sets ship-to-home quantities in one bulk_update_price_quantity call, with the marketplace header; 200 acknowledges every item', async () => {
    const fake = new FakeEbay();
    for (const s of ['A', 'B']) fake.quantities.set(s, 0);
    const c = connect(fake);
    const r = await c.push([item('A', 7), item('B', 3)]);
    expect(r).toMatchObject({ ok: true, outcomes: [{ status: 'acknowledged' }, { status: 'acknowledged' }] });
    expect([fake.quantities.get('A'), fake.quantities.get('B')]).toEqual([7, 3]);
    expect(pushes(fake)).toHaveLength(1);
    expect(pushes(fake)[0]!.body).toEqual({ requests: [{ sku: 'A', shipToLocationAvailability: { quantity: 7 } }, { sku: 'B', shipToLocationAvailability: { quantity: 3 } }] });
    expect(fake.invalid).toEqual([]);
  });

  it('distributes the quantity to the merchant location the settings name', async () => {
    const fake = new FakeEbay();
    fake.quantities.set('A', 0);
    const c = connect(fake, { merchant_location_key: 'WH-1' });
    await c.push([item('A', 4)]);
    expect(pushes(fake)[0]!.body).toEqual({ requests: [{ sku: 'A', shipToLocationAvailability: { quantity: 4, availabilityDistributions: [{ merchantLocationKey: 'WH-1', quantity: 4 }] } }] });
    expect(fake.invalid).toEqual([]);
  });

  it('a 207 is per-item outcomes, not a failure: applied items acknowledged, a refused one rejected, one eBay failed on its side tried again later', async () => {
    const fake = new FakeEbay();
    for (const s of ['A', 'C']) fake.quantities.set(s, 0);
    fake.quantities.set('E', 0);
    fake.refusals.set('E', { statusCode: 500, errorId: 25001, message: 'A system error has occurred.' });
    const c = connect(fake);
    const r = await c.push([item('A', 1), item('UNKNOWN', 2), item('C', 3), item('E', 4)]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.outcomes[0]).toEqual({ status: 'acknowledged' });
    expect(r.outcomes[1]).toMatchObject({ status: 'rejected', reason: expect.stringContaining('25702') });
    expect(r.outcomes[2]).toEqual({ status: 'acknowledged' });
    expect(r.outcomes[3]).toMatchObject({ status: 'not_applied', notBefore: fake.clock.now() + 10_000 });
    expect(fake.invalid).toEqual([]);
  });

  it('sends at most 25 SKUs a call: the rest are handed back for the next call', async () => {
    const fake = new FakeEbay();
    const items = Array.from({ length: 30 }, (_, k) => item(`S${k}`, k));
    for (const i of items) fake.quantities.set(i.external.sku!, 0);
    const c = connect(fake);
    expect(c.maxBatch).toBe(EBAY_SKUS_PER_CALL_MAX);
    const r = await c.push(items);
    expect(pushes(fake)).toHaveLength(1);
    expect((pushes(fake)[0]!.body as { requests: unknown[] }).requests).toHaveLength(25);
    if (!r.ok) throw new Error(r.message);
    expect(r.outcomes.filter((o) => o.status === 'acknowledged')).toHaveLength(25);
    expect(r.outcomes.slice(25)).toEqual(Array(5).fill({ status: 'not_applied' }));
    expect(fake.invalid).toEqual([]);
  });

  it('a retry of a push intent eBay applied is answered without a second revision', async () => {
    const fake = new FakeEbay();
    fake.quantities.set('A', 0);
    const c = connect(fake);
    const i = item('A', 5);
    await c.push([i]);
    fake.quantities.set('A', 4); // a sale on eBay
    expect(await c.push([i])).toMatchObject({ ok: true, outcomes: [{ status: 'acknowledged' }] });
    expect(fake.quantities.get('A')).toBe(4);
    expect(pushes(fake)).toHaveLength(1);
  });

  it('a whole-call failure is classified: 429 throttled with a wait, 503 transient, a refused refresh token auth', async () => {
    const fake = new FakeEbay();
    fake.quantities.set('A', 0);
    const c = connect(fake);
    fake.scripted.set('bulkUpdatePriceQuantity', [
      { status: 429, body: { errors: [{ errorId: 2001, domain: 'ACCESS', category: 'REQUEST', message: 'Too many requests' }] }, headers: { 'retry-after': '3' } },
      { status: 503, body: { errors: [] } },
    ]);
    expect(await c.push([item('A', 1)])).toMatchObject({ ok: false, failure: 'throttled', retryAfterMs: 3_000 });
    expect(await c.push([item('A', 1)])).toMatchObject({ ok: false, failure: 'transient' });
    const refused = new FakeEbay();
    refused.refuseRefresh = true;
    refused.quantities.set('A', 0);
    expect(await connect(refused).push([item('A', 1)])).toMatchObject({ ok: false, failure: 'auth', message: expect.stringContaining('invalid_grant') });
  });
});

describe('eBay OAuth on the clock', () => {
  it('refreshes the two-hour token ahead of its expiry, so a token expiring mid-run never fails a push', async () => {
    const fake = new FakeEbay();
    fake.quantities.set('A', 0);
    const c = connect(fake);
    await c.push([item('A', 1)]);
    expect(fake.grants).toEqual(['refresh_token']);
    // Pushes all through the token's life: one more exchange, just before it would expire.
    for (let t = 0; t < 150; t++) {
      fake.clock.advance(60_000);
      const r = await c.push([item('A', t % 20)]);
      expect(r.ok, JSON.stringify(r)).toBe(true);
    }
    // 150 minutes: the first token is replaced once, EBAY_TOKEN_REFRESH_AHEAD_MS before its two hours end.
    expect(EBAY_TOKEN_REFRESH_AHEAD_MS).toBeLessThan(30 * 60_000);
    expect(fake.grants).toEqual(['refresh_token', 'refresh_token']);
    // No call was ever answered 401.
    expect(fake.calls.length).toBe(pushes(fake).length);
    expect(fake.invalid).toEqual([]);
  });

  it('concurrent calls share one exchange; a token eBay refuses early is replaced once', async () => {
    const fake = new FakeEbay();
    for (const s of ['A', 'B', 'C']) fake.quantities.set(s, 0);
    const c = connect(fake);
    await Promise.all([c.push([item('A', 1)]), c.push([item('B', 1)]), c.readBack([item('C', 0)])]);
    expect(fake.grants).toEqual(['refresh_token']);
    // eBay forgets the token early: one 401, one fresh token, the call goes through.
    fake.forgetTokens();
    expect(await c.push([item('A', 2)])).toMatchObject({ ok: true, outcomes: [{ status: 'acknowledged' }] });
    expect(fake.quantities.get('A')).toBe(2);
    expect(fake.grants).toEqual(['refresh_token', 'refresh_token']);
  });
});

describe('eBay daily revision limit', () => {
  it('counts revisions per listing, paces raises past half the allowance, holds them (not refused) and shows it; lower numbers and sell-outs go at once', async () => {
    const fake = new FakeEbay();
    fake.quantities.set('A', 0);
    fake.quantities.set('B', 0);
    const limit = EBAY_REVISIONS_KEPT_BACK + 10; // an allowance of 10: raises paced from 5
    const c = connect(fake, { daily_revisions: limit });
    const acked = { ok: true, outcomes: [{ status: 'acknowledged' }] };
    for (let k = 1; k <= 5; k++) expect(await c.push([item('A', k)])).toMatchObject(acked);
    // The sixth change within the same minute is held until the listing's next slot; B is not held.
    const held = await c.push([item('A', 6), item('B', 1)]);
    if (!held.ok) throw new Error(held.message);
    expect(held.outcomes[1]).toEqual({ status: 'acknowledged' });
    const slotOf = (o: { status: string; notBefore?: number }) => {
      expect(o.status).toBe('not_applied');
      expect(o.notBefore).toBeGreaterThan(fake.clock.now());
      expect(o.notBefore).toBeLessThan(ebayDayEnd(fake.clock.now()));
      return o.notBefore!;
    };
    slotOf(held.outcomes[0]!);
    expect(fake.quantities.get('A')).toBe(5);
    expect(c.limits!()).toEqual([expect.objectContaining({ name: 'revisions', perListing: 10, held: 1, maxUsed: 5, resetsAt: ebayDayEnd(fake.clock.now()) })]);
    // A lower number is not held: eBay would sell units that are gone.
    expect(await c.push([item('A', 4, 'lst_A', 5)])).toMatchObject(acked);
    expect(fake.quantities.get('A')).toBe(4);
    // At its slot the newest raise goes.
    const again = await c.push([item('A', 6)]);
    if (!again.ok) throw new Error(again.message);
    fake.clock.advance(slotOf(again.outcomes[0]!) - fake.clock.now());
    expect(await c.push([item('A', 9)])).toMatchObject(acked);
    expect(fake.quantities.get('A')).toBe(9);
    // Spend the rest of the allowance at each slot (7 used so far); then raises wait for eBay's next day.
    for (let used = 7; used < 10; used++) {
      const r = await c.push([item('A', used * 10)]);
      if (!r.ok) throw new Error(r.message);
      const o = r.outcomes[0]!;
      if (o.status === 'not_applied') {
        fake.clock.advance(slotOf(o) - fake.clock.now());
        expect(await c.push([item('A', used * 10)])).toMatchObject(acked);
      }
    }
    const end = ebayDayEnd(fake.clock.now());
    expect(await c.push([item('A', 1)])).toMatchObject({ ok: true, outcomes: [{ status: 'not_applied', notBefore: end }] });
    expect(c.limits!()[0]).toMatchObject({ held: 1, maxUsed: 10, detail: { exhausted: 1 } });
    // Sold out elsewhere: the kept-back revisions are for exactly that.
    expect(await c.push([item('A', 0, 'lst_A', 90)])).toMatchObject(acked);
    expect(fake.quantities.get('A')).toBe(0);
    expect(pushes(fake).filter((p) => JSON.stringify(p.body).includes('"A"'))).toHaveLength(11);
    fake.clock.advance(end - fake.clock.now());
    expect(await c.push([item('A', 1)])).toMatchObject(acked);
    expect(fake.invalid).toEqual([]);
  });

  it('eBay refusing a revision for the limit itself holds the listing until eBay’s day ends, never dead-letters it', async () => {
    const fake = new FakeEbay();
    fake.quantities.set('A', 0);
    fake.refusals.set('A', { statusCode: 400, errorId: 25099, message: 'Listing 1100 has reached the limit of 250 revisions for today. It can be revised again from the next calendar day.' });
    const c = connect(fake);
    expect(await c.push([item('A', 3)])).toMatchObject({ ok: true, outcomes: [{ status: 'not_applied', notBefore: ebayDayEnd(fake.clock.now()) }] });
    expect(c.limits!()[0]).toMatchObject({ held: 1, detail: { exhausted: 1 } });
  });
});

describe('eBay read-back', () => {
  it('reads up to 25 SKUs a call with bulk_get_inventory_item, null for an unknown SKU', async () => {
    const fake = new FakeEbay();
    const items = Array.from({ length: 27 }, (_, k) => item(`S${k}`, k));
    items.forEach((i, k) => fake.quantities.set(i.external.sku!, k * 2));
    const c = connect(fake);
    const r = await c.readBack([...items, item('NOPE', 1)]);
    expect(r).toMatchObject({ ok: true, shown: [...items.map((_, k) => k * 2), null] });
    const reads = fake.calls.filter((x) => x.path.endsWith('/bulk_get_inventory_item'));
    expect(reads.map((x) => (x.body as { requests: unknown[] }).requests.length)).toEqual([25, 3]);
    expect(c.readCost(28)).toBe(2);
    expect(fake.invalid).toEqual([]);
  });
});
