// Properties under any sequence of seller writes and buyer moves: no quantity goes negative,
// units are conserved (on the item, in an open order, or given back on cancellation), a listing
// never takes more than 250 revisions in an eBay day, and bulkUpdatePriceQuantity answers one
// response per offer (one per SKU without offers), 200 exactly when every response is 200.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Catalog, REVISIONS_PER_DAY_MAX } from './catalog.ts';
import { EmulatorError } from './errors.ts';
import type { ApiRequest } from './http-answer.ts';
import { InventoryApi } from './inventory-api.ts';
import { Orders } from './orders.ts';

type Move =
  | { kind: 'place'; quantity: number; paid: boolean }
  | { kind: 'pay' | 'ship' | 'request' | 'cancel'; pick: number }
  | { kind: 'bulk'; home?: number; offer?: number; badOffer: boolean };

const move: fc.Arbitrary<Move> = fc.oneof(
  fc.record({ kind: fc.constant('place' as const), quantity: fc.integer({ min: 1, max: 4 }), paid: fc.boolean() }),
  fc.record({ kind: fc.constantFrom('pay' as const, 'ship' as const, 'request' as const, 'cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('bulk' as const), home: fc.option(fc.integer({ min: -1, max: 9 }), { nil: undefined }), offer: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }), badOffer: fc.boolean() }),
);

const request = (body: unknown): ApiRequest => ({ method: 'POST', params: {}, query: new URLSearchParams(), rawQuery: '', headers: { 'content-type': 'application/json' }, body, origin: 'http://x' });

describe('emulated seller invariants', () => {
  it('keeps quantities whole and non-negative, revisions within the day\'s limit, and bulk answers one per item', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.array(move, { maxLength: 60 }), (start, moves) => {
        let t = Date.parse('2026-11-23T10:00:00Z');
        const catalog = new Catalog(() => t);
        const orders = new Orders(catalog, () => t);
        const api = new InventoryApi(catalog);
        const { offer } = catalog.addListing({ sku: 'M', quantity: start });
        // Units the seller set by API: the conserved total restarts from each accepted set.
        let base = start;
        let sold = 0;
        for (const m of moves) {
          t += 1000;
          const ids = [...orders.orders.keys()];
          try {
            if (m.kind === 'place') {
              orders.place({ lines: [{ sku: 'M', quantity: m.quantity }], paid: m.paid });
              sold += m.quantity;
            } else if (m.kind === 'bulk') {
              const offers = m.offer === undefined && !m.badOffer ? undefined : [{ offerId: m.badOffer ? 'nope' : offer.offerId, ...(m.offer !== undefined ? { availableQuantity: m.offer } : {}) }];
              const q = { sku: 'M', ...(m.home !== undefined ? { shipToLocationAvailability: { quantity: m.home } } : {}), ...(offers ? { offers } : {}) };
              const a = api.bulkUpdatePriceQuantity(request({ requests: [q] }));
              const responses = (a.body as { responses: { statusCode: number }[] }).responses;
              expect(responses).toHaveLength(offers ? offers.length : 1);
              expect(a.status === 200).toBe(responses.every((r) => r.statusCode === 200));
              if (a.status === 200 && m.home !== undefined) {
                base = m.home;
                sold = 0;
              }
            } else if (ids.length > 0) {
              const id = ids[m.pick % ids.length]!;
              if (m.kind === 'pay') orders.pay(id);
              else if (m.kind === 'ship') orders.ship(id);
              else if (m.kind === 'request') orders.requestCancellation(id);
              else {
                const o = orders.order(id);
                // Restocked units come back only if they were sold since the last API set.
                orders.completeCancellation(id, { restock: true });
                sold -= o.lines.reduce((n, l) => n + l.quantity, 0);
              }
            }
          } catch (err) {
            if (!(err instanceof EmulatorError)) throw err;
          }
          const item = catalog.item('M');
          expect(item.shipToHome).toBeGreaterThanOrEqual(0);
          expect(offer.availableQuantity ?? 0).toBeGreaterThanOrEqual(0);
          expect(catalog.visible(offer)).toBe(Math.min(item.shipToHome, offer.availableQuantity ?? item.shipToHome));
          expect(catalog.revisionsToday(offer.listingId!)).toBeLessThanOrEqual(REVISIONS_PER_DAY_MAX);
          // Orders never oversell here, so the item holds exactly what was set minus what is sold and not given back.
          expect(item.shipToHome).toBe(Math.max(0, base - sold));
        }
      }),
      { numRuns: 200 },
    );
  });
});
