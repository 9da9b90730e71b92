// SQL for routing: the workspace's rules document, and the stock a what-if reads (no locks).

import type { RoutingRules } from '../domain/routing-rules.ts';
import { chunk, type Db, placeholders } from './store.ts';

/** Items per read statement. */
const READ_CHUNK_ITEMS = 5_000;

export async function getRoutingRules(db: Db, ws: string): Promise<{ rules: RoutingRules; updatedAt: number } | undefined> {
  const row = await db.get<{ document: string; updated_at: number }>('SELECT document, updated_at FROM routing_rules WHERE workspace_id = ?', [ws]);
  return row && { rules: JSON.parse(row.document) as RoutingRules, updatedAt: Number(row.updated_at) };
}

export async function putRoutingRules(db: Db, ws: string, rules: RoutingRules, now: number): Promise<void> {
  await db.run(
    `INSERT INTO routing_rules (workspace_id, document, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (workspace_id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`,
    [ws, JSON.stringify(rules), now],
  );
}

/** `available` per stock level of the items at the locations (levels that do not exist are 0). */
export async function availableAt(db: Db, ws: string, itemIds: string[], locationIds: string[]): Promise<{ itemId: string; locationId: string; available: number }[]> {
  if (itemIds.length === 0 || locationIds.length === 0) return [];
  const out: { itemId: string; locationId: string; available: number }[] = [];
  for (const part of chunk(itemIds, READ_CHUNK_ITEMS)) {
    const rows = await db.all<{ item_id: string; location_id: string; available: number }>(
      `SELECT item_id, location_id, available FROM stock_levels WHERE workspace_id = ? AND item_id IN (${placeholders(part.length)}) AND location_id IN (${placeholders(locationIds.length)})`,
      [ws, ...part, ...locationIds],
    );
    out.push(...rows.map((r) => ({ itemId: r.item_id, locationId: r.location_id, available: Number(r.available) })));
  }
  return out;
}
