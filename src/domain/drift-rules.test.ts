import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeReadBack, type ReadBackFacts, visibleDelaySample } from './drift-rules.ts';

const T = 1_000_000;
const base: ReadBackFacts = {
  shown: 10, pushed: 10, pushedAt: T - 600_000, pending: false, readAt: T,
  previousReadAt: null, previousShown: null, differenceSince: null, inboundLagMs: 10_000, visibleAllowanceMs: 5_000,
};

describe('judgeReadBack', () => {
  it('nothing to compare: the channel could not say, or nothing was acknowledged', () => {
    expect(judgeReadBack({ ...base, shown: null }).verdict).toBe('unknown');
    expect(judgeReadBack({ ...base, pushed: null, pushedAt: null }).verdict).toBe('unknown');
  });

  it('showing the last acknowledged push is in sync', () => {
    expect(judgeReadBack(base).verdict).toBe('in_sync');
  });

  it('a push of ours queued, in flight, or acknowledged during the read is not judged', () => {
    expect(judgeReadBack({ ...base, shown: 7, pending: true }).verdict).toBe('pending');
    expect(judgeReadBack({ ...base, shown: 7, pushedAt: T }).verdict).toBe('pending');
  });

  it('a push still within the channel’s publish-to-visible allowance is processing', () => {
    expect(judgeReadBack({ ...base, shown: 7, pushedAt: T - 4_000 }).verdict).toBe('processing');
    expect(judgeReadBack({ ...base, shown: 7, pushedAt: T - 4_000, visibleAllowanceMs: 0 }).verdict).toBe('young');
  });

  it('a difference first seen now is young; seen again after the inbound lag it is drift', () => {
    expect(judgeReadBack({ ...base, shown: 7 })).toEqual({ verdict: 'young', since: T });
    const later = { ...base, shown: 7, readAt: T + 10_000, previousReadAt: T, previousShown: 7, differenceSince: T };
    expect(judgeReadBack(later)).toEqual({ verdict: 'drift', since: T, difference: -3 });
    expect(judgeReadBack({ ...later, readAt: T + 9_999 }).verdict).toBe('young');
  });

  it('a new number, or a push after the difference was first seen, starts its age again', () => {
    const watched = { ...base, readAt: T + 60_000, previousReadAt: T, differenceSince: T };
    expect(judgeReadBack({ ...watched, shown: 6, previousShown: 7 })).toEqual({ verdict: 'young', since: T + 60_000 });
    expect(judgeReadBack({ ...watched, shown: 7, previousShown: 7, pushedAt: T + 1 })).toEqual({ verdict: 'young', since: T + 60_000 });
  });

  it('properties: drift only when nothing of ours explains it and it has stood for the inbound lag', () => {
    const facts = fc.record({
      shown: fc.option(fc.integer({ min: 0, max: 20 })),
      pushed: fc.option(fc.integer({ min: 0, max: 20 })),
      pushedAt: fc.option(fc.integer({ min: 0, max: 2 * T })),
      pending: fc.boolean(),
      readAt: fc.integer({ min: 0, max: 2 * T }),
      previousReadAt: fc.option(fc.integer({ min: 0, max: 2 * T })),
      previousShown: fc.option(fc.integer({ min: 0, max: 20 })),
      differenceSince: fc.option(fc.integer({ min: 0, max: 2 * T })),
      inboundLagMs: fc.integer({ min: 0, max: 100_000 }),
      visibleAllowanceMs: fc.integer({ min: 0, max: 100_000 }),
    });
    fc.assert(fc.property(facts, (f) => {
      const v = judgeReadBack(f);
      if (v.verdict === 'in_sync') expect(f.shown).toBe(f.pushed);
      if (v.verdict !== 'drift') return;
      expect(f.shown).not.toBeNull();
      expect(f.shown).not.toBe(f.pushed);
      expect(f.pending).toBe(false);
      expect(f.readAt - f.pushedAt!).toBeGreaterThanOrEqual(f.visibleAllowanceMs);
      expect(f.readAt - v.since).toBeGreaterThanOrEqual(f.inboundLagMs);
      expect(v.since).toBeGreaterThan(f.pushedAt!);
      expect(v.difference).toBe(f.shown! - f.pushed!);
    }));
  });
});

describe('visibleDelaySample', () => {
  const pushed = { shown: 10, pushed: 10, pushedAt: T, readAt: T + 30_000 };

  it('counts only a read bracketed by an earlier one after the push that did not show it', () => {
    expect(visibleDelaySample({ ...pushed, previousReadAt: T + 10_000, previousShown: 4 })).toBe(30_000);
    // The first read after the push already shows it: the delay is below our schedule, nothing more.
    expect(visibleDelaySample({ ...pushed, previousReadAt: T - 1, previousShown: 4 })).toBeNull();
    expect(visibleDelaySample({ ...pushed, previousReadAt: null, previousShown: null })).toBeNull();
    // A read that could not say is no evidence.
    expect(visibleDelaySample({ ...pushed, previousReadAt: T + 10_000, previousShown: null })).toBeNull();
  });

  it('a read that does not show the push yet is no sample', () => {
    expect(visibleDelaySample({ ...pushed, shown: 4, previousReadAt: T + 10_000, previousShown: 4 })).toBeNull();
  });
});
