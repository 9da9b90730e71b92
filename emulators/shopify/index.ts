// The Shopify Admin emulator: see README.md.

export { startShopifyEmulator, type ShopifyEmulator } from './emulator.ts';
export { EmulatorError, type EmulatorErrorCode } from './errors.ts';
export type { ApiFault, ApiFaults, Counters, EmulatorClock, EmulatorScheduler, EmulatorSleep, Faults, Refund, RefundLine, RestockType, ShopifyEmulatorOptions, ShopifyLineItem, ShopifyOrder, WebhookTopic } from './types.ts';
export { API_FAULTS, WEBHOOK_TOPICS } from './types.ts';
export { API_VERSIONS, type ApiVersion } from './versions.ts';
