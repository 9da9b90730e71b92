import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArmedFaults } from './armed-faults.ts';

const FAULTS = ['Boom', 'Busy'] as const;
const OPS = ['getItem', 'putItem'] as const;
type Op = (typeof OPS)[number];
const isOp = (s: string): s is Op => (OPS as readonly string[]).includes(s);
const make = () => new ArmedFaults<(typeof FAULTS)[number], Op>(FAULTS, isOp);

describe('ArmedFaults', () => {
  it('answers the operation’s own fault first, then one armed for any, each for its count', () => {
    const f = make();
    f.arm('Busy', 1);
    f.arm('Boom', 2, 'putItem');
    expect(f.take('putItem')).toBe('Boom');
    expect(f.take('getItem')).toBe('Busy');
    expect(f.take('getItem')).toBeNull();
    expect(f.take('putItem')).toBe('Boom');
    expect(f.take('putItem')).toBeNull();
    expect(f.list()).toEqual([]);
  });

  it('replaces the count of the same fault and operation, and 0 disarms', () => {
    const f = make();
    f.arm('Boom', 3, 'getItem');
    expect(f.arm('Boom', 5, 'getItem')).toEqual([{ fault: 'Boom', times: 5, operation: 'getItem' }]);
    expect(f.arm('Busy')).toEqual([
      { fault: 'Boom', times: 5, operation: 'getItem' },
      { fault: 'Busy', times: 1, operation: null },
    ]);
    expect(f.arm('Boom', 0, 'getItem')).toEqual([{ fault: 'Busy', times: 1, operation: null }]);
    f.clear();
    expect(f.take('getItem')).toBeNull();
  });

  it('refuses a bad argument with a RangeError naming it, fault first', () => {
    const f = make();
    expect(() => f.arm('Nope' as 'Boom', -1, 'x')).toThrow(new RangeError('fault must be one of Boom, Busy'));
    expect(() => f.arm('Boom', 1.5, 'x')).toThrow(new RangeError('times must be a whole number of 0 or more'));
    expect(() => f.arm('Boom', 1, 'deleteItem')).toThrow(new RangeError('operation deleteItem is not one the emulator serves'));
    expect(f.list()).toEqual([]);
  });

  it('answers exactly as many faults as were armed', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...FAULTS), fc.nat(5), fc.option(fc.constantFrom(...OPS), { nil: undefined }))), fc.array(fc.constantFrom(...OPS), { maxLength: 60 }), (arms, requests) => {
        const f = make();
        for (const [fault, times, op] of arms) f.arm(fault, times, op);
        const armed = f.list().reduce((n, a) => n + a.times, 0);
        const answered = requests.filter((op) => f.take(op) !== null).length;
        const left = f.list().reduce((n, a) => n + a.times, 0);
        expect(answered + left).toBe(armed);
      }),
    );
  });
});
