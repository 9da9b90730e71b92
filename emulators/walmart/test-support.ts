// Test helpers: an emulator on a fake clock reached through the kit's in-process fetch, and a
// `call` that validates every request it sends and every answer it gets against Walmart's models
// (../shared/specs/walmart, corrected only where model-corrections.ts says, via
// test/support/spec-validator.ts). A 200 is checked against the operation's declared answer;
// the models declare no error answers, so any other status must carry the models' `Error`
// objects in the `{"errors":[…]}` wrapper (or, for a 503 outage, no body at all).

import { expect } from 'vitest';
import { inProcessFetch, ManualKitScheduler } from '../kit/index.ts';
import { type ApiModel, type JsonSchemaFile, loadApiModel, loadJsonSchema } from '../../test/support/spec-validator.ts';
import { createWalmartEmulator, type WalmartEmulator } from './emulator.ts';
import { componentSchemaPath, correctedModelPath, type ModelName, rawModel } from './model-corrections.ts';
import type { WalmartEmulatorOptions } from './types.ts';

export const ORIGIN = 'https://marketplace.walmartapis.emulated';
export const START = Date.parse('2026-11-23T10:00:00Z');
export const NODE = '10000000001';
/** Headers every call sends besides the token (channels.md §3). */
export const SVC_HEADERS = { 'WM_SVC.NAME': 'Walmart Marketplace', Accept: 'application/json' };

const models = new Map<ModelName, ApiModel>();
export function model(name: ModelName): ApiModel {
  let m = models.get(name);
  if (!m) models.set(name, (m = loadApiModel(correctedModelPath(name))));
  return m;
}

const schemas = new Map<string, JsonSchemaFile>();
function schemaOf(name: ModelName, label: string, schema: Record<string, unknown>): JsonSchemaFile {
  const key = `${name}.${label}`;
  let s = schemas.get(key);
  if (!s) schemas.set(key, (s = loadJsonSchema(componentSchemaPath(name, schema, label))));
  return s;
}
const component = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The error answer: {"errors":[Error…]} with the models' Error (inventory.json). */
export const errorAnswerSchema = () => schemaOf('inventory', 'error-answer', { type: 'object', required: ['errors'], properties: { errors: { type: 'array', minItems: 1, items: component('Error') } } });
/** An order as the Orders API shows it (corrected GetOrderResponseRecord), for ORDER_UPDATES payload.order. */
export const orderRecordSchema = () => schemaOf('orders', 'order-record', component('GetOrderResponseRecord'));
/** The token request's form fields (auth.json IAMTokenDTO). */
export const tokenFormSchema = () => schemaOf('auth', 'token-form', component('IAMTokenDTO'));

/**
 * The header parameters the model defines (components.parameters; its operations do not list
 * them, but the descriptions call them required): those a request lacks. Content-Type counts only
 * for a request with a body; Authorization only for the token call, WM_SEC.ACCESS_TOKEN for the rest.
 */
export function missingHeaders(name: ModelName, headers: Record<string, string>, o: { hasBody: boolean; tokenCall: boolean }): string[] {
  const params = ((rawModel(name) as any).components?.parameters ?? {}) as Record<string, { name: string; in: string; required?: boolean }>;
  const have = new Set(Object.keys(headers).map((k) => k.toLowerCase()));
  return Object.values(params)
    .filter((p) => p.in === 'header' && p.required === true)
    .map((p) => p.name)
    .filter((n) => !(n.toLowerCase() === 'content-type' && !o.hasBody))
    .filter((n) => !(n.toLowerCase() === 'authorization' && !o.tokenCall))
    .filter((n) => !(n.toLowerCase() === 'wm_sec.access_token' && o.tokenCall))
    .filter((n) => !have.has(n.toLowerCase()));
}

/** Which model holds an operation on this path. */
export function modelFor(method: string, path: string): ModelName {
  if (path.startsWith('/v3/token')) return 'auth';
  if (path.startsWith('/v3/inventor') || (method === 'POST' && path === '/v3/feeds')) return 'inventory';
  if (path.startsWith('/v3/feeds')) return 'feeds';
  if (path.startsWith('/v3/orders')) return 'orders';
  if (path.startsWith('/v3/webhooks')) return 'notifications';
  throw new Error(`no model for ${method} ${path}`);
}

/**
 * The feed file examples the model gives (inventory.json updateBulkInventory: `json1` for spec
 * 1.4, `MultiNode_Bulk_Inventory_Update_Request` for 1.5). The model has no schema for the file,
 * so a test file is held to the example's shape: the same keys at every level, values of the
 * same JSON types.
 */
export function feedExample(feedType: 'inventory' | 'MP_INVENTORY'): unknown {
  const doc = rawModel('inventory') as any;
  const ex = doc.paths['/v3/feeds'].post.requestBody.content['multipart/form-data'].examples;
  return (feedType === 'inventory' ? ex.json1 : ex.MultiNode_Bulk_Inventory_Update_Request).value;
}

export function shapeErrors(doc: unknown, example: unknown, at = 'file'): string[] {
  const kind = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  if (kind(doc) !== kind(example)) return [`${at}: ${kind(doc)} where the model's example has ${kind(example)}`];
  if (Array.isArray(example)) return (doc as unknown[]).flatMap((d, i) => shapeErrors(d, example[0], `${at}[${i}]`));
  if (kind(example) !== 'object') return [];
  const e = example as Record<string, unknown>;
  const d = doc as Record<string, unknown>;
  const errors = Object.keys(d).filter((k) => !(k in e)).map((k) => `${at}.${k}: not in the model's example`);
  for (const k of Object.keys(e)) errors.push(...(k in d ? shapeErrors(d[k], e[k], `${at}.${k}`) : [`${at}.${k}: missing`]));
  return errors;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export interface CallOptions {
  query?: Record<string, string>;
  body?: unknown;
  /** A multipart upload: the text goes as the form field `file`. */
  file?: { text: string; name?: string };
  /** null: send no token; a string: that token; absent: the harness's (logging in first). */
  token?: string | null;
  /** Replaces or drops (undefined) the standard headers. */
  headers?: Record<string, string | undefined>;
  /** The request is meant to break the model (the test then checks the validator refuses it too). */
  schemaInvalid?: boolean;
}

export interface Harness {
  walmart: WalmartEmulator;
  scheduler: ManualKitScheduler;
  fetch: typeof fetch;
  /** A fresh access token from POST /v3/token (validated both ways). */
  login(): Promise<string>;
  call(method: string, path: string, o?: CallOptions): Promise<Answer>;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

let correlation = 0;

export async function harness(options: WalmartEmulatorOptions = {}): Promise<Harness> {
  const scheduler = new ManualKitScheduler(START);
  const walmart = createWalmartEmulator({ scheduler, ...options });
  const f = inProcessFetch(walmart.handler, { origin: ORIGIN });
  let token: string | undefined;

  async function send(method: string, path: string, o: CallOptions, auth: Record<string, string>): Promise<Answer> {
    const url = `${ORIGIN}${path}${o.query ? `?${new URLSearchParams(o.query).toString()}` : ''}`;
    const name = modelFor(method, path);
    const m = model(name);
    const check = m.validateRequest({ method, url, body: o.body });
    if (o.schemaInvalid) expect(check.errors, `the model should refuse ${method} ${url}`).not.toEqual([]);
    else expect(check.errors, `request ${method} ${url}`).toEqual([]);
    const operationId = check.operationId;
    if (!operationId) throw new Error(`${method} ${path} is no operation of the model`);
    const corr = `00000000-0000-4000-8000-${String(++correlation).padStart(12, '0')}`;
    const headers: Record<string, string> = { ...SVC_HEADERS, 'WM_QOS.CORRELATION_ID': corr, ...auth };
    for (const [k, v] of Object.entries(o.headers ?? {})) {
      if (v === undefined) delete headers[k];
      else headers[k] = v;
    }
    let body: BodyInit | undefined;
    if (o.file) {
      const form = new FormData();
      form.set('file', new Blob([o.file.text], { type: 'application/json' }), o.file.name ?? 'inventory.json');
      body = form;
    } else if (o.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(o.body);
    }
    // fetch sets the multipart Content-Type (with its boundary) itself.
    const missing = missingHeaders(name, o.file ? { ...headers, 'Content-Type': 'multipart/form-data' } : headers, { hasBody: body !== undefined, tokenCall: false });
    const dropped = Object.entries(o.headers ?? {}).some(([, v]) => v === undefined) || o.token === null;
    if (dropped) expect(missing, `the model requires the headers the test leaves out of ${method} ${url}`).not.toEqual([]);
    else expect(missing, `headers of ${method} ${url}`).toEqual([]);
    const res = await f(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    const parsed = text === '' ? undefined : JSON.parse(text);
    const resHeaders: Record<string, string> = {};
    res.headers.forEach((v, k) => (resHeaders[k] = v));
    if (res.status === 200) {
      expect(m.validateResponse({ operationId, status: 200, body: parsed, headers: resHeaders }), `answer 200 to ${method} ${url}: ${text}`).toEqual([]);
    } else if (res.status === 503 && parsed === undefined) {
      expect(res.headers.get('retry-after'), 'an outage answer says when to retry').toMatch(/^\d+$/);
    } else {
      expect(errorAnswerSchema().validate(parsed, 'error answer'), `answer ${res.status} to ${method} ${url}: ${text}`).toEqual([]);
    }
    if (headers['WM_QOS.CORRELATION_ID']) expect(res.headers.get('wm_qos.correlation_id')).toBe(corr);
    return { status: res.status, headers: res.headers, body: parsed };
  }

  const h: Harness = {
    walmart,
    scheduler,
    fetch: f,
    async login() {
      const form = { grant_type: 'client_credentials' };
      expect(tokenFormSchema().validate(form, 'token form')).toEqual([]);
      const basic = Buffer.from(`${walmart.clientId}:${walmart.clientSecret}`).toString('base64');
      const url = `${ORIGIN}/v3/token`;
      const m = model('auth');
      expect(m.validateRequest({ method: 'POST', url }).errors).toEqual([]);
      const headers = { ...SVC_HEADERS, 'WM_QOS.CORRELATION_ID': 'login', Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' };
      expect(missingHeaders('auth', headers, { hasBody: true, tokenCall: true })).toEqual([]);
      const res = await f(url, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
      const body = await res.json();
      expect(res.status).toBe(200);
      expect(m.validateResponse({ operationId: 'tokenAPI', status: 200, body })).toEqual([]);
      token = body.access_token as string;
      return token;
    },
    async call(method, path, o = {}) {
      // The harness's own token is renewed once it has expired on the clock, as a client would.
      const t = o.token === undefined ? (token !== undefined && walmart.tokens.live(token) === 'live' ? token : await h.login()) : o.token;
      return send(method, path, o, t === null ? {} : { 'WM_SEC.ACCESS_TOKEN': t });
    },
    async control(method, path, body) {
      const res = await f(`${ORIGIN}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    close: () => walmart.close(),
  };
  return h;
}

/** A call the harness's `send` cannot make (the token endpoint with other credentials): raw, with the answer validated. */
export async function tokenCall(h: Harness, o: { authorization?: string; form?: Record<string, string>; headers?: Record<string, string | undefined> }): Promise<Answer> {
  const headers: Record<string, string> = { ...SVC_HEADERS, 'WM_QOS.CORRELATION_ID': 'token-call', 'Content-Type': 'application/x-www-form-urlencoded' };
  if (o.authorization !== undefined) headers.Authorization = o.authorization;
  for (const [k, v] of Object.entries(o.headers ?? {})) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  const res = await h.fetch(`${ORIGIN}/v3/token`, { method: 'POST', headers, body: new URLSearchParams(o.form ?? {}).toString() });
  const text = await res.text();
  const body = text === '' ? undefined : JSON.parse(text);
  if (res.status === 200) expect(model('auth').validateResponse({ operationId: 'tokenAPI', status: 200, body })).toEqual([]);
  else expect(errorAnswerSchema().validate(body, 'error answer'), text).toEqual([]);
  return { status: res.status, headers: res.headers, body };
}
