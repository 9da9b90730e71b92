// The eBay emulator: see README.md.

export { createEbayEmulator, EbayEmulator, type EmulatorCounters, startEbayEmulator, THROTTLED, TOKEN_PATH } from './emulator.ts';
export { EmulatorError, type EmulatorErrorCode, type EbayErrorDetail } from './errors.ts';
export { BULK_GET_MAX, BULK_OFFERS_MAX, BULK_REQUESTS_MAX, REVISION_LIMIT_ERROR_ID } from './inventory-api.ts';
export { REVISIONS_PER_DAY_MAX } from './catalog.ts';
export { APIS, type Api, type ApiLimit, DEFAULT_LIMITS, OPERATIONS, type Operation } from './rate-limits.ts';
export { TOPICS, type Topic } from './notifications.ts';
export { ebayDay, EBAY_TIME_ZONE } from './time.ts';
export { API_FAULTS, type ApiFault, type EbayEmulatorOptions, type NotificationFaults } from './types.ts';
