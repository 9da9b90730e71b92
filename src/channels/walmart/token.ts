// Walmart's access token (channels.md §3 "Auth"): `POST /v3/token` with the client credentials as
// HTTP Basic and `grant_type=client_credentials`, answering a token that lives 15 minutes. Every
// other call carries it as `WM_SEC.ACCESS_TOKEN`. Holding and refreshing it is `AccessTokens`'s;
// this is only Walmart's exchange.

import type { Clock } from '../../app/clock.ts';
import { AccessTokens, basicAuth, sharedTokens } from '../access-tokens.ts';
import { type CorrelationIds, WM_SVC_NAME } from './correlation.ts';

/** A token is refreshed this long before it expires (clock skew, a slow call): 2 of its 15 minutes. */
export const WALMART_TOKEN_REFRESH_AHEAD_MS = 2 * 60_000;
/** What a token lives when the answer does not say (Walmart documents 900 s). */
export const WALMART_TOKEN_TTL_SECONDS_DEFAULT = 900;
export const TOKEN_PATH = '/v3/token';

export interface WalmartCredentials {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
}

/** The token holder for these credentials (one per fetch and clock, so tests with their own never share). */
export function walmartTokensFor(c: WalmartCredentials, clock: Clock, fetchImpl: typeof fetch, ids: CorrelationIds): AccessTokens {
  return sharedTokens([c.baseUrl, c.clientId, c.clientSecret], clock, fetchImpl, () => new AccessTokens({
    service: 'Walmart',
    url: c.baseUrl + TOKEN_PATH,
    request: () => ({
      // Every Walmart call carries the service name and a fresh correlation id, the token call too.
      headers: { authorization: basicAuth(c.clientId, c.clientSecret), 'content-type': 'application/x-www-form-urlencoded', 'WM_SVC.NAME': WM_SVC_NAME, 'WM_QOS.CORRELATION_ID': ids.next() },
      body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
    }),
    refreshAheadMs: WALMART_TOKEN_REFRESH_AHEAD_MS,
    ttlSecondsDefault: WALMART_TOKEN_TTL_SECONDS_DEFAULT,
  }, clock, fetchImpl));
}
