// What the Amazon poll needs from an SP-API client: one GET of an operation, answered as a
// value. The poll spends the operation's budget itself (`PollEnv.spend`) before each call and
// reports what Amazon says of it (`x-amzn-RateLimit-Limit`); the client only sends the request
// with a fresh access token and classifies the answer. Declared here, small, so the poll can be
// tested against recorded answers and wired to the kind's client (sp-api.ts) in one place.

import type { BudgetReport, Failure } from '../../sync/connector.ts';

export type SpAnswer =
  | { ok: true; status: number; body: unknown; budget?: BudgetReport }
  | { ok: false; status: number | null; failure: Failure; retryAfterMs: number | null; message: string; budget?: BudgetReport };

/** A query's values; lists are sent comma-separated, as the SP-API models (Swagger 2.0 `csv`) say. */
export type SpQuery = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

/** One GET of `operation` (its name is also its budget's) at `path` with `query`. */
export type SpGet = (operation: string, path: string, query: SpQuery) => Promise<SpAnswer>;

/** The query string of `query`: absent values left out, lists joined with commas. */
export function queryString(query: SpQuery): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}
