// Items and stock levels as CSV, with the very columns the imports take, so that an exported
// file imports back without changing anything. Produced page by page (EXPORT_PAGE_ROWS rows in
// key order), so a million items never sit in memory at once; each page is its own read, so a
// workspace that changes during the export yields a file that mixes before and after by page.

import { onHand } from '../domain/buckets.ts';
import { EXPORT_PAGE_ROWS, itemsPage, levelsPage } from '../store/import-repo.ts';
import type { Store } from '../store/store.ts';
import { spreadsheetLine as csvLine } from './csv-spreadsheet.ts';
import { ITEM_CSV_COLUMNS } from './item-import.ts';
import { STOCK_CSV_COLUMNS } from './stock-import.ts';

/** CSV text in chunks: the header, then one chunk per page of rows. */
export async function* exportItemsCsv(store: Store, workspaceId: string, pageRows = EXPORT_PAGE_ROWS): AsyncGenerator<{ text: string; rows: number }> {
  yield { text: csvLine(ITEM_CSV_COLUMNS), rows: 0 };
  let after: string | null = null;
  for (;;) {
    const page = await store.read((db) => itemsPage(db, workspaceId, after, pageRows));
    if (page.length === 0) return;
    let text = '';
    for (const i of page) {
      text += csvLine([i.sku, i.name, i.barcode, i.archived, i.kind, i.unitsPerCase, i.requiresInspection, i.skipReturnInspection]);
    }
    yield { text, rows: page.length };
    if (page.length < pageRows) return;
    after = page[page.length - 1]!.sku;
  }
}

/** Every stock level as `sku,location,on_hand,zone`. */
export async function* exportStockCsv(store: Store, workspaceId: string, pageRows = EXPORT_PAGE_ROWS): AsyncGenerator<{ text: string; rows: number }> {
  yield { text: csvLine(STOCK_CSV_COLUMNS), rows: 0 };
  let after: { sku: string; code: string } | null = null;
  for (;;) {
    const page = await store.read((db) => levelsPage(db, workspaceId, after, pageRows));
    if (page.length === 0) return;
    let text = '';
    for (const l of page) text += csvLine([l.sku, l.code, onHand(l.balances), l.zone]);
    yield { text, rows: page.length };
    if (page.length < pageRows) return;
    const last = page[page.length - 1]!;
    after = { sku: last.sku, code: last.code };
  }
}

/** A whole export as one string (tests, HTTP). */
export async function exportToString(chunks: AsyncIterable<{ text: string }>): Promise<string> {
  let out = '';
  for await (const c of chunks) out += c.text;
  return out;
}
