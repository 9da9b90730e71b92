// Login with Amazon, as the SP-API uses it: `POST /auth/o2/token` exchanges the seller's refresh
// token (with the application's client id and secret) for an access token that lives an hour on
// the emulator's clock. Every SP-API call must carry a live one in `x-amz-access-token`.
// Refusals use LWA's OAuth error shape `{error, error_description}`.

import type { Random } from '../kit/index.ts';

export interface LwaCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface LwaAnswer {
  status: number;
  body: Record<string, unknown>;
}

const HEX = '0123456789abcdef';

export class Lwa {
  private readonly tokens = new Map<string, number>();
  /** A revoked refresh token is refused as invalid_grant, as when the seller withdraws the app. */
  refreshTokenRevoked = false;
  issued = 0;
  refused = 0;

  constructor(
    readonly credentials: LwaCredentials,
    private readonly ttlSeconds: number,
    private readonly now: () => number,
    private readonly random: Random,
  ) {}

  /** Answers the token endpoint for a form-encoded body. */
  token(form: URLSearchParams): LwaAnswer {
    const grant = form.get('grant_type');
    if (grant === null) return this.refuse(400, 'invalid_request', 'The request is missing a required parameter : grant_type');
    if (grant !== 'refresh_token') return this.refuse(400, 'unsupported_grant_type', `The authorization grant type ${grant} is not supported by the authorization server`);
    for (const p of ['refresh_token', 'client_id', 'client_secret']) {
      if (!form.get(p)) return this.refuse(400, 'invalid_request', `The request is missing a required parameter : ${p}`);
    }
    if (form.get('client_id') !== this.credentials.clientId || form.get('client_secret') !== this.credentials.clientSecret) {
      return this.refuse(401, 'invalid_client', 'Client authentication failed');
    }
    if (form.get('refresh_token') !== this.credentials.refreshToken || this.refreshTokenRevoked) {
      return this.refuse(400, 'invalid_grant', 'The request has an invalid grant parameter : refresh_token');
    }
    let token = 'Atza|';
    for (let i = 0; i < 48; i++) token += HEX[Math.floor(this.random() * 16)];
    this.tokens.set(token, this.now() + this.ttlSeconds * 1000);
    this.issued++;
    return { status: 200, body: { access_token: token, refresh_token: this.credentials.refreshToken, token_type: 'bearer', expires_in: this.ttlSeconds } };
  }

  /** Whether an access token is one this LWA issued and still live. */
  live(token: string | undefined): 'live' | 'expired' | 'unknown' {
    if (token === undefined) return 'unknown';
    const until = this.tokens.get(token);
    if (until === undefined) return 'unknown';
    return this.now() < until ? 'live' : 'expired';
  }

  /** Every access token issued so far expires now (tests of a token expiring mid-run). */
  expireAll(): void {
    const t = this.now();
    for (const k of this.tokens.keys()) this.tokens.set(k, t);
  }

  private refuse(status: number, error: string, description: string): LwaAnswer {
    this.refused++;
    return { status, body: { error, error_description: description } };
  }
}
