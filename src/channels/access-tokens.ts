// OAuth access tokens for the kinds that exchange credentials for a short-lived token (Amazon's
// Login with Amazon, eBay, Walmart). What differs per channel is only the exchange's request and
// its documented lifetime; the holding is the same everywhere, so it lives here once:
//
// - one holder per credentials is shared by every client made from the same settings (the
//   dispatcher's connector, each order poll, the webhook route);
// - a token is refreshed ahead of its expiry on the injected clock, so it never runs out in the
//   middle of a run, and a refresh already under way is joined, not repeated;
// - a refused exchange (400/401/403: wrong refresh token or client) is `auth`, which pauses the
//   channel for a person; anything else is classified as any other call.

import { createHash } from 'node:crypto';
import type { Clock } from '../app/clock.ts';
import type { CallFailure } from '../sync/connector.ts';
import { classifyHttp, parseRetryAfter } from '../sync/retry.ts';

/** Token exchanges slower than this count as failed. */
export const TOKEN_EXCHANGE_TIMEOUT_MS = 10_000;

export type TokenAnswer = { ok: true; token: string } | CallFailure;

/** How one channel exchanges its credentials for an access token. */
export interface TokenGrant {
  /** The token service as messages name it ("Login with Amazon"). */
  service: string;
  url: string;
  /** The exchange's request, built anew for each exchange (a header may be a fresh correlation id). */
  request(): { headers: Record<string, string>; body: string };
  /** A token is refreshed this long before it expires (clock skew, a slow call). */
  refreshAheadMs: number;
  /** What a token lives when the answer does not say (the channel's documented lifetime). */
  ttlSecondsDefault: number;
}

export class AccessTokens {
  #held: { token: string; expiresAt: number } | null = null;
  #refreshing: Promise<TokenAnswer> | null = null;

  constructor(
    private readonly grant: TokenGrant,
    private readonly clock: Clock,
    private readonly fetchImpl: typeof fetch,
  ) {}

  /** A live access token: the one held unless it is within `refreshAheadMs` of expiring. */
  token(): Promise<TokenAnswer> {
    const held = this.#held;
    if (held && this.clock.now() < held.expiresAt - this.grant.refreshAheadMs) return Promise.resolve({ ok: true, token: held.token });
    this.#refreshing ??= this.#exchange().finally(() => (this.#refreshing = null));
    return this.#refreshing;
  }

  /** The channel refused `token` (expired early, revoked): the next `token()` exchanges again. A newer token is kept. */
  invalidate(token: string): void {
    if (this.#held?.token === token) this.#held = null;
  }

  async #exchange(): Promise<TokenAnswer> {
    const { service, url } = this.grant;
    const { headers, body } = this.grant.request();
    const asked = this.clock.now();
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method: 'POST', headers: { accept: 'application/json', ...headers }, body, signal: AbortSignal.timeout(TOKEN_EXCHANGE_TIMEOUT_MS) });
    } catch (err) {
      return { ok: false, failure: 'transient', retryAfterMs: null, message: `${service} unreachable: ${String(err)}` };
    }
    const json = (await res.json().catch(() => null)) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | null;
    if (!res.ok) {
      const why = [json?.error, json?.error_description].filter((x) => typeof x === 'string').join(': ') || `HTTP ${res.status}`;
      const failure = res.status === 400 || res.status === 401 || res.status === 403 ? 'auth' : classifyHttp(res.status);
      return { ok: false, failure, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.clock.now()), message: `${service} refused the token exchange: ${why}` };
    }
    if (typeof json?.access_token !== 'string' || json.access_token === '') {
      return { ok: false, failure: 'transient', retryAfterMs: null, message: `${service} answered without an access_token` };
    }
    const ttl = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : this.grant.ttlSecondsDefault;
    // Counted from when we asked: the token may have been issued at any moment of the call.
    this.#held = { token: json.access_token, expiresAt: asked + ttl * 1000 };
    return { ok: true, token: json.access_token };
  }
}

/** Holders shared per fetch, clock and credentials (tests with their own fetch or clock never share). */
const shared = new WeakMap<typeof fetch, WeakMap<Clock, Map<string, AccessTokens>>>();

/**
 * The holder for the credentials `identity` names (every value that makes a token differ: URL,
 * client, secret, refresh token, grant), made by `make` the first time.
 */
export function sharedTokens(identity: readonly unknown[], clock: Clock, fetchImpl: typeof fetch, make: () => AccessTokens): AccessTokens {
  let byClock = shared.get(fetchImpl);
  if (!byClock) shared.set(fetchImpl, (byClock = new WeakMap()));
  let byKey = byClock.get(clock);
  if (!byKey) byClock.set(clock, (byKey = new Map()));
  // The secrets are hashed into the key, never kept in it.
  const key = createHash('sha256').update(JSON.stringify(identity)).digest('hex');
  let tokens = byKey.get(key);
  if (!tokens) byKey.set(key, (tokens = make()));
  return tokens;
}

/** HTTP Basic credentials for a token exchange. */
export const basicAuth = (clientId: string, clientSecret: string): string => `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
