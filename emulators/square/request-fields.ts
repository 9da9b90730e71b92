// Checks on the fields of a Square API request body, each refusing with the model's error codes
// and naming the field (`changes[3].adjustment.quantity`), the way Square's own errors do.

import { badRequest } from './errors.ts';

export type Json = Record<string, unknown>;

export function objectBody(body: unknown): Json {
  if (body === undefined) throw badRequest('EXPECTED_JSON_BODY', 'The request needs a JSON body.');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('EXPECTED_OBJECT', 'The body must be a JSON object.');
  return body as Json;
}

export function object(v: unknown, field: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest('EXPECTED_OBJECT', `Expected \`${field}\` to be an object.`, field);
  return v as Json;
}

export function optionalString(v: unknown, field: string, maxLength = 255): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw badRequest('EXPECTED_STRING', `Expected \`${field}\` to be a string.`, field);
  if (v.length > maxLength) throw badRequest('VALUE_TOO_LONG', `\`${field}\` must be at most ${maxLength} characters.`, field);
  return v;
}

export function requiredString(v: unknown, field: string, maxLength = 255): string {
  const s = optionalString(v, field, maxLength);
  if (s === null) throw badRequest('MISSING_REQUIRED_PARAMETER', `Missing required parameter \`${field}\`.`, field);
  if (s === '') throw badRequest('VALUE_EMPTY', `\`${field}\` must not be empty.`, field);
  return s;
}

export function optionalBoolean(v: unknown, field: string): boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'boolean') throw badRequest('EXPECTED_BOOLEAN', `Expected \`${field}\` to be a boolean.`, field);
  return v;
}

export function optionalStringArray(v: unknown, field: string): string[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw badRequest('EXPECTED_ARRAY', `Expected \`${field}\` to be an array.`, field);
  v.forEach((s, i) => {
    if (typeof s !== 'string') throw badRequest('EXPECTED_STRING', `Expected \`${field}[${i}]\` to be a string.`, `${field}[${i}]`);
  });
  return v as string[];
}

export function optionalEnumArray(v: unknown, field: string, allowed: readonly string[]): string[] | null {
  const a = optionalStringArray(v, field);
  a?.forEach((s, i) => {
    if (!allowed.includes(s)) throw badRequest('INVALID_ENUM_VALUE', `\`${field}[${i}]\` must be one of ${allowed.join(', ')}.`, `${field}[${i}]`);
  });
  return a;
}

/** The model's `limit`: an integer from 1 to 1000. */
export function optionalLimit(v: unknown, field = 'limit'): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Number.isSafeInteger(v)) throw badRequest('EXPECTED_INTEGER', `Expected \`${field}\` to be an integer.`, field);
  if ((v as number) < 1) throw badRequest('VALUE_TOO_LOW', `\`${field}\` must be at least 1.`, field);
  if ((v as number) > 1000) throw badRequest('VALUE_TOO_HIGH', `\`${field}\` must be at most 1000.`, field);
  return v as number;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** An RFC 3339 timestamp in ms, or null when absent. */
export function optionalTime(v: unknown, field: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw badRequest('EXPECTED_STRING', `Expected \`${field}\` to be a string.`, field);
  const ms = RFC3339.test(v) ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(ms)) throw badRequest('INVALID_TIME', `\`${field}\` must be an RFC 3339 timestamp.`, field);
  return ms;
}

/** JSON with object keys sorted: two bodies that differ only in key order are the same request. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value as Json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : value,
  );
}
