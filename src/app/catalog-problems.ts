// Catalog problems: what is wrong with the catalog, listed rather than hidden. Computed by SQL at
// read time, so they are never stale and there is nothing to keep in sync. Each kind is capped
// (CATALOG_PROBLEMS_PER_KIND_MAX); `truncated` names the kinds that had more.

import type { Channel } from '../domain/listing-rules.ts';
import { kindOf } from '../channels/registry.ts';
import * as repo from '../store/channel-repo.ts';
import type { Db } from '../store/store.ts';

export const CATALOG_PROBLEM_KINDS = ['listing_duplicate', 'listing_missing', 'listing_archived_item', 'barcode_duplicate', 'bundle_component_archived'] as const;
export type CatalogProblemKind = (typeof CATALOG_PROBLEM_KINDS)[number];

/** Problems of one kind in one answer. A catalog with more has a bigger issue than a list can show. */
export const CATALOG_PROBLEMS_PER_KIND_MAX = 500;
/** Channels a workspace may have whose listings are checked; far above any real business. */
const CHANNELS_CHECKED_MAX = 1_000;

export interface CatalogProblem {
  kind: CatalogProblemKind;
  message: string;
  item_sku?: string;
  channel?: string;
  channel_id?: string;
  listing_id?: string;
  [extra: string]: unknown;
}

export interface CatalogProblems {
  data: CatalogProblem[];
  /** Kinds with more problems than shown. */
  truncated: CatalogProblemKind[];
}

/** Listings grouped by identifier: one problem per identifier mapped more than once. */
function duplicates(rows: repo.ListingProblemRow[], across: boolean): CatalogProblem[] {
  const groups = new Map<string, repo.ListingProblemRow[]>();
  for (const r of rows) {
    const key = across ? r.external_key : `${r.channel_id}|${r.external_key}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const first = g[0]!;
    const where = across ? `channels ${[...new Set(g.map((r) => r.channel))].join(' and ')} (the same account)` : first.channel;
    return {
      kind: 'listing_duplicate',
      message: `${first.external_key} is mapped ${g.length} times on ${where}: ${g.map((r) => `${r.sku} (${r.listing_id})`).join(', ')}`,
      item_sku: first.sku,
      channel: first.channel,
      channel_id: first.channel_id,
      listing_id: first.listing_id,
      external_key: first.external_key,
      listings: g.map((r) => ({ listing_id: r.listing_id, channel: r.channel, sku: r.sku })),
    };
  });
}

export async function catalogProblems(db: Db, workspaceId: string, only?: CatalogProblemKind): Promise<CatalogProblems> {
  const cap = CATALOG_PROBLEMS_PER_KIND_MAX;
  const data: CatalogProblem[] = [];
  const truncated: CatalogProblemKind[] = [];
  const want = (k: CatalogProblemKind) => only === undefined || only === k;
  /** Keep at most `cap` of `found`, noting when there were more. */
  const keep = (kind: CatalogProblemKind, found: CatalogProblem[], more: boolean) => {
    if (found.length > cap || more) truncated.push(kind);
    data.push(...found.slice(0, cap));
  };
  const channels: Channel[] = want('listing_duplicate') || want('listing_missing') ? await repo.listChannels(db, workspaceId, { limit: CHANNELS_CHECKED_MAX }) : [];

  if (want('listing_duplicate')) {
    const same = await repo.duplicateListingsOnChannel(db, workspaceId, cap * 2 + 1);
    const found = duplicates(same.slice(0, cap * 2), false);
    // Two channels of one kind on one account (a store connected twice) share identifiers.
    const accounts = new Map<string, Channel[]>();
    for (const c of channels) {
      const account = kindOf(c.kind).settings.account?.(c.settings) ?? null;
      if (account !== null) accounts.set(`${c.kind}|${account}`, [...(accounts.get(`${c.kind}|${account}`) ?? []), c]);
    }
    let more = same.length > cap * 2;
    for (const group of accounts.values()) {
      if (group.length < 2) continue;
      const rows = await repo.duplicateListingsAcrossChannels(db, workspaceId, group.map((c) => c.id), cap * 2 + 1);
      more ||= rows.length > cap * 2;
      found.push(...duplicates(rows.slice(0, cap * 2), true));
    }
    keep('listing_duplicate', found, more);
  }

  if (want('listing_missing')) {
    const found: CatalogProblem[] = [];
    let more = false;
    for (const c of channels.filter((ch) => ch.settings.lists_all_items === true)) {
      const rows = await repo.itemsMissingListing(db, workspaceId, c.id, cap + 1 - Math.min(found.length, cap));
      more ||= found.length + rows.length > cap;
      found.push(...rows.map((r): CatalogProblem => ({
        kind: 'listing_missing',
        message: `${r.sku} is active but has no active listing on ${c.name}, which lists all items`,
        item_sku: r.sku,
        item_kind: r.kind,
        channel: c.name,
        channel_id: c.id,
      })));
      if (found.length > cap) break;
    }
    keep('listing_missing', found, more);
  }

  if (want('listing_archived_item')) {
    const rows = await repo.listingsOfArchivedItems(db, workspaceId, cap + 1);
    keep('listing_archived_item', rows.map((r) => ({
      kind: 'listing_archived_item',
      message: `listing ${r.listing_id} on ${r.channel} (${r.external_key}) points at ${r.sku}, which is archived: deactivate the listing or unarchive the item`,
      item_sku: r.sku,
      channel: r.channel,
      channel_id: r.channel_id,
      listing_id: r.listing_id,
      external_key: r.external_key,
    })), false);
  }

  if (want('barcode_duplicate')) {
    // Rows are items; a problem is a barcode. Read enough rows for `cap` barcodes of two items.
    const rows = await repo.itemsSharingBarcode(db, workspaceId, cap * 4 + 1);
    const byBarcode = new Map<string, string[]>();
    for (const r of rows.slice(0, cap * 4)) byBarcode.set(r.barcode, [...(byBarcode.get(r.barcode) ?? []), r.sku]);
    keep('barcode_duplicate', [...byBarcode.entries()].map(([barcode, skus]) => ({
      kind: 'barcode_duplicate',
      message: `barcode ${barcode} is claimed by ${skus.length} items: ${skus.join(', ')}`,
      item_sku: skus[0]!,
      barcode,
      skus,
    })), rows.length > cap * 4);
  }

  if (want('bundle_component_archived')) {
    const rows = await repo.bundlesWithArchivedComponent(db, workspaceId, cap + 1);
    keep('bundle_component_archived', rows.map((r) => ({
      kind: 'bundle_component_archived',
      message: `${r.bundle_sku} contains ${r.component_sku}, which is archived: it cannot be sold until its components are replaced or the component is unarchived`,
      item_sku: r.bundle_sku,
      component_sku: r.component_sku,
    })), false);
  }
  return { data, truncated };
}
