// The HTTP API on Fastify. `buildServer` makes the app without listening (tests use inject());
// `startServer` listens. Routes stay thin: parse, authorise, call a use-case, send.

import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ERRORS, type ErrorCode, TruestockError } from '../domain/errors.ts';
import { randomUuid } from '../app/random.ts';
import type { Truestock } from '../app/truestock.ts';
import { completeContract } from './openapi-contract.ts';
import { problemFrom, refusalFromError, sendProblem } from './problem.ts';
import { authenticate } from './auth.ts';
import { registerRoutes } from './routes.ts';
import { registerResponseSchemas } from './response-schemas.ts';
import { AVAILABILITY_COMPONENTS } from './availability-responses.ts';
import { CATALOG_COMPONENTS } from './catalog-responses.ts';
import { CONSOLE_COMPONENTS } from './console-responses.ts';
import { CORE_COMPONENTS } from './core-responses.ts';
import { DOCUMENT_COMPONENTS } from './document-responses.ts';
import { badTextField, buildValidator, checkRawJson } from './input-guard.ts';
import { clientErrorHandler, frameworkErrors, methodNotAllowed, PATH_SEGMENT_LENGTH_MAX, refuseLongUrl, RouteMethods } from './framework-edges.ts';

/** Largest request body accepted (a 250-line order is well under this). */
export const BODY_LIMIT_BYTES = 1_048_576;
/** Largest CSV file an import request may carry (~1M item rows); bigger files go through the CLI. */
export const CSV_BODY_LIMIT_BYTES = 64 * 1_048_576;
const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

export interface ServerOptions {
  truestock: Truestock;
  logger?: boolean;
  /** Clients reach this server over https (TLS ends at a load balancer): session cookies are Secure. TRUESTOCK_HTTPS=1. */
  https?: boolean;
  /**
   * A reverse proxy in front, trusted for X-Forwarded-For/-Proto (Fastify's `trustProxy`: true,
   * or its addresses/CIDRs): the client's address is its, for rate limits and the audit log, and
   * session cookies are Secure. TRUESTOCK_TRUST_PROXY.
   */
  trustProxy?: boolean | string | string[];
  /**
   * The bearer token `GET /metrics` asks for (`TRUESTOCK_METRICS_TOKEN`). Without one the
   * endpoint is closed: the metrics name every workspace's channel ids, and a channel id is its
   * webhook address, so they are not for whoever can reach the API port.
   */
  metricsToken?: string | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether session cookies carry `Secure` (https configured, or behind a trusted proxy). */
    secureCookies: boolean;
  }
}

/** Server options from the environment: TRUESTOCK_HTTPS (1/true), TRUESTOCK_TRUST_PROXY (true, or comma-separated addresses). */
export function serverOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<ServerOptions, 'https' | 'trustProxy'> {
  const flag = (v: string | undefined) => v === '1' || v === 'true';
  const proxy = env.TRUESTOCK_TRUST_PROXY?.trim();
  return {
    ...(flag(env.TRUESTOCK_HTTPS) ? { https: true } : {}),
    ...(proxy ? { trustProxy: flag(proxy) ? true : proxy.split(',').map((p) => p.trim()).filter(Boolean) } : {}),
  };
}

/** Does the request's `Authorization: Bearer …` carry `token`? Compared in constant time (over digests, so lengths leak nothing). */
function bearerIs(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  if (given === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

export async function buildServer({ truestock, logger = false, https = false, trustProxy, metricsToken }: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(trustProxy !== undefined && trustProxy !== false ? { trustProxy } : {}),
    logger: logger ? { level: process.env.LOG_LEVEL ?? 'info' } : false,
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      if (typeof given === 'string' && REQUEST_ID_PATTERN.test(given)) return given;
      // A replayed run (a seed) answers with the same request ids as the first time.
      return truestock.seeded ? randomUuid(truestock.random) : randomUUID();
    },
    // Bodies are checked strictly: unknown fields are errors, never silently dropped, and a wrong
    // type is refused, never converted (input-guard.ts: only querystrings and params are typed from text).
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    schemaController: { compilersFactory: { buildValidator: buildValidator() } },
    return503OnClosing: true,
    // Edges answered before any route (framework-edges.ts): problem+json with a request id.
    routerOptions: { maxParamLength: PATH_SEGMENT_LENGTH_MAX },
    frameworkErrors,
    clientErrorHandler,
  });
  // Response schemas document the API (/openapi.json) and the tests hold every answer to them
  // (test/support/response-contract.ts); they never reshape an answer. Fastify's default would
  // compile them into serializers that silently drop any field a schema does not list.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const routeMethods = new RouteMethods();
  app.addHook('onRoute', (route) => routeMethods.add(route.method, route.url));
  // Bodies are JSON only: without this, Fastify's built-in text/plain parser lets a text body
  // through to schema validation (a 400) instead of answering 415 unsupported_media_type.
  app.removeContentTypeParser('text/plain');
  app.decorate('secureCookies', https || (trustProxy !== undefined && trustProxy !== false));
  // CSV imports (import-routes.ts) take the file as the body, larger than any JSON request.
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: CSV_BODY_LIMIT_BYTES }, (_req, body, done) => done(null, body));
  // Many clients send `Content-Type: application/json` on every request; an empty body on an
  // action that takes none (`/holds/{id}/release`) is not malformed.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  // Read as bytes so invalid UTF-8 is refused rather than decoded to U+FFFD, and depth is checked
  // before parsing (a 50,000-level body must be a 400, not a stack overflow further on).
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const raw = body as Buffer;
    if (raw.length === 0) return done(null, null);
    let text: string;
    try {
      text = checkRawJson(raw);
    } catch (err) {
      return done(err as Error, undefined);
    }
    return json(req, text, done);
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('request-id', req.id);
  });
  app.addHook('onRequest', refuseLongUrl);
  // PostgreSQL text cannot hold NUL (the query fails, a 500) while SQLite stores it, and a lone
  // surrogate cannot be stored as UTF-8 at all: refuse both at the edge so both stores answer a
  // client's mistake the same way. After validation, so bodies have their schema's shape.
  app.addHook('preHandler', async (req) => {
    for (const [where, value] of [['params', req.params], ['querystring', req.query], ['body', req.body]] as const) {
      const bad = badTextField(value, '');
      if (bad !== null) throw TruestockError.of('validation_failed', `${bad.field || where} ${bad.reason}`, bad.field || where);
    }
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    truestock.metrics.requests.inc({ method: req.method, route, status: reply.statusCode });
    truestock.metrics.requestSeconds.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    // The audit log: every mutating request someone was authenticated for, whatever its outcome.
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.principal) {
      const key = req.headers['idempotency-key'];
      truestock.audit.record({
        workspace_id: req.principal.workspaceId, at: truestock.clock.now(), actor_kind: req.principal.kind, actor_id: req.principal.keyId, actor_name: req.principal.name,
        method: req.method, path: req.url.split('?')[0]!.slice(0, 500), status: reply.statusCode, ip: req.ip ?? null, idempotency_key: typeof key === 'string' ? key.slice(0, 200) : null,
      });
    }
  });

  app.setErrorHandler((err, req, reply) => {
    const refusal = refusalFromError(err);
    if (refusal) return sendProblem(reply, problemFrom(refusal, req));
    req.log.error({ err }, 'internal error');
    return sendProblem(reply, problemFrom({ code: 'internal_error', detail: `something went wrong on our side; quote request id ${req.id}` }, req));
  });
  // The dashboard (web/dist, built by `npm run build:web`) is served at `/`; a browser's GET of
  // any other page path gets its index.html (the app routes itself). API paths stay problems.
  const dashboard = fileURLToPath(new URL('../../web/dist/', import.meta.url));
  const hasDashboard = existsSync(join(dashboard, 'index.html'));
  if (hasDashboard) await app.register(fastifyStatic, { root: dashboard, prefix: '/', wildcard: false, index: ['index.html'] });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    if (hasDashboard && req.method === 'GET' && !path.startsWith('/v1/') && (req.headers.accept ?? '').includes('text/html')) return reply.sendFile('index.html');
    const wrongMethod = methodNotAllowed(routeMethods, req, reply, path);
    if (wrongMethod) return wrongMethod;
    return sendProblem(reply, problemFrom({ code: 'route_not_found', detail: `${req.method} ${path} is not an endpoint` }, req));
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'truestock API',
        version: '1',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
        description:
          'The inventory ledger: stock levels, movements, holds. Every mutating call needs an `Idempotency-Key` header. Errors are RFC 9457 problem+json with a stable `code`.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer tsk_…`' } } },
      security: [{ apiKey: [] }],
    },
    // Shared schemas (`app.addSchema`) keep their `$id` as their name under components.schemas,
    // so a generated client gets `Item`, not `def-3`.
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    // operationIds, responses, servers, the session scheme… for every route, in one place.
    transformObject: (documents) => completeContract(('openapiObject' in documents ? documents.openapiObject : documents.swaggerObject) as Record<string, unknown>) as never,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
    await truestock.store.read((db) => db.get('SELECT 1 AS ok'));
    return reply.send({ status: 'ok', database: truestock.store.dialect });
  });
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (!metricsToken || !bearerIs(req.headers.authorization, metricsToken)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw TruestockError.of('unauthorized', metricsToken
        ? 'GET /metrics needs Authorization: Bearer with the server\'s TRUESTOCK_METRICS_TOKEN'
        : 'GET /metrics is closed: start the server with TRUESTOCK_METRICS_TOKEN set and scrape with Authorization: Bearer <that token>', 'Authorization');
    }
    reply.type(truestock.metrics.registry.contentType);
    return truestock.metrics.registry.metrics();
  });
  app.get<{ Params: { code: string } }>('/problems/:code', { schema: { hide: true } }, async (req, reply) => {
    const spec = ERRORS[req.params.code as ErrorCode];
    if (!spec) return reply.callNotFound();
    return { code: req.params.code, title: spec.title, status: spec.status, retryable: spec.retryable, docs: 'docs/errors.md' };
  });

  registerResponseSchemas(app, CORE_COMPONENTS, CATALOG_COMPONENTS, DOCUMENT_COMPONENTS, AVAILABILITY_COMPONENTS, CONSOLE_COMPONENTS);
  await app.register(async (v1) => {
    v1.addHook('onRequest', authenticate(truestock));
    registerRoutes(v1, truestock);
  }, { prefix: '/v1' });

  return app;
}

export async function startServer(opts: ServerOptions & { host: string; port: number }): Promise<{ url: string; close(): Promise<void> }> {
  const app = await buildServer(opts);
  const address = await app.listen({ host: opts.host, port: opts.port });
  return { url: address.replace('[::1]', 'localhost'), close: () => app.close() };
}
