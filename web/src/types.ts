// The JSON views the dashboard reads (snake_case, ISO times), as the API sends them. Only the
// fields a screen uses; anything newer is ignored.

export const BUCKETS = ['available', 'reserved', 'committed', 'damaged', 'quality_control', 'safety_stock', 'incoming', 'oversold'] as const;
export type Bucket = (typeof BUCKETS)[number];

export interface Item {
  id: string;
  sku: string;
  name: string;
  barcode: string | null;
  archived: boolean;
  kind: 'standard' | 'bundle' | 'multipack';
}

export interface Location {
  id: string;
  code: string;
  name: string;
  kind: string;
}

export type Levels = Record<Bucket, number> & { on_hand: number };

export interface StockView {
  item: Item;
  locations: (Levels & { location: string; zone?: string | null; updated_at: string })[];
  total: Levels;
}

export interface Movement {
  id: string;
  sku: string;
  location: string;
  from: string;
  to: string;
  quantity: number;
  command: string;
  reason: string | null;
  reference: string | null;
  note: string | null;
  actor: string;
  /** The actor by name ("Ana", "operate key", "CLI (bob)", "system: hold sweeper"); older servers omit it. */
  actor_name?: string;
  created_at: string;
}

export interface HistoryPoint {
  at: string;
  on_hand: number;
  available: number;
  movement_id: string;
}

export interface Listing {
  id: string;
  channel_id: string;
  channel: string;
  channel_kind: string;
  sku: string;
  external_key: string;
  /** The identifiers as the merchant knows them (older servers leave it out). */
  identifiers?: { field: string; label: string; value: string; stored: string }[];
  active: boolean;
  /** What truestock publishes, last pushed, and last saw on the channel (older servers leave it out). */
  numbers?: ListingNumbers;
}

export interface ListingNumbers {
  published: { quantity: number; backorder_units: number; version: number | null; computed_at: string | null } | null;
  pushed: { quantity: number; at: string | null } | null;
  shown: { quantity: number; at: string | null } | null;
}

export interface ServedNumber {
  listing_id: string;
  sku: string;
  external: Record<string, string>;
  external_key: string;
  quantity: number;
  backorder_units: number;
  computed_at: string | null;
}

export interface Availability {
  listing_id: string;
  channel: string;
  quantity: number;
  backorder_units: number;
  steps: { step: string; value: number; why: string }[];
  published: { quantity: number; backorder_units: number; version: number } | null;
  computed_at: string;
}

export interface Channel {
  id: string;
  kind: string;
  name: string;
  /** The channel's settings; credentials read `(set)`. */
  settings?: Record<string, unknown>;
}

export interface Breaker {
  state: 'closed' | 'open' | 'half_open' | string;
  consecutive_failures?: number;
  retry_at?: string | null;
}

/** A failure with when it happened, as the API sends it. */
export interface Failure {
  at: string | null;
  message: string;
}

export type ChannelState = 'active' | 'served' | 'paused' | 'degraded' | 'failing';

/** A per-listing limit a connector spends and holds pushes for (eBay: revisions per listing per day). */
export interface ListingLimit {
  name: string;
  /** What one listing may use in the period. */
  per_listing: number;
  /** Listings held back now (their next number waits for a slot). */
  held: number;
  /** The most one listing has used this period. */
  max_used: number;
  /** When the period ends and the counts start again (null: no period). */
  resets_at: string | null;
  /** Kind-specific counters (eBay: `paced_from`, `paced`, `exhausted`). */
  detail?: Record<string, number>;
}

export interface SyncStatus {
  channel_id: string;
  kind: string;
  /** `served`: no connector pushes this channel; whoever needs its numbers pulls them. */
  numbers?: 'pushed' | 'served';
  state?: ChannelState;
  state_reasons?: string[];
  paused: boolean;
  hidden_skus: string[];
  /** Null for a served channel: it has no push queue. */
  queue_depth: number | null;
  oldest_pending_age_s: number | null;
  dead_letters: number | null;
  dead_letter_sample?: { listing_id: string; sku?: string | null; at?: string | null; reason?: string | null }[];
  dispatcher: null | {
    connector_error?: string | null;
    breaker: Breaker;
    pushes_per_minute: number;
    lag_p50_ms: number | null;
    lag_p99_ms: number | null;
    calls: { ok: number; throttled: number; transient: number; permanent: number };
    last_error: Failure | string | null;
    /** The push budget this process spends on the channel's API (null: none kept). */
    budget?: { available: number; capacity: number; refill_per_second: number } | null;
    /** Limits on single listings the connector holds pushes for (eBay's revisions a day); absent when it keeps none. */
    limits?: ListingLimit[];
  };
  /** How the channel's last order polls ended (null: never polled). */
  polled?: boolean;
  inbound?: null | {
    last_poll_at: string | null;
    last_ok_at: string | null;
    last_error: Failure | null;
    consecutive_failures: number;
  };
  served?: null | { json: string; csv: string };
}

export interface OverviewChannel {
  id: string;
  name: string;
  kind: string;
  paused: boolean;
  /** Null for a channel whose numbers are served, not pushed. */
  queue_depth: number | null;
  oldest_pending_age_s: number | null;
  dead_letters: number | null;
  lag_p50_ms: number | null;
  lag_p99_ms: number | null;
  breaker: string | Breaker | null;
  numbers?: 'pushed' | 'served';
  state?: ChannelState | null;
  state_reasons?: string[];
}

export interface Overview {
  stock: { items: number; stock_levels: number; out_of_stock_items: number; oversold_levels: number; oversold_units: number };
  exceptions: { open: number; by_kind: Record<string, number>; by_severity?: Record<string, number>; by_age: { lt_1h: number; h1_24: number; d1_7: number; gt_7d: number } };
  oversells: { prevented_24h: number; recorded_24h: number };
  channels: OverviewChannel[];
}

export interface LagSample {
  at: string;
  p50_ms: number | null;
  p99_ms: number | null;
  pushes: number;
}

export type Severity = 'high' | 'medium' | 'low';

export interface StockException {
  id: string;
  kind: string;
  severity?: Severity;
  state: 'open' | 'acknowledged' | 'resolved';
  sku: string | null;
  location: string | null;
  channel_id?: string | null;
  quantity: number | null;
  reference: string | null;
  message: string;
  assignee?: string | null;
  created_at: string;
  age_s?: number;
  acknowledged_at?: string | null;
  resolved_at?: string | null;
  resolution?: string | null;
}

export interface AuditEntry {
  at: string;
  actor: { kind: string; id: string; name: string | null };
  /** What was done, in words: "received 12 units on PO-000003". */
  summary?: string;
  method: string;
  path: string;
  status: number;
  ip: string | null;
  idempotency_key: string | null;
}

export interface AuditActor {
  id: string;
  kind: 'user' | 'api_key' | 'cli' | 'system' | 'channel';
  name: string;
}

export interface PurchaseOrder {
  id: string;
  number: string;
  supplier: string;
  location: string;
  state: 'open' | 'closed';
  close_reason: string | null;
  ordered: number;
  received_good: number;
  received_damaged: number;
  still_expected: number;
  lines: { line: number; sku: string; ordered: number; received_good: number; received_damaged: number; still_expected: number; eta: string | null }[];
  created_at: string;
}

export interface Transfer {
  id: string;
  number: string;
  from: string;
  to: string;
  state: 'in_transit' | 'closed';
  shipped: number;
  received: number;
  damaged: number;
  lost: number;
  in_transit: number;
  lines: { line: number; sku: string; shipped: number; received: number; damaged: number; lost: number; in_transit: number }[];
  created_at: string;
}

export interface Return {
  id: string;
  number: string;
  location: string;
  channel_id: string | null;
  order_reference: string | null;
  state: 'open' | 'closed';
  lines: {
    line: number;
    sku: string;
    expected: number;
    received: number;
    restocked: number;
    damaged: number;
    written_off: number;
    returned_to_vendor: number;
    awaiting_inspection: number;
    skips_inspection: boolean;
  }[];
  created_at: string;
}

export type CountState = 'open' | 'awaiting_approval' | 'posted' | 'cancelled';

/** A count line; on a blind count still open, a non-admin sees only the SKU and their own entries. */
export interface CountLine {
  sku: string;
  snapshot?: number | null;
  expected?: number | null;
  counted?: number | null;
  variance?: number | null;
  variance_percent?: number | null;
  exceeds_threshold?: boolean;
  counters?: { counter: string; counted: number }[];
  your_counts?: { counter: string; counted: number }[];
}

export interface Count {
  id: string;
  number: string;
  location: string;
  scope: 'all' | 'zones' | 'skus';
  blind: boolean;
  state: CountState;
  approved_by: string | null;
  created_at: string;
  posted_at: string | null;
  books_hidden?: boolean;
  thresholds?: { variance_units_max: number | null; variance_percent_max: number | null };
  lines?: CountLine[];
  uncounted?: string[];
  exceeding?: string[];
}
