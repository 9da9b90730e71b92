// Open a real Truestock on either store for a test: a SQLite file in a temp dir, or a fresh
// database on the test PostgreSQL server. No mocked database anywhere.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkspace } from '../../src/app/access.ts';
import { createItem, createLocation } from '../../src/app/catalog.ts';
import type { CommandResponse } from '../../src/app/ledger.ts';
import { Truestock, type TruestockConfig } from '../../src/app/truestock.ts';
import type { StockCommand } from '../../src/domain/commands.ts';
import type { LocationKind } from '../../src/domain/model.ts';
import { createTestDatabase } from './postgres.ts';

export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface TestDatabase {
  kind: StoreKind;
  /** Config that opens this database (again, e.g. after a "restart"). */
  config: TruestockConfig;
  drop(): Promise<void>;
}

export async function createDatabase(kind: StoreKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'truestock-test-'));
    return { kind, config: { sqlitePath: join(dir, 'test.db') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const db = await createTestDatabase();
  return { kind, config: { databaseUrl: db.url, poolMax: 8 }, drop: db.drop };
}

/** A workspace with items and locations, and a helper to run commands in it. */
export class Fixture {
  private n = 0;
  constructor(readonly ts: Truestock, readonly workspaceId: string) {}

  static async create(ts: Truestock, opts: { skus?: string[]; locations?: [string, LocationKind][] } = {}): Promise<Fixture> {
    const { workspace } = await createWorkspace(ts.store, ts.clock, 'test');
    await ts.store.transaction(async (db) => {
      for (const sku of opts.skus ?? ['A', 'B']) await createItem(db, workspace.id, { sku, name: `Item ${sku}` }, ts.clock.now());
      for (const [code, kind] of opts.locations ?? [['W1', 'warehouse'], ['W2', 'warehouse']] as [string, LocationKind][]) {
        await createLocation(db, workspace.id, { code, name: code, kind }, ts.clock.now());
      }
    });
    return new Fixture(ts, workspace.id);
  }

  exec(command: StockCommand, key = `k${++this.n}-${Math.random()}`): Promise<CommandResponse> {
    return this.ts.ledger.execute({ workspaceId: this.workspaceId, idempotencyKey: key, actor: 'test', command });
  }

  /** Run a command that must succeed, returning its body. */
  async ok(command: StockCommand, key?: string): Promise<Record<string, any>> {
    const r = await this.exec(command, key);
    if (!r.ok) throw new Error(`${command.type} refused: ${r.refusal.code} ${r.refusal.detail}`);
    return r.body;
  }
}
