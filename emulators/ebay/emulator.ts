// One emulated eBay seller account: the OAuth token endpoint, the Inventory, Fulfillment and
// Notification operations truestock calls, the control endpoints (/_emulator/*) and signed
// notification delivery. Its request handler runs in-process (the kit's inProcessFetch) or behind
// a real HTTP server on 127.0.0.1. Time, buckets, outages and delivery are the emulator kit's.
//
// An API call passes, in order: outage (503 or reset) → bearer token (401; an application token
// on a Sell API: 403) → the API's daily quota and bucket (429) → armed faults (500/503) → latency
// → the operation. Every answer carries `X-EBAY-C-REQUEST-ID`.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArmedFaults, checkFaults, type KitScheduler, matchRoute, NO_FAULTS, type NodeHandler, Outage, type Random, randomUuid, readBody, readJsonBody, realScheduler, route, type Route, schedulerOn, seededRandom, sendAnswer, WebhookSender } from '../kit/index.ts';
import { Catalog, type NewListing, REVISIONS_PER_DAY_MAX } from './catalog.ts';
import { answerControl } from './control.ts';
import { asInvalid, EbayApiError, type EbayErrorDetail, FULFILLMENT, invalid, INVENTORY, NOTIFICATION, problemAnswer } from './errors.ts';
import type { ApiRequest, HttpAnswer } from './http-answer.ts';
import { InventoryApi } from './inventory-api.ts';
import { Notifications } from './notifications.ts';
import { OAuth, TOKEN_DAILY_LIMITS } from './oauth.ts';
import { type OrderEvent, Orders, type PlaceOrder } from './orders.ts';
import { OrdersApi } from './orders-api.ts';
import { type Api, type ApiLimit, CallLimits, isApi, isOperation, type Operation, OPERATIONS } from './rate-limits.ts';
import { ebayDay } from './time.ts';
import { API_FAULTS, type ApiFault, type EbayEmulatorOptions, type NotificationFaults } from './types.ts';
import { listingState, orderState } from './views.ts';

const DEFAULTS = {
  sellerId: 'emulated_seller',
  clientId: 'Emulated-truestoc-PRD-0123456789-abcdef01',
  clientSecret: 'PRD-emulated-client-secret',
  refreshToken: 'v^1.1#i^1#r^1#emulated-refresh-token',
  accessTokenTtlSeconds: 7200,
  throttleRetryAfter: false,
  notificationRetry: { attempts: 5, baseDelayMs: 1000 },
  notificationTimeoutMs: 5000,
  challengeTimeoutMs: 5000,
  seed: 1,
};

const BODY_BYTES_MAX = 16 * 1024 * 1024;
const LATENCY_MS_MAX = 60_000;
const OUTAGE_SECONDS_MAX = 3600;
/** Ids and tokens come from their own PRNGs (seed xor a salt), apart from the fault draws. */
const ID_SEED_SALT = 0x5bd1e995;
const TOKEN_SEED_SALT = 0x27d4eb2f;
export const TOKEN_PATH = '/identity/v1/oauth2/token';

const INVALID_TOKEN: EbayErrorDetail = { errorId: 1001, domain: 'OAuth', category: 'REQUEST', message: 'Invalid access token', longMessage: 'Invalid access token. Check the value of the Authorization HTTP request header.' };
const INSUFFICIENT: EbayErrorDetail = { errorId: 1100, domain: 'ACCESS', category: 'REQUEST', message: 'Access denied', longMessage: 'Insufficient permissions to fulfill the request.' };
/** eBay's 429 body is unconfirmed: the Access domain's "too many requests" (README). */
export const THROTTLED: EbayErrorDetail = { errorId: 2001, domain: 'ACCESS', category: 'REQUEST', message: 'Too many requests. The request limit has been reached for the resource.' };
const UNAVAILABLE: EbayErrorDetail = { errorId: 2003, domain: 'ACCESS', category: 'APPLICATION', message: 'Internal error. The service is temporarily unavailable.' };
const SYSTEM_ERROR: Record<Api, EbayErrorDetail> = {
  inventory: { errorId: 25001, domain: INVENTORY, category: 'APPLICATION', message: 'A system error has occurred.' },
  fulfillment: { errorId: 30500, domain: FULFILLMENT, category: 'APPLICATION', message: 'System error' },
  notification: { errorId: 195000, domain: NOTIFICATION, category: 'APPLICATION', message: 'There was a problem with an eBay internal system or process. Contact eBay developer support for assistance.' },
};

export interface EmulatorCounters {
  requests: number;
  unauthorized: number;
  forbidden: number;
  throttled: number;
  apiFaults: number;
  tokensIssued: number;
  tokensRefused: number;
  /** Token requests over the endpoint's daily limit (429). */
  tokensThrottled: number;
  itemsUpdated: number;
  itemsFailed: number;
  revisionLimitRefusals: number;
  ordersPlaced: number;
  ordersRefusedOutOfStock: number;
  notificationsPublished: number;
  notificationsSent: number;
  notificationsFailed: number;
  notificationsDropped: number;
  notificationsDuplicated: number;
  challengesPassed: number;
  challengesFailed: number;
  /** Calls and throttled answers per operation. */
  operations: Record<string, { calls: number; throttled: number }>;
}

type Handler = (req: ApiRequest) => HttpAnswer | Promise<HttpAnswer>;

const ROUTES: Route<Operation>[] = [
  route('POST', '/sell/inventory/v1/bulk_update_price_quantity', 'bulkUpdatePriceQuantity'),
  route('GET', '/sell/inventory/v1/inventory_item/{sku}', 'getInventoryItem'),
  route('POST', '/sell/inventory/v1/bulk_get_inventory_item', 'bulkGetInventoryItem'),
  route('GET', '/sell/inventory/v1/inventory_item', 'getInventoryItems'),
  route('GET', '/sell/inventory/v1/offer', 'getOffers'),
  route('GET', '/sell/fulfillment/v1/order', 'getOrders'),
  route('GET', '/sell/fulfillment/v1/order/{orderId}', 'getOrder'),
  route('GET', '/commerce/notification/v1/public_key/{public_key_id}', 'getPublicKey'),
  route('POST', '/commerce/notification/v1/destination', 'createDestination'),
  route('GET', '/commerce/notification/v1/destination/{destination_id}', 'getDestination'),
  route('POST', '/commerce/notification/v1/subscription', 'createSubscription'),
  route('GET', '/commerce/notification/v1/subscription/{subscription_id}', 'getSubscription'),
];

/** The seller's data and the APIs over it; `reset` replaces all of it. */
interface World {
  catalog: Catalog;
  orders: Orders;
  inventory: InventoryApi;
  ordersApi: OrdersApi;
  limits: CallLimits;
}

export class EbayEmulator {
  url = '';
  readonly sellerId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  /** The request handler, for the kit's `inProcessFetch(ebay.handler, { origin })` or a server. */
  readonly handler: NodeHandler = (req, res) => void this.handle(req, res);
  readonly oauth: OAuth;
  readonly notifications: Notifications;
  private server: Server | null = null;
  private readonly o: typeof DEFAULTS & EbayEmulatorOptions;
  private readonly scheduler: KitScheduler;
  private readonly now: () => number;
  private readonly outage: Outage;
  private readonly ids: Random;
  private readonly sender: WebhookSender;
  private world!: World;
  private latencyMs = 0;
  private readonly apiFaults = new ArmedFaults<ApiFault, Operation>(API_FAULTS, isOperation);
  private deliveryFaults: Partial<NotificationFaults> = {};
  private published = 0;
  private readonly count = { requests: 0, unauthorized: 0, forbidden: 0, throttled: 0, apiFaults: 0 };

  constructor(options: EbayEmulatorOptions = {}) {
    const { clock, scheduler, ...rest } = options;
    const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & EbayEmulatorOptions;
    if (clock && scheduler && clock !== scheduler.clock) throw invalid('clock and scheduler.clock must be the same clock');
    this.scheduler = scheduler ?? (clock ? schedulerOn(clock) : realScheduler);
    const time = this.scheduler.clock;
    this.now = () => time.now();
    if (!(o.accessTokenTtlSeconds > 0)) throw invalid('accessTokenTtlSeconds must be above 0');
    if (o.idStart !== undefined && !(Number.isSafeInteger(o.idStart) && o.idStart >= 0)) throw invalid('idStart must be a whole number of 0 or more');
    this.o = o;
    this.sellerId = o.sellerId;
    this.clientId = o.clientId;
    this.clientSecret = o.clientSecret;
    this.refreshToken = o.refreshToken;
    this.outage = new Outage(this.now);
    this.ids = seededRandom(o.seed ^ ID_SEED_SALT);
    const tokenLimits = { ...TOKEN_DAILY_LIMITS, ...o.tokenDailyLimits };
    if (!Object.values(tokenLimits).every((n) => Number.isSafeInteger(n) && n >= 0)) throw invalid('tokenDailyLimits must be whole numbers of 0 or more');
    this.oauth = new OAuth({ clientId: o.clientId, clientSecret: o.clientSecret, refreshToken: o.refreshToken }, o.accessTokenTtlSeconds, this.now, seededRandom(o.seed ^ TOKEN_SEED_SALT), tokenLimits);
    const fetchImpl = o.fetch ?? ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => fetch(input, init));
    let notifications: Notifications | null = null;
    this.sender = new WebhookSender({
      sign: (body) => ({ 'X-EBAY-SIGNATURE': notifications!.signature(body) }),
      retry: o.notificationRetry,
      timeoutMs: o.notificationTimeoutMs,
      scheduler: this.scheduler,
      fetch: fetchImpl,
      random: seededRandom(o.seed),
      newId: () => randomUuid(this.ids),
      downForMs: () => this.outage.remainingMs(),
    });
    notifications = new Notifications({ now: this.now, ids: this.ids, sender: this.sender, fetch: fetchImpl, challengeTimeoutMs: o.challengeTimeoutMs });
    this.notifications = notifications;
    this.world = this.newWorld();
  }

  private newWorld(): World {
    const catalog = new Catalog(this.now, this.o.idStart);
    const orders = new Orders(catalog, this.now, this.o.idStart);
    orders.onEvent = (e) => this.onOrderEvent(e);
    return { catalog, orders, inventory: new InventoryApi(catalog), ordersApi: new OrdersApi(orders, this.o.sellerId, this.now), limits: new CallLimits(this.now, this.o.limits) };
  }

  private handlers(op: Operation): Handler {
    const w = this.world;
    const n = this.notifications;
    const all: Record<Operation, Handler> = {
      bulkUpdatePriceQuantity: (r) => w.inventory.bulkUpdatePriceQuantity(r),
      getInventoryItem: (r) => w.inventory.getInventoryItem(r),
      bulkGetInventoryItem: (r) => w.inventory.bulkGetInventoryItem(r),
      getInventoryItems: (r) => w.inventory.getInventoryItems(r),
      getOffers: (r) => w.inventory.getOffers(r),
      getOrders: (r) => w.ordersApi.getOrders(r),
      getOrder: (r) => w.ordersApi.getOrder(r),
      getPublicKey: (r) => n.getPublicKey(r),
      createDestination: (r) => n.createDestination(r),
      getDestination: (r) => n.getDestination(r),
      createSubscription: (r) => n.createSubscription(r),
      getSubscription: (r) => n.getSubscription(r),
    };
    return all[op];
  }

  async listen(port: number): Promise<void> {
    const server = createServer(this.handler);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  get catalog(): Catalog {
    return this.world.catalog;
  }
  get orders(): Orders {
    return this.world.orders;
  }

  // ---- in-process surface (the control endpoints call these) --------------------------------

  /** An inventory item with a published fixed-price offer (a live listing). */
  addListing(p: NewListing) {
    return this.catalog.addListing(p);
  }
  /** What a buyer can buy of a SKU now: min(ship-to-home quantity, the listing's availableQuantity). */
  quantity(sku: string): number {
    this.catalog.item(sku);
    const live = this.catalog.listingOf(sku);
    return live ? this.catalog.visible(live) : 0;
  }
  /** The seller edits the quantity by hand (not an API revision). */
  setQuantity(sku: string, quantity: number, availableQuantity?: number | null) {
    return this.catalog.setQuantity(sku, quantity, availableQuantity);
  }
  placeOrder(p: PlaceOrder) {
    return this.orders.place(p);
  }
  order(orderId: string) {
    return this.orders.order(orderId);
  }
  payOrder(orderId: string) {
    return this.orders.pay(orderId);
  }
  shipOrder(orderId: string, lineItemIds?: string[]) {
    return this.orders.ship(orderId, lineItemIds);
  }
  requestCancellation(orderId: string, p?: Parameters<Orders['requestCancellation']>[1]) {
    return this.orders.requestCancellation(orderId, p);
  }
  completeCancellation(orderId: string, p?: Parameters<Orders['completeCancellation']>[1]) {
    return this.orders.completeCancellation(orderId, p);
  }
  setLimit(api: string, change: Partial<ApiLimit>): ApiLimit {
    if (!isApi(api)) throw invalid(`api ${api} is not one of inventory, fulfillment, notification`);
    return asInvalid(() => this.world.limits.set(api, change));
  }
  /** Empties an API's bucket, as another application of the same seller would. */
  drainBucket(api: string): void {
    if (!isApi(api)) throw invalid(`api ${api} is not one of inventory, fulfillment, notification`);
    this.world.limits.drain(api);
  }
  failNext(fault: ApiFault, times = 1, operation?: string): { fault: ApiFault; times: number; operation: string | null }[] {
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
  expireTokens(): void {
    this.oauth.expireAll();
  }
  revokeRefreshToken(revoked = true): void {
    this.oauth.refreshTokenRevoked = revoked;
  }
  /**
   * What a connector's setup calls do, in one step: a destination for `endpoint` (challenged like
   * createDestination) and an enabled subscription per topic. Refusals are invalid_input problems
   * naming eBay's errorId.
   */
  async subscribe(endpoint: string, verificationToken: string, topics: readonly string[] = ['ORDER_CONFIRMATION']): Promise<{ destinationId: string; subscriptionIds: string[] }> {
    try {
      const d = await this.notifications.addDestination({ name: 'emulator-control', status: 'ENABLED', deliveryConfig: { endpoint, verificationToken } });
      const payload = { format: 'JSON', schemaVersion: '1.0', deliveryProtocol: 'HTTPS' };
      const subscriptionIds = topics.map((topicId) => this.notifications.addSubscription({ topicId, status: 'ENABLED', destinationId: d.destinationId, payload }).subscriptionId);
      return { destinationId: d.destinationId, subscriptionIds };
    } catch (err) {
      if (err instanceof EbayApiError) throw invalid(`eBay error ${err.detail.errorId}: ${err.message}`);
      throw err;
    }
  }
  setNotificationFaults(f: Partial<NotificationFaults>): NotificationFaults {
    asInvalid(() => checkFaults(f));
    this.deliveryFaults = { ...this.deliveryFaults, ...f };
    this.sender.faults.set(this.deliveryFaults);
    return { ...NO_FAULTS, ...this.deliveryFaults };
  }
  async flushNotifications(): Promise<void> {
    await this.sender.flush();
  }
  /**
   * A fresh account: listings, orders, revisions, counters, limits, faults and latency as at the
   * start. Tokens, the signing key, destinations and subscriptions stay.
   */
  reset(): void {
    this.world = this.newWorld();
    this.latencyMs = 0;
    this.apiFaults.clear();
    this.outage.stop();
    this.deliveryFaults = {};
    this.sender.faults.set(NO_FAULTS);
    this.published = 0;
    for (const k of Object.keys(this.count) as (keyof typeof this.count)[]) this.count[k] = 0;
  }

  counters(): EmulatorCounters {
    const s = this.sender.counters;
    return {
      ...this.count,
      tokensIssued: this.oauth.issued,
      tokensRefused: this.oauth.refused,
      tokensThrottled: this.oauth.throttled,
      ...this.world.inventory.counters,
      ...this.orders.counters,
      notificationsPublished: this.published,
      notificationsSent: s.sent,
      notificationsFailed: s.failed,
      notificationsDropped: s.dropped,
      notificationsDuplicated: s.duplicated,
      challengesPassed: this.notifications.challenges.passed,
      challengesFailed: this.notifications.challenges.failed,
      operations: Object.fromEntries([...this.world.limits.counters].map(([op, c]) => [op, { ...c }])),
    };
  }

  listingsState(): Record<string, unknown>[] {
    return [...this.catalog.items.values()].map((i) => listingState(this.catalog, i));
  }

  state(): Record<string, unknown> {
    return {
      seller_id: this.sellerId,
      ebay_day: ebayDay(this.now()),
      revisions_per_day_max: REVISIONS_PER_DAY_MAX,
      counters: this.counters(),
      limits: this.world.limits.status(),
      latency_ms: this.latencyMs,
      api_faults: this.apiFaults.list(),
      notification_faults: { ...NO_FAULTS, ...this.deliveryFaults },
      outage_ms_left: this.outage.remainingMs(),
      public_key_id: this.notifications.keyId,
      destinations: [...this.notifications.destinations.values()].map((d) => ({ destination_id: d.destinationId, name: d.name, status: d.status, endpoint: d.endpoint })),
      subscriptions: [...this.notifications.subscriptions.values()].map((s) => ({ subscription_id: s.subscriptionId, topic_id: s.topicId, status: s.status, destination_id: s.destinationId })),
      listings: this.listingsState(),
      orders: [...this.orders.orders.values()].map((o) => orderState(this.orders, o)),
    };
  }

  async close(): Promise<void> {
    this.sender.close();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- notifications ------------------------------------------------------------------------

  private onOrderEvent(e: OrderEvent): void {
    const at = e.order.lastModifiedDate;
    const lines = e.kind === 'checkout' ? e.order.lines : e.lines;
    const topic = e.kind === 'checkout' ? 'ORDER_CONFIRMATION' : 'ITEM_MARKED_SHIPPED';
    // One notification per line item (eBay's ORDER_CONFIRMATION is per line item too).
    for (const l of lines) {
      this.notifications.publish(topic, { orderId: e.order.orderId, lineItemId: l.lineItemId, legacyItemId: l.legacyItemId }, at);
      this.published++;
    }
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const rawUrl = req.url ?? '/';
      const url = new URL(rawUrl, 'http://localhost');
      const path = url.pathname;
      const method = req.method ?? 'GET';
      if (path.startsWith('/_emulator/')) return sendAnswer(res, await this.control(req, method, path));
      if (path === TOKEN_PATH) return await this.token(req, res, method);
      await this.api(req, res, method, path, url.searchParams, rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '');
    } catch (err) {
      if (!res.headersSent) sendAnswer(res, { status: 500, body: { errors: [{ errorId: 10001, domain: 'EMULATOR', category: 'APPLICATION', message: `Emulator bug: ${(err as Error).message}` }] } });
      else res.destroy();
    }
  }

  private async token(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    const down = this.outage.answer();
    if (down?.kind === 'reset') return void req.socket.destroy();
    if (down) return sendAnswer(res, { status: 503, headers: down.headers, body: { error: 'temporarily_unavailable', error_description: 'The service is temporarily unavailable.' } });
    if (method !== 'POST') return sendAnswer(res, { status: 405, headers: { Allow: 'POST' }, body: { error: 'invalid_request', error_description: 'POST only' } });
    const a = this.oauth.token(header(req, 'authorization'), new URLSearchParams(await readBody(req, BODY_BYTES_MAX)));
    return sendAnswer(res, { status: a.status, headers: { 'Cache-Control': 'no-store' }, body: a.body });
  }

  private async api(req: IncomingMessage, res: ServerResponse, method: string, path: string, query: URLSearchParams, rawQuery: string): Promise<void> {
    const headers: Record<string, string> = { 'X-EBAY-C-REQUEST-ID': randomUuid(this.ids) };
    const { found, pathKnown } = matchRoute(ROUTES, method, path);
    if (!found) {
      const status = pathKnown ? 405 : 404;
      return sendAnswer(res, { status, headers, body: { errors: [{ errorId: 2002, domain: 'ACCESS', category: 'REQUEST', message: `No operation ${method} ${path} (emulated: ${status === 405 ? 'method not allowed' : 'resource not found'}).` }] } });
    }
    this.count.requests++;
    const down = this.outage.answer();
    if (down?.kind === 'reset') return void req.socket.destroy();
    if (down) return sendAnswer(res, { status: 503, headers: { ...headers, ...down.headers }, body: { errors: [UNAVAILABLE] } });
    const op = found.route.operation;
    const api = OPERATIONS[op];
    const token = this.oauth.check(header(req, 'authorization'));
    if (token.state !== 'live') {
      this.count.unauthorized++;
      return sendAnswer(res, { status: 401, headers, body: { errors: [INVALID_TOKEN] } });
    }
    // Application tokens reach the Notification API only; the Sell APIs act for a seller.
    if (token.kind === 'application' && api !== 'notification') {
      this.count.forbidden++;
      return sendAnswer(res, { status: 403, headers, body: { errors: [INSUFFICIENT] } });
    }
    const limits = this.world.limits;
    const refusal = limits.take(op);
    if (refusal) {
      this.count.throttled++;
      const h = this.o.throttleRetryAfter ? { ...headers, 'Retry-After': String(limits.retryAfterSeconds(op, refusal)) } : headers;
      return sendAnswer(res, { status: 429, headers: h, body: { errors: [THROTTLED] } });
    }
    const fault = this.apiFaults.take(op);
    if (this.latencyMs > 0) await this.scheduler.sleep(this.latencyMs);
    if (fault) {
      this.count.apiFaults++;
      return sendAnswer(res, { status: fault === 'InternalError' ? 500 : 503, headers, body: { errors: [fault === 'InternalError' ? SYSTEM_ERROR[api] : UNAVAILABLE] } });
    }
    let body: unknown;
    const text = await readBody(req, BODY_BYTES_MAX);
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        const d = api === 'inventory' ? { ...SYSTEM_ERROR.inventory, errorId: 25002, category: 'REQUEST' as const, message: 'Any User error. The request body is not valid JSON.' } : { errorId: 2004, domain: 'ACCESS', category: 'REQUEST' as const, message: 'Invalid request. The request body is not valid JSON.' };
        return sendAnswer(res, { status: 400, headers, body: { errors: [d] } });
      }
    }
    const origin = this.o.publicUrl ?? `http://${header(req, 'host') ?? '127.0.0.1'}`;
    const lowered: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) lowered[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    try {
      const a = await this.handlers(op)({ method, params: found.params, query, rawQuery, headers: lowered, body, origin });
      return sendAnswer(res, { ...a, headers: { ...headers, ...a.headers } });
    } catch (err) {
      if (err instanceof EbayApiError) return sendAnswer(res, { status: err.status, headers, body: err.body() });
      throw err;
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

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** An emulator without a socket: reach it with `inProcessFetch(ebay.handler, { origin })`. */
export function createEbayEmulator(o: EbayEmulatorOptions = {}): EbayEmulator {
  return new EbayEmulator(o);
}

/** An emulator behind an HTTP server on 127.0.0.1 (`ebay.url`). */
export async function startEbayEmulator(o: EbayEmulatorOptions = {}): Promise<EbayEmulator> {
  const e = new EbayEmulator(o);
  await e.listen(o.port ?? 0);
  return e;
}
