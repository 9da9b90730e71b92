// RFC 9457 problem details. Every error the API answers with goes through `toProblem`, so a
// client's mistake is a 4xx naming the field and a bug is a bare 500 — never a stack trace.

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, ERRORS, type Refusal, TruestockError } from '../domain/errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ErrorCode;
  retryable: boolean;
  request_id: string;
  field?: string;
  [extra: string]: unknown;
}

/** The problem `type` URI: a page on this server that documents the code. */
export const problemType = (code: ErrorCode) => `/problems/${code}`;

export function problemFrom(refusal: Refusal, req: FastifyRequest): Problem {
  const spec = ERRORS[refusal.code];
  return {
    ...(refusal.extra ?? {}),
    type: problemType(refusal.code),
    title: spec.title,
    status: spec.status,
    detail: refusal.detail,
    instance: req.url,
    code: refusal.code,
    retryable: spec.retryable,
    request_id: String(req.id),
    ...(refusal.field ? { field: refusal.field } : {}),
  };
}

interface AjvError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** `/lines/0/quantity` → `lines[0].quantity`. */
function fieldPath(context: string, err: AjvError): string {
  let path = (err.instancePath ?? '')
    .split('/')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
  const extra = (err.params?.missingProperty ?? err.params?.additionalProperty) as string | undefined;
  if (extra) path = path ? `${path}.${extra}` : extra;
  if (context === 'querystring' || context === 'params' || context === 'headers') return path || context;
  return path || 'body';
}

function describe(context: string, err: AjvError, field: string): string {
  if (err.keyword === 'additionalProperties') return `${field} is not a known field`;
  if (err.keyword === 'required') return `${field} is required`;
  const where = context === 'body' ? '' : ` (${context})`;
  return `${field}${where} ${err.message ?? 'is not valid'}`;
}

/** Map anything thrown inside a request to a refusal, or null for a real internal error. */
export function refusalFromError(err: unknown): Refusal | null {
  if (err instanceof TruestockError) return err.refusal;
  const e = err as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (e?.validation && e.validation.length > 0) {
    const context = e.validationContext ?? 'body';
    const first = e.validation[0]!;
    const field = fieldPath(context, first);
    return { code: 'validation_failed', detail: describe(context, first, field), field };
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'body_too_large', detail: e.message };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'unsupported_media_type', detail: e.message };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { code: 'malformed_body', detail: e.message };
  }
  // Fastify's own client errors (bad JSON, bad content length…) carry a 4xx status.
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { code: e.statusCode === 413 ? 'body_too_large' : e.statusCode === 415 ? 'unsupported_media_type' : 'malformed_body', detail: e.message };
  }
  return null;
}

/** How soon a client (or a channel redelivering a webhook) may try again after a 503: the ledger's queue drains in well under that. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  if (problem.status === 503) reply.header('retry-after', String(BUSY_RETRY_AFTER_SECONDS));
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}
