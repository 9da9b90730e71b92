// Two kinds of refusal. The emulator's own (control endpoints and in-process methods): one
// registry of codes, answered as RFC 9457 problems. Walmart's (the Marketplace API): the models'
// `Error` object (code required; field, description, info, severity, category, causes,
// errorIdentifiers) inside the array wrapper the current error-codes page shows,
// `{"errors":[…]}` — channels.md calls the wrapper unconfirmed; README says why this one.

import { emulatorErrors, type Problem as KitProblem } from '../kit/index.ts';

export const EMULATOR_ERRORS = {
  invalid_input: { status: 400, title: 'The request body is not valid' },
  not_found: { status: 404, title: 'No such resource' },
  out_of_stock: { status: 409, title: 'Not enough quantity at the ship node for the order' },
  order_state: { status: 409, title: 'The order line cannot make that move from its status' },
} as const;

export type EmulatorErrorCode = keyof typeof EMULATOR_ERRORS;

export const { EmulatorError, problemOf, problemAnswer, invalid, notFound, asInvalid } = emulatorErrors(EMULATOR_ERRORS);
export type EmulatorError = InstanceType<typeof EmulatorError>;
export type Problem = KitProblem<EmulatorErrorCode>;

/**
 * Walmart's documented error codes (developer.walmart.com …/docs/error-codes) with their HTTP
 * status, category and severity. REQUEST_ENTITY_TOO_LARGE and SERVICE_UNAVAILABLE are ours: the
 * rate-limiting page names 413 for a file over the limit but no code, and the table has no 503
 * (an unreachable gateway answers a bare status; the emulator's outage does that, its armed 503
 * fault answers with a body).
 */
export const WALMART_CODES = {
  INVALID_REQUEST_HEADER: { status: 400, category: 'DATA', severity: 'ERROR' },
  INVALID_REQUEST_PARAM: { status: 400, category: 'DATA', severity: 'ERROR' },
  INVALID_REQUEST_CONTENT: { status: 400, category: 'DATA', severity: 'ERROR' },
  MISSING_REQUEST_HEADER: { status: 400, category: 'DATA', severity: 'ERROR' },
  MISSING_REQUEST_PARAM: { status: 400, category: 'DATA', severity: 'ERROR' },
  MALFORMED_REQUEST_CONTENT: { status: 400, category: 'DATA', severity: 'ERROR' },
  UNAUTHORIZED: { status: 401, category: 'DATA', severity: 'ERROR' },
  CONTENT_NOT_FOUND: { status: 404, category: 'APPLICATION', severity: 'INFO' },
  URI_NOT_FOUND: { status: 404, category: 'DATA', severity: 'ERROR' },
  METHOD_NOT_ALLOWED: { status: 405, category: 'DATA', severity: 'ERROR' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, category: 'DATA', severity: 'ERROR' },
  REQUEST_ENTITY_TOO_LARGE: { status: 413, category: 'REQUEST', severity: 'ERROR' },
  INVALID_SYSTEM_STATE: { status: 500, category: 'SYSTEM', severity: 'ERROR' },
  SYSTEM_ERROR: { status: 500, category: 'SYSTEM', severity: 'ERROR' },
  REQUEST_THRESHOLD_VIOLATED: { status: 429, category: 'REQUEST', severity: 'ERROR' },
  SERVICE_UNAVAILABLE: { status: 503, category: 'SYSTEM', severity: 'ERROR' },
  DOWNSTREAM_SYSTEM_TIME_OUT: { status: 504, category: 'SYSTEM', severity: 'ERROR' },
} as const;

export type WalmartCode = keyof typeof WALMART_CODES;

/** One entry of a Walmart error answer (the models' `Error`, plus the docs' `message`). */
export interface WalmartErrorEntry {
  code: string;
  field?: string;
  description: string;
  message: string;
  info: string;
  severity: string;
  category: string;
  causes: { code?: string; field?: string; type?: string; description?: string }[];
  errorIdentifiers: Record<string, Record<string, unknown>>;
}

/** A Walmart API refusal, answered with its status and `{"errors":[…]}`. */
export class WalmartError extends Error {
  constructor(
    readonly code: WalmartCode,
    message: string,
    readonly field?: string,
    /** Sent as Retry-After (a 429 that is not a bucket's: the hourly feed window). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'WalmartError';
  }
  get status(): number {
    return WALMART_CODES[this.code].status;
  }
  body(): { errors: WalmartErrorEntry[] } {
    return walmartErrorBody(this.code, this.message, this.field);
  }
}

export function walmartErrorBody(code: WalmartCode, message: string, field?: string): { errors: WalmartErrorEntry[] } {
  const spec = WALMART_CODES[code];
  // `description` is the models' field and `message` the current docs': a client reads either.
  return { errors: [{ code, ...(field !== undefined ? { field } : {}), description: message, message, info: message, severity: spec.severity, category: spec.category, causes: [], errorIdentifiers: {} }] };
}

export const badParam = (field: string, message: string) => new WalmartError('INVALID_REQUEST_PARAM', message, field);
export const badContent = (field: string, message: string) => new WalmartError('INVALID_REQUEST_CONTENT', message, field);
export const missingParam = (field: string) => new WalmartError('MISSING_REQUEST_PARAM', `${field} is required.`, field);
export const contentNotFound = (field: string, message: string) => new WalmartError('CONTENT_NOT_FOUND', message, field);
