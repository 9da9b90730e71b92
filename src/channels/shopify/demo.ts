// Shopify storefronts for the demo: an in-process Shopify emulator per channel, behind the demo's
// kind-agnostic `DemoStorefront` (../demo-storefront.ts). Loaded only when the demo runs (the
// kind's `demo()`), so the emulator is never loaded with the registry.
//
// The emulator keeps no state and listens on a new port every start, so on a restart:
// - the settings it gives are new (`api_url`, token and webhook secret);
// - it numbers everything from one counter, so creating the location and the items in the same
//   order gives them the same ids as last time, and the listings stay as they are;
// - orders, line items and refunds must never reuse an id of an earlier run (truestock records
//   channel orders by id, and would take a new order for an old one), so after the catalog the
//   counter jumps to the current time in milliseconds — far above anything a run before could
//   have reached at the demo's pace of well under one id per millisecond.

import { randomBytes } from 'node:crypto';
import { EmulatorError, startShopifyEmulator, type ShopifyEmulator, type ShopifyOrder } from '../../../emulators/shopify/index.ts';
import type { DemoOrder, DemoStorefront, DemoStorefrontFactory, DemoStorefrontSetup } from '../demo-storefront.ts';

/** Below this, the counter is where the emulator starts anyway (a clock at 0 in tests). */
const ORDER_ID_START_MIN = 1_000_000;

/** A real shop's webhooks arrive twice, late and out of order now and then; the ledger copes. */
const DEMO_FAULTS = { duplicate: 0.02, reorder: 0.02, drop: 0.002, delayMs: [0, 250] as [number, number] };

export const shopifyDemo: DemoStorefrontFactory = {
  async start(setup: DemoStorefrontSetup): Promise<DemoStorefront> {
    const emulator = await startShopifyEmulator({
      shop: setup.name,
      accessToken: `shpat_${randomBytes(16).toString('hex')}`,
      clientSecret: randomBytes(24).toString('base64url'),
      seed: setup.seed,
      orderIdStart: Math.max(setup.now, ORDER_ID_START_MIN),
    });
    try {
      return new ShopifyStorefront(emulator, setup);
    } catch (err) {
      await emulator.close();
      throw err;
    }
  },
};

/** Refusals a real shop gives are answers; anything else is a bug, thrown on. */
function unlessRefused(err: unknown): void {
  if (!(err instanceof EmulatorError)) throw err;
}

class ShopifyStorefront implements DemoStorefront {
  readonly settings: Readonly<Record<string, unknown>>;
  readonly skus: readonly string[];
  /** The shop's one location (gid). */
  private readonly locationId: string;
  /** The shop's inventory item and variant per SKU. */
  private readonly items: Map<string, { inventoryItemId: string; variantId: string }>;

  constructor(private readonly emulator: ShopifyEmulator, setup: DemoStorefrontSetup) {
    // Location first, then items in the catalog's order: the same ids as in the last run.
    this.locationId = emulator.addLocation(setup.location.name).id;
    this.skus = [...setup.skus];
    this.items = new Map(this.skus.map((sku) => [sku, emulator.addItem({ sku, levels: { [this.locationId]: 0 } })]));
    this.settings = {
      shop_domain: emulator.shopDomain,
      access_token: emulator.accessToken,
      webhook_secret: emulator.clientSecret,
      api_url: emulator.url,
      locations: { [this.locationId]: setup.location.code },
    };
    if (setup.faults) emulator.setFaults(DEMO_FAULTS);
  }

  get url(): string {
    return this.emulator.url;
  }

  external(sku: string): Record<string, string> {
    return { inventory_item_id: this.item(sku).inventoryItemId, location_id: this.locationId };
  }

  subscribe(url: string): void {
    this.emulator.subscribe(url);
  }

  shown(sku: string): number {
    const ids = this.items.get(sku);
    return ids ? (this.emulator.level(ids.inventoryItemId, this.locationId)?.available ?? 0) : 0;
  }

  setShown(sku: string, available: number): void {
    this.emulator.editAvailable(this.item(sku).inventoryItemId, this.locationId, available);
  }

  placeOrder(lines: { sku: string; quantity: number }[]): DemoOrder | null {
    let order: ShopifyOrder;
    try {
      order = this.emulator.placeOrder({ lines: lines.map((l) => ({ variantId: this.item(l.sku).variantId, quantity: l.quantity })), locationId: this.locationId });
    } catch (err) {
      unlessRefused(err);
      return null;
    }
    return { id: order.id, name: order.name, lines: order.lines.map((l) => ({ id: l.id, sku: l.sku, quantity: l.quantity })) };
  }

  cancel(orderId: string): boolean {
    return this.attempt(() => this.emulator.cancelOrder(orderId, { restock: true }));
  }

  fulfil(orderId: string): boolean {
    return this.attempt(() => this.emulator.fulfillOrder(orderId));
  }

  refund(orderId: string, lineId: string, quantity: number): boolean {
    return this.attempt(() => this.emulator.refund(orderId, { lines: [{ lineItemId: lineId, quantity, restockType: 'return' }] }));
  }

  goDown(seconds: number): void {
    this.emulator.goDown(seconds);
  }

  throttled(): number {
    return this.emulator.counters().throttled;
  }

  flushWebhooks(): Promise<void> {
    return this.emulator.flushWebhooks();
  }

  close(): Promise<void> {
    return this.emulator.close();
  }

  private item(sku: string): { inventoryItemId: string; variantId: string } {
    const ids = this.items.get(sku);
    if (!ids) throw new Error(`invariant violated: the demo shop ${this.emulator.shopDomain} does not sell ${sku}`);
    return ids;
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
