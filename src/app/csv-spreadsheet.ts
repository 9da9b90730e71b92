// CSV cells a spreadsheet opens as text, never as a formula. A SKU or a channel identifier comes
// from outside (an import, a channel): one that starts with `=`, `+`, `-`, `@`, a tab or a
// carriage return would run as a formula when the file is opened (OWASP "CSV injection"), so
// such a text cell is prefixed with a single quote (the CSV reader takes it off again, see
// FORMULA_START). Numbers are written as numbers: a stock level of -5 stays a number.

import { csvCell, FORMULA_START } from './csv.ts';

export function spreadsheetCell(value: string | number | boolean | null | undefined): string {
  if (typeof value === 'string' && FORMULA_START.test(value)) return csvCell(`'${value}`);
  return csvCell(value);
}

/** One record of spreadsheet-safe cells and its line end (LF). */
export const spreadsheetLine = (cells: readonly (string | number | boolean | null | undefined)[]): string => `${cells.map(spreadsheetCell).join(',')}\n`;
