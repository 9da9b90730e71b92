// API-key authentication and role checks. A route names the least role it needs in its config;
// the key's workspace scopes everything the request can see.

import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { TruestockError } from '../domain/errors.ts';
import { type Role, roleAllows } from '../domain/model.ts';
import { SESSION_COOKIE, sessionOf } from '../app/sessions.ts';
import { isServerAdminKey, SERVER_SCOPE } from '../app/server-admin.ts';
import type { Truestock } from '../app/truestock.ts';
import { LIMITS } from '../app/failure-limit.ts';

export interface Principal {
  workspaceId: string;
  /** Who acts: an API key id, or a user id when signed in with an account. */
  keyId: string;
  role: Role;
  kind: 'api_key' | 'user' | 'server_admin';
  name: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    role?: Role;
    /** `false`: the route proves its caller another way (a channel's signed webhook) and takes no API key. */
    apiKey?: false;
    /**
     * Who may call it beside workspace principals. `only`: the server administrator alone
     * (`/v1/admin/*`); `also`: both (who am I, sign out). Absent: workspace principals only —
     * a server admin key never reaches a workspace's data.
     */
    serverAdmin?: 'only' | 'also';
    /** `true`: a suspended workspace's session may still call it (signing out). */
    whileSuspended?: true;
  }
}

/** A 429 with Retry-After (whole seconds, rounded up) and the same number in the problem. */
export function tooManyAttempts(reply: FastifyReply, waitMs: number, what: string): TruestockError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  reply.header('retry-after', String(seconds));
  return TruestockError.of('too_many_attempts', `${what}; try again in ${seconds} s`, undefined, { retry_after_seconds: seconds });
}

export function authenticate(truestock: Truestock): onRequestAsyncHookHandler {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.routeOptions.config.apiKey === false) return;
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    let principal: Principal;
    let suspended = false;
    // Guessing keys: an address that sent too many unknown keys waits, even with a good one.
    const source = `key-ip:${req.ip}`;
    if (match) {
      const wait = truestock.failures.waitMs(source, LIMITS.keyIp, truestock.clock.now());
      if (wait > 0) throw tooManyAttempts(reply, wait, 'too many unknown API keys from this address');
    }
    const unknownKey = (detail: string) => {
      truestock.failures.fail(source, LIMITS.keyIp, truestock.clock.now());
      return TruestockError.of('unauthorized', detail, 'Authorization');
    };
    if (match && isServerAdminKey(match[1]!)) {
      const key = await truestock.keys.authenticateServerAdmin(match[1]!);
      if (!key) throw unknownKey('the server admin key is unknown or revoked');
      principal = { workspaceId: SERVER_SCOPE, keyId: key.id, role: 'admin', kind: 'server_admin', name: key.name };
    } else if (match) {
      const key = await truestock.keys.authenticate(match[1]!);
      if (!key) throw unknownKey('the API key is unknown or revoked');
      principal = { workspaceId: key.workspaceId, keyId: key.id, role: key.role, kind: 'api_key', name: key.name };
      suspended = key.workspaceSuspended === true;
    } else {
      // The dashboard's session cookie (POST /v1/session), when there is no Authorization header.
      const token = cookie(req, SESSION_COOKIE);
      const session = token ? await sessionOf(truestock.store, truestock.clock, token) : undefined;
      if (!session) throw TruestockError.of('unauthorized', 'send an API key as `Authorization: Bearer <key>`, or sign in (POST /v1/session)', 'Authorization');
      principal = { workspaceId: session.workspace_id, keyId: session.principal_id, role: session.role, kind: session.principal_kind, name: session.principal_name };
      suspended = session.workspace_suspended === true;
    }
    // Who, before what: a workspace key on /v1/admin is refused, and so is the server admin on a
    // workspace's data, whatever the role.
    const serverAdmin = req.routeOptions.config.serverAdmin;
    if (serverAdmin === 'only' && principal.kind !== 'server_admin') {
      throw TruestockError.of('forbidden', 'only the server administrator may do this (a `tsa_…` key); workspace keys and users manage their own workspace only');
    }
    if (serverAdmin === undefined && principal.kind === 'server_admin') {
      throw TruestockError.of('forbidden', 'a server admin key manages workspaces (/v1/admin/workspaces) and reads none of their data; use a key of the workspace');
    }
    if (suspended && req.routeOptions.config.whileSuspended !== true) {
      throw TruestockError.of('workspace_suspended', `workspace ${principal.workspaceId} is suspended by the server administrator; its data is kept, ask them to reactivate it`);
    }
    const need = req.routeOptions.config.role ?? 'admin';
    if (!roleAllows(principal.role, need)) {
      throw TruestockError.of('forbidden', `this needs the ${need} role; you have ${principal.role}`, undefined, { required_role: need });
    }
    req.principal = principal;
  };
}

/** One cookie's value from the request's Cookie header. */
export function cookie(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}
