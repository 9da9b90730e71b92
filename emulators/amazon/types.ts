// The emulator's public shapes: options, counters, faults.

import type { DeliveryFaults, KitClock, KitScheduler } from '../kit/index.ts';
import type { Operation, UsagePlan } from './rate-limits.ts';

export interface AmazonEmulatorOptions {
  /** 0 = any free port (default); the host is always 127.0.0.1. */
  port?: number;
  /** The one seller whose account this is; default 'A1EMULATEDSELLER'. */
  sellerId?: string;
  /** The seller's marketplaces; default ['ATVPDKIKX0DER'] (Amazon.com). */
  marketplaceIds?: string[];
  /** LWA application credentials and the seller's refresh token. */
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  /** Access token lifetime, default 3600 s (LWA's). */
  accessTokenTtlSeconds?: number;
  /** Product types a patch may name besides those of existing listings; default ['PRODUCT']. */
  productTypes?: string[];
  /** ⚙ How long an ACCEPTED listing patch takes to apply, default 5000 ms. */
  listingProcessingMs?: number;
  /** ⚙ How long a feed waits IN_QUEUE, default 10 000 ms, then how long IN_PROGRESS, default 30 000 ms. */
  feedQueueMs?: number;
  feedProcessingMs?: number;
  /** fulfillmentChannelCode of FBA listings, default 'AMAZON_NA'. */
  afnChannelCode?: string;
  /** ⚙ Summaries per getInventorySummaries page, default 50. */
  fbaPageSize?: number;
  /** Rate and burst per operation, default the models' documented usage plans. */
  usagePlans?: Partial<Record<Operation, UsagePlan>>;
  /** ⚙ A Retry-After (whole seconds) on 429 answers; unconfirmed for Amazon, so off by default. */
  throttleRetryAfter?: boolean;
  /**
   * Notification relay: off unless given (Amazon itself delivers only through SQS/EventBridge).
   * `types`: the notification types relayed, default all (ORDER_CHANGE and LISTINGS_ITEM_MFN_QUANTITY_CHANGE).
   */
  notifications?: { address: string; secret: string; types?: NotificationType[] };
  /** Relay retries, default 5 attempts doubling from 1000 ms; receiver timeout 5000 ms. */
  notificationRetry?: { attempts: number; baseDelayMs: number };
  notificationTimeoutMs?: number;
  /** NotificationMetadata.ApplicationId; default 'amzn1.sp.solution.emulated'. */
  applicationId?: string;
  /**
   * Order numbers and order item ids count up from here (default 0). A new emulator standing in
   * for the same seller (the demo, restarted) starts above what an earlier run could have used,
   * so no order id is ever given twice.
   */
  idStart?: number;
  /** PRNG seed for tokens, ids and fault draws. Default 1. */
  seed?: number;
  /** The URL document links are built on, when callers reach the emulator by another name than its Host header. */
  publicUrl?: string;
  /** Time (default the system clock). With only a clock, waits still run on real timers. */
  clock?: KitClock;
  /** Time and every wait the emulator makes, so a fake clock drives a whole run. */
  scheduler?: KitScheduler;
}

/** The notification types the emulator relays. */
export const NOTIFICATION_TYPES = ['ORDER_CHANGE', 'LISTINGS_ITEM_MFN_QUANTITY_CHANGE'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Notification relay faults: the kit's switches (drop, duplicate, reorder, delayMs). */
export type NotificationFaults = DeliveryFaults;

export const API_FAULTS = ['InternalFailure', 'ServiceUnavailable'] as const;
/** A 500 InternalFailure or a 503 ServiceUnavailable for the next N SP-API calls. */
export type ApiFault = (typeof API_FAULTS)[number];

export interface Delays {
  listingProcessingMs: number;
  feedQueueMs: number;
  feedProcessingMs: number;
}
