// SQL for alerts out (docs/alerts.md): subscriptions, the alert outbox (alert_events), the
// per-level coalescing rows of stock.changed, low-stock thresholds, deliveries with their
// attempt log, and a workspace's SMTP settings. Events are written by whoever writes the fact
// they report, in that transaction; the delivery worker reads the rest.

import { newId } from '../app/ids.ts';
import type { AlertEventType, ChannelStatusChange, Severity, SubscriptionKind } from '../domain/alert-rules.ts';
import { channelSeverity, exceptionSeverity } from '../domain/alert-rules.ts';
import type { Balances } from '../domain/buckets.ts';
import type { StockLevel } from '../domain/model.ts';
import { type Db, insertRows, type Param, placeholders } from './store.ts';
import { isSealed, openSecret, type SecretBox, sealSecret } from './secret-box.ts';

const bool = (v: unknown) => v === true || v === 1 || v === '1' || v === 't';
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const isoOf = (ms: number) => new Date(ms).toISOString();

// ---- the outbox ---------------------------------------------------------------------------

export interface AlertEventDraft {
  workspaceId: string;
  type: AlertEventType;
  severity: Severity;
  data: Record<string, unknown>;
}

/** Write events to the outbox. The body a receiver gets is fixed here: `{type, timestamp, data}`. */
export async function enqueueAlerts(db: Db, drafts: readonly AlertEventDraft[], now: number): Promise<void> {
  await insertRows(db, 'alert_events', ['id', 'workspace_id', 'type', 'severity', 'payload', 'created_at'], drafts.map((d) => {
    const id = newId('evt', now);
    return [id, d.workspaceId, d.type, d.severity, JSON.stringify({ type: d.type, timestamp: isoOf(now), data: { ...d.data } }), now];
  }));
}

export interface OpenedException {
  id: string;
  workspaceId: string;
  kind: string;
  itemId: string | null;
  locationId: string | null;
  quantity: number | null;
  reference: string | null;
  message: string;
  createdAt: number;
}

/** Names of items and locations, for payloads people and receivers can read. */
export async function names(db: Db, itemIds: (string | null)[], locationIds: (string | null)[]) {
  const items = [...new Set(itemIds.filter((x): x is string => x !== null))];
  const locs = [...new Set(locationIds.filter((x): x is string => x !== null))];
  const skus = new Map(items.length === 0 ? [] : (await db.all<{ id: string; sku: string }>(`SELECT id, sku FROM items WHERE id IN (${placeholders(items.length)})`, items)).map((r) => [r.id, r.sku]));
  const codes = new Map(locs.length === 0 ? [] : (await db.all<{ id: string; code: string }>(`SELECT id, code FROM locations WHERE id IN (${placeholders(locs.length)})`, locs)).map((r) => [r.id, r.code]));
  return { sku: (id: string | null) => (id ? (skus.get(id) ?? null) : null), code: (id: string | null) => (id ? (codes.get(id) ?? null) : null) };
}

/** exception.opened for each exception just inserted (same transaction). */
export async function exceptionsOpened(db: Db, rows: readonly OpenedException[]): Promise<void> {
  if (rows.length === 0) return;
  const n = await names(db, rows.map((r) => r.itemId), rows.map((r) => r.locationId));
  const at = Math.max(...rows.map((r) => r.createdAt));
  await enqueueAlerts(db, rows.map((e) => ({
    workspaceId: e.workspaceId,
    type: 'exception.opened',
    severity: exceptionSeverity(e.kind),
    data: {
      exception: {
        id: e.id, kind: e.kind, severity: exceptionSeverity(e.kind), state: 'open', sku: n.sku(e.itemId), location: n.code(e.locationId),
        quantity: e.quantity, reference: e.reference, message: e.message.slice(0, 1000), created_at: isoOf(e.createdAt),
      },
    },
  })), at);
}

/** exception.resolved for an exception whose state just became resolved (same transaction). */
export async function exceptionResolved(db: Db, exceptionId: string, now: number): Promise<void> {
  const e = await db.get<{ id: string; workspace_id: string; kind: string; item_id: string | null; location_id: string | null; quantity: number | null; reference: string | null; message: string; resolution: string | null; resolution_kind: string | null; resolved_by: string | null; settled_by_movement_id: string | null; created_at: number }>(
    'SELECT id, workspace_id, kind, item_id, location_id, quantity, reference, message, resolution, resolution_kind, resolved_by, settled_by_movement_id, created_at FROM exceptions WHERE id = ?', [exceptionId]);
  if (!e) return;
  const n = await names(db, [e.item_id], [e.location_id]);
  await enqueueAlerts(db, [{
    workspaceId: e.workspace_id,
    type: 'exception.resolved',
    severity: 'info',
    data: {
      exception: {
        id: e.id, kind: e.kind, severity: exceptionSeverity(e.kind), state: 'resolved', sku: n.sku(e.item_id), location: n.code(e.location_id),
        quantity: num(e.quantity), reference: e.reference, message: e.message, resolution: e.resolution,
        resolution_kind: e.resolution_kind, resolved_by: e.resolved_by, settled_by_movement_id: e.settled_by_movement_id, created_at: isoOf(Number(e.created_at)), resolved_at: isoOf(now),
      },
    },
  }], now);
}

/** channel.status_changed (same transaction as the change, where the change is stored). */
export async function channelStatusChanged(db: Db, ws: string, channelId: string, status: ChannelStatusChange, reason: string, now: number): Promise<void> {
  const ch = await db.get<{ name: string; kind: string }>('SELECT name, kind FROM channels WHERE id = ?', [channelId]);
  await enqueueAlerts(db, [{
    workspaceId: ws, type: 'channel.status_changed', severity: channelSeverity(status),
    data: { channel: { id: channelId, name: ch?.name ?? null, kind: ch?.kind ?? null }, status, reason: reason.slice(0, 500) },
  }], now);
}

// ---- stock.changed: one row per level, coalescing ------------------------------------------

/** Workspaces among these that have at least one enabled subscription (nobody listening: nothing to coalesce). */
export async function listeningWorkspaces(db: Db, workspaceIds: string[]): Promise<Set<string>> {
  if (workspaceIds.length === 0) return new Set();
  const rows = await db.all<{ workspace_id: string }>(
    `SELECT DISTINCT workspace_id FROM alert_subscriptions WHERE enabled = TRUE AND workspace_id IN (${placeholders(workspaceIds.length)})`, workspaceIds);
  return new Set(rows.map((r) => r.workspace_id));
}

/**
 * One upsert per touched level: the latest balances, and — when no change of this level is
 * waiting — the time the window opens. A level already waiting keeps its window.
 */
export async function upsertStockChanges(db: Db, levels: readonly StockLevel[], now: number): Promise<void> {
  await insertRows(
    db, 'alert_stock_changes', ['item_id', 'location_id', 'workspace_id', 'balances', 'pending', 'first_at', 'updated_at'],
    levels.map((l) => [l.itemId, l.locationId, l.workspaceId, JSON.stringify(l.balances), true, now, now]),
    ` ON CONFLICT (item_id, location_id) DO UPDATE SET balances = excluded.balances, updated_at = excluded.updated_at,
       first_at = CASE WHEN alert_stock_changes.pending THEN alert_stock_changes.first_at ELSE excluded.first_at END, pending = TRUE`,
  );
}

export interface StockChangeRow {
  item_id: string;
  location_id: string;
  workspace_id: string;
  balances: string;
  first_at: number;
  updated_at: number;
}

/** Levels whose window closed at or before `closedBy`, locked, oldest first. */
export async function dueStockChanges(db: Db, closedBy: number, limit: number): Promise<StockChangeRow[]> {
  return db.all<StockChangeRow>(
    `SELECT item_id, location_id, workspace_id, balances, first_at, updated_at FROM alert_stock_changes
     WHERE pending = TRUE AND first_at <= ? ORDER BY first_at, item_id, location_id LIMIT ?${db.forUpdate}`, [closedBy, limit]);
}

/** Turn due coalescing rows into stock.changed events and close their windows. */
export async function emitStockChanges(db: Db, rows: readonly StockChangeRow[], now: number): Promise<void> {
  if (rows.length === 0) return;
  const n = await names(db, rows.map((r) => r.item_id), rows.map((r) => r.location_id));
  await enqueueAlerts(db, rows.map((r) => {
    const b = JSON.parse(r.balances) as Balances;
    return {
      workspaceId: r.workspace_id, type: 'stock.changed', severity: 'info',
      data: { sku: n.sku(r.item_id), item_id: r.item_id, location: n.code(r.location_id), location_id: r.location_id, ...stockNumbers(b), changed_at: isoOf(Number(r.updated_at)) },
    };
  }), now);
  for (const r of rows) await db.run('UPDATE alert_stock_changes SET pending = FALSE WHERE item_id = ? AND location_id = ?', [r.item_id, r.location_id]);
}

/** The numbers a stock event carries (on_hand as the dashboard counts it). */
export function stockNumbers(b: Balances) {
  const on_hand = b.available + b.reserved + b.committed + b.damaged + b.quality_control + b.safety_stock - b.oversold;
  return { available: b.available, on_hand, reserved: b.reserved, committed: b.committed, incoming: b.incoming, damaged: b.damaged, quality_control: b.quality_control, safety_stock: b.safety_stock, oversold: b.oversold };
}

// ---- thresholds --------------------------------------------------------------------------

export interface ThresholdRow {
  item_id: string;
  location_id: string;
  workspace_id: string;
  low_stock: number | null;
  reorder_point: number | null;
  low_stock_below: boolean;
  reorder_point_below: boolean;
  updated_at: number;
}

function thresholdFromRow(r: Record<string, unknown>): ThresholdRow {
  return {
    item_id: String(r.item_id), location_id: String(r.location_id), workspace_id: String(r.workspace_id),
    low_stock: num(r.low_stock), reorder_point: num(r.reorder_point),
    low_stock_below: bool(r.low_stock_below), reorder_point_below: bool(r.reorder_point_below), updated_at: Number(r.updated_at),
  };
}

/** Thresholds of these items (any location) in one workspace. */
export async function thresholdsOf(db: Db, ws: string, itemIds: string[]): Promise<ThresholdRow[]> {
  if (itemIds.length === 0) return [];
  const rows = await db.all<Record<string, unknown>>(`SELECT * FROM alert_thresholds WHERE workspace_id = ? AND item_id IN (${placeholders(itemIds.length)})`, [ws, ...itemIds]);
  return rows.map(thresholdFromRow);
}

export async function setThresholdBelow(db: Db, itemId: string, locationId: string, lowBelow: boolean, reorderBelow: boolean): Promise<void> {
  await db.run('UPDATE alert_thresholds SET low_stock_below = ?, reorder_point_below = ? WHERE item_id = ? AND location_id = ?', [lowBelow, reorderBelow, itemId, locationId]);
}

export async function upsertThreshold(db: Db, t: ThresholdRow): Promise<void> {
  await db.run(
    `INSERT INTO alert_thresholds (item_id, location_id, workspace_id, low_stock, reorder_point, low_stock_below, reorder_point_below, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (item_id, location_id) DO UPDATE SET low_stock = excluded.low_stock, reorder_point = excluded.reorder_point,
       low_stock_below = excluded.low_stock_below, reorder_point_below = excluded.reorder_point_below, updated_at = excluded.updated_at`,
    [t.item_id, t.location_id, t.workspace_id, t.low_stock, t.reorder_point, t.low_stock_below, t.reorder_point_below, t.updated_at],
  );
}

export async function deleteThreshold(db: Db, ws: string, itemId: string, locationId: string): Promise<number> {
  return db.run('DELETE FROM alert_thresholds WHERE workspace_id = ? AND item_id = ? AND location_id = ?', [ws, itemId, locationId]);
}

export async function listThresholds(db: Db, ws: string, opts: { itemId?: string; after?: string; limit: number }): Promise<(ThresholdRow & { sku: string; location: string; available: number })[]> {
  const where = ['t.workspace_id = ?'];
  const params: Param[] = [ws];
  if (opts.itemId) (where.push('t.item_id = ?'), params.push(opts.itemId));
  if (opts.after) (where.push("(t.item_id || ':' || t.location_id) > ?"), params.push(opts.after));
  const rows = await db.all<Record<string, unknown>>(
    `SELECT t.*, i.sku, l.code, COALESCE(s.available, 0) AS available FROM alert_thresholds t JOIN items i ON i.id = t.item_id JOIN locations l ON l.id = t.location_id
     LEFT JOIN stock_levels s ON s.item_id = t.item_id AND s.location_id = t.location_id
     WHERE ${where.join(' AND ')} ORDER BY t.item_id, t.location_id LIMIT ?`, [...params, opts.limit]);
  return rows.map((r) => ({ ...thresholdFromRow(r), sku: String(r.sku), location: String(r.code), available: Number(r.available) }));
}

export async function availableAt(db: Db, itemId: string, locationId: string): Promise<number> {
  const r = await db.get<{ available: number }>('SELECT available FROM stock_levels WHERE item_id = ? AND location_id = ?', [itemId, locationId]);
  return Number(r?.available ?? 0);
}

// ---- subscriptions -----------------------------------------------------------------------

export interface Subscription {
  id: string;
  workspace_id: string;
  kind: SubscriptionKind;
  name: string;
  url: string | null;
  /** Never leaves the server after creation: views drop it. */
  secret: string | null;
  /** The secret a rotation replaced: it still signs, beside `secret`, until previous_secret_until. */
  previous_secret: string | null;
  previous_secret_until: number | null;
  email: string | null;
  events: string[];
  min_severity: Severity;
  digest_minutes: number;
  digest_due_at: number | null;
  enabled: boolean;
  created_at: number;
  updated_at: number;
}

function subscriptionFromRow(r: Record<string, unknown>): Subscription {
  return {
    id: String(r.id), workspace_id: String(r.workspace_id), kind: r.kind as SubscriptionKind, name: String(r.name),
    url: (r.url as string | null) ?? null, secret: openSecret((r.secret as string | null) ?? null),
    previous_secret: openSecret((r.previous_secret as string | null) ?? null), previous_secret_until: num(r.previous_secret_until), email: (r.email as string | null) ?? null,
    events: JSON.parse(String(r.events)) as string[], min_severity: r.min_severity as Severity, digest_minutes: Number(r.digest_minutes),
    digest_due_at: num(r.digest_due_at), enabled: bool(r.enabled), created_at: Number(r.created_at), updated_at: Number(r.updated_at),
  };
}

export async function insertSubscription(db: Db, s: Subscription): Promise<void> {
  await db.run(
    `INSERT INTO alert_subscriptions (id, workspace_id, kind, name, url, secret, email, events, min_severity, digest_minutes, digest_due_at, enabled, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [s.id, s.workspace_id, s.kind, s.name, s.url, sealSecret(s.secret), s.email, JSON.stringify(s.events), s.min_severity, s.digest_minutes, s.digest_due_at, s.enabled, s.created_at, s.updated_at],
  );
}

export async function updateSubscription(db: Db, s: Subscription): Promise<void> {
  await db.run(
    `UPDATE alert_subscriptions SET name = ?, url = ?, email = ?, events = ?, min_severity = ?, digest_minutes = ?, digest_due_at = ?, enabled = ?, updated_at = ? WHERE id = ?`,
    [s.name, s.url, s.email, JSON.stringify(s.events), s.min_severity, s.digest_minutes, s.digest_due_at, s.enabled, s.updated_at, s.id],
  );
}

/** A new signing secret; the one it replaces keeps signing until `previousUntil` (both sealed at rest). */
export async function rotateSubscriptionSecret(db: Db, s: Pick<Subscription, 'id' | 'secret' | 'previous_secret' | 'previous_secret_until' | 'updated_at'>): Promise<void> {
  await db.run('UPDATE alert_subscriptions SET secret = ?, previous_secret = ?, previous_secret_until = ?, updated_at = ? WHERE id = ?',
    [sealSecret(s.secret), sealSecret(s.previous_secret), s.previous_secret_until, s.updated_at, s.id]);
}

/**
 * Delete a subscription with its deliveries and their attempts (in that order, for the foreign
 * keys); returns how many deliveries went, or null when there is no such subscription. The
 * subscription and its deliveries are locked first: a fan-out adding a delivery, or the worker
 * recording an attempt, waits for this and then finds them gone (recordAttempt is then a no-op).
 */
export async function deleteSubscription(db: Db, ws: string, id: string): Promise<number | null> {
  const s = await db.get<{ id: string }>(`SELECT id FROM alert_subscriptions WHERE workspace_id = ? AND id = ?${db.forUpdate}`, [ws, id]);
  if (!s) return null;
  await db.all(`SELECT id FROM alert_deliveries WHERE subscription_id = ?${db.forUpdate}`, [id]);
  await db.run('DELETE FROM alert_attempts WHERE delivery_id IN (SELECT id FROM alert_deliveries WHERE subscription_id = ?)', [id]);
  const deliveries = await db.run('DELETE FROM alert_deliveries WHERE subscription_id = ?', [id]);
  await db.run('DELETE FROM alert_subscriptions WHERE id = ?', [id]);
  return deliveries;
}

export async function getSubscription(db: Db, ws: string, id: string): Promise<Subscription | undefined> {
  const r = await db.get<Record<string, unknown>>('SELECT * FROM alert_subscriptions WHERE workspace_id = ? AND id = ?', [ws, id]);
  return r && subscriptionFromRow(r);
}

export async function listSubscriptions(db: Db, ws: string): Promise<Subscription[]> {
  return (await db.all<Record<string, unknown>>('SELECT * FROM alert_subscriptions WHERE workspace_id = ? ORDER BY id', [ws])).map(subscriptionFromRow);
}

export async function countSubscriptions(db: Db, ws: string): Promise<number> {
  return Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM alert_subscriptions WHERE workspace_id = ?', [ws]))?.n ?? 0);
}

export async function subscriptionsById(db: Db, ids: string[]): Promise<Map<string, Subscription>> {
  if (ids.length === 0) return new Map();
  const rows = await db.all<Record<string, unknown>>(`SELECT * FROM alert_subscriptions WHERE id IN (${placeholders(ids.length)})`, ids);
  return new Map(rows.map((r) => [String(r.id), subscriptionFromRow(r)]));
}

// ---- fan-out and deliveries ----------------------------------------------------------------

export interface AlertEventRow {
  id: string;
  workspace_id: string;
  type: string;
  severity: Severity;
  payload: string;
  created_at: number;
}

/** Events not yet fanned out, oldest first, locked so two workers do not fan one out twice. */
export async function eventsToFanOut(db: Db, limit: number): Promise<AlertEventRow[]> {
  const rows = await db.all<AlertEventRow>(`SELECT id, workspace_id, type, severity, payload, created_at FROM alert_events WHERE fanned_out = FALSE ORDER BY id LIMIT ?${db.forUpdate}`, [limit]);
  return rows.map((r) => ({ ...r, created_at: Number(r.created_at) }));
}

export async function enabledSubscriptions(db: Db, workspaceIds: string[]): Promise<Subscription[]> {
  if (workspaceIds.length === 0) return [];
  const rows = await db.all<Record<string, unknown>>(`SELECT * FROM alert_subscriptions WHERE enabled = TRUE AND workspace_id IN (${placeholders(workspaceIds.length)}) ORDER BY id`, workspaceIds);
  return rows.map(subscriptionFromRow);
}

export async function markFannedOut(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.run(`UPDATE alert_events SET fanned_out = TRUE WHERE id IN (${placeholders(ids.length)})`, ids);
}

export async function setDigestDue(db: Db, subscriptionId: string, at: number | null): Promise<void> {
  await db.run('UPDATE alert_subscriptions SET digest_due_at = ? WHERE id = ?', [at, subscriptionId]);
}

export interface DeliveryDraft {
  id: string;
  workspaceId: string;
  subscriptionId: string;
  eventId: string;
  nextAt: number;
  createdAt: number;
}

export async function insertDeliveries(db: Db, rows: readonly DeliveryDraft[]): Promise<void> {
  await insertRows(db, 'alert_deliveries', ['id', 'workspace_id', 'subscription_id', 'event_id', 'state', 'attempts', 'next_at', 'created_at', 'updated_at'],
    rows.map((d) => [d.id, d.workspaceId, d.subscriptionId, d.eventId, 'pending', 0, d.nextAt, d.createdAt, d.createdAt]));
}

export interface DueDelivery {
  id: string;
  workspace_id: string;
  subscription_id: string;
  event_id: string;
  attempts: number;
  next_at: number;
  type: string;
  severity: Severity;
  payload: string;
  event_created_at: number;
}

/** Pending deliveries due by `now`, oldest first. */
export async function dueDeliveries(db: Db, now: number, limit: number): Promise<DueDelivery[]> {
  const rows = await db.all<DueDelivery>(
    `SELECT d.id, d.workspace_id, d.subscription_id, d.event_id, d.attempts, d.next_at, e.type, e.severity, e.payload, e.created_at AS event_created_at
     FROM alert_deliveries d JOIN alert_events e ON e.id = d.event_id WHERE d.state = 'pending' AND d.next_at <= ? ORDER BY d.next_at, d.id LIMIT ?`, [now, limit]);
  return rows.map((r) => ({ ...r, attempts: Number(r.attempts), next_at: Number(r.next_at), event_created_at: Number(r.event_created_at) }));
}

/**
 * Claim a due delivery for this attempt: its next_at moves past the attempt's lease, only if it
 * was still what we read. False: another worker took it.
 */
export async function claimDelivery(db: Db, id: string, seenNextAt: number, leaseUntil: number): Promise<boolean> {
  return (await db.run("UPDATE alert_deliveries SET next_at = ? WHERE id = ? AND state = 'pending' AND next_at = ?", [leaseUntil, id, seenNextAt])) > 0;
}

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/**
 * Record one attempt and the delivery's new state; false (and nothing written) when the delivery
 * is gone — its subscription was deleted while it was being sent. The delivery row is updated
 * first so that, on PostgreSQL, a delete in progress is waited for rather than raced.
 */
export async function recordAttempt(
  db: Db, d: { id: string; workspace_id: string }, attemptNo: number, at: number, r: AttemptResult,
  next: { state: 'delivered' } | { state: 'pending'; nextAt: number } | { state: 'failed' },
): Promise<boolean> {
  const updated = await db.run(
    `UPDATE alert_deliveries SET state = ?, attempts = ?, next_at = ?, last_status = ?, last_error = ?, updated_at = ?, delivered_at = ? WHERE id = ?`,
    [next.state, attemptNo, next.state === 'pending' ? next.nextAt : at, r.statusCode, r.error?.slice(0, 500) ?? null, at, next.state === 'delivered' ? at : null, d.id],
  );
  if (updated === 0) return false;
  await db.run('INSERT INTO alert_attempts (delivery_id, attempt_no, workspace_id, at, ok, status_code, latency_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [d.id, attemptNo, d.workspace_id, at, r.ok, r.statusCode, Math.round(r.latencyMs), r.error?.slice(0, 500) ?? null]);
  return true;
}

export interface DeliveryView {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  state: string;
  attempts: number;
  next_at: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
  log: { attempt: number; at: number; ok: boolean; status_code: number | null; latency_ms: number; error: string | null }[];
}

/** A subscription's deliveries, newest first, each with its attempts. */
export async function deliveryLog(db: Db, ws: string, subscriptionId: string, opts: { before?: string; limit: number; state?: string }): Promise<DeliveryView[]> {
  const where = ['d.workspace_id = ?', 'd.subscription_id = ?'];
  const params: Param[] = [ws, subscriptionId];
  if (opts.before) (where.push('d.id < ?'), params.push(opts.before));
  if (opts.state) (where.push('d.state = ?'), params.push(opts.state));
  const rows = await db.all<Record<string, unknown>>(
    `SELECT d.*, e.type FROM alert_deliveries d JOIN alert_events e ON e.id = d.event_id WHERE ${where.join(' AND ')} ORDER BY d.id DESC LIMIT ?`, [...params, opts.limit]);
  const ids = rows.map((r) => String(r.id));
  const attempts = ids.length === 0 ? [] : await db.all<Record<string, unknown>>(`SELECT * FROM alert_attempts WHERE delivery_id IN (${placeholders(ids.length)}) ORDER BY attempt_no`, ids);
  const byDelivery = new Map<string, DeliveryView['log']>();
  for (const a of attempts) {
    const list = byDelivery.get(String(a.delivery_id)) ?? [];
    list.push({ attempt: Number(a.attempt_no), at: Number(a.at), ok: bool(a.ok), status_code: num(a.status_code), latency_ms: Number(a.latency_ms), error: (a.error as string | null) ?? null });
    byDelivery.set(String(a.delivery_id), list);
  }
  return rows.map((r) => ({
    id: String(r.id), subscription_id: String(r.subscription_id), event_id: String(r.event_id), event_type: String(r.type), state: String(r.state),
    attempts: Number(r.attempts), next_at: r.state === 'pending' ? num(r.next_at) : null, last_status: num(r.last_status), last_error: (r.last_error as string | null) ?? null,
    created_at: Number(r.created_at), delivered_at: num(r.delivered_at), log: byDelivery.get(String(r.id)) ?? [],
  }));
}

export async function getDelivery(db: Db, ws: string, id: string): Promise<{ id: string; subscription_id: string; event_id: string; state: string } | undefined> {
  return db.get('SELECT id, subscription_id, event_id, state FROM alert_deliveries WHERE workspace_id = ? AND id = ?', [ws, id]);
}

/** Recent events of a workspace, newest first. */
export async function recentEvents(db: Db, ws: string, opts: { before?: string; limit: number; type?: string }): Promise<AlertEventRow[]> {
  const where = ['workspace_id = ?'];
  const params: Param[] = [ws];
  if (opts.before) (where.push('id < ?'), params.push(opts.before));
  if (opts.type) (where.push('type = ?'), params.push(opts.type));
  return db.all<AlertEventRow>(`SELECT id, workspace_id, type, severity, payload, created_at FROM alert_events WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`, [...params, opts.limit]);
}

// ---- retention -------------------------------------------------------------------------------

/**
 * Delete up to `limit` finished deliveries (delivered or failed, last attempted before `before`)
 * with their attempts, then up to `limit` events older than `before` that no delivery refers to.
 * Returns how many rows of each went.
 */
export async function pruneAlerts(db: Db, before: number, limit: number): Promise<{ deliveries: number; events: number }> {
  const ids = (await db.all<{ id: string }>(
    `SELECT id FROM alert_deliveries WHERE state IN ('delivered', 'failed') AND next_at < ? ORDER BY next_at LIMIT ?${db.forUpdate}`, [before, limit])).map((r) => r.id);
  if (ids.length > 0) {
    await db.run(`DELETE FROM alert_attempts WHERE delivery_id IN (${placeholders(ids.length)})`, ids);
    await db.run(`DELETE FROM alert_deliveries WHERE id IN (${placeholders(ids.length)})`, ids);
  }
  const events = await db.run(
    `DELETE FROM alert_events WHERE id IN (SELECT e.id FROM alert_events e WHERE e.fanned_out = TRUE AND e.created_at < ?
       AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.event_id = e.id) ORDER BY e.id LIMIT ?)`, [before, limit]);
  return { deliveries: ids.length, events };
}

// ---- SMTP ----------------------------------------------------------------------------------

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  username: string | null;
  password: string | null;
  from_address: string;
}

export async function smtpOf(db: Db, ws: string): Promise<SmtpSettings | null> {
  const r = await db.get<Record<string, unknown>>('SELECT host, port, secure, username, password, from_address FROM alert_smtp WHERE workspace_id = ?', [ws]);
  if (!r) return null;
  return { host: String(r.host), port: Number(r.port), secure: bool(r.secure), username: (r.username as string | null) ?? null, password: openSecret((r.password as string | null) ?? null), from_address: String(r.from_address) };
}

export async function writeSmtp(db: Db, ws: string, s: SmtpSettings, now: number): Promise<void> {
  await db.run(
    `INSERT INTO alert_smtp (workspace_id, host, port, secure, username, password, from_address, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (workspace_id) DO UPDATE SET host = excluded.host, port = excluded.port, secure = excluded.secure, username = excluded.username,
       password = excluded.password, from_address = excluded.from_address, updated_at = excluded.updated_at`,
    [ws, s.host, s.port, s.secure, s.username, sealSecret(s.password), s.from_address, now],
  );
}

export async function deleteSmtp(db: Db, ws: string): Promise<number> {
  return db.run('DELETE FROM alert_smtp WHERE workspace_id = ?', [ws]);
}

/**
 * Seal again the alert secrets (webhook signing secrets, SMTP passwords) not sealed with the box's
 * current key: values in clear from before, and values of an older key during a rotation.
 */
export async function resealAlertSecrets(db: Db, box: SecretBox): Promise<number> {
  let n = 0;
  const reseal = (stored: string) => box.seal(isSealed(stored) ? box.open(stored) : JSON.stringify(stored));
  for (const r of await db.all<{ id: string; secret: string }>('SELECT id, secret FROM alert_subscriptions WHERE secret IS NOT NULL')) {
    if (box.sealedWithCurrent(r.secret)) continue;
    await db.run('UPDATE alert_subscriptions SET secret = ? WHERE id = ?', [reseal(r.secret), r.id]);
    n++;
  }
  for (const r of await db.all<{ id: string; previous_secret: string }>('SELECT id, previous_secret FROM alert_subscriptions WHERE previous_secret IS NOT NULL')) {
    if (box.sealedWithCurrent(r.previous_secret)) continue;
    await db.run('UPDATE alert_subscriptions SET previous_secret = ? WHERE id = ?', [reseal(r.previous_secret), r.id]);
    n++;
  }
  for (const r of await db.all<{ workspace_id: string; password: string }>('SELECT workspace_id, password FROM alert_smtp WHERE password IS NOT NULL')) {
    if (box.sealedWithCurrent(r.password)) continue;
    await db.run('UPDATE alert_smtp SET password = ? WHERE workspace_id = ?', [reseal(r.password), r.workspace_id]);
    n++;
  }
  return n;
}
