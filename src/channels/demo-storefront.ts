// An emulated storefront of a channel kind, as the demo (`npm start`, src/demo) drives it: a kind
// that has an emulator offers one through its `demo()` (kind.ts), so the demo starts, wires and
// sells through storefronts of any kind without naming one. Each kind implements it in its own
// folder (`src/channels/<kind>/demo.ts`), loaded only when the demo runs. A few members are
// optional: only a storefront that keeps stock in its own warehouse, or takes payment after the
// order, has them, and the demo asks before it uses them.

/** An order as the storefront placed it. */
export interface DemoOrder {
  /** The channel's id of the order, as truestock records the channel's orders. */
  id: string;
  /** How the storefront shows it to people (`#1001`). */
  name: string;
  lines: { id: string; sku: string; quantity: number }[];
  /**
   * Payment not yet confirmed (the channel already holds the units): the order waits for
   * `confirm` or a cancellation before it can ship. Absent: the order is ready to ship.
   */
  pending?: boolean;
  /** Shipped by the channel from its own warehouse (its managed location): never by us. */
  fulfilledByChannel?: boolean;
}

/**
 * Stock a channel keeps in its own warehouse and ships itself (a `channel_managed` location, such
 * as a marketplace's fulfilment network), as the storefront holds and reports it.
 */
export interface DemoManagedStock {
  /** Sellable now. */
  available: number;
  /** Unsellable (damaged, defective). */
  damaged: number;
  /** Shipped to the channel's warehouse, not yet checked in. */
  inbound: number;
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
  /**
   * The demo's clock, for a storefront whose own times matter to truestock (a channel polled by
   * time windows): it keeps its time by this one. Absent: the system clock.
   */
  clock?: { now(): number };
  /** Deliver webhooks as a real channel now and then does: twice, late, out of order, rarely never. */
  faults: boolean;
  /**
   * For a kind that keeps stock itself: its warehouse (the `channel_managed` truestock location it
   * stands for, code and name there) and the SKUs, some of `skus`, it sells and ships from there
   * rather than from `location`. Give it only to a kind that has one (the others do not read it).
   */
  managed?: { location: { code: string; name: string }; skus: readonly string[] };
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
  /**
   * Whether a hand edit in its admin reaches truestock at once (a webhook). False: only a read-back
   * finds it, after the channel's allowance for applying pushes (minutes); the demo edits by hand
   * only where truestock hears of it. Absent: true.
   */
  readonly reportsHandEdits?: boolean;
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
  // ---- a storefront that keeps stock itself, or takes payment later (absent otherwise) ----------
  /** Whether the channel ships this SKU itself, from its managed location (its orders come back `fulfilledByChannel`). */
  channelFulfils?(sku: string): boolean;
  /** Payment of a pending order confirmed (it may ship now); false when it refuses. */
  confirm?(orderId: string): boolean;
  /** What the channel holds of a SKU at its managed location, set as it is (the demo restores what truestock last booked). */
  setManagedStock?(sku: string, stock: DemoManagedStock): void;
  /** What the channel holds of a SKU at its managed location now (zeros for one it does not hold). */
  managedStock?(sku: string): DemoManagedStock;
  /** The channel checks in units shipped to its managed location (a transfer of ours arriving); false when fewer are inbound. */
  receiveInbound?(sku: string, quantity: number): boolean;

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
