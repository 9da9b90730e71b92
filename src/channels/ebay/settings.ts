// An eBay channel's settings (channels.md §4): the application's keyset and the seller's refresh
// token, the marketplace (`X-EBAY-C-MARKETPLACE-ID`), where the APIs are (eBay's hosts, or an
// explicit `endpoint` / `auth_url` for an emulator or a proxy), notifications (the verification
// token and the endpoint URL the challenge hashes), and which eBay inventory locations map to
// truestock's. `checkEbaySetting` refuses bad values when a channel is created or changed, naming
// the field; `ebaySettings` says what a connection still lacks.

import { refusal, type Refusal } from '../../domain/errors.ts';

/** eBay's production API host (REST: Inventory, Fulfillment, Notification). */
export const EBAY_API_URL_DEFAULT = 'https://api.ebay.com';
/** eBay's OAuth token endpoint. */
export const EBAY_AUTH_URL_DEFAULT = 'https://api.ebay.com/identity/v1/oauth2/token';
/** The marketplace when the settings do not name one. */
export const EBAY_MARKETPLACE_DEFAULT = 'EBAY_US';
/**
 * eBay's verification token for the endpoint challenge: 32–80 characters of letters, digits,
 * underscore and hyphen (eBay's Marketplace Account Deletion page).
 */
const VERIFICATION_TOKEN = /^[A-Za-z0-9_-]{32,80}$/;
/** eBay's marketplace ids (`EBAY_US`, `EBAY_GB`, `EBAY_MOTORS_US`…). */
const MARKETPLACE_ID = /^EBAY_[A-Z_]{2,20}$/;

export interface EbaySettings {
  client_id: string;
  client_secret: string;
  /** The seller's refresh token (the authorization-code grant's, valid 18 months). */
  refresh_token: string;
  marketplace_id?: string;
  /** Where the REST APIs are (default eBay's); an emulator's base URL. */
  endpoint?: string;
  /** Where OAuth tokens come from (default eBay's). */
  auth_url?: string;
  /** How often orders are polled, in seconds. */
  poll_seconds?: number;
  /** The token the endpoint challenge hashes (set on eBay's notification page). */
  verification_token?: string;
  /** The address eBay calls with notifications, exactly as registered (the challenge hashes it). */
  endpoint_url?: string;
  /** eBay `merchantLocationKey` → truestock location code. */
  locations?: Record<string, string>;
  /** The merchant location each pushed quantity is also distributed to (`availabilityDistributions`); absent: the ship-to-home total only. */
  merchant_location_key?: string;
  /** Revisions per listing per eBay day that truestock lets itself use (default 250, eBay's limit). */
  daily_revisions?: number;
  /** API calls the channel's budget holds, and restores a second (push.ts has the defaults). */
  bucket_size?: number;
  restore_rate?: number;
}

const STRING_KEYS = ['client_id', 'client_secret', 'refresh_token', 'merchant_location_key'] as const;
const URL_KEYS = ['endpoint', 'auth_url', 'endpoint_url'] as const;
const REQUIRED_KEYS = ['client_id', 'client_secret', 'refresh_token'] as const;
/** eBay's documented revision limit per listing per calendar day. */
export const EBAY_DAILY_REVISIONS_MAX = 250;

export function checkEbaySetting(settings: Record<string, unknown>, field: string): Refusal | null {
  const bad = (key: string, what: string) => refusal('validation_failed', `${field}.${key} ${what}`, `${field}.${key}`);
  for (const k of STRING_KEYS) {
    const v = settings[k];
    if (v !== undefined && (typeof v !== 'string' || v.trim() === '')) return bad(k, 'must be a non-empty string');
  }
  for (const k of URL_KEYS) {
    const v = settings[k];
    if (v !== undefined && (typeof v !== 'string' || !isHttpUrl(v))) return bad(k, 'must be an http(s) URL');
  }
  const m = settings.marketplace_id;
  if (m !== undefined && !(typeof m === 'string' && MARKETPLACE_ID.test(m))) return bad('marketplace_id', 'must be an eBay marketplace id such as EBAY_US');
  const v = settings.verification_token;
  if (v !== undefined && !(typeof v === 'string' && VERIFICATION_TOKEN.test(v))) return bad('verification_token', 'must be 32–80 letters, digits, _ or -');
  const p = settings.poll_seconds;
  if (p !== undefined && !(typeof p === 'number' && Number.isFinite(p) && p > 0)) return bad('poll_seconds', 'must be a number above 0');
  for (const k of ['bucket_size', 'restore_rate'] as const) {
    const b = settings[k];
    if (b !== undefined && !(typeof b === 'number' && Number.isFinite(b) && b > 0)) return bad(k, 'must be a number above 0');
  }
  const d = settings.daily_revisions;
  if (d !== undefined && !(Number.isInteger(d) && (d as number) >= 1 && (d as number) <= EBAY_DAILY_REVISIONS_MAX)) return bad('daily_revisions', `must be a whole number from 1 to ${EBAY_DAILY_REVISIONS_MAX}`);
  const l = settings.locations;
  if (l !== undefined && !(isRecord(l) && Object.values(l).every((c) => typeof c === 'string' && c.trim() !== ''))) return bad('locations', 'must map merchantLocationKeys to location codes');
  return null;
}

/** A channel's settings as a connection, or what is missing or wrong. */
export function ebaySettings(settings: Record<string, unknown>): EbaySettings | Refusal {
  for (const k of REQUIRED_KEYS) {
    const v = settings[k];
    if (typeof v !== 'string' || v.trim() === '') return refusal('validation_failed', `an eBay channel needs settings.${k} to sync`, `settings.${k}`);
  }
  return checkEbaySetting(settings, 'settings') ?? (settings as unknown as EbaySettings);
}

export const apiBaseUrl = (s: Pick<EbaySettings, 'endpoint'>): string => (s.endpoint ?? EBAY_API_URL_DEFAULT).replace(/\/+$/, '');
export const marketplaceOf = (s: Pick<EbaySettings, 'marketplace_id'>): string => s.marketplace_id ?? EBAY_MARKETPLACE_DEFAULT;


function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
