// Amazon applies things later: an ACCEPTED listing patch after its processing delay, a feed as it
// moves from IN_QUEUE to DONE. The emulator keeps that work in time order and runs what is due
// whenever anyone looks (every API call, control call and in-process method), so a fake clock
// needs no timers and work due earlier always lands before what happens later.

interface Job {
  at: number;
  seq: number;
  run: (at: number) => void;
}

export class DueWork {
  private jobs: Job[] = [];
  private seq = 0;
  private running = false;

  constructor(private readonly now: () => number) {}

  /** Run `run` once the clock reaches `at`; it is told `at`, the time it stands for. */
  schedule(at: number, run: (at: number) => void): void {
    // Kept sorted by time (then by arrival): a benchmark can hold thousands of pending patches.
    let lo = 0;
    let hi = this.jobs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.jobs[mid]!.at <= at) lo = mid + 1;
      else hi = mid;
    }
    this.jobs.splice(lo, 0, { at, seq: this.seq++, run });
  }

  /** Runs every job due by now, earliest first (ties in the order they were scheduled). */
  runDue(): void {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const next = this.jobs[0];
        if (!next || next.at > this.now()) return;
        this.jobs.shift();
        next.run(next.at);
      }
    } finally {
      this.running = false;
    }
  }

  get pending(): number {
    return this.jobs.length;
  }

  clear(): void {
    this.jobs = [];
  }
}
