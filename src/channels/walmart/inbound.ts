// Walmart's events in: orders polled (orders-poll.ts) and PO_CREATED / ORDER_UPDATES webhooks
// (notifications.ts), and how its ship nodes map to truestock's locations.
//
// `settings.locations` maps a ship node id to a location code: an order naming that node
// (`shipNode.id`) is allocated there. An order naming none (or an unmapped node) is allocated from
// the channel's locations: the mapped codes, then `settings.merchant_locations`.

import type { ChannelMapping } from '../../domain/channel-event.ts';
import type { Inbound, PollSpec, Settings } from '../kind.ts';
import { walmartApi } from './client.ts';
import { walmartNotifications } from './notifications.ts';
import { walmartOrderPages } from './orders-poll.ts';
import { isRecord, walmartSettings } from './settings.ts';

/** How often orders are polled when `settings.poll_seconds` does not say (the webhook is the faster path). */
export const WALMART_POLL_SECONDS_DEFAULT = 120;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : []);

export function walmartMapping(settings: Settings): ChannelMapping {
  const byNode = new Map<string, string>();
  if (isRecord(settings.locations)) for (const [node, code] of Object.entries(settings.locations)) if (typeof code === 'string' && code.trim() !== '') byNode.set(node, code);
  const codes = [...new Set([...byNode.values(), ...strings(settings.merchant_locations)])];
  return { locationCode: (id) => byNode.get(id), locationCodes: () => [...codes] };
}

export const walmartPoll: PollSpec = {
  defaultIntervalSeconds: WALMART_POLL_SECONDS_DEFAULT,
  async *pages(env) {
    const s = walmartSettings(env.settings);
    if ('code' in s) {
      yield { ok: false, failure: 'permanent', retryAfterMs: null, message: s.detail };
      return;
    }
    yield* walmartOrderPages(env, walmartApi(s, env));
  },
};

export const walmartInbound: Inbound = { mapping: walmartMapping, webhook: walmartNotifications, poll: walmartPoll };
