// Wholesale orders over HTTP, on SQLite and PostgreSQL: the channel's terms (whole cases, minimums,
// lead time) refuse before anything is written, and beyond its ring-fence a wholesale line is
// backordered — never drawn from the shared pool, never oversold — so consumer channels keep
// their numbers (issue 13, part 5; docs/wholesale.md).

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json, unique } from '../../../test/support/http.ts';
import { STORE_KINDS } from '../../../test/support/truestock.ts';
import { dateOf } from '../../domain/wholesale-rules.ts';

describe.each(STORE_KINDS)('wholesale orders on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  const admin = (url: string, body: unknown) => h.post(url, body, { key: h.a.keys.admin });

  async function channel(kindName: string, settings: Json = {}): Promise<string> {
    const res = await admin('/v1/channels', { kind: kindName, name: unique(kindName), settings });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().channel.id;
  }
  async function listing(channelId: string, sku: string, external: Json = { external_id: unique('ext') }): Promise<string> {
    const res = await h.post('/v1/listings', { channel: channelId, sku, external });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().listing.id;
  }
  async function item(stock: number, unitsPerCase: number | null = null): Promise<string> {
    const sku = unique('CASE');
    const res = await h.post('/v1/items', { sku, name: sku, units_per_case: unitsPerCase });
    expect(res.statusCode, res.body).toBe(201);
    if (stock > 0) expect((await h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: stock })).statusCode).toBe(200);
    return sku;
  }
  async function fence(channelId: string, sku: string, quantity: number) {
    const res = await admin(`/v1/channels/${channelId}/rules`, { skus: [sku], settings: { allocation: { mode: 'ring_fenced', quantity } } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().ring_fence;
  }
  const order = (channelId: string, sku: string, quantity: number, extra: Json = {}) =>
    h.post('/v1/allocations', { lines: [{ sku, quantity, location: 'WH1' }], order_reference: unique('WS'), channel: channelId, channel_accepted: true, ...extra });
  const shown = async (listingId: string) => {
    const res = await h.get(`/v1/listings/${listingId}/availability`, h.a.keys.read);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().quantity as number;
  };
  const oversoldExceptions = async (sku: string) => (await h.get(`/v1/exceptions?kind=oversold&sku=${sku}`, h.a.keys.read)).json().data as Json[];

  it('bug: an order of 3 against a case pack of 5 is refused, naming the line; whole cases are allocated', async () => {
    const ws = await channel('wholesale');
    const sku = await item(100, 5);
    await listing(ws, sku);
    const refused = await h.unchanged(() => order(ws, sku, 3), [sku]);
    const problem = expectProblem(refused, 'not_whole_cases', 'lines[0].quantity');
    expect(problem).toMatchObject({ sku, units_per_case: 5 });
    expect(problem.detail).toContain('order 5');
    const ok = await order(ws, sku, 10);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().hold.lines).toMatchObject([{ sku, quantity: 10 }]);
    expect(ok.json()).not.toHaveProperty('backordered');
    // Another channel's order is not the wholesale desk's: no case pack applies.
    const direct = await channel('custom');
    expect((await order(direct, sku, 3)).statusCode).toBe(201);
  });

  it('bug: 70 against a 60-unit fence after 55 were taken allocates 5 and backorders 65; the direct channel keeps 40, nothing is oversold', async () => {
    const sku = await item(100);
    const direct = await channel('custom');
    const directListing = await listing(direct, sku);
    const ws = await channel('wholesale');
    await listing(ws, sku);
    expect(await fence(ws, sku, 60)).toEqual([{ sku, wanted: 60, fenced: 60, short: 0 }]);
    expect(await shown(directListing)).toBe(40);

    const first = await order(ws, sku, 55);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ hold: { lines: [{ sku, quantity: 55, oversold: 0 }] }, backordered: [] });

    const second = await order(ws, sku, 70);
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().hold.lines).toMatchObject([{ sku, location: 'WH1', quantity: 5, oversold: 0 }]);
    expect(second.json().backordered).toEqual([{ line: 0, sku, quantity: 65 }]);
    expect(second.json().movements.map((m: Json) => [m.from, m.to, m.quantity, m.reason])).toEqual([['reserved', 'committed', 5, 'ring_fence_draw']]);

    expect(await h.totals(sku)).toMatchObject({ available: 40, reserved: 0, committed: 60, oversold: 0 });
    expect(await shown(directListing)).toBe(40);
    expect(await oversoldExceptions(sku)).toEqual([]);

    // The fence is spent (its hold released): the next order is wholly backordered, holds nothing.
    const third = await order(ws, sku, 12, { channel_accepted: false });
    expect(third.statusCode, third.body).toBe(200);
    expect(third.json()).toEqual({ hold: null, movements: [], backordered: [{ line: 0, sku, quantity: 12 }] });
    expect(await h.totals(sku)).toMatchObject({ available: 40, committed: 60, oversold: 0 });
    expect(await shown(directListing)).toBe(40);
  });

  it('a wholesale channel without a fence takes from available as any channel; other lines of a fenced order too', async () => {
    const sku = await item(30);
    const other = await item(30);
    const ws = await channel('wholesale');
    await listing(ws, sku);
    await listing(ws, other);
    const unfenced = await order(ws, sku, 12);
    expect(unfenced.statusCode, unfenced.body).toBe(201);
    expect(unfenced.json()).not.toHaveProperty('backordered');
    expect(await h.totals(sku)).toMatchObject({ available: 18, committed: 12 });

    await fence(ws, sku, 10); // fences 10 of the 18 left
    const mixed = await h.post('/v1/allocations', { lines: [{ sku: other, quantity: 6 }, { sku, quantity: 15 }], locations: ['WH1'], order_reference: unique('WS'), channel: ws, channel_accepted: true });
    expect(mixed.statusCode, mixed.body).toBe(201);
    expect(mixed.json().backordered).toEqual([{ line: 1, sku, quantity: 5 }]);
    expect(mixed.json().hold.lines).toMatchObject([{ sku, quantity: 10 }, { sku: other, quantity: 6 }]);
    expect(await h.totals(sku)).toMatchObject({ available: 8, reserved: 0, committed: 22, oversold: 0 });
    expect(await h.totals(other)).toMatchObject({ available: 24, committed: 6 });
  });

  it('minimums per SKU and per customer, and the lead time, refuse with their codes and write nothing', async () => {
    const sku = await item(500, 6);
    const settings = { minimum_units: { [sku]: 24 }, customers: { 'ACME-1': { minimum_units: 60 } }, lead_time_days: 3 };
    const ws = await channel('wholesale', settings);
    await listing(ws, sku);
    const today = dateOf(h.clock.now());
    const inDays = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

    expect(expectProblem(await h.unchanged(() => order(ws, sku, 18), [sku]), 'below_minimum', 'lines[0].quantity')).toMatchObject({ sku, minimum_units: 24 });
    expect(expectProblem(await h.unchanged(() => order(ws, sku, 48, { customer: 'ACME-1' }), [sku]), 'below_minimum', 'lines')).toMatchObject({ customer: 'ACME-1', minimum_units: 60 });
    const soon = await h.unchanged(() => order(ws, sku, 24, { requested_ship_date: inDays(2) }), [sku]);
    expect(expectProblem(soon, 'ship_date_too_soon', 'requested_ship_date')).toMatchObject({ earliest_ship_date: inDays(3) });
    expectProblem(await order(ws, sku, 24, { requested_ship_date: '2026-02-30' }), 'validation_failed', 'requested_ship_date');

    // Met: 24 for an unknown customer; 60 for ACME-1 on the earliest day; no date at all.
    for (const extra of [{ customer: 'NEW-CO' }, { customer: 'ACME-1', requested_ship_date: inDays(3) }, {}]) {
      const res = await order(ws, sku, extra.customer === 'ACME-1' ? 60 : 24, extra);
      expect(res.statusCode, res.body).toBe(201);
    }
  });

  it('settings are checked when saved, naming the field', async () => {
    for (const [settings, field] of [
      [{ lead_time_days: -1 }, 'settings.lead_time_days'],
      [{ lead_time_days: 1.5 }, 'settings.lead_time_days'],
      [{ minimum_units: { A: 0 } }, 'settings.minimum_units.A'],
      [{ minimum_units: [] }, 'settings.minimum_units'],
      [{ customers: { C: { minimum_units: 'ten' } } }, 'settings.customers.C.minimum_units'],
      [{ customers: { C: { minimum: 5 } } }, 'settings.customers.C.minimum'],
    ] as const) {
      const res = await admin('/v1/channels', { kind: 'wholesale', name: unique('ws'), settings });
      expectProblem(res, 'validation_failed', field);
    }
  });

  it('a retry with the same key replays the order even after the terms changed', async () => {
    const sku = await item(50, 5);
    const ws = await channel('wholesale');
    await listing(ws, sku);
    const body = { lines: [{ sku, quantity: 10, location: 'WH1' }], order_reference: unique('WS'), channel: ws, channel_accepted: true };
    const first = await h.post('/v1/allocations', body, { idem: 'ws-retry-1' });
    expect(first.statusCode, first.body).toBe(201);
    const patched = await h.inject({ method: 'PATCH', url: `/v1/channels/${ws}`, headers: { authorization: `Bearer ${h.a.keys.admin}`, 'idempotency-key': unique('k') }, payload: { settings: { minimum_units: { [sku]: 20 } } } });
    expect(patched.statusCode, patched.body).toBe(200);
    const again = await h.post('/v1/allocations', body, { idem: 'ws-retry-1' });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().hold.id).toBe(first.json().hold.id);
  });

  it('seed: a wholesale order that must not empty the Amazon listing', async () => {
    const sku = await item(120);
    const amazon = await channel('amazon', { seller_id: unique('S') });
    const amazonListing = await listing(amazon, sku, { seller_sku: sku, marketplace_id: 'ATVPDKIKX0DER' });
    const ws = await channel('wholesale');
    await listing(ws, sku);
    await fence(ws, sku, 50);
    const before = await shown(amazonListing);
    expect(before).toBe(70);
    const big = await order(ws, sku, 400);
    expect(big.statusCode, big.body).toBe(201);
    expect(big.json().backordered).toEqual([{ line: 0, sku, quantity: 350 }]);
    expect(await shown(amazonListing)).toBe(before);
    expect(await h.totals(sku)).toMatchObject({ available: 70, oversold: 0 });
  });

  it('property: a wholesale order never moves another channel’s available, and units are conserved', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 80 }),
        fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 50 }), accepted: fc.boolean() }), { minLength: 1, maxLength: 4 }),
        async (stock, fenceQty, orders) => {
          const sku = await item(stock);
          const direct = await channel('custom');
          const directListing = await listing(direct, sku);
          const ws = await channel('wholesale');
          await listing(ws, sku);
          const [report] = await fence(ws, sku, fenceQty);
          const fenced = fenceQty === 0 ? 0 : (report.fenced as number);
          let fenceLeft = fenced;
          const available = stock - fenced;
          const shownBefore = await shown(directListing);
          for (const o of orders) {
            const res = await order(ws, sku, o.quantity, { channel_accepted: o.accepted });
            expect([200, 201], res.body).toContain(res.statusCode);
            const body = res.json();
            const allocated = ((body.hold?.lines ?? []) as Json[]).reduce((s, l) => s + (l.quantity as number), 0);
            const backordered = ((body.backordered ?? []) as Json[]).reduce((s, l) => s + (l.quantity as number), 0);
            // No fence: the order takes from available like any channel's (its share rule governs what it is shown).
            if (fenceQty === 0) continue;
            expect(allocated + backordered).toBe(o.quantity);
            expect(allocated).toBe(Math.min(o.quantity, fenceLeft));
            fenceLeft -= allocated;
            expect(await h.totals(sku)).toMatchObject({ available, reserved: fenceLeft, committed: fenced - fenceLeft, oversold: 0 });
            expect(await shown(directListing)).toBe(shownBefore);
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
