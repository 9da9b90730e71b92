// One seller's account on Amazon: listings, FBA stock, orders, feed documents and feeds, and the
// work Amazon does later (DueWork). The SP-API handlers and the control surface both act on it;
// every entry point first runs the work due by now, so what anyone sees is the state at `now`.

import { DueWork } from './due-work.ts';
import { EmulatorError, invalid, notFound } from './errors.ts';
import { checkBuckets, type FbaBucket, type FbaStock, receive, setBuckets } from './fba.ts';
import { checkPatch, failureIssue, type FulfillmentChannel, type Issue, type Listing, type PatchOperation, type SkuFailure } from './listings.ts';
import type { AmazonOrder, FulfillmentStatus } from './orders.ts';
import { floorToSecond } from './time.ts';
import type { FeedDocument, Feed } from './feeds.ts';

export interface SellerSettings {
  sellerId: string;
  marketplaceIds: string[];
  productTypes: string[];
  /** Read when a patch is accepted: a change applies to what is submitted afterwards. */
  listingProcessingMs: number;
  afnChannelCode: string;
  /** Order numbers and order item ids count up from here. */
  idStart?: number;
}

export interface PlaceOrder {
  lines: { sku: string; quantity: number }[];
  /** Default: from the listings (every line's listing must be fulfilled the same way). */
  fulfillment?: FulfillmentChannel;
  /** PENDING (payment not yet confirmed; the default) or UNSHIPPED. */
  status?: 'PENDING' | 'UNSHIPPED';
  marketplaceId?: string;
  /** Take more than the listing or FBA shows (the quantity floors at 0). */
  allowOversell?: boolean;
}

export interface SellerCounters {
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
}

export type OrderChangeListener = (order: AmazonOrder, reason: string, at: number) => void;
/** An MFN listing's quantity moved to `listing.quantity` at `at` (ms). */
export type QuantityChangeListener = (listing: Listing, at: number) => void;

export class Seller {
  readonly listings = new Map<string, Listing>();
  readonly fba = new Map<string, FbaStock>();
  readonly orders = new Map<string, AmazonOrder>();
  readonly documents = new Map<string, FeedDocument>();
  readonly feeds = new Map<string, Feed>();
  readonly skuFailures = new Map<string, SkuFailure>();
  readonly due: DueWork;
  readonly counters: SellerCounters = zeroCounters();
  onOrderChange: OrderChangeListener = () => {};
  onQuantityChange: QuantityChangeListener = () => {};
  private readonly extraProductTypes = new Set<string>();
  private orderSeq = 0;
  private itemSeq = 0;
  private submissionSeq = 0;
  private asinSeq = 0;

  constructor(
    readonly settings: SellerSettings,
    readonly now: () => number,
    /** Submission ids (Amazon's are UUIDs); a counter when absent. */
    private readonly newId: () => string = () => `submission-${this.submissionSeq}`,
  ) {
    this.due = new DueWork(now);
    this.orderSeq = this.itemSeq = settings.idStart ?? 0;
  }

  /** Runs what Amazon has finished by now. */
  catchUp(): void {
    this.due.runDue();
  }

  productTypes(): ReadonlySet<string> {
    return new Set([...this.settings.productTypes, ...this.extraProductTypes]);
  }

  // ---- listings -----------------------------------------------------------------------------

  addListing(p: { sku: string; productType?: string; channel?: FulfillmentChannel; quantity?: number | null; marketplaceIds?: string[]; asin?: string; itemName?: string }): Listing {
    this.catchUp();
    if (typeof p.sku !== 'string' || p.sku === '' || p.sku.length > 200) throw invalid('sku must be a non-empty string of at most 200 characters');
    if (this.listings.has(p.sku)) throw invalid(`a listing with sku ${p.sku} exists`);
    const channel = p.channel ?? 'MFN';
    if (channel !== 'MFN' && channel !== 'AFN') throw invalid("channel must be 'MFN' or 'AFN'");
    const quantity = p.quantity ?? (channel === 'MFN' ? 0 : null);
    if (quantity !== null && (!Number.isSafeInteger(quantity) || quantity < 0)) throw invalid('quantity must be a whole number of 0 or more');
    if (channel === 'AFN' && quantity !== null) throw invalid('an AFN listing has no quantity of its own: set its FBA stock');
    const marketplaceIds = p.marketplaceIds ?? [...this.settings.marketplaceIds];
    for (const m of marketplaceIds) if (!this.settings.marketplaceIds.includes(m)) throw invalid(`marketplace ${m} is not one of the seller's (${this.settings.marketplaceIds.join(', ')})`);
    const productType = p.productType ?? this.settings.productTypes[0] ?? 'PRODUCT';
    if (typeof productType !== 'string' || productType === '') throw invalid('productType must be a non-empty string');
    this.extraProductTypes.add(productType);
    const at = floorToSecond(this.now());
    const listing: Listing = {
      sku: p.sku,
      productType,
      marketplaceIds,
      channel,
      quantity,
      asin: p.asin ?? `B0EMU${String(++this.asinSeq).padStart(5, '0')}`,
      itemName: p.itemName ?? `Emulated item ${p.sku}`,
      createdAt: at,
      updatedAt: at,
      attributes: {},
      issues: [],
    };
    this.listings.set(p.sku, listing);
    if (channel === 'AFN' && !this.fba.has(p.sku)) this.fba.set(p.sku, this.newFbaStock(listing));
    return listing;
  }

  listing(sku: string): Listing {
    this.catchUp();
    const l = this.listings.get(sku);
    if (!l) throw notFound(`no listing with sku ${sku}`);
    return l;
  }

  /** The quantity a buyer can buy now: MFN its own, AFN the fulfillable FBA units. */
  sellable(l: Listing): number {
    if (l.channel === 'AFN') return this.fba.get(l.sku)?.fulfillable ?? 0;
    return l.quantity ?? 0;
  }

  /** A hand edit in Seller Central: applied at once. */
  setQuantity(sku: string, quantity: number): Listing {
    const l = this.listing(sku);
    if (l.channel !== 'MFN') throw invalid(`${sku} is fulfilled by Amazon: set its FBA stock instead`);
    if (!Number.isSafeInteger(quantity) || quantity < 0) throw invalid('quantity must be a whole number of 0 or more');
    const before = l.quantity;
    l.quantity = quantity;
    l.updatedAt = floorToSecond(this.now());
    this.quantityMoved(l, before, this.now());
    return l;
  }

  /**
   * Amazon announces a merchant-fulfilled quantity that moved (LISTINGS_ITEM_MFN_QUANTITY_CHANGE):
   * whoever moved it. Not when it stays the same, nor when the attribute is removed (no quantity
   * to announce), nor for FBA listings (their stock is Amazon's).
   */
  quantityMoved(l: Listing, before: number | null, at: number): void {
    if (l.channel === 'MFN' && l.quantity !== null && l.quantity !== before) this.onQuantityChange(l, at);
  }

  /**
   * A patch submission (patchListingsItem): INVALID with issues, VALID in preview, or ACCEPTED with
   * the change applied after listingProcessingMs — unless the SKU is switched to fail, in which
   * case processing leaves an issue on the listing and changes nothing.
   */
  submitPatch(sku: string, productType: string, patches: PatchOperation[], preview: boolean): { status: 'ACCEPTED' | 'INVALID' | 'VALID'; submissionId: string; issues: Issue[] } {
    this.catchUp();
    this.submissionSeq++;
    const submissionId = this.newId();
    const checked = checkPatch(this.listings.get(sku), productType, patches, this.productTypes());
    if (!checked.apply) {
      this.counters.patchesInvalid++;
      return { status: 'INVALID', submissionId, issues: checked.issues };
    }
    if (preview) return { status: 'VALID', submissionId, issues: checked.issues };
    this.counters.patchesAccepted++;
    const apply = checked.apply;
    this.due.schedule(this.now() + this.settings.listingProcessingMs, (at) => {
      const l = this.listings.get(sku);
      if (!l) return;
      const failure = this.skuFailures.get(sku);
      if (failure) {
        this.counters.patchesFailed++;
        l.issues = [failureIssue(failure)];
        return;
      }
      const before = l.quantity;
      apply(l, floorToSecond(at));
      this.counters.patchesApplied++;
      this.quantityMoved(l, before, at);
    });
    return { status: 'ACCEPTED', submissionId, issues: checked.issues };
  }

  failSku(sku: string, failure: SkuFailure | null): void {
    if (failure === null) this.skuFailures.delete(sku);
    else this.skuFailures.set(sku, failure);
  }

  // ---- FBA ----------------------------------------------------------------------------------

  private newFbaStock(l: Listing | undefined, sku = l?.sku ?? ''): FbaStock {
    return {
      sku,
      fnSku: `X00EMU${String(this.fba.size + 1).padStart(4, '0')}`,
      asin: l?.asin ?? `B0EMU${String(++this.asinSeq).padStart(5, '0')}`,
      productName: l?.itemName ?? `Emulated item ${sku}`,
      fulfillable: 0,
      inboundWorking: 0,
      inboundShipped: 0,
      inboundReceiving: 0,
      pendingCustomerOrder: 0,
      pendingTransshipment: 0,
      fcProcessing: 0,
      unfulfillable: 0,
      researching: 0,
      changedAt: floorToSecond(this.now()),
    };
  }

  /** Sets FBA buckets for a SKU (the record is created if the SKU has none). */
  setFbaStock(sku: string, buckets: Partial<Record<string, unknown>>): FbaStock {
    this.catchUp();
    if (typeof sku !== 'string' || sku === '') throw invalid('sku must be a non-empty string');
    const b: Partial<Record<FbaBucket, number>> = checkBuckets(buckets);
    let s = this.fba.get(sku);
    if (!s) this.fba.set(sku, (s = this.newFbaStock(this.listings.get(sku), sku)));
    setBuckets(s, b, floorToSecond(this.now()));
    return s;
  }

  receiveInbound(sku: string, quantity: number): FbaStock {
    this.catchUp();
    const s = this.fba.get(sku);
    if (!s) throw notFound(`no FBA stock for sku ${sku}`);
    receive(s, quantity, floorToSecond(this.now()));
    return s;
  }

  // ---- orders -------------------------------------------------------------------------------

  placeOrder(p: PlaceOrder): AmazonOrder {
    this.catchUp();
    if (!Array.isArray(p.lines) || p.lines.length === 0) throw invalid('lines must be a non-empty array');
    const status = p.status ?? 'PENDING';
    if (status !== 'PENDING' && status !== 'UNSHIPPED') throw invalid("status must be 'PENDING' or 'UNSHIPPED'");
    const marketplaceId = p.marketplaceId ?? this.settings.marketplaceIds[0]!;
    if (!this.settings.marketplaceIds.includes(marketplaceId)) throw invalid(`marketplace ${marketplaceId} is not one of the seller's`);
    const listings = p.lines.map((line, i) => {
      if (!Number.isSafeInteger(line.quantity) || line.quantity <= 0) throw invalid(`lines[${i}].quantity must be a whole number above 0`);
      const l = this.listings.get(line.sku);
      if (!l) throw notFound(`lines[${i}]: no listing with sku ${line.sku}`);
      return l;
    });
    const channel = p.fulfillment ?? listings[0]!.channel;
    if (channel !== 'MFN' && channel !== 'AFN') throw invalid("fulfillment must be 'MFN' or 'AFN'");
    listings.forEach((l, i) => {
      if (l.channel !== channel) throw invalid(`lines[${i}]: ${l.sku} is ${l.channel}, the order is ${channel}`);
    });
    // Several lines may name one SKU: check what they take together.
    const wanted = new Map<string, number>();
    for (const line of p.lines) wanted.set(line.sku, (wanted.get(line.sku) ?? 0) + line.quantity);
    if (!p.allowOversell) {
      for (const [sku, q] of wanted) {
        const have = this.sellable(this.listings.get(sku)!);
        if (q > have) {
          this.counters.ordersRefusedOutOfStock++;
          throw new EmulatorError('out_of_stock', `${sku} has ${have} to sell, the order wants ${q}`);
        }
      }
    }
    // From here the order is placed: Amazon takes the units off the listing at once.
    const at = floorToSecond(this.now());
    const moved: [Listing, number | null][] = [];
    for (const [sku, q] of wanted) {
      if (channel === 'MFN') {
        const l = this.listings.get(sku)!;
        moved.push([l, l.quantity]);
        l.quantity = Math.max(0, (l.quantity ?? 0) - q);
        l.updatedAt = at;
      } else {
        const s = this.fba.get(sku)!;
        const take = Math.min(q, s.fulfillable);
        s.fulfillable -= take;
        s.pendingCustomerOrder += take;
        s.changedAt = at;
      }
    }
    const n = ++this.orderSeq;
    const order: AmazonOrder = {
      orderId: `111-${String(n).padStart(7, '0')}-${String((n * 7919) % 10_000_000).padStart(7, '0')}`,
      marketplaceId,
      fulfilledBy: channel === 'AFN' ? 'AMAZON' : 'MERCHANT',
      status,
      createdAt: at,
      updatedAt: at,
      items: p.lines.map((line, i) => ({
        orderItemId: String(10_000_000_000_000 + ++this.itemSeq),
        sku: line.sku,
        asin: listings[i]!.asin,
        title: listings[i]!.itemName,
        quantity: line.quantity,
        shipped: 0,
      })),
    };
    this.orders.set(order.orderId, order);
    this.counters.ordersPlaced++;
    this.onOrderChange(order, 'OrderPlaced', at);
    for (const [l, before] of moved) this.quantityMoved(l, before, this.now());
    return order;
  }

  order(orderId: string): AmazonOrder {
    this.catchUp();
    const o = this.orders.get(orderId);
    if (!o) throw notFound(`no order ${orderId}`);
    return o;
  }

  /** Payment confirmed: PENDING → UNSHIPPED. */
  confirmPayment(orderId: string): AmazonOrder {
    const o = this.order(orderId);
    this.expect(o, ['PENDING'], 'confirm payment of');
    return this.move(o, 'UNSHIPPED', 'PaymentConfirmed');
  }

  /** Ships some lines (all that is left when `lines` is absent): PARTIALLY_SHIPPED or SHIPPED. */
  shipOrder(orderId: string, lines?: { orderItemId?: string; sku?: string; quantity: number }[]): AmazonOrder {
    const o = this.order(orderId);
    this.expect(o, ['UNSHIPPED', 'PARTIALLY_SHIPPED'], 'ship');
    const ship = new Map<string, number>();
    if (!lines) {
      for (const i of o.items) ship.set(i.orderItemId, i.quantity - i.shipped);
    } else {
      lines.forEach((line, k) => {
        const item = o.items.find((i) => (line.orderItemId !== undefined ? i.orderItemId === line.orderItemId : i.sku === line.sku && i.shipped < i.quantity));
        if (!item) throw invalid(`lines[${k}] names no open item of ${orderId}`);
        if (!Number.isSafeInteger(line.quantity) || line.quantity <= 0) throw invalid(`lines[${k}].quantity must be a whole number above 0`);
        const total = (ship.get(item.orderItemId) ?? 0) + line.quantity;
        if (total > item.quantity - item.shipped) throw invalid(`lines[${k}]: item ${item.orderItemId} has ${item.quantity - item.shipped} left to ship`);
        ship.set(item.orderItemId, total);
      });
    }
    const at = floorToSecond(this.now());
    for (const item of o.items) {
      const q = ship.get(item.orderItemId) ?? 0;
      if (q === 0) continue;
      item.shipped += q;
      if (o.fulfilledBy === 'AMAZON') {
        const s = this.fba.get(item.sku);
        if (s) {
          s.pendingCustomerOrder = Math.max(0, s.pendingCustomerOrder - q);
          s.changedAt = at;
        }
      }
    }
    const all = o.items.every((i) => i.shipped >= i.quantity);
    return this.move(o, all ? 'SHIPPED' : 'PARTIALLY_SHIPPED', all ? 'Shipped' : 'PartiallyShipped');
  }

  /**
   * Cancels an order that has not shipped anything. The unshipped units go back: to the MFN
   * listing's quantity when `restock` (default true), to fulfillable FBA stock for AFN.
   */
  cancelOrder(orderId: string, p: { restock?: boolean; reason?: string; by?: string } = {}): AmazonOrder {
    const o = this.order(orderId);
    this.expect(o, ['PENDING', 'UNSHIPPED'], 'cancel');
    const at = floorToSecond(this.now());
    const moved = new Map<Listing, number | null>();
    for (const item of o.items) {
      const q = item.quantity - item.shipped;
      if (o.fulfilledBy === 'AMAZON') {
        const s = this.fba.get(item.sku);
        if (s) {
          const back = Math.min(q, s.pendingCustomerOrder);
          s.pendingCustomerOrder -= back;
          s.fulfillable += back;
          s.changedAt = at;
        }
      } else if (p.restock !== false) {
        const l = this.listings.get(item.sku);
        if (l && l.quantity !== null) {
          if (!moved.has(l)) moved.set(l, l.quantity);
          l.quantity += q;
          l.updatedAt = at;
        }
      }
    }
    o.cancelledBy = p.by ?? 'SELLER';
    o.cancelReason = p.reason ?? 'NoInventory';
    this.move(o, 'CANCELLED', 'Cancelled');
    for (const [l, before] of moved) this.quantityMoved(l, before, this.now());
    return o;
  }

  private expect(o: AmazonOrder, from: FulfillmentStatus[], what: string): void {
    if (!from.includes(o.status)) throw new EmulatorError('order_state', `cannot ${what} order ${o.orderId}: it is ${o.status}`);
  }

  private move(o: AmazonOrder, to: FulfillmentStatus, reason: string): AmazonOrder {
    const at = floorToSecond(this.now());
    o.status = to;
    // lastUpdatedTime moves on every change (at whole seconds; searchOrders' bounds are inclusive).
    o.updatedAt = Math.max(at, o.updatedAt);
    this.onOrderChange(o, reason, at);
    return o;
  }

  nextFeedId(): string {
    return String(50_000_000_000 + this.feeds.size + 1);
  }
}

function zeroCounters(): SellerCounters {
  return {
    patchesAccepted: 0,
    patchesInvalid: 0,
    patchesApplied: 0,
    patchesFailed: 0,
    feedsCreated: 0,
    feedsDone: 0,
    feedsFatal: 0,
    feedsCancelled: 0,
    ordersPlaced: 0,
    ordersRefusedOutOfStock: 0,
  };
}
