// /v1/admin: the server administrator's endpoints (docs/workspaces.md). Only a server admin key
// (`tsa_…`) or its dashboard session reaches them — `serverAdmin: 'only'` in each route's
// config, checked in auth.ts — and a server admin key reaches nothing else.

import type { FastifyInstance } from 'fastify';
import { apiKeyView } from '../app/access.ts';
import * as queries from '../app/queries.ts';
import { checkUser, hashPassword, userView } from '../app/sessions.ts';
import type { Truestock } from '../app/truestock.ts';
import * as workspaces from '../app/workspaces.ts';
import { TruestockError } from '../domain/errors.ts';
import type { Role } from '../domain/model.ts';
import { getWorkspace, listApiKeys, revokeApiKey } from '../store/access-repo.ts';
import { listUsers } from '../store/session-repo.ts';
import { workspaceSummaries, workspaceSummary } from '../store/workspace-admin-repo.ts';
import { type Params, type RouteKit } from './routes.ts';
import { apiKeyBody, emptyBody, idParam, pageQuery } from './schemas.ts';
import * as r from './response-schemas.ts';

const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required }) as const;
const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });

// Answers: the components of console-responses.ts (Workspace, User) and core-responses.ts (ApiKey).
const keySecret = r.shownOnceFields('The API key itself (tsk_…)');

const workspaceBody = object({ name: { type: 'string', minLength: 1, maxLength: workspaces.WORKSPACE_NAME_LENGTH_MAX } }, ['name']);
const suspendBody = { anyOf: [object({ reason: nullable('string', { maxLength: workspaces.SUSPEND_REASON_LENGTH_MAX }) }), { type: 'null' }] } as const;
const userBody = object({ email: { type: 'string', maxLength: 200 }, name: { type: 'string', maxLength: 100 }, role: { type: 'string', enum: ['read', 'operate', 'admin'] }, password: { type: 'string', maxLength: 200, description: 'At least 10 characters; the user signs in with it at once (tell them over a safe channel)' } }, ['email', 'name', 'role', 'password']);
const keyParams = object({ id: { type: 'string', minLength: 1, maxLength: 100 }, key: { type: 'string', minLength: 1, maxLength: 100 } }, ['id', 'key']);
/** Workspaces are the server's, not a workspace's: "on this server". */
const missing = (id: string) => TruestockError.of('not_found', `no workspace ${id} on this server`);
const one = (description: string) => ({ 200: r.described(description, r.object({ workspace: r.ref('Workspace') })) });

export function registerWorkspaceAdminRoutes(app: FastifyInstance, ts: Truestock, kit: RouteKit): void {
  const { read, mutation } = kit;
  const tags = ['admin'];
  // The server admin alone; `role` is always admin for them (checked after who).
  const only = <T extends { config: { role: Role } }>(o: T) => ({ ...o, config: { ...o.config, serverAdmin: 'only' as const } });
  const route = (summary: string, extra: Record<string, unknown> = {}) => only(kit.route('admin', tags, summary, extra));
  const write = (summary: string, body: unknown, extra: Record<string, unknown> = {}) => only(kit.write('admin', tags, summary, body, extra));
  /** Keys and sessions are remembered for a few seconds and the dispatcher reads channels now and then: a suspension takes effect in this process at once. */
  const takeEffect = async () => (ts.keys.forget(), await ts.sync.refresh(true));

  app.get<{ Querystring: { cursor?: string; limit?: number } }>('/admin/workspaces', route('Every workspace on this server with its state and counts (users, keys, items, channels)', {
    querystring: pageQuery, response: { 200: r.described('A page of workspaces', r.page(r.ref('Workspace'))) },
  }), async (req) => {
    const limit = req.query.limit ?? queries.PAGE_LIMIT_DEFAULT;
    const rows = await read((db) => workspaceSummaries(db, { limit, ...(req.query.cursor ? { after: queries.decodeCursor(req.query.cursor) } : {}) }));
    return queries.page(rows, limit, (w) => w.id, workspaces.workspaceView);
  });
  app.post<{ Body: { name: string } }>('/admin/workspaces', write('Create a workspace and its first admin API key (the key is in this answer only)', workspaceBody, {
    response: { 201: r.described('The new workspace and its first admin API key, with the secret this once', r.object({ workspace: r.ref('Workspace'), api_key: r.ref('ApiKey'), ...keySecret }, ['secret_note'])) },
  }), (req, reply) => mutation(req, reply, (db, now) => workspaces.createWorkspaceByAdmin(db, req.body, now)));
  app.get<{ Params: Params }>('/admin/workspaces/:id', route('A workspace with its state and counts', { params: idParam, response: one('The workspace') }), async (req) => {
    const w = await read((db) => workspaceSummary(db, req.params.id));
    if (!w) throw missing(req.params.id);
    return { workspace: workspaces.workspaceView(w) };
  });
  app.post<{ Params: Params; Body: { reason?: string | null } | null }>('/admin/workspaces/:id/suspend', write("Suspend a workspace: its keys, users and sessions are refused with workspace_suspended and its channels' sync pauses; its data is kept", suspendBody, {
    params: idParam, response: one('The workspace, suspended'),
  }), async (req, reply) => {
    const res = await mutation(req, reply, (db, now) => workspaces.suspendWorkspace(db, req.params.id, req.body ?? {}, now));
    await takeEffect();
    return res;
  });
  app.post<{ Params: Params }>('/admin/workspaces/:id/reactivate', write('Reactivate a suspended workspace: its keys, users and sessions work again and its channels sync', emptyBody, {
    params: idParam, response: one('The workspace, active'),
  }), async (req, reply) => {
    const res = await mutation(req, reply, (db) => workspaces.reactivateWorkspace(db, req.params.id));
    await takeEffect();
    return res;
  });

  app.get<{ Params: Params }>('/admin/workspaces/:id/users', route("A workspace's dashboard users", { params: idParam, response: { 200: r.described("The workspace's users", r.object({ data: r.arrayOf(r.ref('User')) })) } }), async (req) => {
    const users = await read(async (db) => ((await getWorkspace(db, req.params.id)) ? listUsers(db, req.params.id) : null));
    if (!users) throw missing(req.params.id);
    return { data: users.map(userView) };
  });
  app.post<{ Params: Params; Body: { email: string; name: string; role: string; password: string } }>('/admin/workspaces/:id/users', write("Add a dashboard user to a workspace with a password (its first admin, say): they sign in with it at once", userBody, {
    params: idParam, response: { 201: r.described('The new user', r.object({ user: r.ref('User') })) },
  }), async (req, reply) => {
    const checked = checkUser(req.body);
    // scrypt outside the transaction; only a valid user is worth hashing for.
    const hash = 'code' in checked ? null : await hashPassword(checked.password);
    return mutation(req, reply, (db, now) => workspaces.createWorkspaceUser(db, req.params.id, checked, hash, now));
  });

  app.get<{ Params: Params }>('/admin/workspaces/:id/api-keys', route("A workspace's API keys (never their secrets)", { params: idParam, response: { 200: r.described("The workspace's API keys, revoked ones too", r.object({ data: r.arrayOf(r.ref('ApiKey')) })) } }), async (req) => {
    const keys = await read(async (db) => ((await getWorkspace(db, req.params.id)) ? listApiKeys(db, req.params.id) : null));
    if (!keys) throw missing(req.params.id);
    return { data: keys.map(apiKeyView) };
  });
  app.post<{ Params: Params; Body: { name: string; role: Role } }>('/admin/workspaces/:id/api-keys', write('Create an API key in a workspace (its secret is in this answer only)', apiKeyBody, {
    params: idParam, response: { 201: r.described('The new key, with its secret this once', r.object({ api_key: r.ref('ApiKey'), ...keySecret }, ['secret_note'])) },
  }), (req, reply) => mutation(req, reply, (db, now) => workspaces.createWorkspaceKey(db, req.params.id, req.body, now)));
  app.post<{ Params: { id: string; key: string } }>('/admin/workspaces/:id/api-keys/:key/revoke', write("Revoke a workspace's API key", emptyBody, {
    params: keyParams, response: { 200: r.described('The key is revoked', r.object({ revoked: r.str('The id of the key revoked') })) },
  }), async (req, reply) => {
    const res = await mutation(req, reply, async (db, now) => {
      if (!(await getWorkspace(db, req.params.id))) return { code: 'not_found', detail: `no workspace ${req.params.id} on this server` };
      const changed = await revokeApiKey(db, req.params.id, req.params.key, now);
      if (changed === 0) return { code: 'not_found', detail: `no active API key ${req.params.key} in workspace ${req.params.id}` };
      return { status: 200, body: { revoked: req.params.key } };
    });
    ts.keys.forget();
    return res;
  });
}
