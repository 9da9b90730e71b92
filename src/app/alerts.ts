// Alert settings of a workspace (docs/alerts.md): webhook and e-mail subscriptions, low-stock and
// reorder-point thresholds per item and location, SMTP settings, and redelivering a delivery.
// Each use-case checks everything first and writes nothing on a refusal.

import { randomBytes } from 'node:crypto';
import {
  ALERT_EVENT_TYPES,
  DIGEST_MINUTES_MAX,
  emailProblem,
  SEVERITIES,
  type Severity,
  SUBSCRIPTIONS_MAX,
  type SubscriptionKind,
  webhookUrlProblem,
} from '../domain/alert-rules.ts';
import { refusal, type Refusal } from '../domain/errors.ts';
import {
  availableAt,
  countSubscriptions,
  deleteSmtp,
  deleteSubscription,
  deleteThreshold,
  getDelivery,
  getSubscription,
  insertDeliveries,
  insertSubscription,
  rotateSubscriptionSecret,
  type SmtpSettings,
  smtpOf,
  type Subscription,
  type ThresholdRow,
  updateSubscription,
  upsertThreshold,
  writeSmtp,
} from '../store/alert-repo.ts';
import { itemsBySku, locationsByCode } from '../store/catalog-repo.ts';
import type { Db } from '../store/store.ts';
import { shownOnce, type Written } from './idempotent.ts';
import { newId } from './ids.ts';
import { iso } from './views.ts';

/** Bytes of a webhook signing secret (Standard Webhooks: 24 to 64). */
const SECRET_BYTES = 32;
/**
 * After a rotation the replaced secret keeps signing, beside the new one, this long: receivers
 * have a day to switch, and a delivery verifies with either meanwhile (Standard Webhooks).
 */
export const SECRET_ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;
const NAME_LENGTH_MAX = 100;

export interface SubscriptionBody {
  kind?: SubscriptionKind;
  name?: string;
  url?: string;
  email?: string;
  events?: string[];
  min_severity?: Severity;
  digest_minutes?: number;
  enabled?: boolean;
}

/** What the API shows of a subscription: never its secret. */
export function subscriptionView(s: Subscription) {
  return {
    id: s.id, kind: s.kind, name: s.name, url: s.url, email: s.email, events: s.events, min_severity: s.min_severity,
    digest_minutes: s.digest_minutes, enabled: s.enabled, secret: s.kind === 'webhook' ? '(set)' : null,
    previous_secret_until: iso(s.previous_secret_until), created_at: iso(s.created_at), updated_at: iso(s.updated_at),
  };
}

/** Checks shared by create and update, in field order; null when all is well. */
function problem(s: Omit<Subscription, 'id' | 'workspace_id' | 'secret' | 'previous_secret' | 'previous_secret_until' | 'created_at' | 'updated_at' | 'digest_due_at'>): Refusal | null {
  if (s.name.trim() === '' || s.name.length > NAME_LENGTH_MAX) return refusal('validation_failed', `name must be 1 to ${NAME_LENGTH_MAX} characters`, 'name');
  if (s.kind === 'webhook') {
    const bad = s.url === null ? 'a webhook needs a url' : webhookUrlProblem(s.url);
    if (bad) return refusal('validation_failed', bad, 'url');
    if (s.email !== null) return refusal('validation_failed', 'a webhook has a url, not an email', 'email');
  } else {
    const bad = s.email === null ? 'an e-mail subscription needs an email' : emailProblem(s.email);
    if (bad) return refusal('validation_failed', bad, 'email');
    if (s.url !== null) return refusal('validation_failed', 'an e-mail subscription has an email, not a url', 'url');
  }
  const unknown = s.events.findIndex((e) => !(ALERT_EVENT_TYPES as readonly string[]).includes(e));
  if (unknown >= 0) return refusal('validation_failed', `unknown event ${JSON.stringify(s.events[unknown])}; events are ${ALERT_EVENT_TYPES.join(', ')}`, `events[${unknown}]`);
  if (!SEVERITIES.includes(s.min_severity)) return refusal('validation_failed', `min_severity is one of ${SEVERITIES.join(', ')}`, 'min_severity');
  if (!Number.isInteger(s.digest_minutes) || s.digest_minutes < 0 || s.digest_minutes > DIGEST_MINUTES_MAX) {
    return refusal('validation_failed', `digest_minutes is 0 (send each at once) to ${DIGEST_MINUTES_MAX}`, 'digest_minutes');
  }
  if (s.kind === 'webhook' && s.digest_minutes !== 0) return refusal('validation_failed', 'webhooks are sent one event at a time; digests are for e-mail', 'digest_minutes');
  return null;
}

/** A new subscription. A webhook's signing secret is in this answer and never again. */
export async function createSubscription(db: Db, ws: string, body: SubscriptionBody, now: number): Promise<Written | Refusal> {
  const kind = body.kind ?? 'webhook';
  const draft = {
    kind,
    name: body.name ?? (kind === 'webhook' ? (body.url ?? kind) : (body.email ?? kind)).slice(0, NAME_LENGTH_MAX),
    url: body.url ?? null,
    email: body.email ?? null,
    events: [...new Set(body.events ?? [])],
    // E-mail reaches people: by default only what needs one (warnings and worse).
    min_severity: body.min_severity ?? (kind === 'email' ? 'warning' : 'info'),
    digest_minutes: body.digest_minutes ?? 0,
    enabled: body.enabled ?? true,
  } satisfies Parameters<typeof problem>[0];
  const bad = problem(draft);
  if (bad) return bad;
  if ((await countSubscriptions(db, ws)) >= SUBSCRIPTIONS_MAX) return refusal('validation_failed', `a workspace has at most ${SUBSCRIPTIONS_MAX} subscriptions`, 'kind');
  const secret = kind === 'webhook' ? newSecret() : null;
  const s: Subscription = { ...draft, id: newId('asub', now), workspace_id: ws, secret, previous_secret: null, previous_secret_until: null, digest_due_at: null, created_at: now, updated_at: now };
  await insertSubscription(db, s);
  return secret ? shownOnce(201, { subscription: subscriptionView(s), secret }) : { status: 201, body: { subscription: subscriptionView(s) } };
}

const newSecret = () => `whsec_${randomBytes(SECRET_BYTES).toString('base64')}`;

/**
 * A webhook's new signing secret, in this answer only. The one it replaces signs beside it for
 * SECRET_ROTATION_GRACE_MS; a second rotation within that time keeps only the one it replaced.
 */
export async function rotateSecret(db: Db, ws: string, id: string, now: number): Promise<Written | Refusal> {
  const s = await getSubscription(db, ws, id);
  if (!s) return refusal('not_found', `no subscription ${id}`);
  if (s.kind !== 'webhook') return refusal('validation_failed', `subscription ${id} sends e-mail: only a webhook has a signing secret`, 'id');
  const secret = newSecret();
  const next: Subscription = { ...s, secret, previous_secret: s.secret, previous_secret_until: now + SECRET_ROTATION_GRACE_MS, updated_at: now };
  await rotateSubscriptionSecret(db, next);
  return shownOnce(200, { subscription: subscriptionView(next), secret });
}

/** Remove a subscription, its delivery log with it. */
export async function removeSubscription(db: Db, ws: string, id: string): Promise<Written | Refusal> {
  const deliveries = await deleteSubscription(db, ws, id);
  if (deliveries === null) return refusal('not_found', `no subscription ${id}`);
  return { status: 200, body: { deleted: { id, deliveries } } };
}

export async function changeSubscription(db: Db, ws: string, id: string, body: SubscriptionBody, now: number): Promise<Written | Refusal> {
  const s = await getSubscription(db, ws, id);
  if (!s) return refusal('not_found', `no subscription ${id}`);
  if (body.kind !== undefined && body.kind !== s.kind) return refusal('validation_failed', 'a subscription keeps its kind; make a new one', 'kind');
  const next: Subscription = {
    ...s,
    name: body.name ?? s.name, url: body.url ?? s.url, email: body.email ?? s.email,
    events: body.events ? [...new Set(body.events)] : s.events, min_severity: body.min_severity ?? s.min_severity,
    digest_minutes: body.digest_minutes ?? s.digest_minutes, enabled: body.enabled ?? s.enabled, updated_at: now,
  };
  const bad = problem(next);
  if (bad) return bad;
  if (next.digest_minutes !== s.digest_minutes) next.digest_due_at = null;
  await updateSubscription(db, next);
  return { status: 200, body: { subscription: subscriptionView(next) } };
}

/** Send a delivery's event to its subscription again: a new delivery, the same webhook-id. */
export async function redeliver(db: Db, ws: string, deliveryId: string, now: number): Promise<Written | Refusal> {
  const d = await getDelivery(db, ws, deliveryId);
  if (!d) return refusal('not_found', `no delivery ${deliveryId}`);
  const sub = await getSubscription(db, ws, d.subscription_id);
  if (!sub?.enabled) return refusal('validation_failed', `subscription ${d.subscription_id} is disabled: enable it first`, 'id');
  const id = newId('dlv', now);
  await insertDeliveries(db, [{ id, workspaceId: ws, subscriptionId: d.subscription_id, eventId: d.event_id, nextAt: now, createdAt: now }]);
  return { status: 202, body: { delivery: { id, subscription_id: d.subscription_id, event_id: d.event_id, state: 'pending', redelivery_of: d.id } } };
}

// ---- thresholds ----------------------------------------------------------------------------

export interface ThresholdBody {
  sku: string;
  location: string;
  low_stock?: number | null;
  reorder_point?: number | null;
}

export function thresholdView(t: ThresholdRow & { sku: string; location: string; available?: number }) {
  return {
    sku: t.sku, location: t.location, low_stock: t.low_stock, reorder_point: t.reorder_point,
    ...(t.available === undefined ? {} : { available: t.available }),
    low_stock_reached: t.low_stock !== null && t.low_stock_below, reorder_point_reached: t.reorder_point !== null && t.reorder_point_below,
    updated_at: iso(t.updated_at),
  };
}

/**
 * Set (or with both null, clear) a level's thresholds. A level already at or below a threshold
 * when it is set counts as having crossed it: the next stock.low comes after it rises above and
 * falls again, not from setting the number.
 */
export async function setThreshold(db: Db, ws: string, body: ThresholdBody, now: number): Promise<Written | Refusal> {
  const [item] = await itemsBySku(db, ws, [body.sku]);
  if (!item) return refusal('unknown_item', `no item with SKU ${JSON.stringify(body.sku)}`, 'sku');
  if (item.kind !== 'standard') return refusal('item_has_no_stock', `${body.sku} is a ${item.kind}: thresholds are set on the items it is made of`, 'sku');
  const [loc] = await locationsByCode(db, ws, [body.location]);
  if (!loc) return refusal('unknown_location', `no location with code ${JSON.stringify(body.location)}`, 'location');
  const low = body.low_stock ?? null;
  const reorder = body.reorder_point ?? null;
  if (low === null && reorder === null) {
    await deleteThreshold(db, ws, item.id, loc.id);
    return { status: 200, body: { threshold: null } };
  }
  const available = await availableAt(db, item.id, loc.id);
  const t: ThresholdRow = {
    item_id: item.id, location_id: loc.id, workspace_id: ws, low_stock: low, reorder_point: reorder,
    low_stock_below: low !== null && available <= low, reorder_point_below: reorder !== null && available <= reorder, updated_at: now,
  };
  await upsertThreshold(db, t);
  return { status: 200, body: { threshold: thresholdView({ ...t, sku: item.sku, location: loc.code, available }) } };
}

// ---- SMTP ----------------------------------------------------------------------------------

export interface SmtpBody {
  host: string;
  port: number;
  secure?: boolean;
  username?: string | null;
  /** `(set)` keeps the stored password (what a read shows). */
  password?: string | null;
  from: string;
}

export function smtpView(ws: SmtpSettings | null, env: SmtpSettings | null) {
  const s = ws ?? env;
  return {
    source: ws ? ('workspace' as const) : env ? ('environment' as const) : ('none' as const),
    settings: s && { host: s.host, port: s.port, secure: s.secure, username: s.username, password: s.password ? '(set)' : null, from: s.from_address },
  };
}

export async function setSmtp(db: Db, ws: string, body: SmtpBody, env: SmtpSettings | null, now: number): Promise<Written | Refusal> {
  if (emailProblem(body.from.replace(/^.*<([^>]*)>\s*$/, '$1'))) return refusal('validation_failed', 'from must be an address, e.g. "truestock <alerts@example.com>"', 'from');
  const before = await smtpOf(db, ws);
  const password = body.password === '(set)' ? (before?.password ?? null) : (body.password ?? null);
  const s: SmtpSettings = { host: body.host, port: body.port, secure: body.secure ?? body.port === 465, username: body.username ?? null, password, from_address: body.from };
  await writeSmtp(db, ws, s, now);
  return { status: 200, body: smtpView(s, env) };
}

export async function clearSmtp(db: Db, ws: string, env: SmtpSettings | null): Promise<Written | Refusal> {
  await deleteSmtp(db, ws);
  return { status: 200, body: smtpView(null, env) };
}
