// API-key authentication and role checks. A route names the least role it needs in its config;
// the key's workspace scopes everything the request can see.

import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { TruestockError } from '../domain/errors.ts';
import { type Role, roleAllows } from '../domain/model.ts';
import type { Truestock } from '../app/truestock.ts';

export interface Principal {
  workspaceId: string;
  keyId: string;
  role: Role;
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
    if (!match) throw TruestockError.of('unauthorized', 'send an API key as `Authorization: Bearer <key>`', 'Authorization');
    const key = await truestock.keys.authenticate(match[1]!);
    if (!key) throw TruestockError.of('unauthorized', 'the API key is unknown or revoked', 'Authorization');
    const need = req.routeOptions.config.role ?? 'admin';
    if (!roleAllows(key.role, need)) {
      throw TruestockError.of('forbidden', `this needs the ${need} role; the key has ${key.role}`, undefined, { required_role: need });
    }
    req.principal = { workspaceId: key.workspaceId, keyId: key.id, role: key.role };
  };
}
