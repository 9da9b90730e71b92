// One small fetch client for the Walmart Marketplace API (channels.md §3). No official SDK exists
// (nor any on npm), so: `env.fetch` and the injected clock, exactly one HTTP call per `call()`
// (plus, once, a fresh token when Walmart refuses an expired one), and what happened as values.
//
// - Every call carries `WM_SEC.ACCESS_TOKEN` (token.ts), `WM_SVC.NAME`, `WM_QOS.CORRELATION_ID`
//   (correlation.ts) and `Accept: application/json`.
// - Failures are classified as every kind's (src/sync/retry.ts): 429 throttled (its Retry-After
//   honoured; without one, one token of the budget's rate), 5xx and network errors transient,
//   401/403 auth, other 4xx permanent — a 400 or 404 about one SKU is that item's, and the
//   connector rejects that item alone.
// - Walmart's per-endpoint limits for Marketplace are unconfirmed (channels.md §3 "Rate limits"):
//   each operation we call draws on a budget of its own, with conservative defaults below that the
//   settings (`rate_limits`) may replace; a 429 teaches the budget the wait Walmart asked for.

import type { ConnectEnv } from '../kind.ts';
import type { CallFailure, Failure } from '../../sync/connector.ts';
import type { BucketSpec } from '../../sync/limiter.ts';
import { classifyHttp, parseRetryAfter } from '../../sync/retry.ts';
import { correlationIds, WM_SVC_NAME } from './correlation.ts';
import { walmartBaseUrl, type WalmartSettings } from './settings.ts';
import { walmartTokensFor } from './token.ts';

/** Calls slower than this count as failed (transient). */
export const WALMART_TIMEOUT_MS = 15_000;

/**
 * The budgets of the operations truestock calls (requests per second, burst). Walmart publishes no
 * Marketplace figures (unconfirmed), so these are conservative guesses: small bursts, a few calls
 * a second for inventory, one or two a second for orders, acknowledgements and feed status. Settings may replace them.
 */
export const WALMART_BUDGET_PLANS = {
  /** `PUT /v3/inventory` (updateInventoryForAnItem). */
  inventory: { rate: 5, burst: 10 },
  /** `GET /v3/inventory`, `GET /v3/inventories` (read-back). */
  inventoryRead: { rate: 5, burst: 10 },
  /** `GET /v3/feeds/{feedId}` (getFeedItemStatus). */
  feedStatus: { rate: 1, burst: 10 },
  /** `GET /v3/orders` (getAllOrders). */
  orders: { rate: 1, burst: 10 },
  /** `POST /v3/orders/{po}/acknowledge`. */
  acknowledge: { rate: 2, burst: 10 },
} as const satisfies Record<string, { rate: number; burst: number }>;

export type WalmartBudget = keyof typeof WALMART_BUDGET_PLANS;

/** Each budget keeps one token unused: Walmart counts a call when it arrives, we when we send it. */
const ARRIVAL_SLACK_TOKENS = 1;

export function walmartBudgetSpecs(settings: Pick<WalmartSettings, 'rate_limits'>): Record<WalmartBudget, BucketSpec> {
  const out = {} as Record<WalmartBudget, BucketSpec>;
  for (const [name, plan] of Object.entries(WALMART_BUDGET_PLANS) as [WalmartBudget, { rate: number; burst: number }][]) {
    const set = settings.rate_limits?.[name];
    const burst = set?.burst ?? plan.burst;
    out[name] = { capacity: Math.max(1, burst - ARRIVAL_SLACK_TOKENS), refillPerSecond: set?.rate ?? plan.rate };
  }
  return out;
}

/** One error Walmart reports (`GatewayError`: code, field, description, …). */
export interface WalmartError {
  code: string;
  field?: string;
  description?: string;
}

export interface WalmartRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** The path below the base URL, its parameters already encoded. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** A JSON body, or a multipart form (a feed file). */
  body?: unknown;
  form?: FormData;
}

export type WalmartFailure = CallFailure & { status: number | null; errors: WalmartError[] };
export type WalmartAnswer<T> = { ok: true; status: number; data: T } | WalmartFailure;

export interface WalmartApi {
  call<T>(budget: WalmartBudget, request: WalmartRequest): Promise<WalmartAnswer<T>>;
  /** The budgets' specs these settings give. */
  readonly specs: Record<WalmartBudget, BucketSpec>;
}

/** Encode one path segment (a SKU may hold `/`, spaces, `#`; a feed id holds `@`). */
export const segment = (v: string): string => encodeURIComponent(v);

/** A client for one channel's settings. */
export function walmartApi(settings: WalmartSettings, env: ConnectEnv): WalmartApi {
  const base = walmartBaseUrl(settings);
  const specs = walmartBudgetSpecs(settings);
  const ids = correlationIds(`${settings.client_id}:${env.clock.now()}`);
  const tokens = walmartTokensFor({ baseUrl: base, clientId: settings.client_id, clientSecret: settings.client_secret }, env.clock, env.fetch, ids);

  const failure = (budget: WalmartBudget, status: number | null, headers: Headers | null, errors: WalmartError[], message: string): WalmartFailure => {
    const kind: Failure = classifyHttp(status);
    let retryAfterMs = parseRetryAfter(headers?.get('retry-after'), env.clock.now());
    if (retryAfterMs === null && kind === 'throttled') retryAfterMs = Math.ceil(1000 / specs[budget].refillPerSecond);
    return { ok: false, failure: kind, retryAfterMs, message, status, errors };
  };

  async function send(budget: WalmartBudget, request: WalmartRequest, token: string): Promise<Response | WalmartFailure> {
    const url = new URL(base + request.path);
    for (const [k, v] of Object.entries(request.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      'WM_SEC.ACCESS_TOKEN': token,
      'WM_SVC.NAME': WM_SVC_NAME,
      'WM_QOS.CORRELATION_ID': ids.next(),
      accept: 'application/json',
    };
    let body: string | FormData | undefined;
    if (request.form) body = request.form; // fetch sets the multipart boundary itself
    else if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body);
    }
    try {
      return await env.fetch(url, { method: request.method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(WALMART_TIMEOUT_MS) });
    } catch (err) {
      return failure(budget, null, null, [], `${request.method} ${request.path}: ${String(err)}`);
    }
  }

  return {
    specs,
    async call<T>(budget: WalmartBudget, request: WalmartRequest): Promise<WalmartAnswer<T>> {
      let res: Response | WalmartFailure | null = null;
      // A 401 may be a token that expired early (clock skew, revoked): one fresh token, one more
      // try; a second 401 means the credentials themselves are refused.
      for (let attempt = 0; attempt < 2; attempt++) {
        const t = await tokens.token();
        if (!t.ok) return { ...t, status: null, errors: [] };
        res = await send(budget, request, t.token);
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
      const what = errors.map((e) => `${e.code}: ${e.description ?? ''}`).join('; ') || text.slice(0, 200) || r.statusText;
      return failure(budget, r.status, r.headers, errors, `${request.method} ${request.path}: HTTP ${r.status} ${what}`);
    },
  };
}

const isFailure = (r: Response | WalmartFailure): r is WalmartFailure => typeof (r as WalmartFailure).failure === 'string';

/**
 * Walmart's error list in either wrapper channels.md §3 reports (the outer one is unconfirmed):
 * `{"errors":[…]}` or the legacy `{"errors":{"error":[…]}}`; `message` is read as `description`.
 */
export function errorsOf(json: unknown): WalmartError[] {
  const outer = (json as { errors?: unknown } | null)?.errors;
  const list = Array.isArray(outer) ? outer : Array.isArray((outer as { error?: unknown } | undefined)?.error) ? (outer as { error: unknown[] }).error : [];
  return list
    .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string')
    .map((e) => ({
      code: String(e.code),
      ...(typeof e.field === 'string' ? { field: e.field } : {}),
      ...(typeof e.description === 'string' ? { description: e.description } : typeof e.message === 'string' ? { description: e.message } : {}),
    }));
}
