// Retention on SQLite and PostgreSQL: listing events older than their window are pruned, oldest
// first and in chunks, except one whose adoption is still due; newer ones stay.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { insertListingEvent, type ListingEvent } from '../store/listing-event-repo.ts';
import { ManualClock } from './clock.ts';
import { LISTING_EVENT_RETENTION_MS_DEFAULT } from './retention-pruner.ts';
import { Truestock } from './truestock.ts';

const DAY_MS = 24 * 3_600_000;

describe.each(STORE_KINDS)('retention on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  const clock = new ManualClock();
  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open({ ...db.config, clock });
  });
  afterAll(async () => {
    await ts?.close();
    await db?.drop();
  });

  const event = (id: string, at: number, due_at: number | null = null): Omit<ListingEvent, 'seq'> => ({
    workspace_id: 'ws', listing_id: 'lst_1', channel_id: 'chan_1', event_id: id, at, kind: 'channel_edit', shown: 3, pushed: 5, ours: 5, policy: 'requeue', outcome: 'requeued', due_at,
  });
  const ids = () => ts.store.read(async (d) => (await d.all<{ event_id: string }>('SELECT event_id FROM listing_events ORDER BY seq')).map((r) => r.event_id));

  it('prunes listing events past their window, keeps the recent ones and one still due', async () => {
    const start = clock.now();
    await ts.store.transaction(async (d) => {
      await insertListingEvent(d, event('old-1', start));
      await insertListingEvent(d, event('old-2', start + DAY_MS));
      await insertListingEvent(d, event('old-but-due', start + DAY_MS, start + LISTING_EVENT_RETENTION_MS_DEFAULT + 30 * DAY_MS));
      await insertListingEvent(d, event('recent', start + 60 * DAY_MS));
    });
    clock.advance(LISTING_EVENT_RETENTION_MS_DEFAULT + 2 * DAY_MS);
    expect(await ts.pruner.prune()).toMatchObject({ listingEvents_ms: 2 });
    expect(await ids()).toEqual(['old-but-due', 'recent']);
    // Nothing more is old enough: a second pass deletes nothing.
    expect(await ts.pruner.prune()).toMatchObject({ listingEvents_ms: 0 });
  });
});
