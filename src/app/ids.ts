// Prefixed, time-sortable ids (`mov_…`, `hold_…`): 10 characters of milliseconds then 16 random,
// Crockford base32, so ids sort by creation time and read as what they name.

import { randomBytes } from 'node:crypto';

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

function randomPart(): string {
  if (offset + 16 > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  let out = '';
  for (let i = 0; i < 16; i++) out += ALPHABET[pool[offset++]! & 31];
  return out;
}

export type IdPrefix = 'ws' | 'key' | 'item' | 'loc' | 'lvl' | 'mov' | 'hold' | 'exc' | 'prod' | 'chan' | 'lst' | 'po' | 'tr' | 'ret' | 'cnt' | 'cen' | 'rule' | 'user';

let lastMs = NaN;
let lastTime = '';

export function newId(prefix: IdPrefix, nowMs: number): string {
  if (nowMs !== lastMs) (lastMs = nowMs), (lastTime = encodeTime(nowMs));
  return `${prefix}_${lastTime}${randomPart()}`;
}
