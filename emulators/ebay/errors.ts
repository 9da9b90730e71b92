// Two kinds of refusal. The emulator's own (control endpoints and in-process methods): one
// registry of codes, answered as RFC 9457 problems. eBay's (the REST APIs): the models' error
// container `{"errors":[{errorId, domain, category, message, longMessage?, parameters?}]}`,
// thrown as EbayApiError and answered with its status.

import { emulatorErrors, type Problem as KitProblem } from '../kit/index.ts';

export const EMULATOR_ERRORS = {
  invalid_input: { status: 400, title: 'The request body is not valid' },
  not_found: { status: 404, title: 'No such resource' },
  out_of_stock: { status: 409, title: 'Not enough quantity on the listing for the order' },
  order_state: { status: 409, title: 'The order cannot make that move from its state' },
} as const;

export type EmulatorErrorCode = keyof typeof EMULATOR_ERRORS;

export const { EmulatorError, problemOf, problemAnswer, invalid, notFound, asInvalid } = emulatorErrors(EMULATOR_ERRORS);
export type EmulatorError = InstanceType<typeof EmulatorError>;
export type Problem = KitProblem<EmulatorErrorCode>;

/** One entry of eBay's error container (the models' `Error` type). */
export interface EbayErrorDetail {
  errorId: number;
  domain: string;
  category: 'REQUEST' | 'APPLICATION' | 'BUSINESS';
  message: string;
  longMessage?: string;
  parameters?: { name: string; value: string }[];
}

/** An eBay error answer: `{"errors":[…]}` with an HTTP status. */
export class EbayApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: EbayErrorDetail,
  ) {
    super(detail.message);
    this.name = 'EbayApiError';
  }
  body(): { errors: EbayErrorDetail[] } {
    return { errors: [this.detail] };
  }
}

export const INVENTORY = 'API_INVENTORY';
export const FULFILLMENT = 'API_FULFILLMENT';
export const NOTIFICATION = 'API_NOTIFICATION';

/** An error detail with its `{name, value}` parameters. */
export function detail(errorId: number, domain: string, message: string, params: Record<string, string> = {}, category: EbayErrorDetail['category'] = 'REQUEST'): EbayErrorDetail {
  const parameters = Object.entries(params).map(([name, value]) => ({ name, value }));
  return { errorId, domain, category, message, ...(parameters.length > 0 ? { parameters } : {}) };
}

/** A 400 with one of the errorIds the model lists for the operation. */
export const badRequest = (errorId: number, domain: string, message: string, params: Record<string, string> = {}) => new EbayApiError(400, detail(errorId, domain, message, params));
