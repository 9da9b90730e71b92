// eBay's OAuth token endpoint, `POST /identity/v1/oauth2/token`: the application's client id and
// secret in a Basic Authorization header, the grant in a form body.
// - `grant_type=refresh_token` (+ `refresh_token`, optional `scope`) mints a User access token for
//   the seller: what every Sell API call needs.
// - `grant_type=client_credentials` (+ optional `scope`) mints an Application access token: what
//   eBay's notification SDK uses to fetch a public key (event-notification-nodejs-sdk lib/client.js).
// Tokens live `expires_in` seconds (7200) on the emulator's clock. Refusals use the OAuth shape
// `{error, error_description}`.

import type { Random } from '../kit/index.ts';
import { ebayDay } from './time.ts';

/** The token endpoint's documented daily limits per grant (developer.ebay.com/api-docs/static/oauth-rate-limits.html). */
export const TOKEN_DAILY_LIMITS = { refresh_token: 50_000, client_credentials: 1_000 };
export type Grant = keyof typeof TOKEN_DAILY_LIMITS;

export interface OAuthCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface OAuthAnswer {
  status: number;
  body: Record<string, unknown>;
}

export type TokenKind = 'user' | 'application';
export type TokenState = { state: 'live'; kind: TokenKind } | { state: 'expired' | 'unknown' };

const HEX = '0123456789abcdef';

export class OAuth {
  private readonly tokens = new Map<string, { until: number; kind: TokenKind }>();
  /** A revoked refresh token is refused as invalid_grant, as when the seller withdraws consent. */
  refreshTokenRevoked = false;
  issued = 0;
  refused = 0;
  throttled = 0;
  private used = { day: '', refresh_token: 0, client_credentials: 0 };

  constructor(
    readonly credentials: OAuthCredentials,
    private readonly ttlSeconds: number,
    private readonly now: () => number,
    private readonly random: Random,
    readonly dailyLimits: Record<Grant, number> = { ...TOKEN_DAILY_LIMITS },
  ) {}

  /** Answers the token endpoint for a Basic Authorization header and a form-encoded body. */
  token(authorization: string | undefined, form: URLSearchParams): OAuthAnswer {
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (!basic) return this.refuse(401, 'invalid_client', 'client authentication failed');
    const [id, ...secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
    if (id !== this.credentials.clientId || secret.join(':') !== this.credentials.clientSecret) return this.refuse(401, 'invalid_client', 'client authentication failed');
    const grant = form.get('grant_type');
    if (grant === null) return this.refuse(400, 'invalid_request', 'request is missing a required parameter or malformed.');
    if (grant !== 'refresh_token' && grant !== 'client_credentials') return this.refuse(400, 'unsupported_grant_type', 'grant type in request is not supported by the authorization server');
    const over = this.overDailyLimit(grant);
    if (over) return over;
    if (grant === 'client_credentials') return this.issue('application');
    const refresh = form.get('refresh_token');
    if (!refresh) return this.refuse(400, 'invalid_request', 'request is missing a required parameter or malformed.');
    if (refresh !== this.credentials.refreshToken || this.refreshTokenRevoked) {
      return this.refuse(400, 'invalid_grant', 'the provided authorization refresh token is invalid or was issued to another client');
    }
    return this.issue('user');
  }

  /** Whether a bearer token is one this endpoint issued and still live, and of which kind. */
  check(authorization: string | undefined): TokenState {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return { state: 'unknown' };
    const t = this.tokens.get(m[1]!);
    if (!t) return { state: 'unknown' };
    return this.now() < t.until ? { state: 'live', kind: t.kind } : { state: 'expired' };
  }

  /** Every token issued so far expires now (tests of a token expiring mid-run). */
  expireAll(): void {
    const t = this.now();
    for (const v of this.tokens.values()) v.until = t;
  }

  /** Counts a grant against its daily limit (eBay's day); the 429 when over it (body unconfirmed: README). */
  private overDailyLimit(grant: Grant): OAuthAnswer | null {
    const day = ebayDay(this.now());
    if (this.used.day !== day) this.used = { day, refresh_token: 0, client_credentials: 0 };
    if (this.used[grant] >= this.dailyLimits[grant]) {
      this.throttled++;
      return { status: 429, body: { error: 'too_many_requests', error_description: `the daily limit of ${this.dailyLimits[grant]} ${grant} grants is reached; it resets at midnight Pacific time` } };
    }
    this.used[grant]++;
    return null;
  }

  private issue(kind: TokenKind): OAuthAnswer {
    // eBay's tokens start "v^1.1#i^1#"; the rest is opaque.
    let token = 'v^1.1#i^1#';
    for (let i = 0; i < 64; i++) token += HEX[Math.floor(this.random() * 16)];
    this.tokens.set(token, { until: this.now() + this.ttlSeconds * 1000, kind });
    this.issued++;
    return { status: 200, body: { access_token: token, expires_in: this.ttlSeconds, token_type: kind === 'user' ? 'User Access Token' : 'Application Access Token' } };
  }

  private refuse(status: number, error: string, description: string): OAuthAnswer {
    this.refused++;
    return { status, body: { error, error_description: description } };
  }
}
