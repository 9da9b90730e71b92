// A stock file as read, before the catalog is consulted: what truestock's own stock CSV and a
// channel kind's own inventory export (a kind's `stockFile`, see channels/kind.ts) both parse to.
// Kept apart from stock-import.ts so that a kind's parser does not load the import, nor the
// import's list of formats (which asks the registry of kinds) load itself through the kind.

import type { RowError } from './csv.ts';
import type { ImportProgress } from './item-import.ts';

/** Largest on_hand a cell may hold, either sign (a billion units at one place is a typo). */
export const ON_HAND_MAX = 1_000_000_000;

export interface StockRow {
  line: number;
  sku: string;
  /** A location code; in a file with `locationByName`, a location name or code. */
  location: string;
  /** The counted quantity: on hand, or available when the file's `target` is `available`. */
  quantity: number;
  /** Set (null clears) when the file has a zone column. */
  zone?: string | null;
}

/** What an item is created from when its SKU is unknown (`--create-items`). */
export interface ItemDraft {
  name: string;
  /** `{ "Color": "Black", "Size": "M" }`, or null for an item without options. */
  options: Record<string, string> | null;
}

export interface ParsedStock {
  /** `truestock`, or the name of the kind whose export it is. */
  format: string;
  rows: StockRow[];
  errors: RowError[];
  errorCount: number;
  /** Data rows read, good and bad. */
  read: number;
  /** Rows left out on purpose (an export's "not stocked"). */
  skipped: number;
  /** What `quantity` counts: on hand (every bucket but incoming), or `available` only. */
  target: 'on_hand' | 'available';
  /** Whether `location` may name a location by its name as well as its code. */
  locationByName: boolean;
  setsZone: boolean;
  /** Formats that create items: what to create an item from when its SKU is unknown. */
  variants?: Map<string, ItemDraft>;
}

/** A stock file format a channel kind declares: its own inventory export, read as counted stock. */
export interface StockFileFormat {
  /** What the file is, for help texts (`a Shopify inventory export`). */
  readonly label: string;
  /** Read and check the whole file (pure: no I/O); every bad row is listed, with line and column. */
  parse(text: string, onProgress?: ImportProgress): ParsedStock;
  /** Whether unknown SKUs can be created from the file first (`--create-items`: it fills `variants`). */
  readonly createsItems: boolean;
}

/** A whole number of units, either sign; `undefined` when the cell is not one. */
export function parseUnits(cell: string): number | undefined {
  const s = cell.trim();
  if (!/^[+-]?\d{1,10}$/.test(s)) return undefined;
  const n = Number(s);
  return Math.abs(n) <= ON_HAND_MAX ? n : undefined;
}
