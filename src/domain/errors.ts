// The one registry of outcome codes. Every refusal a command or the API can answer with is listed
// here with its HTTP status and whether a client may retry the same request unchanged.
// docs/errors.md documents each code; a test fails when the two drift apart.

export interface ErrorSpec {
  readonly status: number;
  readonly title: string;
  /**
   * The same request may succeed later without the client changing it. Refusals are stored under
   * their Idempotency-Key, so that later attempt carries a new key — except `busy` and
   * `internal_error`, which are not stored and may be retried with the same key.
   */
  readonly retryable: boolean;
}

export const ERRORS = {
  validation_failed: { status: 400, title: 'The request is not valid', retryable: false },
  malformed_body: { status: 400, title: 'The request body could not be parsed', retryable: false },
  body_too_large: { status: 413, title: 'The request body is too large', retryable: false },
  unsupported_media_type: { status: 415, title: 'Send application/json', retryable: false },
  idempotency_key_required: { status: 400, title: 'An Idempotency-Key header is required', retryable: false },
  idempotency_key_reused: {
    status: 409,
    title: 'This Idempotency-Key was already used with a different request',
    retryable: false,
  },
  unauthorized: { status: 401, title: 'A valid API key is required', retryable: false },
  forbidden: { status: 403, title: 'This API key’s role may not do that', retryable: false },
  workspace_suspended: { status: 403, title: 'The workspace is suspended', retryable: false },
  too_many_attempts: { status: 429, title: 'Too many failed attempts: wait before trying again', retryable: true },
  not_found: { status: 404, title: 'No such resource in this workspace', retryable: false },
  route_not_found: { status: 404, title: 'No such endpoint', retryable: false },
  method_not_allowed: { status: 405, title: 'The endpoint does not take this method', retryable: false },
  uri_too_long: { status: 414, title: 'The URL is too long', retryable: false },
  headers_too_large: { status: 431, title: 'The request headers are too large', retryable: false },
  malformed_request: { status: 400, title: 'The request line or URL could not be read', retryable: false },
  invalid_quantity: { status: 422, title: 'Quantities are whole numbers of units', retryable: false },
  unknown_item: { status: 422, title: 'No item with that SKU in this workspace', retryable: false },
  unknown_location: { status: 422, title: 'No location with that code in this workspace', retryable: false },
  item_archived: { status: 422, title: 'The item is archived', retryable: false },
  item_has_no_stock: { status: 422, title: 'A bundle or multipack holds no stock of its own', retryable: false },
  sku_taken: { status: 409, title: 'Another item already has this SKU', retryable: false },
  location_code_taken: { status: 409, title: 'Another location already has this code', retryable: false },
  insufficient_stock: { status: 409, title: 'Not enough stock in that bucket', retryable: true },
  hold_expired: { status: 409, title: 'The hold has expired', retryable: false },
  hold_not_active: { status: 409, title: 'The hold is no longer active', retryable: false },
  allocation_not_open: { status: 409, title: 'The allocation is not open', retryable: false },
  nothing_to_ship: { status: 409, title: 'Nothing is left to ship on that line', retryable: false },
  order_not_pending: { status: 409, title: 'The order is not pending', retryable: false },
  order_not_allocated: { status: 409, title: 'The order has no allocation to act on', retryable: false },
  order_closed: { status: 409, title: 'The order is shipped or cancelled', retryable: false },
  nothing_to_cancel: { status: 409, title: 'Fewer units are left to cancel on that line', retryable: false },
  not_whole_cases: { status: 422, title: 'The line is not a whole number of cases', retryable: false },
  below_minimum: { status: 422, title: 'The order is below the channel’s minimum', retryable: false },
  ship_date_too_soon: { status: 422, title: 'The requested ship date is inside the lead time', retryable: false },
  barcode_taken: { status: 409, title: 'Another item already has this barcode', retryable: false },
  product_handle_taken: { status: 409, title: 'Another product already has this handle', retryable: false },
  channel_name_taken: { status: 409, title: 'Another channel already has this name', retryable: false },
  workspace_name_taken: { status: 409, title: 'Another workspace already has this name', retryable: false },
  listing_taken: { status: 409, title: 'That channel identifier is already mapped', retryable: false },
  invalid_component: { status: 422, title: 'A bundle component is not valid', retryable: false },
  variant_taken: { status: 409, title: 'Another variant of this product has these options', retryable: false },
  document_number_taken: { status: 409, title: 'Another document already has this number', retryable: false },
  document_closed: { status: 409, title: 'The document is no longer open', retryable: false },
  over_receipt: { status: 409, title: 'More units than expected', retryable: false },
  nothing_to_inspect: { status: 409, title: 'Fewer units are awaiting inspection', retryable: false },
  approval_required: { status: 403, title: 'An admin must approve this count variance', retryable: false },
  csv_invalid: { status: 422, title: 'The file has rows that cannot be imported', retryable: false },
  webhook_signature_invalid: { status: 401, title: 'The webhook is not signed by the channel', retryable: false },
  busy: { status: 503, title: 'The ledger is busy; retry shortly', retryable: true },
  internal_error: { status: 500, title: 'Internal error', retryable: true },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** A refusal: the command wrote nothing. */
export interface Refusal {
  readonly code: ErrorCode;
  readonly detail: string;
  /** The request field the refusal is about, e.g. `lines[1].quantity`. */
  readonly field?: string;
  readonly extra?: Record<string, unknown>;
}

export function refusal(code: ErrorCode, detail: string, field?: string, extra?: Record<string, unknown>): Refusal {
  return { code, detail, ...(field ? { field } : {}), ...(extra ? { extra } : {}) };
}

/** Thrown by outer layers (HTTP, app) to answer with a registry code; domain code returns Refusals instead. */
export class TruestockError extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.detail);
    this.name = 'TruestockError';
  }
  static of(code: ErrorCode, detail: string, field?: string, extra?: Record<string, unknown>): TruestockError {
    return new TruestockError(refusal(code, detail, field, extra));
  }
}

/**
 * A broken invariant: a bug, never a client's mistake. Rolls the transaction back. The message
 * is a function so that hot paths build no string unless the check fails.
 */
export function invariant(condition: unknown, message: () => string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message()}`);
}
