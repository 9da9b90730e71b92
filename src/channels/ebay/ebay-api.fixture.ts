// A scripted stand-in for eBay's OAuth and REST APIs, for the kind's unit tests: small,
// synchronous to reason about, on a manual clock. Every request the connector sends is checked
// against eBay's official models (test/support/spec-validator.ts) — path, query, headers and
// body — and every answer the fake gives against the same models, so a test cannot pass on a
// request eBay would refuse or an answer eBay would never give. Failures are collected in
// `invalid`, which each test asserts empty. (The full emulator, emulators/ebay, runs under the
// conformance kit.)

import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { ManualClock } from '../../app/clock.ts';
import { type ApiModel, loadApiModel } from '../../../test/support/spec-validator.ts';

const SPECS = new URL('../../../../shared/specs/ebay/', import.meta.url).pathname;
const MODELS: [string, string][] = [
  ['/sell/inventory/v1/', 'sell_inventory_v1_oas3.json'],
  ['/sell/fulfillment/v1/', 'sell_fulfillment_v1_oas3.json'],
  ['/commerce/notification/v1/', 'commerce_notification_v1_oas3.json'],
];
const loaded = new Map<string, ApiModel>();
function modelOf(path: string): { model: ApiModel; rest: string } | null {
  const hit = MODELS.find(([prefix]) => path.startsWith(prefix));
  if (!hit) return null;
  if (!loaded.has(hit[1])) loaded.set(hit[1], loadApiModel(`${SPECS}${hit[1]}`));
  return { model: loaded.get(hit[1])!, rest: path.slice(hit[0].length - 1) };
}

export const BASE = 'https://api.ebay.example';
export const AUTH = 'https://api.ebay.example/identity/v1/oauth2/token';

/**
 * A fetch that checks each eBay API request against the model of its operation (with its
 * headers) and that it carries a bearer token and the marketplace header; what fails is added to
 * `invalid`. Token calls pass unchecked beyond their form.
 */
export function validatingFetch(inner: typeof fetch, invalid: string[]): typeof fetch {
  return async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const hit = modelOf(url.pathname);
    if (hit) {
      const text = req.body ? await req.clone().text() : '';
      const body = text === '' ? undefined : (JSON.parse(text) as unknown);
      const headers = Object.fromEntries([...req.headers].map(([k, v]) => [k, v]));
      const check = hit.model.validateRequest({ method: req.method, url: hit.rest + url.search, headers, body });
      for (const e of check.errors) invalid.push(`request ${req.method} ${url.pathname}: ${e}`);
      if (!/^Bearer \S+$/.test(req.headers.get('authorization') ?? '')) invalid.push(`request ${req.method} ${url.pathname}: no bearer token`);
      if (!url.pathname.startsWith('/commerce/') && !req.headers.get('x-ebay-c-marketplace-id')) invalid.push(`request ${req.method} ${url.pathname}: no X-EBAY-C-MARKETPLACE-ID`);
    }
    return inner(req);
  };
}

/** Checks an answer the fake gives against the model (so the fake cannot answer what eBay never would). */
function checkAnswer(path: string, operationId: string, status: number, body: unknown, invalid: string[]): void {
  const hit = modelOf(path);
  if (!hit) return;
  for (const e of hit.model.validateResponse({ operationId, status, body })) invalid.push(`answer ${operationId} ${status}: ${e}`);
}

export interface FakeOrder {
  orderId: string;
  lastModifiedDate: string;
  creationDate?: string;
  orderPaymentStatus?: string;
  cancelStatus: { cancelState: string; cancelRequests: { cancelRequestState: string; cancelRequestId?: string }[] };
  lineItems: { lineItemId: string; sku: string; quantity: number }[];
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/** A small eBay: inventory items by SKU, orders, one signing key, tokens with a lifetime, scripted answers. */
export class FakeEbay {
  readonly clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  readonly invalid: string[] = [];
  readonly quantities = new Map<string, number>();
  readonly orders: FakeOrder[] = [];
  /** Every API call (method, path with query), in order. */
  readonly calls: { method: string; path: string; query: string; body: unknown }[] = [];
  /** Token grants asked for, in order. */
  readonly grants: string[] = [];
  tokenTtlSeconds = 7200;
  refuseRefresh = false;
  /** SKUs whose updates eBay refuses, with the statusCode and errorId. */
  readonly refusals = new Map<string, { statusCode: number; errorId: number; message: string }>();
  /** Answers given instead of the real ones, next first, by operationId. */
  readonly scripted = new Map<string, Answer[]>();
  readonly kid = 'kid-1';
  readonly keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  #tokens = new Map<string, number>();
  #n = 0;

  readonly fetch: typeof fetch;

  constructor() {
    this.fetch = validatingFetch((input, init) => this.#handle(new Request(input, init)), this.invalid);
  }

  settings(more: Record<string, unknown> = {}): Record<string, unknown> {
    return { client_id: 'app-id', client_secret: 'app-secret', refresh_token: 'v^1.1#refresh', marketplace_id: 'EBAY_US', endpoint: BASE, auth_url: AUTH, ...more };
  }

  /** The X-EBAY-SIGNATURE of a body, as eBay signs (ECDSA over JSON.stringify of the parsed body, SHA-1 unless told). */
  signature(body: string, opts: { digest?: 'SHA1' | 'SHA256'; key?: KeyObject; kid?: string } = {}): string {
    const digest = opts.digest ?? 'SHA1';
    const signature = sign(digest === 'SHA1' ? 'sha1' : 'sha256', Buffer.from(JSON.stringify(JSON.parse(body))), opts.key ?? this.keys.privateKey).toString('base64');
    return Buffer.from(JSON.stringify({ alg: 'ecdsa', kid: opts.kid ?? this.kid, signature, digest })).toString('base64');
  }

  /** eBay forgets every access token it gave (revoked, expired early): the next call is answered 401. */
  forgetTokens(): void {
    this.#tokens.clear();
  }

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const text = req.body ? await req.text() : '';
    if (url.pathname === new URL(AUTH).pathname) {
      const form = new URLSearchParams(text);
      const grant = form.get('grant_type') ?? '';
      this.grants.push(grant);
      if (req.headers.get('authorization') !== `Basic ${Buffer.from('app-id:app-secret').toString('base64')}`) return json(401, { error: 'invalid_client' });
      if (grant === 'refresh_token' && (this.refuseRefresh || form.get('refresh_token') !== 'v^1.1#refresh')) return json(400, { error: 'invalid_grant', error_description: 'the refresh token is invalid or was issued to another client' });
      const token = `tok-${++this.#n}`;
      this.#tokens.set(token, this.clock.now() + this.tokenTtlSeconds * 1000);
      return json(200, { access_token: token, expires_in: this.tokenTtlSeconds, token_type: grant === 'refresh_token' ? 'User Access Token' : 'Application Access Token' });
    }
    const token = (req.headers.get('authorization') ?? '').replace(/^Bearer /, '');
    const body = text === '' ? undefined : (JSON.parse(text) as unknown);
    this.calls.push({ method: req.method, path: url.pathname, query: url.search.slice(1), body });
    const expires = this.#tokens.get(token);
    if (expires === undefined || this.clock.now() >= expires) return json(401, { errors: [{ errorId: 1001, domain: 'OAuth', category: 'REQUEST', message: 'Invalid access token' }] });
    const op = operationOf(req.method, url.pathname);
    const scripted = this.scripted.get(op)?.shift();
    const answer = scripted ?? this.#answer(op, url, body);
    if (answer.status < 300 || answer.status === 207) checkAnswer(url.pathname, op, answer.status, answer.body, this.invalid);
    return json(answer.status, answer.body, answer.headers);
  }

  #answer(op: string, url: URL, body: unknown): Answer {
    if (op === 'bulkUpdatePriceQuantity') {
      const requests = (body as { requests: { sku: string; shipToLocationAvailability: { quantity: number } }[] }).requests;
      if (requests.length > 25) return { status: 400, body: { errors: [{ errorId: 25709, domain: 'API_INVENTORY', category: 'REQUEST', message: 'Invalid value for requests: at most 25' }] } };
      const responses = requests.map((r) => {
        const refused = this.refusals.get(r.sku);
        if (refused) return { statusCode: refused.statusCode, sku: r.sku, errors: [{ errorId: refused.errorId, domain: 'API_INVENTORY', category: 'REQUEST', message: refused.message }] };
        if (!this.quantities.has(r.sku)) return { statusCode: 404, sku: r.sku, errors: [{ errorId: 25702, domain: 'API_INVENTORY', category: 'REQUEST', message: `SKU ${r.sku} is not available in the system` }] };
        this.quantities.set(r.sku, r.shipToLocationAvailability.quantity);
        return { statusCode: 200, sku: r.sku };
      });
      return { status: responses.every((r) => r.statusCode === 200) ? 200 : 207, body: { responses } };
    }
    if (op === 'bulkGetInventoryItem') {
      const requests = (body as { requests: { sku: string }[] }).requests;
      const responses = requests.map((r) => this.quantities.has(r.sku)
        ? { statusCode: 200, sku: r.sku, inventoryItem: { sku: r.sku, availability: { shipToLocationAvailability: { quantity: this.quantities.get(r.sku)! } } } }
        : { statusCode: 404, sku: r.sku, errors: [{ errorId: 25702, domain: 'API_INVENTORY', category: 'REQUEST', message: 'not found' }] });
      return { status: responses.every((r) => r.statusCode === 200) ? 200 : 207, body: { responses } };
    }
    if (op === 'getOrders') {
      const limit = Number(url.searchParams.get('limit') ?? 50);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const m = /^lastmodifieddate:\[(.+)\.\.\]$/.exec(url.searchParams.get('filter') ?? '');
      const from = m ? Date.parse(m[1]!) : -Infinity;
      const all = this.orders.filter((o) => Date.parse(o.lastModifiedDate) >= from)
        // getOrders never fills cancelRequests (channels.md §4).
        .map((o) => ({ ...o, cancelStatus: { cancelState: o.cancelStatus.cancelState, cancelRequests: [] } }));
      const page = all.slice(offset, offset + limit);
      return { status: 200, body: { orders: page, total: all.length, limit, offset, ...(offset + limit < all.length ? { next: `${BASE}/sell/fulfillment/v1/order?offset=${offset + limit}` } : {}) } };
    }
    if (op === 'getOrder') {
      const id = decodeURIComponent(url.pathname.split('/').pop()!);
      const o = this.orders.find((x) => x.orderId === id);
      return o ? { status: 200, body: o } : { status: 404, body: { errors: [{ errorId: 32100, domain: 'API_FULFILLMENT', category: 'REQUEST', message: 'Invalid order ID' }] } };
    }
    if (op === 'getPublicKey') {
      const id = decodeURIComponent(url.pathname.split('/').pop()!);
      if (id !== this.kid) return { status: 404, body: { errors: [{ errorId: 195001, domain: 'API_NOTIFICATION', category: 'REQUEST', message: 'The specified key id is invalid.' }] } };
      return { status: 200, body: { algorithm: 'ECDSA', digest: 'SHA1', key: (this.keys.publicKey.export({ type: 'spki', format: 'pem' }) as string).replace(/\n/g, '') } };
    }
    return { status: 404, body: { errors: [{ errorId: 0, domain: 'fake', category: 'REQUEST', message: `the fake has no ${op}` }] } };
  }
}

function operationOf(method: string, path: string): string {
  if (path.endsWith('/bulk_update_price_quantity')) return 'bulkUpdatePriceQuantity';
  if (path.endsWith('/bulk_get_inventory_item')) return 'bulkGetInventoryItem';
  if (method === 'GET' && path === '/sell/fulfillment/v1/order') return 'getOrders';
  if (method === 'GET' && path.startsWith('/sell/fulfillment/v1/order/')) return 'getOrder';
  if (path.startsWith('/commerce/notification/v1/public_key/')) return 'getPublicKey';
  return `${method} ${path}`;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}
