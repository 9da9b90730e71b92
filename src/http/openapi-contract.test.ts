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
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, Harness, type Json, type Res, unique } from '../../test/support/http.ts';
import { completeContract, operationIdOf } from './openapi-contract.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
/** Generated requests per operation and store (about 130 operations). */
const GENERATED_PER_OPERATION = 2;

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
    expect(Object.keys(make.responses as Json)).toEqual(['201', '400', '401', '403', '404', '409', '413', '415', '422', '503', 'default']);
    expect((make.responses as Json)['201']).toMatchObject({ description: 'Made' });
    const list = paths['/v1/things']!.get!;
    expect(list).toMatchObject({ operationId: 'getThings', tags: ['things'] });
    expect(Object.keys(list.responses as Json)).toEqual(['200', '400', '401', '403', '404', '422', 'default']);
    // No key needed: no 403 (a 401 still, for a webhook's signature).
    expect(Object.keys(paths['/v1/hooks']!.post!.responses as Json)).toEqual(['200', '201', '400', '401', '404', '409', '413', '415', '422', '503', 'default']);
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
      expect('403' in responses, where).toBe(!open);
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

  const ajv = new Ajv({ strict: false, allErrors: true });
  const problemSchema = () => (doc.components as { schemas: { Problem: Json } }).schemas.Problem;
  const operation = (method: string, path: string) => (doc.paths as Record<string, Record<string, Json>>)[path]![method.toLowerCase()]!;
  /** The answer's status is declared (or `default`), and its body fits that response's schema. */
  const conforms = (method: string, path: string, res: Res) => {
    const responses = operation(method, path).responses as Record<string, { content?: Record<string, { schema?: Json }> }>;
    const declared = responses[String(res.statusCode)];
    const where = `${method} ${path} → ${res.statusCode} ${res.body.slice(0, 300)}`;
    expect(declared ?? (res.statusCode >= 500 ? responses.default : undefined), where).toBeDefined();
    const type = String(res.headers['content-type'] ?? '').split(';')[0]!;
    if (res.statusCode === 204) return expect(res.body, where).toBe('');
    const media = (declared ?? responses.default)!.content?.[type];
    expect(media, `${where}: ${type} is not declared`).toBeDefined();
    const schema = media!.schema && '$ref' in media!.schema ? problemSchema() : media!.schema;
    if (schema && type.endsWith('json')) {
      const valid = ajv.validate(schema, res.json());
      expect(valid, `${where}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
    }
  };

  it('generated requests for every operation: never a 5xx, every answer as declared, a refusal writes nothing', async () => {
    const pathParam = fc.oneof(fc.constantFrom('WH1', 'nope', 'item_x'), fc.string({ maxLength: 12 }).filter((x) => x !== '' && x !== '.' && x !== '..'));
    for (const { method, path, op } of operations) {
      const schema = ((op.requestBody as Json | undefined)?.content as Record<string, { schema?: Json }> | undefined)?.['application/json']?.schema;
      const names = Object.keys((schema?.properties as Json | undefined) ?? {});
      // Bodies with the operation's own field names and values of any JSON type, or any JSON at all.
      const body = names.length > 0
        ? fc.oneof(fc.dictionary(fc.constantFrom(...names), fc.jsonValue({ maxDepth: 2 }), { maxKeys: names.length }), fc.jsonValue({ maxDepth: 2 }))
        : fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined });
      await fc.assert(fc.asyncProperty(pathParam, body, async (param, payload) => {
        const url = path.replace(/\{[^}]+\}/g, () => encodeURIComponent(param));
        const send = () => h.inject({
          method: method.toUpperCase() as 'GET', url,
          headers: { authorization: `Bearer ${h.a.keys.admin}`, 'idempotency-key': randomUUID(), ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(payload === undefined || method === 'get' ? {} : { payload: JSON.stringify(payload) }),
        });
        const before = method === 'get' ? null : await h.snapshot();
        const res = await send();
        expect(res.statusCode, `${method} ${url} ${JSON.stringify(payload)} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
        conforms(method, path, res);
        if (before && res.statusCode >= 400) expect(await h.snapshot(), `${method} ${url} ${JSON.stringify(payload)} → ${res.statusCode} wrote something`).toEqual(before);
      }), { numRuns: GENERATED_PER_OPERATION, seed: 15 });
    }
  }, 300_000);

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

  it('real answers match what the document declares for their status', async () => {
    const { sku, id } = await h.item(5);
    conforms('GET', '/v1/items', await h.get('/v1/items', h.a.keys.read));
    conforms('GET', '/v1/items/{id}', await h.get(`/v1/items/${id}`, h.a.keys.read));
    conforms('GET', '/v1/items/{id}', await h.get('/v1/items/item_nope', h.a.keys.read));
    conforms('GET', '/v1/items', await h.get('/v1/items', null));
    conforms('POST', '/v1/items', await h.post('/v1/items', { sku: unique('SKU'), name: 'Contract' }));
    conforms('POST', '/v1/items', await h.post('/v1/items', { sku, name: 'Taken' }));
    conforms('POST', '/v1/items', await h.post('/v1/items', { sku: 'X' }));
    conforms('POST', '/v1/items', await h.post('/v1/items', { sku: unique('SKU'), name: 'Read key' }, { key: h.a.keys.read }));
    conforms('POST', '/v1/stock/receive', await h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: 2 }));
    conforms('POST', '/v1/stock/receive', await h.post('/v1/stock/receive', { sku, location: 'WH1', quantity: 2 }, { idem: null }));
    const hold = await h.post('/v1/holds', { lines: [{ sku, quantity: 1, location: 'WH1' }] });
    conforms('POST', '/v1/holds', hold);
    conforms('POST', '/v1/holds/{id}/release', await h.post(`/v1/holds/${hold.json().hold.id}/release`));
    conforms('POST', '/v1/holds/{id}/release', await h.post(`/v1/holds/${hold.json().hold.id}/release`));
    conforms('GET', '/v1/exports/items', await h.get('/v1/exports/items', h.a.keys.read));
    conforms('POST', '/v1/availability/recompute', await h.post('/v1/availability/recompute', {}, { key: h.a.keys.admin }));
    conforms('POST', '/v1/channels/{id}/webhooks', await h.inject({ method: 'POST', url: '/v1/channels/chan_nope/webhooks', headers: { 'content-type': 'application/json' }, payload: '{}' }));
    const signIn = await h.inject({ method: 'DELETE', url: '/v1/session', headers: { authorization: `Bearer ${h.a.keys.read}` } });
    conforms('DELETE', '/v1/session', signIn);
    expectProblem(await h.post('/v1/items', { sku: 'X' }), 'validation_failed');
  });
});
