// What a handler answers (the kit's HttpAnswer: status, headers, a JSON body or, for the emulated
// S3, raw text) and what it is given.

export type { HttpAnswer } from '../kit/index.ts';

/** A parsed SP-API request as the handlers see it. */
export interface ApiRequest {
  method: string;
  /** Path parameters of the matched route. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body; undefined when there was none. */
  body: unknown;
  /** The origin the caller reached the emulator at, for the document URLs it hands out. */
  origin: string;
}

/** A comma-separated list parameter (the models' collectionFormat csv), or undefined when absent. */
export function csv(query: URLSearchParams, name: string): string[] | undefined {
  const all = query.getAll(name);
  if (all.length === 0) return undefined;
  return all.flatMap((v) => v.split(',')).filter((v) => v !== '');
}
