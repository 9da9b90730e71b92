// Levels decided together (`decideLevels`) end where levels applied one at a time end, on SQLite
// and PostgreSQL: for any sequence of level events — echoes, stale ones, hand edits up and down,
// unknown listings, under either edit policy — deciding a batch and applying what it leaves
// undecided alone, in order, gives every event the same outcome and leaves the same observations,
// outbox rows and stock as `applyChannelEvent` for each.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { lineKeys, shopifyMapping } from '../channels/shopify/webhooks.ts';
import { getChannel } from '../store/channel-repo.ts';
import { applyChannelEvent, type ChannelContext, type ChannelEvent } from './channel-events.ts';
import { decideLevels } from './channel-levels.ts';
import { createChannel } from './channels.ts';
import { ManualClock } from './clock.ts';
import { createListing } from './listings.ts';
import { Truestock } from './truestock.ts';

const SKUS = ['A', 'B'];
const STOCK = 10;
const LOCATION = 'gid://shopify/Location/1';

interface LevelCase {
  /** 0, 1: a listed SKU; 2: an inventory item no listing names. */
  item: number;
  available: number;
  /** Seconds after the run's start the channel says the change happened. */
  second: number;
}

const levelCase = fc.record({ item: fc.integer({ min: 0, max: 2 }), available: fc.integer({ min: STOCK - 3, max: STOCK + 2 }), second: fc.integer({ min: 0, max: 4 }) });

describe.each(STORE_KINDS)('levels decided together on %s', (kind) => {
  let database: TestDatabase;
  let ts: Truestock;
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  beforeAll(async () => {
    database = await createDatabase(kind);
    ts = await Truestock.open({ ...database.config, clock });
  });
  afterAll(async () => {
    await ts?.close();
    await database?.drop();
  });

  /** A workspace with A and B at W1, listed on a Shopify channel; some numbers pushed, some queued. */
  async function world(policy: 'master_wins' | 'adopt') {
    const f = await Fixture.create(ts, { skus: SKUS, locations: [['W1', 'warehouse']] });
    const ws = f.workspaceId;
    for (const sku of SKUS) await f.ok({ type: 'receive', sku, location: 'W1', quantity: STOCK });
    const { channel, listings } = await ts.store.transaction(async (db) => {
      const now = clock.now();
      const made = await createChannel(db, ws, { kind: 'shopify', name: 'shop', settings: { shop_domain: 'x.myshopify.com', locations: { [LOCATION]: 'W1' }, edit_policy: policy } }, now);
      if ('code' in made) throw new Error(made.detail);
      const id = (made.body.channel as { id: string }).id;
      const ids: string[] = [];
      for (const [n, sku] of SKUS.entries()) {
        const l = await createListing(db, ws, { channel: id, sku, external: { inventory_item_id: `gid://shopify/InventoryItem/${n + 1}`, location_id: LOCATION } }, now);
        if ('code' in l) throw new Error(l.detail);
        ids.push((l.body.listing as { id: string }).id);
      }
      // A was pushed (at STOCK) and acknowledged; B's number is still queued.
      await db.run('INSERT INTO listing_sync (listing_id, workspace_id, channel_id, pushed_version, pushed_quantity, pushed_at, shown_quantity, shown_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?)',
        [ids[0]!, ws, id, STOCK, now, STOCK, now]);
      await db.run('DELETE FROM channel_outbox WHERE listing_id = ?', [ids[0]!]);
      return { channel: (await getChannel(db, ws, id))!, listings: ids };
    });
    const cx: ChannelContext = { channel, mapping: shopifyMapping(channel.settings), editPolicy: policy, timeResolutionMs: 1_000, editGraceMs: 30_000 };
    const snapshot = async () => ts.store.read(async (db) => {
      const rows = [];
      for (const id of listings) {
        const s = await db.get<Record<string, unknown>>('SELECT pushed_quantity, shown_quantity, shown_at FROM listing_sync WHERE listing_id = ?', [id]);
        const o = await db.get<Record<string, unknown>>('SELECT quantity, version, not_before, enqueued_at FROM channel_outbox WHERE listing_id = ?', [id]);
        const a = await db.get<Record<string, unknown>>('SELECT quantity, version FROM availability WHERE listing_id = ?', [id]);
        rows.push({ s, o, a });
      }
      const stock = await db.all<{ available: number }>('SELECT sl.available FROM stock_levels sl JOIN items i ON i.id = sl.item_id WHERE i.workspace_id = ? ORDER BY i.sku', [ws]);
      return JSON.parse(JSON.stringify({ rows, stock }, (_k, v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v)));
    });
    return { cx, snapshot };
  }

  const eventsOf = (cases: LevelCase[], t0: number, run: number): Extract<ChannelEvent, { kind: 'level_updated' }>[] => cases.map((c, i) => ({
    kind: 'level_updated', occurredAt: t0 + c.second * 1_000, eventId: `r${run}-e${i}`,
    level: { keys: lineKeys(null, `gid://shopify/InventoryItem/${c.item + 1}`, [LOCATION]).keys, locationId: LOCATION, available: c.available },
  }));

  it('property: same outcomes, observations, outbox rows and stock as applying each level alone', async () => {
    let run = 0;
    await fc.assert(fc.asyncProperty(fc.array(levelCase, { minLength: 1, maxLength: 8 }), fc.constantFrom('master_wins' as const, 'adopt' as const), async (cases, policy) => {
      run++;
      const alone = await world(policy);
      const together = await world(policy);
      const t0 = clock.now();
      const said: string[] = [];
      for (const e of eventsOf(cases, t0, run)) said.push(await applyChannelEvent(ts, alone.cx, e));
      const events = eventsOf(cases, t0, run);
      const decided = await decideLevels(ts, together.cx, events);
      const saidTogether: string[] = [];
      for (const [k, e] of events.entries()) saidTogether.push(decided[k] ?? (await applyChannelEvent(ts, together.cx, e)));
      expect(saidTogether).toEqual(said);
      const [x, y] = [await alone.snapshot(), await together.snapshot()];
      expect(y).toEqual(x);
      clock.advance(10_000);
    }), { numRuns: kind === 'sqlite' ? 40 : 15 });
  }, 180_000);
});
