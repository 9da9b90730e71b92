// What the console routes answer (dashboard sessions and users, the audit log, alerts, the
// server admin's workspaces): their named components, registered in server.ts, and the shapes
// those routes share. Views they describe: src/app/sessions.ts, audit-view.ts, alerts.ts,
// access.ts, workspaces.ts.

import { ALERT_EVENT_TYPES, SEVERITIES, SUBSCRIPTION_KINDS } from '../domain/alert-rules.ts';
import { ROLES } from '../domain/model.ts';
import { arrayOf, bool, count, dateTime, int, nullable, object, oneOf, ref, str } from './response-schemas.ts';

/** Who may act: an API key, a dashboard user, or the server administrator. */
export const PRINCIPAL_KINDS = ['api_key', 'user', 'server_admin'] as const;
export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
const WORKSPACE_STATES = ['active', 'suspended'] as const;

/** A stored secret, never shown: "(set)" when there is one, else null. */
const setOrNull = (description: string) => nullable(oneOf(['(set)'], description));
/** An HTTP status code. */
const httpStatus = (description?: string) => ({ type: 'integer', minimum: 100, maximum: 599, ...(description ? { description } : {}) });


export const CONSOLE_COMPONENTS = {
  Session: object({
    workspace: nullable(object({ id: str(), name: nullable(str()) })),
    role: oneOf(ROLES),
    principal: object({ kind: oneOf(PRINCIPAL_KINDS), id: str('The API key, user or server admin key id'), name: str() }),
    server_admin: { type: 'boolean', const: true, description: 'Present (true) for the server administrator only, who belongs to no workspace (`workspace` is null)' },
  }, ['server_admin'], { description: 'Who is signed in (never the session token: that is in the HttpOnly cookie only)' }),
  User: object({ id: str(), email: str(), name: str(), role: oneOf(ROLES), disabled: bool('A disabled user cannot sign in'), created_at: dateTime() },
    [], { description: 'A dashboard user (never their password or its hash)' }),
  Workspace: object({
    id: str(), name: str(),
    state: oneOf(WORKSPACE_STATES, 'suspended: its keys, users and sessions are refused (workspace_suspended) and its channels are not pushed to; its data is kept'),
    created_at: dateTime(), suspended_at: nullable(dateTime()), suspended_reason: nullable(str()),
    counts: object({ users: count('Enabled users'), keys: count('Unrevoked API keys'), items: count('Items not archived'), channels: count() }),
  }),
  AuditEntry: object({
    at: dateTime(),
    actor: object({ kind: oneOf(PRINCIPAL_KINDS), id: str(), name: str('The actor in words: a user\'s name, "API key …"') }),
    summary: str('What was done, in a sentence'),
    method: str(), path: str(), status: httpStatus(),
    ip: nullable(str()), idempotency_key: nullable(str()),
  }, [], { description: 'One mutating request or sign-in' }),
  AuditActor: object({
    id: str('Pass as `actor` to GET /v1/audit'), kind: oneOf(['user', 'api_key', 'cli', 'system', 'channel']), name: str(),
  }),
  AlertSubscription: object({
    id: str(), kind: oneOf(SUBSCRIPTION_KINDS), name: str(),
    url: nullable(str('Webhooks: where events are POSTed')), email: nullable(str('E-mail: the recipient')),
    events: arrayOf(oneOf(ALERT_EVENT_TYPES), { description: 'Events wanted (none: every event)' }),
    min_severity: oneOf(SEVERITIES), digest_minutes: count('E-mail: 0 sends each event at once; N sends one digest every N minutes'), enabled: bool(),
    secret: setOrNull('Webhooks: "(set)" — the signing secret itself is shown once, when the subscription is made or its secret rotated; null for e-mail'),
    previous_secret_until: nullable(dateTime('Webhooks, after a rotation: the replaced secret signs beside the new one until then; null if never rotated')),
    created_at: dateTime(), updated_at: dateTime(),
  }),
  AlertDelivery: object({
    id: str(), subscription_id: str(), event_id: str(), event_type: oneOf(ALERT_EVENT_TYPES), state: oneOf(DELIVERY_STATES),
    attempts: count(), next_at: nullable(dateTime('When a pending delivery is tried next')), last_status: nullable(httpStatus('The last attempt\'s HTTP status code')),
    last_error: nullable(str()), created_at: dateTime(), delivered_at: nullable(dateTime()),
    log: arrayOf(ref('AlertAttempt'), { description: 'Every attempt, first first' }),
  }),
  AlertAttempt: object({
    attempt: count(), at: dateTime(), ok: bool(), status_code: nullable(httpStatus('null: no HTTP answer (connection failed, timed out)')),
    latency_ms: count(), error: nullable(str()),
  }),
  AlertEvent: object({
    id: str(), type: oneOf(ALERT_EVENT_TYPES), severity: oneOf(SEVERITIES), created_at: dateTime(),
    body: object({ type: oneOf(ALERT_EVENT_TYPES), timestamp: dateTime(), data: { type: 'object', additionalProperties: true, description: 'What happened; its fields depend on the type (docs/alerts.md)' } },
      [], { description: 'The body a webhook receives' }),
  }),
  AlertThreshold: object({
    sku: str(), location: str('Location code'),
    low_stock: nullable(count('stock.low (threshold low_stock) when available falls to this or below')),
    reorder_point: nullable(count('stock.low (threshold reorder_point) when available falls to this or below')),
    available: int('Available units at the location now'),
    low_stock_reached: bool(), reorder_point_reached: bool(), updated_at: dateTime(),
  }),
  SmtpSettings: object({
    source: oneOf(['workspace', 'environment', 'none'], "Whose settings apply: this workspace's, the server's (TRUESTOCK_SMTP_*), or none"),
    settings: nullable(object({
      host: str(), port: { type: 'integer', minimum: 1, maximum: 65_535 }, secure: bool('TLS from the first byte; false: STARTTLS when offered'),
      username: nullable(str()), password: setOrNull('Never the password: "(set)" when one is stored'), from: str(),
    })),
  }),
};
