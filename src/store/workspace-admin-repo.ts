// SQL for the server administrator (docs/workspaces.md): server admin keys, stored as SHA-256
// hashes like API keys, and the workspaces seen from above — with their counts and whether they
// are suspended.

import type { Db } from './store.ts';

export interface ServerAdminKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
}

interface AdminKeyRow {
  id: string;
  name: string;
  prefix: string;
  created_at: number;
  revoked_at: number | null;
}

const adminKeyFromRow = (r: AdminKeyRow): ServerAdminKey => ({
  id: r.id, name: r.name, prefix: r.prefix, createdAt: Number(r.created_at), revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

export async function insertServerAdminKey(db: Db, k: ServerAdminKey, hash: string): Promise<void> {
  await db.run('INSERT INTO server_admin_keys (id, name, key_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)', [k.id, k.name, hash, k.prefix, k.createdAt]);
}

export async function serverAdminKeyByHash(db: Db, hash: string): Promise<ServerAdminKey | undefined> {
  const r = await db.get<AdminKeyRow>('SELECT id, name, prefix, created_at, revoked_at FROM server_admin_keys WHERE key_hash = ? AND revoked_at IS NULL', [hash]);
  return r && adminKeyFromRow(r);
}

export async function listServerAdminKeys(db: Db): Promise<ServerAdminKey[]> {
  const rows = await db.all<AdminKeyRow>('SELECT id, name, prefix, created_at, revoked_at FROM server_admin_keys ORDER BY id');
  return rows.map(adminKeyFromRow);
}

/** Revoke a server admin key; the dashboard sessions signed in with it end too. */
export async function revokeServerAdminKey(db: Db, id: string, now: number): Promise<number> {
  const changed = await db.run('UPDATE server_admin_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, id]);
  if (changed > 0) await db.run("DELETE FROM sessions WHERE principal_kind = 'server_admin' AND principal_id = ?", [id]);
  return changed;
}

/** A workspace as the server admin sees it: its state and how much it holds. */
export interface WorkspaceSummary {
  id: string;
  name: string;
  created_at: number;
  suspended_at: number | null;
  suspended_reason: string | null;
  users: number;
  keys: number;
  items: number;
  channels: number;
}

// Counts are subqueries on each table's workspace index: a page of workspaces costs a few
// index range counts each, not a scan of the items of every workspace.
const SUMMARY = `
SELECT w.id, w.name, w.created_at, w.suspended_at, w.suspended_reason,
  (SELECT COUNT(*) FROM users u WHERE u.workspace_id = w.id AND u.disabled = FALSE) AS users,
  (SELECT COUNT(*) FROM api_keys k WHERE k.workspace_id = w.id AND k.revoked_at IS NULL) AS keys,
  (SELECT COUNT(*) FROM items i WHERE i.workspace_id = w.id AND i.archived = FALSE) AS items,
  (SELECT COUNT(*) FROM channels c WHERE c.workspace_id = w.id) AS channels
FROM workspaces w`;

const summaryFromRow = (r: WorkspaceSummary): WorkspaceSummary => ({
  id: r.id, name: r.name, created_at: Number(r.created_at),
  suspended_at: r.suspended_at === null ? null : Number(r.suspended_at), suspended_reason: r.suspended_reason ?? null,
  users: Number(r.users), keys: Number(r.keys), items: Number(r.items), channels: Number(r.channels),
});

export async function workspaceSummaries(db: Db, opts: { after?: string; limit: number }): Promise<WorkspaceSummary[]> {
  const rows = opts.after === undefined
    ? await db.all<WorkspaceSummary>(`${SUMMARY} ORDER BY w.id LIMIT ?`, [opts.limit])
    : await db.all<WorkspaceSummary>(`${SUMMARY} WHERE w.id > ? ORDER BY w.id LIMIT ?`, [opts.after, opts.limit]);
  return rows.map(summaryFromRow);
}

export async function workspaceSummary(db: Db, id: string): Promise<WorkspaceSummary | undefined> {
  const r = await db.get<WorkspaceSummary>(`${SUMMARY} WHERE w.id = ?`, [id]);
  return r && summaryFromRow(r);
}

export async function workspaceByName(db: Db, name: string): Promise<{ id: string } | undefined> {
  return db.get<{ id: string }>('SELECT id FROM workspaces WHERE name = ? ORDER BY id LIMIT 1', [name]);
}

/** Suspend an active workspace; 0 when it was suspended already (the first suspension's time and reason stay). */
export async function suspendWorkspace(db: Db, id: string, reason: string | null, now: number): Promise<number> {
  return db.run('UPDATE workspaces SET suspended_at = ?, suspended_reason = ? WHERE id = ? AND suspended_at IS NULL', [now, reason, id]);
}

export async function reactivateWorkspace(db: Db, id: string): Promise<number> {
  return db.run('UPDATE workspaces SET suspended_at = NULL, suspended_reason = NULL WHERE id = ? AND suspended_at IS NOT NULL', [id]);
}

export async function workspaceSuspended(db: Db, id: string): Promise<boolean> {
  const r = await db.get<{ suspended_at: number | null }>('SELECT suspended_at FROM workspaces WHERE id = ?', [id]);
  return r !== undefined && r.suspended_at !== null;
}
