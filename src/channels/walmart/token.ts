// Walmart's access token (channels.md §3 "Auth"): `POST /v3/token` with the client credentials as
// HTTP Basic and `grant_type=client_credentials`, answering a token that lives 15 minutes. Every
// other call carries it as `WM_SEC.ACCESS_TOKEN`.
//
// One token per credentials is shared by every client made from the same settings (the
// dispatcher's connector, each order poll), refreshed ahead of its expiry on the injected clock,
// so a token never runs out in the middle of a run; a refresh already under way is joined, not
// repeated. Refused credentials are `auth`: the channel pauses for a person.

import { createHash } from 'node:crypto';
import type { Clock } from '../../app/clock.ts';
import type { CallFailure } from '../../sync/connector.ts';
import { classifyHttp, parseRetryAfter } from '../../sync/retry.ts';
import { type CorrelationIds, WM_SVC_NAME } from './correlation.ts';

/** A token is refreshed this long before it expires (clock skew, a slow call): 2 of its 15 minutes. */
export const WALMART_TOKEN_REFRESH_AHEAD_MS = 2 * 60_000;
/** What a token lives when the answer does not say (Walmart documents 900 s). */
export const WALMART_TOKEN_TTL_SECONDS_DEFAULT = 900;
/** Token calls slower than this count as failed. */
export const WALMART_TOKEN_TIMEOUT_MS = 10_000;
export const TOKEN_PATH = '/v3/token';

export interface WalmartCredentials {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
}

export type TokenAnswer = { ok: true; token: string } | CallFailure;

interface Held {
  token: string;
  /** When it expires (ms, on the clock). */
  expiresAt: number;
}

export class WalmartTokens {
  #held: Held | null = null;
  #refreshing: Promise<TokenAnswer> | null = null;

  constructor(
    private readonly credentials: WalmartCredentials,
    private readonly clock: Clock,
    private readonly fetchImpl: typeof fetch,
    private readonly ids: CorrelationIds,
  ) {}

  /** A live access token: the one held unless it is within WALMART_TOKEN_REFRESH_AHEAD_MS of expiring. */
  token(): Promise<TokenAnswer> {
    const held = this.#held;
    if (held && this.clock.now() < held.expiresAt - WALMART_TOKEN_REFRESH_AHEAD_MS) return Promise.resolve({ ok: true, token: held.token });
    // Concurrent callers share one exchange.
    this.#refreshing ??= this.#exchange().finally(() => (this.#refreshing = null));
    return this.#refreshing;
  }

  /** Walmart refused `token` (401: expired early or revoked): the next `token()` asks for a new one. */
  invalidate(token: string): void {
    if (this.#held?.token === token) this.#held = null;
  }

  async #exchange(): Promise<TokenAnswer> {
    const c = this.credentials;
    const asked = this.clock.now();
    let res: Response;
    try {
      res = await this.fetchImpl(c.baseUrl + TOKEN_PATH, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          'WM_SVC.NAME': WM_SVC_NAME,
          'WM_QOS.CORRELATION_ID': this.ids.next(),
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
        signal: AbortSignal.timeout(WALMART_TOKEN_TIMEOUT_MS),
      });
    } catch (err) {
      return { ok: false, failure: 'transient', retryAfterMs: null, message: `Walmart token call failed: ${String(err)}` };
    }
    const json = (await res.json().catch(() => null)) as { access_token?: unknown; expires_in?: unknown } | null;
    if (!res.ok) {
      // 400 (invalid_client), 401 and 403 say the credentials themselves are refused.
      const failure = res.status === 400 || res.status === 401 || res.status === 403 ? 'auth' : classifyHttp(res.status);
      return { ok: false, failure, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.clock.now()), message: `Walmart refused the client credentials: HTTP ${res.status}` };
    }
    if (typeof json?.access_token !== 'string' || json.access_token === '') {
      return { ok: false, failure: 'transient', retryAfterMs: null, message: 'Walmart answered the token call without an access_token' };
    }
    const ttl = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : WALMART_TOKEN_TTL_SECONDS_DEFAULT;
    // Counted from when we asked: the token may have been issued at any moment of the call.
    this.#held = { token: json.access_token, expiresAt: asked + ttl * 1000 };
    return { ok: true, token: json.access_token };
  }
}

/** Token holders shared per fetch, clock and credentials (a new client of the same channel reuses the token). */
const shared = new WeakMap<typeof fetch, WeakMap<Clock, Map<string, WalmartTokens>>>();

/** The token holder for these credentials (one per fetch and clock, so tests with their own never share). */
export function walmartTokensFor(credentials: WalmartCredentials, clock: Clock, fetchImpl: typeof fetch, ids: CorrelationIds): WalmartTokens {
  let byClock = shared.get(fetchImpl);
  if (!byClock) shared.set(fetchImpl, (byClock = new WeakMap()));
  let byKey = byClock.get(clock);
  if (!byKey) byClock.set(clock, (byKey = new Map()));
  // The secret is hashed into the key, never kept in it.
  const key = createHash('sha256').update(JSON.stringify([credentials.baseUrl, credentials.clientId, credentials.clientSecret])).digest('hex');
  let tokens = byKey.get(key);
  if (!tokens) byKey.set(key, (tokens = new WalmartTokens(credentials, clock, fetchImpl, ids)));
  return tokens;
}
