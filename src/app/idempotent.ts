// Idempotency: the key is stored in the same transaction as the write, so a retry after a crash
// finds both or neither. A refusal is stored too: replaying a key must change nothing and answer
// the same, so a client that wants a new attempt (say, after stock arrived) sends a new key.
// Only `busy` is not stored — that request never reached the rules.

import { ERRORS, refusal, type Refusal } from '../domain/errors.ts';
import { type IdempotencyRecord, insertIdempotency, loadIdempotency } from '../store/ledger-repo.ts';
import type { Db, Store } from '../store/store.ts';
import type { Clock } from './clock.ts';

export type CommandResponse =
  | { ok: true; replayed: boolean; status: number; body: Record<string, unknown> }
  | { ok: false; replayed?: boolean; refusal: Refusal };

export const IDEMPOTENCY_KEY_LENGTH_MAX = 255;

export function checkIdempotencyKey(key: unknown): Refusal | null {
  return typeof key === 'string' && key.length > 0 && key.length <= IDEMPOTENCY_KEY_LENGTH_MAX
    ? null
    : refusal('idempotency_key_required', `an Idempotency-Key of 1 to ${IDEMPOTENCY_KEY_LENGTH_MAX} characters is required`, 'Idempotency-Key');
}

/** What a stored key answers to a request with this fingerprint. */
export function replay(seen: IdempotencyRecord, fingerprint: string): CommandResponse {
  if (seen.fingerprint !== fingerprint) {
    return { ok: false, refusal: refusal('idempotency_key_reused', `Idempotency-Key ${JSON.stringify(seen.key)} was first used for a different request`, 'Idempotency-Key') };
  }
  const body = JSON.parse(seen.response);
  return seen.status >= 400 ? { ok: false, replayed: true, refusal: body.refusal } : { ok: true, replayed: true, status: seen.status, body };
}

/** The record to store for a response, or null when it must not be stored. */
export function recordOf(key: string, fingerprint: string, r: CommandResponse): IdempotencyRecord | null {
  if (r.ok) return { key, fingerprint, status: r.status, response: JSON.stringify(r.body) };
  if (r.refusal.code === 'busy' || r.refusal.code === 'idempotency_key_reused') return null;
  return { key, fingerprint, status: ERRORS[r.refusal.code].status, response: JSON.stringify({ refusal: r.refusal }) };
}

export interface Written {
  status: number;
  body: Record<string, unknown>;
  /** What a replay answers when it must differ from the first answer: a secret shown once is not kept. */
  replayBody?: Record<string, unknown>;
}

/** What a replay says in place of a secret: it was shown once, and is kept nowhere in clear. */
export const SECRET_REPLAY_NOTE = 'the secret was shown once, in the first answer to this request, and is not kept: revoke it and create another if it was lost';

/**
 * The answer of a create that makes a secret (an API key, a webhook signing secret): the first
 * answer holds it; the idempotency record — and so every replay — holds `secret: null` and
 * `secret_note` instead, so the secret is never stored in clear.
 */
export function shownOnce(status: number, body: Record<string, unknown>): Written {
  return { status, body, replayBody: { ...body, secret: null, secret_note: SECRET_REPLAY_NOTE } };
}

export async function idempotent(
  store: Store,
  clock: Clock,
  workspaceId: string,
  key: string,
  fingerprint: string,
  fn: (db: Db, now: number) => Promise<Written | Refusal>,
): Promise<CommandResponse> {
  const badKey = checkIdempotencyKey(key);
  if (badKey) return { ok: false, refusal: badKey };
  return store.transaction(async (db) => {
    const [seen] = await loadIdempotency(db, workspaceId, [key]);
    if (seen) return replay(seen, fingerprint);
    const now = clock.now();
    const out = await fn(db, now);
    const response: CommandResponse = 'code' in out ? { ok: false, refusal: out } : { ok: true, replayed: false, status: out.status, body: out.body };
    const record = recordOf(key, fingerprint, response.ok && !('code' in out) && out.replayBody ? { ...response, body: out.replayBody } : response);
    if (record) await insertIdempotency(db, [{ ...record, workspaceId, createdAt: now }]);
    return response;
  });
}
