// Login with Amazon (channels.md §2 "Auth"): the channel's refresh token is exchanged for an
// access token that lives an hour; every SP-API call carries it as `x-amz-access-token`. Holding
// and refreshing it is `AccessTokens`'s; this is only Amazon's exchange.

import type { Clock } from '../../app/clock.ts';
import { AccessTokens, sharedTokens } from '../access-tokens.ts';

/** A token is refreshed this long before Amazon says it expires (clock skew, a slow call). */
export const LWA_REFRESH_AHEAD_MS = 5 * 60_000;
/** What a token lives when the answer does not say (Amazon documents an hour). */
export const LWA_TOKEN_TTL_SECONDS_DEFAULT = 3_600;

export interface LwaCredentials {
  url: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/** The token holder for these credentials (one per fetch and clock, so tests with their own never share). */
export function lwaTokensFor(c: LwaCredentials, clock: Clock, fetchImpl: typeof fetch): AccessTokens {
  return sharedTokens([c.url, c.clientId, c.clientSecret, c.refreshToken], clock, fetchImpl, () => new AccessTokens({
    service: 'Login with Amazon',
    url: c.url,
    // LWA takes the client in the form, not as HTTP Basic.
    request: () => ({
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.refreshToken, client_id: c.clientId, client_secret: c.clientSecret }).toString(),
    }),
    refreshAheadMs: LWA_REFRESH_AHEAD_MS,
    ttlSecondsDefault: LWA_TOKEN_TTL_SECONDS_DEFAULT,
  }, clock, fetchImpl));
}
