// The floor under benchmark (a) on SQLite: write exactly the rows one reservation writes (its
// stock level, movement, hold, hold line and idempotency record, with random UUID keys) in
// batches, with prepared statements and nothing else — no reads, no rules, no rendering. What
// the ledger reaches is compared with this, as a share of what the storage itself allows.

import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { newId } from '../src/app/ids.ts';
import { migrate } from '../src/store/migrations.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';

export async function sqliteFloor(path: string, opts: { items: number; attempts: number; batch: number }): Promise<{ per_second: number; commit_share: number }> {
  const store = new SqliteStore(path); // the same pragmas as production
  await migrate(store);
  await store.close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 16000');
  db.pragma('cache_size = -65536');
  const ws = newId('ws', 0);
  const loc = newId('loc', 0);
  db.prepare('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, 0)').run(ws, 'floor');
  db.prepare(`INSERT INTO locations (id, workspace_id, code, name, kind, created_at, updated_at) VALUES (?, ?, 'WH', 'WH', 'warehouse', 0, 0)`).run(loc, ws);
  const items = Array.from({ length: opts.items }, () => ({ item: newId('item', 0), level: newId('lvl', 0) }));
  const insItem = db.prepare('INSERT INTO items (id, workspace_id, sku, name, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)');
  const insLevel = db.prepare('INSERT INTO stock_levels (id, workspace_id, item_id, location_id, available, updated_at) VALUES (?, ?, ?, ?, 1000000, 0)');
  db.transaction(() => items.forEach((x, i) => (insItem.run(x.item, ws, `SKU-${i}`, `SKU-${i}`), insLevel.run(x.level, ws, x.item, loc))))();

  const level = db.prepare('UPDATE stock_levels SET available = ?, reserved = ?, committed = ?, damaged = ?, quality_control = ?, safety_stock = ?, incoming = ?, oversold = ?, updated_at = ? WHERE id = ?');
  const movement = db.prepare('INSERT INTO movements (id, workspace_id, item_id, location_id, from_account, to_account, quantity, command, reason, reference, note, hold_id, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const hold = db.prepare('INSERT INTO holds (id, workspace_id, state, reference, order_reference, expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const line = db.prepare('INSERT INTO hold_lines (hold_id, line_no, item_id, location_id, quantity, shipped, oversold) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const idem = db.prepare('INSERT INTO idempotency_keys (workspace_id, key, fingerprint, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const response = JSON.stringify({ hold: { lines: [{}] }, movements: [{}] }).padEnd(650, ' '); // a reservation's answer is ~650 bytes

  let commit_ms = 0;
  const started = performance.now();
  for (let done = 0; done < opts.attempts; ) {
    db.exec('BEGIN IMMEDIATE');
    const now = Date.now();
    for (let j = 0; j < opts.batch && done < opts.attempts; j++, done++) {
      const x = items[Math.floor(Math.random() * items.length)]!;
      const holdId = newId('hold', now);
      level.run(999_999, 1, 0, 0, 0, 0, 0, 0, now, x.level);
      movement.run(newId('mov', now), ws, x.item, loc, 'available', 'reserved', 1, 'reserve', null, null, null, holdId, 'bench', now);
      hold.run(holdId, ws, 'active', null, null, now + 900_000, now, now);
      line.run(holdId, 1, x.item, loc, 1, 0, 0);
      idem.run(ws, randomUUID(), 'x'.repeat(43), 201, response, now);
    }
    const c = performance.now();
    db.exec('COMMIT');
    commit_ms += performance.now() - c;
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { per_second: opts.attempts / seconds, commit_share: commit_ms / 1000 / seconds };
}
