// One emulated Square merchant behind a real HTTP server on 127.0.0.1 (or the kit's in-process
// fetch): the Inventory API calls truestock makes, order reads, the POS moves and webhooks.
// Time, the bucket, outages and signed delivery are the emulator kit's (../kit); what is
// Square's is here and in the files it imports.
//
// An API call passes, in order: route → outage (503 / reset) → bearer token (401) →
// Square-Version format (400) → the merchant's bucket (429) → armed faults (500/503) → latency →
// the operation. Errors are Square's `{errors:[{category, code, detail, field?}]}`.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArmedFaults, checkFaults, type DeliveryFaults, type KitScheduler, matchRoute, type NodeHandler, Outage, type Random, randomUuid, readBody, readJsonBody, realScheduler, route, type Route, schedulerOn, seededRandom, sendAnswer } from '../kit/index.ts';
import { Catalog } from './catalog.ts';
import { answerControl } from './control.ts';
import { formatQuantity, type Quantity, quantityUnits, type Units } from './decimal.ts';
import { asInvalid, EmulatorError, invalid, problemAnswer, SquareApiError } from './errors.ts';
import type { ApiRequest, HttpAnswer } from './http-answer.ts';
import { Merchant, type OrderEventMode, type PosLine } from './merchant.ts';
import { batchRetrieveOrders, retrieveOrder, searchOrders } from './orders-api.ts';
import { orderView } from './orders.ts';
import { DEFAULT_RATE_LIMIT, isOperation, type Operation, type RateLimit, RateLimits } from './rate-limits.ts';
import { API_FAULTS, type ApiFault, type SquareEmulatorOptions } from './types.ts';
import { changeView, countView } from './views.ts';
import { DEFAULT_WEBHOOK_RETRY, type Subscription, type WebhookRetry, Webhooks } from './webhooks.ts';

const DEFAULTS = {
  accessToken: 'EAAAEemulatedSquareAccessToken',
  merchantId: 'MLEMULATED0001',
  applicationId: 'sq0idp-emulated-truestock',
  environment: 'Production' as const,
  locations: [{ id: 'LSTORE000001', name: 'Store' }],
  rateLimit: DEFAULT_RATE_LIMIT,
  throttleRetryAfter: false,
  webhookRetry: DEFAULT_WEBHOOK_RETRY,
  orderEvents: 'created+updated' as OrderEventMode,
  seed: 1,
};

const BODY_BYTES_MAX = 8 * 1024 * 1024;
const LATENCY_MS_MAX = 60_000;
const OUTAGE_SECONDS_MAX = 3600;
/** Ids come from their own PRNG (seed xor a salt), apart from the webhook fault draws. */
const ID_SEED_SALT = 0x5bd1e995;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SQUARE_ID_LENGTH = 24;
const SQUARE_VERSION = /^\d{4}-\d{2}-\d{2}$/;

const FAULT_ANSWERS: Record<ApiFault, number> = { INTERNAL_SERVER_ERROR: 500, SERVICE_UNAVAILABLE: 503 };

// Literal paths before the `{catalog_object_id}` one, so `changes`/`counts` are never taken for an id.
const ROUTES: Route<Operation>[] = [
  route('POST', '/v2/inventory/changes/batch-create', 'BatchChangeInventory'),
  route('POST', '/v2/inventory/changes/batch-retrieve', 'BatchRetrieveInventoryChanges'),
  route('POST', '/v2/inventory/counts/batch-retrieve', 'BatchRetrieveInventoryCounts'),
  route('GET', '/v2/inventory/{catalog_object_id}', 'RetrieveInventoryCount'),
  route('POST', '/v2/orders/batch-retrieve', 'BatchRetrieveOrders'),
  route('POST', '/v2/orders/search', 'SearchOrders'),
  route('GET', '/v2/orders/{order_id}', 'RetrieveOrder'),
];

export interface EmulatorCounters {
  requests: number;
  unauthorized: number;
  throttled: number;
  apiFaults: number;
  posSales: number;
  posReturns: number;
  handCounts: number;
  countEvents: number;
  orderEvents: number;
  webhooksSent: number;
  webhookAttempts: number;
  webhooksFailed: number;
  webhooksDropped: number;
  webhooksDuplicated: number;
  /** Calls and throttled answers per operation. */
  operations: Record<string, { calls: number; throttled: number }>;
}

/** The merchant's data and limits; `reset` replaces them. */
interface World {
  catalog: Catalog;
  merchant: Merchant;
  limits: RateLimits;
}

export class SquareEmulator {
  url = '';
  readonly merchantId: string;
  readonly applicationId: string;
  /** The request handler the server runs, for the kit's `inProcessFetch(square.handler, { origin })`. */
  readonly handler: NodeHandler = (req, res) => this.handle(req, res);
  readonly server: Server;
  readonly webhooks: Webhooks;
  private token: string;
  private readonly o: typeof DEFAULTS & SquareEmulatorOptions;
  private readonly scheduler: KitScheduler;
  private readonly now: () => number;
  private readonly outage: Outage;
  private readonly ids: Random;
  private world!: World;
  private latencyMs = 0;
  private readonly apiFaults = new ArmedFaults<ApiFault, Operation>(API_FAULTS, isOperation);
  private readonly count = { requests: 0, unauthorized: 0, throttled: 0, apiFaults: 0 };

  constructor(options: SquareEmulatorOptions = {}) {
    const { clock, scheduler, ...rest } = options;
    const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & SquareEmulatorOptions;
    if (clock && scheduler && clock !== scheduler.clock) throw invalid('clock and scheduler.clock must be the same clock');
    if (typeof o.accessToken !== 'string' || o.accessToken === '') throw invalid('accessToken must be a non-empty string');
    if (o.orderEvents !== 'created' && o.orderEvents !== 'created+updated') throw invalid("orderEvents must be 'created' or 'created+updated'");
    this.scheduler = scheduler ?? (clock ? schedulerOn(clock) : realScheduler);
    const time = this.scheduler.clock;
    this.now = () => time.now();
    this.o = o;
    this.token = o.accessToken;
    this.merchantId = o.merchantId;
    this.applicationId = o.applicationId;
    this.outage = new Outage(this.now);
    this.ids = seededRandom(o.idSeed ?? o.seed ^ ID_SEED_SALT);
    this.webhooks = new Webhooks({
      scheduler: this.scheduler,
      random: seededRandom(o.seed),
      newId: () => randomUuid(this.ids),
      environment: o.environment,
      retry: o.webhookRetry,
      downForMs: () => 0,
      fetch: o.webhookFetch,
    });
    this.world = this.newWorld();
    this.server = createServer((req, res) => void this.handler(req, res));
  }

  private newWorld(): World {
    const catalog = new Catalog();
    for (const l of this.o.locations) catalog.addLocation(l);
    const merchant = new Merchant(
      catalog,
      { merchantId: this.o.merchantId, applicationId: this.o.applicationId, orderEvents: this.o.orderEvents },
      this.now,
      () => this.squareId(),
      () => randomUuid(this.ids),
      (type, body, at) => this.webhooks.send(type, body, at),
    );
    return { catalog, merchant, limits: asInvalid(() => new RateLimits(this.now, this.o.rateLimit)) };
  }

  /** A Square-looking id (24 upper-case letters and digits) from the seeded PRNG. */
  private squareId(): string {
    let s = '';
    for (let i = 0; i < SQUARE_ID_LENGTH; i++) s += ID_ALPHABET[Math.floor(this.ids() * ID_ALPHABET.length)];
    return s;
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get merchant(): Merchant {
    return this.world.merchant;
  }

  get accessToken(): string {
    return this.token;
  }

  // ---- in-process surface (the control endpoints call these) --------------------------------

  addLocation(p: { id: string; name?: string }) {
    return this.world.catalog.addLocation(p);
  }
  addCatalogObject(p: { id: string; name?: string; sku?: string | null; priceAmount?: number; currency?: string }) {
    return this.world.catalog.addVariation(p);
  }
  /** The POS rings up a sale; returns the order as GET /v2/orders answers it. */
  posSale(p: { locationId: string; lines: PosLineInput[]; referenceId?: string | null }) {
    return orderView(this.merchant.sale({ ...p, lines: posLines(p.lines) }));
  }
  posReturn(p: { orderId: string; lines: PosLineInput[]; restock?: boolean }) {
    return orderView(this.merchant.return({ ...p, lines: posLines(p.lines) }));
  }
  /** Staff count the shelf; returns the change recorded, as the API shows changes. */
  handCount(p: { catalogObjectId: string; locationId: string; quantity: Quantity; teamMemberId?: string | null }) {
    return this.merchant.handCount({ ...p, quantity: units(p.quantity, 'quantity') }).map(changeView);
  }
  order(orderId: string) {
    const o = this.merchant.orders.get(orderId);
    if (!o) throw new EmulatorError('not_found', `no order ${orderId}`);
    return orderView(o);
  }
  /** Every count with a history, as the API shows counts. */
  counts() {
    return this.merchant.ledger.allCounts().map(countView);
  }
  /** The IN_STOCK count of a catalog object at a location, as a decimal string. */
  quantity(catalogObjectId: string, locationId: string): string {
    return formatQuantity(this.merchant.ledger.quantity(catalogObjectId, locationId, 'IN_STOCK'));
  }
  subscribe(p: { notificationUrl: string; signatureKey: string; eventTypes?: string[] }): Subscription {
    return this.webhooks.subscribe(p);
  }
  setWebhookFaults(f: Partial<DeliveryFaults>): DeliveryFaults {
    asInvalid(() => checkFaults(f));
    return this.webhooks.setFaults(f);
  }
  setWebhookRetry(r: WebhookRetry) {
    return this.webhooks.setRetry(r);
  }
  async flushWebhooks(): Promise<void> {
    await this.webhooks.flush();
  }
  setRateLimit(limit: RateLimit): RateLimit {
    return asInvalid(() => this.world.limits.set(limit));
  }
  drainBucket(): void {
    this.world.limits.drain();
  }
  failNext(fault: ApiFault, times = 1, operation?: string) {
    return asInvalid(() => this.apiFaults.arm(fault, times, operation));
  }
  setLatency(ms: number): number {
    if (!(Number.isFinite(ms) && ms >= 0 && ms <= LATENCY_MS_MAX)) throw invalid(`ms must be from 0 to ${LATENCY_MS_MAX}`);
    this.latencyMs = ms;
    return ms;
  }
  goDown(seconds: number, mode: '503' | 'reset' = '503'): void {
    if (typeof seconds !== 'number' || !(seconds > 0) || seconds > OUTAGE_SECONDS_MAX) throw invalid(`seconds must be a number above 0 and at most ${OUTAGE_SECONDS_MAX}`);
    asInvalid(() => this.outage.start(seconds * 1000, mode));
  }
  /** A new access token: the old one answers 401 from now on (a revoked or rotated token). */
  setAccessToken(token: string): void {
    if (typeof token !== 'string' || token === '') throw invalid('access_token must be a non-empty string');
    this.token = token;
  }
  /** A fresh merchant: catalog, stock, orders, idempotency keys, bucket, faults and latency as at the start. Subscriptions and the token stay. */
  reset(): void {
    this.world = this.newWorld();
    this.latencyMs = 0;
    this.apiFaults.clear();
    this.outage.stop();
    this.webhooks.setFaults({ duplicate: 0, drop: 0, reorder: 0, delayMs: [0, 0] });
    for (const k of Object.keys(this.count) as (keyof typeof this.count)[]) this.count[k] = 0;
  }

  counters(): EmulatorCounters {
    const w = this.webhooks.counters();
    return {
      ...this.count,
      ...this.merchant.counters,
      webhooksSent: w.sent,
      webhookAttempts: w.attempts,
      webhooksFailed: w.failed,
      webhooksDropped: w.dropped,
      webhooksDuplicated: w.duplicated,
      operations: Object.fromEntries([...this.world.limits.counters].map(([op, c]) => [op, { ...c }])),
    };
  }

  state(): Record<string, unknown> {
    return {
      merchant_id: this.merchantId,
      locations: [...this.world.catalog.locations.values()],
      catalog: [...this.world.catalog.variations.values()].map((v) => ({ id: v.id, name: v.name, sku: v.sku, price_amount: v.priceAmount, currency: v.currency })),
      counts: this.counts(),
      orders: [...this.merchant.orders.orders.values()].map(orderView),
      subscriptions: this.webhooks.subscriptions.map((s) => ({ id: s.id, notification_url: s.notificationUrl, event_types: s.eventTypes })),
      webhook_retry: this.webhooks.getRetry(),
      rate_limit: this.world.limits.status(),
      latency_ms: this.latencyMs,
      api_faults: this.apiFaults.list(),
      counters: this.counters(),
    };
  }

  async close(): Promise<void> {
    this.webhooks.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => (this.server.listening ? this.server.close(() => resolve()) : resolve()));
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      if (url.pathname.startsWith('/_emulator/')) return sendAnswer(res, await this.control(req, method, url.pathname));
      await this.api(req, res, method, url.pathname, url.searchParams);
    } catch (err) {
      if (!res.headersSent) sendAnswer(res, { status: 500, body: { errors: [{ category: 'API_ERROR', code: 'INTERNAL_SERVER_ERROR', detail: `Emulator bug: ${(err as Error).message}` }] } });
      else res.destroy();
    }
  }

  private async api(req: IncomingMessage, res: ServerResponse, method: string, path: string, query: URLSearchParams): Promise<void> {
    const { found, pathKnown } = matchRoute(ROUTES, method, path);
    if (!found) {
      const e = pathKnown ? new SquareApiError(405, 'INVALID_REQUEST_ERROR', 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}.`) : new SquareApiError(404, 'INVALID_REQUEST_ERROR', 'NOT_FOUND', `No endpoint ${method} ${path}.`);
      return sendAnswer(res, { status: e.status, body: e.body() });
    }
    this.count.requests++;
    const down = this.outage.answer();
    if (down?.kind === 'reset') return void req.socket.destroy();
    if (down) return sendAnswer(res, { status: 503, headers: down.headers, body: { errors: [{ category: 'API_ERROR', code: 'SERVICE_UNAVAILABLE', detail: 'Square is temporarily unavailable.' }] } });
    const auth = req.headers.authorization;
    if (typeof auth !== 'string' || auth !== `Bearer ${this.token}`) {
      this.count.unauthorized++;
      return sendAnswer(res, { status: 401, body: { errors: [{ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED', detail: 'This request could not be authorized.' }] } });
    }
    const version = req.headers['square-version'];
    if (version !== undefined && !(typeof version === 'string' && SQUARE_VERSION.test(version))) {
      return sendAnswer(res, { status: 400, body: { errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'INVALID_SQUARE_VERSION_FORMAT', detail: 'Square-Version must be YYYY-MM-DD.' }] } });
    }
    const op = found.route.operation;
    const limits = this.world.limits;
    if (!limits.take(op)) {
      this.count.throttled++;
      const headers = this.o.throttleRetryAfter ? { 'Retry-After': String(limits.retryAfterSeconds()) } : undefined;
      return sendAnswer(res, { status: 429, headers, body: { errors: [{ category: 'RATE_LIMIT_ERROR', code: 'RATE_LIMITED', detail: 'Too many requests.' }] } });
    }
    const fault = this.apiFaults.take(op);
    if (this.latencyMs > 0) await this.scheduler.sleep(this.latencyMs);
    if (fault) {
      this.count.apiFaults++;
      return sendAnswer(res, { status: FAULT_ANSWERS[fault], body: { errors: [{ category: 'API_ERROR', code: fault, detail: 'Emulated fault.' }] } });
    }
    let body: unknown;
    const text = await readBody(req, BODY_BYTES_MAX);
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        return sendAnswer(res, { status: 400, body: { errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'BAD_REQUEST', detail: 'The request body is not valid JSON.' }] } });
      }
    }
    const request: ApiRequest = { method, params: found.params, query, body };
    try {
      return sendAnswer(res, this.operate(op, request));
    } catch (err) {
      if (err instanceof SquareApiError) return sendAnswer(res, { status: err.status, body: err.body() });
      throw err;
    }
  }

  private operate(op: Operation, r: ApiRequest): HttpAnswer {
    const m = this.merchant;
    switch (op) {
      case 'BatchChangeInventory':
        return m.inventory.batchChangeInventory(r);
      case 'BatchRetrieveInventoryCounts':
        return m.inventory.batchRetrieveInventoryCounts(r);
      case 'RetrieveInventoryCount':
        return m.inventory.retrieveInventoryCount(r);
      case 'BatchRetrieveInventoryChanges':
        return m.inventory.batchRetrieveInventoryChanges(r);
      case 'RetrieveOrder':
        return retrieveOrder(m.orders, r);
      case 'BatchRetrieveOrders':
        return batchRetrieveOrders(m.orders, r);
      case 'SearchOrders':
        return searchOrders(m.orders, r);
    }
  }

  private async control(req: IncomingMessage, method: string, path: string): Promise<HttpAnswer> {
    let body: unknown;
    try {
      body = await readJsonBody(req, BODY_BYTES_MAX);
    } catch {
      return problemAnswer(invalid('the body is not valid JSON'));
    }
    return answerControl(this, method, path, body);
  }

}

/** A POS line as the in-process surface takes it: items as a number, a decimal string, or units (bigint). */
export interface PosLineInput {
  catalogObjectId: string;
  quantity: Quantity;
}

function units(q: Quantity, field: string): Units {
  const u = quantityUnits(q);
  if (u === null) throw invalid(`${field} must be a number or a decimal string with at most 5 digits after the point`);
  return u;
}

function posLines(lines: PosLineInput[]): PosLine[] {
  if (!Array.isArray(lines)) throw invalid('lines must be an array');
  return lines.map((l, i) => ({ catalogObjectId: l.catalogObjectId, quantity: units(l.quantity, `line_items[${i}].quantity`) }));
}

/** An emulator in this process with no socket: `inProcessFetch(e.handler, { origin })` reaches it. */
export function createSquareEmulator(o: SquareEmulatorOptions = {}): SquareEmulator {
  return new SquareEmulator(o);
}

/** An emulator listening on 127.0.0.1 (`o.port`, default any free port). */
export async function startSquareEmulator(o: SquareEmulatorOptions = {}): Promise<SquareEmulator> {
  const e = new SquareEmulator(o);
  await e.listen(o.port ?? 0);
  return e;
}
