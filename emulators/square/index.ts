// The Square POS emulator: see README.md.

export { createSquareEmulator, type EmulatorCounters, type PosLineInput, SquareEmulator, startSquareEmulator } from './emulator.ts';
export type { Quantity } from './decimal.ts';
export { EmulatorError, type EmulatorErrorCode } from './errors.ts';
export { BATCH_CHANGES_MAX, OCCURRED_AT_AGE_MAX_MS } from './inventory-api.ts';
export { PAGE_SIZE_MAX } from './paging.ts';
export { DEFAULT_RATE_LIMIT, OPERATIONS, type Operation, type RateLimit } from './rate-limits.ts';
export { API_FAULTS, type ApiFault, type SquareEmulatorOptions } from './types.ts';
export { DEFAULT_WEBHOOK_RETRY, EVENT_TYPES, SIGNATURE_HEADER, squareSignature, type WebhookRetry } from './webhooks.ts';
