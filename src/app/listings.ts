// Listings: a channel's own identifiers for one item, bundle or multipack. One identifier maps to
// one item per channel; a listing is deactivated, never deleted, so what was pushed where stays
// explainable.

import { recomputeListings } from './availability.ts';
import { refusal, type Refusal } from '../domain/errors.ts';
import { type Channel, checkExternal, externalKey, type Listing, shownIdentifiers } from '../domain/listing-rules.ts';
import { listingIdentity } from '../channels/registry.ts';
import type { Item } from '../domain/model.ts';
import { getItemBySku, itemsById } from '../store/catalog-repo.ts';
import * as repo from '../store/channel-repo.ts';
import type { Db } from '../store/store.ts';
import { catalogId } from './catalog.ts';
import { findChannel } from './channels.ts';
import type { Written } from './idempotent.ts';
import { iso } from './views.ts';
import { listingNumbers } from '../store/served-numbers-repo.ts';
import { numbersView } from './served-numbers.ts';

export interface ListingCreate {
  /** The channel's id or name. */
  channel: string;
  sku: string;
  external: Record<string, unknown>;
  active?: boolean;
}
export interface ListingPatch {
  active?: boolean;
}

export function listingView(l: Listing, channel: Pick<Channel, 'name' | 'kind'> | undefined, item: Pick<Item, 'sku' | 'kind'> | undefined) {
  return {
    id: l.id,
    channel_id: l.channelId,
    channel: channel?.name ?? null,
    channel_kind: channel?.kind ?? null,
    sku: item?.sku ?? null,
    item_id: l.itemId,
    item_kind: item?.kind ?? null,
    external: l.external,
    external_key: l.externalKey,
    /** The identifiers as the merchant knows them (Shopify's numbers, Amazon's marketplace by name). */
    identifiers: channel ? shownIdentifiers(listingIdentity(channel.kind), l.external) : [],
    active: l.active,
    created_at: iso(l.createdAt),
    updated_at: iso(l.updatedAt),
  };
}

/** The active listing that already maps this identifier on this channel, as a refusal. */
export async function keyClash(db: Db, workspaceId: string, channel: Channel, key: string, selfId: string | null, field: string): Promise<Refusal | null> {
  const others = (await repo.activeListingsByKey(db, workspaceId, channel.id, key)).filter((l) => l.id !== selfId);
  if (others.length === 0) return null;
  const [other] = others;
  const [item] = await itemsById(db, workspaceId, [other!.itemId]);
  return refusal('listing_taken', `${key} is already mapped on ${channel.name} to ${item?.sku ?? other!.itemId} by listing ${other!.id}`, field, {
    listing_id: other!.id,
    sku: item?.sku ?? null,
  });
}

/** The first identifier field, for a refusal about the identifier as a whole. */
const firstField = (external: Record<string, string>) => `external.${Object.keys(external)[0]}`;

export async function createListing(db: Db, workspaceId: string, input: ListingCreate, now: number): Promise<Written | Refusal> {
  if (typeof input.channel !== 'string' || input.channel === '') return refusal('validation_failed', 'channel is required', 'channel');
  const channel = await findChannel(db, workspaceId, input.channel);
  if (!channel) return refusal('validation_failed', `no channel ${JSON.stringify(input.channel)} in this workspace`, 'channel');
  const checked = checkExternal(listingIdentity(channel.kind), input.external);
  if (!checked.ok) return checked.refusal;
  if (input.active !== undefined && typeof input.active !== 'boolean') return refusal('validation_failed', 'active must be true or false', 'active');
  const item = typeof input.sku === 'string' ? await getItemBySku(db, workspaceId, input.sku) : undefined;
  if (!item) return refusal('unknown_item', `no item with SKU ${JSON.stringify(input.sku)}`, 'sku');
  const active = input.active ?? true;
  if (active && item.archived) return refusal('item_archived', `${item.sku} is archived; unarchive it before listing it`, 'sku');
  const key = externalKey(listingIdentity(channel.kind), checked.external);
  if (active) {
    const clash = await keyClash(db, workspaceId, channel, key, null, firstField(checked.external));
    if (clash) return clash;
  }
  const listing: Listing = { id: catalogId('lst', now), workspaceId, channelId: channel.id, itemId: item.id, externalKey: key, external: checked.external, active, createdAt: now, updatedAt: now };
  await repo.insertListings(db, [listing]);
  // A new listing gets its first number now, not at the item's next stock change.
  if (active) await recomputeListings(db, workspaceId, [{ id: listing.id, channel_id: channel.id, item_id: item.id }], now);
  // With its numbers, as a read of it answers: the first number is computed above.
  return { status: 201, body: { listing: (await listingViews(db, workspaceId, [listing]))[0]! } };
}

/** Deactivate or reactivate. Reactivating checks the identifier again: someone may have taken it. */
export async function updateListing(db: Db, workspaceId: string, id: string, patch: ListingPatch, now: number): Promise<Written | Refusal> {
  if (patch.active !== undefined && typeof patch.active !== 'boolean') return refusal('validation_failed', 'active must be true or false', 'active');
  const listing = await repo.getListing(db, workspaceId, id);
  if (!listing) return refusal('not_found', `no listing ${id}`);
  const channel = (await repo.getChannel(db, workspaceId, listing.channelId))!;
  const [item] = await itemsById(db, workspaceId, [listing.itemId]);
  const active = patch.active ?? listing.active;
  if (active && !listing.active) {
    if (item?.archived) return refusal('item_archived', `${item.sku} is archived; unarchive it before listing it`, 'active');
    const clash = await keyClash(db, workspaceId, channel, listing.externalKey, listing.id, 'active');
    if (clash) return clash;
  }
  const next: Listing = active === listing.active ? listing : { ...listing, active, updatedAt: now };
  if (next !== listing) await repo.setListingActive(db, workspaceId, listing.id, active, now);
  if (next !== listing && active) await recomputeListings(db, workspaceId, [{ id: listing.id, channel_id: channel.id, item_id: listing.itemId }], now);
  return { status: 200, body: { listing: (await listingViews(db, workspaceId, [next]))[0]! } };
}

/** Listing views for rows, with their channels and items looked up once. */
export async function listingViews(db: Db, workspaceId: string, listings: Listing[]) {
  const items = new Map((await itemsById(db, workspaceId, listings.map((l) => l.itemId))).map((i) => [i.id, i]));
  const channels = new Map<string, Channel | undefined>();
  for (const id of new Set(listings.map((l) => l.channelId))) channels.set(id, await repo.getChannel(db, workspaceId, id));
  const numbers = await listingNumbers(db, listings.map((l) => l.id));
  // The number truestock publishes, the one it last pushed and the one last seen on the channel, with when.
  return listings.map((l) => ({ ...listingView(l, channels.get(l.channelId), items.get(l.itemId)), numbers: numbersView(numbers.get(l.id)) }));
}
