// The availability engine on SQLite and PostgreSQL gives each (SKU, ship node) listing of a
// Walmart channel its own number: the stock of the location its node maps to
// (settings.locations), while a listing of the SKU alone sells as the channel's rules say (every
// location here). Stock moving at one location changes only that node's listing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../../test/support/truestock.ts';
import { createChannel } from '../../app/channels.ts';
import { ManualClock } from '../../app/clock.ts';
import { createListing } from '../../app/listings.ts';
import { Truestock } from '../../app/truestock.ts';
import { availabilityOf } from '../../store/availability-repo.ts';

const N1 = '10000000001';
const N2 = '10000000002';

describe.each(STORE_KINDS)('Walmart listings at several ship nodes on %s', (store) => {
  let db: TestDatabase;
  let ts: Truestock;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    db = await createDatabase(store);
    ts = await Truestock.open({ ...db.config, clock });
  });
  afterAll(async () => {
    await ts?.close();
    await db?.drop();
  });

  it('each node’s listing shows its own location’s stock; the SKU alone shows every location’s', async () => {
    const f = await Fixture.create(ts, { skus: ['S1'], locations: [['W1', 'warehouse'], ['W2', 'warehouse']] });
    const ids = await ts.store.transaction(async (d) => {
      const settings = { client_id: 'c', client_secret: 's', ship_node: N1, locations: { [N1]: 'W1', [N2]: 'W2' } };
      const c = await createChannel(d, f.workspaceId, { kind: 'walmart', name: 'walmart-nodes', settings }, clock.now());
      if ('code' in c) throw new Error(c.detail);
      const channel = (c.body.channel as { id: string }).id;
      const out: string[] = [];
      for (const external of [{ sku: 'S1', ship_node: N1 }, { sku: 'S1', ship_node: N2 }, { sku: 'S1' }]) {
        const l = await createListing(d, f.workspaceId, { channel, sku: 'S1', external }, clock.now());
        if ('code' in l) throw new Error(l.detail);
        out.push((l.body.listing as { id: string }).id);
      }
      return out;
    });
    const numbers = async () => {
      const rows = await ts.store.read((d) => availabilityOf(d, ids));
      return ids.map((id) => rows.find((r) => r.listing_id === id)?.quantity ?? null);
    };
    await f.ok({ type: 'receive', sku: 'S1', location: 'W1', quantity: 10 });
    await f.ok({ type: 'receive', sku: 'S1', location: 'W2', quantity: 3 });
    expect(await numbers()).toEqual([10, 3, 13]);
    // Stock moving at W2 moves only the N2 listing (and the SKU-alone one, which sells W2 too).
    await f.ok({ type: 'receive', sku: 'S1', location: 'W2', quantity: 4 });
    expect(await numbers()).toEqual([10, 7, 17]);
  }, 60_000);
});
