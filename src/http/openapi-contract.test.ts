// The API contract: /openapi.json as a client generator reads it. Every operation has a unique
// operationId, tags, its success statuses and problem+json answers, the Idempotency-Key header
// where writes need it; `redocly lint` finds no error; and real answers of a handful of
// operations match what the document declares for their status.

import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, type Json, unique } from '../../test/support/http.ts';
import { ResponseContract } from '../../test/support/response-contract.ts';
import { SchemaArbitraries } from '../../test/support/schema-arbitrary.ts';
import { completeContract, operationIdOf } from './openapi-contract.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
/**
 * Generated requests per operation and store (about 150 operations), valid and invalid mixed, and
 * the seed. A deeper hunt: TRUESTOCK_FUZZ_RUNS=100 TRUESTOCK_FUZZ_SEED=<any> npx vitest run <this file>.
 */
const GENERATED_PER_OPERATION = Number(process.env.TRUESTOCK_FUZZ_RUNS ?? 6);
const FUZZ_SEED = Number(process.env.TRUESTOCK_FUZZ_SEED ?? 15);

/** Writes that take no Idempotency-Key, and why: they change nothing a retry could repeat. */
const NO_IDEMPOTENCY_KEY = new Set([
  'post /v1/session', // sign-in: a retry makes another session, which is what a retry means
  'delete /v1/session', // sign-out: ending an ended session does nothing
  'post /v1/channels/{id}/webhooks', // a channel's delivery: deduped on the channel's own delivery id
  'post /v1/channels/{id}/webhooks/{kind}',
  'post /v1/channels/{id}/rules/what-if', // reads: nothing is saved
  'post /v1/routing/what-if',
]);

describe('operationIdOf', () => {
  it('derives a camel-case id from the method and the path, without the version', () => {
    expect(operationIdOf('GET', '/v1/items')).toBe('getItems');
    expect(operationIdOf('post', '/v1/holds/{id}/allocate')).toBe('postHoldsByIdAllocate');
    expect(operationIdOf('get', '/v1/channels/{id}/numbers.csv')).toBe('getChannelsByIdNumbersCsv');
    expect(operationIdOf('delete', '/v1/channel-rules/{id}')).toBe('deleteChannelRulesById');
    expect(operationIdOf('post', '/v1/admin/workspaces/{id}/api-keys/{key}/revoke')).toBe('postAdminWorkspacesByIdApiKeysByKeyRevoke');
  });
});

describe('completeContract', () => {
  it('keeps what a route declares and adds the rest', () => {
    const doc: Json = completeContract<Json>({
      paths: {
        '/v1/things': {
          post: { operationId: 'makeThing', tags: ['things'], parameters: [{ in: 'header', name: 'idempotency-key' }], responses: { 201: { description: 'Made', content: { 'application/json': { schema: { type: 'object' } } } } } },
          get: { responses: { 200: { description: 'Default Response' } } },
        },
        '/v1/hooks': { post: { security: [] } },
        '/v1/session': { delete: {} },
      },
    });
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const make = paths['/v1/things']!.post!;
    expect(make.operationId).toBe('makeThing');
    expect(make.parameters).toEqual([{ in: 'header', name: 'idempotency-key', required: true }]);
    expect(Object.keys(make.responses as Json)).toEqual(['201', '400', '401', '403', '404', '409', '413', '414', '415', '422', '429', '431', '503', 'default']);
    expect((make.responses as Json)['201']).toMatchObject({ description: 'Made' });
    const list = paths['/v1/things']!.get!;
    expect(list).toMatchObject({ operationId: 'getThings', tags: ['things'] });
    expect(Object.keys(list.responses as Json)).toEqual(['200', '400', '401', '403', '404', '414', '422', '429', '431', 'default']);
    // No key needed: no 403 or 429 (a 401 still, for a webhook's signature).
    expect(Object.keys(paths['/v1/hooks']!.post!.responses as Json)).toEqual(['200', '201', '400', '401', '404', '409', '413', '414', '415', '422', '431', '503', 'default']);
    expect(paths['/v1/session']!.delete!.responses).toMatchObject({ 200: { description: 'OK' }, 204: { description: 'No content' } });
    expect((paths['/v1/session']!.delete!.responses as Record<string, Json>)['204']).not.toHaveProperty('content');
    expect(doc.tags).toEqual([{ name: 'hooks' }, { name: 'session' }, { name: 'things' }]);
  });
});

describe.each(['sqlite', 'postgres'] as const)('the API contract on %s', (kind) => {
  const h = new Harness(kind);
  let doc: Json;
  const operations: { method: string; path: string; op: Json }[] = [];

  beforeAll(async () => {
    await h.start();
    doc = (await h.get('/openapi.json', null)).json();
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
      for (const method of METHODS) if (item[method]) operations.push({ method, path, op: item[method]! });
    }
  });
  afterAll(() => h.stop());

  it('gives every operation a unique operationId, tags, and problem+json answers', () => {
    expect(operations.length).toBeGreaterThan(100);
    const ids = operations.map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]*$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { method, path, op } of operations) {
      const where = `${method} ${path}`;
      expect((op.tags as string[]).length, where).toBeGreaterThan(0);
      const responses = op.responses as Record<string, Json>;
      expect(Object.keys(responses).some((s) => /^2\d\d$/.test(s)), where).toBe(true);
      for (const status of ['400', '401', '404', '422', 'default']) {
        expect(responses[status]?.content, `${where} ${status}`).toEqual({ 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } });
      }
      const open = Array.isArray(op.security) && (op.security as unknown[]).length === 0;
      // An open route answers 403 only where it says so: sign-in, to a suspended workspace's user.
      expect('403' in responses, where).toBe(!open || where === 'post /v1/session');
    }
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(doc.components).toMatchObject({
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'ts_session' } },
      schemas: { Problem: expect.objectContaining({ type: 'object' }) },
    });
    expect(doc.security).toEqual([{ apiKey: [] }, { session: [] }]);
  });

  it('declares a required Idempotency-Key on every write that needs one', () => {
    const without: string[] = [];
    for (const { method, path, op } of operations) {
      if (method === 'get') continue;
      const header = ((op.parameters ?? []) as Json[]).find((p) => p.in === 'header' && String(p.name).toLowerCase() === 'idempotency-key');
      if (header) expect(header.required, `${method} ${path}`).toBe(true);
      else without.push(`${method} ${path}`);
    }
    expect(without.sort()).toEqual([...NO_IDEMPOTENCY_KEY].sort());
  });

  it('describes every success answer with a schema: no operation answers "a JSON object"', () => {
    const vague: string[] = [];
    for (const { method, path, op } of operations) {
      for (const [status, r] of Object.entries(op.responses as Record<string, Json>)) {
        if (!/^2/.test(status) || !r.content) continue;
        for (const [type, media] of Object.entries(r.content as Record<string, { schema?: Json }>)) {
          const schema = media.schema ?? {};
          const described = type !== 'application/json' || '$ref' in schema || 'properties' in schema || 'items' in schema || 'anyOf' in schema || 'oneOf' in schema;
          if (!described || r.description === 'Default Response') vague.push(`${method} ${path} ${status} ${type}`);
        }
      }
    }
    expect(vague).toEqual([]);
  });

  it('generated requests for every operation, from the document: valid and invalid ones; never a 5xx, every answer as declared, an invalid one refused, a refusal writes nothing', async () => {
    // Real names to aim at, so valid requests reach the rules and not only "not found".
    const { sku, id: itemId } = await h.item(20);
    const hold = await h.reserve(sku, 1);
    const skus = fc.constantFrom(sku, h.a.sku);
    const hints = (name: string): fc.Arbitrary<unknown> | undefined => ({
      sku: skus, bundle_sku: skus, location: fc.constant('WH1'), from_location: fc.constant('WH1'), to_location: fc.constant('WH1'), locations: fc.constant(['WH1']),
      quantity: fc.integer({ min: 1, max: 3 }), item: fc.constant(itemId), item_id: fc.constant(itemId), hold_id: fc.constant(hold.id),
    } as Record<string, fc.Arbitrary<unknown>>)[name];
    const gen = new SchemaArbitraries(doc, hints);
    // Over HTTP, to the server listening on a port: what a client generated from the document does.
    const server = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const pathParam = fc.oneof({ arbitrary: fc.constantFrom(itemId, hold.id, sku, 'WH1'), weight: 3 }, { arbitrary: fc.string({ maxLength: 12 }).filter((x) => x !== '' && x !== '.' && x !== '..'), weight: 1 });

    for (const { method, path, op } of operations) {
      const bodySchema = ((op.requestBody as Json | undefined)?.content as Record<string, { schema?: Json }> | undefined)?.['application/json']?.schema;
      const query = ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'query');
      const validQuery = fc.record(Object.fromEntries(query.map((p) => [p.name as string, gen.valid(p.schema as Json, p.name as string)])), { requiredKeys: query.filter((p) => p.required).map((p) => p.name as string) });
      // Query values are text: a fault is one that no parsing can make valid.
      const badQuery = query.filter((p) => ['integer', 'boolean'].includes((p.schema as Json).type) || (p.schema as Json).enum);
      const invalidBody = bodySchema ? gen.invalid(bodySchema) : null;
      const requests: fc.Arbitrary<{ valid: boolean; body: unknown; query: Json }>[] = [
        fc.record({ valid: fc.constant(true), body: bodySchema ? gen.valid(bodySchema) : fc.constant(undefined), query: validQuery }),
      ];
      if (invalidBody) requests.push(fc.record({ valid: fc.constant(false), body: invalidBody, query: validQuery }));
      if (badQuery.length > 0) {
        requests.push(fc.record({ valid: fc.constant(false), body: bodySchema ? gen.valid(bodySchema) : fc.constant(undefined), query: fc.tuple(validQuery, fc.constantFrom(...badQuery)).map(([q, p]) => ({ ...q, [p.name as string]: 'not-valid' })) }));
      }
      await fc.assert(fc.asyncProperty(pathParam, fc.oneof(...requests), async (param, { valid, body, query: q }) => {
        const search = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
        const url = path.replace(/\{[^}]+\}/g, () => encodeURIComponent(param)) + (search ? `?${search}` : '');
        const before = method === 'get' ? null : await h.snapshot();
        const seen = h.contractViolations.length;
        const res = await fetch(`${server}${url}`, {
          method: method.toUpperCase(),
          headers: { authorization: `Bearer ${h.a.keys.admin}`, 'idempotency-key': randomUUID(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined || method === 'get' ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        const where = `${method} ${url} ${JSON.stringify(body)?.slice(0, 300)} → ${res.status} ${text.slice(0, 300)}`;
        expect(res.status, where).toBeLessThan(500);
        expect(h.contractViolations.slice(seen), where).toEqual([]);
        if (!valid) expect(res.status, `an invalid request was taken: ${where}`).toBeGreaterThanOrEqual(400);
        if (before && res.status >= 400) expect(await h.snapshot(), `${where} wrote something`).toEqual(before);
      }), { numRuns: GENERATED_PER_OPERATION, seed: FUZZ_SEED });
    }
  }, 600_000);

  // The document does not depend on the store: linted once.
  it.runIf(kind === 'sqlite')('passes redocly lint with no errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'truestock-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc));
      const run = await promisify(execFile)(join(ROOT, 'node_modules/.bin/redocly'), ['lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format', 'json'], {
        cwd: dir, env: { ...process.env, REDOCLY_TELEMETRY: 'off', NO_UPDATE_NOTIFIER: '1', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, maxBuffer: 64 * 1_048_576,
      }).catch((err: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: err.stdout ?? '', stderr: `${err.stderr ?? ''} (exit ${err.code})` }));
      const report = JSON.parse(run.stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string; severity: string }[] };
      expect(report.problems.filter((p) => p.severity === 'error'), run.stderr).toEqual([]);
      expect(report.totals.errors).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('real answers of each kind (created, replayed, refused, not found, unauthenticated, CSV, no content) match the document', async () => {
    const { sku, id } = await h.item(5);
    const seen = h.contractViolations.length;
    const hold = await h.post('/v1/holds', { lines: [{ sku, quantity: 1, location: 'WH1' }] });
    const statuses = [
      await h.get(`/v1/items/${id}`, h.a.keys.read), await h.get('/v1/items/item_nope', h.a.keys.read), await h.get('/v1/items', null),
      await h.post('/v1/items', { sku, name: 'Taken' }), await h.post('/v1/items', { sku: 'X' }), await h.post('/v1/items', { sku: unique('SKU'), name: 'Read key' }, { key: h.a.keys.read }),
      await h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: 2 }, { idem: null }), hold,
      await h.post(`/v1/holds/${hold.json().hold.id}/release`), await h.get('/v1/exports/items', h.a.keys.read),
      await h.inject({ method: 'POST', url: '/v1/channels/chan_nope/webhooks', headers: { 'content-type': 'application/json' }, payload: '{}' }),
      await h.inject({ method: 'DELETE', url: '/v1/session', headers: { authorization: `Bearer ${h.a.keys.read}` } }),
    ].map((r) => r.statusCode);
    expect(statuses).toEqual([200, 404, 401, 409, 400, 403, 400, 201, 200, 200, 401, 204]);
    expect(h.contractViolations.slice(seen)).toEqual([]);
  });
});

describe('ResponseContract (how the HTTP suite holds answers to the document)', () => {
  const doc = completeContract<Json>({
    paths: { '/v1/things/{id}': { get: { responses: { 200: { description: 'A thing', content: { 'application/json': { schema: { type: 'object', properties: { thing: { $ref: '#/components/schemas/Thing' } }, required: ['thing'] } } } } } } } },
    components: { schemas: { Thing: { type: 'object', properties: { id: { type: 'string' }, size: { type: ['integer', 'null'] } }, required: ['id', 'size'] } } },
  });
  const contract = new ResponseContract(doc);
  const json = 'application/json; charset=utf-8';
  it('passes an answer as documented', () => {
    expect(contract.has('GET', '/v1/things/:id')).toBe(true);
    expect(contract.check('GET', '/v1/things/:id', 200, json, '{"thing":{"id":"t1","size":null}}')).toBeNull();
    expect(contract.check('GET', '/v1/things/:id', 404, 'application/problem+json', JSON.stringify({ type: '/problems/not_found', title: 'Not found', status: 404, detail: 'no', instance: '/v1/things/x', code: 'not_found', retryable: false, request_id: 'r' }))).toBeNull();
  });
  it('fails an undocumented field, a wrong type, a missing field, an undeclared status or content type', () => {
    expect(contract.check('GET', '/v1/things/:id', 200, json, '{"thing":{"id":"t1","size":1,"secret":"x"}}')).toMatch(/must NOT have additional properties/);
    expect(contract.check('GET', '/v1/things/:id', 200, json, '{"thing":{"id":"t1","size":"1"}}')).toMatch(/size must be integer,null/);
    expect(contract.check('GET', '/v1/things/:id', 200, json, '{"thing":{"id":"t1"}}')).toMatch(/must have required property 'size'/);
    expect(contract.check('GET', '/v1/things/:id', 202, json, '{}')).toMatch(/status not declared/);
    expect(contract.check('GET', '/v1/things/:id', 200, 'text/csv', 'a,b')).toMatch(/text\/csv not declared/);
    expect(contract.check('GET', '/v1/things/:id', 404, json, '{}')).toMatch(/application\/json not declared/);
  });
});
