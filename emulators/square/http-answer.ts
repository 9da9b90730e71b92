// What a handler answers (status, headers, JSON body) and what it is given.

export type { HttpAnswer } from '../kit/index.ts';

/** A parsed Square API request as the handlers see it. */
export interface ApiRequest {
  method: string;
  /** Path parameters of the matched route. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body; undefined when there was none. */
  body: unknown;
}
