// Strict input (issue 15, item 3): JSON of the wrong type is refused, never converted; text must
// be well-formed; deeply nested or oversized free-form bodies are a 400. Once per store.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, unique } from '../../test/support/http.ts';
import { FREE_FORM_PROPERTIES_MAX, JSON_DEPTH_MAX, jsonDepthExceeds } from './input-guard.ts';

const nested = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

describe('jsonDepthExceeds', () => {
  it('counts brackets outside strings only', () => {
    expect(jsonDepthExceeds('[[1]]', 2)).toBe(false);
    expect(jsonDepthExceeds('[[[1]]]', 2)).toBe(true);
    expect(jsonDepthExceeds('{"a":"[[[[\\"[["}', 2)).toBe(false);
    expect(jsonDepthExceeds(nested(50_000), JSON_DEPTH_MAX)).toBe(true);
  });
});

describe.each(['sqlite', 'postgres'] as const)('strict input on %s', (kind) => {
  const h = new Harness(kind);
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  const json = { 'content-type': 'application/json' };

  it.each([
    ['true', true],
    ['"7"', '7'],
    ['["3"]', ['3']],
    ['"1e3"', '1e3'],
    ['[3]', [3]],
  ])('receive with quantity %s is refused, not converted', async (_label, quantity) => {
    const res = await h.unchanged(() => h.post('/v1/stock/receive', { sku: h.a.sku, location: 'WH1', quantity }));
    expectProblem(res, 'validation_failed', 'quantity');
  });

  it('a note of false is refused, not stored as "false"', async () => {
    const res = await h.unchanged(() => h.post('/v1/stock/receive', { sku: h.a.sku, location: 'WH1', quantity: 1, note: false }));
    expectProblem(res, 'validation_failed', 'note');
  });

  it('variance_percent_max: false is refused, not taken as 0', async () => {
    const before = (await h.get('/v1/settings/counts')).json();
    const res = await h.inject({ method: 'PUT', url: '/v1/settings/counts', headers: { authorization: `Bearer ${h.a.keys.admin}`, 'idempotency-key': unique('idem') }, payload: { variance_percent_max: false } });
    expectProblem(res, 'validation_failed', 'variance_percent_max');
    expect((await h.get('/v1/settings/counts')).json()).toEqual(before);
  });

  it('querystrings and path params are still typed from text', async () => {
    const res = await h.get('/v1/movements?limit=2');
    expect(res.statusCode).toBe(200);
    expect(res.json().data.length).toBeLessThanOrEqual(2);
    expectProblem(await h.get('/v1/movements?limit=abc'), 'validation_failed', 'limit');
  });

  it('invalid UTF-8 in a SKU is refused, not replaced with U+FFFD', async () => {
    const payload = Buffer.concat([Buffer.from('{"sku":"'), Buffer.from([0x41, 0xff, 0xfe]), Buffer.from('","name":"bad bytes"}')]);
    const res = await h.unchanged(() => h.post('/v1/items', payload, { headers: json }));
    expectProblem(res, 'validation_failed', 'body');
  });

  it('a lone surrogate in a SKU or a note is refused', async () => {
    const res = await h.unchanged(() => h.post('/v1/items', '{"sku":"A\\ud800B","name":"lone"}', { headers: json }));
    expectProblem(res, 'validation_failed', 'sku');
    const note = await h.unchanged(() => h.post('/v1/stock/receive', `{"sku":"${h.a.sku}","location":"WH1","quantity":1,"note":"x\\udc00"}`, { headers: json }));
    expectProblem(note, 'validation_failed', 'note');
  });

  it('channel settings nested 5,000 levels deep are a 400, not a 500', async () => {
    const body = `{"kind":"custom","name":"${unique('deep')}","settings":${nested(5_000)}}`;
    const res = await h.unchanged(() => h.post('/v1/channels', body, { key: h.a.keys.admin, headers: json }));
    expectProblem(res, 'validation_failed', 'body');
  });

  it('channel settings with too many properties are refused', async () => {
    const settings = Object.fromEntries(Array.from({ length: FREE_FORM_PROPERTIES_MAX + 1 }, (_, i) => [`k${i}`, i]));
    const res = await h.post('/v1/channels', { kind: 'custom', name: unique('wide'), settings }, { key: h.a.keys.admin });
    expectProblem(res, 'validation_failed', 'settings');
  });

  it('a what-if nested 50,000 levels deep, with only a read key, is a 400', async () => {
    const ch = await h.post('/v1/channels', { kind: 'custom', name: unique('chan') }, { key: h.a.keys.admin });
    expect(ch.statusCode).toBe(201);
    const res = await h.post(`/v1/channels/${ch.json().channel.id}/rules/what-if`, `{"settings":${nested(50_000)}}`, { key: h.a.keys.read, headers: json });
    expectProblem(res, 'validation_failed', 'body');
  });
});
