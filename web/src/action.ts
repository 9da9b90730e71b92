// A user action that mutates: one Idempotency-Key per action. If the request never got a
// definite answer (network error, 5xx) and the user tries the same thing again, the same key is
// sent, so the server replays the first outcome instead of doing it twice. A changed request,
// or any definite answer (success or refusal), takes a new key.

import { useCallback, useRef, useState } from 'react';
import { api, ApiError, describeError, newIdempotencyKey, NetworkError } from './api.ts';

type Method = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Action {
  busy: boolean;
  /** The last attempt's error, as one line (with the field at fault), or null. */
  error: string | null;
  /** The last success message, or null. */
  done: string | null;
  run<T>(method: Method, path: string, body: unknown, onOk?: (res: T) => string | void): Promise<T | undefined>;
  /** Show a mistake caught before sending (nothing entered). */
  reject(message: string): void;
  clear(): void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const last = useRef<{ key: string; fingerprint: string; uncertain: boolean } | null>(null);

  const run = useCallback(async <T,>(method: Method, path: string, body: unknown, onOk?: (res: T) => string | void): Promise<T | undefined> => {
    const fingerprint = `${method} ${path} ${JSON.stringify(body ?? null)}`;
    const key = last.current?.uncertain && last.current.fingerprint === fingerprint ? last.current.key : newIdempotencyKey();
    last.current = { key, fingerprint, uncertain: true };
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const res = await api.send<T>(method, path, body, key);
      last.current.uncertain = false;
      const msg = onOk?.(res);
      setDone(typeof msg === 'string' ? msg : null);
      return res;
    } catch (err) {
      const uncertain = err instanceof NetworkError || (err instanceof ApiError && err.status >= 500);
      last.current = { key, fingerprint, uncertain };
      setError(describeError(err) + (uncertain ? ' — trying again is safe' : ''));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);

  const clear = useCallback(() => {
    setError(null);
    setDone(null);
  }, []);
  const reject = useCallback((message: string) => {
    setDone(null);
    setError(message);
  }, []);
  return { busy, error, done, run, reject, clear };
}
