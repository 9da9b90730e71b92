// Versioned schema migrations. Append new versions; never edit an applied one.
//
// The SQL is shared by both dialects; `{{seq}}` and `{{without_rowid}}` are the spellings they
// disagree on. (SQLite keeps a text-keyed table twice — rows by rowid, plus the key index —
// unless it is WITHOUT ROWID. Holds have time-ordered ids, so clustering them by id appends.
// Idempotency keys are usually random UUIDs: there a rowid table that appends the large response,
// plus a small key index, writes fewer pages than clustering the responses by key.)
// Every bucket column carries a CHECK >= 0 as the last line of defence: the rules refuse first,
// and a bug that slips past them fails the transaction instead of writing a negative balance.

import type { Db, Dialect, Store } from './store.ts';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

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
];

function dialectSql(sql: string, dialect: Dialect): string {
  return sql
    .replaceAll('{{seq}}', dialect === 'sqlite' ? 'INTEGER PRIMARY KEY' : 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY')
    .replaceAll('{{without_rowid}}', dialect === 'sqlite' ? ' WITHOUT ROWID' : '');
}

function statements(sql: string): string[] {
  return sql.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean);
}

/** Bring the schema up to date. Safe to run from several processes at once. */
export async function migrate(store: Store): Promise<number[]> {
  return store.transaction(async (db: Db) => {
    if (db.dialect === 'postgres') await db.run('SELECT pg_advisory_xact_lock(7431001)');
    await db.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const done = new Set((await db.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      for (const stmt of statements(dialectSql(m.sql, db.dialect))) await db.run(stmt);
      // Migrations record wall time: they are an operational fact, not a ledger event.
      await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now()]);
      applied.push(m.version);
    }
    return applied;
  });
}
