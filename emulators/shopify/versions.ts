// The Admin API versions the emulator answers, and the behaviour switches tied to them.

export const API_VERSIONS = ['2025-10', '2026-01', '2026-04', '2026-07', '2026-10', 'unstable'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

export const isApiVersion = (v: string): v is ApiVersion => (API_VERSIONS as readonly string[]).includes(v);

/** True when `v` is `since` or newer; `unstable` is newer than every dated version. */
export function atLeast(v: ApiVersion, since: Exclude<ApiVersion, 'unstable'>): boolean {
  return v === 'unstable' || v >= since;
}

/** From 2026-04 every quantity must carry changeFromQuantity, and @idempotent is required. */
export const STRICT_CONCURRENCY_SINCE = '2026-04';

/**
 * From 2026-07 the schema no longer has `compareQuantity` / `ignoreCompareQuantity` (absent from
 * the stored 2026-07 introspection; deprecated since 2025-10/2026-01, exact removal unconfirmed).
 */
export const COMPARE_QUANTITY_REMOVED_SINCE = '2026-07';

/**
 * From 2026-10 a quantity can be set at any location: `ITEM_NOT_STOCKED_AT_LOCATION` is gone from
 * the enum and setting a quantity where the item is not stocked stocks it there.
 */
export const STOCK_ANYWHERE_SINCE = '2026-10';

/** The version stamped on webhook deliveries (X-Shopify-API-Version). */
export const WEBHOOK_API_VERSION: ApiVersion = '2026-10';
