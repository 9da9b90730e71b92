// Test helpers: an emulator on a fake clock reached through the kit's in-process fetch, and a
// `call` that validates every request it sends and every answer it gets against Amazon's
// official models (../shared/specs/amazon-sp-api, via test/support/spec-validator.ts). A test
// that sends a request the model refuses, or gets an answer the model does not declare, fails.

import { expect } from 'vitest';
import { inProcessFetch, ManualKitScheduler } from '../kit/index.ts';
import { type ApiModel, loadApiModel, loadJsonSchema } from '../../test/support/spec-validator.ts';
import { type AmazonEmulator, startAmazonEmulator } from './emulator.ts';
import type { AmazonEmulatorOptions } from './types.ts';

export const SPECS = new URL('../../../shared/specs/amazon-sp-api/', import.meta.url).pathname;
export const ORIGIN = 'http://sellingpartnerapi-na.emulated';
export const START = Date.parse('2026-11-23T10:00:00Z');
export const MARKETPLACE = 'ATVPDKIKX0DER';
export const SELLER = 'A1EMULATEDSELLER';

const MODELS: [string, string][] = [
  ['/listings/', 'listingsItems_2021-08-01.json'],
  ['/feeds/', 'feeds_2021-06-30.json'],
  ['/orders/', 'orders_2026-01-01.json'],
  ['/fba/inventory/', 'fbaInventory.json'],
];

export function modelFor(path: string): ApiModel {
  const m = MODELS.find(([prefix]) => path.startsWith(prefix));
  if (!m) throw new Error(`no model for ${path}`);
  return loadApiModel(`${SPECS}${m[1]}`);
}

export const feedSchema = () => loadJsonSchema(`${SPECS}listings-feed-schema-v2.json`);
export const reportSchema = () => loadJsonSchema(`${SPECS}listings-feed-processing-report-schema-v2.json`);
export const orderChangeSchema = () => loadJsonSchema(`${SPECS}OrderChangeNotification.json`);
export const mfnQuantityChangeSchema = () => loadJsonSchema(`${SPECS}ListingsItemMfnQuantityChange.json`);

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export interface Harness {
  amazon: AmazonEmulator;
  scheduler: ManualKitScheduler;
  fetch: typeof fetch;
  /** An access token from the LWA endpoint. */
  login(): Promise<string>;
  /**
   * An SP-API call, validated both ways against the model. `schemaInvalid`: the request is meant
   * to break the model (the test then checks the validator refuses it too).
   */
  call(method: string, path: string, o?: { query?: Record<string, string>; body?: unknown; token?: string | null; schemaInvalid?: boolean }): Promise<Answer>;
  close(): Promise<void>;
}

export async function harness(options: AmazonEmulatorOptions = {}): Promise<Harness> {
  const scheduler = new ManualKitScheduler(START);
  const amazon = await startAmazonEmulator({ scheduler, ...options });
  const f = inProcessFetch(amazon.handler, { origin: ORIGIN });
  let token: string | undefined;
  const h: Harness = {
    amazon,
    scheduler,
    fetch: f,
    async login() {
      const res = await f(`${ORIGIN}/auth/o2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: amazon.refreshToken, client_id: amazon.clientId, client_secret: amazon.clientSecret }).toString(),
      });
      const body = (await res.json()) as { access_token: string };
      expect(res.status).toBe(200);
      token = body.access_token;
      return token;
    },
    async call(method, path, o = {}) {
      const url = `${ORIGIN}${path}${o.query ? `?${new URLSearchParams(o.query).toString()}` : ''}`;
      const model = modelFor(path);
      const check = model.validateRequest({ method, url, body: o.body });
      if (o.schemaInvalid) expect(check.errors, `the model should refuse ${method} ${url}`).not.toEqual([]);
      else expect(check.errors, `request ${method} ${url}`).toEqual([]);
      const operationId = check.operationId;
      if (!operationId) throw new Error(`${method} ${path} is no operation of the model`);
      const t = o.token === undefined ? (token ?? (await h.login())) : o.token;
      const res = await f(url, {
        method,
        headers: { ...(t !== null ? { 'x-amz-access-token': t } : {}), ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      });
      const text = await res.text();
      const body = text === '' ? undefined : JSON.parse(text);
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => (headers[k] = v));
      expect(model.validateResponse({ operationId, status: res.status, body, headers }), `answer ${res.status} to ${method} ${url}: ${text}`).toEqual([]);
      expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
      return { status: res.status, headers: res.headers, body };
    },
    close: () => amazon.close(),
  };
  return h;
}

export const listingPath = (sku: string) => `/listings/2021-08-01/items/${SELLER}/${encodeURIComponent(sku)}`;

export function quantityPatch(quantity: number, productType = 'PRODUCT') {
  return { productType, patches: [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity }] }] };
}

/** Control call through the same in-process fetch. */
export async function control(h: Harness, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await h.fetch(`${ORIGIN}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}
