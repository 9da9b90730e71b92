// Shopify's inventory CSV (Admin → Products → Inventory → Export) as a source of counted stock.
//
// The current export has one row per variant and location:
//   Handle, Title, Option1 Name, Option1 Value, Option2 Name, Option2 Value, Option3 Name,
//   Option3 Value, SKU, HS Code, COO, Location, Bin name, Incoming (not editable),
//   Unavailable (not editable), Committed (not editable), Available (not editable),
//   On hand (current), On hand (new)
// and the "Only Available quantities" export has `Available` in place of the quantity columns.
// Shopify adds columns over time (packed dimensions…), so columns we do not use are ignored;
// names are matched without regard to case or surrounding spaces.
//
// What a row means here:
// - the quantity is `On hand (new)` when filled (what the person typed to change), else
//   `On hand (current)`; both are on hand (available + committed + unavailable), as ours. A file
//   with only `Available` sets our `available` bucket instead. Shopify allows negative on hand
//   (oversold); so do we (it becomes oversold debt). `not stocked` leaves that row out.
// - `Location` is a Shopify location name: matched to our location by code, then by name.
// - `SKU` is how we know the item; a variant without one cannot be matched and is a bad row.
// Pure: no I/O. The caller resolves SKUs and locations (src/app/stock-import.ts); the kind
// declares this format as its `stockFile` (kind.ts), so `--format shopify` reads it.

import { countLines, isEmptyRow, KeyIndex, RowErrors, scanCsv } from '../../app/csv.ts';
import type { ImportProgress } from '../../app/item-import.ts';
import { type ItemDraft, parseUnits, type ParsedStock, type StockFileFormat, type StockRow } from '../../app/stock-file.ts';

/** What an item is created from when its SKU is unknown (`--create-items`). */
export interface ShopifyVariant extends ItemDraft {
  handle: string;
  /** `Title`, and the option values unless the product has none ("Default Title"): `Tee - Black / M`. */
  name: string;
  /** `{ "Color": "Black", "Size": "M" }`, or null for a product without options. */
  options: Record<string, string> | null;
}

export const SHOPIFY_STOCK_FILE: StockFileFormat = {
  label: 'a Shopify inventory export',
  parse: (text, onProgress) => parseShopifyInventoryCsv(text, onProgress),
  createsItems: true,
};

const NOT_STOCKED = 'not stocked';
const OPTIONS_MAX = 3;
const CHECK_REPORT_ROWS = 5_000;

const norm = (s: string) => s.trim().toLowerCase();

export function parseShopifyInventoryCsv(text: string, onProgress?: ImportProgress): ParsedStock {
  const errors = new RowErrors();
  const rows: StockRow[] = [];
  const variants = new Map<string, ShopifyVariant>();
  const out: ParsedStock = { format: 'shopify', rows, errors: errors.list, errorCount: 0, read: 0, skipped: 0, target: 'on_hand', locationByName: true, setsZone: false, variants };
  const total = onProgress ? Math.max(0, countLines(text) - 1) : 0;
  let at: Map<string, number> | undefined;
  let width = 0;
  let quantityColumns: { new?: number; current?: number; available?: number } = {};
  const pairs = new KeyIndex();

  scanCsv(text, (fields, line, error) => {
    if (at === undefined) {
      if (error) {
        errors.add(line, `header: ${error}`);
        return false;
      }
      at = new Map();
      fields.forEach((f, i) => {
        const name = norm(f);
        if (!at!.has(name)) at!.set(name, i);
      });
      width = fields.length;
      for (const c of ['sku', 'location']) if (!at.has(c)) errors.add(line, `not a Shopify inventory export: the header has no ${JSON.stringify(c.toUpperCase() === 'SKU' ? 'SKU' : 'Location')} column`);
      quantityColumns = { new: at.get('on hand (new)'), current: at.get('on hand (current)') };
      if (quantityColumns.new === undefined && quantityColumns.current === undefined) {
        const available = at.get('available') ?? at.get('available (not editable)');
        if (available === undefined) errors.add(line, 'not a Shopify inventory export: the header has no "On hand (new)", "On hand (current)" or "Available" column');
        else {
          quantityColumns = { available };
          out.target = 'available';
        }
      }
      return errors.count > 0 ? false : undefined;
    }
    if (onProgress && out.read > 0 && out.read % CHECK_REPORT_ROWS === 0) onProgress('checking', out.read, Math.max(total, out.read));
    if (error) {
      out.read++;
      errors.add(line, error);
      return;
    }
    if (isEmptyRow(fields)) return;
    out.read++;
    // Spreadsheets drop trailing empty cells; a short row is read as if they were there.
    if (fields.length > width) {
      errors.add(line, `expected ${width} fields like the header, found ${fields.length}`);
      return;
    }
    const cell = (name: string) => {
      const i = at!.get(name);
      return i === undefined ? '' : (fields[i] ?? '');
    };
    const sku = cell('sku').trim();
    const location = cell('location').trim();
    if (sku === '') return errors.add(line, `the variant ${describe(cell)} has no SKU: give it one in Shopify (items are matched by SKU)`, 'SKU');
    if (location === '') return errors.add(line, 'Location must not be empty', 'Location');

    let column: string;
    let raw: string;
    if (quantityColumns.available !== undefined) {
      column = 'Available';
      raw = fields[quantityColumns.available] ?? '';
    } else if (quantityColumns.new !== undefined && (fields[quantityColumns.new] ?? '').trim() !== '') {
      column = 'On hand (new)';
      raw = fields[quantityColumns.new]!;
    } else {
      column = 'On hand (current)';
      raw = quantityColumns.current === undefined ? '' : (fields[quantityColumns.current] ?? '');
    }
    if (norm(raw) === NOT_STOCKED) {
      out.skipped++;
      return;
    }
    if (raw.trim() === '') return errors.add(line, quantityColumns.available !== undefined ? 'Available is empty' : 'On hand (new) and On hand (current) are both empty', column);
    const quantity = parseUnits(raw);
    if (quantity === undefined) return errors.add(line, `${column} must be a whole number of units or "Not stocked", got ${JSON.stringify(raw)}`, column);
    const first = pairs.add(`${sku}\u0000${location}`, line);
    if (first !== -1) return errors.add(line, `${sku} at ${location} is also on line ${first}`, 'Location');

    rows.push({ line, sku, location, quantity });
    if (!variants.has(sku)) variants.set(sku, variantOf(cell));
  });
  if (at === undefined && errors.count === 0) errors.add(1, 'the file is empty: expected a Shopify inventory export with a header row');
  out.errorCount = errors.count;
  onProgress?.('checking', out.read, out.read);
  return out;
}

function variantOf(cell: (name: string) => string): ShopifyVariant {
  const handle = cell('handle').trim();
  const title = cell('title').trim() || handle || cell('sku').trim();
  const options: Record<string, string> = {};
  const values: string[] = [];
  for (let k = 1; k <= OPTIONS_MAX; k++) {
    const name = cell(`option${k} name`).trim();
    const value = cell(`option${k} value`).trim();
    // A product without variants has one, "Title: Default Title": no option worth keeping.
    if (name === '' || value === '' || (name === 'Title' && value === 'Default Title')) continue;
    options[name] = value;
    values.push(value);
  }
  return { handle, name: values.length > 0 ? `${title} - ${values.join(' / ')}` : title, options: values.length > 0 ? options : null };
}

function describe(cell: (name: string) => string): string {
  const v = variantOf(cell);
  return JSON.stringify(v.name || v.handle || '?');
}
