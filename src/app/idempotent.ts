// Idempotency for mutations outside the stock ledger (items, locations, keys): the key is
// stored in the same transaction as the write, so a retry after a crash either finds both or
// neither. Refusals are not stored: the client may fix the cause and retry with the same key.

import { refusal, type Refusal } from '../domain/errors.ts';
import { insertIdempotency, loadIdempotency } from '../store/ledger-repo.ts';
import type { Db, Store } from '../store/store.ts';
import type { Clock } from './clock.ts';
import type { CommandResponse } from './ledger.ts';

export interface Written {
  status: number;
  body: Record<string, unknown>;
}

export async function idempotent(
  store: Store,
  clock: Clock,
  workspaceId: string,
  key: string,
  fingerprint: string,
  fn: (db: Db, now: number) => Promise<Written | Refusal>,
): Promise<CommandResponse> {
  if (!key) return { ok: false, refusal: refusal('idempotency_key_required', 'an Idempotency-Key header is required', 'Idempotency-Key') };
  return store.transaction(async (db) => {
    const [seen] = await loadIdempotency(db, workspaceId, [key]);
    if (seen) {
      return seen.fingerprint === fingerprint
        ? { ok: true, replayed: true, status: seen.status, body: JSON.parse(seen.response) }
        : { ok: false, refusal: refusal('idempotency_key_reused', `Idempotency-Key ${JSON.stringify(key)} was first used for a different request`, 'Idempotency-Key') };
    }
    const now = clock.now();
    const out = await fn(db, now);
    if ('code' in out) return { ok: false, refusal: out };
    await insertIdempotency(db, [{ workspaceId, key, fingerprint, status: out.status, response: JSON.stringify(out.body), createdAt: now }]);
    return { ok: true, replayed: false, status: out.status, body: out.body };
  });
}
