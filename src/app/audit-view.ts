// The audit log as people read it: each entry with a sentence (`summary`) and the actor's name,
// the list of actors to filter by, and names for the ledger's actor ids wherever they are shown.
// The words are built in src/domain/audit-words.ts so the API, the dashboard and the CLI agree.

import { actorKind, actorWords, auditSummary, type AuditNames } from '../domain/audit-words.ts';
import { actorNames, auditActors, storedResponses, thingNames } from '../store/audit-names-repo.ts';
import { auditPage } from '../store/session-repo.ts';
import type { Db } from '../store/store.ts';
import { iso } from './views.ts';

export const AUDIT_PAGE_LIMIT_DEFAULT = 50;
export const AUDIT_PAGE_LIMIT_MAX = 500;
/** The actor filter lists at most this many actors, the most recent first. */
export const AUDIT_ACTORS_MAX = 200;

/** Ids in request paths that may name a channel or a document (`/v1/purchase-orders/po_…/receipts`). */
const pathIds = (path: string) => path.split('/').filter((s) => /^[a-z]+_[0-9a-z]{20,}$/.test(s));
/** The channel id inside a `system:channel:<id>` actor. */
const channelOf = (actor: string) => (actor.startsWith('system:channel:') ? [actor.slice('system:channel:'.length)] : []);

/** Names for ledger/audit actor ids (keys, users, channels) in one workspace. */
export async function namesFor(db: Db, ws: string, actorIds: readonly string[], paths: readonly string[] = []): Promise<AuditNames> {
  const ids = [...new Set(actorIds.flatMap((a) => [a, ...channelOf(a)]))].filter((a) => !a.startsWith('cli:') && !a.startsWith('system:'));
  const things = [...new Set(paths.flatMap(pathIds))];
  return { actors: await actorNames(db, ws, ids), things: await thingNames(db, ws, [...things, ...actorIds.flatMap(channelOf)]) };
}

export async function audit(db: Db, ws: string, q: { cursor?: string; limit?: number; actor?: string }) {
  const limit = Math.min(q.limit ?? AUDIT_PAGE_LIMIT_DEFAULT, AUDIT_PAGE_LIMIT_MAX);
  const before = q.cursor !== undefined ? Number(Buffer.from(q.cursor, 'base64url').toString()) : undefined;
  const rows = await auditPage(db, ws, { ...(before !== undefined && Number.isFinite(before) ? { before } : {}), ...(q.actor ? { actor: q.actor } : {}), limit: limit + 1 });
  const page = rows.slice(0, limit);
  const names = await namesFor(db, ws, page.map((r) => r.actor_id), page.map((r) => r.path));
  const responses = await storedResponses(db, ws, [...new Set(page.flatMap((r) => (r.idempotency_key ? [r.idempotency_key] : [])))]);
  const parsed = (key: string | null) => {
    const text = key ? responses.get(key) : undefined;
    if (!text) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return null;
    }
  };
  return {
    data: page.map((r) => ({
      at: iso(r.at),
      actor: { kind: r.actor_kind, id: r.actor_id, name: actorWords(r.actor_id, names, r.actor_name) },
      summary: auditSummary(r, parsed(r.idempotency_key), names),
      method: r.method,
      path: r.path,
      status: r.status,
      ip: r.ip,
      idempotency_key: r.idempotency_key,
    })),
    next_cursor: rows.length > limit ? Buffer.from(String(page.at(-1)!.seq)).toString('base64url') : null,
  };
}

/** Who appears in the audit log, by name: the choices of the actor filter. */
export async function auditActorList(db: Db, ws: string) {
  const rows = await auditActors(db, ws, AUDIT_ACTORS_MAX);
  const names = await namesFor(db, ws, rows.map((r) => r.actor_id));
  return {
    data: rows
      .map((r) => ({ id: r.actor_id, kind: r.actor_kind === 'user' ? 'user' : actorKind(r.actor_id, r.actor_kind), name: actorWords(r.actor_id, names, r.actor_name) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** Adds `actor_name` beside each `actor` id of a list of movements (the item's history, a document's). */
export async function withActorNames<T extends { actor: string }>(db: Db, ws: string, list: T[]): Promise<(T & { actor_name: string })[]> {
  const names = await namesFor(db, ws, list.map((m) => m.actor));
  return list.map((m) => ({ ...m, actor_name: actorWords(m.actor, names) }));
}
