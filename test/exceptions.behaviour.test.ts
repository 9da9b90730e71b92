// Exceptions that follow the facts, the same suite on SQLite and on a real PostgreSQL server: an
// oversold exception carries its live debt and is settled by the movement that repays it (a
// receipt, a cancellation), a drift closes when the channel converges, a stale channel opens and
// closes its exception, and the same condition is one row that counts its occurrences.

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/app/clock.ts';
import { exceptions } from '../src/app/exceptions.ts';
import { newId } from '../src/app/ids.ts';
import { stockBySku } from '../src/app/queries.ts';
import { Truestock } from '../src/app/truestock.ts';
import { verify } from '../src/app/verify.ts';
import { POLL_FAILURES_FAILING } from '../src/domain/channel-health.ts';
import { insertChannelExceptions } from '../src/store/channel-event-repo.ts';
import { recordPoll } from '../src/store/poll-health-repo.ts';
import { resolveOpenException, updateOpenException } from '../src/store/reconcile-repo.ts';
import { raiseExceptions } from '../src/store/exception-repo.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from './support/truestock.ts';

describe.each(STORE_KINDS)('exceptions on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let clock: ManualClock;
  let f: Fixture;

  beforeEach(async () => {
    db = await createDatabase(kind);
    clock = new ManualClock(Date.UTC(2026, 11, 5, 9));
    ts = await Truestock.open({ ...db.config, clock });
    f = await Fixture.create(ts);
  });
  afterEach(async () => {
    await ts.close();
    await db.drop();
  });

  const list = async (query: Parameters<typeof exceptions>[2] = {}, fx = f) => (await ts.store.read((d) => exceptions(d, fx.workspaceId, { limit: 500, ...query }, clock.now()))).data;
  const oversoldOf = async (sku: string, location: string, fx = f) =>
    (await ts.store.read((d) => stockBySku(d, fx.workspaceId, sku)))!.locations.find((l) => l.location === location)?.oversold ?? 0;
  const settling = (body: Record<string, any>) => (body.movements as { id: string; from: string; to: string; reason: string }[]).filter((m) => m.to === 'oversold');

  it('an oversold exception shows its live debt; a partial receipt lowers it, the next one settles it with its movement', async () => {
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 2 });
    await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 5 }], locations: ['W1'], order_reference: 'AMZ-1' });
    const [open] = await list({ state: 'open' });
    expect(open).toMatchObject({ kind: 'oversold', sku: 'A', location: 'W1', quantity: 3, debt: 3, occurrences: 1, reference: 'AMZ-1', resolution_kind: null });
    expect(open!.links).toEqual(expect.arrayContaining([{ rel: 'order', label: 'AMZ-1', path: null }, { rel: 'item', label: 'A', path: '/items/A' }, { rel: 'location', label: 'W1', path: null }]));

    clock.advance(1_000);
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 1 });
    expect(await list({ state: 'open' })).toMatchObject([{ id: open!.id, debt: 2, quantity: 3 }]);
    expect(await oversoldOf('A', 'W1')).toBe(2);

    clock.advance(1_000);
    const receipt = await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 10, reference: 'PO-9' });
    const [repay] = settling(receipt);
    expect(repay).toMatchObject({ reason: 'oversold_settled' });
    expect(await list({ state: 'open' })).toEqual([]);
    const [settled] = await list({ state: 'resolved' });
    expect(settled).toMatchObject({ id: open!.id, debt: 0, resolution_kind: 'settled', settled_by_movement_id: repay!.id, resolved_by: null });
    expect(settled!.resolution).toContain(repay!.id);
    expect(await oversoldOf('A', 'W1')).toBe(0);
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });

  it('a cancellation settles its own order’s debt first, not an older order’s', async () => {
    await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 2 }], locations: ['W1'], order_reference: 'OLD-1' });
    clock.advance(1_000);
    const { hold } = await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', quantity: 3 }], locations: ['W1'], order_reference: 'NEW-1' });
    expect((await list({ state: 'open' })).map((e) => [e.reference, e.debt])).toEqual([['OLD-1', 2], ['NEW-1', 3]]);
    clock.advance(1_000);
    const cancelled = await f.ok({ type: 'cancel_allocation', hold_id: hold.id });
    const [repay] = settling(cancelled);
    expect(await list({ state: 'open' })).toMatchObject([{ reference: 'OLD-1', debt: 2 }]);
    expect(await list({ state: 'resolved' })).toMatchObject([{ reference: 'NEW-1', debt: 0, resolution_kind: 'settled', settled_by_movement_id: repay!.id }]);
    expect(await oversoldOf('A', 'W1')).toBe(2);
  });

  it('a drift exception counts its read-backs and closes as converged', async () => {
    const at = clock.now();
    const [id] = await ts.store.transaction((d) => raiseExceptions(d, [{ id: newId('exc', at), workspaceId: f.workspaceId, kind: 'channel_drift', itemId: null, locationId: null, quantity: -3, reference: 'lst_x', holdId: null, message: 'shows 7, pushed 10', createdAt: at }]));
    clock.advance(60_000);
    expect(await ts.store.transaction((d) => updateOpenException(d, id!, -4, 'shows 6, pushed 10', clock.now()))).toBe(true);
    expect(await list({ kind: 'channel_drift' })).toMatchObject([{ id, state: 'open', occurrences: 2, quantity: -4, last_seen_at: new Date(clock.now()).toISOString() }]);
    await ts.store.transaction((d) => resolveOpenException(d, id!, 'the channel converged', clock.now()));
    expect(await list({ kind: 'channel_drift' })).toMatchObject([{ id, state: 'resolved', resolution_kind: 'converged' }]);
    // Seen again after it closed: that is a new exception, not the closed one reopened.
    expect(await ts.store.transaction((d) => updateOpenException(d, id!, -1, 'again', clock.now()))).toBe(false);
  });

  it('a stale channel opens one exception, and it closes as recovered when a poll works again', async () => {
    const channel = 'ch_outlet';
    await ts.store.transaction((d) => d.run('INSERT INTO channels (id, workspace_id, kind, name, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [channel, f.workspaceId, 'shopify', 'outlet', '{}', clock.now(), clock.now()]));
    const poll = (ok: boolean) => ts.store.transaction((d) => recordPoll(d, f.workspaceId, channel, ok ? { ok: true } : { ok: false, message: 'connect ECONNREFUSED' }, clock.now()));
    for (let i = 0; i < POLL_FAILURES_FAILING - 1; i++) await poll(false);
    expect(await list({ kind: 'channel_stale' })).toEqual([]);
    for (let i = 0; i < 5; i++) await poll(false);
    const [stale] = await list({ kind: 'channel_stale' });
    expect(await list({ kind: 'channel_stale' })).toHaveLength(1);
    expect(stale).toMatchObject({ state: 'open', severity: 'high', channel_id: channel, channel_name: 'outlet' });
    expect(stale!.links).toEqual([{ rel: 'channel', label: 'outlet', path: `/channels/${channel}` }]);
    expect(stale!.message).toContain('outlet is stale');
    await poll(true);
    expect(await list({ kind: 'channel_stale' })).toMatchObject([{ id: stale!.id, state: 'resolved', resolution_kind: 'recovered' }]);
    // A second outage is a second exception.
    clock.advance(60_000);
    for (let i = 0; i < POLL_FAILURES_FAILING; i++) await poll(false);
    expect((await list({ kind: 'channel_stale' })).map((e) => e.state)).toEqual(['resolved', 'open']);
  });

  it('50 occurrences of one condition are one exception with occurrences 50, raised concurrently', async () => {
    const raise = (n: number) => ts.store.transaction((d) => insertChannelExceptions(d, [{
      id: newId('exc', clock.now() + n), workspaceId: f.workspaceId, kind: 'channel_event_unapplied', itemId: null, locationId: null, quantity: null, reference: 'SHOP-1001', holdId: null,
      message: `order SHOP-1001 could not be cancelled (${n})`, createdAt: clock.now(),
    }]));
    await Promise.all(Array.from({ length: 50 }, (_, n) => raise(n)));
    const rows = await list({ kind: 'channel_event_unapplied' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ occurrences: 50, state: 'open', links: [{ rel: 'order', label: 'SHOP-1001', path: null }] });
    // One exception.opened alert, not fifty.
    const alerts = await ts.store.read((d) => d.get<{ n: number }>("SELECT COUNT(*) AS n FROM alert_events WHERE workspace_id = ? AND type = 'exception.opened'", [f.workspaceId]));
    expect(Number(alerts!.n)).toBe(1);
  });

  it('property: after any orders, receipts and cancellations, open oversold debts sum to the levels’ oversold', async () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant('order' as const), sku: fc.constantFrom('A', 'B'), loc: fc.constantFrom('W1', 'W2'), q: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ t: fc.constant('receive' as const), sku: fc.constantFrom('A', 'B'), loc: fc.constantFrom('W1', 'W2'), q: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ t: fc.constant('cancel' as const), pick: fc.nat() }),
    );
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
      const fx = await Fixture.create(ts);
      const open: string[] = [];
      for (const o of ops) {
        clock.advance(10);
        if (o.t === 'order') open.push((await fx.ok({ type: 'allocate_order', lines: [{ sku: o.sku, quantity: o.q }], locations: [o.loc], order_reference: `O-${open.length}` })).hold.id);
        else if (o.t === 'receive') await fx.ok({ type: 'receive', sku: o.sku, location: o.loc, quantity: o.q });
        else if (open.length > 0) await fx.ok({ type: 'cancel_allocation', hold_id: open.splice(o.pick % open.length, 1)[0]! });
      }
      const debts = await list({}, fx);
      for (const sku of ['A', 'B']) {
        for (const loc of ['W1', 'W2']) {
          const owed = debts.filter((e) => e.kind === 'oversold' && e.state !== 'resolved' && e.sku === sku && e.location === loc).reduce((s, e) => s + (e.debt ?? 0), 0);
          expect(owed).toBe(await oversoldOf(sku, loc, fx));
        }
      }
      // A settled exception owes nothing and names its movement.
      for (const e of debts.filter((x) => x.state === 'resolved')) expect(e).toMatchObject({ debt: 0, resolution_kind: 'settled', settled_by_movement_id: expect.stringMatching(/^mov_/) });
    }), { numRuns: 15 });
  });
});
