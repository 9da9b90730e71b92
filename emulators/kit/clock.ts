// What the kit's pieces need from time: the current time and a way to wait. Emulators pass the
// run's clock (the deterministic kernel's fake clock, or the real one) so a whole run can be
// driven by one clock.

export interface KitClock {
  now(): number;
  /** Resolves after `ms` on this clock; rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The wall clock. */
export const realClock: KitClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), Math.max(0, ms));
      const onAbort = () => (clearTimeout(t), reject(signal!.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** A clock tests move by hand: sleepers wake when `advance` passes their time, in time order. */
export class ManualKitClock implements KitClock {
  private t: number;
  private sleepers: { at: number; wake: () => void }[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const s = { at: this.t + Math.max(0, ms), wake: resolve };
      this.sleepers.push(s);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((x) => x !== s);
        reject(signal.reason);
      }, { once: true });
    });
  }

  /** Move time forward by `ms`, waking each sleeper due on the way (and letting it run) in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.sleepers.sort((a, b) => a.at - b.at);
      const next = this.sleepers[0];
      if (!next || next.at > end) break;
      this.sleepers.shift();
      this.t = Math.max(this.t, next.at);
      next.wake();
      await settle();
    }
    this.t = end;
    await settle();
  }

  /** Sleepers waiting now. */
  get waiting(): number {
    return this.sleepers.length;
  }
}

/** Let promise continuations and I/O callbacks queued now run. */
export const settle = () => new Promise<void>((r) => setImmediate(r));
