// Test support for the Square kind: every inventory request the connector sends checked against
// Square's official model (../shared/specs/square), and a scripted Square for unit tests that
// answers what a test tells it to and records what it was asked.

import { loadApiModel } from '../../../test/support/spec-validator.ts';

const SPECS = new URL('../../../../shared/specs/square/', import.meta.url).pathname;
export const squareModel = loadApiModel(`${SPECS}inventory-subset.api.json`);

/**
 * `inner`, with every request checked on the way: an inventory request against the official
 * model, and every request for the bearer token and a Square-Version. Problems go to `invalid`.
 */
export function validatingFetch(inner: typeof fetch, invalid: string[]): typeof fetch {
  return async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const text = req.body ? await req.clone().text() : '';
    if (url.pathname.startsWith('/v2/inventory')) {
      const body = text === '' ? undefined : (JSON.parse(text) as unknown);
      const check = squareModel.validateRequest({ method: req.method, url: url.pathname + url.search, body });
      if (check.operationId === undefined) invalid.push(`request ${req.method} ${url.pathname}: no operation of the model`);
      for (const e of check.errors) invalid.push(`request ${req.method} ${url.pathname}: ${e}`);
    }
    if (!/^Bearer \S+$/.test(req.headers.get('authorization') ?? '')) invalid.push(`request ${req.method} ${url.pathname}: no bearer token`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(req.headers.get('square-version') ?? '')) invalid.push(`request ${req.method} ${url.pathname}: no Square-Version`);
    return inner(req);
  };
}

export interface SeenRequest {
  method: string;
  path: string;
  body: Record<string, unknown>;
  headers: Headers;
}

export type Answer = { status: number; body: unknown; headers?: Record<string, string> } | 'network';

/** A scripted Square: each request gets the next scripted answer (else 200 with `fallback(request)`). */
export function scriptedSquare(fallback: (r: SeenRequest) => unknown = () => ({ counts: [], changes: [] })) {
  const seen: SeenRequest[] = [];
  const script: Answer[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const req = new Request(input, init);
    const text = req.body ? await req.text() : '';
    const r: SeenRequest = { method: req.method, path: new URL(req.url).pathname, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), headers: req.headers };
    seen.push(r);
    const a = script.shift() ?? { status: 200, body: fallback(r) };
    if (a === 'network') throw new TypeError('fetch failed: connection reset');
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json', ...(a.headers ?? {}) } });
  };
  return { seen, script, fetch: fetchImpl };
}
