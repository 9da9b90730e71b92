// The pure rules of alerts out: severities and filters, the retry schedule, and threshold
// crossings (once per crossing, whatever the path of available).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  crossings,
  DELIVERY_ATTEMPTS_MAX,
  DELIVERY_BACKOFF_BASE_MS,
  DELIVERY_BACKOFF_MAX_MS,
  deliveryBackoffMs,
  emailProblem,
  exceptionSeverity,
  type ThresholdState,
  wants,
  webhookUrlProblem,
} from './alert-rules.ts';

describe('alert rules', () => {
  it('filters by event list (empty: all) and by least severity', () => {
    expect(wants({ events: [], minSeverity: 'info' }, 'stock.changed', 'info')).toBe(true);
    expect(wants({ events: ['stock.low'], minSeverity: 'info' }, 'stock.changed', 'info')).toBe(false);
    expect(wants({ events: ['exception.opened'], minSeverity: 'critical' }, 'exception.opened', exceptionSeverity('count_shortfall'))).toBe(false);
    expect(wants({ events: ['exception.opened'], minSeverity: 'critical' }, 'exception.opened', exceptionSeverity('oversold'))).toBe(true);
    expect(exceptionSeverity('a_kind_added_later')).toBe('warning');
  });

  it('waits between half and all of base × 2^(n−1), capped; gives up at the last attempt', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
      const ceiling = Math.min(DELIVERY_BACKOFF_MAX_MS, DELIVERY_BACKOFF_BASE_MS * 2 ** (attempt - 1));
      const wait = deliveryBackoffMs(attempt, () => r);
      expect(wait).toBeGreaterThanOrEqual(ceiling / 2 - 1);
      expect(wait).toBeLessThanOrEqual(ceiling);
    }));
    expect(deliveryBackoffMs(1, () => 0)).toBe(DELIVERY_BACKOFF_BASE_MS / 2);
    expect(deliveryBackoffMs(1, () => Number.NaN)).toBe(DELIVERY_BACKOFF_BASE_MS / 2);
    expect(afterFailure(DELIVERY_ATTEMPTS_MAX - 1, 1_000, () => 0.5)).toEqual({ state: 'pending', nextAt: 1_000 + deliveryBackoffMs(DELIVERY_ATTEMPTS_MAX - 1, () => 0.5) });
    expect(afterFailure(DELIVERY_ATTEMPTS_MAX, 1_000, () => 0.5)).toEqual({ state: 'failed' });
    expect(() => deliveryBackoffMs(0, () => 0)).toThrow(RangeError);
  });

  it('a threshold fires exactly once per fall to or below it, whatever path available takes', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 100 }), fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 60 }), (units, start, path) => {
      let states: ThresholdState[] = [{ kind: 'low_stock', units, below: start <= units }];
      let fired = 0;
      let expected = 0;
      let prev = start;
      for (const available of path) {
        const r = crossings(states, available);
        fired += r.fired.length;
        if (prev > units && available <= units) expected++;
        states = r.next;
        prev = available;
      }
      expect(fired).toBe(expected);
    }));
  });

  it('checks webhook URLs and e-mail addresses', () => {
    expect(webhookUrlProblem('https://example.com/hook')).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:8080/x')).toBeNull();
    expect(webhookUrlProblem('ftp://example.com')).toMatch(/https/);
    expect(webhookUrlProblem('https://a:b@example.com')).toMatch(/password/);
    expect(webhookUrlProblem('/relative')).toMatch(/absolute/);
    expect(emailProblem('ops@example.com')).toBeNull();
    expect(emailProblem('ops@localhost')).not.toBeNull();
  });
});
