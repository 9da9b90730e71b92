import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { ManualScheduler, SystemScheduler } from './scheduler.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('ManualScheduler', () => {
  it('runs nothing until time moves, then each due timer at its own time', async () => {
    const s = new ManualScheduler(new ManualClock(T0));
    const ran: [string, number][] = [];
    s.after(300, () => ran.push(['c', s.clock.now() - T0]));
    s.after(100, () => ran.push(['a', s.clock.now() - T0]));
    s.after(200, () => ran.push(['b', s.clock.now() - T0]));
    await s.runUntilIdle();
    expect(ran).toEqual([]);
    await s.advance(250);
    expect(ran).toEqual([['a', 100], ['b', 200]]);
    expect(s.clock.now() - T0).toBe(250);
    await s.advance(1_000);
    expect(ran.map(([k]) => k)).toEqual(['a', 'b', 'c']);
    expect(s.clock.now() - T0).toBe(1_250);
  });

  it('timers due at the same instant run in the order they were set', async () => {
    const s = new ManualScheduler(new ManualClock(T0));
    const ran: number[] = [];
    for (let i = 0; i < 5; i++) s.after(50, () => ran.push(i));
    s.after(0, () => ran.push(-1));
    await s.advance(50);
    expect(ran).toEqual([-1, 0, 1, 2, 3, 4]);
  });

  it('every repeats at its period; a cancelled timer never runs', async () => {
    const s = new ManualScheduler(new ManualClock(T0));
    const at: number[] = [];
    const t = s.every(1_000, () => at.push(s.clock.now() - T0));
    const never = s.after(500, () => at.push(-1));
    never.cancel();
    await s.advance(3_500);
    expect(at).toEqual([1_000, 2_000, 3_000]);
    t.cancel();
    await s.advance(10_000);
    expect(at).toHaveLength(3);
    expect(s.size).toBe(0);
  });

  it('waits for a timer’s promise before running the next one', async () => {
    const s = new ManualScheduler(new ManualClock(T0));
    const log: string[] = [];
    s.after(10, async () => {
      log.push('first starts');
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      log.push('first ends');
    });
    s.after(10, () => log.push('second'));
    await s.advance(10);
    expect(log).toEqual(['first starts', 'first ends', 'second']);
  });

  it('a woken sleeper’s next step finishes before advance returns', async () => {
    const s = new ManualScheduler(new ManualClock(T0));
    const rounds: number[] = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r)); // a round's I/O
        rounds.push(s.clock.now() - T0);
        await s.sleep(50);
      }
    })();
    await s.runUntilIdle();
    expect(rounds).toEqual([0]);
    await s.advance(120);
    expect(rounds).toEqual([0, 50, 100]);
    running = false; // the loop ends at its next wake-up (not awaited: that wake-up never comes)
    void loop;
  });

  it('wake ends a sleep early and cancels its timer', async () => {
    const s = new ManualScheduler(new ManualClock(T0));
    const sleep = s.sleep(60_000);
    let done = false;
    void sleep.then(() => (done = true));
    sleep.wake();
    await sleep;
    expect(done).toBe(true);
    expect(s.size).toBe(0);
    sleep.wake(); // twice is harmless
  });

  it('a failing timer fails the advance that ran it', async () => {
    const s = new ManualScheduler(new ManualClock(T0));
    s.after(1, async () => {
      throw new Error('boom');
    });
    await expect(s.advance(1)).rejects.toThrow('boom');
    await s.advance(1); // reported once
  });

  it('property: timers run sorted by (time, order set), at their time, whatever order they were set in', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 1_000 }), { maxLength: 30 }), fc.integer({ min: 0, max: 1_200 }), async (delays, horizon) => {
        const s = new ManualScheduler(new ManualClock(T0));
        const ran: { i: number; at: number }[] = [];
        delays.forEach((d, i) => s.after(d, () => ran.push({ i, at: s.clock.now() - T0 })));
        await s.advance(horizon);
        const expected = delays.map((d, i) => ({ i, at: d })).filter((e) => e.at <= horizon).sort((a, b) => a.at - b.at || a.i - b.i);
        expect(ran).toEqual(expected);
        expect(s.size).toBe(delays.length - expected.length);
      }),
      { numRuns: 50 },
    );
  });
});

describe('SystemScheduler', () => {
  it('runs on real timers, and a woken sleep resolves at once', async () => {
    const s = new SystemScheduler();
    const ran = await new Promise<boolean>((resolve) => s.after(1, () => resolve(true)));
    expect(ran).toBe(true);
    const sleep = s.sleep(60_000);
    sleep.wake();
    await sleep;
    let n = 0;
    const t = s.every(1, () => void n++);
    await new Promise<void>((resolve) => {
      const check = s.every(5, () => n >= 2 && (check.cancel(), resolve()));
    });
    t.cancel();
    expect(n).toBeGreaterThanOrEqual(2);
  });
});
