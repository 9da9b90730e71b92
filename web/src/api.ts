// The one small API client. Every call goes to the same origin under /v1 with the session cookie
// (HttpOnly: this code never sees it); no key is ever put in a URL or in storage. Mutations carry
// an Idempotency-Key — one per user action — which is also what keeps a cross-site form from
// posting with the cookie (a custom header needs a same-origin request).

export type Role = 'read' | 'operate' | 'admin';

export interface Session {
  /** null for the server administrator, who belongs to no workspace (docs/workspaces.md). */
  workspace: { id: string; name: string } | null;
  role: Role;
  principal: { kind: 'api_key' | 'user' | 'server_admin'; id: string; name: string };
  /** Signed in with a server admin key: the Workspaces page is all there is. */
  server_admin?: boolean;
}

/** An RFC 9457 problem as truestock sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  field?: string;
  [extra: string]: unknown;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string | undefined {
    return this.problem.code;
  }
}

/** The request never got an answer (network down, server restarting): safe to retry with the same key. */
export class NetworkError extends Error {}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

const unauthorizedListeners = new Set<() => void>();
/** Called when a request answers 401: the session ended (expired, signed out elsewhere). */
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/** A random UUID; crypto.randomUUID exists only in secure contexts (a LAN address over http is not one). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

async function request<T>(method: Method, path: string, opts: { query?: Query; body?: unknown; text?: { body: string; type: string }; idempotencyKey?: string; quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.text) headers['content-type'] = opts.text.type;
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  let res: Response;
  try {
    res = await fetch(`/v1${path}${queryString(opts.query)}`, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : opts.text ? { body: opts.text.body } : {}),
    });
  } catch (err) {
    throw new NetworkError(`could not reach the server (${(err as Error).message})`);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const problem: Problem = json && typeof json === 'object' ? { ...(json as Problem), status: res.status } : { status: res.status, detail: text.slice(0, 200) || res.statusText };
    // A suspended workspace ends the session the same way: every screen would be refused.
    if ((res.status === 401 || problem.code === 'workspace_suspended') && !opts.quiet401) for (const fn of unauthorizedListeners) fn();
    throw new ApiError(problem);
  }
  return json as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, { query }),
  /** A mutation: `key` is the action's Idempotency-Key (a retry of the same action reuses it). */
  send: <T>(method: Exclude<Method, 'GET'>, path: string, body: unknown, key: string) => request<T>(method, path, { body, idempotencyKey: key }),
  /** A file as the request body (a CSV import), with the action's Idempotency-Key. */
  upload: <T>(path: string, file: { body: string; type: string }, key: string, query?: Query) => request<T>('POST', path, { text: file, idempotencyKey: key, query }),

  session: {
    current: () => request<Session>('GET', '/session', { quiet401: true }),
    signIn: (creds: { api_key: string } | { email: string; password: string }) => request<Session>('POST', '/session', { body: creds, quiet401: true }),
    signOut: () => request<void>('DELETE', '/session', { quiet401: true }),
  },
};

/** Path segment, escaped (SKUs may hold `/` or spaces). */
export const seg = (s: string) => encodeURIComponent(s);

/** Every page of a list, up to `max` rows (for small lists: locations, channels, SKUs for a picker). */
export async function all<T>(path: string, query: Query = {}, max = 2_000): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await api.get<Page<T>>(path, { ...query, limit: 500, cursor });
    rows.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor && rows.length < max);
  return rows;
}

/** A one-line message for any error, with the field at fault. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const p = err.problem;
    const what = p.detail ?? p.title ?? `HTTP ${p.status}`;
    return p.field && !what.includes(p.field) ? `${p.field}: ${what}` : what;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
