// Test helpers: an emulator on a fake clock reached through the kit's in-process fetch, and a
// `call` that validates every request it sends and every answer it gets against eBay's official
// models (../shared/specs/ebay, via test/support/spec-validator.ts). A test that sends a request
// the model refuses, or gets an answer the model does not describe, fails.
//
// What the models leave open is checked as strictly as they allow: a 207 body against the
// operation's 200 schema (the models declare 207 without a body), every error body against the
// model's `Error` type with no extra fields, and the statuses the models do not declare at all
// (401, 403, 429, 503: eBay answers them on every API) only as such an error body. Success
// bodies may carry no field the model does not declare.

import { Ajv, type ValidateFunction } from 'ajv';
import { expect } from 'vitest';
import { inProcessFetch, ManualKitScheduler } from '../kit/index.ts';
import { type ApiModel, loadApiModel } from '../../test/support/spec-validator.ts';
import { createEbayEmulator, type EbayEmulator, TOKEN_PATH } from './emulator.ts';
import type { EbayEmulatorOptions } from './types.ts';

export const SPECS = new URL('../../../shared/specs/ebay/', import.meta.url).pathname;
export const ORIGIN = 'http://api.ebay.emulated';
/** A Monday 10:00 UTC = 02:00 Pacific (PST, UTC−8). */
export const START = Date.parse('2026-11-23T10:00:00Z');
export const INV = '/sell/inventory/v1';
export const FUL = '/sell/fulfillment/v1';
export const NOTI = '/commerce/notification/v1';
/** Statuses eBay answers on every API that the models declare nowhere. */
const UNDECLARED_ERROR_STATUSES = [401, 403, 429, 503];

const MODELS: [string, string][] = [
  [INV, 'sell_inventory_v1_oas3.json'],
  [FUL, 'sell_fulfillment_v1_oas3.json'],
  [NOTI, 'commerce_notification_v1_oas3.json'],
];

export function modelFor(path: string): ApiModel {
  const m = MODELS.find(([prefix]) => path.startsWith(prefix));
  if (!m) throw new Error(`no model for ${path}`);
  return loadApiModel(`${SPECS}${m[1]}`);
}

const errorValidators = new Map<ApiModel, ValidateFunction>();
/** The model's error container: `{errors: [Error, …]}`, nothing else. */
function errorsValidator(model: ApiModel): ValidateFunction {
  let v = errorValidators.get(model);
  if (!v) {
    const schemas = (model.doc.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
    const schema = {
      type: 'object',
      required: ['errors'],
      additionalProperties: false,
      properties: { errors: { type: 'array', minItems: 1, items: { $ref: '#/components/schemas/Error' } } },
      components: { schemas: { Error: { ...schemas.Error, required: ['errorId', 'domain', 'category', 'message'], additionalProperties: false }, ErrorParameter: { ...schemas.ErrorParameter, additionalProperties: false } } },
    };
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
    v = ajv.compile(schema);
    errorValidators.set(model, v);
  }
  return v;
}

type Schema = Record<string, any>;

/** The JSON schema of an operation's answer for a status, from the model's paths. */
function responseSchema(model: ApiModel, operationId: string, status: number): Schema | undefined {
  for (const item of Object.values(model.doc.paths as Record<string, Record<string, Schema>>)) {
    for (const op of Object.values(item)) {
      if (op?.operationId === operationId) return op.responses?.[String(status)]?.content?.['application/json']?.schema;
    }
  }
  return undefined;
}

/**
 * Fields the model does not declare, anywhere in a body (the models set no additionalProperties,
 * so the validator alone would let an invented field through): "exactly the model's shapes".
 */
export function undeclaredFields(model: ApiModel, schema: Schema | undefined, value: unknown, at = 'body'): string[] {
  if (!schema || value === null || typeof value !== 'object') return [];
  let s = schema;
  while (typeof s.$ref === 'string') s = s.$ref.slice(2).split('/').reduce((n: Schema, k: string) => n[k], model.doc as Schema);
  if (Array.isArray(value)) return value.flatMap((v, i) => undeclaredFields(model, s.items, v, `${at}[${i}]`));
  const props = (s.properties ?? {}) as Record<string, Schema>;
  if (Object.keys(props).length === 0) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => (props[k] ? undeclaredFields(model, props[k], v, `${at}.${k}`) : [`${at}.${k} is not in the model`]));
}

/** Checks an answer against the model the way this file's header says; returns readable errors. */
export function checkAnswer(model: ApiModel, operationId: string, status: number, body: unknown, headers: Record<string, string>): string[] {
  const errors: string[] = [];
  if (status >= 400) {
    const v = errorsValidator(model);
    if (!v(body)) errors.push(`error body: ${JSON.stringify(v.errors)}`);
    if (!UNDECLARED_ERROR_STATUSES.includes(status)) errors.push(...model.validateResponse({ operationId, status, body, headers }));
    return errors;
  }
  const as = status === 207 ? 200 : status;
  return [...model.validateResponse({ operationId, status: as, body, headers }), ...undeclaredFields(model, responseSchema(model, operationId, as), body)];
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export interface CallOptions {
  /** Encoded with URLSearchParams (brackets and braces percent-encoded). */
  query?: Record<string, string>;
  /** Sent exactly as given after the `?` (to send what a careless client sends). */
  rawQuery?: string;
  body?: unknown;
  /** null: no Authorization header; a string: that bearer token; absent: a user token. */
  token?: string | null;
  headers?: Record<string, string>;
  /** The request is meant to break the model (the test then checks the validator refuses it too). */
  schemaInvalid?: boolean;
}

export interface Harness {
  ebay: EbayEmulator;
  scheduler: ManualKitScheduler;
  fetch: typeof fetch;
  /** A user access token from the token endpoint (refresh_token grant). */
  login(): Promise<string>;
  token(form: Record<string, string>, basic?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  call(method: string, path: string, o?: CallOptions): Promise<Answer>;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export function basicOf(ebay: EbayEmulator): string {
  return `Basic ${Buffer.from(`${ebay.clientId}:${ebay.clientSecret}`).toString('base64')}`;
}

export async function harness(options: EbayEmulatorOptions = {}): Promise<Harness> {
  const scheduler = new ManualKitScheduler(START);
  const ebay = createEbayEmulator({ scheduler, ...options });
  const f = inProcessFetch(ebay.handler, { origin: ORIGIN, ...(options.fetch ? { fallback: options.fetch } : {}) });
  let user: string | undefined;
  const h: Harness = {
    ebay,
    scheduler,
    fetch: f,
    async token(form, basic = basicOf(ebay)) {
      const res = await f(`${ORIGIN}${TOKEN_PATH}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: new URLSearchParams(form).toString() });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async login() {
      const t = await h.token({ grant_type: 'refresh_token', refresh_token: ebay.refreshToken });
      expect(t.status).toBe(200);
      user = t.body.access_token as string;
      return user;
    },
    async call(method, path, o = {}) {
      const qs = o.rawQuery ?? (o.query ? new URLSearchParams(o.query).toString() : '');
      const url = `${ORIGIN}${path}${qs ? `?${qs}` : ''}`;
      const headers: Record<string, string> = { ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers };
      // '' removes a header (fetch then labels a string body text/plain itself).
      for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
      const model = modelFor(path);
      const check = model.validateRequest({ method, url, headers, body: o.body });
      if (o.schemaInvalid) expect(check.errors, `the model should refuse ${method} ${url}`).not.toEqual([]);
      else expect(check.errors, `request ${method} ${url}`).toEqual([]);
      const operationId = check.operationId;
      if (!operationId) throw new Error(`${method} ${path} is no operation of the model`);
      const t = o.token === undefined ? (user ?? (await h.login())) : o.token;
      if (t !== null) headers.authorization = `Bearer ${t}`;
      const res = await f(url, { method, headers, ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}) });
      const text = await res.text();
      const body = text === '' ? undefined : JSON.parse(text);
      const got: Record<string, string> = {};
      res.headers.forEach((v, k) => (got[k] = v));
      expect(checkAnswer(model, operationId, res.status, body, got), `answer ${res.status} to ${method} ${url}: ${text}`).toEqual([]);
      expect(res.headers.get('x-ebay-c-request-id')).toBeTruthy();
      return { status: res.status, headers: res.headers, body };
    },
    async control(method, path, body) {
      const res = await f(`${ORIGIN}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    close: () => ebay.close(),
  };
  return h;
}
