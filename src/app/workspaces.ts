// Workspaces run by the server administrator (docs/workspaces.md): create one with its first
// admin key (shown once), list and show them with their counts, suspend and reactivate, and
// give one users and keys. Each use-case runs inside the caller's transaction (the route's
// idempotent mutation) and checks everything before its first write.

import { refusal, type Refusal } from '../domain/errors.ts';
import { type Role } from '../domain/model.ts';
import { getWorkspace } from '../store/access-repo.ts';
import type { Db } from '../store/store.ts';
import * as repo from '../store/workspace-admin-repo.ts';
import { apiKeyView, createApiKey, createWorkspaceIn } from './access.ts';
import { shownOnce, type Written } from './idempotent.ts';
import { type CheckedUser, insertNewUser, userView } from './sessions.ts';

export const WORKSPACE_NAME_LENGTH_MAX = 100;
export const SUSPEND_REASON_LENGTH_MAX = 500;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function workspaceView(w: repo.WorkspaceSummary) {
  return {
    id: w.id,
    name: w.name,
    state: w.suspended_at === null ? 'active' as const : 'suspended' as const,
    created_at: iso(w.created_at),
    suspended_at: iso(w.suspended_at),
    suspended_reason: w.suspended_reason,
    counts: { users: w.users, keys: w.keys, items: w.items, channels: w.channels },
  };
}

async function viewOf(db: Db, id: string) {
  const w = await repo.workspaceSummary(db, id);
  if (!w) throw new Error(`invariant violated: workspace ${id} vanished inside its own transaction`);
  return workspaceView(w);
}

const missing = (id: string) => refusal('not_found', `no workspace ${id} on this server`);

/** A new workspace and its first admin API key; the key's secret is in this answer only. */
export async function createWorkspaceByAdmin(db: Db, body: { name: string }, now: number): Promise<Written | Refusal> {
  const name = body.name.trim();
  if (name.length === 0 || name.length > WORKSPACE_NAME_LENGTH_MAX) return refusal('validation_failed', `name must be 1 to ${WORKSPACE_NAME_LENGTH_MAX} characters`, 'name');
  const same = await repo.workspaceByName(db, name);
  if (same) return refusal('workspace_name_taken', `workspace ${same.id} is already named ${JSON.stringify(name)}`, 'name', { workspace_id: same.id });
  const made = await createWorkspaceIn(db, name, now);
  return shownOnce(201, { workspace: await viewOf(db, made.workspace.id), api_key: apiKeyView(made.key), secret: made.adminKey });
}

/** Suspend: its keys, users and sessions are refused and its channels are not pushed to; its data is kept. Suspending a suspended workspace changes nothing. */
export async function suspendWorkspace(db: Db, id: string, body: { reason?: string | null }, now: number): Promise<Written | Refusal> {
  if (!(await getWorkspace(db, id))) return missing(id);
  const reason = typeof body.reason === 'string' && body.reason.trim() !== '' ? body.reason.trim().slice(0, SUSPEND_REASON_LENGTH_MAX) : null;
  await repo.suspendWorkspace(db, id, reason, now);
  return { status: 200, body: { workspace: await viewOf(db, id) } };
}

export async function reactivateWorkspace(db: Db, id: string): Promise<Written | Refusal> {
  if (!(await getWorkspace(db, id))) return missing(id);
  await repo.reactivateWorkspace(db, id);
  return { status: 200, body: { workspace: await viewOf(db, id) } };
}

export async function createWorkspaceKey(db: Db, id: string, body: { name: string; role: Role }, now: number): Promise<Written | Refusal> {
  if (!(await getWorkspace(db, id))) return missing(id);
  const made = await createApiKey(db, id, body.role, body.name, now);
  if ('code' in made) return made;
  return shownOnce(201, { api_key: apiKeyView(made.key), secret: made.plain });
}

/** A user with a password chosen by the server admin (hashed before the transaction began). */
export async function createWorkspaceUser(db: Db, id: string, user: CheckedUser | Refusal, passwordHash: string | null, now: number): Promise<Written | Refusal> {
  if (!(await getWorkspace(db, id))) return missing(id);
  if ('code' in user) return user;
  if (passwordHash === null) throw new Error('invariant violated: a checked user comes with its password hash');
  const made = await insertNewUser(db, id, user, passwordHash, now);
  if ('code' in made) return made;
  return { status: 201, body: { user: userView(made) } };
}
