// eBay's inbound side as the kind declares it: how its merchant locations map to truestock's,
// ORDER_CONFIRMATION notifications (notifications.ts) and the order poll (orders-poll.ts).
//
// Locations: `settings.locations` maps an eBay `merchantLocationKey` to a location code. eBay
// orders name no merchant location, so they are allocated from the channel's mapped locations,
// in the settings' order.

import type { ChannelMapping } from '../../domain/channel-event.ts';
import type { Inbound, Settings } from '../kind.ts';
import { ebayNotifications } from './notifications.ts';
import { ebayPoll } from './orders-poll.ts';

export function ebayMapping(settings: Settings): ChannelMapping {
  const given = settings.locations;
  const byKey = new Map<string, string>();
  if (typeof given === 'object' && given !== null && !Array.isArray(given)) {
    for (const [k, code] of Object.entries(given as Record<string, unknown>)) if (typeof code === 'string' && code.trim() !== '') byKey.set(k, code);
  }
  return { locationCode: (id) => byKey.get(id), locationCodes: () => [...new Set(byKey.values())] };
}

export const ebayInbound: Inbound = { mapping: ebayMapping, webhook: ebayNotifications, poll: ebayPoll };
