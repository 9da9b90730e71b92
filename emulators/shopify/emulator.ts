// One emulated shop behind a real HTTP server on 127.0.0.1: the Admin GraphQL endpoint, the
// control endpoints, and webhook deliveries. Several can run in one process; each owns all its
// state (the GraphQL schema is shared, it holds none). Time, the bucket, outages and webhook
// delivery are the emulator kit's (../kit); what is Shopify's is here and in the files it imports.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkAddress, type KitScheduler, type NodeHandler, Outage, randomUuid, readBody, readJsonBody, realScheduler, schedulerOn, seededRandom, TokenBucket, WebhookSender } from '../kit/index.ts';
import { ApiFaultSwitch } from './api-faults.ts';
import { answerControl, checkOutage, type Controlled } from './control.ts';
import { asInvalid, invalid, problemAnswer } from './errors.ts';
import { answerGraphql, type HttpAnswer } from './graphql-endpoint.ts';
import { gid, numOf } from './ids.ts';
import { IdempotencyStore } from './idempotency.ts';
import type { RequestContext, SetQuantitiesPayload } from './resolvers.ts';
import { Shop } from './shop.ts';
import { type ApiFault, type ApiFaults, type Counters, type Faults, type Refund, type RestockType, type ShopCounters, type ShopifyEmulatorOptions, type ShopifyOrder, WEBHOOK_TOPICS } from './types.ts';
import { isApiVersion, WEBHOOK_API_VERSION } from './versions.ts';
import { checkTopics, shopifySigner } from './webhook-signing.ts';

export interface ShopifyEmulator {
  url: string;
  shopDomain: string;
  accessToken: string;
  clientSecret: string;
  /**
   * The request handler the server runs — `(req, res)` as `http.createServer` takes it — for the
   * kit's `inProcessFetch(shop.handler, { origin })`: calls without a socket, same answers.
   */
  readonly handler: NodeHandler;
  addLocation(name: string): { id: string };
  addItem(p: { sku: string; levels: Record<string, number> }): { inventoryItemId: string; variantId: string };
  level(inventoryItemId: string, locationId: string): { available: number; committed: number; on_hand: number } | undefined;
  placeOrder(p: { lines: { variantId?: string; sku?: string; quantity: number }[]; locationId?: string; allowOversell?: boolean; pos?: boolean }): ShopifyOrder;
  cancelOrder(orderId: string, p?: { restock?: boolean }): ShopifyOrder;
  /** Extension: ships every open unit of an order (committed and on_hand drop). */
  fulfillOrder(orderId: string): ShopifyOrder;
  refund(orderId: string, p: { lines: { lineItemId: string; quantity: number; restockType: RestockType }[] }): Refund;
  editAvailable(inventoryItemId: string, locationId: string, available: number): void;
  subscribe(address: string, topics?: string[]): void;
  /** Webhook faults. Returns the faults now in force. */
  setFaults(f: Partial<Faults>): Faults;
  /** Admin API faults: `fault` answers the next `times` requests it applies to (0 disarms). Returns what is armed. */
  failNext(fault: ApiFault, times?: number): ApiFaults;
  goDown(seconds: number, mode?: '503' | 'reset'): void;
  counters(): Counters;
  flushWebhooks(): Promise<void>;
  close(): Promise<void>;
}

const DEFAULTS = {
  shop: 'demo-shop',
  accessToken: 'shpat_emulator',
  clientSecret: 'emulator-secret',
  bucketSize: 2000,
  restoreRate: 100,
  throttleHttpStatus: 200 as 200 | 429,
  maxQueryCost: 1000,
  requireIdempotencyKey: true,
  webhookRetry: { attempts: 8, baseDelayMs: 1000 },
  webhookTimeoutMs: 5000,
  idempotencyKeyTtlSeconds: 24 * 3600,
  seed: 1,
};

const BODY_BYTES_MAX = 16 * 1024 * 1024;
/** Webhook ids are drawn from their own PRNG (seed xor this), apart from the fault draws. */
const ID_SEED_SALT = 0x5bd1e995;
const GRAPHQL_PATH = /^\/admin\/api\/([^/]+)\/graphql\.json$/;
const UNAUTHORIZED = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' };

const zeroCounters = (): ShopCounters => ({
  requests: 0,
  throttled: 0,
  mutations: 0,
  quantitiesSet: 0,
  staleCompares: 0,
  idempotentReplays: 0,
  ordersPlaced: 0,
  ordersRefusedOutOfStock: 0,
  unauthorized: 0,
  apiFaults: 0,
});

class Emulator implements ShopifyEmulator, Controlled {
  url = '';
  readonly shopDomain: string;
  readonly accessToken: string;
  readonly clientSecret: string;
  readonly shop: Shop;
  private readonly shopName: string;
  private readonly count = zeroCounters();
  private readonly scheduler: KitScheduler;
  private readonly now: () => number;
  private readonly bucket: TokenBucket;
  private readonly apiFaults = new ApiFaultSwitch();
  private readonly idempotency: IdempotencyStore<SetQuantitiesPayload>;
  private readonly webhooks: WebhookSender;
  private readonly outage: Outage;
  private readonly o: typeof DEFAULTS;
  readonly handler: NodeHandler = (req, res) => this.handle(req, res);
  readonly server: Server;

  constructor(options: ShopifyEmulatorOptions) {
    const { clock, scheduler, ...rest } = options;
    const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS;
    if (clock && scheduler && clock !== scheduler.clock) throw invalid('clock and scheduler.clock must be the same clock');
    this.scheduler = scheduler ?? (clock ? schedulerOn(clock) : realScheduler);
    const time = this.scheduler.clock;
    this.now = () => time.now();
    if (!/^[a-z0-9][a-z0-9-]*$/.test(o.shop)) throw invalid(`shop ${JSON.stringify(o.shop)} must be lowercase letters, digits and dashes`);
    if (!(o.bucketSize > 0) || !(o.restoreRate > 0) || !(o.maxQueryCost > 0)) throw invalid('bucketSize, restoreRate and maxQueryCost must be above 0');
    if (!(Number.isSafeInteger(o.webhookRetry.attempts) && o.webhookRetry.attempts >= 1 && o.webhookRetry.baseDelayMs >= 0)) {
      throw invalid('webhookRetry needs attempts ≥ 1 and baseDelayMs ≥ 0');
    }
    this.o = o;
    this.shopName = o.shop;
    this.shopDomain = `${o.shop}.myshopify.com`;
    this.accessToken = o.accessToken;
    this.clientSecret = o.clientSecret;
    this.bucket = new TokenBucket(o.bucketSize, o.restoreRate, this.now);
    this.idempotency = new IdempotencyStore(o.idempotencyKeyTtlSeconds * 1000, this.now);
    this.outage = new Outage(this.now);
    const ids = seededRandom(o.seed ^ ID_SEED_SALT);
    this.webhooks = new WebhookSender({
      sign: shopifySigner({ shopDomain: this.shopDomain, clientSecret: o.clientSecret, apiVersion: WEBHOOK_API_VERSION }),
      retry: o.webhookRetry,
      timeoutMs: o.webhookTimeoutMs,
      scheduler: this.scheduler,
      random: seededRandom(o.seed),
      newId: () => randomUuid(ids),
      downForMs: () => this.outage.remainingMs(),
    });
    this.shop = new Shop((topic, payload, at) => void this.webhooks.send(topic, JSON.stringify(payload), at), this.now, options.orderIdStart);
    this.shop.onOrderPlaced = () => void this.count.ordersPlaced++;
    this.shop.onOrderRefused = () => void this.count.ordersRefusedOutOfStock++;
    this.server = createServer((req, res) => void this.handler(req, res));
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  // ---- in-process surface -------------------------------------------------------------------

  addLocation(name: string) {
    return this.shop.addLocation(name);
  }
  addItem(p: { sku: string; levels: Record<string, number> }) {
    return this.shop.addItem(p);
  }
  level(inventoryItemId: string, locationId: string) {
    const itemNum = numOf(inventoryItemId, 'InventoryItem');
    const locationNum = numOf(locationId, 'Location');
    const l = itemNum === null || locationNum === null ? undefined : this.shop.level(itemNum, locationNum);
    return l && { available: l.available, committed: l.committed, on_hand: l.available + l.committed };
  }
  placeOrder(p: Parameters<Shop['placeOrder']>[0]) {
    return this.shop.placeOrder(p);
  }
  cancelOrder(orderId: string, p?: { restock?: boolean }) {
    return this.shop.cancelOrder(orderId, p);
  }
  fulfillOrder(orderId: string) {
    return this.shop.fulfillOrder(orderId);
  }
  refund(orderId: string, p: Parameters<Shop['refund']>[1]) {
    return this.shop.refund(orderId, p);
  }
  editAvailable(inventoryItemId: string, locationId: string, available: number) {
    this.shop.editAvailable(inventoryItemId, locationId, available);
  }
  subscribe(address: string, topics?: string[]) {
    asInvalid(() => checkAddress(address));
    this.webhooks.subscribe(address, checkTopics(topics ?? WEBHOOK_TOPICS));
  }
  setFaults(f: Partial<Faults>) {
    return asInvalid(() => this.webhooks.faults.set(f));
  }
  failNext(fault: ApiFault, times = 1) {
    return this.apiFaults.arm(fault, times);
  }
  goDown(seconds: number, mode: '503' | 'reset' = '503') {
    checkOutage(seconds, mode);
    this.outage.start(seconds * 1000, mode);
  }
  counters(): Counters {
    const { ordersPlaced, ordersRefusedOutOfStock, unauthorized, apiFaults, ...api } = this.count;
    const w = this.webhooks.counters;
    return {
      ...api,
      webhooksSent: w.sent,
      webhooksFailed: w.failed,
      webhooksDropped: w.dropped,
      webhooksDuplicated: w.duplicated,
      ordersPlaced,
      ordersRefusedOutOfStock,
      unauthorized,
      apiFaults,
    };
  }
  flushWebhooks() {
    return this.webhooks.flush();
  }
  async close(): Promise<void> {
    this.webhooks.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  state(): Record<string, unknown> {
    const shop = this.shop;
    return {
      counters: this.counters(),
      api_faults: this.apiFaults.pending(),
      locations: [...shop.locations.values()].map((l) => ({ id: gid('Location', l.num), name: l.name })),
      items: [...shop.items.values()].map((i) => ({
        sku: i.sku,
        inventory_item_id: gid('InventoryItem', i.num),
        variant_id: gid('ProductVariant', i.variantNum),
        levels: shop.levelsOf(i.num).map((l) => ({ location_id: gid('Location', l.locationNum), available: l.available, committed: l.committed, on_hand: l.available + l.committed })),
      })),
    };
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path.startsWith('/_emulator/')) return this.send(res, await this.control(req, path));
      const m = GRAPHQL_PATH.exec(path);
      if (!m) return this.send(res, { status: 404, body: { errors: 'Not Found' } });
      this.count.requests++;
      const down = this.outage.answer();
      if (down?.kind === 'reset') return void req.socket.destroy();
      if (down) return this.send(res, { status: down.status, headers: down.headers, body: { errors: 'Service Unavailable' } });
      const version = m[1]!;
      if (!isApiVersion(version)) return this.send(res, { status: 404, body: { errors: 'Not Found' } });
      if (req.method !== 'POST') return this.send(res, { status: 405, headers: { Allow: 'POST' }, body: { errors: 'Method Not Allowed' } });
      if (req.headers['x-shopify-access-token'] !== this.accessToken) {
        this.count.unauthorized++;
        return this.send(res, { status: 401, body: UNAUTHORIZED });
      }
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req, BODY_BYTES_MAX));
      } catch {
        return this.send(res, { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } });
      }
      const ctx: RequestContext = {
        shop: this.shop,
        shopName: this.shopName,
        shopDomain: this.shopDomain,
        version,
        counters: this.count,
        idempotency: this.idempotency,
        requireIdempotencyKey: this.o.requireIdempotencyKey,
        faults: this.apiFaults,
      };
      const settings = { bucket: this.bucket, maxQueryCost: this.o.maxQueryCost, throttleHttpStatus: this.o.throttleHttpStatus };
      this.send(res, await answerGraphql(body, ctx, settings));
    } catch (err) {
      if (!res.headersSent) this.send(res, { status: 500, body: { errors: `Internal error: ${(err as Error).message}` } });
      else res.destroy();
    }
  }

  private async control(req: IncomingMessage, path: string): Promise<HttpAnswer> {
    let body: unknown;
    try {
      body = await readJsonBody(req, BODY_BYTES_MAX);
    } catch {
      return problemAnswer(invalid('the body is not valid JSON'));
    }
    return answerControl(this, req.method ?? 'GET', path, body);
  }

  private send(res: ServerResponse, a: HttpAnswer): void {
    const text = JSON.stringify(a.body);
    res.writeHead(a.status, { 'Content-Type': 'application/json; charset=utf-8', ...a.headers, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }
}

export async function startShopifyEmulator(o: ShopifyEmulatorOptions = {}): Promise<ShopifyEmulator> {
  const e = new Emulator(o);
  await e.listen(o.port ?? 0);
  return e;
}
