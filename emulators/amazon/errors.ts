// Two kinds of refusal. The emulator's own (control endpoints and in-process methods): one
// registry of codes, answered as RFC 9457 problems. Amazon's (the SP-API): the models' ErrorList
// `{"errors":[{code, message, details?}]}`, thrown as SpApiError and answered with its status.

import { emulatorErrors, type Problem as KitProblem } from '../kit/index.ts';

export const EMULATOR_ERRORS = {
  invalid_input: { status: 400, title: 'The request body is not valid' },
  not_found: { status: 404, title: 'No such resource' },
  out_of_stock: { status: 409, title: 'Not enough quantity on the listing or in FBA for the order' },
  order_state: { status: 409, title: 'The order cannot make that move from its status' },
  inbound_short: { status: 409, title: 'Fewer inbound units than the quantity to receive' },
} as const;

export type EmulatorErrorCode = keyof typeof EMULATOR_ERRORS;

export const { EmulatorError, problemOf, problemAnswer, invalid, notFound, asInvalid } = emulatorErrors(EMULATOR_ERRORS);
export type EmulatorError = InstanceType<typeof EmulatorError>;
export type Problem = KitProblem<EmulatorErrorCode>;

/** An SP-API error answer: `{"errors":[{code, message, details?}]}` with an HTTP status. */
export class SpApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: string,
  ) {
    super(message);
    this.name = 'SpApiError';
  }
  body(): { errors: { code: string; message: string; details?: string }[] } {
    return { errors: [{ code: this.code, message: this.message, ...(this.details !== undefined ? { details: this.details } : {}) }] };
  }
}

/** 400 InvalidInput, the code Amazon answers for a request it will not take. */
export const invalidInput = (message: string, details?: string) => new SpApiError(400, 'InvalidInput', message, details);
export const spNotFound = (message: string) => new SpApiError(404, 'NotFound', message);
