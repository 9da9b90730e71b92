// Which connector syncs a channel of each kind. Channels of other kinds keep their outbox rows
// (numbers are computed and queued) until a connector for their kind exists.

import type { ChannelMapping } from '../app/channel-events.ts';
import type { Connector } from '../sync/connector.ts';
import type { ChannelInfo } from '../sync/dispatcher.ts';
import { shopifyApi, shopifySettings } from './shopify/client.ts';
import { shopifyConnector } from './shopify/push.ts';
import { shopifyMapping } from './shopify/webhooks.ts';

export const SYNCED_KINDS = ['shopify'] as const;

export function connectorFor(channel: ChannelInfo, fetchImpl?: typeof fetch): Connector | { error: string } | null {
  if (channel.kind !== 'shopify') return null;
  const settings = shopifySettings(channel.settings);
  if ('code' in settings) return { error: settings.detail };
  return shopifyConnector(shopifyApi(settings, fetchImpl), settings);
}

/** How a channel's locations map to truestock's (the reconciler adopts an edit through it). */
export function mappingFor(channel: { kind: string; settings: Record<string, unknown> }): ChannelMapping {
  return channel.kind === 'shopify' ? shopifyMapping(channel.settings) : { locationCode: () => undefined, locationCodes: () => [] };
}
