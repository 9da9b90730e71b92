// SQL for channels, listings, and the catalog-problem queries over them.

import type { Channel, ChannelKind, ChannelSettings, External, Listing } from '../domain/listing-rules.ts';
import type { ItemKind } from '../domain/model.ts';
import { type Db, insertRows, type Param, placeholders } from './store.ts';
import { openSettings, sealSettings, type SecretBox } from './secret-box.ts';

interface ChannelRow {
  id: string;
  workspace_id: string;
  kind: ChannelKind;
  name: string;
  settings: string;
  created_at: number;
  updated_at: number;
}

interface ListingRow {
  id: string;
  workspace_id: string;
  channel_id: string;
  item_id: string;
  external_key: string;
  external: string;
  active: boolean | number;
  created_at: number;
  updated_at: number;
}

const channelFromRow = (r: ChannelRow): Channel => ({
  id: r.id,
  workspaceId: r.workspace_id,
  kind: r.kind,
  name: r.name,
  settings: openSettings<ChannelSettings>(r.settings),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export const listingFromRow = (r: ListingRow): Listing => ({
  id: r.id,
  workspaceId: r.workspace_id,
  channelId: r.channel_id,
  itemId: r.item_id,
  externalKey: r.external_key,
  external: JSON.parse(r.external) as External,
  active: Boolean(r.active),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

// Channels.

export async function getChannel(db: Db, ws: string, id: string): Promise<Channel | undefined> {
  const r = await db.get<ChannelRow>('SELECT * FROM channels WHERE workspace_id = ? AND id = ?', [ws, id]);
  return r && channelFromRow(r);
}

export async function getChannelByName(db: Db, ws: string, name: string): Promise<Channel | undefined> {
  const r = await db.get<ChannelRow>('SELECT * FROM channels WHERE workspace_id = ? AND name = ?', [ws, name]);
  return r && channelFromRow(r);
}

/** A workspace's channels, by id. Workspaces have a handful; `limit` bounds a page. */
export async function listChannels(db: Db, ws: string, opts: { after?: string; limit: number }): Promise<Channel[]> {
  const params: Param[] = [ws];
  let where = 'workspace_id = ?';
  if (opts.after) (where += ' AND id > ?'), params.push(opts.after);
  const rows = await db.all<ChannelRow>(`SELECT * FROM channels WHERE ${where} ORDER BY id LIMIT ?`, [...params, opts.limit]);
  return rows.map(channelFromRow);
}

export async function insertChannel(db: Db, c: Channel): Promise<void> {
  await insertRows(db, 'channels', ['id', 'workspace_id', 'kind', 'name', 'settings', 'created_at', 'updated_at'], [
    [c.id, c.workspaceId, c.kind, c.name, sealSettings(c.settings), c.createdAt, c.updatedAt],
  ]);
}

export async function updateChannel(db: Db, c: Channel): Promise<void> {
  await db.run('UPDATE channels SET name = ?, settings = ?, updated_at = ? WHERE id = ? AND workspace_id = ?', [
    c.name, sealSettings(c.settings), c.updatedAt, c.id, c.workspaceId,
  ]);
}

// Listings.

/**
 * Seal again every channel's settings not sealed with the box's current key: rows in clear from
 * before encryption, and rows of an older key during a rotation. How many were sealed.
 */
export async function resealChannelSettings(db: Db, box: SecretBox): Promise<number> {
  let n = 0;
  for (const r of await db.all<{ id: string; settings: string }>('SELECT id, settings FROM channels')) {
    if (box.sealedWithCurrent(r.settings)) continue;
    await db.run('UPDATE channels SET settings = ? WHERE id = ?', [box.seal(box.open(r.settings)), r.id]);
    n++;
  }
  return n;
}

export async function getListing(db: Db, ws: string, id: string): Promise<Listing | undefined> {
  const r = await db.get<ListingRow>('SELECT * FROM listings WHERE workspace_id = ? AND id = ?', [ws, id]);
  return r && listingFromRow(r);
}

/** Active listings of one identifier on one channel (more than one is a catalog problem). */
export async function activeListingsByKey(db: Db, ws: string, channelId: string, externalKey: string): Promise<Listing[]> {
  const rows = await db.all<ListingRow>(
    'SELECT * FROM listings WHERE workspace_id = ? AND channel_id = ? AND external_key = ? AND active = ? ORDER BY id',
    [ws, channelId, externalKey, true],
  );
  return rows.map(listingFromRow);
}

/** Listings of these channels (all states), for an import to match rows against. */
export async function listingsOfChannels(db: Db, ws: string, channelIds: string[]): Promise<Listing[]> {
  if (channelIds.length === 0) return [];
  const rows = await db.all<ListingRow>(
    `SELECT * FROM listings WHERE workspace_id = ? AND channel_id IN (${placeholders(channelIds.length)}) ORDER BY id`,
    [ws, ...channelIds],
  );
  return rows.map(listingFromRow);
}

export interface ListingFilter {
  channelId?: string;
  itemId?: string;
  active?: boolean;
  after?: string;
  limit: number;
}

export async function listListings(db: Db, ws: string, f: ListingFilter): Promise<Listing[]> {
  const where = ['workspace_id = ?'];
  const params: Param[] = [ws];
  if (f.channelId !== undefined) (where.push('channel_id = ?'), params.push(f.channelId));
  if (f.itemId !== undefined) (where.push('item_id = ?'), params.push(f.itemId));
  if (f.active !== undefined) (where.push('active = ?'), params.push(f.active));
  if (f.after) (where.push('id > ?'), params.push(f.after));
  const rows = await db.all<ListingRow>(`SELECT * FROM listings WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`, [...params, f.limit]);
  return rows.map(listingFromRow);
}

const LISTING_COLUMNS = ['id', 'workspace_id', 'channel_id', 'item_id', 'external_key', 'external', 'active', 'created_at', 'updated_at'];

export async function insertListings(db: Db, listings: Listing[]): Promise<void> {
  await insertRows(db, 'listings', LISTING_COLUMNS, listings.map((l) => [
    l.id, l.workspaceId, l.channelId, l.itemId, l.externalKey, JSON.stringify(l.external), l.active, l.createdAt, l.updatedAt,
  ]));
}

export async function setListingActive(db: Db, ws: string, id: string, active: boolean, now: number): Promise<void> {
  await db.run('UPDATE listings SET active = ?, updated_at = ? WHERE id = ? AND workspace_id = ?', [active, now, id, ws]);
}

// Catalog problems. Each query is bounded by `limit`; the caller asks for one more than it shows
// to know whether the list was cut.

export interface ListingProblemRow {
  listing_id: string;
  channel_id: string;
  channel: string;
  external_key: string;
  sku: string;
}

/** Active listings whose identifier is mapped by another active listing of the same channel. */
export async function duplicateListingsOnChannel(db: Db, ws: string, limit: number): Promise<ListingProblemRow[]> {
  return db.all<ListingProblemRow>(
    `SELECT l.id AS listing_id, l.channel_id, c.name AS channel, l.external_key, i.sku
     FROM listings l JOIN channels c ON c.id = l.channel_id JOIN items i ON i.id = l.item_id
     WHERE l.workspace_id = ? AND l.active = ? AND EXISTS (
       SELECT 1 FROM listings o WHERE o.channel_id = l.channel_id AND o.external_key = l.external_key AND o.active = ? AND o.id <> l.id)
     ORDER BY c.name, l.external_key, l.id LIMIT ?`,
    [ws, true, true, limit],
  );
}

/** Active listings of these channels whose identifier is also mapped on another of them. */
export async function duplicateListingsAcrossChannels(db: Db, ws: string, channelIds: string[], limit: number): Promise<ListingProblemRow[]> {
  const marks = placeholders(channelIds.length);
  return db.all<ListingProblemRow>(
    `SELECT l.id AS listing_id, l.channel_id, c.name AS channel, l.external_key, i.sku
     FROM listings l JOIN channels c ON c.id = l.channel_id JOIN items i ON i.id = l.item_id
     WHERE l.workspace_id = ? AND l.active = ? AND l.channel_id IN (${marks}) AND EXISTS (
       SELECT 1 FROM listings o WHERE o.workspace_id = l.workspace_id AND o.external_key = l.external_key AND o.active = ?
         AND o.channel_id IN (${marks}) AND o.channel_id <> l.channel_id)
     ORDER BY l.external_key, c.name, l.id LIMIT ?`,
    [ws, true, ...channelIds, true, ...channelIds, limit],
  );
}

/** Active items, bundles and multipacks with no active listing on the channel. */
export async function itemsMissingListing(db: Db, ws: string, channelId: string, limit: number): Promise<{ id: string; sku: string; kind: ItemKind }[]> {
  return db.all(
    `SELECT i.id, i.sku, i.kind FROM items i
     WHERE i.workspace_id = ? AND i.archived = ? AND NOT EXISTS (
       SELECT 1 FROM listings l WHERE l.channel_id = ? AND l.item_id = i.id AND l.active = ?)
     ORDER BY i.sku LIMIT ?`,
    [ws, false, channelId, true, limit],
  );
}

/** Active listings that point at an archived item. */
export async function listingsOfArchivedItems(db: Db, ws: string, limit: number): Promise<ListingProblemRow[]> {
  return db.all<ListingProblemRow>(
    `SELECT l.id AS listing_id, l.channel_id, c.name AS channel, l.external_key, i.sku
     FROM listings l JOIN channels c ON c.id = l.channel_id JOIN items i ON i.id = l.item_id
     WHERE l.workspace_id = ? AND l.active = ? AND i.archived = ?
     ORDER BY c.name, i.sku, l.id LIMIT ?`,
    [ws, true, true, limit],
  );
}

/** Items that share a barcode with another item of the workspace (archived ones too). */
export async function itemsSharingBarcode(db: Db, ws: string, limit: number): Promise<{ barcode: string; sku: string }[]> {
  return db.all(
    `SELECT i.barcode, i.sku FROM items i
     WHERE i.workspace_id = ? AND i.barcode IS NOT NULL AND EXISTS (
       SELECT 1 FROM items o WHERE o.workspace_id = i.workspace_id AND o.barcode = i.barcode AND o.id <> i.id)
     ORDER BY i.barcode, i.sku LIMIT ?`,
    [ws, limit],
  );
}

/** Live bundles and multipacks with an archived component. */
export async function bundlesWithArchivedComponent(db: Db, ws: string, limit: number): Promise<{ bundle_sku: string; component_sku: string }[]> {
  return db.all(
    `SELECT b.sku AS bundle_sku, c.sku AS component_sku
     FROM item_components ic JOIN items b ON b.id = ic.item_id JOIN items c ON c.id = ic.component_id
     WHERE b.workspace_id = ? AND b.archived = ? AND c.archived = ?
     ORDER BY b.sku, c.sku LIMIT ?`,
    [ws, false, true, limit],
  );
}
