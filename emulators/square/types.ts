// The Square emulator's options and the shapes its in-process surface takes.

import type { KitClock, KitScheduler } from '../kit/index.ts';
import type { OrderEventMode } from './merchant.ts';
import type { RateLimit } from './rate-limits.ts';
import type { WebhookRetry } from './webhooks.ts';

export const API_FAULTS = ['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE'] as const;
export type ApiFault = (typeof API_FAULTS)[number];

export interface SquareEmulatorOptions {
  /** Time only (real timers on it); or `scheduler` for a fake clock that also ends pauses. */
  clock?: KitClock;
  scheduler?: KitScheduler;
  port?: number;
  /** The bearer token every API call must carry. */
  accessToken?: string;
  merchantId?: string;
  applicationId?: string;
  /** Sent as `square-environment` on webhooks. */
  environment?: 'Production' | 'Sandbox';
  /** Locations present from the start (default: one store, LSTORE000001). */
  locations?: { id: string; name?: string }[];
  rateLimit?: RateLimit;
  /** Put a Retry-After on 429s (default false: Square documents none, so a client must back off on its own). */
  throttleRetryAfter?: boolean;
  webhookRetry?: WebhookRetry;
  orderEvents?: OrderEventMode;
  /** How webhooks are POSTed (default: the global fetch); a test or an in-process run passes its own. */
  webhookFetch?: typeof fetch;
  /** Seeds ids and the webhook fault draws. */
  seed?: number;
  /**
   * Seeds ids (orders, changes, events) apart from the fault draws. The emulator keeps no state:
   * a demo restarted with the same seed would hand out the same order ids again, so it passes a
   * fresh `idSeed` (e.g. from the time) and keeps `seed` for replayable faults.
   */
  idSeed?: number;
}
