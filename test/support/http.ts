// Test harness for the HTTP API: a real Truestock and Fastify app on SQLite or on the test
// PostgreSQL server, two workspaces with a key of each role, and request helpers.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { createApiKey, createWorkspace } from '../../src/app/access.ts';
import { ManualClock } from '../../src/app/clock.ts';
import { Truestock, type TruestockConfig } from '../../src/app/truestock.ts';
import { type ErrorCode, ERRORS } from '../../src/domain/errors.ts';
import { buildServer } from '../../src/http/server.ts';
import type { Dialect } from '../../src/store/store.ts';
import { createTestDatabase } from './postgres.ts';
import { ResponseContract, ResponseSamples } from './response-contract.ts';

export type Res = LightMyRequestResponse;
export type Json = Record<string, any>;
export type Keys = { read: string; operate: string; admin: string };

/** A workspace the tests act in: its keys and the item and location created through the API. */
export interface Tenant {
  id: string;
  keys: Keys;
  sku: string;
  itemId: string;
  location: string;
}

/** Stock totals of one SKU across locations, every bucket. */
export type Totals = Record<'available' | 'reserved' | 'committed' | 'damaged' | 'quality_control' | 'safety_stock' | 'incoming' | 'oversold' | 'on_hand', number>;

let uniqueSeq = 0;
export const unique = (prefix: string) => `${prefix}-${++uniqueSeq}`;

/** A store to run against, and how to remove it afterwards. */
async function storeConfig(kind: Dialect): Promise<{ config: TruestockConfig; remove(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'truestock-http-'));
    return { config: { sqlitePath: join(dir, 'truestock.db') }, remove: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const db = await createTestDatabase();
  return { config: { databaseUrl: db.url, poolMax: 4 }, remove: () => db.drop() };
}

/** The harness server's `TRUESTOCK_METRICS_TOKEN`: `h.get('/metrics', METRICS_TOKEN)` scrapes. */
export const METRICS_TOKEN = 'test-metrics-token-0123456789';

/** One Truestock + Fastify app on one store, with two workspaces, a manual clock and request helpers. */
export class Harness {
  readonly clock = new ManualClock();
  ts!: Truestock;
  app!: FastifyInstance;
  a!: Tenant;
  b!: Tenant;
  /** Answers that did not match /openapi.json: `stop()` fails with them (response-contract.ts). */
  readonly contractViolations: string[] = [];
  private contract: ResponseContract | null = null;
  private readonly samples = new ResponseSamples();
  private config!: TruestockConfig;
  private remove!: () => Promise<void>;

  constructor(readonly kind: Dialect) {}

  async start(): Promise<void> {
    ({ config: this.config, remove: this.remove } = await storeConfig(this.kind));
    await this.open();
    this.a = await this.tenant('A');
    this.b = await this.tenant('B');
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.ts?.close();
    await this.remove?.();
    const seen = [...new Set(this.contractViolations)];
    if (seen.length > 0) throw new Error(`${seen.length} answer(s) do not match /openapi.json:\n${seen.slice(0, 20).join('\n')}`);
  }

  /** Close everything and open again on the same database: a server restart. */
  async restart(): Promise<void> {
    await this.app.close();
    await this.ts.close();
    await this.open();
  }

  private async open(): Promise<void> {
    this.ts = await Truestock.open({ ...this.config, clock: this.clock });
    this.app = await buildServer({ truestock: this.ts, metricsToken: METRICS_TOKEN });
    // Every answer of every test is held to the document (hidden routes and unknown paths aside).
    this.app.addHook('onSend', async (req, reply, payload) => {
      const route = req.routeOptions.url;
      if (route === undefined || typeof payload !== 'string' && payload !== null && payload !== undefined) return payload;
      this.contract ??= new ResponseContract(this.app.swagger() as unknown as Json);
      if (!this.contract.has(req.method, route)) return payload;
      const body = payload ?? '';
      const type = String(reply.getHeader('content-type') ?? '');
      this.samples.add(req.method, route, reply.statusCode, type, body);
      const wrong = this.contract.check(req.method, route, reply.statusCode, type, body);
      if (wrong) this.contractViolations.push(wrong);
      return payload;
    });
  }

  /** A workspace with a key of each role, an item and a location (made through the API), and 10 units received. */
  private async tenant(name: string): Promise<Tenant> {
    const { workspace } = await createWorkspace(this.ts.store, this.clock, name);
    const keys = await this.ts.store.transaction(async (db) => {
      const out: Partial<Keys> = {};
      for (const role of ['read', 'operate', 'admin'] as const) {
        const made = await createApiKey(db, workspace.id, role, `${role} key`, this.clock.now());
        if ('code' in made) throw new Error(made.detail);
        out[role] = made.plain;
      }
      return out as Keys;
    });
    const sku = `SKU-${name}`;
    const location = 'WH1'; // the same code in both workspaces: codes are per workspace
    const loc = await this.post('/v1/locations', { code: location, name: 'Main warehouse', kind: 'warehouse' }, { key: keys.admin });
    expect(loc.statusCode).toBe(201);
    const item = await this.post('/v1/items', { sku, name: `Widget ${name}` }, { key: keys.operate });
    expect(item.statusCode).toBe(201);
    const got = await this.post('/v1/stock/receive', { sku, location, quantity: 10 }, { key: keys.operate });
    expect(got.statusCode).toBe(200);
    return { id: workspace.id, keys, sku, itemId: item.json().item.id, location };
  }

  inject(opts: InjectOptions): Promise<Res> {
    return this.app.inject(opts);
  }

  get(url: string, key: string | null = this.a.keys.admin, headers: Record<string, string> = {}): Promise<Res> {
    return this.inject({ method: 'GET', url, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });
  }

  /** POST JSON (no body when `body` is undefined) with a fresh Idempotency-Key unless one is given or `idem: null`. */
  post(url: string, body?: unknown, opts: { key?: string; idem?: string | null; headers?: Record<string, string> } = {}): Promise<Res> {
    const key = opts.key ?? this.a.keys.operate;
    const idem = opts.idem === undefined ? randomUUID() : opts.idem;
    return this.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${key}`, ...(idem !== null ? { 'idempotency-key': idem } : {}), ...opts.headers },
      ...(body !== undefined ? { payload: body as InjectOptions['payload'] } : {}),
    });
  }

  /** A fresh item in workspace A, with `receive` units received at WH1. */
  async item(receive = 0): Promise<{ sku: string; id: string }> {
    const sku = unique('ITEM');
    const res = await this.post('/v1/items', { sku, name: sku });
    expect(res.statusCode).toBe(201);
    if (receive > 0) expect((await this.post('/v1/stock/receive', { sku, location: 'WH1', quantity: receive })).statusCode).toBe(200);
    return { sku, id: res.json().item.id };
  }

  async totals(sku: string, tenant = this.a): Promise<Totals> {
    const res = await this.get(`/v1/stock/${encodeURIComponent(sku)}`, tenant.keys.read);
    expect(res.statusCode).toBe(200);
    return res.json().total;
  }

  /** A hold in workspace A: `quantity` of `sku` reserved at WH1. */
  async reserve(sku: string, quantity: number, extra: Json = {}): Promise<Json> {
    const res = await this.post('/v1/holds', { lines: [{ sku, quantity, location: 'WH1' }], ...extra });
    expect(res.statusCode).toBe(201);
    return res.json().hold;
  }

  /** What a refused request must leave alone: the newest movements, holds, exceptions, items and stock. */
  async snapshot(skus: string[] = [], tenant = this.a): Promise<Json> {
    const key = tenant.keys.admin;
    const page = async (url: string) => {
      const res = await this.get(url, key);
      expect(res.statusCode).toBe(200);
      return res.json().data;
    };
    return {
      movements: (await page('/v1/movements?limit=100')).map((m: Json) => m.id),
      holds: await page('/v1/holds?limit=500'),
      exceptions: await page('/v1/exceptions?limit=500'),
      items: await page('/v1/items?limit=500&include_archived=true'),
      stock: await Promise.all([tenant.sku, ...skus].map((s) => this.totals(s, tenant))),
    };
  }

  /** Run `fn` and check that workspace A looks exactly the same afterwards. */
  async unchanged<T>(fn: () => Promise<T>, skus: string[] = []): Promise<T> {
    const before = await this.snapshot(skus);
    const out = await fn();
    expect(await this.snapshot(skus)).toEqual(before);
    return out;
  }
}

/** Assert a problem+json answer with this status, code and (when given) field; returns the problem. */
export function expectProblem(res: Res, code: ErrorCode, field?: string | null): Json {
  const spec = ERRORS[code];
  expect({ status: res.statusCode, code: res.json().code }).toEqual({ status: spec.status, code });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = res.json();
  expect(problem).toMatchObject({ type: `/problems/${code}`, title: spec.title, status: spec.status, code, retryable: spec.retryable });
  expect(typeof problem.detail).toBe('string');
  expect(problem.instance).toMatch(/^\//);
  expect(problem.request_id).toBe(res.headers['request-id']);
  if (field === null) expect(problem).not.toHaveProperty('field');
  else if (field !== undefined) expect(problem.field).toBe(field);
  return problem;
}

