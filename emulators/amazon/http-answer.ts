// What a handler answers: status, headers, and a JSON body (or raw text for the emulated S3).

export interface HttpAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Sent as is instead of JSON (S3 documents and errors). */
  text?: string;
}

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
