// POST /admin/api/{version}/graphql.json after auth: parse and validate with graphql-js, price
// the operation, charge the bucket, execute, refund the unused points, and report the cost in
// every answer. Order of refusals: bad body (400) → syntax/validation/variables (200 + errors)
// → MAX_COST_EXCEEDED → THROTTLED; only then does anything run.

import { type DocumentNode, execute, type GraphQLError, type GraphQLSchema, getOperationAST, getVariableValues, Kind, type OperationDefinitionNode, parse, validate } from 'graphql';
import type { TokenBucket } from '../kit/index.ts';
import { INTERNAL_ERROR_MESSAGE } from './api-faults.ts';
import { actualCost, requestedCost } from './cost.ts';
import { idempotencyKeyOf, type RequestContext, rootValue } from './resolvers.ts';
import { adminSchema } from './schema.ts';

export interface HttpAnswer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface GraphqlSettings {
  /** The shop's cost-based leaky bucket: the kit's token bucket with cost points as tokens. */
  bucket: TokenBucket;
  maxQueryCost: number;
  throttleHttpStatus: 200 | 429;
}

const RATE_LIMITS_DOC = 'https://shopify.dev/api/usage/rate-limits';

const formatErrors = (errors: readonly GraphQLError[]) => errors.map((e) => e.toJSON());

/**
 * Documents already parsed and validated, per schema: a client sends the same few documents
 * thousands of times, and validating each against the Admin schema again was most of the
 * emulator's work in a burst. Bounded, so a client sending endless distinct documents cannot grow it.
 */
const checkedDocuments = new WeakMap<GraphQLSchema, Map<string, { doc: DocumentNode } | { errors: readonly GraphQLError[] }>>();
const CHECKED_DOCUMENTS_MAX = 500;

function checkedDocument(schema: GraphQLSchema, query: string): { doc: DocumentNode } | { errors: readonly GraphQLError[] } {
  let cache = checkedDocuments.get(schema);
  if (!cache) checkedDocuments.set(schema, (cache = new Map()));
  const known = cache.get(query);
  if (known) return known;
  let checked: { doc: DocumentNode } | { errors: readonly GraphQLError[] };
  try {
    const doc = parse(query);
    const invalid = validate(schema, doc);
    checked = invalid.length > 0 ? { errors: invalid } : { doc };
  } catch (err) {
    checked = { errors: [err as GraphQLError] };
  }
  if (cache.size >= CHECKED_DOCUMENTS_MAX) cache.clear();
  cache.set(query, checked);
  return checked;
}

export async function answerGraphql(body: unknown, ctx: RequestContext, s: GraphqlSettings): Promise<HttpAnswer> {
  const schema = adminSchema(ctx.version);
  const req = body as { query?: unknown; variables?: unknown; operationName?: unknown } | null;
  const variables = req?.variables ?? {};
  if (
    typeof req !== 'object' ||
    req === null ||
    typeof req.query !== 'string' ||
    typeof variables !== 'object' ||
    variables === null ||
    Array.isArray(variables) ||
    (req.operationName != null && typeof req.operationName !== 'string')
  ) {
    return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
  }
  const operationName = (req.operationName as string | null | undefined) ?? undefined;
  const cost = (requested: number, actual: number | null) => ({ cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: throttleStatus(s.bucket) } });
  const refused = (errors: readonly GraphQLError[]) => ({ status: 200, body: { errors: formatErrors(errors), extensions: cost(0, 0) } });

  const checked = checkedDocument(schema, req.query);
  if (!('doc' in checked)) return refused(checked.errors);
  const doc = checked.doc;
  const op = getOperationAST(doc, operationName);
  if (!op) {
    const message = operationName ? `No operation named "${operationName}"` : 'An operation name is required when the document holds several operations';
    return { status: 200, body: { errors: [{ message }], extensions: cost(0, 0) } };
  }
  const coerced = getVariableValues(schema, op.variableDefinitions ?? [], variables as Record<string, unknown>);
  if (coerced.errors) return refused(coerced.errors);

  const requested = requestedCost(schema, doc, op, coerced.coerced);
  if (requested > s.maxQueryCost) {
    return {
      status: 200,
      body: {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${s.maxQueryCost}).`,
            extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: s.maxQueryCost, documentation: RATE_LIMITS_DOC },
          },
        ],
        extensions: cost(requested, null),
      },
    };
  }
  if (!s.bucket.take(requested)) {
    ctx.counters.throttled++;
    const headers: Record<string, string> = s.throttleHttpStatus === 429 ? { 'Retry-After': String(s.bucket.retryAfterSeconds(requested)) } : {};
    return {
      status: s.throttleHttpStatus,
      headers,
      body: { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: RATE_LIMITS_DOC } }], extensions: cost(requested, null) },
    };
  }

  if (ctx.faults.take('INTERNAL_SERVER_ERROR')) {
    // Shopify's own failure, inside an HTTP 200: nothing ran, the points come back, and a keyed
    // mutation's key is spent (reusing it answers IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED).
    ctx.counters.apiFaults++;
    s.bucket.giveBack(requested);
    for (const key of idempotencyKeys(schema, op, coerced.coerced)) ctx.idempotency.fail(key);
    return {
      status: 200,
      body: { errors: [{ message: INTERNAL_ERROR_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: `emulator-${ctx.counters.requests}` } }], data: null, extensions: cost(requested, 0) },
    };
  }

  const result = await execute({ schema, document: doc, rootValue, contextValue: ctx, variableValues: variables as Record<string, unknown>, operationName });
  const actual = Math.min(requested, actualCost(schema, doc, op, coerced.coerced, result.data as Record<string, unknown> | null | undefined));
  s.bucket.giveBack(requested - actual);
  return {
    status: 200,
    body: { ...(result.errors ? { errors: formatErrors(result.errors) } : {}), data: result.data ?? null, extensions: cost(requested, actual) },
  };
}

/** The bucket as Shopify reports it in `extensions.cost.throttleStatus`. */
function throttleStatus(bucket: TokenBucket) {
  const b = bucket.status();
  return { maximumAvailable: b.size, currentlyAvailable: b.available, restoreRate: b.ratePerSecond };
}

/** The `@idempotent` keys of a mutation's top-level fields. */
function idempotencyKeys(schema: ReturnType<typeof adminSchema>, op: OperationDefinitionNode, variables: Record<string, unknown>): string[] {
  if (op.operation !== 'mutation') return [];
  return op.selectionSet.selections.flatMap((sel) => (sel.kind === Kind.FIELD ? [idempotencyKeyOf(schema, [sel], variables)] : [])).filter((k): k is string => k !== undefined);
}
