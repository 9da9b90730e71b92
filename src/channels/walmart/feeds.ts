// The bulk inventory feed (channels.md §3 "Inventory"): for many listings at once, one
// `POST /v3/feeds?feedType=inventory` with the file (spec 1.4, JSON) as the multipart field
// `file`, answered `{feedId}`; Walmart applies it later (about 30 minutes), and
// `GET /v3/feeds/{feedId}?includeDetails=true` says where it stands: RECEIVED → INPROGRESS →
// PROCESSED | ERROR, with each item's ingestion status.
//
// - At most WALMART_FEEDS_PER_HOUR feeds in any rolling hour (the documented 10 an hour), counted
//   by `FeedWindow` when sent: whether Walmart counts a fixed clock hour, a rolling one or a
//   refilling bucket, this never gets a 429 from the feed limit. A channel's window is shared by
//   every connector made for its credentials, so a reconnect does not forget what it sent.
// - An item counts as pushed when its feed is PROCESSED and the item's status is SUCCESS: that is
//   Walmart saying it applied the number, as Amazon's processing report does (the reconciler's
//   read-backs still check what Walmart shows afterwards). DATA_ERROR: the item would fail again
//   as it is — rejected (parked). SYSTEM_ERROR, TIMEOUT_ERROR, an item still INPROGRESS or not in
//   the details at all: not applied, pushed again. A feed in ERROR applied nothing: every item
//   is pushed again.
// - Item details come 50 a page (the model's `limit`). A feed whose counts say every item
//   succeeded is settled from its first page; otherwise one page is read per check (one call, the
//   one the dispatcher charged), the statuses gathered until every page was read.

import { createHash } from 'node:crypto';
import type { Clock } from '../../app/clock.ts';
import type { ItemOutcome, PushItem, SubmissionResult } from '../../sync/connector.ts';
import { segment, type WalmartApi, type WalmartFailure } from './client.ts';

/** Walmart's feed limit (channels.md §3: 10 feeds/hour). */
export const WALMART_FEEDS_PER_HOUR = 10;
/** The window the feed limit counts in, with a minute of slack for calls that arrive late. */
export const FEED_WINDOW_MS = 61 * 60_000;
/**
 * Items one feed carries. Walmart's maximum for inventory feeds is unconfirmed (item feeds: 10,000)
 * and a file may be 5 MB; 1,000 items is ~70 KB and 20 detail pages when items fail.
 */
export const WALMART_FEED_ITEMS_MAX = 1_000;
/** Item statuses per detail page (feeds.json: `limit` "cannot be more than 50"). */
export const FEED_DETAIL_PAGE = 50;
export const INVENTORY_FEED_TYPE = 'inventory';

/** The 1.4 bulk inventory file (channels.md §3 "Bulk file bodies"). */
export interface InventoryFeedFile {
  InventoryHeader: { version: '1.4' };
  Inventory: { sku: string; quantity: { unit: 'EACH'; amount: number } }[];
}

export function buildFeedFile(items: readonly { sku: string; quantity: number }[]): InventoryFeedFile {
  if (items.length === 0 || items.length > WALMART_FEED_ITEMS_MAX) throw new RangeError(`a feed carries 1..${WALMART_FEED_ITEMS_MAX} items, got ${items.length}`);
  return { InventoryHeader: { version: '1.4' }, Inventory: items.map((i) => ({ sku: i.sku, quantity: { unit: 'EACH', amount: i.quantity } })) };
}

/** When each feed of the last hour was sent; a feed is sent only when fewer than the limit were. */
export class FeedWindow {
  readonly #sent: number[] = [];
  #pausedUntil = 0;

  constructor(private readonly clock: Clock) {}

  #prune(now: number): void {
    while (this.#sent.length > 0 && this.#sent[0]! <= now - FEED_WINDOW_MS) this.#sent.shift();
  }

  /** Whether a feed may be sent now. */
  ready(): boolean {
    const now = this.clock.now();
    this.#prune(now);
    return now >= this.#pausedUntil && this.#sent.length < WALMART_FEEDS_PER_HOUR;
  }

  /** A feed is being sent (counted whatever its answer: Walmart may have counted it). */
  spend(): void {
    this.#sent.push(this.clock.now());
  }

  /** No feeds before `until` (Walmart throttled one, or a feed failed as a whole). */
  pause(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  /** Feeds sent in the current window (for tests and logs). */
  used(): number {
    this.#prune(this.clock.now());
    return this.#sent.length;
  }
}

const windows = new WeakMap<Clock, Map<string, FeedWindow>>();

/** The feed window of one account (per clock, so tests with their own never share). */
export function feedWindowFor(clock: Clock, baseUrl: string, clientId: string): FeedWindow {
  let byKey = windows.get(clock);
  if (!byKey) windows.set(clock, (byKey = new Map()));
  const key = createHash('sha256').update(JSON.stringify([baseUrl, clientId])).digest('hex');
  let w = byKey.get(key);
  if (!w) byKey.set(key, (w = new FeedWindow(clock)));
  return w;
}

export type FeedSent = { ok: true; feedId: string } | WalmartFailure;

/** Send one inventory feed (the caller checked the window). */
export async function submitFeed(api: WalmartApi, file: InventoryFeedFile, shipNode: string | undefined): Promise<FeedSent> {
  const form = new FormData();
  form.append('file', new Blob([JSON.stringify(file)], { type: 'application/json' }), 'inventory.json');
  const answer = await api.call<{ feedId?: unknown }>('inventory', {
    method: 'POST', path: '/v3/feeds', query: { feedType: INVENTORY_FEED_TYPE, ...(shipNode ? { shipNode } : {}) }, form,
  });
  if (!answer.ok) return answer;
  const feedId = answer.data?.feedId;
  if (typeof feedId !== 'string' || feedId === '') return { ok: false, failure: 'transient', retryAfterMs: null, message: 'Walmart accepted the feed without a feedId', status: answer.status, errors: [] };
  return { ok: true, feedId };
}

/** `PartnerFeedResponse`, the parts we read. */
export interface FeedStatus {
  feedStatus?: string;
  itemsReceived?: number;
  itemsSucceeded?: number;
  itemsFailed?: number;
  itemsProcessing?: number;
  itemDetails?: { itemIngestionStatus?: { sku?: string; ingestionStatus?: string; ingestionErrors?: { ingestionError?: { type?: string; code?: string; description?: string }[] } }[] };
}

/** What a feed's detail pages said so far, per SKU, and the next page to read. */
export interface FeedProgress {
  statuses: Map<string, ItemOutcome>;
  offset: number;
}

/**
 * Where a feed stands after one status call: processing, or done with one outcome per item.
 * `progress` holds the pages read by earlier checks (kept by the connector); it is updated.
 */
export async function checkFeed(api: WalmartApi, feedId: string, items: readonly PushItem[], progress: FeedProgress): Promise<SubmissionResult> {
  const answer = await api.call<FeedStatus>('feedStatus', {
    method: 'GET', path: `/v3/feeds/${segment(feedId)}`, query: { includeDetails: 'true', offset: String(progress.offset), limit: String(FEED_DETAIL_PAGE) },
  });
  if (!answer.ok) {
    // A feed Walmart does not know (lost, or older than it keeps): nothing is known applied.
    if (answer.status === 404) return { ok: true, state: 'done', outcomes: items.map(() => ({ status: 'not_applied' })) };
    return answer;
  }
  const feed = answer.data ?? {};
  if (feed.feedStatus === 'ERROR') return { ok: true, state: 'done', outcomes: items.map(() => ({ status: 'not_applied' })) };
  if (feed.feedStatus !== 'PROCESSED') return { ok: true, state: 'processing' };
  const details = feed.itemDetails?.itemIngestionStatus ?? [];
  for (const d of details) if (typeof d.sku === 'string') progress.statuses.set(d.sku, itemOutcome(d));
  const received = feed.itemsReceived ?? items.length;
  const allSucceeded = (feed.itemsFailed ?? 0) === 0 && (feed.itemsProcessing ?? 0) === 0 && (feed.itemsSucceeded ?? -1) === received;
  progress.offset += FEED_DETAIL_PAGE;
  // Failures somewhere: every page is read before the feed is settled, one page per check.
  if (!allSucceeded && details.length > 0 && progress.offset < received) return { ok: true, state: 'processing' };
  return {
    ok: true,
    state: 'done',
    outcomes: items.map((i): ItemOutcome => progress.statuses.get(i.external.sku!) ?? (allSucceeded ? { status: 'acknowledged' } : { status: 'not_applied' })),
  };
}

type ItemStatus = NonNullable<NonNullable<FeedStatus['itemDetails']>['itemIngestionStatus']>[number];

/** One item's ingestion status as an outcome (see the header). */
export function itemOutcome(d: ItemStatus): ItemOutcome {
  if (d.ingestionStatus === 'SUCCESS') return { status: 'acknowledged' };
  const errors = d.ingestionErrors?.ingestionError ?? [];
  if (d.ingestionStatus === 'DATA_ERROR') {
    const why = errors.map((e) => [e.code, e.description].filter(Boolean).join(': ')).join('; ') || 'DATA_ERROR';
    return { status: 'rejected', reason: `Walmart refused the feed item: ${why}` };
  }
  return { status: 'not_applied' };
}
