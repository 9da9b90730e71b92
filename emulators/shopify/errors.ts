// One registry of the emulator's own refusals (control endpoints and in-process methods). Each
// code maps to an HTTP status and a title; the control endpoints answer them as RFC 9457 problems.

export const EMULATOR_ERRORS = {
  invalid_input: { status: 400, title: 'The request body is not valid' },
  not_found: { status: 404, title: 'No such resource' },
  out_of_stock: { status: 409, title: 'Not enough stock at any location for the order' },
  order_cancelled: { status: 409, title: 'The order is already cancelled' },
  refund_too_large: { status: 409, title: 'The refund exceeds the refundable quantity' },
} as const;

export type EmulatorErrorCode = keyof typeof EMULATOR_ERRORS;

export class EmulatorError extends Error {
  readonly code: EmulatorErrorCode;
  constructor(code: EmulatorErrorCode, detail: string) {
    super(detail);
    this.name = 'EmulatorError';
    this.code = code;
  }
  get status(): number {
    return EMULATOR_ERRORS[this.code].status;
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: EmulatorErrorCode;
}

export function problemOf(err: EmulatorError): Problem {
  const spec = EMULATOR_ERRORS[err.code];
  return { type: `/_emulator/problems/${err.code}`, title: spec.title, status: spec.status, detail: err.message, code: err.code };
}

export const invalid = (detail: string) => new EmulatorError('invalid_input', detail);
export const notFound = (detail: string) => new EmulatorError('not_found', detail);

/** Runs `f`, turning the RangeError a kit piece throws for a bad argument into invalid_input. */
export function asInvalid<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof RangeError) throw invalid(err.message);
    throw err;
  }
}
