// eBay shows times as ISO 8601 UTC with milliseconds ("2026-11-23T10:00:00.000Z", the Fulfillment
// model's format), and counts its days — the revision limit per listing, the daily call limits —
// from midnight Pacific time (channels.md §4, a secondary source; see README "eBay's day").

export const iso = (ms: number) => new Date(ms).toISOString();

/** Milliseconds of an ISO 8601 date-time with a zone, or null when it does not parse. */
export function parseIso(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

export const EBAY_TIME_ZONE = 'America/Los_Angeles';
const pacificDate = new Intl.DateTimeFormat('en-CA', { timeZone: EBAY_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** eBay's calendar day of an instant, as "YYYY-MM-DD" in Pacific time (daylight saving included). */
export function ebayDay(ms: number): string {
  return pacificDate.format(new Date(ms));
}
