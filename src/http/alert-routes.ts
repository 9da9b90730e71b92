// /v1/alerts: subscriptions (webhooks signed per Standard Webhooks, e-mail with a severity
// threshold and an optional digest), their delivery log and redelivery, low-stock and
// reorder-point thresholds per item and location, SMTP settings, and recent events
// (docs/alerts.md). Settings that can send data out are `admin`; reading and redelivering are
// `operate`, thresholds too (like safety stock).

import type { FastifyInstance } from 'fastify';
import * as alerts from '../app/alerts.ts';
import * as queries from '../app/queries.ts';
import type { Truestock } from '../app/truestock.ts';
import { iso } from '../app/views.ts';
import { ALERT_EVENT_TYPES, DIGEST_MINUTES_MAX, SEVERITIES, SUBSCRIPTION_KINDS } from '../domain/alert-rules.ts';
import { deliveryLog, getSubscription, listSubscriptions, listThresholds, recentEvents, smtpOf } from '../store/alert-repo.ts';
import { getItemBySku } from '../store/catalog-repo.ts';
import { smtpFromEnv } from '../sync/alert-mail.ts';
import { notFound, type Params, type RouteKit } from './routes.ts';
import { code, sku } from './schemas.ts';
import * as r from './response-schemas.ts';

const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required }) as const;
const idParam = object({ id: { type: 'string', minLength: 1, maxLength: 100 } }, ['id']);
const events = { type: 'array', maxItems: ALERT_EVENT_TYPES.length, items: { type: 'string', minLength: 1, maxLength: 50 }, description: `Events wanted (none: every event): ${ALERT_EVENT_TYPES.join(', ')}` };
const subscriptionProps = {
  kind: { type: 'string', enum: SUBSCRIPTION_KINDS, description: '`webhook` (default) or `email`' },
  name: { type: 'string', minLength: 1, maxLength: 100 },
  url: { type: 'string', minLength: 1, maxLength: 2_000, description: 'Webhooks: where events are POSTed' },
  email: { type: 'string', minLength: 3, maxLength: 320, description: 'E-mail: the recipient' },
  events,
  min_severity: { type: 'string', enum: SEVERITIES, description: 'Only events at least this severe (e-mail defaults to warning, webhooks to info)' },
  digest_minutes: { type: 'integer', minimum: 0, maximum: DIGEST_MINUTES_MAX, description: 'E-mail: 0 sends each event at once; N sends one digest every N minutes' },
  enabled: { type: 'boolean' },
};
const subscriptionBody = object(subscriptionProps);
const subscriptionPatch = object(subscriptionProps);
const logQuery = object({ cursor: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: queries.PAGE_LIMIT_MAX }, state: { type: 'string', enum: ['pending', 'delivered', 'failed'] } });
const eventsQuery = object({ cursor: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: queries.PAGE_LIMIT_MAX }, type: { type: 'string', enum: ALERT_EVENT_TYPES } });
const units = { type: ['integer', 'null'], minimum: 0, maximum: 1_000_000_000 };
const thresholdBody = object({
  sku, location: code,
  low_stock: { ...units, description: 'stock.low (threshold low_stock) when available falls to this or below; null: none' },
  reorder_point: { ...units, description: 'stock.low (threshold reorder_point) when available falls to this or below; null: none' },
}, ['sku', 'location']);
const thresholdsQuery = object({ sku, cursor: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: queries.PAGE_LIMIT_MAX } });
const smtpBody = object({
  host: { type: 'string', minLength: 1, maxLength: 255 },
  port: { type: 'integer', minimum: 1, maximum: 65_535 },
  secure: { type: 'boolean', description: 'TLS from the first byte (port 465); false: STARTTLS when the server offers it. Default: port is 465' },
  username: { type: ['string', 'null'], maxLength: 255 },
  password: { type: ['string', 'null'], maxLength: 1_000, description: 'Never shown again; send "(set)" to keep the stored one' },
  from: { type: 'string', minLength: 3, maxLength: 320 },
}, ['host', 'port', 'from']);

const subscriptionAnswer = (description: string) => r.described(description, r.object({ subscription: r.ref('AlertSubscription') }));
const smtpAnswer = (description: string) => r.described(description, r.ref('SmtpSettings'));

export function registerAlertRoutes(app: FastifyInstance, ts: Truestock, kit: { read: RouteKit['read']; mutation: RouteKit['mutation']; route: RouteKit['route']; write: RouteKit['write'] }): void {
  const { read, mutation, route, write } = kit;
  const tags = ['alerts'];
  const env = () => smtpFromEnv();

  app.get('/alerts/subscriptions', route('operate', tags, 'List alert subscriptions (webhook secrets are never shown)', {
    response: { 200: r.described('Every subscription of this workspace', r.object({ data: r.arrayOf(r.ref('AlertSubscription')) })) },
  }), async (req) => ({
    data: (await read((db) => listSubscriptions(db, req.principal.workspaceId))).map(alerts.subscriptionView),
  }));
  app.post<{ Body: alerts.SubscriptionBody }>('/alerts/subscriptions', write('admin', tags, 'Subscribe a webhook or an e-mail address to alerts; a webhook\'s signing secret is in this answer only', subscriptionBody, {
    response: { 201: r.described("The new subscription; a webhook's signing secret beside it, this once", r.object({ subscription: r.ref('AlertSubscription'), ...r.shownOnceFields("A webhook's signing secret (whsec_…, Standard Webhooks)") }, ['secret', 'secret_note'])) },
  }), (req, reply) =>
    mutation(req, reply, (db, now) => alerts.createSubscription(db, req.principal.workspaceId, req.body, now)));
  app.get<{ Params: Params }>('/alerts/subscriptions/:id', route('operate', tags, 'Get an alert subscription', { params: idParam, response: { 200: subscriptionAnswer('The subscription') } }), async (req) => {
    const s = await read((db) => getSubscription(db, req.principal.workspaceId, req.params.id));
    if (!s) throw notFound('subscription', req.params.id);
    return { subscription: alerts.subscriptionView(s) };
  });
  app.patch<{ Params: Params; Body: alerts.SubscriptionBody }>('/alerts/subscriptions/:id', write('admin', tags, 'Change a subscription: enable or disable it, its events, URL, address, severity or digest', subscriptionPatch, { params: idParam, response: { 200: subscriptionAnswer('The subscription, changed') } }), (req, reply) =>
    mutation(req, reply, (db, now) => alerts.changeSubscription(db, req.principal.workspaceId, req.params.id, req.body, now)));
  app.post<{ Params: Params }>('/alerts/subscriptions/:id/secret', write('admin', tags, "Rotate a webhook's signing secret: the new one is in this answer only; the replaced one keeps signing beside it for 24 hours", undefined, {
    params: idParam,
    response: { 200: r.described("The subscription and its new signing secret, this once; deliveries carry both signatures for 24 hours", r.object({ subscription: r.ref('AlertSubscription'), ...r.shownOnceFields("The webhook's new signing secret (whsec_…, Standard Webhooks)") }, ['secret_note'])) },
  }), (req, reply) =>
    mutation(req, reply, (db, now) => alerts.rotateSecret(db, req.principal.workspaceId, req.params.id, now)));
  app.delete<{ Params: Params }>('/alerts/subscriptions/:id', write('admin', tags, 'Delete a subscription with its delivery log (to stop sending and keep the log, disable it instead)', undefined, {
    params: idParam,
    response: { 200: r.described('What was deleted', r.object({ deleted: r.object({ id: r.str('The subscription deleted'), deliveries: r.count('Deliveries removed with it, each with its attempts') }) })) },
  }), (req, reply) =>
    mutation(req, reply, (db) => alerts.removeSubscription(db, req.principal.workspaceId, req.params.id)));
  app.get<{ Params: Params; Querystring: { cursor?: string; limit?: number; state?: string } }>(
    '/alerts/subscriptions/:id/deliveries',
    route('operate', tags, "A subscription's delivery log, newest first: each delivery's state and every attempt with its status code, latency and error", {
      params: idParam, querystring: logQuery, response: { 200: r.described('A page of deliveries, newest first', r.page(r.ref('AlertDelivery'))) },
    }),
    async (req) => {
      const ws = req.principal.workspaceId;
      const limit = req.query.limit ?? queries.PAGE_LIMIT_DEFAULT;
      const out = await read(async (db) => {
        if (!(await getSubscription(db, ws, req.params.id))) return null;
        return deliveryLog(db, ws, req.params.id, { limit, ...(req.query.state ? { state: req.query.state } : {}), ...(req.query.cursor ? { before: queries.decodeCursor(req.query.cursor) } : {}) });
      });
      if (!out) throw notFound('subscription', req.params.id);
      return {
        data: out.map((d) => ({ ...d, next_at: iso(d.next_at), created_at: iso(d.created_at), delivered_at: iso(d.delivered_at), log: d.log.map((a) => ({ ...a, at: iso(a.at) })) })),
        next_cursor: out.length === limit ? queries.encodeCursor(out[out.length - 1]!.id) : null,
      };
    },
  );
  app.post<{ Params: Params }>('/alerts/deliveries/:id/redeliver', write('operate', tags, "Send a delivery's event to its subscription again (a new delivery with the same webhook-id)", undefined, {
    params: idParam,
    response: { 202: r.described('The new delivery, queued', r.object({ delivery: r.object({
      id: r.str(), subscription_id: r.str(), event_id: r.str(), state: r.oneOf(['pending']), redelivery_of: r.str('The delivery sent again'),
    }) })) },
  }), async (req, reply) => {
    const res = await mutation(req, reply, (db, now) => alerts.redeliver(db, req.principal.workspaceId, req.params.id, now));
    ts.alerts.poke();
    return res;
  });

  app.get<{ Querystring: { cursor?: string; limit?: number; type?: string } }>('/alerts/events', route('operate', tags, 'Recent alert events of this workspace, newest first, with the body a webhook receives', {
    querystring: eventsQuery, response: { 200: r.described('A page of events, newest first', r.page(r.ref('AlertEvent'))) },
  }), async (req) => {
    const limit = req.query.limit ?? queries.PAGE_LIMIT_DEFAULT;
    const rows = await read((db) => recentEvents(db, req.principal.workspaceId, { limit, ...(req.query.type ? { type: req.query.type } : {}), ...(req.query.cursor ? { before: queries.decodeCursor(req.query.cursor) } : {}) }));
    return {
      data: rows.map((e) => ({ id: e.id, type: e.type, severity: e.severity, created_at: iso(Number(e.created_at)), body: JSON.parse(e.payload) as unknown })),
      next_cursor: rows.length === limit ? queries.encodeCursor(rows[rows.length - 1]!.id) : null,
    };
  });

  app.get<{ Querystring: { sku?: string; cursor?: string; limit?: number } }>('/alerts/thresholds', route('operate', tags, 'Low-stock and reorder-point thresholds per item and location, with the available units and whether each is reached', {
    querystring: thresholdsQuery, response: { 200: r.described('A page of thresholds, by item and location', r.page(r.ref('AlertThreshold'))) },
  }), async (req) => {
    const ws = req.principal.workspaceId;
    const limit = req.query.limit ?? queries.PAGE_LIMIT_DEFAULT;
    const rows = await read(async (db) => {
      const item = req.query.sku ? await getItemBySku(db, ws, req.query.sku) : undefined;
      if (req.query.sku && !item) return [];
      return listThresholds(db, ws, { limit, ...(item ? { itemId: item.id } : {}), ...(req.query.cursor ? { after: queries.decodeCursor(req.query.cursor) } : {}) });
    });
    return { data: rows.map(alerts.thresholdView), next_cursor: rows.length === limit ? queries.encodeCursor(`${rows[rows.length - 1]!.item_id}:${rows[rows.length - 1]!.location_id}`) : null };
  });
  app.put<{ Body: alerts.ThresholdBody }>('/alerts/thresholds', write('operate', tags, "Set a stock level's low-stock and reorder-point thresholds (both null: remove them)", thresholdBody, {
    response: { 200: r.described('The thresholds set; null when both were null and they were removed', r.object({ threshold: r.nullable(r.ref('AlertThreshold')) })) },
  }), (req, reply) =>
    mutation(req, reply, (db, now) => alerts.setThreshold(db, req.principal.workspaceId, req.body, now)));

  app.get('/alerts/smtp', route('admin', tags, "The SMTP server alert e-mails go through: the workspace's own settings, else the server's (TRUESTOCK_SMTP_*); the password is never shown", { response: { 200: smtpAnswer('The SMTP settings that apply') } }), async (req) =>
    alerts.smtpView(await read((db) => smtpOf(db, req.principal.workspaceId)), env()));
  app.put<{ Body: alerts.SmtpBody }>('/alerts/smtp', write('admin', tags, "Set this workspace's SMTP server (wins over the server's environment)", smtpBody, { response: { 200: smtpAnswer("The workspace's settings, now in use") } }), (req, reply) =>
    mutation(req, reply, (db, now) => alerts.setSmtp(db, req.principal.workspaceId, req.body, env(), now)));
  app.delete('/alerts/smtp', write('admin', tags, "Remove this workspace's SMTP settings (the server's environment applies again)", undefined, { response: { 200: smtpAnswer('The SMTP settings that apply now') } }), (req, reply) =>
    mutation(req, reply, (db) => alerts.clearSmtp(db, req.principal.workspaceId, env())));
}
