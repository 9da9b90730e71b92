// Time and timers for the emulator. Everything the emulator does in time — the bucket's refill,
// timestamps, idempotency-key expiry, outages, webhook delays, retries and backoff — reads
// `clock.now()` and waits with `sleep`, so a whole run can be driven by a fake clock. The shape is
// a slice of truestock's kernel Scheduler (`src/app/scheduler.ts`: `clock` and `sleep`), so the
// scheduler a test drives truestock with can drive the emulator too. Default: real time.

export interface EmulatorClock {
  now(): number;
}

/** A pause its owner can end early (`wake`): the emulator wakes every pause when it closes. */
export type EmulatorSleep = PromiseLike<void> & { wake(): void };

export interface EmulatorScheduler {
  readonly clock: EmulatorClock;
  /** Resolve after `ms` on `clock`, or at once on `wake()`. */
  sleep(ms: number): EmulatorSleep;
}

export const systemScheduler: EmulatorScheduler = {
  clock: { now: () => Date.now() },
  sleep(ms: number): EmulatorSleep {
    let wake = () => {};
    const p = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.max(0, ms));
      wake = () => (clearTimeout(t), resolve());
    });
    return Object.assign(p, { wake: () => wake() });
  },
};

/** Real timers on a given clock: for a caller that injects only the clock. */
export function schedulerOn(clock: EmulatorClock): EmulatorScheduler {
  return { clock, sleep: systemScheduler.sleep };
}
