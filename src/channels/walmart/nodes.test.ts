// A Walmart channel selling from several ship nodes, against the Walmart emulator through the
// kit's in-process fetch, every request and every answer checked against Walmart's official
// models: two nodes of one SKU go in one `PUT /v3/inventories/{sku}`, a node Walmart fails is
// that listing's outcome alone, read-back takes one `GET /v3/inventories/{sku}` for the SKU's
// nodes, and a listing at a node no location is never pushed.

import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { inProcessFetch, ManualKitScheduler } from '../../../emulators/kit/index.ts';
import { startWalmartEmulator, type WalmartEmulator } from '../../../emulators/walmart/index.ts';
import type { Connector, PushItem } from '../../sync/connector.ts';
import { walmart as walmartKind } from './kind.ts';
import { readOrder } from './order-facts.ts';
import { checkRequest } from './walmart.fixture.ts';

const ORIGIN = 'http://marketplace.walmartapis.emulated';
const START = Date.parse('2026-12-05T09:00:00Z');
const NODE = '10000000001';
const NODE_2 = '10000000002';
/** Mapped to a location, but not one of the seller's nodes on Walmart: its entries fail there. */
const NODE_GONE = '10000000999';

let emu: WalmartEmulator | null = null;
let invalid: string[] = [];

afterEach(async () => {
  await emu?.close();
  emu = null;
  expect(invalid, 'every request and answer matches Walmart’s models').toEqual([]);
});

async function world(extra: Record<string, unknown> = {}) {
  const scheduler = new ManualKitScheduler(START);
  emu = await startWalmartEmulator({ scheduler, shipNodes: [NODE, NODE_2] });
  invalid = [];
  const inner = inProcessFetch(emu.handler, { origin: ORIGIN });
  const seen: string[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const req = new Request(input, init);
    const { operationId, model } = await checkRequest(req.clone(), invalid);
    const res = await inner(req);
    const url = new URL(req.url);
    if (url.pathname !== '/v3/token') seen.push(`${req.method} ${url.pathname}`);
    if (model && operationId && res.status === 200) {
      const text = await res.clone().text();
      for (const e of model.validateResponse({ operationId, status: res.status, body: text === '' ? undefined : JSON.parse(text) })) invalid.push(`answer to ${req.method} ${url.pathname}: ${e}`);
    }
    return res;
  };
  const clock = { now: () => scheduler.clock.now() };
  const settings = { client_id: emu.clientId, client_secret: emu.clientSecret, endpoint: ORIGIN, ship_node: NODE, locations: { [NODE]: 'W1', [NODE_2]: 'W2', [NODE_GONE]: 'W9' }, ...extra };
  const c = walmartKind.connect!(settings, { clock, fetch });
  if ('code' in c) throw new Error(c.detail);
  return { emu, c: c as Connector, seen };
}

let versions = 0;
const at = (sku: string, node: string | null, quantity: number): PushItem => ({
  listingId: `lst_${sku}_${node ?? 'channel'}`, version: ++versions, external: node === null ? { sku } : { sku, ship_node: node }, quantity, expected: null,
});

describe('a Walmart channel with several ship nodes', () => {
  it('two nodes of one SKU go in one PUT /v3/inventories/{sku}; a lone node keeps PUT /v3/inventory', async () => {
    const { emu, c, seen } = await world();
    emu.addSku({ sku: 'A/1', quantity: 0 });
    emu.addSku({ sku: 'B', quantity: 0 });
    const r = await c.push([at('A/1', NODE, 5), at('A/1', NODE_2, 7), at('B', NODE_2, 3)]);
    expect(r.ok && r.outcomes).toEqual([{ status: 'acknowledged' }, { status: 'acknowledged' }, { status: 'acknowledged' }]);
    expect(emu.quantity('A/1', NODE)).toBe(5);
    expect(emu.quantity('A/1', NODE_2)).toBe(7);
    expect(emu.quantity('B', NODE_2)).toBe(3);
    expect(emu.quantity('B', NODE)).toBe(0);
    // The SKU's `/` is encoded in the path: one call for A/1, one for B.
    expect(seen).toEqual(['PUT /v3/inventories/A%2F1', 'PUT /v3/inventory']);
  });

  it('the channel’s node given by the listing or by the settings is one node: both in one call with another node', async () => {
    const { emu, c, seen } = await world();
    emu.addSku({ sku: 'A', quantity: 0 });
    const r = await c.push([at('A', null, 4), at('A', NODE_2, 6)]);
    expect(r.ok && r.outcomes.map((o) => o.status)).toEqual(['acknowledged', 'acknowledged']);
    expect([emu.quantity('A', NODE), emu.quantity('A', NODE_2)]).toEqual([4, 6]);
    expect(seen).toEqual(['PUT /v3/inventories/A']);
  });

  it('a node Walmart fails refuses only that listing; the other node of the call is set', async () => {
    const { emu, c, seen } = await world();
    emu.addSku({ sku: 'A', quantity: 0 });
    const r = await c.push([at('A', NODE, 2), at('A', NODE_GONE, 9), at('A', NODE_2, 8)]);
    if (!r.ok) throw new Error(r.message);
    expect(r.outcomes[0]).toEqual({ status: 'acknowledged' });
    expect(r.outcomes[1]).toMatchObject({ status: 'rejected', reason: expect.stringContaining(`ship node ${NODE_GONE}`) });
    expect(r.outcomes[2]).toEqual({ status: 'acknowledged' });
    expect([emu.quantity('A', NODE), emu.quantity('A', NODE_2)]).toEqual([2, 8]);
    expect(seen).toEqual(['PUT /v3/inventories/A']);
  });

  it('a SKU Walmart does not know rejects each of its nodes, not the call', async () => {
    const { emu, c } = await world();
    emu.addSku({ sku: 'A', quantity: 0 });
    const r = await c.push([at('NOPE', NODE, 1), at('NOPE', NODE_2, 1), at('A', NODE_2, 5)]);
    expect(r.ok && r.outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'acknowledged']);
  });

  it('a listing at a node settings.locations does not map is refused without a call (its number would be the whole network’s)', async () => {
    const { emu, c, seen } = await world();
    emu.addSku({ sku: 'A', quantity: 0 });
    const r = await c.push([at('A', '42', 1)]);
    expect(r.ok && r.outcomes[0]).toMatchObject({ status: 'rejected', reason: expect.stringContaining('settings.locations') });
    expect(seen).toEqual([]);
  });

  it('reads back the SKU’s nodes in one GET /v3/inventories/{sku}; a node Walmart does not report reads null', async () => {
    const { emu, c, seen } = await world();
    emu.addSku({ sku: 'A', quantity: 5 });
    emu.setQuantity('A', 4, NODE_2);
    emu.addSku({ sku: 'B', quantity: 0 });
    emu.setQuantity('B', 2, NODE_2);
    const r = await c.readBack([at('A', NODE, 0), at('A', NODE_2, 0), at('A', NODE_GONE, 0), at('B', NODE_2, 0), at('NOPE', NODE, 0), at('NOPE', NODE_2, 0)]);
    expect(r).toEqual({ ok: true, shown: [5, 4, null, 2, null, null] });
    expect(seen).toEqual(['GET /v3/inventories/A', 'GET /v3/inventory', 'GET /v3/inventories/NOPE']);
  });

  it('property: whatever the batch, one outcome per listing, at most a burst of calls, and every acknowledged number is what Walmart shows at its node', async () => {
    const entry = fc.record({ sku: fc.constantFrom('A', 'B', 'C'), node: fc.constantFrom(null, NODE, NODE_2, NODE_GONE), quantity: fc.integer({ min: 0, max: 50 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 12 }), async (batch) => {
        // Burst 5 keeps one token of slack: at most 4 calls a push.
        const w = await world({ rate_limits: { inventory: { rate: 5, burst: 5 } }, feed_min_items: 1_000 });
        try {
          for (const sku of ['A', 'B', 'C']) w.emu.addSku({ sku, quantity: 0 });
          const items = batch.map((b, n) => ({ ...at(b.sku, b.node, b.quantity), listingId: `lst_${n}` }));
          const r = await w.c.push(items);
          if (!r.ok) throw new Error(r.message);
          expect(r.outcomes).toHaveLength(items.length);
          expect(w.seen.length).toBeLessThanOrEqual(4);
          const setAt = new Set<string>();
          r.outcomes.forEach((o, n) => {
            const b = batch[n]!;
            const node = b.node ?? NODE;
            if (node === NODE_GONE) expect(o.status).not.toBe('acknowledged');
            if (o.status !== 'acknowledged') return;
            // One number per SKU and node a push: a second is handed back, never set over the first.
            expect(setAt.has(`${b.sku}|${node}`)).toBe(false);
            setAt.add(`${b.sku}|${node}`);
            expect(w.emu.quantity(b.sku, node)).toBe(b.quantity);
          });
          expect(invalid).toEqual([]);
        } finally {
          await w.emu.close();
          emu = null;
        }
      }),
      { numRuns: 40 },
    );
  });

  it('an order at a ship node names the listing at that node first, then the SKU alone, then the SKU at any node', () => {
    const order = {
      purchaseOrderId: 'PO1', customerOrderId: 'C1', orderDate: START, shipNode: { type: 'SellerFulfilled', id: NODE_2 },
      orderLines: { orderLine: [{ lineNumber: '1', item: { sku: 'A' }, orderLineQuantity: { unitOfMeasurement: 'EACH', amount: '1' }, orderLineStatuses: { orderLineStatus: [{ status: 'Created', statusQuantity: { amount: '1' } }] } }] },
    };
    const read = readOrder(order);
    if (typeof read === 'string') throw new Error(read);
    const created = read.events.find((e) => e.kind === 'order_created');
    expect(created && created.kind === 'order_created' && created.order.locationId).toBe(NODE_2);
    expect(created && created.kind === 'order_created' && created.order.lines[0]).toMatchObject({ keys: [`sku:A@ship_node:${NODE_2}`, 'sku:A'], keyPrefixes: ['sku:A@'] });
    expect(walmartKind.inbound!.mapping({ locations: { [NODE]: 'W1', [NODE_2]: 'W2' } }).locationCode(NODE_2)).toBe('W2');
  });

  it('each listing naming a mapped node sells that node’s location; the SKU alone sells as its rules say', () => {
    const settings = { locations: { [NODE]: 'W1', [NODE_2]: 'W2' } };
    expect(walmartKind.listingLocations!({ sku: 'A', ship_node: NODE_2 }, settings)).toEqual(['W2']);
    expect(walmartKind.listingLocations!({ sku: 'A' }, settings)).toBeNull();
    expect(walmartKind.listingLocations!({ sku: 'A', ship_node: '42' }, settings)).toBeNull();
  });
});
