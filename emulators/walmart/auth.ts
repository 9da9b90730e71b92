// The Token API: client credentials (HTTP Basic base64(clientId:clientSecret)) for an access
// token that lives 15 minutes on the injected clock (`expires_in: 900`, auth.json and
// channels.md §3). Every other call sends it as WM_SEC.ACCESS_TOKEN.

import { type Random, randomUuid } from '../kit/index.ts';
import { WalmartError } from './errors.ts';

export type TokenState = 'live' | 'expired' | 'unknown' | 'missing';

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

/** Tokens kept after expiry so an expired one answers "expired", not "unknown"; older ones go. */
const EXPIRED_TOKENS_KEPT_MAX = 10_000;

export class TokenIssuer {
  issued = 0;
  refused = 0;
  /** The seller revoked the app's access: its credentials get no token (the control surface's switch). */
  credentialsRevoked = false;
  private readonly tokens = new Map<string, { issuedAt: number; expiresAt: number }>();

  constructor(
    private readonly creds: Credentials,
    private readonly ttlSeconds: number,
    private readonly now: () => number,
    private readonly random: Random,
  ) {}

  /** POST /v3/token: the OAuthToken answer, or a WalmartError. */
  token(authorization: string | undefined, form: URLSearchParams): { access_token: string; token_type: 'Bearer'; expires_in: number } {
    if (!this.basicMatches(authorization) || this.credentialsRevoked) {
      this.refused++;
      throw new WalmartError('UNAUTHORIZED', 'The client id and secret in the Authorization header are missing or wrong.', 'Authorization');
    }
    const grant = form.get('grant_type');
    if (grant === null) throw new WalmartError('MISSING_REQUEST_PARAM', 'grant_type is required.', 'grant_type');
    if (grant !== 'client_credentials') throw new WalmartError('INVALID_REQUEST_PARAM', `grant_type ${grant} is not served by the emulator (client_credentials only).`, 'grant_type');
    this.prune();
    const token = `wm.${randomUuid(this.random).replaceAll('-', '')}${randomUuid(this.random).replaceAll('-', '')}`;
    const t = this.now();
    this.tokens.set(token, { issuedAt: t, expiresAt: t + this.ttlSeconds * 1000 });
    this.issued++;
    return { access_token: token, token_type: 'Bearer', expires_in: this.ttlSeconds };
  }

  live(token: string | undefined): TokenState {
    if (token === undefined || token === '') return 'missing';
    const t = this.tokens.get(token);
    if (!t) return 'unknown';
    return this.now() < t.expiresAt ? 'live' : 'expired';
  }

  /** GET /v3/token/detail for a live token. */
  detail(token: string): { expire_at: string; issued_at: string; is_valid: boolean; is_channel_match: boolean; scopes: Record<string, string> } {
    const t = this.tokens.get(token)!;
    const full = 'full_access';
    return { expire_at: String(t.expiresAt), issued_at: String(t.issuedAt), is_valid: this.now() < t.expiresAt, is_channel_match: true, scopes: { inventory: full, feeds: full, orders: full, item: full } };
  }

  /** Every token issued so far expires now (the control surface's "expire tokens"). */
  expireAll(): void {
    const t = this.now();
    for (const v of this.tokens.values()) v.expiresAt = Math.min(v.expiresAt, t);
  }

  private basicMatches(authorization: string | undefined): boolean {
    const m = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    return decoded === `${this.creds.clientId}:${this.creds.clientSecret}`;
  }

  private prune(): void {
    if (this.tokens.size < EXPIRED_TOKENS_KEPT_MAX) return;
    const t = this.now();
    for (const [k, v] of this.tokens) if (v.expiresAt <= t) this.tokens.delete(k);
  }
}
