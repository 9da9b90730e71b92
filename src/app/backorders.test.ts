// Backordered wholesale lines allocate as stock arrives, oldest order first, on SQLite and
// PostgreSQL (issue 13, part 5): a receipt refills the channel's ring-fence, the allocator draws
// it for the older order before the newer one, from the fence only, and units are conserved.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, type Json, unique } from '../../test/support/http.ts';
import { STORE_KINDS } from '../../test/support/truestock.ts';
import { reconcileRingFence } from './ring-fence.ts';
import { verify } from './verify.ts';

describe.each(STORE_KINDS)('backorders on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  const admin = (url: string, body: unknown) => h.post(url, body, { key: h.a.keys.admin });
  async function channel(kindName: string): Promise<string> {
    const res = await admin('/v1/channels', { kind: kindName, name: unique(kindName) });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().channel.id;
  }
  async function listing(channelId: string, sku: string): Promise<string> {
    const res = await h.post('/v1/listings', { channel: channelId, sku, external: { external_id: unique('ext') } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().listing.id;
  }
  const shown = async (listingId: string) => (await h.get(`/v1/listings/${listingId}/availability`, h.a.keys.read)).json().quantity as number;
  const place = async (channelId: string, sku: string, quantity: number) => {
    const res = await h.post('/v1/orders', { source: 'channel', channel: channelId, reference: unique('WS'), lines: [{ sku, quantity }], locations: ['WH1'] });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().order as Json;
  };
  const show = async (id: string) => (await h.get(`/v1/orders/${id}`)).json().order as Json;
  const conserved = (o: Json) => o.lines.every((l: Json) => l.allocated + l.shipped + l.cancelled + l.backordered === l.quantity);

  it('a receipt refills the fence: the older order is allocated first, from the fence only', async () => {
    const { sku } = await h.item();
    expect((await h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: 20 })).statusCode).toBe(200);
    const direct = await channel('custom');
    const directListing = await listing(direct, sku);
    const ws = await channel('wholesale');
    await listing(ws, sku);
    const fenced = await admin(`/v1/channels/${ws}/rules`, { skus: [sku], settings: { allocation: { mode: 'ring_fenced', quantity: 60 } } });
    expect(fenced.json().ring_fence).toEqual([{ sku, wanted: 60, fenced: 20, short: 40 }]);

    const older = await place(ws, sku, 30);
    expect(older.lines).toMatchObject([{ allocated: 20, backordered: 10 }]);
    const newer = await place(ws, sku, 10);
    expect(newer.lines).toMatchObject([{ allocated: 0, backordered: 10 }]);
    // Nothing arrived: the allocator tries nothing.
    expect(await h.ts.backorders.tick()).toBe(0);

    expect((await h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: 15 })).statusCode).toBe(200);
    expect(await reconcileRingFence(h.ts.ledger, h.a.id, ws)).toMatchObject([{ sku, fenced: 15 }]);
    expect(await shown(directListing)).toBe(0);

    expect(await h.ts.backorders.tick()).toBe(2);
    const a = await show(older.id);
    const b = await show(newer.id);
    expect(a).toMatchObject({ state: 'allocated', exception: null, lines: [{ quantity: 30, allocated: 30, backordered: 0 }] });
    // One open allocation (the first one closed and made again with the new units): 20 + 10 at WH1.
    const open = a.allocations.filter((x: Json) => x.hold_state === 'allocated');
    expect(new Set(open.map((x: Json) => x.hold_id)).size).toBe(1);
    expect(open.map((x: Json) => [x.location, x.quantity, x.oversold]).sort()).toEqual([['WH1', 10, 0], ['WH1', 20, 0]]);
    expect(b).toMatchObject({ state: 'allocated', lines: [{ quantity: 10, allocated: 5, backordered: 5 }] });
    expect(conserved(a) && conserved(b)).toBe(true);
    // The fence paid for it all: nothing taken from the shared pool, nothing oversold.
    expect(await h.totals(sku)).toMatchObject({ available: 0, reserved: 0, committed: 35, oversold: 0 });
    expect(await shown(directListing)).toBe(0);

    // The fence is empty again: nothing more to do; a tick does nothing and writes nothing.
    expect(await h.ts.backorders.tick()).toBe(0);
    // The older order ships whole from its one open allocation.
    const shipped = await h.post(`/v1/orders/${older.id}/ship`, { location: 'WH1' });
    expect(shipped.statusCode, shipped.body).toBe(200);
    expect(shipped.json().order).toMatchObject({ state: 'shipped', lines: [{ shipped: 30, allocated: 0, backordered: 0 }] });
  });

  it('property: orders and receipts in any mix — every unit accounted for, nothing oversold, an older backorder never waits while a newer order gets units', async () => {
    type Step = { op: 'order'; quantity: number } | { op: 'receive'; quantity: number };
    const stepArb: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ op: fc.constant('order' as const), quantity: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ op: fc.constant('receive' as const), quantity: fc.integer({ min: 1, max: 12 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 2, maxLength: 7 }), async (steps) => {
        const { sku } = await h.item();
        const ws = await channel('wholesale');
        await listing(ws, sku);
        const fenced = await admin(`/v1/channels/${ws}/rules`, { skus: [sku], settings: { allocation: { mode: 'ring_fenced', quantity: 1_000 } } });
        expect(fenced.statusCode, fenced.body).toBe(201);
        const ids: string[] = [];
        let received = 0;
        for (const s of steps) {
          if (s.op === 'order') ids.push((await place(ws, sku, s.quantity)).id);
          else {
            expect((await h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: s.quantity })).statusCode).toBe(200);
            received += s.quantity;
            await reconcileRingFence(h.ts.ledger, h.a.id, ws);
            await h.ts.backorders.tick();
          }
        }
        const orders = await Promise.all(ids.map(show));
        for (const o of orders) expect(conserved(o), JSON.stringify(o.lines)).toBe(true);
        // Oldest first: an order still waiting means every newer one got nothing.
        for (const [i, o] of orders.entries()) {
          if (o.lines[0].backordered > 0) for (const newer of orders.slice(i + 1)) expect(newer.lines[0].allocated, `order ${newer.number} after ${o.number}`).toBe(0);
        }
        const allocated = orders.reduce((n, o) => n + o.lines[0].allocated, 0);
        const totals = await h.totals(sku);
        expect(totals).toMatchObject({ oversold: 0, committed: allocated });
        expect(totals.available + totals.reserved + totals.committed).toBe(received);
        // Whatever the fence still holds, no order waits for it.
        if (totals.reserved > 0) expect(orders.every((o) => o.lines[0].backordered === 0)).toBe(true);
      }),
      { numRuns: 8 },
    );
    expect((await verify(h.ts.store, h.a.id)).ok).toBe(true);
  });
});
