// Channel controls for outages (design.md §4): pause a channel (nothing pushed, orders still
// taken in), hide SKUs (they publish 0), the dead-letter list, and a channel's sync status.

import { refusal, type Refusal } from '../domain/errors.ts';
import { itemsBySku } from '../store/catalog-repo.ts';
import type { Db } from '../store/store.ts';
import { channelSyncOf, deadLetters, queueStats, retryDeadLetters, writeChannelSync } from '../store/sync-repo.ts';
import type { ChannelStatus } from '../sync/dispatcher.ts';
import { recomputeChannel } from './availability.ts';
import { findChannel } from './channels.ts';
import type { Written } from './idempotent.ts';
import { iso } from './views.ts';

/** SKUs one channel may hide at once; more is a job for a rule or a pause. */
export const HIDDEN_SKUS_MAX = 10_000;

export async function setPaused(db: Db, ws: string, ref: string, paused: boolean, now: number): Promise<Written | Refusal> {
  const channel = await findChannel(db, ws, ref);
  if (!channel) return refusal('not_found', `no channel ${ref}`);
  const state = await channelSyncOf(db, channel.id);
  await writeChannelSync(db, ws, channel.id, { ...state, paused }, now);
  return { status: 200, body: { channel_id: channel.id, paused, hidden_skus: state.hidden_skus } };
}

/**
 * Replace the channel's hidden SKUs. Their listings publish 0 at once (in this transaction), and
 * their earlier numbers come back when they are unhidden.
 */
export async function setHiddenSkus(db: Db, ws: string, ref: string, skus: unknown, now: number): Promise<Written | Refusal> {
  if (!Array.isArray(skus) || skus.length > HIDDEN_SKUS_MAX || skus.some((s) => typeof s !== 'string' || s.length === 0)) {
    return refusal('validation_failed', `skus must be a list of at most ${HIDDEN_SKUS_MAX} SKUs`, 'skus');
  }
  const channel = await findChannel(db, ws, ref);
  if (!channel) return refusal('not_found', `no channel ${ref}`);
  const unique = [...new Set(skus as string[])];
  const known = new Set((await itemsBySku(db, ws, unique)).map((i) => i.sku));
  const missing = unique.findIndex((s) => !known.has(s));
  if (missing >= 0) return refusal('unknown_item', `no item with SKU ${JSON.stringify(unique[missing])}`, `skus[${(skus as string[]).indexOf(unique[missing]!)}]`);
  const state = await channelSyncOf(db, channel.id);
  await writeChannelSync(db, ws, channel.id, { ...state, hidden_skus: unique.sort() }, now);
  const changed = await recomputeChannel(db, ws, channel.id, now);
  return { status: 200, body: { channel_id: channel.id, paused: state.paused, hidden_skus: unique, listings_changed: changed } };
}

export async function retryDead(db: Db, ws: string, ref: string, listingIds: string[] | undefined): Promise<Written | Refusal> {
  const channel = await findChannel(db, ws, ref);
  if (!channel) return refusal('not_found', `no channel ${ref}`);
  return { status: 200, body: { channel_id: channel.id, retried: await retryDeadLetters(db, channel.id, listingIds) } };
}

/**
 * A channel's sync as the database and this process know it: queue depth and oldest pending age
 * (any process), and — when this process runs the dispatcher — breaker, budget, pushes per minute,
 * calls by result and the p50/p99 propagation lag (commit → acknowledged).
 */
export async function syncStatus(db: Db, ws: string, ref: string, now: number, live: (channelId: string) => ChannelStatus | null) {
  const channel = await findChannel(db, ws, ref);
  if (!channel) return null;
  const [state, queue, dead] = [await channelSyncOf(db, channel.id), await queueStats(db, channel.id), await deadLetters(db, channel.id, 50)];
  const { channel_id: _, paused: __, ...dispatcher } = live(channel.id) ?? {};
  return {
    channel_id: channel.id,
    kind: channel.kind,
    paused: state.paused,
    hidden_skus: state.hidden_skus,
    queue_depth: queue.depth,
    oldest_pending_age_s: queue.oldest_enqueued_at === null ? null : Math.max(0, (now - queue.oldest_enqueued_at) / 1000),
    dead_letters: queue.dead_letters,
    dead_letter_sample: dead.map((d) => ({ listing_id: d.listing_id, at: iso(d.dead_at), reason: d.dead_reason })),
    dispatcher: Object.keys(dispatcher).length > 0 ? dispatcher : null,
  };
}
