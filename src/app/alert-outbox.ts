// The stock half of the alert outbox, run by the ledger inside each batch's transaction (the hot
// path): at most one upsert per touched stock level for stock.changed (coalesced in the row, and
// only in workspaces where someone subscribes), plus low-stock and reorder-point crossings of the
// levels that have thresholds. A batch that rolls back takes its alerts with it.

import { crossings, type ThresholdKind, type ThresholdState } from '../domain/alert-rules.ts';
import type { StockLevel } from '../domain/model.ts';
import { enqueueAlerts, listeningWorkspaces, names, setThresholdBelow, stockNumbers, thresholdsOf, upsertStockChanges, type AlertEventDraft, type ThresholdRow } from '../store/alert-repo.ts';
import type { Db } from '../store/store.ts';

export async function stockAlerts(db: Db, levels: readonly StockLevel[], now: number): Promise<void> {
  if (levels.length === 0) return;
  const byWorkspace = new Map<string, StockLevel[]>();
  for (const l of levels) {
    const list = byWorkspace.get(l.workspaceId);
    if (list) list.push(l);
    else byWorkspace.set(l.workspaceId, [l]);
  }
  const listening = await listeningWorkspaces(db, [...byWorkspace.keys()]);
  const changed = levels.filter((l) => listening.has(l.workspaceId));
  if (changed.length > 0) await upsertStockChanges(db, changed, now);

  const events: AlertEventDraft[] = [];
  for (const [ws, list] of byWorkspace) {
    const thresholds = await thresholdsOf(db, ws, [...new Set(list.map((l) => l.itemId))]);
    if (thresholds.length === 0) continue;
    const byLevel = new Map(thresholds.map((t) => [`${t.item_id}:${t.location_id}`, t]));
    for (const level of list) {
      const t = byLevel.get(`${level.itemId}:${level.locationId}`);
      if (!t) continue;
      const states = thresholdStates(t);
      const { next, fired } = crossings(states, level.balances.available);
      const below = (k: ThresholdKind) => next.find((s) => s.kind === k)?.below ?? false;
      if (below('low_stock') !== t.low_stock_below || below('reorder_point') !== t.reorder_point_below) {
        await setThresholdBelow(db, t.item_id, t.location_id, below('low_stock'), below('reorder_point'));
      }
      for (const f of fired) {
        events.push({
          workspaceId: ws, type: 'stock.low', severity: 'warning',
          data: { threshold: f.kind, threshold_units: f.units, item_id: level.itemId, location_id: level.locationId, ...stockNumbers(level.balances) },
        });
      }
    }
  }
  if (events.length > 0) await enqueueAlerts(db, await withNames(db, events), now);
}

/** The thresholds a row sets, with whether the level is already at or below each. */
export function thresholdStates(t: ThresholdRow): ThresholdState[] {
  const out: ThresholdState[] = [];
  if (t.low_stock !== null) out.push({ kind: 'low_stock', units: t.low_stock, below: t.low_stock_below });
  if (t.reorder_point !== null) out.push({ kind: 'reorder_point', units: t.reorder_point, below: t.reorder_point_below });
  return out;
}

/** stock.low carries the SKU and location code, as people know them. */
async function withNames(db: Db, events: AlertEventDraft[]): Promise<AlertEventDraft[]> {
  const n = await names(db, events.map((e) => String(e.data.item_id)), events.map((e) => String(e.data.location_id)));
  return events.map((e) => ({ ...e, data: { sku: n.sku(String(e.data.item_id)), location: n.code(String(e.data.location_id)), ...e.data } }));
}
