// What a handler answers (status, headers, a JSON body) and what it is given.

import { badParam } from './errors.ts';

export type { HttpAnswer } from '../kit/index.ts';

/** A Marketplace API request as the handlers see it. */
export interface ApiRequest {
  method: string;
  /** Path parameters of the matched route. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body; undefined when there was none or it was not JSON (multipart feeds). */
  body: unknown;
  /** The raw body and its content type, for the multipart feed upload. */
  raw: Buffer;
  contentType: string;
}

/** A whole number from a query parameter, or the default when absent. */
export function intParam(query: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const v = query.get(name);
  if (v === null || v === '') return dflt;
  if (!/^\d+$/.test(v)) throw badParam(name, `${name} must be a whole number.`);
  const n = Number(v);
  if (n < min || n > max) throw badParam(name, `${name} must be from ${min} to ${max}.`);
  return n;
}
