// How an event from a channel is read: its kind's location mapping and time resolution, and the
// channel's edit policy. Built the same way for webhooks and polls.

import { type ChannelContext, editSettings, type EventLog } from '../app/channel-events.ts';
import { editGraceSecondsFor } from '../domain/sync-rules.ts';
import type { ChannelMapping } from '../domain/channel-event.ts';
import type { Channel } from '../domain/listing-rules.ts';
import { kindOf } from './registry.ts';

/** A kind without inbound maps no channel location. */
const NO_MAPPING: ChannelMapping = { locationCode: () => undefined, locationCodes: () => [] };

/** How a channel's locations map to truestock's, from its kind and settings. */
export function mappingOf(channel: Pick<Channel, 'kind' | 'settings'>): ChannelMapping {
  return kindOf(channel.kind).inbound?.mapping(channel.settings) ?? NO_MAPPING;
}

export function channelContext(channel: Pick<Channel, 'id' | 'workspaceId' | 'kind' | 'name' | 'settings'>, log?: EventLog): ChannelContext {
  const kind = kindOf(channel.kind);
  return {
    channel,
    mapping: mappingOf(channel),
    ...editSettings(channel.settings, editGraceSecondsFor(kind.lags.inboundSeconds)),
    timeResolutionMs: kind.timeResolutionMs,
    ...(log ? { log } : {}),
  };
}
