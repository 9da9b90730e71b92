// The Walmart Marketplace emulator: see README.md.

export { createWalmartEmulator, type EmulatorCounters, startWalmartEmulator, WalmartEmulator } from './emulator.ts';
export { EmulatorError, type EmulatorErrorCode, WALMART_CODES, type WalmartCode } from './errors.ts';
export { FEED_FILE_BYTES_MAX } from './feeds-api.ts';
export { EVENT_TYPES, deliveryAuthHeaders, type HmacEncoding } from './notifications.ts';
export { DEFAULT_RATE_LIMITS, OPERATIONS, type Operation, type RateLimit } from './rate-limits.ts';
export { API_FAULTS, type ApiFault, type NotificationFaults, type WalmartEmulatorOptions } from './types.ts';
