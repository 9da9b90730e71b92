// Benchmark data: a workspace, N items at one warehouse, each with stock, loaded through the
// same ledger commands production uses.

import { createWorkspace } from '../src/app/access.ts';
import { createLocation, newItem } from '../src/app/catalog.ts';
import type { Truestock } from '../src/app/truestock.ts';
import { insertItems } from '../src/store/catalog-repo.ts';

export interface BenchFixture {
  workspaceId: string;
  adminKey: string;
  skus: string[];
}

export async function seed(ts: Truestock, items: number, stockEach: number): Promise<BenchFixture> {
  const { workspace, adminKey } = await createWorkspace(ts.store, ts.clock, 'bench');
  const now = ts.clock.now();
  const skus = Array.from({ length: items }, (_, i) => `SKU-${String(i).padStart(6, '0')}`);
  await ts.store.transaction(async (db) => {
    await createLocation(db, workspace.id, { code: 'WH', name: 'Warehouse', kind: 'warehouse' }, now);
    await insertItems(db, skus.map((sku) => newItem(workspace.id, { sku, name: sku }, now)));
  });
  await Promise.all(
    skus.map(async (sku) => {
      const r = await ts.ledger.execute({ workspaceId: workspace.id, idempotencyKey: `seed-${sku}`, actor: 'bench', command: { type: 'receive', sku, location: 'WH', quantity: stockEach } });
      if (!r.ok) throw new Error(`seeding ${sku}: ${r.refusal.detail}`);
    }),
  );
  return { workspaceId: workspace.id, adminKey, skus };
}
