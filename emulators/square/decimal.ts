// Square quantities are decimal strings with up to 5 digits after the point. Arithmetic on them
// is exact: a quantity is held as a BigInt count of 1/100000 units, so a long run of sales and
// counts never drifts the way binary floats would.

/** Digits Square accepts after the decimal point. */
export const QUANTITY_DECIMALS_MAX = 5;
const SCALE = 10n ** BigInt(QUANTITY_DECIMALS_MAX);
const DECIMAL = /^-?\d{1,18}(\.\d{1,5})?$/;

/** A quantity in 1/100000 units. */
export type Units = bigint;

/** The units of a decimal string, or null when it is not one Square takes. */
export function parseQuantity(text: unknown): Units | null {
  if (typeof text !== 'string' || !DECIMAL.test(text)) return null;
  const negative = text.startsWith('-');
  const [whole, frac = ''] = (negative ? text.slice(1) : text).split('.');
  const units = BigInt(whole!) * SCALE + BigInt(frac.padEnd(QUANTITY_DECIMALS_MAX, '0'));
  return negative ? -units : units;
}

/** The decimal string of `units`, without trailing zeros ("53", "2.5", "-1"). */
export function formatQuantity(units: Units): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / SCALE;
  const frac = (abs % SCALE).toString().padStart(QUANTITY_DECIMALS_MAX, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** Units of a number of items (rounded to 1/100000). */
export const unitsOf = (n: number): Units => BigInt(Math.round(n * Number(SCALE)));

/**
 * A quantity as the in-process methods take it: items as a number, a decimal string, or units
 * (a bigint of 1/100000 items, e.g. from `unitsOf`). The control endpoints take the first two.
 */
export type Quantity = number | string | Units;

/** The units of a quantity, or null when it is not one (more than 5 decimals, not finite). */
export function quantityUnits(q: unknown): Units | null {
  if (typeof q === 'bigint') return q;
  return typeof q === 'number' ? (Number.isFinite(q) ? parseQuantity(String(q)) : null) : parseQuantity(q);
}
