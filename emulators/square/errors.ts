// Two kinds of refusal. The emulator's own (control endpoints and in-process methods): one
// registry of codes, answered as RFC 9457 problems. Square's (the API): `{"errors":[{category,
// code, detail?, field?}]}` with the category and code enums of the official model, thrown as
// SquareApiError and answered with its status.

import { emulatorErrors, type Problem as KitProblem } from '../kit/index.ts';

export const EMULATOR_ERRORS = {
  invalid_input: { status: 400, title: 'The request body is not valid' },
  not_found: { status: 404, title: 'No such resource' },
  return_exceeds_sale: { status: 409, title: 'More units returned than the order sold' },
} as const;

export type EmulatorErrorCode = keyof typeof EMULATOR_ERRORS;

export const { EmulatorError, problemOf, problemAnswer, invalid, notFound, asInvalid } = emulatorErrors(EMULATOR_ERRORS);
export type EmulatorError = InstanceType<typeof EmulatorError>;
export type Problem = KitProblem<EmulatorErrorCode>;

/** The categories of the model's ErrorCategory the emulator answers with. */
export type ErrorCategory = 'API_ERROR' | 'AUTHENTICATION_ERROR' | 'INVALID_REQUEST_ERROR' | 'RATE_LIMIT_ERROR';

export interface SquareErrorBody {
  category: ErrorCategory;
  code: string;
  detail?: string;
  field?: string;
}

/** A Square API error answer with its HTTP status. */
export class SquareApiError extends Error {
  constructor(
    readonly status: number,
    readonly category: ErrorCategory,
    readonly code: string,
    detail: string,
    readonly field?: string,
  ) {
    super(detail);
    this.name = 'SquareApiError';
  }
  error(): SquareErrorBody {
    return { category: this.category, code: this.code, detail: this.message, ...(this.field !== undefined ? { field: this.field } : {}) };
  }
  body(): { errors: SquareErrorBody[] } {
    return { errors: [this.error()] };
  }
}

/** 400 INVALID_REQUEST_ERROR with a code of the model's ErrorCode and the field it is about. */
export const badRequest = (code: string, detail: string, field?: string) => new SquareApiError(400, 'INVALID_REQUEST_ERROR', code, detail, field);
export const squareNotFound = (detail: string, field?: string) => new SquareApiError(404, 'INVALID_REQUEST_ERROR', 'NOT_FOUND', detail, field);
