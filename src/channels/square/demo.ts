// A Square store for the demo: a Square emulator (emulators/square) per channel, one store
// location whose till sells from the shelf, behind the demo's kind-agnostic `DemoStorefront`
// (../demo-storefront.ts). Loaded only when the demo runs (the kind's `demo()`).
//
// On a restart the emulator starts empty on a new port, so:
// - the location and the catalog objects get ids derived from the location code and the SKUs:
//   the same as last time, so the listings stay as they are;
// - order ids come from the emulator's id generator (`idSeed`), seeded here with the start time as
//   well, so a new run never hands out an order id an earlier one used (truestock records orders
//   by id); webhook faults keep the setup's seed.
//
// The till never refuses a customer holding the item, but a customer cannot pick up what is not
// on the shelf: `placeOrder` refuses when Square's count shows fewer units (the demo's "out of
// stock"); truestock, for its part, never refuses a sale the till took. A return goes to the back
// room, not the shelf (see `refund`). Webhook faults are duplicates, reordering and delays, never
// drops: Square retries an unanswered event for a day (the kind's order poll would catch a sale,
// but a lost count update is only seen by read-backs).

import { createHash, randomBytes } from 'node:crypto';
import { EmulatorError, startSquareEmulator, type SquareEmulator } from '../../../emulators/square/index.ts';
import { unitsOf } from '../../../emulators/square/decimal.ts';
import type { DemoOrder, DemoStorefront, DemoStorefrontFactory, DemoStorefrontSetup } from '../demo-storefront.ts';

const DEMO_FAULTS = { duplicate: 0.02, reorder: 0.02, drop: 0, delayMs: [0, 250] as [number, number] };
/** Square's webhook retries, shortened for the demo: a busy moment is retried within seconds, for up to an hour. */
const DEMO_WEBHOOK_RETRY = { baseDelayMs: 1_000, windowMs: 3_600_000 };

/** A Square-looking id (upper-case letters and digits) derived from `what`: stable across runs. */
export function demoSquareId(prefix: string, what: string): string {
  return `${prefix}${createHash('sha256').update(what).digest('hex').slice(0, 22).toUpperCase()}`;
}

export const squareDemo: DemoStorefrontFactory = {
  async start(setup: DemoStorefrontSetup): Promise<DemoStorefront> {
    const locationId = demoSquareId('L', setup.location.code);
    const emulator = await startSquareEmulator({
      accessToken: `EAAA${randomBytes(24).toString('base64url')}`,
      merchantId: demoSquareId('ML', setup.name),
      locations: [{ id: locationId, name: setup.location.name }],
      webhookRetry: DEMO_WEBHOOK_RETRY,
      // Webhook faults replay by seed; ids come from a generator seeded by the start time as well,
      // so a new run never hands out an order id an earlier one used.
      seed: setup.seed,
      idSeed: (Math.imul(setup.seed, 2_654_435_761) ^ Math.floor(setup.now / 1_000)) >>> 0,
    });
    try {
      return new SquareStore(emulator, setup, locationId);
    } catch (err) {
      await emulator.close();
      throw err;
    }
  },
};

class SquareStore implements DemoStorefront {
  readonly settings: Readonly<Record<string, unknown>>;
  readonly skus: readonly string[];
  readonly reportsHandEdits = true;
  private readonly objects: Map<string, string>;
  private readonly signatureKey = randomBytes(24).toString('base64url');

  constructor(private readonly emulator: SquareEmulator, setup: DemoStorefrontSetup, private readonly locationId: string) {
    this.skus = [...setup.skus];
    this.objects = new Map(this.skus.map((sku) => [sku, emulator.addCatalogObject({ id: demoSquareId('', `${setup.name}/${sku}`), name: sku, sku }).id]));
    // No notification_url: the emulator calls truestock's route at the very URL it signs.
    this.settings = {
      access_token: emulator.accessToken,
      endpoint: emulator.url,
      signature_key: this.signatureKey,
      merchant_id: emulator.merchantId,
      locations: { [locationId]: setup.location.code },
    };
    if (setup.faults) emulator.setWebhookFaults(DEMO_FAULTS);
  }

  get url(): string {
    return this.emulator.url;
  }

  external(sku: string): Record<string, string> {
    return { catalog_object_id: this.object(sku) };
  }

  subscribe(url: string): void {
    this.emulator.subscribe({ notificationUrl: url, signatureKey: this.signatureKey });
  }

  shown(sku: string): number {
    const id = this.objects.get(sku);
    return id ? Math.floor(Number(this.emulator.quantity(id, this.locationId))) : 0;
  }

  setShown(sku: string, available: number): void {
    this.emulator.handCount({ catalogObjectId: this.object(sku), locationId: this.locationId, quantity: unitsOf(available) });
  }

  placeOrder(lines: { sku: string; quantity: number }[]): DemoOrder | null {
    if (lines.some((l) => !this.objects.has(l.sku) || this.shown(l.sku) < l.quantity)) return null;
    const order = this.emulator.posSale({ locationId: this.locationId, lines: lines.map((l) => ({ catalogObjectId: this.object(l.sku), quantity: unitsOf(l.quantity) })) });
    const items = (order.line_items ?? []) as { uid: string; catalog_object_id: string; quantity: string }[];
    const skuOf = new Map([...this.objects].map(([sku, id]) => [id, sku]));
    return { id: String(order.id), name: `#${String(order.id).slice(-6)}`, lines: items.map((li) => ({ id: li.uid, sku: skuOf.get(li.catalog_object_id)!, quantity: Number(li.quantity) })) };
  }

  /** A sale at the till is final: a return undoes it. */
  cancel(): boolean {
    return false;
  }

  /** The customer walked out with it at the till. */
  fulfil(orderId: string): boolean {
    return this.attempt(() => this.emulator.order(orderId));
  }

  /**
   * A return at the till. The unit goes to the back room to be checked, not onto the shelf
   * (`restock: false`): truestock receives it into quality control, and its number goes back on the
   * till's count once inspected. Restocked at the till, the shelf would show a unit truestock holds
   * in quality control — a difference its read-back finds and, where the channel adopts the till's
   * counts, books as found stock, counted a second time when the inspection restocks it.
   */
  refund(orderId: string, lineId: string, quantity: number): boolean {
    return this.attempt(() => {
      const items = (this.emulator.order(orderId).line_items ?? []) as { uid: string; catalog_object_id: string }[];
      const line = items.find((li) => li.uid === lineId);
      if (!line) throw new EmulatorError('not_found', `order ${orderId} has no line ${lineId}`);
      this.emulator.posReturn({ orderId, lines: [{ catalogObjectId: line.catalog_object_id, quantity: unitsOf(quantity) }], restock: false });
    });
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

  private object(sku: string): string {
    const id = this.objects.get(sku);
    if (!id) throw new Error(`invariant violated: the demo store ${this.emulator.merchantId} does not sell ${sku}`);
    return id;
  }

  private attempt(act: () => unknown): boolean {
    try {
      act();
      return true;
    } catch (err) {
      if (!(err instanceof EmulatorError)) throw err;
      return false;
    }
  }
}
