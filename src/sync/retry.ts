// When to try a failed call again (docs/sync-out.md): exponential backoff with full jitter, the
// channel's Retry-After honoured (never retried sooner than it asks), and which answers are worth
// retrying at all. The HTTP helpers every connector uses to report a failed answer. Pure: `now`
// and `random` are passed in.

import type { CallFailure, Failure } from './connector.ts';

export interface BackoffSpec {
  baseMs: number;
  maxMs: number;
  /** Growth per attempt; 2 when absent. */
  factor?: number;
}

/** First retry waits up to this long. */
export const RETRY_BASE_MS = 500;
/** No backoff waits longer than this, however many attempts failed. */
export const RETRY_MAX_MS = 60_000;
/** Each attempt doubles the ceiling of the wait. */
export const RETRY_FACTOR = 2;
export const DEFAULT_BACKOFF: Readonly<BackoffSpec> = Object.freeze({ baseMs: RETRY_BASE_MS, maxMs: RETRY_MAX_MS, factor: RETRY_FACTOR });

/**
 * Full jitter (AWS architecture blog): uniform in [0, min(max, base × factor^attempt)]. attempt
 * starts at 0. Returns whole ms, uniform over 0..⌊ceiling⌋. Spreading over the whole range (not
 * around the ceiling) is what keeps many retries from arriving together.
 */
export function backoffDelay(attempt: number, spec: BackoffSpec, random: () => number): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt must be a whole number ≥ 0, got ${attempt}`);
  const factor = spec.factor ?? RETRY_FACTOR;
  if (!(spec.baseMs >= 0) || !(spec.maxMs >= 0) || !Number.isFinite(spec.maxMs) || !(factor >= 1)) {
    throw new RangeError(`backoff spec needs baseMs ≥ 0, finite maxMs ≥ 0 and factor ≥ 1, got ${JSON.stringify(spec)}`);
  }
  // factor^attempt overflows to Infinity for large attempts; min() takes care of that.
  const ceiling = Math.floor(Math.min(spec.maxMs, spec.baseMs * factor ** attempt));
  const r = random();
  const u = r >= 0 && r < 1 ? r : 0; // a broken random source must not produce NaN or negative waits
  return Math.min(ceiling, Math.floor(u * (ceiling + 1)));
}

/**
 * Parse a Retry-After header value: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns ms
 * from now, or null when absent/unparseable. Negative → 0.
 *
 * Lenient where servers are known to stray: decimal seconds ("2.0", Shopify REST) and a leading
 * minus are accepted; date formats are matched case-insensitively. All three date forms RFC 9110
 * §5.6.7 obliges recipients to accept are read (IMF-fixdate, RFC 850, asctime), always as GMT —
 * never through Date.parse, which reads asctime in the server's local zone.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (v === '') return null;
  if (/^-?\d+(\.\d+)?$/.test(v)) {
    const ms = Number(v) * 1000;
    return Number.isFinite(ms) ? Math.max(0, Math.ceil(ms)) : null;
  }
  const at = parseHttpDate(v, now);
  return at === null ? null : Math.max(0, at - now);
}

/**
 * The delay before the next attempt: the channel's Retry-After when given (never shorter), else
 * backoffDelay. The channel's hint is taken as is — it knows when its window reopens, and
 * jittering below it would only earn another refusal.
 */
export function nextDelay(attempt: number, retryAfterMs: number | null, spec: BackoffSpec, random: () => number): number {
  if (retryAfterMs !== null && Number.isFinite(retryAfterMs)) return Math.max(0, retryAfterMs);
  return backoffDelay(attempt, spec, random);
}

/**
 * Classify a failed HTTP answer (null = network error/timeout): 429 → throttled (wait, the
 * channel is healthy); 408, 5xx, network → transient (retry with backoff, counts against the
 * breaker); 401 and 403 → auth (the credentials were refused: the channel pauses for a person);
 * other 4xx → permanent (the same request will fail again: dead-letter it). An
 * unexpected 1xx/3xx is permanent too — resending it changes nothing. Channels that signal
 * throttling in a 200 body (Shopify THROTTLED) must be recognised by the connector; a 2xx given
 * here is a programmer error.
 */
export function classifyHttp(status: number | null): Failure {
  if (status === null) return 'transient';
  if (!Number.isInteger(status) || status < 100 || status > 599) throw new RangeError(`not an HTTP status: ${status}`);
  if (status >= 200 && status < 300) throw new RangeError(`HTTP ${status} is not a failure`);
  if (status === 429) return 'throttled';
  if (status === 408 || status >= 500) return 'transient';
  if (status === 401 || status === 403) return 'auth';
  return 'permanent';
}

/**
 * A failed HTTP answer as every connector reports it: what it means, and how long the channel
 * asked us to wait (Retry-After; a channel without one leaves the wait to backoff).
 */
export function httpFailure(status: number | null, headers: { get(name: string): string | null } | null, message: string, now: number): CallFailure {
  return { ok: false, failure: classifyHttp(status), retryAfterMs: parseRetryAfter(headers?.get('retry-after'), now), message };
}

// ---- HTTP-date (RFC 9110 §5.6.7) ----------------------------------------------------------------

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const IMF_FIXDATE = /^(?:mon|tue|wed|thu|fri|sat|sun), (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) gmt$/i;
const RFC850_DATE = /^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday), (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) gmt$/i;
const ASCTIME_DATE = /^(?:mon|tue|wed|thu|fri|sat|sun) ([a-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/i;

/** Epoch ms of an HTTP-date, or null. */
function parseHttpDate(v: string, now: number): number | null {
  let m = IMF_FIXDATE.exec(v);
  if (m) return utc(Number(m[3]), m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = RFC850_DATE.exec(v);
  if (m) {
    // Two-digit year: RFC 9110 says a year that looks more than 50 years ahead is the most
    // recent past year with the same last two digits.
    const yy = Number(m[3]);
    const thisYear = new Date(now).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + yy;
    if (year > thisYear + 50) year -= 100;
    else if (year < thisYear - 49) year += 100;
    return utc(year, m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  m = ASCTIME_DATE.exec(v);
  if (m) return utc(Number(m[6]), m[1]!, Number(m[2]!.trim()), Number(m[3]), Number(m[4]), Number(m[5]));
  return null;
}

function utc(year: number, monthName: string, day: number, hour: number, minute: number, second: number): number | null {
  const month = MONTHS.indexOf(monthName.toLowerCase());
  if (month < 0 || hour > 23 || minute > 59 || second > 60 || day < 1) return null;
  // A leap second (60) is read as the next second's start; Date.UTC would roll other overflow
  // (31 Feb) silently, so the day is checked against the month.
  const ms = Date.UTC(year, month, day, hour, minute, Math.min(second, 59)) + (second === 60 ? 1000 : 0);
  if (new Date(Date.UTC(year, month, day)).getUTCDate() !== day) return null;
  return ms;
}
