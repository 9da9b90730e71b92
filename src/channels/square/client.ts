// The official `square` SDK (v46), pointed at a channel's endpoint and given the injected fetch,
// with its own retries off: retries, backoff and throttling belong to the platform
// (src/sync/retry.ts, the dispatcher's budgets and breaker), and a hidden SDK retry would spend
// budget behind their back and sleep on the real clock. Its errors are mapped to the platform's
// failures here, once for every call the kind makes.

import { SquareClient, SquareError, SquareTimeoutError } from 'square';
import type { ConnectEnv } from '../kind.ts';
import type { CallFailure } from '../../sync/connector.ts';
import { classifyHttp, parseRetryAfter } from '../../sync/retry.ts';
import { apiBaseUrl, type SquareSettings } from './settings.ts';

/** A call that hangs this long is given up (transient); far below the SDK's 60 s default. */
export const SQUARE_TIMEOUT_SECONDS = 30;

/** What every call passes to the SDK: no retries of its own, and the pinned Square-Version when set. */
export interface SquareCall {
  maxRetries: 0;
  timeoutInSeconds: number;
  headers?: Record<string, string>;
}

export interface SquareApi {
  client: SquareClient;
  /** Per-request options: the SDK's default Square-Version wins over client-wide headers, so the pin goes here. */
  call: SquareCall;
}

export function squareApi(s: SquareSettings, env: ConnectEnv): SquareApi {
  // `fetch` is used for every request (the SDK falls back to global fetch/node-fetch only when
  // none is given); the emulator tests go through it, so a fallback would fail them.
  const client = new SquareClient({ token: s.access_token, baseUrl: apiBaseUrl(s), fetch: env.fetch, maxRetries: 0, timeoutInSeconds: SQUARE_TIMEOUT_SECONDS });
  return { client, call: { maxRetries: 0, timeoutInSeconds: SQUARE_TIMEOUT_SECONDS, ...(s.square_version ? { headers: { 'Square-Version': s.square_version } } : {}) } };
}

/** One error of a Square answer, as the body gives it. */
export interface SquareBodyError {
  category?: string;
  code?: string;
  detail?: string;
  field?: string;
}

/** The errors a failed answer's body lists (empty when none could be read). */
export function bodyErrors(err: unknown): SquareBodyError[] {
  if (!(err instanceof SquareError)) return [];
  const body = err.body as { errors?: unknown } | undefined;
  return Array.isArray(body?.errors) ? (body.errors as SquareBodyError[]).filter((e) => typeof e === 'object' && e !== null) : [];
}

const describe = (errors: SquareBodyError[]) => errors.map((e) => `${e.code ?? e.category ?? 'ERROR'}${e.field ? ` (${e.field})` : ''}${e.detail ? `: ${e.detail}` : ''}`).join('; ');

/**
 * A failed SDK call as the platform's failure: 429 (RATE_LIMITED) → throttled with Retry-After
 * when given; 5xx, 408, a timeout or no answer at all → transient; 401/403 → auth; other 4xx →
 * permanent (classifyHttp, the same for every kind).
 */
export function squareFailure(err: unknown, now: number): CallFailure {
  if (err instanceof SquareTimeoutError) return { ok: false, failure: 'transient', retryAfterMs: null, message: `Square did not answer: ${err.message}` };
  if (!(err instanceof SquareError)) throw err;
  const status = typeof err.statusCode === 'number' && err.statusCode >= 100 && err.statusCode <= 599 && !(err.statusCode >= 200 && err.statusCode < 300) ? err.statusCode : null;
  const errors = bodyErrors(err);
  // Square says RATE_LIMITED in the body; some proxies lose the status, never the code.
  const throttled = status === 429 || errors.some((e) => e.code === 'RATE_LIMITED');
  const failure = throttled ? 'throttled' : classifyHttp(status);
  const retryAfterMs = parseRetryAfter(err.rawResponse?.headers?.get?.('retry-after'), now);
  const what = status === null ? `no answer (${err.message})` : `HTTP ${status}`;
  return { ok: false, failure, retryAfterMs, message: `Square: ${what}${errors.length > 0 ? `: ${describe(errors)}` : ''}` };
}
