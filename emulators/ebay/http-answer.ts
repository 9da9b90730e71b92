// What a handler answers (status, headers, JSON body) and what it is given.

export type { HttpAnswer } from '../kit/index.ts';

/** A parsed eBay API request as the handlers see it. */
export interface ApiRequest {
  method: string;
  /** Path parameters of the matched route, decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The query string exactly as sent (the Fulfillment filter must arrive percent-encoded). */
  rawQuery: string;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** Parsed JSON body; undefined when there was none. */
  body: unknown;
  /** The origin the caller reached the emulator at, for the hrefs it hands out. */
  origin: string;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
