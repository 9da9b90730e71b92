// Cursor pagination for the list endpoints. A cursor is opaque to the client: it carries the
// offset of the next page and a fingerprint of the query, so a cursor replayed with another
// query is refused (INVALID_CURSOR) instead of silently paging through something else. Offsets
// over a list sorted newest-first can shift when counts change between pages, as Square's own
// "sorted by calculated_at" lists can; a client re-reads after a webhook rather than trusting one
// walk.

import { createHash } from 'node:crypto';
import { badRequest } from './errors.ts';

/**
 * Records per page whatever `limit` asks: Square staff said 1,000, a user then observed 100
 * (channels.md §5, unconfirmed), so the emulator takes the smaller and a client must follow cursors.
 */
export const PAGE_SIZE_MAX = 100;

export function fingerprint(query: unknown): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 16);
}

/** One page of `items` for `cursor` (undefined: the first), and the cursor of the next page if any. */
export function page<T>(items: T[], query: unknown, cursor: string | undefined, limit: number | undefined, sizes: { default: number; max: number } = { default: PAGE_SIZE_MAX, max: PAGE_SIZE_MAX }, field = 'cursor'): { items: T[]; cursor?: string } {
  const size = Math.min(limit ?? sizes.default, sizes.max);
  const fp = fingerprint(query);
  let offset = 0;
  if (cursor !== undefined && cursor !== '') {
    const parsed = decode(cursor);
    if (!parsed || parsed.q !== fp) throw badRequest('INVALID_CURSOR', 'The cursor is not one this query returned.', field);
    offset = parsed.o;
  }
  const slice = items.slice(offset, offset + size);
  const next = offset + size < items.length ? Buffer.from(JSON.stringify({ o: offset + size, q: fp })).toString('base64url') : undefined;
  return { items: slice, ...(next ? { cursor: next } : {}) };
}

function decode(cursor: string): { o: number; q: string } | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o: unknown; q: unknown };
    return Number.isSafeInteger(v.o) && (v.o as number) >= 0 && typeof v.q === 'string' ? { o: v.o as number, q: v.q } : null;
  } catch {
    return null;
  }
}
