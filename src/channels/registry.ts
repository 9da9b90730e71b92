// Every channel kind truestock knows, one line each. A kind is one folder (`src/channels/<kind>/`)
// that declares a `ChannelKindSpec`; adding a kind is that folder and one line here. Nothing else
// in src/ names a kind (test: src/channels/registry.test.ts).

import type { ListingIdentity } from '../domain/listing-rules.ts';
import { amazon } from './amazon/kind.ts';
import { custom } from './custom/kind.ts';
import { ebay } from './ebay/kind.ts';
import type { ChannelKindSpec } from './kind.ts';
import { shopify } from './shopify/kind.ts';
import { square } from './square/kind.ts';
import { walmart } from './walmart/kind.ts';
import { wholesale } from './wholesale/kind.ts';

export const KINDS: readonly ChannelKindSpec[] = [
  shopify,
  amazon,
  walmart,
  ebay,
  square,
  wholesale,
  custom,
];

const BY_NAME = new Map(KINDS.map((k) => [k.name, k]));

/** The names of every kind, in the registry's order. */
export const KIND_NAMES: readonly string[] = KINDS.map((k) => k.name);

export function isKind(name: unknown): name is string {
  return typeof name === 'string' && BY_NAME.has(name);
}

/** A kind's declaration; throws for a name no kind has (a channel row always names a known kind). */
export function kindOf(name: string): ChannelKindSpec {
  const k = BY_NAME.get(name);
  if (!k) throw new Error(`invariant violated: no channel kind ${JSON.stringify(name)} is registered`);
  return k;
}

export const listingIdentity = (kind: string): ListingIdentity => kindOf(kind).listing;

/** Every identifier field any kind uses, in a stable order (CSV columns, the API's schema). */
export const EXTERNAL_FIELDS: readonly string[] = [...new Set(KINDS.flatMap((k) => k.listing.forms.flat()))];

/** Kinds whose numbers are pushed by a connector; the others' numbers are served to whoever pulls them. */
export function isPushedKind(kind: string): boolean {
  return BY_NAME.get(kind)?.connect !== undefined;
}

export const PUSHED_KINDS: readonly string[] = KINDS.filter((k) => k.connect).map((k) => k.name);
/** Pushed kinds whose channels can say what they show: the reconciler reads them back. */
export const READ_BACK_KINDS: readonly string[] = KINDS.filter((k) => k.connect && k.capabilities.readBack).map((k) => k.name);
/** Kinds that poll for events. */
export const POLLED_KINDS: readonly string[] = KINDS.filter((k) => k.inbound?.poll).map((k) => k.name);

export function isPolledKind(kind: string): boolean {
  return BY_NAME.get(kind)?.inbound?.poll !== undefined;
}
