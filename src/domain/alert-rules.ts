// Alerts out (docs/alerts.md): which events exist, how severe each is, which subscription wants
// which event, when a failed delivery is tried again, and when a level's available stock has
// crossed below a low-stock or reorder threshold. Pure: no I/O, no clock; `random` is passed in.

export const ALERT_EVENT_TYPES = ['stock.changed', 'stock.low', 'exception.opened', 'exception.resolved', 'channel.status_changed'] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SUBSCRIPTION_KINDS = ['webhook', 'email'] as const;
export type SubscriptionKind = (typeof SUBSCRIPTION_KINDS)[number];

/** What a channel's status changed to. */
export const CHANNEL_STATUSES = ['paused', 'resumed', 'auth_failed', 'breaker_open', 'breaker_closed', 'stale', 'fresh'] as const;
export type ChannelStatusChange = (typeof CHANNEL_STATUSES)[number];

/** Units below which a level counts as low, or at which it should be reordered. */
export const THRESHOLD_KINDS = ['low_stock', 'reorder_point'] as const;
export type ThresholdKind = (typeof THRESHOLD_KINDS)[number];

/**
 * Movements of one stock level within this window after the first one become ONE stock.changed
 * event with the latest numbers: a burst of sales is one message, not a hundred.
 */
export const STOCK_CHANGED_COALESCE_MS = 5_000;

/** Attempts of one delivery before it is `failed` (the first try included). */
export const DELIVERY_ATTEMPTS_MAX = 10;
/** Wait before the second attempt; each further one doubles it, up to the cap. */
export const DELIVERY_BACKOFF_BASE_MS = 10_000;
export const DELIVERY_BACKOFF_MAX_MS = 3_600_000;

/** Delivered and failed deliveries, their attempts, and events nobody still waits for are kept this long. */
export const ALERT_RETENTION_MS = 30 * 24 * 3_600_000;

/** Subscriptions one workspace may have: a bound on fan-out per event. */
export const SUBSCRIPTIONS_MAX = 50;
/** Longest digest interval: a day. */
export const DIGEST_MINUTES_MAX = 1_440;

const EXCEPTION_SEVERITY: Record<string, Severity> = {
  oversold: 'critical',
  channel_auth_failed: 'critical',
  channel_stale: 'critical',
  sync_dead_letter: 'warning',
  count_shortfall: 'warning',
  unmapped_order_line: 'warning',
  channel_event_unapplied: 'warning',
  channel_listing_problem: 'warning',
  channel_drift: 'warning',
  channel_edit_recurring: 'warning',
  channel_edit_adopted: 'info',
};

/** How urgent an exception of this kind is; a kind not listed yet counts as a warning. */
export function exceptionSeverity(kind: string): Severity {
  return EXCEPTION_SEVERITY[kind] ?? 'warning';
}

const CHANNEL_SEVERITY: Record<ChannelStatusChange, Severity> = {
  auth_failed: 'critical',
  breaker_open: 'critical',
  stale: 'critical',
  paused: 'warning',
  resumed: 'info',
  breaker_closed: 'info',
  fresh: 'info',
};

export function channelSeverity(status: ChannelStatusChange): Severity {
  return CHANNEL_SEVERITY[status];
}

export function severityAtLeast(s: Severity, min: Severity): boolean {
  return SEVERITIES.indexOf(s) >= SEVERITIES.indexOf(min);
}

/** A subscription's filter: no list (or an empty one) means every event. */
export interface AlertFilter {
  events: readonly string[];
  minSeverity: Severity;
}

export function wants(f: AlertFilter, type: string, severity: Severity): boolean {
  return (f.events.length === 0 || f.events.includes(type)) && severityAtLeast(severity, f.minSeverity);
}

/**
 * Wait after failed attempt number `attempt` (1-based): base × 2^(attempt−1), capped, with
 * "equal jitter" — between half and all of that — so receivers that failed together are not
 * retried together, yet a retry never comes back almost at once.
 */
export function deliveryBackoffMs(attempt: number, random: () => number): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a whole number ≥ 1, got ${attempt}`);
  const ceiling = Math.min(DELIVERY_BACKOFF_MAX_MS, DELIVERY_BACKOFF_BASE_MS * 2 ** (attempt - 1));
  const r = random();
  const u = r >= 0 && r < 1 ? r : 0;
  return Math.floor(ceiling / 2 + (u * ceiling) / 2);
}

/** What a delivery becomes after a failed attempt: tried again later, or given up. */
export function afterFailure(attempts: number, now: number, random: () => number): { state: 'pending'; nextAt: number } | { state: 'failed' } {
  if (attempts >= DELIVERY_ATTEMPTS_MAX) return { state: 'failed' };
  return { state: 'pending', nextAt: now + deliveryBackoffMs(attempts, random) };
}

/** One threshold of one level and whether the level was already at or below it. */
export interface ThresholdState {
  kind: ThresholdKind;
  /** Alert when available falls to this many units or fewer. */
  units: number;
  below: boolean;
}

/**
 * Threshold crossings for a level's new `available`: a threshold fires once when available falls
 * to it or below, and is armed again only when available rises above it. Returns the new `below`
 * of each threshold and the ones that fired.
 */
export function crossings(thresholds: readonly ThresholdState[], available: number): { next: ThresholdState[]; fired: ThresholdState[] } {
  const next: ThresholdState[] = [];
  const fired: ThresholdState[] = [];
  for (const t of thresholds) {
    const below = available <= t.units;
    if (below && !t.below) fired.push(t);
    next.push({ ...t, below });
  }
  return { next, fired };
}

/** Webhook URLs are absolute http(s) URLs without credentials in them. */
export function webhookUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'url must be an absolute URL such as https://example.com/hooks/truestock';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'url must use https (or http)';
  if (u.username || u.password) return 'url must not carry a user name or password; the signature proves who sends';
  return null;
}

/** A plain e-mail address (one @, a dot in the domain, no spaces). */
export function emailProblem(email: string): string | null {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? null : 'email must be an address such as ops@example.com';
}
