// Failed sign-ins and failed API key checks, counted per source IP and per account in fixed
// windows (docs/security.md). Only failures count: a busy integration's good requests never trip
// it. Kept in the process: each server limits on its own, which bounds guessing per server.

/** Failed sign-ins one source IP may make per window before it waits. */
export const SIGN_IN_FAILURES_PER_IP_MAX = 30;
/** Failed sign-ins against one email per window, from anywhere (a spread-out guess at one account). */
export const SIGN_IN_FAILURES_PER_ACCOUNT_MAX = 10;
export const SIGN_IN_FAILURE_WINDOW_MS = 15 * 60_000;
/** Unknown or revoked API keys one source IP may send per window (a misconfigured client retries fast). */
export const KEY_FAILURES_PER_IP_MAX = 100;
export const KEY_FAILURE_WINDOW_MS = 60_000;
/** Counters kept before expired ones are swept (a bound on memory under a spray of addresses). */
const COUNTERS_MAX = 100_000;

export interface Limit {
  max: number;
  windowMs: number;
}

export const LIMITS = {
  signInIp: { max: SIGN_IN_FAILURES_PER_IP_MAX, windowMs: SIGN_IN_FAILURE_WINDOW_MS },
  signInAccount: { max: SIGN_IN_FAILURES_PER_ACCOUNT_MAX, windowMs: SIGN_IN_FAILURE_WINDOW_MS },
  keyIp: { max: KEY_FAILURES_PER_IP_MAX, windowMs: KEY_FAILURE_WINDOW_MS },
} as const satisfies Record<string, Limit>;

export class FailureLimiter {
  private readonly counters = new Map<string, { count: number; resetAt: number }>();

  /** How long `key` must wait (ms) before trying again, or 0 when it may try now. */
  waitMs(key: string, limit: Limit, now: number): number {
    const c = this.counters.get(key);
    return c && now < c.resetAt && c.count >= limit.max ? c.resetAt - now : 0;
  }

  fail(key: string, limit: Limit, now: number): void {
    const c = this.counters.get(key);
    if (c && now < c.resetAt) {
      c.count++;
      return;
    }
    if (this.counters.size >= COUNTERS_MAX) this.sweep(now);
    this.counters.set(key, { count: 1, resetAt: now + limit.windowMs });
  }

  /** A success forgets the account's failures (not the address's: one good password does not buy more guesses elsewhere). */
  reset(key: string): void {
    this.counters.delete(key);
  }

  private sweep(now: number): void {
    for (const [k, c] of this.counters) if (c.resetAt <= now) this.counters.delete(k);
    if (this.counters.size >= COUNTERS_MAX) this.counters.clear();
  }
}
