// The emulator's public shapes: options, faults.

import type { DeliveryFaults, KitClock, KitScheduler } from '../kit/index.ts';
import type { Api, ApiLimit } from './rate-limits.ts';

export interface EbayEmulatorOptions {
  /** startEbayEmulator only: 0 = any free port (default); the host is always 127.0.0.1. */
  port?: number;
  /** The seller's eBay user id, shown as Order.sellerId; default 'emulated_seller'. */
  sellerId?: string;
  /** The application's OAuth client credentials and the seller's refresh token. */
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  /** Access token lifetime, default 7200 s (eBay's). */
  accessTokenTtlSeconds?: number;
  /** Token endpoint grants per eBay day, default eBay's documented 50,000 refresh_token and 1,000 client_credentials. */
  tokenDailyLimits?: { refresh_token?: number; client_credentials?: number };
  /** Daily quota and short-window bucket per API (README "Rate limits" for the defaults). */
  limits?: Partial<Record<Api, Partial<ApiLimit>>>;
  /** ⚙ A Retry-After (whole seconds) on 429 answers; unconfirmed for eBay, so off by default. */
  throttleRetryAfter?: boolean;
  /** Delivery retries, default 5 attempts doubling from 1000 ms; receiver timeout 5000 ms. */
  notificationRetry?: { attempts: number; baseDelayMs: number };
  notificationTimeoutMs?: number;
  /** How long the endpoint challenge waits for an answer (wall time), default 5000 ms. */
  challengeTimeoutMs?: number;
  /** The fetch the emulator reaches endpoints with (challenge and deliveries); default the global fetch. */
  fetch?: typeof fetch;
  /** Offer, listing, order and line item ids count up from here (default 0): a restarted demo never reuses an id. */
  idStart?: number;
  /** PRNG seed for tokens, ids and fault draws. Default 1. */
  seed?: number;
  /** The URL hrefs and Locations are built on, when callers reach the emulator by another name than its Host header. */
  publicUrl?: string;
  /** Time (default the system clock). With only a clock, waits still run on real timers. */
  clock?: KitClock;
  /** Time and every wait the emulator makes, so a fake clock drives a whole run. */
  scheduler?: KitScheduler;
}

/** Notification delivery faults: the kit's switches (drop, duplicate, reorder, delayMs). */
export type NotificationFaults = DeliveryFaults;

export const API_FAULTS = ['InternalError', 'ServiceUnavailable'] as const;
/** A 500 (the API's system errorId) or a 503 for the next N calls. */
export type ApiFault = (typeof API_FAULTS)[number];
