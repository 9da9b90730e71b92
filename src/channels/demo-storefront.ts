// An emulated storefront of a channel kind, as the demo (`npm start`, src/demo) drives it: a kind
// that has an emulator offers one through its `demo()` (kind.ts), so the demo starts, wires and
// sells through storefronts of any kind without naming one. Each kind implements it in its own
// folder (`src/channels/<kind>/demo.ts`), loaded only when the demo runs.

/** An order as the storefront placed it. */
export interface DemoOrder {
  /** The channel's id of the order, as truestock records the channel's orders. */
  id: string;
  /** How the storefront shows it to people (`#1001`). */
  name: string;
  lines: { id: string; sku: string; quantity: number }[];
}

export interface DemoStorefrontSetup {
  /** The channel's name, which the storefront takes as its own. */
  name: string;
  /**
   * The SKUs it sells, in the catalog's order. Started again with the same SKUs in the same
   * order, a storefront gives every SKU the same identifiers as before, so listings stay as they are.
   */
  skus: readonly string[];
  /** Its one location: the truestock location it stands for (code) and its name there. */
  location: { code: string; name: string };
  /** Seeds the storefront's randomness (its webhook faults). */
  seed: number;
  /**
   * Now (ms, the demo's clock). Orders, order lines and refunds made from here on must never take
   * an id an earlier run of the demo used: truestock records channel orders by id.
   */
  now: number;
  /** Deliver webhooks as a real channel now and then does: twice, late, out of order, rarely never. */
  faults: boolean;
}

/**
 * One running storefront. Refusals a real shop would give (out of stock, an order already
 * cancelled) are answered with null or false; anything else throws.
 */
export interface DemoStorefront {
  /** Where its API listens. */
  readonly url: string;
  /** Settings that point a channel of this kind at the storefront; they replace the channel's keys of the same name. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** The SKUs it sells, in the order it was given them. */
  readonly skus: readonly string[];
  /** A listing's identifiers for one of its SKUs. */
  external(sku: string): Record<string, string>;
  /** Send its webhooks here from now on (the channel's `/v1/channels/{id}/webhooks`); before this, nothing is reported. */
  subscribe(url: string): void;
  /** What it shows as available for a SKU now (0 for a SKU it does not sell). */
  shown(sku: string): number;
  /** Someone sets the available number in the storefront's admin (a hand edit; to stock it before `subscribe`). */
  setShown(sku: string, available: number): void;
  /** A customer checks out these lines at its location; null when it refuses (not enough shown). */
  placeOrder(lines: { sku: string; quantity: number }[]): DemoOrder | null;
  /** Cancelled before it shipped, its units restocked; false when it refuses. */
  cancel(orderId: string): boolean;
  /** Shipped; false when it refuses. */
  fulfil(orderId: string): boolean;
  /** Units of one line refunded and restocked (they come back: a return); false when it refuses. */
  refund(orderId: string, lineId: string, quantity: number): boolean;
  /** Its API fails (503) for this many seconds; webhooks wait until it is back. */
  goDown(seconds: number): void;
  /** How many requests it refused for the rate limit since it started (a well-behaved connector causes none). */
  throttled(): number;
  /** Resolves when every webhook it has queued is delivered (or given up). */
  flushWebhooks(): Promise<void>;
  close(): Promise<void>;
}

/** What a kind's `demo()` gives: a way to start storefronts of the kind. */
export interface DemoStorefrontFactory {
  start(setup: DemoStorefrontSetup): Promise<DemoStorefront>;
}
