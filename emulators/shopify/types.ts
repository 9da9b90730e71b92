// The emulator's public shapes: options, faults, counters and the in-process views of orders and
// refunds. Field names follow the brief the truestock connector is written against.

export interface ShopifyEmulatorOptions {
  /** 'demo-shop' → domain 'demo-shop.myshopify.com'. */
  shop?: string;
  /** Required X-Shopify-Access-Token; default 'shpat_emulator'. */
  accessToken?: string;
  /** Webhook HMAC key; default 'emulator-secret'. */
  clientSecret?: string;
  /** 0 = any free port (default); the host is always 127.0.0.1. */
  port?: number;
  /** Leaky bucket size in cost points, default 2000 (a standard shop's; a setting, as Shopify varies it by plan). */
  bucketSize?: number;
  /** Points restored per second, default 100 (the standard plan). */
  restoreRate?: number;
  /** HTTP status of a THROTTLED answer, default 200 (secondary sources disagree). */
  throttleHttpStatus?: 200 | 429;
  /** Largest requested cost of a single query, default 1000. */
  maxQueryCost?: number;
  /** From 2026-04 a mutation without @idempotent is an error; default true. */
  requireIdempotencyKey?: boolean;
  /** Webhook retries: default 8 attempts, 1000 ms doubling (Shopify: 8 over 4 h; scaled down). */
  webhookRetry?: { attempts: number; baseDelayMs: number };
  /** PRNG seed for fault injection, so a run can be reproduced. Default 1. */
  seed?: number;
  /**
   * Extension: number orders, their line items and refunds from here (default: on the one counter
   * after locations and items). A shop started again beside an existing truestock database passes
   * a number above any earlier run's, so new orders never reuse an old order's id.
   */
  orderIdStart?: number;
  /** Extension: how long a webhook receiver may take to answer, default 5000 ms. */
  webhookTimeoutMs?: number;
  /** Extension: how long an idempotency key is remembered, default 24 h. */
  idempotencyKeyTtlSeconds?: number;
  /**
   * Extension: what time it is (default the system clock). With only a clock, waits (webhook
   * delays, retries, outages) still run on real timers; give `scheduler` to drive those too.
   */
  clock?: EmulatorClock;
  /** Extension: time and every wait the emulator makes — e.g. truestock's kernel scheduler — so a fake clock drives a whole run. */
  scheduler?: EmulatorScheduler;
}

import type { DeliveryFaults, KitClock, KitScheduler, KitSleep } from '../kit/index.ts';

/** Time as the emulator reads it: the kit's clock (`now()`). */
export type EmulatorClock = KitClock;
/** Time and waits: the kit's scheduler slice (`clock`, `sleep(ms)`), which truestock's kernel scheduler fits. */
export type EmulatorScheduler = KitScheduler;
export type EmulatorSleep = KitSleep;

/** Fault injection for webhook deliveries: probabilities 0..1 and a delay range in ms (the kit's switches). */
export type Faults = DeliveryFaults;

/**
 * Failures of Shopify's own making the Admin API can be told to answer, each for the next N
 * requests it applies to (see README "API faults"): `INTERNAL_SERVER_ERROR` a top-level error in
 * an HTTP 200 (a keyed mutation's key is then spent: reusing it answers
 * IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED); the two idempotency codes as inventorySetQuantities
 * userErrors, for calls that carry `@idempotent`.
 */
export const API_FAULTS = ['INTERNAL_SERVER_ERROR', 'IDEMPOTENCY_CONCURRENT_REQUEST', 'IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED'] as const;
export type ApiFault = (typeof API_FAULTS)[number];
/** How many more requests each API fault will answer. */
export type ApiFaults = Record<ApiFault, number>;

export interface Counters {
  /** Requests to the Admin API endpoint (not the control endpoints), whatever their answer. */
  requests: number;
  /** Rate-limit violations: requests answered THROTTLED. */
  throttled: number;
  /** Mutation fields executed, replays and userError answers included. */
  mutations: number;
  /** Quantities written by inventorySetQuantities (one per entry of an applied call). */
  quantitiesSet: number;
  /** Quantity entries refused as CHANGE_FROM_QUANTITY_STALE or COMPARE_QUANTITY_STALE. */
  staleCompares: number;
  /** Mutations answered from the idempotency store. */
  idempotentReplays: number;
  /** Webhook POSTs the receiver acknowledged with 2xx (a fault-injected duplicate counts twice). */
  webhooksSent: number;
  /** Deliveries that exhausted every retry. */
  webhooksFailed: number;
  /** Deliveries the drop fault swallowed. */
  webhooksDropped: number;
  /** Deliveries the duplicate fault sent a second time. */
  webhooksDuplicated: number;
  ordersPlaced: number;
  ordersRefusedOutOfStock: number;
  /** Admin API requests refused with 401. */
  unauthorized: number;
  /** Answers an API fault (`failNext`) made. */
  apiFaults: number;
}

/** The counters the emulator keeps itself; the webhook ones are the kit's WebhookSender's. */
export type ShopCounters = Omit<Counters, 'webhooksSent' | 'webhooksFailed' | 'webhooksDropped' | 'webhooksDuplicated'>;

export type RestockType = 'return' | 'cancel' | 'no_restock';

export interface ShopifyLineItem {
  id: string; // gid://shopify/LineItem/N
  variantId: string;
  inventoryItemId: string;
  sku: string;
  quantity: number;
  /** Units refunded so far, any restock type. */
  refundedQuantity: number;
  /** Units shipped by fulfillOrder (an extension; orders start unfulfilled). */
  fulfilledQuantity: number;
}

export interface ShopifyOrder {
  id: string; // gid://shopify/Order/N
  legacyId: number;
  name: string; // '#1001'
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  /**
   * The location the emulator committed the order's units at. Shopify shows it only for a
   * point-of-sale order (GraphQL Order.retailLocation, webhook location_id); an online order's is null there.
   */
  locationId: string;
  /** A point-of-sale order. */
  pos: boolean;
  lines: ShopifyLineItem[];
}

export interface RefundLine {
  id: string; // gid://shopify/RefundLineItem/N
  lineItemId: string;
  quantity: number;
  restockType: RestockType;
  locationId: string;
}

export interface Refund {
  id: string; // gid://shopify/Refund/N
  orderId: string;
  createdAt: string;
  lines: RefundLine[];
}

export const WEBHOOK_TOPICS = ['orders/create', 'orders/updated', 'orders/cancelled', 'refunds/create', 'inventory_levels/update'] as const;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];
