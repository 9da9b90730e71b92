// SQL for workspaces and API keys. Keys are stored as SHA-256 hashes: a key is 160 random bits,
// so a fast hash is enough, and the plain key exists only in the one response that created it.

import type { Role } from '../domain/model.ts';
import type { Db } from './store.ts';

export interface Workspace {
  id: string;
  name: string;
  createdAt: number;
}

export interface ApiKey {
  id: string;
  workspaceId: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
  /** Whether its workspace is suspended (docs/workspaces.md); read with the key so a request costs one lookup. */
  workspaceSuspended?: boolean;
}

interface KeyRow {
  id: string;
  workspace_id: string;
  name: string;
  role: Role;
  prefix: string;
  created_at: number;
  revoked_at: number | null;
  workspace_suspended_at?: number | null;
}

const keyFromRow = (r: KeyRow): ApiKey => ({
  id: r.id,
  workspaceId: r.workspace_id,
  name: r.name,
  role: r.role,
  prefix: r.prefix,
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  ...(r.workspace_suspended_at !== undefined ? { workspaceSuspended: r.workspace_suspended_at !== null } : {}),
});

export async function countWorkspaces(db: Db): Promise<number> {
  const row = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM workspaces');
  return Number(row?.n ?? 0);
}

export async function listWorkspaces(db: Db): Promise<Workspace[]> {
  const rows = await db.all<{ id: string; name: string; created_at: number }>('SELECT * FROM workspaces ORDER BY id');
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: Number(r.created_at) }));
}

export async function getWorkspace(db: Db, id: string): Promise<Workspace | undefined> {
  const r = await db.get<{ id: string; name: string; created_at: number }>('SELECT * FROM workspaces WHERE id = ?', [id]);
  return r && { id: r.id, name: r.name, createdAt: Number(r.created_at) };
}

export async function insertWorkspace(db: Db, w: Workspace): Promise<void> {
  await db.run('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)', [w.id, w.name, w.createdAt]);
}

export async function insertApiKey(db: Db, k: ApiKey, hash: string): Promise<void> {
  await db.run('INSERT INTO api_keys (id, workspace_id, name, role, key_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    k.id, k.workspaceId, k.name, k.role, hash, k.prefix, k.createdAt,
  ]);
}

export async function apiKeyByHash(db: Db, hash: string): Promise<ApiKey | undefined> {
  const row = await db.get<KeyRow>(
    'SELECT k.*, w.suspended_at AS workspace_suspended_at FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id WHERE k.key_hash = ? AND k.revoked_at IS NULL',
    [hash],
  );
  return row ? keyFromRow(row) : undefined;
}

export async function listApiKeys(db: Db, workspaceId: string): Promise<ApiKey[]> {
  const rows = await db.all<KeyRow>('SELECT * FROM api_keys WHERE workspace_id = ? ORDER BY id', [workspaceId]);
  return rows.map(keyFromRow);
}

/** Revoke a key; the dashboard sessions signed in with it end too. */
export async function revokeApiKey(db: Db, workspaceId: string, id: string, now: number): Promise<number> {
  const changed = await db.run('UPDATE api_keys SET revoked_at = ? WHERE workspace_id = ? AND id = ? AND revoked_at IS NULL', [now, workspaceId, id]);
  if (changed > 0) await db.run("DELETE FROM sessions WHERE principal_kind = 'api_key' AND principal_id = ?", [id]);
  return changed;
}
