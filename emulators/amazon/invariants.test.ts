// Properties of the emulated seller under any sequence of buyer and warehouse moves: no quantity
// goes negative, and every unit is somewhere — on the listing (MFN) or in FBA's fulfillable and
// reserved buckets (AFN), in an open order, or shipped. And every move of the MFN quantity is
// announced (LISTINGS_ITEM_MFN_QUANTITY_CHANGE), so the announcements end at the listing's number.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmulatorError } from './errors.ts';
import { Seller } from './seller.ts';

const settings = { sellerId: 'A1', marketplaceIds: ['ATVPDKIKX0DER'], productTypes: ['PRODUCT'], listingProcessingMs: 0, afnChannelCode: 'AMAZON_NA' };

type Move = { kind: 'place'; sku: 'M' | 'F'; quantity: number; unshipped: boolean } | { kind: 'confirm' | 'ship' | 'cancel'; pick: number };

const move: fc.Arbitrary<Move> = fc.oneof(
  fc.record({ kind: fc.constant('place' as const), sku: fc.constantFrom('M' as const, 'F' as const), quantity: fc.integer({ min: 1, max: 4 }), unshipped: fc.boolean() }),
  fc.record({ kind: fc.constantFrom('confirm' as const, 'ship' as const, 'cancel' as const), pick: fc.nat() }),
);

describe('seller invariants', () => {
  it('units are conserved and never negative, whatever orders do', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }), fc.array(move, { maxLength: 40 }), (mfn, afn, moves) => {
        const seller = new Seller(settings, () => 0);
        seller.addListing({ sku: 'M', quantity: mfn });
        seller.addListing({ sku: 'F', channel: 'AFN' });
        seller.setFbaStock('F', { fulfillable: afn });
        for (const m of moves) {
          const ids = [...seller.orders.keys()];
          try {
            if (m.kind === 'place') seller.placeOrder({ lines: [{ sku: m.sku, quantity: m.quantity }], status: m.unshipped ? 'UNSHIPPED' : 'PENDING' });
            else if (ids.length > 0) {
              const id = ids[m.pick % ids.length]!;
              if (m.kind === 'confirm') seller.confirmPayment(id);
              else if (m.kind === 'ship') seller.shipOrder(id);
              else seller.cancelOrder(id);
            }
          } catch (err) {
            // Refusals (out of stock, a move the status forbids) are answers, not failures.
            if (!(err instanceof EmulatorError)) throw err;
          }
        }
        const orders = [...seller.orders.values()].filter((o) => o.status !== 'CANCELLED');
        const held = (sku: string) => orders.flatMap((o) => o.items).filter((i) => i.sku === sku).reduce((n, i) => n + i.quantity, 0);
        const shipped = (sku: string) => orders.flatMap((o) => o.items).filter((i) => i.sku === sku).reduce((n, i) => n + i.shipped, 0);
        const listing = seller.listings.get('M')!;
        const fba = seller.fba.get('F')!;
        expect(listing.quantity).toBeGreaterThanOrEqual(0);
        expect(listing.quantity! + held('M')).toBe(mfn);
        expect(fba.fulfillable).toBeGreaterThanOrEqual(0);
        expect(fba.pendingCustomerOrder).toBe(held('F') - shipped('F'));
        expect(fba.fulfillable + fba.pendingCustomerOrder + shipped('F')).toBe(afn);
      }),
      { numRuns: 200 },
    );
  });
});

type QuantityMove = Move | { kind: 'edit' | 'patch'; quantity: number } | { kind: 'wait' };

const quantityMove: fc.Arbitrary<QuantityMove> = fc.oneof(
  move,
  fc.record({ kind: fc.constantFrom('edit' as const, 'patch' as const), quantity: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ kind: fc.constant('wait' as const) }),
);

describe('MFN quantity announcements', () => {
  it('every move of the MFN quantity is announced once, with the new number, and the last one is the listing’s', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.array(quantityMove, { maxLength: 40 }), (start, moves) => {
        let now = 0;
        const seller = new Seller({ ...settings, listingProcessingMs: 1_000 }, () => now);
        const announced: [string, number][] = [];
        seller.onQuantityChange = (l) => announced.push([l.sku, l.quantity!]);
        seller.addListing({ sku: 'M', quantity: start });
        seller.addListing({ sku: 'F', channel: 'AFN' });
        seller.setFbaStock('F', { fulfillable: 6 });
        let last = start;
        for (const m of moves) {
          const ids = [...seller.orders.keys()];
          try {
            if (m.kind === 'wait') now += 1_000;
            else if (m.kind === 'edit' || m.kind === 'patch') {
              if (m.kind === 'edit') seller.setQuantity('M', m.quantity);
              else seller.submitPatch('M', 'PRODUCT', [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: m.quantity }] }], false);
            }
            else if (m.kind === 'place') seller.placeOrder({ lines: [{ sku: m.sku, quantity: m.quantity }], status: m.unshipped ? 'UNSHIPPED' : 'PENDING' });
            else if ('pick' in m && ids.length > 0) {
              const id = ids[m.pick % ids.length]!;
              if (m.kind === 'confirm') seller.confirmPayment(id);
              else if (m.kind === 'ship') seller.shipOrder(id);
              else seller.cancelOrder(id);
            }
          } catch (err) {
            if (!(err instanceof EmulatorError)) throw err;
          }
          seller.catchUp();
          const q = seller.listings.get('M')!.quantity!;
          // A move announces the new number; no move, no announcement.
          if (q !== last) expect(announced.at(-1)).toEqual(['M', q]);
          last = q;
        }
        expect(announced.every(([sku]) => sku === 'M')).toBe(true);
        for (let i = 1; i < announced.length; i++) expect(announced[i]![1]).not.toBe(announced[i - 1]![1]);
        expect(announced.at(-1)?.[1] ?? start).toBe(seller.listings.get('M')!.quantity);
      }),
      { numRuns: 200 },
    );
  });
});
