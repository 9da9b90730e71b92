// Property: for random sequences of orders, cancels, refunds, fulfilments, hand edits and
// inventorySetQuantities calls, every level read back over GraphQL equals an independent model,
// on_hand = available + committed, committed never goes below zero, and available goes below zero
// only where an order was placed with allowOversell or on_hand was set below committed.

import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmulatorError, type RestockType, type ShopifyOrder, startShopifyEmulator } from './index.ts';
import { clientFor, SET_QUANTITIES } from './test-support.ts';

const SKUS = ['A', 'B', 'C'];
const LOCATIONS = 3;

type Op =
  | { kind: 'order'; lines: { sku: number; quantity: number }[]; location: number | null; oversell: boolean }
  | { kind: 'cancel'; order: number; restock: boolean }
  | { kind: 'refund'; order: number; quantity: number; restockType: RestockType }
  | { kind: 'fulfill'; order: number }
  | { kind: 'edit'; sku: number; location: number; available: number }
  | { kind: 'set'; sku: number; location: number; quantity: number; name: 'available' | 'on_hand'; compare: 'match' | 'stale' | 'null' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('order' as const),
      lines: fc.array(fc.record({ sku: fc.nat(SKUS.length - 1), quantity: fc.integer({ min: 1, max: 6 }) }), { minLength: 1, maxLength: 2 }),
      location: fc.option(fc.nat(LOCATIONS - 1), { nil: null }),
      oversell: fc.nat(9).map((n) => n < 2),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), order: fc.nat(20), restock: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('refund' as const),
      order: fc.nat(20),
      quantity: fc.integer({ min: 1, max: 4 }),
      restockType: fc.constantFrom<RestockType>('return', 'cancel', 'no_restock'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fulfill' as const), order: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('edit' as const), sku: fc.nat(SKUS.length - 1), location: fc.nat(LOCATIONS - 1), available: fc.nat(15) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      sku: fc.nat(SKUS.length - 1),
      location: fc.nat(LOCATIONS - 1),
      quantity: fc.nat(15),
      name: fc.constantFrom('available' as const, 'on_hand' as const),
      compare: fc.constantFrom('match' as const, 'stale' as const, 'null' as const),
    }),
  },
);

interface ModelLine {
  id: string;
  sku: number;
  quantity: number;
  open: number;
  shipped: number;
  released: number; // by cancel, not yet refunded
  refunded: number;
}
interface ModelOrder {
  id: string;
  location: number;
  cancelled: boolean;
  lines: ModelLine[];
}

const READ = `query Read($ids: [ID!]!) {
  nodes(ids: $ids) { ... on InventoryItem { sku inventoryLevels(first: 10) { nodes { location { id } quantities(names: ["available", "on_hand", "committed"]) { name quantity } } } } }
}`;

describe('stock invariants', () => {
  it('hold for random sequences of orders, cancels, refunds, edits and set-quantities', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const e = await startShopifyEmulator({ bucketSize: 1_000_000, restoreRate: 1_000_000, maxQueryCost: 1_000_000 });
        try {
          const client = clientFor(e);
          const locs = Array.from({ length: LOCATIONS }, (_, i) => e.addLocation(`L${i}`).id);
          const start = [3, 8, 0];
          const items = SKUS.map((sku) => e.addItem({ sku, levels: Object.fromEntries(locs.map((l, i) => [l, start[i]!])) }));
          const level = new Map<string, { available: number; committed: number }>();
          const key = (sku: number, loc: number) => `${sku}@${loc}`;
          SKUS.forEach((_, s) => locs.forEach((_, l) => level.set(key(s, l), { available: start[l]!, committed: 0 })));
          const mayGoNegative = new Set<string>();
          const orders: ModelOrder[] = [];

          for (const o of ops) {
            switch (o.kind) {
              case 'order': {
                const want = new Map<number, number>();
                for (const l of o.lines) want.set(l.sku, (want.get(l.sku) ?? 0) + l.quantity);
                const covers = (loc: number) => [...want].every(([s, q]) => level.get(key(s, loc))!.available >= q);
                const expected = o.location !== null ? (o.oversell || covers(o.location) ? o.location : null) : (locs.map((_, i) => i).find(covers) ?? (o.oversell ? 0 : null));
                let placed: ShopifyOrder | null = null;
                try {
                  placed = e.placeOrder({ lines: o.lines.map((l) => ({ sku: SKUS[l.sku]!, quantity: l.quantity })), ...(o.location !== null ? { locationId: locs[o.location] } : {}), allowOversell: o.oversell });
                } catch (err) {
                  if (!(err instanceof EmulatorError)) throw err;
                }
                expect(placed === null).toBe(expected === null);
                if (!placed || expected === null) break;
                expect(placed.locationId).toBe(locs[expected]);
                for (const l of o.lines) {
                  const lv = level.get(key(l.sku, expected))!;
                  lv.available -= l.quantity;
                  lv.committed += l.quantity;
                  if (o.oversell) mayGoNegative.add(key(l.sku, expected));
                }
                orders.push({
                  id: placed.id,
                  location: expected,
                  cancelled: false,
                  lines: o.lines.map((l, i) => ({ id: placed.lines[i]!.id, sku: l.sku, quantity: l.quantity, open: l.quantity, shipped: 0, released: 0, refunded: 0 })),
                });
                break;
              }
              case 'cancel': {
                const m = orders[o.order % Math.max(1, orders.length)];
                if (!m) break;
                if (m.cancelled) {
                  expect(() => e.cancelOrder(m.id, { restock: o.restock })).toThrow(EmulatorError);
                  break;
                }
                e.cancelOrder(m.id, { restock: o.restock });
                m.cancelled = true;
                for (const l of m.lines) {
                  const lv = level.get(key(l.sku, m.location))!;
                  lv.committed -= l.open;
                  if (o.restock) lv.available += l.open;
                  l.released += l.open;
                  l.open = 0;
                }
                break;
              }
              case 'fulfill': {
                const m = orders[o.order % Math.max(1, orders.length)];
                if (!m) break;
                if (m.cancelled) {
                  expect(() => e.fulfillOrder(m.id)).toThrow(EmulatorError);
                  break;
                }
                e.fulfillOrder(m.id);
                for (const l of m.lines) {
                  level.get(key(l.sku, m.location))!.committed -= l.open;
                  l.shipped += l.open;
                  l.open = 0;
                }
                break;
              }
              case 'refund': {
                const m = orders[o.order % Math.max(1, orders.length)];
                if (!m) break;
                const l = m.lines[0]!;
                const pools = { open: l.open, shipped: l.shipped, released: l.released };
                const order: (keyof typeof pools)[] =
                  o.restockType === 'return' ? ['shipped', 'open', 'released'] : o.restockType === 'cancel' ? ['open', 'released'] : ['open', 'shipped', 'released'];
                const take = { open: 0, shipped: 0, released: 0 };
                let need = o.quantity;
                for (const p of order) {
                  const n = Math.min(need, pools[p]);
                  take[p] += n;
                  need -= n;
                }
                if (need > 0) {
                  expect(() => e.refund(m.id, { lines: [{ lineItemId: l.id, quantity: o.quantity, restockType: o.restockType }] })).toThrow(EmulatorError);
                  break;
                }
                e.refund(m.id, { lines: [{ lineItemId: l.id, quantity: o.quantity, restockType: o.restockType }] });
                const lv = level.get(key(l.sku, m.location))!;
                l.open -= take.open;
                l.shipped -= take.shipped;
                l.released -= take.released;
                l.refunded += o.quantity;
                lv.committed -= take.open;
                if (o.restockType !== 'no_restock') lv.available += take.open + take.shipped;
                break;
              }
              case 'edit': {
                e.editAvailable(items[o.sku]!.inventoryItemId, locs[o.location]!, o.available);
                level.get(key(o.sku, o.location))!.available = o.available;
                mayGoNegative.delete(key(o.sku, o.location));
                break;
              }
              case 'set': {
                const lv = level.get(key(o.sku, o.location))!;
                const current = o.name === 'on_hand' ? lv.available + lv.committed : lv.available;
                const changeFromQuantity = o.compare === 'null' ? null : o.compare === 'match' ? current : current + 1;
                const r = await client.request(SET_QUANTITIES, {
                  variables: {
                    key: randomUUID(),
                    input: {
                      name: o.name,
                      reason: 'correction',
                      quantities: [{ inventoryItemId: items[o.sku]!.inventoryItemId, locationId: locs[o.location], quantity: o.quantity, changeFromQuantity }],
                    },
                  },
                });
                const errors = r.data.inventorySetQuantities.userErrors;
                if (o.compare === 'stale') {
                  expect(errors.map((u: { code: string }) => u.code)).toEqual(['CHANGE_FROM_QUANTITY_STALE']);
                  break;
                }
                expect(errors).toEqual([]);
                lv.available = o.name === 'on_hand' ? o.quantity - lv.committed : o.quantity;
                if (lv.available < 0) mayGoNegative.add(key(o.sku, o.location));
                else mayGoNegative.delete(key(o.sku, o.location));
                break;
              }
            }

            // Read every level back over GraphQL and compare with the model.
            const read = await client.request(READ, { variables: { ids: items.map((i) => i.inventoryItemId) } });
            expect(read.errors).toBeUndefined();
            read.data.nodes.forEach((node: { inventoryLevels: { nodes: { location: { id: string }; quantities: { name: string; quantity: number }[] }[] } }, s: number) => {
              for (const ln of node.inventoryLevels.nodes) {
                const l = locs.indexOf(ln.location.id);
                const q = Object.fromEntries(ln.quantities.map((x) => [x.name, x.quantity])) as Record<'available' | 'on_hand' | 'committed', number>;
                const want = level.get(key(s, l))!;
                expect({ available: q.available, committed: q.committed }).toEqual(want);
                expect(q.on_hand).toBe(q.available + q.committed);
                expect(q.committed).toBeGreaterThanOrEqual(0);
                if (!mayGoNegative.has(key(s, l))) expect(q.available).toBeGreaterThanOrEqual(0);
              }
            });
          }
        } finally {
          await e.close();
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
