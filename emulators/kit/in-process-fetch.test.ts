import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { startShopifyEmulator } from '../shopify/index.ts';
import { inProcessFetch, type NodeHandler } from './in-process-fetch.ts';

/** A handler as a small emulator would write it: echoes the request, resets or hangs on cue. */
const echo: NodeHandler = (req: IncomingMessage, res: ServerResponse) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/reset') return void req.socket.destroy();
    if (req.url === '/hang') return;
    if (req.url === '/empty') return void res.writeHead(204).end();
    const text = JSON.stringify({ method: req.method, url: req.url, token: req.headers['x-token'] ?? null, body: Buffer.concat(chunks).toString('utf8') });
    res.setHeader('X-Seen', 'yes');
    res.writeHead(201, { 'Content-Type': 'application/json', 'Retry-After': 3 });
    res.end(text);
  });
};

describe('inProcessFetch', () => {
  const f = inProcessFetch(echo, { origin: 'http://emulated.test' });

  it('calls the handler with the method, path, headers and body, and answers with what it wrote', async () => {
    const res = await f('http://emulated.test/admin/api/x.json?a=1', { method: 'POST', headers: { 'X-Token': 't1' }, body: '{"q":1}' });
    expect(res.status).toBe(201);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.headers.get('x-seen')).toBe('yes');
    expect(await res.json()).toEqual({ method: 'POST', url: '/admin/api/x.json?a=1', token: 't1', body: '{"q":1}' });
    const got = await f(new Request('http://emulated.test/get'));
    expect(await got.json()).toMatchObject({ method: 'GET', url: '/get', body: '' });
    expect((await f('http://emulated.test/empty')).status).toBe(204);
  });

  it('rejects as fetch does on a reset connection, and on abort', async () => {
    await expect(f('http://emulated.test/reset')).rejects.toThrow(TypeError);
    await expect(f('http://emulated.test/reset')).rejects.toMatchObject({ cause: { code: 'ECONNRESET' } });
    const c = new AbortController();
    const pending = f('http://emulated.test/hang', { signal: c.signal });
    c.abort(new Error('gave up'));
    await expect(pending).rejects.toThrow('gave up');
    await expect(f('http://emulated.test/x', { signal: AbortSignal.abort() })).rejects.toThrow();
  });

  it('sends other origins to the fallback, or refuses them', async () => {
    await expect(f('http://elsewhere.test/')).rejects.toThrow(TypeError);
    const seen: string[] = [];
    const withFallback = inProcessFetch(echo, { origin: 'http://emulated.test', fallback: async (input) => (seen.push(String(input)), new Response('fallback')) });
    expect(await (await withFallback('http://elsewhere.test/x')).text()).toBe('fallback');
    expect(seen).toEqual(['http://elsewhere.test/x']);
  });

  describe('with the Shopify emulator’s own handler (no port used for the call)', () => {
    let close: (() => Promise<void>) | null = null;
    afterAll(async () => close?.());

    it('answers a GraphQL query in-process as over HTTP', async () => {
      const shop = await startShopifyEmulator({ shop: 'in-process' });
      close = () => shop.close();
      const shopFetch = inProcessFetch(shop.handler, { origin: 'http://in-process.emulated' });
      const call = (token: string) => shopFetch('http://in-process.emulated/admin/api/2026-10/graphql.json', {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-shopify-access-token': token }, body: JSON.stringify({ query: '{ shop { name } }' }),
      });
      const ok = await call(shop.accessToken);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ data: { shop: { name: 'in-process' } } });
      expect((await call('wrong')).status).toBe(401);
      expect(shop.counters()).toMatchObject({ requests: 2, unauthorized: 1 });
      // Its outage, in-process too: a 503 with Retry-After, or the connection reset.
      shop.goDown(2);
      const down = await call(shop.accessToken);
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('2');
      shop.goDown(2, 'reset');
      await expect(call(shop.accessToken)).rejects.toMatchObject({ cause: { code: 'ECONNRESET' } });
    });
  });
});
