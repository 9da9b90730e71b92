// The seller's inventory as eBay's Inventory API models it: inventory items (one per SKU, with a
// ship-to-home quantity) and offers (a SKU on a marketplace; a PUBLISHED offer is a live listing
// with a listingId and an optional availableQuantity of its own). The quantity a buyer sees on a
// listing is the smaller of the two (developer.ebay.com/api-docs/sell/static/inventory/bulk-updates.html).
// Each listing can be revised 250 times per eBay calendar day (the bulkUpdatePriceQuantity note);
// revisions are counted here per listing and day.

import { invalid, notFound } from './errors.ts';
import { ebayDay } from './time.ts';

export const REVISIONS_PER_DAY_MAX = 250;

export interface InventoryItem {
  sku: string;
  title: string;
  /** shipToLocationAvailability.quantity: what the seller has to ship. */
  shipToHome: number;
}

export interface Offer {
  offerId: string;
  sku: string;
  marketplaceId: string;
  format: 'FIXED_PRICE';
  status: 'PUBLISHED' | 'UNPUBLISHED';
  /** The offer's own cap; when absent the listing shows the ship-to-home quantity. */
  availableQuantity: number | null;
  price: { value: string; currency: string };
  /** The live listing's id once published (legacy item id, 12 digits). */
  listingId: string | null;
  /** Units buyers have bought on this offer (listing.soldQuantity). */
  sold: number;
}

export interface NewListing {
  sku: string;
  quantity: number;
  /** An offer cap different from the item's quantity; default none. */
  availableQuantity?: number | null;
  title?: string;
  price?: string;
  published?: boolean;
  marketplaceId?: string;
}

export class Catalog {
  readonly items = new Map<string, InventoryItem>();
  readonly offers = new Map<string, Offer>();
  /** listingId → revisions on `day`. */
  private readonly revisions = new Map<string, { day: string; count: number }>();
  private nextOffer: number;
  private nextListing: number;

  constructor(
    private readonly now: () => number,
    idStart = 0,
  ) {
    this.nextOffer = 5_000_000_000 + idStart;
    this.nextListing = 110_000_000_000 + idStart;
  }

  /** An inventory item with one fixed-price offer, published (a live listing) unless told otherwise. */
  addListing(p: NewListing): { item: InventoryItem; offer: Offer } {
    if (typeof p.sku !== 'string' || p.sku === '' || p.sku.length > 50) throw invalid('sku must be 1 to 50 characters');
    if (this.items.has(p.sku)) throw invalid(`sku ${p.sku} exists`);
    checkQuantity(p.quantity, 'quantity');
    if (p.availableQuantity !== undefined && p.availableQuantity !== null) checkQuantity(p.availableQuantity, 'available_quantity');
    const item: InventoryItem = { sku: p.sku, title: p.title ?? `Emulated ${p.sku}`, shipToHome: p.quantity };
    const published = p.published ?? true;
    const offer: Offer = {
      offerId: String(this.nextOffer++),
      sku: p.sku,
      marketplaceId: p.marketplaceId ?? 'EBAY_US',
      format: 'FIXED_PRICE',
      status: published ? 'PUBLISHED' : 'UNPUBLISHED',
      availableQuantity: p.availableQuantity ?? null,
      price: { value: p.price ?? '19.99', currency: 'USD' },
      listingId: published ? String(this.nextListing++) : null,
      sold: 0,
    };
    this.items.set(item.sku, item);
    this.offers.set(offer.offerId, offer);
    return { item, offer };
  }

  item(sku: string): InventoryItem {
    const i = this.items.get(sku);
    if (!i) throw notFound(`no inventory item ${sku}`);
    return i;
  }

  offersOf(sku: string): Offer[] {
    return [...this.offers.values()].filter((o) => o.sku === sku);
  }

  /** The live listing a buyer buys a SKU from: its first published offer. */
  listingOf(sku: string): Offer | undefined {
    return this.offersOf(sku).find((o) => o.status === 'PUBLISHED');
  }

  /** What a buyer can buy on a published offer now. */
  visible(offer: Offer): number {
    if (offer.status !== 'PUBLISHED') return 0;
    const item = this.items.get(offer.sku);
    const home = item?.shipToHome ?? 0;
    return Math.max(0, offer.availableQuantity === null ? home : Math.min(home, offer.availableQuantity));
  }

  revisionsToday(listingId: string): number {
    const r = this.revisions.get(listingId);
    return r && r.day === ebayDay(this.now()) ? r.count : 0;
  }

  /** One more revision of a listing today. */
  revise(listingId: string): void {
    const day = ebayDay(this.now());
    const r = this.revisions.get(listingId);
    if (r && r.day === day) r.count++;
    else this.revisions.set(listingId, { day, count: 1 });
  }

  /** A quantity set by hand (the seller in eBay's web UI): not a revision the API counts. */
  setQuantity(sku: string, quantity: number, availableQuantity?: number | null): InventoryItem {
    const item = this.item(sku);
    checkQuantity(quantity, 'quantity');
    if (availableQuantity !== undefined && availableQuantity !== null) checkQuantity(availableQuantity, 'available_quantity');
    item.shipToHome = quantity;
    if (availableQuantity !== undefined) for (const o of this.offersOf(sku)) o.availableQuantity = availableQuantity;
    return item;
  }

  /** eBay's own move when a buyer commits to buy: the item and the offer both lose the units. */
  sell(offer: Offer, quantity: number): void {
    const item = this.item(offer.sku);
    item.shipToHome = Math.max(0, item.shipToHome - quantity);
    if (offer.availableQuantity !== null) offer.availableQuantity = Math.max(0, offer.availableQuantity - quantity);
    offer.sold += quantity;
  }

  /** Units given back (a cancelled order restocked). */
  restock(offer: Offer, quantity: number): void {
    const item = this.items.get(offer.sku);
    if (item) item.shipToHome += quantity;
    if (offer.availableQuantity !== null) offer.availableQuantity += quantity;
  }
}

/** The quantity limits eBay's models state: a whole number from 0 (int32). */
export const QUANTITY_MAX = 2_147_483_647;

function checkQuantity(q: unknown, field: string): void {
  if (!(Number.isSafeInteger(q) && (q as number) >= 0 && (q as number) <= QUANTITY_MAX)) throw invalid(`${field} must be a whole number of 0 or more`);
}
