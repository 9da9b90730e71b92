// The ledger's two extensions for issue 3, on both stores: a warehouse document's step (its
// movements and its own state in one transaction, alone), and bundles that hold no stock but
// reserve their components.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newItem } from '../src/app/catalog.ts';
import { ManualClock } from '../src/app/clock.ts';
import type { DocumentStep } from '../src/app/ledger.ts';
import { movements, stockBySku } from '../src/app/queries.ts';
import { Truestock } from '../src/app/truestock.ts';
import { verify } from '../src/app/verify.ts';
import type { PostCommand } from '../src/domain/commands.ts';
import { ok, refused } from '../src/domain/context.ts';
import { refusal } from '../src/domain/errors.ts';
import type { Item } from '../src/domain/model.ts';
import { insertItems } from '../src/store/catalog-repo.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from './support/truestock.ts';

describe.each(STORE_KINDS)('document steps and bundles on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let f: Fixture;

  beforeEach(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open({ ...db.config, clock: new ManualClock(Date.UTC(2026, 10, 27, 9)) });
    f = await Fixture.create(ts, { skus: ['A', 'B'] });
  });
  afterEach(async () => {
    await ts.close();
    await db.drop();
  });

  const level = async (sku: string, location: string) =>
    (await ts.store.read((d) => stockBySku(d, f.workspaceId, sku)))?.locations.find((l) => l.location === location);
  const movementCount = async () => (await ts.store.read((d) => movements(d, f.workspaceId, { limit: 500 }))).data.length;

  /** A step whose document is a note in memory: enough to see what the ledger does around it. */
  function step(post: () => ReturnType<DocumentStep['prepare']>, onFinish: () => void = () => undefined): DocumentStep {
    return {
      name: 'test_step',
      payload: { any: 'thing' },
      prepare: async () => post(),
      finish: async (_db, posted) => {
        onFinish();
        return { status: 200, body: { moved: posted.movements.length } };
      },
    };
  }
  const run = (s: DocumentStep, key = `doc-${Math.random()}`) => ts.ledger.executeDocument({ workspaceId: f.workspaceId, idempotencyKey: key, actor: 'test' }, s);
  const postOf = (lines: PostCommand['lines'], extra: Partial<PostCommand> = {}): PostCommand => ({ type: 'post', flow: 'test_flow', lines, reference: 'DOC-1', ...extra });

  it('posts the movements a step decides, under its flow and reference, and replays the first answer', async () => {
    const s = step(async () => ok(postOf([
      { sku: 'A', location: 'W1', from: 'expected', to: 'incoming', quantity: 5 },
      { sku: 'A', location: 'W1', from: 'supplier', to: 'available', quantity: 3 },
      { sku: 'A', location: 'W1', from: 'incoming', to: 'expected', quantity: 3 },
      { sku: 'B', location: 'W2', from: 'in_transit', to: 'shrinkage', quantity: 1, reason: 'transfer_variance' },
    ])));
    const first = await run(s, 'same');
    expect(first).toMatchObject({ ok: true, status: 200, body: { moved: 4 } });
    expect(await level('A', 'W1')).toMatchObject({ available: 3, incoming: 2, on_hand: 3 });
    const rows = (await ts.store.read((d) => movements(d, f.workspaceId, { reference: 'DOC-1', limit: 10 }))).data;
    expect(rows.every((m) => m.command === 'test_flow' && m.actor === 'test')).toBe(true);
    expect(await run(s, 'same')).toMatchObject({ ok: true, replayed: true, body: { moved: 4 } });
    expect(await movementCount()).toBe(4);
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });

  it('writes nothing when the rules refuse a later line, and stores the refusal under the key', async () => {
    let finished = 0;
    const s = step(async () => ok(postOf([
      { sku: 'A', location: 'W1', from: 'supplier', to: 'available', quantity: 3 },
      { sku: 'A', location: 'W1', from: 'available', to: 'damaged', quantity: 4 },
    ])), () => finished++);
    expect(await run(s, 'k1')).toMatchObject({ ok: false, refusal: { code: 'insufficient_stock', field: 'lines[1].quantity' } });
    expect(await run(s, 'k1')).toMatchObject({ ok: false, replayed: true, refusal: { code: 'insufficient_stock' } });
    expect(finished).toBe(0);
    expect(await movementCount()).toBe(0);
    for (const [line, code] of [
      [{ sku: 'A', location: 'W1', from: 'available', to: 'reserved', quantity: 1 }, 'validation_failed'],
      [{ sku: 'A', location: 'W1', from: 'supplier', to: 'supplier', quantity: 1 }, 'validation_failed'],
      [{ sku: 'A', location: 'W1', from: 'supplier', to: 'available', quantity: 0 }, 'invalid_quantity'],
      [{ sku: 'Z', location: 'W1', from: 'supplier', to: 'available', quantity: 1 }, 'unknown_item'],
      [{ sku: 'A', location: 'ZZ', from: 'supplier', to: 'available', quantity: 1 }, 'unknown_location'],
    ] as const) {
      expect(await run(step(async () => ok(postOf([line as PostCommand['lines'][number]]))))).toMatchObject({ ok: false, refusal: { code } });
    }
    expect(await movementCount()).toBe(0);
  });

  it('stores a refusal from prepare and rolls everything back when finish fails', async () => {
    expect(await run(step(async () => refused(refusal('document_closed', 'closed')), undefined), 'p')).toMatchObject({ ok: false, refusal: { code: 'document_closed' } });
    const broken = step(async () => ok(postOf([{ sku: 'A', location: 'W1', from: 'supplier', to: 'available', quantity: 3 }])), () => {
      throw new Error('disk on fire');
    });
    await expect(run(broken)).rejects.toThrow('disk on fire');
    expect(await movementCount()).toBe(0);
    expect(await level('A', 'W1')).toBeUndefined(); // not even the empty level it created survives
  });

  it('leaves no empty stock level behind when the command that would have filled it is refused', async () => {
    expect(await f.exec({ type: 'adjust', sku: 'B', location: 'W1', delta: -1, reason: 'correction' })).toMatchObject({ ok: false, refusal: { code: 'insufficient_stock' } });
    expect(await run(step(async () => ok(postOf([{ sku: 'A', location: 'W2', from: 'available', to: 'damaged', quantity: 1 }]))))).toMatchObject({ ok: false });
    const rows = await ts.store.read((d) => d.all('SELECT id FROM stock_levels WHERE workspace_id = ?', [f.workspaceId]));
    expect(rows).toEqual([]);
  });

  it('books count variances on the current level, oversold debt included', async () => {
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 5 });
    await f.ok({ type: 'reserve', lines: [{ sku: 'A', location: 'W1', quantity: 4 }] });
    const r = await run(step(async () => ok(postOf([], { variances: [{ sku: 'A', location: 'W1', variance: -3 }, { sku: 'B', location: 'W2', variance: 2 }] }))));
    expect(r.ok).toBe(true);
    expect(await level('A', 'W1')).toMatchObject({ available: 0, reserved: 4, oversold: 2, on_hand: 2 });
    expect(await level('B', 'W2')).toMatchObject({ available: 2 });
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });

  it('runs a document step alone while stock commands around it still batch', async () => {
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 100 });
    const reserve = () => f.exec({ type: 'reserve', lines: [{ sku: 'A', location: 'W1', quantity: 1 }] });
    const out = await Promise.all([
      ...Array.from({ length: 15 }, reserve),
      run(step(async () => ok(postOf([{ sku: 'A', location: 'W1', from: 'available', to: 'damaged', quantity: 70 }])))),
      ...Array.from({ length: 15 }, reserve),
    ]);
    expect(out.every((r) => r.ok)).toBe(true);
    expect(await level('A', 'W1')).toMatchObject({ available: 0, reserved: 30, damaged: 70 });
    // The reservations before and after the step each shared a transaction; the step had its own.
    const batches = (await ts.metrics.batchSize.get()).values.find((v) => v.metricName?.endsWith('_count'))!.value;
    expect(batches).toBeLessThanOrEqual(4);
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });

  it('records the channel a cart or order came from, and refuses a channel the workspace does not have', async () => {
    await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 5 });
    const channelId = 'chan_test';
    await ts.store.transaction((d) => d.run(`INSERT INTO channels (id, workspace_id, kind, name, settings, created_at, updated_at) VALUES (?, ?, 'shopify', 'Shop', '{}', 0, 0)`, [channelId, f.workspaceId]));
    const { hold } = await f.ok({ type: 'reserve', lines: [{ sku: 'A', location: 'W1', quantity: 1 }], channel: channelId });
    expect(hold.channel_id).toBe(channelId);
    const order = await f.ok({ type: 'allocate_order', lines: [{ sku: 'A', location: 'W1', quantity: 1 }], order_reference: 'O-1', channel: channelId });
    expect(order.hold.channel_id).toBe(channelId);
    expect(await f.exec({ type: 'reserve', lines: [{ sku: 'A', location: 'W1', quantity: 1 }], channel: 'chan_nope' })).toMatchObject({ ok: false, refusal: { code: 'validation_failed', field: 'channel' } });
  });

  describe('bundles', () => {
    const bySku = (lines: { sku: string }[]) => [...lines].sort((x, y) => x.sku.localeCompare(y.sku));
    /** KIT = 2×A + 1×B, PACK6 = 6×A. Written straight to the tables: the catalog API is not under test here. */
    beforeEach(async () => {
      const now = ts.clock.now();
      const kit: Item = { ...newItem(f.workspaceId, { sku: 'KIT', name: 'Kit' }, now), kind: 'bundle' };
      const pack: Item = { ...newItem(f.workspaceId, { sku: 'PACK6', name: 'Six of A' }, now), kind: 'multipack' };
      await ts.store.transaction(async (d) => {
        await insertItems(d, [kit, pack]);
        const id = async (sku: string) => (await d.get<{ id: string }>('SELECT id FROM items WHERE workspace_id = ? AND sku = ?', [f.workspaceId, sku]))!.id;
        const [a, b] = [await id('A'), await id('B')];
        for (const [bundle, component, q] of [[kit.id, a, 2], [kit.id, b, 1], [pack.id, a, 6]] as const) {
          await d.run('INSERT INTO item_components (item_id, component_id, quantity) VALUES (?, ?, ?)', [bundle, component, q]);
        }
      });
    });

    it('refuses stock commands on a bundle: its stock is its components', async () => {
      expect(await f.exec({ type: 'receive', sku: 'KIT', location: 'W1', quantity: 1 })).toMatchObject({ ok: false, refusal: { code: 'item_has_no_stock', field: 'sku' } });
      expect(await f.exec({ type: 'count', sku: 'PACK6', location: 'W1', counted: 3 })).toMatchObject({ ok: false, refusal: { code: 'item_has_no_stock' } });
      expect(await movementCount()).toBe(0);
    });

    it('reserves the components of a bundle at the one location that covers all of them', async () => {
      await f.ok({ type: 'receive', sku: 'A', location: 'W1', quantity: 10 });
      await f.ok({ type: 'receive', sku: 'A', location: 'W2', quantity: 10 });
      await f.ok({ type: 'receive', sku: 'B', location: 'W2', quantity: 1 });
      // W1 has A but no B, so the kit goes to W2 even though W1 is listed first.
      const { hold } = await f.ok({ type: 'reserve', lines: [{ sku: 'KIT', quantity: 1 }], locations: ['W1', 'W2'] });
      expect(bySku(hold.lines)).toMatchObject([{ sku: 'A', location: 'W2', quantity: 2, bundle_sku: 'KIT' }, { sku: 'B', location: 'W2', quantity: 1, bundle_sku: 'KIT' }]);
      const allocated = await f.ok({ type: 'allocate', hold_id: hold.id, order_reference: 'ORDER-1' });
      expect(allocated.hold.lines.map((l: { bundle_sku: string }) => l.bundle_sku)).toEqual(['KIT', 'KIT']);
      expect(await f.exec({ type: 'reserve', lines: [{ sku: 'KIT', quantity: 1 }], locations: ['W1', 'W2'] })).toMatchObject({ ok: false, refusal: { code: 'insufficient_stock' } });
      const pack = await f.ok({ type: 'reserve', lines: [{ sku: 'PACK6', quantity: 1 }], locations: ['W1', 'W2'] });
      expect(pack.hold.lines).toMatchObject([{ sku: 'A', location: 'W1', quantity: 6 }]);
      expect(await level('A', 'W1')).toMatchObject({ available: 4, reserved: 6 });
      expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
    });

    it('allocates an accepted bundle order where a component has never been stocked, as oversold', async () => {
      const r = await f.ok({ type: 'allocate_order', lines: [{ sku: 'KIT', quantity: 2, location: 'W1' }], order_reference: 'ORDER-9' });
      expect(bySku(r.hold.lines)).toMatchObject([{ sku: 'A', quantity: 4, oversold: 4 }, { sku: 'B', quantity: 2, oversold: 2 }]);
      expect(await level('B', 'W1')).toMatchObject({ committed: 2, oversold: 2 });
      expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
    });
  });
});
