// Which connector syncs a channel of each kind. Channels of other kinds have their numbers served,
// not pushed; they keep their outbox rows (one per listing, the latest number) for `/v1/outbox`
// readers, but their status shows no queue.

import type { Connector } from '../sync/connector.ts';
import type { ChannelInfo } from '../sync/dispatcher.ts';
import { shopifyApi, shopifySettings } from './shopify/client.ts';
import { shopifyConnector } from './shopify/push.ts';

export const SYNCED_KINDS = ['shopify'] as const;

/**
 * Whether truestock pushes a kind's numbers (it has a connector), or only serves them to whoever
 * pulls them (POS, wholesale, custom …: `GET /v1/channels/{id}/numbers`). The one place that
 * decides it.
 */
export function isPushedKind(kind: string): boolean {
  return (SYNCED_KINDS as readonly string[]).includes(kind);
}

export function connectorFor(channel: ChannelInfo, fetchImpl?: typeof fetch): Connector | { error: string } | null {
  if (channel.kind !== 'shopify') return null;
  const settings = shopifySettings(channel.settings);
  if ('code' in settings) return { error: settings.detail };
  return shopifyConnector(shopifyApi(settings, fetchImpl), settings);
}
