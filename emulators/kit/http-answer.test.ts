import { describe, expect, it } from 'vitest';
import { readBody, readJsonBody, sendAnswer } from './http-answer.ts';
import { inProcessFetch, type NodeHandler } from './in-process-fetch.ts';

const BODY_BYTES_MAX = 16;

/** Answers what the test asks for in the path; `/json` echoes the parsed body, `/text` the raw one. */
const handler: NodeHandler = (req, res) => {
  void (async () => {
    try {
      if (req.url === '/json') return sendAnswer(res, { status: 200, body: { got: (await readJsonBody(req, BODY_BYTES_MAX)) ?? null } });
      if (req.url === '/text') return sendAnswer(res, { status: 200, headers: { 'X-Len': '1' }, text: await readBody(req, BODY_BYTES_MAX) });
      return sendAnswer(res, { status: 204, headers: { 'X-Empty': 'yes' } });
    } catch (err) {
      if (!res.headersSent && !res.destroyed) sendAnswer(res, { status: 400, body: { error: (err as Error).name, message: (err as Error).message } });
    }
  })();
};

describe('sendAnswer, readBody, readJsonBody', () => {
  const f = inProcessFetch(handler, { origin: 'http://kit.test' });

  it('answers JSON, text or nothing with the matching headers', async () => {
    const json = await f('http://kit.test/json', { method: 'POST', body: '{"a":1}' });
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(await json.json()).toEqual({ got: { a: 1 } });
    const empty = await f('http://kit.test/json', { method: 'POST', body: ' ' });
    expect(await empty.json()).toEqual({ got: null });
    const text = await f('http://kit.test/text', { method: 'POST', body: 'plain' });
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(text.headers.get('x-len')).toBe('1');
    expect(await text.text()).toBe('plain');
    const none = await f('http://kit.test/none');
    expect(none.status).toBe(204);
    expect(none.headers.get('x-empty')).toBe('yes');
  });

  it('refuses a body that is not JSON', async () => {
    const bad = await f('http://kit.test/json', { method: 'POST', body: '{' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'SyntaxError' });
  });

  it('refuses a body over the limit with a RangeError naming the limit', async () => {
    const big = await f('http://kit.test/text', { method: 'POST', body: 'x'.repeat(BODY_BYTES_MAX + 1) });
    expect(await big.json()).toEqual({ error: 'RangeError', message: `the body is larger than ${BODY_BYTES_MAX} bytes` });
    const fits = await f('http://kit.test/text', { method: 'POST', body: 'x'.repeat(BODY_BYTES_MAX) });
    expect(await fits.text()).toBe('x'.repeat(BODY_BYTES_MAX));
  });
});
