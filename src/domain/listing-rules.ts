// Channels and listings: what identifies a sellable thing on each channel, and the one string
// (`external_key`) that two listings share exactly when they name the same thing there.
// Pure: shared by the API, the CLI, CSV import and the sync engine.

import { refusal, type Refusal } from './errors.ts';

export const CHANNEL_KINDS = ['shopify', 'amazon', 'walmart', 'ebay', 'square', 'wholesale', 'custom'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const CHANNEL_NAME_LENGTH_MAX = 100;
/** Settings are configuration, not a data store. */
export const CHANNEL_SETTINGS_BYTES_MAX = 16_384;
export const EXTERNAL_ID_LENGTH_MAX = 255;

/**
 * The identifier forms each kind accepts; a listing must use exactly one form of its kind.
 * Shopify tracks stock per inventory item and location (what its inventory API pushes to), or
 * names a variant when the location is left to the channel's settings.
 */
export const LISTING_IDENTIFIERS: Readonly<Record<ChannelKind, readonly (readonly string[])[]>> = {
  shopify: [['inventory_item_id', 'location_id'], ['variant_id']],
  amazon: [['seller_sku', 'marketplace_id']],
  walmart: [['sku']],
  ebay: [['sku']],
  square: [['catalog_object_id']],
  wholesale: [['external_id']],
  custom: [['external_id']],
};

/** Every identifier field any kind uses, in a stable order (CSV columns). */
export const EXTERNAL_FIELDS: readonly string[] = [...new Set(Object.values(LISTING_IDENTIFIERS).flat(2))];

/** How each field reads in an external_key: short, and the same for every kind that uses it. */
const KEY_LABELS: Record<string, string> = {
  inventory_item_id: 'inventory_item',
  location_id: 'location',
  variant_id: 'variant',
  seller_sku: 'seller_sku',
  marketplace_id: 'marketplace',
  sku: 'sku',
  catalog_object_id: 'catalog_object',
  external_id: 'external_id',
};

export type External = Record<string, string>;

export function isChannelKind(kind: unknown): kind is ChannelKind {
  return (CHANNEL_KINDS as readonly unknown[]).includes(kind);
}

function idValue(value: unknown, field: string): Refusal | string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value !== 'string' || value.trim() === '') return refusal('validation_failed', `${field} must be a non-empty string or a whole number`, field);
  if (value.length > EXTERNAL_ID_LENGTH_MAX) return refusal('validation_failed', `${field} must be at most ${EXTERNAL_ID_LENGTH_MAX} characters`, field);
  if (/[\u0000-\u001f]/.test(value)) return refusal('validation_failed', `${field} must not contain control characters`, field);
  if (value.trim() !== value) return refusal('validation_failed', `${field} must not start or end with spaces`, field);
  return value;
}

/**
 * The listing's identifiers, checked against its channel's kind and normalised (numbers become
 * strings, so `123` and `"123"` are one identifier). `field` prefixes the field names in refusals.
 */
export function checkExternal(kind: ChannelKind, external: unknown, field = 'external'): { ok: true; external: External } | { ok: false; refusal: Refusal } {
  const forms = LISTING_IDENTIFIERS[kind];
  const describe = forms.map((f) => f.join(' + ')).join(', or ');
  if (typeof external !== 'object' || external === null || Array.isArray(external)) {
    return { ok: false, refusal: refusal('validation_failed', `${field} must be an object: ${kind} listings need ${describe}`, field) };
  }
  const given = Object.keys(external);
  const known = new Set(forms.flat());
  const unknown = given.find((k) => !known.has(k));
  if (unknown) return { ok: false, refusal: refusal('validation_failed', `${kind} listings take ${describe}; ${unknown} is not one of them`, `${field}.${unknown}`) };
  // The form whose fields are all present; a mix of two forms is ambiguous.
  const form = forms.find((f) => f.every((k) => k in external) && given.every((k) => f.includes(k)));
  if (!form) {
    const partial = forms.find((f) => f.some((k) => k in external)) ?? forms[0]!;
    const missing = partial.find((k) => !(k in external));
    const target = missing ?? given.find((k) => !partial.includes(k)) ?? partial[0]!;
    const why = missing ? `${missing} is missing` : `use one form, not several`;
    return { ok: false, refusal: refusal('validation_failed', `${kind} listings need ${describe}: ${why}`, `${field}.${target}`) };
  }
  const out: External = {};
  for (const k of form) {
    const v = idValue((external as Record<string, unknown>)[k], `${field}.${k}`);
    if (typeof v !== 'string') return { ok: false, refusal: v };
    out[k] = v;
  }
  return { ok: true, external: out };
}

/**
 * The canonical key of checked identifiers: `inventory_item:123@location:9`,
 * `seller_sku:AB-1@marketplace:ATVPDKIKX0DER`. Values are percent-encoded, so no identifier can
 * forge another's key with a stray `@` or `:`.
 */
export function externalKey(kind: ChannelKind, external: External): string {
  const form = LISTING_IDENTIFIERS[kind].find((f) => f.every((k) => k in external));
  if (!form) throw new Error(`invariant violated: external identifiers of a ${kind} listing were not checked`);
  return form.map((k) => `${KEY_LABELS[k]}:${encodeURIComponent(external[k]!)}`).join('@');
}

/** Settings the catalog itself reads. Others (credentials, pacing) belong to the sync engine. */
export interface ChannelSettings {
  /** Every active item, bundle and multipack should have a listing here. */
  lists_all_items?: boolean;
  /** Shopify: the store, e.g. `acme.myshopify.com`. Two channels with one shop are one account. */
  shop_domain?: string;
  /** Amazon: the seller account. */
  seller_id?: string;
  [other: string]: unknown;
}

/** Settings that hold credentials (any channel kind): stored, used, never shown. */
const SECRET_SETTINGS = /token|secret|password|private_key/i;

export const REDACTED = '(set)';

/** Channel settings as shown to people: a credential reads `(set)`, never its value. */
export function redactSecrets(settings: ChannelSettings): ChannelSettings {
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, SECRET_SETTINGS.test(k) && typeof v === 'string' ? REDACTED : v]));
}

export function checkChannelSettings(settings: unknown, field = 'settings'): Refusal | null {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) return refusal('validation_failed', `${field} must be a JSON object`, field);
  if (JSON.stringify(settings).length > CHANNEL_SETTINGS_BYTES_MAX) {
    return refusal('validation_failed', `${field} must be at most ${CHANNEL_SETTINGS_BYTES_MAX} bytes of JSON`, field);
  }
  const s = settings as ChannelSettings;
  if (s.lists_all_items !== undefined && typeof s.lists_all_items !== 'boolean') {
    return refusal('validation_failed', `${field}.lists_all_items must be true or false`, `${field}.lists_all_items`);
  }
  for (const k of ['shop_domain', 'seller_id'] as const) {
    if (s[k] !== undefined && (typeof s[k] !== 'string' || s[k].trim() === '')) {
      return refusal('validation_failed', `${field}.${k} must be a non-empty string`, `${field}.${k}`);
    }
  }
  return null;
}

/**
 * The account behind a channel, when its settings say: two channels of one kind with the same
 * account are one storefront seen twice, so an identifier mapped on both is mapped twice.
 * (For Amazon the marketplace is part of the listing's key, so seller id alone is the account.)
 */
export function channelAccount(kind: ChannelKind, settings: ChannelSettings): string | null {
  if (kind === 'shopify' && typeof settings.shop_domain === 'string') return settings.shop_domain.trim().toLowerCase();
  if (kind === 'amazon' && typeof settings.seller_id === 'string') return settings.seller_id.trim();
  return null;
}

export interface Channel {
  id: string;
  workspaceId: string;
  kind: ChannelKind;
  name: string;
  settings: ChannelSettings;
  createdAt: number;
  updatedAt: number;
}

/** A channel's identifiers for one item, bundle or multipack. Deactivated, never deleted. */
export interface Listing {
  id: string;
  workspaceId: string;
  channelId: string;
  itemId: string;
  externalKey: string;
  external: External;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}
