// What moved a count, for channels that adopt hand edits (`edit_policy: adopt`). Square reports a
// new count (`inventory.count.updated`) for every change: a sale at the till, a return, a staff
// count, our own push. The count a sale leaves reaches truestock before the sale itself (whose
// order is read from Square first), and adopting it as a hand edit would book the sale twice once
// its order allocates. So, under `adopt` only, the change behind each count is looked up
// (`POST /v2/inventory/changes/batch-retrieve`, one call per count event): a count whose newest
// change is a till adjustment of an order (`transaction_id`) is that order's to report, and its
// level is left out; a staff count or anything else stays a level. Under `master_wins` nothing is
// looked up: a level it cannot explain is pushed over only after the edit grace, by which time the
// order is in.

import { SquareError } from 'square';
import type { ChannelEvent } from '../../domain/channel-event.ts';
import type { Parsed } from '../kind.ts';
import type { SquareApi } from './client.ts';
import { squareFailure } from './client.ts';

/** A count may be calculated a little after the change behind it was recorded. */
export const COUNT_CAUSE_WINDOW_MS = 2_000;

const levelOf = (e: ChannelEvent) => (e.kind === 'level_updated' ? e : null);

/** `parsed` without the levels whose count a till sale or return moved. */
export async function withoutTillCounts(parsed: Parsed, api: SquareApi, objectOf: (e: ChannelEvent) => string | null, now: () => number): Promise<Parsed> {
  if (!parsed.ok) return parsed;
  const levels = parsed.events.map(levelOf).filter((e) => e !== null);
  const asked = levels.map((e) => ({ e, object: objectOf(e) })).filter((x): x is { e: NonNullable<typeof x.e>; object: string } => x.object !== null);
  if (asked.length === 0) return parsed;
  const from = Math.min(...asked.map((x) => x.e.occurredAt)) - COUNT_CAUSE_WINDOW_MS;
  const to = Math.max(...asked.map((x) => x.e.occurredAt)) + 1;
  /** The newest change recorded up to each count, per object and location. */
  const newest = new Map<string, { createdAt: number; till: boolean }>();
  try {
    const page = await api.client.inventory.batchGetChanges({
      catalogObjectIds: [...new Set(asked.map((x) => x.object))],
      locationIds: [...new Set(asked.map((x) => x.e.level.locationId))],
      updatedAfter: new Date(from).toISOString(),
      updatedBefore: new Date(to).toISOString(),
    }, api.call);
    for await (const c of page) {
      const a = c.adjustment;
      const p = c.physicalCount;
      const object = a?.catalogObjectId ?? p?.catalogObjectId;
      // The model (and the API) say `location_id`; SDK v46 types an adjustment's as from/to
      // location ids and passes the unknown key through as it came.
      const location = (a ? ((a as { location_id?: string }).location_id ?? a.toLocationId ?? a.fromLocationId) : undefined) ?? p?.locationId;
      const createdAt = Date.parse(a?.createdAt ?? p?.createdAt ?? '');
      if (!object || !location || Number.isNaN(createdAt)) continue;
      const key = `${object}\u0000${location}`;
      const had = newest.get(key);
      if (!had || createdAt >= had.createdAt) newest.set(key, { createdAt, till: c.type === 'ADJUSTMENT' && typeof a?.transactionId === 'string' && a.transactionId !== '' });
    }
  } catch (err) {
    if (!(err instanceof SquareError)) throw err;
    const f = squareFailure(err, now());
    throw new Error(`reading what moved the counts failed (${f.failure}): ${f.message}`);
  }
  const tills = new Set(asked.filter((x) => newest.get(`${x.object}\u0000${x.e.level.locationId}`)?.till === true).map((x) => x.e));
  if (tills.size === 0) return parsed;
  const events = parsed.events.filter((e) => !tills.has(e as never));
  return events.length > 0 ? { ok: true, events } : { ok: false, ignored: 'the count follows a sale or return at the till: its order reports it' };
}
