// A small hash router: `#/items/TEE-BLK-M?tab=x`. Hash routes need nothing from the server beyond
// index.html at `/`, and a link is a plain <a href> (keyboard, middle-click and history for free).

import { useSyncExternalStore } from 'react';
import { queryString, type Query } from './api.ts';

export interface Location {
  path: string;
  query: URLSearchParams;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  return { path: path.startsWith('/') ? path : `/${path}`, query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

/** The current hash, re-rendering on change. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}

/** `/items/:sku` against `/items/TEE-BLK-M` → `{sku: 'TEE-BLK-M'}`, or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null;
      }
    } else if (w !== g) return null;
  }
  return params;
}

/** The href of a route: `href('/items/' + seg(sku))`, `href('/exceptions', {sku})`. */
export function href(path: string, query?: Query): string {
  return `#${path}${queryString(query)}`;
}

export function navigate(path: string, query?: Query): void {
  window.location.hash = href(path, query).slice(1);
}
