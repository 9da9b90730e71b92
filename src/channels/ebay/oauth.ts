// eBay OAuth (channels.md §4 "Auth"): the seller's refresh token is exchanged for a user access
// token that lives two hours (Inventory and Fulfillment calls), and the application's keyset for
// an application token (client credentials: the Notification API's `getPublicKey`). Both are
// posted to the token endpoint with the keyset as HTTP Basic credentials.
//
// One holder per credentials and grant is shared by every client made from the same settings (the
// dispatcher's connector, each order poll, the webhook route), refreshed ahead of expiry on the
// injected clock — so a token never runs out in the middle of a run — and a refresh already under
// way is joined, not repeated. A refused refresh token or keyset is `auth`: the channel pauses.

import { createHash } from 'node:crypto';
import type { Clock } from '../../app/clock.ts';
import type { CallFailure } from '../../sync/connector.ts';
import { classifyHttp, parseRetryAfter } from '../../sync/retry.ts';

/** A token is refreshed this long before eBay says it expires (clock skew, a slow call). */
export const EBAY_TOKEN_REFRESH_AHEAD_MS = 5 * 60_000;
/** What a token lives when the answer does not say (eBay documents 7,200 s for user tokens). */
export const EBAY_TOKEN_TTL_SECONDS_DEFAULT = 7_200;
/** Token exchanges slower than this count as failed. */
export const EBAY_TOKEN_TIMEOUT_MS = 10_000;

/** The scopes a user token is asked for: the seller's inventory and orders. */
export const EBAY_USER_SCOPES = ['https://api.ebay.com/oauth/api_scope/sell.inventory', 'https://api.ebay.com/oauth/api_scope/sell.fulfillment'] as const;
/** The application token's scope (getPublicKey requires it). */
export const EBAY_APP_SCOPE = 'https://api.ebay.com/oauth/api_scope';

export interface EbayCredentials {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The seller's refresh token; null asks for an application token (client credentials). */
  refreshToken: string | null;
}

export type TokenAnswer = { ok: true; token: string } | CallFailure;

export class EbayTokens {
  #held: { token: string; expiresAt: number } | null = null;
  #refreshing: Promise<TokenAnswer> | null = null;

  constructor(
    private readonly credentials: EbayCredentials,
    private readonly clock: Clock,
    private readonly fetchImpl: typeof fetch,
  ) {}

  /** A live access token: the one held unless it is within EBAY_TOKEN_REFRESH_AHEAD_MS of expiring. */
  token(): Promise<TokenAnswer> {
    const held = this.#held;
    if (held && this.clock.now() < held.expiresAt - EBAY_TOKEN_REFRESH_AHEAD_MS) return Promise.resolve({ ok: true, token: held.token });
    // Concurrent callers share one exchange.
    this.#refreshing ??= this.#exchange().finally(() => (this.#refreshing = null));
    return this.#refreshing;
  }

  /** eBay refused `token` (401: expired early or revoked): forget it, unless a newer one is held. */
  invalidate(token: string): void {
    if (this.#held?.token === token) this.#held = null;
  }

  async #exchange(): Promise<TokenAnswer> {
    const c = this.credentials;
    const body = c.refreshToken !== null
      ? new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.refreshToken, scope: EBAY_USER_SCOPES.join(' ') })
      : new URLSearchParams({ grant_type: 'client_credentials', scope: EBAY_APP_SCOPE });
    const asked = this.clock.now();
    let res: Response;
    try {
      res = await this.fetchImpl(c.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
        },
        body: body.toString(),
        signal: AbortSignal.timeout(EBAY_TOKEN_TIMEOUT_MS),
      });
    } catch (err) {
      return { ok: false, failure: 'transient', retryAfterMs: null, message: `eBay OAuth unreachable: ${String(err)}` };
    }
    const json = (await res.json().catch(() => null)) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | null;
    if (!res.ok) {
      const why = [json?.error, json?.error_description].filter((x) => typeof x === 'string').join(': ') || `HTTP ${res.status}`;
      // eBay answers a refused refresh token (invalid_grant) with 400 and a refused keyset
      // (invalid_client) with 401: the credentials are wrong, not the call.
      const failure = res.status === 400 || res.status === 401 || res.status === 403 ? 'auth' : classifyHttp(res.status);
      return { ok: false, failure, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.clock.now()), message: `eBay refused the token ${c.refreshToken !== null ? 'refresh' : 'request'}: ${why}` };
    }
    if (typeof json?.access_token !== 'string' || json.access_token === '') {
      return { ok: false, failure: 'transient', retryAfterMs: null, message: 'eBay OAuth answered without an access_token' };
    }
    const ttl = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : EBAY_TOKEN_TTL_SECONDS_DEFAULT;
    // Counted from when we asked: the token may have been issued at any moment of the call.
    this.#held = { token: json.access_token, expiresAt: asked + ttl * 1000 };
    return { ok: true, token: json.access_token };
  }
}

/** Holders shared per fetch, clock and credentials (tests with their own fetch or clock never share). */
const shared = new WeakMap<typeof fetch, WeakMap<Clock, Map<string, EbayTokens>>>();

export function ebayTokensFor(credentials: EbayCredentials, clock: Clock, fetchImpl: typeof fetch): EbayTokens {
  let byClock = shared.get(fetchImpl);
  if (!byClock) shared.set(fetchImpl, (byClock = new WeakMap()));
  let byKey = byClock.get(clock);
  if (!byKey) byClock.set(clock, (byKey = new Map()));
  // The secrets are hashed into the key, never kept in it.
  const key = createHash('sha256').update(JSON.stringify([credentials.url, credentials.clientId, credentials.clientSecret, credentials.refreshToken])).digest('hex');
  let tokens = byKey.get(key);
  if (!tokens) byKey.set(key, (tokens = new EbayTokens(credentials, clock, fetchImpl)));
  return tokens;
}
