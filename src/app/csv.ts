// A small RFC 4180 reader that knows where each record starts.
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

export interface CsvRecord {
  /** 1-based line the record starts on. */
  line: number;
  fields: string[];
  /** Set when the record could not be read; `fields` then holds what was read before the fault. */
  error?: string;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

export function readCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
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
        let value = '';
        let j = i + 1;
        let closed = false;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === QUOTE) {
            if (text.charCodeAt(j + 1) === QUOTE) {
              value += '"';
              j += 2;
              continue;
            }
            closed = true;
            j++;
            break;
          }
          if (c === LF || (c === CR && text.charCodeAt(j + 1) !== LF)) line++;
          // Take a run of ordinary characters at once.
          let k = j + 1;
          while (k < n) {
            const d = text.charCodeAt(k);
            if (d === QUOTE || d === LF || d === CR) break;
            k++;
          }
          value += text.slice(j, k);
          j = k;
        }
        if (!closed) {
          error = `unclosed quote in field ${fields.length + 1} (opened on line ${opened})`;
          fields.push(value);
          i = n;
          break;
        }
        fields.push(value);
        i = j;
        const after = text.charCodeAt(i);
        if (i >= n) break;
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
    if (!blank) records.push(error ? { line: start, fields, error } : { line: start, fields });
  }
  return records;
}
