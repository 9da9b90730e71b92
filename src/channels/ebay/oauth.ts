// eBay OAuth (channels.md §4 "Auth"): the seller's refresh token is exchanged for a user access
// token that lives two hours (Inventory and Fulfillment calls), and the application's keyset for
// an application token (client credentials: the Notification API's `getPublicKey`). Both are
// posted to the token endpoint with the keyset as HTTP Basic credentials. Holding and refreshing
// them is `AccessTokens`'s; this is only eBay's exchange.

import type { Clock } from '../../app/clock.ts';
import { AccessTokens, basicAuth, sharedTokens } from '../access-tokens.ts';

/** A token is refreshed this long before eBay says it expires (clock skew, a slow call). */
export const EBAY_TOKEN_REFRESH_AHEAD_MS = 5 * 60_000;
/** What a token lives when the answer does not say (eBay documents 7,200 s for user tokens). */
export const EBAY_TOKEN_TTL_SECONDS_DEFAULT = 7_200;

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

export function ebayTokensFor(c: EbayCredentials, clock: Clock, fetchImpl: typeof fetch): AccessTokens {
  return sharedTokens([c.url, c.clientId, c.clientSecret, c.refreshToken], clock, fetchImpl, () => new AccessTokens({
    service: 'eBay OAuth',
    url: c.url,
    request: () => ({
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(c.clientId, c.clientSecret) },
      body: (c.refreshToken !== null
        ? new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.refreshToken, scope: EBAY_USER_SCOPES.join(' ') })
        : new URLSearchParams({ grant_type: 'client_credentials', scope: EBAY_APP_SCOPE })).toString(),
    }),
    refreshAheadMs: EBAY_TOKEN_REFRESH_AHEAD_MS,
    ttlSecondsDefault: EBAY_TOKEN_TTL_SECONDS_DEFAULT,
  }, clock, fetchImpl));
}
