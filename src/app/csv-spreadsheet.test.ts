import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsv } from './csv.ts';
import { spreadsheetCell, spreadsheetLine } from './csv-spreadsheet.ts';

describe('spreadsheet-safe CSV', () => {
  it('a text cell that would start a formula is prefixed; numbers and plain text are not', () => {
    expect(spreadsheetCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(spreadsheetCell('+1')).toBe("'+1");
    expect(spreadsheetCell('-2')).toBe("'-2");
    expect(spreadsheetCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(spreadsheetCell(-3)).toBe('-3');
    expect(spreadsheetCell('TEE-BLK-M')).toBe('TEE-BLK-M');
    expect(spreadsheetCell(null)).toBe('');
  });

  it('every text reads back as itself or, if it starts a formula, with one quote before it', () => {
    // A first fixed cell: a line of one empty cell is a blank line, which readers skip.
    fc.assert(fc.property(fc.array(fc.string(), { maxLength: 5 }).map((rest) => ['x', ...rest]), (cells) => {
      const [record] = readCsv(spreadsheetLine(cells));
      expect(record!.fields.map((f, i) => (/^[=+\-@\t\r]/.test(cells[i]!) ? f === `'${cells[i]}` : f === cells[i]))).toEqual(cells.map(() => true));
    }));
  });
});
