// Amazon storefronts for the demo: an in-process Amazon SP-API emulator (emulators/amazon) per
// channel, behind the demo's kind-agnostic `DemoStorefront` (../demo-storefront.ts). Loaded only
// when the demo runs (the kind's `demo()`), so the emulator is never loaded with the registry.
//
// One seller on one marketplace (Amazon.com). Its SKUs are merchant-fulfilled (MFN: their
// quantities are truestock's to push, shipped from the storefront's `location`) except those of
// `managed`, which are fulfilled by Amazon (AFN) from FBA: the emulator holds that stock, sells it
// and ships it, and truestock learns it from FBA inventory summaries at the `channel_managed`
// location the marketplace maps to. Seller SKU = truestock SKU.
//
// Orders reach truestock only by polling (searchOrders; Amazon delivers ORDER_CHANGE notifications
// through SQS/EventBridge, and the demo's seller has no relay), minutes after the sale: the seed's
// race, on screen. Every order starts PENDING (payment not yet confirmed; Amazon already holds the
// units) until the demo's traffic confirms it.
//
// The emulator keeps no state and listens on a new port every start, so on a restart:
// - the settings it gives are new (endpoint, LWA URL and credentials, relay secret); the seller
//   id is the channel name's, so the account stays the same;
// - listings are keyed by seller SKU and marketplace, which never change: the listings stay;
// - order numbers and order item ids count up from the current time in milliseconds, far above
//   anything a run before could have reached at the demo's pace of well under one per
//   millisecond, so no order id is reused (truestock records channel orders by id);
// - the shown MFN quantities and the FBA stock are restored by the demo from what truestock last saw.

import { createHash, randomBytes } from 'node:crypto';
import { type AmazonEmulator, EmulatorError, startAmazonEmulator } from '../../../emulators/amazon/index.ts';
import type { DemoManagedStock, DemoOrder, DemoStorefront, DemoStorefrontFactory, DemoStorefrontSetup } from '../demo-storefront.ts';

/** Amazon.com: the demo seller's one marketplace. */
export const DEMO_MARKETPLACE_ID = 'ATVPDKIKX0DER';
/** Below this, ids count from where the emulator starts anyway (a clock at 0 in tests). */
const ID_START_MIN = 1_000_000;
/**
 * How often truestock polls the demo seller's orders: Amazon's documented sustained rate for
 * searchOrders (0.0056 requests a second, one call every ~180 s). A shorter interval would spend
 * the burst of 20 and then wait on the budget inside the poll round; orders already arrive 2–5
 * minutes late (a search's upper bound is at least 2 minutes back), which is the point.
 */
export const DEMO_POLL_SECONDS = 180;
/** FBA stock is read with every order poll (getInventorySummaries allows 2 a second). */
export const DEMO_FBA_POLL_SECONDS = DEMO_POLL_SECONDS;

/** Refusals a real seller account gives (not enough to sell, an order past that step). */
const REFUSALS: ReadonlySet<string> = new Set(['out_of_stock', 'order_state', 'inbound_short']);

export const amazonDemo: DemoStorefrontFactory = {
  async start(setup: DemoStorefrontSetup): Promise<DemoStorefront> {
    const emulator = await startAmazonEmulator({
      sellerId: demoSellerId(setup.name),
      marketplaceIds: [DEMO_MARKETPLACE_ID],
      clientId: `amzn1.application-oa2-client.${randomBytes(16).toString('hex')}`,
      clientSecret: randomBytes(24).toString('base64url'),
      refreshToken: `Atzr|${randomBytes(32).toString('base64url')}`,
      seed: setup.seed,
      idStart: Math.max(Math.floor(setup.now), ID_START_MIN),
      // Its order times are what truestock's poll windows compare with its own clock.
      ...(setup.clock ? { clock: setup.clock } : {}),
    });
    try {
      return new AmazonStorefront(emulator, setup);
    } catch (err) {
      await emulator.close();
      throw err;
    }
  },
};

/** A seller id (merchant token) of Amazon's shape, the same for a channel name on every start. */
export function demoSellerId(name: string): string {
  const n = BigInt(`0x${createHash('sha256').update(`truestock-demo:${name}`).digest('hex').slice(0, 16)}`);
  return `A${n.toString(36).toUpperCase().padStart(13, '0').slice(0, 13)}`;
}

function unlessRefused(err: unknown): void {
  if (!(err instanceof EmulatorError) || !REFUSALS.has(err.code)) throw err;
}

class AmazonStorefront implements DemoStorefront {
  readonly settings: Readonly<Record<string, unknown>>;
  readonly skus: readonly string[];
  /** Amazon notifies no quantity change to truestock: a Seller Central edit is found by read-back only. */
  readonly reportsHandEdits = false;
  /** SKUs fulfilled by Amazon (AFN). */
  private readonly afn: ReadonlySet<string>;

  constructor(private readonly emulator: AmazonEmulator, setup: DemoStorefrontSetup) {
    this.skus = [...setup.skus];
    const sold = new Set(this.skus);
    const managed = setup.managed;
    for (const sku of managed?.skus ?? []) {
      if (!sold.has(sku)) throw new Error(`invariant violated: the demo seller ${setup.name} keeps ${sku} at ${managed!.location.code} but does not sell it`);
    }
    this.afn = new Set(managed?.skus ?? []);
    for (const sku of this.skus) emulator.addListing({ sku, channel: this.afn.has(sku) ? 'AFN' : 'MFN' });
    const locations: Record<string, string> = {};
    if (managed) locations[DEMO_MARKETPLACE_ID] = managed.location.code;
    this.settings = {
      seller_id: emulator.sellerId,
      client_id: emulator.clientId,
      client_secret: emulator.clientSecret,
      refresh_token: emulator.refreshToken,
      endpoint: emulator.url,
      lwa_url: `${emulator.url}/auth/o2/token`,
      // Checks relayed ORDER_CHANGE notifications; the demo's seller relays none (orders are polled).
      notification_secret: randomBytes(24).toString('base64url'),
      // The marketplace's FBA stock is the managed location; merchant-fulfilled orders ship from `location`.
      locations,
      fba_marketplace_ids: managed ? [DEMO_MARKETPLACE_ID] : [],
      merchant_locations: [setup.location.code],
      poll_seconds: DEMO_POLL_SECONDS,
      fba_poll_seconds: DEMO_FBA_POLL_SECONDS,
    };
  }

  get url(): string {
    return this.emulator.url;
  }

  external(sku: string): Record<string, string> {
    this.listing(sku);
    return { seller_sku: sku, marketplace_id: DEMO_MARKETPLACE_ID };
  }

  /** Amazon sends nothing to a URL (notifications go through SQS or EventBridge): truestock polls. */
  subscribe(_url: string): void {}

  shown(sku: string): number {
    return this.emulator.seller.listings.has(sku) ? this.emulator.quantity(sku) : 0;
  }

  /** A hand edit in Seller Central; an FBA SKU's number is Amazon's own (see `setManagedStock`). */
  setShown(sku: string, available: number): void {
    if (this.afn.has(sku)) throw new Error(`invariant violated: ${sku} is fulfilled by Amazon on ${this.emulator.sellerId}; its number is FBA's`);
    this.emulator.setQuantity(this.listing(sku), available);
  }

  /** A buyer checks out; every line must be fulfilled the same way (Amazon splits a mixed cart). */
  placeOrder(lines: { sku: string; quantity: number }[]): DemoOrder | null {
    const afn = lines.map((l) => this.channelFulfils(this.listing(l.sku)));
    if (afn.some((a) => a !== afn[0])) throw new Error('invariant violated: an Amazon demo order mixes FBA and merchant-fulfilled SKUs');
    try {
      const o = this.emulator.placeOrder({ lines, status: 'PENDING' });
      return {
        id: o.orderId,
        name: o.orderId,
        lines: o.items.map((i) => ({ id: i.orderItemId, sku: i.sku, quantity: i.quantity })),
        pending: true,
        fulfilledByChannel: o.fulfilledBy === 'AMAZON',
      };
    } catch (err) {
      unlessRefused(err);
      return null;
    }
  }

  confirm(orderId: string): boolean {
    return this.attempt(() => this.emulator.confirmPayment(orderId));
  }

  /** The buyer cancelled before it shipped: Amazon puts the units back (listing or FBA fulfillable). */
  cancel(orderId: string): boolean {
    return this.attempt(() => this.emulator.cancelOrder(orderId, { restock: true, by: 'BUYER', reason: 'BuyerCanceled' }));
  }

  fulfil(orderId: string): boolean {
    return this.attempt(() => this.emulator.shipOrder(orderId));
  }

  /** Refunds are not emulated (no Amazon refund API in the emulator): always refused. */
  refund(_orderId: string, _lineId: string, _quantity: number): boolean {
    return false;
  }

  channelFulfils(sku: string): boolean {
    return this.afn.has(sku);
  }

  setManagedStock(sku: string, stock: DemoManagedStock): void {
    if (!this.afn.has(sku)) throw new Error(`invariant violated: ${sku} is not fulfilled by Amazon on ${this.emulator.sellerId}`);
    // Inbound units are shipped and on their way (not yet being received).
    this.emulator.setFbaStock(sku, { fulfillable: stock.available, unfulfillable: stock.damaged, inboundWorking: 0, inboundShipped: stock.inbound, inboundReceiving: 0 });
  }

  managedStock(sku: string): DemoManagedStock {
    const s = this.emulator.seller.fba.get(sku);
    if (!s) return { available: 0, damaged: 0, inbound: 0 };
    return { available: s.fulfillable, damaged: s.unfulfillable, inbound: s.inboundWorking + s.inboundShipped + s.inboundReceiving };
  }

  receiveInbound(sku: string, quantity: number): boolean {
    if (!this.afn.has(sku)) return false;
    return this.attempt(() => this.emulator.receiveInbound(sku, quantity));
  }

  goDown(seconds: number): void {
    this.emulator.goDown(seconds);
  }

  throttled(): number {
    return this.emulator.counters().throttled;
  }

  flushWebhooks(): Promise<void> {
    return this.emulator.flushNotifications();
  }

  close(): Promise<void> {
    return this.emulator.close();
  }

  private listing(sku: string): string {
    if (!this.emulator.seller.listings.has(sku)) throw new Error(`invariant violated: the demo seller ${this.emulator.sellerId} does not sell ${sku}`);
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
