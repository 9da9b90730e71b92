// SQL for events coming in from channels: webhook receipts (dedupe by delivery), the orders a
// channel reported (what truestock did with each), the order poll's cursor, and the listing and
// exception lookups the ingest needs.

import type { Channel, External } from '../domain/listing-rules.ts';
import type { ExceptionKind, ItemKind } from '../domain/model.ts';
import { raiseExceptions } from './exception-repo.ts';
import { getChannel } from './channel-repo.ts';
import { chunk, type Db, insertRows, PARAMS_PER_STATEMENT_MAX, placeholders, valuesList } from './store.ts';

// ---- channels -------------------------------------------------------------------------------

/** A channel by id alone: a webhook names its channel in the URL and carries no API key. */
export async function channelById(db: Db, id: string): Promise<Channel | undefined> {
  const row = await db.get<{ workspace_id: string }>('SELECT workspace_id FROM channels WHERE id = ?', [id]);
  return row ? getChannel(db, row.workspace_id, id) : undefined;
}

// ---- webhook receipts -----------------------------------------------------------------------

export interface Receipt {
  channelId: string;
  webhookId: string;
  workspaceId: string;
  topic: string;
  eventId: string | null;
  triggeredAt: number | null;
  receivedAt: number;
  outcome: string;
}

export async function receiptOf(db: Db, channelId: string, webhookId: string): Promise<{ outcome: string; received_at: number } | undefined> {
  const r = await db.get<{ outcome: string; received_at: number }>('SELECT outcome, received_at FROM webhook_receipts WHERE channel_id = ? AND webhook_id = ?', [channelId, webhookId]);
  return r && { outcome: r.outcome, received_at: Number(r.received_at) };
}

/** Record a delivery; a concurrent copy of it that got here first keeps its receipt. */
export async function insertReceipt(db: Db, r: Receipt): Promise<boolean> {
  const changed = await db.run(
    `INSERT INTO webhook_receipts (channel_id, webhook_id, workspace_id, topic, event_id, triggered_at, received_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (channel_id, webhook_id) DO NOTHING`,
    [r.channelId, r.webhookId, r.workspaceId, r.topic, r.eventId, r.triggeredAt, r.receivedAt, r.outcome.slice(0, 500)],
  );
  return changed > 0;
}

/** Ids per IN list when reading by many ids at once. */
const IDS_PER_STATEMENT_MAX = 1_000;

/** The receipts among these deliveries of a channel, by webhook id: one round trip for a batch. */
export async function receiptsOf(db: Db, channelId: string, webhookIds: readonly string[]): Promise<Map<string, { outcome: string; received_at: number }>> {
  const out = new Map<string, { outcome: string; received_at: number }>();
  for (const part of chunk([...new Set(webhookIds)], IDS_PER_STATEMENT_MAX)) {
    const rows = await db.all<{ webhook_id: string; outcome: string; received_at: number }>(
      `SELECT webhook_id, outcome, received_at FROM webhook_receipts WHERE channel_id = ? AND webhook_id IN (${placeholders(part.length)})`,
      [channelId, ...part],
    );
    for (const r of rows) out.set(r.webhook_id, { outcome: r.outcome, received_at: Number(r.received_at) });
  }
  return out;
}

/** Record many deliveries at once; a copy that got here first keeps its receipt. */
export async function insertReceipts(db: Db, receipts: readonly Receipt[]): Promise<void> {
  await insertRows(
    db,
    'webhook_receipts',
    ['channel_id', 'webhook_id', 'workspace_id', 'topic', 'event_id', 'triggered_at', 'received_at', 'outcome'],
    receipts.map((r) => [r.channelId, r.webhookId, r.workspaceId, r.topic, r.eventId, r.triggeredAt, r.receivedAt, r.outcome.slice(0, 500)]),
    ' ON CONFLICT (channel_id, webhook_id) DO NOTHING',
  );
}

/** Forget receipts older than `before`: long after the channel stopped redelivering them. */
export async function pruneReceipts(db: Db, before: number): Promise<number> {
  return db.run('DELETE FROM webhook_receipts WHERE received_at < ?', [before]);
}

// ---- channel orders -------------------------------------------------------------------------

export type ChannelOrderState = 'open' | 'cancelled';
/** `held`: a pending order's units are held (a hold with the order as reference), not yet allocated. */
export type LedgerState = 'held' | 'allocated' | 'refused' | 'cancelled' | 'cancel_refused';

/** One line of a channel order as truestock resolved it. */
export interface OrderLineRecord {
  lineId: string;
  /** The truestock item the line maps to, or null when it maps to none. */
  sku: string | null;
  quantity: number;
  /** Where it is allocated; null with a mapped SKU means "the first of the channel's locations that covers it". */
  location: string | null;
  /** Why the line was not allocated, when it was not. */
  unmapped: string | null;
}

/** A refund that cancelled units of the order before fulfilment. */
export interface OrderRefundRecord {
  id: string;
  lines: { lineId: string; quantity: number }[];
}

export interface ChannelOrder {
  channelId: string;
  externalOrderId: string;
  workspaceId: string;
  name: string | null;
  state: ChannelOrderState;
  occurredAt: number;
  /** Null until the order itself was seen (a refund may arrive first). */
  lines: OrderLineRecord[] | null;
  /** The allocate_order command decided once, so a retry sends the identical command. */
  allocation: Record<string, unknown> | null;
  holdId: string | null;
  ledgerState: LedgerState | null;
  refunds: OrderRefundRecord[];
  createdAt: number;
  updatedAt: number;
  /** The channel still says the order is pending (payment not confirmed); only ever goes true → false. */
  pending: boolean;
  /** The order's first ledger step is a hold (it was first seen pending): decided once. */
  viaHold: boolean;
  /** The channel fulfils the order from its own stock: recorded, never allocated (decided once). */
  fulfilledByChannel: boolean;
}

interface OrderRow {
  channel_id: string;
  external_order_id: string;
  workspace_id: string;
  name: string | null;
  state: ChannelOrderState;
  occurred_at: number;
  lines: string | null;
  allocation: string | null;
  hold_id: string | null;
  ledger_state: LedgerState | null;
  refunds: string;
  created_at: number;
  updated_at: number;
  pending: boolean | number;
  via_hold: boolean | number;
  fulfilled_by_channel: boolean | number;
}

const orderFromRow = (r: OrderRow): ChannelOrder => ({
  channelId: r.channel_id,
  externalOrderId: r.external_order_id,
  workspaceId: r.workspace_id,
  name: r.name,
  state: r.state,
  occurredAt: Number(r.occurred_at),
  lines: r.lines === null ? null : (JSON.parse(r.lines) as OrderLineRecord[]),
  allocation: r.allocation === null ? null : (JSON.parse(r.allocation) as Record<string, unknown>),
  holdId: r.hold_id,
  ledgerState: r.ledger_state,
  refunds: JSON.parse(r.refunds) as OrderRefundRecord[],
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  pending: Boolean(r.pending),
  viaHold: Boolean(r.via_hold),
  fulfilledByChannel: Boolean(r.fulfilled_by_channel),
});

/** Read a channel order; with `lock`, hold its row for the rest of the transaction. */
export async function getChannelOrder(db: Db, channelId: string, externalOrderId: string, lock = false): Promise<ChannelOrder | undefined> {
  const r = await db.get<OrderRow>(`SELECT * FROM channel_orders WHERE channel_id = ? AND external_order_id = ?${lock ? db.forUpdate : ''}`, [channelId, externalOrderId]);
  return r && orderFromRow(r);
}

/** Channel orders by id (no lock): one round trip for a batch of orders. */
export async function channelOrdersOf(db: Db, channelId: string, externalOrderIds: readonly string[]): Promise<Map<string, ChannelOrder>> {
  const out = new Map<string, ChannelOrder>();
  for (const part of chunk([...new Set(externalOrderIds)], IDS_PER_STATEMENT_MAX)) {
    const rows = await db.all<OrderRow>(`SELECT * FROM channel_orders WHERE channel_id = ? AND external_order_id IN (${placeholders(part.length)})`, [channelId, ...part]);
    for (const r of rows) out.set(r.external_order_id, orderFromRow(r));
  }
  return out;
}

/** Channel orders by id, locked for the rest of the transaction in id order (so two batches never deadlock). */
export async function lockChannelOrders(db: Db, channelId: string, externalOrderIds: readonly string[]): Promise<Map<string, ChannelOrder>> {
  const out = new Map<string, ChannelOrder>();
  for (const part of chunk([...new Set(externalOrderIds)].sort(), IDS_PER_STATEMENT_MAX)) {
    const rows = await db.all<OrderRow>(
      `SELECT * FROM channel_orders WHERE channel_id = ? AND external_order_id IN (${placeholders(part.length)}) ORDER BY external_order_id${db.forUpdate}`,
      [channelId, ...part],
    );
    for (const r of rows) out.set(r.external_order_id, orderFromRow(r));
  }
  return out;
}

/**
 * Insert a channel order unless one is there already (another delivery of the same order got in
 * first): the caller re-reads it under lock and merges.
 */
export async function insertChannelOrder(db: Db, o: ChannelOrder): Promise<boolean> {
  const changed = await db.run(
    `INSERT INTO channel_orders (channel_id, external_order_id, workspace_id, name, state, occurred_at, lines, allocation, hold_id, ledger_state, refunds, created_at, updated_at, pending, via_hold, fulfilled_by_channel)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel_id, external_order_id) DO NOTHING`,
    [o.channelId, o.externalOrderId, o.workspaceId, o.name, o.state, o.occurredAt, o.lines && JSON.stringify(o.lines), o.allocation && JSON.stringify(o.allocation),
      o.holdId, o.ledgerState, JSON.stringify(o.refunds), o.createdAt, o.updatedAt, o.pending, o.viaHold, o.fulfilledByChannel],
  );
  return changed > 0;
}

/** `insertChannelOrder` for many orders in one statement; returns the ids it inserted (the others were there). */
export async function insertChannelOrders(db: Db, orders: readonly ChannelOrder[]): Promise<Set<string>> {
  const out = new Set<string>();
  const columns = 16;
  for (const part of chunk(orders, Math.floor(PARAMS_PER_STATEMENT_MAX / columns))) {
    const rows = await db.all<{ external_order_id: string }>(
      `INSERT INTO channel_orders (channel_id, external_order_id, workspace_id, name, state, occurred_at, lines, allocation, hold_id, ledger_state, refunds, created_at, updated_at, pending, via_hold, fulfilled_by_channel)
       VALUES ${valuesList(part.length, columns)} ON CONFLICT (channel_id, external_order_id) DO NOTHING RETURNING external_order_id`,
      part.flatMap((o) => [o.channelId, o.externalOrderId, o.workspaceId, o.name, o.state, o.occurredAt, o.lines && JSON.stringify(o.lines), o.allocation && JSON.stringify(o.allocation),
        o.holdId, o.ledgerState, JSON.stringify(o.refunds), o.createdAt, o.updatedAt, o.pending, o.viaHold, o.fulfilledByChannel]),
    );
    for (const r of rows) out.add(r.external_order_id);
  }
  return out;
}

/** Write what the facts of an order say (not its ledger progress, which `setLedgerState` moves). */
export async function writeOrderFacts(db: Db, o: ChannelOrder): Promise<void> {
  await db.run(
    `UPDATE channel_orders SET name = ?, state = ?, occurred_at = ?, lines = ?, allocation = ?, refunds = ?, updated_at = ?, pending = ?, via_hold = ?, fulfilled_by_channel = ?
     WHERE channel_id = ? AND external_order_id = ?`,
    [o.name, o.state, o.occurredAt, o.lines && JSON.stringify(o.lines), o.allocation && JSON.stringify(o.allocation), JSON.stringify(o.refunds), o.updatedAt,
      o.pending, o.viaHold, o.fulfilledByChannel, o.channelId, o.externalOrderId],
  );
}

/**
 * Move an order's ledger progress from `from` to `to`, only if it is still at `from`: of two
 * deliveries racing to record the same step, exactly one does. Returns whether this one did.
 */
export async function setLedgerState(db: Db, channelId: string, externalOrderId: string, from: LedgerState | null, to: LedgerState, holdId: string | null, now: number): Promise<boolean> {
  const where = from === null ? 'ledger_state IS NULL' : 'ledger_state = ?';
  const changed = await db.run(
    `UPDATE channel_orders SET ledger_state = ?, hold_id = COALESCE(?, hold_id), updated_at = ? WHERE channel_id = ? AND external_order_id = ? AND ${where}`,
    [to, holdId, now, channelId, externalOrderId, ...(from === null ? [] : [from])],
  );
  return changed > 0;
}

/**
 * `setLedgerState(…, null, 'allocated', holdId, now)` for many orders in one statement: each
 * order not yet recorded as anything becomes allocated with its hold.
 */
export async function setAllocated(db: Db, channelId: string, allocated: readonly { orderId: string; holdId: string }[], now: number): Promise<void> {
  for (const part of chunk(allocated, IDS_PER_STATEMENT_MAX / 2)) {
    await db.run(
      `UPDATE channel_orders SET ledger_state = 'allocated', hold_id = CASE external_order_id ${part.map(() => 'WHEN ? THEN ?').join(' ')} END, updated_at = ?
       WHERE channel_id = ? AND ledger_state IS NULL AND external_order_id IN (${placeholders(part.length)})`,
      [...part.flatMap((a) => [a.orderId, a.holdId]), now, channelId, ...part.map((a) => a.orderId)],
    );
  }
}

// ---- order poll cursor ----------------------------------------------------------------------

/**
 * Where a channel's last poll stopped: the kind's own cursor text; undefined before the first
 * stop (rows from before migration 17 kept a time in ms in `cursor_at`).
 */
export async function pollCursorOf(db: Db, channelId: string): Promise<string | undefined> {
  const r = await db.get<{ cursor: string | null; cursor_at: number }>('SELECT cursor, cursor_at FROM channel_poll WHERE channel_id = ?', [channelId]);
  if (!r) return undefined;
  return r.cursor ?? (Number(r.cursor_at) > 0 ? String(r.cursor_at) : undefined);
}

/** Store where a poll stopped, once the events before it are applied. */
export async function advancePollCursor(db: Db, ws: string, channelId: string, cursor: string, now: number): Promise<void> {
  await db.run(
    `INSERT INTO channel_poll (channel_id, workspace_id, cursor_at, cursor, polled_at) VALUES (?, ?, 0, ?, ?)
     ON CONFLICT (channel_id) DO UPDATE SET cursor = excluded.cursor, polled_at = excluded.polled_at`,
    [channelId, ws, cursor, now],
  );
}

// ---- listings and items for mapping ---------------------------------------------------------

export interface MappedListing {
  id: string;
  itemId: string;
  sku: string;
  kind: ItemKind;
  externalKey: string;
  external: External;
}

interface MappedRow {
  id: string;
  item_id: string;
  sku: string;
  kind: ItemKind;
  external_key: string;
  external: string;
}

const mappedFromRow = (r: MappedRow): MappedListing => ({ id: r.id, itemId: r.item_id, sku: r.sku, kind: r.kind, externalKey: r.external_key, external: JSON.parse(r.external) as External });

const SELECT_MAPPED = `SELECT l.id, l.item_id, i.sku, i.kind, l.external_key, l.external FROM listings l JOIN items i ON i.id = l.item_id`;

/** Active listings of a channel with any of these external keys. */
export async function activeListingsByKeys(db: Db, ws: string, channelId: string, keys: string[]): Promise<MappedListing[]> {
  const out: MappedListing[] = [];
  for (const part of chunk(keys, IDS_PER_STATEMENT_MAX)) {
    const rows = await db.all<MappedRow>(
      `${SELECT_MAPPED} WHERE l.workspace_id = ? AND l.channel_id = ? AND l.active = ? AND l.external_key IN (${placeholders(part.length)}) ORDER BY l.id`,
      [ws, channelId, true, ...part],
    );
    out.push(...rows.map(mappedFromRow));
  }
  return keys.length > IDS_PER_STATEMENT_MAX ? out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) : out;
}

/**
 * For each of these key prefixes, the first active listing of the channel (by id) whose key
 * starts with it, or none: `activeListingsByKeyPrefix` for many prefixes with one scan of the
 * channel's listings per distinct prefix length.
 */
export async function activeListingsByKeyPrefixes(db: Db, ws: string, channelId: string, prefixes: string[]): Promise<Map<string, MappedListing>> {
  const out = new Map<string, MappedListing>();
  const byLength = new Map<number, string[]>();
  for (const p of new Set(prefixes)) byLength.set(p.length, [...(byLength.get(p.length) ?? []), p]);
  for (const [length, group] of byLength) {
    for (const part of chunk(group, IDS_PER_STATEMENT_MAX)) {
      const rows = await db.all<MappedRow>(
        `${SELECT_MAPPED} WHERE l.workspace_id = ? AND l.channel_id = ? AND l.active = ? AND substr(l.external_key, 1, ?) IN (${placeholders(part.length)}) ORDER BY l.id`,
        [ws, channelId, true, length, ...part],
      );
      for (const r of rows) {
        const prefix = r.external_key.slice(0, length);
        if (!out.has(prefix)) out.set(prefix, mappedFromRow(r));
      }
    }
  }
  return out;
}

/**
 * Active listings of a channel whose key starts with this prefix (an inventory item listed at
 * another location). `substr` rather than LIKE: keys are percent-encoded, so they hold `%`.
 */
export async function activeListingsByKeyPrefix(db: Db, ws: string, channelId: string, prefix: string): Promise<MappedListing[]> {
  const rows = await db.all<MappedRow>(
    `${SELECT_MAPPED} WHERE l.workspace_id = ? AND l.channel_id = ? AND l.active = ? AND substr(l.external_key, 1, ?) = ? ORDER BY l.id`,
    [ws, channelId, true, prefix.length, prefix],
  );
  return rows.map(mappedFromRow);
}

/** Active listings of a channel whose item has one of these SKUs. */
export async function activeListingsBySkus(db: Db, ws: string, channelId: string, skus: string[]): Promise<MappedListing[]> {
  if (skus.length === 0) return [];
  const rows = await db.all<MappedRow>(
    `${SELECT_MAPPED} WHERE l.workspace_id = ? AND l.channel_id = ? AND l.active = ? AND i.sku IN (${placeholders(skus.length)}) ORDER BY l.id`,
    [ws, channelId, true, ...skus],
  );
  return rows.map(mappedFromRow);
}

/** What truestock currently wants a listing to show, and what is queued or in flight to it. */
export async function listingNumbers(db: Db, listingId: string): Promise<{ computed: number | null; queued: number | null }> {
  const a = await db.get<{ quantity: number }>('SELECT quantity FROM availability WHERE listing_id = ?', [listingId]);
  const o = await db.get<{ quantity: number }>('SELECT quantity FROM channel_outbox WHERE listing_id = ?', [listingId]);
  return { computed: a ? Number(a.quantity) : null, queued: o ? Number(o.quantity) : null };
}

// ---- exceptions ------------------------------------------------------------------------------

export interface ChannelException {
  id: string;
  workspaceId: string;
  kind: ExceptionKind;
  itemId: string | null;
  locationId: string | null;
  quantity: number | null;
  reference: string | null;
  holdId: string | null;
  message: string;
  createdAt: number;
  /** What tells this condition apart from others of the same kind and reference (an order's line). */
  subject?: string;
}

/** Exceptions about channel events; unlike the ledger's, they may name no item or location. One unresolved per condition (exception-repo.ts). */
export async function insertChannelExceptions(db: Db, rows: ChannelException[]): Promise<void> {
  await raiseExceptions(db, rows);
}

/**
 * Claim a channel's next poll: true for exactly one process per interval (several workers share
 * one database), and only when the last poll is at least `intervalMs` old.
 */
export async function claimPoll(db: Db, ws: string, channelId: string, now: number, intervalMs: number): Promise<boolean> {
  await db.run(
    'INSERT INTO channel_poll (channel_id, workspace_id, cursor_at, polled_at) VALUES (?, ?, 0, 0) ON CONFLICT (channel_id) DO NOTHING',
    [channelId, ws],
  );
  return (await db.run('UPDATE channel_poll SET polled_at = ? WHERE channel_id = ? AND polled_at <= ?', [now, channelId, now - intervalMs])) > 0;
}
