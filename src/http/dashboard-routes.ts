// /v1 routes for the dashboard: signing in (a session cookie), users, the overview, an item's
// stock over time, a channel's lag over time, the exceptions workflow, and the audit log.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit, auditActorList } from '../app/audit-view.ts';
import { lagHistory, overview, stockHistory } from '../app/dashboard.ts';
import { exception, exceptionKinds, exceptionOwners, moveException } from '../app/exceptions.ts';
import { findChannel } from '../app/channels.ts';
import { createUser, SESSION_COOKIE, SESSION_TTL_MS, signIn, signOut, userView } from '../app/sessions.ts';
import type { Truestock } from '../app/truestock.ts';
import type { ChannelState } from '../domain/channel-health.ts';
import { TruestockError } from '../domain/errors.ts';
import { EXCEPTION_SEVERITIES, RESOLUTION_KINDS } from '../domain/exception-kinds.ts';
import { EXCEPTION_KINDS } from '../domain/model.ts';
import type { BreakerState } from '../sync/breaker.ts';
import { getWorkspace } from '../store/access-repo.ts';
import { listUsers, setUserDisabled } from '../store/session-repo.ts';
import type { Session } from '../store/session-repo.ts';
import { cookie, type Principal, tooManyAttempts } from './auth.ts';
import { LIMITS } from '../app/failure-limit.ts';
import { notFound, type Params, type RouteKit } from './routes.ts';
import { emptyBody, idParam, sku } from './schemas.ts';
import * as r from './response-schemas.ts';

const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required }) as const;
const sessionBody = { anyOf: [object({ api_key: { type: 'string', minLength: 1, maxLength: 200 } }, ['api_key']), object({
  email: { type: 'string', minLength: 1, maxLength: 200 }, password: { type: 'string', minLength: 1, maxLength: 200 },
  workspace: { type: 'string', minLength: 1, maxLength: 100, description: 'The workspace id, when the email and password open several' },
}, ['email', 'password'])] } as const;
const userBody = object({ email: { type: 'string', maxLength: 200 }, name: { type: 'string', maxLength: 100 }, role: { type: 'string', enum: ['read', 'operate', 'admin'] }, password: { type: 'string', maxLength: 200 } }, ['email', 'name', 'role', 'password']);
const channelParam = object({ id: { type: 'string', minLength: 1, maxLength: 100, description: 'Channel id or name' } }, ['id']);
const skuParam = object({ sku }, ['sku']);

// What the overview answers: words of domain/channel-health.ts, sync/breaker.ts and domain/exception-kinds.ts.
const CHANNEL_STATES = ['active', 'served', 'paused', 'degraded', 'failing'] as const satisfies readonly ChannelState[];
const BREAKER_STATES = ['closed', 'open', 'half_open'] as const satisfies readonly BreakerState[];
const userAnswer = (description: string) => r.described(description, r.object({ user: r.ref('User') }));
const ms = (description: string) => r.nullable({ type: 'number', minimum: 0, description });
const overviewAnswer = r.object({
  stock: r.object({
    items: r.count('Items that hold stock (standard, not archived)'), stock_levels: r.count(), out_of_stock_items: r.count('Items with nothing available at any location'),
    oversold_levels: r.count('Stock levels with units oversold'), oversold_units: r.count(),
  }),
  exceptions: r.object({
    open: r.count(),
    by_kind: { type: 'object', propertyNames: { enum: [...EXCEPTION_KINDS] }, additionalProperties: r.count(), description: 'Open exceptions per kind (kinds with none are left out)' },
    by_severity: r.object(Object.fromEntries(EXCEPTION_SEVERITIES.map((v) => [v, r.count()]))),
    by_age: r.object({ lt_1h: r.count('Opened less than an hour ago'), h1_24: r.count('1 to 24 hours'), d1_7: r.count('1 to 7 days'), gt_7d: r.count('More than 7 days') }),
  }),
  oversells: r.object({ prevented_24h: r.count('Reservations refused for lack of stock in the last 24 h'), recorded_24h: r.count('Oversold exceptions opened in the last 24 h') }),
  channels: r.arrayOf(r.object({
    id: r.str(), name: r.str(), kind: r.str('The channel kind (shopify, amazon, …)'), paused: r.bool(),
    queue_depth: r.nullable(r.count('Listings waiting to be pushed; null for a served channel')),
    oldest_pending_age_s: ms('Age in seconds of the oldest push waiting; null when none waits or the channel is served'),
    dead_letters: r.nullable(r.count()),
    lag_p50_ms: ms('Propagation lag (commit → acknowledged), when this process pushes to the channel'), lag_p99_ms: ms('As lag_p50_ms, the 99th percentile'),
    breaker: r.nullable(r.oneOf(BREAKER_STATES, 'The push breaker; null when this process does not push to the channel')),
    numbers: r.oneOf(['pushed', 'served'], 'pushed by a connector, or served to whoever reads them'),
    state: r.nullable(r.oneOf(CHANNEL_STATES)), state_reasons: r.arrayOf(r.str(), { description: 'Why the state is not active, in words' }),
  })),
});

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site sends it),
 * Secure when the server is configured for https or behind a trusted proxy (docs/security.md) —
 * not on a client's say-so: an X-Forwarded-Proto header counts only from a trusted proxy.
 */
function setSessionCookie(req: FastifyRequest, reply: FastifyReply, value: string, maxAgeS: number): void {
  const secure = req.server.secureCookies || req.protocol === 'https' ? '; Secure' : '';
  reply.header('set-cookie', `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`);
}

export function registerDashboardRoutes(app: FastifyInstance, ts: Truestock, kit: RouteKit): void {
  const { read, mutation, route, write } = kit;
  const tags = ['dashboard'];

  const sessionView = async (s: Pick<Session, 'workspace_id' | 'role' | 'principal_kind' | 'principal_id' | 'principal_name'>) => {
    // The server administrator belongs to no workspace (docs/workspaces.md): the dashboard shows them the Workspaces page only.
    if (s.principal_kind === 'server_admin') return { workspace: null, role: s.role, principal: { kind: s.principal_kind, id: s.principal_id, name: s.principal_name }, server_admin: true };
    const ws = await read((db) => getWorkspace(db, s.workspace_id));
    return { workspace: { id: s.workspace_id, name: ws?.name ?? null }, role: s.role, principal: { kind: s.principal_kind, id: s.principal_id, name: s.principal_name } };
  };

  app.post<{ Body: { api_key?: string; email?: string; password?: string; workspace?: string } }>('/session', {
    config: { apiKey: false },
    schema: { tags, summary: 'Sign in (API key, or email and password): sets an HttpOnly session cookie; the key is never kept by the browser', body: sessionBody, security: [],
      response: {
        200: r.described('Signed in: the session cookie is set; who is signed in', r.ref('Session')),
        403: r.problem('The workspace is suspended (workspace_suspended)'),
        429: r.problem('Too many failed sign-ins from this address or to this account: wait Retry-After seconds (too_many_attempts)'),
      } },
  }, async (req, reply) => {
    // Guessing passwords: too many failures from this address, or against this email, wait.
    const now = ts.clock.now();
    const source = `sign-in-ip:${req.ip}`;
    const account = typeof req.body.email === 'string' ? `sign-in-account:${req.body.email.trim().toLowerCase()}` : null;
    if (ts.failures.waitMs(source, LIMITS.signInIp, now) > 0) throw tooManyAttempts(reply, ts.failures.waitMs(source, LIMITS.signInIp, now), 'too many failed sign-ins from this address');
    if (account && ts.failures.waitMs(account, LIMITS.signInAccount, now) > 0) throw tooManyAttempts(reply, ts.failures.waitMs(account, LIMITS.signInAccount, now), 'too many failed sign-ins to this account');
    const r = await signIn(ts.store, ts.clock, ts.keys, req.body);
    if ('code' in r) {
      if (r.code === 'unauthorized') {
        ts.failures.fail(source, LIMITS.signInIp, now);
        if (account) ts.failures.fail(account, LIMITS.signInAccount, now);
      }
      throw new TruestockError(r);
    }
    if (account) ts.failures.reset(account);
    setSessionCookie(req, reply, r.token, Math.floor(SESSION_TTL_MS / 1000));
    // Signing in is in the audit log too (the request had no principal yet, so the hook skips it).
    const s = r.session;
    ts.audit.record({ workspace_id: s.workspace_id, at: ts.clock.now(), actor_kind: s.principal_kind, actor_id: s.principal_id, actor_name: s.principal_name, method: 'POST', path: '/v1/session', status: 200, ip: req.ip ?? null, idempotency_key: null });
    return sessionView(s);
  });
  app.get('/session', { ...route('read', tags, 'Who is signed in', { response: { 200: r.described('Who is signed in', r.ref('Session')) } }), config: { role: 'read', serverAdmin: 'also' } }, async (req) =>
    sessionView({ workspace_id: req.principal.workspaceId, role: req.principal.role, principal_kind: req.principal.kind, principal_id: req.principal.keyId, principal_name: req.principal.name ?? '' }));
  app.delete('/session', { ...route('read', tags, 'Sign out: the session ends and its cookie is cleared', { response: { 204: { description: 'Signed out: the cookie is cleared', type: 'null' } } }), config: { role: 'read', serverAdmin: 'also', whileSuspended: true } }, async (req, reply) => {
    const token = cookie(req, SESSION_COOKIE);
    if (token) await signOut(ts.store, ts.clock, token);
    setSessionCookie(req, reply, '', 0);
    return reply.code(204).send();
  });

  app.get('/users', route('admin', tags, 'Dashboard users of this workspace', { response: { 200: r.described('Every dashboard user of this workspace', r.object({ data: r.arrayOf(r.ref('User')) })) } }), async (req) => ({ data: (await read((db) => listUsers(db, req.principal.workspaceId))).map(userView) }));
  app.post<{ Body: { email: string; name: string; role: string; password: string } }>('/users', write('admin', tags, 'Add a dashboard user (email, name, role, password of at least 10 characters)', userBody, { response: { 201: userAnswer('The new user') } }), async (req, reply) => {
    const u = await createUser(ts.store, ts.clock, req.principal.workspaceId, req.body);
    if ('code' in u) throw new TruestockError(u);
    return reply.code(201).send({ user: userView(u) });
  });

  for (const action of ['disable', 'enable'] as const) {
    const summary = action === 'disable' ? 'Disable a dashboard user: they can no longer sign in, and their sessions end at once' : 'Enable a disabled dashboard user again';
    app.post<{ Params: Params }>(`/users/:id/${action}`, write('admin', tags, summary, emptyBody, {
      params: idParam, response: { 200: r.described(`The user, ${action}d`, r.object({ user: r.str('The user id'), disabled: r.bool() })) },
    }), (req, reply) =>
      mutation(req, reply, async (db) => {
        const changed = await setUserDisabled(db, req.principal.workspaceId, req.params.id, action === 'disable');
        if (changed === 0) return { code: 'not_found', detail: `no user ${req.params.id}` };
        return { status: 200, body: { user: req.params.id, disabled: action === 'disable' } };
      }));
  }
  app.get('/overview', route('read', tags, 'Stock health, open exceptions by kind, severity and age, oversells prevented and recorded (24 h), and each channel’s sync', {
    response: { 200: r.described('The overview', overviewAnswer) },
  }), async (req) =>
    read((db) => overview(db, req.principal.workspaceId, ts.clock.now(), (id) => ts.sync.status(id))));
  app.get<{ Params: { sku: string }; Querystring: { limit?: number } }>('/stock/:sku/history', route('read', tags, "An item's on_hand and available (all locations) after each of its last movements, oldest first", {
    params: skuParam, querystring: object({ limit: { type: 'integer', minimum: 1, maximum: 2_000 } }),
    response: { 200: r.described("The item's stock after each movement, oldest first", r.object({
      sku: r.str(),
      points: r.arrayOf(r.object({
        at: r.dateTime(), on_hand: r.int('Summed over its locations, after this movement'), available: r.int('Summed over its locations, after this movement'), movement_id: r.str(),
      })),
    })) },
  }), async (req) => {
    const h = await read((db) => stockHistory(db, req.principal.workspaceId, req.params.sku, req.query.limit ?? 200));
    if (!h) throw notFound('item', req.params.sku);
    return h;
  });
  app.get<{ Params: Params; Querystring: { hours?: number } }>('/channels/:id/lag-history', route('read', tags, "A channel's p50/p99 propagation lag and pushes per minute over time (a sample every 30 s while it syncs)", {
    params: channelParam, querystring: object({ hours: { type: 'number', minimum: 0.1, maximum: 168 } }),
    response: { 200: r.described('Lag samples of the last `hours` (default 1), oldest first', r.object({
      data: r.arrayOf(r.object({
        at: r.dateTime(), p50_ms: ms('Median propagation lag (commit → acknowledged) of the recent pushes when the sample was taken; null: none'), p99_ms: ms('As p50_ms, the 99th percentile'),
        pushes: r.count('Pushes per minute when the sample was taken'),
      })),
    })) },
  }), async (req) => {
    const ws = req.principal.workspaceId;
    const out = await read(async (db) => {
      const channel = await findChannel(db, ws, req.params.id);
      // Whole milliseconds (a fractional bigint is a 500 on PostgreSQL).
      return channel && lagHistory(db, channel.id, ts.clock.now() - Math.round((req.query.hours ?? 1) * 3_600_000));
    });
    if (!out) throw notFound('channel', req.params.id);
    return out;
  });

  const oneException = (description: string) => r.described(description, r.object({ exception: r.ref('Exception') }));
  for (const action of ['acknowledge', 'assign', 'resolve'] as const) {
    const body = action === 'assign' ? object({ assignee: { type: 'string', minLength: 1, maxLength: 100 } }, ['assignee'])
      : action === 'resolve' ? object({ resolution: { type: 'string', minLength: 1, maxLength: 1_000 } }, ['resolution']) : undefined;
    const summary = { acknowledge: 'Acknowledge an exception: someone is on it', assign: 'Assign an exception to someone', resolve: 'Resolve an exception, saying what was done' }[action];
    app.post<{ Params: Params; Body: { assignee?: string; resolution?: string } | null }>(`/exceptions/:id/${action}`, write('operate', ['ledger'], summary, body, { params: idParam, response: { 200: oneException('The exception as it is now') } }), (req, reply) =>
      mutation(req, reply, (db, now) => moveException(db, req.principal.workspaceId, req.params.id, action, req.body ?? {}, actorOf(req.principal), now)));
  }
  app.get('/exceptions/kinds', route('read', ['ledger'], 'The kinds of exception, most urgent first: severity, and what ends each without a person', {
    response: { 200: r.described('Every kind, most urgent first', r.object({ data: r.arrayOf(r.object({
      kind: r.oneOf(EXCEPTION_KINDS), label: r.str(), severity: r.oneOf(EXCEPTION_SEVERITIES),
      closes_by: r.nullable(r.oneOf(RESOLUTION_KINDS, 'How the facts end it without a person; null: only by hand')),
      carries_debt: r.bool('It stands for oversold units (its `debt`), repaid by stock'),
    })) })) },
  }), async () => exceptionKinds());
  app.get('/exceptions/owners', route('read', ['ledger'], 'Who an exception may be assigned to: the users of this workspace', {
    response: { 200: r.described('The users, by name', r.object({ data: r.arrayOf(r.object({ id: r.str(), name: r.str(), email: r.str() })) })) },
  }), async (req) => read((db) => exceptionOwners(db, req.principal.workspaceId)));
  app.get<{ Params: Params }>('/exceptions/:id', route('read', ['ledger'], 'One exception: live debt, occurrences, links, how it ended', { params: idParam, response: { 200: oneException('The exception') } }), async (req) => {
    const e = await read((db) => exception(db, req.principal.workspaceId, req.params.id, ts.clock.now()));
    if (!e) throw notFound('exception', req.params.id);
    return { exception: e };
  });

  app.get<{ Querystring: { cursor?: string; limit?: number; actor?: string } }>('/audit', route('read', tags, 'Who did what, when, from where: every mutating request and sign-in, newest first, each with a sentence (`summary`) and the actor by name; `actor` filters by an id from /audit/actors', {
    querystring: object({ cursor: { type: 'string', maxLength: 100 }, limit: { type: 'integer', minimum: 1, maximum: 500 }, actor: { type: 'string', maxLength: 100 } }),
    response: { 200: r.described('A page of the audit log, newest first', r.page(r.ref('AuditEntry'))) },
  }), async (req) => read((db) => audit(db, req.principal.workspaceId, req.query)));
  app.get('/audit/actors', route('read', tags, 'Everyone in the audit log (users, API keys), by name: the choices of its actor filter', {
    response: { 200: r.described('The actors, by name', r.object({ data: r.arrayOf(r.ref('AuditActor')) })) },
  }), async (req) =>
    read((db) => auditActorList(db, req.principal.workspaceId)));
}

/** Who resolved an exception by hand, in words: a user's name, or the API key's. */
function actorOf(p: Principal): { id: string; name: string } {
  return { id: p.keyId, name: p.kind === 'user' ? (p.name ?? p.keyId) : `API key ${p.name ?? p.keyId}` };
}
