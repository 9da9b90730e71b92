// Exceptions for people (docs/dashboard.md "Exceptions"): the list with live debt, occurrences and
// links to what each is about; the workflow (acknowledge, assign to a user of the workspace,
// resolve by hand — by whom, why); the registry of kinds and the owners to choose from. The facts
// that raise and end exceptions are written elsewhere (src/store/exception-repo.ts).

import { EXCEPTION_KIND_REGISTRY, exceptionKind, type ExceptionSeverity } from '../domain/exception-kinds.ts';
import { refusal, type Refusal } from '../domain/errors.ts';
import * as q from '../store/query-repo.ts';
import { listUsers } from '../store/session-repo.ts';
import type { Db } from '../store/store.ts';
import type { Written } from './idempotent.ts';
import { decodeCursor, encodeCursor, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from './queries.ts';
import { iso } from './views.ts';

/** How urgent each kind is (the registry's word); a kind not listed counts as low. */
export const EXCEPTION_SEVERITY: Readonly<Record<string, ExceptionSeverity>> = Object.fromEntries(EXCEPTION_KIND_REGISTRY.map((k) => [k.kind, k.severity]));

/** Longest note a person may give when resolving by hand. */
export const RESOLUTION_LENGTH_MAX = 1_000;

export interface ExceptionQuery {
  state?: string;
  kind?: string;
  sku?: string;
  location?: string;
  channel?: string;
  owner?: string;
  older_than_hours?: number;
  cursor?: string;
  limit?: number;
}

/** What an exception links to; `path` is the dashboard's page for it, null when it has none. */
export interface ExceptionLink {
  rel: 'order' | 'item' | 'location' | 'channel' | 'listing' | 'document';
  label: string;
  path: string | null;
}

type Documents = Awaited<ReturnType<typeof q.documentsByNumber>>;

const DOCUMENT_PATH: Record<string, (id: string) => string> = {
  purchase_order: () => '/receiving',
  transfer: () => '/transfers',
  return: () => '/returns',
  count: (id) => `/counts/${encodeURIComponent(id)}`,
};

function linksOf(e: q.ExceptionRow, docs: Documents): ExceptionLink[] {
  const links: ExceptionLink[] = [];
  if (e.hold_id) links.push({ rel: 'order', label: e.reference ?? e.hold_id, path: null });
  if (e.sku) links.push({ rel: 'item', label: e.sku, path: `/items/${encodeURIComponent(e.sku)}` });
  if (e.code) links.push({ rel: 'location', label: e.code, path: null });
  if (e.channel_id) links.push({ rel: 'channel', label: e.channel_name ?? e.channel_id, path: `/channels/${encodeURIComponent(e.channel_id)}` });
  if (e.listing_id) links.push({ rel: 'listing', label: e.listing_id, path: e.sku ? `/items/${encodeURIComponent(e.sku)}` : null });
  const doc = e.reference ? docs.get(e.reference) : undefined;
  if (doc) links.push({ rel: 'document', label: e.reference!, path: DOCUMENT_PATH[doc.kind]!(doc.id) });
  // A channel's order that never became one of ours (an unmapped line, an event not applied).
  else if (!e.hold_id && e.reference && !e.listing_id && e.reference !== e.channel_id && e.kind !== 'channel_stale') links.push({ rel: 'order', label: e.reference, path: null });
  return links;
}

export function exceptionView(e: q.ExceptionRow, now: number, docs: Documents = new Map()) {
  const at = (x: number | null) => (x === null || x === undefined ? null : iso(Number(x)));
  const num = (x: number | null) => (x === null || x === undefined ? null : Number(x));
  return {
    id: e.id,
    kind: e.kind,
    kind_label: exceptionKind(e.kind)?.label ?? e.kind,
    severity: EXCEPTION_SEVERITY[e.kind] ?? 'low',
    state: e.state,
    sku: e.sku,
    location: e.code,
    channel_id: e.channel_id ?? null,
    channel_name: e.channel_name ?? null,
    quantity: num(e.quantity),
    /** Oversold units this exception still stands for (oversold, count shortfall); null for other kinds. */
    debt: num(e.debt),
    occurrences: Number(e.occurrences ?? 1),
    reference: e.reference,
    hold_id: e.hold_id,
    message: e.message,
    assignee: e.assignee ?? null,
    assignee_id: e.assignee_id ?? null,
    links: linksOf(e, docs),
    created_at: iso(Number(e.created_at)),
    last_seen_at: at(e.last_seen_at ?? e.updated_at),
    age_s: Math.max(0, Math.round((now - Number(e.created_at)) / 1000)),
    acknowledged_at: at(e.acknowledged_at),
    resolved_at: at(e.resolved_at),
    resolution: e.resolution ?? null,
    resolution_kind: e.resolution_kind ?? null,
    resolved_by: e.resolved_by ?? null,
    settled_by_movement_id: e.settled_by_movement_id ?? null,
  };
}

async function views(db: Db, ws: string, rows: q.ExceptionRow[], now: number) {
  const numbers = [...new Set(rows.flatMap((r) => (r.reference && !r.hold_id && !r.listing_id ? [r.reference] : [])))];
  const docs = await q.documentsByNumber(db, ws, numbers);
  return rows.map((r) => exceptionView(r, now, docs));
}

export async function exceptions(db: Db, workspaceId: string, query: ExceptionQuery, now: number) {
  const limit = Math.min(query.limit ?? PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX);
  const rows = await q.listExceptions(db, workspaceId, {
    ...(query.state ? { state: query.state } : {}),
    ...(query.kind ? { kind: query.kind } : {}),
    ...(query.sku ? { sku: query.sku } : {}),
    ...(query.location ? { location: query.location } : {}),
    ...(query.channel ? { channel: query.channel } : {}),
    ...(query.owner ? { owner: query.owner } : {}),
    // Whole milliseconds, like every stored time: PostgreSQL refuses a fractional bigint (a 500).
    ...(query.older_than_hours !== undefined ? { createdBefore: now - Math.ceil(query.older_than_hours * 3_600_000) } : {}),
    ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
    limit,
  });
  return { data: await views(db, workspaceId, rows, now), next_cursor: rows.length === limit ? encodeCursor(rows[rows.length - 1]!.id) : null };
}

export async function exception(db: Db, ws: string, id: string, now: number) {
  const e = await q.getException(db, ws, id);
  return e ? (await views(db, ws, [e], now))[0]! : undefined;
}

/** The kinds to choose from, most urgent first, with what ends each without a person. */
export function exceptionKinds() {
  return { data: EXCEPTION_KIND_REGISTRY.map((k) => ({ kind: k.kind, label: k.label, severity: k.severity, closes_by: k.closesBy, carries_debt: k.carriesDebt })) };
}

/** Who an exception may be assigned to: the workspace's users who may sign in. */
export async function exceptionOwners(db: Db, ws: string) {
  const users = await listUsers(db, ws);
  return { data: users.filter((u) => !u.disabled).map((u) => ({ id: u.id, name: u.name, email: u.email })) };
}

/** Who acted: a signed-in user or an API key, as the request's principal names it. */
export interface Actor {
  id: string;
  name: string;
}

/**
 * The exceptions workflow: open → acknowledged (someone is on it) → resolved by hand (by whom,
 * saying what was done); assign to a user of the workspace at any time before. Exceptions the
 * facts end (settled, converged, recovered) need none of it, but a person may end any of them.
 */
export async function moveException(db: Db, ws: string, id: string, action: 'acknowledge' | 'assign' | 'resolve', body: { assignee?: unknown; resolution?: unknown }, actor: Actor, now: number): Promise<Written | Refusal> {
  const e = await q.getException(db, ws, id);
  if (!e) return refusal('not_found', `no exception ${id}`);
  if (e.state === 'resolved') return refusal('validation_failed', `exception ${id} is already resolved`, 'id');
  if (action === 'acknowledge') {
    await q.updateException(db, ws, id, { state: 'acknowledged', acknowledged_at: e.acknowledged_at ?? now }, now);
  } else if (action === 'assign') {
    if (typeof body.assignee !== 'string' || body.assignee.trim() === '' || body.assignee.length > 100) return refusal('validation_failed', 'assignee must be 1 to 100 characters', 'assignee');
    const wanted = body.assignee.trim().toLowerCase();
    const user = (await listUsers(db, ws)).find((u) => !u.disabled && (u.id === body.assignee || u.email.toLowerCase() === wanted || u.name.toLowerCase() === wanted));
    if (!user) return refusal('validation_failed', `assignee must be a user of this workspace (GET /v1/exceptions/owners): no user ${body.assignee.trim()}`, 'assignee');
    await q.updateException(db, ws, id, { assignee: user.name, assignee_id: user.id }, now);
  } else {
    if (typeof body.resolution !== 'string' || body.resolution.trim() === '' || body.resolution.length > RESOLUTION_LENGTH_MAX) return refusal('validation_failed', `resolution must say what was done (1 to ${RESOLUTION_LENGTH_MAX} characters)`, 'resolution');
    await q.updateException(db, ws, id, { state: 'resolved', resolved_at: now, resolution: body.resolution.trim(), resolution_kind: 'resolved_by_hand', resolved_by: actor.name }, now);
  }
  return { status: 200, body: { exception: (await exception(db, ws, id, now))! } };
}
