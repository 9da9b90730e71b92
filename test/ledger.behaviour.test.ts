// The ledger's behaviour, the same suite on SQLite and on a real PostgreSQL server.

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/app/clock.ts';
import { exceptions } from '../src/app/exceptions.ts';
import { holds, movements, stockBySku } from '../src/app/queries.ts';
import { Truestock } from '../src/app/truestock.ts';
import { verify } from '../src/app/verify.ts';
import type { StockCommand } from '../src/domain/commands.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from './support/truestock.ts';

describe.each(STORE_KINDS)('ledger on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let clock: ManualClock;
  let f: Fixture;

  beforeEach(async () => {
    db = await createDatabase(kind);
    clock = new ManualClock(Date.UTC(2026, 10, 27, 9));
    ts = await Truestock.open({ ...db.config, clock });
    f = await Fixture.create(ts);
  });
  afterEach(async () => {
    await ts.close();
    await db.drop();
  });

  const level = async (sku: string, location: string) => {
    const stock = await ts.store.read((d) => stockBySku(d, f.workspaceId, sku));
    return stock!.locations.find((l) => l.location === location)!;
  };
  const batchCount = async () => (await ts.metrics.batchSize.get()).values.find((v) => v.metricName?.endsWith('_count'))!.value;
  const movementCount = async () => (await ts.store.read((d) => movements(d, f.workspaceId, { limit: 500 }))).data.length;

  it('receives, adjusts, moves, sets safety stock and counts, each as movements that replay to the balances', async () => {
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 20 });
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 4, into: 'quality_control', reference: 'PO-1' });
    await f.ok({ type: 'adjust', sku: 'A', location: 'W1', delta: -2, reason: 'shrinkage', note: 'broken seal' });
    await f.ok({ type: 'move', sku: 'A', location: 'W1', quantity: 3, from: 'available', to: 'damaged' });
    await f.ok({ type: 'set_safety_stock', sku: 'A', location: 'W1', quantity: 5 });
    expect(await level('A', 'W1')).toMatchObject({ available: 10, damaged: 3, quality_control: 4, safety_stock: 5, on_hand: 22 });
    const counted = await f.ok({ type: 'count', sku: 'A', location: 'W1', counted: 25, reference: 'COUNT-7' });
    expect(counted.stock_level).toMatchObject({ available: 13, on_hand: 25 });
    expect(counted.movements).toMatchObject([{ from: 'count_variance', to: 'available', quantity: 3, reason: 'cycle_count', reference: 'COUNT-7' }]);
    const shrink = (await ts.store.read((d) => movements(d, f.workspaceId, { reason: 'shrinkage', limit: 10 }))).data;
    expect(shrink).toMatchObject([{ from: 'available', to: 'shrinkage', quantity: 2, note: 'broken seal', actor: 'test' }]);
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });

  it('refuses what would drive a bucket negative, and writes nothing', async () => {
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 3 });
    const before = await movementCount();
    const r = await f.exec({ type: 'adjust', sku: 'A', location: 'W1', delta: -5, reason: 'correction' });
    expect(r).toMatchObject({ ok: false, refusal: { code: 'insufficient_stock', field: 'delta' } });
    expect(await f.exec({ type: 'move', sku: 'A', location: 'W1', quantity: 1, from: 'damaged', to: 'available' })).toMatchObject({ ok: false, refusal: { code: 'insufficient_stock' } });
    expect(await f.exec({ type: 'receive', sku: 'NOPE', location: 'W1', quantity: 1 })).toMatchObject({ ok: false, refusal: { code: 'unknown_item', field: 'sku' } });
    expect(await f.exec({ type: 'receive', sku: 'A', location: 'NOPE', quantity: 1 })).toMatchObject({ ok: false, refusal: { code: 'unknown_location' } });
    expect(await f.exec({ type: 'receive', sku: 'A', location: 'W1', quantity: 2.5 })).toMatchObject({ ok: false, refusal: { code: 'invalid_quantity' } });
    expect(await f.exec({ type: 'receive', sku: 'A', location: 'W1', quantity: -1 })).toMatchObject({ ok: false, refusal: { code: 'invalid_quantity' } });
    expect(await movementCount()).toBe(before);
    expect(await level('A', 'W1')).toMatchObject({ available: 3, on_hand: 3 });
  });

  it('runs a hold from reserve through allocate and partial shipments, and refuses shipping twice', async () => {
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 10 });
    await f.ok({ type: 'receive', sku: 'B', location: 'W2', quantity: 10 });
    const { hold } = await f.ok({ type: 'reserve', lines: [{ sku: 'A', quantity: 4 }, { sku: 'B', quantity: 2 }], locations: ['W1', 'W2'], reference: 'cart-1' });
    expect(hold).toMatchObject({ state: 'active', lines: [{ sku: 'A', location: 'W1', quantity: 4 }, { sku: 'B', location: 'W2', quantity: 2 }] });
    expect(await level('A', 'W1')).toMatchObject({ available: 6, reserved: 4 });
    await f.ok({ type: 'allocate', hold_id: hold.id, order_reference: 'ORDER-1' });
    expect(await level('A', 'W1')).toMatchObject({ available: 6, reserved: 0, committed: 4 });
    await f.ok({ type: 'ship', hold_id: hold.id, lines: [{ line: 1, quantity: 3 }] });
    const done = await f.ok({ type: 'ship', hold_id: hold.id });
    expect(done.hold.state).toBe('shipped');
    expect(await level('A', 'W1')).toMatchObject({ available: 6, committed: 0, on_hand: 6 });
    expect(await f.exec({ type: 'ship', hold_id: hold.id })).toMatchObject({ ok: false, refusal: { code: 'allocation_not_open' } });
    expect((await ts.store.read((d) => movements(d, f.workspaceId, { reference: "ORDER-1", limit: 50 }))).data.length).toBe(5);
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });

  it('reserves all lines or none, from the first location that covers each line', async () => {
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 2 });
    await f.ok({ type: 'receive', sku: 'A', location: 'W2', quantity: 5 });
    const r = await f.exec({ type: 'reserve', lines: [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }], locations: ['W1', 'W2'] });
    expect(r).toMatchObject({ ok: false, refusal: { code: 'insufficient_stock', field: 'lines[1].quantity' } });
    expect(await level('A', 'W1')).toMatchObject({ available: 2, reserved: 0 });
    const { hold } = await f.ok({ type: 'reserve', lines: [{ sku: 'A', quantity: 2 }, { sku: 'A', quantity: 1 }], locations: ['W1', 'W2'] });
    // The second line no longer fits at W1 once the first has taken its two units.
    expect(hold.lines.map((l: { location: string }) => l.location)).toEqual(['W1', 'W2']);
  });

  it('allocates an order the channel already took even when short: oversold, an exception, and the debt settled by the next receipt', async () => {
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 2 });
    const { hold } = await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 5 }], locations: ['W1'], order_reference: 'AMZ-1' });
    expect(hold.lines[0]).toMatchObject({ quantity: 5, oversold: 3 });
    expect(await level('A', 'W1')).toMatchObject({ available: 0, committed: 5, oversold: 3, on_hand: 2 });
    const ex = await ts.store.read((d) => exceptions(d, f.workspaceId, { state: 'open' }, ts.clock.now()));
    expect(ex.data).toMatchObject([{ kind: 'oversold', sku: 'A', location: 'W1', quantity: 3, reference: 'AMZ-1' }]);
    expect(await f.exec({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 1 }], locations: ['W1'], order_reference: 'WEB-1', channel_accepted: false })).toMatchObject({
      ok: false,
      refusal: { code: 'insufficient_stock' },
    });
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 10 });
    expect(await level('A', 'W1')).toMatchObject({ available: 7, committed: 5, oversold: 0, on_hand: 12 });
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });

  it('expires holds on the clock through the sweeper, as movements', async () => {
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 5 });
    const { hold } = await f.ok({ type: 'reserve', lines: [{ sku: 'A', location: 'W1', quantity: 3 }] });
    const short = await f.ok({ type: 'reserve', lines: [{ sku: 'A', location: 'W1', quantity: 1 }], expires_in_ms: 60_000 });
    clock.advance(59_000);
    expect(await ts.sweeper.sweep()).toBe(0);
    await f.ok({ type: 'extend', hold_id: short.hold.id, expires_in_ms: 30 * 60_000 });
    clock.advance(15 * 60_000);
    expect(await ts.sweeper.sweep()).toBe(1);
    expect(await level('A', 'W1')).toMatchObject({ available: 4, reserved: 1 });
    expect(await f.exec({ type: 'allocate', hold_id: hold.id, order_reference: 'late' })).toMatchObject({ ok: false, refusal: { code: 'hold_expired' } });
    const expired = await ts.store.read((d) => holds(d, f.workspaceId, { state: 'expired' }));
    expect(expired.data.map((h) => h.id)).toEqual([hold.id]);
    expect((await ts.store.read((d) => movements(d, f.workspaceId, { command: 'expire', limit: 5 }))).data).toMatchObject([{ from: 'reserved', to: 'available', quantity: 3, actor: 'system:sweeper' }]);
  });

  it('replays a command with its idempotency key, also after a restart, and refuses the key for another payload', async () => {
    const receive: StockCommand = { type: 'receive', sku: 'A', location: 'W1', quantity: 5 };
    const first = await f.exec(receive, 'key-1');
    const again = await f.exec({ quantity: 5, location: 'W1', sku: 'A', type: 'receive' }, 'key-1');
    expect(again).toEqual({ ...first, replayed: true });
    expect(await f.exec({ ...receive, quantity: 6 }, 'key-1')).toMatchObject({ ok: false, refusal: { code: 'idempotency_key_reused' } });
    await ts.close();
    ts = await Truestock.open({ ...db.config, clock });
    f = new Fixture(ts, f.workspaceId);
    expect(await f.exec(receive, 'key-1')).toEqual({ ...first, replayed: true });
    expect(await level('A', 'W1')).toMatchObject({ available: 5 });
  });

  it('forgets idempotency keys after the retention window, oldest first', async () => {
    await f.exec({ type: 'receive', sku: 'A', location: 'W1', quantity: 1 }, 'old-key');
    clock.advance(ts.pruner.retention.idempotency_ms - 1_000);
    await f.exec({ type: 'receive', sku: 'A', location: 'W1', quantity: 1 }, 'new-key');
    clock.advance(2_000);
    expect(await ts.pruner.prune()).toMatchObject({ idempotency_ms: 1 });
    // The old key is now a new request; the recent one still replays.
    expect(await f.exec({ type: 'receive', sku: 'A', location: 'W1', quantity: 5 }, 'old-key')).toMatchObject({ ok: true, replayed: false });
    expect(await f.exec({ type: 'receive', sku: 'A', location: 'W1', quantity: 1 }, 'new-key')).toMatchObject({ ok: true, replayed: true });
    expect(await level('A', 'W1')).toMatchObject({ available: 7 });
  });

  it('never oversells under many concurrent reservations, and batches them', async () => {
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 100 });
    const batchesBefore = await batchCount();
    const results = await Promise.all(Array.from({ length: 600 }, (_, i) => f.exec({ type: 'reserve', lines: [{ sku: 'A', location: 'W1', quantity: 1 }] }, `r${i}`)));
    // Group commit: far fewer transactions than commands.
    expect((await batchCount()) - batchesBefore).toBeLessThan(60);
    expect(results.filter((r) => r.ok).length).toBe(100);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.refusal.code === 'insufficient_stock')).toBe(true);
    expect(await level('A', 'W1')).toMatchObject({ available: 0, reserved: 100 });
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });

  it('keeps ledger replay equal to balances, and idempotent replays change nothing, over random command sequences', async () => {
    const sku = fc.constantFrom('A', 'B');
    const loc = fc.constantFrom('W1', 'W2');
    const q = fc.integer({ min: 1, max: 6 });
    const cmd = fc.oneof(
      fc.record({ type: fc.constant('receive' as const), sku, location: loc, quantity: q }),
      fc.record({ type: fc.constant('adjust' as const), sku, location: loc, delta: fc.integer({ min: -4, max: 4 }).filter((d) => d !== 0), reason: fc.constant('correction' as const) }),
      fc.record({ type: fc.constant('count' as const), sku, location: loc, counted: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ type: fc.constant('reserve' as const), lines: fc.array(fc.record({ sku, quantity: q }), { minLength: 1, maxLength: 2 }), locations: fc.constant<string[]>(['W1', 'W2']) }),
      fc.record({ type: fc.constant('allocate_order' as const), lines: fc.array(fc.record({ sku, quantity: q }), { minLength: 1, maxLength: 2 }), locations: fc.constant<string[]>(['W2', 'W1']), order_reference: fc.constant('O') }),
      fc.record({ type: fc.constant('hold' as const), op: fc.constantFrom('release', 'allocate', 'ship', 'cancel_allocation'), index: fc.nat(10) }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 25 }), async (gens) => {
        const fx = await Fixture.create(ts);
        const holdIds: string[] = [];
        const sent: [StockCommand, string][] = [];
        for (const [i, g] of gens.entries()) {
          const c: StockCommand = g.type === 'hold'
            ? g.op === 'allocate' ? { type: 'allocate', hold_id: holdIds[g.index % Math.max(1, holdIds.length)] ?? 'hold_x', order_reference: 'O' }
              : { type: g.op, hold_id: holdIds[g.index % Math.max(1, holdIds.length)] ?? 'hold_x' } as StockCommand
            : g;
          const key = `p${run}-${i}`;
          const r = await fx.exec(c, key);
          sent.push([c, key]);
          if (r.ok && 'hold' in r.body) holdIds.push((r.body.hold as { id: string }).id);
        }
        run++;
        const report = await verify(ts.store, fx.workspaceId);
        expect(report.mismatches).toEqual([]);
        const before = await ts.store.read((d) => movements(d, fx.workspaceId, { limit: 500 }));
        // Concurrently, so replays also meet each other inside one batch.
        await Promise.all(sent.map(([c, key]) => fx.exec(c, key)));
        expect(await ts.store.read((d) => movements(d, fx.workspaceId, { limit: 500 }))).toEqual(before);
      }),
      { numRuns: kind === 'sqlite' ? 40 : 15 },
    );
  });
});

