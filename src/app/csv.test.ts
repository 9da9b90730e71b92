import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsv } from './csv.ts';

/** Write fields the way a spreadsheet does: quote when needed, double the quotes. */
const cell = (f: string) => (/[",\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f);

describe('readCsv', () => {
  it('reads plain, quoted and empty fields', () => {
    expect(readCsv('a,b,c\n1,"x, y",\n"he said ""hi""",,z')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, y', ''] },
      { line: 3, fields: ['he said "hi"', '', 'z'] },
    ]);
  });

  it('gives each record the line it starts on, across quoted newlines and any line end', () => {
    const text = 'h1,h2\r\n"two\r\nlines",x\r\n\r\nnext,"three\nmore\rlines"\rlast,1\n';
    expect(readCsv(text)).toEqual([
      { line: 1, fields: ['h1', 'h2'] },
      { line: 2, fields: ['two\r\nlines', 'x'] },
      { line: 5, fields: ['next', 'three\nmore\rlines'] },
      { line: 8, fields: ['last', '1'] },
    ]);
  });

  it('skips a BOM and blank lines, and takes a quote inside an unquoted field literally', () => {
    expect(readCsv('\ufeffsku\n\n\nPIPE-12,12" pipe\n')).toEqual([
      { line: 1, fields: ['sku'] },
      { line: 4, fields: ['PIPE-12', '12" pipe'] },
    ]);
  });

  it('reports a stray character after a closing quote and resumes on the next line', () => {
    expect(readCsv('a,"b"c,d\ne,f\n')).toEqual([
      { line: 1, fields: ['a', 'b'], error: 'unexpected "c" after the closing quote of field 2' },
      { line: 2, fields: ['e', 'f'] },
    ]);
  });

  it('reports an unclosed quote at the line it was opened on', () => {
    const [ok, bad] = readCsv('a,b\nc,"d\ne,f\n');
    expect(ok).toEqual({ line: 1, fields: ['a', 'b'] });
    expect(bad).toMatchObject({ line: 2, error: 'unclosed quote in field 2 (opened on line 2)' });
  });

  it('reads back whatever a spreadsheet writes, with the right start lines', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r\n', 'é', '1') });
    const record = fc.array(field, { minLength: 1, maxLength: 5 }).filter((r) => !(r.length === 1 && r[0] === ''));
    fc.assert(
      fc.property(fc.array(record, { maxLength: 20 }), fc.constantFrom('\n', '\r\n'), (records, eol) => {
        const lines = records.map((r) => r.map(cell).join(','));
        const text = lines.join(eol);
        let line = 1;
        const expected = records.map((fields, i) => {
          const at = line;
          line += (lines[i]!.match(/\r\n|\n|\r/g)?.length ?? 0) + 1;
          return { line: at, fields };
        });
        expect(readCsv(text)).toEqual(expected);
      }),
    );
  });
});
