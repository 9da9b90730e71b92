// A `fetch` that calls an emulator's request handler in this process, without a socket or a
// port: the same `(req, res)` handler `http.createServer` takes gets a request built from the
// fetch arguments and a response that collects what it writes. A run — truestock's connectors
// and an emulator — can then be driven with no network at all, and by a fake clock.
//
// The handler sees what node:http gives it and that emulators use: `method`, `url` (path and
// query), lower-case `headers`, the body as a readable stream, and `req.socket.destroy()` (the
// fetch rejects as on a reset connection). The response supports `statusCode`, `setHeader`,
// `getHeader`, `writeHead`, `write`, `end`, `headersSent` and `destroy()`.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface InProcessOptions {
  /** Only URLs of this origin go to the handler (e.g. `http://shop.emulated`); others go to `fallback`. */
  origin?: string;
  /** Where other URLs go; when absent they are refused. */
  fallback?: typeof fetch;
}

/** A network error as undici reports one (`TypeError: fetch failed`, with the cause). */
function networkError(message: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code: 'ECONNRESET' }) });
}

export function inProcessFetch(handler: NodeHandler, options: InProcessOptions = {}): typeof fetch {
  const origin = options.origin ? new URL(options.origin).origin : null;
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (origin !== null && url.origin !== origin) {
      if (options.fallback) return options.fallback(input, init);
      throw networkError(`no in-process handler for ${url.origin}`);
    }
    const signal = request.signal;
    signal.throwIfAborted();
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : Buffer.alloc(0);

    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        reject(err);
      };
      const onAbort = () => fail(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });

      const req = Readable.from(body.length > 0 ? [body] : []) as unknown as IncomingMessage & { socket: unknown };
      const headers: Record<string, string> = {};
      request.headers.forEach((v, k) => (headers[k] = v));
      if (body.length > 0) headers['content-length'] ??= String(body.length);
      headers.host ??= url.host;
      Object.assign(req, {
        method: request.method,
        url: `${url.pathname}${url.search}`,
        headers,
        httpVersion: '1.1',
        socket: { destroy: () => fail(networkError('the emulator reset the connection')), remoteAddress: '127.0.0.1' },
      });

      const out: Buffer[] = [];
      const resHeaders = new Map<string, string>();
      const res = {
        statusCode: 200,
        statusMessage: '',
        headersSent: false,
        writableEnded: false,
        setHeader(name: string, value: string | number | readonly string[]) {
          resHeaders.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
          return res;
        },
        getHeader: (name: string) => resHeaders.get(name.toLowerCase()),
        removeHeader: (name: string) => void resHeaders.delete(name.toLowerCase()),
        writeHead(status: number, a?: string | Record<string, string | number>, b?: Record<string, string | number>) {
          res.statusCode = status;
          const h = typeof a === 'object' ? a : b;
          for (const [k, v] of Object.entries(h ?? {})) res.setHeader(k, v);
          res.headersSent = true;
          return res;
        },
        write(chunk: string | Uint8Array) {
          res.headersSent = true;
          out.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
          return true;
        },
        end(chunk?: string | Uint8Array | (() => void)) {
          if (chunk !== undefined && typeof chunk !== 'function') res.write(chunk);
          res.headersSent = true;
          res.writableEnded = true;
          signal.removeEventListener('abort', onAbort);
          if (settled) return res;
          settled = true;
          const noBody = res.statusCode === 204 || res.statusCode === 304 || request.method === 'HEAD';
          resolve(new Response(noBody ? null : Buffer.concat(out), { status: res.statusCode, headers: [...resHeaders.entries()] }));
          return res;
        },
        destroy: () => fail(networkError('the emulator closed the connection')),
        on: () => res,
        once: () => res,
      };
      Promise.resolve()
        .then(() => handler(req, res as unknown as ServerResponse))
        .catch(fail);
    });
  };
}
