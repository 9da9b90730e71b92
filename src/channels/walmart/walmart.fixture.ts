// A scripted stand-in for the Walmart Marketplace API, for the connector's unit tests: small,
// on a manual clock. Every request the connector sends is checked against Walmart's official
// models (test/support/spec-validator.ts) and for the headers every call needs (WM_SEC.ACCESS_TOKEN
// live, WM_SVC.NAME, a UUID in WM_QOS.CORRELATION_ID); every JSON answer it gives is checked
// against the model too, so a test cannot pass on an answer Walmart would never give. Problems
// are collected in `invalid` for the test to assert empty. (The full emulator, emulators/walmart,
// runs under the conformance kit.)

import { ManualClock } from '../../app/clock.ts';
import { type ApiModel, loadApiModel } from '../../../test/support/spec-validator.ts';

const SPECS = new URL('../../../../shared/specs/walmart/', import.meta.url).pathname;
const loaded = new Map<string, ApiModel>();
const model = (file: string): ApiModel => {
  if (!loaded.has(file)) loaded.set(file, loadApiModel(`${SPECS}${file}`));
  return loaded.get(file)!;
};
/** The model of a request: feeds are posted through the inventory model and read through the feeds one. */
function modelOf(method: string, path: string): ApiModel | null {
  if (path === '/v3/token') return model('auth.json');
  if (path.startsWith('/v3/inventory') || path.startsWith('/v3/inventories') || (path === '/v3/feeds' && method === 'POST')) return model('inventory.json');
  if (path.startsWith('/v3/feeds')) return model('feeds.json');
  if (path.startsWith('/v3/orders')) return model('orders.json');
  if (path.startsWith('/v3/webhooks')) return model('notifications.json');
  return null;
}

export const BASE = 'https://walmart.example';
export const CLIENT_ID = 'client-1';
export const CLIENT_SECRET = 'secret-1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN_TTL_S = 900;

export interface Seen {
  method: string;
  path: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
type Script = Answer | 'reset';

export interface FakeFeed {
  id: string;
  items: { sku: string; amount: number }[];
  shipNode: string | null;
  status: 'RECEIVED' | 'INPROGRESS' | 'PROCESSED' | 'ERROR';
  /** Its quantities were applied (once, when first seen PROCESSED). */
  applied?: boolean;
  /** sku → ingestion status when processed (absent: SUCCESS). */
  itemStatus: Map<string, 'SUCCESS' | 'DATA_ERROR' | 'SYSTEM_ERROR' | 'TIMEOUT_ERROR'>;
}

export class FakeWalmart {
  /** sku → the ingestion status every processed feed gives it (absent: SUCCESS). */
  readonly failing = new Map<string, 'DATA_ERROR' | 'SYSTEM_ERROR' | 'TIMEOUT_ERROR'>();
  readonly seen: Seen[] = [];
  readonly invalid: string[] = [];
  /** sku → quantity Walmart shows. */
  readonly shown = new Map<string, number>();
  readonly feeds = new Map<string, FakeFeed>();
  /** Purchase orders (the model's `GetOrderResponseRecord`) with when each last changed. */
  readonly orders: { modified: number; order: Record<string, unknown> }[] = [];
  readonly acknowledged: string[] = [];
  readonly tokens = new Map<string, number>();
  tokenCalls = 0;
  refuseCredentials = false;
  /** Orders per page of `GET /v3/orders` (the model's limit is up to 200). */
  pageSize = 200;
  readonly #scripts = new Map<string, Script[]>();
  #feedSeq = 0;

  constructor(readonly clock: ManualClock = new ManualClock(Date.UTC(2026, 11, 5, 9, 0, 0))) {}

  /** The next answers of `METHOD /path` (exact path), in order, instead of the default behaviour. */
  script(key: string, ...answers: Script[]): void {
    this.#scripts.set(key, [...(this.#scripts.get(key) ?? []), ...answers]);
  }

  calls(method: string, path: string): Seen[] {
    return this.seen.filter((s) => s.method === method && s.path === path);
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const path = url.pathname;
    const { body, form, operationId, model: m } = await checkRequest(req.clone(), this.invalid);
    this.seen.push({ method: req.method, path, url, headers: req.headers, body });
    const where = `${req.method} ${path}`;
    const answer = await this.#answer(req.method, path, url, req.headers, body, form);
    if (answer === 'reset') throw new TypeError('fetch failed: connection reset');
    if (m && operationId && answer.body !== undefined && answer.status < 300) {
      for (const e of m.validateResponse({ operationId, status: answer.status, body: answer.body })) this.invalid.push(`answer to ${where}: ${e}`);
    }
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json', ...answer.headers } });
  };

  async #answer(method: string, path: string, url: URL, headers: Headers, body: unknown, form: FormData | null): Promise<Answer | 'reset'> {
    const scripted = this.#scripts.get(`${method} ${path}`)?.shift();
    if (path === '/v3/token') return scripted ?? this.#token(headers, body);
    const token = headers.get('WM_SEC.ACCESS_TOKEN') ?? '';
    const expires = this.tokens.get(token);
    if (expires === undefined || this.clock.now() >= expires) {
      this.invalid.push(`${method} ${path}: sent without a live WM_SEC.ACCESS_TOKEN`);
      return error(401, 'UNAUTHORIZED.GMP_GATEWAY_API', 'the access token is missing or expired');
    }
    if (scripted) return scripted;
    const sku = url.searchParams.get('sku') ?? '';
    if (method === 'PUT' && path === '/v3/inventory') {
      if (!this.shown.has(sku)) return error(404, 'CONTENT_NOT_FOUND.GMP_INVENTORY_API', `sku ${sku} not found`);
      const amount = (body as { quantity: { amount: number } }).quantity.amount;
      this.shown.set(sku, amount);
      return { status: 200, body: { sku, quantity: { unit: 'EACH', amount } } };
    }
    if (method === 'GET' && path === '/v3/inventory') {
      if (!this.shown.has(sku)) return error(404, 'CONTENT_NOT_FOUND.GMP_INVENTORY_API', `sku ${sku} not found`);
      return { status: 200, body: { sku, quantity: { unit: 'EACH', amount: this.shown.get(sku)! } } };
    }
    if (method === 'POST' && path === '/v3/feeds') {
      const file = form?.get('file');
      if (!(file instanceof Blob)) return error(400, 'INVALID_REQUEST', 'no file');
      const doc = JSON.parse(await file.text()) as { Inventory?: { sku: string; quantity: { amount: number } }[] };
      const id = `FEED${++this.#feedSeq}@AQ`;
      this.feeds.set(id, { id, items: (doc.Inventory ?? []).map((i) => ({ sku: i.sku, amount: i.quantity.amount })), shipNode: url.searchParams.get('shipNode'), status: 'RECEIVED', itemStatus: new Map() });
      return { status: 200, body: { feedId: id } };
    }
    const feedMatch = /^\/v3\/feeds\/([^/]+)$/.exec(path);
    if (method === 'GET' && feedMatch) {
      const feed = this.feeds.get(decodeURIComponent(feedMatch[1]!));
      if (!feed) return error(404, 'CONTENT_NOT_FOUND', 'no such feed');
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 50);
      const statuses = feed.items.map((i, index) => ({ sku: i.sku, index, status: feed.status === 'PROCESSED' ? (feed.itemStatus.get(i.sku) ?? this.failing.get(i.sku) ?? 'SUCCESS') : 'INPROGRESS' }));
      if (feed.status === 'PROCESSED' && !feed.applied) {
        feed.applied = true;
        for (const [k, s] of statuses.entries()) if (s.status === 'SUCCESS' && this.shown.has(s.sku)) this.shown.set(s.sku, feed.items[k]!.amount);
      }
      const failed = statuses.filter((s) => s.status !== 'SUCCESS' && s.status !== 'INPROGRESS').length;
      return {
        status: 200,
        body: {
          feedId: feed.id, feedStatus: feed.status, itemsReceived: feed.items.length,
          itemsSucceeded: statuses.filter((s) => s.status === 'SUCCESS').length, itemsFailed: failed,
          itemsProcessing: statuses.filter((s) => s.status === 'INPROGRESS').length, offset, limit,
          itemDetails: {
            itemIngestionStatus: statuses.slice(offset, offset + limit).map((s) => ({
              sku: s.sku, index: s.index, ingestionStatus: s.status,
              ...(s.status !== 'SUCCESS' && s.status !== 'INPROGRESS' ? { ingestionErrors: { ingestionError: [{ type: s.status as 'DATA_ERROR', code: 'ERR_EXT_DATA_0101', description: `bad ${s.sku}` }] } } : {}),
            })),
          },
        },
      };
    }
    if (method === 'GET' && path === '/v3/orders') return this.#listOrders(url);
    const ack = /^\/v3\/orders\/([^/]+)\/acknowledge$/.exec(path);
    if (method === 'POST' && ack) {
      const po = decodeURIComponent(ack[1]!);
      const o = this.orders.find((x) => x.order.purchaseOrderId === po);
      if (!o) return error(404, 'CONTENT_NOT_FOUND', `no PO ${po}`);
      this.acknowledged.push(po);
      for (const line of (o.order.orderLines as { orderLine: { orderLineStatuses: { orderLineStatus: { status: string }[] } }[] }).orderLine) {
        for (const s of line.orderLineStatuses.orderLineStatus) if (s.status === 'Created') s.status = 'Acknowledged';
      }
      o.modified = this.clock.now();
      return { status: 200, body: { order: o.order } };
    }
    return error(404, 'NOT_FOUND', `${method} ${path} is not emulated here`);
  }

  #token(headers: Headers, body: unknown): Answer {
    this.tokenCalls++;
    const expected = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
    if ((body as { grant_type?: string } | undefined)?.grant_type !== 'client_credentials') this.invalid.push('token call without grant_type=client_credentials');
    if (this.refuseCredentials || headers.get('authorization') !== expected) return error(401, 'UNAUTHORIZED.GMP_GATEWAY_API', 'invalid client credentials');
    const token = `tok-${this.tokenCalls}`;
    this.tokens.set(token, this.clock.now() + TOKEN_TTL_S * 1000);
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: TOKEN_TTL_S } };
  }

  #listOrders(url: URL): Answer {
    const after = Date.parse(url.searchParams.get('lastModifiedStartDate') ?? '1970-01-01T00:00:00Z');
    const start = Number(url.searchParams.get('soIndex') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? this.pageSize);
    const size = Math.min(limit, this.pageSize);
    const all = this.orders.filter((o) => o.modified >= after).sort((a, b) => a.modified - b.modified);
    const page = all.slice(start, start + size);
    const more = start + size < all.length;
    const cursor = `?limit=${size}&hasMoreElements=true&soIndex=${start + size}&poIndex=${start + size}&lastModifiedStartDate=${new Date(after).toISOString()}`;
    return { status: 200, body: { list: { meta: { totalCount: all.length, limit: size, ...(more ? { nextCursor: cursor } : {}) }, elements: { order: page.map((o) => o.order) } } } };
  }

  /** A purchase order as the model has it, its lines `[sku, quantity, status]`, changed now. */
  addOrder(po: string, lines: [string, number, string][], shipNode?: string): Record<string, unknown> {
    const order = purchaseOrder(po, lines, this.clock.now(), shipNode);
    this.orders.push({ modified: this.clock.now(), order });
    return order;
  }
}

export function purchaseOrder(po: string, lines: [string, number, string][], at: number, shipNode?: string): Record<string, unknown> {
  return {
    purchaseOrderId: po,
    customerOrderId: `C${po}`,
    customerEmailId: 'buyer@relay.walmart.com',
    orderDate: at,
    shippingInfo: { phone: '5555555555', estimatedDeliveryDate: at, estimatedShipDate: at, methodCode: 'Value', postalAddress: { name: 'B', address1: '1 St', city: 'X', state: 'CA', postalCode: '94000', country: 'USA', addressType: 'RESIDENTIAL' } },
    orderLines: {
      orderLine: lines.map(([sku, quantity, status], k) => ({
        lineNumber: String(k + 1),
        item: { productName: sku, sku },
        charges: { charge: [] },
        orderLineQuantity: { unitOfMeasurement: 'EACH', amount: String(quantity) },
        statusDate: at,
        orderLineStatuses: { orderLineStatus: [{ status, statusQuantity: { unitOfMeasurement: 'EACH', amount: String(quantity) } }] },
        // The model's GetOrderResponseRecord types orderLines as RefundLinesType, whose lines require `refunds`.
        refunds: { refund: [] },
      })),
    },
    ...(shipNode ? { shipNode: { type: 'SellerFulfilled', name: 'Main', id: shipNode } } : {}),
  };
}

/**
 * Check one request against Walmart's models and the headers every call needs; problems go to
 * `invalid`. Returns the parsed body (JSON or form), the multipart form, and the operation.
 */
export async function checkRequest(req: Request, invalid: string[]): Promise<{ body: unknown; form: FormData | null; operationId: string | undefined; model: ApiModel | null }> {
  const url = new URL(req.url);
  const path = url.pathname;
  const where = `${req.method} ${path}`;
  const contentType = req.headers.get('content-type') ?? '';
  let body: unknown;
  let form: FormData | null = null;
  if (contentType.startsWith('multipart/form-data')) form = await req.formData();
  else if (contentType.includes('json')) body = JSON.parse(await req.text());
  else if (req.body) body = Object.fromEntries(new URLSearchParams(await req.text()));
  const m = modelOf(req.method, path);
  let operationId: string | undefined;
  if (!m) invalid.push(`${where}: no operation of Walmart's models`);
  else {
    const check = m.validateRequest({ method: req.method, url: path + url.search, body: contentType.includes('json') ? body : undefined });
    operationId = check.operationId;
    for (const e of check.errors) invalid.push(`${where}: ${e}`);
  }
  if (form) {
    const file = form.get('file');
    if (!(file instanceof Blob)) invalid.push(`${where}: no multipart field file`);
    else {
      // inventory.json has no schema for the file; its examples are the 1.4 shape, and each item is an `Inventory`.
      const doc = JSON.parse(await file.text()) as { InventoryHeader?: { version?: string }; Inventory?: { sku: string; quantity: { unit: string; amount: number } }[] };
      if (doc.InventoryHeader?.version !== '1.4' || !Array.isArray(doc.Inventory)) invalid.push(`${where}: the file is not a 1.4 inventory feed`);
      for (const it of doc.Inventory ?? []) if (typeof it.sku !== 'string' || it.quantity?.unit !== 'EACH' || !Number.isInteger(it.quantity?.amount)) invalid.push(`${where}: feed item ${JSON.stringify(it)} is not an Inventory`);
    }
  }
  if (req.headers.get('WM_SVC.NAME') !== 'Walmart Marketplace') invalid.push(`${where}: WM_SVC.NAME missing`);
  if (!UUID.test(req.headers.get('WM_QOS.CORRELATION_ID') ?? '')) invalid.push(`${where}: WM_QOS.CORRELATION_ID is not a UUID`);
  if (req.headers.get('accept') !== 'application/json') invalid.push(`${where}: Accept is not application/json`);
  if (path !== '/v3/token' && !req.headers.get('WM_SEC.ACCESS_TOKEN')) invalid.push(`${where}: no WM_SEC.ACCESS_TOKEN`);
  return { body, form, operationId, model: m };
}

/** A fetch that checks every request (checkRequest) before passing it on: for tests against the emulator. */
export function validatingFetch(inner: typeof fetch, invalid: string[]): typeof fetch {
  return async (input, init) => {
    const req = new Request(input, init);
    await checkRequest(req.clone(), invalid);
    return inner(req);
  };
}

function error(status: number, code: string, description: string): Answer {
  return { status, body: { errors: [{ code, description, severity: 'ERROR', category: 'DATA' }] } };
}
