// Pushing a store's numbers to Square and reading them back (channels.md §5).
//
// One `POST /v2/inventory/changes/batch-create` sets up to 100 counts, each a PHYSICAL_COUNT in
// state IN_STOCK at the listing's Square location. Square applies it at once and answers the new
// computed counts: a 200 acknowledges every item. Square has no compare-and-set: a physical count
// overwrites the shelf, so when it is dated matters.
//
// The race with the till. Square orders changes by their `occurred_at`, not by arrival. A POS sale
// rung up while our count is on its way (after we sent it, before Square applied it) is dated
// after the count, so Square applies it on top: the shelf shows count − sale, nothing wiped. We
// date the count when this push intent is first sent (the injected clock), not when the outbox
// row was first enqueued: a pending row keeps its oldest enqueue time while its number follows
// later sales, and a count dated before sales it already includes would take them off twice. A
// sale rung up before the count's date but not yet known to truestock is overwritten for a
// moment; its order event then lowers our number and the next push puts it right.
//
// Idempotency. The key is derived from the push intent (the listings, their versions, locations
// and numbers) and the count's date; the date is remembered per intent, so a retry of the same
// intent (a timeout, a lost answer) is byte for byte the same request and Square answers it again
// without applying it a second time — never a count dated later that would wipe a sale rung up
// meanwhile. Only after a restart (the memory is gone) is a retry a new request: it sets the same
// number again, dated then.

import { createHash } from 'node:crypto';
import type { Clock } from '../../app/clock.ts';
import type { Connector, ItemOutcome, PushItem, PushResult, ReadBackResult } from '../../sync/connector.ts';
import { bodyErrors, type SquareApi, squareFailure } from './client.ts';
import { SQUARE_BUCKET_CALLS_DEFAULT, SQUARE_REFILL_CALLS_PER_SECOND_DEFAULT, type SquareSettings, squareLocationOf } from './settings.ts';

/** At most 100 changes per batch-create (channels.md §5). */
export const SQUARE_CHANGES_PER_CALL_MAX = 100;
/** Counts asked per batch-retrieve page: Square's page size is unconfirmed (1,000 said, 100 seen), so 100. */
export const SQUARE_COUNTS_PER_PAGE = 100;
/** Push intents whose count date is remembered (oldest forgotten first): far more than are ever retried at once. */
export const SQUARE_INTENTS_REMEMBERED_MAX = 10_000;

/** The intent of a push: which listings, at which versions, to which numbers where. */
export type PushIntent = readonly (readonly [string, number, string, string, number])[];

/** The idempotency key of a push intent dated `occurredAt` (Square takes keys of up to 128 characters). */
export function idempotencyKeyOf(intent: PushIntent, occurredAt: number): string {
  return `truestock-${createHash('sha256').update(JSON.stringify([intent, occurredAt])).digest('hex').slice(0, 40)}`;
}

/** Which change of a batch an error names (`changes[3].physical_count.quantity`), or null. */
export function changeIndexOf(field: string | undefined): number | null {
  const m = /^changes\[(\d+)\]/.exec(field ?? '');
  return m ? Number(m[1]) : null;
}

/** A Square quantity (a decimal string) as whole units shown; a fraction is not a whole unit to sell. */
export function shownUnits(quantity: string | null | undefined): number | null {
  if (typeof quantity !== 'string' || quantity.trim() === '') return null;
  const n = Number(quantity);
  return Number.isFinite(n) ? Math.floor(n) : null;
}

export function squareConnector(api: SquareApi, s: SquareSettings, clock: Clock): Connector {
  /** When each recent intent was first sent, so its retries carry the same date and key. */
  const dated = new Map<string, number>();
  const dateOf = (intent: PushIntent): number => {
    const id = JSON.stringify(intent);
    const known = dated.get(id);
    if (known !== undefined) return known;
    const at = clock.now();
    dated.set(id, at);
    if (dated.size > SQUARE_INTENTS_REMEMBERED_MAX) dated.delete(dated.keys().next().value!);
    return at;
  };

  return {
    maxBatch: SQUARE_CHANGES_PER_CALL_MAX,
    bucket: { capacity: s.bucket_size ?? SQUARE_BUCKET_CALLS_DEFAULT, refillPerSecond: s.refill_per_second ?? SQUARE_REFILL_CALLS_PER_SECOND_DEFAULT },
    pushCost: () => 1,
    readCost: (n) => Math.max(1, Math.ceil(n / SQUARE_COUNTS_PER_PAGE)),

    async push(items: PushItem[]): Promise<PushResult> {
      const outcomes: (ItemOutcome | null)[] = items.map((i) => {
        if (!i.external.catalog_object_id) return { status: 'rejected', reason: 'a Square listing needs catalog_object_id' };
        const location = squareLocationOf(i.external, s.locations);
        if (location === null) return { status: 'rejected', reason: 'the channel maps several Square locations (settings.locations): the listing must name its location_id' };
        if (!(location in s.locations)) return { status: 'rejected', reason: `Square location ${location} is not one of the channel's store locations (settings.locations)` };
        return null;
      });
      const sendable = items.filter((_, k) => outcomes[k] === null);
      if (sendable.length === 0) return { ok: true, outcomes: outcomes as ItemOutcome[] };
      const intent: PushIntent = sendable.map((i) => [i.listingId, i.version, i.external.catalog_object_id!, squareLocationOf(i.external, s.locations)!, Math.max(0, i.quantity)] as const);
      const occurredAt = dateOf(intent);
      const when = new Date(occurredAt).toISOString();
      const changes = intent.map(([listingId, version, catalogObjectId, locationId, quantity]) => ({
        type: 'PHYSICAL_COUNT' as const,
        physicalCount: { referenceId: `truestock:${listingId}:${version}`, catalogObjectId, state: 'IN_STOCK' as const, locationId, quantity: String(quantity), occurredAt: when },
      }));
      try {
        // Every count recorded, even one equal to the shelf now: Square compares with the count as
        // it stands, which may already hold a sale dated after ours (12 on the shelf, a sale of 2
        // → 10; our 10 dated before the sale must still make it 8, not be skipped as unchanged).
        await api.client.inventory.batchCreateChanges({ idempotencyKey: idempotencyKeyOf(intent, occurredAt), changes, ignoreUnchangedCounts: false }, api.call);
      } catch (err) {
        const failed = squareFailure(err, clock.now());
        if (failed.failure !== 'permanent') return failed;
        // Square applies a batch whole or not at all: errors that name their change reject those
        // items, and the others were not applied (pushed again at once). An error about the
        // request itself fails the call.
        const errors = bodyErrors(err);
        const byChange = new Map<number, string>();
        for (const e of errors) {
          const at = changeIndexOf(e.field);
          if (at === null || at >= sendable.length) return failed;
          byChange.set(at, `${byChange.has(at) ? `${byChange.get(at)}; ` : ''}${e.code ?? 'ERROR'}${e.detail ? `: ${e.detail}` : ''}`);
        }
        if (byChange.size === 0) return failed;
        let k = 0;
        return { ok: true, outcomes: outcomes.map((o): ItemOutcome => {
          if (o !== null) return o;
          const reason = byChange.get(k++);
          return reason === undefined ? { status: 'not_applied' } : { status: 'rejected', reason };
        }) };
      }
      // Applied as a whole. Square's computed counts may already show a later sale on top of
      // ours: that sale's own event brings truestock's number down too.
      return { ok: true, outcomes: outcomes.map((o): ItemOutcome => o ?? { status: 'acknowledged' }) };
    },

    async readBack(items: PushItem[]): Promise<ReadBackResult> {
      const shown: (number | null)[] = items.map(() => null);
      const byLocation = new Map<string, number[]>();
      items.forEach((i, k) => {
        const location = i.external.catalog_object_id ? squareLocationOf(i.external, s.locations) : null;
        if (location !== null) byLocation.set(location, [...(byLocation.get(location) ?? []), k]);
      });
      for (const [location, indexes] of byLocation) {
        const ids = [...new Set(indexes.map((k) => items[k]!.external.catalog_object_id!))];
        for (let from = 0; from < ids.length; from += SQUARE_COUNTS_PER_PAGE) {
          const found = new Map<string, number | null>();
          try {
            const page = await api.client.inventory.batchGetCounts({ catalogObjectIds: ids.slice(from, from + SQUARE_COUNTS_PER_PAGE), locationIds: [location], states: ['IN_STOCK'], limit: SQUARE_COUNTS_PER_PAGE }, api.call);
            // Iterating follows Square's cursor page by page.
            for await (const c of page) {
              if (c.catalogObjectId && c.locationId === location && c.state === 'IN_STOCK') found.set(c.catalogObjectId, shownUnits(c.quantity));
            }
          } catch (err) {
            const f = squareFailure(err, clock.now());
            return { ok: false, message: f.message, failure: f.failure, retryAfterMs: f.retryAfterMs };
          }
          for (const k of indexes) {
            const q = found.get(items[k]!.external.catalog_object_id!);
            if (q !== undefined) shown[k] = q;
          }
        }
      }
      return { ok: true, shown };
    },
  };
}
