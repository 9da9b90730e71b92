// Units are conserved through an order's whole life, on SQLite and PostgreSQL: whatever mix of
// staff and channel orders is placed, shipped in parts, cancelled by line, short-picked and
// returned, per item
//   Σ over locations (available + reserved + committed + damaged + quality_control + safety_stock)
//   − oversold debt + shipped to customers − returned by customers + missing (count variance)
// equals what was received; every order's lines account for every unit; the ledger replays.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { listOrders } from '../store/order-repo.ts';
import type { DocumentStep } from './ledger.ts';
import { cancelStep, placeStep, shipStep, shortPickStep } from './orders.ts';
import { stockBySku } from './queries.ts';
import { createReturn, receiveStep } from './returns.ts';
import { Truestock } from './truestock.ts';
import { verify } from './verify.ts';

const SKUS = ['A', 'B'];
const LOCATIONS = ['W1', 'W2'];

type Op =
  | { op: 'place'; source: 'staff' | 'channel'; lines: { sku: string; quantity: number }[]; locations: string[] }
  | { op: 'ship' | 'cancel' | 'short_pick' | 'return'; order: number; line: number; quantity: number; location: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('place' as const),
    source: fc.constantFrom('staff' as const, 'channel' as const),
    lines: fc.array(fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 6 }) }), { minLength: 1, maxLength: 2 }),
    locations: fc.shuffledSubarray(LOCATIONS, { minLength: 1 }),
  }),
  fc.record({
    op: fc.constantFrom('ship' as const, 'cancel' as const, 'short_pick' as const, 'return' as const),
    order: fc.nat(5),
    line: fc.integer({ min: 1, max: 2 }),
    quantity: fc.integer({ min: 0, max: 4 }),
    location: fc.constantFrom(...LOCATIONS),
  }),
);

describe.each(STORE_KINDS)('orders conserve units on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open(db.config);
  });
  afterAll(async () => {
    await ts.close();
    await db.drop();
  });

  it('property: allocate → ship → return keeps every unit accounted for; no order is dropped', async () => {
    let k = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 8 }), fc.record({ A: fc.nat(8), B: fc.nat(8) }), async (ops, stock) => {
        const f = await Fixture.create(ts, { skus: SKUS });
        const channel = await ts.store.transaction(async (d) => {
          const id = `chan_prop${++k}`;
          await d.run("INSERT INTO channels (id, workspace_id, kind, name, settings, created_at, updated_at) VALUES (?, ?, 'custom', ?, '{}', 0, 0)", [id, f.workspaceId, id]);
          return id;
        });
        const received: Record<string, number> = { A: 0, B: 0 };
        for (const sku of SKUS) for (const location of LOCATIONS) {
          const q = stock[sku as 'A' | 'B'];
          if (q > 0) {
            await f.ok({ type: 'receive', sku, location, quantity: q });
            received[sku]! += q;
          }
        }
        const run = (step: DocumentStep) => ts.ledger.executeDocument({ workspaceId: f.workspaceId, idempotencyKey: `p${++k}`, actor: 'test' }, step);
        const placed: string[] = [];
        let taken = 0;
        for (const op of ops) {
          if (op.op === 'place') {
            const r = await run(placeStep(f.workspaceId, { source: op.source, lines: op.lines, locations: op.locations, ...(op.source === 'channel' ? { channel, reference: `R${++k}` } : {}) }));
            if (op.source === 'channel') {
              expect(r.ok, r.ok ? '' : r.refusal.detail).toBe(true);
              taken++;
            }
            if (r.ok) placed.push((r.body.order as { id: string }).id);
            continue;
          }
          const id = placed[op.order % Math.max(1, placed.length)];
          if (!id) continue;
          if (op.op === 'ship') await run(shipStep(f.workspaceId, id, { location: op.location, ...(op.quantity > 0 ? { lines: [{ line: op.line, quantity: op.quantity }] } : {}) }));
          if (op.op === 'cancel') await run(cancelStep(f.workspaceId, id, op.quantity > 0 ? { lines: [{ line: op.line, quantity: op.quantity }] } : {}));
          if (op.op === 'short_pick') await run(shortPickStep(f.workspaceId, id, { location: op.location, line: op.line, found: op.quantity }));
          if (op.op === 'return' && op.quantity > 0) {
            // A customer sends back units of a shipped line through the returns flow.
            const order = (await ts.store.read((d) => listOrders(d, f.workspaceId, { limit: 100 }))).find((o) => o.id === id)!;
            const l = order.lines.find((x) => x.lineNo === op.line && x.shipped > 0);
            if (!l) continue;
            const made = await ts.store.transaction((d) => createReturn(d, f.workspaceId, { location: op.location, order_reference: order.orderReference, lines: [{ sku: l.sku!, quantity: Math.min(op.quantity, l.shipped) }] }, ts.clock.now()));
            expect('status' in made).toBe(true);
            const ret = (made as unknown as { body: { return: { id: string } } }).body.return;
            await run(receiveStep(f.workspaceId, ret.id, { lines: [{ line: 1, quantity: Math.min(op.quantity, l.shipped) }] }));
          }
        }
        // Per item: the buckets, less oversold debt, plus what left through customers and counts, is what came in.
        const external = await ts.store.read((d) => d.all<{ sku: string; account: string; net: number | string }>(
          `SELECT i.sku, x.account, SUM(x.q) AS net FROM (
             SELECT item_id, to_account AS account, quantity AS q FROM movements WHERE workspace_id = ?
             UNION ALL SELECT item_id, from_account AS account, -quantity AS q FROM movements WHERE workspace_id = ?
           ) x JOIN items i ON i.id = x.item_id WHERE x.account IN ('customer', 'count_variance') GROUP BY i.sku, x.account`, [f.workspaceId, f.workspaceId]));
        for (const sku of SKUS) {
          const t = (await ts.store.read((d) => stockBySku(d, f.workspaceId, sku)))!.total as Record<string, number>;
          const out = external.filter((e) => e.sku === sku).reduce((n, e) => n + Number(e.net), 0);
          const inside = t.available! + t.reserved! + t.committed! + t.damaged! + t.quality_control! + t.safety_stock! - t.oversold!;
          expect(inside + out, `${sku}: ${JSON.stringify(t)} out ${out}`).toBe(received[sku]);
        }
        const orders = await ts.store.read((d) => listOrders(d, f.workspaceId, { limit: 100 }));
        expect(orders.filter((o) => o.source === 'channel')).toHaveLength(taken);
        for (const o of orders) for (const l of o.lines) expect(l.allocated + l.shipped + l.cancelled + l.backordered, `${o.orderReference} line ${l.lineNo}`).toBe(l.quantity);
        expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
      }),
      { numRuns: 12 },
    );
  });
});
