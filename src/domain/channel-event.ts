// The normalized channel events: what every channel kind's webhooks and polls are read into, and
// the one thing the kind-agnostic orchestration (`src/app/channel-events.ts`) applies. Pure types:
// the kinds (`src/channels/<kind>`) produce them without knowing the ledger, and the ledger side
// applies them without knowing which kind sent them.

/** One line of an order (or of a refund) in the channel's own identifiers. */
export interface OrderLineFacts {
  /** The channel's id of the line, stable across events of the order. */
  lineId: string;
  quantity: number;
  /** The channel's SKU for the line, when it has one: the mapping of last resort. */
  sku: string | null;
  /** Listing keys (`externalKey`) that name this line's listing exactly, best first. */
  keys: string[];
  /** Prefixes of listing keys that name the line's item at any of the channel's locations. */
  keyPrefixes: string[];
}

export interface OrderFacts {
  /** The channel's id of the order (one spelling for every source: webhook and poll). */
  orderId: string;
  /** What people call it (`#1001`): the ledger's order reference. */
  name: string | null;
  /** The channel location the channel assigned the order to, when it says. */
  locationId: string | null;
  cancelled: boolean;
  /**
   * The channel took the order but has not confirmed payment (Amazon `PENDING`): the channel
   * already keeps the units from other buyers, so truestock holds them — a hold, not an
   * allocation — until a later event confirms (allocate) or cancels (release) it. Absent: false.
   */
  pending?: boolean;
  /**
   * The channel fulfils the order from its own warehouses (Amazon FBA/AFN): recorded for
   * visibility and sales velocity, never allocated from truestock's buildings. Absent: false.
   */
  fulfilledByChannel?: boolean;
  /**
   * How and where the customer asked for it, when the channel says (the order module keeps them
   * with the order, docs/orders.md). Absent: `standard`, no ship-to, no promise.
   */
  serviceLevel?: 'standard' | 'two_day' | 'next_day' | 'pickup';
  shipTo?: { postalCode: string | null; country: string | null } | null;
  /** The channel's promised ship-by and deliver-by (ms since the epoch). */
  promisedShipBy?: number | null;
  promisedDeliverBy?: number | null;
  lines: OrderLineFacts[];
}

export type RestockType = 'return' | 'cancel' | 'no_restock';

export interface RefundLineFacts extends OrderLineFacts {
  restock: RestockType;
  /** The channel location the units are restocked at. */
  locationId: string | null;
}

export interface RefundFacts {
  refundId: string;
  orderId: string;
  lines: RefundLineFacts[];
}

export interface LevelFacts {
  /** Listing keys of the level (item at location), best first. */
  keys: string[];
  /** The channel location of the level. */
  locationId: string;
  /** What the channel now shows as available. */
  available: number;
}

export type ChannelEvent =
  | { kind: 'order_created' | 'order_updated' | 'order_cancelled'; occurredAt: number; order: OrderFacts }
  | { kind: 'refund_created'; occurredAt: number; refund: RefundFacts }
  /** `eventId`: the channel's id of this change, so adopting it is idempotent per event. */
  | { kind: 'level_updated'; occurredAt: number; eventId: string; level: LevelFacts }
  /** The channel reports a listing it cannot sell as it is (suppressed, invalid, unpublished). */
  | { kind: 'listing_problem'; occurredAt: number; eventId: string; problem: ListingProblemFacts }
  /**
   * What a channel that keeps stock itself (FBA) reports holding at one of its locations: the
   * whole picture for one item, booked against the `channel_managed` location it maps to.
   */
  | { kind: 'managed_stock_reported'; occurredAt: number; eventId: string; stock: ManagedStockFacts };

/** A channel-managed stock level as the channel reports it (FBA inventory summary). */
export interface ManagedStockFacts {
  /** Listing keys (`externalKey`) that name the item's listing on the channel, best first. */
  keys: string[];
  /** The channel's SKU: the mapping of last resort. */
  sku: string | null;
  /** The channel location (e.g. the FBA marketplace) that maps to a `channel_managed` location. */
  locationId: string;
  /** Units the channel can sell and ship now. */
  available: number;
  /** Units the channel keeps for its orders or its own processing (picking, transfers between its buildings). */
  reserved: number;
  /** Units on their way into the channel's warehouses (shipments not yet received). */
  inbound: number;
  /** Units the channel holds but cannot sell (damaged, defective, expired). */
  unfulfillable: number;
  /** Units the channel is looking for (misplaced, in research). */
  researching: number;
}

export interface ListingProblemFacts {
  /** Listing keys (`externalKey`) of the listing, best first. */
  keys: string[];
  /** The channel's SKU, when it names one. */
  sku: string | null;
  /** The channel's own code for the problem (`OFFER_UNPUBLISHED`, an issue code). */
  code: string;
  message: string;
}

export type ChannelEventKind = ChannelEvent['kind'];

/** How a channel's locations reach truestock's (listings map items; see `OrderLineFacts.keys`). */
export interface ChannelMapping {
  /** The truestock location code a channel location id maps to, if the channel's settings map it. */
  locationCode(channelLocationId: string): string | undefined;
  /** Every truestock location code the channel maps to, in the settings' order. */
  locationCodes(): string[];
}
