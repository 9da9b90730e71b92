// No oversell when many connections and many processes reserve the same hot SKU on PostgreSQL.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/app/clock.ts';
import { type CommandResponse, Ledger } from '../src/app/ledger.ts';
import { Truestock } from '../src/app/truestock.ts';
import { verify } from '../src/app/verify.ts';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { adminUrl } from './support/postgres.ts';
import { createDatabase, Fixture, type TestDatabase } from './support/truestock.ts';

const CONNECTIONS = 64;
const ATTEMPTS = 2_000;
const STOCK = 100;

describe('hot SKU on PostgreSQL', () => {
  let db: TestDatabase;
  let ts: Truestock;
  let f: Fixture;
  beforeAll(async () => {
    db = await createDatabase('postgres');
    ts = await Truestock.open(db.config);
    f = await Fixture.create(ts, { skus: ['HOT', 'HOT2', 'HOT3'], locations: [['W1', 'warehouse']] });
  });
  afterAll(async () => {
    await ts.close();
    await db.drop();
  });

  async function hammer(sku: string, groupCommit: boolean): Promise<CommandResponse[]> {
    await f.ok({ type: 'receive', sku, location: 'W1', quantity: STOCK });
    // 64 independent ledgers, one connection each: 64 writers racing as separate processes would.
    const stores = Array.from({ length: CONNECTIONS }, () => new PostgresStore(db.config.databaseUrl!, { poolMax: 1 }));
    const ledgers = stores.map((s) => new Ledger(s, systemClock, { groupCommit }));
    try {
      return await Promise.all(
        Array.from({ length: ATTEMPTS }, (_, i) =>
          ledgers[i % CONNECTIONS]!.execute({ workspaceId: f.workspaceId, idempotencyKey: `${sku}-${groupCommit}-${i}`, actor: 'test', command: { type: 'reserve', lines: [{ sku, location: 'W1', quantity: 1 }] } }),
        ),
      );
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  }

  for (const groupCommit of [true, false]) {
    it(`64 connections, 2,000 attempts on 100 units: exactly 100 succeed (group commit ${groupCommit ? 'on' : 'off'})`, async () => {
      const sku = groupCommit ? 'HOT' : 'HOT2';
      const results = await hammer(sku, groupCommit);
      const refused = results.filter((r) => !r.ok);
      expect(results.filter((r) => r.ok).length).toBe(STOCK);
      expect(refused.length).toBe(ATTEMPTS - STOCK);
      for (const r of refused) expect(!r.ok && r.refusal).toMatchObject({ code: 'insufficient_stock', detail: expect.stringContaining('not enough HOT') });
      const level = (await f.ts.store.read((d) => d.get<{ available: number; reserved: number }>('SELECT available, reserved FROM stock_levels s JOIN items i ON i.id = s.item_id WHERE i.sku = ?', [sku])))!;
      expect(level).toEqual({ available: 0, reserved: STOCK });
      expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
    });
  }

  it('4 processes racing for 100 units: exactly 100 succeed', async () => {
    await f.ok({ type: 'receive', sku: 'HOT3', location: 'W1', quantity: STOCK });
    const run = promisify(execFile);
    const outputs = await Promise.all(
      [0, 1, 2, 3].map((p) =>
        run(process.execPath, ['--import', 'tsx', 'test/support/reserve-worker.ts', db.config.databaseUrl!, f.workspaceId, 'HOT3', 'W1', '150', '16', `proc${p}`], {
          env: { ...process.env, TRUESTOCK_TEST_PG_ADMIN_URL: adminUrl() },
        }),
      ),
    );
    const total: Record<string, number> = {};
    for (const o of outputs) for (const [k, v] of Object.entries(JSON.parse(o.stdout) as Record<string, number>)) total[k] = (total[k] ?? 0) + v;
    expect(total).toEqual({ ok: STOCK, insufficient_stock: 600 - STOCK });
    expect((await verify(ts.store, f.workspaceId)).ok).toBe(true);
  });
});
