// API-key authentication and role checks. A route names the least role it needs in its config;
// the key's workspace scopes everything the request can see.

import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { TruestockError } from '../domain/errors.ts';
import { type Role, roleAllows } from '../domain/model.ts';
import { SESSION_COOKIE, sessionOf } from '../app/sessions.ts';
import type { Truestock } from '../app/truestock.ts';

export interface Principal {
  workspaceId: string;
  /** Who acts: an API key id, or a user id when signed in with an account. */
  keyId: string;
  role: Role;
  kind: 'api_key' | 'user';
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
  }
}

export function authenticate(truestock: Truestock): onRequestAsyncHookHandler {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    if (req.routeOptions.config.apiKey === false) return;
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    let principal: Principal;
    if (match) {
      const key = await truestock.keys.authenticate(match[1]!);
      if (!key) throw TruestockError.of('unauthorized', 'the API key is unknown or revoked', 'Authorization');
      principal = { workspaceId: key.workspaceId, keyId: key.id, role: key.role, kind: 'api_key', name: key.name };
    } else {
      // The dashboard's session cookie (POST /v1/session), when there is no Authorization header.
      const token = cookie(req, SESSION_COOKIE);
      const session = token ? await sessionOf(truestock.store, truestock.clock, token) : undefined;
      if (!session) throw TruestockError.of('unauthorized', 'send an API key as `Authorization: Bearer <key>`, or sign in (POST /v1/session)', 'Authorization');
      principal = { workspaceId: session.workspace_id, keyId: session.principal_id, role: session.role, kind: session.principal_kind, name: session.principal_name };
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
