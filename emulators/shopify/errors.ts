// One registry of the emulator's own refusals (control endpoints and in-process methods). Each
// code maps to an HTTP status and a title; the control endpoints answer them as RFC 9457 problems.

import { emulatorErrors, type Problem as KitProblem } from '../kit/index.ts';

export const EMULATOR_ERRORS = {
  invalid_input: { status: 400, title: 'The request body is not valid' },
  not_found: { status: 404, title: 'No such resource' },
  out_of_stock: { status: 409, title: 'Not enough stock at any location for the order' },
  order_cancelled: { status: 409, title: 'The order is already cancelled' },
  refund_too_large: { status: 409, title: 'The refund exceeds the refundable quantity' },
} as const;

export type EmulatorErrorCode = keyof typeof EMULATOR_ERRORS;

export const { EmulatorError, problemOf, problemAnswer, invalid, notFound, asInvalid } = emulatorErrors(EMULATOR_ERRORS);
export type EmulatorError = InstanceType<typeof EmulatorError>;
export type Problem = KitProblem<EmulatorErrorCode>;
