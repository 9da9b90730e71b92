// Stock a channel keeps itself (`managed_stock_reported`), booked at the channel_managed location
// it maps to, on SQLite and PostgreSQL: the bucket mapping, idempotence, older reports, a
// location that is not channel-managed, and a transfer of ours that arrives when a report shows it.
// Kind-agnostic: the events are the normalized ones any kind produces.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { lineKeys, shopifyMapping } from '../channels/shopify/webhooks.ts';
import { createChannel } from './channels.ts';
import { applyChannelEvent, type ChannelContext, type ChannelEvent } from './channel-events.ts';
import type { ManagedStockFacts } from '../domain/channel-event.ts';
import { createListing } from './listings.ts';
import { Truestock } from './truestock.ts';
import { verify } from './verify.ts';
import { stockBySku } from './queries.ts';
import { getChannel } from '../store/channel-repo.ts';
import { shipTransferStep } from './transfers.ts';
import { findTransfer } from '../store/purchasing-repo.ts';
import { createRule, explainListing } from './channel-rule-admin.ts';
import { recomputeAll } from './availability.ts';

const SKU = 'A';
const variant = 'gid://shopify/ProductVariant/1';
const SHOP = 'gid://shopify/Location/1';
const MANAGED = 'gid://shopify/Location/9';
const WRONG = 'gid://shopify/Location/8';

describe.each(STORE_KINDS)('channel-managed stock on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open(db.config);
  });
  afterAll(async () => {
    await ts.close();
    await db.drop();
  });

  /** W1 (a warehouse with 20 units) and M (channel_managed, empty); the channel maps SHOP → W1, MANAGED → M, WRONG → W1. */
  async function world(): Promise<{ f: Fixture; cx: ChannelContext }> {
    const f = await Fixture.create(ts, { skus: [SKU], locations: [['W1', 'warehouse'], ['M', 'channel_managed']] });
    await f.ok({ type: 'receive', sku: SKU, location: 'W1', quantity: 20 });
    const channel = await ts.store.transaction(async (tx) => {
      const now = ts.clock.now();
      const made = await createChannel(tx, f.workspaceId, { kind: 'shopify', name: 'shop', settings: { shop_domain: 'x.myshopify.com', access_token: 't', locations: { [SHOP]: 'W1', [MANAGED]: 'M', [WRONG]: 'W1' } } }, now);
      if ('code' in made) throw new Error(made.detail);
      const id = (made.body.channel as { id: string }).id;
      const l = await createListing(tx, f.workspaceId, { channel: id, sku: SKU, external: { variant_id: variant } }, now);
      if ('code' in l) throw new Error(l.detail);
      return (await getChannel(tx, f.workspaceId, id))!;
    });
    return { f, cx: { channel, mapping: shopifyMapping(channel.settings), editPolicy: 'master_wins', editGraceMs: 30_000, timeResolutionMs: 1_000 } };
  }

  const report = (eventId: string, at: number, q: Partial<ManagedStockFacts>, locationId = MANAGED): ChannelEvent => ({
    kind: 'managed_stock_reported',
    occurredAt: at,
    eventId,
    stock: { keys: lineKeys(variant, null, []).keys, sku: SKU, locationId, available: 0, reserved: 0, inbound: 0, unfulfillable: 0, researching: 0, ...q },
  });
  const levelAt = async (f: Fixture, code: string) => {
    const s = (await ts.store.read((d) => stockBySku(d, f.workspaceId, SKU)))!;
    return s.locations.find((l) => l.location === code) ?? { available: 0, damaged: 0, incoming: 0, reserved: 0, committed: 0 };
  };
  const syncMovements = (f: Fixture) =>
    ts.store.read((d) => d.all<{ from_account: string; to_account: string; quantity: number; reason: string }>(
      'SELECT from_account, to_account, quantity, reason FROM movements WHERE workspace_id = ? AND command = ? ORDER BY seq', [f.workspaceId, 'channel_sync']))
      .then((rows) => rows.map((r) => ({ ...r, quantity: Number(r.quantity) })));
  const exceptionsOf = (f: Fixture) => ts.store.read((d) => d.all<{ kind: string; message: string }>('SELECT kind, message FROM exceptions WHERE workspace_id = ? ORDER BY id', [f.workspaceId]));
  const shownBeside = (f: Fixture) => ts.store.read((d) => d.all<{ reserved: number; researching: number; available: number }>('SELECT reserved, researching, available FROM managed_stock WHERE workspace_id = ?', [f.workspaceId]))
    .then((rows) => rows.map((r) => ({ reserved: Number(r.reserved), researching: Number(r.researching), available: Number(r.available) })));

  it('books a report into the documented buckets with reason channel_sync, moves no unit of ours, and keeps reserved and researching beside', async () => {
    const { f, cx } = await world();
    expect(await applyChannelEvent(ts, cx, report('e1', 1_000, { available: 8, unfulfillable: 1, inbound: 3, reserved: 2, researching: 1 }))).toBe('stock_booked');
    expect(await levelAt(f, 'M')).toMatchObject({ available: 8, damaged: 1, incoming: 3, reserved: 0, committed: 0 });
    expect(await levelAt(f, 'W1')).toMatchObject({ available: 20 });
    expect(await syncMovements(f)).toEqual([
      { from_account: 'adjustment', to_account: 'available', quantity: 8, reason: 'channel_sync' },
      { from_account: 'adjustment', to_account: 'damaged', quantity: 1, reason: 'channel_sync' },
      { from_account: 'expected', to_account: 'incoming', quantity: 3, reason: 'channel_sync' },
    ]);
    expect(await shownBeside(f)).toEqual([{ reserved: 2, researching: 1, available: 8 }]);
    // The same event again, and the same numbers under a new event: nothing is booked.
    expect(await applyChannelEvent(ts, cx, report('e1', 1_000, { available: 8, unfulfillable: 1, inbound: 3, reserved: 2, researching: 1 }))).toBe('stock_booked');
    expect(await applyChannelEvent(ts, cx, report('e2', 2_000, { available: 8, unfulfillable: 1, inbound: 3, reserved: 5 }))).toBe('stock_unchanged');
    expect(await syncMovements(f)).toHaveLength(3);
    expect(await shownBeside(f)).toEqual([{ reserved: 5, researching: 0, available: 8 }]);
    // Units the channel sold (its own orders) and one it now calls unfulfillable.
    expect(await applyChannelEvent(ts, cx, report('e3', 3_000, { available: 5, unfulfillable: 2, inbound: 0 }))).toBe('stock_booked');
    expect(await levelAt(f, 'M')).toMatchObject({ available: 5, damaged: 2, incoming: 0 });
    expect((await syncMovements(f)).slice(3)).toEqual([
      { from_account: 'available', to_account: 'damaged', quantity: 1, reason: 'channel_sync' },
      { from_account: 'available', to_account: 'adjustment', quantity: 2, reason: 'channel_sync' },
      { from_account: 'incoming', to_account: 'expected', quantity: 3, reason: 'channel_sync' },
    ]);
    // An older report, redelivered late, never undoes a newer one.
    expect(await applyChannelEvent(ts, cx, report('e0', 500, { available: 50 }))).toBe('stock_stale');
    expect(await levelAt(f, 'M')).toMatchObject({ available: 5, damaged: 2 });
    expect(await levelAt(f, 'W1')).toMatchObject({ available: 20 });
    expect(await exceptionsOf(f)).toEqual([]);
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });

  it('a report at a location that is not channel_managed, or maps to none, books nothing and raises one exception', async () => {
    const { f, cx } = await world();
    expect(await applyChannelEvent(ts, cx, report('w1', 1_000, { available: 3 }, WRONG))).toBe('stock_location_unmapped');
    expect(await applyChannelEvent(ts, cx, report('w1', 1_000, { available: 3 }, WRONG))).toBe('stock_location_unmapped');
    expect(await applyChannelEvent(ts, cx, report('w2', 1_000, { available: 3 }, 'gid://shopify/Location/77'))).toBe('stock_location_unmapped');
    expect(await levelAt(f, 'W1')).toMatchObject({ available: 20 });
    expect(await syncMovements(f)).toEqual([]);
    const raised = await exceptionsOf(f);
    expect(raised.map((e) => e.kind)).toEqual(['channel_event_unapplied', 'channel_event_unapplied']);
    expect(raised.map((e) => e.message)).toEqual(expect.arrayContaining([expect.stringMatching(/W1, a warehouse location/), expect.stringMatching(/map it to no location/)]));
    // An item no listing names, and a bad quantity: the same.
    const unlisted = report('x', 1_000, { available: 1 }) as Extract<ChannelEvent, { kind: 'managed_stock_reported' }>;
    expect(await applyChannelEvent(ts, cx, { ...unlisted, stock: { ...unlisted.stock, keys: [], sku: 'NOPE' } })).toBe('stock_item_unmapped');
    expect(await applyChannelEvent(ts, cx, report('y', 1_000, { available: -1 }))).toBe('stock_invalid');
    expect(await syncMovements(f)).toEqual([]);
  });

  it('a transfer of ours to the location stays in transit until a report shows it arrived, then is received through the transfer', async () => {
    const { f, cx } = await world();
    const shipped = await ts.ledger.executeDocument({ workspaceId: f.workspaceId, idempotencyKey: 'ship-1', actor: 'test' }, shipTransferStep(f.workspaceId, { from: 'W1', to: 'M', lines: [{ sku: SKU, quantity: 10 }] }));
    expect(shipped.ok).toBe(true);
    expect(await levelAt(f, 'M')).toMatchObject({ incoming: 10, available: 0 });
    // Before the channel even knows of the shipment: nothing arrived, nothing more is incoming.
    expect(await applyChannelEvent(ts, cx, report('t1', 1_000, { available: 0, inbound: 0 }))).toBe('stock_unchanged');
    // The channel counts it inbound, with 2 units of its own (a shipment truestock did not send).
    expect(await applyChannelEvent(ts, cx, report('t2', 2_000, { available: 0, inbound: 12 }))).toBe('stock_booked');
    expect(await levelAt(f, 'M')).toMatchObject({ incoming: 12, available: 0 });
    // 6 of ours arrived (and are sellable), 4 still inbound; the channel's own 2 arrived as well.
    expect(await applyChannelEvent(ts, cx, report('t3', 3_000, { available: 8, inbound: 4 }))).toMatch(/^transfer_received:TR-\d+,stock_booked$/);
    expect(await levelAt(f, 'M')).toMatchObject({ available: 8, incoming: 4 });
    let tr = (await ts.store.read((d) => findTransfer(d, f.workspaceId, (shipped as unknown as { body: { transfer: { id: string } } }).body.transfer.id)))!;
    expect(tr.lines[0]).toMatchObject({ shipped: 10, received: 6 });
    expect(tr.state).toBe('in_transit');
    // The rest arrives; the transfer closes itself.
    expect(await applyChannelEvent(ts, cx, report('t4', 4_000, { available: 12, inbound: 0 }))).toMatch(/^transfer_received:TR-\d+,stock_unchanged$/);
    tr = (await ts.store.read((d) => findTransfer(d, f.workspaceId, tr.id)))!;
    expect(tr).toMatchObject({ state: 'closed' });
    expect(await levelAt(f, 'M')).toMatchObject({ available: 12, incoming: 0 });
    expect(await levelAt(f, 'W1')).toMatchObject({ available: 10 });
    // Redelivered: nothing received twice.
    expect(await applyChannelEvent(ts, cx, report('t4', 4_000, { available: 12, inbound: 0 }))).toMatch(/^transfer_received:TR-\d+,stock_unchanged$/);
    expect(await levelAt(f, 'M')).toMatchObject({ available: 12, incoming: 0 });
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });

  it('an order truestock fulfils never takes stock the channel keeps itself, even where that location covers it and ours does not', async () => {
    const { f, cx } = await world();
    await applyChannelEvent(ts, cx, report('m1', 1_000, { available: 30 }));
    const order = { orderId: 'o-1', name: '#1', locationId: null, cancelled: false, lines: [{ lineId: 'l1', quantity: 25, sku: SKU, ...lineKeys(variant, null, []) }] };
    expect(await applyChannelEvent(ts, cx, { kind: 'order_created', occurredAt: 2_000, order })).toBe('allocated');
    expect(await levelAt(f, 'M')).toMatchObject({ available: 30, committed: 0 });
    expect(await levelAt(f, 'W1')).toMatchObject({ available: 0, committed: 25, oversold: 5 });
    // The channel's own order of the same item: recorded, and nothing moves anywhere.
    expect(await applyChannelEvent(ts, cx, { kind: 'order_created', occurredAt: 2_000, order: { ...order, orderId: 'o-2', name: '#2', locationId: MANAGED, fulfilledByChannel: true } })).toBe('recorded');
    expect(await levelAt(f, 'M')).toMatchObject({ available: 30, committed: 0 });
    expect(await levelAt(f, 'W1')).toMatchObject({ committed: 25 });
  });

  it('a listing that sells only channel-managed stock is computed from what the channel reported and never queued for a push', async () => {
    const { f, cx } = await world();
    const outbox = () => ts.store.read((d) => d.all<{ listing_id: string }>('SELECT listing_id FROM channel_outbox WHERE workspace_id = ?', [f.workspaceId]));
    const computed = () => ts.store.read((d) => d.all<{ quantity: number }>('SELECT quantity FROM availability WHERE workspace_id = ?', [f.workspaceId])).then((r) => r.map((x) => Number(x.quantity)));
    // Queued while the listing sold the warehouse's stock (the default scope: what ships online).
    await recomputeAll(ts.store, () => ts.clock.now(), f.workspaceId);
    expect(await outbox()).toHaveLength(1);
    await ts.store.transaction(async (d) => {
      const made = await createRule(d, f.workspaceId, cx.channel.id, { settings: { locations: { kinds: ['channel_managed'] } } }, ts.clock.now());
      if ('code' in made) throw new Error(made.detail);
    });
    // The rule makes the channel own the number: what was queued is dropped, nothing new is queued.
    expect(await outbox()).toEqual([]);
    expect(await applyChannelEvent(ts, cx, report('p1', 1_000, { available: 7, reserved: 2, researching: 1 }))).toBe('stock_booked');
    expect(await computed()).toEqual([7]);
    expect(await outbox()).toEqual([]);
    // Its explanation says so, with what the channel keeps beside the buckets.
    const listingId = (await ts.store.read((d) => d.all<{ id: string }>('SELECT id FROM listings WHERE workspace_id = ?', [f.workspaceId])))[0]!.id;
    const explained = await ts.store.read((d) => explainListing(d, f.workspaceId, listingId, ts.clock.now()));
    const step = (explained!.steps as { step: string; why: string; detail: Record<string, unknown> }[]).find((x) => x.step === 'channel_owned')!;
    expect(step.why).toMatch(/^never pushed: shop keeps this stock/);
    expect(step.detail).toMatchObject({ pushed: false, reports: [{ location: 'M', available: 7, reserved: 2, researching: 1 }] });
  });

  // Two processes share a database only on PostgreSQL (SQLite's writers wait on one another synchronously, in one test process a deadlock).
  it.runIf(kind === 'postgres')('two processes applying reports of a level never booked before at once book the newer one, once', async () => {
    const { f, cx } = await world();
    // A second process on the same database: its ledger commits on its own, concurrently with ours.
    const other = await Truestock.open(db.config);
    try {
      const said = await Promise.all([
        applyChannelEvent(ts, cx, report('c1', 1_000, { available: 8, unfulfillable: 1 })),
        applyChannelEvent(other, cx, report('c2', 2_000, { available: 5 })),
      ]);
      expect(said).toContain('stock_booked');
      expect(await levelAt(f, 'M')).toMatchObject({ available: 5, damaged: 0 });
      expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
    } finally {
      await other.close();
    }
  });
});
