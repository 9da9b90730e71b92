// The numbers truestock serves for a channel, for whoever pulls them: a POS, a wholesale portal, a
// custom shop — any kind without a connector, whose numbers are not pushed. Each active listing
// with its SKU, its channel identifiers and the number truestock publishes for it (the computed
// availability, the very value the outbox and explain hold), as JSON pages or one CSV file.

import { isPushedKind, listingIdentity } from '../channels/registry.ts';
import { EXPORT_PAGE_ROWS } from '../store/import-repo.ts';
import { type ListingNumbers, type ServedRow, servedPage } from '../store/served-numbers-repo.ts';
import type { Db, Store } from '../store/store.ts';
import { spreadsheetLine } from './csv-spreadsheet.ts';
import { iso } from './views.ts';

/** The number truestock publishes, the number it last pushed and the number last seen on the channel. */
export function numbersView(n: ListingNumbers | undefined) {
  return {
    published: n?.quantity == null ? null : { quantity: n.quantity, backorder_units: n.backorder_units ?? 0, version: n.version, computed_at: iso(n.computed_at) },
    pushed: n?.pushed_quantity == null ? null : { quantity: n.pushed_quantity, at: iso(n.pushed_at) },
    shown: n?.shown_quantity == null ? null : { quantity: n.shown_quantity, at: iso(n.shown_at) },
  };
}

function servedView(r: ServedRow) {
  return {
    listing_id: r.listing_id,
    sku: r.sku,
    external: r.external,
    external_key: r.external_key,
    // Not yet computed reads as 0: nothing is offered before truestock has a number.
    quantity: r.quantity ?? 0,
    backorder_units: r.backorder_units ?? 0,
    computed_at: iso(r.computed_at),
  };
}

/** A page of a channel's served numbers, in listing id order after `after`. */
export async function servedNumbers(db: Db, ws: string, channel: { id: string; kind: string }, after: string | null, limit: number) {
  const rows = await servedPage(db, ws, channel.id, after, limit);
  return {
    channel_id: channel.id,
    numbers: isPushedKind(channel.kind) ? ('pushed' as const) : ('served' as const),
    data: rows.map(servedView),
    last: rows.length === limit ? rows[rows.length - 1]!.listing_id : null,
  };
}

/** The identifier columns of a kind's CSV: every field its listings may carry, in its own order. */
function identifierColumns(kind: string): string[] {
  return [...new Set(listingIdentity(kind).forms.flat())];
}

/** Every active listing's served number as CSV, a page of rows per chunk; cells safe to open in a spreadsheet. */
export async function* servedNumbersCsv(store: Store, ws: string, channel: { id: string; kind: string }, pageRows = EXPORT_PAGE_ROWS): AsyncGenerator<{ text: string; rows: number }> {
  const ids = identifierColumns(channel.kind);
  yield { text: spreadsheetLine(['listing_id', 'sku', ...ids, 'external_key', 'quantity', 'backorder_units', 'computed_at']), rows: 0 };
  let after: string | null = null;
  for (;;) {
    const page: ServedRow[] = await store.read((db) => servedPage(db, ws, channel.id, after, pageRows));
    if (page.length === 0) return;
    let text = '';
    for (const r of page) text += spreadsheetLine([r.listing_id, r.sku, ...ids.map((f) => r.external[f] ?? null), r.external_key, r.quantity ?? 0, r.backorder_units ?? 0, iso(r.computed_at)]);
    yield { text, rows: page.length };
    if (page.length < pageRows) return;
    after = page[page.length - 1]!.listing_id;
  }
}
