// What an emulator's handler answers, and the plumbing every emulator's HTTP side repeats: read
// a body with a size limit, write an answer.

import type { IncomingMessage, ServerResponse } from 'node:http';

export interface HttpAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON; no body when undefined. */
  body?: unknown;
  /** Sent as is, as text/plain, instead of JSON (Amazon's emulated S3 documents and errors). */
  text?: string;
}

/** Writes `a`: `text` as text/plain, else `body` as JSON, else no body; `a.headers` win over the Content-Type. */
export function sendAnswer(res: ServerResponse, a: HttpAnswer): void {
  if (a.text !== undefined) {
    res.writeHead(a.status, { 'Content-Type': 'text/plain; charset=utf-8', ...a.headers, 'Content-Length': Buffer.byteLength(a.text) });
    res.end(a.text);
    return;
  }
  if (a.body === undefined) {
    res.writeHead(a.status, { ...a.headers, 'Content-Length': 0 });
    res.end();
    return;
  }
  const text = JSON.stringify(a.body);
  res.writeHead(a.status, { 'Content-Type': 'application/json', ...a.headers, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The whole body as UTF-8. Past `maxBytes` it rejects with a RangeError and drops the connection:
 * a body that large is a test's mistake, and reading it all would only hold memory.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        reject(new RangeError(`the body is larger than ${maxBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A control request's JSON body (undefined when empty); rejects when it is too large or not JSON. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const text = await readBody(req, maxBytes);
  return text.trim() === '' ? undefined : JSON.parse(text);
}
