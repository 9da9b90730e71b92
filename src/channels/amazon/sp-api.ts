// One small client for Amazon's Selling Partner API (channels.md §2), written on `fetch` rather
// than the `@sp-api-sdk/*` packages: those run on axios with their own retry (axios-retry on 429)
// and a hard-coded Login with Amazon URL, so they cannot take the injected `fetch` and clock that
// the deterministic kernel and the in-process emulator need, and their retries would spend budget
// behind the dispatcher's back. This client makes exactly one HTTP call per `call()` (plus, once,
// a fresh token when SP-API refuses an expired one) and reports what happened as values:
//
// - the access token from Login with Amazon (`lwa.ts`) as `x-amz-access-token`;
// - every operation's documented usage plan (rate and burst, from the models' "Usage Plan"
//   tables) as a budget of its own — Amazon limits each operation separately — corrected by the
//   `x-amzn-RateLimit-Limit` header Amazon returns with the rate it applied;
// - failures classified the same way as every kind's (`src/sync/retry.ts`): 429 (QuotaExceeded)
//   throttled, 5xx and network errors transient, 401/403 auth, other 4xx permanent. Amazon
//   documents no Retry-After; when none comes, a throttled answer waits for one token of the
//   operation's rate.

import type { ConnectEnv } from '../kind.ts';
import type { BudgetReport, CallFailure, Failure } from '../../sync/connector.ts';
import type { BucketSpec } from '../../sync/limiter.ts';
import { TokenBucket } from '../../sync/limiter.ts';
import { classifyHttp, parseRetryAfter } from '../../sync/retry.ts';
import type { AccessTokens } from '../access-tokens.ts';
import { lwaTokensFor } from './lwa.ts';
import { AMAZON_LWA_URL_DEFAULT, type AmazonSettings, apiBaseUrl } from './settings.ts';

/** Calls slower than this count as failed (transient). */
export const SP_API_TIMEOUT_MS = 10_000;

/**
 * The documented default usage plans (requests per second, burst) of the operations truestock
 * calls, from the "Usage Plan" table in each operation's description in the official models
 * (../shared/specs/amazon-sp-api). The names are the models' operationIds and are the names of
 * the channel's budgets: the dispatcher, the order and FBA polls draw on them by these names.
 */
export const SP_API_USAGE_PLANS = {
  // listingsItems_2021-08-01.json
  patchListingsItem: { rate: 5, burst: 5 },
  getListingsItem: { rate: 5, burst: 10 },
  searchListingsItems: { rate: 5, burst: 5 },
  // feeds_2021-06-30.json
  createFeedDocument: { rate: 0.5, burst: 15 },
  createFeed: { rate: 0.0083, burst: 15 },
  getFeed: { rate: 2, burst: 15 },
  getFeeds: { rate: 0.0222, burst: 10 },
  getFeedDocument: { rate: 0.0222, burst: 10 },
  cancelFeed: { rate: 2, burst: 15 },
  // orders_2026-01-01.json
  searchOrders: { rate: 0.0056, burst: 20 },
  getOrder: { rate: 0.5, burst: 30 },
  // fbaInventory.json
  getInventorySummaries: { rate: 2, burst: 2 },
} as const satisfies Record<string, { rate: number; burst: number }>;

export type SpApiOperation = keyof typeof SP_API_USAGE_PLANS;

/**
 * How much earlier than we sent them Amazon may count our calls, ms. Amazon charges a call when it
 * arrives, we when we send it: a burst sent as soon as the budget allows, whose calls travel faster
 * than the last burst's did, reaches a bucket that has not refilled yet. Each budget keeps the
 * tokens this time would refill unused (at least one). It costs part of a burst, never the
 * sustained rate (patches: bursts of 3 instead of 5, still 5 a second).
 */
export const SP_API_ARRIVAL_SLACK_MS = 400;

/** The channel's budget per operation: the documented plan unless the settings say otherwise, less the slack. */
export function amazonBudgetSpecs(settings: Pick<AmazonSettings, 'rate_limits'>): Record<SpApiOperation, BucketSpec> {
  const out = {} as Record<SpApiOperation, BucketSpec>;
  for (const [op, plan] of Object.entries(SP_API_USAGE_PLANS) as [SpApiOperation, { rate: number; burst: number }][]) {
    const set = settings.rate_limits?.[op];
    const burst = set?.burst ?? plan.burst;
    const rate = set?.rate ?? plan.rate;
    const slack = Math.max(1, Math.ceil((rate * SP_API_ARRIVAL_SLACK_MS) / 1000));
    out[op] = { capacity: Math.max(1, burst - slack), refillPerSecond: rate };
  }
  return out;
}

/** One entry of SP-API's error list (`{"errors":[{code, message, details}]}`). */
export interface SpError {
  code: string;
  message: string;
  details?: string;
}

export interface SpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path below the API's base URL, its parameters already encoded. */
  path: string;
  /** Query parameters; arrays are comma-separated (the models' `collectionFormat: csv`). */
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  body?: unknown;
}

export type SpFailure = CallFailure & { status: number | null; errors: SpError[] };

export type SpAnswer<T> = { ok: true; status: number; data: T; budget?: BudgetReport } | SpFailure;

export interface SpApi {
  readonly sellerId: string;
  call<T>(op: SpApiOperation, request: SpRequest): Promise<SpAnswer<T>>;
  /**
   * A presigned document URL (feed upload, processing report): no access token, no SP-API budget.
   * Answers the body text, or a failure classified like any other.
   */
  document(url: string, init: { method: 'GET' | 'PUT'; contentType?: string; body?: string }): Promise<{ ok: true; bytes: Buffer } | SpFailure>;
}

/** Encode one path segment (a seller SKU may hold `/`, spaces, `#`). */
export const segment = (v: string): string => encodeURIComponent(v);

/** The rate Amazon applied to this call (`x-amzn-RateLimit-Limit`), as a report on the operation's budget. */
export function rateLimitReport(op: SpApiOperation, headers: { get(name: string): string | null }): BudgetReport | undefined {
  const raw = headers.get('x-amzn-ratelimit-limit');
  const rate = raw === null ? NaN : Number(raw);
  return Number.isFinite(rate) && rate > 0 ? { budget: op, refillPerSecond: rate } : undefined;
}

/** A client for one channel's settings. */
export function spApi(settings: AmazonSettings, env: ConnectEnv): SpApi {
  const base = apiBaseUrl(settings);
  const specs = amazonBudgetSpecs(settings);
  const tokens: AccessTokens = lwaTokensFor(
    { url: settings.lwa_url ?? AMAZON_LWA_URL_DEFAULT, clientId: settings.client_id, clientSecret: settings.client_secret, refreshToken: settings.refresh_token },
    env.clock,
    env.fetch,
  );
  /** The rate last applied per operation (for the wait after a throttled answer without Retry-After). */
  const rates = new Map<SpApiOperation, number>();

  const failure = (op: SpApiOperation, status: number | null, headers: Headers | null, errors: SpError[], message: string): SpFailure => {
    const kind: Failure = classifyHttp(status);
    let retryAfterMs = parseRetryAfter(headers?.get('retry-after'), env.clock.now());
    if (retryAfterMs === null && kind === 'throttled') retryAfterMs = Math.ceil(1000 / (rates.get(op) ?? specs[op].refillPerSecond));
    const report = headers ? rateLimitReport(op, headers) : undefined;
    return { ok: false, failure: kind, retryAfterMs, message, status, errors, ...(report ? { budget: report } : {}) };
  };

  async function send(op: SpApiOperation, request: SpRequest, token: string): Promise<Response | SpFailure> {
    const url = new URL(base + request.path);
    for (const [k, v] of Object.entries(request.query ?? {})) {
      if (v === undefined) continue;
      url.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
    const headers: Record<string, string> = { 'x-amz-access-token': token, accept: 'application/json', 'user-agent': 'truestock (Language=TypeScript)' };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await env.fetch(url, {
        method: request.method,
        headers,
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        signal: AbortSignal.timeout(SP_API_TIMEOUT_MS),
      });
    } catch (err) {
      return failure(op, null, null, [], `${op}: ${String(err)}`);
    }
  }

  return {
    sellerId: settings.seller_id,

    async call<T>(op: SpApiOperation, request: SpRequest): Promise<SpAnswer<T>> {
      let res: Response | SpFailure | null = null;
      // A 403 may be an access token that expired early (clock skew, revoked): one fresh token,
      // one more try; a second 403 means the credentials themselves are refused.
      for (let attempt = 0; attempt < 2; attempt++) {
        const t = await tokens.token();
        if (!t.ok) return { ...t, status: null, errors: [] };
        res = await send(op, request, t.token);
        if (isFailure(res)) return res;
        if ((res as Response).status !== 403) break;
        tokens.invalidate(t.token);
      }
      const r = res as Response;
      const report = rateLimitReport(op, r.headers);
      if (report?.refillPerSecond) rates.set(op, report.refillPerSecond);
      const text = await r.text().catch(() => '');
      let json: unknown = null;
      try {
        json = text === '' ? null : JSON.parse(text);
      } catch {
        json = null;
      }
      if (r.status >= 200 && r.status < 300) return { ok: true, status: r.status, data: json as T, ...(report ? { budget: report } : {}) };
      const errors = errorsOf(json);
      const what = errors.map((e) => `${e.code}: ${e.message}`).join('; ') || text.slice(0, 200) || r.statusText;
      return failure(op, r.status, r.headers, errors, `${op}: HTTP ${r.status} ${what}`);
    },

    async document(url, init) {
      let res: Response;
      try {
        res = await env.fetch(url, {
          method: init.method,
          ...(init.contentType ? { headers: { 'content-type': init.contentType } } : {}),
          ...(init.body !== undefined ? { body: init.body } : {}),
          signal: AbortSignal.timeout(SP_API_TIMEOUT_MS),
        });
      } catch (err) {
        return { ok: false, failure: 'transient', retryAfterMs: null, message: `document ${init.method}: ${String(err)}`, status: null, errors: [] };
      }
      const bytes = Buffer.from(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
      const text = bytes.toString('utf8');
      if (res.ok) return { ok: true, bytes };
      // A presigned URL that expired (403) is not the channel's credentials: that document is spent.
      const kind: Failure = res.status === 403 ? 'permanent' : classifyHttp(res.status);
      return { ok: false, failure: kind, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), env.clock.now()), message: `document ${init.method}: HTTP ${res.status} ${text.slice(0, 200)}`, status: res.status, errors: [] };
    },
  };
}

const isFailure = (r: Response | SpFailure): r is SpFailure => typeof (r as SpFailure).failure === 'string';

function errorsOf(json: unknown): SpError[] {
  const list = (json as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(list)) return [];
  return list.filter((e): e is SpError => typeof e === 'object' && e !== null && typeof (e as SpError).code === 'string').map((e) => ({ code: e.code, message: String(e.message ?? ''), ...(e.details ? { details: String(e.details) } : {}) }));
}

/**
 * Budgets the connector keeps for operations the dispatcher does not charge (the feed's
 * createFeedDocument, createFeed, getFeed, getFeedDocument): the same token buckets, on the
 * injected clock, corrected by what Amazon reports. A call is made only when its budget has a
 * token now; otherwise the connector takes another path or tries later — it never waits.
 */
export class OperationBudgets {
  readonly #buckets = new Map<SpApiOperation, TokenBucket>();

  constructor(
    private readonly specs: Record<SpApiOperation, BucketSpec>,
    private readonly now: () => number,
  ) {}

  #bucket(op: SpApiOperation): TokenBucket {
    let b = this.#buckets.get(op);
    if (!b) this.#buckets.set(op, (b = new TokenBucket(this.specs[op], this.now())));
    return b;
  }

  /** Ms until `op` may be called `n` times (0: now; Infinity: never within its burst). */
  waitFor(op: SpApiOperation, n = 1): number {
    return this.#bucket(op).waitFor(n, this.now());
  }

  /** Take a token for one call of `op`; false when there is none now. */
  take(op: SpApiOperation): boolean {
    return this.#bucket(op).tryTake(1, this.now()) === 0;
  }

  /** What Amazon said after a call of `op`: its rate, or that it throttled us. */
  after(op: SpApiOperation, answer: SpAnswer<unknown>): void {
    const b = this.#bucket(op);
    if (answer.budget) b.observe(answer.budget, this.now());
    if (!answer.ok && answer.failure === 'throttled') b.throttled(this.now(), answer.retryAfterMs ?? undefined);
  }
}
