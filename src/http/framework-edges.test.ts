// Framework edges (issue 15, item 8): requests refused before any route answer in problem+json
// with a request id — through inject() where Fastify decides, over a real socket where Node's
// HTTP parser does (inject() never runs it). Once per store.

import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness } from '../../test/support/http.ts';
import { PATH_SEGMENT_LENGTH_MAX, RouteMethods, URL_LENGTH_MAX } from './framework-edges.ts';

/** Send `head` as the raw start of a request and read the whole answer (the server closes it). */
function raw(port: number, head: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [top, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = top!.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.write(head);
  });
}

describe('RouteMethods', () => {
  it('matches params and literal dots, not other paths', () => {
    const r = new RouteMethods();
    r.add(['GET', 'HEAD'], '/v1/stock/:sku');
    r.add('POST', '/v1/stock/receive');
    r.add('GET', '/v1/channels/:id/numbers.csv');
    expect(r.allowed('/v1/stock/receive')).toEqual(['GET', 'HEAD', 'POST']);
    expect(r.allowed('/v1/stock/A-1')).toEqual(['GET', 'HEAD']);
    expect(r.allowed('/v1/channels/c1/numbersXcsv')).toEqual([]);
    expect(r.allowed('/v1/stock/a/b')).toEqual([]);
  });
});

describe.each(['sqlite', 'postgres'] as const)('framework edges on %s', (kind) => {
  const h = new Harness(kind);
  let port = 0;
  beforeAll(async () => {
    await h.start();
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = (h.app.server.address() as AddressInfo).port;
  });
  afterAll(() => h.stop());

  it('a path segment too long is 414 uri_too_long', async () => {
    const res = await h.get(`/v1/stock/${'x'.repeat(PATH_SEGMENT_LENGTH_MAX + 1)}`);
    expectProblem(res, 'uri_too_long');
  });

  it('a URL too long is 414 uri_too_long', async () => {
    const res = await h.get(`/v1/movements?reference=${'x'.repeat(URL_LENGTH_MAX)}`);
    expectProblem(res, 'uri_too_long');
  });

  it('a path that is not valid percent-encoding is 400 malformed_request', async () => {
    expectProblem(await h.get('/v1/stock/%E0%A4%A'), 'malformed_request');
    expectProblem(await h.get('/v1/stock/%ZZ'), 'malformed_request');
  });

  it('a known path with another method is 405 with Allow; an unknown path stays 404', async () => {
    const del = await h.inject({ method: 'DELETE', url: '/v1/stock/receive', headers: { authorization: `Bearer ${h.a.keys.admin}` } });
    expectProblem(del, 'method_not_allowed');
    expect(del.headers.allow).toBe('GET, HEAD, POST'); // GET, HEAD: /v1/stock/:sku with the SKU "receive"
    const put = await h.inject({ method: 'PUT', url: `/v1/stock/${h.a.sku}`, headers: { authorization: `Bearer ${h.a.keys.admin}` } });
    expectProblem(put, 'method_not_allowed');
    expect(String(put.headers.allow).split(', ')).toContain('GET');
    expectProblem(await h.get('/v1/no-such-thing'), 'route_not_found');
  });

  it('headers larger than Node reads are 431 problem+json with a request id', async () => {
    const res = await raw(port, `GET /v1/items HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(res.body);
    expect(problem).toMatchObject({ code: 'headers_too_large', status: 431, type: '/problems/headers_too_large', instance: '/v1/items' });
    expect(problem.request_id).toBe(res.headers['request-id']);
  });

  it('a request line longer than Node reads is 414 problem+json', async () => {
    const res = await raw(port, `GET /v1/items?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(res.status).toBe(414);
    const problem = JSON.parse(res.body);
    expect(problem).toMatchObject({ code: 'uri_too_long', status: 414 });
    expect(problem.request_id).toBe(res.headers['request-id']);
  });

  it('a request the parser cannot read is 400 problem+json', async () => {
    const res = await raw(port, 'GET /v1/items HTTP/1.1\r\nBad Header Name: x\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'malformed_request', status: 400 });
  });
});
