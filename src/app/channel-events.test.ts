// Channel events applied to the ledger, on SQLite and PostgreSQL, without HTTP: the property that
// any delivery of create and cancel events — duplicated, reordered, concurrent — ends where each
// order's latest state applied once would, and examples for refunds, mapping and edits.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { lineKeys, shopifyMapping } from '../channels/shopify/webhooks.ts';
import { createChannel } from './channels.ts';
import { applyChannelEvent, type ChannelContext, type ChannelEvent, type OrderFacts, type RefundFacts } from './channel-events.ts';
import { createListing } from './listings.ts';
import { Truestock } from './truestock.ts';
import { verify } from './verify.ts';
import { stockBySku } from './queries.ts';
import { getChannel } from '../store/channel-repo.ts';
import { CHANNEL_EDIT_RECUR_COUNT } from '../domain/sync-rules.ts';
import { listingEvents } from './listing-events.ts';
import { itemsBySku } from '../store/catalog-repo.ts';
import { createRule } from './channel-rule-admin.ts';

const SKUS = ['A', 'B'];
const STOCK = 1_000;
const variant = (sku: string) => `gid://shopify/ProductVariant/${SKUS.indexOf(sku) + 1}`;
const LOC1 = 'gid://shopify/Location/1';
const LOC2 = 'gid://shopify/Location/2';

describe.each(STORE_KINDS)('channel events on %s', (kind) => {
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

  /** A workspace with items A and B (1,000 units at W1), a Shopify channel and a variant listing per item. */
  async function world(settings: Record<string, unknown> = {}, stockAt: Record<string, number> = { W1: STOCK }): Promise<{ f: Fixture; cx: ChannelContext }> {
    const f = await Fixture.create(ts, { skus: SKUS });
    for (const [location, quantity] of Object.entries(stockAt)) for (const sku of SKUS) await f.ok({ type: 'receive', sku, location, quantity });
    const channel = await ts.store.transaction(async (tx) => {
      const now = ts.clock.now();
      const made = await createChannel(tx, f.workspaceId, { kind: 'shopify', name: 'shop', settings: { shop_domain: 'x.myshopify.com', access_token: 't', locations: { [LOC1]: 'W1', [LOC2]: 'W2' }, ...settings } }, now);
      if ('code' in made) throw new Error(made.detail);
      const id = (made.body.channel as { id: string }).id;
      for (const sku of SKUS) {
        const l = await createListing(tx, f.workspaceId, { channel: id, sku, external: { variant_id: variant(sku) } }, now);
        if ('code' in l) throw new Error(l.detail);
      }
      return (await getChannel(tx, f.workspaceId, id))!;
    });
    return { f, cx: { channel, mapping: shopifyMapping(channel.settings), editPolicy: 'master_wins', editGraceMs: 30_000, timeResolutionMs: 1_000 } };
  }

  const orderOf = (n: number, lines: { sku: string; quantity: number }[], location: string | null = LOC1): OrderFacts => ({
    orderId: `gid://shopify/Order/${n}`,
    name: `#${n}`,
    locationId: location,
    cancelled: false,
    lines: lines.map((l, i) => ({ lineId: `gid://shopify/LineItem/${n * 100 + i}`, quantity: l.quantity, sku: l.sku, ...lineKeys(variant(l.sku), null, [location]) })),
  });
  const created = (o: OrderFacts, at = 1_000): ChannelEvent => ({ kind: 'order_created', occurredAt: at, order: o });
  const cancelled = (o: OrderFacts, at = 2_000): ChannelEvent => ({ kind: 'order_cancelled', occurredAt: at, order: { ...o, cancelled: true } });
  const refund = (o: OrderFacts, id: number, lines: { line: number; quantity: number; restock: 'cancel' | 'return' }[]): ChannelEvent => ({
    kind: 'refund_created',
    occurredAt: 3_000,
    refund: {
      refundId: `gid://shopify/Refund/${id}`,
      orderId: o.orderId,
      lines: lines.map((l) => ({ ...o.lines[l.line]!, quantity: l.quantity, restock: l.restock, locationId: o.locationId })),
    } satisfies RefundFacts,
  });

  async function totals(f: Fixture, sku: string) {
    const stock = await ts.store.read((d) => stockBySku(d, f.workspaceId, sku));
    return stock!.total;
  }
  const holds = (f: Fixture, channelId: string) =>
    ts.store.read((d) => d.all<{ id: string; state: string; order_reference: string }>('SELECT id, state, order_reference FROM holds WHERE workspace_id = ? AND channel_id = ? ORDER BY id', [f.workspaceId, channelId]));
  const exceptions = (f: Fixture) => ts.store.read((d) => d.all<{ kind: string; reference: string; message: string }>('SELECT kind, reference, message FROM exceptions WHERE workspace_id = ? ORDER BY id', [f.workspaceId]));

  it('property: duplicated, reordered and concurrent create/cancel deliveries end as each order applied once', async () => {
    const order = fc.record({
      lines: fc.array(fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 3 }),
      // What the channel did and which events reached us.
      fate: fc.constantFrom('open', 'cancelled', 'cancel_only', 'updated_only'),
      copies: fc.integer({ min: 1, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(order, { minLength: 1, maxLength: 5 }), fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 20, maxLength: 20 }),
        async (orders, randoms, groups) => {
          const { f, cx } = await world();
          const deliveries: ChannelEvent[] = [];
          orders.forEach((o, i) => {
            const facts = orderOf(i + 1, o.lines);
            for (let c = 0; c < o.copies; c++) {
              if (o.fate === 'open' || o.fate === 'cancelled') deliveries.push(created(facts, 1_000 + i));
              if (o.fate === 'updated_only') deliveries.push({ kind: 'order_updated', occurredAt: 1_500 + i, order: facts });
              if (o.fate === 'cancelled' || o.fate === 'cancel_only') deliveries.push(cancelled(facts, 2_000 + i));
            }
          });
          // Shuffle, then deliver in groups applied concurrently.
          const keyed = deliveries.map((d) => ({ d, k: randoms.next().value as number }));
          keyed.sort((a, b) => a.k - b.k);
          let at = 0;
          for (const size of [...groups, Infinity]) {
            const group = keyed.slice(at, at + size);
            if (group.length === 0) break;
            await Promise.all(group.map(({ d }) => applyChannelEvent(ts, cx, d)));
            at += size;
          }
          // The model: each order's latest state applied once.
          const committed = new Map(SKUS.map((s) => [s, 0]));
          orders.forEach((o) => {
            if (o.fate === 'open' || o.fate === 'updated_only') for (const l of o.lines) committed.set(l.sku, committed.get(l.sku)! + l.quantity);
          });
          for (const sku of SKUS) expect(await totals(f, sku)).toMatchObject({ committed: committed.get(sku), available: STOCK - committed.get(sku)!, oversold: 0 });
          const byOrder = new Map<string, string[]>();
          for (const hold of await holds(f, cx.channel.id)) byOrder.set(hold.order_reference, [...(byOrder.get(hold.order_reference) ?? []), hold.state]);
          orders.forEach((o, i) => {
            const states = byOrder.get(`#${i + 1}`) ?? [];
            if (o.fate === 'open' || o.fate === 'updated_only') expect(states).toEqual(['allocated']);
            else if (o.fate === 'cancel_only') expect(states).toEqual([]);
            else expect(states.every((s) => s === 'cancelled') && states.length <= 1).toBe(true);
          });
          expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
        }),
      { numRuns: kind === 'sqlite' ? 25 : 12 },
    );
  }, 120_000);

  it('a cancellation that lands while the allocation is in flight still cancels it', async () => {
    const { f, cx } = await world();
    const o = orderOf(6, [{ sku: 'A', quantity: 2 }]);
    const execute = ts.ledger.execute.bind(ts.ledger);
    let overtaken: string | undefined;
    // The cancellation is recorded (and finds nothing allocated yet) between the order's row and its allocation.
    ts.ledger.execute = async (req) => {
      if (req.command.type === 'allocate_order' && overtaken === undefined) overtaken = await applyChannelEvent(ts, cx, cancelled(o));
      return execute(req);
    };
    try {
      expect(await applyChannelEvent(ts, cx, created(o))).toBe('cancelled');
    } finally {
      ts.ledger.execute = execute;
    }
    expect(overtaken).toBe('cancel_recorded');
    expect(await holds(f, cx.channel.id)).toMatchObject([{ state: 'cancelled' }]);
    expect(await totals(f, 'A')).toMatchObject({ committed: 0, available: STOCK });
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });

  it('a cancellation pushes our number again to the listings it names, even when it did not change: the channel restocked by its own count', async () => {
    const { f, cx } = await world();
    const listingOf = (sku: string) => ts.store.read((d) => d.get<{ id: string }>('SELECT l.id FROM listings l JOIN items i ON i.id = l.item_id WHERE l.channel_id = ? AND i.sku = ?', [cx.channel.id, sku]));
    const queued = () => ts.store.read((d) => d.all<{ listing_id: string; quantity: number }>('SELECT listing_id, quantity FROM channel_outbox WHERE channel_id = ? ORDER BY listing_id', [cx.channel.id]));
    // A cap keeps our number at 5 whatever the order does.
    await ts.store.transaction(async (d) => {
      const r = await createRule(d, f.workspaceId, cx.channel.id, { settings: { cap_units: 5 } }, ts.clock.now());
      if ('code' in r) throw new Error(r.detail);
    });
    const o = orderOf(40, [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }]);
    expect(await applyChannelEvent(ts, cx, created(o))).toBe('allocated');
    // Pushed and settled: A's 5 went to the channel; B was never pushed (the channel owns it, say).
    const a = (await listingOf('A'))!.id;
    await ts.store.transaction(async (d) => {
      await d.run('DELETE FROM channel_outbox WHERE channel_id = ?', [cx.channel.id]);
      await d.run('INSERT INTO listing_sync (listing_id, workspace_id, channel_id, pushed_version, pushed_quantity, pushed_at) VALUES (?, ?, ?, ?, ?, ?)', [a, f.workspaceId, cx.channel.id, 1, 5, ts.clock.now()]);
    });
    expect(await applyChannelEvent(ts, cx, cancelled(o))).toBe('cancelled');
    expect((await queued()).map((q) => ({ ...q, quantity: Number(q.quantity) }))).toEqual([{ listing_id: a, quantity: 5 }]);
  });

  it('a refund that cancels every unit before the order arrives leaves the order unallocated', async () => {
    const { f, cx } = await world();
    const o = orderOf(7, [{ sku: 'A', quantity: 2 }]);
    expect(await applyChannelEvent(ts, cx, refund(o, 1, [{ line: 0, quantity: 2, restock: 'cancel' }]))).toBe('refund_recorded');
    expect(await applyChannelEvent(ts, cx, created(o))).toBe('recorded');
    expect(await holds(f, cx.channel.id)).toEqual([]);
    expect(await totals(f, 'A')).toMatchObject({ committed: 0, available: STOCK });
  });

  it('a refund that cancels part of an order before it arrives allocates the rest', async () => {
    const { f, cx } = await world();
    const o = orderOf(8, [{ sku: 'A', quantity: 3 }, { sku: 'B', quantity: 1 }]);
    await applyChannelEvent(ts, cx, refund(o, 2, [{ line: 0, quantity: 1, restock: 'cancel' }]));
    expect(await applyChannelEvent(ts, cx, created(o))).toBe('allocated');
    expect(await totals(f, 'A')).toMatchObject({ committed: 2 });
    expect(await totals(f, 'B')).toMatchObject({ committed: 1 });
    // The same refund delivered again changes nothing.
    expect(await applyChannelEvent(ts, cx, refund(o, 2, [{ line: 0, quantity: 1, restock: 'cancel' }]))).toBe('no_change');
  });

  it('a partial cancellation of an allocated order is an exception; the allocation stays whole', async () => {
    const { f, cx } = await world();
    const o = orderOf(9, [{ sku: 'A', quantity: 3 }]);
    await applyChannelEvent(ts, cx, created(o));
    expect(await applyChannelEvent(ts, cx, refund(o, 3, [{ line: 0, quantity: 1, restock: 'cancel' }]))).toBe('partial_cancel_unapplied');
    expect(await totals(f, 'A')).toMatchObject({ committed: 3 });
    expect(await exceptions(f)).toMatchObject([{ kind: 'channel_event_unapplied', reference: '#9' }]);
    // The rest cancelled later: nothing is left, so the allocation is cancelled.
    expect(await applyChannelEvent(ts, cx, refund(o, 4, [{ line: 0, quantity: 2, restock: 'cancel' }]))).toBe('cancelled');
    expect(await totals(f, 'A')).toMatchObject({ committed: 0, available: STOCK });
  });

  it('a refund with restock type return opens and receives a return, once per refund', async () => {
    const { f, cx } = await world();
    const o = orderOf(10, [{ sku: 'B', quantity: 2 }]);
    await applyChannelEvent(ts, cx, created(o));
    const [hold] = await holds(f, cx.channel.id);
    await f.ok({ type: 'ship', hold_id: hold!.id });
    const e = refund(o, 5, [{ line: 0, quantity: 2, restock: 'return' }]);
    expect(await applyChannelEvent(ts, cx, e)).toBe('return_received');
    expect(await applyChannelEvent(ts, cx, e)).toBe('return_received');
    expect(await totals(f, 'B')).toMatchObject({ quality_control: 2, available: STOCK - 2 });
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });

  it('an order without a location goes to the first mapped location that covers it', async () => {
    const { f, cx } = await world({}, { W2: 5 });
    const o = orderOf(11, [{ sku: 'A', quantity: 4 }], null);
    expect(await applyChannelEvent(ts, cx, created(o))).toBe('allocated');
    const stock = await ts.store.read((d) => stockBySku(d, f.workspaceId, 'A'));
    expect(stock!.locations.find((l: { location: string }) => l.location === 'W2')).toMatchObject({ committed: 4 });
  });

  it('records a line with no listing and a location the workspace lacks as exceptions, allocating what maps', async () => {
    const { f, cx } = await world({ locations: { [LOC1]: 'NOPE' } });
    const o = orderOf(12, [{ sku: 'A', quantity: 1 }]);
    const unknown = { lineId: 'gid://shopify/LineItem/99', quantity: 2, sku: 'ZZZ', ...lineKeys('gid://shopify/ProductVariant/99', null, [LOC1]) };
    expect(await applyChannelEvent(ts, cx, created({ ...o, lines: [...o.lines, unknown] }))).toBe('recorded');
    expect(await holds(f, cx.channel.id)).toEqual([]);
    expect((await exceptions(f)).map((e) => e.kind)).toEqual(['unmapped_order_line', 'unmapped_order_line']);
    // Redelivered: nothing more is raised.
    await applyChannelEvent(ts, cx, created({ ...o, lines: [...o.lines, unknown] }));
    expect(await exceptions(f)).toHaveLength(2);
  });

  // ---- hand edits: visible on the listing, exceptions under adopt and when they recur ----------

  /** Listing A as an inventory item at LOC1, pushed at `pushed` (so a level can be adopted). */
  async function editable(settings: Record<string, unknown>, pushed: number) {
    const w = await world(settings);
    const listingId = await ts.store.transaction(async (tx) => {
      const l = await createListing(tx, w.f.workspaceId, { channel: w.cx.channel.id, sku: 'A', external: { inventory_item_id: 'gid://shopify/InventoryItem/1', location_id: LOC1 } }, ts.clock.now());
      if ('code' in l) throw new Error(l.detail);
      const id = (l.body.listing as { id: string }).id;
      await tx.run('INSERT INTO listing_sync (listing_id, workspace_id, channel_id, pushed_version, pushed_quantity, pushed_at) VALUES (?, ?, ?, 1, ?, ?)', [id, w.f.workspaceId, w.cx.channel.id, pushed, ts.clock.now()]);
      return id;
    });
    let n = 0;
    const level = (available: number, eventId = `gid://shopify/Event/${++n}`): ChannelEvent =>
      ({ kind: 'level_updated', occurredAt: Date.now() + n, eventId, level: { keys: lineKeys(null, 'gid://shopify/InventoryItem/1', [LOC1]).keys, locationId: LOC1, available } });
    const itemA = (await ts.store.read((d) => itemsBySku(d, w.f.workspaceId, ['A'])))[0]!.id;
    const events = () => ts.store.read((d) => listingEvents(d, w.f.workspaceId, { id: listingId, itemId: itemA, channelId: w.cx.channel.id }, ts.clock.now(), {}));
    return { ...w, listingId, level, events };
  }

  it('master_wins: a hand edit is an event on the listing (once per channel event), with what truestock did and when', async () => {
    const { f, cx, listingId, level, events } = await editable({}, STOCK);
    const up = level(STOCK + 30);
    expect(await applyChannelEvent(ts, cx, up)).toBe('requeued');
    expect(await applyChannelEvent(ts, cx, up)).toBe('requeued'); // redelivered: recorded once
    expect(await applyChannelEvent(ts, cx, level(STOCK - 4))).toBe('requeued');
    const page = await events();
    expect(page.data).toMatchObject([
      { kind: 'channel_edit', shown: STOCK - 4, pushed: STOCK, ours: STOCK, policy: 'master_wins', outcome: 'requeued' },
      { kind: 'channel_edit', shown: STOCK + 30, pushed: STOCK, ours: STOCK, policy: 'master_wins', outcome: 'requeued', event_id: up.kind === 'level_updated' ? up.eventId : '' },
    ]);
    // Showing more than ours goes back at once; a raise over a decrease waits out the grace.
    const [down, more] = page.data;
    expect(Date.parse(more!.due_at!)).toBe(Date.parse(more!.at!));
    expect(Date.parse(down!.due_at!) - Date.parse(down!.at!)).toBe(cx.editGraceMs);
    // Two edits: not yet recurring; no exception under master_wins.
    expect(await exceptions(f)).toEqual([]);
  });

  it('edits that recur on one listing raise one exception, brought up to date by each further edit', async () => {
    const made = await editable({}, STOCK);
    const { f, level } = made;
    // No grace: a lowering is unexplained at once unless an order of this channel came with it.
    const cx = { ...made.cx, editGraceMs: 0 };
    for (let i = 1; i < CHANNEL_EDIT_RECUR_COUNT; i++) await applyChannelEvent(ts, cx, level(STOCK - i));
    expect(await exceptions(f)).toEqual([]);
    await applyChannelEvent(ts, cx, level(STOCK - 10));
    await applyChannelEvent(ts, cx, level(STOCK - 11));
    const raised = await exceptions(f);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ kind: 'channel_edit_recurring' });
    expect(raised[0]!.message).toContain(`${CHANNEL_EDIT_RECUR_COUNT + 1} hand edits of A`);
    expect(raised[0]!.message).toContain(`showed ${STOCK - 11}`);
  });

  it('a lowering that an order of the channel explains is no hand edit, however often it comes first', async () => {
    const made = await editable({}, STOCK);
    const { f, level, events } = made;
    const cx = { ...made.cx, editGraceMs: 2_000 };
    for (let i = 1; i <= CHANNEL_EDIT_RECUR_COUNT + 1; i++) {
      // The order's level webhook first, then the order itself, within the grace.
      await applyChannelEvent(ts, cx, level(STOCK - 10 * i));
      expect(await applyChannelEvent(ts, cx, created(orderOf(500 + i, [{ sku: 'A', quantity: 1 }])))).toBe('allocated');
    }
    // Once their grace has passed, the next change counts them: every one had its order.
    await new Promise((r) => setTimeout(r, cx.editGraceMs + 100));
    await applyChannelEvent(ts, cx, level(STOCK - 100));
    const seen = (await events()).data;
    expect(seen).toHaveLength(CHANNEL_EDIT_RECUR_COUNT + 2); // each seen, and shown on the listing…
    // …as what it was: the newest still within its grace, the others each with its order.
    expect(seen.map((e) => e.explained_by_order)).toEqual([null, ...Array(CHANNEL_EDIT_RECUR_COUNT + 1).fill(true)]);
    expect(await exceptions(f)).toEqual([]);
  });

  it('adopt: an adopted edit is an event and one exception per listing while unresolved', async () => {
    const { f, cx, level, events } = await editable({ edit_policy: 'adopt' }, STOCK);
    const adopting = { ...cx, editPolicy: 'adopt' as const };
    expect(await applyChannelEvent(ts, adopting, level(STOCK - 3))).toBe('adopted');
    expect(await totals(f, 'A')).toMatchObject({ available: STOCK - 3 });
    expect((await events()).data).toMatchObject([{ shown: STOCK - 3, pushed: STOCK, policy: 'adopt', outcome: 'adopted', due_at: null }]);
    let raised = await exceptions(f);
    expect(raised).toMatchObject([{ kind: 'channel_edit_adopted' }]);
    expect(raised[0]!.message).toContain('-3');
    expect(await applyChannelEvent(ts, adopting, level(STOCK - 5))).toBe('adopted');
    raised = await exceptions(f);
    expect(raised).toHaveLength(1);
    expect(raised[0]!.message).toContain('-5');
    // Resolved: the next adopted edit is a new exception.
    await ts.store.transaction((d) => d.run("UPDATE exceptions SET state = 'resolved' WHERE workspace_id = ?", [f.workspaceId]));
    await applyChannelEvent(ts, adopting, level(STOCK - 6));
    expect((await exceptions(f)).filter((e) => e.kind === 'channel_edit_adopted')).toHaveLength(2);
  });

  it('a line added to an order after its allocation is an exception, not an allocation', async () => {
    const { f, cx } = await world();
    const o = orderOf(13, [{ sku: 'A', quantity: 1 }]);
    await applyChannelEvent(ts, cx, created(o));
    const edited = orderOf(13, [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 2 }]);
    expect(await applyChannelEvent(ts, cx, { kind: 'order_updated', occurredAt: 5_000, order: edited })).toBe('lines_added');
    expect(await totals(f, 'B')).toMatchObject({ committed: 0 });
    expect(await exceptions(f)).toMatchObject([{ kind: 'channel_event_unapplied', reference: '#13' }]);
  });
});
