// The one change truestock makes to an Amazon listing: its merchant-fulfilled quantity, as a JSON
// Patch on `fulfillment_availability` (channels.md §2 "Patch body"), shared by `patchListingsItem`
// and the JSON_LISTINGS_FEED's PATCH messages so both paths send the same thing.
//
// `merge` (Listings Items 2021-08-01, June 2025) changes only the quantity of the DEFAULT
// (merchant) fulfillment channel and leaves what the merchant set beside it — handling time
// (`lead_time_to_ship_max_days`), `restock_date` — where `replace` would drop them.

/** Amazon's code for merchant fulfillment (FBA channels are AMAZON_NA, AMAZON_EU, …). */
export const MERCHANT_FULFILLMENT_CHANNEL = 'DEFAULT';
export const FULFILLMENT_AVAILABILITY_PATH = '/attributes/fulfillment_availability';
/** The attribute name Amazon's issues use for it. */
export const FULFILLMENT_AVAILABILITY_ATTRIBUTE = 'fulfillment_availability';

export interface QuantityPatch {
  op: 'merge';
  path: typeof FULFILLMENT_AVAILABILITY_PATH;
  value: [{ fulfillment_channel_code: typeof MERCHANT_FULFILLMENT_CHANNEL; quantity: number }];
}

export function quantityPatches(quantity: number): [QuantityPatch] {
  if (!Number.isInteger(quantity) || quantity < 0) throw new RangeError(`an Amazon quantity is a whole number ≥ 0, got ${quantity}`);
  return [{ op: 'merge', path: FULFILLMENT_AVAILABILITY_PATH, value: [{ fulfillment_channel_code: MERCHANT_FULFILLMENT_CHANNEL, quantity }] }];
}

/** The merchant-fulfilled quantity in a listing's `fulfillmentAvailability` (null: none shown). */
export function merchantQuantity(availability: unknown): number | null {
  if (!Array.isArray(availability)) return null;
  const entry = availability.find((a) => (a as { fulfillmentChannelCode?: unknown })?.fulfillmentChannelCode === MERCHANT_FULFILLMENT_CHANNEL) as { quantity?: unknown } | undefined;
  return typeof entry?.quantity === 'number' ? entry.quantity : null;
}

export interface ListingIssue {
  code?: string;
  message?: string;
  severity?: string;
  attributeNames?: string[];
  attributeName?: string;
}

/**
 * The issue that keeps a quantity from being applied, if any: an ERROR about
 * `fulfillment_availability`, or an ERROR naming no attribute (the listing itself is refused). An
 * ERROR about another attribute (a missing image) does not stop the offer's quantity.
 */
export function blockingIssue(issues: readonly ListingIssue[] | undefined): ListingIssue | null {
  for (const i of issues ?? []) {
    if (i.severity !== 'ERROR') continue;
    const names = i.attributeNames ?? (i.attributeName ? [i.attributeName] : []);
    if (names.length === 0 || names.includes(FULFILLMENT_AVAILABILITY_ATTRIBUTE)) return i;
  }
  return null;
}

export const describeIssue = (i: ListingIssue): string => `${i.code ?? 'ERROR'}: ${i.message ?? 'refused'}`;
