// Live numbers: a screen's reads are polled every few seconds while the page is visible, and not
// at all while the tab is hidden (a dashboard left open in a background tab costs nothing).
// One request at a time per reader: the next starts only after the previous answered.

import { useCallback, useEffect, useRef, useState } from 'react';

/** How often the visible page refreshes its numbers. */
export const POLL_INTERVAL_MS = 3_000;

export interface Live<T> {
  data: T | undefined;
  /** The last refresh failed (the data shown is the last good one). */
  error: unknown;
  loading: boolean;
  /** Read again now (after a mutation). */
  refresh: () => void;
}

export function useLive<T>(load: () => Promise<T>, deps: readonly unknown[], intervalMs: number = POLL_INTERVAL_MS): Live<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const kick = useRef<() => void>(() => {});

  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    let again = false;
    // The last figures stay on screen until the new ones arrive (no flash of "Loading…" when a
    // filter or page size changes).
    setError(undefined);
    setLoading(true);

    const schedule = () => {
      clearTimeout(timer);
      if (alive && intervalMs > 0 && document.visibilityState === 'visible') timer = setTimeout(tick, intervalMs);
    };
    async function tick() {
      if (!alive) return;
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      clearTimeout(timer);
      try {
        const value = await loadRef.current();
        if (alive) {
          setData(value);
          setError(undefined);
        }
      } catch (err) {
        if (alive) setError(err);
      } finally {
        inFlight = false;
        if (alive) setLoading(false);
        if (again) {
          again = false;
          void tick();
        } else schedule();
      }
    }
    const onVisibility = () => {
      if (document.visibilityState === 'visible') void tick();
      else clearTimeout(timer);
    };
    kick.current = () => void tick();
    document.addEventListener('visibilitychange', onVisibility);
    void tick();
    return () => {
      alive = false;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [...deps, intervalMs]);

  const refresh = useCallback(() => kick.current(), []);
  return { data, error, loading, refresh };
}

/** Read once (reference data for pickers: locations, channels, SKUs); refreshed every minute. */
export function useOnce<T>(load: () => Promise<T>, deps: readonly unknown[] = []): Live<T> {
  return useLive(load, deps, 60_000);
}

/**
 * A list that keeps the documents the user just acted on, even once they stop matching the list
 * (a purchase order received in full closes itself and leaves "open"): the card — and what the
 * action said — stays on screen, showing its new state, until the user leaves the page.
 */
export function usePinned<T extends { id: string }>(rows: T[] | undefined): [T[], (doc: T | undefined) => void] {
  const [pinned, setPinned] = useState<Map<string, T>>(new Map());
  const pin = useCallback((doc: T | undefined) => doc && setPinned((m) => new Map(m).set(doc.id, doc)), []);
  const fetched = rows ?? [];
  const ids = new Set(fetched.map((r) => r.id));
  return [[...fetched, ...[...pinned.values()].filter((d) => !ids.has(d.id))], pin];
}
