// `WM_QOS.CORRELATION_ID`: Walmart asks for "a random generated GUID" on every call, to trace it.
// The platform injects no randomness into connectors (ConnectEnv holds a clock and fetch only),
// so ids are derived deterministically: SHA-256 of the client id, the clock at the client's
// creation and a counter, shaped as a version-4 UUID. Unique per client and call, replayable in
// tests; an id only traces a call, it guards nothing.

import { createHash } from 'node:crypto';

/** `WM_SVC.NAME` on every call (channels.md §3). */
export const WM_SVC_NAME = 'Walmart Marketplace';

export interface CorrelationIds {
  next(): string;
}

export function correlationIds(seed: string): CorrelationIds {
  let n = 0;
  return {
    next() {
      const h = createHash('sha256').update(`${seed}:${n++}`).digest();
      h[6] = (h[6]! & 0x0f) | 0x40; // version 4
      h[8] = (h[8]! & 0x3f) | 0x80; // RFC 4122 variant
      const x = h.subarray(0, 16).toString('hex');
      return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
    },
  };
}
