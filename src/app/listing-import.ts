// Import and export listings as CSV: all or nothing, like the bundles import (see there).
//
// Columns: `channel` (name or id), `sku`, `active` (optional; empty means true), and one
// `external.<field>` column per identifier field (`external.seller_sku`, `external.sku`, …); a
// row fills the fields its channel's kind uses and leaves the others empty. A row is matched to
// an existing listing by channel, identifier and SKU: a match is reactivated or deactivated as
// the row says, otherwise a listing is created. An identifier already mapped to another SKU on
// that channel is a bad row, as is the same identifier twice in one file.

import { recomputeListings } from './availability.ts';
import { checkExternal, type Channel, externalKey, type Listing } from '../domain/listing-rules.ts';
import { EXTERNAL_FIELDS, listingIdentity } from '../channels/registry.ts';
import { itemsById, itemsBySku } from '../store/catalog-repo.ts';
import * as repo from '../store/channel-repo.ts';
import type { Db, Store } from '../store/store.ts';
import { contentHash } from './item-import.ts';
import { csvCell, type CsvImportResult, type CsvRowError, dataRows, importCsvOnce, readHeader, sortErrors } from './bundle-import.ts';
import { catalogId } from './catalog.ts';
import type { Clock } from './clock.ts';
import { readCsv } from './csv.ts';

const EXTERNAL_COLUMNS = EXTERNAL_FIELDS.map((f) => `external.${f}`);
export const LISTING_CSV_COLUMNS = ['channel', 'sku', ...EXTERNAL_COLUMNS, 'active'] as const;
export const LISTINGS_IMPORT_KEY_PREFIX = 'listings-import:';
const CHANNELS_MAX = 1_000;

const TRUE_WORDS = new Set(['true', '1', 'yes', '']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

interface ListingRow {
  line: number;
  channel: string;
  sku: string;
  external: Record<string, string>;
  active: boolean;
}

export interface ListingImportSummary {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
}

/** Read and check the rows on their own (no catalog). Pure. */
export function parseListingCsv(text: string): { rows: ListingRow[]; errors: CsvRowError[]; read: number } {
  const records = readCsv(text);
  const errors: CsvRowError[] = [];
  const at = readHeader(records, LISTING_CSV_COLUMNS as readonly string[], ['channel', 'sku'], errors);
  if (!at) return { rows: [], errors, read: 0 };
  if (!EXTERNAL_COLUMNS.some((c) => at.has(c))) {
    errors.push({ line: 1, reason: `the header has no identifier column (${EXTERNAL_COLUMNS.join(', ')})` });
    return { rows: [], errors, read: 0 };
  }
  const data = dataRows(records, at, errors);
  const rows: ListingRow[] = [];
  for (const { line, cell } of data) {
    const channel = cell('channel');
    const sku = cell('sku');
    if (channel === '') {
      errors.push({ line, column: 'channel', reason: 'channel is required' });
      continue;
    }
    if (sku === '') {
      errors.push({ line, column: 'sku', reason: 'sku is required' });
      continue;
    }
    const word = cell('active').toLowerCase();
    if (!TRUE_WORDS.has(word) && !FALSE_WORDS.has(word)) {
      errors.push({ line, column: 'active', reason: `active must be true, false, yes, no, 1, 0 or empty, got ${JSON.stringify(cell('active'))}` });
      continue;
    }
    const external: Record<string, string> = {};
    for (const f of EXTERNAL_FIELDS) if (cell(`external.${f}`) !== '') external[f] = cell(`external.${f}`);
    rows.push({ line, channel, sku, external, active: TRUE_WORDS.has(word) });
  }
  return { rows, errors, read: data.length };
}

async function planListings(db: Db, workspaceId: string, rows: ListingRow[], errors: CsvRowError[], now: number) {
  const channels = await repo.listChannels(db, workspaceId, { limit: CHANNELS_MAX });
  const channelOf = (ref: string): Channel | undefined => channels.find((c) => c.id === ref) ?? channels.find((c) => c.name === ref);
  const items = new Map((await itemsBySku(db, workspaceId, rows.map((r) => r.sku))).map((i) => [i.sku, i]));
  const used = [...new Set(rows.map((r) => channelOf(r.channel)?.id).filter((id): id is string => id !== undefined))];
  const existing = await repo.listingsOfChannels(db, workspaceId, used);
  const byKey = new Map<string, Listing[]>();
  for (const l of existing) byKey.set(`${l.channelId}|${l.externalKey}`, [...(byKey.get(`${l.channelId}|${l.externalKey}`) ?? []), l]);
  const skuOf = new Map((await itemsById(db, workspaceId, existing.map((l) => l.itemId))).map((i) => [i.id, i.sku]));
  const firstLine = new Map<string, number>();
  const creates: Listing[] = [];
  const changes: { id: string; active: boolean }[] = [];
  let unchanged = 0;

  for (const row of rows) {
    const channel = channelOf(row.channel);
    if (!channel) {
      errors.push({ line: row.line, column: 'channel', reason: `no channel ${JSON.stringify(row.channel)} in this workspace` });
      continue;
    }
    const checked = checkExternal(listingIdentity(channel.kind), row.external);
    if (!checked.ok) {
      errors.push({ line: row.line, column: checked.refusal.field ?? 'external', reason: checked.refusal.detail });
      continue;
    }
    const item = items.get(row.sku);
    if (!item) {
      errors.push({ line: row.line, column: 'sku', reason: `no item with SKU ${JSON.stringify(row.sku)}` });
      continue;
    }
    const key = externalKey(listingIdentity(channel.kind), checked.external);
    const slot = `${channel.id}|${key}`;
    // One identifier, one active item: two active rows of it, or one row twice, is a mistake.
    const first = firstLine.get(`${slot}|${item.id}`) ?? (row.active ? firstLine.get(slot) : undefined);
    if (first !== undefined) {
      errors.push({ line: row.line, reason: `${key} on ${channel.name} is already on line ${first}` });
      continue;
    }
    firstLine.set(`${slot}|${item.id}`, row.line);
    if (row.active) firstLine.set(slot, row.line);
    const same = byKey.get(slot) ?? [];
    const mine = same.find((l) => l.itemId === item.id && l.active) ?? same.find((l) => l.itemId === item.id);
    const other = same.find((l) => l.itemId !== item.id && l.active);
    if (row.active && other) {
      errors.push({ line: row.line, reason: `${key} is already mapped on ${channel.name} to ${skuOf.get(other.itemId) ?? other.itemId} by listing ${other.id}` });
      continue;
    }
    if (row.active && item.archived && !mine?.active) {
      errors.push({ line: row.line, column: 'sku', reason: `${item.sku} is archived; unarchive it before listing it` });
      continue;
    }
    if (mine) {
      if (mine.active === row.active) unchanged++;
      else changes.push({ id: mine.id, active: row.active });
      continue;
    }
    creates.push({ id: catalogId('lst', now), workspaceId, channelId: channel.id, itemId: item.id, externalKey: key, external: checked.external, active: row.active, createdAt: now, updatedAt: now });
  }
  return { creates, changes, unchanged };
}

export const defaultListingsImportKey = (text: string) => LISTINGS_IMPORT_KEY_PREFIX + contentHash(text);

export async function importListings(truestock: { store: Store; clock: Clock }, workspaceId: string, text: string, key?: string): Promise<CsvImportResult<ListingImportSummary>> {
  const parsed = parseListingCsv(text);
  // A bad header leaves no rows to check; otherwise the good rows are checked against the
  // catalog too, so one run reports every bad row.
  if (parsed.errors.length > 0 && parsed.read === 0) return { ok: false, errors: parsed.errors, read: 0 };
  const usedKey = key ?? defaultListingsImportKey(text);
  return importCsvOnce<ListingImportSummary>(truestock, workspaceId, usedKey, { type: 'listings_import', sha256: contentHash(text) }, async (db, now) => {
    const errors: CsvRowError[] = [...parsed.errors];
    const plan = await planListings(db, workspaceId, parsed.rows, errors, now);
    if (errors.length > 0) return { errors: sortErrors(errors), read: parsed.read };
    await repo.insertListings(db, plan.creates);
    for (const c of plan.changes) await repo.setListingActive(db, workspaceId, c.id, c.active, now);
    // New and re-activated listings get their first number now, as through the API.
    const live = new Set(plan.changes.filter((c) => c.active).map((c) => c.id));
    const reactivated = await Promise.all([...live].map(async (id) => (await repo.getListing(db, workspaceId, id))!));
    await recomputeListings(db, workspaceId, [...plan.creates.filter((l) => l.active), ...reactivated].map((l) => ({ id: l.id, channel_id: l.channelId, item_id: l.itemId })), now);
    const summary: ListingImportSummary = { rows: parsed.rows.length, created: plan.creates.length, updated: plan.changes.length, unchanged: plan.unchanged };
    return { summary, status: plan.creates.length > 0 ? 201 : 200 } as const;
  });
}

/** Listings (of one channel, or all), by channel name then SKU: a file `importListings` reads back unchanged. */
export async function exportListings(store: Store, workspaceId: string, channelRef: string | undefined, write: (chunk: string) => void): Promise<{ ok: true; rows: number } | { ok: false; reason: string }> {
  const data = await store.read(async (db) => {
    const channels = (await repo.listChannels(db, workspaceId, { limit: CHANNELS_MAX })).filter((c) => channelRef === undefined || c.id === channelRef || c.name === channelRef);
    const listings = await repo.listingsOfChannels(db, workspaceId, channels.map((c) => c.id));
    const items = new Map((await itemsById(db, workspaceId, listings.map((l) => l.itemId))).map((i) => [i.id, i.sku]));
    return { channels, listings, items };
  });
  if (channelRef !== undefined && data.channels.length === 0) return { ok: false, reason: `no channel ${JSON.stringify(channelRef)} in this workspace` };
  const names = new Map(data.channels.map((c) => [c.id, c.name]));
  const rows = data.listings
    .map((l) => ({ l, channel: names.get(l.channelId)!, sku: data.items.get(l.itemId) ?? l.itemId }))
    .sort((a, b) => (a.channel !== b.channel ? (a.channel < b.channel ? -1 : 1) : a.sku !== b.sku ? (a.sku < b.sku ? -1 : 1) : a.l.id < b.l.id ? -1 : 1));
  write(`${LISTING_CSV_COLUMNS.join(',')}\n`);
  for (const { l, channel, sku } of rows) {
    write(`${[channel, sku, ...EXTERNAL_FIELDS.map((f) => l.external[f] ?? ''), l.active ? 'true' : 'false'].map(csvCell).join(',')}\n`);
  }
  return { ok: true, rows: rows.length };
}
