// One Shopify shop's Admin GraphQL API through Shopify's own client (`@shopify/admin-api-client`),
// with what every caller needs to read from an answer: data, the cost Shopify charged and its
// bucket, and whether the call was throttled or failed — which may arrive as HTTP 200 with an
// error code in the body (channels.md §1), so the status alone is never trusted.

import { createAdminApiClient } from '@shopify/admin-api-client';
import { refusal, type Refusal } from '../../domain/errors.ts';
import { classifyHttp } from '../../sync/retry.ts';

/** The Admin API version truestock speaks: compare-and-set with `changeFromQuantity`, `@idempotent`. */
export const SHOPIFY_API_VERSION = '2026-10';
/** Cost points a shop's bucket holds and restores per second when the channel's settings do not say (standard plan: 2,000 restoring 100/s). */
export const SHOPIFY_BUCKET_POINTS_DEFAULT = 2_000;
export const SHOPIFY_RESTORE_POINTS_PER_SECOND_DEFAULT = 100;
/** Top-level GraphQL error codes (in an HTTP 200) that are Shopify's failure, not the request's: try again. */
export const TRANSIENT_GRAPHQL_CODES = new Set(['INTERNAL_SERVER_ERROR']);
/** Answers slower than this count as a failed call. */
export const SHOPIFY_TIMEOUT_MS = 10_000;

/** What a Shopify channel's settings hold (`settings` of the channel record). */
export interface ShopifySettings {
  /** `acme.myshopify.com` */
  shop_domain: string;
  /** An Admin API access token with inventory and order scopes. */
  access_token: string;
  /** The app's client secret: webhooks are signed with it. */
  webhook_secret?: string;
  /** Where the API really is, when not `https://{shop_domain}` (the emulator, a proxy). */
  api_url?: string;
  /** Shopify location gid → truestock location code, for orders Shopify assigns to a location. */
  locations?: Record<string, string>;
  /** A hand edit in Shopify admin: `master_wins` re-pushes truestock's number, `adopt` books it here. */
  edit_policy?: 'master_wins' | 'adopt';
  bucket_size?: number;
  restore_rate?: number;
}

/** A channel's settings as a Shopify connection, or why they are not one. */
export function shopifySettings(settings: Record<string, unknown>): ShopifySettings | Refusal {
  const s = settings as Partial<ShopifySettings>;
  for (const k of ['shop_domain', 'access_token'] as const) {
    if (typeof s[k] !== 'string' || s[k].trim() === '') return refusal('validation_failed', `a Shopify channel needs settings.${k} to sync`, `settings.${k}`);
  }
  if (s.api_url !== undefined && (typeof s.api_url !== 'string' || !/^https?:\/\//.test(s.api_url))) {
    return refusal('validation_failed', 'settings.api_url must be an http(s) URL', 'settings.api_url');
  }
  if (s.edit_policy !== undefined && s.edit_policy !== 'master_wins' && s.edit_policy !== 'adopt') {
    return refusal('validation_failed', 'settings.edit_policy must be master_wins or adopt', 'settings.edit_policy');
  }
  return s as ShopifySettings;
}

export interface ShopifyCost {
  requested: number | null;
  actual: number | null;
  /** The bucket as Shopify reports it: trust it over our own estimate. */
  maximumAvailable: number | null;
  currentlyAvailable: number | null;
  restoreRate: number | null;
}

export type ShopifyAnswer<T> =
  | { ok: true; data: T; cost: ShopifyCost }
  | { ok: false; kind: 'throttled'; cost: ShopifyCost; retryAfterMs: number | null; message: string }
  | { ok: false; kind: 'transient' | 'auth' | 'permanent'; status: number | null; message: string; cost: ShopifyCost | null };

export interface ShopifyApi {
  readonly shopDomain: string;
  query<T>(operation: string, variables?: Record<string, unknown>): Promise<ShopifyAnswer<T>>;
}

/** A client for one shop. `fetchImpl` is for tests that count or break calls. */
export function shopifyApi(settings: ShopifySettings, fetchImpl: typeof fetch = fetch): ShopifyApi {
  const origin = `https://${settings.shop_domain}`;
  const client = createAdminApiClient({
    storeDomain: settings.shop_domain,
    apiVersion: SHOPIFY_API_VERSION,
    accessToken: settings.access_token,
    // The client forces https on the shop's domain; the emulator (or a proxy) lives elsewhere.
    customFetchApi: (url, init) => {
      const target = settings.api_url && typeof url === 'string' && url.startsWith(origin) ? settings.api_url.replace(/\/$/, '') + url.slice(origin.length) : url;
      return fetchImpl(target, { ...init, signal: AbortSignal.timeout(SHOPIFY_TIMEOUT_MS) } as RequestInit);
    },
  });
  return {
    shopDomain: settings.shop_domain,
    async query<T>(operation: string, variables?: Record<string, unknown>): Promise<ShopifyAnswer<T>> {
      const res = await client.request<T>(operation, variables ? { variables } : {});
      const cost = costOf(res.extensions);
      const errors = res.errors;
      const gqlErrors = (errors?.graphQLErrors ?? []) as { message?: string; extensions?: { code?: string } }[];
      if (gqlErrors.some((e) => e.extensions?.code === 'THROTTLED') || errors?.networkStatusCode === 429) {
        const header = errors?.response?.headers.get('Retry-After') ?? res.headers?.get('Retry-After') ?? null;
        const seconds = header === null ? NaN : Number(header);
        return { ok: false, kind: 'throttled', cost, retryAfterMs: Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : null, message: 'Throttled' };
      }
      if (errors) {
        const status = errors.networkStatusCode ?? null;
        const message = gqlErrors.map((e) => e.message).filter(Boolean).join('; ') || errors.message || 'Shopify call failed';
        // Shopify's own failure inside a 200 (INTERNAL_SERVER_ERROR) may pass; any other GraphQL
        // error inside a 2xx answer is about the query itself; otherwise the status says.
        const failure = status === null || gqlErrors.some((e) => TRANSIENT_GRAPHQL_CODES.has(e.extensions?.code ?? '')) ? 'transient' : status < 300 ? 'permanent' : classifyHttp(status);
        const kind = failure === 'throttled' ? 'transient' : failure; // 429 was read as throttled above
        return { ok: false, kind, status, message, cost: res.extensions ? cost : null };
      }
      return { ok: true, data: res.data as T, cost };
    },
  };
}

function costOf(extensions: unknown): ShopifyCost {
  const c = (extensions as { cost?: { requestedQueryCost?: number; actualQueryCost?: number | null; throttleStatus?: { maximumAvailable?: number; currentlyAvailable?: number; restoreRate?: number } } } | undefined)?.cost;
  return {
    requested: c?.requestedQueryCost ?? null,
    actual: c?.actualQueryCost ?? null,
    maximumAvailable: c?.throttleStatus?.maximumAvailable ?? null,
    currentlyAvailable: c?.throttleStatus?.currentlyAvailable ?? null,
    restoreRate: c?.throttleStatus?.restoreRate ?? null,
  };
}
