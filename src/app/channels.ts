// Channels: where stock is sold (a Shopify store, an Amazon seller account, a wholesale desk).
// A channel never owns stock; it is shown a number and reports sales back.

import { NAME_LENGTH_MAX } from '../domain/catalog-rules.ts';
import { refusal, type Refusal } from '../domain/errors.ts';
import { type Channel, CHANNEL_NAME_LENGTH_MAX, type ChannelKind, type ChannelSettings, checkChannelSettings, redactSecrets, restoreRedacted } from '../domain/listing-rules.ts';
import { isKind, KIND_NAMES, kindOf } from '../channels/registry.ts';
import * as repo from '../store/channel-repo.ts';
import type { Db } from '../store/store.ts';
import { catalogId } from './catalog.ts';
import type { Written } from './idempotent.ts';
import { iso } from './views.ts';

export interface ChannelCreate {
  kind: ChannelKind;
  name: string;
  settings?: ChannelSettings;
}
/** Settings are replaced as a whole: what is sent is what the channel has. */
export type ChannelPatch = Partial<Omit<ChannelCreate, 'kind'>>;

export function channelView(c: Channel) {
  // Credentials are write-only: a read shows that they are set, never what they are.
  return { id: c.id, kind: c.kind, name: c.name, settings: redactSecrets(c.settings, kindOf(c.kind).settings.secrets), created_at: iso(c.createdAt), updated_at: iso(c.updatedAt) };
}

function checkName(name: unknown): Refusal | null {
  if (typeof name !== 'string' || name.trim() === '') return refusal('validation_failed', 'name is required', 'name');
  if (name.length > Math.min(CHANNEL_NAME_LENGTH_MAX, NAME_LENGTH_MAX)) return refusal('validation_failed', `name must be at most ${CHANNEL_NAME_LENGTH_MAX} characters`, 'name');
  if (name.trim() !== name || /[\u0000-\u001f]/.test(name)) return refusal('validation_failed', 'name must not start or end with spaces or hold control characters', 'name');
  return null;
}

/** The checks every channel's settings pass, then its kind's own. */
function checkSettings(kind: string | undefined, settings: unknown): Refusal | null {
  return checkChannelSettings(settings) ?? (kind === undefined ? null : kindOf(kind).settings.check(settings as ChannelSettings, 'settings'));
}

async function nameClash(db: Db, workspaceId: string, name: string, selfId: string | null): Promise<Refusal | null> {
  const other = await repo.getChannelByName(db, workspaceId, name);
  if (!other || other.id === selfId) return null;
  return refusal('channel_name_taken', `a channel named ${JSON.stringify(name)} already exists (${other.id})`, 'name', { channel_id: other.id });
}

export async function createChannel(db: Db, workspaceId: string, input: ChannelCreate, now: number): Promise<Written | Refusal> {
  if (!isKind(input.kind)) return refusal('validation_failed', `kind must be one of ${KIND_NAMES.join(', ')}`, 'kind');
  const bad = checkName(input.name) ?? checkSettings(input.kind, input.settings ?? {});
  if (bad) return bad;
  const clash = await nameClash(db, workspaceId, input.name, null);
  if (clash) return clash;
  const channel: Channel = { id: catalogId('chan', now), workspaceId, kind: input.kind, name: input.name, settings: input.settings ?? {}, createdAt: now, updatedAt: now };
  await repo.insertChannel(db, channel);
  return { status: 201, body: { channel: channelView(channel) } };
}

export async function updateChannel(db: Db, workspaceId: string, id: string, patch: ChannelPatch, now: number): Promise<Written | Refusal> {
  if ('kind' in patch) return refusal('validation_failed', 'kind cannot be changed; create another channel', 'kind');
  const channel = await repo.getChannel(db, workspaceId, id);
  const bad = (patch.name !== undefined ? checkName(patch.name) : null) ?? (patch.settings !== undefined ? checkSettings(channel?.kind, patch.settings) : null);
  if (bad) return bad;
  if (!channel) return refusal('not_found', `no channel ${id}`);
  if (patch.name !== undefined) {
    const clash = await nameClash(db, workspaceId, patch.name, channel.id);
    if (clash) return clash;
  }
  // Settings read back show credentials as `(set)`: sending that back keeps the stored value.
  const settings = patch.settings && restoreRedacted(patch.settings, channel.settings);
  const next: Channel = { ...channel, name: patch.name ?? channel.name, settings: settings ?? channel.settings, updatedAt: now };
  await repo.updateChannel(db, next);
  return { status: 200, body: { channel: channelView(next) } };
}

/** A channel by id, or else by name: people type names, programs keep ids. */
export async function findChannel(db: Db, workspaceId: string, ref: string): Promise<Channel | undefined> {
  return (await repo.getChannel(db, workspaceId, ref)) ?? (await repo.getChannelByName(db, workspaceId, ref));
}
