// A small seeded PRNG for the demo: the same seed gives the same catalog stock and the same
// sequence of traffic decisions (timing still depends on the machine, so runs are only
// deterministic-ish). Not for anything secret.

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** A whole number in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(xs: readonly T[]): T;
  /** An index of `weights`, chosen in proportion to them. */
  weighted(weights: readonly number[]): number;
  /** An exponentially distributed wait with this mean (a Poisson process's gaps). */
  exponential(mean: number): number;
}

/** mulberry32: 32 bits of state, good enough spread for picking SKUs and delays. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const r: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (xs) => {
      if (xs.length === 0) throw new Error('assertion: pick from an empty list');
      return xs[Math.floor(next() * xs.length)]!;
    },
    weighted: (weights) => {
      const total = weights.reduce((s, w) => s + w, 0);
      let x = next() * total;
      for (const [i, w] of weights.entries()) {
        if (x < w) return i;
        x -= w;
      }
      return weights.length - 1;
    },
    exponential: (mean) => -Math.log(1 - next()) * mean,
  };
  return r;
}
