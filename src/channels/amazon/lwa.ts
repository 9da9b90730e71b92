// Login with Amazon (channels.md §2 "Auth"): the channel's refresh token is exchanged for an
// access token that lives an hour; every SP-API call carries it as `x-amz-access-token`.
//
// One token per credentials is shared by every client made from the same settings (the
// dispatcher's connector, each order poll), refreshed ahead of its expiry on the injected clock —
// so a token never runs out in the middle of a run — and a refresh already under way is joined,
// not repeated. A refused refresh token or client is `auth`: the channel pauses for a person.

import { createHash } from 'node:crypto';
import type { Clock } from '../../app/clock.ts';
import type { CallFailure } from '../../sync/connector.ts';
import { classifyHttp, parseRetryAfter } from '../../sync/retry.ts';

/** A token is refreshed this long before Amazon says it expires (clock skew, a slow call). */
export const LWA_REFRESH_AHEAD_MS = 5 * 60_000;
/** What a token lives when the answer does not say (Amazon documents an hour). */
export const LWA_TOKEN_TTL_SECONDS_DEFAULT = 3_600;
/** Token exchanges slower than this count as failed. */
export const LWA_TIMEOUT_MS = 10_000;

export interface LwaCredentials {
  url: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export type TokenAnswer = { ok: true; token: string } | CallFailure;

interface Held {
  token: string;
  /** When it expires (ms, on the clock). */
  expiresAt: number;
}

export class LwaTokens {
  #held: Held | null = null;
  #refreshing: Promise<TokenAnswer> | null = null;

  constructor(
    private readonly credentials: LwaCredentials,
    private readonly clock: Clock,
    private readonly fetchImpl: typeof fetch,
  ) {}

  /** A live access token: the one held unless it is within LWA_REFRESH_AHEAD_MS of expiring. */
  token(): Promise<TokenAnswer> {
    const held = this.#held;
    if (held && this.clock.now() < held.expiresAt - LWA_REFRESH_AHEAD_MS) return Promise.resolve({ ok: true, token: held.token });
    return this.#refresh();
  }

  /**
   * SP-API refused `token` (403 on an expired or revoked token): forget it, so the next
   * `token()` exchanges the refresh token again. A newer token got meanwhile is kept.
   */
  invalidate(token: string): void {
    if (this.#held?.token === token) this.#held = null;
  }

  #refresh(): Promise<TokenAnswer> {
    // Concurrent callers share one exchange.
    this.#refreshing ??= this.#exchange().finally(() => (this.#refreshing = null));
    return this.#refreshing;
  }

  async #exchange(): Promise<TokenAnswer> {
    const c = this.credentials;
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.refreshToken, client_id: c.clientId, client_secret: c.clientSecret });
    const asked = this.clock.now();
    let res: Response;
    try {
      res = await this.fetchImpl(c.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json' },
        body: body.toString(),
        signal: AbortSignal.timeout(LWA_TIMEOUT_MS),
      });
    } catch (err) {
      return { ok: false, failure: 'transient', retryAfterMs: null, message: `Login with Amazon unreachable: ${String(err)}` };
    }
    const json = (await res.json().catch(() => null)) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | null;
    if (!res.ok) {
      const why = [json?.error, json?.error_description].filter((x) => typeof x === 'string').join(': ') || `HTTP ${res.status}`;
      // LWA answers a refused refresh token or client with 400 (invalid_grant, invalid_client,
      // unauthorized_client) or 401: the credentials are wrong, not the call.
      const failure = res.status === 400 || res.status === 401 || res.status === 403 ? 'auth' : classifyHttp(res.status);
      return { ok: false, failure, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.clock.now()), message: `Login with Amazon refused the token refresh: ${why}` };
    }
    if (typeof json?.access_token !== 'string' || json.access_token === '') {
      return { ok: false, failure: 'transient', retryAfterMs: null, message: 'Login with Amazon answered without an access_token' };
    }
    const ttl = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : LWA_TOKEN_TTL_SECONDS_DEFAULT;
    // Counted from when we asked: the token may have been issued at any moment of the call.
    this.#held = { token: json.access_token, expiresAt: asked + ttl * 1000 };
    return { ok: true, token: json.access_token };
  }
}

/** Token holders shared per fetch, clock and credentials (a new client of the same channel reuses the token). */
const shared = new WeakMap<typeof fetch, WeakMap<Clock, Map<string, LwaTokens>>>();

/** The token holder for these credentials (one per fetch and clock, so tests with their own never share). */
export function lwaTokensFor(credentials: LwaCredentials, clock: Clock, fetchImpl: typeof fetch): LwaTokens {
  let byClock = shared.get(fetchImpl);
  if (!byClock) shared.set(fetchImpl, (byClock = new WeakMap()));
  let byKey = byClock.get(clock);
  if (!byKey) byClock.set(clock, (byKey = new Map()));
  // The secrets are hashed into the key, never kept in it.
  const key = createHash('sha256').update(JSON.stringify([credentials.url, credentials.clientId, credentials.clientSecret, credentials.refreshToken])).digest('hex');
  let tokens = byKey.get(key);
  if (!tokens) byKey.set(key, (tokens = new LwaTokens(credentials, clock, fetchImpl)));
  return tokens;
}
