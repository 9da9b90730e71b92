// Channel availability against the ledger, on SQLite and PostgreSQL: a stock change recomputes
// the listings it affects (bundles included) in the same transaction and coalesces into one
// outbox row per listing; rules start and end on time; ring-fences hide units from other
// channels; what-if saves nothing; a full recompute agrees with the incremental path.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeAll } from '../src/app/availability.ts';
import { replaceComponents } from '../src/app/bundles.ts';
import { createItem, updateItem } from '../src/app/catalog.ts';
import { createRule, deactivateRule, explainListing, replaceRule, type RuleInput, whatIf } from '../src/app/channel-rule-admin.ts';
import { createChannel } from '../src/app/channels.ts';
import { ManualClock } from '../src/app/clock.ts';
import { importListings } from '../src/app/listing-import.ts';
import { createListing } from '../src/app/listings.ts';
import { reconcileRingFence } from '../src/app/ring-fence.ts';
import { Truestock } from '../src/app/truestock.ts';
import { verify } from '../src/app/verify.ts';
import type { StockCommand } from '../src/domain/commands.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from './support/truestock.ts';

const HOUR = 3_600_000;

describe.each(STORE_KINDS)('channel availability on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 9));

  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open({ ...db.config, clock });
  });
  afterAll(async () => {
    await ts?.close();
    await db?.drop();
  });

  const tx = <T>(fn: (d: Parameters<Parameters<Truestock['store']['transaction']>[0]>[0], now: number) => Promise<T>) => ts.store.transaction((d) => fn(d, clock.now()));
  const must = <T extends object>(r: T): Exclude<T, { code: string }> => {
    if ('code' in r) throw new Error(`${String(r.code)}: ${String((r as { detail?: string }).detail)}`);
    return r as Exclude<T, { code: string }>;
  };

  /** A workspace with parts A, B, C at W1, kits and channels, every listing computed once. */
  async function world() {
    const f = await Fixture.create(ts, { skus: ['A', 'B', 'C'], locations: [['W1', 'warehouse'], ['S1', 'store']] });
    const ws = f.workspaceId;
    const ids: Record<string, string> = {};
    await tx(async (d, now) => {
      must(await createItem(d, ws, { sku: 'KIT', name: 'Kit', kind: 'bundle', components: [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }] }, now));
      must(await createItem(d, ws, { sku: 'BIGKIT', name: 'A and C', kind: 'bundle', components: [{ sku: 'A', quantity: 1 }, { sku: 'C', quantity: 1 }] }, now));
      must(await createItem(d, ws, { sku: 'SIX', name: 'Six of A', kind: 'multipack', components: [{ sku: 'A', quantity: 6 }] }, now));
      for (const name of ['shop', 'amazon']) ids[name] = (must(await createChannel(d, ws, { kind: 'custom', name }, now)).body.channel as { id: string }).id;
      for (const [channel, sku] of [['shop', 'A'], ['shop', 'KIT'], ['shop', 'BIGKIT'], ['shop', 'SIX'], ['amazon', 'A'], ['amazon', 'KIT'], ['shop', 'C']]) {
        const made = must(await createListing(d, ws, { channel: channel!, sku: sku!, external: { external_id: `${channel}-${sku}` } }, now));
        ids[`${channel}:${sku}`] = (made.body.listing as { id: string }).id;
      }
    });
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 20 });
    await f.ok({ type: 'receive', sku: 'B', location: 'W1', quantity: 5 });
    await f.ok({ type: 'receive', sku: 'C', location: 'W1', quantity: 3 });
    await recomputeAll(ts.store, () => clock.now(), ws);
    return { f, ws, ids };
  }

  const outbox = (ws: string) =>
    ts.store.read((d) => d.all<{ listing_id: string; quantity: number; version: number }>('SELECT listing_id, quantity, version FROM channel_outbox WHERE workspace_id = ? ORDER BY listing_id', [ws]))
      .then((rows) => new Map(rows.map((r) => [r.listing_id, { quantity: Number(r.quantity), version: Number(r.version) }])));
  const table = (ws: string) =>
    ts.store.read((d) => d.all<{ listing_id: string; quantity: number; backorder_units: number }>('SELECT listing_id, quantity, backorder_units FROM availability WHERE workspace_id = ? ORDER BY listing_id', [ws]))
      .then((rows) => rows.map((r) => ({ listing_id: r.listing_id, quantity: Number(r.quantity), backorder_units: Number(r.backorder_units) })));
  const quantity = async (ws: string, listingId: string) => (await table(ws)).find((r) => r.listing_id === listingId)?.quantity;

  it('an archived item, and every kit that contains it, is promised nowhere; a new kit recipe is published at once', async () => {
    const { ws, ids } = await world();
    const itemId = async (sku: string) => (await ts.store.read((d) => d.get<{ id: string }>('SELECT id FROM items WHERE workspace_id = ? AND sku = ?', [ws, sku])))!.id;
    const [c, kit] = [await itemId('C'), await itemId('KIT')];
    await tx(async (d, now) => must(await updateItem(d, ws, c, { archived: true }, now)));
    expect(await quantity(ws, ids['shop:C']!)).toBe(0);
    expect(await quantity(ws, ids['shop:BIGKIT']!)).toBe(0); // BIGKIT = A + C
    expect(await quantity(ws, ids['shop:A']!)).toBe(20);
    await tx(async (d, now) => must(await updateItem(d, ws, c, { archived: false }, now)));
    expect(await quantity(ws, ids['shop:BIGKIT']!)).toBe(3);
    // KIT was 2×A + B: 5 kits (B's 5 units). With 5×A per kit, A's 20 units allow only 4.
    await tx(async (d, now) => must(await replaceComponents(d, ws, kit, [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 1 }], now)));
    expect(await quantity(ws, ids['shop:KIT']!)).toBe(4);
    expect((await outbox(ws)).get(ids['shop:KIT']!)!.quantity).toBe(4);
  });

  it('a listing imported from CSV is published at once, like one made through the API', async () => {
    const { ws } = await world();
    const r = await importListings(ts, ws, 'channel,sku,external.external_id\namazon,B,amazon-B\n');
    expect(r.ok).toBe(true);
    const listing = (await ts.store.read((d) => d.get<{ id: string }>("SELECT id FROM listings WHERE workspace_id = ? AND external_key LIKE '%amazon-B%'", [ws])))!;
    expect((await outbox(ws)).get(listing.id)).toMatchObject({ quantity: 5 });
  });

  it('a sale lowers the listing and every bundle listing containing the item, in the same transaction', async () => {
    const { f, ws, ids } = await world();
    const before = await outbox(ws);
    const v = (name: string) => before.get(ids[name]!)!.version;
    expect(before.get(ids['shop:A']!)!.quantity).toBe(20);
    expect(before.get(ids['shop:KIT']!)!.quantity).toBe(5);
    expect(before.get(ids['shop:BIGKIT']!)!.quantity).toBe(3);
    expect(before.get(ids['shop:SIX']!)!.quantity).toBe(3);

    await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 12, location: 'W1' }], order_reference: 'O-1' });
    // Resolved means committed: the outbox was written by the batch's own transaction.
    const after = await outbox(ws);
    expect(after.get(ids['shop:A']!)).toEqual({ quantity: 8, version: v('shop:A') + 1 });
    expect(after.get(ids['amazon:A']!)).toEqual({ quantity: 8, version: v('amazon:A') + 1 });
    expect(after.get(ids['shop:KIT']!)).toEqual({ quantity: 4, version: v('shop:KIT') + 1 });
    expect(after.get(ids['amazon:KIT']!)).toEqual({ quantity: 4, version: v('amazon:KIT') + 1 });
    expect(after.get(ids['shop:BIGKIT']!)).toEqual({ quantity: 3, version: v('shop:BIGKIT') }); // still limited by C: unchanged, not re-sent
    expect(after.get(ids['shop:SIX']!)).toEqual({ quantity: 1, version: v('shop:SIX') + 1 });
    expect(after.get(ids['shop:C']!)).toEqual({ quantity: 3, version: v('shop:C') });

    // Selling a kit lowers its components' listings too.
    await f.ok({ type: 'allocate_order', lines: [{ sku: 'KIT', quantity: 1, location: 'W1' }], order_reference: 'O-2' });
    expect((await outbox(ws)).get(ids['shop:A']!)).toEqual({ quantity: 6, version: v('shop:A') + 2 });
    expect(await verify(ts.store, ws)).toMatchObject({ ok: true });
  });

  it('ten sales coalesce into one pending row per listing holding the latest value', async () => {
    const { f, ws, ids } = await world();
    for (let i = 0; i < 10; i++) await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 1, location: 'W1' }], order_reference: `O-${i}` });
    await Promise.all(Array.from({ length: 5 }, (_, i) => f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 1, location: 'W1' }], order_reference: `P-${i}` })));
    const rows = await ts.store.read((d) => d.all<{ n: number }>('SELECT COUNT(*) AS n FROM channel_outbox WHERE listing_id = ?', [ids['shop:A']!]));
    expect(Number(rows[0]!.n)).toBe(1);
    const row = (await outbox(ws)).get(ids['shop:A']!)!;
    expect(row.quantity).toBe(5);
    expect(row.version).toBeGreaterThanOrEqual(3);
    expect(row.version).toBeLessThanOrEqual(16);
  });

  it('a refused command changes nothing in the outbox', async () => {
    const { f, ws } = await world();
    const before = { outbox: await outbox(ws), table: await table(ws) };
    const r = await f.exec({ type: 'reserve', lines: [{ sku: 'A', quantity: 999, location: 'W1' }] });
    expect(r.ok).toBe(false);
    const bad = await f.exec({ type: 'receive', sku: 'KIT', location: 'W1', quantity: 1 });
    expect(bad.ok).toBe(false);
    expect({ outbox: await outbox(ws), table: await table(ws) }).toEqual(before);
  });

  it('a promotion window switches on and off at the right times with the scheduler', async () => {
    const { ws, ids } = await world();
    const start = clock.now() + 2 * HOUR;
    const end = start + 3 * HOUR;
    await tx(async (d, now) => {
      must(await createRule(d, ws, 'shop', { settings: { buffer: { mode: 'fixed', units: 2 } } }, now));
      must(await createRule(d, ws, 'shop', { skus: ['A'], starts_at: new Date(start).toISOString(), ends_at: new Date(end).toISOString(), settings: { buffer: { mode: 'none' }, cap_units: 15 } }, now));
    });
    await ts.rules.tick();
    expect(await quantity(ws, ids['shop:A']!)).toBe(18); // saving the rule recomputed: 20 − 2
    clock.advance(2 * HOUR - 1);
    await ts.rules.tick();
    expect(await quantity(ws, ids['shop:A']!)).toBe(18);
    clock.advance(1);
    await ts.rules.tick();
    expect(await quantity(ws, ids['shop:A']!)).toBe(15); // promotion: no buffer, capped at 15
    expect(await quantity(ws, ids['shop:KIT']!)).toBe(3); // not in the promotion: 5 − 2
    clock.advance(3 * HOUR);
    await ts.rules.tick();
    expect(await quantity(ws, ids['shop:A']!)).toBe(18);
    const outboxRow = (await outbox(ws)).get(ids['shop:A']!)!;
    expect(outboxRow.quantity).toBe(18);
  });

  it('a ring-fence hides its units from other channels, and fences what there is when short', async () => {
    const { f, ws, ids } = await world();
    const made = await tx(async (d, now) => must(await createRule(d, ws, 'amazon', { skus: ['A'], settings: { allocation: { mode: 'ring_fenced', quantity: 8 } } }, now)));
    const ruleId = (made.body.rule as { id: string }).id;
    const report = await reconcileRingFence(ts.ledger, ws, ids.amazon!);
    expect(report).toEqual([{ sku: 'A', wanted: 8, fenced: 8, short: 0 }]);
    expect(await quantity(ws, ids['amazon:A']!)).toBe(8);
    expect(await quantity(ws, ids['shop:A']!)).toBe(12);
    expect(await quantity(ws, ids['shop:KIT']!)).toBe(5); // 12 A make 6 kits, B allows 5

    // Reconciling again changes nothing.
    expect(await reconcileRingFence(ts.ledger, ws, ids.amazon!)).toEqual([{ sku: 'A', wanted: 8, fenced: 8, short: 0 }]);
    const holds = await ts.store.read((d) => d.all<{ n: number }>("SELECT COUNT(*) AS n FROM holds WHERE workspace_id = ? AND state = 'active'", [ws]));
    expect(Number(holds[0]!.n)).toBe(1);

    // Short: fence what there is and say so.
    await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 10, location: 'W1' }], order_reference: 'O-9' });
    await tx(async (d, now) => must(await replaceRule(d, ws, ruleId, { skus: ['A'], settings: { allocation: { mode: 'ring_fenced', quantity: 30 } } }, now)));
    expect(await reconcileRingFence(ts.ledger, ws, ids.amazon!)).toEqual([{ sku: 'A', wanted: 30, fenced: 10, short: 20 }]);
    expect(await quantity(ws, ids['shop:A']!)).toBe(0);
    expect(await quantity(ws, ids['amazon:A']!)).toBe(10);
    // Shrinking releases the fence and reserves the smaller quantity; deactivating releases it all.
    await tx(async (d, now) => must(await replaceRule(d, ws, ruleId, { skus: ['A'], settings: { allocation: { mode: 'ring_fenced', quantity: 4 } } }, now)));
    expect(await reconcileRingFence(ts.ledger, ws, ids.amazon!)).toEqual([{ sku: 'A', wanted: 4, fenced: 4, short: 0 }]);
    expect(await quantity(ws, ids['shop:A']!)).toBe(6);
    await tx(async (d, now) => must(await deactivateRule(d, ws, ruleId, now)));
    expect(await reconcileRingFence(ts.ledger, ws, ids.amazon!)).toEqual([{ sku: 'A', wanted: 0, fenced: 0, short: 0 }]);
    expect(await quantity(ws, ids['shop:A']!)).toBe(10);
    expect(await quantity(ws, ids['amazon:A']!)).toBe(10);
    expect(await verify(ts.store, ws)).toMatchObject({ ok: true });
  });

  it('orders from the fenced channel draw on its fence: the other channels do not move, and drawn units are not fenced again', async () => {
    const { f, ws, ids } = await world();
    await tx(async (d, now) => must(await createRule(d, ws, 'amazon', { skus: ['A'], settings: { allocation: { mode: 'ring_fenced', quantity: 8 } } }, now)));
    await reconcileRingFence(ts.ledger, ws, ids.amazon!);
    expect([await quantity(ws, ids['amazon:A']!), await quantity(ws, ids['shop:A']!)]).toEqual([8, 12]);

    // Amazon sells 3: its fence shrinks to 5, the shop still shows 12.
    await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 3, location: 'W1' }], order_reference: 'AMZ-1', channel: ids.amazon });
    expect([await quantity(ws, ids['amazon:A']!), await quantity(ws, ids['shop:A']!)]).toEqual([5, 12]);
    const draws = await ts.store.read((d) => d.all<{ from_account: string; to_account: string; quantity: number }>(
      "SELECT from_account, to_account, quantity FROM movements WHERE workspace_id = ? AND reason = 'ring_fence_draw'", [ws]));
    expect(draws.map((m) => ({ ...m, quantity: Number(m.quantity) }))).toEqual([{ from_account: 'reserved', to_account: 'committed', quantity: 3 }]);
    // The reconciler does not top the fence up again: the rule gave Amazon 8 units, 3 are sold.
    expect(await reconcileRingFence(ts.ledger, ws, ids.amazon!)).toEqual([{ sku: 'A', wanted: 5, fenced: 5, short: 0 }]);
    expect(await quantity(ws, ids['shop:A']!)).toBe(12);

    // A shop order comes from available, never from Amazon's fence.
    await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 2, location: 'W1' }], order_reference: 'SHOP-1', channel: ids.shop });
    expect([await quantity(ws, ids['amazon:A']!), await quantity(ws, ids['shop:A']!)]).toEqual([5, 10]);

    // Amazon orders more than the fence holds: 5 from the fence, 2 from available; the fence is spent.
    await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 7, location: 'W1' }], order_reference: 'AMZ-2', channel: ids.amazon });
    expect([await quantity(ws, ids['amazon:A']!), await quantity(ws, ids['shop:A']!)]).toEqual([0, 8]);
    const fence = await ts.store.read((d) => d.all<{ state: string; n: number }>(
      "SELECT h.state, (SELECT COUNT(*) FROM hold_lines hl WHERE hl.hold_id = h.id) AS n FROM holds h WHERE h.workspace_id = ? AND h.reference LIKE 'ringfence:%'", [ws]));
    expect(fence.map((h) => ({ state: h.state, n: Number(h.n) }))).toEqual([{ state: 'released', n: 0 }]);
    expect(await reconcileRingFence(ts.ledger, ws, ids.amazon!)).toEqual([{ sku: 'A', wanted: 0, fenced: 0, short: 0 }]);
    const a = (await ts.store.read((d) => d.get<{ available: number; reserved: number; committed: number }>(
      "SELECT available, reserved, committed FROM stock_levels sl JOIN items i ON i.id = sl.item_id WHERE i.workspace_id = ? AND i.sku = 'A'", [ws])))!;
    expect([Number(a.available), Number(a.reserved), Number(a.committed)]).toEqual([8, 0, 12]);
    expect(await verify(ts.store, ws)).toMatchObject({ ok: true });
  });

  it('property: whatever the fenced and the other channel order, the fence never sells more than its rule, and no unit counts twice', async () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('order' as const), channel: fc.constantFrom('amazon', 'shop'), quantity: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ op: fc.constant('reconcile' as const) }),
      fc.record({ op: fc.constant('receive' as const), quantity: fc.integer({ min: 1, max: 5 }) }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 15 }), fc.array(op, { maxLength: 10 }), async (fenceQty, ops) => {
        const { f, ws, ids } = await world();
        await tx(async (d, now) => must(await createRule(d, ws, 'amazon', { skus: ['A'], settings: { allocation: { mode: 'ring_fenced', quantity: fenceQty } } }, now)));
        await reconcileRingFence(ts.ledger, ws, ids.amazon!);
        for (const o of ops) {
          if (o.op === 'order') await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: o.quantity, location: 'W1' }], order_reference: `O-${++n}`, channel: ids[o.channel] });
          else if (o.op === 'receive') await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: o.quantity });
          else await reconcileRingFence(ts.ledger, ws, ids.amazon!);
          const level = (await ts.store.read((d) => d.get<{ available: number; reserved: number }>(
            "SELECT available, reserved FROM stock_levels sl JOIN items i ON i.id = sl.item_id WHERE i.workspace_id = ? AND i.sku = 'A'", [ws])))!;
          const drawn = await ts.store.read((d) => d.get<{ n: number | null }>("SELECT SUM(quantity) AS n FROM movements WHERE workspace_id = ? AND reason = 'ring_fence_draw'", [ws]));
          // Fenced and shared never count a unit twice; the fence never gives more than the rule.
          expect(Number(drawn?.n ?? 0) + Number(level.reserved)).toBeLessThanOrEqual(fenceQty);
          expect(await quantity(ws, ids['amazon:A']!)).toBe(Number(level.reserved));
          expect(await quantity(ws, ids['shop:A']!)).toBe(Number(level.available));
        }
        expect((await verify(ts.store, ws)).ok).toBe(true);
      }),
      { numRuns: kind === 'sqlite' ? 12 : 6 },
    );
  });

  it('a kit kept pre-built counts its built units beside what its components make, and sells the built ones first', async () => {
    const { f, ws, ids } = await world();
    const kitId = await tx(async (d, now) => {
      const made = must(await createItem(d, ws, { sku: 'PRE', name: 'Pre-built kit', kind: 'bundle', stocks_prebuilt: true, components: [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }] }, now));
      ids['shop:PRE'] = (must(await createListing(d, ws, { channel: 'shop', sku: 'PRE', external: { external_id: 'shop-PRE' } }, now)).body.listing as { id: string }).id;
      return (made.body.item as { id: string }).id;
    });
    await recomputeAll(ts.store, () => clock.now(), ws);
    expect(await quantity(ws, ids['shop:PRE']!)).toBe(5); // nothing built yet: B allows 5
    await f.ok({ type: 'receive', sku: 'PRE', location: 'W1', quantity: 3 });
    expect(await quantity(ws, ids['shop:PRE']!)).toBe(8); // 3 on the shelf + 5 to build
    expect(await quantity(ws, ids['shop:KIT']!)).toBe(5); // the plain kit does not see PRE's built units

    // Four sold: the 3 built ones, then one built from 2 A and 1 B.
    const sold = await f.ok({ type: 'allocate_order', lines: [{ sku: 'PRE', quantity: 4, location: 'W1' }], order_reference: 'PRE-1' });
    const lines = (sold.hold as { lines: { sku: string; quantity: number; bundle_sku: string | null }[] }).lines;
    expect(lines.map((l) => [l.sku, l.quantity, l.bundle_sku ?? null]).sort()).toEqual([['A', 2, 'PRE'], ['B', 1, 'PRE'], ['PRE', 3, null]]);
    expect(await quantity(ws, ids['shop:PRE']!)).toBe(4);
    expect(await quantity(ws, ids['shop:A']!)).toBe(18);
    // Selling a component lowers the kit; a plain bundle still holds no stock of its own.
    await f.ok({ type: 'allocate_order', lines: [{ sku: 'B', quantity: 2, location: 'W1' }], order_reference: 'B-1' });
    expect(await quantity(ws, ids['shop:PRE']!)).toBe(2);
    expect(await f.exec({ type: 'receive', sku: 'KIT', location: 'W1', quantity: 1 })).toMatchObject({ ok: false, refusal: { code: 'item_has_no_stock' } });
    // Pre-built stock can't be orphaned by switching the flag off.
    await f.ok({ type: 'receive', sku: 'PRE', location: 'W1', quantity: 1 });
    const off = await tx(async (d, now) => updateItem(d, ws, kitId, { stocks_prebuilt: false }, now));
    expect(off).toMatchObject({ code: 'validation_failed', field: 'stocks_prebuilt' });
    expect(await tx(async (d, now) => createItem(d, ws, { sku: 'STD', name: 'x', stocks_prebuilt: true }, now))).toMatchObject({ code: 'validation_failed', field: 'stocks_prebuilt' });
    expect(await verify(ts.store, ws)).toMatchObject({ ok: true });
  });

  it('an adaptive buffer holds back what other channels are likely to sell meanwhile', async () => {
    const { f, ws, ids } = await world();
    const slow = await tx(async (d, now) => {
      const ch = must(await createChannel(d, ws, { kind: 'custom', name: 'slow', settings: { outbound_lag_seconds: 3_600 } }, now)).body.channel as { id: string };
      const l = must(await createListing(d, ws, { channel: 'slow', sku: 'A', external: { external_id: 'slow-A' } }, now)).body.listing as { id: string };
      must(await createRule(d, ws, 'slow', { settings: { buffer: { mode: 'adaptive', confidence: 0.95, min_units: 0, max_units: 50 } } }, now));
      return { channel: ch.id, listing: l.id };
    });
    expect(await quantity(ws, slow.listing)).toBe(20); // nobody has sold anything yet
    // Sales on the shop (another channel) make the slow channel hold some units back; its own sales don't.
    for (let i = 0; i < 10; i++) await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 1, location: 'W1' }], order_reference: `S-${i}`, channel: ids.shop! });
    const shown = (await quantity(ws, slow.listing))!;
    expect(shown).toBeLessThan(10);
    expect(shown).toBeGreaterThanOrEqual(5);
    const explained = await ts.store.read((d) => explainListing(d, ws, slow.listing, clock.now()));
    expect((explained!.steps as { step: string; value: number }[]).find((s) => s.step === 'buffer')).toBeDefined();
  });

  it('what-if lists the listings a proposal would change and saves nothing', async () => {
    const { ws, ids } = await world();
    const snapshot = () => ts.store.read(async (d) => ({
      rules: await d.all('SELECT * FROM channel_rules WHERE workspace_id = ? ORDER BY id', [ws]),
      outbox: await d.all('SELECT * FROM channel_outbox WHERE workspace_id = ? ORDER BY listing_id', [ws]),
      table: await d.all('SELECT * FROM availability WHERE workspace_id = ? ORDER BY listing_id', [ws]),
      holds: await d.all('SELECT * FROM holds WHERE workspace_id = ? ORDER BY id', [ws]),
    }));
    const before = await snapshot();
    const proposal: RuleInput = { settings: { allocation: { mode: 'share', percent: 40 } } };
    const out = must(await ts.store.read((d) => whatIf(d, ws, 'amazon', proposal, clock.now())));
    expect(out.body).toMatchObject({ listings: 2, changed: 2, saved: false });
    expect(out.body.changes).toEqual(expect.arrayContaining([
      expect.objectContaining({ listing_id: ids['amazon:A'], before: 20, after: 8, delta: -12 }),
      expect.objectContaining({ listing_id: ids['amazon:KIT'], before: 5, after: 2 }),
    ]));
    const fence = must(await ts.store.read((d) => whatIf(d, ws, 'amazon', { skus: ['A'], settings: { allocation: { mode: 'ring_fenced', quantity: 7 } } }, clock.now())));
    expect(fence.body.changes).toEqual([expect.objectContaining({ listing_id: ids['amazon:A'], before: 20, after: 7 })]);
    expect(await snapshot()).toEqual(before);

    const explained = await ts.store.read((d) => explainListing(d, ws, ids['shop:KIT']!, clock.now()));
    expect(explained).toMatchObject({ quantity: 5, published: { quantity: 5 } });
    expect((explained!.steps as { step: string }[]).map((s) => s.step)).toContain('result');
  });

  it('a full recompute gives the same table as the incremental path after any movements', async () => {
    const { f, ws } = await world();
    await tx(async (d, now) => {
      must(await createRule(d, ws, 'shop', { settings: { buffer: { mode: 'percent', percent: 10 }, zero_below_units: 2 } }, now));
      must(await createRule(d, ws, 'amazon', { below_units: 6, settings: { allocation: { mode: 'share', percent: 50 } } }, now));
    });
    const command = fc.oneof(
      fc.record({ sku: fc.constantFrom('A', 'B', 'C'), location: fc.constantFrom('W1', 'S1'), quantity: fc.integer({ min: 1, max: 6 }) }).map(({ sku, location, quantity }): StockCommand => ({ type: 'receive', sku, location, quantity })),
      fc.record({ sku: fc.constantFrom('A', 'B', 'C', 'KIT', 'SIX'), quantity: fc.integer({ min: 1, max: 4 }) }).map(({ sku, quantity }): StockCommand => ({ type: 'allocate_order', lines: [{ sku, quantity, location: 'W1' }], order_reference: 'O' })),
      fc.record({ sku: fc.constantFrom('A', 'B'), quantity: fc.integer({ min: 1, max: 3 }) }).map(({ sku, quantity }): StockCommand => ({ type: 'adjust', sku, location: 'W1', delta: -quantity, reason: 'damage' })),
      fc.record({ sku: fc.constantFrom('A', 'C'), quantity: fc.integer({ min: 0, max: 3 }) }).map(({ sku, quantity }): StockCommand => ({ type: 'set_safety_stock', sku, location: 'W1', quantity })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 8 }), fc.boolean(), async (commands, together) => {
        if (together) await Promise.all(commands.map((c) => f.exec(c)));
        else for (const c of commands) await f.exec(c);
        const incremental = await table(ws);
        const counts = await recomputeAll(ts.store, () => clock.now(), ws, { chunk: 3 });
        expect(counts.changed).toBe(0);
        expect(await table(ws)).toEqual(incremental);
      }),
      { numRuns: kind === 'sqlite' ? 30 : 12 },
    );
  });
});
