// Level webhooks at flash-sale speed. Every sale on a shop is followed by the shop's own
// `inventory_levels/update` (Shopify sends one for every change, ours included), so a burst of
// orders brings as many levels again, and nearly all of them only confirm a number truestock
// already has (an echo) or come after a newer one (stale). Applied one at a time each was a
// transaction of its own with seven statements, holding the listing's sync row meanwhile.
//
// Here the levels of a batch of deliveries are looked at together, in one transaction with a few
// statements for all of them: each observation is recorded as `applyLevel` would record it, and
// the outcome decided when it needs nothing more — no listing, stale, or echo (of a number pushed,
// queued, computed, or carried by a submission the channel is still processing). A level that may
// be a hand edit (it matches nothing truestock pushed, queued or computed) is left undecided: the
// caller applies it alone with `applyChannelEvent`, which records the same observation again
// (nothing newer stands in its way, or it is stale by then) and requeues or adopts it as always.

import type { ChannelContext, LevelFacts } from './channel-events.ts';
import { activeListingsByKeys, type MappedListing } from '../store/channel-event-repo.ts';
import { listingNumbersOf, recordShownMany } from '../store/level-batch-repo.ts';
import { submittedNumbersOf } from '../store/submitted-numbers-repo.ts';
import { listingSyncOf } from '../store/sync-repo.ts';
import type { Truestock } from './truestock.ts';

export interface LevelEvent {
  occurredAt: number;
  level: LevelFacts;
}

/**
 * Decide the levels of one channel that need no more than a look, in arrival order: the outcome
 * `applyLevel` would give (`no_listing`, `stale`, `echo`), or null for a level to apply alone. A
 * second level of one listing in the same call is null too, so that it is applied after the first.
 */
export async function decideLevels(ts: Truestock, cx: ChannelContext, events: readonly LevelEvent[]): Promise<(string | null)[]> {
  const { id: channelId, workspaceId: ws } = cx.channel;
  return ts.store.transaction(async (db) => {
    const out: (string | null)[] = events.map(() => null);
    const byKey = new Map<string, MappedListing>();
    for (const l of await activeListingsByKeys(db, ws, channelId, [...new Set(events.flatMap((e) => e.level.keys))])) if (!byKey.has(l.externalKey)) byKey.set(l.externalKey, l);
    const first = new Map<string, number>();
    events.forEach((e, k) => {
      const listing = e.level.keys.map((key) => byKey.get(key)).find((l) => l !== undefined);
      if (!listing) out[k] = 'no_listing';
      else if (!first.has(listing.id)) first.set(listing.id, k);
    });
    // As `applyLevel`: the channel's time may have whole seconds only, so an event is taken as late as its second allows.
    const recorded = await recordShownMany(db, ws, channelId, [...first].map(([listingId, k]) => ({ listingId, quantity: events[k]!.level.available, at: events[k]!.occurredAt + cx.timeResolutionMs - 1 })));
    for (const [id, k] of first) if (!recorded.has(id)) out[k] = 'stale';
    const standing = [...first].filter(([id]) => recorded.has(id));
    const ids = standing.map(([id]) => id);
    const sync = await listingSyncOf(db, ids);
    const numbers = await listingNumbersOf(db, ids);
    const submitted = await submittedNumbersOf(db, channelId, ids);
    for (const [id, k] of standing) {
      const shown = events[k]!.level.available;
      const { computed, queued } = numbers.get(id)!;
      if (shown === (sync.get(id)?.pushed_quantity ?? null) || shown === queued || shown === computed || submitted.get(id)?.has(shown)) out[k] = 'echo';
    }
    return out;
  });
}
