// LISTINGS_ITEM_MFN_QUANTITY_CHANGE in (ListingsItemMfnQuantityChange.json): Amazon announces every
// change of a merchant-fulfilled quantity — a hand edit in Seller Central, an order it counted, a
// cancellation that gave units back, and our own patch or feed once applied. Each becomes the
// normalized level report (`level_updated`); the kind-agnostic side decides whether it is the echo
// of our push, an order that has not reached us yet, or a hand edit, and applies the channel's
// edit policy.
//
// The payload names the SKU but no marketplace: the MFN quantity belongs to the seller's SKU. The
// report names the SKU's listing on each marketplace the channel's settings know, merchant
// marketplaces first, as one event: the first listing truestock has takes it. One event, not one
// per marketplace, so that under `adopt` an edit of one number is booked once.
//
// Its channel location is the fulfillment channel code (`DEFAULT`, the only MFN code truestock
// pushes), which the kind's mapping resolves to the first merchant-fulfilled location (inbound.ts):
// an adopted edit is booked where merchant-fulfilled units are, never at an FBA location.
//
// Its time is `EventTime` (milliseconds: two changes of one SKU within a second keep their order);
// an older report than one already recorded is stale and changes nothing.

import type { ChannelEvent } from '../../domain/channel-event.ts';
import type { Settings } from '../kind.ts';
import { count, isObject, listingKey, str, time } from './order-facts.ts';

export const MFN_QUANTITY_CHANGE = 'LISTINGS_ITEM_MFN_QUANTITY_CHANGE';
/** The merchant-fulfilled fulfillment channel code: the quantity truestock pushes and reads. */
export const MFN_CHANNEL_CODE = 'DEFAULT';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : []);

/** The marketplaces a channel's settings know, merchant-fulfilled ones first. */
export function knownMarketplaces(settings: Settings): string[] {
  const mapped = isObject(settings.locations) ? Object.keys(settings.locations) : [];
  const fba = strings(settings.fba_marketplace_ids);
  return [...new Set([...mapped.filter((m) => !fba.includes(m)), ...mapped.filter((m) => fba.includes(m)), ...fba])];
}

/** What a quantity change means to truestock: its level event, or why it is ignored. */
export function mfnQuantityChangeEvent(body: Record<string, unknown>, notificationId: string, settings: Settings): ChannelEvent | { ignored: string } {
  const unreadable = (why: string) => ({ ignored: `unreadable ${MFN_QUANTITY_CHANGE}: ${why}` });
  const payload = isObject(body.Payload) ? body.Payload : null;
  if (!payload) return unreadable('Payload is missing');
  const sku = str(payload.Sku);
  if (sku === null) return unreadable('Payload.Sku is missing');
  const quantity = count(payload.Quantity);
  if (quantity === null) return unreadable('Payload.Quantity is not a whole number of 0 or more');
  const code = str(payload.FulfillmentChannelCode);
  if (code === null) return unreadable('Payload.FulfillmentChannelCode is missing');
  // Another MFN program's quantity (a regional fulfillment network) is not the one truestock sets.
  if (code !== MFN_CHANNEL_CODE) return { ignored: `the quantity of fulfillment channel ${code} is not one truestock pushes (only ${MFN_CHANNEL_CODE})` };
  const metadata = isObject(body.NotificationMetadata) ? body.NotificationMetadata : {};
  const at = time(body.EventTime) ?? time(metadata.PublishTime);
  if (at === null) return unreadable('neither EventTime nor NotificationMetadata.PublishTime is a time');
  const marketplaces = knownMarketplaces(settings);
  if (marketplaces.length === 0) return { ignored: `the channel's settings.locations name no marketplace, so SKU ${sku} names no listing` };
  return {
    kind: 'level_updated',
    occurredAt: at,
    eventId: notificationId,
    level: { keys: marketplaces.map((m) => listingKey(sku, m)), locationId: MFN_CHANNEL_CODE, available: quantity },
  };
}
