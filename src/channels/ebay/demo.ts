// eBay storefronts for the demo: an eBay emulator (emulators/ebay) per channel on its own port,
// behind the demo's kind-agnostic `DemoStorefront` (../demo-storefront.ts). Loaded only when the
// demo runs (the kind's `demo()`), so the emulator is never loaded with the registry.
//
// One seller on EBAY_US, one merchant location (the storefront's `location`); eBay SKU = truestock
// SKU. Orders reach truestock as ORDER_CONFIRMATION notifications (seconds) and by the order poll
// (a minute): `subscribe` creates the Notification API destination and subscription, and eBay's
// endpoint challenge is answered by truestock's webhook route (GET, the kind's `challenge`).
// Orders are paid at checkout (fixed-price, immediate payment). Cancellations come by the poll.
//
// The emulator keeps no state and listens on a new port every start, so on a restart the
// settings are new (endpoint, OAuth URL and credentials, verification token); listings are keyed
// by SKU, which never changes; order and line ids count up from the current time in ms, far
// above anything an earlier run could have reached (truestock records channel orders by id).

import { randomBytes } from 'node:crypto';
import { type EbayEmulator, EmulatorError, startEbayEmulator, TOKEN_PATH } from '../../../emulators/ebay/index.ts';
import type { DemoOrder, DemoStorefront, DemoStorefrontFactory, DemoStorefrontSetup } from '../demo-storefront.ts';

export const DEMO_MARKETPLACE_ID = 'EBAY_US';
/** The demo seller's one merchant location on eBay. */
export const DEMO_MERCHANT_LOCATION_KEY = 'truestock-demo';
/** Orders are polled every minute; notifications bring them within seconds. */
export const DEMO_POLL_SECONDS = 60;
/** Below this, ids count from where the emulator starts anyway (a clock at 0 in tests). */
const ID_START_MIN = 1_000_000;
/** Now and then a notification comes twice or out of order, rarely never (the poll catches it). */
const DEMO_FAULTS = { duplicate: 0.05, reorder: 0.05, drop: 0.01 };
/** Setting up the notification subscription is tried this many times, this far apart. */
const SUBSCRIBE_ATTEMPTS = 4;
const SUBSCRIBE_RETRY_MS = 2_000;
/** Refusals a real seller account gives (not enough to sell, an order past that step). */
const REFUSALS: ReadonlySet<string> = new Set(['out_of_stock', 'order_state']);

export const ebayDemo: DemoStorefrontFactory = {
  async start(setup: DemoStorefrontSetup): Promise<DemoStorefront> {
    const emulator = await startEbayEmulator({
      sellerId: `truestock_${setup.name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`.slice(0, 64),
      clientId: `Truestoc-Demo-PRD-${randomBytes(8).toString('hex')}`,
      clientSecret: `PRD-${randomBytes(16).toString('hex')}`,
      refreshToken: `v^1.1#i^1#r^1#${randomBytes(32).toString('base64url')}`,
      seed: setup.seed,
      idStart: Math.max(Math.floor(setup.now), ID_START_MIN),
      ...(setup.clock ? { clock: setup.clock } : {}),
    });
    try {
      return new EbayStorefront(emulator, setup);
    } catch (err) {
      await emulator.close();
      throw err;
    }
  },
};

function unlessRefused(err: unknown): void {
  if (!(err instanceof EmulatorError) || !REFUSALS.has(err.code)) throw err;
}

class EbayStorefront implements DemoStorefront {
  readonly settings: Readonly<Record<string, unknown>>;
  readonly skus: readonly string[];
  /** eBay notifies no quantity change: a Seller Hub edit is found by read-back only. */
  readonly reportsHandEdits = false;
  private readonly verificationToken = randomBytes(32).toString('base64url');
  private subscribing: Promise<void> = Promise.resolve();

  constructor(private readonly emulator: EbayEmulator, setup: DemoStorefrontSetup) {
    this.skus = [...setup.skus];
    for (const sku of this.skus) emulator.addListing({ sku, quantity: 0, marketplaceId: DEMO_MARKETPLACE_ID });
    if (setup.faults) emulator.setNotificationFaults(DEMO_FAULTS);
    this.settings = {
      client_id: emulator.clientId,
      client_secret: emulator.clientSecret,
      refresh_token: emulator.refreshToken,
      marketplace_id: DEMO_MARKETPLACE_ID,
      endpoint: emulator.url,
      auth_url: `${emulator.url}${TOKEN_PATH}`,
      verification_token: this.verificationToken,
      locations: { [DEMO_MERCHANT_LOCATION_KEY]: setup.location.code },
      poll_seconds: DEMO_POLL_SECONDS,
    };
  }

  get url(): string {
    return this.emulator.url;
  }

  external(sku: string): Record<string, string> {
    this.listing(sku);
    return { sku };
  }

  /**
   * A destination for truestock's route (eBay checks it with a challenge first) and an
   * ORDER_CONFIRMATION subscription. Tried again a few times, as a seller would: eBay gives the
   * challenge a few seconds, and a server busy with its first pushes can answer later than that.
   */
  subscribe(url: string): void {
    this.subscribing = (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.createSubscription(url);
        } catch (err) {
          if (attempt >= SUBSCRIBE_ATTEMPTS) throw err;
          await new Promise((r) => setTimeout(r, SUBSCRIBE_RETRY_MS));
        }
      }
    })();
    // Its failure is reported by the next flushWebhooks, not as an unhandled rejection.
    this.subscribing.catch(() => {});
  }

  private async createSubscription(endpoint: string): Promise<void> {
    const e = this.emulator;
    const token = await fetch(`${e.url}${TOKEN_PATH}`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${e.clientId}:${e.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'https://api.ebay.com/oauth/api_scope' }).toString(),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const headers = { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' };
    const dest = await fetch(`${e.url}/commerce/notification/v1/destination`, {
      method: 'POST', headers,
      body: JSON.stringify({ name: 'truestock', status: 'ENABLED', deliveryConfig: { endpoint, verificationToken: this.verificationToken } }),
    });
    if (dest.status !== 201) throw new Error(`eBay demo: createDestination answered ${dest.status} ${await dest.text()}`);
    const destinationId = dest.headers.get('location')!.split('/').pop()!;
    const sub = await fetch(`${e.url}/commerce/notification/v1/subscription`, {
      method: 'POST', headers,
      body: JSON.stringify({ topicId: 'ORDER_CONFIRMATION', status: 'ENABLED', destinationId, payload: { format: 'JSON', schemaVersion: '1.0', deliveryProtocol: 'HTTPS' } }),
    });
    if (sub.status !== 201) throw new Error(`eBay demo: createSubscription answered ${sub.status} ${await sub.text()}`);
  }

  shown(sku: string): number {
    return this.emulator.catalog.items.has(sku) ? this.emulator.quantity(sku) : 0;
  }

  /** A hand edit in Seller Hub (not an API revision). */
  setShown(sku: string, available: number): void {
    this.emulator.setQuantity(this.listing(sku), available);
  }

  /** A buyer commits to buy and pays (checkout completes: ORDER_CONFIRMATION per line). */
  placeOrder(lines: { sku: string; quantity: number }[]): DemoOrder | null {
    for (const l of lines) this.listing(l.sku);
    try {
      const o = this.emulator.placeOrder({ lines });
      return { id: o.orderId, name: o.orderId, lines: o.lines.map((l) => ({ id: l.lineItemId, sku: l.sku, quantity: l.quantity })) };
    } catch (err) {
      unlessRefused(err);
      return null;
    }
  }

  /** The cancellation completes; eBay puts the units back on the listing. */
  cancel(orderId: string): boolean {
    return this.attempt(() => this.emulator.completeCancellation(orderId, { restock: true, initiator: 'BUYER', reason: 'BUYER_ASKED_CANCEL' }));
  }

  fulfil(orderId: string): boolean {
    return this.attempt(() => this.emulator.shipOrder(orderId));
  }

  /** Refunds are not emulated (the Post-Order API is not in the models): always refused. */
  refund(_orderId: string, _lineId: string, _quantity: number): boolean {
    return false;
  }

  goDown(seconds: number): void {
    this.emulator.goDown(seconds);
  }

  throttled(): number {
    return this.emulator.counters().throttled;
  }

  async flushWebhooks(): Promise<void> {
    await this.subscribing;
    await this.emulator.flushNotifications();
  }

  close(): Promise<void> {
    return this.emulator.close();
  }

  private listing(sku: string): string {
    if (!this.emulator.catalog.items.has(sku)) throw new Error(`invariant violated: the demo seller ${this.emulator.sellerId} does not sell ${sku}`);
    return sku;
  }

  private attempt(act: () => unknown): boolean {
    try {
      act();
      return true;
    } catch (err) {
      unlessRefused(err);
      return false;
    }
  }
}
