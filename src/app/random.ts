// Randomness is injected like time: everything that draws at random (id suffixes, the sync
// worker's name, retry jitter) takes a `Random`, so a run started from a seed draws the same
// numbers again. The system source is Math.random; `seededRandom` is a small PRNG for tests and
// the simulator. Neither is for secrets: keys, tokens and passwords keep node:crypto.

/** A number in [0, 1), like Math.random. */
export type Random = () => number;

export const systemRandom: Random = () => Math.random();

/**
 * A seeded PRNG (SplitMix32: a 32-bit counter stepped by the golden ratio, then mixed). Fast,
 * tiny, and every seed — 0 included — gives a full-period, well-spread stream; not for secrets.
 */
export function seededRandom(seed: number): Random {
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return ((z ^ (z >>> 15)) >>> 0) / 4_294_967_296;
  };
}

/** `n` characters from `alphabet` drawn from `random` (a worker's name, a suffix). */
export function randomString(random: Random, n: number, alphabet = '0123456789abcdefghijklmnopqrstuvwxyz'): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}
