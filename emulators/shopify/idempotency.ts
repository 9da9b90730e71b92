// The @idempotent key store. A key remembers the fingerprint of the first call's field and
// arguments and the answer it got — userErrors included, so a replay changes nothing and answers
// the same. Keys expire after a retention window (unconfirmed in Shopify's docs: a setting,
// default 24 h). A key whose attempt failed is remembered as failed: Shopify then wants a new key.

export type Remembered<T> =
  | { failed: false; fingerprint: string; answer: T; at: number }
  /** The key's attempt failed (an internal error): using the key again answers IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED. */
  | { failed: true; at: number };

export class IdempotencyStore<T> {
  private readonly keys = new Map<string, Remembered<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get(key: string): Remembered<T> | undefined {
    this.prune();
    return this.keys.get(key);
  }

  remember(key: string, fingerprint: string, answer: T): void {
    this.keys.delete(key);
    this.keys.set(key, { failed: false, fingerprint, answer, at: this.now() });
  }

  /** The attempt made with `key` failed: nothing was applied, and the key cannot be used again. */
  fail(key: string): void {
    this.keys.delete(key);
    this.keys.set(key, { failed: true, at: this.now() });
  }

  /** Keys are kept in insertion order, so expired ones are at the front. */
  private prune(): void {
    const oldest = this.now() - this.ttlMs;
    for (const [key, r] of this.keys) {
      if (r.at >= oldest) break;
      this.keys.delete(key);
    }
  }
}

/** A JSON text with sorted keys, so two equal argument objects give the same fingerprint. */
export function fingerprintOf(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}
