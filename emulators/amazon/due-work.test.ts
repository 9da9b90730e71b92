import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DueWork } from './due-work.ts';

describe('DueWork', () => {
  it('runs what is due, earliest first and in arrival order on ties, and nothing before its time', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 60 }), fc.integer({ min: 0, max: 60 }), (times, now) => {
        let t = now;
        const due = new DueWork(() => t);
        const ran: [number, number][] = [];
        times.forEach((at, i) => due.schedule(at, (when) => ran.push([when, i])));
        due.runDue();
        const expected = times.map((at, i) => [at, i] as [number, number]).filter(([at]) => at <= now).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(ran).toEqual(expected);
        expect(due.pending).toBe(times.length - expected.length);
        t = 1000;
        due.runDue();
        expect(ran).toHaveLength(times.length);
      }),
    );
  });

  it('runs work scheduled by work when it is due too', () => {
    let t = 0;
    const due = new DueWork(() => t);
    const ran: number[] = [];
    due.schedule(10, (at) => {
      ran.push(at);
      due.schedule(at + 5, (later) => ran.push(later));
      due.schedule(at + 50, (later) => ran.push(later));
    });
    t = 20;
    due.runDue();
    expect(ran).toEqual([10, 15]);
  });
});
