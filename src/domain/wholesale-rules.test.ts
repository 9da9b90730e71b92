// The wholesale terms as pure rules: whole cases, minimums, lead time, settings.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkWholesaleOrder, checkWholesaleSettings, dayNumber } from './wholesale-rules.ts';

const TODAY = '2026-06-01';
const line = (sku: string, quantity: number, unitsPerCase: number | null = null) => ({ sku, quantity, unitsPerCase });

describe('checkWholesaleOrder', () => {
  it('refuses a line that is not whole cases, naming it and the nearest quantities', () => {
    expect(checkWholesaleOrder([line('A', 10, 5), line('B', 3, 5)], {}, null, null, TODAY)).toMatchObject({
      code: 'not_whole_cases', field: 'lines[1].quantity', extra: { sku: 'B', units_per_case: 5 }, detail: expect.stringContaining('(order 5)'),
    });
    expect(checkWholesaleOrder([line('A', 12, 5)], {}, null, null, TODAY)?.detail).toContain('order 10 or 15');
    expect(checkWholesaleOrder([line('A', 3, null), line('B', 7, 1)], {}, null, null, TODAY)).toBeNull();
  });

  it('a line is accepted as to cases exactly when it is a multiple of the case pack', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 500 }), (q, per) => {
      const r = checkWholesaleOrder([line('A', q, per)], {}, null, null, TODAY);
      expect(r === null).toBe(q % per === 0);
    }));
  });

  it('counts a SKU minimum over all its lines, and a customer minimum over the order', () => {
    const settings = { minimum_units: { A: 20 }, customers: { C1: { minimum_units: 50 } } };
    expect(checkWholesaleOrder([line('A', 10), line('B', 40)], settings, null, null, TODAY)).toMatchObject({ code: 'below_minimum', field: 'lines[0].quantity', extra: { sku: 'A', minimum_units: 20 } });
    expect(checkWholesaleOrder([line('A', 10), line('A', 10)], settings, null, null, TODAY)).toBeNull();
    expect(checkWholesaleOrder([line('A', 20), line('B', 20)], settings, 'C1', null, TODAY)).toMatchObject({ code: 'below_minimum', field: 'lines', extra: { customer: 'C1', minimum_units: 50 } });
    expect(checkWholesaleOrder([line('A', 20), line('B', 30)], settings, 'C1', null, TODAY)).toBeNull();
    // A customer without terms of their own has no minimum.
    expect(checkWholesaleOrder([line('A', 20)], settings, 'C2', null, TODAY)).toBeNull();
  });

  it('a requested ship date must be at least the lead time away; none at all is fine', () => {
    const s = { lead_time_days: 3 };
    expect(checkWholesaleOrder([line('A', 1)], s, null, '2026-06-03', TODAY)).toMatchObject({ code: 'ship_date_too_soon', field: 'requested_ship_date', extra: { earliest_ship_date: '2026-06-04' } });
    expect(checkWholesaleOrder([line('A', 1)], s, null, '2026-06-04', TODAY)).toBeNull();
    expect(checkWholesaleOrder([line('A', 1)], s, null, null, TODAY)).toBeNull();
    expect(checkWholesaleOrder([line('A', 1)], {}, null, '2026-05-31', TODAY)).toMatchObject({ code: 'ship_date_too_soon', extra: { earliest_ship_date: TODAY } });
    expect(checkWholesaleOrder([line('A', 1)], {}, null, '2026-02-30', TODAY)).toMatchObject({ code: 'validation_failed', field: 'requested_ship_date' });
  });

  it('checks in a fixed order: the date reads, then cases, then minimums, then the lead time', () => {
    const s = { minimum_units: { A: 100 }, lead_time_days: 10 };
    expect(checkWholesaleOrder([line('A', 3, 5)], s, null, 'soon', TODAY)?.code).toBe('validation_failed');
    expect(checkWholesaleOrder([line('A', 3, 5)], s, null, TODAY, TODAY)?.code).toBe('not_whole_cases');
    expect(checkWholesaleOrder([line('A', 5, 5)], s, null, TODAY, TODAY)?.code).toBe('below_minimum');
    expect(checkWholesaleOrder([line('A', 100, 5)], s, null, TODAY, TODAY)?.code).toBe('ship_date_too_soon');
  });
});

describe('checkWholesaleSettings', () => {
  it('takes the documented settings and names the bad field', () => {
    expect(checkWholesaleSettings({}, 'settings')).toBeNull();
    expect(checkWholesaleSettings({ minimum_units: { A: 12 }, customers: { C: { minimum_units: 100 }, D: {} }, lead_time_days: 0 }, 'settings')).toBeNull();
    expect(checkWholesaleSettings({ lead_time_days: 366 }, 'settings')?.field).toBe('settings.lead_time_days');
    expect(checkWholesaleSettings({ minimum_units: { A: -1 } }, 'settings')?.field).toBe('settings.minimum_units.A');
    expect(checkWholesaleSettings({ customers: [] }, 'settings')?.field).toBe('settings.customers');
    expect(checkWholesaleSettings({ customers: { C: 5 } }, 'settings')?.field).toBe('settings.customers.C');
  });
});

describe('dayNumber', () => {
  it('reads real dates only', () => {
    expect(dayNumber('1970-01-02')).toBe(1);
    for (const bad of ['2026-13-01', '2026-02-29', '26-01-01', '2026-1-1', 20260101, null]) expect(dayNumber(bad)).toBeNull();
  });
});
