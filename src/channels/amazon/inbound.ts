// Amazon's inbound side as the kind declares it (`inbound` in kind.ts): how its marketplaces map
// to truestock's locations, relayed notifications (ORDER_CHANGE, LISTINGS_ITEM_MFN_QUANTITY_CHANGE),
// and the poll of orders and FBA stock through the kind's SP-API client.
//
// Locations: `settings.locations` maps a marketplace id to a location code. A marketplace listed in
// `settings.fba_marketplace_ids` maps to its FBA stock (a `channel_managed` location): FBA stock
// reports and Amazon-fulfilled orders name it. Merchant-fulfilled orders name no channel location
// (order-facts.ts), so they are allocated from the channel's other locations: the codes of the
// marketplaces that are not FBA, then `settings.merchant_locations` (codes, for a seller whose
// every marketplace is also an FBA one) — never from an FBA location, which holds Amazon's units.
// A merchant-fulfilled quantity change names the fulfillment channel code `DEFAULT` as its
// location: the first of those merchant locations (an adopted hand edit is booked there).

import type { ChannelMapping } from '../../domain/channel-event.ts';
import type { Refusal } from '../../domain/errors.ts';
import type { ConnectEnv, Inbound, Settings } from '../kind.ts';
import { amazonNotifications } from './notifications.ts';
import { amazonPoll } from './poll.ts';
import { MFN_CHANNEL_CODE } from './quantity-change.ts';
import { amazonSettings } from './settings.ts';
import { type SpApiOperation, spApi } from './sp-api.ts';
import type { SpGet } from './sp-get.ts';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : []);

export function amazonMapping(settings: Settings): ChannelMapping {
  const given = settings.locations;
  const byMarketplace = new Map<string, string>();
  if (typeof given === 'object' && given !== null && !Array.isArray(given)) {
    for (const [m, code] of Object.entries(given as Record<string, unknown>)) if (typeof code === 'string' && code.trim() !== '') byMarketplace.set(m, code);
  }
  const fba = new Set(strings(settings.fba_marketplace_ids));
  const fbaCodes = new Set([...byMarketplace].filter(([m]) => fba.has(m)).map(([, c]) => c));
  const merchant = [...byMarketplace].filter(([m]) => !fba.has(m)).map(([, c]) => c).concat(strings(settings.merchant_locations));
  const codes = [...new Set(merchant)].filter((c) => !fbaCodes.has(c));
  return {
    locationCode: (id) => (id === MFN_CHANNEL_CODE ? codes[0] : byMarketplace.get(id)),
    locationCodes: () => [...codes],
  };
}

/** The poll's one GET over the kind's client (sp-api.ts), which sends it with a fresh token. */
export function spGet(settings: Settings, env: ConnectEnv): SpGet | Refusal {
  const s = amazonSettings(settings);
  if ('code' in s) return s;
  const api = spApi(s, env);
  return async (operation, path, query) => {
    const a = await api.call<unknown>(operation as SpApiOperation, { method: 'GET', path, query });
    if (a.ok) return { ok: true, status: a.status, body: a.data, ...(a.budget ? { budget: a.budget } : {}) };
    return { ok: false, status: a.status, failure: a.failure, retryAfterMs: a.retryAfterMs, message: a.message, ...(a.budget ? { budget: a.budget } : {}) };
  };
}

export const amazonInbound: Inbound = {
  mapping: amazonMapping,
  webhook: amazonNotifications,
  poll: amazonPoll(spGet),
};
