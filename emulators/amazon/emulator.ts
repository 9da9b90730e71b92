// One emulated Amazon seller account behind a real HTTP server on 127.0.0.1: the LWA token
// endpoint, the SP-API operations truestock calls, an emulated S3 for feed documents, the control
// endpoints, and an optional relay of ORDER_CHANGE and LISTINGS_ITEM_MFN_QUANTITY_CHANGE
// notifications. Time, buckets, outages and signed delivery are the emulator kit's (../kit); what
// is Amazon's is here and in the files it imports.
//
// An SP-API call passes, in order: outage → access token (403) → the operation's bucket (429) →
// armed faults (500/503) → latency → the operation. Answers carry `x-amzn-RequestId` and, past the
// bucket, `x-amzn-RateLimit-Limit`.

import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArmedFaults, checkAddress, checkFaults, type KitScheduler, matchRoute, NO_FAULTS, type NodeHandler, Outage, type Random, randomUuid, readBody, readJsonBody, realScheduler, route, type Route, schedulerOn, seededRandom, sendAnswer, WebhookSender } from '../kit/index.ts';
import { answerControl, type Controlled } from './control.ts';
import { asInvalid, invalid, problemAnswer, SpApiError } from './errors.ts';
import { FbaSummaries } from './fba-api.ts';
import { FeedsApi, S3_PREFIX } from './feeds-api.ts';
import type { ApiRequest, HttpAnswer } from './http-answer.ts';
import { getListingsItem, patchListingsItem, searchListingsItems } from './listings-api.ts';
import { type Listing, MFN_CHANNEL_CODE } from './listings.ts';
import { Lwa } from './lwa.ts';
import { OrderSearch } from './orders-api.ts';
import { type AmazonOrder, orderChangeNotification } from './orders.ts';
import { MFN_QUANTITY_CHANGE, mfnQuantityChangeNotification } from './quantity-notification.ts';
import { isOperation, type Operation, rateHeader, UsagePlans, type UsagePlan } from './rate-limits.ts';
import { Seller } from './seller.ts';
import { fbaState, listingState, orderState } from './views.ts';
import { API_FAULTS, type AmazonEmulatorOptions, type ApiFault, type Delays, NOTIFICATION_TYPES, type NotificationFaults, type NotificationType } from './types.ts';

const DEFAULTS = {
  sellerId: 'A1EMULATEDSELLER',
  marketplaceIds: ['ATVPDKIKX0DER'],
  clientId: 'amzn1.application-oa2-client.emulated',
  clientSecret: 'emulated-client-secret',
  refreshToken: 'Atzr|emulated-refresh-token',
  accessTokenTtlSeconds: 3600,
  productTypes: ['PRODUCT'],
  listingProcessingMs: 5000,
  feedQueueMs: 10_000,
  feedProcessingMs: 30_000,
  afnChannelCode: 'AMAZON_NA',
  fbaPageSize: 50,
  throttleRetryAfter: false,
  notificationRetry: { attempts: 5, baseDelayMs: 1000 },
  notificationTimeoutMs: 5000,
  applicationId: 'amzn1.sp.solution.emulated',
  seed: 1,
};

const BODY_BYTES_MAX = 64 * 1024 * 1024;
const LATENCY_MS_MAX = 60_000;
const OUTAGE_SECONDS_MAX = 3600;
/** Ids and tokens come from their own PRNGs (seed xor a salt), apart from the fault draws. */
const ID_SEED_SALT = 0x5bd1e995;
const TOKEN_SEED_SALT = 0x27d4eb2f;
export const RELAY_SIGNATURE_HEADER = 'x-truestock-relay-signature';
const THROTTLED = { errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }] };
const FAULT_ANSWERS: Record<ApiFault, { status: number; message: string }> = {
  InternalFailure: { status: 500, message: 'We encountered an internal error. Please try again.' },
  ServiceUnavailable: { status: 503, message: 'Service is temporarily unavailable. Please try again.' },
};

export interface EmulatorCounters {
  requests: number;
  unauthorized: number;
  throttled: number;
  apiFaults: number;
  tokensIssued: number;
  tokensRefused: number;
  patchesAccepted: number;
  patchesInvalid: number;
  patchesApplied: number;
  patchesFailed: number;
  feedsCreated: number;
  feedsDone: number;
  feedsFatal: number;
  feedsCancelled: number;
  ordersPlaced: number;
  ordersRefusedOutOfStock: number;
  notificationsSent: number;
  notificationsFailed: number;
  notificationsDropped: number;
  notificationsDuplicated: number;
  /** Calls and throttled answers per operation. */
  operations: Record<string, { calls: number; throttled: number }>;
}

type Handler = (req: ApiRequest) => HttpAnswer;

const ROUTES: Route<Operation>[] = [
  route('PATCH', '/listings/2021-08-01/items/{sellerId}/{sku}', 'patchListingsItem'),
  route('GET', '/listings/2021-08-01/items/{sellerId}/{sku}', 'getListingsItem'),
  route('GET', '/listings/2021-08-01/items/{sellerId}', 'searchListingsItems'),
  route('POST', '/feeds/2021-06-30/documents', 'createFeedDocument'),
  route('GET', '/feeds/2021-06-30/documents/{feedDocumentId}', 'getFeedDocument'),
  route('POST', '/feeds/2021-06-30/feeds', 'createFeed'),
  route('GET', '/feeds/2021-06-30/feeds/{feedId}', 'getFeed'),
  route('DELETE', '/feeds/2021-06-30/feeds/{feedId}', 'cancelFeed'),
  route('GET', '/orders/2026-01-01/orders', 'searchOrders'),
  route('GET', '/orders/2026-01-01/orders/{orderId}', 'getOrder'),
  route('GET', '/fba/inventory/v1/summaries', 'getInventorySummaries'),
];

/** The seller's data and the APIs over it; `reset` replaces all of it. */
interface World {
  seller: Seller;
  handlers: Record<Operation, Handler>;
  plans: UsagePlans;
  feeds: FeedsApi;
}

export class AmazonEmulator implements Controlled {
  url = '';
  readonly sellerId: string;
  readonly marketplaceIds: string[];
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  /** The request handler the server runs, for the kit's `inProcessFetch(amazon.handler, { origin })`. */
  readonly handler: NodeHandler = (req, res) => this.handle(req, res);
  readonly server: Server;
  readonly lwa: Lwa;
  private readonly o: typeof DEFAULTS & AmazonEmulatorOptions;
  private readonly scheduler: KitScheduler;
  private readonly now: () => number;
  private readonly outage: Outage;
  private readonly ids: Random;
  private readonly documentTokens: Random;
  private world!: World;
  private delays: Delays;
  private latencyMs = 0;
  private readonly apiFaults = new ArmedFaults<ApiFault, Operation>(API_FAULTS, isOperation);
  private relay: WebhookSender | null = null;
  private readonly relayRandom: Random;
  private relayFaults: Partial<NotificationFaults> = {};
  /** One subscription per notification type, as Amazon's Notifications API makes them. */
  private subscriptionIds: Partial<Record<NotificationType, string>> = {};
  /** The time of the last quantity notification: each later one is at least 1 ms after it. */
  private lastQuantityAt = -Infinity;
  private retiredRelays: WebhookSender[] = [];
  private readonly count = { requests: 0, unauthorized: 0, throttled: 0, apiFaults: 0 };

  constructor(options: AmazonEmulatorOptions = {}) {
    const { clock, scheduler, ...rest } = options;
    const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & AmazonEmulatorOptions;
    if (clock && scheduler && clock !== scheduler.clock) throw invalid('clock and scheduler.clock must be the same clock');
    this.scheduler = scheduler ?? (clock ? schedulerOn(clock) : realScheduler);
    const time = this.scheduler.clock;
    this.now = () => time.now();
    if (!Array.isArray(o.marketplaceIds) || o.marketplaceIds.length === 0) throw invalid('marketplaceIds must name at least one marketplace');
    if (!(o.accessTokenTtlSeconds > 0)) throw invalid('accessTokenTtlSeconds must be above 0');
    if (!(Number.isSafeInteger(o.fbaPageSize) && o.fbaPageSize >= 1)) throw invalid('fbaPageSize must be a whole number above 0');
    if (o.idStart !== undefined && !(Number.isSafeInteger(o.idStart) && o.idStart >= 0)) throw invalid('idStart must be a whole number of 0 or more');
    this.o = o;
    this.delays = checkDelays({ listingProcessingMs: o.listingProcessingMs, feedQueueMs: o.feedQueueMs, feedProcessingMs: o.feedProcessingMs });
    this.sellerId = o.sellerId;
    this.marketplaceIds = [...o.marketplaceIds];
    this.clientId = o.clientId;
    this.clientSecret = o.clientSecret;
    this.refreshToken = o.refreshToken;
    this.outage = new Outage(this.now);
    this.ids = seededRandom(o.seed ^ ID_SEED_SALT);
    this.documentTokens = seededRandom((o.seed ^ ID_SEED_SALT) + 1);
    this.relayRandom = seededRandom(o.seed);
    this.lwa = new Lwa({ clientId: o.clientId, clientSecret: o.clientSecret, refreshToken: o.refreshToken }, o.accessTokenTtlSeconds, this.now, seededRandom(o.seed ^ TOKEN_SEED_SALT));
    this.world = this.newWorld();
    if (o.notifications) this.configureNotifications(o.notifications.address, o.notifications.secret, o.notifications.types);
    this.server = createServer((req, res) => void this.handler(req, res));
  }

  private newWorld(): World {
    const seller = new Seller(
      { sellerId: this.o.sellerId, marketplaceIds: this.o.marketplaceIds, productTypes: this.o.productTypes, listingProcessingMs: this.delays.listingProcessingMs, afnChannelCode: this.o.afnChannelCode, idStart: this.o.idStart },
      this.now,
      () => randomUuid(this.ids),
    );
    seller.onOrderChange = (order, reason, at) => this.notify(order, reason, at);
    seller.onQuantityChange = (listing, at) => this.notifyQuantity(listing, at);
    const orders = new OrderSearch(seller, this.now);
    const fba = new FbaSummaries(seller, this.now, this.o.fbaPageSize);
    const feeds = new FeedsApi(seller, this.now, this.documentTokens, () => ({ queueMs: this.delays.feedQueueMs, processingMs: this.delays.feedProcessingMs }));
    const handlers: Record<Operation, Handler> = {
      patchListingsItem: (r) => patchListingsItem(seller, r),
      getListingsItem: (r) => getListingsItem(seller, r),
      searchListingsItems: (r) => searchListingsItems(seller, r),
      createFeedDocument: (r) => feeds.createFeedDocument(r),
      getFeedDocument: (r) => feeds.getFeedDocument(r),
      createFeed: (r) => feeds.createFeed(r),
      getFeed: (r) => feeds.getFeed(r),
      cancelFeed: (r) => feeds.cancelFeed(r),
      searchOrders: (r) => orders.searchOrders(r),
      getOrder: (r) => orders.getOrder(r),
      getInventorySummaries: (r) => fba.getInventorySummaries(r),
    };
    return { seller, handlers, plans: new UsagePlans(this.now, this.o.usagePlans), feeds };
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get seller(): Seller {
    return this.world.seller;
  }

  // ---- in-process surface (the control endpoints call these) --------------------------------

  addListing(p: Parameters<Seller['addListing']>[0]) {
    return this.seller.addListing(p);
  }
  listing(sku: string) {
    return this.seller.listing(sku);
  }
  /** The quantity a buyer can buy now (MFN: the listing's; AFN: fulfillable FBA units). */
  quantity(sku: string): number {
    return this.seller.sellable(this.seller.listing(sku));
  }
  setQuantity(sku: string, quantity: number) {
    return this.seller.setQuantity(sku, quantity);
  }
  failSku(sku: string, failure: { code?: string; message?: string } | null) {
    this.seller.listing(sku);
    this.seller.failSku(sku, failure === null ? null : { code: failure.code ?? 'EMULATED_FAILURE', message: failure.message ?? `Processing of ${sku} failed (emulated).` });
  }
  setFbaStock(sku: string, buckets: Parameters<Seller['setFbaStock']>[1]) {
    return this.seller.setFbaStock(sku, buckets);
  }
  receiveInbound(sku: string, quantity: number) {
    return this.seller.receiveInbound(sku, quantity);
  }
  placeOrder(p: Parameters<Seller['placeOrder']>[0]) {
    return this.seller.placeOrder(p);
  }
  order(orderId: string) {
    return this.seller.order(orderId);
  }
  confirmPayment(orderId: string) {
    return this.seller.confirmPayment(orderId);
  }
  shipOrder(orderId: string, lines?: Parameters<Seller['shipOrder']>[1]) {
    return this.seller.shipOrder(orderId, lines);
  }
  cancelOrder(orderId: string, p?: Parameters<Seller['cancelOrder']>[1]) {
    return this.seller.cancelOrder(orderId, p);
  }
  /** Processing delays from now on (work already scheduled keeps its time). */
  setDelays(d: Partial<Delays>): Delays {
    this.delays = checkDelays({ ...this.delays, ...d });
    this.seller.settings.listingProcessingMs = this.delays.listingProcessingMs;
    return { ...this.delays };
  }
  setUsagePlan(operation: string, plan: UsagePlan): UsagePlan {
    if (!isOperation(operation)) throw invalid(`operation ${operation} is not one the emulator serves`);
    asInvalid(() => this.world.plans.set(operation, plan));
    return this.world.plans.plan(operation);
  }
  /** Empties an operation's bucket, as another application of the same seller would. */
  drainBucket(operation: string): void {
    if (!isOperation(operation)) throw invalid(`operation ${operation} is not one the emulator serves`);
    this.world.plans.drain(operation);
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
    this.lwa.expireAll();
  }
  revokeRefreshToken(revoked = true): void {
    this.lwa.refreshTokenRevoked = revoked;
  }
  /** Relays `types` (default: every type the emulator sends) to `address`, replacing an earlier relay. */
  configureNotifications(address: string, secret: string, types: readonly NotificationType[] = NOTIFICATION_TYPES): void {
    asInvalid(() => checkAddress(address));
    if (typeof secret !== 'string' || secret === '') throw invalid('secret must be a non-empty string');
    if (!Array.isArray(types) || types.length === 0 || !types.every((t) => (NOTIFICATION_TYPES as readonly string[]).includes(t))) {
      throw invalid(`types must be a non-empty array of ${NOTIFICATION_TYPES.join(', ')}`);
    }
    if (this.relay) this.retiredRelays.push(this.relay);
    const sender = new WebhookSender({
      sign: (body) => ({ [RELAY_SIGNATURE_HEADER]: createHmac('sha256', secret).update(body).digest('base64') }),
      retry: this.o.notificationRetry,
      timeoutMs: this.o.notificationTimeoutMs,
      scheduler: this.scheduler,
      random: this.relayRandom,
      newId: () => randomUuid(this.ids),
      downForMs: () => 0,
    });
    asInvalid(() => sender.faults.set(this.relayFaults));
    sender.subscribe(address, types);
    this.subscriptionIds = Object.fromEntries(types.map((t) => [t, randomUuid(this.ids)]));
    this.relay = sender;
  }
  setNotificationFaults(f: Partial<NotificationFaults>): NotificationFaults {
    asInvalid(() => checkFaults(f));
    this.relayFaults = { ...this.relayFaults, ...f };
    this.relay?.faults.set(this.relayFaults);
    return { ...NO_FAULTS, ...this.relayFaults };
  }
  async flushNotifications(): Promise<void> {
    await Promise.all([...this.retiredRelays, ...(this.relay ? [this.relay] : [])].map((s) => s.flush()));
  }
  /** A fresh account: listings, stock, orders, feeds, counters, buckets, faults and delays as at the start. LWA tokens stay valid. */
  reset(): void {
    this.delays = checkDelays({ listingProcessingMs: this.o.listingProcessingMs, feedQueueMs: this.o.feedQueueMs, feedProcessingMs: this.o.feedProcessingMs });
    this.world = this.newWorld();
    this.latencyMs = 0;
    this.apiFaults.clear();
    this.outage.stop();
    this.relayFaults = {};
    this.relay?.faults.set(NO_FAULTS);
    for (const k of Object.keys(this.count) as (keyof typeof this.count)[]) this.count[k] = 0;
  }

  counters(): EmulatorCounters {
    const s = this.seller.counters;
    const relays = [...this.retiredRelays, ...(this.relay ? [this.relay] : [])];
    const sum = (k: 'sent' | 'failed' | 'dropped' | 'duplicated') => relays.reduce((n, r) => n + r.counters[k], 0);
    return {
      ...this.count,
      tokensIssued: this.lwa.issued,
      tokensRefused: this.lwa.refused,
      ...s,
      notificationsSent: sum('sent'),
      notificationsFailed: sum('failed'),
      notificationsDropped: sum('dropped'),
      notificationsDuplicated: sum('duplicated'),
      operations: Object.fromEntries([...this.world.plans.counters].map(([op, c]) => [op, { ...c }])),
    };
  }

  state(): Record<string, unknown> {
    const seller = this.seller;
    seller.catchUp();
    return {
      seller_id: this.sellerId,
      marketplace_ids: this.marketplaceIds,
      counters: this.counters(),
      usage_plans: this.world.plans.status(),
      delays: { listing_processing_ms: this.delays.listingProcessingMs, feed_queue_ms: this.delays.feedQueueMs, feed_processing_ms: this.delays.feedProcessingMs },
      latency_ms: this.latencyMs,
      api_faults: this.apiFaults.list(),
      pending_work: seller.due.pending,
      listings: [...seller.listings.values()].map((l) => listingState(seller, l)),
      fba: [...seller.fba.values()].map(fbaState),
      orders: [...seller.orders.values()].map(orderState),
      feeds: [...seller.feeds.values()].map((f) => ({ ...f })),
    };
  }

  listingsState(): Record<string, unknown>[] {
    this.seller.catchUp();
    return [...this.seller.listings.values()].map((l) => listingState(this.seller, l));
  }

  async close(): Promise<void> {
    for (const r of [...this.retiredRelays, ...(this.relay ? [this.relay] : [])]) r.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- notifications ------------------------------------------------------------------------

  private notify(order: AmazonOrder, reason: string, at: number): void {
    if (!this.relay) return;
    const envelope = orderChangeNotification(order, {
      sellerId: this.sellerId,
      applicationId: this.o.applicationId,
      subscriptionId: this.subscriptionIds.ORDER_CHANGE ?? '',
      notificationId: randomUuid(this.ids),
      at,
      reason,
    });
    this.relay.send('ORDER_CHANGE', JSON.stringify(envelope), at);
  }

  private notifyQuantity(listing: Listing, changedAt: number): void {
    const subscriptionId = this.subscriptionIds[MFN_QUANTITY_CHANGE];
    if (!this.relay || subscriptionId === undefined || listing.quantity === null) return;
    // Strictly later than the last one: a receiver ordering by EventTime sees the changes in the
    // order they happened, even two in one millisecond (a feed applies at a whole second).
    const at = Math.max(changedAt, this.lastQuantityAt + 1);
    this.lastQuantityAt = at;
    const envelope = mfnQuantityChangeNotification({
      sellerId: this.sellerId,
      sku: listing.sku,
      channelCode: MFN_CHANNEL_CODE,
      quantity: listing.quantity,
      applicationId: this.o.applicationId,
      subscriptionId,
      notificationId: randomUuid(this.ids),
      at,
    });
    this.relay.send(MFN_QUANTITY_CHANGE, JSON.stringify(envelope), at);
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      const method = req.method ?? 'GET';
      if (path.startsWith('/_emulator/')) return sendAnswer(res, await this.control(req, method, path));
      if (path.startsWith(S3_PREFIX)) {
        this.seller.catchUp();
        const body = await readBody(req, BODY_BYTES_MAX);
        return sendAnswer(res, this.world.feeds.s3(method, decodeURIComponent(path.slice(S3_PREFIX.length)), body));
      }
      if (path === '/auth/o2/token') {
        const down = this.outage.answer();
        if (down?.kind === 'reset') return void req.socket.destroy();
        if (down) return sendAnswer(res, { status: 503, headers: down.headers, body: { error: 'temporarily_unavailable', error_description: 'The service is temporarily unavailable.' } });
        if (method !== 'POST') return sendAnswer(res, { status: 405, headers: { Allow: 'POST' }, body: { error: 'invalid_request', error_description: 'POST only' } });
        const a = this.lwa.token(new URLSearchParams(await readBody(req, BODY_BYTES_MAX)));
        return sendAnswer(res, { status: a.status, headers: { 'Cache-Control': 'no-store' }, body: a.body });
      }
      await this.api(req, res, method, path, url.searchParams);
    } catch (err) {
      if (!res.headersSent) sendAnswer(res, { status: 500, body: { errors: [{ code: 'InternalFailure', message: `Emulator bug: ${(err as Error).message}` }] } });
      else res.destroy();
    }
  }

  private async api(req: IncomingMessage, res: ServerResponse, method: string, path: string, query: URLSearchParams): Promise<void> {
    const requestId = randomUuid(this.ids);
    const headers: Record<string, string> = { 'x-amzn-RequestId': requestId };
    const { found, pathKnown } = matchRoute(ROUTES, method, path);
    if (!found) {
      return sendAnswer(res, { status: pathKnown ? 405 : 404, headers, body: { errors: [{ code: pathKnown ? 'MethodNotAllowed' : 'NotFound', message: `No operation ${method} ${path}.` }] } });
    }
    this.count.requests++;
    const down = this.outage.answer();
    if (down?.kind === 'reset') return void req.socket.destroy();
    if (down) return sendAnswer(res, { status: 503, headers: { ...headers, ...down.headers }, body: { errors: [{ code: 'ServiceUnavailable', message: FAULT_ANSWERS.ServiceUnavailable.message }] } });
    const token = req.headers['x-amz-access-token'];
    const live = this.lwa.live(typeof token === 'string' ? token : undefined);
    if (live !== 'live') {
      this.count.unauthorized++;
      const details = live === 'expired' ? 'The access token you provided has expired.' : 'The access token you provided is revoked, malformed or otherwise invalid.';
      return sendAnswer(res, { status: 403, headers, body: { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details }] } });
    }
    const op = found.route.operation;
    const plans = this.world.plans;
    if (!plans.take(op)) {
      this.count.throttled++;
      const h = this.o.throttleRetryAfter ? { ...headers, 'Retry-After': String(plans.retryAfterSeconds(op)) } : headers;
      return sendAnswer(res, { status: 429, headers: h, body: THROTTLED });
    }
    headers['x-amzn-RateLimit-Limit'] = rateHeader(plans.plan(op).rate);
    const fault = this.apiFaults.take(op);
    if (this.latencyMs > 0) await this.scheduler.sleep(this.latencyMs);
    if (fault) {
      this.count.apiFaults++;
      return sendAnswer(res, { status: FAULT_ANSWERS[fault].status, headers, body: { errors: [{ code: fault, message: FAULT_ANSWERS[fault].message }] } });
    }
    let body: unknown;
    const text = await readBody(req, BODY_BYTES_MAX);
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        return sendAnswer(res, { status: 400, headers, body: new SpApiError(400, 'InvalidInput', 'The request body is not valid JSON.').body() });
      }
    }
    const origin = this.o.publicUrl ?? `http://${req.headers.host ?? '127.0.0.1'}`;
    this.seller.catchUp();
    try {
      const a = this.world.handlers[op]({ method, params: found.params, query, body, origin });
      return sendAnswer(res, { ...a, headers: { ...headers, ...a.headers } });
    } catch (err) {
      if (err instanceof SpApiError) {
        // The model declares the rate-limit header on 200/400/404 answers only.
        const h = err.status === 403 ? { 'x-amzn-RequestId': requestId } : headers;
        return sendAnswer(res, { status: err.status, headers: h, body: err.body() });
      }
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

function checkDelays(d: Delays): Delays {
  for (const [k, v] of Object.entries(d)) if (!(Number.isFinite(v) && v >= 0)) throw invalid(`${k} must be a number of 0 or more`);
  return { ...d };
}


export async function startAmazonEmulator(o: AmazonEmulatorOptions = {}): Promise<AmazonEmulator> {
  const e = new AmazonEmulator(o);
  await e.listen(o.port ?? 0);
  return e;
}
