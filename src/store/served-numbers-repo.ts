// SQL for a listing's numbers side by side: what truestock computed and would publish
// (`availability`), what it last pushed and what the channel was last seen to show
// (`listing_sync`). Read by the listing views and by the served-numbers endpoint of channels
// whose numbers are pulled rather than pushed.

import { chunk, type Db, placeholders } from './store.ts';

export interface ListingNumbers {
  listing_id: string;
  /** The number truestock publishes now (null before the listing's first computation). */
  quantity: number | null;
  backorder_units: number | null;
  version: number | null;
  computed_at: number | null;
  pushed_quantity: number | null;
  pushed_at: number | null;
  shown_quantity: number | null;
  shown_at: number | null;
}

/** A served listing: its SKU and identifiers with its numbers. */
export interface ServedRow extends ListingNumbers {
  sku: string;
  external: Record<string, string>;
  external_key: string;
}

const num = (x: unknown) => (x === null || x === undefined ? null : Number(x));

function numbers(r: Record<string, unknown>): ListingNumbers {
  return {
    listing_id: String(r.listing_id),
    quantity: num(r.quantity), backorder_units: num(r.backorder_units), version: num(r.version), computed_at: num(r.computed_at),
    pushed_quantity: num(r.pushed_quantity), pushed_at: num(r.pushed_at), shown_quantity: num(r.shown_quantity), shown_at: num(r.shown_at),
  };
}

const NUMBER_COLUMNS = `a.quantity, a.backorder_units, a.version, a.computed_at, s.pushed_quantity, s.pushed_at, s.shown_quantity, s.shown_at`;

/** Each listing's numbers (listings without any are left out). */
export async function listingNumbers(db: Db, listingIds: readonly string[]): Promise<Map<string, ListingNumbers>> {
  const out = new Map<string, ListingNumbers>();
  for (const part of chunk([...listingIds], 500)) {
    const rows = await db.all<Record<string, unknown>>(
      `SELECT l.id AS listing_id, ${NUMBER_COLUMNS} FROM listings l
       LEFT JOIN availability a ON a.listing_id = l.id LEFT JOIN listing_sync s ON s.listing_id = l.id
       WHERE l.id IN (${placeholders(part.length)})`, part);
    for (const r of rows) out.set(String(r.listing_id), numbers(r));
  }
  return out;
}

/** A channel's active listings after `after` (listing id order), with SKU, identifiers and numbers. */
export async function servedPage(db: Db, ws: string, channelId: string, after: string | null, limit: number): Promise<ServedRow[]> {
  const rows = await db.all<Record<string, unknown>>(
    `SELECT l.id AS listing_id, i.sku, l.external, l.external_key, ${NUMBER_COLUMNS}
     FROM listings l JOIN items i ON i.id = l.item_id
     LEFT JOIN availability a ON a.listing_id = l.id LEFT JOIN listing_sync s ON s.listing_id = l.id
     WHERE l.workspace_id = ? AND l.channel_id = ? AND l.active = ?${after === null ? '' : ' AND l.id > ?'}
     ORDER BY l.id LIMIT ?`,
    after === null ? [ws, channelId, true, limit] : [ws, channelId, true, after, limit],
  );
  return rows.map((r) => ({ ...numbers(r), sku: String(r.sku), external: JSON.parse(String(r.external)) as Record<string, string>, external_key: String(r.external_key) }));
}

/** The SKU of each listing (for lists that name listings by id). */
export async function skusOfListings(db: Db, ws: string, listingIds: readonly string[]): Promise<Map<string, string>> {
  if (listingIds.length === 0) return new Map();
  const rows = await db.all<{ id: string; sku: string }>(
    `SELECT l.id, i.sku FROM listings l JOIN items i ON i.id = l.item_id WHERE l.workspace_id = ? AND l.id IN (${placeholders(listingIds.length)})`, [ws, ...listingIds]);
  return new Map(rows.map((r) => [r.id, r.sku]));
}
