// SQL for channel availability: rules, the facts the engine needs (levels, components, ring-fences,
// incoming, sales), the last computed value per listing, and the outbox.
//
// The incremental path runs inside every stock batch's transaction, so each read here is one
// statement over a known set of ids; nothing scans a workspace.

import type { ChannelRule, RuleSettings } from '../domain/availability-model.ts';
import { ringFenceReference } from '../domain/hold-rules.ts';
import type { LocationKind } from '../domain/model.ts';
import { chunk, type Db, insertRows, type Param, placeholders } from './store.ts';
import { openSettings } from './secret-box.ts';

/** Ids per IN list: well under both dialects' bound-parameter limits. */
const IDS_PER_STATEMENT_MAX = 5_000;

async function inChunks<T>(ids: readonly string[], fn: (part: string[]) => Promise<T[]>): Promise<T[]> {
  if (ids.length === 0) return [];
  if (ids.length <= IDS_PER_STATEMENT_MAX) return fn([...ids]);
  const out: T[] = [];
  for (const part of chunk([...ids], IDS_PER_STATEMENT_MAX)) out.push(...(await fn(part)));
  return out;
}

// Rules.

export interface StoredRule extends ChannelRule {
  workspaceId: string;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

interface RuleRow {
  id: string;
  workspace_id: string;
  channel_id: string;
  skus: string | null;
  starts_at: number | string | null;
  ends_at: number | string | null;
  below_units: number | string | null;
  settings: string;
  active: boolean | number;
  created_at: number | string;
  updated_at: number | string;
}

const isoOf = (ms: number | string | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function ruleFromRow(r: RuleRow): StoredRule {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    channel_id: r.channel_id,
    skus: r.skus === null ? null : (JSON.parse(r.skus) as string[]),
    starts_at: isoOf(r.starts_at),
    ends_at: isoOf(r.ends_at),
    below_units: r.below_units === null ? null : Number(r.below_units),
    settings: JSON.parse(r.settings) as RuleSettings,
    active: Boolean(r.active),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

const msOf = (iso: string | null) => (iso === null ? null : Date.parse(iso));

export async function insertRule(db: Db, r: StoredRule): Promise<void> {
  await insertRows(db, 'channel_rules', ['id', 'workspace_id', 'channel_id', 'skus', 'starts_at', 'ends_at', 'below_units', 'settings', 'active', 'created_at', 'updated_at'], [
    [r.id, r.workspaceId, r.channel_id, r.skus === null ? null : JSON.stringify(r.skus), msOf(r.starts_at), msOf(r.ends_at), r.below_units, JSON.stringify(r.settings), r.active, r.createdAt, r.updatedAt],
  ]);
}

export async function updateRule(db: Db, r: StoredRule): Promise<void> {
  await db.run('UPDATE channel_rules SET skus = ?, starts_at = ?, ends_at = ?, below_units = ?, settings = ?, active = ?, updated_at = ? WHERE id = ? AND workspace_id = ?', [
    r.skus === null ? null : JSON.stringify(r.skus), msOf(r.starts_at), msOf(r.ends_at), r.below_units, JSON.stringify(r.settings), r.active, r.updatedAt, r.id, r.workspaceId,
  ]);
}

export async function getRule(db: Db, ws: string, id: string): Promise<StoredRule | undefined> {
  const r = await db.get<RuleRow>('SELECT * FROM channel_rules WHERE workspace_id = ? AND id = ?', [ws, id]);
  return r && ruleFromRow(r);
}

/** A channel's rules, oldest first; deactivated ones only when asked (history). */
export async function rulesOfChannel(db: Db, ws: string, channelId: string, includeInactive = false): Promise<StoredRule[]> {
  const rows = await db.all<RuleRow>(
    `SELECT * FROM channel_rules WHERE workspace_id = ? AND channel_id = ?${includeInactive ? '' : ' AND active = ?'} ORDER BY id`,
    includeInactive ? [ws, channelId] : [ws, channelId, true],
  );
  return rows.map(ruleFromRow);
}

/** Active rules of these channels. */
export async function rulesOfChannels(db: Db, ws: string, channelIds: string[]): Promise<StoredRule[]> {
  const rows = await inChunks(channelIds, (part) =>
    db.all<RuleRow>(`SELECT * FROM channel_rules WHERE workspace_id = ? AND channel_id IN (${placeholders(part.length)}) AND active = ? ORDER BY id`, [ws, ...part, true]));
  return rows.map(ruleFromRow);
}

/** Active rules (every workspace) whose window starts or ends in (after, upTo]. */
export async function rulesChangingBetween(db: Db, after: number, upTo: number): Promise<StoredRule[]> {
  const rows = await db.all<RuleRow>(
    `SELECT * FROM channel_rules WHERE active = ? AND ((starts_at > ? AND starts_at <= ?) OR (ends_at > ? AND ends_at <= ?)) ORDER BY id`,
    [true, after, upTo, after, upTo],
  );
  return rows.map(ruleFromRow);
}

/** Channels (every workspace) with an active rule that may ring-fence stock. */
export async function channelsWithRingFence(db: Db): Promise<{ workspace_id: string; channel_id: string }[]> {
  return db.all(`SELECT DISTINCT workspace_id, channel_id FROM channel_rules WHERE active = ? AND settings LIKE ? ORDER BY workspace_id, channel_id`, [true, '%ring_fenced%']);
}

// Channels as the engine needs them.

export interface ChannelFacts {
  id: string;
  name: string;
  kind: string;
  settings: Record<string, unknown>;
  /** SKUs hidden on this channel (an outage tool): they publish 0. */
  hidden_skus: ReadonlySet<string>;
  /** The p99 propagation lag the sync engine measured, seconds (null until it has). */
  measured_outbound_lag_seconds: number | null;
  /** The p99 delay of this channel's webhooks, seconds (null until measured). */
  measured_inbound_lag_seconds: number | null;
}

export async function channelsById(db: Db, ws: string, ids: string[]): Promise<ChannelFacts[]> {
  const rows = await inChunks(ids, (part) =>
    db.all<{ id: string; name: string; kind: string; settings: string; hidden_skus: string | null; outbound_lag_seconds: number | null; inbound_lag_seconds: number | null }>(
      `SELECT c.id, c.name, c.kind, c.settings, cs.hidden_skus, cs.outbound_lag_seconds, cs.inbound_lag_seconds FROM channels c LEFT JOIN channel_sync cs ON cs.channel_id = c.id
       WHERE c.workspace_id = ? AND c.id IN (${placeholders(part.length)})`, [ws, ...part]));
  return rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind, settings: openSettings(r.settings), hidden_skus: new Set(JSON.parse(r.hidden_skus ?? '[]') as string[]),
    measured_outbound_lag_seconds: r.outbound_lag_seconds === null || r.outbound_lag_seconds === undefined ? null : Number(r.outbound_lag_seconds),
    measured_inbound_lag_seconds: r.inbound_lag_seconds === null || r.inbound_lag_seconds === undefined ? null : Number(r.inbound_lag_seconds) }));
}

// Listings.

export interface ListingRef {
  id: string;
  channel_id: string;
  item_id: string;
}

/** Kits nest at most this deep; the catalog refuses cycles, this only bounds a bug. */
const BUNDLE_NESTING_MAX = 32;

/**
 * Active listings of these items and of every bundle or multipack that contains them, however
 * deeply nested. One statement per level of nesting: each finds the listings of the items in
 * hand and the bundles containing them; the next level starts from those bundles. So a
 * workspace with no listings and no bundles costs one cheap statement. (Walking the levels here,
 * rather than in a recursive CTE, keeps both planners on the item indexes: PostgreSQL cannot
 * estimate a recursive CTE's rows and hashes the whole listings table instead.) No workspace
 * test: the ids are the workspace's already (the ledger's), and every bundle containing one of
 * them is too.
 */
export async function listingsAffectedBy(db: Db, itemIds: string[]): Promise<ListingRef[]> {
  const seen = new Set(itemIds);
  const out: ListingRef[] = [];
  let frontier = [...seen];
  for (let depth = 0; frontier.length > 0 && depth <= BUNDLE_NESTING_MAX; depth++) {
    const rows = await inChunks(frontier, (part) =>
      db.all<{ id: string; channel_id: string | null; item_id: string }>(
        `SELECT id, channel_id, item_id FROM listings WHERE item_id IN (${placeholders(part.length)}) AND active = ?
         UNION ALL
         SELECT item_id AS id, NULL AS channel_id, component_id AS item_id FROM item_components WHERE component_id IN (${placeholders(part.length)})`,
        [...part, true, ...part],
      ));
    frontier = [];
    for (const r of rows) {
      if (r.channel_id !== null) out.push({ id: r.id, channel_id: r.channel_id, item_id: r.item_id });
      else if (!seen.has(r.id)) (seen.add(r.id), frontier.push(r.id));
    }
  }
  return out;
}

/** The identifiers (`external`) of these listings, by id. */
export async function listingExternals(db: Db, ids: string[]): Promise<Map<string, Record<string, string>>> {
  const rows = await inChunks([...new Set(ids)], (part) => db.all<{ id: string; external: string }>(`SELECT id, external FROM listings WHERE id IN (${placeholders(part.length)})`, part));
  return new Map(rows.map((r) => [r.id, JSON.parse(r.external) as Record<string, string>]));
}

/** Lock listings by id, in id order (`FOR UPDATE` on PostgreSQL; SQLite already holds the write lock). */
export async function lockListings(db: Db, ids: string[]): Promise<void> {
  if (db.dialect === 'sqlite') return;
  const sorted = [...new Set(ids)].sort();
  await inChunks(sorted, (part) => db.all(`SELECT id FROM listings WHERE id IN (${placeholders(part.length)}) ORDER BY id${db.forUpdate}`, part));
}

/** A page of a workspace's active listings in id order (full recompute). */
export async function listingsPage(db: Db, ws: string, after: string | null, limit: number, channelId?: string): Promise<ListingRef[]> {
  const params: Param[] = [ws, true];
  let where = 'workspace_id = ? AND active = ?';
  if (channelId !== undefined) (where += ' AND channel_id = ?'), params.push(channelId);
  if (after !== null) (where += ' AND id > ?'), params.push(after);
  return db.all<ListingRef>(`SELECT id, channel_id, item_id FROM listings WHERE ${where} ORDER BY id LIMIT ?`, [...params, limit]);
}

export async function listingRef(db: Db, ws: string, id: string): Promise<(ListingRef & { active: boolean }) | undefined> {
  const r = await db.get<ListingRef & { active: boolean | number }>('SELECT id, channel_id, item_id, active FROM listings WHERE workspace_id = ? AND id = ?', [ws, id]);
  return r && { ...r, active: Boolean(r.active) };
}

// Items and components.

export interface ItemNode {
  id: string;
  sku: string;
  kind: 'standard' | 'bundle' | 'multipack';
  archived: boolean;
}

export interface Edge {
  item_id: string;
  component_id: string;
  quantity: number;
}

/**
 * These items and everything they are made of (nested kits), with the component edges: one
 * statement per level of nesting (a standard item: one). The ids are listings' items, already
 * the workspace's: see listingsAffectedBy.
 */
export async function itemTrees(db: Db, itemIds: string[]): Promise<{ items: ItemNode[]; edges: Edge[] }> {
  const items = new Map<string, ItemNode>();
  const edges: Edge[] = [];
  let frontier = [...new Set(itemIds)];
  for (let depth = 0; frontier.length > 0 && depth <= BUNDLE_NESTING_MAX; depth++) {
    const rows = await inChunks(frontier, (part) =>
      db.all<{ id: string; sku: string; kind: ItemNode['kind']; archived: boolean | number; component_id: string | null; quantity: number | string | null }>(
        `SELECT i.id, i.sku, i.kind, i.archived, ic.component_id, ic.quantity
         FROM items i LEFT JOIN item_components ic ON ic.item_id = i.id
         WHERE i.id IN (${placeholders(part.length)})`,
        part,
      ));
    // One row per (item, component) pair, or one row with no component for a standard item.
    const next = new Set<string>();
    for (const r of rows) {
      items.set(r.id, { id: r.id, sku: r.sku, kind: r.kind, archived: Boolean(r.archived) });
      if (r.component_id !== null) {
        edges.push({ item_id: r.id, component_id: r.component_id, quantity: Number(r.quantity) });
        next.add(r.component_id);
      }
    }
    frontier = [...next].filter((id) => !items.has(id));
  }
  return { items: [...items.values()], edges };
}

// Stock.

export interface LevelRow {
  item_id: string;
  location_id: string;
  code: string;
  kind: LocationKind;
  ships_online: boolean;
  pickup: boolean;
  available: number;
  safety_stock: number;
}

export async function levelsOf(db: Db, ws: string, itemIds: string[]): Promise<LevelRow[]> {
  const rows = await inChunks(itemIds, (part) =>
    db.all<LevelRow>(
      `SELECT sl.item_id, sl.location_id, l.code, l.kind, l.ships_online, l.pickup, sl.available, sl.safety_stock
       FROM stock_levels sl JOIN locations l ON l.id = sl.location_id
       WHERE sl.workspace_id = ? AND sl.item_id IN (${placeholders(part.length)})`,
      [ws, ...part],
    ));
  return rows.map((r) => ({ ...r, ships_online: Boolean(r.ships_online), pickup: Boolean(r.pickup), available: Number(r.available), safety_stock: Number(r.safety_stock) }));
}

/** Every location of a workspace (a handful to a few thousand). */
export async function locationsOf(db: Db, ws: string): Promise<{ id: string; code: string; kind: LocationKind; ships_online: boolean; pickup: boolean }[]> {
  const rows = await db.all<{ id: string; code: string; kind: LocationKind; ships_online: boolean | number; pickup: boolean | number }>(
    'SELECT id, code, kind, ships_online, pickup FROM locations WHERE workspace_id = ? ORDER BY code', [ws]);
  return rows.map((r) => ({ ...r, ships_online: Boolean(r.ships_online), pickup: Boolean(r.pickup) }));
}

/** Reference of the long-lived hold that ring-fences a channel's stock. */
export { ringFenceReference };

export interface FenceLine {
  hold_id: string;
  item_id: string;
  location_id: string;
  quantity: number;
  expires_at: number | null;
}

/** Units held by a channel's ring-fence holds, per hold line (standard items only). */
export async function ringFenceLines(db: Db, ws: string, channelId: string, itemIds?: string[]): Promise<FenceLine[]> {
  const base = `SELECT h.id AS hold_id, hl.item_id, hl.location_id, hl.quantity, h.expires_at
     FROM holds h JOIN hold_lines hl ON hl.hold_id = h.id
     WHERE h.workspace_id = ? AND h.state = ? AND h.reference LIKE 'ringfence:%' AND h.reference = ? AND hl.bundle_item_id IS NULL`;
  const rows = itemIds === undefined
    ? await db.all<FenceLine>(base, [ws, 'active', ringFenceReference(channelId)])
    : await inChunks(itemIds, (part) => db.all<FenceLine>(`${base} AND hl.item_id IN (${placeholders(part.length)})`, [ws, 'active', ringFenceReference(channelId), ...part]));
  return rows.map((r) => ({ ...r, quantity: Number(r.quantity), expires_at: r.expires_at === null ? null : Number(r.expires_at) }));
}

/** Units the channel's orders drew from its ring-fence since `since`, per item. */
export async function ringFenceDrawn(db: Db, ws: string, channelId: string, itemIds: string[], since: number): Promise<Map<string, number>> {
  const rows = await inChunks(itemIds, (part) =>
    db.all<{ item_id: string; units: number | string }>(
      `SELECT m.item_id, SUM(m.quantity) AS units FROM movements m JOIN holds h ON h.id = m.hold_id
       WHERE m.workspace_id = ? AND m.reason = 'ring_fence_draw' AND m.item_id IN (${placeholders(part.length)}) AND m.created_at >= ? AND h.reference = ?
       GROUP BY m.item_id`,
      [ws, ...part, since, ringFenceReference(channelId)],
    ));
  return new Map(rows.map((r) => [r.item_id, Number(r.units)]));
}

/**
 * Units still expected at each location by `until`: open purchase-order lines and transfers in
 * transit with an ETA (a line without one is not promised).
 */
export async function incomingBy(db: Db, ws: string, itemIds: string[], until: number): Promise<{ item_id: string; location_id: string; units: number }[]> {
  const rows = await inChunks(itemIds, (part) =>
    db.all<{ item_id: string; location_id: string; units: number | string }>(
      `SELECT item_id, location_id, SUM(units) AS units FROM (
         SELECT pl.item_id, po.location_id, pl.ordered - pl.received_good - pl.received_damaged AS units
         FROM purchase_order_lines pl JOIN purchase_orders po ON po.id = pl.purchase_order_id
         WHERE po.workspace_id = ? AND po.state = ? AND pl.eta IS NOT NULL AND pl.eta <= ? AND pl.item_id IN (${placeholders(part.length)})
         UNION ALL
         SELECT tl.item_id, t.to_location_id AS location_id, tl.shipped - tl.received - tl.damaged - tl.lost AS units
         FROM transfer_lines tl JOIN transfers t ON t.id = tl.transfer_id
         WHERE t.workspace_id = ? AND t.state = ? AND t.eta IS NOT NULL AND t.eta <= ? AND tl.item_id IN (${placeholders(part.length)})
       ) x WHERE units > 0 GROUP BY item_id, location_id`,
      [ws, 'open', until, ...part, ws, 'in_transit', until, ...part],
    ));
  return rows.map((r) => ({ ...r, units: Number(r.units) }));
}

/**
 * Units allocated (moved into `committed` by an allocation) since `since`, per item, channel and
 * time, for the decayed sales velocity. A sale without a channel counts as another channel's.
 */
export async function salesSince(db: Db, ws: string, itemIds: string[], since: number): Promise<{ item_id: string; channel_id: string | null; at: number; units: number }[]> {
  const rows = await inChunks(itemIds, (part) =>
    db.all<{ item_id: string; channel_id: string | null; at: number | string; units: number | string }>(
      `SELECT m.item_id, h.channel_id, m.created_at AS at, SUM(m.quantity) AS units
       FROM movements m JOIN holds h ON h.id = m.hold_id
       WHERE m.workspace_id = ? AND m.item_id IN (${placeholders(part.length)}) AND m.created_at >= ?
         AND m.to_account = ? AND m.command IN (?, ?)
       GROUP BY m.item_id, h.channel_id, m.created_at`,
      [ws, ...part, since, 'committed', 'allocate', 'allocate_order'],
    ));
  return rows.map((r) => ({ ...r, at: Number(r.at), units: Number(r.units) }));
}

// Computed values and the outbox.

export interface Computed {
  listing_id: string;
  quantity: number;
  backorder_units: number;
  version: number;
}

export async function availabilityOf(db: Db, listingIds: string[]): Promise<Computed[]> {
  const rows = await inChunks(listingIds, (part) =>
    db.all<Computed>(`SELECT listing_id, quantity, backorder_units, version FROM availability WHERE listing_id IN (${placeholders(part.length)})`, part));
  return rows.map((r) => ({ listing_id: r.listing_id, quantity: Number(r.quantity), backorder_units: Number(r.backorder_units), version: Number(r.version) }));
}

export interface Publish {
  listingId: string;
  channelId: string;
  quantity: number;
  backorderUnits: number;
  version: number;
  /** False: the channel owns the number (`channelOwnsNumber`): recorded, never queued for a push. */
  push?: boolean;
}

/** Record new values and enqueue them: one pending outbox row per listing, the latest value. */
export async function publish(db: Db, ws: string, rows: Publish[], now: number): Promise<void> {
  if (rows.length === 0) return;
  const upsert = (set: string) => ` ON CONFLICT (listing_id) DO UPDATE SET ${set}`;
  await insertRows(db, 'availability', ['listing_id', 'workspace_id', 'quantity', 'backorder_units', 'computed_at', 'version'],
    rows.map((r) => [r.listingId, ws, r.quantity, r.backorderUnits, now, r.version]),
    upsert('quantity = excluded.quantity, backorder_units = excluded.backorder_units, computed_at = excluded.computed_at, version = excluded.version'));
  // A listing whose number the channel owns is never queued, and what was queued before its rule
  // said so is dropped (one statement, only when there are such listings).
  const owned = rows.filter((r) => r.push === false).map((r) => r.listingId);
  if (owned.length > 0) await db.run(`DELETE FROM channel_outbox WHERE listing_id IN (${placeholders(owned.length)})`, owned);
  const pushed = owned.length === 0 ? rows : rows.filter((r) => r.push !== false);
  await insertRows(db, 'channel_outbox', ['listing_id', 'workspace_id', 'channel_id', 'quantity', 'backorder_units', 'version', 'enqueued_at'],
    pushed.map((r) => [r.listingId, ws, r.channelId, r.quantity, r.backorderUnits, r.version, now]),
    // A new value is a new push: due at once, whatever backoff or grace the old one was in.
    // `enqueued_at` stays the time of the oldest change not yet pushed: lag is measured from it.
    `${upsert('quantity = excluded.quantity, backorder_units = excluded.backorder_units, version = excluded.version, not_before = 0, attempts = 0')}
     WHERE channel_outbox.version < excluded.version`);
}

export interface OutboxRow {
  listing_id: string;
  channel_id: string;
  quantity: number;
  backorder_units: number;
  version: number;
  enqueued_at: number;
}

export async function outboxPage(db: Db, ws: string, opts: { channelId?: string; after?: string; limit: number }): Promise<OutboxRow[]> {
  const params: Param[] = [ws];
  let where = 'workspace_id = ?';
  if (opts.channelId !== undefined) (where += ' AND channel_id = ?'), params.push(opts.channelId);
  if (opts.after !== undefined) (where += ' AND listing_id > ?'), params.push(opts.after);
  const rows = await db.all<OutboxRow>(`SELECT listing_id, channel_id, quantity, backorder_units, version, enqueued_at FROM channel_outbox WHERE ${where} ORDER BY listing_id LIMIT ?`, [...params, opts.limit]);
  return rows.map((r) => ({ ...r, quantity: Number(r.quantity), backorder_units: Number(r.backorder_units), version: Number(r.version), enqueued_at: Number(r.enqueued_at) }));
}

/** The sync dispatcher's acknowledgement: delete the row only if nothing newer was enqueued since. */
export async function ackOutbox(db: Db, ws: string, listingId: string, version: number): Promise<boolean> {
  return (await db.run('DELETE FROM channel_outbox WHERE workspace_id = ? AND listing_id = ? AND version = ?', [ws, listingId, version])) > 0;
}

/** Stock levels at one location, a page at a time in item id order (pickup and POS availability). */
export async function levelsAtLocation(db: Db, ws: string, locationId: string, after: string | null, limit: number, itemId: string | null = null): Promise<{ item_id: string; sku: string; available: number; safety_stock: number }[]> {
  const params: Param[] = [ws, locationId];
  let where = 'sl.workspace_id = ? AND sl.location_id = ?';
  if (after !== null) (where += ' AND sl.item_id > ?'), params.push(after);
  if (itemId !== null) (where += ' AND sl.item_id = ?'), params.push(itemId);
  const rows = await db.all<{ item_id: string; sku: string; available: number | string; safety_stock: number | string }>(
    `SELECT sl.item_id, i.sku, sl.available, sl.safety_stock FROM stock_levels sl JOIN items i ON i.id = sl.item_id WHERE ${where} ORDER BY sl.item_id LIMIT ?`,
    [...params, limit],
  );
  return rows.map((r) => ({ ...r, available: Number(r.available), safety_stock: Number(r.safety_stock) }));
}
