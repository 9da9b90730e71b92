import { describe, expect, it } from 'vitest';
import { checkFaults, FaultSwitches, Outage } from './faults.ts';
import { seededRandom } from './prng.ts';

describe('FaultSwitches', () => {
  it('does nothing to a delivery when every switch is off', () => {
    const f = new FaultSwitches(seededRandom(7));
    for (let i = 0; i < 20; i++) expect(f.draw()).toEqual({ drop: false, copies: 1, reorder: false, delayMs: 0 });
  });

  it('applies a switch set to 1 to every delivery, and a delay within its range', () => {
    const f = new FaultSwitches(seededRandom(7));
    f.set({ drop: 1, duplicate: 1, reorder: 1, delayMs: [100, 200] });
    for (let i = 0; i < 20; i++) {
      const d = f.draw();
      expect(d).toMatchObject({ drop: true, copies: 2, reorder: true });
      expect(d.delayMs).toBeGreaterThanOrEqual(100);
      expect(d.delayMs).toBeLessThanOrEqual(200);
    }
    // Switches not named keep their value.
    expect(f.set({ drop: 0 })).toEqual({ drop: 0, duplicate: 1, reorder: 1, delayMs: [100, 200] });
  });

  it('replays the same faults from the same seed, whichever switches are on', () => {
    const draws = (seed: number, on: Parameters<FaultSwitches['set']>[0]) => {
      const f = new FaultSwitches(seededRandom(seed));
      f.set(on);
      return Array.from({ length: 50 }, () => f.draw());
    };
    expect(draws(3, { drop: 0.3, duplicate: 0.3 })).toEqual(draws(3, { drop: 0.3, duplicate: 0.3 }));
    // Turning on another switch does not move the drops: four draws per delivery, always.
    const drops = (on: Parameters<FaultSwitches['set']>[0]) => draws(3, on).map((d) => d.drop);
    expect(drops({ drop: 0.3 })).toEqual(drops({ drop: 0.3, reorder: 0.5, delayMs: [0, 10] }));
    expect(drops({ drop: 0.3 }).some(Boolean)).toBe(true);
    expect(drops({ drop: 0.3 }).every(Boolean)).toBe(false);
  });

  it('refuses switches out of range', () => {
    expect(() => checkFaults({ drop: 1.5 })).toThrow(/drop must be a probability/);
    expect(() => checkFaults({ duplicate: -0.1 })).toThrow(/duplicate/);
    expect(() => checkFaults({ delayMs: [5, 1] })).toThrow(/delayMs/);
    expect(() => new FaultSwitches(Math.random).set({ reorder: Number.NaN })).toThrow(/reorder/);
  });
});

describe('Outage', () => {
  it('answers 503 with the whole seconds left as Retry-After, then nothing once over', () => {
    const clock = { t: 1_000 };
    const o = new Outage(() => clock.t);
    expect(o.answer()).toBeNull();
    o.start(2_500);
    expect(o.answer()).toEqual({ kind: '503', status: 503, headers: { 'Retry-After': '3' } });
    clock.t += 1_600;
    expect(o.answer()).toEqual({ kind: '503', status: 503, headers: { 'Retry-After': '1' } });
    expect(o.remainingMs()).toBe(900);
    clock.t += 900;
    expect(o.answer()).toBeNull();
  });

  it('resets connections in reset mode, and stops when told', () => {
    const o = new Outage(() => 0);
    o.start(60_000, 'reset');
    expect(o.answer()).toEqual({ kind: 'reset' });
    o.stop();
    expect(o.answer()).toBeNull();
    expect(() => o.start(0)).toThrow(RangeError);
    expect(() => o.start(10, 'down' as '503')).toThrow(RangeError);
  });
});
