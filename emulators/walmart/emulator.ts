// One emulated Walmart Marketplace seller behind a real HTTP server on 127.0.0.1 (or the kit's
// in-process fetch): the Token API, inventory (single, multi-node, bulk feeds), feeds, orders,
// webhook subscriptions with signed deliveries, and the control endpoints. Time, buckets,
// outages and delivery are the emulator kit's (../kit); what is Walmart's is here and in the
// files it imports.
//
// An API call passes, in order: route (404/405) → outage (503 with Retry-After and no body, or a
// reset connection) → WM_SVC.NAME and WM_QOS.CORRELATION_ID (400 MISSING_REQUEST_HEADER) →
// WM_SEC.ACCESS_TOKEN (401 UNAUTHORIZED; not for POST /v3/token, which checks Basic credentials)
// → the operation's bucket (429 REQUEST_THRESHOLD_VIOLATED with Retry-After) → armed faults
// (500/503/504) → latency → due feeds applied → the operation. Answers echo the correlation id.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArmedFaults, type KitScheduler, matchRoute, type NodeHandler, Outage, type Random, randomUuid, realScheduler, route, type Route, schedulerOn, seededRandom, sendAnswer } from '../kit/index.ts';
import { TokenIssuer } from './auth.ts';
import { answerControl, type Controlled } from './control.ts';
import { asInvalid, EmulatorError, invalid, notFound, problemAnswer, WALMART_CODES, type WalmartCode, WalmartError, walmartErrorBody } from './errors.ts';
import { Feeds } from './feeds.ts';
import { FeedsApi } from './feeds-api.ts';
import type { ApiRequest, HttpAnswer } from './http-answer.ts';
import { type FeedFailure, Inventory, type Sku } from './inventory.ts';
import { getAllSkuNodes, getInventory, getSkuNodes, updateInventory, updateSkuNodes } from './inventory-api.ts';
import { deliveryAuthHeaders, EVENT_TYPES, Notifications } from './notifications.ts';
import { orderRecord } from './order-view.ts';
import { AUTO_CANCEL_REASON, FRAUD_CANCEL_REASON, lineQuantity, Orders, type PurchaseOrder } from './orders.ts';
import { OrdersApi } from './orders-api.ts';
import { isOperation, type Operation, type RateLimit, RateLimits } from './rate-limits.ts';
import { API_FAULTS, type ApiFault, type FeedDelaySettings, type NotificationFaults, type WalmartEmulatorOptions } from './types.ts';

const DEFAULTS = {
  partnerId: '10000000001',
  clientId: 'emulated-walmart-client-id',
  clientSecret: 'emulated-walmart-client-secret',
  accessTokenTtlSeconds: 900,
  shipNodes: ['10000000001'],
  feedReceivedMs: 5 * 60_000,
  feedProcessingMs: 25 * 60_000,
  feedsPerHour: 10,
  hmacEncoding: 'base64' as const,
  notificationRetry: { attempts: 3, baseDelayMs: 5000 },
  notificationTimeoutMs: 10_000,
  idStart: 0,
  seed: 1,
};

/** Any request body above this is refused unread (a feed file's own limit is 5 MB, feeds-api.ts). */
const BODY_BYTES_MAX = 16 * 1024 * 1024;
const LATENCY_MS_MAX = 60_000;
const OUTAGE_SECONDS_MAX = 3600;
/** Ids and tokens come from their own PRNGs (seed xor a salt), apart from the fault draws. */
const ID_SEED_SALT = 0x5bd1e995;
const TOKEN_SEED_SALT = 0x27d4eb2f;
const CORRELATION_HEADER = 'WM_QOS.CORRELATION_ID';
const FAULT_STATUS: Record<ApiFault, WalmartCode> = { SYSTEM_ERROR: 'SYSTEM_ERROR', SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE', DOWNSTREAM_SYSTEM_TIME_OUT: 'DOWNSTREAM_SYSTEM_TIME_OUT' };

export interface EmulatorCounters {
  requests: number;
  unauthorized: number;
  missingHeaders: number;
  throttled: number;
  apiFaults: number;
  tokensIssued: number;
  tokensRefused: number;
  feedsSubmitted: number;
  feedsProcessed: number;
  feedsErrored: number;
  feedsRefusedHourly: number;
  feedsRefusedTooLarge: number;
  feedItemsSucceeded: number;
  feedItemsFailed: number;
  ordersPlaced: number;
  ordersRefusedOutOfStock: number;
  linesAcknowledged: number;
  linesShipped: number;
  linesCancelled: number;
  linesAutoCancelled: number;
  linesFraudCancelled: number;
  notificationsSent: number;
  notificationsAttempts: number;
  notificationsFailed: number;
  notificationsDropped: number;
  notificationsDuplicated: number;
  /** Calls and throttled answers per operation (operationIds of the models). */
  operations: Record<string, { calls: number; throttled: number }>;
}

type Handler = (r: ApiRequest, token: string) => HttpAnswer | Promise<HttpAnswer>;

// Literal paths before templated ones (/v3/orders/released before /v3/orders/{purchaseOrderId}).
const ROUTES: Route<Operation>[] = [
  route('POST', '/v3/token', 'tokenAPI'),
  route('GET', '/v3/token/detail', 'getTokenDetail'),
  route('GET', '/v3/inventory', 'getInventory'),
  route('PUT', '/v3/inventory', 'updateInventoryForAnItem'),
  route('GET', '/v3/inventories', 'getMultiNodeInventoryForAllSkuAndAllShipNodes'),
  route('GET', '/v3/inventories/{sku}', 'getMultiNodeInventoryForSkuAndAllShipnodes'),
  route('PUT', '/v3/inventories/{sku}', 'updateMultiNodeInventory'),
  route('POST', '/v3/feeds', 'updateBulkInventory'),
  route('GET', '/v3/feeds', 'getAllFeedStatuses'),
  route('GET', '/v3/feeds/{feedId}', 'getFeedItemStatus'),
  route('GET', '/v3/orders', 'getAllOrders'),
  route('GET', '/v3/orders/released', 'getAllReleasedOrders'),
  route('GET', '/v3/orders/{purchaseOrderId}', 'getAnOrder'),
  route('POST', '/v3/orders/{purchaseOrderId}/acknowledge', 'acknowledgeOrders'),
  route('POST', '/v3/orders/{purchaseOrderId}/cancel', 'cancelOrderLines'),
  route('POST', '/v3/orders/{purchaseOrderId}/shipping', 'shippingUpdates'),
  route('GET', '/v3/webhooks/subscriptions', 'getAllSubscriptions'),
  route('POST', '/v3/webhooks/subscriptions', 'createSubscription'),
  route('PATCH', '/v3/webhooks/subscriptions/{subscriptionId}', 'updateSubscription'),
  route('DELETE', '/v3/webhooks/subscriptions/{subscriptionId}', 'deleteSubscription'),
  route('GET', '/v3/webhooks/eventTypes', 'getEventTypes'),
  route('POST', '/v3/webhooks/test', 'testNotification'),
];

/** The seller's data and the APIs over it; `reset` replaces all of it. */
interface World {
  inventory: Inventory;
  feeds: Feeds;
  orders: Orders;
  notifications: Notifications;
  limits: RateLimits;
  handlers: Record<Operation, Handler>;
}

export class WalmartEmulator implements Controlled {
  url = '';
  readonly partnerId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly shipNodes: readonly string[];
  /** The request handler the server runs, for the kit's `inProcessFetch(walmart.handler, { origin })`. */
  readonly handler: NodeHandler = (req, res) => this.handle(req, res);
  readonly server: Server;
  readonly tokens: TokenIssuer;
  private readonly o: typeof DEFAULTS & WalmartEmulatorOptions;
  private readonly scheduler: KitScheduler;
  private readonly now: () => number;
  private readonly outage: Outage;
  private readonly ids: Random;
  private readonly faultRandom: Random;
  private world!: World;
  private delays: FeedDelaySettings;
  private feedsPerHour: number;
  private hmacEncoding: 'base64' | 'hex';
  private latencyMs = 0;
  private readonly apiFaults = new ArmedFaults<ApiFault, Operation>(API_FAULTS, isOperation);
  private retiredWorlds: Notifications[] = [];
  private readonly count = { requests: 0, unauthorized: 0, missingHeaders: 0, throttled: 0, apiFaults: 0 };

  constructor(options: WalmartEmulatorOptions = {}) {
    const { clock, scheduler, ...rest } = options;
    const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & WalmartEmulatorOptions;
    if (clock && scheduler && clock !== scheduler.clock) throw invalid('clock and scheduler.clock must be the same clock');
    this.scheduler = scheduler ?? (clock ? schedulerOn(clock) : realScheduler);
    const time = this.scheduler.clock;
    this.now = () => time.now();
    if (!Array.isArray(o.shipNodes) || o.shipNodes.length === 0 || !o.shipNodes.every((n) => typeof n === 'string' && n !== '')) throw invalid('shipNodes must name at least one ship node');
    if (!(o.accessTokenTtlSeconds > 0)) throw invalid('accessTokenTtlSeconds must be above 0');
    if (!(Number.isSafeInteger(o.idStart) && o.idStart >= 0)) throw invalid('idStart must be a whole number of 0 or more');
    if (o.hmacEncoding !== 'base64' && o.hmacEncoding !== 'hex') throw invalid("hmacEncoding must be 'base64' or 'hex'");
    this.o = o;
    this.delays = checkDelays({ feedReceivedMs: o.feedReceivedMs, feedProcessingMs: o.feedProcessingMs });
    this.feedsPerHour = checkPerHour(o.feedsPerHour);
    this.hmacEncoding = o.hmacEncoding;
    this.partnerId = o.partnerId;
    this.clientId = o.clientId;
    this.clientSecret = o.clientSecret;
    this.shipNodes = [...o.shipNodes];
    this.outage = new Outage(this.now);
    this.ids = seededRandom(o.seed ^ ID_SEED_SALT);
    this.faultRandom = seededRandom(o.seed);
    this.tokens = new TokenIssuer({ clientId: o.clientId, clientSecret: o.clientSecret }, o.accessTokenTtlSeconds, this.now, seededRandom(o.seed ^ TOKEN_SEED_SALT));
    this.world = this.newWorld();
    this.server = createServer((req, res) => void this.handler(req, res));
  }

  private newId(): string {
    return randomUuid(this.ids);
  }

  private newWorld(): World {
    const inventory = new Inventory(this.shipNodes, this.shipNodes[0]!);
    const feedId = () => `${this.newId().replaceAll('-', '').toUpperCase()}@AQYBAQA`;
    const feeds = new Feeds(inventory, this.now, feedId, () => ({ receivedMs: this.delays.feedReceivedMs, processingMs: this.delays.feedProcessingMs }), () => this.feedsPerHour);
    const orders = new Orders(inventory, this.now, this.o.idStart);
    const notifications = new Notifications({
      partnerId: this.partnerId,
      scheduler: this.scheduler,
      random: this.faultRandom,
      newId: () => this.newId(),
      retry: this.o.notificationRetry,
      timeoutMs: this.o.notificationTimeoutMs,
      hmacEncoding: () => this.hmacEncoding,
      downForMs: () => this.outage.remainingMs(),
      ...(this.o.notificationFetch ? { fetch: this.o.notificationFetch } : {}),
    });
    orders.onEvent = (order, event, lines) => notifications.orderEvent(order, event, lines, this.now());
    const feedsApi = new FeedsApi(feeds, inventory, this.partnerId);
    const ordersApi = new OrdersApi(orders, this.now);
    const handlers: Record<Operation, Handler> = {
      tokenAPI: () => {
        throw new Error('the token endpoint is answered before the handlers');
      },
      getTokenDetail: (_r, token) => ({ status: 200, body: this.tokens.detail(token) }),
      getInventory: (r) => getInventory(inventory, r),
      updateInventoryForAnItem: (r) => updateInventory(inventory, r),
      getMultiNodeInventoryForAllSkuAndAllShipNodes: (r) => getAllSkuNodes(inventory, r),
      getMultiNodeInventoryForSkuAndAllShipnodes: (r) => getSkuNodes(inventory, r),
      updateMultiNodeInventory: (r) => updateSkuNodes(inventory, r),
      updateBulkInventory: (r) => feedsApi.submit(r),
      getAllFeedStatuses: (r) => feedsApi.list(r),
      getFeedItemStatus: (r) => feedsApi.get(r),
      getAllOrders: (r) => ordersApi.list(r),
      getAllReleasedOrders: (r) => ordersApi.list(r, true),
      getAnOrder: (r) => ordersApi.get(r),
      acknowledgeOrders: (r) => ordersApi.acknowledge(r),
      cancelOrderLines: (r) => ordersApi.cancel(r),
      shippingUpdates: (r) => ordersApi.ship(r),
      getAllSubscriptions: (r) => {
        const f = (k: string) => r.query.get(k);
        const subs = [...notifications.subscriptions.values()].filter((s) => (f('subscriptionId') === null || s.subscriptionId === f('subscriptionId')) && (f('eventType') === null || s.eventType === f('eventType')) && (f('resourceName') === null || s.resourceName === f('resourceName')) && (f('status') === null || s.status === f('status')));
        return { status: 200, body: { events: subs.map((s) => notifications.view(s)) } };
      },
      createSubscription: (r) => ({ status: 200, body: { event: notifications.create(r.body).map((s) => notifications.view(s)) } }),
      updateSubscription: (r) => ({ status: 200, body: { event: [notifications.view(notifications.update(r.params.subscriptionId!, r.body))] } }),
      deleteSubscription: (r) => {
        notifications.delete(r.params.subscriptionId!);
        return { status: 200, body: { subscriptionId: r.params.subscriptionId, message: 'Subscription deleted' } };
      },
      getEventTypes: () => ({ status: 200, body: { eventTypes: EVENT_TYPES.map((e) => ({ ...e })) } }),
      testNotification: (r) => this.testNotification(r),
    };
    return { inventory, feeds, orders, notifications, limits: new RateLimits(this.now, this.o.rateLimits), handlers };
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  // ---- in-process surface (the control endpoints call these) --------------------------------

  /** A SKU in the seller's catalog (or an existing one changed): quantity at a node (default node). */
  addSku(p: { sku: string; quantity?: number; shipNode?: string; productName?: string; price?: number }): Sku {
    this.catchUp();
    if (typeof p.sku !== 'string' || p.sku === '') throw invalid('sku must be a non-empty string');
    if (p.quantity !== undefined && !(Number.isSafeInteger(p.quantity) && p.quantity >= 0)) throw invalid('quantity must be a whole number of 0 or more');
    if (p.price !== undefined && !(Number.isFinite(p.price) && p.price >= 0)) throw invalid('price must be a number of 0 or more');
    if (p.shipNode !== undefined && !this.shipNodes.includes(p.shipNode)) throw invalid(`shipNode ${p.shipNode} is not one of ${this.shipNodes.join(', ')}`);
    return this.world.inventory.add(p);
  }
  sku(sku: string): Sku {
    this.catchUp();
    const s = this.world.inventory.skus.get(sku);
    if (!s) throw notFound(`no sku ${sku}`);
    return s;
  }
  /** A buyer's view: the SKU's quantity at a node (default node). */
  quantity(sku: string, shipNode?: string): number {
    const s = this.sku(sku);
    const n = s.nodes.get(shipNode ?? this.shipNodes[0]!);
    if (!n) throw invalid(`shipNode ${shipNode} is not one of ${this.shipNodes.join(', ')}`);
    return n.amount;
  }
  /** Hand-edits a SKU's quantity, as the seller would in Seller Center. */
  setQuantity(sku: string, quantity: number, shipNode?: string): Sku {
    this.sku(sku);
    return this.addSku({ sku, quantity, ...(shipNode !== undefined ? { shipNode } : {}) });
  }
  /** Feed items for this SKU fail (null: they succeed again). */
  failSku(sku: string, failure: Partial<FeedFailure> | null): Sku {
    const s = this.sku(sku);
    if (failure === null) s.feedFailure = null;
    else {
      const type = failure.type ?? 'DATA_ERROR';
      if (!['DATA_ERROR', 'SYSTEM_ERROR', 'TIMEOUT_ERROR'].includes(type)) throw invalid('type must be DATA_ERROR, SYSTEM_ERROR or TIMEOUT_ERROR');
      s.feedFailure = { type, code: failure.code ?? 'EMULATED_FAILURE', description: failure.description ?? `Processing of ${sku} failed (emulated).` };
    }
    return s;
  }
  skus(): Sku[] {
    this.catchUp();
    return [...this.world.inventory.skus.values()];
  }
  placeOrder(p: Parameters<Orders['place']>[0]): PurchaseOrder {
    this.catchUp();
    return this.world.orders.place(p);
  }
  order(purchaseOrderId: string): PurchaseOrder {
    this.catchUp();
    const o = this.world.orders.orders.get(purchaseOrderId);
    if (!o) throw notFound(`no purchase order ${purchaseOrderId}`);
    return o;
  }
  acknowledgeOrder(purchaseOrderId: string): PurchaseOrder {
    return this.asControl(() => this.world.orders.acknowledge(this.order(purchaseOrderId)));
  }
  /** Ships lines (all open units when `lines` is absent) with an emulated tracking number. */
  shipOrder(purchaseOrderId: string, lines?: { lineNumber: string; quantity: number }[]): PurchaseOrder {
    const o = this.order(purchaseOrderId);
    const moves = lines ?? this.world.orders.openUnits(o);
    if (moves.length === 0) throw new EmulatorError('order_state', `purchase order ${purchaseOrderId} has no open line to ship`);
    const tracking = { shipDateTime: this.now(), carrierName: { carrier: 'UPS' }, methodCode: 'Value', trackingNumber: `1Z${o.purchaseOrderId}` };
    return this.asControl(() => this.world.orders.ship(o, moves.map((m) => ({ ...m, tracking }))));
  }
  /** Cancels lines (all open units when absent), as the customer or Walmart would. */
  cancelOrder(purchaseOrderId: string, p: { lines?: { lineNumber: string; quantity: number }[]; reason?: string; restock?: boolean } = {}): PurchaseOrder {
    const o = this.order(purchaseOrderId);
    const moves = (p.lines ?? this.world.orders.openUnits(o)).map((m) => ({ ...m, reason: p.reason ?? 'CUSTOMER_REQUESTED_SELLER_TO_CANCEL' }));
    if (moves.length === 0) throw new EmulatorError('order_state', `purchase order ${purchaseOrderId} has no open line to cancel`);
    return this.asControl(() => this.world.orders.cancel(o, moves, p.restock === true));
  }
  /** Walmart auto-cancels lines (all open lines when absent): PO_LINE_AUTOCANCELLED. */
  autoCancel(purchaseOrderId: string, lineNumbers?: string[], restock = false): PurchaseOrder {
    return this.walmartCancel('auto', purchaseOrderId, lineNumbers, restock);
  }
  /** Walmart's fraud review cancels lines (all open lines when absent): ORDER_UPDATES FRAUD_CANCEL. */
  fraudCancel(purchaseOrderId: string, lineNumbers?: string[], restock = false): PurchaseOrder {
    return this.walmartCancel('fraud', purchaseOrderId, lineNumbers, restock);
  }
  private walmartCancel(by: 'auto' | 'fraud', purchaseOrderId: string, lineNumbers: string[] | undefined, restock: boolean): PurchaseOrder {
    const o = this.order(purchaseOrderId);
    const open = this.world.orders.openUnits(o).filter((m) => lineNumbers === undefined || lineNumbers.includes(m.lineNumber));
    if (lineNumbers !== undefined && open.length !== lineNumbers.length) throw new EmulatorError('order_state', `only open lines can be cancelled by Walmart (open: ${this.world.orders.openUnits(o).map((m) => m.lineNumber).join(', ') || 'none'})`);
    if (open.length === 0) throw new EmulatorError('order_state', `purchase order ${purchaseOrderId} has no open line`);
    const reason = by === 'auto' ? AUTO_CANCEL_REASON : FRAUD_CANCEL_REASON;
    return this.asControl(() => this.world.orders.cancel(o, open.map((m) => ({ ...m, reason })), restock, by));
  }
  setFeedDelays(d: Partial<FeedDelaySettings>): FeedDelaySettings {
    this.delays = checkDelays({ ...this.delays, ...d });
    return { ...this.delays };
  }
  setFeedsPerHour(n: number): number {
    this.feedsPerHour = checkPerHour(n);
    return n;
  }
  setHmacEncoding(e: 'base64' | 'hex'): 'base64' | 'hex' {
    if (e !== 'base64' && e !== 'hex') throw invalid("encoding must be 'base64' or 'hex'");
    this.hmacEncoding = e;
    return e;
  }
  setRateLimit(operation: string, limit: RateLimit): RateLimit {
    if (!isOperation(operation)) throw invalid(`operation ${operation} is not one the emulator serves`);
    return asInvalid(() => this.world.limits.set(operation, limit));
  }
  /** Empties an operation's bucket, as another application of the same seller would. */
  drainBucket(operation: string): void {
    if (!isOperation(operation)) throw invalid(`operation ${operation} is not one the emulator serves`);
    this.world.limits.drain(operation);
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
    this.tokens.expireAll();
  }
  /** The seller revoked (or restored) the app's access: revoked credentials get no token and live tokens die. */
  revokeCredentials(revoked = true): void {
    this.tokens.credentialsRevoked = revoked;
    if (revoked) this.tokens.expireAll();
  }
  /** Subscribes as the seller would through POST /v3/webhooks/subscriptions (for tests and the demo). */
  subscribe(p: { eventUrl: string; eventType?: string; authDetails?: Record<string, string>; headers?: Record<string, string> }): Record<string, unknown> {
    const type = EVENT_TYPES.find((e) => e.eventType === (p.eventType ?? 'ORDER_UPDATES'));
    const record = { eventType: p.eventType ?? 'ORDER_UPDATES', eventVersion: 'V1', resourceName: type?.resourceName ?? 'ORDER', eventUrl: p.eventUrl, status: 'ACTIVE', ...(p.authDetails ? { authDetails: p.authDetails } : {}), ...(p.headers ? { headers: p.headers } : {}) };
    try {
      const [sub] = this.world.notifications.create({ events: [record] });
      return this.world.notifications.view(sub!);
    } catch (err) {
      if (err instanceof WalmartError) throw invalid(`${err.field ?? 'subscription'}: ${err.message}`);
      throw err;
    }
  }
  setNotificationFaults(f: Partial<NotificationFaults>): NotificationFaults {
    return asInvalid(() => this.world.notifications.setFaults(f));
  }
  async flushNotifications(): Promise<void> {
    await Promise.all([...this.retiredWorlds, this.world.notifications].map((n) => n.flush()));
  }
  /** A fresh account: SKUs, feeds, orders, subscriptions, counters, buckets, faults and delays as at the start. Tokens stay valid. */
  reset(): void {
    this.world.notifications.close();
    this.retiredWorlds.push(this.world.notifications);
    this.delays = checkDelays({ feedReceivedMs: this.o.feedReceivedMs, feedProcessingMs: this.o.feedProcessingMs });
    this.feedsPerHour = this.o.feedsPerHour;
    this.hmacEncoding = this.o.hmacEncoding;
    this.world = this.newWorld();
    this.latencyMs = 0;
    this.apiFaults.clear();
    this.outage.stop();
    for (const k of Object.keys(this.count) as (keyof typeof this.count)[]) this.count[k] = 0;
  }

  counters(): EmulatorCounters {
    const w = this.world;
    return {
      ...this.count,
      tokensIssued: this.tokens.issued,
      tokensRefused: this.tokens.refused,
      ...w.feeds.counters,
      ...w.orders.counters,
      ...w.notifications.counters(),
      operations: Object.fromEntries([...w.limits.counters].map(([op, c]) => [op, { ...c }])),
    };
  }

  skuState(s: Sku): Record<string, unknown> {
    return {
      sku: s.sku,
      product_name: s.productName,
      price: s.price,
      nodes: [...s.nodes].map(([shipNode, n]) => ({ ship_node: shipNode, quantity: n.amount, reserved: n.reserved })),
      feed_failure: s.feedFailure,
    };
  }

  orderState(o: PurchaseOrder): Record<string, unknown> {
    return {
      purchase_order_id: o.purchaseOrderId,
      customer_order_id: o.customerOrderId,
      order_date: new Date(o.orderDate).toISOString(),
      last_modified: new Date(o.lastModified).toISOString(),
      lines: o.lines.map((l) => ({
        line_number: l.lineNumber,
        sku: l.sku,
        quantity: l.quantity,
        ship_node: l.shipNode,
        statuses: Object.fromEntries((['Created', 'Acknowledged', 'Shipped', 'Cancelled'] as const).map((s) => [s, lineQuantity(l, s)]).filter(([, n]) => (n as number) > 0)),
        cancellation_reason: l.cancellationReason,
      })),
      record: orderRecord(o),
    };
  }

  state(): Record<string, unknown> {
    this.catchUp();
    const w = this.world;
    return {
      partner_id: this.partnerId,
      ship_nodes: this.shipNodes,
      counters: this.counters(),
      rate_limits: w.limits.status(),
      feed_delays: { feed_received_ms: this.delays.feedReceivedMs, feed_processing_ms: this.delays.feedProcessingMs },
      feeds_per_hour: this.feedsPerHour,
      hmac_encoding: this.hmacEncoding,
      latency_ms: this.latencyMs,
      api_faults: this.apiFaults.list(),
      skus: [...w.inventory.skus.values()].map((s) => this.skuState(s)),
      feeds: [...w.feeds.feeds.values()].map((f) => ({ feed_id: f.feedId, feed_type: f.feedType, status: w.feeds.status(f), items: f.items?.length ?? 0, file_error: f.fileError })),
      orders: [...w.orders.orders.values()].map((o) => this.orderState(o)),
      subscriptions: [...w.notifications.subscriptions.values()].map((s) => w.notifications.view(s)),
    };
  }

  async close(): Promise<void> {
    for (const n of [...this.retiredWorlds, this.world.notifications]) n.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private catchUp(): void {
    this.world.feeds.catchUp();
  }

  /** A WalmartError raised by an order move, as the control surface's problem. */
  private asControl<T>(f: () => T): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof WalmartError) throw new EmulatorError(err.status === 404 ? 'not_found' : 'order_state', err.message);
      throw err;
    }
  }

  /** POST /v3/webhooks/test: one signed POST of a sample event, no retry; 200 when it is answered 2xx. */
  private async testNotification(r: ApiRequest): Promise<HttpAnswer> {
    const b = (r.body ?? {}) as Record<string, unknown>;
    const probe = this.world.notifications.probe(b);
    const body = JSON.stringify({ source: { eventType: probe.eventType, eventTime: new Date(this.now()).toISOString(), eventId: this.newId() }, payload: { test: true } });
    const f = this.o.notificationFetch ?? fetch;
    try {
      const res = await f(probe.eventUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(probe.headers ?? {}), ...deliveryAuthHeaders(probe.authDetails, body, this.hmacEncoding) }, body, signal: AbortSignal.timeout(this.o.notificationTimeoutMs) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { status: 200, body: { message: 'Event URL validated; the test notification was answered 2xx.' } };
      throw new WalmartError('INVALID_REQUEST_CONTENT', `The event URL answered ${res.status} to the test notification.`, 'eventUrl');
    } catch (err) {
      if (err instanceof WalmartError) throw err;
      throw new WalmartError('INVALID_REQUEST_CONTENT', `The event URL could not be reached: ${(err as Error).message}.`, 'eventUrl');
    }
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      const method = req.method ?? 'GET';
      if (path.startsWith('/_emulator/')) return sendAnswer(res, await this.control(req, method, path));
      await this.api(req, res, method, path, url.searchParams);
    } catch (err) {
      if (!res.headersSent) sendAnswer(res, { status: 500, body: walmartErrorBody('SYSTEM_ERROR', `Emulator bug: ${(err as Error).message}`) });
      else res.destroy();
    }
  }

  private async api(req: IncomingMessage, res: ServerResponse, method: string, path: string, query: URLSearchParams): Promise<void> {
    const header = (name: string) => {
      const v = req.headers[name.toLowerCase()];
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const correlation = header(CORRELATION_HEADER);
    const headers: Record<string, string> = correlation ? { [CORRELATION_HEADER]: correlation } : {};
    const refuse = (code: WalmartCode, message: string, field?: string, extra: Record<string, string> = {}) => sendAnswer(res, { status: WALMART_CODES[code].status, headers: { ...headers, ...extra }, body: walmartErrorBody(code, message, field) });
    const { found, pathKnown } = matchRoute(ROUTES, method, path);
    if (!found) return pathKnown ? refuse('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}.`) : refuse('URI_NOT_FOUND', `No operation ${method} ${path}.`);
    this.count.requests++;
    const down = this.outage.answer();
    if (down?.kind === 'reset') return void req.socket.destroy();
    // "If the gateway is unreachable, the response may include only an HTTP status" (error-codes page).
    if (down) return sendAnswer(res, { status: 503, headers: { ...headers, ...down.headers } });
    for (const h of ['WM_SVC.NAME', CORRELATION_HEADER]) {
      if (!header(h)) {
        this.count.missingHeaders++;
        return refuse('MISSING_REQUEST_HEADER', `The header ${h} is required.`, h);
      }
    }
    const op = found.route.operation;
    let token = '';
    if (op !== 'tokenAPI') {
      token = header('WM_SEC.ACCESS_TOKEN') ?? '';
      const live = this.tokens.live(token);
      if (live !== 'live') {
        this.count.unauthorized++;
        const why = live === 'missing' ? 'The header WM_SEC.ACCESS_TOKEN is missing.' : live === 'expired' ? 'The access token has expired; get a new one from /v3/token.' : 'The access token is not one Walmart issued.';
        return refuse('UNAUTHORIZED', why, 'WM_SEC.ACCESS_TOKEN');
      }
    }
    const limits = this.world.limits;
    if (!limits.take(op)) {
      this.count.throttled++;
      return refuse('REQUEST_THRESHOLD_VIOLATED', 'Request threshold violated: too many calls to this operation; retry after the Retry-After seconds.', undefined, { 'Retry-After': String(limits.retryAfterSeconds(op)) });
    }
    const fault = this.apiFaults.take(op);
    if (this.latencyMs > 0) await this.scheduler.sleep(this.latencyMs);
    if (fault) {
      this.count.apiFaults++;
      return refuse(FAULT_STATUS[fault], `Emulated ${fault}.`);
    }
    const raw = await readBody(req);
    if (raw === null) return refuse('REQUEST_ENTITY_TOO_LARGE', `A request body may be at most ${BODY_BYTES_MAX} bytes.`);
    const contentType = header('content-type') ?? '';
    if (op === 'tokenAPI') {
      try {
        return sendAnswer(res, { status: 200, headers: { ...headers, 'Cache-Control': 'no-store' }, body: this.tokens.token(header('authorization'), new URLSearchParams(raw.toString('utf8'))) });
      } catch (err) {
        if (err instanceof WalmartError) return sendAnswer(res, { status: err.status, headers, body: err.body() });
        throw err;
      }
    }
    let body: unknown;
    if (raw.length > 0 && !/^multipart\//i.test(contentType)) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return refuse('MALFORMED_REQUEST_CONTENT', 'The request body is not valid JSON.', 'body');
      }
    }
    this.catchUp();
    try {
      const a = await this.world.handlers[op]({ method, params: found.params, query, body, raw, contentType }, token);
      return sendAnswer(res, { ...a, headers: { ...headers, ...a.headers } });
    } catch (err) {
      if (err instanceof WalmartError) {
        if (err.status === 429) {
          // Throttled all the same: counted with the buckets' refusals.
          this.count.throttled++;
          limits.countThrottled(op);
        }
        const retry = err.retryAfterSeconds;
        return sendAnswer(res, { status: err.status, headers: { ...headers, ...(retry !== undefined ? { 'Retry-After': String(retry) } : {}) }, body: err.body() });
      }
      throw err;
    }
  }

  private async control(req: IncomingMessage, method: string, path: string): Promise<HttpAnswer> {
    const refuse = (detail: string) => problemAnswer(invalid(detail));
    const raw = await readBody(req);
    if (raw === null) return refuse(`the body is larger than ${BODY_BYTES_MAX} bytes`);
    const text = raw.toString('utf8');
    let body: unknown;
    try {
      body = text.trim() === '' ? undefined : JSON.parse(text);
    } catch {
      return refuse('the body is not valid JSON');
    }
    return answerControl(this, method, path, body);
  }

}

function checkDelays(d: FeedDelaySettings): FeedDelaySettings {
  for (const [k, v] of Object.entries(d)) if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw invalid(`${k} must be a number of 0 or more`);
  return { ...d };
}

function checkPerHour(n: number): number {
  if (!(Number.isSafeInteger(n) && n >= 1)) throw invalid('feedsPerHour must be a whole number above 0');
  return n;
}

/** The whole body, or null past BODY_BYTES_MAX (the rest is read and dropped). */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= BODY_BYTES_MAX) chunks.push(c);
    });
    req.on('end', () => resolve(size > BODY_BYTES_MAX ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** An emulator not yet listening: drive `handler` through the kit's in-process fetch, or `listen`. */
export function createWalmartEmulator(o: WalmartEmulatorOptions = {}): WalmartEmulator {
  return new WalmartEmulator(o);
}

export async function startWalmartEmulator(o: WalmartEmulatorOptions = {}): Promise<WalmartEmulator> {
  const e = new WalmartEmulator(o);
  await e.listen(o.port ?? 0);
  return e;
}
