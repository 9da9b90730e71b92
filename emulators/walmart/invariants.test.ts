// Properties of the emulated seller under any sequence of moves: every unit is somewhere — at the
// node, reserved for an open line, shipped, or cancelled — and never negative; every line's units
// by status add up to its quantity; paging the orders list by nextCursor shows each order exactly
// once; and no 60 minutes ever take more than the hourly number of feeds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmulatorError, WalmartError } from './errors.ts';
import { FEED_TYPES, Feeds, HOUR_MS } from './feeds.ts';
import { Inventory } from './inventory.ts';
import { OrdersApi } from './orders-api.ts';
import { LINE_STATUSES, lineQuantity, Orders } from './orders.ts';

const NODE = 'N1';
const tracking = { shipDateTime: 0, carrierName: { carrier: 'UPS' }, methodCode: 'Value', trackingNumber: '1' };

type Move = { kind: 'place'; quantity: number } | { kind: 'ack' | 'ship' | 'cancel' | 'auto'; pick: number; quantity: number };

const move: fc.Arbitrary<Move> = fc.oneof(
  fc.record({ kind: fc.constant('place' as const), quantity: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constantFrom('ack' as const, 'ship' as const, 'cancel' as const, 'auto' as const), pick: fc.nat(), quantity: fc.integer({ min: 1, max: 3 }) }),
);

describe('Walmart seller invariants', () => {
  it('units are conserved and never negative, and each line\'s statuses add up to its quantity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.array(move, { maxLength: 40 }), (start, moves) => {
        const inv = new Inventory([NODE], NODE);
        inv.add({ sku: 'A', quantity: start });
        let t = 0;
        const orders = new Orders(inv, () => t, 0);
        for (const m of moves) {
          t += 1000;
          const all = [...orders.orders.values()];
          try {
            if (m.kind === 'place') orders.place({ lines: [{ sku: 'A', quantity: m.quantity }] });
            else if (all.length > 0) {
              const o = all[m.pick % all.length]!;
              if (m.kind === 'ack') orders.acknowledge(o);
              else if (m.kind === 'ship') orders.ship(o, [{ lineNumber: '1', quantity: m.quantity, tracking }]);
              else if (m.kind === 'cancel') orders.cancel(o, [{ lineNumber: '1', quantity: m.quantity, reason: 'SELLER_CANCEL_OUT_OF_STOCK' }]);
              else orders.cancel(o, [{ lineNumber: '1', quantity: m.quantity, reason: 'auto' }], false, 'auto');
            }
          } catch (err) {
            // Refusals (out of stock, more units than are open, nothing to acknowledge) are answers.
            if (!(err instanceof EmulatorError || err instanceof WalmartError)) throw err;
          }
        }
        const node = inv.skus.get('A')!.nodes.get(NODE)!;
        const lines = [...orders.orders.values()].flatMap((o) => o.lines);
        const sum = (s: (typeof LINE_STATUSES)[number]) => lines.reduce((n, l) => n + lineQuantity(l, s), 0);
        for (const l of lines) expect(LINE_STATUSES.reduce((n, s) => n + lineQuantity(l, s), 0)).toBe(l.quantity);
        expect(node.amount).toBeGreaterThanOrEqual(0);
        expect(node.reserved).toBe(sum('Created') + sum('Acknowledged'));
        expect(node.amount + node.reserved + sum('Shipped') + sum('Cancelled')).toBe(start);
      }),
      { numRuns: 200 },
    );
  });

  it('following nextCursor shows every order exactly once, newest first, whatever the page size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 1, max: 7 }), (n, limit) => {
        const inv = new Inventory([NODE], NODE);
        inv.add({ sku: 'A', quantity: 1000 });
        let t = Date.parse('2026-11-23T10:00:00Z');
        const orders = new Orders(inv, () => t, 0);
        const placed: string[] = [];
        for (let i = 0; i < n; i++) {
          t += 1000;
          placed.push(orders.place({ lines: [{ sku: 'A', quantity: 1 }] }).purchaseOrderId);
        }
        const api = new OrdersApi(orders, () => t);
        const seen: string[] = [];
        let query: URLSearchParams | null = new URLSearchParams({ limit: String(limit) });
        while (query) {
          const body = api.list({ method: 'GET', params: {}, query, body: undefined, raw: Buffer.alloc(0), contentType: '' }).body as { list: { meta: { nextCursor?: string }; elements: { order: { purchaseOrderId: string }[] } } };
          seen.push(...body.list.elements.order.map((o) => o.purchaseOrderId));
          query = body.list.meta.nextCursor ? new URLSearchParams(body.list.meta.nextCursor.slice(1)) : null;
        }
        expect(seen).toEqual([...placed].reverse());
      }),
      { numRuns: 100 },
    );
  });

  it('no 60 minutes take more than feedsPerHour feeds, and a refusal\'s Retry-After is exactly when one fits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.integer({ min: 0, max: 20 * 60_000 }), { maxLength: 40 }), (perHour, gaps) => {
        const inv = new Inventory([NODE], NODE);
        let t = 0;
        let id = 0;
        const feeds = new Feeds(inv, () => t, () => `F${++id}`, () => ({ receivedMs: 0, processingMs: 0 }), () => perHour);
        const accepted: number[] = [];
        for (const gap of gaps) {
          t += gap;
          const wait = feeds.hourlyRetryAfterSeconds();
          try {
            feeds.submit(FEED_TYPES[accepted.length % 2]!, '{}', NODE, 'f.json');
            expect(wait).toBe(0);
            accepted.push(t);
          } catch (err) {
            if (!(err instanceof WalmartError)) throw err;
            expect(wait).toBeGreaterThan(0);
            // One ms short of the wait is still too early (whole seconds round up).
            const within = accepted.filter((a) => a > t + wait * 1000 - HOUR_MS);
            expect(within.length).toBeLessThan(perHour);
          }
        }
        for (const a of accepted) expect(accepted.filter((b) => b >= a && b < a + HOUR_MS).length).toBeLessThanOrEqual(perHour);
      }),
      { numRuns: 200 },
    );
  });
});
