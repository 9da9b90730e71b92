// eBay's revision limit through the real dispatcher, on SQLite and PostgreSQL: a listing past its
// paced share is held in the outbox (no attempt counted, never dead-lettered), its later numbers
// coalesce into the held row, the newest goes at the listing's next slot, and the channel's sync
// status shows the limit.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel } from '../../app/channels.ts';
import { createListing } from '../../app/listings.ts';
import { Truestock } from '../../app/truestock.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../../test/support/truestock.ts';
import { FakeEbay } from './ebay-api.fixture.ts';
import { EBAY_REVISIONS_KEPT_BACK } from './revisions.ts';

describe.each(STORE_KINDS)('eBay revision limit through the dispatcher on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  const fake = new FakeEbay();

  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open({ ...db.config, clock: fake.clock, sync: { workerId: 'ebay-test', fetch: fake.fetch } });
  });
  afterAll(async () => {
    await ts?.close();
    await db?.drop();
  });

  it('holds a listing past its paced share, coalesces its numbers, pushes the newest at its slot, and shows it', async () => {
    fake.quantities.set('A', 0);
    fake.quantities.set('B', 0);
    const f = await Fixture.create(ts, { skus: ['A', 'B'], locations: [['W1', 'warehouse']] });
    const channel = await ts.store.transaction(async (d) => {
      const now = ts.clock.now();
      // An allowance of 6 a day: paced from the third revision.
      const c = await createChannel(d, f.workspaceId, { kind: 'ebay', name: `ebay-${Math.random()}`, settings: fake.settings({ daily_revisions: EBAY_REVISIONS_KEPT_BACK + 6, locations: { 'WH-1': 'W1' } }) }, now);
      if ('code' in c) throw new Error(c.detail);
      const id = (c.body.channel as { id: string }).id;
      for (const sku of ['A', 'B']) {
        const l = await createListing(d, f.workspaceId, { channel: id, sku, external: { sku } }, now);
        if ('code' in l) throw new Error(l.detail);
      }
      return id;
    });
    await ts.sync.refresh(true);
    const drain = async () => {
      for (let i = 0; i < 10; i++) if ((await ts.sync.drainOnce(channel)) === 0) break;
    };
    const row = () => ts.store.read((d) => d.get<{ quantity: number; not_before: number; attempts: number }>(
      "SELECT o.quantity, o.not_before, o.attempts FROM channel_outbox o JOIN listings l ON l.id = o.listing_id WHERE o.channel_id = ? AND l.external LIKE '%\"A\"%'", [channel]));
    await drain(); // the first numbers (0): one revision each
    for (let k = 1; k <= 2; k++) {
      await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 1 });
      await drain();
      fake.clock.advance(1_000);
    }
    expect(fake.quantities.get('A')).toBe(2);
    // The fourth revision in a few seconds is held; the next two numbers join it.
    for (let k = 0; k < 3; k++) {
      await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 1 });
      await drain();
    }
    expect(fake.quantities.get('A')).toBe(2);
    const held = await row();
    expect(held).toMatchObject({ quantity: 5 });
    expect(Number(held!.attempts)).toBe(0);
    expect(Number(held!.not_before)).toBeGreaterThan(ts.clock.now());
    const status = ts.sync.status(channel)!;
    expect(status.limits).toEqual([expect.objectContaining({ name: 'revisions', per_listing: 6, held: 1, max_used: 3 })]);
    // B is not held.
    await f.ok({ type: 'receive', sku: 'B', location: 'W1', quantity: 4 });
    await drain();
    expect(fake.quantities.get('B')).toBe(4);
    // At the slot the newest number goes, once.
    fake.clock.advance(Number(held!.not_before) - ts.clock.now());
    const before = fake.calls.length;
    await drain();
    expect(fake.quantities.get('A')).toBe(5);
    expect(await row()).toBeUndefined();
    expect(fake.calls.length - before).toBe(1);
    const dead = await ts.store.read((d) => d.all('SELECT listing_id FROM listing_sync WHERE channel_id = ? AND dead_at IS NOT NULL', [channel]));
    expect(dead).toEqual([]);
    expect(fake.invalid).toEqual([]);
  });
});
