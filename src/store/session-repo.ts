// SQL for dashboard sign-in: users, sessions, and the audit log of mutating requests.

import type { Role } from '../domain/model.ts';
import type { Db, Param } from './store.ts';

export interface User {
  id: string;
  workspace_id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  disabled: boolean;
  created_at: number;
}

export async function insertUser(db: Db, u: User): Promise<void> {
  await db.run('INSERT INTO users (id, workspace_id, email, name, role, password_hash, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [u.id, u.workspace_id, u.email, u.name, u.role, u.password_hash, u.disabled, u.created_at]);
}

const userFromRow = (r: User): User => ({ ...r, disabled: Boolean(r.disabled), created_at: Number(r.created_at) });

/** The user with this email in a workspace (emails are unique per workspace), or the first anywhere when no workspace is named. */
export async function userByEmail(db: Db, email: string, ws?: string): Promise<User | undefined> {
  const r = ws === undefined
    ? await db.get<User>('SELECT * FROM users WHERE email = ? ORDER BY created_at, id LIMIT 1', [email])
    : await db.get<User>('SELECT * FROM users WHERE email = ? AND workspace_id = ?', [email, ws]);
  return r && userFromRow(r);
}

/** Every user with this email, in any workspace (signing in by email and password), oldest first. */
export async function usersByEmail(db: Db, email: string, limit: number): Promise<User[]> {
  return (await db.all<User>('SELECT * FROM users WHERE email = ? ORDER BY created_at, id LIMIT ?', [email, limit])).map(userFromRow);
}

export async function listUsers(db: Db, ws: string): Promise<User[]> {
  const rows = await db.all<User>('SELECT * FROM users WHERE workspace_id = ? ORDER BY email', [ws]);
  return rows.map((r) => ({ ...r, disabled: Boolean(r.disabled), created_at: Number(r.created_at) }));
}

export interface Session {
  /** The server admin's sessions hold SERVER_SCOPE here: they belong to no workspace. */
  workspace_id: string;
  role: Role;
  principal_kind: 'api_key' | 'user' | 'server_admin';
  principal_id: string;
  principal_name: string;
  expires_at: number;
  /** Whether its workspace is suspended now (read with the session, never stored). */
  workspace_suspended?: boolean;
}

export async function insertSession(db: Db, tokenHash: string, s: Session, now: number): Promise<void> {
  await db.run('INSERT INTO sessions (token_hash, workspace_id, role, principal_kind, principal_id, principal_name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [tokenHash, s.workspace_id, s.role, s.principal_kind, s.principal_id, s.principal_name, now, s.expires_at]);
}

/**
 * A live session: not past its absolute end, used within `idleSince`, and its principal still
 * valid now — a revoked key, a disabled user or a revoked server admin key ends every session
 * made from it at once, whatever cleaned up (or failed to) when that happened.
 */
export async function sessionByHash(db: Db, tokenHash: string, now: number, idleSince: number): Promise<(Session & { last_seen_at: number }) | undefined> {
  const r = await db.get<Session & { suspended_at: number | null; last_seen_at: number }>(
    `SELECT s.workspace_id, s.role, s.principal_kind, s.principal_id, s.principal_name, s.expires_at, COALESCE(s.last_seen_at, s.created_at) AS last_seen_at, w.suspended_at
     FROM sessions s LEFT JOIN workspaces w ON w.id = s.workspace_id
     LEFT JOIN api_keys k ON s.principal_kind = 'api_key' AND k.id = s.principal_id
     LEFT JOIN users u ON s.principal_kind = 'user' AND u.id = s.principal_id
     LEFT JOIN server_admin_keys a ON s.principal_kind = 'server_admin' AND a.id = s.principal_id
     WHERE s.token_hash = ? AND s.expires_at > ? AND COALESCE(s.last_seen_at, s.created_at) > ?
       AND ((k.id IS NOT NULL AND k.revoked_at IS NULL) OR (u.id IS NOT NULL AND u.disabled = FALSE) OR (a.id IS NOT NULL AND a.revoked_at IS NULL))`,
    [tokenHash, now, idleSince],
  );
  if (!r) return undefined;
  const { suspended_at, ...session } = r;
  return { ...session, expires_at: Number(r.expires_at), last_seen_at: Number(r.last_seen_at), workspace_suspended: suspended_at !== null && suspended_at !== undefined };
}

/** The session was used at `now`: its idle timeout starts again. */
export async function touchSession(db: Db, tokenHash: string, now: number): Promise<void> {
  await db.run('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?', [now, tokenHash]);
}

/** Every session of one principal ends: its key was revoked, or the user disabled. */
export async function deleteSessionsOf(db: Db, principalKind: Session['principal_kind'], principalId: string): Promise<void> {
  await db.run('DELETE FROM sessions WHERE principal_kind = ? AND principal_id = ?', [principalKind, principalId]);
}

/** Disable or enable a user of a workspace; disabling ends their sessions. The number of users changed (0: no such user). */
export async function setUserDisabled(db: Db, ws: string, id: string, disabled: boolean): Promise<number> {
  const changed = await db.run('UPDATE users SET disabled = ? WHERE workspace_id = ? AND id = ?', [disabled, ws, id]);
  if (changed > 0 && disabled) await deleteSessionsOf(db, 'user', id);
  return changed;
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.run('DELETE FROM sessions WHERE token_hash = ?', [tokenHash]);
}

/**
 * Delete sessions past their absolute end or idle since before `idleSince`: they can never be
 * used again. Run at every sign-in and sign-out, so the table holds about the live sessions
 * even when nobody signs out (a closed browser tab).
 */
export async function pruneSessions(db: Db, now: number, idleSince: number): Promise<number> {
  return db.run('DELETE FROM sessions WHERE expires_at <= ? OR COALESCE(last_seen_at, created_at) <= ?', [now, idleSince]);
}

export interface AuditEntry {
  workspace_id: string;
  at: number;
  actor_kind: string;
  actor_id: string;
  actor_name: string | null;
  method: string;
  path: string;
  status: number;
  ip: string | null;
  idempotency_key: string | null;
}

export async function insertAudit(db: Db, e: AuditEntry): Promise<void> {
  await db.run('INSERT INTO audit_log (workspace_id, at, actor_kind, actor_id, actor_name, method, path, status, ip, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [e.workspace_id, e.at, e.actor_kind, e.actor_id, e.actor_name, e.method, e.path, e.status, e.ip, e.idempotency_key]);
}

/** Newest first; `before` is a sequence number (the cursor). */
export async function auditPage(db: Db, ws: string, opts: { before?: number; actor?: string; limit: number }): Promise<(AuditEntry & { seq: number })[]> {
  const params: Param[] = [ws];
  let where = 'workspace_id = ?';
  if (opts.before !== undefined) (where += ' AND seq < ?'), params.push(opts.before);
  if (opts.actor !== undefined) (where += ' AND (actor_id = ? OR actor_name = ?)'), params.push(opts.actor, opts.actor);
  const rows = await db.all<AuditEntry & { seq: number }>(`SELECT * FROM audit_log WHERE ${where} ORDER BY seq DESC LIMIT ?`, [...params, opts.limit]);
  return rows.map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at), status: Number(r.status) }));
}
