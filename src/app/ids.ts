// Prefixed, time-sortable ids (`mov_…`, `hold_…`): 10 characters of milliseconds then 16 random,
// Crockford base32, so ids sort by creation time and read as what they name. The random part
// comes from node:crypto, or from a seeded source (`useIdRandom`) so a run can be replayed.

import { randomBytes } from 'node:crypto';
import type { Random } from './random.ts';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const POOL_BYTES = 16_384;
let pool = randomBytes(POOL_BYTES);
let offset = 0;

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/** When set, the random part is drawn from it instead of node:crypto (one source per process). */
let seeded: Random | null = null;

/**
 * Draw ids' random parts from `random` (a seeded PRNG) from now on, or from node:crypto again
 * with null. Process-wide: ids are made in too many places to thread a source through, and a
 * replayed run is one Truestock in one process.
 */
export function useIdRandom(random: Random | null): void {
  seeded = random;
}

function randomPart(): string {
  if (seeded) {
    let out = '';
    for (let i = 0; i < 16; i++) out += ALPHABET[Math.floor(seeded() * 32)];
    return out;
  }
  if (offset + 16 > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  let out = '';
  for (let i = 0; i < 16; i++) out += ALPHABET[pool[offset++]! & 31];
  return out;
}

export type IdPrefix = 'ws' | 'key' | 'item' | 'loc' | 'lvl' | 'mov' | 'hold' | 'exc' | 'prod' | 'chan' | 'lst' | 'po' | 'tr' | 'ret' | 'cnt' | 'cen' | 'rule' | 'user' | 'asub' | 'evt' | 'dlv' | 'sak' | 'ord' | 'shp';

let lastMs = NaN;
let lastTime = '';

/** The least id of `prefix` made at or after `ms`: a bound for finding by creation time through the primary key. */
export function idFloor(prefix: IdPrefix, ms: number): string {
  return `${prefix}_${encodeTime(Math.max(0, Math.floor(ms)))}`;
}

export function newId(prefix: IdPrefix, nowMs: number): string {
  if (nowMs !== lastMs) (lastMs = nowMs), (lastTime = encodeTime(nowMs));
  return `${prefix}_${lastTime}${randomPart()}`;
}
