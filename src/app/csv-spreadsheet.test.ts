import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell as catalogCell } from './bundle-import.ts';
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
    expect(spreadsheetCell("'=1")).toBe("''=1"); // already guarded: guarded again, so reading is exact
    expect(spreadsheetCell('\tx')).toBe("'\tx");
  });

  it('a guarded cell in any line is written with the guard, whatever the cell (property)', () => {
    fc.assert(fc.property(fc.constantFrom('=', '+', '-', '@', '\t', '\r'), fc.string(), (start, rest) => {
      expect(spreadsheetLine(['x', start + rest]).split(',').slice(1).join(',')).toMatch(/^"?'/);
    }));
  });

  it('every text reads back as itself: the reader takes the guard off again', () => {
    // A first fixed cell: a line of one empty cell is a blank line, which readers skip.
    fc.assert(fc.property(fc.array(fc.string(), { maxLength: 5 }).map((rest) => ['x', ...rest]), (cells) => {
      const [record] = readCsv(spreadsheetLine(cells));
      expect(record!.fields).toEqual(cells);
    }));
  });

  it('the bundle and listing exports guard their text cells the same way, and read back exactly', () => {
    expect(catalogCell('=1+1')).toBe("'=1+1");
    expect(catalogCell('-KIT')).toBe("'-KIT");
    expect(catalogCell(-2)).toBe('-2');
    fc.assert(fc.property(fc.array(fc.string(), { maxLength: 5 }).map((rest) => ['x', ...rest]), (cells) => {
      const [record] = readCsv(`${cells.map(catalogCell).join(',')}\n`);
      expect(record!.fields).toEqual(cells);
    }));
  });
});
