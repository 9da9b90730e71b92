// Answers for requests that never reach a route: a URL or path segment too long, a path that is
// not valid percent-encoding, headers too large for Node's parser, a method the path does not
// take. Each is a problem+json with a request id, like every other refusal (docs/errors.md).

import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, type ErrorCode } from '../domain/errors.ts';
import { PROBLEM_CONTENT_TYPE, problemFrom, problemType, sendProblem } from './problem.ts';

/** Longest path segment (a percent-encoded SKU of 100 three-byte characters is 900). */
export const PATH_SEGMENT_LENGTH_MAX = 1024;
/** Longest request target, path and query; Node refuses a request line past its header limit anyway. */
export const URL_LENGTH_MAX = 8192;

/** A problem for the request, with its request id also as the header (hooks have not run yet). */
function answer(req: FastifyRequest, reply: FastifyReply, code: ErrorCode, detail: string): FastifyReply {
  reply.header('request-id', req.id);
  return sendProblem(reply, problemFrom({ code, detail }, req));
}

/** Fastify's `frameworkErrors`: a path that is not valid percent-encoding, or a segment too long. */
export function frameworkErrors(error: { code?: string; message: string }, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return answer(req, reply, 'uri_too_long', `a path segment is longer than ${PATH_SEGMENT_LENGTH_MAX} characters`);
  if (error.code === 'FST_ERR_BAD_URL') return answer(req, reply, 'malformed_request', 'the path is not valid percent-encoding');
  return answer(req, reply, 'malformed_request', error.message);
}

/** An onRequest check: a request target longer than URL_LENGTH_MAX is a 414. */
export async function refuseLongUrl(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (req.url.length <= URL_LENGTH_MAX) return undefined;
  return answer(req, reply, 'uri_too_long', `the URL is longer than ${URL_LENGTH_MAX} characters`);
}

/**
 * The methods each route pattern takes, so that a known path asked with another method answers
 * 405 with `Allow` rather than 404. Fed by an `onRoute` hook.
 */
export class RouteMethods {
  private readonly routes: { pattern: RegExp; methods: Set<string> }[] = [];
  private readonly byUrl = new Map<string, Set<string>>();

  add(methods: string | string[], url: string): void {
    let set = this.byUrl.get(url);
    if (!set) {
      set = new Set();
      this.byUrl.set(url, set);
      const source = url
        .split('/')
        .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      this.routes.push({ pattern: new RegExp(`^${source}/?$`), methods: set });
    }
    for (const m of Array.isArray(methods) ? methods : [methods]) set.add(m.toUpperCase());
  }

  /** Every method some route takes at `path`, sorted; empty when no route has this path. */
  allowed(path: string): string[] {
    const out = new Set<string>();
    for (const r of this.routes) if (r.pattern.test(path)) for (const m of r.methods) out.add(m);
    return [...out].sort();
  }
}

/** 405 for a path some route takes with other methods; null when the path is unknown. */
export function methodNotAllowed(routes: RouteMethods, req: FastifyRequest, reply: FastifyReply, path: string): FastifyReply | null {
  const allowed = routes.allowed(path);
  if (allowed.length === 0 || allowed.includes(req.method)) return null;
  reply.header('allow', allowed.join(', '));
  return sendProblem(reply, problemFrom({ code: 'method_not_allowed', detail: `${path} takes ${allowed.join(', ')}, not ${req.method}` }, req));
}

type ClientError = Error & { code?: string; rawPacket?: unknown };

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the request before Fastify saw it
 * (headers over `maxHeaderSize`, a broken request line). Answer problem+json on the raw socket.
 */
export function clientErrorHandler(err: ClientError, socket: Socket): void {
  // The client is gone: nothing to answer (as Fastify's default handler).
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // The bytes being parsed: from the request line when the request came in one packet.
  const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.toString('latin1') : '';
  const lineEnd = raw.indexOf('\r\n');
  const firstLine = lineEnd === -1 ? raw : raw.slice(0, lineEnd);
  const requestLine = /^[A-Z]+ \S/.test(firstLine);
  const target = requestLine ? (firstLine.split(' ')[1] ?? '').slice(0, 500) : '';
  let code: ErrorCode;
  let detail: string;
  if (err.code === 'HPE_HEADER_OVERFLOW' && requestLine && firstLine.length > URL_LENGTH_MAX) {
    code = 'uri_too_long';
    detail = 'the request line is longer than the server reads';
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    code = 'headers_too_large';
    detail = 'the request headers are larger than the server reads';
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    // Not a problem a client can act on by changing the request: keep Node's plain answer.
    if (socket.writable) socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy(err);
    return;
  } else {
    code = 'malformed_request';
    detail = 'the request line or headers could not be read';
  }
  const id = randomUUID();
  const spec = ERRORS[code];
  const body = JSON.stringify({ type: problemType(code), title: spec.title, status: spec.status, detail, instance: target || '/', code, retryable: spec.retryable, request_id: id });
  // end(), not write() then destroy(): the answer must be flushed before the socket closes.
  if (!socket.writable) return void socket.destroy(err);
  socket.end(
    `HTTP/1.1 ${spec.status} ${STATUS_CODES[spec.status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `request-id: ${id}\r\nConnection: close\r\n\r\n${body}`,
  );
}
