// The OpenAPI document as a contract a client generator can trust. @fastify/swagger builds the
// document from the routes' schemas; this pass (its `transformObject`, so /openapi.json and /docs
// both get it) completes every operation in one place, whoever registered the route and however:
//
// - `operationId` derived from the method and the path (`GET /v1/holds/{id}` → `getHoldsById`),
//   unless the route names one — so a route added anywhere gets a stable, unique id;
// - tags (the path's first segment when the route gives none), listed at the top level;
// - `servers`, and both ways to authenticate: an API key (bearer) and the dashboard's session cookie;
// - the `Idempotency-Key` header marked required wherever the route declares it (the route
//   itself keeps answering a missing key with `idempotency_key_required`, not a schema error);
// - responses: the success statuses a route declares, else those its method answers (GET 200,
//   POST 200 or 201 — a create, a hold —, DELETE 200 or 204), and the problem+json answers
//   (RFC 9457, `Problem`) the API gives: 400, 401 (a webhook's signature too), 404, 414, 422,
//   431 and a default for every operation, 403 and 429 where a key or session is needed, 409,
//   413, 415 and 503 for writes; a route declares any other problem it answers itself.
//
// Success bodies are the routes' own response schemas (response-schemas.ts and each area's
// `*-responses.ts`); this pass changes the document, never what a route answers.

import { SESSION_COOKIE } from '../app/sessions.ts';

type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  tags?: string[];
  security?: Json[];
  parameters?: { in: string; name: string; required?: boolean }[];
  responses?: Record<string, Json>;
  [key: string]: unknown;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const PROBLEM_TYPE = 'application/problem+json';

/** The success statuses of an operation that declares none, by method. */
const SUCCESS_BY_METHOD: Record<string, string[]> = { get: ['200'], head: ['200'], options: ['200'], post: ['200', '201'], put: ['200'], patch: ['200'], delete: ['200', '204'] };

const SUCCESS_WORDS: Record<string, string> = { '200': 'OK', '201': 'Created', '204': 'No content' };

/** Problem statuses and what each means here (docs/errors.md lists every code). */
const PROBLEMS: Record<string, string> = {
  '400': 'The request is not valid (validation_failed, malformed_body, idempotency_key_required)',
  '401': 'No valid API key or session (unauthorized); for a channel\'s webhook, no valid signature',
  '403': 'The key\'s role may not do this, or the workspace is suspended',
  '404': 'Not found in this workspace',
  '409': 'A conflict with the current state, or an Idempotency-Key reused for another request',
  '413': 'The request body is too large',
  '415': 'The content type is not one the operation takes',
  '414': 'The URL or one of its path segments is too long (uri_too_long)',
  '422': 'The request is well formed but the rules refuse it',
  '429': 'Too many failed sign-ins or key checks from this source or for this account: wait Retry-After seconds (too_many_attempts)',
  '431': 'The request headers are too large (headers_too_large)',
  '503': 'Busy: retry later (retryable)',
};
const ALWAYS = ['400', '401', '404', '414', '422', '431'];
const AUTHENTICATED = ['403', '429'];
const WRITES = ['409', '413', '415', '503'];

/** RFC 9457 problem details as this API sends them (src/http/problem.ts). */
export const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'instance', 'code', 'retryable', 'request_id'],
  properties: {
    type: { type: 'string', description: 'A URI reference to the page documenting the code (`/problems/{code}`)' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request\'s path' },
    code: { type: 'string', description: 'Stable machine-readable code (docs/errors.md)' },
    retryable: { type: 'boolean' },
    request_id: { type: 'string', description: 'The `request-id` response header' },
    field: { type: 'string', description: 'The field, parameter or header at fault' },
  },
  additionalProperties: true,
} as const;

const words = (s: string) => s.split(/[^A-Za-z0-9]+/).filter(Boolean);
const pascal = (s: string) => words(s).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');

/** `get` + `/v1/holds/{id}/allocate` → `getHoldsByIdAllocate` (the version prefix is left out). */
export function operationIdOf(method: string, path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && !/^v\d+$/.test(p));
  return method.toLowerCase() + parts.map((p) => (p.startsWith('{') ? `By${pascal(p.slice(1, -1))}` : pascal(p))).join('');
}

function problemResponse(description: string): Json {
  return { description, content: { [PROBLEM_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } } };
}

function completeOperation(method: string, path: string, op: Operation): void {
  op.operationId ??= operationIdOf(method, path);
  if (!op.tags || op.tags.length === 0) op.tags = [path.split('/').filter((p) => p !== '' && !/^v\d+$/.test(p))[0] ?? 'operations'];
  for (const p of op.parameters ?? []) if (p.in === 'header' && p.name.toLowerCase() === 'idempotency-key') p.required = true;

  const given = op.responses ?? {};
  const responses: Record<string, Json> = {};
  const declared = Object.keys(given).filter((s) => /^2/.test(s) && !(s === '200' && isPlaceholder(given[s]!)));
  for (const status of declared.length > 0 ? declared : SUCCESS_BY_METHOD[method] ?? ['200']) {
    const r = given[status];
    responses[status] = r && !isPlaceholder(r) ? r : status === '204' ? { description: SUCCESS_WORDS[status]! } : { description: SUCCESS_WORDS[status] ?? 'OK', content: { 'application/json': { schema: { type: 'object' } } } };
  }
  const authenticated = !(Array.isArray(op.security) && op.security.length === 0);
  const statuses = [...ALWAYS, ...(authenticated ? AUTHENTICATED : []), ...(method === 'get' || method === 'head' ? [] : WRITES)].sort();
  for (const status of statuses) responses[status] = given[status] ?? problemResponse(PROBLEMS[status]!);
  for (const [status, r] of Object.entries(given)) if (!(status in responses) && !/^2/.test(status)) responses[status] = r;
  responses.default = problemResponse('Any other problem (500 internal_error: quote the request id)');
  op.responses = responses;
}

/** Fastify-swagger's stand-in for an undeclared response. */
function isPlaceholder(r: Json): boolean {
  return r.description === 'Default Response' && r.content === undefined;
}

/** The document, completed as the header says. Pure: it changes and returns `doc`. */
export function completeContract<T extends Json>(doc: T): T {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation>>;
  const tags = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      completeOperation(method, path, op);
      for (const t of op.tags ?? []) tags.add(t);
    }
  }
  const components = ((doc as Json).components ??= {}) as Json;
  const schemas = (components.schemas ??= {}) as Json;
  schemas.Problem = PROBLEM_SCHEMA;
  const schemes = (components.securitySchemes ??= {}) as Json;
  schemes.session = { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The dashboard\'s session (`POST /v1/session`), when there is no Authorization header' };
  // Either way of authenticating will do.
  (doc as Json).security = [{ apiKey: [] }, { session: [] }];
  (doc as Json).servers ??= [{ url: '/', description: 'This truestock server (the document is served by it)' }];
  const known = new Set(((doc as Json).tags as { name: string }[] | undefined ?? []).map((t) => t.name));
  (doc as Json).tags = [...((doc as Json).tags as Json[] | undefined ?? []), ...[...tags].filter((t) => !known.has(t)).sort().map((name) => ({ name }))];
  return doc;
}
