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
import { isPolledKind, isPushedKind } from '../channels/registry.ts';
import { channelHealth } from '../domain/channel-health.ts';
import { pollHealthOf } from '../store/poll-health-repo.ts';
import { skusOfListings } from '../store/served-numbers-repo.ts';

/** SKUs one channel may hide at once; more is a job for a rule or a pause. */
export const HIDDEN_SKUS_MAX = 10_000;
/** Dead letters the status lists (with the count of all of them). */
const DEAD_LETTER_SAMPLE_MAX = 50;

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
 * A channel's sync as the database and this process know it. Every channel: its overall `state`
 * with the reasons, paused, hidden SKUs, and its inbound health (how the last order polls
 * ended). A channel whose numbers are pushed also has its queue depth and oldest pending age (any
 * process), dead letters, and — when this process runs the dispatcher — breaker, budget, pushes
 * per minute, calls by result and the p50/p99 propagation lag (commit → acknowledged). A channel
 * whose numbers are served (no connector for its kind) has no queue: `queue_depth`,
 * `oldest_pending_age_s`, `dead_letters` and `dispatcher` are null and `served` says where to
 * read its numbers.
 */
export async function syncStatus(db: Db, ws: string, ref: string, now: number, live: (channelId: string) => ChannelStatus | null) {
  const channel = await findChannel(db, ws, ref);
  if (!channel) return null;
  const pushed = isPushedKind(channel.kind);
  const state = await channelSyncOf(db, channel.id);
  const polls = await pollHealthOf(db, channel.id);
  const queue = pushed ? await queueStats(db, channel.id) : null;
  const dead = pushed ? await deadLetters(db, channel.id, DEAD_LETTER_SAMPLE_MAX) : [];
  const { channel_id: _, paused: __, ...dispatcher } = (pushed && live(channel.id)) || {};
  const d = Object.keys(dispatcher).length > 0 ? (dispatcher as Omit<ChannelStatus, 'channel_id' | 'paused'>) : null;
  const health = channelHealth({
    pushed,
    paused: state.paused,
    paused_reason: state.paused_reason ?? null,
    breaker: d ? (d.breaker.state as 'closed' | 'open' | 'half_open') : null,
    connector_error: d?.connector_error ?? null,
    dead_letters: queue?.dead_letters ?? 0,
    poll_failures: polls?.consecutive_failures ?? 0,
    last_poll_error: polls?.consecutive_failures ? polls.last_error : null,
  });
  const skus = await skusOfListings(db, ws, dead.map((x) => x.listing_id));
  return {
    channel_id: channel.id,
    kind: channel.kind,
    numbers: pushed ? ('pushed' as const) : ('served' as const),
    state: health.state,
    state_reasons: health.reasons,
    paused: state.paused,
    paused_reason: state.paused_reason ?? null,
    hidden_skus: state.hidden_skus,
    queue_depth: queue ? queue.depth : null,
    oldest_pending_age_s: queue ? (queue.oldest_enqueued_at === null ? null : Math.max(0, (now - queue.oldest_enqueued_at) / 1000)) : null,
    dead_letters: queue ? queue.dead_letters : null,
    dead_letter_sample: dead.map((x) => ({ listing_id: x.listing_id, sku: skus.get(x.listing_id) ?? null, at: iso(x.dead_at), reason: x.dead_reason })),
    dispatcher: d,
    inbound: polls && {
      last_poll_at: iso(polls.last_poll_at),
      last_ok_at: iso(polls.last_ok_at),
      last_error: polls.last_error_at === null ? null : { at: iso(polls.last_error_at), message: polls.last_error ?? '' },
      consecutive_failures: polls.consecutive_failures,
    },
    /** Whether its kind polls for orders at all (else they come by webhook or through the API). */
    polled: isPolledKind(channel.kind),
    served: pushed ? null : { json: `/v1/channels/${channel.id}/numbers`, csv: `/v1/channels/${channel.id}/numbers.csv` },
  };
}
