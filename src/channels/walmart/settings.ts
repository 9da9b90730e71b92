// A Walmart channel's settings (channels.md §3): the client credentials, where the Marketplace API
// is (the documented host, or an explicit endpoint for the sandbox, an emulator or a proxy), the
// ship node pushed to, which ship nodes are which truestock locations (a channel selling from
// several nodes: its listings name their node), how webhooks prove themselves, and a few tuning knobs.
// `checkWalmartSetting` refuses bad values when a channel is created or changed; `walmartSettings`
// says what a connection still lacks.

import { refusal, type Refusal } from '../../domain/errors.ts';

/** The documented production host (developer.walmart.com …/api-integration-usage). */
export const WALMART_ENDPOINT_DEFAULT = 'https://marketplace.walmartapis.com';

/** How a webhook subscription authenticates its deliveries (notifications.json `AuthDetails.authMethod`). */
export const NOTIFICATION_AUTH_METHODS = ['HMAC', 'BASIC_AUTH'] as const;
export type NotificationAuthMethod = (typeof NOTIFICATION_AUTH_METHODS)[number];

/** One budget's plan as a setting: requests per second and burst. */
export interface RateLimitSetting {
  rate: number;
  burst: number;
}

export interface WalmartSettings {
  client_id: string;
  client_secret: string;
  /** Base URL of the Marketplace API (default: the production host). */
  endpoint?: string;
  /** The ship node quantities are set at (absent: the seller's default node). */
  ship_node?: string;
  /** How often orders are polled, in seconds. */
  poll_seconds?: number;
  /**
   * Ship node id → truestock location code: where orders naming that node are allocated from and,
   * for a listing naming that node (`ship_node`), the stock its number is (each node its own
   * location: two nodes on one location would both sell the same units).
   */
  locations?: Record<string, string>;
  /** Truestock location codes that ship Walmart orders naming no mapped node (like Amazon's). */
  merchant_locations?: string[];
  /** Webhook proof: `HMAC` (default) or `BASIC_AUTH`, as the subscription's `authDetails.authMethod`. */
  notification_auth?: NotificationAuthMethod;
  /** The subscription's `authHeaderName` (default `Authorization`). */
  notification_header?: string;
  /** HMAC: the subscription's `clientSecret`; BASIC_AUTH: its `password`. */
  notification_secret?: string;
  /** BASIC_AUTH: the subscription's `userName`. */
  notification_user?: string;
  /** Budgets that differ from the connector's defaults, by budget name (`inventory`, `orders`, …). */
  rate_limits?: Record<string, RateLimitSetting>;
  /** A push of at least this many listings goes as an inventory feed (default: what single updates send in two minutes, push.ts). */
  feed_min_items?: number;
  /** How often processing feeds are looked at, in seconds (default: the connector's). */
  submission_poll_seconds?: number;
}

const STRING_KEYS = ['client_id', 'client_secret', 'ship_node', 'notification_header', 'notification_secret', 'notification_user'] as const;
/** What a connection needs before it can call the API. */
const REQUIRED_KEYS = ['client_id', 'client_secret'] as const;

/** One of the kind's own settings as the channel's settings hold it (null: fine or absent). */
export function checkWalmartSetting(settings: Record<string, unknown>, field: string): Refusal | null {
  for (const k of STRING_KEYS) {
    const v = settings[k];
    if (v !== undefined && (typeof v !== 'string' || v.trim() === '')) return refusal('validation_failed', `${field}.${k} must be a non-empty string`, `${field}.${k}`);
  }
  if (settings.endpoint !== undefined && !(typeof settings.endpoint === 'string' && isHttpUrl(settings.endpoint))) {
    return refusal('validation_failed', `${field}.endpoint must be an http(s) URL`, `${field}.endpoint`);
  }
  if (settings.poll_seconds !== undefined && !positive(settings.poll_seconds)) {
    return refusal('validation_failed', `${field}.poll_seconds must be a number above 0`, `${field}.poll_seconds`);
  }
  if (settings.locations !== undefined && !(isRecord(settings.locations) && Object.values(settings.locations).every((v) => typeof v === 'string' && v.trim() !== ''))) {
    return refusal('validation_failed', `${field}.locations must map ship node ids to location codes`, `${field}.locations`);
  }
  if (isRecord(settings.locations)) {
    const nodeOfCode = new Map<string, string>();
    for (const [node, code] of Object.entries(settings.locations)) {
      if (node.trim() === '') return refusal('validation_failed', `${field}.locations names a ship node with an empty id`, `${field}.locations`);
      const other = nodeOfCode.get(code as string);
      if (other !== undefined) return refusal('validation_failed', `${field}.locations maps ship nodes ${other} and ${node} to one location (${String(code)}): each node sells its own location's stock`, `${field}.locations.${node}`);
      nodeOfCode.set(code as string, node);
    }
  }
  const merchant = settings.merchant_locations;
  if (merchant !== undefined && !(Array.isArray(merchant) && merchant.every((x) => typeof x === 'string' && x.trim() !== ''))) {
    return refusal('validation_failed', `${field}.merchant_locations must be a list of location codes`, `${field}.merchant_locations`);
  }
  const auth = settings.notification_auth;
  if (auth !== undefined && !NOTIFICATION_AUTH_METHODS.includes(auth as NotificationAuthMethod)) {
    return refusal('validation_failed', `${field}.notification_auth must be one of ${NOTIFICATION_AUTH_METHODS.join(', ')}`, `${field}.notification_auth`);
  }
  const limits = settings.rate_limits;
  if (limits !== undefined) {
    if (!isRecord(limits)) return refusal('validation_failed', `${field}.rate_limits must be an object of budget → { rate, burst }`, `${field}.rate_limits`);
    for (const [name, l] of Object.entries(limits)) {
      if (!isRecord(l) || !positive(l.rate) || !positive(l.burst)) return refusal('validation_failed', `${field}.rate_limits.${name} needs a rate (requests per second) and a burst above 0`, `${field}.rate_limits.${name}`);
    }
  }
  if (settings.feed_min_items !== undefined && !(Number.isInteger(settings.feed_min_items) && (settings.feed_min_items as number) >= 1)) {
    return refusal('validation_failed', `${field}.feed_min_items must be a whole number ≥ 1`, `${field}.feed_min_items`);
  }
  if (settings.submission_poll_seconds !== undefined && !positive(settings.submission_poll_seconds)) {
    return refusal('validation_failed', `${field}.submission_poll_seconds must be a number above 0`, `${field}.submission_poll_seconds`);
  }
  return null;
}

/** A channel's settings as a Marketplace API connection, or what is missing or wrong. */
export function walmartSettings(settings: Record<string, unknown>): WalmartSettings | Refusal {
  for (const k of REQUIRED_KEYS) {
    const v = settings[k];
    if (typeof v !== 'string' || v.trim() === '') return refusal('validation_failed', `a Walmart channel needs settings.${k} to sync`, `settings.${k}`);
  }
  const bad = checkWalmartSetting(settings, 'settings');
  return bad ?? (settings as unknown as WalmartSettings);
}

/**
 * The ship node a listing's number is set at: its own `ship_node`, else the channel's `ship_node`;
 * undefined is the seller's default node (no `shipNode` sent).
 */
export function walmartNodeOf(external: Readonly<Record<string, string>>, s: Pick<WalmartSettings, 'ship_node'>): string | undefined {
  return external.ship_node ?? s.ship_node;
}

/**
 * The truestock location a listing sells from when it names its ship node (`locations[node]`);
 * null for a listing of the channel's own node or the default (the channel's rules say).
 */
export function walmartListingLocation(external: Readonly<Record<string, string>>, settings: Record<string, unknown>): string | null {
  const node = external.ship_node;
  if (node === undefined || !isRecord(settings.locations)) return null;
  const code = settings.locations[node];
  return typeof code === 'string' && code.trim() !== '' ? code : null;
}

/** Where the API is for these settings (no trailing slash). */
export function walmartBaseUrl(s: Pick<WalmartSettings, 'endpoint'>): string {
  return (s.endpoint ?? WALMART_ENDPOINT_DEFAULT).replace(/\/+$/, '');
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
