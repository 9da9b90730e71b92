// What the kit's pieces need from time: a clock to read and pauses to wait in. The shape is a
// slice of truestock's kernel Scheduler (`src/app/scheduler.ts`: `clock` and `sleep`, the same
// slice the Shopify emulator takes), so the scheduler a test drives truestock with drives the
// emulators too, and a whole run can play out on one fake clock. Default: real time.

export interface KitClock {
  now(): number;
}

/** A pause its owner can end early (`wake`): a closing emulator wakes every pause it waits in. */
export type KitSleep = PromiseLike<void> & { wake(): void };

export interface KitScheduler {
  readonly clock: KitClock;
  /** Resolve after `ms` on `clock`, or at once on `wake()`. */
  sleep(ms: number): KitSleep;
}

/** Real timers on the wall clock. */
export const realScheduler: KitScheduler = {
  clock: { now: () => Date.now() },
  sleep(ms: number): KitSleep {
    let wake = () => {};
    const p = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.max(0, Number.isFinite(ms) ? ms : 0));
      wake = () => (clearTimeout(t), resolve());
    });
    return Object.assign(p, { wake: () => wake() });
  },
};

/** Real timers on a given clock: for an emulator whose caller injects only the clock. */
export function schedulerOn(clock: KitClock): KitScheduler {
  return { clock, sleep: realScheduler.sleep };
}

/**
 * A scheduler tests move by hand (for the kit's and the emulators' tests; a whole run uses the
 * kernel's ManualScheduler, which has the same shape): pauses end when `advance` passes their time, in time
 * order, each let to run before the next.
 */
export class ManualKitScheduler implements KitScheduler {
  private t: number;
  private sleepers: { at: number; wake: () => void }[] = [];
  readonly clock: KitClock = { now: () => this.t };

  constructor(start = 0) {
    this.t = start;
  }

  sleep(ms: number): KitSleep {
    let wake = () => {};
    const p = new Promise<void>((resolve) => {
      const s = { at: this.t + Math.max(0, Number.isFinite(ms) ? ms : 0), wake: () => {} };
      s.wake = () => {
        this.sleepers = this.sleepers.filter((x) => x !== s);
        resolve();
      };
      wake = s.wake;
      this.sleepers.push(s);
    });
    return Object.assign(p, { wake: () => wake() });
  }

  /** Move time forward by `ms`, ending each pause due on the way (and letting its owner run) in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const next = [...this.sleepers].sort((a, b) => a.at - b.at)[0];
      if (!next || next.at > end) break;
      this.t = Math.max(this.t, next.at);
      next.wake();
      await settle();
    }
    this.t = end;
    await settle();
  }

  /** Pauses waiting now. */
  get waiting(): number {
    return this.sleepers.length;
  }
}

/** Let promise continuations and I/O callbacks queued now run. */
export const settle = () => new Promise<void>((r) => setImmediate(r));
