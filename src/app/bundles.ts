// Bundles (kits) and multipacks: items that hold no stock of their own. Selling one reserves or
// commits its components (the ledger does that); here their components are set and shown.
// Replacing the components keeps the bundle item, so its history stays with it, and records the
// earlier set as a version.

import { recomputeItems } from './availability.ts';
import type { ComponentInput } from '../domain/catalog-rules.ts';
import { refusal, type Refusal } from '../domain/errors.ts';
import * as repo from '../store/catalog-repo.ts';
import type { Db } from '../store/store.ts';
import { componentView, resolveComponents } from './catalog.ts';
import type { Written } from './idempotent.ts';
import { iso, itemView } from './views.ts';

/** Earlier component sets shown with a bundle. */
export const COMPONENT_HISTORY_SHOWN_MAX = 20;
/** Bundles shown as containing one component. */
export const USED_IN_SHOWN_MAX = 500;

export async function replaceComponents(db: Db, workspaceId: string, id: string, components: ComponentInput[], now: number): Promise<Written | Refusal> {
  const item = await repo.getItem(db, workspaceId, id);
  if (!item) return refusal('not_found', `no item ${id}`);
  if (item.kind === 'standard') return refusal('validation_failed', `${item.sku} is a standard item; only bundles and multipacks have components`, 'components');
  const resolved = await resolveComponents(db, workspaceId, item.kind, components);
  if (!resolved.ok) return resolved.refusal;
  const version = await repo.writeComponents(db, item.id, resolved.components, now);
  await recomputeItems(db, workspaceId, [item.id], now); // a new kit recipe changes what can be built
  return { status: 200, body: { item: itemView(item), components: resolved.components.map(componentView), version } };
}

/**
 * What an item is made of and what it is part of: a bundle's components (with their earlier
 * sets), and for a standard item the bundles and multipacks that contain it.
 */
export async function itemComponents(db: Db, workspaceId: string, id: string) {
  const item = await repo.getItem(db, workspaceId, id);
  if (!item) return undefined;
  const current = (await repo.componentsOf(db, [item.id])).get(item.id) ?? [];
  const items = new Map((await repo.itemsById(db, workspaceId, current.map((c) => c.itemId))).map((i) => [i.id, i]));
  const history = item.kind === 'standard' ? [] : await repo.componentHistory(db, item.id, COMPONENT_HISTORY_SHOWN_MAX);
  const usedIn = await repo.bundlesContaining(db, workspaceId, item.id, USED_IN_SHOWN_MAX);
  return {
    item: itemView(item),
    components: current.map((c) => {
      const part = items.get(c.itemId);
      return { sku: part?.sku ?? c.itemId, item_id: c.itemId, name: part?.name ?? null, quantity: c.quantity, archived: part?.archived ?? false };
    }),
    history: history.map((h) => ({ version: h.version, components: h.components.map(componentView), created_at: iso(h.createdAt) })),
    used_in: usedIn.map((u) => ({ sku: u.item.sku, item_id: u.item.id, kind: u.item.kind, quantity: u.quantity, archived: u.item.archived })),
  };
}
