// Walmart storefronts for the demo: a Walmart Marketplace emulator (emulators/walmart) per
// channel, behind the demo's kind-agnostic `DemoStorefront` (../demo-storefront.ts). Loaded only
// when the demo runs (the kind's `demo()`), so the emulator is never loaded with the registry.
//
// One seller with one ship node, mapped to the storefront's location; SKU = truestock SKU.
// Orders reach truestock by ORDER_UPDATES webhooks (HMAC-signed) and the order poll. Walmart's
// own times: feeds take minutes here (the emulator's defaults are ~30 minutes; the demo shortens
// them so a burst's feed settles on screen), single updates apply at once.
//
// The emulator keeps no state and listens on a new port every start, so on a restart the
// settings it gives are new (endpoint, credentials, webhook secret); listings are keyed by SKU,
// which never changes; purchase order numbers count up from the current time, so no PO id is
// reused; the shown quantities are restored by the demo from what truestock last saw.

import { randomBytes } from 'node:crypto';
import { EmulatorError, startWalmartEmulator, type WalmartEmulator } from '../../../emulators/walmart/index.ts';
import type { DemoOrder, DemoStorefront, DemoStorefrontFactory, DemoStorefrontSetup } from '../demo-storefront.ts';

/** The demo seller's one ship node. */
export const DEMO_SHIP_NODE = '10000000001';
/** Orders are polled this often beside the webhooks (the poll catches a dropped delivery). */
export const DEMO_POLL_SECONDS = 60;
/** A demo feed is RECEIVED this long, then INPROGRESS this long: minutes, not Walmart's half hour. */
export const DEMO_FEED_RECEIVED_MS = 30_000;
export const DEMO_FEED_PROCESSING_MS = 90_000;
/** Below this, ids count from where the emulator starts anyway (a clock at 0 in tests). */
const ID_START_MIN = 1_000_000;

/** Refusals a real seller account gives (not enough to sell, an order past that step). */
const REFUSALS: ReadonlySet<string> = new Set(['out_of_stock', 'order_state']);

export const walmartDemo: DemoStorefrontFactory = {
  async start(setup: DemoStorefrontSetup): Promise<DemoStorefront> {
    const emulator = await startWalmartEmulator({
      clientId: randomBytes(16).toString('hex'),
      clientSecret: randomBytes(24).toString('base64url'),
      shipNodes: [DEMO_SHIP_NODE],
      seed: setup.seed,
      idStart: Math.max(Math.floor(setup.now), ID_START_MIN),
      feedReceivedMs: DEMO_FEED_RECEIVED_MS,
      feedProcessingMs: DEMO_FEED_PROCESSING_MS,
      // Its order times are what truestock's poll windows compare with its own clock.
      ...(setup.clock ? { clock: setup.clock } : {}),
    });
    try {
      return new WalmartStorefront(emulator, setup);
    } catch (err) {
      await emulator.close();
      throw err;
    }
  },
};

function unlessRefused(err: unknown): void {
  if (!(err instanceof EmulatorError) || !REFUSALS.has(err.code)) throw err;
}

class WalmartStorefront implements DemoStorefront {
  readonly settings: Readonly<Record<string, unknown>>;
  readonly skus: readonly string[];
  /** Walmart sends no webhook for a quantity set in Seller Center: only a read-back finds it. */
  readonly reportsHandEdits = false;
  readonly #hookSecret = randomBytes(24).toString('base64url');
  readonly #faults: boolean;

  constructor(private readonly emulator: WalmartEmulator, setup: DemoStorefrontSetup) {
    this.skus = [...setup.skus];
    this.#faults = setup.faults;
    for (const sku of this.skus) emulator.addSku({ sku, quantity: 0 });
    this.settings = {
      client_id: emulator.clientId,
      client_secret: emulator.clientSecret,
      endpoint: emulator.url,
      ship_node: DEMO_SHIP_NODE,
      locations: { [DEMO_SHIP_NODE]: setup.location.code },
      notification_auth: 'HMAC',
      notification_secret: this.#hookSecret,
      poll_seconds: DEMO_POLL_SECONDS,
    };
  }

  get url(): string {
    return this.emulator.url;
  }

  external(sku: string): Record<string, string> {
    return { sku: this.listing(sku) };
  }

  /** Subscribes ORDER_UPDATES to `url` as the seller would (Walmart's subscription API), HMAC-authenticated. */
  subscribe(url: string): void {
    if (this.#faults) this.emulator.setNotificationFaults({ drop: 0.01, duplicate: 0.05, reorder: 0.05 });
    this.emulator.subscribe({ eventUrl: url, eventType: 'ORDER_UPDATES', authDetails: { authMethod: 'HMAC', clientSecret: this.#hookSecret, authHeaderName: 'Authorization' } });
  }

  shown(sku: string): number {
    return this.skus.includes(sku) ? this.emulator.quantity(sku) : 0;
  }

  setShown(sku: string, available: number): void {
    this.emulator.setQuantity(this.listing(sku), available);
  }

  placeOrder(lines: { sku: string; quantity: number }[]): DemoOrder | null {
    for (const l of lines) this.listing(l.sku);
    try {
      const o = this.emulator.placeOrder({ lines });
      return { id: o.purchaseOrderId, name: o.customerOrderId, lines: o.lines.map((l) => ({ id: l.lineNumber, sku: l.sku, quantity: l.quantity })) };
    } catch (err) {
      unlessRefused(err);
      return null;
    }
  }

  /** Cancelled before it shipped, its units back on the shelf: Walmart's auto-cancel (the one a webhook reports). */
  cancel(orderId: string): boolean {
    return this.attempt(() => this.emulator.autoCancel(orderId, undefined, true));
  }

  fulfil(orderId: string): boolean {
    return this.attempt(() => this.emulator.shipOrder(orderId));
  }

  /** Returns are not read by the kind (no returns API in use): always refused. */
  refund(_orderId: string, _lineId: string, _quantity: number): boolean {
    return false;
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
    if (!this.skus.includes(sku)) throw new Error(`invariant violated: the demo Walmart seller does not sell ${sku}`);
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
