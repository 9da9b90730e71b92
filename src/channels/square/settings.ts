// A Square channel's settings (channels.md §5): the access token, where Square is (the documented
// host, or an explicit endpoint for the emulator or a proxy), the Square-Version to pin, how
// webhooks are proved (the subscription's signature key and the notification URL Square signs),
// and which Square locations are which truestock store locations. `checkSquareSetting` refuses
// bad values when a channel is created or changed; `squareSettings` says what a connection lacks.

import { refusal, type Refusal } from '../../domain/errors.ts';

/** Square's production host ([SQ] `src/environments.ts`). */
export const SQUARE_HOST_DEFAULT = 'https://connect.squareup.com';
/** A Square-Version is a date (`2026-05-20`). */
const SQUARE_VERSION = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Square publishes no rate limits (channels.md §5): our own bucket, kept modest, until the answers
 * say more. A 429 still arrives as `throttled` and the platform waits as told.
 */
export const SQUARE_BUCKET_CALLS_DEFAULT = 10;
export const SQUARE_REFILL_CALLS_PER_SECOND_DEFAULT = 5;

export interface SquareSettings {
  access_token: string;
  /** The webhook subscription's signature key (HMAC-SHA256 over notification URL + raw body). */
  signature_key?: string;
  /** The exact URL Square was told to notify: it is part of what Square signs. */
  notification_url?: string;
  /** Where Square is (no trailing slash needed); default the production host. */
  endpoint?: string;
  /** The `Square-Version` header; default the SDK's pinned version. */
  square_version?: string;
  /** The seller's merchant id: webhooks of another merchant are refused, and it names the account. */
  merchant_id?: string;
  /**
   * Square location id → truestock location code: a store location whose stock the POS sells
   * from directly. Its POS sales are allocated there, its counts are that location's.
   */
  locations: Record<string, string>;
  /** Our own budget for Square's unpublished limits. */
  bucket_size?: number;
  refill_per_second?: number;
}

const STRING_KEYS = ['access_token', 'signature_key', 'merchant_id'] as const;
const URL_KEYS = ['endpoint', 'notification_url'] as const;

/** One of the kind's own settings as the channel's settings hold it (null: fine or absent). */
export function checkSquareSetting(settings: Record<string, unknown>, field: string): Refusal | null {
  for (const k of STRING_KEYS) {
    const v = settings[k];
    if (v !== undefined && (typeof v !== 'string' || v.trim() === '')) return refusal('validation_failed', `${field}.${k} must be a non-empty string`, `${field}.${k}`);
  }
  for (const k of URL_KEYS) {
    const v = settings[k];
    if (v !== undefined && (typeof v !== 'string' || !isHttpUrl(v))) return refusal('validation_failed', `${field}.${k} must be an http(s) URL`, `${field}.${k}`);
  }
  const version = settings.square_version;
  if (version !== undefined && !(typeof version === 'string' && SQUARE_VERSION.test(version))) {
    return refusal('validation_failed', `${field}.square_version must be a date like 2026-05-20`, `${field}.square_version`);
  }
  const locations = settings.locations;
  if (locations !== undefined) {
    const ok = isRecord(locations) && Object.entries(locations).every(([id, code]) => id.trim() !== '' && typeof code === 'string' && code.trim() !== '');
    if (!ok) return refusal('validation_failed', `${field}.locations must map Square location ids to truestock location codes`, `${field}.locations`);
  }
  for (const k of ['bucket_size', 'refill_per_second'] as const) {
    const v = settings[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) return refusal('validation_failed', `${field}.${k} must be a number above 0`, `${field}.${k}`);
  }
  return null;
}

/** A channel's settings as a Square connection, or what is missing or wrong. */
export function squareSettings(settings: Record<string, unknown>): SquareSettings | Refusal {
  const bad = checkSquareSetting(settings, 'settings');
  if (bad) return bad;
  if (typeof settings.access_token !== 'string') return refusal('validation_failed', 'a Square channel needs settings.access_token to sync', 'settings.access_token');
  if (!isRecord(settings.locations) || Object.keys(settings.locations).length === 0) {
    return refusal('validation_failed', 'a Square channel needs settings.locations (Square location id → the store\'s truestock location code) to sync', 'settings.locations');
  }
  return settings as unknown as SquareSettings;
}

/** Where Square is for these settings (no trailing slash). */
export function apiBaseUrl(s: Pick<SquareSettings, 'endpoint'>): string {
  return (s.endpoint ?? SQUARE_HOST_DEFAULT).replace(/\/+$/, '');
}

/**
 * The Square location a listing's number goes to: its own `location_id`, else the channel's only
 * mapped location (a store with one till location needs no location on each listing); null when
 * the channel maps several and the listing names none.
 */
export function squareLocationOf(external: Record<string, string>, locations: Record<string, string>): string | null {
  if (external.location_id) return external.location_id;
  const ids = Object.keys(locations);
  return ids.length === 1 ? ids[0]! : null;
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
