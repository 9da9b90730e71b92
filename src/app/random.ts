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

/** A version-4 UUID drawn from `random` (a replayed run's request ids). */
export function randomUuid(random: Random): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16));
  hex[12] = 4;
  hex[16] = 8 + (hex[16]! & 3);
  const s = hex.map((d) => d.toString(16)).join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** `n` characters from `alphabet` drawn from `random` (a worker's name, a suffix). */
export function randomString(random: Random, n: number, alphabet = '0123456789abcdefghijklmnopqrstuvwxyz'): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}
