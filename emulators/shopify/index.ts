// The Shopify Admin emulator: see README.md.

export { startShopifyEmulator, type ShopifyEmulator } from './emulator.ts';
export { EmulatorError, type EmulatorErrorCode } from './errors.ts';
export type { Counters, Faults, Refund, RefundLine, RestockType, ShopifyEmulatorOptions, ShopifyLineItem, ShopifyOrder, WebhookTopic } from './types.ts';
export { WEBHOOK_TOPICS } from './types.ts';
export { API_VERSIONS, type ApiVersion } from './versions.ts';
