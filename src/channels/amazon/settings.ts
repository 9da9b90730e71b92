// An Amazon channel's settings (channels.md §2): the seller account, the Login with Amazon
// credentials, where SP-API is (a region's documented host, or an explicit endpoint for an
// emulator or a proxy), and a few tuning knobs. `checkAmazonSetting` refuses bad values when a
// channel is created or changed; `amazonSettings` says what a connection still lacks.

import { refusal, type Refusal } from '../../domain/errors.ts';

/** SP-API's documented hosts per selling region (channels.md §2 "Hosts"). */
export const AMAZON_REGION_HOSTS = {
  na: 'https://sellingpartnerapi-na.amazon.com',
  eu: 'https://sellingpartnerapi-eu.amazon.com',
  fe: 'https://sellingpartnerapi-fe.amazon.com',
} as const;
export type AmazonRegion = keyof typeof AMAZON_REGION_HOSTS;

/** Login with Amazon's token endpoint. */
export const AMAZON_LWA_URL_DEFAULT = 'https://api.amazon.com/auth/o2/token';

/**
 * The product type sent with a quantity-only patch or feed message. Both require one; Amazon's
 * generic `PRODUCT` type carries the offer attributes (`fulfillment_availability`) of any listing,
 * so a quantity update does not need to know the listing's real product type.
 */
export const AMAZON_PRODUCT_TYPE_DEFAULT = 'PRODUCT';

/** One operation's usage plan as a setting: requests per second and burst. */
export interface RateLimitSetting {
  rate: number;
  burst: number;
}

export interface AmazonSettings {
  /** The selling partner id (merchant token): the account, and `{sellerId}` in Listings paths. */
  seller_id: string;
  client_id: string;
  client_secret: string;
  refresh_token: string;
  /** Where SP-API is: `region` picks the documented host; `endpoint` (a base URL) wins when set. */
  region?: AmazonRegion;
  endpoint?: string;
  lwa_url?: string;
  /** `productType` of quantity patches and feed messages (default PRODUCT). */
  product_type?: string;
  /** Usage plans that differ from the documented defaults, by operation name (`patchListingsItem`). */
  rate_limits?: Record<string, RateLimitSetting>;
  /** A push of at least this many listings goes as a JSON_LISTINGS_FEED (default: from the patch budget). */
  feed_min_items?: number;
  /** How often processing submissions are looked at, in seconds (default: the platform's). */
  submission_poll_seconds?: number;
  // Inbound (orders, FBA, notifications) reads these; they are checked here so a channel is
  // refused once, whichever side would use them.
  /** Relayed ORDER_CHANGE notifications are signed with this (HMAC-SHA256). */
  notification_secret?: string;
  /** Amazon marketplace id → truestock location code (merchant-fulfilled sales and FBA stock). */
  locations?: Record<string, string>;
  /** Marketplaces whose FBA stock is read (each a channel-managed location through `locations`). */
  fba_marketplace_ids?: string[];
}

const STRING_KEYS = ['seller_id', 'client_id', 'client_secret', 'refresh_token', 'product_type', 'notification_secret'] as const;
const URL_KEYS = ['endpoint', 'lwa_url'] as const;
/** What a connection needs before it can call SP-API. */
const REQUIRED_KEYS = ['seller_id', 'client_id', 'client_secret', 'refresh_token'] as const;

/** One of the kind's own settings as the channel's settings hold it (null: fine or absent). */
export function checkAmazonSetting(settings: Record<string, unknown>, field: string): Refusal | null {
  for (const k of STRING_KEYS) {
    const v = settings[k];
    if (v !== undefined && (typeof v !== 'string' || v.trim() === '')) return refusal('validation_failed', `${field}.${k} must be a non-empty string`, `${field}.${k}`);
  }
  for (const k of URL_KEYS) {
    const v = settings[k];
    if (v !== undefined && (typeof v !== 'string' || !isHttpUrl(v))) return refusal('validation_failed', `${field}.${k} must be an http(s) URL`, `${field}.${k}`);
  }
  if (settings.region !== undefined && !(typeof settings.region === 'string' && settings.region in AMAZON_REGION_HOSTS)) {
    return refusal('validation_failed', `${field}.region must be one of ${Object.keys(AMAZON_REGION_HOSTS).join(', ')}`, `${field}.region`);
  }
  const limits = settings.rate_limits;
  if (limits !== undefined) {
    if (!isRecord(limits)) return refusal('validation_failed', `${field}.rate_limits must be an object of operation → { rate, burst }`, `${field}.rate_limits`);
    for (const [op, l] of Object.entries(limits)) {
      if (!isRecord(l) || !positive(l.rate) || !positive(l.burst)) return refusal('validation_failed', `${field}.rate_limits.${op} needs a rate (requests per second) and a burst above 0`, `${field}.rate_limits.${op}`);
    }
  }
  if (settings.feed_min_items !== undefined && !(Number.isInteger(settings.feed_min_items) && (settings.feed_min_items as number) >= 1)) {
    return refusal('validation_failed', `${field}.feed_min_items must be a whole number ≥ 1`, `${field}.feed_min_items`);
  }
  if (settings.submission_poll_seconds !== undefined && !positive(settings.submission_poll_seconds)) {
    return refusal('validation_failed', `${field}.submission_poll_seconds must be a number above 0`, `${field}.submission_poll_seconds`);
  }
  if (settings.locations !== undefined && !(isRecord(settings.locations) && Object.values(settings.locations).every((v) => typeof v === 'string' && v.trim() !== ''))) {
    return refusal('validation_failed', `${field}.locations must map marketplace ids to location codes`, `${field}.locations`);
  }
  const fba = settings.fba_marketplace_ids;
  if (fba !== undefined && !(Array.isArray(fba) && fba.every((v) => typeof v === 'string' && v.trim() !== ''))) {
    return refusal('validation_failed', `${field}.fba_marketplace_ids must be a list of marketplace ids`, `${field}.fba_marketplace_ids`);
  }
  return null;
}

/** A channel's settings as an SP-API connection, or what is missing or wrong. */
export function amazonSettings(settings: Record<string, unknown>): AmazonSettings | Refusal {
  for (const k of REQUIRED_KEYS) {
    const v = settings[k];
    if (typeof v !== 'string' || v.trim() === '') return refusal('validation_failed', `an Amazon channel needs settings.${k} to sync`, `settings.${k}`);
  }
  if (settings.endpoint === undefined && settings.region === undefined) {
    return refusal('validation_failed', 'an Amazon channel needs settings.region (na, eu or fe) or settings.endpoint to sync', 'settings.region');
  }
  const bad = checkAmazonSetting(settings, 'settings');
  return bad ?? (settings as unknown as AmazonSettings);
}

/** Where SP-API is for these settings (no trailing slash). */
export function apiBaseUrl(s: AmazonSettings): string {
  return (s.endpoint ?? AMAZON_REGION_HOSTS[s.region ?? 'na']).replace(/\/+$/, '');
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
const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
