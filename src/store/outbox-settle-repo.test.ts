// Settling many claimed outbox rows at once ends exactly where settling them one at a time does,
// on SQLite and PostgreSQL: for any mix of rows still at the claimed version or replaced by a
// newer one, claimed by this worker or another, with or without what the channel was told before,
// `ackPushedMany`, `releaseMany` and `postponeMany` leave channel_outbox and listing_sync as the
// per-row `ackPushed`, `release` and `postpone` do.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, STORE_KINDS, type TestDatabase } from '../../test/support/truestock.ts';
import { Truestock } from '../app/truestock.ts';
import { ackPushedMany, postponeMany, releaseMany } from './outbox-settle-repo.ts';
import type { Db } from './store.ts';
import { ackPushed, type Claimed, postpone, release } from './sync-repo.ts';

const ME = 'worker-me';

interface RowCase {
  /** The outbox row's version now; the claim saw `version - newer`. */
  version: number;
  newer: number;
  mine: boolean;
  /** What listing_sync said before (null: no row). */
  pushedVersion: number | null;
  quantity: number;
  action: 'ack' | 'release' | 'postpone';
  notBefore: number;
}

const rowCase = fc.record({
  version: fc.integer({ min: 1, max: 6 }),
  newer: fc.integer({ min: 0, max: 2 }),
  mine: fc.boolean(),
  pushedVersion: fc.option(fc.integer({ min: 0, max: 8 })),
  quantity: fc.integer({ min: 0, max: 50 }),
  action: fc.constantFrom('ack' as const, 'release' as const, 'postpone' as const),
  notBefore: fc.integer({ min: 0, max: 10_000 }),
});

async function seed(db: Db, prefix: string, cases: RowCase[]): Promise<Claimed[]> {
  const claimed: Claimed[] = [];
  for (const [i, c] of cases.entries()) {
    const id = `${prefix}-${String(i).padStart(3, '0')}`;
    await db.run(
      'INSERT INTO channel_outbox (listing_id, workspace_id, channel_id, quantity, backorder_units, version, enqueued_at, claimed_by, claimed_until, not_before) VALUES (?, ?, ?, ?, 0, ?, 5, ?, ?, 0)',
      [id, 'ws', 'ch', c.quantity, c.version, c.mine ? ME : 'worker-other', 99_999],
    );
    if (c.pushedVersion !== null) {
      await db.run('INSERT INTO listing_sync (listing_id, workspace_id, channel_id, pushed_version, pushed_quantity, pushed_at, shown_quantity, shown_at) VALUES (?, ?, ?, ?, 7, 1, 7, 1)',
        [id, 'ws', 'ch', c.pushedVersion]);
    }
    const version = Math.max(0, c.version - c.newer);
    claimed.push({ listing_id: id, workspace_id: 'ws', channel_id: 'ch', quantity: c.quantity, backorder_units: 0, version, enqueued_at: 5, attempts: 0, external: {}, pushed_quantity: null, shown_quantity: null, shown_at: null });
  }
  return claimed;
}

async function snapshot(db: Db, prefix: string): Promise<unknown[]> {
  const outbox = await db.all<Record<string, unknown>>(
    'SELECT listing_id, version, claimed_by, claimed_until, not_before, attempts FROM channel_outbox WHERE listing_id LIKE ? ORDER BY listing_id', [`${prefix}-%`]);
  const sync = await db.all<Record<string, unknown>>(
    'SELECT listing_id, pushed_version, pushed_quantity, pushed_at, shown_quantity, shown_at FROM listing_sync WHERE listing_id LIKE ? ORDER BY listing_id', [`${prefix}-%`]);
  // Same rows under the other prefix; BIGINTs as numbers whichever driver read them.
  const strip = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) =>
    [k, k === 'listing_id' ? String(v).slice(prefix.length) : v === null || k === 'claimed_by' ? v : Number(v)]));
  return [outbox.map(strip), sync.map(strip)];
}

describe.each(STORE_KINDS)('settling claimed outbox rows in bulk on %s', (kind) => {
  let database: TestDatabase;
  let ts: Truestock;
  beforeAll(async () => {
    database = await createDatabase(kind);
    ts = await Truestock.open(database.config);
  });
  afterAll(async () => {
    await ts.close();
    await database.drop();
  });

  it('ends where settling each row alone ends', async () => {
    let run = 0;
    await fc.assert(fc.asyncProperty(fc.array(rowCase, { minLength: 0, maxLength: 12 }), async (cases) => {
      run++;
      const one = `one${run}`;
      const many = `many${run}`;
      const now = 1_000 + run;
      await ts.store.transaction(async (db) => {
        const a = await seed(db, one, cases);
        const b = await seed(db, many, cases);
        for (const [i, c] of cases.entries()) {
          if (c.action === 'ack') await ackPushed(db, a[i]!, ME, c.quantity, now);
          else if (c.action === 'release') await release(db, a[i]!.listing_id, ME);
          else await postpone(db, a[i]!.listing_id, ME, c.notBefore);
        }
        await ackPushedMany(db, cases.flatMap((c, i) => (c.action === 'ack' ? [{ row: b[i]!, quantity: c.quantity }] : [])), ME, now);
        await releaseMany(db, cases.flatMap((c, i) => (c.action === 'release' ? [b[i]!.listing_id] : [])), ME);
        await postponeMany(db, cases.flatMap((c, i) => (c.action === 'postpone' ? [{ listing_id: b[i]!.listing_id, notBefore: c.notBefore }] : [])), ME);
      });
      const [x, y] = await ts.store.read(async (db) => [await snapshot(db, one), await snapshot(db, many)]);
      expect(y).toEqual(x);
    }), { numRuns: kind === 'sqlite' ? 60 : 30 });
  });

  it('dates a newer version left after an acknowledgement from the claim, never earlier and never later than it was', async () => {
    const cases: RowCase[] = [
      { version: 2, newer: 1, mine: true, pushedVersion: null, quantity: 1, action: 'ack', notBefore: 0 },
      { version: 2, newer: 0, mine: true, pushedVersion: null, quantity: 1, action: 'ack', notBefore: 0 },
    ];
    await ts.store.transaction(async (db) => {
      const rows = await seed(db, 'dated', cases);
      await db.run("UPDATE channel_outbox SET enqueued_at = 50 WHERE listing_id = 'dated-000'");
      await ackPushedMany(db, rows.map((row) => ({ row, quantity: 1 })), ME, 900, 600);
      // A row enqueued after the claim keeps its own time.
      const later = await seed(db, 'later', [cases[0]!]);
      await db.run("UPDATE channel_outbox SET enqueued_at = 700 WHERE listing_id = 'later-000'");
      await ackPushedMany(db, later.map((row) => ({ row, quantity: 1 })), ME, 900, 600);
    });
    const left = await ts.store.read((db) => db.all<{ listing_id: string; enqueued_at: number; claimed_by: string | null }>(
      "SELECT listing_id, enqueued_at, claimed_by FROM channel_outbox WHERE listing_id LIKE 'dated-%' OR listing_id LIKE 'later-%' ORDER BY listing_id"));
    expect(left.map((r) => [r.listing_id, Number(r.enqueued_at), r.claimed_by])).toEqual([['dated-000', 600, null], ['later-000', 700, null]]);
  });

  it('settles more rows than one statement takes', async () => {
    const cases: RowCase[] = Array.from({ length: 1_203 }, (_, i) => ({ version: 3, newer: i % 3 === 0 ? 1 : 0, mine: true, pushedVersion: i % 2 ? 1 : null, quantity: i, action: 'ack', notBefore: 0 }));
    await ts.store.transaction(async (db) => ackPushedMany(db, (await seed(db, 'big', cases)).map((row, i) => ({ row, quantity: i })), ME, 42));
    const left = await ts.store.read((db) => db.all<{ listing_id: string; claimed_by: string | null }>("SELECT listing_id, claimed_by FROM channel_outbox WHERE listing_id LIKE 'big-%'"));
    // Rows replaced by a newer version stay, released; the rest are gone.
    expect(left.length).toBe(401);
    expect(left.every((r) => r.claimed_by === null)).toBe(true);
    const told = await ts.store.read((db) => db.get<{ n: number }>("SELECT COUNT(*) AS n FROM listing_sync WHERE listing_id LIKE 'big-%' AND pushed_at = 42"));
    expect(Number(told!.n)).toBe(1_203);
  });
});
