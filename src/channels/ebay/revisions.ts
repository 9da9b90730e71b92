// eBay's revision limit: each listing can be revised at most 250 times per calendar day
// (channels.md §4), and every quantity change through `bulk_update_price_quantity` is a revision.
// A listing that sells all day on every channel would run into it, and eBay would then refuse its
// updates until the day ends — leaving it showing stock that may be gone.
//
// So the connector counts revisions per listing per eBay day and spends them so they last, and
// so that what it holds back is never stock that is gone:
// - a few revisions a day are kept back (`EBAY_REVISIONS_KEPT_BACK`) for one purpose: a listing
//   whose number falls to 0 (sold out elsewhere) after the rest is spent still gets it;
// - a number lower than what eBay shows goes at once while the allowance lasts: holding it would
//   leave eBay selling units that are gone;
// - a higher (or unknown) number spends the first half of the allowance as it comes; past that
//   the listing's raises are paced, spread evenly over what is left of the day: a raise that comes
//   sooner is held (`not_applied` until the listing's next slot). A held listing's later numbers
//   replace the held one in the outbox (it keeps one number per listing), so when the slot comes
//   the newest number goes — nothing is lost, only coalesced; a held raise shows less than
//   truestock has, never more;
// - an allowance used up holds the listing until the day ends (a sell-out still goes, from the
//   kept-back few); so does eBay refusing a revision for the limit itself (its count may include
//   edits made elsewhere).
//
// The day is eBay's: its limits reset at midnight Pacific time (channels.md §4 "Rate limits";
// a secondary source — the safer reading, as Pacific midnight comes after UTC midnight, never
// lets a new UTC day spend what eBay still counts to the old one).
//
// Counts live in the connector's memory, not the store (a connector never touches the store). A
// restart forgets the day's counts: the listing may then be revised up to its allowance again,
// and if that passes eBay's limit, eBay's refusal is recognised and held (push.ts) rather than
// dead-lettered. The cost is at most one day's allowance kept back, so memory suffices for one
// worker. Several workers pushing one channel each count only their own pushes: a listing pushed
// by two of them can reach eBay's own limit, which is then recognised and held as above (raises
// and lowerings alike until the day ends). Sharing the counts would take a store table written by
// the dispatcher (a kind-agnostic `listing_revisions`), which this kind does not add yet.

/** The time zone of eBay's calendar day. */
export const EBAY_DAY_TIME_ZONE = 'America/Los_Angeles';
/** Revisions per listing per day kept back for a listing that sells out after the rest is spent. */
export const EBAY_REVISIONS_KEPT_BACK = 10;
/** Past this share of the allowance, a listing's raises are spread over the rest of the day. */
export const EBAY_REVISIONS_PACED_SHARE = 0.5;
/** Listings remembered at most (those not revised today are dropped first). */
export const EBAY_REVISION_LISTINGS_MAX = 200_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const dayFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: EBAY_DAY_TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

function localParts(ms: number): { day: string; hour: number; minute: number; second: number } {
  const p = Object.fromEntries(dayFormat.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { day: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour), minute: Number(p.minute), second: Number(p.second) };
}

/** eBay's calendar day of a moment (`YYYY-MM-DD`, Pacific time). */
export const ebayDay = (ms: number): string => localParts(ms).day;

/** When eBay's day of `ms` ends (the next Pacific midnight, ms), daylight saving included. */
export function ebayDayEnd(ms: number): number {
  const p = localParts(ms);
  const start = ms - (((p.hour * 60 + p.minute) * 60 + p.second) * 1000 + (((ms % 1000) + 1000) % 1000));
  // A day is 23 or 25 hours when the clocks change: correct by the hour the guess lands on.
  const guess = start + DAY_MS;
  const h = localParts(guess).hour;
  return guess - (h >= 12 ? h - 24 : h) * HOUR_MS;
}

interface Count {
  day: string;
  used: number;
  lastAt: number;
  /** eBay refused for the limit: nothing more this day. */
  exhausted: boolean;
}

/** The revision limit as the channel's status shows it (kind-agnostic `LimitReport`). */
export interface RevisionReport {
  name: 'revisions';
  /** Revisions per listing per day truestock lets itself use. */
  per_listing_per_day: number;
  /** From this many a listing's revisions are paced. */
  paced_from: number;
  /** Listings whose pushes are held now (paced, or their allowance used up). */
  held: number;
  /** Listings paced today. */
  paced: number;
  /** Listings whose allowance is used up today. */
  exhausted: number;
  /** The most revisions one listing has had today. */
  max_used: number;
  /** When the day's counts reset (ms). */
  resets_at: number;
}

/** What a revision does to the number eBay shows (see the header). */
export type RevisionChange = 'raise' | 'lower' | 'sell_out';

export class RevisionLimit {
  readonly #counts = new Map<string, Count>();
  /** Revisions a day for every change; the rest of `limit` only for a sell-out. */
  readonly allowance: number;
  readonly pacedFrom: number;

  /** `limit`: eBay's revisions per listing per day (250 unless the settings lower it). */
  constructor(readonly limit: number) {
    this.allowance = Math.max(1, limit - EBAY_REVISIONS_KEPT_BACK);
    this.pacedFrom = Math.floor(this.allowance * EBAY_REVISIONS_PACED_SHARE);
  }

  #today(key: string, now: number): Count | null {
    const c = this.#counts.get(key);
    return c && c.day === ebayDay(now) ? c : null;
  }

  /**
   * When `key` may be revised next (≤ now: now), for a change that raises the number (or may:
   * unknown), lowers it, or sells the listing out (to 0).
   */
  nextAt(key: string, now: number, change: RevisionChange = 'raise'): number {
    const c = this.#today(key, now);
    if (!c) return now;
    const end = ebayDayEnd(now);
    if (c.exhausted) return end;
    if (change === 'sell_out' && c.used < this.limit) return now;
    if (c.used >= this.allowance) return end;
    if (change !== 'raise' || c.used < this.pacedFrom) return now;
    // The rest of the allowance spread evenly from the last revision to the day's end.
    const left = this.allowance - c.used;
    return Math.max(now, Math.ceil(c.lastAt + (end - c.lastAt) / (left + 1)));
  }

  /** eBay took a revision of `key`. */
  record(key: string, now: number): void {
    const c = this.#today(key, now) ?? { day: ebayDay(now), used: 0, lastAt: now, exhausted: false };
    c.used++;
    c.lastAt = now;
    this.#counts.delete(key);
    this.#counts.set(key, c); // most recent last, so the oldest are dropped first
    if (this.#counts.size > EBAY_REVISION_LISTINGS_MAX) this.#counts.delete(this.#counts.keys().next().value!);
  }

  /** eBay refused a revision of `key` for the daily limit: held until the day ends. */
  exhaust(key: string, now: number): void {
    const c = this.#today(key, now) ?? { day: ebayDay(now), used: this.allowance, lastAt: now, exhausted: true };
    c.exhausted = true;
    this.#counts.set(key, c);
  }

  /** Revisions `key` has had today. */
  used(key: string, now: number): number {
    return this.#today(key, now)?.used ?? 0;
  }

  report(now: number): RevisionReport {
    const day = ebayDay(now);
    let held = 0;
    let paced = 0;
    let exhausted = 0;
    let maxUsed = 0;
    for (const [key, c] of this.#counts) {
      if (c.day !== day) continue;
      maxUsed = Math.max(maxUsed, c.used);
      if (c.exhausted || c.used >= this.allowance) exhausted++;
      else if (c.used >= this.pacedFrom) paced++;
      if (this.nextAt(key, now) > now) held++;
    }
    return { name: 'revisions', per_listing_per_day: this.allowance, paced_from: this.pacedFrom, held, paced, exhausted, max_used: maxUsed, resets_at: ebayDayEnd(now) };
  }
}
