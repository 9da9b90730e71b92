// A small RFC 4180 reader that knows where each record starts, and the matching writer.
//
// Why not csv-parse: an import must name the line of EVERY bad row, and a record whose quoted
// field holds a newline starts on one line and ends on another. csv-parse only reports where a
// record ends, and after a stray quote it resynchronises by swallowing the following good
// records without a word. Here a malformed record is reported at the line it starts on and
// reading resumes at the next line, so one typo costs one error, not the rest of the file.
//
// Accepted: `,` separators; LF, CRLF or CR line ends; a leading UTF-8 BOM; `""` inside quoted
// fields; a `"` inside an unquoted field is taken literally (`12" pipe`, as spreadsheets write it).
// Blank lines are skipped.
//
// `scanCsv` hands each record to a visitor as it is read, so a million-row import keeps no array
// of records alive (the records would outlive a young-generation GC and cost seconds to promote);
// `readCsv` collects them for callers that want the list.

export interface CsvRecord {
  /** 1-based line the record starts on. */
  line: number;
  fields: string[];
  /** Set when the record could not be read; `fields` then holds what was read before the fault. */
  error?: string;
}

/**
 * Called once per record, in file order. `fields` is a new array the visitor may keep. Return
 * `false` to stop reading.
 */
export type CsvVisitor = (fields: string[], line: number, error: string | undefined) => void | boolean;

const QUOTE = 34;
const APOSTROPHE = 39;

/**
 * A text cell a spreadsheet would run as a formula (OWASP "CSV injection"): one starting with
 * `=`, `+`, `-`, `@`, a tab or a carriage return — or such a cell already guarded by quotes
 * (`'=…`), so that guarding stays reversible. Exports prefix such a cell with one `'`
 * (csv-spreadsheet.ts); the reader takes that one `'` off again, so our own exports import back
 * unchanged. The price: a hand-written cell `'=x` is read as `=x`.
 */
export const FORMULA_START = /^'*[=+\-@\t\r]/;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** Read `text` record by record. Blank lines are skipped; a broken record is reported, not thrown. */
export function scanCsv(text: string, visit: CsvVisitor): void {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;

  /** Past the line end at `j` (LF, CRLF or CR); returns the index after it. */
  const skipLineEnd = (j: number): number => (text.charCodeAt(j) === CR && text.charCodeAt(j + 1) === LF ? j + 2 : j + 1);

  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let error: string | undefined;

    // One record: fields until a line end outside quotes, or the end of the text.
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        const opened = line;
        // The value is built from slices only when a doubled quote interrupts it; most quoted
        // fields ("Bolt, 12 mm") are one slice of the text.
        let value = '';
        let from = i + 1;
        let j = i + 1;
        let closed = false;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === QUOTE) {
            if (text.charCodeAt(j + 1) === QUOTE) {
              value += text.slice(from, j + 1);
              j += 2;
              from = j;
              continue;
            }
            closed = true;
            break;
          }
          if (c === LF || (c === CR && text.charCodeAt(j + 1) !== LF)) line++;
          j++;
        }
        value += text.slice(from, j);
        if (!closed) {
          error = `unclosed quote in field ${fields.length + 1} (opened on line ${opened})`;
          fields.push(value);
          i = n;
          break;
        }
        fields.push(value);
        i = j + 1;
        if (i >= n) break;
        const after = text.charCodeAt(i);
        if (after === COMMA) {
          i++;
          continue;
        }
        if (after === LF || after === CR) {
          line++;
          i = skipLineEnd(i);
          break;
        }
        error = `unexpected ${JSON.stringify(text[i])} after the closing quote of field ${fields.length}`;
        // Resume at the next line end: the rest of this line belongs to the broken record.
        while (i < n && text.charCodeAt(i) !== LF && text.charCodeAt(i) !== CR) i++;
        if (i < n) {
          line++;
          i = skipLineEnd(i);
        }
        break;
      }

      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === COMMA || c === LF || c === CR) break;
        j++;
      }
      fields.push(text.slice(i, j));
      i = j;
      if (i >= n) break;
      if (text.charCodeAt(i) === COMMA) {
        i++;
        continue;
      }
      line++;
      i = skipLineEnd(i);
      break;
    }

    const blank = !error && fields.length === 1 && fields[0] === '';
    if (blank) continue;
    for (let k = 0; k < fields.length; k++) {
      if (fields[k]!.charCodeAt(0) === APOSTROPHE && FORMULA_START.test(fields[k]!)) fields[k] = fields[k]!.slice(1);
    }
    if (visit(fields, start, error) === false) return;
  }
}

/** Every record of `text`, in order. */
export function readCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  scanCsv(text, (fields, line, error) => {
    records.push(error ? { line, fields, error } : { line, fields });
  });
  return records;
}

/** One cell as a spreadsheet writes it: quoted when it holds a comma, a quote or a line end. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  // A leading quote must be quoted too, or the reader would take the cell for a quoted field.
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One record and its line end (LF). */
export const csvLine = (cells: readonly (string | number | boolean | null | undefined)[]): string => `${cells.map(csvCell).join(',')}\n`;

/** A row of empty or blank cells (spreadsheets leave them at the end): not a row at all. */
export function isEmptyRow(fields: string[]): boolean {
  for (const f of fields) if (f !== '' && f.trim() !== '') return false;
  return true;
}

/** Line ends in `text`: the progress total, before the file is read. */
export function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.length > 0 && !text.endsWith('\n') ? n + 1 : n;
}

/** Bad rows an import reports at most; the rest are counted ("and 1,234 more"). */
export const IMPORT_ERRORS_REPORTED_MAX = 1_000;

/** A bad row: its line (the header is line 1), the column at fault when there is one, and why. */
export interface RowError {
  line: number;
  column?: string;
  reason: string;
}

/** Bad rows as they are found: the first `max` kept, all of them counted. */
export class RowErrors {
  readonly list: RowError[] = [];
  count = 0;
  constructor(readonly max: number = IMPORT_ERRORS_REPORTED_MAX) {}

  add(line: number, reason: string, column?: string): void {
    this.count++;
    if (this.list.length < this.max) this.list.push(column === undefined ? { line, reason } : { line, column, reason });
  }

  /** Take errors found out of line order (lookups done column by column), keeping the first by line. */
  addAll(errors: RowError[]): void {
    for (const e of [...errors].sort((a, b) => a.line - b.line)) this.add(e.line, e.reason, e.column);
  }
}

/** Bad rows from two checks (the file, then the catalog) as one report, by line. */
export function mergeErrors(a: { list: RowError[]; count: number }, b: { list: RowError[]; count: number }): RowErrors {
  const out = new RowErrors();
  out.addAll([...a.list, ...b.list]);
  // Rows beyond the listed ones were counted by their checks but not kept.
  out.count = a.count + b.count;
  return out;
}

/** The words a yes/no cell may hold; an empty cell is no. */
export function parseFlag(cell: string): boolean | undefined {
  const word = cell.trim().toLowerCase();
  if (word === 'true' || word === '1' || word === 'yes') return true;
  if (word === 'false' || word === '0' || word === 'no' || word === '') return false;
  return undefined;
}

/**
 * The first row of each key (a SKU, a barcode, a SKU at a location), for duplicate checks over a
 * million rows. A JavaScript Map of a million strings costs ~0.7 s here, most of it in rehashing
 * as it grows; this open-addressing table over typed arrays does the same in under 0.1 s.
 */
export class KeyIndex {
  private keys: string[] = [];
  private values: number[] = [];
  private hashes: Int32Array;
  private slots: Int32Array;
  private mask: number;

  constructor(expected = 1_024) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.slots = new Int32Array(capacity);
    this.hashes = new Int32Array(capacity / 2);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.keys.length;
  }

  /** FNV-1a over UTF-16 code units. */
  private static hash(key: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    return h;
  }

  /** The value stored under `key`, or -1. */
  get(key: string): number {
    let p = KeyIndex.hash(key) & this.mask;
    for (;;) {
      const e = this.slots[p]!;
      if (e === 0) return -1;
      if (this.keys[e - 1] === key) return this.values[e - 1]!;
      p = (p + 1) & this.mask;
    }
  }

  /** Store `value` under `key` unless the key is there already; returns the value already stored, or -1. */
  add(key: string, value: number): number {
    const h = KeyIndex.hash(key);
    let p = h & this.mask;
    for (;;) {
      const e = this.slots[p]!;
      if (e === 0) break;
      if (this.keys[e - 1] === key) return this.values[e - 1]!;
      p = (p + 1) & this.mask;
    }
    const n = this.keys.length;
    if (n >= this.hashes.length) {
      this.grow();
      return this.add(key, value);
    }
    this.keys.push(key);
    this.values.push(value);
    this.hashes[n] = h;
    this.slots[p] = n + 1;
    return -1;
  }

  /** Double the table (kept at most half full, so probes stay short). */
  private grow(): void {
    const capacity = this.slots.length * 2;
    this.slots = new Int32Array(capacity);
    const hashes = new Int32Array(capacity / 2);
    hashes.set(this.hashes);
    this.hashes = hashes;
    this.mask = capacity - 1;
    for (let e = 0; e < this.keys.length; e++) {
      let p = hashes[e]! & this.mask;
      while (this.slots[p] !== 0) p = (p + 1) & this.mask;
      this.slots[p] = e + 1;
    }
  }
}
