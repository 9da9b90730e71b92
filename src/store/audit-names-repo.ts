// SQL for the audit log in words: the names behind the ids it records (API keys, users,
// channels, document numbers), the responses its requests got, and who appears in it.

import type { Db } from './store.ts';
import { placeholders } from './store.ts';

/** api key id / user id / channel id → name, within one workspace. */
export async function actorNames(db: Db, ws: string, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  const inList = placeholders(ids.length);
  for (const table of ['api_keys', 'users', 'channels']) {
    const rows = await db.all<{ id: string; name: string }>(`SELECT id, name FROM ${table} WHERE workspace_id = ? AND id IN (${inList})`, [ws, ...ids]);
    for (const r of rows) out.set(r.id, r.name);
  }
  return out;
}

/** Channel names and document numbers (PO-000003) for ids that appear in request paths. */
export async function thingNames(db: Db, ws: string, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  const inList = placeholders(ids.length);
  for (const [table, column] of [['channels', 'name'], ['purchase_orders', 'number'], ['transfers', 'number'], ['returns', 'number'], ['counts', 'number']] as const) {
    const rows = await db.all<{ id: string; name: string }>(`SELECT id, ${column} AS name FROM ${table} WHERE workspace_id = ? AND id IN (${inList})`, [ws, ...ids]);
    for (const r of rows) out.set(r.id, r.name);
  }
  return out;
}

/** The stored responses (JSON text) of these idempotency keys, while they are kept. */
export async function storedResponses(db: Db, ws: string, keys: readonly string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await db.all<{ key: string; response: string }>(`SELECT key, response FROM idempotency_keys WHERE workspace_id = ? AND key IN (${placeholders(keys.length)})`, [ws, ...keys]);
  return new Map(rows.map((r) => [r.key, r.response]));
}

/** Everyone who has done something in this workspace, as the audit log recorded them. */
export async function auditActors(db: Db, ws: string, limit: number): Promise<{ actor_kind: string; actor_id: string; actor_name: string | null }[]> {
  return db.all('SELECT actor_kind, actor_id, MAX(actor_name) AS actor_name FROM audit_log WHERE workspace_id = ? GROUP BY actor_kind, actor_id ORDER BY MAX(seq) DESC LIMIT ?', [ws, limit]);
}
