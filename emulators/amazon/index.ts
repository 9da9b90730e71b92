// The Amazon SP-API emulator: see README.md.

export { AmazonEmulator, type EmulatorCounters, RELAY_SIGNATURE_HEADER, startAmazonEmulator } from './emulator.ts';
export { EmulatorError, type EmulatorErrorCode } from './errors.ts';
export { DEFAULT_USAGE_PLANS, OPERATIONS, type Operation, type UsagePlan } from './rate-limits.ts';
export { MFN_QUANTITY_CHANGE } from './quantity-notification.ts';
export { API_FAULTS, type AmazonEmulatorOptions, type ApiFault, type Delays, NOTIFICATION_TYPES, type NotificationFaults, type NotificationType } from './types.ts';
