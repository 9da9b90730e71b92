// Returns and cycle counts against the real ledger, on SQLite and on PostgreSQL: random sales
// (reserve, allocate, ship) run between a count's snapshot, its entries and its posting, and
// random receive/inspect sequences run on returns; `verify` must hold throughout.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/app/clock.ts';
import { createItem } from '../src/app/catalog.ts';
import { createCount, enterCounts, postStep, type Viewer } from '../src/app/counts.ts';
import type { Written } from '../src/app/idempotent.ts';
import type { CommandResponse, DocumentStep } from '../src/app/ledger.ts';
import { stockBySku } from '../src/app/queries.ts';
import { closeStep, createReturn, inspectStep, receiveStep, returnById } from '../src/app/returns.ts';
import { Truestock } from '../src/app/truestock.ts';
import { verify } from '../src/app/verify.ts';
import type { Refusal } from '../src/domain/errors.ts';
import { createDatabase, Fixture, STORE_KINDS, type TestDatabase } from './support/truestock.ts';

const RUNS = 15;

describe.each(STORE_KINDS)('returns and counts on %s', (kind) => {
  let db: TestDatabase;
  let ts: Truestock;
  let f: Fixture;
  let n = 0;
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 9));
  const operator: Viewer = { actor: 'test-operator', admin: false };

  beforeAll(async () => {
    db = await createDatabase(kind);
    ts = await Truestock.open({ ...db.config, clock });
    f = await Fixture.create(ts);
  });
  afterAll(async () => {
    await ts.close();
    await db.drop();
  });

  const write = async (fn: (d: Parameters<Parameters<Truestock['store']['transaction']>[0]>[0], now: number) => Promise<Written | Refusal>) => {
    const out = await ts.store.transaction((d) => fn(d, clock.now()));
    if ('code' in out) throw new Error(`${out.code}: ${out.detail}`);
    return out.body as Record<string, any>;
  };
  const step = (s: DocumentStep, key = `doc-${++n}`): Promise<CommandResponse> =>
    ts.ledger.executeDocument({ workspaceId: f.workspaceId, idempotencyKey: key, actor: 'test' }, s);
  const newItems = async (count: number, opts: { skip?: boolean[] } = {}) => {
    const skus = Array.from({ length: count }, () => `I${++n}`);
    await ts.store.transaction(async (d) => {
      for (const [i, sku] of skus.entries()) {
        await createItem(d, f.workspaceId, { sku, name: sku }, clock.now());
        if (opts.skip?.[i]) await d.run('UPDATE items SET skip_return_inspection = ? WHERE workspace_id = ? AND sku = ?', [true, f.workspaceId, sku]);
      }
    });
    return skus;
  };
  const level = async (sku: string) => (await ts.store.read((d) => stockBySku(d, f.workspaceId, sku)))!.locations.find((l) => l.location === 'W1') ?? { available: 0, quality_control: 0, on_hand: 0, damaged: 0 };
  const verified = async () => expect((await verify(ts.store, f.workspaceId)).mismatches).toEqual([]);

  /**
   * Reserve, allocate and ship `quantity` of `sku` at W1: one sale. False when the reservation
   * is refused for want of available units (a count that just booked a loss may cause that).
   */
  const sell = async (sku: string, quantity: number, ship = true) => {
    const reserved = await f.exec({ type: 'reserve', lines: [{ sku, quantity, location: 'W1' }] });
    if (!reserved.ok && reserved.refusal.code === 'insufficient_stock') return false;
    if (!reserved.ok) throw new Error(reserved.refusal.detail);
    const hold = reserved.body.hold as { id: string };
    await f.ok({ type: 'allocate', hold_id: hold.id, order_reference: `O-${++n}` });
    if (ship) await f.ok({ type: 'ship', hold_id: hold.id });
    return true;
  };

  it('a count posted while sales continue gives the right final on_hand (property)', async () => {
    const event = fc.oneof(
      fc.record({ kind: fc.constant('sale' as const), item: fc.nat(2), quantity: fc.integer({ min: 1, max: 4 }), ship: fc.boolean() }),
      fc.record({ kind: fc.constant('receipt' as const), item: fc.nat(2), quantity: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('enter' as const), item: fc.nat(2), share: fc.integer({ min: 0, max: 100 }) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ stock: fc.integer({ min: 0, max: 20 }), hidden: fc.integer({ min: -8, max: 8 }) }), { minLength: 3, maxLength: 3 }),
        fc.array(event, { maxLength: 14 }),
        fc.integer({ min: 1, max: 4 }),
        async (levels, events, lastSale) => {
          const skus = await newItems(3);
          // The shelf truth: what a person counting would find. A hidden loss or find makes the
          // books wrong before the count starts.
          const physical = levels.map((l) => Math.max(0, l.stock + l.hidden));
          const free = levels.map((l) => l.stock); // units the books have available to sell
          for (const [i, l] of levels.entries()) if (l.stock > 0) await f.ok({ type: 'receive', sku: skus[i]!, location: 'W1', quantity: l.stock });
          const { count } = await write((d, now) => createCount(d, f.workspaceId, { location: 'W1', scope: 'skus', skus }, operator, now));
          expect(Object.fromEntries(count.lines.map((l: any) => [l.sku, l.snapshot]))).toEqual(Object.fromEntries(skus.map((sku, i) => [sku, levels[i]!.stock])));
          const entered = new Set<number>();
          const enter = async (i: number, share: number) => {
            const x = Math.floor((physical[i]! * share) / 100);
            // Two counters count two shelves of the same SKU; each later entry corrects their own.
            await write((d, now) => enterCounts(d, f.workspaceId, count.id, [{ sku: skus[i]!, counted: x, counter: 'x' }, { sku: skus[i]!, counted: physical[i]! - x, counter: 'y' }], operator, now));
            entered.add(i);
          };
          const sale = async (i: number, quantity: number, ship: boolean) => {
            const q = Math.min(quantity, physical[i]!, free[i]!);
            if (q === 0) return;
            if (!(await sell(skus[i]!, q, ship))) return;
            free[i]! -= q;
            // A reserved or allocated unit is still on the shelf; only a shipped one has left.
            if (ship) physical[i]! -= q;
          };
          for (const e of events) {
            if (e.kind === 'sale') await sale(e.item, e.quantity, e.ship);
            else if (e.kind === 'receipt') {
              await f.ok({ type: 'receive', sku: skus[e.item]!, location: 'W1', quantity: e.quantity });
              physical[e.item]! += e.quantity;
              free[e.item]! += e.quantity;
            } else await enter(e.item, e.share);
            clock.advance(1_000);
          }
          for (let i = 0; i < 3; i++) if (!entered.has(i)) await enter(i, 50);
          // One more sale races the posting itself: whichever goes first, nothing is erased.
          const [posted] = await Promise.all([step(postStep(f.workspaceId, count.id, operator)), sale(0, lastSale, true)]);
          expect(posted).toMatchObject({ ok: true, status: 200 });
          for (const [i, sku] of skus.entries()) expect((await level(sku)).on_hand, sku).toBe(physical[i]);
          await verified();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('returns conserve units and reach available only through inspection, unless skipped (property)', async () => {
    const action = fc.oneof(
      fc.record({ kind: fc.constant('receive' as const), line: fc.integer({ min: 1, max: 2 }), quantity: fc.integer({ min: 1, max: 3 }), over: fc.boolean() }),
      fc.record({ kind: fc.constant('inspect' as const), line: fc.integer({ min: 1, max: 2 }), split: fc.array(fc.nat(2), { minLength: 4, maxLength: 4 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }), fc.array(action, { maxLength: 10 }), async (skip, actions) => {
        const skus = await newItems(2, { skip });
        const { return: r } = await write((d, now) => createReturn(d, f.workspaceId, { location: 'W1', lines: skus.map((sku) => ({ sku, quantity: 3 })) }, now));
        const tally = skus.map(() => ({ received: 0, restocked: 0, damaged: 0, gone: 0 }));
        for (const a of actions) {
          const i = a.line - 1;
          const before = await level(skus[i]!);
          const res = a.kind === 'receive'
            ? await step(receiveStep(f.workspaceId, r.id, { lines: [{ line: a.line, quantity: a.quantity }], allow_over_receipt: a.over }))
            : await step(inspectStep(f.workspaceId, r.id, { lines: [{ line: a.line, restock: a.split[0]!, damaged: a.split[1]!, write_off: a.split[2]!, return_to_vendor: a.split[3]! }] }));
          const after = await level(skus[i]!);
          if (!res.ok) {
            expect(['over_receipt', 'nothing_to_inspect', 'invalid_quantity']).toContain(res.refusal.code);
            expect(after).toEqual(before);
            continue;
          }
          const t = tally[i]!;
          if (a.kind === 'receive') {
            t.received += a.quantity;
            if (skip[i]) t.restocked += a.quantity;
            // A receipt reaches available only for an item that skips inspection.
            expect(after.available - before.available).toBe(skip[i] ? a.quantity : 0);
          } else {
            t.restocked += a.split[0]!;
            t.damaged += a.split[1]!;
            t.gone += a.split[2]! + a.split[3]!;
            expect(after.available - before.available).toBe(a.split[0]);
          }
        }
        const view = (await ts.store.read((d) => returnById(d, f.workspaceId, r.id)))!;
        for (const [i, sku] of skus.entries()) {
          const l = await level(sku);
          const t = tally[i]!;
          const line = view.lines[i]!;
          expect(line).toMatchObject({ received: t.received, restocked: t.restocked, damaged: t.damaged });
          expect(line.written_off + line.returned_to_vendor).toBe(t.gone);
          // Units are conserved: every received unit is in exactly one place.
          expect(l.available + l.damaged + l.quality_control + t.gone).toBe(t.received);
          expect(l.quality_control).toBe(line.awaiting_inspection);
        }
        const closing = await step(closeStep(f.workspaceId, r.id));
        expect(closing.ok).toBe(view.lines.every((l) => l.awaiting_inspection === 0));
        await verified();
      }),
      { numRuns: RUNS },
    );
  });

  it('replays a document step under the same key without moving units twice', async () => {
    const [sku] = await newItems(1);
    const { return: r } = await write((d, now) => createReturn(d, f.workspaceId, { location: 'W1', lines: [{ sku: sku!, quantity: 2 }] }, now));
    const first = await step(receiveStep(f.workspaceId, r.id, { lines: [{ sku: sku!, quantity: 2 }] }), 'same-key');
    const again = await step(receiveStep(f.workspaceId, r.id, { lines: [{ sku: sku!, quantity: 2 }] }), 'same-key');
    expect(again).toMatchObject({ ok: true, replayed: true });
    expect(first.ok && again.ok && again.body).toEqual(first.ok && first.body);
    expect(await level(sku!)).toMatchObject({ quality_control: 2 });
    await verified();
  });
});
