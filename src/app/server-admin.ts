// The server administrator (docs/workspaces.md): whoever runs the server for several brands —
// a 3PL for its clients. Their key (`tsa_…`) belongs to no workspace: it creates, lists,
// suspends and reactivates workspaces and gives them users and keys, and it reads no
// workspace's stock, orders or channels. Stored as a SHA-256 hash, like an API key.

import { randomBytes } from 'node:crypto';
import { refusal, type Refusal } from '../domain/errors.ts';
import { insertServerAdminKey, listServerAdminKeys, type ServerAdminKey } from '../store/workspace-admin-repo.ts';
import type { Store } from '../store/store.ts';
import { hashKey } from './access.ts';
import type { Clock } from './clock.ts';
import { newId } from './ids.ts';

export const SERVER_KEY_PREFIX = 'tsa_';
/**
 * Where the server admin's idempotency keys, sessions and audit entries are kept: a scope no
 * workspace id can take (ids are `ws_…`), so nothing of theirs mixes with a workspace's.
 */
export const SERVER_SCOPE = '(server)';
export const SERVER_KEY_NAME_LENGTH_MAX = 100;

/** Whether a presented secret is a server admin key (the prefix says which table to look in). */
export const isServerAdminKey = (plain: string) => plain.startsWith(SERVER_KEY_PREFIX);

export const serverAdminKeyView = (k: ServerAdminKey) => ({
  id: k.id, name: k.name, prefix: k.prefix, created_at: new Date(k.createdAt).toISOString(), revoked: k.revokedAt !== null,
});

export async function createServerAdminKey(store: Store, clock: Clock, name: string): Promise<{ key: ServerAdminKey; plain: string } | Refusal> {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > SERVER_KEY_NAME_LENGTH_MAX) return refusal('validation_failed', `name must be 1 to ${SERVER_KEY_NAME_LENGTH_MAX} characters`, 'name');
  const now = clock.now();
  const plain = SERVER_KEY_PREFIX + randomBytes(20).toString('base64url');
  const key: ServerAdminKey = { id: newId('sak', now), name: trimmed, prefix: plain.slice(0, 10), createdAt: now, revokedAt: null };
  await store.transaction((db) => insertServerAdminKey(db, key, hashKey(plain)));
  return { key, plain };
}

/** On a server that has none yet, a first server admin key (printed once by `serve`, like the default workspace's key). */
export async function ensureServerAdminKey(store: Store, clock: Clock): Promise<string | null> {
  const existing = await store.read((db) => listServerAdminKeys(db));
  if (existing.length > 0) return null;
  const made = await createServerAdminKey(store, clock, 'initial server admin key');
  if ('code' in made) throw new Error(made.detail);
  return made.plain;
}
