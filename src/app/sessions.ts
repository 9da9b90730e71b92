// Signing in to the dashboard: with an API key or a user account, the browser gets a session
// cookie (HttpOnly, SameSite=Strict) and never holds the key itself afterwards — not in a URL,
// not in storage. Users have a role like API keys; passwords are kept as scrypt hashes.

import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { refusal, type Refusal } from '../domain/errors.ts';
import { ROLES, type Role } from '../domain/model.ts';
import * as repo from '../store/session-repo.ts';
import type { Db, Store } from '../store/store.ts';
import { workspaceSuspended } from '../store/workspace-admin-repo.ts';
import type { KeyRing } from './access.ts';
import type { Clock } from './clock.ts';
import { newId } from './ids.ts';
import { isServerAdminKey, SERVER_SCOPE } from './server-admin.ts';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** A session lasts a working day; signing in again starts a new one. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/** A session unused this long ends, though its 12 h are not over: a dashboard left open on a shared desk. */
export const SESSION_IDLE_MS = 30 * 60_000;
/** How stale a session's last use may be before a request writes it again (one write a minute, not one per request). */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;
export const SESSION_COOKIE = 'ts_session';
export const PASSWORD_LENGTH_MIN = 10;
const SCRYPT_KEY_BYTES = 32;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt:${salt.toString('base64')}:${(await scrypt(password, salt, SCRYPT_KEY_BYTES)).toString('base64')}`;
}

async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split(':');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(got, expected);
}

/** The password check, as an object so a test can count the hashes a sign-in computes. */
export const passwords = { matches: passwordMatches };

// An email with no account is checked against this hash: the sign-in does the same scrypt work
// and takes as long as for a real account, so its time does not tell whether the email exists.
let dummyHash: Promise<string> | null = null;
const dummy = () => (dummyHash ??= hashPassword(randomBytes(16).toString('base64')));

/** Accounts with one email that a sign-in checks at most (emails are unique per workspace). */
export const SIGN_IN_ACCOUNTS_MAX = 10;

export interface SignedIn {
  token: string;
  session: repo.Session;
}

/** Sign in with an API key or an email and password. One answer for every failure: no probing for accounts. */
export async function signIn(store: Store, clock: Clock, keys: KeyRing, creds: { api_key?: string; email?: string; password?: string; workspace?: string }): Promise<SignedIn | Refusal> {
  const now = clock.now();
  let session: repo.Session | null = null;
  if (typeof creds.api_key === 'string' && isServerAdminKey(creds.api_key)) {
    const key = await keys.authenticateServerAdmin(creds.api_key);
    if (key) session = { workspace_id: SERVER_SCOPE, role: 'admin', principal_kind: 'server_admin', principal_id: key.id, principal_name: key.name, expires_at: now + SESSION_TTL_MS };
  } else if (typeof creds.api_key === 'string') {
    const key = await keys.authenticate(creds.api_key);
    if (key) session = { workspace_id: key.workspaceId, role: key.role, principal_kind: 'api_key', principal_id: key.id, principal_name: key.name, expires_at: now + SESSION_TTL_MS };
  } else if (typeof creds.email === 'string' && typeof creds.password === 'string') {
    const email = creds.email.trim().toLowerCase();
    // Emails are unique per workspace: one email may have an account in several. The password
    // says which; `workspace` picks when it opens more than one.
    const found = await store.read((db) => repo.usersByEmail(db, email, SIGN_IN_ACCOUNTS_MAX));
    const candidates = found.filter((u) => creds.workspace === undefined || u.workspace_id === creds.workspace);
    const matching: repo.User[] = [];
    for (const u of candidates) if ((await passwords.matches(creds.password, u.password_hash)) && !u.disabled) matching.push(u);
    if (candidates.length === 0) await passwords.matches(creds.password, await dummy());
    if (matching.length > 1) {
      return refusal('validation_failed', `this email and password open ${matching.length} workspaces: send "workspace" with the id of one (${matching.map((u) => u.workspace_id).join(', ')})`, 'workspace');
    }
    const user = matching[0];
    if (user) session = { workspace_id: user.workspace_id, role: user.role, principal_kind: 'user', principal_id: user.id, principal_name: user.name, expires_at: now + SESSION_TTL_MS };
  } else {
    return refusal('validation_failed', 'send {"api_key"} or {"email", "password"}');
  }
  if (!session) return refusal('unauthorized', 'those credentials are not valid');
  // Only after the credentials proved themselves: saying "suspended" to a guess would confirm an account.
  if (session.principal_kind !== 'server_admin' && (await store.read((db) => workspaceSuspended(db, session!.workspace_id)))) {
    return refusal('workspace_suspended', 'this workspace is suspended by the server administrator; its data is kept, ask them to reactivate it');
  }
  const token = randomBytes(32).toString('base64url');
  await store.transaction(async (db) => {
    await repo.pruneSessions(db, now, now - SESSION_IDLE_MS);
    await repo.insertSession(db, hashToken(token), session!, now);
  });
  return { token, session };
}

export async function sessionOf(store: Store, clock: Clock, token: string): Promise<repo.Session | undefined> {
  const now = clock.now();
  const hash = hashToken(token);
  const found = await store.read((db) => repo.sessionByHash(db, hash, now, now - SESSION_IDLE_MS));
  if (!found) return undefined;
  const { last_seen_at, ...session } = found;
  if (now - last_seen_at >= SESSION_TOUCH_INTERVAL_MS) await store.transaction((db) => repo.touchSession(db, hash, now));
  return session;
}

export function signOut(store: Store, clock: Clock, token: string): Promise<void> {
  const now = clock.now();
  return store.transaction(async (db) => {
    await repo.deleteSession(db, hashToken(token));
    await repo.pruneSessions(db, now, now - SESSION_IDLE_MS);
  });
}

export interface UserInput {
  email: unknown;
  name: unknown;
  role: unknown;
  password: unknown;
}

export interface CheckedUser {
  email: string;
  name: string;
  role: Role;
  password: string;
}

/** A new user's fields, checked in order (the first bad one is named), before anything is hashed or written. */
export function checkUser(input: UserInput): CheckedUser | Refusal {
  const email = typeof input.email === 'string' ? input.email.trim().toLowerCase() : '';
  if (!/^[^@\s]+@[^@\s]+$/.test(email) || email.length > 200) return refusal('validation_failed', 'email must be an email address', 'email');
  if (typeof input.name !== 'string' || input.name.length === 0 || input.name.length > 100) return refusal('validation_failed', 'name must be 1 to 100 characters', 'name');
  if (!(ROLES as readonly unknown[]).includes(input.role)) return refusal('validation_failed', `role must be one of ${ROLES.join(', ')}`, 'role');
  if (typeof input.password !== 'string' || input.password.length < PASSWORD_LENGTH_MIN || input.password.length > 200) {
    return refusal('validation_failed', `password must be ${PASSWORD_LENGTH_MIN} to 200 characters`, 'password');
  }
  return { email, name: input.name, role: input.role as Role, password: input.password };
}

/** Insert a checked user whose password is already hashed, inside the caller's transaction. */
export async function insertNewUser(db: Db, ws: string, u: CheckedUser, passwordHash: string, now: number): Promise<repo.User | Refusal> {
  // Unique in the workspace only: another workspace's users are none of its business.
  if (await repo.userByEmail(db, u.email, ws)) return refusal('validation_failed', `a user with email ${u.email} already exists in this workspace`, 'email');
  const user: repo.User = { id: newId('user', now), workspace_id: ws, email: u.email, name: u.name, role: u.role, password_hash: passwordHash, disabled: false, created_at: now };
  await repo.insertUser(db, user);
  return user;
}

export async function createUser(store: Store, clock: Clock, ws: string, input: UserInput): Promise<repo.User | Refusal> {
  const checked = checkUser(input);
  if ('code' in checked) return checked;
  // Hashed outside the transaction: scrypt takes tens of milliseconds and holds no lock.
  const hash = await hashPassword(checked.password);
  return store.transaction((db) => insertNewUser(db, ws, checked, hash, clock.now()));
}

export const userView = (u: repo.User) => ({ id: u.id, email: u.email, name: u.name, role: u.role, disabled: u.disabled, created_at: new Date(u.created_at).toISOString() });
