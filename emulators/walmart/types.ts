// The emulator's public shapes: options, faults, delays.

import type { DeliveryFaults, KitClock, KitScheduler } from '../kit/index.ts';
import type { HmacEncoding } from './notifications.ts';
import type { Operation, RateLimit } from './rate-limits.ts';

export interface WalmartEmulatorOptions {
  /** 0 = any free port (default); the host is always 127.0.0.1. */
  port?: number;
  /** The seller (partner) id notifications and feed lists carry; default '10000000001'. */
  partnerId?: string;
  /** Client credentials for POST /v3/token. */
  clientId?: string;
  clientSecret?: string;
  /** Access token lifetime, default 900 s (Walmart's 15 minutes). */
  accessTokenTtlSeconds?: number;
  /** The seller's ship nodes; default ['10000000001']. The first is the default node. */
  shipNodes?: string[];
  /** ⚙ How long a feed stays RECEIVED (default 300 000 ms), then INPROGRESS (default 1 500 000 ms): about 30 minutes in all. */
  feedReceivedMs?: number;
  feedProcessingMs?: number;
  /** ⚙ Inventory feeds per sliding hour, default 10. */
  feedsPerHour?: number;
  /** Per-operation buckets; default DEFAULT_RATE_LIMITS (unconfirmed figures, README). */
  rateLimits?: Partial<Record<Operation, RateLimit>>;
  /** ⚙ Encoding of the HMAC delivery signature (unconfirmed), default 'base64'. */
  hmacEncoding?: HmacEncoding;
  /** Delivery retries, default 3 attempts in all doubling from 5000 ms; receiver timeout 10 000 ms. */
  notificationRetry?: { attempts: number; baseDelayMs: number };
  notificationTimeoutMs?: number;
  /** Where deliveries go through (default: the global fetch at each delivery). */
  notificationFetch?: typeof fetch;
  /** Purchase order numbers count up from here (default 0): a restarted demo never repeats one. */
  idStart?: number;
  /** PRNG seed for tokens, ids and fault draws. Default 1. */
  seed?: number;
  /** Time (default the system clock). With only a clock, waits still run on real timers. */
  clock?: KitClock;
  /** Time and every wait the emulator makes, so a fake clock drives a whole run. */
  scheduler?: KitScheduler;
}

export type NotificationFaults = DeliveryFaults;

export const API_FAULTS = ['SYSTEM_ERROR', 'SERVICE_UNAVAILABLE', 'DOWNSTREAM_SYSTEM_TIME_OUT'] as const;
/** A 500, 503 or 504 in Walmart's error shape for the next N API calls. */
export type ApiFault = (typeof API_FAULTS)[number];

export interface FeedDelaySettings {
  feedReceivedMs: number;
  feedProcessingMs: number;
}
