// Workspaces and API keys: who may do what, where.

import { createHash, randomBytes } from 'node:crypto';
import { refusal, type Refusal } from '../domain/errors.ts';
import { ROLES, type Role } from '../domain/model.ts';
import * as repo from '../store/access-repo.ts';
import type { ApiKey, Workspace } from '../store/access-repo.ts';
import type { Db, Store } from '../store/store.ts';
import { type ServerAdminKey, serverAdminKeyByHash } from '../store/workspace-admin-repo.ts';
import type { Clock } from './clock.ts';
import { newId } from './ids.ts';

const KEY_PREFIX = 'tsk_';
/** How long a looked-up key is trusted before asking the database again (revocation delay). */
export const KEY_CACHE_TTL_MS = 5_000;

export const hashKey = (plain: string) => createHash('sha256').update(plain).digest('hex');

export function apiKeyView(k: ApiKey) {
  return { id: k.id, name: k.name, role: k.role, prefix: k.prefix, created_at: new Date(k.createdAt).toISOString(), revoked: k.revokedAt !== null };
}

export async function createApiKey(db: Db, workspaceId: string, role: Role, name: string, now: number): Promise<{ key: ApiKey; plain: string } | Refusal> {
  if (!(ROLES as readonly string[]).includes(role)) return refusal('validation_failed', `role must be one of ${ROLES.join(', ')}`, 'role');
  if (typeof name !== 'string' || name.length === 0 || name.length > 100) return refusal('validation_failed', 'name must be 1 to 100 characters', 'name');
  const plain = KEY_PREFIX + randomBytes(20).toString('base64url');
  const key: ApiKey = { id: newId('key', now), workspaceId, name, role, prefix: plain.slice(0, 10), createdAt: now, revokedAt: null };
  await repo.insertApiKey(db, key, hashKey(plain));
  return { key, plain };
}

export function createWorkspace(store: Store, clock: Clock, name: string): Promise<{ workspace: Workspace; adminKey: string }> {
  return store.transaction((db) => createWorkspaceIn(db, name, clock.now()));
}

/** A new workspace and its first admin API key, inside the caller's transaction. */
export async function createWorkspaceIn(db: Db, name: string, now: number): Promise<{ workspace: Workspace; adminKey: string; key: ApiKey }> {
  const workspace: Workspace = { id: newId('ws', now), name, createdAt: now };
  await repo.insertWorkspace(db, workspace);
  const made = await createApiKey(db, workspace.id, 'admin', 'initial admin key', now);
  if ('code' in made) throw new Error(made.detail);
  return { workspace, adminKey: made.plain, key: made.key };
}

/** On an empty database, create the default workspace and return its admin key (shown once). */
export async function ensureDefaultWorkspace(store: Store, clock: Clock): Promise<{ workspace: Workspace; adminKey: string } | null> {
  const count = await store.read((db) => repo.countWorkspaces(db));
  return count > 0 ? null : createWorkspace(store, clock, 'default');
}

/** Look up API keys (and server admin keys) by their hash, remembering answers for a few seconds. */
export class KeyRing {
  private readonly cache = new Map<string, { key: ApiKey | undefined; until: number }>();
  private readonly adminCache = new Map<string, { key: ServerAdminKey | undefined; until: number }>();
  constructor(private readonly store: Store, private readonly clock: Clock) {}

  async authenticate(plain: string): Promise<ApiKey | undefined> {
    const hash = hashKey(plain);
    const now = this.clock.now();
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) return hit.key;
    const key = await this.store.read((db) => repo.apiKeyByHash(db, hash));
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { key, until: now + KEY_CACHE_TTL_MS });
    return key;
  }

  /** A server admin key (docs/workspaces.md); revocation takes as long as an API key's. */
  async authenticateServerAdmin(plain: string): Promise<ServerAdminKey | undefined> {
    const hash = hashKey(plain);
    const now = this.clock.now();
    const hit = this.adminCache.get(hash);
    if (hit && hit.until > now) return hit.key;
    const key = await this.store.read((db) => serverAdminKeyByHash(db, hash));
    if (this.adminCache.size > 1_000) this.adminCache.clear();
    this.adminCache.set(hash, { key, until: now + KEY_CACHE_TTL_MS });
    return key;
  }

  /** Drop every remembered answer: a key was revoked, or a workspace suspended or reactivated, in this process. */
  forget(): void {
    this.cache.clear();
    this.adminCache.clear();
  }
}
