// What the dashboard reads beyond the plain resources: the overview, an item's on_hand and
// available over time, a channel's lag over time, the exceptions workflow, and the audit log.

import { type Account, type Balances, isBucket, onHand, zeroBalances } from '../domain/buckets.ts';
import { getItemBySku } from '../store/catalog-repo.ts';
import { type AuditEntry, insertAudit } from '../store/session-repo.ts';
import type { Db, Store } from '../store/store.ts';
import type { ChannelStatus } from '../sync/dispatcher.ts';
import { syncStatus } from './channel-sync.ts';
import { EXCEPTION_SEVERITY } from './exceptions.ts';
import { type Scheduler, systemScheduler, type Timer } from './scheduler.ts';
import { iso } from './views.ts';

const HOUR = 3_600_000;

/** The overview page: stock health, open exceptions by kind and age, oversells, and each channel's sync. */
export async function overview(db: Db, ws: string, now: number, live: (channelId: string) => ChannelStatus | null) {
  const n = (r: { n: number | string | null } | undefined) => Number(r?.n ?? 0);
  const items = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM items WHERE workspace_id = ? AND archived = ? AND kind = 'standard'", [ws, false]);
  const levels = await db.get<{ n: number; oversold: number; units: number | null }>(
    'SELECT COUNT(*) AS n, SUM(CASE WHEN oversold > 0 THEN 1 ELSE 0 END) AS oversold, SUM(oversold) AS units FROM stock_levels WHERE workspace_id = ?', [ws]);
  const out = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM items i WHERE i.workspace_id = ? AND i.archived = ? AND i.kind = 'standard'
     AND COALESCE((SELECT SUM(available) FROM stock_levels sl WHERE sl.item_id = i.id), 0) = 0`, [ws, false]);
  const open = await db.all<{ kind: string; created_at: number }>("SELECT kind, created_at FROM exceptions WHERE workspace_id = ? AND state <> 'resolved'", [ws]);
  const byKind: Record<string, number> = {};
  const bySeverity: Record<string, number> = { high: 0, medium: 0, low: 0 };
  const byAge = { lt_1h: 0, h1_24: 0, d1_7: 0, gt_7d: 0 };
  for (const e of open) {
    byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
    bySeverity[EXCEPTION_SEVERITY[e.kind] ?? 'low']!++;
    const age = now - Number(e.created_at);
    if (age < HOUR) byAge.lt_1h++;
    else if (age < 24 * HOUR) byAge.h1_24++;
    else if (age < 7 * 24 * HOUR) byAge.d1_7++;
    else byAge.gt_7d++;
  }
  const prevented = await preventedLastDay(db, ws, now);
  const recorded = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM exceptions WHERE workspace_id = ? AND kind = 'oversold' AND created_at >= ?", [ws, now - 24 * HOUR]);
  const channels = [];
  for (const ch of await db.all<{ id: string; name: string; kind: string; paused: boolean | number | null }>(
    'SELECT c.id, c.name, c.kind, cs.paused FROM channels c LEFT JOIN channel_sync cs ON cs.channel_id = c.id WHERE c.workspace_id = ? ORDER BY c.name', [ws])) {
    // A channel whose numbers are served (no connector) has no push queue to show; its state, like
    // every channel's, comes from the status API's one rule (inbound polls included).
    const status = await syncStatus(db, ws, ch.id, now, live);
    const s = status?.dispatcher;
    channels.push({
      id: ch.id, name: ch.name, kind: ch.kind, paused: Boolean(ch.paused), queue_depth: status?.queue_depth ?? null,
      oldest_pending_age_s: status?.oldest_pending_age_s ?? null,
      dead_letters: status?.dead_letters ?? null, lag_p50_ms: s?.lag_p50_ms ?? null, lag_p99_ms: s?.lag_p99_ms ?? null, breaker: s?.breaker.state ?? null,
      numbers: status?.numbers ?? 'pushed', state: status?.state ?? null, state_reasons: status?.state_reasons ?? [],
    });
  }
  return {
    stock: { items: n(items), stock_levels: n(levels), out_of_stock_items: n(out), oversold_levels: Number(levels?.oversold ?? 0), oversold_units: Number(levels?.units ?? 0) },
    exceptions: { open: open.length, by_kind: byKind, by_severity: bySeverity, by_age: byAge },
    oversells: { prevented_24h: prevented, recorded_24h: n(recorded) },
    channels,
  };
}

/** How long the "oversells prevented" count is reused: it scans a day of idempotency records. */
const PREVENTED_CACHE_MS = 60_000;
const preventedCache = new Map<string, { at: number; n: number }>();

/**
 * Reservations refused for lack of stock in the last 24 h: oversells prevented. A refusal is kept
 * with its idempotency key, so this counts those records — a scan of a day's commands, done at
 * most once a minute per workspace however many dashboards poll the overview.
 */
async function preventedLastDay(db: Db, ws: string, now: number): Promise<number> {
  const hit = preventedCache.get(ws);
  if (hit && now - hit.at < PREVENTED_CACHE_MS && now >= hit.at) return hit.n;
  const r = await db.get<{ n: number }>(
    "SELECT COUNT(*) AS n FROM idempotency_keys WHERE workspace_id = ? AND created_at >= ? AND status = 409 AND response LIKE '%\"insufficient_stock\"%'", [ws, now - 24 * HOUR]);
  const n = Number(r?.n ?? 0);
  if (preventedCache.size > 1_000) preventedCache.clear();
  preventedCache.set(ws, { at: now, n });
  return n;
}

// How a movement changes the balances summed over an item's locations (externals are outside).
const credit = (b: Balances, a: Account, q: number) => (a === 'oversold' ? (b.oversold -= q) : isBucket(a) ? (b[a] += q) : 0);
const debit = (b: Balances, a: Account, q: number) => (a === 'oversold' ? (b.oversold += q) : isBucket(a) ? (b[a] -= q) : 0);

/**
 * An item's on_hand and available over its last `limit` movements, oldest first: the current
 * balances (all locations) walked back through the movements.
 */
export async function stockHistory(db: Db, ws: string, sku: string, limit: number) {
  const item = await getItemBySku(db, ws, sku);
  if (!item) return undefined;
  const b = zeroBalances();
  for (const l of await db.all<Balances>('SELECT * FROM stock_levels WHERE item_id = ?', [item.id])) for (const k of Object.keys(b) as (keyof Balances)[]) b[k] += Number(l[k]);
  const moves = await db.all<{ id: string; from_account: Account; to_account: Account; quantity: number; created_at: number }>(
    'SELECT id, from_account, to_account, quantity, created_at FROM movements WHERE item_id = ? ORDER BY seq DESC LIMIT ?', [item.id, limit]);
  const points = [];
  for (const m of moves) {
    points.push({ at: iso(Number(m.created_at)), on_hand: onHand(b), available: b.available, movement_id: m.id });
    // Undo it: what it took comes back, what it gave goes.
    credit(b, m.from_account, Number(m.quantity));
    debit(b, m.to_account, Number(m.quantity));
  }
  return { sku, points: points.reverse() };
}

export async function lagHistory(db: Db, channelId: string, since: number) {
  const rows = await db.all<{ at: number; p50_ms: number | null; p99_ms: number | null; pushes: number }>(
    'SELECT at, p50_ms, p99_ms, pushes FROM channel_lag_samples WHERE channel_id = ? AND at >= ? ORDER BY at', [channelId, since]);
  return { data: rows.map((r) => ({ at: iso(Number(r.at)), p50_ms: r.p50_ms === null ? null : Number(r.p50_ms), p99_ms: r.p99_ms === null ? null : Number(r.p99_ms), pushes: Number(r.pushes) })) };
}

// The exceptions workflow: src/app/exceptions.ts.

/**
 * The audit log, written off the request path: entries are buffered and written together every
 * `flushMs`, so auditing costs no extra transaction per request. An entry can be lost only if the
 * process dies within that window — the ledger itself (movements, with actor and time) is never.
 */
export class AuditLog {
  private buffer: AuditEntry[] = [];
  private timer: Timer | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store, private readonly flushMs = 200, private readonly scheduler: Scheduler = systemScheduler) {}

  record(e: AuditEntry): void {
    this.buffer.push(e);
    this.timer ??= this.scheduler.after(this.flushMs, () => this.flush());
  }

  flush(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    const entries = this.buffer;
    this.buffer = [];
    if (entries.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() => this.store.transaction(async (db) => { for (const e of entries) await insertAudit(db, e); })).catch(() => undefined);
    return this.flushing;
  }
}


