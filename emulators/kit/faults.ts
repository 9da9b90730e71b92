// Fault switches every emulator needs: what happens to each webhook delivery (dropped, sent
// twice, delayed, swapped with the next) and whether the API is down (503 with Retry-After, or
// the connection reset). Delivery faults are drawn from a seeded PRNG, four draws per delivery in
// a fixed order, so a seed replays the same faults whichever switches are on.

import type { Random } from './prng.ts';

/** Probabilities from 0 to 1, and a delay range in ms. */
export interface DeliveryFaults {
  duplicate: number;
  drop: number;
  reorder: number;
  delayMs: [number, number];
}

export const NO_FAULTS: DeliveryFaults = { duplicate: 0, drop: 0, reorder: 0, delayMs: [0, 0] };

/** What befalls one delivery. */
export interface FaultDraw {
  drop: boolean;
  /** 2: the same delivery (same id) is sent twice. */
  copies: 1 | 2;
  /** Held back and sent right after the next delivery. */
  reorder: boolean;
  delayMs: number;
}

/** The faults, checked: a RangeError names the first bad switch. */
export function checkFaults(f: Partial<DeliveryFaults>): Partial<DeliveryFaults> {
  for (const k of ['duplicate', 'drop', 'reorder'] as const) {
    const p = f[k];
    if (p !== undefined && !(typeof p === 'number' && p >= 0 && p <= 1)) throw new RangeError(`${k} must be a probability from 0 to 1`);
  }
  const d = f.delayMs;
  if (d !== undefined && !(Array.isArray(d) && d.length === 2 && d.every((n) => Number.isFinite(n) && n >= 0) && d[0] <= d[1])) {
    throw new RangeError('delayMs must be [min, max] with 0 ≤ min ≤ max');
  }
  return f;
}

export class FaultSwitches {
  private faults: DeliveryFaults = { ...NO_FAULTS, delayMs: [0, 0] };

  constructor(private readonly random: Random) {}

  /** Change some switches; returns all of them as they now are. */
  set(f: Partial<DeliveryFaults>): DeliveryFaults {
    checkFaults(f);
    this.faults = { ...this.faults, ...f, delayMs: f.delayMs ? [f.delayMs[0], f.delayMs[1]] : this.faults.delayMs };
    return this.get();
  }

  get(): DeliveryFaults {
    return { ...this.faults, delayMs: [...this.faults.delayMs] };
  }

  /** The faults of the next delivery (always four draws, so a seed replays). */
  draw(): FaultDraw {
    const [drop, duplicate, reorder, delay] = [this.random(), this.random(), this.random(), this.random()];
    const f = this.faults;
    return {
      drop: drop < f.drop,
      copies: duplicate < f.duplicate ? 2 : 1,
      reorder: reorder < f.reorder,
      delayMs: Math.round(f.delayMs[0] + delay * (f.delayMs[1] - f.delayMs[0])),
    };
  }
}

export type OutageMode = '503' | 'reset';

/** What a request gets while the API is down. */
export type OutageAnswer = { kind: 'reset' } | { kind: '503'; status: 503; headers: Record<string, string> };

/** The API is down for a while: 503 with Retry-After (whole seconds left), or the connection reset. */
export class Outage {
  private until = 0;
  private how: OutageMode = '503';

  constructor(private readonly now: () => number) {}

  /** Down for `ms` from now (a later call replaces an earlier one). */
  start(ms: number, mode: OutageMode = '503'): void {
    if (!(Number.isFinite(ms) && ms > 0)) throw new RangeError('an outage lasts more than 0 ms');
    if (mode !== '503' && mode !== 'reset') throw new RangeError("mode must be '503' or 'reset'");
    this.until = this.now() + ms;
    this.how = mode;
  }

  stop(): void {
    this.until = 0;
  }

  /** Milliseconds until the API is back; 0 when it is up. */
  remainingMs(): number {
    return Math.max(0, this.until - this.now());
  }

  /** How to answer a request now, or null when the API is up. */
  answer(): OutageAnswer | null {
    const left = this.remainingMs();
    if (left === 0) return null;
    if (this.how === 'reset') return { kind: 'reset' };
    return { kind: '503', status: 503, headers: { 'Retry-After': String(Math.ceil(left / 1000)) } };
  }
}
