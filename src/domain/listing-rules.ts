// Channels and listings: what identifies a sellable thing on a channel, and the one string
// (`external_key`) that two listings share exactly when they name the same thing there.
// Pure and kind-agnostic: each kind declares its identifiers (`ListingIdentity`) in
// `src/channels/<kind>/`; the API, the CLI, CSV import and the sync engine pass them in.

import { refusal, type Refusal } from './errors.ts';

/** A kind's name (lower case, e.g. shopify); the kinds themselves are declared in `src/channels/registry.ts`. */
export type ChannelKind = string;

export const CHANNEL_NAME_LENGTH_MAX = 100;
/** Settings are configuration, not a data store. */
export const CHANNEL_SETTINGS_BYTES_MAX = 16_384;
export const EXTERNAL_ID_LENGTH_MAX = 255;

/**
 * What identifies a listing on one kind of channel: the identifier forms it accepts (a listing
 * uses exactly one form) and how each field reads in an external_key. Declared by each kind.
 */
export interface ListingIdentity {
  /** The kind's name, for messages. */
  kind: string;
  forms: readonly (readonly string[])[];
  /** Short labels of the fields in an external_key (`inventory_item_id` → `inventory_item`): keys already stored depend on them. */
  labels: Readonly<Record<string, string>>;
  /**
   * How each field reads to the merchant, in the order shown: the name their own admin uses and,
   * where the stored form is not what they see there (a GraphQL gid, a marketplace id), the value
   * as they know it. Fields without an entry are shown under their own name, as stored.
   */
  shown?: Readonly<Record<string, ShownField>>;
}

export interface ShownField {
  label: string;
  value?: (stored: string) => string;
}

/** One identifier of a listing as a person reads it; `stored` is the value truestock keeps. */
export interface ShownIdentifier {
  field: string;
  label: string;
  value: string;
  stored: string;
}

/** A listing's identifiers in the merchant's words (the kind's `shown`), declared fields first. */
export function shownIdentifiers(identity: ListingIdentity, external: Readonly<Record<string, string>>): ShownIdentifier[] {
  const declared = Object.keys(identity.shown ?? {});
  const fields = [...declared.filter((f) => f in external), ...Object.keys(external).filter((f) => !declared.includes(f))];
  return fields.map((field) => {
    const stored = external[field]!;
    const how = identity.shown?.[field];
    return { field, label: how?.label ?? field.replace(/_/g, ' '), value: how?.value ? how.value(stored) : stored, stored };
  });
}

/** `gid://shopify/InventoryItem/4123` → `4123`: the number an admin shows in its addresses. */
export const gidNumber = (stored: string): string => /^gid:\/\/[^/]+\/[^/]+\/(.+)$/.exec(stored)?.[1] ?? stored;

export type External = Record<string, string>;

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
export function checkExternal(identity: ListingIdentity, external: unknown, field = 'external'): { ok: true; external: External } | { ok: false; refusal: Refusal } {
  const { kind, forms } = identity;
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
export function externalKey(identity: ListingIdentity, external: External): string {
  const form = identity.forms.find((f) => f.every((k) => k in external));
  if (!form) throw new Error(`invariant violated: external identifiers of a ${identity.kind} listing were not checked`);
  return form.map((k) => `${identity.labels[k] ?? k}:${encodeURIComponent(external[k]!)}`).join('@');
}

/** Settings the catalog itself reads. Others (credentials, pacing, identifiers) belong to the channel's kind. */
export interface ChannelSettings {
  /** Every active item, bundle and multipack should have a listing here. */
  lists_all_items?: boolean;
  [other: string]: unknown;
}

/** Setting names that hold credentials whatever the kind declares: stored, used, never shown. */
const SECRET_SETTINGS = /token|secret|password|private_key/i;

export const REDACTED = '(set)';

const isSecretName = (k: string, secrets: readonly string[]) => SECRET_SETTINGS.test(k) || secrets.includes(k);

/**
 * Channel settings as shown to people: a credential (by name, or one the kind declares) reads
 * `(set)`, never its value — at any depth, in nested objects and arrays too. A string or a whole
 * object or array under a credential's name is hidden; a number or flag (`token_ttl_seconds`) is not.
 */
export function redactSecrets(settings: ChannelSettings, secrets: readonly string[] = []): ChannelSettings {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== 'object' || v === null) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, isSecretName(k, secrets) && (typeof x === 'string' || (typeof x === 'object' && x !== null)) ? REDACTED : walk(x)]));
  };
  return walk(settings) as ChannelSettings;
}

/**
 * Settings sent back after a read: wherever a value is `(set)` and the stored settings hold a
 * value at the same place, the stored value is kept — at any depth, as redaction hides at any depth.
 */
export function restoreRedacted(sent: ChannelSettings, stored: ChannelSettings): ChannelSettings {
  const walk = (v: unknown, old: unknown): unknown => {
    if (v === REDACTED) return old === undefined ? v : old;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, Array.isArray(old) ? old[i] : undefined));
    if (typeof v !== 'object' || v === null) return v;
    const o = typeof old === 'object' && old !== null && !Array.isArray(old) ? (old as Record<string, unknown>) : {};
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, o[k])]));
  };
  return walk(sent, stored) as ChannelSettings;
}

/** The checks every kind's settings pass; the kind checks its own keys after these. */
export function checkChannelSettings(settings: unknown, field = 'settings'): Refusal | null {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) return refusal('validation_failed', `${field} must be a JSON object`, field);
  if (JSON.stringify(settings).length > CHANNEL_SETTINGS_BYTES_MAX) {
    return refusal('validation_failed', `${field} must be at most ${CHANNEL_SETTINGS_BYTES_MAX} bytes of JSON`, field);
  }
  const s = settings as ChannelSettings;
  if (s.lists_all_items !== undefined && typeof s.lists_all_items !== 'boolean') {
    return refusal('validation_failed', `${field}.lists_all_items must be true or false`, `${field}.lists_all_items`);
  }
  return null;
}

/** A setting that, when given, must be a non-empty string. */
export function checkStringSetting(settings: Record<string, unknown>, key: string, field: string): Refusal | null {
  const v = settings[key];
  if (v !== undefined && (typeof v !== 'string' || v.trim() === '')) return refusal('validation_failed', `${field}.${key} must be a non-empty string`, `${field}.${key}`);
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
