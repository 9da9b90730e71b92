// One small client for eBay's REST APIs (Sell Inventory, Sell Fulfillment, Commerce
// Notification; channels.md §4), written on `fetch` rather than the `ebay-api` package: that one
// runs on axios, refreshes tokens itself behind a hard-coded OAuth URL and its own clock, so it
// cannot take the injected `fetch` and clock that the deterministic kernel, replayable runs and
// the in-process emulator need. This client makes exactly one HTTP call per `call()` (plus, once,
// a fresh token when eBay refuses an expired one) and reports what happened as values:
//
// - the user access token (oauth.ts) as `Authorization: Bearer`, or the application token for
//   calls that need one (`getPublicKey`);
// - `X-EBAY-C-MARKETPLACE-ID` from the settings on every call;
// - failures classified as every kind's are (`src/sync/retry.ts`): 429 throttled, 5xx and network
//   errors transient, 401/403 auth, other 4xx permanent; eBay's error list kept for the caller.

import type { ConnectEnv } from '../kind.ts';
import type { CallFailure } from '../../sync/connector.ts';
import { classifyHttp, parseRetryAfter } from '../../sync/retry.ts';
import type { AccessTokens } from '../access-tokens.ts';
import { ebayTokensFor } from './oauth.ts';
import { apiBaseUrl, EBAY_AUTH_URL_DEFAULT, type EbaySettings, marketplaceOf } from './settings.ts';

/** Calls slower than this count as failed (transient). */
export const EBAY_TIMEOUT_MS = 10_000;

export const INVENTORY = '/sell/inventory/v1';
export const FULFILLMENT = '/sell/fulfillment/v1';
export const NOTIFICATION = '/commerce/notification/v1';

/** One entry of eBay's error list. */
export interface EbayError {
  errorId: number;
  message: string;
  longMessage?: string;
  category?: string;
  parameters?: { name?: string; value?: string }[];
}

export interface EbayRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path below the host (`/sell/inventory/v1/…`), its segments already encoded. */
  path: string;
  /** The query string, already encoded (eBay's `filter` needs its own encoding: orders-poll.ts). */
  query?: string;
  body?: unknown;
  /** `app`: the application token (client credentials) instead of the seller's. */
  token?: 'user' | 'app';
}

export type EbayFailure = CallFailure & { status: number | null; errors: EbayError[] };
export type EbayAnswer<T> = { ok: true; status: number; data: T } | EbayFailure;

export interface EbayApi {
  readonly marketplaceId: string;
  call<T>(request: EbayRequest): Promise<EbayAnswer<T>>;
}

/** Encode one path segment (a SKU may hold `/`, spaces, `#`). */
export const segment = (v: string): string => encodeURIComponent(v);

/** A client for one channel's settings. */
export function ebayApi(settings: EbaySettings, env: ConnectEnv): EbayApi {
  const base = apiBaseUrl(settings);
  const marketplaceId = marketplaceOf(settings);
  const creds = { url: settings.auth_url ?? EBAY_AUTH_URL_DEFAULT, clientId: settings.client_id, clientSecret: settings.client_secret };
  const user: AccessTokens = ebayTokensFor({ ...creds, refreshToken: settings.refresh_token }, env.clock, env.fetch);
  const app: AccessTokens = ebayTokensFor({ ...creds, refreshToken: null }, env.clock, env.fetch);

  const failure = (status: number | null, headers: Headers | null, errors: EbayError[], message: string): EbayFailure => {
    // eBay documents no Retry-After (channels.md §4): without one the channel's budget says how
    // long to wait (the dispatcher empties it on a throttled answer and waits for its refill).
    return { ok: false, failure: classifyHttp(status), retryAfterMs: parseRetryAfter(headers?.get('retry-after'), env.clock.now()), message, status, errors };
  };

  async function send(request: EbayRequest, token: string): Promise<Response | EbayFailure> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json', 'x-ebay-c-marketplace-id': marketplaceId };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await env.fetch(`${base}${request.path}${request.query ? `?${request.query}` : ''}`, {
        method: request.method,
        headers,
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        signal: AbortSignal.timeout(EBAY_TIMEOUT_MS),
      });
    } catch (err) {
      return failure(null, null, [], `${request.method} ${request.path}: ${String(err)}`);
    }
  }

  return {
    marketplaceId,
    async call<T>(request: EbayRequest): Promise<EbayAnswer<T>> {
      const tokens = request.token === 'app' ? app : user;
      let res: Response | EbayFailure | null = null;
      // A 401 may be a token that expired early (clock skew, revoked): one fresh token, one more
      // try; a second 401 means the credentials themselves are refused.
      for (let attempt = 0; attempt < 2; attempt++) {
        const t = await tokens.token();
        if (!t.ok) return { ...t, status: null, errors: [] };
        res = await send(request, t.token);
        if (isFailure(res)) return res;
        if (res.status !== 401) break;
        tokens.invalidate(t.token);
      }
      const r = res as Response;
      const text = await r.text().catch(() => '');
      let json: unknown = null;
      try {
        json = text === '' ? null : JSON.parse(text);
      } catch {
        json = null;
      }
      if (r.status >= 200 && r.status < 300) return { ok: true, status: r.status, data: json as T };
      const errors = errorsOf(json);
      const what = errors.map((e) => `${e.errorId}: ${e.message}`).join('; ') || text.slice(0, 200) || r.statusText;
      return failure(r.status, r.headers, errors, `${request.method} ${request.path}: HTTP ${r.status} ${what}`);
    },
  };
}

const isFailure = (r: Response | EbayFailure): r is EbayFailure => typeof (r as EbayFailure).failure === 'string';

export function errorsOf(json: unknown): EbayError[] {
  const list = (json as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(list)) return [];
  return list
    .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
    .map((e) => ({
      errorId: typeof e.errorId === 'number' ? e.errorId : 0,
      message: String(e.message ?? ''),
      ...(typeof e.longMessage === 'string' ? { longMessage: e.longMessage } : {}),
      ...(typeof e.category === 'string' ? { category: e.category } : {}),
      ...(Array.isArray(e.parameters) ? { parameters: e.parameters as { name?: string; value?: string }[] } : {}),
    }));
}
