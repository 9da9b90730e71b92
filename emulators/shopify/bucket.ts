// The cost-based leaky bucket, one per shop: it refills continuously at restoreRate points per
// second up to its size. A request takes its requested cost up front, if that much is there, and
// gets back requested − actual after it runs.

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class LeakyBucket {
  private available: number;
  private at: number;

  constructor(
    readonly size: number,
    readonly restoreRate: number,
    private readonly now: () => number,
  ) {
    this.available = size;
    this.at = now();
  }

  private refill(): void {
    const t = this.now();
    this.available = Math.min(this.size, this.available + ((t - this.at) / 1000) * this.restoreRate);
    this.at = t;
  }

  /** Takes `cost` points if they are there; false (and nothing taken) otherwise. */
  take(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  giveBack(points: number): void {
    this.refill();
    this.available = Math.min(this.size, this.available + Math.max(0, points));
  }

  /** Whole seconds until `cost` points are there (at least 1). */
  secondsUntil(cost: number): number {
    this.refill();
    return Math.max(1, Math.ceil((cost - this.available) / this.restoreRate));
  }

  status(): ThrottleStatus {
    this.refill();
    return { maximumAvailable: this.size, currentlyAvailable: Math.floor(this.available), restoreRate: this.restoreRate };
  }
}
