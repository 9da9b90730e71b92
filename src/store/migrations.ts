// Versioned schema migrations. Append new versions; never edit an applied one.
//
// The SQL is shared by both dialects; `{{seq}}` and `{{without_rowid}}` are the spellings they
// disagree on. (SQLite keeps a text-keyed table twice — rows by rowid, plus the key index —
// unless it is WITHOUT ROWID. Holds have time-ordered ids, so clustering them by id appends.
// Idempotency keys are usually random UUIDs: there a rowid table that appends the large response,
// plus a small key index, writes fewer pages than clustering the responses by key.)
// Every bucket column carries a CHECK >= 0 as the last line of defence: the rules refuse first,
// and a bug that slips past them fails the transaction instead of writing a negative balance.

import { SqliteStore } from './sqlite-store.ts';
import type { Db, Dialect, Store } from './store.ts';

interface Migration {
  version: number;
  name: string;
  /** One text for both dialects, or one each where they cannot share it (a table rebuild). */
  sql: string | { sqlite: string; postgres: string };
}

const PLATFORM_17 = `
ALTER TABLE channel_poll ADD COLUMN cursor TEXT;
ALTER TABLE channel_sync ADD COLUMN paused_reason TEXT;
CREATE TABLE channel_submissions (
  channel_id TEXT NOT NULL,
  listing_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  submission_id TEXT NOT NULL,
  version BIGINT NOT NULL,
  quantity BIGINT NOT NULL,
  external TEXT NOT NULL,
  expected BIGINT,
  enqueued_at BIGINT NOT NULL,
  submitted_at BIGINT NOT NULL,
  checked_at BIGINT NOT NULL,
  PRIMARY KEY (channel_id, listing_id)
){{without_rowid}};
CREATE INDEX channel_submissions_id ON channel_submissions (channel_id, submission_id);
`;

const MANAGED_STOCK_22 = `
CREATE TABLE managed_stock (
  location_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  reported_at BIGINT NOT NULL,
  available BIGINT NOT NULL,
  reserved BIGINT NOT NULL,
  inbound BIGINT NOT NULL,
  unfulfillable BIGINT NOT NULL,
  researching BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (location_id, item_id)
){{without_rowid}}
`;

const bucket = (name: string) => `${name} BIGINT NOT NULL DEFAULT 0 CHECK (${name} >= 0)`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger core',
    sql: `
CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('read', 'operate', 'admin')),
  key_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE items (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  sku TEXT NOT NULL,
  name TEXT NOT NULL,
  barcode TEXT,
  archived BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (workspace_id, sku)
);
CREATE TABLE locations (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('warehouse', 'store', '3pl', 'channel_managed', 'dropship')),
  postal_code TEXT,
  country TEXT,
  ships_online BOOLEAN NOT NULL DEFAULT TRUE,
  pickup BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (workspace_id, code)
);
CREATE TABLE stock_levels (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  item_id TEXT NOT NULL REFERENCES items(id),
  location_id TEXT NOT NULL REFERENCES locations(id),
  ${bucket('available')},
  ${bucket('reserved')},
  ${bucket('committed')},
  ${bucket('damaged')},
  ${bucket('quality_control')},
  ${bucket('safety_stock')},
  ${bucket('incoming')},
  ${bucket('oversold')},
  updated_at BIGINT NOT NULL,
  UNIQUE (item_id, location_id)
);
CREATE INDEX stock_levels_location ON stock_levels (location_id);
CREATE TABLE movements (
  seq {{seq}},
  id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  location_id TEXT NOT NULL,
  from_account TEXT NOT NULL,
  to_account TEXT NOT NULL,
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  command TEXT NOT NULL,
  reason TEXT,
  reference TEXT,
  note TEXT,
  hold_id TEXT,
  actor TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX movements_level ON movements (item_id, location_id, seq);
CREATE INDEX movements_workspace ON movements (workspace_id, seq);
CREATE INDEX movements_reference ON movements (workspace_id, reference) WHERE reference IS NOT NULL;
CREATE TABLE holds (
  id TEXT NOT NULL PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  state TEXT NOT NULL,
  reference TEXT,
  order_reference TEXT,
  expires_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
){{without_rowid}};
CREATE INDEX holds_state ON holds (workspace_id, state, id);
CREATE INDEX holds_due ON holds (expires_at) WHERE state = 'active';
CREATE TABLE hold_lines (
  hold_id TEXT NOT NULL REFERENCES holds(id),
  line_no INTEGER NOT NULL,
  item_id TEXT NOT NULL,
  location_id TEXT NOT NULL,
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  shipped BIGINT NOT NULL DEFAULT 0 CHECK (shipped >= 0 AND shipped <= quantity),
  oversold BIGINT NOT NULL DEFAULT 0 CHECK (oversold >= 0 AND oversold <= quantity),
  PRIMARY KEY (hold_id, line_no)
){{without_rowid}};
CREATE TABLE exceptions (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  kind TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'open',
  item_id TEXT,
  location_id TEXT,
  quantity BIGINT,
  reference TEXT,
  hold_id TEXT,
  message TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX exceptions_state ON exceptions (workspace_id, state, id);
CREATE TABLE idempotency_keys (
  workspace_id TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, key)
);
`,
  },
  {
    version: 2,
    name: 'idempotency retention',
    sql: `CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);`,
  },
  {
    version: 3,
    name: 'catalog, channels and warehouse documents',
    // Items gain a kind: a bundle or multipack holds no stock of its own; its components do.
    // Barcodes are kept unique by the application (the clash is named in the error) rather than
    // by a unique index, so that duplicates from older data are listed as catalog problems
    // instead of making this migration fail.
    sql: `
ALTER TABLE items ADD COLUMN kind TEXT NOT NULL DEFAULT 'standard' CHECK (kind IN ('standard', 'bundle', 'multipack'));
ALTER TABLE items ADD COLUMN product_id TEXT;
ALTER TABLE items ADD COLUMN options TEXT;
ALTER TABLE items ADD COLUMN units_per_case BIGINT CHECK (units_per_case IS NULL OR units_per_case > 0);
ALTER TABLE items ADD COLUMN requires_inspection BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE items ADD COLUMN skip_return_inspection BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX items_barcode ON items (workspace_id, barcode) WHERE barcode IS NOT NULL;
CREATE INDEX items_product ON items (product_id) WHERE product_id IS NOT NULL;
ALTER TABLE locations ADD COLUMN requires_inspection BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE stock_levels ADD COLUMN zone TEXT;
ALTER TABLE workspaces ADD COLUMN count_variance_units_max BIGINT;
ALTER TABLE workspaces ADD COLUMN count_variance_percent_max DOUBLE PRECISION;
ALTER TABLE hold_lines ADD COLUMN bundle_item_id TEXT;
CREATE TABLE products (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  handle TEXT NOT NULL,
  name TEXT NOT NULL,
  option_names TEXT NOT NULL DEFAULT '[]',
  archived BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (workspace_id, handle)
);
CREATE TABLE item_components (
  item_id TEXT NOT NULL REFERENCES items(id),
  component_id TEXT NOT NULL REFERENCES items(id),
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (item_id, component_id)
);
CREATE INDEX item_components_component ON item_components (component_id);
CREATE TABLE channels (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  kind TEXT NOT NULL CHECK (kind IN ('shopify', 'amazon', 'walmart', 'ebay', 'square', 'wholesale', 'custom')),
  name TEXT NOT NULL,
  settings TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (workspace_id, name)
);
CREATE TABLE listings (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  channel_id TEXT NOT NULL REFERENCES channels(id),
  item_id TEXT NOT NULL REFERENCES items(id),
  external_key TEXT NOT NULL,
  external TEXT NOT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX listings_external ON listings (channel_id, external_key);
CREATE INDEX listings_item ON listings (item_id);
CREATE TABLE purchase_orders (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  number TEXT NOT NULL,
  supplier TEXT NOT NULL,
  location_id TEXT NOT NULL REFERENCES locations(id),
  state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
  note TEXT,
  close_reason TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  closed_at BIGINT,
  UNIQUE (workspace_id, number)
);
CREATE TABLE purchase_order_lines (
  purchase_order_id TEXT NOT NULL REFERENCES purchase_orders(id),
  line_no INTEGER NOT NULL,
  item_id TEXT NOT NULL REFERENCES items(id),
  ordered BIGINT NOT NULL CHECK (ordered > 0),
  received_good BIGINT NOT NULL DEFAULT 0 CHECK (received_good >= 0),
  received_damaged BIGINT NOT NULL DEFAULT 0 CHECK (received_damaged >= 0),
  eta BIGINT,
  PRIMARY KEY (purchase_order_id, line_no)
){{without_rowid}};
CREATE TABLE transfers (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  number TEXT NOT NULL,
  from_location_id TEXT NOT NULL REFERENCES locations(id),
  to_location_id TEXT NOT NULL REFERENCES locations(id),
  state TEXT NOT NULL CHECK (state IN ('in_transit', 'closed')),
  eta BIGINT,
  note TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  closed_at BIGINT,
  UNIQUE (workspace_id, number)
);
CREATE TABLE transfer_lines (
  transfer_id TEXT NOT NULL REFERENCES transfers(id),
  line_no INTEGER NOT NULL,
  item_id TEXT NOT NULL REFERENCES items(id),
  shipped BIGINT NOT NULL CHECK (shipped > 0),
  received BIGINT NOT NULL DEFAULT 0 CHECK (received >= 0),
  damaged BIGINT NOT NULL DEFAULT 0 CHECK (damaged >= 0),
  lost BIGINT NOT NULL DEFAULT 0 CHECK (lost >= 0),
  PRIMARY KEY (transfer_id, line_no)
){{without_rowid}};
CREATE TABLE returns (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  number TEXT NOT NULL,
  channel_id TEXT REFERENCES channels(id),
  order_reference TEXT,
  location_id TEXT NOT NULL REFERENCES locations(id),
  state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
  note TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  closed_at BIGINT,
  UNIQUE (workspace_id, number)
);
CREATE TABLE return_lines (
  return_id TEXT NOT NULL REFERENCES returns(id),
  line_no INTEGER NOT NULL,
  item_id TEXT NOT NULL REFERENCES items(id),
  expected BIGINT NOT NULL CHECK (expected > 0),
  received BIGINT NOT NULL DEFAULT 0 CHECK (received >= 0),
  restocked BIGINT NOT NULL DEFAULT 0 CHECK (restocked >= 0),
  damaged BIGINT NOT NULL DEFAULT 0 CHECK (damaged >= 0),
  written_off BIGINT NOT NULL DEFAULT 0 CHECK (written_off >= 0),
  returned_to_vendor BIGINT NOT NULL DEFAULT 0 CHECK (returned_to_vendor >= 0),
  PRIMARY KEY (return_id, line_no)
){{without_rowid}};
CREATE TABLE counts (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  number TEXT NOT NULL,
  location_id TEXT NOT NULL REFERENCES locations(id),
  scope TEXT NOT NULL CHECK (scope IN ('all', 'zones', 'skus')),
  zones TEXT,
  blind BOOLEAN NOT NULL DEFAULT FALSE,
  state TEXT NOT NULL CHECK (state IN ('open', 'awaiting_approval', 'posted', 'cancelled')),
  approved_by TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  posted_at BIGINT,
  UNIQUE (workspace_id, number)
);
CREATE TABLE count_lines (
  count_id TEXT NOT NULL REFERENCES counts(id),
  item_id TEXT NOT NULL REFERENCES items(id),
  snapshot BIGINT NOT NULL,
  PRIMARY KEY (count_id, item_id)
){{without_rowid}};
CREATE TABLE count_entries (
  id TEXT PRIMARY KEY,
  count_id TEXT NOT NULL REFERENCES counts(id),
  item_id TEXT NOT NULL REFERENCES items(id),
  counter TEXT NOT NULL,
  counted BIGINT NOT NULL CHECK (counted >= 0),
  expected BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX count_entries_count ON count_entries (count_id, item_id, created_at);
`,
  },
  {
    version: 4,
    name: 'bundle component history; listings by identifier',
    // Replacing a bundle's components keeps the bundle (its id, its movements and holds) and
    // records each earlier set here, so "what was in the kit sold last March" has an answer.
    // Listings are found by identifier across a workspace's channels (catalog problems).
    sql: `
CREATE TABLE item_component_history (
  item_id TEXT NOT NULL REFERENCES items(id),
  version INTEGER NOT NULL,
  components TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (item_id, version)
){{without_rowid}};
CREATE INDEX listings_workspace_key ON listings (workspace_id, external_key);
`,
  },
  {
    version: 6,
    name: 'count entries in order, with who entered them',
    // Several entries may share a millisecond; `entry_no` orders them within a count so that a
    // counter's latest entry is well defined. `actor` is the key or CLI user who typed it in,
    // which a blind count shows back to that actor only.
    sql: `
ALTER TABLE count_entries ADD COLUMN entry_no BIGINT NOT NULL DEFAULT 0;
ALTER TABLE count_entries ADD COLUMN actor TEXT NOT NULL DEFAULT '';
CREATE INDEX count_entries_order ON count_entries (count_id, entry_no);
`,
  },
  {
    version: 8,
    name: 'holds remember their sales channel',
    // Which channel a hold or order came from: per-channel sales velocity (the adaptive buffer)
    // is read from here.
    sql: `
ALTER TABLE holds ADD COLUMN channel_id TEXT;
CREATE INDEX holds_channel ON holds (channel_id, created_at) WHERE channel_id IS NOT NULL;
`,
  },
  {
    version: 9,
    name: 'channel rules, availability per listing, channel outbox',
    // `availability` is the last number computed per listing; `channel_outbox` holds at most one
    // pending push per listing (the latest value): an upsert replaces it and raises `version`,
    // and the dispatcher deletes a row only if the version is still the one it pushed.
    // Rules are deactivated, never deleted (`active`), so what a channel was told stays explainable.
    // "Listings of these items" uses listings_item and "bundles containing these items" uses
    // item_components_component (both v3); a full recompute walks listings_workspace.
    sql: `
CREATE TABLE channel_rules (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  channel_id TEXT NOT NULL REFERENCES channels(id),
  skus TEXT,
  starts_at BIGINT,
  ends_at BIGINT,
  below_units BIGINT,
  settings TEXT NOT NULL DEFAULT '{}',
  active BOOLEAN NOT NULL DEFAULT TRUE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX channel_rules_channel ON channel_rules (workspace_id, channel_id, id);
CREATE INDEX channel_rules_starts ON channel_rules (starts_at) WHERE starts_at IS NOT NULL;
CREATE INDEX channel_rules_ends ON channel_rules (ends_at) WHERE ends_at IS NOT NULL;
CREATE TABLE availability (
  listing_id TEXT NOT NULL PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  quantity BIGINT NOT NULL,
  backorder_units BIGINT NOT NULL,
  computed_at BIGINT NOT NULL,
  version BIGINT NOT NULL
){{without_rowid}};
CREATE TABLE channel_outbox (
  listing_id TEXT NOT NULL PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  quantity BIGINT NOT NULL,
  backorder_units BIGINT NOT NULL,
  version BIGINT NOT NULL,
  enqueued_at BIGINT NOT NULL
){{without_rowid}};
CREATE INDEX channel_outbox_channel ON channel_outbox (workspace_id, channel_id, listing_id);
CREATE INDEX listings_workspace ON listings (workspace_id, id);
`,
  },
  {
    version: 10,
    name: 'ring-fence holds and the orders that draw on them',
    // An order from a fenced channel draws on the channel's fence holds: the ledger finds them by
    // reference, and the reconciler sums what orders drew since the rule took effect. Both
    // indexes are partial, so ordinary holds and movements pay nothing for them.
    sql: `
CREATE INDEX holds_ring_fence ON holds (workspace_id, reference) WHERE reference LIKE 'ringfence:%';
CREATE INDEX movements_fence_draws ON movements (workspace_id, item_id, created_at) WHERE reason = 'ring_fence_draw';
`,
  },
  {
    version: 11,
    name: 'kits kept pre-built',
    // A bundle or multipack may be kept pre-assembled: its own stock levels hold the built units,
    // sold before building more from components. Other bundles still hold no stock.
    sql: `ALTER TABLE items ADD COLUMN stocks_prebuilt BOOLEAN NOT NULL DEFAULT FALSE`,
  },
  {
    version: 12,
    name: 'sync: outbox claims, what each channel was told, channel controls',
    // A worker claims outbox rows with a lease (`claimed_until`) so that several workers never
    // push one listing at once, and a killed worker's claims lapse by themselves. `not_before`
    // delays a row (a retry's backoff). `listing_sync` remembers, per listing, the last version
    // and quantity the channel acknowledged and what the channel was last seen to show, so a
    // pushed version is never replaced by an older one and compare-and-set has its "from".
    sql: `
ALTER TABLE channel_outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE channel_outbox ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE channel_outbox ADD COLUMN not_before BIGINT NOT NULL DEFAULT 0;
ALTER TABLE channel_outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE channel_outbox ADD COLUMN last_error TEXT;
CREATE INDEX channel_outbox_due ON channel_outbox (channel_id, quantity, enqueued_at);
CREATE TABLE listing_sync (
  listing_id TEXT NOT NULL PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  pushed_version BIGINT NOT NULL DEFAULT 0,
  pushed_quantity BIGINT,
  pushed_at BIGINT,
  shown_quantity BIGINT,
  shown_at BIGINT,
  dead_at BIGINT,
  dead_reason TEXT
){{without_rowid}};
CREATE INDEX listing_sync_dead ON listing_sync (workspace_id, channel_id) WHERE dead_at IS NOT NULL;
CREATE TABLE channel_sync (
  channel_id TEXT NOT NULL PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  paused BOOLEAN NOT NULL DEFAULT FALSE,
  hidden_skus TEXT NOT NULL DEFAULT '[]',
  updated_at BIGINT NOT NULL
){{without_rowid}};
`,
  },
  {
    version: 13,
    name: 'channel events in: webhook receipts, channel orders, order poll cursor',
    // Receipts dedupe deliveries by their primary key (channel, webhook id); `received_at` is
    // indexed only so old receipts can be pruned. A channel order is found by its primary key
    // (channel, the channel's order id) and nothing else. The poll cursor is one row per channel.
    sql: `
CREATE TABLE webhook_receipts (
  channel_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  topic TEXT NOT NULL,
  event_id TEXT,
  triggered_at BIGINT,
  received_at BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  PRIMARY KEY (channel_id, webhook_id)
){{without_rowid}};
CREATE INDEX webhook_receipts_age ON webhook_receipts (received_at);
CREATE TABLE channel_orders (
  channel_id TEXT NOT NULL,
  external_order_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  name TEXT,
  state TEXT NOT NULL CHECK (state IN ('open', 'cancelled')),
  occurred_at BIGINT NOT NULL,
  lines TEXT,
  allocation TEXT,
  hold_id TEXT,
  ledger_state TEXT CHECK (ledger_state IN ('allocated', 'refused', 'cancelled', 'cancel_refused')),
  refunds TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (channel_id, external_order_id)
){{without_rowid}};
CREATE TABLE channel_poll (
  channel_id TEXT NOT NULL PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  cursor_at BIGINT NOT NULL,
  polled_at BIGINT NOT NULL
){{without_rowid}};
`,
  },
  {
    version: 14,
    name: 'measured propagation lag per channel',
    // The dispatcher writes each channel's measured p99 lag (commit → acknowledged) here; the
    // adaptive buffer uses it instead of the channel's configured outbound lag once it exists.
    sql: `ALTER TABLE channel_sync ADD COLUMN outbound_lag_seconds REAL`,
  },
  {
    version: 15,
    name: 'measured inbound lag per channel',
    // How late a channel's events reach truestock (webhook sent → received, p99 over the last
    // hour), written by the poller; the adaptive buffer of every other channel uses it.
    sql: `ALTER TABLE channel_sync ADD COLUMN inbound_lag_seconds REAL`,
  },
  {
    version: 16,
    name: 'dashboard: users and sessions, the audit log, lag samples, exceptions workflow',
    // Users sign in to the dashboard with email and password (scrypt); a session is a random
    // token kept only as a hash, sent as an HttpOnly cookie. The audit log is append-only, one
    // row per mutating request. Lag samples are written by the dispatcher every 30 s.
    sql: `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  role TEXT NOT NULL,
  principal_kind TEXT NOT NULL,
  principal_id TEXT NOT NULL,
  principal_name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE audit_log (
  seq {{seq}},
  workspace_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_name TEXT,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  status INTEGER NOT NULL,
  ip TEXT,
  idempotency_key TEXT
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, seq);
CREATE TABLE channel_lag_samples (
  channel_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  p50_ms REAL,
  p99_ms REAL,
  pushes INTEGER NOT NULL,
  PRIMARY KEY (channel_id, at)
){{without_rowid}};
ALTER TABLE exceptions ADD COLUMN assignee TEXT;
ALTER TABLE exceptions ADD COLUMN acknowledged_at BIGINT;
ALTER TABLE exceptions ADD COLUMN resolved_at BIGINT;
ALTER TABLE exceptions ADD COLUMN resolution TEXT
`,
  },
  {
    version: 17,
    name: 'channel platform: kinds from the registry, poll cursors of any kind, auth pauses, asynchronous submissions',
    // A channel's kind is checked against the registry of kinds (src/channels/registry.ts), not by
    // the schema, so a new kind needs no migration. SQLite cannot drop a CHECK: the table is
    // rebuilt (migrate() runs SQLite migrations with foreign keys off and checks them after).
    // A poll cursor is the kind's own text (a timestamp, a page token). A channel paused because
    // its credentials were refused says so. A submission a channel applies later (a feed) is
    // followed per listing until the channel says it was applied.
    sql: {
      sqlite: `
CREATE TABLE channels_v17 (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  settings TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (workspace_id, name)
);
INSERT INTO channels_v17 (id, workspace_id, kind, name, settings, created_at, updated_at) SELECT id, workspace_id, kind, name, settings, created_at, updated_at FROM channels;
DROP TABLE channels;
ALTER TABLE channels_v17 RENAME TO channels;
${PLATFORM_17}`,
      postgres: `
ALTER TABLE channels DROP CONSTRAINT IF EXISTS channels_kind_check;
${PLATFORM_17}`,
    },
  },
  {
    version: 18,
    name: 'inbound health per channel: the outcome of its last order polls',
    // Written by the poller after every poll, so the status page can say a channel is not
    // taking orders in when its polls fail (its pushes may be fine meanwhile).
    sql: `
CREATE TABLE channel_poll_health (
  channel_id TEXT NOT NULL PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  last_poll_at BIGINT,
  last_ok_at BIGINT,
  last_error_at BIGINT,
  last_error TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0
){{without_rowid}}
`,
  },
  {
    version: 19,
    name: 'listing events: hand edits seen on a channel',
    // What a channel was seen to do to a listing that truestock did not push (a hand edit, or an
    // order not taken in yet), so an operator sees it on the listing instead of in a log line.
    // One row per channel event and listing (`event_id`): a redelivery records nothing new. Read
    // per listing, newest first, and counted per listing over a recent window (recurring edits).
    sql: `
CREATE TABLE listing_events (
  seq {{seq}},
  workspace_id TEXT NOT NULL,
  listing_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  shown BIGINT NOT NULL,
  pushed BIGINT,
  ours BIGINT,
  policy TEXT NOT NULL,
  outcome TEXT NOT NULL,
  due_at BIGINT
);
CREATE UNIQUE INDEX listing_events_once ON listing_events (listing_id, event_id);
CREATE INDEX listing_events_listing ON listing_events (listing_id, at)
`,
  },
  {
    version: 21,
    name: 'reconciliation: read-backs, drift per listing, publish-to-visible delay',
    // Per listing: the last read-back (when, and what the channel showed), and the difference being
    // watched — since when, how many read-backs judged it drift, and its one open exception. Per
    // channel: the reconciler's claim (one process reads a channel at a time) and the two halves of
    // the measured outbound lag, whose larger is what the adaptive buffer reads (outbound_lag_seconds).
    sql: `
ALTER TABLE listing_sync ADD COLUMN read_at BIGINT;
ALTER TABLE listing_sync ADD COLUMN read_quantity BIGINT;
ALTER TABLE listing_sync ADD COLUMN drift_since BIGINT;
ALTER TABLE listing_sync ADD COLUMN drift_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE listing_sync ADD COLUMN drift_exception_id TEXT;
ALTER TABLE channel_sync ADD COLUMN reconcile_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE channel_sync ADD COLUMN push_lag_seconds REAL;
ALTER TABLE channel_sync ADD COLUMN visible_lag_seconds REAL;
UPDATE channel_sync SET push_lag_seconds = outbound_lag_seconds
`,
  },
  {
    version: 22,
    name: 'channel orders held while pending or fulfilled by the channel; stock a channel keeps itself',
    // A channel order may be pending (the channel took it but has not confirmed payment): it is
    // held, not allocated (ledger_state `held`), and allocated when confirmed. `via_hold` says the
    // order's first ledger step is a hold (decided once, when the order is first seen, so two
    // deliveries racing send the same command). An order the channel fulfils from its own
    // warehouses is recorded and never allocated. SQLite cannot change a CHECK: the table is
    // rebuilt. `managed_stock`: the last report of a channel-managed stock level (FBA), one row per
    // (location, item): what is booked into buckets and what is shown beside them (reserved,
    // researching), and the report's time, so an older report never undoes a newer one.
    sql: {
      sqlite: `
CREATE TABLE channel_orders_v22 (
  channel_id TEXT NOT NULL,
  external_order_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  name TEXT,
  state TEXT NOT NULL CHECK (state IN ('open', 'cancelled')),
  occurred_at BIGINT NOT NULL,
  lines TEXT,
  allocation TEXT,
  hold_id TEXT,
  ledger_state TEXT CHECK (ledger_state IN ('held', 'allocated', 'refused', 'cancelled', 'cancel_refused')),
  refunds TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  pending BOOLEAN NOT NULL DEFAULT FALSE,
  via_hold BOOLEAN NOT NULL DEFAULT FALSE,
  fulfilled_by_channel BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (channel_id, external_order_id)
) WITHOUT ROWID;
INSERT INTO channel_orders_v22 (channel_id, external_order_id, workspace_id, name, state, occurred_at, lines, allocation, hold_id, ledger_state, refunds, created_at, updated_at)
  SELECT channel_id, external_order_id, workspace_id, name, state, occurred_at, lines, allocation, hold_id, ledger_state, refunds, created_at, updated_at FROM channel_orders;
DROP TABLE channel_orders;
ALTER TABLE channel_orders_v22 RENAME TO channel_orders;
${MANAGED_STOCK_22}`,
      postgres: `
ALTER TABLE channel_orders DROP CONSTRAINT IF EXISTS channel_orders_ledger_state_check;
ALTER TABLE channel_orders ADD CONSTRAINT channel_orders_ledger_state_check CHECK (ledger_state IN ('held', 'allocated', 'refused', 'cancelled', 'cancel_refused'));
ALTER TABLE channel_orders ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE channel_orders ADD COLUMN via_hold BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE channel_orders ADD COLUMN fulfilled_by_channel BOOLEAN NOT NULL DEFAULT FALSE;
${MANAGED_STOCK_22}`,
    },
  },
  {
    version: 26,
    name: 'superseded submissions watched until the channel finishes them',
    // A submission superseded by a newer one of the same listing, still processing at the channel:
    // if the channel applies it after the newer one, the listing shows the older number and is
    // pushed again (src/sync/submissions.ts).
    sql: `
CREATE TABLE channel_submissions_superseded (
  channel_id TEXT NOT NULL,
  listing_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  submission_id TEXT NOT NULL,
  version BIGINT NOT NULL,
  quantity BIGINT NOT NULL,
  external TEXT NOT NULL,
  expected BIGINT,
  enqueued_at BIGINT NOT NULL,
  submitted_at BIGINT NOT NULL,
  checked_at BIGINT NOT NULL,
  PRIMARY KEY (channel_id, listing_id, submission_id)
){{without_rowid}};
CREATE INDEX channel_submissions_superseded_id ON channel_submissions_superseded (channel_id, submission_id);
`,
  },
  {
    version: 27,
    name: 'orders: one order model for every channel and for staff',
    // The orders module's own tables (docs/orders.md). An order links to the holds that carry its
    // units (`order_holds`, one row per hold line, naming the order line it serves); allocated
    // and shipped units per location are read from those holds, the ledger's truth.
    sql: `
CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  number BIGINT NOT NULL,
  channel_id TEXT,
  channel_reference TEXT,
  order_reference TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('channel', 'staff')),
  state TEXT NOT NULL CHECK (state IN ('pending', 'allocated', 'partially_shipped', 'shipped', 'cancelled')),
  service_level TEXT NOT NULL CHECK (service_level IN ('standard', 'two_day', 'next_day', 'pickup')),
  pickup_location_id TEXT,
  ship_postal_code TEXT,
  ship_country TEXT,
  promised_ship_by BIGINT,
  promised_deliver_by BIGINT,
  requested_ship_date TEXT,
  customer_reference TEXT,
  candidates TEXT,
  routing TEXT,
  exception TEXT,
  fulfilled_by_channel BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (workspace_id, number),
  UNIQUE (channel_id, channel_reference)
){{without_rowid}};
CREATE INDEX orders_state ON orders (workspace_id, state, number);
CREATE INDEX orders_channel ON orders (workspace_id, channel_id, number);
CREATE TABLE order_lines (
  order_id TEXT NOT NULL REFERENCES orders(id),
  line_no INTEGER NOT NULL,
  external_line_id TEXT,
  item_id TEXT,
  sku TEXT,
  listing_id TEXT,
  quantity BIGINT NOT NULL CHECK (quantity >= 0),
  allocated BIGINT NOT NULL DEFAULT 0 CHECK (allocated >= 0),
  shipped BIGINT NOT NULL DEFAULT 0 CHECK (shipped >= 0),
  cancelled BIGINT NOT NULL DEFAULT 0 CHECK (cancelled >= 0),
  backordered BIGINT NOT NULL DEFAULT 0 CHECK (backordered >= 0),
  returned BIGINT NOT NULL DEFAULT 0 CHECK (returned >= 0),
  unmapped TEXT,
  PRIMARY KEY (order_id, line_no)
){{without_rowid}};
CREATE INDEX order_lines_sku ON order_lines (sku, order_id);
CREATE TABLE order_holds (
  order_id TEXT NOT NULL REFERENCES orders(id),
  hold_id TEXT NOT NULL,
  hold_line_no INTEGER NOT NULL,
  line_no INTEGER NOT NULL,
  location_id TEXT NOT NULL,
  PRIMARY KEY (order_id, hold_id, hold_line_no)
){{without_rowid}};
CREATE INDEX order_holds_hold ON order_holds (hold_id);
CREATE INDEX order_holds_location ON order_holds (location_id, order_id);
CREATE TABLE order_shipments (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders(id),
  location_id TEXT NOT NULL,
  lines TEXT NOT NULL,
  created_at BIGINT NOT NULL
){{without_rowid}};
CREATE INDEX order_shipments_order ON order_shipments (order_id, id);
CREATE TABLE order_numbers (
  workspace_id TEXT PRIMARY KEY,
  last BIGINT NOT NULL
){{without_rowid}};
`,
  },
  {
    version: 28,
    name: 'routing rules per workspace',
    // One JSON document per workspace (src/domain/routing-rules.ts); no row: the defaults.
    sql: `
CREATE TABLE routing_rules (
  workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
  document TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
`,
  },
  {
    version: 30,
    name: 'alerts out: subscriptions, the alert outbox, coalesced stock changes, thresholds, deliveries and their log, SMTP settings',
    // docs/alerts.md. alert_events is the durable outbox, written in the transaction of the fact
    // it reports; alert_stock_changes holds one row per stock level that a ledger batch upserts
    // (coalescing in the row) and the delivery worker turns into stock.changed events.
    sql: `
CREATE TABLE alert_subscriptions (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  kind TEXT NOT NULL CHECK (kind IN ('webhook', 'email')),
  name TEXT NOT NULL,
  url TEXT,
  secret TEXT,
  email TEXT,
  events TEXT NOT NULL,
  min_severity TEXT NOT NULL DEFAULT 'info',
  digest_minutes INTEGER NOT NULL DEFAULT 0,
  digest_due_at BIGINT,
  enabled BOOLEAN NOT NULL DEFAULT TRUE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX alert_subscriptions_workspace ON alert_subscriptions (workspace_id, id);
CREATE TABLE alert_events (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  type TEXT NOT NULL,
  severity TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  fanned_out BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX alert_events_fan_out ON alert_events (fanned_out, id);
CREATE INDEX alert_events_workspace ON alert_events (workspace_id, id);
CREATE TABLE alert_stock_changes (
  item_id TEXT NOT NULL,
  location_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  balances TEXT NOT NULL,
  pending BOOLEAN NOT NULL,
  first_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (item_id, location_id)
){{without_rowid}};
CREATE INDEX alert_stock_changes_due ON alert_stock_changes (pending, first_at);
CREATE TABLE alert_thresholds (
  item_id TEXT NOT NULL,
  location_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  low_stock BIGINT CHECK (low_stock >= 0),
  reorder_point BIGINT CHECK (reorder_point >= 0),
  low_stock_below BOOLEAN NOT NULL DEFAULT FALSE,
  reorder_point_below BOOLEAN NOT NULL DEFAULT FALSE,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (item_id, location_id)
){{without_rowid}};
CREATE INDEX alert_thresholds_workspace ON alert_thresholds (workspace_id, item_id);
CREATE TABLE alert_deliveries (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  subscription_id TEXT NOT NULL REFERENCES alert_subscriptions(id),
  event_id TEXT NOT NULL REFERENCES alert_events(id),
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at BIGINT NOT NULL,
  last_status INTEGER,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  delivered_at BIGINT
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (state, next_at);
CREATE INDEX alert_deliveries_subscription ON alert_deliveries (subscription_id, id);
CREATE INDEX alert_deliveries_event ON alert_deliveries (event_id);
CREATE TABLE alert_attempts (
  delivery_id TEXT NOT NULL REFERENCES alert_deliveries(id),
  attempt_no INTEGER NOT NULL,
  workspace_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  ok BOOLEAN NOT NULL,
  status_code INTEGER,
  latency_ms INTEGER NOT NULL,
  error TEXT,
  PRIMARY KEY (delivery_id, attempt_no)
){{without_rowid}};
CREATE TABLE alert_smtp (
  workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  secure BOOLEAN NOT NULL,
  username TEXT,
  password TEXT,
  from_address TEXT NOT NULL,
  updated_at BIGINT NOT NULL
)
`,
  },  {
    version: 31,
    name: 'exceptions that follow the facts: one per condition, live debt, how each ended',
    // docs/kernel.md "Exceptions". condition_key names the condition (kind and subject,
    // src/domain/exception-kinds.ts): at most one unresolved exception per key, counting its
    // occurrences. debt is the part of its stock level's oversold an oversold or count-shortfall
    // exception still stands for; resolution_kind says whether facts (settled, converged,
    // recovered) or a person (resolved_by_hand, resolved_by) ended it. Existing unresolved
    // duplicates keep no key except the newest, so the index can be built.
    sql: `
ALTER TABLE exceptions ADD COLUMN condition_key TEXT;
ALTER TABLE exceptions ADD COLUMN occurrences INTEGER NOT NULL DEFAULT 1;
ALTER TABLE exceptions ADD COLUMN last_seen_at BIGINT;
ALTER TABLE exceptions ADD COLUMN debt BIGINT;
ALTER TABLE exceptions ADD COLUMN channel_id TEXT;
ALTER TABLE exceptions ADD COLUMN assignee_id TEXT;
ALTER TABLE exceptions ADD COLUMN resolution_kind TEXT;
ALTER TABLE exceptions ADD COLUMN resolved_by TEXT;
ALTER TABLE exceptions ADD COLUMN settled_by_movement_id TEXT;
UPDATE exceptions SET last_seen_at = updated_at;
UPDATE exceptions SET debt = quantity WHERE kind IN ('oversold', 'count_shortfall') AND state <> 'resolved';
UPDATE exceptions SET resolution_kind = CASE WHEN kind = 'channel_drift' AND resolution LIKE 'the channel converged%' THEN 'converged' ELSE 'resolved_by_hand' END WHERE state = 'resolved';
UPDATE exceptions SET channel_id = (SELECT h.channel_id FROM holds h WHERE h.id = exceptions.hold_id) WHERE hold_id IS NOT NULL;
UPDATE exceptions SET channel_id = (SELECT ls.channel_id FROM listings ls WHERE ls.id = exceptions.reference) WHERE channel_id IS NULL AND reference IS NOT NULL;
UPDATE exceptions SET channel_id = reference WHERE channel_id IS NULL AND kind = 'channel_auth_failed';
UPDATE exceptions SET condition_key = kind || '|' || COALESCE(item_id, '') || '|' || COALESCE(location_id, '') || '|' || COALESCE(hold_id, '') || '|' || COALESCE(reference, '') WHERE state <> 'resolved';
UPDATE exceptions SET condition_key = NULL WHERE state <> 'resolved' AND EXISTS (
  SELECT 1 FROM exceptions e2 WHERE e2.workspace_id = exceptions.workspace_id AND e2.condition_key = exceptions.condition_key AND e2.state <> 'resolved' AND e2.id > exceptions.id);
CREATE UNIQUE INDEX exceptions_condition_open ON exceptions (workspace_id, condition_key) WHERE state <> 'resolved';
CREATE INDEX exceptions_debt_open ON exceptions (item_id, location_id, id) WHERE debt > 0 AND state <> 'resolved'
`,
  },
  {
    version: 32,
    name: 'workspaces run by a server administrator: server admin keys, suspended workspaces',
    // docs/workspaces.md. A server admin key belongs to no workspace (it manages them and reads
    // none of their data), so it has its own table rather than a null workspace_id in api_keys.
    // A suspended workspace keeps every row; suspended_at is what refuses its keys and sessions.
    sql: `
ALTER TABLE workspaces ADD COLUMN suspended_at BIGINT;
ALTER TABLE workspaces ADD COLUMN suspended_reason TEXT;
CREATE TABLE server_admin_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
)
`,
  },
  {
    version: 33,
    name: 'the Items list sorted by any text column; holds by item',
    // Keyset pages of the Items list walk these (src/store/item-list-repo.ts): by name, kind or
    // barcode, then id (by SKU the unique (workspace_id, sku) index serves). Catalog writes are
    // rare, so they cost nothing that matters. An item's holds are found by their lines.
    sql: `
CREATE INDEX items_name ON items (workspace_id, name, id);
CREATE INDEX items_kind ON items (workspace_id, kind, id);
CREATE INDEX items_barcode_sort ON items (workspace_id, (COALESCE(barcode, '')), id);
CREATE INDEX hold_lines_item ON hold_lines (item_id, hold_id)
`,
  },
  {
    version: 34,
    name: 'hardening: idle sessions, user emails unique per workspace',
    // docs/security.md. A session ends after SESSION_IDLE_MS unused as well as 12 h after sign-in;
    // null (sessions from before) counts from created_at. An email is unique within a workspace,
    // not server-wide: a server-wide unique key told one workspace another's users.
    sql: {
      sqlite: `
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
CREATE TABLE users_v34 (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  UNIQUE (workspace_id, email)
);
INSERT INTO users_v34 (id, workspace_id, email, name, role, password_hash, disabled, created_at) SELECT id, workspace_id, email, name, role, password_hash, disabled, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_v34 RENAME TO users;
CREATE INDEX users_email ON users (email)`,
      postgres: `
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
ALTER TABLE users DROP CONSTRAINT users_email_key;
ALTER TABLE users ADD CONSTRAINT users_workspace_email UNIQUE (workspace_id, email);
CREATE INDEX users_email ON users (email)`,
    },
  },
  {
    version: 35,
    name: 'backordered order lines, found without reading every line',
    // The backorder worker looks for backordered lines every minute (src/app/backorders.ts); a
    // partial index holds only those, so the look costs what is waiting, not every order line ever.
    sql: `CREATE INDEX order_lines_backordered ON order_lines (order_id, line_no) WHERE backordered > 0`,
  },
  {
    version: 36,
    name: "alerts: a webhook's previous signing secret, signing beside the new one until its grace ends",
    // docs/alerts.md. After a rotation both secrets sign (Standard Webhooks: several signatures in
    // one header) until previous_secret_until, so receivers switch without losing a delivery.
    // Sealed like secret (secret-box).
    sql: `
ALTER TABLE alert_subscriptions ADD COLUMN previous_secret TEXT;
ALTER TABLE alert_subscriptions ADD COLUMN previous_secret_until BIGINT`,
  },
];

function dialectSql(sql: string, dialect: Dialect): string {
  return sql
    .replaceAll('{{seq}}', dialect === 'sqlite' ? 'INTEGER PRIMARY KEY' : 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY')
    .replaceAll('{{without_rowid}}', dialect === 'sqlite' ? ' WITHOUT ROWID' : '');
}

function statements(sql: string): string[] {
  return sql.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean);
}

/**
 * Bring the schema up to date. Safe to run from several processes at once. On SQLite foreign
 * keys are off meanwhile (a table rebuild drops a referenced table; SQLite ignores the setting
 * inside a transaction, so it is set around it) and checked before the commit.
 */
export async function migrate(store: Store): Promise<number[]> {
  if (!(store instanceof SqliteStore)) return migrateIn(store);
  store.setForeignKeys(false);
  try {
    return await migrateIn(store);
  } finally {
    store.setForeignKeys(true);
  }
}

function migrateIn(store: Store): Promise<number[]> {
  return store.transaction(async (db: Db) => {
    if (db.dialect === 'postgres') await db.run('SELECT pg_advisory_xact_lock(7431001)');
    await db.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const done = new Set((await db.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      const sql = typeof m.sql === 'string' ? m.sql : m.sql[db.dialect];
      for (const stmt of statements(dialectSql(sql, db.dialect))) await db.run(stmt);
      // Migrations record wall time: they are an operational fact, not a ledger event.
      await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now()]);
      applied.push(m.version);
    }
    if (db.dialect === 'sqlite' && applied.length > 0) {
      const broken = await db.all<{ table: string }>('PRAGMA foreign_key_check');
      if (broken.length > 0) throw new Error(`invariant violated: migrations ${applied.join(', ')} left rows whose references are gone (${broken[0]!.table})`);
    }
    return applied;
  });
}
